//! The items' text vectors: one encoder vector per catalogue row, computed once (`localrec
//! embed-catalog`) and loaded by the head and the page. Stored as safetensors (one tensor
//! `item_vectors` of shape `[items, dim]`), with the fingerprint of what it encodes (see
//! [`crate::fingerprint`]: the model's hash and digest in the metadata, each row's item key in a
//! tensor `item_keys`), in one of three precisions: f16 as written by `embed-catalog` (unit vectors
//! lose nothing a ranking sees; training and evaluation read this), int8 with a scale per row as
//! `build-site` writes it for the page (a quarter of f32; see [`crate::int8`]), or f32.

use std::collections::HashMap;

use burn::tensor::f16;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use crate::error::{Error, Result};
use crate::fingerprint::{Fingerprint, ITEM_KEY_BYTES, ItemKey};
use crate::{bytes, int8};

const TENSOR_NAME: &str = "item_vectors";
const KEYS_NAME: &str = "item_keys";
/// Metadata of the fingerprint: the model part, and the digest of the whole.
const MODEL_KEY: &str = "model_sha256";
const DIGEST_KEY: &str = "encodes";

#[derive(Debug, Clone, PartialEq)]
pub struct ItemVectors {
    pub rows: usize,
    pub dim: usize,
    /// Row-major `[rows, dim]`.
    pub data: Vec<f32>,
    /// What produced the vectors (the fingerprint's model part and digest, the model's name).
    pub provenance: HashMap<String, String>,
    /// Each row's item key (see [`crate::fingerprint`]), where the file keeps them: the
    /// folder's files do, the page's int8 copy keeps only the digest.
    pub item_keys: Option<Vec<ItemKey>>,
}

