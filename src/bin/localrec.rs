//! The localrec command line: the same model code as the page, run natively.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use std::collections::HashMap;
use std::ops::ControlFlow;

use burn::tensor::{Tensor, TensorData};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use localrec::catalog::Catalog;
use localrec::device::{self, Backend};
use localrec::eval::baselines::{
    ItemKnn, Popularity, Ranking, RankingReport, Recommender, TextKnn, evaluate,
};
use localrec::eval::ease::Ease;
use localrec::eval::metrics;
use localrec::eval::split::HeldOut;
use localrec::eval::split::{HoldoutConfig, Split, leave_last_out, user_holdout};
use localrec::fine_tune::{FineTuneConfig, fine_tune, personalise};
use localrec::head::{
    Head, HeadConfig, HistoryBatch, ItemTable, Objective, load_head, read_rows, save_head,
};
use localrec::interactions::{Entry, UserList, parse_lists};
use localrec::item_vectors::ItemVectors;
use localrec::train::{TrainConfig, rating_pairs, train};
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
    /// Train the recommendation head on a dataset's public users and write its weights.
    Pretrain {
        /// A folder with items.tsv, lists.tsv and item_vectors.safetensors.
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// softmax (ranking, default), bce (click) or rating (1–10, MSE).
        #[arg(long, default_value = "softmax")]
        objective: Objective,
        /// Text tower only: no learned per-item ID residual.
        #[arg(long)]
        no_ids: bool,
        /// Where to write the weights (default: head.safetensors in the dataset folder, or
        /// head-<variant>.safetensors for other objectives and --no-ids).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = TrainConfig::default().epochs)]
        epochs: usize,
        #[arg(long, default_value_t = TrainConfig::default().learning_rate)]
        learning_rate: f64,
        #[arg(long, default_value_t = TrainConfig::default().weight_decay)]
        weight_decay: f32,
        #[arg(long, default_value_t = TrainConfig::default().batch_size)]
        batch_size: usize,
        #[arg(long, default_value_t = TrainConfig::default().patience)]
        patience: usize,
        /// Share of each training user's list hidden as targets in an example.
        #[arg(long, default_value_t = TrainConfig::default().target_share)]
        target_share: f64,
        /// At most this many history items per training example.
        #[arg(long, default_value_t = TrainConfig::default().max_history)]
        max_history: usize,
        #[arg(long, default_value_t = HeadConfig::new(0, 0).dim)]
        dim: usize,
        /// Seed of the user split (the same as eval's).
        #[arg(long, default_value_t = 42)]
        split_seed: u64,
        /// Seed of initialisation and batches.
        #[arg(long, default_value_t = TrainConfig::default().seed)]
        seed: u64,
    },
    /// Time the head on the CPU: training examples/s, a personal fine-tune of 50 events, and
    /// one recommendation (user vector + scores for the whole catalogue).
    BenchHead {
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Head weights (default: head.safetensors in the dataset folder).
        #[arg(long)]
        head: Option<PathBuf>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
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
        Command::Pretrain {
            dataset,
            objective,
            no_ids,
            out,
            epochs,
            learning_rate,
            weight_decay,
            batch_size,
            patience,
            target_share,
            max_history,
            dim,
            split_seed,
            seed,
        } => {
            let config = TrainConfig {
                objective,
                epochs,
                learning_rate,
                weight_decay,
                batch_size,
                patience,
                target_share,
                max_history,
                seed,
                ..TrainConfig::default()
            };
            pretrain(&dataset, out, &config, !no_ids, dim, split_seed)
        }
        Command::BenchHead {
            dataset,
            head,
            json,
        } => bench_head(&dataset, head, json),
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
    write_atomically(out, &bytes)?;
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

fn eval(dir: &Path, json: bool, seed: u64) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let (split, protocol) = dataset.split(seed);
    let n_items = dataset.catalog.len();
    let device = device::cpu();

    let mut rows: Vec<(String, ModelReport)> = Vec::new();
    let mut add = |name: &str, ranking: RankingReport, rmse: Option<f64>| {
        eprintln!("evaluated {name}");
        rows.push((name.to_string(), ModelReport { ranking, rmse }));
    };
    let popularity = Popularity::fit(&split.train, n_items);
    add(
        "popularity",
        evaluate(&popularity, &split.test, n_items),
        None,
    );
    let itemknn = ItemKnn::fit(&split.train, n_items, 100);
    add("itemknn", evaluate(&itemknn, &split.test, n_items), None);
    // λ chosen on the validation users, as a user of EASE would.
    let ease = [50.0, 200.0, 500.0, 1000.0]
        .into_iter()
        .map(|lambda| {
            let model = Ease::fit(&split.train, n_items, lambda, &device);
            let ndcg = evaluate(&model, &split.validation, n_items).ndcg;
            (model, ndcg)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(model, _)| model)
        .expect("non-empty");
    add(ease.name(), evaluate(&ease, &split.test, n_items), None);
    drop(ease);

    match &dataset.vectors {
        None => eprintln!(
            "note: {} is missing (run `localrec embed-catalog --dataset {}`): text models skipped",
            dataset.vectors_path.display(),
            dir.display()
        ),
        Some(items) => {
            add(
                "text-knn",
                evaluate(&TextKnn { items }, &split.test, n_items),
                None,
            );
            let text = dataset.text_tensor(&device)?;
            for path in head_files(&dataset.dir)? {
                let file = load_head(
                    std::fs::read(&path).map_err(|e| {
                        Error::Input(format!("cannot read {}: {e}", path.display()))
                    })?,
                    &device,
                )?;
                let name = file.info.get("name").cloned().unwrap_or_else(|| {
                    path.file_stem()
                        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
                });
                let items = file.head.item_table(text.clone());
                let histories: Vec<&[Entry]> =
                    split.test.iter().map(|u| u.visible.as_slice()).collect();
                let scores = device::block_on(file.head.score_histories(&items, &histories, 256))?;
                let mut ranking = Ranking::new(n_items);
                for (user, scores) in split.test.iter().zip(&scores) {
                    ranking.add(scores, user);
                }
                let rmse = if file.objective == Objective::Rating {
                    let (predicted, actual) =
                        device::block_on(rating_pairs(&file.head, &items, &split.test))?;
                    metrics::rmse(&predicted, &actual)
                } else {
                    None
                };
                add(&name, ranking.report(), rmse);
                if name == "head" {
                    let (before, after) = fine_tune_comparison(&file.head, &items, &split.test)?;
                    add("head, users ≥20 events", before, None);
                    add("head+fine-tune, ≥20", after, None);
                }
            }
        }
    }

    if json {
        let models: serde_json::Map<String, serde_json::Value> = rows
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
            serde_json::json!({"dataset": dataset.name, "protocol": protocol, "models": models})
        );
    } else {
        println!("{}: {protocol}\n", dataset.name);
        println!(
            "{:<22} {:>8} {:>10} {:>7} {:>7} {:>7} {:>12} {:>7}",
            "model", "NDCG@10", "Recall@10", "HR@10", "MRR", "AUC", "coverage@10", "RMSE"
        );
        for (model, r) in &rows {
            let m = &r.ranking;
            let rmse = r
                .rmse
                .map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
            println!(
                "{model:<22} {:>8.4} {:>10.4} {:>7.4} {:>7.4} {:>7.4} {:>12.4} {rmse:>7}",
                m.ndcg, m.recall, m.hit_rate, m.mrr, m.auc, m.coverage
            );
        }
    }
    Ok(())
}

