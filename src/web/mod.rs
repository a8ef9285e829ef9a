//! The browser's door into the crate (wasm32 only): one `Engine` type that the worker owns.
//! Thin by design: it converts JS values and delegates to the same model code as the CLI.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Array, Float32Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use serde_json::json;

use crate::Encoder;
use crate::catalog::Catalog;
use crate::device::{self, Backend};
use crate::error::Error;
use crate::fine_tune::{FineTuneConfig, Personal};
use crate::map::Plane;
use crate::recommender::{Reaction, Recommendations, Recommender, Request, Source};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

thread_local! {
    // Burn's WebGPU runtime can be initialised once per wasm instance: keep its device.
    static WEBGPU_DEVICE: RefCell<Option<Device>> = const { RefCell::new(None) };
}

async fn webgpu_device() -> Result<Device, Error> {
    if let Some(device) = WEBGPU_DEVICE.with(|d| d.borrow().clone()) {
        return Ok(device);
    }
    let device = device::webgpu().await?;
    WEBGPU_DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
    Ok(device)
}

fn now_millis() -> f64 {
    crate::clock::now_seconds() * 1000.0
}

fn js_error(error: Error) -> JsValue {
    JsError::new(&error.to_string()).into()
}

/// Plain data to plain JS objects and arrays, through one JSON string and `JSON.parse`.
/// Not serde-wasm-bindgen, which builds the object value by value across the boundary: for the
/// 10,000-book catalogue it took 42 s in Chromium (typed structs and `serde_json::Value`
/// alike), JSON 30 ms (2026-11-29).
fn to_js(value: &impl serde::Serialize) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&json)
}

/// An item id from the page: text, or a whole number (the catalogue's ids are text; "42" and
/// 42 name the same item).
fn item_id(value: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => {
            Ok((n as u64).to_string())
        }
        _ => Err(js_error(Error::Input(format!(
            "an item id must be text or a whole number, not {value:?}"
        )))),
    }
}

/// `items[k]` reacted with `codes[k]` (1–10, 11 like, 12 dislike).
fn reactions(items: &[JsValue], codes: &[u8]) -> Result<Vec<(String, Reaction)>, JsValue> {
    if items.len() != codes.len() {
        return Err(js_error(Error::Input(format!(
            "{} items but {} reactions",
            items.len(),
            codes.len()
        ))));
    }
    items
        .iter()
        .zip(codes)
        .map(|(item, &code)| Ok((item_id(item)?, Reaction::from_code(code).map_err(js_error)?)))
        .collect()
}

/// An id of the catalogue as the page knows it (a number when it is one; see `Item::id_json`).
fn page_id(catalog: &Catalog, id: &str) -> serde_json::Value {
    catalog
        .row(id)
        .map_or_else(|| id.into(), |row| catalog.item(row).id_json())
}

/// Recommendations with the catalogue's ids as the page knows them.
fn page_recommendations(catalog: &Catalog, recs: &Recommendations) -> serde_json::Value {
    let items: Vec<serde_json::Value> = recs
        .items
        .iter()
        .map(|rec| {
            let because: Vec<serde_json::Value> = rec
                .because
                .iter()
                .map(|reason| {
                    let source = match &reason.source {
                        Source::Item(id) => {
                            json!({ "kind": "item", "index": page_id(catalog, id) })
                        }
                        Source::Taste(k) => json!({ "kind": "taste", "index": k }),
                    };
                    json!({ "source": source, "share": reason.share })
                })
                .collect();
            json!({ "item": page_id(catalog, &rec.item), "score": rec.score, "because": because })
        })
        .collect();
    json!({ "items": items, "user": recs.user, "basis": recs.basis })
}

#[wasm_bindgen]
pub struct Engine {
    backend: Backend,
    device: Device,
    /// The language model: needed for taste sentences, not for a first list, so it may arrive
    /// after the catalogue.
    encoder: RefCell<Option<Rc<Encoder>>>,
    recommender: RefCell<Option<Rc<Recommender>>>,
}

