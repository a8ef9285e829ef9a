//! The head's item table as a page's file (`item_table.safetensors`, written by `build-site`):
//! each item's candidate vector, bias and history vector, precomputed so that a first list
//! needs no text vectors. Two layouts, both marked `content = item_table` in the metadata:
//!
//! * **whole**: an item-matrix file (as the text vectors are) of `[items, 2·dim + 1]` in int8
//!   with a scale per row;
//! * **candidates**: for a catalogue whose item–item shards carry the history vectors, only
//!   what every list ranks: `vectors` `[items, dim]` in NF4 with a scale per 64 values (int8
//!   with a scale per row where `dim` is not whole groups of 64) and `bias` in f32.
//!
//! On anime-5k's validation users (`localrec eval`, the table rounded as stored), NF4 candidate
//! vectors cost the hybrid 0.0001 of NDCG@10 (0.5686 → 0.5685; the head alone 0.3433 → 0.3373):
//! a catalogue has the candidates layout only with an item–item table. At 100,000 items of
//! dimension 64 the table is then 4.0 MB before the first list instead of 13.3.

use std::collections::HashMap;

use burn::tensor::{Device, Tensor, TensorData};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::bytes::{f32s, serialize_sorted};
use crate::error::{Error, Result};
use crate::head::ItemTable;
use crate::item_vectors::ItemVectors;
use crate::{int8, nf4};

/// Metadata that marks an item table file.
const CONTENT_KEY: &str = "content";
const CONTENT: &str = "item_table";
/// The candidates layout's tensors.
const VECTORS: &str = "vectors";
const BIAS: &str = "bias";

/// The whole table's file: `rows` of `2·dim + 1` (candidate vector, bias, history vector).
pub fn write_whole(rows: Vec<Vec<f32>>, dim: usize) -> Result<Vec<u8>> {
    ItemVectors::from_rows(rows, metadata(dim))?.to_safetensors_int8()
}

/// The candidates layout's file: `vectors` (`items × dim`, row-major) and `bias` (one per item).
pub fn write_candidates(vectors: &[f32], bias: &[f32], dim: usize) -> Result<Vec<u8>> {
    let bad = |e: safetensors::SafeTensorError| Error::Input(format!("item table: {e}"));
    let rows = bias.len();
    let scale_name = format!("{VECTORS}{}", int8::SCALE_SUFFIX);
    // NF4 where the width is whole groups of 64, else int8 with a scale per row.
    let (dtype, shape, scale_shape, (codes, scales)) = if nf4::fits(dim) {
        (
            Dtype::U8,
            vec![rows, dim / 2],
            vec![rows, dim / nf4::GROUP],
            nf4::quantise(vectors, dim),
        )
    } else {
        (
            Dtype::I8,
            vec![rows, dim],
            vec![rows],
            int8::quantise_rows(vectors, dim),
        )
    };
    let bias_bytes: Vec<u8> = bias.iter().flat_map(|b| b.to_le_bytes()).collect();
    let views = [
        (
            VECTORS.to_string(),
            TensorView::new(dtype, shape, &codes).map_err(bad)?,
        ),
        (
            scale_name,
            TensorView::new(Dtype::F32, scale_shape, &scales).map_err(bad)?,
        ),
        (
            BIAS.to_string(),
            TensorView::new(Dtype::F32, vec![rows], &bias_bytes).map_err(bad)?,
        ),
    ];
    serialize_sorted(views, Some(metadata(dim))).map_err(bad)
}

fn metadata(dim: usize) -> HashMap<String, String> {
    HashMap::from([
        (CONTENT_KEY.to_string(), CONTENT.to_string()),
        ("dim".to_string(), dim.to_string()),
    ])
}

/// An item table file read for a head of width `dim` over `items` items: the table, and whether
/// its history vectors come with the item–item shards (the candidates layout: zero until then).
pub fn read(bytes: &[u8], items: usize, dim: usize, device: &Device) -> Result<(ItemTable, bool)> {
    let bad = |why: String| Error::Weights(format!("item table file: {why}"));
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    if !file.names().contains(&BIAS) {
        let table = ItemVectors::from_safetensors(bytes)?;
        check_content(Some(&table.provenance))?;
        let whole = 2 * dim + 1;
        if (table.rows, table.dim) != (items, whole) {
            return Err(mismatch(items, whole, table.rows, table.dim));
        }
        let table = ItemTable::from_outputs(table.into_tensor(device), dim);
        return Ok((table, false));
    }
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
    check_content(metadata.metadata().as_ref())?;
    let (vectors, [rows, width]) = match file.tensor(VECTORS).map(|t| t.dtype()) {
        Ok(Dtype::U8) => nf4::read_matrix(&file, VECTORS),
        _ => int8::read_matrix(&file, VECTORS),
    }
    .map_err(bad)?;
    let bias = file.tensor(BIAS).map_err(|e| bad(e.to_string()))?;
    if bias.dtype() != Dtype::F32 || bias.shape() != [rows] {
        return Err(bad(format!(
            "{BIAS} must be F32 [{rows}], found {:?} {:?}",
            bias.dtype(),
            bias.shape()
        )));
    }
    let bias = f32s(bias.data());
    if bias.iter().any(|b| !b.is_finite()) {
        return Err(bad(format!("{BIAS} has a non-finite value")));
    }
    if (rows, width) != (items, dim) {
        return Err(mismatch(items, dim, rows, width));
    }
    let vectors = Tensor::from_data(TensorData::new(vectors, [rows, dim]), device);
    let bias = Tensor::from_data(TensorData::new(bias, [rows]), device);
    Ok((ItemTable::from_candidates(vectors, bias), true))
}

fn check_content(metadata: Option<&HashMap<String, String>>) -> Result<()> {
    match metadata
        .and_then(|m| m.get(CONTENT_KEY))
        .map(String::as_str)
    {
        Some(CONTENT) => Ok(()),
        _ => Err(Error::Input(
            "the item table file is not an item table".into(),
        )),
    }
}

/// The error for a table of `rows × width` where the catalogue and head need `items × wanted`.
fn mismatch(items: usize, wanted: usize, rows: usize, width: usize) -> Error {
    Error::Input(format!(
        "the catalogue and its head need an item table of {items} rows of {wanted}, this one has \
         {rows} of {width}: they come from different catalogues"
    ))
}
