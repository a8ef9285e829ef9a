//! The npm package's `build-site` (`bin/localrec.mjs`): the localrec crate in wasm under Node,
//! a catalogue's vectors planned, embedded and completed, its part of the site, and site.json,
//! made by the same code as the native command's (`localrec::site`, `localrec::vector_plan`).
//! Node reads and writes the files, and compresses them. A wasm of its own, so that the page's
//! carries none of this (wasm32 only; natively the crate is empty).

#![cfg(target_arch = "wasm32")]

use std::collections::HashMap;
use std::ops::ControlFlow;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use localrec::catalog::{Catalog, Manifest};
use localrec::encoder::DEFAULT_MAX_LENGTH;
use localrec::error::Error;
use localrec::eval::split::{Split, standard_split};
use localrec::head::{HeadConfig, load_head};
use localrec::interactions::{UserList, parse_lists};
use localrec::item_item::fit::{DEFAULT_KS, Weights, fit_on_split};
use localrec::item_item::{WeightPrecision, save_item_item};
use localrec::item_vectors::ItemVectors;
use localrec::site::{CatalogSources, ModelParts, SiteCatalog, SiteFile, SiteManifest};
use localrec::train::{Progress, TrainConfig, pretrain_head};
use localrec::vector_plan::VectorPlan;
use localrec::web::values::{EncoderFiles, from_js, js_error, required, to_js};

/// The seed of the split a catalogue's head and table are trained on (the commands' default).
const SPLIT_SEED: u64 = 42;

