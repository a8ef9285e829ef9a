//! The recommender behind the page, on a small catalogue with a random head: what it excludes,
//! that its reasons are exact shares of the scores, that taste sentences and personal weights
//! act as documented, and that bad requests are named errors.

use std::collections::HashMap;

use localrec::catalog::Catalog;
use localrec::device::{block_on, cpu};
use localrec::fine_tune::{FineTuneConfig, Personal};
use localrec::head::{Head, HeadConfig, Objective, save_head};
use localrec::interactions::Entry;
use localrec::item_item::{
    ItemItem, Mix, Stage, WeightPrecision, save_item_item, split_into_shards,
};
use localrec::item_vectors::ItemVectors;
use localrec::recommender::{
    Basis, PageFiles, PageTable, REASON_SHARE, Reaction, Recommendations, Recommender, Request,
    ScoringFiles, Source, TASTE_MATCH_WEIGHT, TasteWeights, page_files,
};
use localrec::rng::SplitMix64;

const ITEMS: usize = 12;
const TEXT_DIM: usize = 8;

/// Items 100, 101, … titled "Show 0", "Show 1", ….
fn catalog() -> Catalog {
    let ids: Vec<(String, String)> = (0..ITEMS)
        .map(|i| ((100 + i).to_string(), format!("Show {i}")))
        .collect();
    let pairs: Vec<(&str, &str)> = ids.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    localrec::catalog::testing::titles(&pairs)
}

/// Reactions by numeric id, as the catalogue's text ids.
fn ids(reactions: &[(u32, Reaction)]) -> Vec<(String, Reaction)> {
    reactions
        .iter()
        .map(|&(id, r)| (id.to_string(), r))
        .collect()
}

/// A recommended item's numeric id.
fn num(id: &str) -> u32 {
    id.parse().unwrap()
}

/// Unit text vectors, as the encoder gives.
fn text_rows() -> Vec<Vec<f32>> {
    let mut rng = SplitMix64::new(21);
    (0..ITEMS)
        .map(|_| {
            let v: Vec<f32> = (0..TEXT_DIM).map(|_| rng.uniform_f32(1.0)).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / norm).collect()
        })
        .collect()
}

/// A random head's file and the items' text vectors' file.
fn head_and_vectors(items_in_head: usize, text_dim: usize) -> localrec::Result<(Vec<u8>, Vec<u8>)> {
    head_of_width(items_in_head, text_dim, 4)
}

/// As [`head_and_vectors`], with user and item vectors of `dim`.
fn head_of_width(
    items_in_head: usize,
    text_dim: usize,
    dim: usize,
) -> localrec::Result<(Vec<u8>, Vec<u8>)> {
    let device = cpu();
    let config = HeadConfig {
        text_dim,
        hidden: 16,
        dim,
        items: items_in_head,
        id_embeddings: true,
    };
    let head = Head::new(&config, 3, &device)?;
    let bytes = save_head(&head, &config, Objective::Softmax, &HashMap::new())?;
    let vectors = ItemVectors::from_rows(text_rows(), HashMap::new())?.to_safetensors()?;
    Ok((bytes, vectors))
}

fn recommender_with(items_in_head: usize, text_dim: usize) -> localrec::Result<Recommender> {
    let (head, vectors) = head_and_vectors(items_in_head, text_dim)?;
    Recommender::new(catalog(), Some(head), &vectors, &cpu())
}

fn recommender() -> Recommender {
    recommender_with(ITEMS, TEXT_DIM).unwrap()
}

fn recommend(r: &Recommender, request: Request) -> Recommendations {
    block_on(r.recommend(&request)).unwrap()
}

fn score_of(recs: &Recommendations, item: u32) -> f32 {
    recs.items
        .iter()
        .find(|r| num(&r.item) == item)
        .unwrap()
        .score
}

const ALL: usize = ITEMS;

/// The whole catalogue ranked for `reactions`, without reasons.
fn ranked(reactions: &[(String, Reaction)]) -> Request<'_> {
    Request {
        reactions,
        count: ALL,
        ..Default::default()
    }
}

/// The whole catalogue ranked for `reactions`, with up to `reasons` reasons per item.
fn explained(reactions: &[(String, Reaction)], reasons: usize) -> Request<'_> {
    Request {
        reasons,
        ..ranked(reactions)
    }
}

