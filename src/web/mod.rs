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
use crate::contract::{
    CatalogInfo, Defaults, FineTuneRequest, FineTuned, ItemsInfo, RecommendRequest, RowsNeeded,
};
use crate::device::{self, Backend};
use crate::error::Error;
use crate::map::Plane;
use crate::recommender::{ReadCatalog, Recommender, Request, ScoringFiles};

pub mod values;

use values::{CatalogFiles, EncoderFiles, from_js, js_error, required, to_js};

unsafe extern "C" {
    /// The static constructors (CubeCL's `inventory` registrations), which the linker gathers.
    fn __wasm_call_ctors();
}

#[wasm_bindgen(start)]
fn start() {
    // Run once, here. A module that never calls them is taken by the linker for a "command" and
    // gets them run again at the top of every export: each call from JS, even an allocation,
    // then paid for them, some 40 calls a list.
    unsafe { __wasm_call_ctors() };
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

/// The crate's defaults the page shows or sends: `{count, reasons, steps, patience,
/// maxWordPieces}` (one source: not copied in JS).
#[wasm_bindgen]
pub fn defaults() -> Result<JsValue, JsValue> {
    to_js(&Defaults::default())
}

/// Milliseconds of `loadCatalog`, by part.
#[derive(serde::Serialize)]
struct LoadMillis {
    /// Reading the files and building the recommender.
    recommender: f64,
    /// Writing what the page shows.
    describe: f64,
}

#[wasm_bindgen]
pub struct Engine {
    backend: Backend,
    device: Device,
    /// The language model: needed for taste sentences, not for a first list, so it may arrive
    /// after the catalogue.
    encoder: RefCell<Option<Rc<Encoder>>>,
    /// A catalogue read by [`Engine::read_items`] for the next [`Engine::load_catalog`].
    read_ahead: RefCell<Option<ReadCatalog>>,
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
            read_ahead: RefCell::new(None),
            recommender: RefCell::new(None),
        })
    }

    /// Loads the language model from its files' bytes (config.json, tokenizer.json, weights),
    /// with the catalogue's adapter merged in where it has one: its item vectors were embedded
    /// by the adapted model, so taste sentences must go through it too.
    #[wasm_bindgen(js_name = loadEncoder)]
    pub fn load_encoder(&self, files: EncoderFiles) -> Result<(), JsValue> {
        let encoder = files.encoder(&self.device)?;
        *self.encoder.borrow_mut() = Some(Rc::new(encoder));
        Ok(())
    }

    /// Whether the language model is loaded (taste sentences, `embed`, `tokenize`).
    #[wasm_bindgen(getter, js_name = hasEncoder)]
    pub fn has_encoder(&self) -> bool {
        self.encoder.borrow().is_some()
    }

    /// How many shards the loaded model's word table comes in (0: none loaded, or the table
    /// came with the weights): their rows follow with [`Engine::add_word_shard`].
    #[wasm_bindgen(getter, js_name = wordShardCount)]
    pub fn word_shard_count(&self) -> usize {
        self.encoder
            .borrow()
            .as_ref()
            .map_or(0, |e| e.word_shard_count())
    }

    /// The word table's shards that embedding `texts` needs and that are not added yet: add
    /// them with [`Engine::add_word_shard`] before [`Engine::embed`], which refuses a text
    /// whose rows are missing.
    #[wasm_bindgen(js_name = missingWordShards)]
    pub fn missing_word_shards(&self, texts: Vec<String>) -> Result<Vec<u32>, JsValue> {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let missing = self
            .encoder()?
            .missing_word_shards(&texts)
            .map_err(js_error)?;
        Ok(missing.into_iter().map(|shard| shard as u32).collect())
    }

    /// Adds one of the word table's shards (its file's bytes, checked against site.json by the
    /// caller); returns its number. A shard of another model or a damaged one is refused. Call
    /// between other requests (not while one runs).
    #[wasm_bindgen(js_name = addWordShard)]
    pub fn add_word_shard(&self, bytes: Vec<u8>) -> Result<u32, JsValue> {
        let shard = between_requests(
            &self.encoder,
            "the language model is still loading",
            "the language model is busy: add the words between requests",
            |encoder| encoder.add_word_shard(&bytes),
        )?;
        Ok(shard as u32)
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

    /// Reads the catalogue's items (`{manifest, items}` of [`CatalogFiles`]) ahead of the
    /// files it scores with, which may still be downloading: at 100,000 items most of what
    /// loading costs. Returns what the page shows of them ([`ItemsInfo`]); the next
    /// [`Engine::load_catalog`] without a manifest takes them.
    #[wasm_bindgen(js_name = readItems)]
    pub fn read_items(&self, files: CatalogFiles) -> Result<JsValue, JsValue> {
        let manifest = required(files.manifest(), "catalogue's manifest")?;
        let items = required(files.items(), "catalogue's items")?;
        let catalog = ReadCatalog::load(&manifest, &items).map_err(js_error)?;
        let js = to_js(&ItemsInfo::new(catalog.catalog()))?;
        *self.read_ahead.borrow_mut() = Some(catalog);
        Ok(js)
    }

    /// Loads a catalogue from its files' bytes ([`CatalogFiles`]): the manifest and items (or
    /// none, when [`Engine::read_items`] read them), the text vectors or the head's item table,
    /// and for a catalogue with public interactions the trained head and the item–item table
    /// (without a head it ranks by text alone). Returns what the page shows ([`CatalogInfo`],
    /// without the items where `readItems` gave them) and `loadMillis`, where the time went.
    #[wasm_bindgen(js_name = loadCatalog)]
    pub fn load_catalog(&self, files: CatalogFiles) -> Result<JsValue, JsValue> {
        let started = now_millis();
        let read_ahead = files.manifest().is_none() && files.items().is_none();
        let catalog = match read_ahead {
            true => self.read_ahead.borrow_mut().take().ok_or_else(|| {
                js_error(Error::Input(
                    "the catalogue's manifest and items are missing (and readItems read none)"
                        .into(),
                ))
            })?,
            false => {
                let manifest = required(files.manifest(), "catalogue's manifest")?;
                let items = required(files.items(), "catalogue's items")?;
                ReadCatalog::load(&manifest, &items).map_err(js_error)?
            }
        };
        let files = ScoringFiles {
            text_vectors: files.text_vectors().map(|bytes| bytes.to_vec()),
            head: files.head().map(|bytes| bytes.to_vec()),
            item_table: files.item_table().map(|bytes| bytes.to_vec()),
            item_item: files.item_item().map(|bytes| bytes.to_vec()),
        };
        let recommender =
            Recommender::from_scoring_files(catalog, files, &self.device).map_err(js_error)?;
        let built = now_millis();
        let js = to_js(&CatalogInfo {
            items: (!read_ahead).then(|| ItemsInfo::new(recommender.catalog())),
            kind: recommender.kind(),
            dim: recommender.dim(),
            text_dim: recommender.text_dim(),
            has_text_vectors: recommender.has_text_vectors(),
        })?;
        *self.recommender.borrow_mut() = Some(Rc::new(recommender));
        // Where the time goes, for the page's load report.
        let millis = LoadMillis {
            recommender: built - started,
            describe: now_millis() - built,
        };
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

    /// How many shards the item–item table was split into (0: none, or loaded whole): their
    /// rows follow with [`Engine::add_item_item_shard`].
    #[wasm_bindgen(getter, js_name = itemItemShardCount)]
    pub fn item_item_shard_count(&self) -> usize {
        (self.recommender.borrow().as_ref())
            .and_then(|r| r.item_item().map(|t| t.shard_count()))
            .unwrap_or(0)
    }

    /// Adds one shard's rows (its file's bytes, checked against site.json by the caller);
    /// returns its number. A shard of another table or a damaged one is refused. Call between
    /// other requests (not while one runs).
    #[wasm_bindgen(js_name = addItemItemShard)]
    pub fn add_item_item_shard(&self, bytes: Vec<u8>) -> Result<u32, JsValue> {
        let shard = between_requests(
            &self.recommender,
            "the catalogue is not loaded yet",
            "the recommender is busy: add the rows between requests",
            |recommender| recommender.add_item_item_shard(&bytes),
        )?;
        Ok(shard as u32)
    }

    /// Whether the loaded catalogue can match taste sentences (its text vectors are here).
    #[wasm_bindgen(getter, js_name = hasTextVectors)]
    pub fn has_text_vectors(&self) -> bool {
        self.recommender
            .borrow()
            .as_ref()
            .is_some_and(|r| r.has_text_vectors())
    }

    /// The top items for a person: a [`RecommendRequest`] (`{history: [{item, reaction}],
    /// tastes?, tasteTexts?, personal?, count?, reasons?}`) → the recommender's
    /// [`Recommendations`] (`{items: [{item, score, because: [{source, share}], reason}], user,
    /// basis}`), or, where the item–item rows of some reactions are not here yet, [`RowsNeeded`]
    /// (`{missingItemItemShards}`: add them with [`Engine::add_item_item_shard`], then ask
    /// again). One call, so the history is read once per list when its rows are here.
    ///
    /// [`Recommendations`]: crate::recommender::Recommendations
    pub fn recommend(&self, request: JsValue) -> Promise {
        let recommender = self.recommender();
        future_to_promise(async move {
            let recommender = recommender?;
            let request: RecommendRequest = from_js("recommend", &request)?;
            let missing = recommender.shards_to_list(request.history.iter().map(|e| &*e.item.0));
            if !missing.is_empty() {
                return to_js(&RowsNeeded::of(&missing));
            }
            let (reactions, personal) = request.parts(recommender.text_dim()).map_err(js_error)?;
            let recs = recommender
                .recommend(&Request {
                    reactions: &reactions,
                    tastes: &request.tastes,
                    taste_texts: &request.taste_texts,
                    personal: personal.as_ref(),
                    count: request.count,
                    reasons: request.reasons,
                })
                .await
                .map_err(js_error)?;
            to_js(&recs)
        })
    }

    /// Personal fine-tuning: a [`FineTuneRequest`] (`{history, steps?, patience?}`).
    /// `on_progress` gets a [`FineTuneProgress`] after each step and returns `false` to stop.
    /// Resolves to [`FineTuned`] (`{residual, report}`); the residual is the best one seen. Or,
    /// where the history vectors come with the item–item shards and some reactions' are not
    /// here, to [`RowsNeeded`], as [`Engine::recommend`] does.
    ///
    /// [`FineTuneProgress`]: crate::fine_tune::FineTuneProgress
    #[wasm_bindgen(js_name = fineTune)]
    pub fn fine_tune(&self, request: JsValue, on_progress: Function) -> Promise {
        let recommender = self.recommender();
        future_to_promise(async move {
            let recommender = recommender?;
            let request: FineTuneRequest = from_js("fineTune", &request)?;
            let missing = recommender.shards_to_train(request.history.iter().map(|e| &*e.item.0));
            if !missing.is_empty() {
                return to_js(&RowsNeeded::of(&missing));
            }
            // A callback that throws stops the run and is the run's error (not a "cancel").
            let mut callback_error = None;
            let (personal, report) = recommender
                .fine_tune(
                    &request.reactions(),
                    &request.config(),
                    |progress| match to_js(progress)
                        .and_then(|p| on_progress.call1(&JsValue::NULL, &p))
                    {
                        Ok(answer) if answer.as_bool() == Some(false) => ControlFlow::Break(()),
                        Ok(_) => ControlFlow::Continue(()),
                        Err(error) => {
                            callback_error = Some(error);
                            ControlFlow::Break(())
                        }
                    },
                )
                .await
                .map_err(js_error)?;
            if let Some(error) = callback_error {
                return Err(error);
            }
            to_js(&FineTuned {
                residual: personal.residual,
                report,
            })
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

/// `change` on the value in `slot`, which must be loaded (else the error `absent`) and used by
/// no request under way (else `busy`): what adding rows to a loaded engine part needs.
fn between_requests<T, R>(
    slot: &RefCell<Option<Rc<T>>>,
    absent: &str,
    busy: &str,
    change: impl FnOnce(&mut T) -> crate::Result<R>,
) -> Result<R, JsValue> {
    let mut slot = slot.borrow_mut();
    let loaded = (slot.as_mut()).ok_or_else(|| js_error(Error::Input(absent.into())))?;
    let value = Rc::get_mut(loaded).ok_or_else(|| js_error(Error::Input(busy.into())))?;
    change(value).map_err(js_error)
}
