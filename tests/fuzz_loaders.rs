//! Hostile bytes for every loader of model and catalogue files: the BERT config, the tokenizer,
//! the compact weights (whole, and as a site's without their word table, and its shards), the
//! head's weights, the text vectors, the item–item table (whole, and as the page's index and
//! shards) and its fit's parts, the
//! catalogue's adapter and the catalogue, alone and together (the recommender).
//! Valid files are mutated at random (seeded): bytes flipped, cut, inserted, duplicated, and
//! numbers in headers inflated to huge values. Every input must give `Ok` or a named error in
//! bounded time and memory: a panic fails the test, an allocation above 1 GiB aborts it.
//!
//! A stable-Rust mutation fuzzer, time-boxed so it runs with the other tests
//! (`LOCALREC_FUZZ_SECONDS`, default 20 s in all; `LOCALREC_FUZZ_SEED` to replay).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use localrec::catalog::Catalog;
use localrec::device::cpu;
use localrec::encoder::adapter::{AdaptedMap, Adapter, LowRankUpdate};
use localrec::encoder::{Bert, BertConfig, TextTokenizer, WordRows};
use localrec::head::{Head, HeadConfig, Objective, load_head, retrain_reason, save_head};
use localrec::interactions::{Entry, UserList, parse_lists};
use localrec::item_item::cooccurrence::{CappedLists, Cooccurrence};
use localrec::item_item::parts::{
    ColumnPart, load_columns, load_counts, save_columns, save_counts,
};
use localrec::item_item::solve::{Penalty, Support, solve_columns, table_from_columns};
use localrec::item_item::{
    ItemItem, Mix, RowVectors, Stage, WeightPrecision, load_item_item, save_item_item,
    shard_row_vectors, split_into_shards,
};
use localrec::item_vectors::ItemVectors;
use localrec::recommender::{Recommender, table_file};
use localrec::rng::SplitMix64;
use localrec::vector_plan::VectorPlan;

mod common;

/// Refuses any single allocation above 1 GiB: a loader that trusts a size field in a file
/// would ask for terabytes; the refusal aborts the process and fails the test loudly.
struct BoundedAllocator;

const MAX_ALLOCATION: usize = 1 << 30;

unsafe impl GlobalAlloc for BoundedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: BoundedAllocator = BoundedAllocator;

/// One random change to `bytes`.
fn mutate(rng: &mut SplitMix64, bytes: &mut Vec<u8>) {
    let len = bytes.len().max(1);
    match rng.below(9) {
        7 | 8 => mutate_safetensors_header(rng, bytes),
        0 => {
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(len) % bytes.len().max(1);
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        1 => bytes.truncate(rng.below(len)),
        2 => {
            let at = rng.below(len + 1).min(bytes.len());
            let junk: Vec<u8> = (0..1 + rng.below(16))
                .map(|_| rng.next_u64() as u8)
                .collect();
            bytes.splice(at..at, junk);
        }
        3 => {
            // Duplicate a slice somewhere else (repeated keys, repeated tensors).
            let start = rng.below(len).min(bytes.len());
            let end = (start + 1 + rng.below(64)).min(bytes.len());
            let chunk = bytes[start..end].to_vec();
            let at = rng.below(len + 1).min(bytes.len());
            bytes.splice(at..at, chunk);
        }
        4 | 5 => inflate_number(rng, bytes),
        _ => {
            // The safetensors header length (first 8 bytes), or any u64, set to a big value.
            if bytes.len() >= 8 {
                let value: u64 = [u64::MAX, 1 << 40, (bytes.len() as u64) * 2, 0][rng.below(4)];
                bytes[..8].copy_from_slice(&value.to_le_bytes());
            }
        }
    }
}

/// For a safetensors file: changes a number in its JSON header and rewrites the header's
/// length, so the change gets past the framing to the code that trusts the header.
fn mutate_safetensors_header(rng: &mut SplitMix64, bytes: &mut Vec<u8>) {
    let Some(prefix) = bytes.get(..8) else { return };
    let n = u64::from_le_bytes(prefix.try_into().unwrap()) as usize;
    if n == 0 || n > bytes.len() - 8 {
        return inflate_number(rng, bytes);
    }
    let mut header = bytes[8..8 + n].to_vec();
    inflate_number(rng, &mut header);
    let rest = bytes.split_off(8 + n);
    bytes.truncate(0);
    bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(&rest);
}

/// Replaces one run of ASCII digits (a shape, a size, an offset) with a huge number. Only the
/// first 16 KiB are searched: the header of a safetensors file, not digits in its binary data.
fn inflate_number(rng: &mut SplitMix64, bytes: &mut Vec<u8>) {
    let runs: Vec<(usize, usize)> = {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < bytes.len().min(16 << 10) {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                runs.push((start, i));
            }
            i += 1;
        }
        runs
    };
    if runs.is_empty() {
        return;
    }
    let (start, end) = runs[rng.below(runs.len())];
    let huge = [
        "4294967296",
        "1000000000000",
        "18446744073709551615",
        "99999999",
        "0",
        "-1",
    ][rng.below(6)];
    bytes.splice(start..end, huge.bytes());
}

