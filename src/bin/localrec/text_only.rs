//! `localrec eval --protocol text-only`: a catalogue without public lists, as a shop that has
//! only its item texts (and, often, a popularity column: sales, views, ratings counts). Nothing
//! is fitted on the lists; they only evaluate. Each test user shows [`SHOWN`] reactions at
//! random and must find the rest of their list. The popularity column is simulated by the
//! training users' counts; its weight is chosen on validation users shown as many reactions.
//! The rows: popularity, text-kNN, the page's text-only recommender, the person's own
//! fine-tuning on their reactions (the only learning there is here), and each with the prior.

use indicatif::ProgressBar;
use localrec::eval::baselines::{K, Popularity, Ranking, RankingReport, TextKnn, evaluate};
use localrec::eval::metrics;
use localrec::eval::split::{FEW_REACTIONS_MIN_TARGETS, HeldOut, few_reactions};
use localrec::head::{Head, ItemTable, read_rows};
use localrec::item_item::Stage;
use localrec::popularity::popularity_prior;
use localrec::recommender::{TASTE_MATCH_WEIGHT, TEXT_ONLY_STAGES};
use localrec::{Error, Result, device};

use crate::dataset::{ADAPTER, Dataset, Protocol};
use crate::evaluate::{ModelReport, fine_tuned_user, models_json, print_rows};
use crate::item_item::list_counts;

/// Reactions each test user shows.
pub const SHOWN: usize = 10;

/// Prior weights tried on validation users (the prior is `ln(1 + count)` scaled to [0, 1]).
const PRIOR_WEIGHTS: [f32; 10] = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

pub fn eval_text_only(dataset: &Dataset, json: bool, seed: u64) -> Result<()> {
    if dataset.dir.join(ADAPTER).exists() {
        // Its vectors were embedded by a model fine-tuned on the very lists this protocol
        // pretends not to have.
        return Err(Error::Input(format!(
            "{} has an adapter ({ADAPTER}), trained on its lists, and its item vectors come from \
             it: the text-only protocol needs the original MiniLM's. Copy the folder without \
             {ADAPTER} and item_vectors.safetensors, and run `localrec embed-catalog` there",
            dataset.dir.display()
        )));
    }
    let (split, description, _) = dataset.split_for(seed, Protocol::TextOnly);
    let n_items = dataset.catalog.len();
    let vectors = dataset.vectors()?;
    let device = device::cpu();
    let text = vectors.clone().into_tensor(&device);
    let mean = text.clone().mean_dim(0).reshape([vectors.dim]);
    let (head, _) = Head::text_only(n_items, mean, TASTE_MATCH_WEIGHT)?;
    let items = head.text_only_table(text);
    let counts: Vec<f64> = (list_counts(&split.train, n_items).into_iter())
        .map(f64::from)
        .collect();
    let prior = popularity_prior(&counts);
    let time_order = dataset.time_ordered.then_some(dataset.users.as_slice());
    let min_entries = SHOWN + FEW_REACTIONS_MIN_TARGETS;
    let test = few_reactions(&split.test, SHOWN, min_entries, seed, time_order);
    let validation = few_reactions(&split.validation, SHOWN, min_entries, seed, time_order);

    let text_scores = |users: &[HeldOut]| {
        let histories: Vec<_> = users.iter().map(|u| u.visible.as_slice()).collect();
        device::block_on(head.score_histories(&items, &histories, 256))
    };
    eprintln!(
        "personal fine-tuning for {} validation and {} test users",
        validation.len(),
        test.len()
    );
    let (text_validation, text_test) = (text_scores(&validation)?, text_scores(&test)?);
    let (personal_validation, personal_test) = (
        personal_scores(&head, &items, &validation)?,
        personal_scores(&head, &items, &test)?,
    );
    let text_weight = best_prior_weight(&text_validation, &prior, &validation);
    let personal_weight = best_prior_weight(&personal_validation, &prior, &validation);
    // The page's curve (`TEXT_ONLY_STAGES`) comes from these choices at its numbers of reactions.
    let curve: Vec<(usize, f32)> = TEXT_ONLY_STAGES
        .iter()
        .map(|stage| {
            let users = few_reactions(
                &split.validation,
                stage.reactions,
                min_entries,
                seed,
                time_order,
            );
            Ok((
                stage.reactions,
                best_prior_weight(&text_scores(&users)?, &prior, &users),
            ))
        })
        .collect::<Result<_>>()?;
    let page_weight = Stage::at(&TEXT_ONLY_STAGES, SHOWN).popularity;

    let mut rows: Vec<(String, ModelReport)> = Vec::new();
    let mut add = |name: String, report: RankingReport| {
        eprintln!("evaluated {name}: NDCG@10 {:.4}", report.ndcg);
        rows.push((name, ModelReport::ranking(report)));
    };
    let popularity = Popularity::fit(&split.train, n_items);
    add("popularity".into(), evaluate(&popularity, &test, n_items));
    add(
        "text-knn".into(),
        evaluate(&TextKnn { items: vectors }, &test, n_items),
    );
    add("text".into(), ranking(&text_test, &prior, 0.0, &test));
    add(
        format!("text + {text_weight}·popularity"),
        ranking(&text_test, &prior, text_weight, &test),
    );
    if page_weight != text_weight {
        add(
            format!("text + {page_weight}·pop. (page)"),
            ranking(&text_test, &prior, page_weight, &test),
        );
    }
    add(
        "personal".into(),
        ranking(&personal_test, &prior, 0.0, &test),
    );
    add(
        format!("personal + {personal_weight}·popularity"),
        ranking(&personal_test, &prior, personal_weight, &test),
    );

    if json {
        let models = models_json(&rows);
        println!(
            "{}",
            serde_json::json!({
                "dataset": dataset.name,
                "protocol": format!("text-only, {SHOWN} reactions shown; {description}"),
                "prior_weights": { "text": text_weight, "personal": personal_weight },
                "text_prior_by_reactions": curve,
                "models": models,
            })
        );
    } else {
        println!(
            "{}: text-only (nothing fitted on the lists; {} test users with ≥{min_entries} items \
             show {SHOWN} at random, the rest are targets; popularity = training users' counts, \
             its weight chosen on {} validation users); {description}\n",
            dataset.name,
            test.len(),
            validation.len()
        );
        print_rows(&rows);
        println!(
            "\nprior weight for text chosen on validation users, by reactions shown \
             (TEXT_ONLY_STAGES): {curve:?}"
        );
    }
    Ok(())
}

