//! Loading Hugging Face BERT weights (safetensors bytes) into [`Bert`].
//!
//! burn-store parses the file and the PyTorch adapter transposes linear weights and renames
//! LayerNorm's weight/bias to gamma/beta; this module only maps HF's tensor names onto ours and
//! turns every disagreement between file and config into an error that names the tensor.

use burn::store::{
    ApplyResult, KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore, bridge,
};
use burn::tensor::TensorData;

use super::bert::Bert;
use super::compact::{self, Tensor};
use crate::error::{Error, Result};

/// HF name pattern → our module path. Applied in order; `$1` is the layer index.
const KEY_MAP: &[(&str, &str)] = &[
    // Checkpoints saved from `BertForX` carry a `bert.` prefix; sentence-transformers' do not.
    (r"^bert\.", ""),
    (r"^embeddings\.LayerNorm\.", "embeddings.layer_norm."),
    (
        r"^encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.",
        "encoder.layers.$1.mha.$2.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.",
        "encoder.layers.$1.mha.output.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.",
        "encoder.layers.$1.norm_1.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.intermediate\.dense\.",
        "encoder.layers.$1.pwff.linear_inner.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.output\.dense\.",
        "encoder.layers.$1.pwff.linear_outer.",
    ),
    (
        r"^encoder\.layer\.(\d+)\.output\.LayerNorm\.",
        "encoder.layers.$1.norm_2.",
    ),
];

/// The module's word embedding table.
const WORD_TABLE: &str = "embeddings.word_embeddings.weight";

/// Tensors a sentence-transformers checkpoint carries that the encoder does not use:
/// the classification pooler and the constant position-id buffer.
fn is_expected_unused(name: &str) -> bool {
    name.starts_with("pooler.") || name.ends_with("position_ids")
}

/// Loads safetensors `bytes` into `model`. Every parameter of the model must be present with
/// the right shape, and every transformer tensor of the file must be used (a file with more
/// layers than the config is as wrong as one with fewer).
pub fn load_safetensors(model: &mut Bert, bytes: Vec<u8>) -> Result<()> {
    let mut store = KEY_MAP
        .iter()
        .fold(
            SafetensorsStore::from_bytes(Some(bytes)),
            |store, (from, to)| store.with_key_remapping(*from, *to),
        )
        .with_from_adapter(PyTorchToBurnAdapter)
        // We report missing, unused and mis-shaped tensors ourselves, all at once and by name.
        .allow_partial(true)
        .validate(false);

    let result = model
        .load_from(&mut store)
        .map_err(|e| Error::Weights(format!("cannot read safetensors: {e}")))?;

    check_applied(&result, is_expected_unused)
}

/// Loads a compact (int8) file into `model`: each matrix is dequantised straight into the
/// tensor data Burn takes, with the same names, adapter and checks as [`load_safetensors`]
/// (writing it out as an f32 file first cost the page three more copies of 91 MB).
/// `words_by_need`: the file declares its word table comes in shards ([`super::word_rows`]);
/// the module's table is then left unloaded (the encoder never reads it).
pub fn load_compact(model: &mut Bert, bytes: &[u8], words_by_need: bool) -> Result<()> {
    let bad = |why: String| Error::Weights(format!("compact weights: {why}"));
    let mut tensors = Vec::new();
    for (name, tensor) in compact::tensors(bytes)? {
        match tensor {
            Tensor::Values { values, shape } => {
                tensors.push(bridge::from_data(
                    TensorData::new(values, shape),
                    name,
                    None,
                ));
            }
            // The position-id buffer: nothing of the encoder reads it.
            Tensor::AsStored { .. } if is_expected_unused(&name) => {}
            Tensor::AsStored { dtype, .. } => {
                return Err(bad(format!("{name} is {dtype:?}, expected int8 or f32")));
            }
        }
    }
    let remapper = KEY_MAP
        .iter()
        .try_fold(KeyRemapper::new(), |remapper, (from, to)| {
            remapper
                .add_pattern(*from, *to)
                .map_err(|e| bad(e.to_string()))
        })?;
    let (tensors, _) = remapper.remap(tensors);
    let mut result = model.apply(tensors, None, Some(Box::new(PyTorchToBurnAdapter)), false);
    if words_by_need {
        result.missing.retain(|(path, _)| path != WORD_TABLE);
    }
    check_applied(&result, is_expected_unused)
}

/// Turns burn-store's report into one error that names every missing, mis-shaped and unused
/// tensor (the first few, and how many more), or `Ok` when the file fit the module exactly.
pub(crate) fn check_applied(
    result: &ApplyResult,
    expected_unused: impl Fn(&str) -> bool,
) -> Result<()> {
    let mut problems: Vec<String> = Vec::new();
    problems.extend(result.errors.iter().map(|e| e.to_string()));
    problems.extend(
        result
            .missing
            .iter()
            .map(|(path, _)| format!("missing tensor '{path}'")),
    );
    problems.extend(
        result
            .unused
            .iter()
            .filter(|name| !expected_unused(name))
            .map(|name| format!("tensor '{name}' has no place in a model of this config")),
    );
    if problems.is_empty() {
        Ok(())
    } else {
        const SHOWN: usize = 8;
        let more = problems.len().saturating_sub(SHOWN);
        let mut message = problems
            .into_iter()
            .take(SHOWN)
            .collect::<Vec<_>>()
            .join("; ");
        if more > 0 {
            message.push_str(&format!("; and {more} more"));
        }
        Err(Error::Weights(format!(
            "weights do not match the config: {message}"
        )))
    }
}
