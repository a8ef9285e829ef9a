//! The browser's door into the crate (wasm32 only): one `Engine` type that the worker owns.
//! Thin by design: it converts JS values and delegates to the same model code as the CLI.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Array, Float32Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::Encoder;
use crate::device::{self, Backend};
use crate::error::Error;

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

#[wasm_bindgen]
pub struct Engine {
    encoder: Rc<Encoder>,
    backend: Backend,
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
}
