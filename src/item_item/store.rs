//! The item–item table as safetensors bytes (the page downloads it; the CLI writes it): CSR in
//! three tensors, with the mix and provenance in the metadata:
//!
//! * `offsets` (u32, `items + 1`);
//! * `target_steps` (u16 when the catalogue has at most 65,536 items, else u32): targets ascend
//!   within a row, so each row stores its first target, then the step to each next one (small
//!   numbers, which compress to about 80% of the targets themselves). Files written before
//!   this stored the targets as `targets`; both are read;
//! * `weights`: f16 (the CLI's file, what evaluation reads), or int8 with one f32 scale per row
//!   in `weights.scale` (`build-site`'s copy for the page: with the steps, anime-5k's table is
//!   1.25 MB as brotli instead of 2.06, NDCG@10 unchanged within 0.001);
//! * `shares` (optional; f16, or int8 with `shares.scale`, as the weights): beside each weight,
//!   the row item's co-occurrence share of the target (see [`ItemItem::with_shares`]);
//! * `popularity_counts` (u32, `items`; optional): how many public lists each item is on, the
//!   popularity prior of a new person's list (see [`super::Stage`]).

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use super::{ItemItem, Mix};
use crate::error::{Error, Result};
use crate::{bytes, int8};

const MIX_KEY: &str = "item_item_mix";
const STEPS: &str = "target_steps";
const ABSOLUTE_TARGETS: &str = "targets";
const SHARES: &str = "shares";
pub(super) const COUNTS: &str = "popularity_counts";

/// How [`save_item_item`] stores the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightPrecision {
    /// f16: the table in memory equals the file.
    F16,
    /// int8 with one scale per row: each weight within half of its row's step (max |w| / 127).
    Int8,
}

/// One tensor of a file being written (owned: the views borrow these).
pub(super) struct Owned {
    pub name: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub data: Vec<u8>,
}

impl Owned {
    pub fn u32s(name: &str, values: impl IntoIterator<Item = u32>) -> Self {
        let data: Vec<u8> = values.into_iter().flat_map(u32::to_le_bytes).collect();
        Self {
            name: name.into(),
            dtype: Dtype::U32,
            shape: vec![data.len() / 4],
            data,
        }
    }
}

/// `tensors` and `metadata` as safetensors bytes, keys sorted (the same table, the same bytes).
pub(super) fn serialize(tensors: &[Owned], metadata: HashMap<String, String>) -> Result<Vec<u8>> {
    let bad = |e: safetensors::SafeTensorError| Error::Weights(format!("item–item table: {e}"));
    let views = tensors
        .iter()
        .map(|t| {
            let view = TensorView::new(t.dtype, t.shape.clone(), &t.data).map_err(bad)?;
            Ok((t.name.clone(), view))
        })
        .collect::<Result<Vec<_>>>()?;
    crate::bytes::serialize_sorted(views, Some(metadata)).map_err(bad)
}

/// Rows in CSR form, as a file stores them: `offsets` (u32, rows + 1, from 0), `target_steps`
/// and `weights` (with `weights.scale` for int8), and `shares` where given (likewise).
/// `n_items` (the catalogue's) picks the steps' width, so every file of one table reads alike.
pub(super) fn encode_rows(
    offsets: &[usize],
    targets: &[u32],
    weights: &[f32],
    shares: Option<&[f32]>,
    n_items: usize,
    precision: WeightPrecision,
) -> Vec<Owned> {
    let base = offsets.first().copied().unwrap_or(0);
    let steps: Vec<u32> = offsets
        .windows(2)
        .flat_map(|row| {
            let targets = &targets[row[0]..row[1]];
            targets
                .iter()
                .enumerate()
                .map(|(i, &t)| if i == 0 { t } else { t - targets[i - 1] })
        })
        .collect();
    let nnz = steps.len();
    let (step_type, steps): (Dtype, Vec<u8>) = if n_items <= 1 << 16 {
        let bytes = steps.iter().flat_map(|&t| (t as u16).to_le_bytes());
        (Dtype::U16, bytes.collect())
    } else {
        (
            Dtype::U32,
            steps.iter().flat_map(|t| t.to_le_bytes()).collect(),
        )
    };
    let mut tensors = vec![
        Owned::u32s("offsets", offsets.iter().map(|&o| (o - base) as u32)),
        Owned {
            name: STEPS.into(),
            dtype: step_type,
            shape: vec![nnz],
            data: steps,
        },
    ];
    let values = [("weights", Some(weights)), (SHARES, shares)];
    for (name, values) in values {
        if let Some(values) = values {
            tensors.extend(encode_values(
                name,
                &values[base..base + nnz],
                offsets,
                precision,
            ));
        }
    }
    tensors
}