#[wasm_bindgen(typescript_custom_section)]
const SOURCES: &str = r#"
/** A catalogue folder's files, as bytes (see `catalogSite`). */
export interface CatalogSourceFiles {
  manifest: Uint8Array; items: Uint8Array; head?: Uint8Array; itemItem?: Uint8Array;
  adapter?: Uint8Array; notices?: { name: string; bytes: Uint8Array }[];
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "CatalogSourceFiles")]
    pub type CatalogSourceFiles;
    #[wasm_bindgen(method, getter)]
    fn manifest(this: &CatalogSourceFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    fn items(this: &CatalogSourceFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    fn head(this: &CatalogSourceFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter, js_name = itemItem)]
    fn item_item(this: &CatalogSourceFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    fn adapter(this: &CatalogSourceFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    fn notices(this: &CatalogSourceFiles) -> Option<Array>;
}

/// One catalogue on its way into a site: read, its vectors planned against the stored file,
/// then completed.
#[wasm_bindgen]
pub struct CatalogBuild {
    catalog: Catalog,
    plan: Option<VectorPlan>,
    vectors: Option<ItemVectors>,
}

#[wasm_bindgen]
impl CatalogBuild {
    /// Reads the catalogue (catalog.json and its items file) and compares `storedVectors` (its
    /// folder's vectors file, if any) with what the model hashing to `model` would embed.
    #[wasm_bindgen(constructor)]
    pub fn new(
        manifest: &[u8],
        items: &[u8],
        stored_vectors: Option<Vec<u8>>,
        model: &str,
    ) -> Result<CatalogBuild, JsValue> {
        let catalog = Catalog::load(manifest, items).map_err(|e| js_error(e.into()))?;
        let plan = VectorPlan::new(&catalog, model, stored_vectors.as_deref());
        Ok(CatalogBuild {
            catalog,
            plan: Some(plan),
            vectors: None,
        })
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.catalog.manifest().name.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn items(&self) -> usize {
        self.catalog.len()
    }

    /// Whether the catalogue has public lists (then its site needs a head, and an item–item
    /// table if it is to be a hybrid).
    #[wasm_bindgen(getter, js_name = hasLists)]
    pub fn has_lists(&self) -> bool {
        self.catalog.manifest().interactions.is_some()
    }

    /// The public lists' file name (catalog.json's `interactions`), if it has one.
    #[wasm_bindgen(getter, js_name = listsFile)]
    pub fn lists_file(&self) -> Option<String> {
        self.catalog.manifest().interactions.clone()
    }

    /// How many items the stored vectors do not encode.
    #[wasm_bindgen(getter, js_name = toEmbed)]
    pub fn to_embed(&self) -> usize {
        self.plan.as_ref().map_or(0, VectorPlan::to_embed)
    }

    /// Embeds what the stored vectors miss with the language model in `files` (on the CPU,
    /// `batchSize` texts at a time, calling `onProgress(done, total)` after each batch) and
    /// completes the vectors; returns the vectors file to store in the catalogue's folder, or
    /// `undefined` when the stored one was exactly right.
    #[wasm_bindgen(js_name = completeVectors)]
    pub fn complete_vectors(
        &mut self,
        files: Option<EncoderFiles>,
        batch_size: usize,
        on_progress: &Function,
    ) -> Result<Option<Vec<u8>>, JsValue> {
        let plan = (self.plan.take())
            .ok_or_else(|| js_error(Error::Input("the vectors are already complete".into())))?;
        let texts = plan.missing_texts(&self.catalog);
        let embedded = match (texts.len(), files) {
            (0, _) => Vec::new(),
            (_, None) => {
                return Err(js_error(Error::Input(
                    "items to embed, and no language model given".into(),
                )));
            }
            (_, Some(files)) => {
                // On the CPU: Node has no WebGPU.
                let encoder = files.encoder(&localrec::device::cpu())?;
                encoder
                    .embed_many(&texts, batch_size.max(1), |done, total| {
                        let _ = on_progress.call2(&JsValue::NULL, &done.into(), &total.into());
                    })
                    .map_err(js_error)?
            }
        };
        let completed = plan.complete(embedded).map_err(js_error)?;
        self.vectors = Some(completed.vectors);
        Ok(completed.file)
    }

    /// Why the catalogue's head must be trained before its site is built (`head`: its folder's
    /// head file, if any): "missing", "trained on other item vectors", or `undefined`.
    #[wasm_bindgen(js_name = retrainReason)]
    pub fn retrain_reason(&self, head: Option<Vec<u8>>) -> Result<Option<String>, JsValue> {
        let vectors = self.completed()?;
        let reason = localrec::head::retrain_reason(head.as_deref(), vectors).map_err(js_error)?;
        Ok(reason.map(str::to_string))
    }

    /// Trains the catalogue's head on its public lists (`lists`: the file its catalog.json
    /// names; `timeOrdered`: lists in time order, split leave-last-out) with `localrec
    /// pretrain`'s defaults, on the CPU, calling `onEpoch({epoch, epochs, validation})` after
    /// each epoch. Resolves to the head's file (what the catalogue's folder keeps).
    #[wasm_bindgen(js_name = trainHead)]
    pub fn train_head(
        &self,
        lists: Vec<u8>,
        time_ordered: bool,
        on_epoch: Function,
    ) -> Result<Promise, JsValue> {
        let vectors = self.completed()?.clone();
        let (catalog, _, split) = self.split(&lists, time_ordered)?;
        Ok(future_to_promise(async move {
            let config = TrainConfig::default().sized_for(catalog.len(), None, None, None);
            let head_config = HeadConfig::new(vectors.dim, catalog.len());
            let info = HashMap::from([
                ("name".to_string(), "head".to_string()),
                ("dataset".to_string(), catalog.manifest().name.clone()),
                ("split_seed".to_string(), SPLIT_SEED.to_string()),
            ]);
            let report = |p: &Progress| {
                if let Some(validation) = &p.validation {
                    let progress = serde_json::json!({
                        "epoch": p.epoch, "epochs": p.epochs, "validation": validation,
                    });
                    if let Ok(progress) = to_js(&progress) {
                        let _ = on_epoch.call1(&JsValue::NULL, &progress);
                    }
                }
                ControlFlow::Continue(())
            };
            let (head, _) = pretrain_head(&split, &vectors, &config, &head_config, info, report)
                .await
                .map_err(js_error)?;
            Ok(Uint8Array::from(head.as_slice()).into())
        }))
    }

    /// Fits the catalogue's item–item table on its public lists (as for [`Self::train_head`]),
    /// mixed with `head` (its head's file), with `localrec fit-item-item`'s defaults. Resolves
    /// to the table's file (what the catalogue's folder keeps).
    #[wasm_bindgen(js_name = fitItemItem)]
    pub fn fit_item_item(
        &self,
        lists: Vec<u8>,
        time_ordered: bool,
        head: Vec<u8>,
    ) -> Result<Promise, JsValue> {
        let vectors = self.completed()?.clone();
        let (catalog, users, split) = self.split(&lists, time_ordered)?;
        // Lists in time order give new people their earliest reactions in the stages' choice.
        let time_order = time_ordered.then_some(users);
        Ok(future_to_promise(async move {
            let device = localrec::device::cpu();
            let file = load_head(head, &device).map_err(js_error)?;
            let items = file.head.item_table(vectors.clone().into_tensor(&device));
            let n_items = catalog.len();
            let weights = Weights::search(DEFAULT_KS.to_vec());
            let head = Some((file.head, items));
            let mut table = fit_on_split(
                &split,
                n_items,
                weights,
                head.as_ref(),
                Some(&vectors),
                time_order.as_deref(),
            )
            .await
            .map_err(js_error)?;
            table
                .info
                .insert("dataset".into(), catalog.manifest().name.clone());
            table
                .info
                .insert("split_seed".into(), SPLIT_SEED.to_string());
            let bytes = save_item_item(&table, WeightPrecision::F16).map_err(js_error)?;
            Ok(Uint8Array::from(bytes.as_slice()).into())
        }))
    }

    /// The catalogue, its public lists (`lists`) and their split as `localrec pretrain` and
    /// `fit-item-item` split them.
    fn split(
        &self,
        lists: &[u8],
        time_ordered: bool,
    ) -> Result<(Catalog, Vec<UserList>, Split), JsValue> {
        let text = std::str::from_utf8(lists)
            .map_err(|e| js_error(Error::Input(format!("the lists file is not UTF-8: {e}"))))?;
        let users = parse_lists(text, &self.catalog).map_err(js_error)?;
        let split = standard_split(&users, time_ordered, SPLIT_SEED);
        Ok((self.catalog.clone(), users, split))
    }

    fn completed(&self) -> Result<&ItemVectors, JsValue> {
        (self.vectors.as_ref())
            .ok_or_else(|| js_error(Error::Input("complete the vectors first".into())))
    }
}

/// The items file's name that a catalogue's catalog.json (`manifest`) gives, or what is wrong
/// with the manifest: read before the catalogue, whose items are in that file.
#[wasm_bindgen(js_name = itemsFile)]
pub fn items_file(manifest: &[u8]) -> Result<String, JsValue> {
    Manifest::parse(manifest)
        .map(|manifest| manifest.items)
        .map_err(|e| js_error(e.into()))
}

/// The fingerprint's model part for the model in `files` (with its adapter, if any): what
/// item vectors record of the model that embedded them.
#[wasm_bindgen(js_name = modelHash)]
pub fn model_hash(files: EncoderFiles) -> Result<String, JsValue> {
    let mut bytes = vec![
        required(files.config(), "model's config")?,
        required(files.tokenizer(), "model's tokenizer")?,
        required(files.weights(), "model's weights")?,
    ];
    bytes.extend(files.adapter().map(|adapter| adapter.to_vec()));
    let slices: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
    Ok(localrec::fingerprint::model_hash(
        &slices,
        DEFAULT_MAX_LENGTH,
    ))
}

/// A catalogue's part of the site: resolves to `{catalog, files: [{path, bytes}]}`, `catalog`
/// as site.json lists it, each path from the site's root. `build` is used up.
#[wasm_bindgen(js_name = catalogSite)]
pub async fn catalog_site(
    build: CatalogBuild,
    sources: CatalogSourceFiles,
) -> Result<JsValue, JsValue> {
    let vectors = build.completed()?;
    let notices = (sources
        .notices()
        .map(|a| a.to_vec())
        .unwrap_or_default()
        .into_iter())
    .map(|notice| {
        let name = Reflect::get(&notice, &"name".into())?
            .as_string()
            .unwrap_or_default();
        let bytes: Uint8Array = Reflect::get(&notice, &"bytes".into())?.dyn_into()?;
        Ok((name, bytes.to_vec()))
    })
    .collect::<Result<_, JsValue>>()?;
    let sources = CatalogSources {
        manifest: required(sources.manifest(), "catalogue's manifest")?,
        items: required(sources.items(), "catalogue's items")?,
        head: sources.head().map(|b| b.to_vec()),
        item_item: sources.item_item().map(|b| b.to_vec()),
        adapter: sources.adapter().map(|b| b.to_vec()),
        notices,
    };
    let site = localrec::site::catalog_files(&build.catalog, sources, vectors)
        .await
        .map_err(js_error)?;
    let out = Object::new();
    Reflect::set(&out, &"catalog".into(), &to_js(&site.catalog)?)?;
    Reflect::set(&out, &"files".into(), &file_list(site.files)?)?;
    Ok(out.into())
}

/// The site's files for the model's compact weights: `{files: [{path, bytes}], model}`, the
/// weights without their word table and its shards (see `localrec::site::site_weights`);
/// `model` is what `siteManifest` takes of them.
#[wasm_bindgen(js_name = siteWeights)]
pub fn site_weights(compact: &[u8]) -> Result<JsValue, JsValue> {
    let weights = localrec::site::site_weights(compact).map_err(js_error)?;
    let out = Object::new();
    Reflect::set(&out, &"files".into(), &file_list(weights.files)?)?;
    let model = serde_json::json!({ "wordShards": weights.word_shards });
    Reflect::set(&out, &"model".into(), &to_js(&model)?)?;
    Ok(out.into())
}

/// The compact weights whole, from a built site's (`weights` without their word table, and
/// its `shards` in any order; see `localrec::encoder::word_rows::join`): what the package
/// carries and embeds with. Weights that hold their table come back as they are.
#[wasm_bindgen(js_name = joinWordShards)]
pub fn join_word_shards(weights: &[u8], shards: Array) -> Result<Uint8Array, JsValue> {
    let shards: Vec<Vec<u8>> = shards
        .iter()
        .map(|s| Uint8Array::new(&s).to_vec())
        .collect();
    let shards: Vec<&[u8]> = shards.iter().map(Vec::as_slice).collect();
    let whole = localrec::encoder::word_rows::join(weights, &shards).map_err(js_error)?;
    Ok(Uint8Array::from(whole.as_slice()))
}

/// `[{path, bytes: Uint8Array}]`.
fn file_list(files: Vec<(String, Vec<u8>)>) -> Result<JsValue, JsValue> {
    let list = Array::new();
    for (path, bytes) in files {
        let file = Object::new();
        Reflect::set(&file, &"path".into(), &path.into())?;
        Reflect::set(&file, &"bytes".into(), &Uint8Array::from(bytes.as_slice()))?;
        list.push(&file);
    }
    Ok(list.into())
}

/// site.json for `catalogs` (as `catalogSite` gave them), `files` (every other file of the
/// site, in path order: `{path, bytes, sha256, encoded: {gz?, br?}}`) and the `model`'s parts
/// (`{wordShards, f32}`, as `siteWeights` gave them).
#[wasm_bindgen(js_name = siteManifest)]
pub fn site_manifest(catalogs: JsValue, files: JsValue, model: JsValue) -> Result<String, JsValue> {
    let catalogs: Vec<SiteCatalog> = from_js("the catalogues", &catalogs)?;
    let files: Vec<SiteFile> = from_js("the site's files", &files)?;
    let parts: ModelParts = from_js("the model's parts", &model)?;
    let manifest = SiteManifest::new(catalogs, files, parts).map_err(js_error)?;
    Ok(manifest.to_json())
}

/// A catalogue folder's files by name, and what a site holds besides its catalogues:
/// `{catalogFolder: {manifest, vectors, head, itemItem, adapter, notices}, pageFiles, modelPath,
/// modelFiles, compactWeights, f32Weights}`.
#[wasm_bindgen(js_name = siteLayout)]
pub fn site_layout() -> Result<JsValue, JsValue> {
    use localrec::catalog::folder;
    use localrec::site::{COMPACT_WEIGHTS, F32_WEIGHTS, MODEL_FILES, MODEL_PATH, PAGE_FILES};
    let layout = serde_json::json!({
        "catalogFolder": {
            "manifest": folder::MANIFEST,
            "vectors": folder::VECTORS,
            "head": folder::HEAD,
            "itemItem": folder::ITEM_ITEM,
            "adapter": folder::ADAPTER,
            "notices": folder::NOTICES,
        },
        "pageFiles": PAGE_FILES,
        "modelPath": MODEL_PATH,
        "modelFiles": MODEL_FILES,
        "compactWeights": COMPACT_WEIGHTS,
        "f32Weights": F32_WEIGHTS,
    });
    to_js(&layout)
}

/// Whether a file inside a page folder is one a page loads (see `localrec::site::is_page_file`).
#[wasm_bindgen(js_name = isPageFile)]
pub fn is_page_file(path: &str) -> bool {
    localrec::site::is_page_file(path)
}

/// Brotli's `{quality, window}` for a file's `.br` copy (see `localrec::site::brotli_settings`).
#[wasm_bindgen(js_name = brotliSettings)]
pub fn brotli_settings(path: &str) -> Result<JsValue, JsValue> {
    let (quality, window) = localrec::site::brotli_settings(path);
    to_js(&serde_json::json!({ "quality": quality, "window": window }))
}

/// Whether a site's file is worth precompressed copies (see `localrec::site::worth_compressing`).
#[wasm_bindgen(js_name = worthCompressing)]
pub fn worth_compressing(path: &str) -> bool {
    localrec::site::worth_compressing(path)
}
