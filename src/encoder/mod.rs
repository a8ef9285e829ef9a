//! all-MiniLM-L6-v2 (any HF BERT sentence encoder) in Burn: text → unit-length vectors,
//! the same function as sentence-transformers, on whatever `Device` it is given.

pub mod adapter;
mod bert;
pub mod compact;
mod config;
mod embeddings;
mod gelu;
mod layer;
pub mod lora;
mod packed_linear;
mod pooling;
mod tokenize;
pub(crate) mod weights;
pub mod word_rows;

pub use adapter::{Adapter, AdapterError};
pub use bert::Bert;
pub use config::BertConfig;
pub use pooling::{l2_normalize, mean_pool_normalized};
pub use tokenize::{DEFAULT_MAX_LENGTH, TextTokenizer, TokenBatch, Tokens};
pub use word_rows::WordRows;

use burn::tensor::{Bool, Device, Int, Tensor, TensorData};

use crate::device;
use crate::error::{Error, Result};

/// How many texts of similar length run together on the CPU (see [`Encoder::embed_async`]).
/// With packed linear maps, 4 beat 8 by 1.10–1.20× on item texts at batch 32 (and tied on
/// 128-piece texts); 2, 16 and 32 were slower (Chromium, alternating builds).
const CPU_GROUP_SIZE: usize = 4;

pub struct Encoder {
    model: Bert,
    tokenizer: TextTokenizer,
    config: BertConfig,
    device: Device,
    /// Whether the linear maps run on packed weights ([`Encoder::pack_linears`]).
    packed: bool,
    /// The word table's rows, where they come by need (a site's model): looked up here, not
    /// in the network's embedding table, which stays empty.
    words: Option<WordRows>,
}

impl Encoder {
    /// Builds the encoder from the three model files' bytes (the page has bytes, not paths),
    /// truncating texts at sentence-transformers' 256 word pieces.
    pub fn from_bytes(
        config_json: &[u8],
        tokenizer_json: &[u8],
        safetensors: impl Into<Vec<u8>>,
        device: &Device,
    ) -> Result<Self> {
        Self::from_bytes_with_max_length(
            config_json,
            tokenizer_json,
            safetensors,
            device,
            DEFAULT_MAX_LENGTH,
        )
    }

    /// As [`Encoder::from_bytes`], truncating at `max_length` word pieces (at most the model's
    /// `max_position_embeddings`).
    pub fn from_bytes_with_max_length(
        config_json: &[u8],
        tokenizer_json: &[u8],
        safetensors: impl Into<Vec<u8>>,
        device: &Device,
        max_length: usize,
    ) -> Result<Self> {
        Self::build(
            config_json,
            tokenizer_json,
            safetensors.into(),
            None,
            device,
            max_length,
        )
    }

    /// As [`Encoder::from_bytes`], with a catalogue's adapter file merged into the weights
    /// (before the page's CPU packs them, so they are packed once).
    pub fn from_bytes_with_adapter(
        config_json: &[u8],
        tokenizer_json: &[u8],
        safetensors: impl Into<Vec<u8>>,
        adapter_safetensors: &[u8],
        device: &Device,
    ) -> Result<Self> {
        Self::build(
            config_json,
            tokenizer_json,
            safetensors.into(),
            Some(adapter_safetensors),
            device,
            DEFAULT_MAX_LENGTH,
        )
    }

    fn build(
        config_json: &[u8],
        tokenizer_json: &[u8],
        safetensors: Vec<u8>,
        adapter_safetensors: Option<&[u8]>,
        device: &Device,
        max_length: usize,
    ) -> Result<Self> {
        let config = BertConfig::from_json_bytes(config_json)?;
        if max_length > config.max_position_embeddings {
            return Err(Error::Input(format!(
                "max_length {max_length} exceeds the model's {} positions",
                config.max_position_embeddings
            )));
        }
        let tokenizer = TextTokenizer::from_bytes(tokenizer_json, max_length)?;
        if tokenizer.vocab_size() > config.vocab_size {
            return Err(Error::Config(format!(
                "the tokenizer has {} tokens but the model only {} embeddings",
                tokenizer.vocab_size(),
                config.vocab_size
            )));
        }
        let mut model = Bert::new(&config, device);
        let mut words = None;
        if compact::is_compact(&safetensors) {
            words = WordRows::declared_by(&safetensors, config.vocab_size, config.hidden_size)?;
            weights::load_compact(&mut model, &safetensors, words.is_some())?;
        } else {
            weights::load_safetensors(&mut model, safetensors)?;
        }
        let mut encoder = Self {
            model,
            tokenizer,
            config,
            device: device.clone(),
            packed: false,
            words,
        };
        if let Some(adapter) = adapter_safetensors {
            encoder.merge_adapter(adapter)?;
        }
        // The page's CPU backend has one thread and 4-lane SIMD: there packed weights are
        // faster. Natively it runs a multi-threaded gemm with wider vectors, which stays.
        if cfg!(target_family = "wasm") && *device == device::cpu() {
            encoder.pack_linears();
        }
        Ok(encoder)
    }

