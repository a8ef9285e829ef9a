//! The item–item table split for the page, so that a person downloads the rows of the items
//! they reacted to and no others: [`split_into_shards`] cuts the rows into shards of about
//! `shard_bytes` each, by item range, and writes
//!
//! * an index (safetensors): `shard_starts` (u32, shards + 1: shard `k` holds rows
//!   `shard_starts[k]..shard_starts[k + 1]`), `popularity_counts` when the table has them (a new
//!   person's list needs them, and no rows), and the mix and provenance in the metadata, as a
//!   whole table's file has them;
//! * one file per shard: its rows in the whole table's CSR tensors (`offsets` from 0,
//!   `target_steps`, `weights`, `weights.scale`, and `shares`, `shares.scale` where the table
//!   has co-occurrence shares, which the index then says in `co_occurrence_shares`), with
//!   `first_row` and `items` (the catalogue's size) in the metadata; and, where the split is
//!   given them, a vector per row
//!   ([`RowVectors`]: the head's history vectors, which a list also reads only for a person's
//!   own reactions), so that a reaction's one fetch brings all it needs.
//!
//! [`load_item_item`](super::load_item_item) reads an index as a table with no rows yet;
//! [`ItemItem::add_shard`] adds a shard's rows as they arrive, and a history whose rows are not
//! all here is refused ([`ItemItem::require_rows`]), never scored without them.

use std::collections::HashMap;
use std::ops::Range;

use safetensors::{Dtype, SafeTensors};

use super::store::{
    COUNTS, Owned, WeightPrecision, decode_rows, encode_rows, read_counts, read_mix, serialize,
    tensor,
};
use super::{ItemItem, check_rows};
use crate::bytes;
use crate::error::{Error, Result};
use crate::int8;
use crate::interactions::Entry;

const SHARD_STARTS: &str = "shard_starts";
const FIRST_ROW: &str = "first_row";
const ITEMS: &str = "items";
/// In an index's metadata ("true"): every shard carries co-occurrence shares.
const HAS_SHARES: &str = "co_occurrence_shares";
/// The per-row vectors a shard may carry (int8, with `row_vectors.scale`).
const ROW_VECTORS: &str = "row_vectors";
/// An index naming more items than this is refused (its table would not fit a page anyway):
/// the row offsets are allocated from the number it states.
const MAX_ITEMS: usize = 1 << 24;

/// Where a table is split, and which of its shards are here.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Shards {
    /// Shard `k` holds rows `starts[k]..starts[k + 1]`; from 0 to the item count, ascending.
    starts: Vec<usize>,
    here: Vec<bool>,
}

impl Shards {
    /// The shard that holds `row`.
    fn of(&self, row: usize) -> usize {
        // The last shard starting at or before `row` (an empty shard shares its start).
        self.starts.partition_point(|&start| start <= row) - 1
    }

    fn rows(&self, shard: usize) -> Range<usize> {
        self.starts[shard]..self.starts[shard + 1]
    }
}

/// A vector per row of a table's items, row-major (`rows × dim` values), that its shards carry
/// beside the rows (see the module's documentation); from a shard, those of its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct RowVectors {
    pub first_row: usize,
    pub dim: usize,
    pub values: Vec<f32>,
}

impl RowVectors {
    pub fn rows(&self) -> Range<usize> {
        self.first_row..self.first_row + self.values.len() / self.dim.max(1)
    }
}

/// A table as the page downloads it: the index, then each shard's file with its rows.
pub struct Split {
    pub index: Vec<u8>,
    pub shards: Vec<(Range<usize>, Vec<u8>)>,
}

