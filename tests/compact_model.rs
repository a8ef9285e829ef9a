//! The compact encoder (int8 per row, the page's default download) against PyTorch and against
//! the f32 model: quantisation may cost digits, never a different answer. Bounds: cosine
//! ≥ 0.995 with the golden embedding for every case, and for 20 taste sentences the top 10
//! recommendations share at least 9 items with the f32 model's.

mod common;

use std::collections::BTreeMap;

use common::{golden_cases, model_files};
use localrec::Encoder;
use localrec::catalog::Catalog;
use localrec::device::{block_on, cpu};
use localrec::encoder::TextTokenizer;
use localrec::encoder::compact::{compact, is_compact};
use localrec::encoder::word_rows;
use localrec::item_vectors::ItemVectors;
use localrec::recommender::{Recommender, Request};

const MIN_COSINE: f32 = 0.995;
const MIN_SHARED_OF_10: usize = 9;
/// The first items of anime-5k that the taste sentences are ranked among.
const ITEMS: usize = 1000;

const TASTES: [&str; 20] = [
    "giant robots and space wars",
    "a quiet romance between two high-school students",
    "samurai in feudal Japan",
    "a detective solving murders",
    "funny slice of life with cute girls",
    "dark psychological horror",
    "sports team training for the national tournament",
    "magical girls fighting evil",
    "a hero with superpowers at an academy",
    "cooking competitions",
    "post-apocalyptic survival",
    "vampires and the supernatural",
    "music and a rock band",
    "a long fantasy adventure with swords and magic",
    "time travel and science fiction mysteries",
    "military drama during a war",
    "ninja battles",
    "family drama that makes you cry",
    "a comedy about school clubs",
    "pirates sailing the seas",
];