#[test]
fn excludes_reacted_items_and_ranks_best_first() {
    let r = recommender();
    let reactions = ids(&[
        (100, Reaction::Like),
        (105, Reaction::Dislike),
        (107, Reaction::Rating(4)),
    ]);
    let recs = recommend(&r, explained(&reactions, 3));
    assert_eq!(recs.items.len(), ITEMS - 3);
    assert!(
        recs.items
            .iter()
            .all(|x| ![100, 105, 107].contains(&num(&x.item)))
    );
    assert!(recs.items.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(recs.user.len(), 4);
    let top = recommend(
        &r,
        Request {
            reactions: &reactions,
            count: 2,
            reasons: 3,
            ..Default::default()
        },
    );
    assert_eq!(top.items, recs.items[..2].to_vec());
    for rec in &recs.items {
        assert!(rec.because.len() <= 3);
        assert!(rec.because.windows(2).all(|w| w[0].share >= w[1].share));
        assert!(rec.because.iter().all(|b| b.share > 0.0
            && matches!(&b.source, Source::Item(id) if [100, 105, 107].contains(&num(id)))));
    }
}

#[test]
fn a_single_reason_is_the_whole_difference_it_makes() {
    // With one entry, its share is exactly score(with it) − score(empty history).
    let r = recommender();
    let empty = recommend(&r, ranked(&[]));
    let reactions = ids(&[(103, Reaction::Rating(9))]);
    let recs = recommend(&r, explained(&reactions, 1));
    let mut explained = 0;
    for rec in &recs.items {
        let difference = rec.score - score_of(&empty, num(&rec.item));
        match rec.because.as_slice() {
            [reason] => {
                assert_eq!(reason.source, Source::Item("103".into()));
                assert!(
                    (reason.share - difference).abs() < 1e-4,
                    "{} vs {difference}",
                    reason.share
                );
                explained += 1;
            }
            [] => assert!(difference <= 1e-4, "a raised score has a reason"),
            more => panic!("one entry, {} reasons", more.len()),
        }
    }
    assert!(explained > 0);
}

#[test]
fn a_taste_sentence_counts_as_a_loved_item_plus_its_text_match() {
    let r = recommender();
    let texts = text_rows();
    let empty = recommend(&r, ranked(&[]));
    let tastes = [texts[4].clone()];
    let recs = recommend(
        &r,
        Request {
            tastes: &tastes,
            count: ALL,
            reasons: 2,
            ..Default::default()
        },
    );
    assert_eq!(recs.items.len(), ITEMS, "a taste excludes nothing");
    for rec in &recs.items {
        let difference = rec.score - score_of(&empty, num(&rec.item));
        if let [reason] = rec.because.as_slice() {
            assert_eq!(reason.source, Source::Taste(0));
            assert!((reason.share - difference).abs() < 1e-4);
        }
    }
    assert_eq!(recs.items[0].item, "104", "the described item comes first");
    // The pseudo-item part equals loving item 104 itself (same text, kind 10, and this head's
    // ID residuals are zero); what is left is exactly TASTE_MATCH_WEIGHT × cosine.
    let loved = recommend(&r, ranked(&ids(&[(104, Reaction::Rating(10))])));
    for rec in &loved.items {
        let row = (num(&rec.item) - 100) as usize;
        let cosine: f32 = texts[row].iter().zip(&texts[4]).map(|(a, b)| a * b).sum();
        let gap = score_of(&recs, num(&rec.item)) - rec.score;
        assert!(
            (gap - TASTE_MATCH_WEIGHT * cosine).abs() < 1e-3,
            "{gap} vs {}",
            TASTE_MATCH_WEIGHT * cosine
        );
    }
    // Beside likes, the same: the user tower reads the likes' rows and the sentence's as it reads
    // loving item 104 with them (rows in another order: the sentence's come after the items').
    let likes = ids(&[(105, Reaction::Like), (101, Reaction::Like)]);
    let with_taste = recommend(
        &r,
        Request {
            reactions: &likes,
            tastes: &tastes,
            count: ALL,
            ..Default::default()
        },
    );
    let loved = [likes.clone(), ids(&[(104, Reaction::Rating(10))])].concat();
    let with_loved = recommend(&r, ranked(&loved));
    assert!(
        (with_taste.user.iter().zip(&with_loved.user)).all(|(a, b)| (a - b).abs() < 1e-5),
        "{:?} vs {:?}",
        with_taste.user,
        with_loved.user
    );
}

#[test]
fn a_like_weighs_as_a_ten_and_personal_weights_add_their_dot_product() {
    let r = recommender();
    let like = recommend(&r, ranked(&ids(&[(102, Reaction::Like)])));
    let ten = recommend(&r, ranked(&ids(&[(102, Reaction::Rating(10))])));
    assert_eq!(like.items, ten.items);

    let residual = vec![0.5, -1.0, 0.25, 2.0];
    let personal = Personal {
        residual: residual.clone(),
    };
    let with = recommend(
        &r,
        Request {
            personal: Some(&personal),
            count: ALL,
            ..Default::default()
        },
    );
    let without = recommend(&r, ranked(&[]));
    let vectors = block_on(r.item_vectors()).unwrap();
    for rec in &with.items {
        let row = (num(&rec.item) - 100) as usize;
        let dot: f32 = vectors[row].iter().zip(&residual).map(|(e, d)| e * d).sum();
        assert!((rec.score - score_of(&without, num(&rec.item)) - dot).abs() < 1e-4);
    }
    let shifted: Vec<f32> = without
        .user
        .iter()
        .zip(&residual)
        .map(|(u, d)| u + d)
        .collect();
    assert!(
        with.user
            .iter()
            .zip(&shifted)
            .all(|(a, b)| (a - b).abs() < 1e-5)
    );
}

#[test]
fn fine_tuning_runs_on_the_reactions() {
    let r = recommender();
    let reactions: Vec<(String, Reaction)> = (100..106)
        .map(|id| (id.to_string(), Reaction::Like))
        .collect();
    let config = FineTuneConfig {
        steps: 5,
        patience: 100,
        ..Default::default()
    };
    let mut steps = 0;
    let (personal, report) = block_on(r.fine_tune(&reactions, &config, |_| {
        steps += 1;
        std::ops::ControlFlow::Continue(())
    }))
    .unwrap();
    assert_eq!(steps, 5);
    assert_eq!(report.losses.len(), 5);
    assert_eq!(personal.residual.len(), 4);
    assert!(
        block_on(r.fine_tune(&ids(&[(100, Reaction::Like)]), &config, |_| {
            std::ops::ControlFlow::Continue(())
        }))
        .is_err()
    );
}

#[test]
fn bad_requests_are_named_errors() {
    let r = recommender();
    let error = |request: Request| block_on(r.recommend(&request)).unwrap_err().to_string();
    assert!(
        error(Request {
            reactions: &ids(&[(999, Reaction::Like)]),
            count: 5,
            ..Default::default()
        })
        .contains("item 999 is not in the catalogue")
    );
    assert!(
        error(Request {
            reactions: &ids(&[(101, Reaction::Like), (101, Reaction::Rating(3))]),
            count: 5,
            ..Default::default()
        })
        .contains("two reactions")
    );
    assert!(
        error(Request {
            tastes: &[vec![0.0; 3]],
            count: 5,
            ..Default::default()
        })
        .contains("taste vector has 3 values")
    );
    let short = Personal {
        residual: vec![0.0; 3],
    };
    assert!(
        error(Request {
            personal: Some(&short),
            count: 5,
            ..Default::default()
        })
        .contains("train again")
    );
    let nan = Personal {
        residual: vec![f32::NAN; 4],
    };
    assert!(
        error(Request {
            personal: Some(&nan),
            count: 5,
            ..Default::default()
        })
        .contains("non-finite")
    );
    assert!(
        recommend(
            &r,
            Request {
                count: 0,
                ..Default::default()
            }
        )
        .items
        .is_empty()
    );

    let mismatch = recommender_with(ITEMS + 1, TEXT_DIM)
        .err()
        .unwrap()
        .to_string();
    assert!(mismatch.contains("different catalogues"), "{mismatch}");
    let width = recommender_with(ITEMS, TEXT_DIM + 1)
        .err()
        .unwrap()
        .to_string();
    assert!(width.contains("8-d"), "{width}");
}

/// The recommender with an item–item part: item 100 predicts 101 and 102, 103 predicts 104,
/// 106 predicts 107 (weights as stored, f16-exact), mixed at `scale`.
fn hybrid(scale: f32) -> Recommender {
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); ITEMS];
    rows[0] = vec![(1, 0.5), (2, 0.25)];
    rows[3] = vec![(4, 0.75)];
    rows[6] = vec![(7, 0.5)];
    let table = ItemItem::from_rows(rows, Mix::uniform(scale)).unwrap();
    recommender()
        .with_item_item(&save_item_item(&table, WeightPrecision::F16).unwrap())
        .unwrap()
}

