//! The command line's definitions: every command and option, with the help text `--help`
//! prints (clap's derive). What a command does is in its own module; `run` in main.rs
//! dispatches to it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use localrec::adapt::AdaptConfig;
use localrec::device::Backend;
use localrec::encoder::adapter::AdaptedMap;
use localrec::head::{HeadConfig, Objective};
use localrec::train::TrainConfig;

use crate::dataset::Protocol;
use crate::item_item::DEFAULT_KS;

#[derive(Parser)]
#[command(
    name = "localrec",
    version,
    about = "A private recommender: MiniLM item vectors and a trainable head, on Burn"
)]
pub struct Cli {
    /// Folder with config.json, tokenizer.json and model.safetensors (default: the one
    /// scripts/fetch-model.sh fills in the checkout this command was built from, whatever the
    /// folder it runs in).
    #[arg(long, global = true, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/models/all-MiniLM-L6-v2"))]
    pub model_dir: PathBuf,
    /// The weights file in --model-dir: model.safetensors (f32), or the compact
    /// model.int8.safetensors that `compact-model` writes.
    #[arg(long, global = true, default_value = "model.safetensors")]
    pub weights: String,
    /// A catalogue's adapter (`localrec adapt`) merged into the encoder: texts go through the
    /// fine-tuned network.
    #[arg(long, global = true)]
    pub adapter: Option<PathBuf>,
    /// Compute backend: cpu (Burn flex) or gpu (Burn wgpu).
    #[arg(long, global = true, default_value = "cpu")]
    pub backend: Backend,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Embed every item of a catalogue and write the text vectors the head and the page load.
    EmbedCatalog {
        /// The catalogue: a folder with catalog.json and its items file (e.g. data/anime-5k).
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Where to write the matrix (default: item_vectors.safetensors in the dataset folder).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 32)]
        batch_size: usize,
        /// Embed only shard i/n of what the whole command would embed (the items --out does not
        /// encode, in the batches one process makes), into --part; `--parts` joins the shards'
        /// parts into --out, byte for byte what one process writes (scripts/dask-shards.py).
        #[arg(long, requires = "part", conflicts_with = "parts")]
        shard: Option<String>,
        /// Where a shard writes its part.
        #[arg(long, requires = "shard")]
        part: Option<PathBuf>,
        /// The shards' parts to join into --out (embedding nothing).
        #[arg(long, num_args = 1..)]
        parts: Vec<PathBuf>,
    },
    /// Evaluate recommenders on held-out users (full ranking, history excluded).
    Eval {
        /// A catalogue folder with interactions (and item_vectors.safetensors for text models).
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// standard (the dataset's split), cold-items (10% of the items are new),
        /// few-reactions (new people: 1–10 reactions shown), text-only (nothing fitted on the
        /// lists; the person's own fine-tuning is the only learning), personal-bound (what a
        /// person's own numbers could add to the hybrid) or described-taste (a sentence of the
        /// labels a person's list over-represents, with 0–3 reactions, through the page's
        /// recommender; the catalogue's own adapter, or --adapter, reads the sentences).
        #[arg(long, value_enum, default_value_t = Protocol::Standard)]
        protocol: Protocol,
        /// described-taste: the shown column whose comma-separated labels describe a taste
        /// (default: the first shown column).
        #[arg(long)]
        taste_column: Option<String>,
        /// described-taste: a JSON object from label to the phrase a person would say instead
        /// (e.g. bench/described-taste/anime-5k.json: "mecha" → "giant robots").
        #[arg(long)]
        taste_phrases: Option<PathBuf>,
        /// described-taste: keep the weights chosen on validation users in the catalogue's
        /// item–item table (its mix), where the page and `localrec recommend` read them.
        #[arg(long)]
        keep_choice: bool,
    },
    /// One person's list, scored as the page scores it: reactions by item id (`ID` likes it,
    /// `ID:dislike`, `ID:1`…`ID:10` rates it) and sentences describing a taste.
    Recommend {
        /// A catalogue folder with its item vectors (and its head and item–item table, if any).
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Reactions, e.g. `--react 1535 --react 5114:dislike --react 32281:9`.
        #[arg(long = "react")]
        reactions: Vec<String>,
        /// A sentence describing a taste (repeatable).
        #[arg(long)]
        taste: Vec<String>,
        /// Weigh a taste sentence's direct match per unit of cosine by this instead of the
        /// page's (for a look at what `eval --protocol described-taste` measures).
        #[arg(long)]
        taste_direct: Option<f32>,
        /// Count a taste sentence as this many reactions instead of the page's.
        #[arg(long)]
        taste_reactions: Option<usize>,
        #[arg(long, default_value_t = 10)]
        count: usize,
    },
    /// Fit the sparse item–item part of the hybrid (how co-occurrence is counted, the weights
    /// kept per item, their ridge penalty and the mix with the head, all chosen on validation
    /// users) and write item_item.safetensors.
    FitItemItem {
        /// A catalogue folder with interactions (and the head and item vectors for the mix).
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Weights kept per item to choose from (a search's: not with --choice).
        #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_KS, conflicts_with = "choice")]
        ks: Vec<usize>,
        /// How much of whole histories' validation NDCG@10 the table may give up, as a share of
        /// the best tried, to rank better for new people (validation users shown 1, 2, 3, 5
        /// and 10 reactions): of the choices within it, the best for new people wins. 0
        /// chooses for whole histories alone. On anime-5k, 0.005 ranks better for new people
        /// and no worse for whole histories on test users (bench/README.md).
        /// A search's, like --ks: a fixed --choice was made with its own.
        #[arg(long, default_value_t = 0.0, value_parser = share, conflicts_with = "choice")]
        new_people_cost: f64,
        /// Fit this choice instead of searching: a JSON file, or an earlier table that records
        /// its choice (its metadata's sparse_fit).
        #[arg(long)]
        choice: Option<PathBuf>,
        /// The columns parts of a sharded fit with --choice (`localrec item-item-part`): merged
        /// into the table instead of fitting it here.
        #[arg(long, num_args = 1.., requires = "choice")]
        columns: Vec<PathBuf>,
        /// The head to mix with (default: head.safetensors in the dataset folder).
        #[arg(long)]
        head: Option<PathBuf>,
        /// Where to write the table (default: item_item.safetensors in the dataset folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One shard of a sharded item–item fit with a fixed choice: first every shard's
    /// co-occurrence counts, then, given all of them, every shard's columns; `fit-item-item
    /// --choice … --columns …` merges them (see bench/README.md for a recipe on Dask).
    ItemItemPart {
        #[arg(long)]
        dataset: PathBuf,
        /// The choice (as for fit-item-item --choice).
        #[arg(long)]
        choice: PathBuf,
        /// Which items: `i/n` is the i-th (from 0) of n equal ranges.
        #[arg(long)]
        shard: String,
        /// Every shard's counts part: with them, this shard's columns are solved.
        #[arg(long, num_args = 1..)]
        counts: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a seeded synthetic catalogue (items.csv, catalog.json, lists.tsv) of any size,
    /// with power-law popularity and list lengths: for measuring how a build grows.
    SyntheticCatalog {
        #[arg(long)]
        items: usize,
        #[arg(long)]
        users: usize,
        /// Entries over all lists (about).
        #[arg(long)]
        interactions: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Train the recommendation head on a dataset's public users and write its weights.
    Pretrain {
        /// A catalogue folder with interactions and item_vectors.safetensors.
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
        /// At most N epochs (fewer where --patience epochs bring no progress). Default: 24 up to
        /// 20,000 items, 10 above (a whole build-site of 100,000 items then takes about 40
        /// minutes on 2 cores).
        #[arg(long)]
        epochs: Option<usize>,
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
        /// Train for eval's protocol: cold-items leaves the new items out of everything and
        /// writes head…-cold-items.safetensors.
        #[arg(long, value_enum, default_value_t = Protocol::Standard)]
        protocol: Protocol,
        /// Seed of initialisation and batches.
        #[arg(long, default_value_t = TrainConfig::default().seed)]
        seed: u64,
        /// Sampled softmax with about N negatives per step (logQ-corrected); 0: the full
        /// softmax. Default: full up to 20,000 items, 2048 above.
        #[arg(long)]
        negatives: Option<usize>,
        /// Negatives are drawn in proportion to (count + 1)^this (0: uniform).
        #[arg(long, default_value_t = TrainConfig::default().negative_exponent)]
        negative_exponent: f64,
        /// At most N steps between validations (a step budget per epoch); 0: whole epochs.
        /// Default: whole epochs up to 20,000 items, 500 steps above.
        #[arg(long)]
        epoch_steps: Option<usize>,
        /// Validate on at most this many validation users (a seeded sample).
        #[arg(long, default_value_t = TrainConfig::default().validation_users)]
        validation_users: usize,
    },
    /// Fine-tune the language model for a catalogue: a low-rank adapter (LoRA) on its upper
    /// layers, trained on eval's training users so that the mean vector of a person's items
    /// lands near their other items; kept at its best text-kNN NDCG@10 on validation users.
    Adapt {
        /// A catalogue folder with interactions.
        #[arg(long, default_value = "data/anime-5k")]
        dataset: PathBuf,
        /// Where to write it (default: adapter.safetensors in the dataset folder, or
        /// adapter-<protocol>.safetensors for a protocol's own split).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = AdaptConfig::default().first_layer)]
        first_layer: usize,
        /// The linear maps adapted in each of those layers.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "query,value,inner,outer"
        )]
        maps: Vec<AdaptedMap>,
        #[arg(long, default_value_t = AdaptConfig::default().rank)]
        rank: usize,
        #[arg(long, default_value_t = AdaptConfig::default().steps)]
        steps: usize,
        #[arg(long, default_value_t = AdaptConfig::default().people_per_step)]
        people_per_step: usize,
        #[arg(long, default_value_t = AdaptConfig::default().shown_per_person)]
        shown_per_person: usize,
        #[arg(long, default_value_t = AdaptConfig::default().learning_rate)]
        learning_rate: f64,
        #[arg(long, default_value_t = AdaptConfig::default().temperature)]
        temperature: f32,
        #[arg(long, default_value_t = AdaptConfig::default().validate_every)]
        validate_every: usize,
        /// Truncate item texts at this many word pieces while training.
        #[arg(long, default_value_t = 128)]
        max_length: usize,
        #[arg(long, default_value_t = 42)]
        split_seed: u64,
        #[arg(long, value_enum, default_value_t = Protocol::Standard)]
        protocol: Protocol,
        #[arg(long, default_value_t = AdaptConfig::default().seed)]
        seed: u64,
        /// The share of each step's people who ask by a sentence describing their taste (the
        /// two labels their list over-represents most) instead of by their items.
        #[arg(long, default_value_t = AdaptConfig::default().sentence_share)]
        sentence_share: f32,
        /// The label column of those sentences (default: the first shown column).
        #[arg(long)]
        taste_column: Option<String>,
        /// Also say them in these words (a JSON object from label to phrase; use another
        /// wording than the one evaluated with).
        #[arg(long)]
        taste_phrases: Option<PathBuf>,
    },
    /// Write the encoder's weights in the page's compact form: int8 with a scale per row for
    /// every matrix, vectors as they are (see `encoder::compact`): 86.7 MB → about 23 MB.
    CompactModel {
        /// Where to write it (default: model.int8.safetensors in --model-dir).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build one folder of static files that any host serves (under any path, no special
    /// headers): the page, its library, the wasm, the model and each catalogue, with every
    /// file's size and sha256 in site.json. Missing item vectors are embedded and, for
    /// catalogues with interactions, a missing head is trained and item–item table fitted.
    BuildSite {
        /// Catalogue folders (catalog.json + items); the first is the page's default.
        #[arg(long = "dataset", required = true)]
        datasets: Vec<PathBuf>,
        #[arg(long, default_value = "dist/demo")]
        out: PathBuf,
        /// The repository root with the page's files (index.html, www/, pkg/ built by
        /// scripts/build-web.sh, node_modules/); default: the checkout this command was built
        /// from, whatever the folder it runs in.
        #[arg(long, default_value = env!("CARGO_MANIFEST_DIR"))]
        web: PathBuf,
        /// Also the f32 model (87 MB), for `?weights=f32`; the page loads the int8 one.
        #[arg(long)]
        f32_model: bool,
        /// Also the example pages (examples/).
        #[arg(long)]
        examples: bool,
        /// Fine-tune the language model (a LoRA adapter, `localrec adapt`'s defaults) for each
        /// catalogue with lists whose folder has no adapter trained on its current items and
        /// lists, then embed its items through it (about 20 minutes for anime-5k on 2 cores).
        #[arg(long)]
        adapt: bool,
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

/// A share in [0, 1].
fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("{text:?} is not a share between 0 and 1")),
    }
}
