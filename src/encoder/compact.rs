//! The encoder's weights in a compact form for the page's download: the word embeddings (half
//! the parameters) as 4-bit NF4 with a scale per 64 values ([`crate::nf4`]), every other
//! matrix (the linear layers, the position and type embeddings) as int8 with one f32 scale per
//! row ([`crate::int8`]: per output channel for a linear layer, per token for a table), and the
//! vectors (biases, LayerNorm) as they are. 86.7 MB of f32 become about 17 MB. It is
//! dequantised when it is loaded (Burn computes in float), so everything after loading is the
//! same code as for the f32 file.
//!
//! The file is safetensors with the metadata key `localrec_weights = "int8-per-row+nf4-words"`
//! (files of `"int8-per-row"`, whose word embeddings are int8 too, still load). Word embeddings
//! that no text reaches (BERT's reserved `[unusedN]` entries,
//! [`TextTokenizer::unreachable_reserved_ids`](super::TextTokenizer::unreachable_reserved_ids))
//! are stored as zeros, which compress to nothing.

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use crate::bytes::f32s;
use crate::error::{Error, Result};
use crate::int8::{SCALE_SUFFIX, quantise_rows, read_matrix};
use crate::nf4;

pub(crate) const FORMAT_KEY: &str = "localrec_weights";
/// What [`compact`] writes.
const INT8_NF4_WORDS: &str = "int8-per-row+nf4-words";
/// Every matrix int8, word embeddings included (files written before NF4).
const INT8_PER_ROW: &str = "int8-per-row";

/// Word embedding table of a BERT checkpoint (with or without a `bert.` prefix).
pub(crate) const WORD_EMBEDDINGS: &str = "word_embeddings.weight";

/// Writes `f32_safetensors` (a BERT checkpoint) in the compact form, with the word embeddings
/// of `unreachable_tokens` as zeros.
pub fn compact(f32_safetensors: &[u8], unreachable_tokens: &[u32]) -> Result<Vec<u8>> {
    let bad = |why: String| Error::Weights(format!("cannot compact the weights: {why}"));
    let file = SafeTensors::deserialize(f32_safetensors).map_err(|e| bad(e.to_string()))?;
    let mut tensors: Vec<Owned> = Vec::new();
    for (name, view) in file.tensors() {
        if name.ends_with(SCALE_SUFFIX) {
            return Err(bad(format!("a tensor is already named {name}")));
        }
        let shape = view.shape().to_vec();
        match (view.dtype(), &shape[..]) {
            (Dtype::F32, &[rows, cols]) if rows > 0 && cols > 0 => {
                let mut values = f32s(view.data());
                if name.ends_with(WORD_EMBEDDINGS) {
                    for &token in unreachable_tokens {
                        let token = token as usize;
                        if token >= rows {
                            return Err(bad(format!("token {token} is outside {name}")));
                        }
                        values[token * cols..(token + 1) * cols].fill(0.0);
                    }
                }
                if name.ends_with(WORD_EMBEDDINGS) && nf4::fits(cols) {
                    let (codes, scales) = nf4::quantise(&values, cols);
                    let scale_shape = vec![rows, cols / nf4::GROUP];
                    tensors.push((
                        format!("{name}{SCALE_SUFFIX}"),
                        Dtype::F32,
                        scale_shape,
                        scales,
                    ));
                    tensors.push((name, Dtype::U8, vec![rows, cols / 2], codes));
                    continue;
                }
                let (quantised, scales) = quantise_rows(&values, cols);
                tensors.push((
                    format!("{name}{SCALE_SUFFIX}"),
                    Dtype::F32,
                    vec![rows],
                    scales,
                ));
                tensors.push((name, Dtype::I8, shape, quantised));
            }
            (dtype, _) => tensors.push((name, dtype, shape, view.data().to_vec())),
        }
    }
    let metadata = HashMap::from([(FORMAT_KEY.to_string(), INT8_NF4_WORDS.to_string())]);
    serialize(&tensors, Some(metadata)).map_err(bad)
}

/// One tensor to write: name, type, shape, little-endian bytes.
type Owned = (String, Dtype, Vec<usize>, Vec<u8>);

