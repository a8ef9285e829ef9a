//! `localrec build-site`: one folder of static files that any web host can serve, under any
//! path, with no special headers: the page and its library, the wasm, the model, and each
//! catalogue with its item vectors (and, when it has public interactions, its trained head and
//! item–item table), made here when missing. `site.json` lists every file with its size and
//! sha256; the page checks what it downloads against it, and the service worker caches it.
//!
//! Here the command's course: the catalogues made whole first ([`prepare`]: an adapter, the
//! item vectors, the head and the item–item table where missing), then the site written beside
//! `--out` and renamed into place. What the site holds is made from bytes in `localrec::site`
//! (as the npm package's `build-site` makes it too); here the files: [`files`] (copying,
//! listing and precompressing them).

mod files;
mod prepare;

use std::path::{Path, PathBuf};

use localrec::catalog::Catalog;
use localrec::catalog::folder::{ADAPTER, HEAD, ITEM_ITEM, MANIFEST, NOTICES, VECTORS};
use localrec::device::block_on;
use localrec::item_vectors::ItemVectors;
use localrec::site::{
    CatalogSources, F32_WEIGHTS, MODEL_FILES, MODEL_PATH, ModelParts, PAGE_FILES, SiteManifest,
    catalog_files, site_weights,
};
use localrec::vector_plan::VectorPlan;
use localrec::{Encoder, Error, Result};

use crate::compact_weights;
use crate::dataset::{adapter_of, load_catalog};
use crate::encode::{complete_vectors, plan_vectors};
use crate::files::{BUILD_WEB, FETCH_MODEL};
use files::{compress_all, copy_page_files, copy_tree, io, list_files, write, write_copies};
use prepare::{adapt_if_asked, train_if_missing};

/// Copied with `--examples` (the demo links to them).
const EXAMPLES: &str = "examples";

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
    refuse_unless_replaceable(out)?; // before any embedding: a wrong --out should not cost minutes
    let wasm = web.join("pkg/localrec_bg.wasm");
    if !wasm.exists() {
        return Err(Error::Input(format!(
            "{} is missing: {BUILD_WEB}",
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
            Ok(plan_vectors(catalog, &model, &dir.join(VECTORS)))
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
        vectors.push(complete_vectors(
            plan,
            catalog,
            encoder.as_ref(),
            &dir.join(VECTORS),
            32,
        )?);
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
        let site = block_on(catalog_files(catalog, read_sources(dir, catalog)?, vectors))?;
        for (path, bytes) in &site.files {
            write(&partial.join(path), bytes)?;
        }
        catalogs.push(site.catalog);
    }
    let examples = options.examples.then_some(EXAMPLES);
    for file in PAGE_FILES.iter().copied().chain(examples) {
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
                "{} is missing: {FETCH_MODEL}",
                from.display()
            )));
        }
        copy_tree(&from, &partial.join(MODEL_PATH).join(file))?;
    }
    let weights = site_weights(&compact_weights(model_dir)?)?;
    for (path, bytes) in &weights.files {
        write(&partial.join(path), bytes)?;
    }

    let mut files = Vec::new();
    list_files(partial, partial, &mut files)?;
    compress_all(partial, &mut files)?;
    let parts = ModelParts {
        word_shards: weights.word_shards,
        f32: options.f32_model,
    };
    let manifest = SiteManifest::new(catalogs, files, parts)?;
    let json = manifest.to_json();
    write(&partial.join("site.json"), json.as_bytes())?;
    // Every visit reads it first: 116 kB as it is (the word shards' sha256s), 19 kB as brotli.
    write_copies(partial, "site.json", json.as_bytes())?;
    Ok(manifest)
}

/// The files of the catalogue folder `dir` that its part of the site is made from.
fn read_sources(dir: &Path, catalog: &Catalog) -> Result<CatalogSources> {
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| io(&dir.join(name), e));
    let optional = |name: &str| dir.join(name).exists().then(|| read(name)).transpose();
    let trained = catalog.manifest().interactions.is_some();
    Ok(CatalogSources {
        manifest: read(MANIFEST)?,
        items: read(&catalog.manifest().items)?,
        head: trained.then(|| read(HEAD)).transpose()?,
        item_item: if trained { optional(ITEM_ITEM)? } else { None },
        adapter: optional(ADAPTER)?,
        notices: (NOTICES.iter())
            .filter_map(|name| {
                optional(name)
                    .transpose()
                    .map(|b| Ok((name.to_string(), b?)))
            })
            .collect::<Result<_>>()?,
    })
}

/// Removes a folder this command built (it has a site.json) or an empty one; refuses others.
fn remove_site(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    refuse_unless_replaceable(dir)?;
    std::fs::remove_dir_all(dir).map_err(|e| io(dir, e))
}

/// Refuses a folder this command may not replace: one with files and no site.json.
fn refuse_unless_replaceable(dir: &Path) -> Result<()> {
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
    Ok(())
}
