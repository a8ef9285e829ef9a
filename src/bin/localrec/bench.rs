//! `localrec bench` (encoder throughput) and `localrec bench-head` (training, fine-tuning, scoring).

use std::path::{Path, PathBuf};
use std::time::Instant;

use std::ops::ControlFlow;

use localrec::device;
use localrec::fine_tune::{FineTuneConfig, fine_tune};
use localrec::head::{Head, load_head};
use localrec::interactions::{Entry, UserList};
use localrec::item_item::load_item_item;
use localrec::train::{TrainConfig, train};
use localrec::{Encoder, Error, Result};

use crate::dataset::Dataset;

pub fn bench_head(dir: &Path, head_path: Option<PathBuf>, json: bool) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let (split, _) = dataset.split(42);
    let device = device::cpu();
    let text = dataset.text_tensor(&device)?;
    let head_path = head_path.unwrap_or_else(|| dataset.dir.join("head.safetensors"));
    let file = load_head(
        std::fs::read(&head_path).map_err(|e| {
            Error::Input(format!(
                "cannot read {} ({e}): run `localrec pretrain` first",
                head_path.display()
            ))
        })?,
        &device,
    )?;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };

    // Training throughput: two epochs over 1,024 users (the first warms up), batch 64.
    let users: Vec<UserList> = split.train.iter().take(1024).cloned().collect();
    let config = TrainConfig {
        epochs: 1,
        batch_size: 64,
        ..TrainConfig::default()
    };
    let mut rates = Vec::new();
    for _ in 0..3 {
        let head = Head::new(&file.config, 1, &device)?;
        let (_, report) = device::block_on(train(head, &text, &users, &[], &config, |_| {
            ControlFlow::Continue(())
        }))?;
        rates.push(report.examples_per_second());
    }
    let examples_per_s = median(rates);

    // Personal fine-tuning on 50 events of each of 9 test users; all steps run (no early stop)
    // so the time is the budget's worst case.
    let items = file.head.item_table(text.clone());
    let people: Vec<&[Entry]> = split
        .test
        .iter()
        .filter(|u| u.visible.len() >= 50)
        .take(9)
        .map(|u| &u.visible[..50])
        .collect();
    let fine_tune_config = FineTuneConfig {
        patience: usize::MAX,
        ..FineTuneConfig::default()
    };
    let mut seconds = Vec::new();
    for history in &people {
        let (_, report) = device::block_on(fine_tune(
            &file.head,
            &items,
            history,
            &fine_tune_config,
            |_| ControlFlow::Continue(()),
        ))?;
        seconds.push(report.seconds);
    }
    let fine_tune_s = median(seconds);

    // One recommendation: user vector from 50 events, scores for the catalogue, read back.
    let mut latencies = Vec::new();
    for history in people.iter().cycle().take(30) {
        let started = Instant::now();
        device::block_on(file.head.score_histories(&items, &[history], 1))?;
        latencies.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let recommend_ms = median(latencies);

    // The hybrid: the same, plus the item–item part of the 50 events (on the host), taking
    // turns with the head alone so the machine's drift falls on both.
    let table_path = dataset.dir.join("item_item.safetensors");
    let hybrid_ms = if table_path.exists() {
        let table = load_item_item(&crate::item_item::read(&table_path)?)?;
        let (mut head_only, mut hybrid) = (Vec::new(), Vec::new());
        for history in people.iter().cycle().take(30) {
            let started = Instant::now();
            device::block_on(file.head.score_histories(&items, &[history], 1))?;
            head_only.push(started.elapsed().as_secs_f64() * 1e3);
            let started = Instant::now();
            let mut scores = device::block_on(file.head.score_histories(&items, &[history], 1))?;
            table.add_scores(history, &mut scores[0]);
            hybrid.push(started.elapsed().as_secs_f64() * 1e3);
        }
        Some((median(head_only), median(hybrid)))
    } else {
        None
    };

    let result = serde_json::json!({
        "dataset": dataset.name,
        "items": dataset.catalog.len(),
        "head": file.config,
        "train_examples_per_s": examples_per_s,
        "fine_tune_50_events_s": fine_tune_s,
        "fine_tune_steps": fine_tune_config.steps,
        "recommend_ms": recommend_ms,
        "recommend_head_vs_hybrid_ms": hybrid_ms,
    });
    if json {
        println!("{result}");
    } else {
        println!(
            "{} ({} items, head dim {}), CPU, medians:",
            dataset.name,
            dataset.catalog.len(),
            file.config.dim
        );
        println!("  training            {examples_per_s:>8.0} examples/s (batch 64)");
        println!(
            "  fine-tune 50 events {fine_tune_s:>8.2} s ({} steps of {} examples)",
            fine_tune_config.steps, fine_tune_config.examples_per_step
        );
        println!(
            "  one recommendation  {recommend_ms:>8.2} ms (user vector + {} scores)",
            dataset.catalog.len()
        );
        if let Some((head_only, hybrid)) = hybrid_ms {
            println!(
                "  head alone / hybrid {head_only:>8.2} / {hybrid:.2} ms (taking turns, + item–item part)"
            );
        }
    }
    Ok(())
}

