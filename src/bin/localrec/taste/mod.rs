//! `localrec eval --protocol described-taste`: a person who says what they like in a sentence,
//! with 0, 1 or 3 reactions. Each held-out user with at least 15 items describes their taste
//! by the two labels of a label column (anime-5k: genres) most over-represented in their whole
//! list against the training users' ("mecha and space"); the items not shown are the targets.
//! The page's own recommender scores every list (taste sentences through the model the item
//! vectors came from), so the rows measure what the page shows.
//!
//! The sentence's weights — its direct match per unit of cosine, and how many reactions it
//! counts as when the item–item stage is picked — are chosen on validation users, one pair for
//! every count (the page has one): a described taste must move the list while NDCG@10 stays
//! within noise, so of the pairs within one standard error of the best NDCG@10 (over the three
//! counts), the one whose lists differ most from the same people's lists without the sentence.
//! They are reported on test users beside the shipped pair (the catalogue's item–item table's,
//! or the defaults), and with `--keep-choice` written into that table, where the page reads
//! them. With `--taste-phrases` the labels are said in a person's words ("mecha" as "giant
//! robots"), so the sentences are not the catalogue's vocabulary.
//!
//! Here: the protocol's course and the choice; `descriptions.rs`: what a person says (also the
//! adapter's training sentences); `top_ten.rs`: the metrics of a way of scoring.

use std::collections::{HashMap, HashSet};

use localrec::eval::split::{FEW_REACTIONS_MIN_TARGETS, HeldOut, few_reactions};
use localrec::interactions::Entry;
use localrec::item_item::{WeightPrecision, load_item_item, save_item_item};
use localrec::item_vectors::ItemVectors;
use localrec::recommender::{Reaction, Recommender, Request, TasteWeights};
use localrec::taste::{TASTE_CHOSEN_BY, TASTE_CHOSEN_WITH_ADAPTER, TASTE_CHOSEN_WITH_HEAD};
use std::path::Path;

use localrec::{Encoder, Error, Result, device};

use crate::dataset::{Dataset, HEAD, ITEM_ITEM, Protocol};
use crate::evaluate::TasteOptions;
use crate::item_item::read;
use crate::recommend::load_recommender;
use crate::{file_sha256, write_atomically};

mod descriptions;
mod top_ten;

pub use descriptions::training_sentences;
use descriptions::{describe, item_labels, label_shares, read_phrases, say};
use top_ten::{TopTen, standard_error};

/// Reactions shown beside the sentence.
const SHOWN: [usize; 3] = [0, 1, 3];
/// Items a user needs: the most shown plus as many targets as the few-reactions protocol asks.
const MIN_ENTRIES: usize = 10 + FEW_REACTIONS_MIN_TARGETS;
/// Labels in a person's description.
pub(super) const LABELS: usize = 2;
/// The grids the weights are chosen on: the direct match per unit of cosine (0: the sentence
/// acts only through the head's user tower; doubled past the grid while its largest ranks
/// best, up to [`MAX_DIRECT`], so the choice is never cut by the grid's edge), and how many
/// reactions a sentence counts as.
const DIRECT: [f32; 5] = [0.0, 8.0, 16.0, 32.0, 64.0];
const MAX_DIRECT: f32 = 1024.0;
const REACTIONS: [usize; 4] = [1, 2, 3, 5];
pub(super) const K: usize = 10;

/// One person of the protocol: shown reactions and targets, and their sentence's vector.
pub(super) struct Person<'a> {
    held: HeldOut,
    taste: &'a [f32],
    labels: &'a [String],
}