    /// Runs the network's linear maps on weights packed for a one-threaded CPU from now on
    /// (`PackedLinear`): what the page's CPU path does. Natively, for tests and measurements.
    /// The encoder must be on the CPU.
    pub fn pack_linears(&mut self) {
        assert!(
            self.device == device::cpu(),
            "packed linear maps run on the CPU only"
        );
        self.model.pack_linears();
        self.packed = true;
    }

    /// Merges a catalogue's adapter file ([`Adapter`]) into the weights: every text from now
    /// on goes through the adapted network, at the same cost. Returns what was merged.
    pub fn merge_adapter(&mut self, adapter_safetensors: &[u8]) -> Result<Adapter> {
        let adapter = Adapter::from_safetensors(adapter_safetensors, &self.config)?;
        self.model.merge_adapter(&adapter);
        if self.packed {
            // The packed copies were taken from the unadapted weights.
            self.model.pack_linears();
        }
        Ok(adapter)
    }

    /// Hidden states after the first `layers` layers, `[batch, seq, hidden]`: what adapter
    /// training caches once per item text.
    pub fn lower_states(&self, batch: &TokenBatch, layers: usize) -> Result<Tensor<3>> {
        let (x, padding, _) = self.embedded(batch)?;
        Ok(self.model.encoder.layers[..layers]
            .iter()
            .fold(x, |x, layer| {
                layer.forward_adapted(x, padding.clone(), None)
            }))
    }

    /// A copy of layers `first..` (unpacked) with the pooling: see [`lora::UpperLayers`].
    pub fn upper_layers(&self, first: usize) -> lora::UpperLayers {
        assert!(!self.packed, "adapters are trained on unpacked weights");
        lora::UpperLayers::new(self.model.encoder.layers[first..].to_vec())
    }

    /// How many shards the word table comes in (0: it came with the weights).
    pub fn word_shard_count(&self) -> usize {
        self.words.as_ref().map_or(0, WordRows::shard_count)
    }

    /// The word table's shards that embedding `texts` needs and that are not added yet
    /// (ascending; always empty when the table came with the weights).
    pub fn missing_word_shards(&self, texts: &[&str]) -> Result<Vec<usize>> {
        let Some(words) = &self.words else {
            return Ok(Vec::new());
        };
        let mut ids = vec![self.tokenizer.pad_id()];
        for text in texts {
            ids.extend(self.tokenizer.encode(text)?.ids);
        }
        Ok(words.missing(ids))
    }

    /// Adds one of the word table's shards (its file's bytes); returns its number. Refused
    /// (an error, nothing added) when the weights held the table, or the shard is another
    /// model's or damaged.
    pub fn add_word_shard(&mut self, shard_file: &[u8]) -> Result<usize> {
        let words = self.words.as_mut().ok_or_else(|| {
            Error::Input("this model's word embeddings came with its weights, not in shards".into())
        })?;
        words.add(shard_file)
    }

    pub fn config(&self) -> &BertConfig {
        &self.config
    }

    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Width of the sentence vectors (384 for MiniLM).
    pub fn dim(&self) -> usize {
        self.config.hidden_size
    }

    /// The last hidden states `[batch, seq, hidden]` of a padded batch.
    pub fn hidden_states(&self, batch: &TokenBatch) -> Result<Tensor<3>> {
        let (x, padding, _) = self.embedded(batch)?;
        Ok(self.model.encoder.forward(x, padding))
    }

    /// Sentence vectors `[batch, hidden]` of a padded batch, left on the device.
    pub fn embed_batch(&self, batch: &TokenBatch) -> Result<Tensor<2>> {
        let (x, padding, real) = self.embedded(batch)?;
        Ok(mean_pool_normalized(
            self.model.encoder.forward(x, padding),
            real,
        ))
    }

    /// Sentence vectors of `texts`, left on the device (`[texts.len(), hidden]`).
    pub fn embed_tensor(&self, texts: &[&str]) -> Result<Tensor<2>> {
        if texts.is_empty() {
            return Err(Error::Input("no texts to embed".into()));
        }
        self.embed_batch(&self.tokenizer.encode_batch(texts)?)
    }