#[wasm_bindgen]
impl Engine {
    /// Opens `backend` ("webgpu" or "cpu"); nothing is loaded yet. Call with "webgpu" only
    /// after `navigator.gpu.requestAdapter()` returned an adapter.
    pub async fn create(backend: String) -> Result<Engine, JsValue> {
        let backend: Backend = backend.parse().map_err(js_error)?;
        let device = match backend {
            Backend::Cpu => device::cpu(),
            Backend::Gpu => webgpu_device().await.map_err(js_error)?,
        };
        Ok(Engine {
            backend,
            device,
            encoder: RefCell::new(None),
            recommender: RefCell::new(None),
        })
    }

    /// Loads the language model from its files' bytes (config.json, tokenizer.json, weights),
    /// with the catalogue's adapter merged in where it has one: its item vectors were embedded
    /// by the adapted model, so taste sentences must go through it too.
    #[wasm_bindgen(js_name = loadEncoder)]
    pub fn load_encoder(
        &self,
        config_json: Vec<u8>,
        tokenizer_json: Vec<u8>,
        safetensors: Vec<u8>,
        adapter: Option<Vec<u8>>,
    ) -> Result<(), JsValue> {
        let encoder = match adapter {
            Some(adapter) => Encoder::from_bytes_with_adapter(
                &config_json,
                &tokenizer_json,
                safetensors,
                &adapter,
                &self.device,
            ),
            None => Encoder::from_bytes(&config_json, &tokenizer_json, safetensors, &self.device),
        }
        .map_err(js_error)?;
        *self.encoder.borrow_mut() = Some(Rc::new(encoder));
        Ok(())
    }

    /// Whether the language model is loaded (taste sentences, `embed`, `tokenize`).
    #[wasm_bindgen(getter, js_name = hasEncoder)]
    pub fn has_encoder(&self) -> bool {
        self.encoder.borrow().is_some()
    }