/// Runs `load` on mutations of `seed` for `budget`; returns how many inputs were tried.
fn fuzz(name: &str, seed: &[u8], budget: Duration, load: impl Fn(Vec<u8>)) -> usize {
    let base_seed: u64 = std::env::var("LOCALREC_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2026);
    let mut rng = SplitMix64::new(base_seed ^ name.len() as u64);
    let started = Instant::now();
    let mut runs = 0;
    while started.elapsed() < budget {
        let mut bytes = seed.to_vec();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut bytes);
        }
        let one = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| load(bytes.clone())));
        if outcome.is_err() {
            let path = std::env::temp_dir().join(format!("localrec-fuzz-{name}-{runs}.bin"));
            std::fs::write(&path, &bytes).unwrap();
            panic!(
                "{name}: a mutated input panicked the loader (saved to {})",
                path.display()
            );
        }
        assert!(
            one.elapsed() < Duration::from_secs(10),
            "{name}: one input took {:?}",
            one.elapsed()
        );
        runs += 1;
    }
    println!("{name}: {runs} inputs in {:?}, no panic", started.elapsed());
    runs
}

fn budget() -> Duration {
    let total: u64 = std::env::var("LOCALREC_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    Duration::from_secs_f64(total as f64 / LOADERS as f64)
}

/// How many loaders share the budget.
const LOADERS: usize = 15;

fn small_item_item(precision: WeightPrecision) -> Vec<u8> {
    let rows = (0..ITEMS)
        .map(|i| {
            (1..4)
                .map(|d| (((i + d) % ITEMS) as u32, 0.1 * d as f32 - 0.15))
                .collect()
        })
        .collect();
    // With the popularity prior's counts, co-occurrence shares and stages: every part of the
    // file is fuzzed.
    let stages = vec![
        Stage {
            reactions: 1,
            item_item: 0.5,
            popularity: 2.0,
            co_occurrence: 16.0,
        },
        Stage {
            reactions: 10,
            item_item: 1.0,
            popularity: 0.25,
            co_occurrence: 1.0,
        },
    ];
    let shares = (0..ITEMS)
        .map(|i| {
            vec![
                (((i + 2) % ITEMS) as u32, 0.5),
                (((i + 5) % ITEMS) as u32, 0.25),
            ]
        })
        .collect();
    let mix = Mix::rating_slope(8.0, 0.5).with_stages(stages);
    let table = ItemItem::from_rows(rows, mix)
        .unwrap()
        .with_counts((0..ITEMS as u32).map(|i| i * 7 % 11).collect())
        .unwrap()
        .with_shares(shares)
        .unwrap();
    save_item_item(&table, precision).unwrap()
}

const ITEMS: usize = 16;
const TEXT_DIM: usize = 8;

/// A co-occurrence part and a columns part of a 12-item catalogue.
fn small_item_item_parts() -> (Vec<u8>, Vec<u8>) {
    let lists: Vec<UserList> = (0..30u32)
        .map(|u| UserList {
            user: u,
            entries: (0..(u as usize % 5 + 2))
                .map(|k| Entry {
                    row: (k * 5 + u as usize) % 12,
                    rating: 0,
                })
                .collect(),
        })
        .collect();
    let capped = CappedLists::new(&lists, 12, 6).unwrap();
    let counts = Cooccurrence::count(&capped, 0..12, 6, &[0.5])
        .unwrap()
        .remove(0);
    let columns = ColumnPart {
        n_items: 12,
        first: 0,
        columns: solve_columns(&counts, 0..12, 4, Support::Score, Penalty::ridge(1.0)).unwrap(),
        shares: counts.share_rows(0..12, 3),
    };
    (
        save_counts(&counts).unwrap(),
        save_columns(&columns).unwrap(),
    )
}

/// A BERT config four wide with two layers: enough for an adapter to be read and merged.
fn tiny_config() -> BertConfig {
    BertConfig::from_json_bytes(
        br#"{"vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 2,
             "num_attention_heads": 2, "intermediate_size": 8,
             "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12}"#,
    )
    .unwrap()
}

fn small_adapter(config: &BertConfig) -> Vec<u8> {
    let updates = [(0, AdaptedMap::Query), (1, AdaptedMap::Outer)]
        .into_iter()
        .map(|(layer, map)| {
            let [inputs, outputs] = map.shape(config);
            LowRankUpdate {
                layer,
                map,
                rank: 2,
                down: (0..inputs * 2).map(|i| i as f32 * 0.1).collect(),
                up: (0..2 * outputs).map(|i| i as f32 * -0.1).collect(),
            }
        })
        .collect();
    let adapter = Adapter {
        scale: 1.0,
        updates,
        provenance: HashMap::new(),
    };
    adapter.to_safetensors().unwrap()
}

/// Compact (int8 per row) weights of a small checkpoint: a matrix, a vector, an I64 buffer.
fn small_compact_weights() -> Vec<u8> {
    use safetensors::{Dtype, tensor::TensorView};
    let matrix: Vec<u8> = (0..12)
        .flat_map(|i| (i as f32 * 0.1 - 0.5).to_le_bytes())
        .collect();
    let vector: Vec<u8> = (0..4).flat_map(|i| (i as f32).to_le_bytes()).collect();
    let ids: Vec<u8> = (0..3i64).flat_map(|i| i.to_le_bytes()).collect();
    // Word embeddings are stored as NF4 (a group of 64 per scale).
    let words: Vec<u8> = (0..128)
        .flat_map(|i| (i as f32 * 0.01 - 0.6).to_le_bytes())
        .collect();
    let f32_file = safetensors::serialize(
        [
            (
                "embeddings.word_embeddings.weight",
                TensorView::new(Dtype::F32, vec![2, 64], &words).unwrap(),
            ),
            (
                "layer.weight",
                TensorView::new(Dtype::F32, vec![3, 4], &matrix).unwrap(),
            ),
            (
                "layer.bias",
                TensorView::new(Dtype::F32, vec![4], &vector).unwrap(),
            ),
            (
                "position_ids",
                TensorView::new(Dtype::I64, vec![3], &ids).unwrap(),
            ),
        ],
        None,
    )
    .unwrap();
    localrec::encoder::compact::compact(&f32_file, &[]).unwrap()
}

/// A catalogue manifest naming `items` (CSV or JSON Lines), with an optional part in its
/// template, a shown column and a popularity column.
fn catalog_manifest(items: &str) -> String {
    format!(
        r#"{{"name": "shows", "title": "Shows", "items": "{items}",
            "columns": {{"id": "id", "title": "name", "show": ["genres"], "popularity": "episodes"}},
            "text": "{{name}}.[ Genres: {{genres}}.][ {{episodes}} episodes.]",
            "attribution": "test", "licence": "CC0"}}"#
    )
}