#[test]
fn hybrid_scores_add_exact_item_item_shares() {
    let (head, hybrid) = (recommender(), hybrid(3.0));
    let reactions = ids(&[(100, Reaction::Like), (103, Reaction::Rating(6))]);
    let plain = recommend(&head, ranked(&reactions));
    let mixed = recommend(&hybrid, ranked(&reactions));
    let table = hybrid.item_item().unwrap();
    for rec in &mixed.items {
        let row = (num(&rec.item) - 100) as usize;
        let part: f32 = [0usize, 3]
            .iter()
            .map(|&from| {
                table.share(
                    &Stage::PLAIN,
                    &Entry {
                        row: from,
                        rating: 10,
                    },
                    row,
                )
            })
            .sum();
        assert!((rec.score - score_of(&plain, num(&rec.item)) - part).abs() < 1e-5);
    }
    assert_eq!(score_of(&mixed, 101) - score_of(&plain, 101), 3.0 * 0.5);
    // With one reaction, its reason is the whole difference it makes, item–item part included.
    let empty = recommend(&hybrid, ranked(&[]));
    let one = ids(&[(100, Reaction::Like)]);
    let recs = recommend(&hybrid, explained(&one, 1));
    let first = recs.items.iter().find(|r| r.item == "101").unwrap();
    assert_eq!(first.because.len(), 1);
    let difference = first.score - score_of(&empty, 101);
    assert!((first.because[0].share - difference).abs() < 1e-4);
}