/// Splits a whole `table` into shards of about `shard_bytes` each (at least one row a shard),
/// the weights stored at `precision`; each shard carries its rows' `vectors` where given (one
/// per item, from row 0), in int8 with a scale per row.
pub fn split_into_shards(
    table: &ItemItem,
    shard_bytes: usize,
    precision: WeightPrecision,
    vectors: Option<&RowVectors>,
) -> Result<Split> {
    if table.shards.is_some() {
        return Err(Error::Input(
            "the item–item table is already split into shards".into(),
        ));
    }
    if let Some(vectors) = vectors
        && (vectors.first_row != 0 || vectors.rows().end != table.n_items || vectors.dim == 0)
    {
        return Err(Error::Input(format!(
            "the vectors a shard carries must be one per item: {} rows from {} for {} items",
            vectors.rows().len(),
            vectors.first_row,
            table.n_items
        )));
    }
    let step = if table.n_items <= 1 << 16 { 2 } else { 4 };
    let weight = match precision {
        WeightPrecision::F16 => 2,
        WeightPrecision::Int8 => 1,
    };
    // A row's bytes in its shard: its entries, its offset and its scale, and its vector.
    let vector_bytes = vectors.map_or(0, |v| v.dim + 4);
    let row_bytes = |row: usize| {
        (table.offsets[row + 1] - table.offsets[row]) * (step + weight) + 8 + vector_bytes
    };
    let mut starts = vec![0];
    let mut filled = 0;
    for row in 0..table.n_items {
        if filled >= shard_bytes.max(1) {
            starts.push(row);
            filled = 0;
        }
        filled += row_bytes(row);
    }
    starts.push(table.n_items);

    let mut shards = Vec::with_capacity(starts.len() - 1);
    for rows in starts.windows(2).map(|w| w[0]..w[1]) {
        let mut tensors = encode_rows(
            &table.offsets[rows.start..=rows.end],
            &table.targets,
            &table.weights,
            table.shares.as_deref(),
            table.n_items,
            precision,
        );
        if let Some(vectors) = vectors {
            let own = &vectors.values[rows.start * vectors.dim..rows.end * vectors.dim];
            let (quantised, scales) = int8::quantise_rows(own, vectors.dim);
            tensors.push(Owned {
                name: ROW_VECTORS.into(),
                dtype: Dtype::I8,
                shape: vec![rows.len(), vectors.dim],
                data: quantised,
            });
            tensors.push(Owned {
                name: format!("{ROW_VECTORS}{}", int8::SCALE_SUFFIX),
                dtype: Dtype::F32,
                shape: vec![rows.len()],
                data: scales,
            });
        }
        let metadata = [
            (FIRST_ROW.to_string(), rows.start.to_string()),
            (ITEMS.to_string(), table.n_items.to_string()),
        ]
        .into();
        shards.push((rows, serialize(&tensors, metadata)?));
    }
    let mut tensors = vec![Owned::u32s(SHARD_STARTS, starts.iter().map(|&s| s as u32))];
    if !table.counts.is_empty() {
        tensors.push(Owned::u32s(COUNTS, table.counts.iter().copied()));
    }
    let mut metadata = table.metadata();
    if table.has_shares() {
        metadata.insert(HAS_SHARES.into(), "true".into());
    }
    let index = serialize(&tensors, metadata)?;
    Ok(Split { index, shards })
}

/// Whether `file` is a split table's index (not a whole table).
pub(super) fn is_index(file: &SafeTensors) -> bool {
    file.names().contains(&SHARD_STARTS)
}

/// A table from its index: every row empty and no shard here yet.
pub(super) fn load_index(file: &SafeTensors, bytes: &[u8]) -> Result<ItemItem> {
    let bad = |why: String| Error::Weights(format!("item–item index: {why}"));
    let starts: Vec<usize> = bytes::u32s(
        tensor(file, SHARD_STARTS, &[Dtype::U32])
            .map_err(bad)?
            .data(),
    )
    .into_iter()
    .map(|s| s as usize)
    .collect();
    if starts.len() < 2 || starts[0] != 0 || starts.windows(2).any(|w| w[0] > w[1]) {
        return Err(bad(format!(
            "{SHARD_STARTS} must ascend from 0 over at least one shard"
        )));
    }
    let n_items = *starts.last().expect("at least two");
    if n_items > MAX_ITEMS {
        return Err(bad(format!("{n_items} items, more than {MAX_ITEMS}")));
    }
    let (mix, mut info) = read_mix(bytes).map_err(bad)?;
    let has_shares = info.remove(HAS_SHARES).is_some_and(|flag| flag == "true");
    let here = vec![false; starts.len() - 1];
    let table = ItemItem {
        n_items,
        offsets: vec![0; n_items + 1],
        targets: Vec::new(),
        weights: Vec::new(),
        shares: has_shares.then(Vec::new),
        counts: Vec::new(),
        prior: Vec::new(),
        mix,
        info,
        shards: Some(Shards { starts, here }),
    };
    table.validate()?;
    match read_counts(file).map_err(bad)? {
        None => Ok(table),
        Some(counts) => table.with_counts(counts).map_err(|e| bad(e.to_string())),
    }
}

/// A shard's file as read, with its metadata (`first_row`, `items`).
struct ShardFile<'a> {
    file: SafeTensors<'a>,
    metadata: HashMap<String, String>,
}

impl<'a> ShardFile<'a> {
    fn read(bytes: &'a [u8]) -> std::result::Result<Self, String> {
        let file = SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?;
        let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| e.to_string())?;
        let metadata = metadata.metadata().clone().unwrap_or_default();
        Ok(Self { file, metadata })
    }

    fn number(&self, key: &str) -> std::result::Result<usize, String> {
        (self.metadata.get(key))
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| format!("no {key} in the file's metadata"))
    }
}

