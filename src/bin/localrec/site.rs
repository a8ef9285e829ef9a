//! `localrec build-site`: one folder of static files that any web host can serve, under any
//! path, with no special headers: the page and its library, the wasm, the model, and each
//! catalogue with its item vectors (and, when it has public interactions, its trained head and
//! item–item table), made here when missing. `site.json` lists every file with its size and
//! sha256; the page checks what it downloads against it, and the service worker caches it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use localrec::device::block_on;
use localrec::fingerprint::hex;
use localrec::item_item::{WeightPrecision, load_item_item, split_into_shards};
use localrec::item_vectors::ItemVectors;
use localrec::recommender::page_files;
use localrec::{Encoder, Error, Result};
use sha2::{Digest, Sha256};

use crate::dataset::{ADAPTER, HEAD, ITEM_ITEM, MANIFEST, Protocol, adapter_of, load_catalog};
use crate::encode::VectorPlan;
use crate::file_sha256;
use crate::item_item::{DEFAULT_KS, Weights, fit_item_item};
use crate::pretrain::TRAINED_ON_VECTORS;
use crate::pretrain::pretrain;
use crate::{COMPACT_WEIGHTS, compact_weights};
use localrec::catalog::Catalog;

/// The page's files, relative to the repository root: copied as they are. Only what the page
/// loads (of a folder, its scripts, styles and pages: no types, notes or other builds of a
/// library), so that a site is no bigger than its visitors need.
const WEB_FILES: &[&str] = &[
    "index.html",
    "sw.js",
    "www",
    "pkg/localrec.js",
    "pkg/localrec_bg.wasm",
    "node_modules/idb/build/index.js",
    "node_modules/uplot/dist/uPlot.esm.js",
    "node_modules/uplot/dist/uPlot.min.css",
];
/// Copied with `--examples` (the demo links to them).
const EXAMPLES: &str = "examples";
/// File kinds a page loads, of the folders above.
const PAGE_FILE_KINDS: &[&str] = &[".js", ".css", ".html"];
/// Beside the compact weights (and the f32 ones with `--f32-model`).
const MODEL_FILES: &[&str] = &["config.json", "tokenizer.json"];
const F32_WEIGHTS: &str = "model.safetensors";
const MODEL_PATH: &str = "models/all-MiniLM-L6-v2";
/// A catalogue's files in the site, by the role the page loads them for.
const VECTORS: &str = "item_vectors.safetensors";
/// The site's item–item table: an index (the mix and the popularity counts, what a new person's
/// list needs) and the rows in shards by item range, each named by its content's sha256, which
/// the page fetches as reactions need them (see `localrec::item_item::split_into_shards`).
const ITEM_ITEM_INDEX: &str = "item_item.index.safetensors";
const ITEM_ITEM_SHARDS: &str = "item_item/";
/// About this many bytes of rows a shard: one reaction's fetch is a round trip and a few
/// milliseconds of transfer at 20 Mbit/s, and a catalogue of 100,000 items has a few hundred.
const SHARD_BYTES: usize = 128 * 1024;
/// Written into the site for a trained catalogue: its first list needs only these two.
const HEAD_CORE: &str = "head-core.safetensors";
const ITEM_TABLE: &str = "item_table.safetensors";
/// Copied when present: the data's attribution and licence travel with it.
const NOTICES: &[&str] = &["ATTRIBUTION.md", "LICENSE"];

pub struct SiteOptions<'a> {
    pub datasets: &'a [PathBuf],
    pub out: &'a Path,
    /// The repository root holding the page's files.
    pub web: &'a Path,
    pub model_dir: &'a Path,
    /// The model part of the item vectors' fingerprint (see `localrec::fingerprint`), for the
    /// model with a catalogue's adapter merged, or without one.
    pub model_hash: &'a dyn Fn(Option<&Path>) -> Result<String>,
    /// Also the f32 weights (87 MB; the page loads them only with `?weights=f32`).
    pub f32_model: bool,
    /// Also the example pages.
    pub examples: bool,
    /// Fine-tune the language model for each catalogue with lists that has no adapter trained
    /// on its current items and lists (`localrec adapt`'s defaults; about 20 minutes for
    /// anime-5k on 2 cores). Off by default: see the README's "Described tastes".
    pub adapt: bool,
    /// The language model's weights file (an adapter's provenance names it).
    pub weights: &'a Path,
}