impl ItemVectors {
    pub fn from_rows(rows: Vec<Vec<f32>>, provenance: HashMap<String, String>) -> Result<Self> {
        let dim = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != dim) {
            return Err(Error::Input("item vectors of different widths".into()));
        }
        Ok(Self {
            rows: rows.len(),
            dim,
            data: rows.concat(),
            provenance,
            item_keys: None,
        })
    }

    /// The vectors marked as encoding exactly `fingerprint` (one key per row).
    pub fn with_fingerprint(mut self, fingerprint: &Fingerprint) -> Result<Self> {
        if fingerprint.items.len() != self.rows {
            return Err(Error::Input(format!(
                "{} item keys for {} item vectors",
                fingerprint.items.len(),
                self.rows
            )));
        }
        self.provenance
            .insert(MODEL_KEY.into(), fingerprint.model.clone());
        self.provenance
            .insert(DIGEST_KEY.into(), fingerprint.digest());
        self.item_keys = Some(fingerprint.items.clone());
        Ok(self)
    }

    /// What the vectors encode, if the file says in full (older files do not: they are stale).
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        let fingerprint = Fingerprint {
            model: self.provenance.get(MODEL_KEY)?.clone(),
            items: self.item_keys.clone()?,
        };
        (self.provenance.get(DIGEST_KEY) == Some(&fingerprint.digest())).then_some(fingerprint)
    }

    /// The digest of what the vectors encode, as the file states it (the page's copy too).
    pub fn digest(&self) -> Option<&str> {
        self.provenance.get(DIGEST_KEY).map(String::as_str)
    }

    /// The matrix as a `[rows, dim]` tensor on `device`.
    pub fn into_tensor(self, device: &burn::tensor::Device) -> burn::tensor::Tensor<2> {
        burn::tensor::Tensor::from_data(
            burn::tensor::TensorData::new(self.data, [self.rows, self.dim]),
            device,
        )
    }

    pub fn row(&self, row: usize) -> &[f32] {
        &self.data[row * self.dim..(row + 1) * self.dim]
    }

    /// The file in f32.
    pub fn to_safetensors(&self) -> Result<Vec<u8>> {
        let bytes: Vec<u8> = self.data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.serialize(Dtype::F32, &bytes)
    }

    /// The file in f16 (each value rounded to the nearest f16).
    pub fn to_safetensors_f16(&self) -> Result<Vec<u8>> {
        let bytes: Vec<u8> = self
            .data
            .iter()
            .flat_map(|&v| f16::from_f32(v).to_le_bytes())
            .collect();
        self.serialize(Dtype::F16, &bytes)
    }

    /// The file in int8 with one scale per row (each value within half its row's step).
    pub fn to_safetensors_int8(&self) -> Result<Vec<u8>> {
        let (quantised, scales) = int8::quantise_rows(&self.data, self.dim.max(1));
        let scale_name = format!("{TENSOR_NAME}{}", int8::SCALE_SUFFIX);
        let bad = |e: safetensors::SafeTensorError| Error::Input(format!("item vectors: {e}"));
        let views = [
            (
                TENSOR_NAME.to_string(),
                TensorView::new(Dtype::I8, vec![self.rows, self.dim], &quantised).map_err(bad)?,
            ),
            (
                scale_name,
                TensorView::new(Dtype::F32, vec![self.rows], &scales).map_err(bad)?,
            ),
        ];
        crate::bytes::serialize_sorted(views, Some(self.provenance.clone())).map_err(bad)
    }

    fn serialize(&self, dtype: Dtype, bytes: &[u8]) -> Result<Vec<u8>> {
        let bad = |e: safetensors::SafeTensorError| Error::Input(format!("item vectors: {e}"));
        let keys = self.item_keys.as_ref().map(|keys| keys.concat());
        let mut views = vec![(
            TENSOR_NAME,
            TensorView::new(dtype, vec![self.rows, self.dim], bytes).map_err(bad)?,
        )];
        if let Some(keys) = &keys {
            let shape = vec![self.rows, ITEM_KEY_BYTES];
            views.push((
                KEYS_NAME,
                TensorView::new(Dtype::U8, shape, keys).map_err(bad)?,
            ));
        }
        crate::bytes::serialize_sorted(views, Some(self.provenance.clone())).map_err(bad)
    }

    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let bad = |why: String| Error::Weights(format!("item vectors file: {why}"));
        let file = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
        let tensor = file.tensor(TENSOR_NAME).map_err(|e| bad(e.to_string()))?;
        let [rows, dim] = tensor.shape()[..] else {
            return Err(bad(format!(
                "expected a 2-d tensor, found shape {:?}",
                tensor.shape()
            )));
        };
        let data = match tensor.dtype() {
            Dtype::F32 => bytes::f32s(tensor.data()),
            Dtype::F16 => bytes::f16s(tensor.data()),
            Dtype::I8 => int8::read_matrix(&file, TENSOR_NAME).map_err(bad)?.0,
            other => return Err(bad(format!("expected f16, int8 or f32, found {other:?}"))),
        };
        let provenance = file_metadata(bytes)?;
        let item_keys = match file.tensor(KEYS_NAME) {
            Err(_) => None,
            Ok(keys) if keys.dtype() == Dtype::U8 && keys.shape() == [rows, ITEM_KEY_BYTES] => {
                Some(
                    keys.data()
                        .chunks_exact(ITEM_KEY_BYTES)
                        .map(|key| key.try_into().expect("chunks of the key's size"))
                        .collect(),
                )
            }
            Ok(keys) => {
                return Err(bad(format!(
                    "{KEYS_NAME} should be u8 [{rows}, {ITEM_KEY_BYTES}], found {:?} {:?}",
                    keys.dtype(),
                    keys.shape()
                )));
            }
        };
        Ok(Self {
            rows,
            dim,
            data,
            provenance,
            item_keys,
        })
    }
}