/// The head with and without personal fine-tuning, on the test users with at least 20 visible
/// events (each fine-tuned on their visible history only).
fn fine_tune_comparison(
    head: &Head,
    items: &ItemTable,
    users: &[HeldOut],
) -> Result<(RankingReport, RankingReport)> {
    let n_items = items.bias.dims()[0];
    let eligible: Vec<&HeldOut> = users.iter().filter(|u| u.visible.len() >= 20).collect();
    let (mut before, mut after) = (Ranking::new(n_items), Ranking::new(n_items));
    let bar = ProgressBar::new(eligible.len() as u64);
    for user in eligible {
        let history = HistoryBatch::new(&[&user.visible], n_items, &items.vectors.device())?;
        let base = head.users(items, &history).vectors;
        let (personal, _) = device::block_on(fine_tune(
            head,
            items,
            &user.visible,
            &FineTuneConfig::default(),
            |_| ControlFlow::Continue(()),
        ))?;
        let rows = device::block_on(read_rows(Tensor::cat(
            vec![
                head.scores(&base, items),
                head.scores(&personalise(base.clone(), &personal), items),
            ],
            0,
        )))?;
        before.add(&rows[0], user);
        after.add(&rows[1], user);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((before.report(), after.report()))
}

/// One row of the evaluation: ranking metrics, and RMSE for models that predict ratings.
#[derive(serde::Serialize)]
struct ModelReport {
    #[serde(flatten)]
    ranking: RankingReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    rmse: Option<f64>,
}

/// `head*.safetensors` in a dataset folder, by name.
fn head_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "safetensors")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("head"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// A dataset folder: its catalogue, public lists and (if built) item text vectors.
struct Dataset {
    name: String,
    dir: PathBuf,
    catalog: Catalog,
    users: Vec<UserList>,
    vectors_path: PathBuf,
    vectors: Option<ItemVectors>,
    time_ordered: bool,
}

impl Dataset {
    /// `dir` is a folder, or a dataset name under `data/` (ml-100k is fetched on first use).
    fn load(dir: &Path) -> Result<Self> {
        let named = Path::new("data").join(dir);
        let dir = if dir.join("items.tsv").exists() {
            dir.to_path_buf()
        } else if named.join("items.tsv").exists() {
            named
        } else if dir.ends_with("ml-100k") {
            let status = std::process::Command::new("scripts/fetch-ml100k.sh")
                .status()
                .map_err(|e| Error::Input(format!("cannot run scripts/fetch-ml100k.sh: {e}")))?;
            if !status.success() {
                return Err(Error::Input("fetching ml-100k failed (see above)".into()));
            }
            PathBuf::from("data/ml-100k")
        } else {
            return Err(Error::Input(format!(
                "{} is not a dataset folder (no items.tsv)",
                dir.display()
            )));
        };
        let dir = dir.as_path();
        let catalog = Catalog::from_tsv(&read_text(&dir.join("items.tsv"))?)?;
        let users = parse_lists(&read_text(&dir.join("lists.tsv"))?, &catalog)?;
        let vectors_path = dir.join("item_vectors.safetensors");
        let vectors = match std::fs::read(&vectors_path) {
            Ok(bytes) => Some(ItemVectors::from_safetensors(&bytes)?),
            Err(_) => None,
        };
        if let Some(v) = &vectors
            && v.rows != catalog.len()
        {
            return Err(Error::Input(format!(
                "{} has {} rows for {} items: rebuild it with `localrec embed-catalog`",
                vectors_path.display(),
                v.rows,
                catalog.len()
            )));
        }
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        // Lists in time order (dataset.json says so) are split leave-last-out.
        let time_ordered = std::fs::read_to_string(dir.join("dataset.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| v["split"] == "leave-last-out");
        Ok(Self {
            name,
            dir: dir.to_path_buf(),
            catalog,
            users,
            vectors_path,
            vectors,
            time_ordered,
        })
    }

    /// The evaluation split and a sentence describing it.
    fn split(&self, seed: u64) -> (Split, String) {
        let n_items = self.catalog.len();
        if self.time_ordered {
            let split = leave_last_out(&self.users);
            let protocol = format!(
                "leave-last-out by time: {} users, each one's last item is the test target (the one before it validates); full ranking over {n_items} items, seen items excluded",
                split.test.len()
            );
            (split, protocol)
        } else {
            let split = user_holdout(
                &self.users,
                &HoldoutConfig {
                    seed,
                    ..Default::default()
                },
            );
            let protocol = format!(
                "{} test users held out (seed {seed}), 20% of each one's items hidden at random; full ranking over {n_items} items, visible history excluded",
                split.test.len()
            );
            (split, protocol)
        }
    }

    fn vectors(&self) -> Result<&ItemVectors> {
        self.vectors.as_ref().ok_or_else(|| {
            Error::Input(format!(
                "{} is missing: run `localrec embed-catalog` first",
                self.vectors_path.display()
            ))
        })
    }

    /// The item text matrix as a tensor on `device`.
    fn text_tensor(&self, device: &burn::tensor::Device) -> Result<Tensor<2>> {
        let v = self.vectors()?;
        Ok(Tensor::from_data(
            TensorData::new(v.data.clone(), [v.rows, v.dim]),
            device,
        ))
    }
}

fn pretrain(
    dir: &Path,
    out: Option<PathBuf>,
    config: &TrainConfig,
    id_embeddings: bool,
    dim: usize,
    split_seed: u64,
) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let (split, _) = dataset.split(split_seed);
    let device = device::cpu();
    let text = dataset.text_tensor(&device)?;
    let head_config = HeadConfig {
        dim,
        id_embeddings,
        ..HeadConfig::new(dataset.vectors()?.dim, dataset.catalog.len())
    };
    let head = Head::with_text_mean(
        &head_config,
        config.seed,
        text.clone().mean_dim(0).reshape([head_config.text_dim]),
    )?;
    let variant = head_variant(config.objective, id_embeddings);
    let out = out.unwrap_or_else(|| dataset.dir.join(format!("{variant}.safetensors")));

    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "epoch {prefix} [{bar:30}] {pos}/{len} steps, {msg}, ETA {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    eprintln!(
        "training {variant} on {} users ({} validation users), objective {:?}",
        split.train.len(),
        split.validation.len(),
        config.objective
    );
    let (head, report) = device::block_on(train(
        head,
        &text,
        &split.train,
        &split.validation,
        config,
        |p| {
            bar.set_length(p.steps as u64);
            bar.set_position(p.step as u64);
            bar.set_prefix(format!("{}/{}", p.epoch, p.epochs));
            match p.validation {
                // Epoch lines are printed even where the bar is hidden (not a terminal).
                Some(v) => bar.suspend(|| {
                    eprintln!(
                        "epoch {:>2}: loss {:.4}, validation {:?}, {:.0} s",
                        p.epoch, p.loss, v, p.elapsed_s
                    )
                }),
                None => bar.set_message(format!("loss {:.4}", p.loss)),
            }
            ControlFlow::Continue(())
        },
    ))?;
    bar.finish_and_clear();
    eprintln!(
        "best epoch {} of {}: {:?} (before training {:?}); {} steps, {:.0} examples/s",
        report.best_epoch,
        report.losses.len(),
        report.best,
        report.initial,
        report.steps,
        report.examples_per_second()
    );
    let info = HashMap::from([
        ("name".to_string(), variant.clone()),
        ("dataset".to_string(), dataset.name.clone()),
        ("split_seed".to_string(), split_seed.to_string()),
        (
            "train_config".to_string(),
            serde_json::to_string(config).expect("plain struct"),
        ),
        (
            "validation".to_string(),
            serde_json::to_string(&report.best).expect("plain enum"),
        ),
    ]);
    let bytes = save_head(&head, &head_config, config.objective, &info)?;
    write_atomically(&out, &bytes)?;
    eprintln!(
        "wrote {} ({:.1} MB)",
        out.display(),
        bytes.len() as f64 / 1e6
    );
    Ok(())
}

/// The file and model name of a head variant: `head`, `head-text-only`, `head-bce`, …
fn head_variant(objective: Objective, id_embeddings: bool) -> String {
    let mut name = "head".to_string();
    match objective {
        Objective::Softmax => {}
        Objective::Bce => name.push_str("-bce"),
        Objective::Rating => name.push_str("-rating"),
    }
    if !id_embeddings {
        name.push_str("-text-only");
    }
    name
}

/// Write then rename: a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))
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

fn bench_head(dir: &Path, head_path: Option<PathBuf>, json: bool) -> Result<()> {
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

    let result = serde_json::json!({
        "dataset": dataset.name,
        "items": dataset.catalog.len(),
        "head": file.config,
        "train_examples_per_s": examples_per_s,
        "fine_tune_50_events_s": fine_tune_s,
        "fine_tune_steps": fine_tune_config.steps,
        "recommend_ms": recommend_ms,
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