pub fn eval_described_taste(
    dataset: &Dataset,
    json: bool,
    seed: u64,
    options: &TasteOptions,
    encoder: impl FnOnce(Option<&Path>) -> Result<Encoder>,
) -> Result<()> {
    let (column, phrases) = (options.column.as_deref(), options.phrases.as_deref());
    if dataset.time_ordered {
        return Err(Error::Input(format!(
            "{}: the described-taste protocol needs users held out whole, and this dataset's \
             standard split leaves the last item out (try anime-5k)",
            dataset.name
        )));
    }
    let (mut recommender, adapter) = load_recommender(&dataset.dir)?;
    let items = dataset.vectors()?;
    let labels = item_labels(dataset, column)?;
    let (split, description, _) = dataset.split_for(seed, Protocol::DescribedTaste);
    let background = label_shares(&split.train, &labels);

    // Each eligible held-out user's description, embedded in one batch.
    let described = |users: &[HeldOut]| -> Vec<(HeldOut, Vec<String>)> {
        users
            .iter()
            .filter(|u| u.visible.len() + u.hidden.len() >= MIN_ENTRIES)
            .filter_map(|u| {
                let all = [u.visible.as_slice(), &u.hidden].concat();
                Some((u.clone(), describe(&all, &labels, &background)?))
            })
            .collect()
    };
    let validation = described(&split.validation);
    let test = described(&split.test);
    let phrases = phrases.map(read_phrases).transpose()?.unwrap_or_default();
    let sentences: Vec<String> = (validation.iter().chain(&test))
        .map(|(_, labels)| say(labels, &phrases))
        .collect();
    let sentences: Vec<&str> = sentences.iter().map(String::as_str).collect();
    eprintln!("embedding {} described tastes", sentences.len());
    let vectors = encoder(adapter.as_deref())?.embed(&sentences)?;
    let (validation_vectors, test_vectors) = vectors.split_at(validation.len());
    // The weights, on validation users.
    let shipped = recommender.taste_weights();
    let by_shown: Vec<Vec<Person>> = (SHOWN.iter())
        .map(|&shown| people_shown(&validation, validation_vectors, shown, seed))
        .collect();
    let without = (by_shown.iter())
        .map(|people| page_lists(&recommender, people, false))
        .collect::<Result<Vec<_>>>()?;
    let mut tried: Vec<(TasteWeights, f64, f64, f64)> = Vec::new();
    let mut directs: Vec<f32> = DIRECT.to_vec();
    let mut next = 0;
    while let Some(&direct) = directs.get(next) {
        next += 1;
        for reactions in REACTIONS {
            let weights = TasteWeights { direct, reactions };
            recommender.set_taste_weights(weights);
            let reports = (by_shown.iter().zip(&without))
                .map(|(people, without)| {
                    let lists = page_lists(&recommender, people, true)?;
                    Ok(TopTen::of(&lists, &labels, without))
                })
                .collect::<Result<Vec<_>>>()?;
            let mean =
                |f: fn(&TopTen) -> f64| reports.iter().map(f).sum::<f64>() / reports.len() as f64;
            let (ndcg, described) = (mean(|r| r.ndcg), mean(|r| r.described));
            let by_v: Vec<String> = (SHOWN.iter().zip(&reports))
                .map(|(v, r)| format!("v={v} {:.4}/{:.3}/{:.1}", r.ndcg, r.described, r.moved))
                .collect();
            eprintln!(
                "validation: direct {direct}, as {reactions} reactions: NDCG@10 {ndcg:.4}, \
                 described@10 {described:.3} (NDCG/described/moved: {})",
                by_v.join(", ")
            );
            let each: Vec<f64> = reports.iter().flat_map(|r| r.each.clone()).collect();
            tried.push((weights, ndcg, standard_error(&each), mean(|r| r.moved)));
        }
        let best = (tried.iter()).max_by(|a, b| a.1.total_cmp(&b.1));
        if next == directs.len()
            && best.is_some_and(|best| best.0.direct == direct)
            && direct < MAX_DIRECT
        {
            directs.push(2.0 * direct);
        }
    }
    // The sentence must move the list while NDCG@10 stays within noise: of the weights within
    // one standard error of the best NDCG@10, the one that moves most.
    let best = (tried.iter())
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a grid");
    let chosen = (tried.iter())
        .filter(|t| t.1 >= best.1 - best.2)
        .max_by(|a, b| a.3.total_cmp(&b.3))
        .expect("the best is within its own error")
        .0;
    eprintln!(
        "best NDCG@10 {:.4} ± {:.4} (direct {}, as {} reactions); chosen: direct {}, as {} \
         reactions",
        best.1, best.2, best.0.direct, best.0.reactions, chosen.direct, chosen.reactions
    );

    if options.keep_choice {
        keep_choice(
            &dataset.dir,
            chosen,
            adapter.as_deref(),
            options.phrases.as_deref(),
            seed,
        )?;
    }

    // Test users.
    let mut tables = Vec::new();
    for shown in SHOWN {
        let people = people_shown(&test, test_vectors, shown, seed);
        let without = page_lists(&recommender, &people, false)?;
        let mut rows: Vec<(String, TopTen)> = vec![
            (
                "no sentence (the page)".into(),
                TopTen::of(&without, &labels, &without),
            ),
            (
                "the sentence's text match alone".into(),
                TopTen::of(&text_match_lists(items, &people), &labels, &without),
            ),
        ];
        for (name, weights) in [("shipped", shipped), ("chosen on validation", chosen)] {
            recommender.set_taste_weights(weights);
            rows.push((
                format!(
                    "the page, {name} (direct {}, as {} reactions)",
                    weights.direct, weights.reactions
                ),
                TopTen::of(&page_lists(&recommender, &people, true)?, &labels, &without),
            ));
        }
        tables.push((shown, people.len(), rows));
    }

    let examples: Vec<&str> = sentences[validation.len()..]
        .iter()
        .take(5)
        .copied()
        .collect();
    if json {
        let shown: serde_json::Map<String, serde_json::Value> = (tables.iter())
            .map(|(shown, _, rows)| {
                let rows: serde_json::Map<String, serde_json::Value> = (rows.iter())
                    .map(|(name, r)| (name.clone(), serde_json::to_value(r).expect("numbers")))
                    .collect();
                (shown.to_string(), rows.into())
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "dataset": dataset.name,
                "protocol": format!("described taste; {description}"),
                "chosen": {"direct": chosen.direct, "reactions": chosen.reactions},
                "examples": examples,
                "shown": shown,
            })
        );
        return Ok(());
    }
    println!(
        "{}: described taste (each test user with ≥{MIN_ENTRIES} items describes their taste \
         by the {LABELS} labels most over-represented in their list, e.g. {examples:?}, and \
         shows v reactions at random; the rest are targets; the page's recommender, top 10); \
         {description}\n",
        dataset.name
    );
    for (shown, users, rows) in &tables {
        println!("v = {shown} shown ({users} users)");
        println!(
            "{:<56} {:>8} {:>10} {:>7} {:>12} {:>8}",
            "", "NDCG@10", "Recall@10", "HR@10", "described@10", "moved@10"
        );
        for (name, r) in rows {
            println!(
                "{name:<56} {:>8.4} {:>10.4} {:>7.4} {:>12.3} {:>8.1}",
                r.ndcg, r.recall, r.hit_rate, r.described, r.moved
            );
        }
        println!();
    }
    Ok(())
}