#[derive(serde::Serialize)]
struct SiteManifest {
    format: &'static str,
    version: u32,
    catalogs: Vec<SiteCatalog>,
    model: SiteModel,
    /// The files' bytes in all: as they are, and as sent gzip- or brotli-encoded by a host
    /// that serves the copies (each file's smaller form).
    bytes: SiteBytes,
    files: Vec<SiteFile>,
}

#[derive(serde::Serialize)]
struct SiteBytes {
    plain: u64,
    gz: u64,
    br: u64,
}

impl SiteBytes {
    fn of(files: &[SiteFile]) -> Self {
        let sum = |encoding: &str| {
            (files.iter())
                .map(|f| f.encoded.get(encoding).copied().unwrap_or(f.bytes))
                .sum()
        };
        Self {
            plain: files.iter().map(|f| f.bytes).sum(),
            gz: sum("gz"),
            br: sum("br"),
        }
    }
}

#[derive(serde::Serialize)]
struct SiteCatalog {
    name: String,
    title: String,
    path: String,
    kind: &'static str,
    items: usize,
    /// Role → file name in `path`: manifest, items, vectors, and head / itemTable /
    /// itemItemIndex / adapter when present.
    files: BTreeMap<&'static str, String>,
    /// The item–item rows by shard, in the index's order (file names in `path`).
    #[serde(rename = "itemItemShards", skip_serializing_if = "Vec::is_empty")]
    item_item_shards: Vec<SiteShard>,
}

#[derive(serde::Serialize)]
struct SiteShard {
    file: String,
    /// The rows (catalogue items) it holds: `[first, end)`.
    rows: [usize; 2],
}

#[derive(serde::Serialize)]
struct SiteModel {
    path: String,
    /// What the page loads by default: config, tokenizer, then the (compact) weights.
    files: Vec<String>,
    /// The weights files to choose from: `int8` (the default) and `f32` (if built with it).
    weights: BTreeMap<&'static str, String>,
}

#[derive(serde::Serialize)]
struct SiteFile {
    path: String,
    /// The file's own size and hash (what a reader gets after any Content-Encoding).
    bytes: u64,
    sha256: String,
    /// Sizes of the precompressed copies beside it (`<path>.gz`, `<path>.br`), where smaller.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    encoded: BTreeMap<&'static str, u64>,
}

/// The inputs of `dir`'s catalogue that its adapter was not trained on (the items file, the
/// lists file), by name; `None` without an adapter. An old adapter still reads any text, but
/// was tuned to what people liked in the old lists.
fn adapter_is_old_for(dir: &Path, catalog: &Catalog) -> Result<Option<Vec<String>>> {
    let Some(adapter) = adapter_of(dir) else {
        return Ok(None);
    };
    let bytes = std::fs::read(&adapter).map_err(|e| io(&adapter, e))?;
    let (_, metadata) = safetensors::SafeTensors::read_metadata(&bytes)
        .map_err(|e| Error::Input(format!("{}: {e}", adapter.display())))?;
    let trained_on = metadata.metadata().clone().unwrap_or_default();
    let manifest = catalog.manifest();
    let inputs = [
        ("items_sha256", Some(&manifest.items)),
        ("lists_sha256", manifest.interactions.as_ref()),
    ];
    let mut old = Vec::new();
    for (key, file) in inputs {
        let Some(file) = file else { continue };
        if trained_on.get(key) != Some(&file_sha256(&dir.join(file))?) {
            old.push(file.clone());
        }
    }
    Ok(Some(old))
}