fn catalog_csv() -> String {
    let mut csv = String::from("id,name,genres,episodes\n");
    for i in 0..ITEMS {
        csv.push_str(&format!(
            "{},\"Show, {i}\",\"Action, Drama\",{}\n",
            10 + i,
            12 + i
        ));
    }
    csv
}

fn catalog_json_lines() -> String {
    (0..ITEMS)
        .map(|i| {
            format!(
                "{{\"id\": \"s{i}\", \"name\": \"Show {i}\", \"genres\": [\"Action\", \"Drama\"], \"episodes\": {}}}\n",
                12 + i
            )
        })
        .collect()
}

fn small_head() -> Vec<u8> {
    let config = HeadConfig {
        text_dim: TEXT_DIM,
        hidden: 8,
        dim: 4,
        items: ITEMS,
        id_embeddings: true,
    };
    let head = Head::new(&config, 1, &cpu()).unwrap();
    save_head(&head, &config, Objective::Softmax, &HashMap::new()).unwrap()
}

fn small_item_vectors() -> Vec<u8> {
    let rows = (0..ITEMS)
        .map(|i| {
            (0..TEXT_DIM)
                .map(|j| ((i * 7 + j) % 5) as f32 / 5.0)
                .collect()
        })
        .collect();
    // With the item keys of what they encode, as the folder's files carry them.
    let ids: Vec<String> = (0..ITEMS).map(|i| i.to_string()).collect();
    let fingerprint = localrec::fingerprint::what_vectors_encode(
        "test",
        ids.iter().map(|id| (id.as_str(), "text")),
    );
    ItemVectors::from_rows(rows, HashMap::from([("model".into(), "test".into())]))
        .unwrap()
        .with_fingerprint(&fingerprint)
        .unwrap()
        .to_safetensors()
        .unwrap()
}