/// A catalogue's item–item table may say how much a taste sentence weighs there (its
/// validation users' choice): the recommender takes it, from the whole table or from the
/// page's index, and a sentence's direct match is exactly that weight × cosine.
#[test]
fn a_tables_own_taste_weights_are_how_a_sentence_weighs() {
    let texts = text_rows();
    let with_taste = |direct: f32| {
        let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); ITEMS];
        rows[0] = vec![(1, 0.5)];
        let mix = Mix {
            taste: Some(TasteWeights {
                direct,
                reactions: 5,
            }),
            ..Mix::uniform(3.0)
        };
        ItemItem::from_rows(rows, mix).unwrap()
    };
    let table = with_taste(4.0);
    let own = recommender()
        .with_item_item(&save_item_item(&table, WeightPrecision::F16).unwrap())
        .unwrap();
    let weights = TasteWeights {
        direct: 4.0,
        reactions: 5,
    };
    assert_eq!(own.taste_weights(), weights);
    let index = split_into_shards(&table, 16, WeightPrecision::Int8, None)
        .unwrap()
        .index;
    let lazy = recommender().with_item_item(&index).unwrap();
    assert_eq!(lazy.taste_weights(), weights, "the page's index keeps them");
    assert_eq!(hybrid(3.0).taste_weights(), TasteWeights::default());

    let no_match = recommender()
        .with_item_item(&save_item_item(&with_taste(0.0), WeightPrecision::F16).unwrap())
        .unwrap();
    let tastes = [texts[4].clone()];
    let request = Request {
        tastes: &tastes,
        count: ALL,
        ..Default::default()
    };
    let (matched, unmatched) = (
        recommend(&own, request.clone()),
        recommend(&no_match, request),
    );
    for rec in &matched.items {
        let row = (num(&rec.item) - 100) as usize;
        let cosine: f32 = texts[row].iter().zip(&texts[4]).map(|(a, b)| a * b).sum();
        let gap = rec.score - score_of(&unmatched, num(&rec.item));
        assert!(
            (gap - 4.0 * cosine).abs() < 1e-3,
            "{gap} vs {}",
            4.0 * cosine
        );
    }
}