/// The vectors a shard carries for its rows ([`split_into_shards`]'s `vectors`), or `None` if
/// it carries none. A damaged shard, or one whose vectors are not one per row, is an error.
pub fn shard_row_vectors(bytes: &[u8]) -> Result<Option<RowVectors>> {
    let bad = |why: String| Error::Weights(format!("item–item shard: {why}"));
    let shard = ShardFile::read(bytes).map_err(bad)?;
    if !shard.file.names().contains(&ROW_VECTORS) {
        return Ok(None);
    }
    let (values, [rows, dim]) = int8::read_matrix(&shard.file, ROW_VECTORS).map_err(bad)?;
    let first_row = shard.number(FIRST_ROW).map_err(bad)?;
    let offsets = tensor(&shard.file, "offsets", &[Dtype::U32]).map_err(bad)?;
    if first_row.checked_add(rows).is_none() {
        return Err(bad(format!("{FIRST_ROW} {first_row} is past any table")));
    }
    if offsets.shape() != [rows + 1] || dim == 0 {
        return Err(bad(format!(
            "{ROW_VECTORS} is {rows} × {dim}, its rows' offsets {:?}",
            offsets.shape()
        )));
    }
    Ok(Some(RowVectors {
        first_row,
        dim,
        values,
    }))
}

impl ItemItem {
    /// How many shards the table was read in (0: it was read whole).
    pub fn shard_count(&self) -> usize {
        self.shards.as_ref().map_or(0, |s| s.here.len())
    }

    /// The shards (by number, ascending, once each) that hold rows of `rows` and are not here.
    pub fn missing_shards(&self, rows: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let Some(shards) = &self.shards else {
            return Vec::new();
        };
        let mut missing: Vec<usize> = rows
            .into_iter()
            .filter(|&row| row < self.n_items)
            .map(|row| shards.of(row))
            .filter(|&shard| !shards.here[shard])
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// An error unless the rows of every catalogue item in `history` are here: a list without
    /// some reaction's rows would look right and be wrong.
    pub fn require_rows(&self, history: &[Entry]) -> Result<()> {
        let missing = self.missing_shards(history.iter().map(|e| e.row));
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::Input(format!(
            "the item–item rows of some reactions are not here yet (shards {missing:?}): add them \
             before recommending"
        )))
    }

    /// Adds a shard's rows (a file of [`split_into_shards`]) to a table read from its index;
    /// returns the shard's number. A shard already here is left as it is. A shard of another
    /// table (other rows, another catalogue size) or a damaged one is refused.
    pub fn add_shard(&mut self, bytes: &[u8]) -> Result<usize> {
        let bad = |why: String| Error::Weights(format!("item–item shard: {why}"));
        let Some(shards) = &self.shards else {
            return Err(Error::Input(
                "the item–item table is whole: it has no shards to add".into(),
            ));
        };
        let shard = ShardFile::read(bytes).map_err(bad)?;
        let (first, items) = (
            shard.number(FIRST_ROW).map_err(bad)?,
            shard.number(ITEMS).map_err(bad)?,
        );
        if items != self.n_items {
            return Err(bad(format!(
                "it is of a table of {items} items, this one has {}",
                self.n_items
            )));
        }
        let decoded = decode_rows(&shard.file).map_err(bad)?;
        let (offsets, targets, weights) = (decoded.offsets, decoded.targets, decoded.weights);
        let shares = decoded.shares;
        if shares.is_some() != self.has_shares() {
            return Err(bad(match self.has_shares() {
                true => "it has no co-occurrence shares, and the table's shards have".into(),
                false => "it has co-occurrence shares, and the table's shards have none".into(),
            }));
        }
        let end = (first.checked_add(offsets.len() - 1))
            .ok_or_else(|| bad(format!("{FIRST_ROW} {first} is past any table")))?;
        let rows = first..end;
        let shard = (0..shards.here.len())
            .find(|&k| shards.rows(k) == rows)
            .ok_or_else(|| bad(format!("rows {rows:?} are not a shard of this table")))?;
        if shards.here[shard] {
            return Ok(shard);
        }
        check_rows(&offsets, &targets, &weights, first, self.n_items).map_err(bad)?;
        if let Some(shares) = &shares {
            super::check_shares(shares).map_err(bad)?;
        }

        // The rows before the shard, the shard's, the rows after: CSR stays one array.
        let (before, after) = (self.offsets[rows.start], self.offsets[rows.end]);
        let added = targets.len();
        let merged = |old: &[f32], new: &[f32]| [&old[..before], new, &old[after..]].concat();
        let merged_targets = [&self.targets[..before], &targets, &self.targets[after..]].concat();
        let merged_weights = merged(&self.weights, &weights);
        if let (Some(old), Some(new)) = (&self.shares, &shares) {
            self.shares = Some(merged(old, new));
        }
        // An absent shard's rows are empty, so every offset after it moves by `added`.
        for (row, offset) in offsets.iter().enumerate().skip(1) {
            self.offsets[rows.start + row] = before + offset;
        }
        for offset in &mut self.offsets[rows.end + 1..] {
            *offset += added;
        }
        self.targets = merged_targets;
        self.weights = merged_weights;
        self.shards.as_mut().expect("checked above").here[shard] = true;
        Ok(shard)
    }
}

#[cfg(test)]
mod tests;