#[test]
fn hostile_files_never_panic_hang_or_allocate_without_bound() {
    let budget = budget();
    let device = cpu();
    let head = small_head();
    let vectors = small_item_vectors();
    let catalog = catalog_csv();
    let mut total = 0;

    total += fuzz("config", &common::model_file("config.json"), budget, |b| {
        let _ = BertConfig::from_json_bytes(&b);
    });
    total += fuzz(
        "tokenizer",
        &common::model_file("tokenizer.json"),
        budget,
        |b| {
            if let Ok(tokenizer) = TextTokenizer::from_bytes(&b, 256) {
                let _ = tokenizer.encode("Cowboy Bebop. Genres: Action, Sci-Fi.");
            }
        },
    );
    // A build reads a head's metadata (what it was trained on) and plans against stored vectors.
    let parsed_vectors = ItemVectors::from_safetensors(&vectors).unwrap();
    let vectors_catalog =
        Catalog::load(catalog_manifest("items.csv").as_bytes(), catalog.as_bytes()).unwrap();
    total += fuzz("head", &head, budget, |b| {
        let _ = retrain_reason(Some(&b), &parsed_vectors);
        let _ = load_head(b, &device);
    });
    total += fuzz("item-vectors", &vectors, budget, |b| {
        let _ = VectorPlan::new(&vectors_catalog, "model", Some(&b)).to_embed();
        let _ = ItemVectors::from_safetensors(&b);
    });
    // The page's int8 form: a matrix and its per-row scales.
    let int8_vectors = ItemVectors::from_safetensors(&vectors)
        .and_then(|v| v.to_safetensors_int8())
        .unwrap();
    total += fuzz("item-vectors-int8", &int8_vectors, budget, |b| {
        let _ = ItemVectors::from_safetensors(&b);
    });
    // The page's item table: whole (int8 rows) and its candidates alone (NF4, and int8 where
    // the width is not whole groups of 64).
    for (name, dim) in [("item-table-nf4", 64), ("item-table-int8", 4)] {
        let values: Vec<f32> = (0..ITEMS * dim).map(|i| (i as f32 * 0.3).cos()).collect();
        let bias: Vec<f32> = (0..ITEMS).map(|i| i as f32 * 0.1).collect();
        let file = table_file::write_candidates(&values, &bias, dim).unwrap();
        total += fuzz(name, &file, budget, |b| {
            let _ = table_file::read(&b, ITEMS, dim, &cpu());
        });
    }
    let rows: Vec<Vec<f32>> = (0..ITEMS).map(|i| vec![i as f32 * 0.2 - 1.0; 9]).collect();
    let whole_table = table_file::write_whole(rows, 4).unwrap();
    total += fuzz("item-table-whole", &whole_table, budget, |b| {
        let _ = table_file::read(&b, ITEMS, 4, &cpu());
    });
    // The CLI's form (f16 weights) and the page's (int8 weights with a scale per row).
    for (name, precision) in [
        ("item-item", WeightPrecision::F16),
        ("item-item-int8", WeightPrecision::Int8),
    ] {
        total += fuzz(name, &small_item_item(precision), budget, |b| {
            if let Ok(table) = load_item_item(&b) {
                // A table that loads must also score any history of its catalogue without a panic.
                let history: Vec<_> = (0..table.n_items())
                    .map(|row| localrec::interactions::Entry {
                        row,
                        rating: (row % 13) as u8,
                    })
                    .collect();
                let _ = table.scores(&history);
            }
        });
    }
    // The page's split table: its index, then its shards of rows as reactions need them, each
    // with its rows' history vectors. A shard that is added must leave a table that scores its
    // rows without a panic.
    let whole = load_item_item(&small_item_item(WeightPrecision::F16)).unwrap();
    let history = RowVectors {
        first_row: 0,
        dim: 4,
        values: (0..ITEMS * 4).map(|i| (i as f32 * 0.37).sin()).collect(),
    };
    let split = split_into_shards(&whole, 40, WeightPrecision::Int8, Some(&history)).unwrap();
    assert!(split.shards.len() > 2);
    let score_all = |table: &ItemItem| {
        let history: Vec<_> = (0..table.n_items())
            .map(|row| Entry { row, rating: 0 })
            .filter(|e| table.require_rows(std::slice::from_ref(e)).is_ok())
            .collect();
        let _ = table.scores(&history);
    };
    total += fuzz("item-item index", &split.index, budget, |b| {
        if let Ok(mut table) = load_item_item(&b) {
            for (_, shard) in &split.shards {
                let _ = table.add_shard(shard);
            }
            score_all(&table);
        }
    });
    let index = load_item_item(&split.index).unwrap();
    total += fuzz("item-item shard", &split.shards[1].1, budget, |b| {
        if let Ok(Some(vectors)) = shard_row_vectors(&b) {
            assert_eq!(vectors.values.len(), vectors.rows().len() * vectors.dim);
        }
        let mut table = index.clone();
        if table.add_shard(&b).is_ok() {
            let _ = table.add_shard(&split.shards[0].1);
            score_all(&table);
        }
    });
    total += fuzz("compact-weights", &small_compact_weights(), budget, |b| {
        let _ = localrec::encoder::compact::expand(b);
    });
    // A site's model without its word table, and one of the table's shards (the page fetches
    // them by need): the rows added are gathered, or the shard is refused.
    let words = localrec::encoder::word_rows::split(&small_compact_weights()).unwrap();
    total += fuzz(
        "compact-weights, words by need",
        &words.model,
        budget,
        |b| {
            if let Ok(Some(mut rows)) = WordRows::declared_by(&b, 2, 64)
                && rows.add(&words.shards[0].1).is_ok()
            {
                assert_eq!(rows.gather(&[1, 0]).unwrap().len(), 2 * 64);
            }
            let _ = localrec::encoder::compact::tensors(&b);
        },
    );
    let declared = WordRows::declared_by(&words.model, 2, 64).unwrap().unwrap();
    total += fuzz("word shard", &words.shards[0].1, budget, |b| {
        let mut rows = declared.clone();
        if rows.add(&b).is_ok() {
            assert_eq!(rows.gather(&[1, 0]).unwrap().len(), 2 * 64);
        }
    });
    let csv_manifest = catalog_manifest("items.csv");
    total += fuzz("catalog.json", csv_manifest.as_bytes(), budget, |b| {
        let _ = Catalog::load(&b, catalog.as_bytes());
    });
    total += fuzz("items.csv", catalog.as_bytes(), budget, |b| {
        let _ = Catalog::load(csv_manifest.as_bytes(), &b);
    });
    // Public lists (`user<TAB>id:rating …`), as the native commands and the package's builder
    // read them.
    let lists_catalog = Catalog::load(csv_manifest.as_bytes(), catalog.as_bytes()).unwrap();
    let lists_file: String = (0..20)
        .map(|u| format!("u{u}\t{}:8 {}:0 {}:3\n", 10 + u % 7, 11 + u % 5, 12 + u % 3))
        .collect();
    total += fuzz("lists.tsv", lists_file.as_bytes(), budget, |b| {
        if let Ok(text) = std::str::from_utf8(&b) {
            let _ = parse_lists(text, &lists_catalog);
        }
    });
    let jsonl_manifest = catalog_manifest("items.jsonl");
    total += fuzz(
        "items.jsonl",
        catalog_json_lines().as_bytes(),
        budget,
        |b| {
            let _ = Catalog::load(jsonl_manifest.as_bytes(), &b);
        },
    );
    // The parts of a sharded item–item fit: a part that loads must merge and solve or say why.
    let (counts, columns) = small_item_item_parts();
    total += fuzz("item-item counts part", &counts, budget, |b| {
        if let Ok(part) = load_counts(&b) {
            let n = part.counts.len();
            if let Ok(whole) = Cooccurrence::concatenate(vec![part]) {
                let ridge = |among| Support::Ridge { lambda: 1.0, among };
                for support in [Support::Score, ridge(None), ridge(Some(2))] {
                    let _ = solve_columns(&whole, 0..n, 4, support, Penalty::ridge(1.0));
                }
            }
        }
    });
    total += fuzz("item-item columns part", &columns, budget, |b| {
        if let Ok(part) = load_columns(&b)
            && let Ok((columns, shares)) = ColumnPart::concatenate(vec![part])
            && let Ok(table) = table_from_columns(&columns, Mix::uniform(1.0))
        {
            let _ = table.with_shares(shares);
        }
    });
    // A catalogue's adapter: read against a small network, then merged into it.
    let tiny = tiny_config();
    total += fuzz("adapter", &small_adapter(&tiny), budget, |b| {
        if let Ok(adapter) = Adapter::from_safetensors(&b, &tiny) {
            Bert::new(&tiny, &device).merge_adapter(&adapter);
        }
    });
    // All together: a mutation of the head must not get past the recommender's checks.
    let parsed = Catalog::load(csv_manifest.as_bytes(), catalog.as_bytes()).unwrap();
    let item_item = small_item_item(WeightPrecision::Int8);
    total += fuzz("recommender", &head, budget, |b| {
        let _ = Recommender::new(parsed.clone(), Some(b), &vectors, &device)
            .and_then(|r| r.with_item_item(&item_item));
    });
    assert!(total > 100, "only {total} inputs were tried");
}
