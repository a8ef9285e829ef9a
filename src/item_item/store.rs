//! The item–item table as safetensors bytes (the page downloads it; the CLI writes it): CSR in
//! three tensors, `offsets` (u32, `items + 1`), `targets` (u16 when the catalogue has at most
//! 65,536 items, else u32) and `weights` (f16), with the mix and provenance in the metadata.

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use super::{ItemItem, Mix};
use crate::error::{Error, Result};

const MIX_KEY: &str = "item_item_mix";

pub fn save_item_item(table: &ItemItem) -> Result<Vec<u8>> {
    let bad = |e: safetensors::SafeTensorError| Error::Weights(format!("item–item table: {e}"));
    let offsets: Vec<u8> = table
        .offsets
        .iter()
        .flat_map(|&o| (o as u32).to_le_bytes())
        .collect();
    let (target_type, targets): (Dtype, Vec<u8>) = if table.n_items <= 1 << 16 {
        let bytes = table.targets.iter().flat_map(|&t| (t as u16).to_le_bytes());
        (Dtype::U16, bytes.collect())
    } else {
        (
            Dtype::U32,
            table.targets.iter().flat_map(|t| t.to_le_bytes()).collect(),
        )
    };
    let weights: Vec<u8> = table
        .weights
        .iter()
        .flat_map(|&w| burn::tensor::f16::from_f32(w).to_le_bytes())
        .collect();
    let nnz = table.targets.len();
    let mut metadata = table.info.clone();
    metadata.insert(
        MIX_KEY.into(),
        serde_json::to_string(&table.mix).expect("plain struct"),
    );
    safetensors::serialize(
        [
            (
                "offsets",
                TensorView::new(Dtype::U32, vec![table.n_items + 1], &offsets).map_err(bad)?,
            ),
            (
                "targets",
                TensorView::new(target_type, vec![nnz], &targets).map_err(bad)?,
            ),
            (
                "weights",
                TensorView::new(Dtype::F16, vec![nnz], &weights).map_err(bad)?,
            ),
        ],
        Some(metadata),
    )
    .map_err(bad)
}

pub fn load_item_item(bytes: &[u8]) -> Result<ItemItem> {
    let bad = |why: String| Error::Weights(format!("item–item file: {why}"));
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    let tensor = |name: &str, dtypes: &[Dtype]| {
        let t = file.tensor(name).map_err(|e| bad(e.to_string()))?;
        if !dtypes.contains(&t.dtype()) {
            return Err(bad(format!(
                "{name} is {:?}, expected {dtypes:?}",
                t.dtype()
            )));
        }
        if t.shape().len() != 1 {
            return Err(bad(format!(
                "{name} has shape {:?}, expected 1-d",
                t.shape()
            )));
        }
        Ok(t)
    };
    let offsets = tensor("offsets", &[Dtype::U32])?;
    let targets = tensor("targets", &[Dtype::U16, Dtype::U32])?;
    let weights = tensor("weights", &[Dtype::F16])?;
    let n_items = offsets.shape()[0]
        .checked_sub(1)
        .ok_or_else(|| bad("offsets is empty".into()))?;
    if targets.shape()[0] != weights.shape()[0] {
        return Err(bad(format!(
            "{} targets but {} weights",
            targets.shape()[0],
            weights.shape()[0]
        )));
    }
    let u32s = |data: &[u8]| -> Vec<u32> {
        data.chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };
    let offsets: Vec<usize> = u32s(offsets.data())
        .into_iter()
        .map(|o| o as usize)
        .collect();
    let targets: Vec<u32> = match targets.dtype() {
        Dtype::U16 => targets
            .data()
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as u32)
            .collect(),
        _ => u32s(targets.data()),
    };
    let weights: Vec<f32> = weights
        .data()
        .chunks_exact(2)
        .map(|b| burn::tensor::f16::from_le_bytes([b[0], b[1]]).to_f32())
        .collect();
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
    let mut info: HashMap<String, String> = metadata.metadata().clone().unwrap_or_default();
    let mix: Mix = info
        .remove(MIX_KEY)
        .ok_or_else(|| bad(format!("no {MIX_KEY} in the file's metadata")))
        .and_then(|json| serde_json::from_str(&json).map_err(|e| bad(format!("{MIX_KEY}: {e}"))))?;
    let table = ItemItem {
        n_items,
        offsets,
        targets,
        weights,
        mix,
        info,
    };
    table.validate()?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_exact_and_damage_is_named() {
        let mut table = ItemItem::from_rows(
            vec![vec![(1, 0.123_456), (2, -0.5)], vec![], vec![(0, 3e-5)]],
            Mix::rating_slope(4.0, 0.5),
        )
        .unwrap();
        table.info.insert("dataset".into(), "tiny".into());
        let bytes = save_item_item(&table).unwrap();
        assert_eq!(load_item_item(&bytes).unwrap(), table);

        let error = |bytes: &[u8]| load_item_item(bytes).unwrap_err().to_string();
        assert!(error(&bytes[..bytes.len() - 3]).contains("item–item file"));
        assert!(error(b"not a file").contains("item–item file"));
        // A foreign safetensors file (the item vectors' format) names what is missing.
        let foreign = crate::item_vectors::ItemVectors::from_rows(vec![vec![1.0]], HashMap::new())
            .unwrap()
            .to_safetensors()
            .unwrap();
        assert!(error(&foreign).contains("offsets"), "{}", error(&foreign));
    }
}