/// Each user's score row after personal fine-tuning on their shown reactions.
fn personal_scores(head: &Head, items: &ItemTable, users: &[HeldOut]) -> Result<Vec<Vec<f32>>> {
    let bar = ProgressBar::new(users.len() as u64);
    let mut rows = Vec::with_capacity(users.len());
    for user in users {
        let [_, personal] = fine_tuned_user(head, items, user)?;
        rows.push(device::block_on(read_rows(head.scores(&personal, items)))?.remove(0));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(rows)
}

/// The ranking of `users` by `scores + weight · prior`.
fn ranking(scores: &[Vec<f32>], prior: &[f32], weight: f32, users: &[HeldOut]) -> RankingReport {
    let mut ranking = Ranking::new(prior.len());
    for (user, row) in users.iter().zip(scores) {
        ranking.add(&with_prior(row, prior, weight), user);
    }
    ranking.report()
}

fn with_prior(scores: &[f32], prior: &[f32], weight: f32) -> Vec<f32> {
    scores
        .iter()
        .zip(prior)
        .map(|(s, p)| s + weight * p)
        .collect()
}

/// The prior weight of [`PRIOR_WEIGHTS`] with the best NDCG@10 on `users` (ties: the smaller).
fn best_prior_weight(scores: &[Vec<f32>], prior: &[f32], users: &[HeldOut]) -> f32 {
    let ndcg = |weight: f32| -> f64 {
        let total: f64 = users
            .iter()
            .zip(scores)
            .map(|(user, row)| {
                let excluded = user.visible.iter().map(|e| e.row).collect();
                let relevant = user.hidden.iter().map(|e| e.row).collect();
                let ranked = metrics::top_k(&with_prior(row, prior, weight), K, &excluded);
                metrics::ndcg_at_k(&ranked, &relevant, K)
            })
            .sum();
        total / users.len().max(1) as f64
    };
    let tried: Vec<(f32, f64)> = PRIOR_WEIGHTS.iter().map(|&w| (w, ndcg(w))).collect();
    eprintln!("prior weights on validation (weight, NDCG@10): {tried:?}");
    tried
        .iter()
        .fold(
            (0.0, f64::MIN),
            |best, &(w, v)| if v > best.1 { (w, v) } else { best },
        )
        .0
}