    /// One unit-length vector per text. Synchronous read-back: native targets only; the page
    /// uses [`Encoder::embed_async`].
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let vectors = self.embed_tensor(texts)?;
        let data = vectors
            .try_into_data()
            .map_err(|e| Error::Compute(format!("{e:?}")))?;
        rows(data, self.dim())
    }

    /// One unit-length vector per text, read back asynchronously (required on WebGPU).
    pub async fn embed_async(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        if *self.device() == device::cpu() {
            // The page's CPU backend has one thread, so a bigger batch buys nothing and its
            // padding is pure waste: texts of similar length go together instead.
            return self.embed_many(texts, CPU_GROUP_SIZE, |_, _| {});
        }
        let vectors = self.embed_tensor(texts)?;
        let data = vectors
            .into_data_async()
            .await
            .map_err(|e| Error::Compute(format!("{e:?}")))?;
        rows(data, self.dim())
    }

    /// Embeds many texts in batches of `batch_size`, grouped by length so a batch pads little.
    /// Returns one row per text, in input order. `on_progress(done, total)` follows each batch.
    /// Synchronous read-back: the CPU anywhere, WebGPU natively only.
    pub fn embed_many(
        &self,
        texts: &[&str],
        batch_size: usize,
        on_progress: impl FnMut(usize, usize),
    ) -> Result<Vec<Vec<f32>>> {
        let mut out = vec![Vec::new(); texts.len()];
        for (i, row) in self.embed_shard(texts, batch_size, (0, 1), on_progress)? {
            out[i] = row;
        }
        Ok(out)
    }

    /// Shard `i` of `n` of [`Encoder::embed_many`]'s work: its batches (texts ordered longest
    /// first, `batch_size` a batch) split into `n` runs, and run `i` embedded, as `(index in
    /// texts, vector)`. Each batch is the one the whole run makes, so every vector is bit for
    /// bit the whole run's: shards on several machines merge into the same file as one process.
    /// `on_progress(done, total)` counts this shard's texts.
    pub fn embed_shard(
        &self,
        texts: &[&str],
        batch_size: usize,
        (i, n): (usize, usize),
        mut on_progress: impl FnMut(usize, usize),
    ) -> Result<Vec<(usize, Vec<f32>)>> {
        if n == 0 || i >= n {
            return Err(Error::Input(format!(
                "shard {i} of {n}: expected 0 ≤ i < n"
            )));
        }
        let tokens = texts
            .iter()
            .map(|t| self.tokenizer.encode(t))
            .collect::<Result<Vec<_>>>()?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(tokens[i].ids.len()));
        let batches: Vec<&[usize]> = order.chunks(batch_size.max(1)).collect();
        let mine = &batches[i * batches.len() / n..(i + 1) * batches.len() / n];
        let total = mine.iter().map(|b| b.len()).sum();
        let mut out = Vec::with_capacity(total);
        for batch in mine {
            let group: Vec<Tokens> = batch.iter().map(|&i| tokens[i].clone()).collect();
            let vectors = self.embed_batch(&self.tokenizer.pad(&group))?;
            let data = vectors
                .try_into_data()
                .map_err(|e| Error::Compute(format!("{e:?}")))?;
            out.extend(batch.iter().copied().zip(rows(data, self.dim())?));
            on_progress(out.len(), total);
        }
        Ok(out)
    }

    /// The network's input `[batch, seq, hidden]` (the embeddings layer's output), padding
    /// mask (true = padding) and real-token mask (1.0 / 0.0). Where the word table comes by
    /// need, its rows are looked up here: an error names the shards a token's row is in if
    /// they are not added yet.
    fn embedded(&self, batch: &TokenBatch) -> Result<(Tensor<3>, Tensor<2, Bool>, Tensor<2>)> {
        let shape = [batch.batch, batch.seq_len];
        let int_tensor = |values: &[u32]| {
            let values: Vec<i32> = values.iter().map(|&v| v as i32).collect();
            Tensor::<2, Int>::from_data(TensorData::new(values, shape), &self.device)
        };
        let type_ids = int_tensor(&batch.type_ids);
        let x = match &self.words {
            None => self
                .model
                .embeddings
                .forward(int_tensor(&batch.ids), type_ids),
            Some(words) => {
                let rows = TensorData::new(
                    words.gather(&batch.ids)?,
                    [batch.batch, batch.seq_len, self.dim()],
                );
                let rows = Tensor::<3>::from_data(rows, &self.device);
                self.model.embeddings.forward_words(rows, type_ids)
            }
        };
        let mask = int_tensor(&batch.attention_mask);
        Ok((x, mask.clone().equal_elem(0), mask.float()))
    }
}

/// Splits a `[n, dim]` f32 read-back into rows.
fn rows(data: TensorData, dim: usize) -> Result<Vec<Vec<f32>>> {
    let flat = data
        .try_into_vec::<f32>()
        .map_err(|e| Error::Compute(format!("unexpected embedding data: {e:?}")))?;
    Ok(flat.chunks_exact(dim).map(<[f32]>::to_vec).collect())
}