/// The page's path: the item–item table from its index, its rows added by shard as reactions
/// need them. A list is refused while a reaction's rows are missing (never computed without
/// them), and once they are here it is the whole table's list, reasons and all.
#[test]
fn a_hybrid_from_the_item_item_index_needs_its_reactions_shards_then_lists_as_the_whole_table() {
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); ITEMS];
    rows[0] = vec![(1, 0.5), (2, 0.25)];
    rows[3] = vec![(4, 0.75)];
    rows[9] = vec![(10, 0.5), (5, -0.25)];
    let table = ItemItem::from_rows(rows, Mix::uniform(3.0)).unwrap();
    let whole = recommender()
        .with_item_item(&save_item_item(&table, WeightPrecision::Int8).unwrap())
        .unwrap();
    let split = split_into_shards(&table, 16, WeightPrecision::Int8, None).unwrap();
    assert!(split.shards.len() >= 3, "{} shards", split.shards.len());
    let mut lazy = recommender().with_item_item(&split.index).unwrap();

    // No reaction needs no rows: the new person's list is there at once.
    assert_eq!(
        recommend(&lazy, ranked(&[])),
        recommend(&whole, ranked(&[]))
    );
    let reactions = ids(&[(100, Reaction::Like), (109, Reaction::Rating(9))]);
    let needed = lazy.item_item().unwrap().missing_shards([0usize, 9]);
    assert_eq!(needed.len(), 2, "items 0 and 9 are in different shards");
    let refused = block_on(lazy.recommend(&explained(&reactions, 2))).unwrap_err();
    assert!(refused.to_string().contains("not here yet"), "{refused}");

    // One of the two shards is still not enough.
    lazy.add_item_item_shard(&split.shards[needed[0]].1)
        .unwrap();
    assert!(block_on(lazy.recommend(&ranked(&reactions))).is_err());
    lazy.add_item_item_shard(&split.shards[needed[1]].1)
        .unwrap();
    assert_eq!(
        recommend(&lazy, explained(&reactions, 2)),
        recommend(&whole, explained(&reactions, 2))
    );
    // A whole table has no shards to take.
    let mut whole = whole;
    assert!(whole.add_item_item_shard(&split.shards[0].1).is_err());
}

#[test]
fn a_new_persons_hybrid_adds_the_stage_prior_and_no_reason_names_it() {
    // Item 111 is on many public lists; a person with one reaction gets the prior and the
    // reaction's co-occurrence shares at full weight, one with five at none (the stages fade
    // them), and the item–item part doubles.
    let stages = vec![
        Stage {
            reactions: 1,
            item_item: 0.5,
            popularity: 4.0,
            co_occurrence: 2.0,
        },
        Stage {
            reactions: 5,
            item_item: 1.0,
            popularity: 0.0,
            co_occurrence: 0.0,
        },
    ];
    let mut counts = vec![1u32; ITEMS];
    counts[11] = 1000;
    let mut rows = vec![Vec::new(); ITEMS];
    rows[0] = vec![(1, 0.5), (2, 0.25)];
    let mut shares = vec![Vec::new(); ITEMS];
    shares[0] = vec![(2, 0.5), (3, 0.75)];
    let table = ItemItem::from_rows(rows, Mix::uniform(3.0).with_stages(stages))
        .unwrap()
        .with_counts(counts)
        .unwrap()
        .with_shares(shares)
        .unwrap();
    let prior = table.prior().to_vec();
    let staged = recommender()
        .with_item_item(&save_item_item(&table, WeightPrecision::F16).unwrap())
        .unwrap();
    let head = recommender();
    let one = ids(&[(100, Reaction::Like)]);
    let (plain, mixed) = (
        recommend(&head, explained(&one, 2)),
        recommend(&staged, explained(&one, 2)),
    );
    for rec in &mixed.items {
        let row = (num(&rec.item) - 100) as usize;
        let part = 0.5 * 3.0 * table.weight(0, row)
            + 2.0 * table.co_occurrence_share(0, row)
            + 4.0 * prior[row];
        let difference = rec.score - score_of(&plain, num(&rec.item));
        assert!(
            (difference - part).abs() < 1e-4,
            "{row}: {difference} vs {part}"
        );
    }
    assert_eq!(
        mixed.items[0].item, "111",
        "the popular item leads a one-reaction list"
    );
    // Item 0's table does not reach 111: its reason is the head's alone, the prior nobody's.
    let because = |recs: &Recommendations| {
        recs.items
            .iter()
            .find(|r| r.item == "111")
            .unwrap()
            .because
            .clone()
    };
    assert_eq!(because(&mixed), because(&plain));
    let five = ids(&[
        (100, Reaction::Like),
        (103, Reaction::Like),
        (104, Reaction::Like),
        (105, Reaction::Like),
        (106, Reaction::Like),
    ]);
    let (plain, mixed) = (
        recommend(&head, ranked(&five)),
        recommend(&staged, ranked(&five)),
    );
    let difference = score_of(&mixed, 111) - score_of(&plain, 111);
    assert!(
        difference.abs() < 1e-5,
        "at five reactions the prior is gone: {difference}"
    );
}

