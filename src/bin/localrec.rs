//! The localrec command line: the same model code as the page, run natively.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use std::collections::HashMap;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use localrec::catalog::Catalog;
use localrec::device::{self, Backend};
use localrec::eval::baselines::{
    ItemKnn, Popularity, RankingReport, Recommender, TextKnn, evaluate,
};
use localrec::eval::split::{HoldoutConfig, user_holdout};
use localrec::interactions::parse_lists;
use localrec::item_vectors::ItemVectors;
use localrec::{Encoder, Error, Result};

#[derive(Parser)]
#[command(
    name = "localrec",
    version,
    about = "A private recommender: MiniLM text encoder on Burn"
)]
struct Cli {
    /// Folder with config.json, tokenizer.json and model.safetensors.
    #[arg(long, global = true, default_value = "models/all-MiniLM-L6-v2")]
    model_dir: PathBuf,
    /// Compute backend: cpu (Burn flex) or gpu (Burn wgpu).
    #[arg(long, global = true, default_value = "cpu")]
    backend: Backend,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read texts, one per line, on stdin; print one JSON array of floats per line on stdout.
    Embed {
        /// Texts per forward pass.
        #[arg(long, default_value_t = 32)]
        batch_size: usize,
        /// Truncate texts at this many word pieces (sentence-transformers uses 256).
        #[arg(long, default_value_t = localrec::encoder::DEFAULT_MAX_LENGTH)]
        max_length: usize,
    },
    /// Embed a few sentences and print how similar each pair is (a quick look at the model).
    Similarity {
        /// Sentences to compare; a built-in set when none are given.
        sentences: Vec<String>,
    },
    /// Embed every item of a catalogue and write the item matrix the head and the page load.
    EmbedCatalog {
        /// The catalogue: a folder with items.tsv (e.g. data/anime-5k).
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Where to write the matrix (default: item_vectors.safetensors in the dataset folder).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 32)]
        batch_size: usize,
    },
    /// Evaluate recommenders on held-out users (full ranking, history excluded).
    Eval {
        /// A folder with items.tsv and lists.tsv (and item_vectors.safetensors for text models).
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Time embedding of item texts at several batch sizes and print throughput.
    Bench {
        /// One text per line (default: the anime catalogue's item texts).
        #[arg(long, default_value = "bench/item_texts.txt")]
        texts: PathBuf,
        /// Batch sizes to time.
        #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
        batch_sizes: Vec<usize>,
        /// How many texts each batch size embeds (after one warm-up batch).
        #[arg(long, default_value_t = 256)]
        count: usize,
        /// Print one JSON object per batch size instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("localrec: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    // The device (and, for the GPU, its one-per-process runtime) is set up only by commands
    // that run the encoder.
    let encoder = |max_length: usize| -> Result<Encoder> {
        let device = match cli.backend {
            Backend::Cpu => device::cpu(),
            Backend::Gpu => device::gpu()?,
        };
        load_encoder(&cli.model_dir, &device, max_length)
    };
    let default_encoder = || encoder(localrec::encoder::DEFAULT_MAX_LENGTH);
    match cli.command {
        Command::Embed {
            batch_size,
            max_length,
        } => embed_stdin(&encoder(max_length)?, batch_size.max(1)),
        Command::Similarity { sentences } => similarity(&default_encoder()?, sentences),
        Command::EmbedCatalog {
            dataset,
            out,
            batch_size,
        } => {
            let out = out.unwrap_or_else(|| dataset.join("item_vectors.safetensors"));
            embed_catalog(&default_encoder()?, &dataset, &out, batch_size)
        }
        Command::Eval {
            dataset,
            json,
            seed,
        } => eval(&dataset, json, seed),
        Command::Bench {
            texts,
            batch_sizes,
            count,
            json,
        } => bench(&default_encoder()?, &texts, &batch_sizes, count, json),
    }
}

fn load_encoder(dir: &Path, device: &burn::tensor::Device, max_length: usize) -> Result<Encoder> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| {
            Error::Input(format!(
                "cannot read {} ({e}); run scripts/fetch-model.sh first",
                path.display()
            ))
        })
    };
    Encoder::from_bytes_with_max_length(
        &read("config.json")?,
        &read("tokenizer.json")?,
        read("model.safetensors")?,
        device,
        max_length,
    )
}

fn embed_stdin(encoder: &Encoder, batch_size: usize) -> Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let io_error = |e: std::io::Error| Error::Input(format!("I/O: {e}"));
    let mut pending: Vec<String> = Vec::with_capacity(batch_size);
    let flush = |pending: &mut Vec<String>, out: &mut BufWriter<_>| -> Result<()> {
        let texts: Vec<&str> = pending.iter().map(String::as_str).collect();
        for vector in encoder.embed(&texts)? {
            serde_json::to_writer(&mut *out, &vector).map_err(|e| Error::Input(e.to_string()))?;
            out.write_all(b"\n").map_err(io_error)?;
        }
        out.flush().map_err(io_error)?;
        pending.clear();
        Ok(())
    };
    for line in stdin.lines() {
        pending.push(line.map_err(io_error)?);
        if pending.len() == batch_size {
            flush(&mut pending, &mut out)?;
        }
    }
    flush(&mut pending, &mut out)
}