fn serialize(
    tensors: &[Owned],
    metadata: Option<HashMap<String, String>>,
) -> std::result::Result<Vec<u8>, String> {
    let views = tensors
        .iter()
        .map(|(name, dtype, shape, data)| {
            TensorView::new(*dtype, shape.clone(), data)
                .map(|view| (name.clone(), view))
                .map_err(|e| e.to_string())
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    crate::bytes::serialize_sorted(views, metadata).map_err(|e| e.to_string())
}

/// Whether `bytes` is a compact weights file (by its metadata).
pub fn is_compact(bytes: &[u8]) -> bool {
    SafeTensors::read_metadata(bytes)
        .ok()
        .and_then(|(_, metadata)| metadata.metadata().clone())
        .is_some_and(|m| {
            matches!(
                m.get(FORMAT_KEY).map(String::as_str),
                Some(INT8_PER_ROW | INT8_NF4_WORDS)
            )
        })
}

/// A compact file back as f32 safetensors, every tensor under its original name (tensors that
/// were not int8 or NF4 keep their type); a file that is not compact is returned as it is. Mismatched
/// scales, non-finite scales and stray scale tensors are errors that name the tensor.
pub fn expand(bytes: Vec<u8>) -> Result<Vec<u8>> {
    if !is_compact(&bytes) {
        return Ok(bytes);
    }
    let bad = |why: String| Error::Weights(format!("compact weights: {why}"));
    let tensors: Vec<Owned> = tensors(&bytes)?
        .into_iter()
        .map(|(name, tensor)| match tensor {
            Tensor::Values { values, shape } => {
                let mut data = Vec::with_capacity(values.len() * 4);
                for value in values {
                    data.extend_from_slice(&value.to_le_bytes());
                }
                (name, Dtype::F32, shape, data)
            }
            Tensor::AsStored { dtype, shape, data } => (name, dtype, shape, data),
        })
        .collect();
    serialize(&tensors, None).map_err(bad)
}

/// One tensor of a compact file, read.
pub enum Tensor {
    /// An int8 or NF4 matrix dequantised, or an f32 tensor.
    Values { values: Vec<f32>, shape: Vec<usize> },
    /// Any other tensor (buffers the encoder ignores, such as position ids), as stored.
    AsStored {
        dtype: Dtype,
        shape: Vec<usize>,
        data: Vec<u8>,
    },
}

/// Every tensor of a compact file by its original name, the int8 and NF4 matrices dequantised:
/// what the encoder loads (without writing an f32 file first) and what [`expand`] writes.
pub fn tensors(bytes: &[u8]) -> Result<Vec<(String, Tensor)>> {
    let bad = |why: String| Error::Weights(format!("compact weights: {why}"));
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    let mut tensors = Vec::new();
    for (name, view) in file.tensors() {
        if let Some(matrix) = name.strip_suffix(SCALE_SUFFIX) {
            match file.tensor(matrix) {
                // Read with its matrix.
                Ok(m) if matches!(m.dtype(), Dtype::I8 | Dtype::U8) => continue,
                _ => return Err(bad(format!("{name} scales no int8 or NF4 matrix"))),
            }
        }
        let shape = view.shape().to_vec();
        let tensor = match view.dtype() {
            Dtype::I8 => {
                let (values, _) = read_matrix(&file, &name).map_err(bad)?;
                Tensor::Values { values, shape }
            }
            Dtype::U8 => {
                let (values, [rows, cols]) = nf4::read_matrix(&file, &name).map_err(bad)?;
                Tensor::Values {
                    values,
                    shape: vec![rows, cols],
                }
            }
            Dtype::F32 => Tensor::Values {
                values: f32s(view.data()),
                shape,
            },
            dtype => Tensor::AsStored {
                dtype,
                shape,
                data: view.data().to_vec(),
            },
        };
        tensors.push((name, tensor));
    }
    Ok(tensors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Vec<u8> {
        let matrix: Vec<u8> = [0.5f32, -1.0, 0.25, 0.0, 0.0, 0.0, 3.0, 1.5, -0.75]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let bias: Vec<u8> = [0.1f32, 0.2, 0.3]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        safetensors::serialize(
            [
                (
                    "w",
                    TensorView::new(Dtype::F32, vec![3, 3], &matrix).unwrap(),
                ),
                ("b", TensorView::new(Dtype::F32, vec![3], &bias).unwrap()),
            ],
            None,
        )
        .unwrap()
    }

    #[test]
    fn round_trips_within_half_a_step_per_row() {
        let small = compact(&checkpoint(), &[]).unwrap();
        assert!(is_compact(&small) && !is_compact(&checkpoint()));
        let back = expand(small).unwrap();
        let back = SafeTensors::deserialize(&back).unwrap();
        let w = f32s(back.tensor("w").unwrap().data());
        let original = [0.5f32, -1.0, 0.25, 0.0, 0.0, 0.0, 3.0, 1.5, -0.75];
        for (row, (a, b)) in w.chunks(3).zip(original.chunks(3)).enumerate() {
            let step = b.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() <= step / 2.0 + 1e-7, "row {row}: {x} vs {y}");
            }
        }
        assert_eq!(w[3..6], [0.0, 0.0, 0.0], "an all-zero row stays zero");
        assert_eq!(f32s(back.tensor("b").unwrap().data()), [0.1, 0.2, 0.3]);
        // A file that is not compact passes through untouched.
        assert_eq!(expand(checkpoint()).unwrap(), checkpoint());
    }

    #[test]
    fn broken_compact_files_are_named() {
        let small = compact(&checkpoint(), &[]).unwrap();
        let file = SafeTensors::deserialize(&small).unwrap();
        let metadata = HashMap::from([(FORMAT_KEY.to_string(), INT8_PER_ROW.to_string())]);
        let without_scale: Vec<_> = file
            .tensors()
            .into_iter()
            .filter(|(n, _)| n != "w.scale")
            .collect();
        let broken = safetensors::serialize(without_scale, Some(metadata.clone())).unwrap();
        let error = expand(broken).unwrap_err().to_string();
        assert!(error.contains("w has no w.scale"), "{error}");

        let nan: Vec<u8> = [f32::NAN, 1.0, 1.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut tensors: Vec<_> = file
            .tensors()
            .into_iter()
            .filter(|(n, _)| n != "w.scale")
            .collect();
        tensors.push((
            "w.scale".into(),
            TensorView::new(Dtype::F32, vec![3], &nan).unwrap(),
        ));
        let error = expand(safetensors::serialize(tensors, Some(metadata)).unwrap())
            .unwrap_err()
            .to_string();
        assert!(error.contains("non-finite"), "{error}");
    }
}
