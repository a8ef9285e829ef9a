//! Values across the wasm boundary: the page's requests read from one JSON value each, the
//! answers written as one, errors as JS errors, and the file bundles read field by field.
//! Public for the package's site builder (`builder/`, a wasm of its own for Node).

use burn::tensor::Device;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::contract;
use crate::encoder::Encoder;
use crate::error::Error;

pub fn js_error(error: Error) -> JsValue {
    JsError::new(&error.to_string()).into()
}

/// Plain data to plain JS objects and arrays, through one JSON string and `JSON.parse`.
/// Not serde-wasm-bindgen, which builds the object value by value across the boundary: three
/// orders of magnitude slower on a large catalogue (bench/README.md, "Values across the wasm
/// boundary").
pub fn to_js(value: &impl serde::Serialize) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&json)
}

/// A request from the page: one JSON value, read into `T` (see [`crate::contract`]).
pub fn from_js<T: serde::de::DeserializeOwned>(what: &str, value: &JsValue) -> Result<T, JsValue> {
    let json: String = js_sys::JSON::stringify(value)?.into();
    contract::read(what, &json).map_err(js_error)
}

#[wasm_bindgen(typescript_custom_section)]
const FILES: &str = r#"
/**
 * A catalogue's files, as bytes (see `Engine.loadCatalog`). `itemItem`: the whole item–item
 * table, or its index, whose rows follow by shard (`Engine.addItemItemShard`). `manifest` and
 * `items` may have been read ahead (`Engine.readItems`).
 */
export interface CatalogFiles {
  manifest?: Uint8Array; items?: Uint8Array; textVectors?: Uint8Array; head?: Uint8Array;
  itemTable?: Uint8Array; itemItem?: Uint8Array;
}
/** The language model's files, as bytes, and the catalogue's adapter if it has one. */
export interface EncoderFiles { config: Uint8Array; tokenizer: Uint8Array; weights: Uint8Array; adapter?: Uint8Array }
"#;

#[wasm_bindgen]
extern "C" {
    /// A catalogue's files: bytes, read field by field (no JSON: megabytes).
    #[wasm_bindgen(typescript_type = "CatalogFiles")]
    pub type CatalogFiles;
    #[wasm_bindgen(method, getter)]
    pub(super) fn manifest(this: &CatalogFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    pub(super) fn items(this: &CatalogFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter, js_name = textVectors)]
    pub(super) fn text_vectors(this: &CatalogFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    pub(super) fn head(this: &CatalogFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter, js_name = itemTable)]
    pub(super) fn item_table(this: &CatalogFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter, js_name = itemItem)]
    pub(super) fn item_item(this: &CatalogFiles) -> Option<Uint8Array>;

    /// The language model's files.
    #[wasm_bindgen(typescript_type = "EncoderFiles")]
    pub type EncoderFiles;
    #[wasm_bindgen(method, getter)]
    pub fn config(this: &EncoderFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    pub fn tokenizer(this: &EncoderFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    pub fn weights(this: &EncoderFiles) -> Option<Uint8Array>;
    #[wasm_bindgen(method, getter)]
    pub fn adapter(this: &EncoderFiles) -> Option<Uint8Array>;
}

impl EncoderFiles {
    /// The language model from these files on `device`, with the adapter merged where there is
    /// one (a catalogue's item vectors were embedded by the adapted model).
    pub fn encoder(&self, device: &Device) -> Result<Encoder, JsValue> {
        let config = required(self.config(), "model's config")?;
        let tokenizer = required(self.tokenizer(), "model's tokenizer")?;
        let weights = required(self.weights(), "model's weights")?;
        match self.adapter() {
            Some(adapter) => Encoder::from_bytes_with_adapter(
                &config,
                &tokenizer,
                weights,
                &adapter.to_vec(),
                device,
            ),
            None => Encoder::from_bytes(&config, &tokenizer, weights, device),
        }
        .map_err(js_error)
    }
}

/// A required file's bytes, or an error that names it.
pub fn required(file: Option<Uint8Array>, name: &str) -> Result<Vec<u8>, JsValue> {
    file.map(|bytes| bytes.to_vec())
        .ok_or_else(|| js_error(Error::Input(format!("the {name} file is missing"))))
}