fn embed_catalog(encoder: &Encoder, dataset: &Path, out: &Path, batch_size: usize) -> Result<()> {
    let items_path = dataset.join("items.tsv");
    let catalog = Catalog::from_tsv(&read_text(&items_path)?)?;
    let texts = catalog.texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();

    let bar = ProgressBar::new(texts.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} items, {per_sec}, ETA {eta}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("embedding {}", items_path.display()));
    let rows = encoder.embed_many(&texts, batch_size, |done, _| bar.set_position(done as u64))?;
    bar.finish();

    let provenance = HashMap::from([
        (
            "model".to_string(),
            "sentence-transformers/all-MiniLM-L6-v2".to_string(),
        ),
        (
            "max_length".to_string(),
            encoder.tokenizer().max_length().to_string(),
        ),
        ("items".to_string(), items_path.display().to_string()),
    ]);
    let bytes = ItemVectors::from_rows(rows, provenance)?.to_safetensors()?;
    // Write then rename: a reader never sees half a file.
    let partial = out.with_extension("partial");
    std::fs::write(&partial, &bytes)
        .and_then(|()| std::fs::rename(&partial, out))
        .map_err(|e| Error::Input(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "wrote {} ({} items × {})",
        out.display(),
        catalog.len(),
        encoder.dim()
    );
    Ok(())
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))
}

fn eval(dataset: &Path, json: bool, seed: u64) -> Result<()> {
    let catalog = Catalog::from_tsv(&read_text(&dataset.join("items.tsv"))?)?;
    let users = parse_lists(&read_text(&dataset.join("lists.tsv"))?, &catalog)?;
    let split = user_holdout(
        &users,
        &HoldoutConfig {
            seed,
            ..Default::default()
        },
    );
    let n_items = catalog.len();

    let vectors_path = dataset.join("item_vectors.safetensors");
    let item_vectors = match std::fs::read(&vectors_path) {
        Ok(bytes) => Some(ItemVectors::from_safetensors(&bytes)?),
        Err(_) => {
            eprintln!(
                "note: {} is missing (run `localrec embed-catalog`): text models skipped",
                vectors_path.display()
            );
            None
        }
    };
    let mut models: Vec<Box<dyn Recommender + '_>> = vec![
        Box::new(Popularity::fit(&split.train, n_items)),
        Box::new(ItemKnn::fit(&split.train, n_items, 100)),
    ];
    if let Some(items) = &item_vectors {
        if items.rows != n_items {
            return Err(Error::Input(format!(
                "{} has {} rows for {n_items} items: rebuild it",
                vectors_path.display(),
                items.rows
            )));
        }
        models.push(Box::new(TextKnn { items }));
    }

    let reports: Vec<(String, RankingReport)> = models
        .iter()
        .map(|m| {
            (
                m.name().to_string(),
                evaluate(m.as_ref(), &split.test, n_items),
            )
        })
        .collect();
    let name = dataset.file_name().map_or_else(
        || dataset.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let protocol = format!(
        "{} test users held out (seed {seed}), 20% of each one's items hidden at random; full ranking over {n_items} items, visible history excluded",
        split.test.len()
    );
    if json {
        let models: serde_json::Map<String, serde_json::Value> = reports
            .iter()
            .map(|(name, report)| {
                (
                    name.clone(),
                    serde_json::to_value(report).expect("plain numbers"),
                )
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"dataset": name, "protocol": protocol, "models": models})
        );
    } else {
        println!("{name}: {protocol}\n");
        println!(
            "{:<12} {:>8} {:>10} {:>7} {:>7} {:>12}",
            "model", "NDCG@10", "Recall@10", "HR@10", "MRR", "coverage@10"
        );
        for (model, r) in &reports {
            println!(
                "{model:<12} {:>8.4} {:>10.4} {:>7.4} {:>7.4} {:>12.4}",
                r.ndcg, r.recall, r.hit_rate, r.mrr, r.coverage
            );
        }
    }
    Ok(())
}

const SAMPLE_SENTENCES: &[&str] = &[
    "Cowboy Bebop. Genres: Action, Adventure, Comedy, Drama, Sci-Fi, Space. Type: TV, 26 episodes.",
    "Giant robots fighting in a war among the stars.",
    "A quiet romance between two high-school students.",
    "Mobile Suit Gundam. Genres: Action, Mecha, Military, Sci-Fi, Space. Type: TV, 43 episodes.",
    "Clannad. Genres: Comedy, Drama, Romance, School, Slice of Life. Type: TV, 23 episodes.",
];

fn similarity(encoder: &Encoder, sentences: Vec<String>) -> Result<()> {
    let sentences: Vec<String> = if sentences.is_empty() {
        SAMPLE_SENTENCES.iter().map(|s| s.to_string()).collect()
    } else {
        sentences
    };
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let vectors = encoder.embed(&texts)?;
    println!("Cosine similarity (vectors are unit length, so this is their dot product):\n");
    for (i, text) in texts.iter().enumerate() {
        println!("[{i}] {text}");
    }
    print!("\n    ");
    for j in 0..texts.len() {
        print!("{:>7}", format!("[{j}]"));
    }
    println!();
    for (i, a) in vectors.iter().enumerate() {
        print!("{:>4}", format!("[{i}]"));
        for b in &vectors {
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            print!("{dot:>7.3}");
        }
        println!();
    }
    Ok(())
}

/// MiniLM-L6 forward cost per token (matmuls: 6 layers × (4·384² + 2·384·1536) MACs × 2) and
/// per attended token pair (6 layers × 2 matmuls × 384 MACs × 2 = 9,216 FLOP).
const FLOP_PER_TOKEN: f64 = 21.2e6;
const FLOP_PER_TOKEN_PAIR: f64 = 9216.0;

fn bench(
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
            let vectors = encoder.embed_batch(&tokenized);
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