/// With `--adapt`, trains `dir`'s adapter where the catalogue has lists and no adapter trained
/// on its current items and lists; without, notes an old one.
fn adapt_if_asked(
    dir: &Path,
    catalog: &Catalog,
    options: &SiteOptions,
    encoder: &impl Fn(Option<&Path>) -> Result<Encoder>,
) -> Result<()> {
    let old = adapter_is_old_for(dir, catalog)?;
    let has_lists = catalog.manifest().interactions.is_some();
    match (&old, options.adapt && has_lists) {
        (Some(old), true) if old.is_empty() => {
            eprintln!(
                "{}: its adapter matches its items and lists (kept)",
                dir.display()
            );
            Ok(())
        }
        (_, true) => {
            eprintln!(
                "{}: fine-tuning the language model for it (localrec adapt)",
                dir.display()
            );
            let config = localrec::adapt::AdaptConfig::default();
            crate::adapt::adapt(
                dir,
                Some(dir.join(ADAPTER)),
                &config,
                &Default::default(),
                42,
                crate::dataset::Protocol::Standard,
                &encoder(None)?,
                options.weights,
            )
        }
        (Some(old), false) => {
            for file in old {
                eprintln!(
                    "note: {} was trained on another {file}: it still works, but `localrec adapt \
                     --dataset {}` (or `build-site --adapt`) would tune it to this one",
                    dir.join(ADAPTER).display(),
                    dir.display()
                );
            }
            Ok(())
        }
        (None, false) => {
            if options.adapt {
                eprintln!(
                    "{}: no public lists, so nothing to fine-tune the language model on",
                    dir.display()
                );
            }
            Ok(())
        }
    }
}