/// Writes `chosen` into the catalogue's item–item table, with what it was chosen with: the
/// protocol's seed and wording, and the head and adapter whose lists it was chosen on (a new
/// head or adapter needs a new choice).
fn keep_choice(
    dir: &Path,
    chosen: TasteWeights,
    adapter: Option<&Path>,
    phrases: Option<&Path>,
    seed: u64,
) -> Result<()> {
    let path = dir.join(ITEM_ITEM);
    let mut table = load_item_item(&read(&path)?)?;
    table.mix.taste = Some(chosen);
    let wording = match phrases {
        Some(phrases) => format!(
            "labels said as in {} (sha256 {})",
            phrases.file_name().unwrap_or_default().to_string_lossy(),
            file_sha256(phrases)?
        ),
        None => "labels as they are".into(),
    };
    let chosen_by = format!(
        "localrec eval --protocol described-taste --seed {seed}, validation users; {wording}"
    );
    let head = dir.join(HEAD);
    let recorded = [
        (TASTE_CHOSEN_BY, chosen_by),
        (TASTE_CHOSEN_WITH_HEAD, file_sha256(&head)?),
        (
            TASTE_CHOSEN_WITH_ADAPTER,
            adapter.map(file_sha256).transpose()?.unwrap_or_default(),
        ),
    ];
    for (key, value) in recorded {
        table.info.insert(key.into(), value);
    }
    write_atomically(&path, &save_item_item(&table, WeightPrecision::F16)?)?;
    eprintln!(
        "kept in {}: a taste sentence weighs {} per cosine, as {} reactions",
        path.display(),
        chosen.direct,
        chosen.reactions
    );
    Ok(())
}