fn file_metadata(bytes: &[u8]) -> Result<HashMap<String, String>> {
    let (_, metadata) = SafeTensors::read_metadata(bytes)
        .map_err(|e| Error::Weights(format!("item vectors file: {e}")))?;
    Ok(metadata.metadata().clone().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_safetensors() {
        let provenance = HashMap::from([("model".to_string(), "abc".to_string())]);
        let vectors = ItemVectors::from_rows(
            vec![vec![1.0, -2.5], vec![0.25, 3.0], vec![0.0, 1e-7]],
            provenance,
        )
        .unwrap();
        let back = ItemVectors::from_safetensors(&vectors.to_safetensors().unwrap()).unwrap();
        assert_eq!(back, vectors);
        assert_eq!(back.row(1), [0.25, 3.0]);
        // f16: half the bytes, each value the nearest f16.
        let half = ItemVectors::from_safetensors(&vectors.to_safetensors_f16().unwrap()).unwrap();
        assert_eq!(half.row(1), [0.25, 3.0]);
        assert!((half.row(2)[1] - 1e-7).abs() < 3e-8 && half.row(0) == [1.0, -2.5]); // f16 subnormal step 6e-8
        // int8: each value within half of its row's step (max |v| / 127), the largest exact.
        let quarter =
            ItemVectors::from_safetensors(&vectors.to_safetensors_int8().unwrap()).unwrap();
        assert_eq!(quarter.provenance, vectors.provenance);
        for (a, b) in quarter.data.chunks(2).zip(vectors.data.chunks(2)) {
            let step = b.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
            assert!(
                a.iter().zip(b).all(|(x, y)| (x - y).abs() <= step / 2.0),
                "{a:?} {b:?}"
            );
        }
        assert_eq!(quarter.row(1)[1], 3.0);
        let wide = ItemVectors::from_rows(vec![vec![0.1; 384]; 50], HashMap::new()).unwrap();
        let sizes = [
            wide.to_safetensors_int8().unwrap().len(),
            wide.to_safetensors_f16().unwrap().len(),
            wide.to_safetensors().unwrap().len(),
        ];
        assert!(sizes[0] < sizes[1] && sizes[1] < sizes[2], "{sizes:?}");
    }

    #[test]
    fn keeps_what_it_encodes() {
        let items = [("1", "Tiramisu."), ("2", "Phở bò.")];
        let fingerprint = crate::fingerprint::what_vectors_encode("model", items);
        let vectors = ItemVectors::from_rows(vec![vec![1.0, 0.0], vec![0.0, 1.0]], HashMap::new())
            .unwrap()
            .with_fingerprint(&fingerprint)
            .unwrap();
        for file in [vectors.to_safetensors(), vectors.to_safetensors_f16()] {
            let back = ItemVectors::from_safetensors(&file.unwrap()).unwrap();
            assert_eq!(back.fingerprint(), Some(fingerprint.clone()));
        }
        // The page's copy states the digest only; a file without keys encodes nothing known.
        let page = ItemVectors::from_safetensors(&vectors.to_safetensors_int8().unwrap()).unwrap();
        assert_eq!(page.digest(), Some(fingerprint.digest().as_str()));
        assert_eq!(page.fingerprint(), None);
        // Keys that disagree with the stated digest are not believed.
        let mut forged = vectors.clone();
        forged.item_keys.as_mut().unwrap().swap(0, 1);
        assert_eq!(forged.fingerprint(), None);
        assert!(
            vectors
                .clone()
                .with_fingerprint(&crate::fingerprint::what_vectors_encode(
                    "m",
                    items[..1].iter().copied()
                ))
                .is_err()
        );
    }

    #[test]
    fn rejects_garbage_and_ragged_rows() {
        assert!(ItemVectors::from_safetensors(b"nope").is_err());
        // An int8 matrix without its scales is named.
        let vectors = ItemVectors::from_rows(vec![vec![1.0, 2.0]], HashMap::new()).unwrap();
        let file = vectors.to_safetensors_int8().unwrap();
        let parsed = SafeTensors::deserialize(&file).unwrap();
        let matrix = parsed.tensor(TENSOR_NAME).unwrap();
        let unscaled = safetensors::serialize([(TENSOR_NAME, matrix)], None).unwrap();
        let error = ItemVectors::from_safetensors(&unscaled)
            .unwrap_err()
            .to_string();
        assert!(error.contains("has no item_vectors.scale"), "{error}");
        assert!(ItemVectors::from_rows(vec![vec![1.0], vec![1.0, 2.0]], HashMap::new()).is_err());
    }
}