/// Builds the site; `encoder(adapter)` loads the language model, with a catalogue's adapter
/// merged where it has one.
pub fn build_site(
    options: &SiteOptions,
    encoder: impl Fn(Option<&Path>) -> Result<Encoder>,
) -> Result<()> {
    let SiteOptions {
        datasets,
        out,
        web,
        model_hash,
        ..
    } = *options;
    if datasets.is_empty() {
        return Err(Error::Input("give at least one --dataset".into()));
    }
    let wasm = web.join("pkg/localrec_bg.wasm");
    if !wasm.exists() {
        return Err(Error::Input(format!(
            "{} is missing: build the page first (scripts/build-web.sh)",
            wasm.display()
        )));
    }
    // Make what is missing first, so a failure leaves no half-built site: each catalogue and
    // its vectors are read once and checked before anything is written, and the encoder is
    // loaded only if some catalogue needs embedding.
    let datasets: Vec<(&Path, Catalog)> = datasets
        .iter()
        .map(|dir| Ok((dir.as_path(), load_catalog(dir)?)))
        .collect::<Result<_>>()?;
    for (dir, catalog) in &datasets {
        adapt_if_asked(dir, catalog, options, &encoder)?;
    }
    let plans: Vec<VectorPlan> = datasets
        .iter()
        .map(|(dir, catalog)| {
            let model = model_hash(adapter_of(dir).as_deref())?;
            Ok(VectorPlan::new(catalog, &model, &dir.join(VECTORS)))
        })
        .collect::<Result<_>>()?;
    let mut vectors = Vec::with_capacity(datasets.len());
    for ((dir, catalog), plan) in datasets.iter().zip(plans) {
        let encoder = match plan.to_embed() {
            0 => None,
            missing => {
                eprintln!(
                    "{}: embedding {missing} of {} items (the rest are unchanged)",
                    dir.display(),
                    catalog.len()
                );
                Some(encoder(adapter_of(dir).as_deref())?)
            }
        };
        vectors.push(plan.complete(catalog, encoder.as_ref(), &dir.join(VECTORS), 32)?);
        train_if_missing(dir, catalog, vectors.last().expect("just pushed"))?;
    }

    // Written beside `out` and renamed into place at the end; removed if anything fails.
    let partial = out.with_extension("partial");
    remove_site(&partial)?;
    let written = write_site(&datasets, &vectors, options, &partial);
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    let manifest = written?;
    remove_site(out)?;
    std::fs::rename(&partial, out).map_err(|e| io(out, e))?;
    let bytes = &manifest.bytes;
    eprintln!(
        "wrote {}: {} files, {:.1} MB ({:.1} MB gzip, {:.1} MB brotli), catalogues {}",
        out.display(),
        manifest.files.len() + 1,
        bytes.plain as f64 / 1e6,
        bytes.gz as f64 / 1e6,
        bytes.br as f64 / 1e6,
        manifest
            .catalogs
            .iter()
            .map(|c| format!("{} ({}, {} items)", c.name, c.kind, c.items))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// Everything of the site into `partial`: the catalogues, the page, the model, the compressed
/// copies and site.json.
fn write_site(
    datasets: &[(&Path, Catalog)],
    vectors: &[ItemVectors],
    options: &SiteOptions,
    partial: &Path,
) -> Result<SiteManifest> {
    let SiteOptions { web, model_dir, .. } = *options;
    let mut catalogs = Vec::new();
    for ((dir, catalog), vectors) in datasets.iter().zip(vectors) {
        catalogs.push(copy_catalog(dir, catalog, vectors, partial)?);
    }
    let mut names: Vec<&str> = catalogs.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Input(format!(
            "two catalogues are named {:?}: names must differ",
            pair[0]
        )));
    }
    let examples = options.examples.then_some(EXAMPLES);
    for file in WEB_FILES.iter().copied().chain(examples) {
        let from = web.join(file);
        if from.is_dir() {
            copy_page_files(&from, &partial.join(file))?;
        } else if from.exists() {
            copy_tree(&from, &partial.join(file))?;
        }
    }
    let f32_weights = options.f32_model.then_some(F32_WEIGHTS);
    for file in MODEL_FILES.iter().copied().chain(f32_weights) {
        let from = model_dir.join(file);
        if !from.exists() {
            return Err(Error::Input(format!(
                "{} is missing: run scripts/fetch-model.sh first",
                from.display()
            )));
        }
        copy_tree(&from, &partial.join(MODEL_PATH).join(file))?;
    }
    // The page downloads the compact weights (int8 per row, about a quarter of the f32 file);
    // the f32 file is beside them for `?weights=f32` only when asked for.
    let compact = compact_weights(model_dir)?;
    write(&partial.join(MODEL_PATH).join(COMPACT_WEIGHTS), &compact)?;

    let mut files = Vec::new();
    list_files(partial, partial, &mut files)?;
    compress_all(partial, &mut files)?;
    let mut weights = BTreeMap::from([("int8", COMPACT_WEIGHTS.to_string())]);
    if options.f32_model {
        weights.insert("f32", F32_WEIGHTS.into());
    }
    let manifest = SiteManifest {
        format: "localrec-site",
        version: 1,
        catalogs,
        model: SiteModel {
            path: format!("{MODEL_PATH}/"),
            files: vec![
                "config.json".into(),
                "tokenizer.json".into(),
                COMPACT_WEIGHTS.into(),
            ],
            weights,
        },
        bytes: SiteBytes::of(&files),
        files,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("plain data");
    write(&partial.join("site.json"), json.as_bytes())?;
    Ok(manifest)
}

/// Trains the head and fits the item–item table of a catalogue with public interactions, if
/// they are missing (with the commands' defaults).
/// Trains the head if it is missing or was trained on other item vectors than `vectors` (an
/// edited catalogue, a new adapter), and then fits the item–item table, whose mix is fitted
/// with the head's scores, again.
fn train_if_missing(dir: &Path, catalog: &Catalog, vectors: &ItemVectors) -> Result<()> {
    if catalog.manifest().interactions.is_none() {
        return Ok(());
    }
    // The head's metadata is enough: its tensors are not needed to tell.
    let trained_on = match std::fs::read(dir.join(HEAD)) {
        Ok(bytes) => Some(
            safetensors::SafeTensors::read_metadata(&bytes)
                .map_err(|e| Error::Input(format!("{}: {e}", dir.join(HEAD).display())))?
                .1
                .metadata()
                .as_ref()
                .and_then(|info| info.get(TRAINED_ON_VECTORS).cloned()),
        ),
        Err(_) => None,
    };
    let retrain = match &trained_on {
        None => Some("missing"),
        Some(digest) if digest.as_deref() != vectors.digest() => {
            Some("trained on other item vectors")
        }
        Some(_) => None,
    };
    if let Some(why) = retrain {
        eprintln!(
            "{}: training the head ({why}; `localrec pretrain`'s defaults)",
            dir.display()
        );
        let config = localrec::train::TrainConfig::default();
        let dim = localrec::head::HeadConfig::new(0, 0).dim;
        // Sized for the catalogue: sampled softmax and a step budget above 20,000 items.
        let sizing = crate::pretrain::Sizing::default();
        pretrain(
            dir,
            None,
            &config,
            sizing,
            true,
            dim,
            42,
            Protocol::Standard,
        )?;
    }
    if retrain.is_some() || !dir.join(ITEM_ITEM).exists() {
        eprintln!("{}: fitting the item–item table", dir.display());
        fit_item_item(dir, Weights::Search(DEFAULT_KS.to_vec()), None, None)?;
    }
    Ok(())
}

/// Copies one catalogue's files into `site/catalogs/<name>/` and describes it.
fn copy_catalog(
    dir: &Path,
    catalog: &Catalog,
    vectors: &ItemVectors,
    site: &Path,
) -> Result<SiteCatalog> {
    let manifest = catalog.manifest();
    let path = format!("catalogs/{}/", manifest.name);
    let to = site.join(&path);
    std::fs::create_dir_all(&to).map_err(|e| io(&to, e))?;
    let mut files = BTreeMap::from([
        ("manifest", MANIFEST.to_string()),
        ("items", manifest.items.clone()),
        ("vectors", VECTORS.to_string()),
    ]);
    // The page's text vectors are int8 with a scale per row (a quarter of f32, half of the
    // folder's f16: NDCG@10 unchanged within 0.001); its first list is computed from exactly
    // these.
    let vectors = vectors.to_safetensors_int8()?;
    write(&to.join(VECTORS), &vectors)?;
    let trained = manifest.interactions.is_some();
    let mut item_item_shards = Vec::new();
    if trained {
        // The first list reads the head's item table, not the text vectors (those follow,
        // for taste sentences): written here from the head, with the head minus its ID
        // residuals (see recommender::page_files).
        let head = std::fs::read(dir.join(HEAD)).map_err(|e| io(&dir.join(HEAD), e))?;
        let (core, table) = block_on(page_files(head, &vectors, &localrec::device::cpu()))?;
        write(&to.join(HEAD_CORE), &core)?;
        write(&to.join(ITEM_TABLE), &table)?;
        files.insert("head", HEAD_CORE.into());
        files.insert("itemTable", ITEM_TABLE.into());
        if dir.join(ITEM_ITEM).exists() {
            let table = load_item_item(&crate::item_item::read(&dir.join(ITEM_ITEM))?)?;
            item_item_shards = write_item_item_shards(&table, &to)?;
            files.insert("itemItemIndex", ITEM_ITEM_INDEX.into());
        }
    }
    if adapter_of(dir).is_some() {
        files.insert("adapter", ADAPTER.into());
    }
    let copied = ["manifest", "items", "adapter"];
    for name in copied
        .iter()
        .filter_map(|role| files.get(role))
        .map(String::as_str)
        .chain(
            NOTICES
                .iter()
                .copied()
                .filter(|notice| dir.join(notice).exists()),
        )
    {
        copy_tree(&dir.join(name), &to.join(name))?;
    }
    let kind = match (trained, files.contains_key("itemItemIndex")) {
        (true, true) => "hybrid",
        (true, false) => "head",
        (false, _) => "text",
    };
    Ok(SiteCatalog {
        name: manifest.name.clone(),
        title: manifest.title.clone(),
        path,
        kind,
        items: catalog.len(),
        files,
        item_item_shards,
    })
}

/// Writes `table` into the catalogue folder `to` as its index and its shards of rows (weights
/// in int8 with a scale per row: half the download); returns the shards as site.json lists them.
fn write_item_item_shards(
    table: &localrec::item_item::ItemItem,
    to: &Path,
) -> Result<Vec<SiteShard>> {
    let split = split_into_shards(table, SHARD_BYTES, WeightPrecision::Int8)?;
    write(&to.join(ITEM_ITEM_INDEX), &split.index)?;
    let folder = to.join(ITEM_ITEM_SHARDS);
    std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
    let mut shards = Vec::with_capacity(split.shards.len());
    for (rows, bytes) in split.shards {
        // Named by content: a shard's address never serves other bytes, so caches keep it.
        let file = format!(
            "{ITEM_ITEM_SHARDS}{}.safetensors",
            &hex(&Sha256::digest(&bytes))[..16]
        );
        write(&to.join(&file), &bytes)?;
        shards.push(SiteShard {
            file,
            rows: [rows.start, rows.end],
        });
    }
    Ok(shards)
}

/// Removes a folder this command built (it has a site.json) or an empty one; refuses others.
fn remove_site(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let empty = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .next()
        .is_none();
    let partial = dir.extension().is_some_and(|e| e == "partial");
    if !empty && !partial && !dir.join("site.json").exists() {
        return Err(Error::Input(format!(
            "{} exists and is not a built site (no site.json): choose another --out",
            dir.display()
        )));
    }
    std::fs::remove_dir_all(dir).map_err(|e| io(dir, e))
}

/// Copies a file or a folder (recursively). Never a hard link: the site must not change when
/// its sources are edited in place, nor its sources when the site is.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let meta = std::fs::metadata(from).map_err(|e| io(from, e))?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(from).map_err(|e| io(from, e))? {
            let entry = entry.map_err(|e| io(from, e))?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    std::fs::copy(from, to).map_err(|e| io(from, e))?;
    Ok(())
}