/// One value per entry (`values`, of the rows `offsets` delimit, from its first) as `name`:
/// f16, or int8 with one scale per row in `name.scale`.
fn encode_values(
    name: &str,
    values: &[f32],
    offsets: &[usize],
    precision: WeightPrecision,
) -> Vec<Owned> {
    let base = offsets.first().copied().unwrap_or(0);
    match precision {
        WeightPrecision::F16 => vec![Owned {
            name: name.into(),
            dtype: Dtype::F16,
            shape: vec![values.len()],
            data: values
                .iter()
                .flat_map(|&w| burn::tensor::f16::from_f32(w).to_le_bytes())
                .collect(),
        }],
        WeightPrecision::Int8 => {
            let (mut quantised, mut scales) = (Vec::new(), Vec::new());
            for row in offsets.windows(2) {
                let scale =
                    int8::quantise_row(&values[row[0] - base..row[1] - base], &mut quantised);
                scales.extend(scale.to_le_bytes());
            }
            vec![
                Owned {
                    name: name.into(),
                    dtype: Dtype::I8,
                    shape: vec![values.len()],
                    data: quantised,
                },
                Owned {
                    name: format!("{name}{}", int8::SCALE_SUFFIX),
                    dtype: Dtype::F32,
                    shape: vec![offsets.len().saturating_sub(1)],
                    data: scales,
                },
            ]
        }
    }
}

pub fn save_item_item(table: &ItemItem, precision: WeightPrecision) -> Result<Vec<u8>> {
    if table.shards.is_some() {
        return Err(Error::Input(
            "the item–item table is split into shards: only a whole table is saved as one file"
                .into(),
        ));
    }
    let mut tensors = encode_rows(
        &table.offsets,
        &table.targets,
        &table.weights,
        table.shares.as_deref(),
        table.n_items,
        precision,
    );
    if !table.counts.is_empty() {
        tensors.push(Owned::u32s(COUNTS, table.counts.iter().copied()));
    }
    serialize(&tensors, table.metadata())
}

/// A 1-d tensor of `file` in one of `dtypes`, or why not.
pub(super) fn tensor<'a>(
    file: &'a SafeTensors,
    name: &str,
    dtypes: &[Dtype],
) -> std::result::Result<TensorView<'a>, String> {
    let t = file.tensor(name).map_err(|e| e.to_string())?;
    if !dtypes.contains(&t.dtype()) {
        return Err(format!("{name} is {:?}, expected {dtypes:?}", t.dtype()));
    }
    if t.shape().len() != 1 {
        return Err(format!("{name} has shape {:?}, expected 1-d", t.shape()));
    }
    Ok(t)
}

/// Rows in CSR form, read back from [`encode_rows`]'s tensors, offsets from 0. Only the CSR's
/// shape is checked here; what the rows say is checked by [`check_rows`](super::check_rows).
pub(super) struct Rows {
    pub offsets: Vec<usize>,
    pub targets: Vec<u32>,
    pub weights: Vec<f32>,
    pub shares: Option<Vec<f32>>,
}

pub(super) fn decode_rows(file: &SafeTensors) -> std::result::Result<Rows, String> {
    let has = |name: &str| file.names().contains(&name);
    let offsets = tensor(file, "offsets", &[Dtype::U32])?;
    let stepped = has(STEPS);
    let targets = tensor(
        file,
        if stepped { STEPS } else { ABSOLUTE_TARGETS },
        &[Dtype::U16, Dtype::U32],
    )?;
    if offsets.shape()[0] == 0 {
        return Err("offsets is empty".into());
    }
    let nnz = targets.shape()[0];
    let offsets: Vec<usize> = bytes::u32s(offsets.data())
        .into_iter()
        .map(|o| o as usize)
        .collect();
    // Rows are decoded by their offsets, so these must hold before anything else is read.
    if offsets.first() != Some(&0)
        || offsets.last() != Some(&nnz)
        || offsets.windows(2).any(|w| w[0] > w[1])
    {
        return Err("offsets do not ascend from 0 to the entry count".into());
    }
    let mut targets: Vec<u32> = match targets.dtype() {
        Dtype::U16 => targets
            .data()
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as u32)
            .collect(),
        _ => bytes::u32s(targets.data()),
    };
    if stepped {
        for row in offsets.windows(2) {
            for i in row[0] + 1..row[1] {
                targets[i] = targets[i]
                    .checked_add(targets[i - 1])
                    .ok_or_else(|| "a target step overflows".to_string())?;
            }
        }
    }
    let weights = decode_values(file, "weights", &offsets)?;
    let shares = (has(SHARES))
        .then(|| decode_values(file, SHARES, &offsets))
        .transpose()?;
    Ok(Rows {
        offsets,
        targets,
        weights,
        shares,
    })
}