#[test]
fn a_text_only_catalogue_with_a_popularity_column_starts_from_it() {
    let manifest = r#"{"name": "shop", "title": "Shop", "items": "items.csv",
        "columns": {"title": "title", "popularity": "sold"}, "text": "{title}"}"#;
    let mut csv = String::from("id,title,sold\n");
    for i in 0..ITEMS {
        let sold = if i == 7 { 90000 } else { i * 3 };
        csv.push_str(&format!("{},Show {i},{sold}\n", 100 + i));
    }
    let shop_catalog = Catalog::load(manifest.as_bytes(), csv.as_bytes()).unwrap();
    let vectors = ItemVectors::from_rows(text_rows(), HashMap::new())
        .unwrap()
        .to_safetensors()
        .unwrap();
    let shop = Recommender::new(shop_catalog, None, &vectors, &cpu()).unwrap();
    let first = recommend(&shop, ranked(&[]));
    assert_eq!(
        first.items[0].item, "107",
        "no reactions: the best seller first"
    );
    let sold: Vec<f32> = first.items.iter().map(|r| r.score).collect();
    assert!(sold.windows(2).all(|w| w[0] >= w[1]));
    assert!(
        first.items[0].score > 0.0,
        "scores are the prior, not all zero"
    );
    assert_eq!(first.basis, Basis::Popularity);
    // Without the column the same catalogue has nothing to start from: a spread of it, said to
    // be one, whose scores are how typical each item is (not zeros in file order).
    let plain = Recommender::new(catalog(), None, &vectors, &cpu()).unwrap();
    let spread = recommend(&plain, ranked(&[]));
    assert_eq!(spread.basis, Basis::Spread);
    assert!(spread.items.iter().all(|r| r.because.is_empty()));
    assert!(spread.items.iter().any(|r| r.score != 0.0));
    let order: Vec<u32> = spread.items.iter().map(|r| num(&r.item)).collect();
    assert_ne!(order, (100..100 + order.len() as u32).collect::<Vec<_>>());
}

#[test]
fn a_dislike_pushes_the_disliked_items_neighbours_down() {
    let (head, hybrid) = (recommender(), hybrid(3.0));
    let disliked = ids(&[(100, Reaction::Dislike)]);
    let plain = recommend(&head, ranked(&disliked));
    let mixed = recommend(&hybrid, ranked(&disliked));
    for (neighbour, weight) in [(101, 0.5), (102, 0.25)] {
        let drop = score_of(&plain, neighbour) - score_of(&mixed, neighbour);
        assert!((drop - 3.0 * weight).abs() < 1e-5, "{neighbour}: {drop}");
    }
    let rank = |recs: &Recommendations, item| recs.items.iter().position(|r| num(&r.item) == item);
    assert!(rank(&mixed, 101) >= rank(&plain, 101));
    // Items that are not its neighbours keep their scores.
    assert_eq!(score_of(&plain, 105), score_of(&mixed, 105));
}

#[test]
fn reasons_name_the_reactions_that_drive_each_row() {
    // Three unrelated reactions, each with its own neighbour: the rows' reasons differ, and
    // each row names the reaction whose share dominates it, not all three.
    let r = hybrid(20.0);
    let reactions = ids(&[
        (100, Reaction::Like),
        (103, Reaction::Like),
        (106, Reaction::Like),
    ]);
    let recs = recommend(&r, explained(&reactions, 3));
    let reasons_of = |item: u32| -> Vec<Source> {
        let rec = recs.items.iter().find(|x| num(&x.item) == item).unwrap();
        rec.because.iter().map(|b| b.source.clone()).collect()
    };
    assert_eq!(reasons_of(101), [Source::Item("100".into())]);
    assert_eq!(reasons_of(104), [Source::Item("103".into())]);
    assert_eq!(reasons_of(107), [Source::Item("106".into())]);
    for rec in &recs.items {
        if let Some(first) = rec.because.first() {
            assert!(
                rec.because
                    .iter()
                    .all(|b| b.share >= REASON_SHARE * first.share)
            );
        }
    }
    let other = ItemItem::from_rows(vec![Vec::new(); ITEMS + 1], Mix::uniform(1.0)).unwrap();
    let error = recommender()
        .with_item_item(&save_item_item(&other, WeightPrecision::F16).unwrap())
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("different catalogues"), "{error}");
}