    /// "webgpu" or "cpu".
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        match self.backend {
            Backend::Cpu => "cpu",
            Backend::Gpu => "webgpu",
        }
        .into()
    }

    /// Embeds `texts`; resolves to one `Float32Array` of `texts.length × dim` values, row-major.
    pub fn embed(&self, texts: Vec<String>) -> Promise {
        let encoder = self.encoder();
        future_to_promise(async move {
            let encoder = encoder?;
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let rows = encoder.embed_async(&texts).await.map_err(js_error)?;
            let flat: Vec<f32> = rows.concat();
            Ok(Float32Array::from(flat.as_slice()).into())
        })
    }

    /// The word pieces the model reads for `text` (after truncation).
    pub fn tokenize(&self, text: &str) -> Result<Array, JsValue> {
        let tokens = self.encoder()?.tokenizer().encode(text).map_err(js_error)?;
        Ok(tokens.pieces.iter().map(|p| JsValue::from_str(p)).collect())
    }

    /// Loads a catalogue: its manifest (`catalog.json`) and items file, then either its item
    /// matrix (the items' text vectors) or, for a first list without them, its precomputed
    /// item table (which needs the head; the text vectors follow with
    /// [`Engine::attach_text_vectors`]); and for a catalogue with public interactions the
    /// trained head and the item–item table (without a head it ranks by text alone). Returns
    /// what the page shows: `{name, title, attribution, licence, columns, kind, dim, textDim,
    /// hasTextVectors, items: [{id, title, fields: {column: value}, text}]}`.
    #[wasm_bindgen(js_name = loadCatalog)]
    pub fn load_catalog(
        &self,
        manifest: Vec<u8>,
        items: Vec<u8>,
        item_vectors: Option<Vec<u8>>,
        head: Option<Vec<u8>>,
        item_item: Option<Vec<u8>>,
        item_table: Option<Vec<u8>>,
    ) -> Result<JsValue, JsValue> {
        let started = now_millis();
        let catalog = Catalog::load(&manifest, &items).map_err(|e| js_error(e.into()))?;
        let parsed = now_millis();
        let mut recommender = match (item_table, head, item_vectors) {
            (Some(table), Some(head), vectors) => {
                let mut recommender =
                    Recommender::from_item_table(catalog, head, &table, &self.device)
                        .map_err(js_error)?;
                if let Some(bytes) = vectors {
                    recommender.attach_text_vectors(&bytes).map_err(js_error)?;
                }
                recommender
            }
            (Some(_), None, _) => {
                return Err(js_error(Error::Input(
                    "an item table needs its head".into(),
                )));
            }
            (None, head, Some(vectors)) => {
                Recommender::new(catalog, head, &vectors, &self.device).map_err(js_error)?
            }
            (None, _, None) => {
                return Err(js_error(Error::Input(
                    "a catalogue needs its item vectors or its item table".into(),
                )));
            }
        };
        if let Some(bytes) = item_item {
            recommender = recommender.with_item_item(&bytes).map_err(js_error)?;
        }
        let built = now_millis();
        let catalog = recommender.catalog();
        let manifest = catalog.manifest();
        let shown = &manifest.columns.show;
        let items: Vec<serde_json::Value> = catalog
            .items()
            .iter()
            .map(|item| {
                let fields: serde_json::Map<String, serde_json::Value> = shown
                    .iter()
                    .cloned()
                    .zip(item.fields.iter().map(|f| f.as_str().into()))
                    .collect();
                json!({ "id": item.id_json(), "title": item.title, "fields": fields, "text": item.text })
            })
            .collect();
        let info = json!({
            "name": manifest.name,
            "title": manifest.title,
            "attribution": manifest.attribution,
            "licence": manifest.licence,
            "columns": shown,
            "labels": manifest.columns.labels,
            "kind": recommender.kind(),
            "dim": recommender.dim(),
            "textDim": recommender.text_dim(),
            "hasTextVectors": recommender.has_text_vectors(),
            "items": items,
        });
        *self.recommender.borrow_mut() = Some(Rc::new(recommender));
        let described = now_millis();
        let js = to_js(&info)?;
        // Where the time goes, for the page's load report.
        let millis = json!({
            "catalog": parsed - started,
            "recommender": built - parsed,
            "describe": described - built,
            "toJs": now_millis() - described,
        });
        js_sys::Reflect::set(&js, &"loadMillis".into(), &to_js(&millis)?)?;
        Ok(js)
    }

    /// Adds the items' text vectors to a catalogue loaded from its item table: taste sentences
    /// can be matched from then on. Call between other requests (not while one runs).
    #[wasm_bindgen(js_name = attachTextVectors)]
    pub fn attach_text_vectors(&self, item_vectors: Vec<u8>) -> Result<(), JsValue> {
        let mut slot = self.recommender.borrow_mut();
        let loaded = slot
            .as_mut()
            .ok_or_else(|| js_error(Error::Input("the catalogue is not loaded yet".into())))?;
        Rc::get_mut(loaded)
            .ok_or_else(|| {
                js_error(Error::Input(
                    "the recommender is busy: attach the texts between requests".into(),
                ))
            })?
            .attach_text_vectors(&item_vectors)
            .map_err(js_error)
    }

    /// Whether the loaded catalogue can match taste sentences (its text vectors are here).
    #[wasm_bindgen(getter, js_name = hasTextVectors)]
    pub fn has_text_vectors(&self) -> bool {
        self.recommender
            .borrow()
            .as_ref()
            .is_some_and(|r| r.has_text_vectors())
    }

    /// The top `count` items for a person: `items[k]` reacted with `codes[k]`; `tastes` the
    /// text vectors of taste sentences, concatenated; `personal` their residual, if trained.
    /// Resolves to `{items: [{item, score, because: [{source, share}]}], user}`.
    pub fn recommend(
        &self,
        items: Vec<JsValue>,
        codes: Vec<u8>,
        tastes: Vec<f32>,
        personal: Option<Vec<f32>>,
        count: usize,
        reasons: usize,
    ) -> Promise {
        let recommender = self.recommender();
        future_to_promise(async move {
            let recommender = recommender?;
            let dim = recommender.text_dim();
            let reactions = reactions(&items, &codes)?;
            if !tastes.len().is_multiple_of(dim) {
                return Err(js_error(Error::Input(format!(
                    "taste vectors must be {dim} values each"
                ))));
            }
            let tastes: Vec<Vec<f32>> = tastes.chunks(dim).map(<[f32]>::to_vec).collect();
            let personal = personal.map(|residual| Personal { residual });
            let request = Request {
                reactions: &reactions,
                tastes: &tastes,
                personal: personal.as_ref(),
                count,
                reasons,
            };
            let recs = recommender.recommend(&request).await.map_err(js_error)?;
            to_js(&page_recommendations(recommender.catalog(), &recs))
        })
    }

    /// Personal fine-tuning on the reactions: at most `steps` steps, stopping after `patience`
    /// steps without a better held-out loss. `on_progress` gets
    /// `{step, steps, loss, validation, elapsed_s, eta_s}` after each step and returns `false`
    /// to stop. Resolves to `{residual, report}`; the residual is the best one seen.
    #[wasm_bindgen(js_name = fineTune)]
    pub fn fine_tune(
        &self,
        items: Vec<JsValue>,
        codes: Vec<u8>,
        steps: usize,
        patience: usize,
        on_progress: Function,
    ) -> Promise {
        let recommender = self.recommender();
        future_to_promise(async move {
            let recommender = recommender?;
            let reactions = reactions(&items, &codes)?;
            let config = FineTuneConfig {
                steps,
                patience,
                ..FineTuneConfig::default()
            };
            // A callback that throws stops the run and is the run's error (not a "cancel").
            let mut callback_error = None;
            let (personal, report) = recommender
                .fine_tune(&reactions, &config, |progress| {
                    match to_js(progress).and_then(|p| on_progress.call1(&JsValue::NULL, &p)) {
                        Ok(answer) if answer.as_bool() == Some(false) => ControlFlow::Break(()),
                        Ok(_) => ControlFlow::Continue(()),
                        Err(error) => {
                            callback_error = Some(error);
                            ControlFlow::Break(())
                        }
                    }
                })
                .await
                .map_err(js_error)?;
            if let Some(error) = callback_error {
                return Err(error);
            }
            to_js(&json!({ "residual": personal.residual, "report": report }))
        })
    }

    /// The 2-D map of the catalogue: resolves to `{points, plane}`: `points` a `Float32Array`
    /// of `[x, y]` per item in catalogue order, `plane` `{mean, axes, variance}` to project a
    /// user vector with.
    pub fn map(&self) -> Promise {
        let recommender = self.recommender();
        future_to_promise(async move {
            let vectors = recommender?.item_vectors().await.map_err(js_error)?;
            let plane = Plane::fit(&vectors).map_err(js_error)?;
            let points: Vec<f32> = vectors.iter().flat_map(|v| plane.project(v)).collect();
            let out = js_sys::Object::new();
            js_sys::Reflect::set(&out, &"points".into(), &Float32Array::from(&points[..]))?;
            js_sys::Reflect::set(&out, &"plane".into(), &to_js(&plane)?)?;
            Ok(out.into())
        })
    }
}

impl Engine {
    fn recommender(&self) -> Result<Rc<Recommender>, JsValue> {
        self.recommender
            .borrow()
            .clone()
            .ok_or_else(|| js_error(Error::Input("the catalogue is not loaded yet".into())))
    }

    fn encoder(&self) -> Result<Rc<Encoder>, JsValue> {
        self.encoder
            .borrow()
            .clone()
            .ok_or_else(|| js_error(Error::Input("the language model is still loading".into())))
    }
}
