//! The browser's door into the crate (wasm32 only): one `Engine` type that the worker owns.
//! Thin by design: it converts JS values and delegates to the same model code as the CLI.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Array, Float32Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::Encoder;
use crate::device::{self, Backend};
use crate::error::Error;
use crate::fine_tune::{FineTuneConfig, Personal};
use crate::map::Plane;
use crate::recommender::{Reaction, Recommender, Request};

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

fn js_error(error: Error) -> JsValue {
    JsError::new(&error.to_string()).into()
}

/// Plain data to a JS object (through JSON: the shapes are small and this keeps one
/// serialiser for the CLI and the page).
fn to_js(value: &impl serde::Serialize) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&json)
}

/// `items[k]` reacted with `codes[k]` (1–10, 11 like, 12 dislike).
fn reactions(items: &[u32], codes: &[u8]) -> Result<Vec<(u32, Reaction)>, JsValue> {
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
        .map(|(&item, &code)| Ok((item, Reaction::from_code(code).map_err(js_error)?)))
        .collect()
}

#[wasm_bindgen]
pub struct Engine {
    encoder: Rc<Encoder>,
    backend: Backend,
    device: Device,
    recommender: RefCell<Option<Rc<Recommender>>>,
}

#[wasm_bindgen]
impl Engine {
    /// Loads the encoder from the model files' bytes on `backend` ("webgpu" or "cpu").
    /// Call with "webgpu" only after `navigator.gpu.requestAdapter()` returned an adapter.
    pub async fn create(
        backend: String,
        config_json: Vec<u8>,
        tokenizer_json: Vec<u8>,
        safetensors: Vec<u8>,
    ) -> Result<Engine, JsValue> {
        let backend: Backend = backend.parse().map_err(js_error)?;
        let device = match backend {
            Backend::Cpu => device::cpu(),
            Backend::Gpu => webgpu_device().await.map_err(js_error)?,
        };
        let encoder = Encoder::from_bytes(&config_json, &tokenizer_json, safetensors, &device)
            .map_err(js_error)?;
        Ok(Engine {
            encoder: Rc::new(encoder),
            backend,
            device,
            recommender: RefCell::new(None),
        })
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

    /// Width of the vectors `embed` returns.
    #[wasm_bindgen(getter)]
    pub fn dim(&self) -> usize {
        self.encoder.dim()
    }

    /// Embeds `texts`; resolves to one `Float32Array` of `texts.length × dim` values, row-major.
    pub fn embed(&self, texts: Vec<String>) -> Promise {
        let encoder = Rc::clone(&self.encoder);
        future_to_promise(async move {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let rows = encoder.embed_async(&texts).await.map_err(js_error)?;
            let flat: Vec<f32> = rows.concat();
            Ok(Float32Array::from(flat.as_slice()).into())
        })
    }

    /// The word pieces the model reads for `text` (after truncation).
    pub fn tokenize(&self, text: &str) -> Result<Array, JsValue> {
        let tokens = self.encoder.tokenizer().encode(text).map_err(js_error)?;
        Ok(tokens.pieces.iter().map(|p| JsValue::from_str(p)).collect())
    }

    /// Loads the recommender from the catalogue (`items.tsv` text), the head's weights, the
    /// item matrix and, if the catalogue has one, the item–item table of the hybrid. Returns
    /// `{items, dim, hybrid}`.
    #[wasm_bindgen(js_name = loadRecommender)]
    pub fn load_recommender(
        &self,
        catalog_tsv: String,
        head: Vec<u8>,
        item_vectors: Vec<u8>,
        item_item: Option<Vec<u8>>,
    ) -> Result<JsValue, JsValue> {
        let mut recommender =
            Recommender::new(head, &catalog_tsv, &item_vectors, &self.device).map_err(js_error)?;
        if let Some(bytes) = item_item {
            recommender = recommender.with_item_item(&bytes).map_err(js_error)?;
        }
        let info = serde_json::json!({
            "items": recommender.catalog().len(),
            "dim": recommender.dim(),
            "hybrid": recommender.item_item().is_some(),
        });
        *self.recommender.borrow_mut() = Some(Rc::new(recommender));
        to_js(&info)
    }

    /// The top `count` items for a person: `items[k]` reacted with `codes[k]`; `tastes` the
    /// text vectors of taste sentences, concatenated; `personal` their residual, if trained.
    /// Resolves to `{items: [{item, score, because: [{source, share}]}], user}`.
    pub fn recommend(
        &self,
        items: Vec<u32>,
        codes: Vec<u8>,
        tastes: Vec<f32>,
        personal: Option<Vec<f32>>,
        count: usize,
        reasons: usize,
    ) -> Promise {
        let recommender = self.recommender();
        let dim = self.encoder.dim();
        future_to_promise(async move {
            let recommender = recommender?;
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
            to_js(&recommender.recommend(&request).await.map_err(js_error)?)
        })
    }

    /// Personal fine-tuning on the reactions: at most `steps` steps, stopping after `patience`
    /// steps without a better held-out loss. `on_progress` gets
    /// `{step, steps, loss, validation, elapsed_s, eta_s}` after each step and returns `false`
    /// to stop. Resolves to `{residual, report}`; the residual is the best one seen.
    #[wasm_bindgen(js_name = fineTune)]
    pub fn fine_tune(
        &self,
        items: Vec<u32>,
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
            to_js(&serde_json::json!({ "residual": personal.residual, "report": report }))
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
            .ok_or_else(|| js_error(Error::Input("the recommender is not loaded yet".into())))
    }
}