/// The page's first list comes from the head's precomputed item table (int8, a scale per row)
/// and the head without its ID residuals: the same scores as the full recommender to int8
/// precision (here within 1.5e-3 of scores that span several units), taste
/// sentences refused by name until the text vectors arrive, then the same again.
#[test]
fn a_recommender_from_its_item_table_scores_as_the_full_one() {
    let device = cpu();
    let (head, vectors) = head_and_vectors(ITEMS, TEXT_DIM).unwrap();
    let full = Recommender::new(catalog(), Some(head.clone()), &vectors, &device).unwrap();
    let page = block_on(page_files(head.clone(), &vectors, false, &device)).unwrap();
    assert!(
        page.head.len() < head.len(),
        "the ID residuals are left out"
    );
    assert!(page.history.is_none());
    let mut light =
        Recommender::from_item_table(catalog(), page.head, &page.item_table, &device).unwrap();
    assert!(!light.has_text_vectors());

    let same_scores = |a: &Recommendations, b: &Recommendations| {
        assert_eq!(a.items.len(), b.items.len());
        for rec in &a.items {
            let other = score_of(b, num(&rec.item));
            assert!(
                (rec.score - other).abs() < 2e-2,
                "{}: {} vs {other}",
                rec.item,
                rec.score
            );
        }
    };
    let reactions = ids(&[
        (100, Reaction::Like),
        (105, Reaction::Dislike),
        (107, Reaction::Rating(9)),
    ]);
    same_scores(
        &recommend(&full, explained(&reactions, 3)),
        &recommend(&light, explained(&reactions, 3)),
    );

    let tastes = [text_rows()[4].clone()];
    let described = Request {
        reactions: &reactions,
        tastes: &tastes,
        count: ITEMS,
        reasons: 2,
        ..Default::default()
    };
    let error = block_on(light.recommend(&described))
        .unwrap_err()
        .to_string();
    assert!(error.contains("item texts are still loading"), "{error}");
    let wrong = ItemVectors::from_rows(vec![vec![0.5; TEXT_DIM]; 3], HashMap::new())
        .unwrap()
        .to_safetensors()
        .unwrap();
    assert!(light.attach_text_vectors(&wrong).is_err());
    assert!(
        !light.has_text_vectors(),
        "a file that does not fit changes nothing"
    );
    light.attach_text_vectors(&vectors).unwrap();
    same_scores(
        &recommend(&full, described.clone()),
        &recommend(&light, described),
    );
}

/// A page's split table: the item table's candidates before the first list (NF4 where the
/// width is whole groups of 64, else int8), each item's history vector with its item–item
/// shard. Lists and fine-tuning wait for their reactions' shards; then the list is the whole
/// table's (rounding apart). A shard without history vectors is refused and adds nothing.
#[test]
fn history_vectors_from_the_item_item_shards_list_as_the_whole_table() {
    // Measured worst: 1.0% of the span in int8, 12% in NF4 (a random head's few small scores).
    split_tables_list_as_the_whole_table(4, 0.02);
    split_tables_list_as_the_whole_table(64, 0.2);
}

