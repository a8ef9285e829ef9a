//! `localrec build-site`: one folder of static files that any web host can serve, under any
//! path, with no special headers: the page and its library, the wasm, the model, and each
//! catalogue with its item vectors (and, when it has public interactions, its trained head and
//! item–item table), made here when missing. `site.json` lists every file with its size and
//! sha256; the page checks what it downloads against it, and the service worker caches it.
//!
//! Here the command's course: the catalogues made whole first ([`prepare`]: an adapter, the
//! item vectors, the head and the item–item table where missing), then the site written beside
//! `--out` and renamed into place. Its parts: [`catalog`] (a catalogue's files in the site),
//! [`files`] (copying, listing and precompressing files) and [`manifest`] (site.json's types).

mod catalog;
mod files;
mod manifest;
mod prepare;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use localrec::catalog::Catalog;
use localrec::item_vectors::ItemVectors;
use localrec::{Encoder, Error, Result};

use crate::dataset::{adapter_of, load_catalog};
use crate::encode::VectorPlan;
use crate::{COMPACT_WEIGHTS, compact_weights};
use catalog::{VECTORS, copy_catalog};
use files::{compress_all, copy_page_files, copy_tree, io, list_files, write};
use manifest::{SiteBytes, SiteManifest, SiteModel};
use prepare::{adapt_if_asked, train_if_missing};

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
/// Beside the compact weights (and the f32 ones with `--f32-model`).
const MODEL_FILES: &[&str] = &["config.json", "tokenizer.json"];
pub(super) const F32_WEIGHTS: &str = "model.safetensors";
const MODEL_PATH: &str = "models/all-MiniLM-L6-v2";

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