fn encoder(weights: Vec<u8>, max_length: usize) -> Encoder {
    let files = model_files();
    Encoder::from_bytes_with_max_length(
        &files.config,
        &files.tokenizer,
        weights,
        &cpu(),
        max_length,
    )
    .unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

/// The page's compact weights: as `localrec compact-model` and `build-site` write them, with the
/// word embeddings of the reserved tokens no text reaches as zeros.
fn compact_weights() -> Vec<u8> {
    let files = model_files();
    let tokenizer = TextTokenizer::from_bytes(&files.tokenizer, 256).unwrap();
    let unreachable = tokenizer.unreachable_reserved_ids().unwrap();
    // MiniLM's vocabulary reserves 994 `[unusedN]` entries, and text that names them does not
    // become them.
    assert_eq!(unreachable.len(), 994);
    let ids = tokenizer
        .encode("[unused0] [unused993] unused [UNK]")
        .unwrap()
        .ids;
    assert!(
        ids.iter().all(|id| unreachable.binary_search(id).is_err()),
        "{ids:?}"
    );
    compact(&files.weights, &unreachable).unwrap()
}

#[test]
fn the_compact_model_is_a_quarter_and_close_to_pytorch_on_every_golden_case() {
    let f32_weights = model_files().weights;
    let small = compact_weights();
    assert!(is_compact(&small));
    let ratio = small.len() as f64 / f32_weights.len() as f64;
    println!(
        "compact weights: {:.1} MB ({ratio:.3} of f32)",
        small.len() as f64 / 1e6
    );
    assert!(small.len() <= 25_000_000, "{} bytes", small.len());

    let mut by_length: BTreeMap<usize, Vec<common::GoldenCase>> = BTreeMap::new();
    for case in golden_cases() {
        by_length.entry(case.max_length).or_default().push(case);
    }
    let (mut worst_cosine, mut worst_diff) = (1f32, 0f32);
    for (max_length, cases) in by_length {
        let encoder = encoder(small.clone(), max_length);
        let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
        for (case, vector) in cases.iter().zip(encoder.embed(&texts).unwrap()) {
            let cos = cosine(&vector, &case.embedding);
            let diff = common::max_abs_diff(&vector, &case.embedding);
            println!("{}: cosine {cos:.6}, max abs diff {diff:.2e}", case.name);
            assert!(cos >= MIN_COSINE, "case {}: cosine {cos}", case.name);
            worst_cosine = worst_cosine.min(cos);
            worst_diff = worst_diff.max(diff);
        }
    }
    println!("worst: cosine {worst_cosine:.6}, max abs diff {worst_diff:.2e}");
}

/// The first [`ITEMS`] items of anime-5k as a catalogue (text-only: no head fits a part).
fn anime_part() -> Catalog {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/anime-5k");
    let items = std::fs::read_to_string(root.join("items.csv")).unwrap();
    let part: String = items
        .lines()
        .take(ITEMS + 1)
        .map(|l| format!("{l}\n"))
        .collect();
    Catalog::load(
        &std::fs::read(root.join("catalog.json")).unwrap(),
        part.as_bytes(),
    )
    .unwrap()
}

#[test]
fn taste_sentences_get_the_same_top_10_from_the_compact_model() {
    let f32_weights = model_files().weights;
    let full = encoder(f32_weights.clone(), 256);
    let small = encoder(compact_weights(), 256);
    let catalog = anime_part();
    // The item vectors are the site's: made once by the f32 model.
    let texts = catalog.texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let rows = full.embed_many(&texts, 32, |_, _| {}).unwrap();
    let vectors = ItemVectors::from_rows(rows, Default::default())
        .unwrap()
        .to_safetensors()
        .unwrap();
    let recommender = Recommender::new(catalog, None, &vectors, &cpu()).unwrap();

    let top_10 = |encoder: &Encoder, taste: &str| -> Vec<String> {
        let tastes = encoder.embed(&[taste]).unwrap();
        let request = Request {
            tastes: &tastes,
            count: 10,
            ..Default::default()
        };
        let recs = block_on(recommender.recommend(&request)).unwrap();
        recs.items.into_iter().map(|r| r.item).collect()
    };
    let mut shared_total = 0;
    for taste in TASTES {
        let (a, b) = (top_10(&full, taste), top_10(&small, taste));
        let shared = b.iter().filter(|item| a.contains(item)).count();
        println!("{taste:?}: {shared}/10 shared");
        assert!(shared >= MIN_SHARED_OF_10, "{taste:?}: {a:?} vs {b:?}");
        shared_total += shared;
    }
    println!(
        "mean shared: {:.2} of 10",
        shared_total as f64 / TASTES.len() as f64
    );
}

/// A site's model: the compact weights without their word table, whose shards are added for the
/// words a text has. The vectors are the whole compact model's, bit for bit; a text whose rows
/// are not all here is refused, never embedded from missing rows.
#[test]
fn the_word_table_by_need_gives_the_whole_models_vectors_bit_for_bit() {
    let small = compact_weights();
    let split = word_rows::split(&small).unwrap();
    let shard_bytes: usize = split.shards.iter().map(|(_, b)| b.len()).sum();
    println!(
        "compact weights {:.2} MB = {:.2} MB without the word table + {} shards of {:.1} kB",
        small.len() as f64 / 1e6,
        split.model.len() as f64 / 1e6,
        split.shards.len(),
        shard_bytes as f64 / split.shards.len() as f64 / 1e3
    );
    assert!(split.model.len() < small.len() * 2 / 3);
    let whole = encoder(small, 256);
    let mut by_need = encoder(split.model, 256);
    assert_eq!(by_need.word_shard_count(), split.shards.len());

    let golden = golden_cases();
    let mut texts: Vec<&str> = TASTES.to_vec();
    texts.extend(golden.iter().map(|c| c.text.as_str()));
    let mut fetched = Vec::new();
    for text in &texts {
        let missing = by_need.missing_word_shards(&[text]).unwrap();
        if !missing.is_empty() {
            let error = by_need.embed(&[text]).unwrap_err().to_string();
            assert!(error.contains("are not loaded"), "{text:?}: {error}");
        }
        fetched.push(missing.len());
        for shard in missing {
            by_need.add_word_shard(&split.shards[shard].1).unwrap();
        }
        assert!(by_need.missing_word_shards(&[text]).unwrap().is_empty());
        assert_eq!(
            by_need.embed(&[text]).unwrap(),
            whole.embed(&[text]).unwrap(),
            "{text:?}"
        );
    }
    println!("shards fetched per text, in turn: {fetched:?}");
    // The first sentence fetches its own shards and the special tokens' (shard 0).
    assert!((2..=8).contains(&fetched[0]), "{fetched:?}");
    // A batch embeds as the whole model does, too (padding reads the [PAD] row).
    assert_eq!(by_need.embed(&texts).unwrap(), whole.embed(&texts).unwrap());
    // The same weights split into the same files: a shard's address (its content's hash in a
    // site) stays the same from build to build, so caches keep it.
    let again = word_rows::split(&compact_weights()).unwrap();
    assert!(again.shards == split.shards);
}