/// Each person's top 10 from the page's recommender: their shown reactions (a public rating
/// as that rating, an unrated entry as a like) and, with `sentence`, their described taste.
fn page_lists<'a, 'b>(
    recommender: &Recommender,
    people: &'a [Person<'b>],
    sentence: bool,
) -> Result<Vec<(Vec<usize>, &'a Person<'b>)>> {
    let catalog = recommender.catalog();
    people
        .iter()
        .map(|person| {
            let reactions: Vec<(String, Reaction)> = (person.held.visible.iter())
                .map(|e| (catalog.item(e.row).id.clone(), reaction(e)))
                .collect();
            let tastes: Vec<Vec<f32>> = sentence
                .then(|| person.taste.to_vec())
                .into_iter()
                .collect();
            let list = device::block_on(recommender.recommend(&Request {
                reactions: &reactions,
                tastes: &tastes,
                taste_texts: &[],
                personal: None,
                count: K,
                reasons: 0,
            }))?;
            let ranked = (list.items.iter())
                .map(|r| {
                    catalog
                        .row(&r.item)
                        .expect("recommended from the catalogue")
                })
                .collect();
            Ok((ranked, person))
        })
        .collect()
}

/// Each person's top 10 by the cosine of their sentence to each item's text alone.
fn text_match_lists<'a, 'b>(
    items: &ItemVectors,
    people: &'a [Person<'b>],
) -> Vec<(Vec<usize>, &'a Person<'b>)> {
    people
        .iter()
        .map(|person| {
            let scores: Vec<f32> = (0..items.rows)
                .map(|row| {
                    items
                        .row(row)
                        .iter()
                        .zip(person.taste)
                        .map(|(a, b)| a * b)
                        .sum()
                })
                .collect();
            let shown: HashSet<usize> = person.held.visible.iter().map(|e| e.row).collect();
            (localrec::eval::metrics::top_k(&scores, K, &shown), person)
        })
        .collect()
}

/// The protocol's people with `shown` reactions each (the few-reactions protocol's seeded
/// choice), and their sentences' vectors (`vectors[i]` is `users[i]`'s).
fn people_shown<'a>(
    users: &'a [(HeldOut, Vec<String>)],
    vectors: &'a [Vec<f32>],
    shown: usize,
    seed: u64,
) -> Vec<Person<'a>> {
    let held: Vec<HeldOut> = users.iter().map(|(u, _)| u.clone()).collect();
    let described: HashMap<u32, (&[f32], &[String])> = (users.iter().zip(vectors))
        .map(|((u, labels), v)| (u.user, (v.as_slice(), labels.as_slice())))
        .collect();
    few_reactions(&held, shown, MIN_ENTRIES, seed, None)
        .into_iter()
        .map(|held| {
            let (taste, labels) = described[&held.user];
            Person {
                held,
                taste,
                labels,
            }
        })
        .collect()
}

fn reaction(entry: &Entry) -> Reaction {
    match entry.rating {
        r @ 1..=10 => Reaction::Rating(r),
        _ => Reaction::Like,
    }
}