/// [`history_vectors_from_the_item_item_shards_list_as_the_whole_table`] for vectors of `dim`,
/// scores within `tolerance` of the list's span.
fn split_tables_list_as_the_whole_table(dim: usize, tolerance: f32) {
    let device = cpu();
    let (head, vectors) = head_of_width(ITEMS, TEXT_DIM, dim).unwrap();
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); ITEMS];
    rows[0] = vec![(1, 0.5), (2, 0.25)];
    rows[9] = vec![(10, 0.5), (5, -0.25)];
    let table = ItemItem::from_rows(rows, Mix::uniform(3.0)).unwrap();
    let (whole, split) = (
        block_on(page_files(head.clone(), &vectors, false, &device)).unwrap(),
        block_on(page_files(head, &vectors, true, &device)).unwrap(),
    );
    let history = split.history.as_ref().unwrap();
    assert_eq!((history.dim, history.rows()), (dim, 0..ITEMS));
    // `catalog()` as its files.
    let manifest = r#"{"name": "test", "title": "Test", "items": "items.csv",
        "columns": {"id": "id", "title": "title"}, "text": "{title}",
        "attribution": "test", "licence": "CC0"}"#;
    let items: String = (0..ITEMS).fold("id,title\n".into(), |csv, i| {
        csv + &format!("{},Show {i}\n", 100 + i)
    });
    let files = |page: &PageTable, item_item: Vec<u8>| PageFiles {
        manifest: manifest.as_bytes().to_vec(),
        items: items.as_bytes().to_vec(),
        scoring: ScoringFiles {
            head: Some(page.head.clone()),
            item_table: Some(page.item_table.clone()),
            item_item: Some(item_item),
            text_vectors: None,
        },
    };
    let shards = split_into_shards(&table, 16, WeightPrecision::Int8, Some(history)).unwrap();
    let plain = split_into_shards(&table, 16, WeightPrecision::Int8, None).unwrap();
    let whole = Recommender::from_page_files(
        files(
            &whole,
            save_item_item(&table, WeightPrecision::Int8).unwrap(),
        ),
        &device,
    )
    .unwrap();
    let mut lazy =
        Recommender::from_page_files(files(&split, shards.index.clone()), &device).unwrap();
    // Without an item–item index there is nowhere for the history vectors to come from.
    let mut no_rows = files(&split, shards.index.clone());
    no_rows.scoring.item_item = None;
    let error = Recommender::from_page_files(no_rows, &device)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("history vectors"), "{error}");

    // The halves are stored apart, each rounded its own way: the scores agree to that.
    let near = |a: &Recommendations, b: &Recommendations| {
        assert_eq!(a.items.len(), b.items.len());
        let span = b.items[0].score - b.items.last().unwrap().score;
        for rec in &a.items {
            let other = score_of(b, num(&rec.item));
            assert!(
                (rec.score - other).abs() < tolerance * span,
                "{}: {} vs {other} (span {span})",
                rec.item,
                rec.score
            );
        }
        // The person's vector, read from the history vectors (int8 on both sides).
        let norm = b.user.iter().map(|x| x * x).sum::<f32>().sqrt();
        let gap = (a.user.iter().zip(&b.user))
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f32>();
        assert!(gap.sqrt() <= 0.02 * norm, "{:?} vs {:?}", a.user, b.user);
    };
    near(
        &recommend(&lazy, ranked(&[])),
        &recommend(&whole, ranked(&[])),
    );
    // Fine-tuning needs three reactions at least.
    let reactions = ids(&[
        (100, Reaction::Like),
        (109, Reaction::Rating(9)),
        (104, Reaction::Like),
    ]);
    let reacted = ["100", "109", "104"];
    let needed = lazy.shards_to_train(reacted);
    assert_eq!(needed, lazy.shards_to_list(reacted));
    assert!(needed.len() >= 2, "items 0 and 9 are in different shards");
    let config = FineTuneConfig {
        steps: 2,
        ..Default::default()
    };
    let go_on = |_: &_| std::ops::ControlFlow::Continue(());
    let error = block_on(lazy.fine_tune(&reactions, &config, go_on))
        .err()
        .unwrap();
    assert!(error.to_string().contains("not here yet"), "{error}");

    // A shard of the plain split (no vectors) is refused, and its rows are not added.
    let error = lazy
        .add_item_item_shard(&plain.shards[needed[0]].1)
        .unwrap_err();
    assert!(error.to_string().contains("no history vectors"), "{error}");
    assert_eq!(lazy.shards_to_list(reacted), needed);
    for &k in &needed {
        lazy.add_item_item_shard(&shards.shards[k].1).unwrap();
    }
    assert!(lazy.shards_to_train(reacted).is_empty());
    near(
        &recommend(&lazy, explained(&reactions, 2)),
        &recommend(&whole, explained(&reactions, 2)),
    );
    assert!(block_on(lazy.fine_tune(&reactions, &config, go_on)).is_ok());
    // A whole table's recommender takes no history from a shard.
    assert!(whole.shards_to_train(["100"]).is_empty());
}