/// [`encode_values`]' tensor `name` read back: one value per entry of the rows `offsets`
/// delimit.
fn decode_values(
    file: &SafeTensors,
    name: &str,
    offsets: &[usize],
) -> std::result::Result<Vec<f32>, String> {
    let values = tensor(file, name, &[Dtype::F16, Dtype::I8])?;
    let entries = offsets.last().copied().unwrap_or(0);
    if values.shape()[0] != entries {
        return Err(format!(
            "{entries} targets but {} {name}",
            values.shape()[0]
        ));
    }
    if values.dtype() == Dtype::F16 {
        return Ok(bytes::f16s(values.data()));
    }
    let scale_name = format!("{name}{}", int8::SCALE_SUFFIX);
    let scales = tensor(file, &scale_name, &[Dtype::F32])
        .map_err(|_| format!("int8 {name} need {scale_name}, F32 [rows]"))?;
    let scales = bytes::f32s(scales.data());
    if scales.len() != offsets.len() - 1 || scales.iter().any(|s| !s.is_finite()) {
        return Err(format!("{scale_name} must hold one finite scale per row"));
    }
    let quantised = values.data();
    Ok((offsets.windows(2).zip(&scales))
        .flat_map(|(row, &scale)| {
            quantised[row[0]..row[1]]
                .iter()
                .map(move |&q| q as i8 as f32 * scale)
        })
        .collect())
}

/// The mix (from [`MIX_KEY`]) and the rest of the metadata (provenance).
pub(super) fn read_mix(
    bytes: &[u8],
) -> std::result::Result<(Mix, HashMap<String, String>), String> {
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| e.to_string())?;
    let mut info: HashMap<String, String> = metadata.metadata().clone().unwrap_or_default();
    let mix: Mix = info
        .remove(MIX_KEY)
        .ok_or_else(|| format!("no {MIX_KEY} in the file's metadata"))
        .and_then(|json| serde_json::from_str(&json).map_err(|e| format!("{MIX_KEY}: {e}")))?;
    Ok((mix, info))
}

/// The popularity counts of `file`, if it has them.
pub(super) fn read_counts(file: &SafeTensors) -> std::result::Result<Option<Vec<u32>>, String> {
    if !file.names().contains(&COUNTS) {
        return Ok(None);
    }
    Ok(Some(bytes::u32s(
        tensor(file, COUNTS, &[Dtype::U32])?.data(),
    )))
}

impl ItemItem {
    /// What a file's metadata holds: the provenance and the mix.
    pub(super) fn metadata(&self) -> HashMap<String, String> {
        let mut metadata = self.info.clone();
        metadata.insert(
            MIX_KEY.into(),
            serde_json::to_string(&self.mix).expect("plain struct"),
        );
        metadata
    }
}

/// A whole table ([`save_item_item`]'s file), or the index of a table split into shards
/// (see [`super::shards`]: its rows are added as they arrive).
pub fn load_item_item(bytes: &[u8]) -> Result<ItemItem> {
    let bad = |why: String| Error::Weights(format!("item–item file: {why}"));
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    if super::shards::is_index(&file) {
        return super::shards::load_index(&file, bytes);
    }
    let rows = decode_rows(&file).map_err(bad)?;
    let (mix, info) = read_mix(bytes).map_err(bad)?;
    let table = ItemItem {
        n_items: rows.offsets.len() - 1,
        offsets: rows.offsets,
        targets: rows.targets,
        weights: rows.weights,
        shares: rows.shares,
        counts: Vec::new(),
        prior: Vec::new(),
        mix,
        info,
        shards: None,
    };
    table.validate()?;
    match read_counts(&file).map_err(bad)? {
        None => Ok(table),
        Some(counts) => table.with_counts(counts).map_err(|e| bad(e.to_string())),
    }
}

#[cfg(test)]
mod tests;