/// Copies the files of `from` (recursively) that a page loads: scripts, styles and pages.
fn copy_page_files(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(|e| io(from, e))? {
        let path = entry.map_err(|e| io(from, e))?.path();
        let name = path.file_name().expect("an entry has a name");
        let loaded =
            (path.to_str()).is_some_and(|p| PAGE_FILE_KINDS.iter().any(|kind| p.ends_with(kind)));
        if path.is_dir() {
            copy_page_files(&path, &to.join(name))?;
        } else if loaded {
            copy_tree(&path, &to.join(name))?;
        }
    }
    Ok(())
}

/// Every file under `dir`, with its path relative to `root` ('/'-separated), size and sha256,
/// in path order.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<SiteFile>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .collect::<std::io::Result<_>>()
        .map_err(|e| io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out)?;
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        let relative = path.strip_prefix(root).expect("under root");
        out.push(SiteFile {
            path: relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(&bytes)),
            encoded: BTreeMap::new(),
        });
    }
    Ok(())
}

/// Files worth precompressing: text and binaries that the page downloads. The f32 weights are
/// left out (the page loads the compact ones unless asked; brotli on 87 MB takes minutes).
fn worth_compressing(path: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".html",
        ".js",
        ".mjs",
        ".css",
        ".json",
        ".wasm",
        ".csv",
        ".jsonl",
        ".tsv",
        ".md",
        ".ts",
        ".safetensors",
    ];
    EXTENSIONS.iter().any(|e| path.ends_with(e)) && !path.ends_with(F32_WEIGHTS)
}

/// Writes `<file>.gz` and `<file>.br` beside each file worth it, where smaller, and records
/// their sizes; one thread per core, at most four (two where the count is unknown), shares the
/// work (brotli on the wasm and the model is most of it).
fn compress_all(root: &Path, files: &mut [SiteFile]) -> Result<()> {
    let jobs: Vec<&mut SiteFile> = files
        .iter_mut()
        .filter(|f| worth_compressing(&f.path))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    let queue = std::sync::Mutex::new(jobs.into_iter());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let Some(file) = queue.lock().expect("not poisoned").next() else {
                            return Ok(());
                        };
                        let path = root.join(&file.path);
                        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
                        for (encoding, packed) in [("gz", gzip(&bytes)), ("br", brotli(&bytes))] {
                            if packed.len() < bytes.len() {
                                let name = format!("{}.{encoding}", file.path);
                                write(&root.join(&name), &packed)?;
                                file.encoded.insert(encoding, packed.len() as u64);
                            }
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("a compression thread panicked"))
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Brotli at quality 9 of 11: the slowest levels are not worth a build's minutes.
fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| io(path, e))
}

fn io(path: &Path, error: std::io::Error) -> Error {
    Error::Input(format!("{}: {error}", path.display()))
}