/// MiniLM-L6 forward cost per token (matmuls: 6 layers × (4·384² + 2·384·1536) MACs × 2) and
/// per attended token pair (6 layers × 2 matmuls × 384 MACs × 2 = 9,216 FLOP).
pub const FLOP_PER_TOKEN: f64 = 21.2e6;

pub const FLOP_PER_TOKEN_PAIR: f64 = 9216.0;

pub fn bench(
    encoder: &Encoder,
    path: &Path,
    batch_sizes: &[usize],
    count: usize,
    json: bool,
) -> Result<()> {
    let content = std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let texts: Vec<&str> = content.lines().filter(|l| !l.trim().is_empty()).collect();
    if texts.is_empty() {
        return Err(Error::Input(format!("{} has no texts", path.display())));
    }
    if !json {
        println!(
            "{:>6} {:>8} {:>12} {:>12} {:>10}",
            "batch", "texts", "sentences/s", "tokens/s", "GFLOP/s"
        );
    }
    for &batch_size in batch_sizes {
        let batch_size = batch_size.max(1);
        let take = |start: usize| -> Vec<&str> {
            (0..batch_size)
                .map(|k| texts[(start + k) % texts.len()])
                .collect()
        };
        encoder.embed(&take(0))?; // warm-up
        let (mut done, mut tokens, mut flop) = (0usize, 0usize, 0f64);
        let started = Instant::now();
        while done < count {
            let batch = take(done);
            let tokenized = encoder.tokenizer().encode_batch(&batch)?;
            for row in 0..tokenized.batch {
                let mask = &tokenized.attention_mask
                    [row * tokenized.seq_len..(row + 1) * tokenized.seq_len];
                let length = mask.iter().filter(|&&m| m == 1).count() as f64;
                flop += FLOP_PER_TOKEN * length + FLOP_PER_TOKEN_PAIR * length * length;
            }
            tokens += tokenized.real_tokens();
            let vectors = encoder.embed_batch(&tokenized)?;
            vectors
                .try_into_data()
                .map_err(|e| Error::Compute(format!("{e:?}")))?;
            done += batch.len();
        }
        let seconds = started.elapsed().as_secs_f64();
        let (sps, tps, gflops) = (
            done as f64 / seconds,
            tokens as f64 / seconds,
            flop / seconds / 1e9,
        );
        if json {
            println!(
                "{}",
                serde_json::json!({"batch": batch_size, "texts": done, "seconds": seconds,
                    "sentences_per_s": sps, "tokens_per_s": tps, "gflop_per_s": gflops})
            );
        } else {
            println!("{batch_size:>6} {done:>8} {sps:>12.1} {tps:>12.0} {gflops:>10.2}");
        }
    }
    Ok(())
}
