//! The parts of a sharded item–item fit, as safetensors files: one range of items' co-occurrence
//! candidates ([`Cooccurrence`]), or one range of items' columns ([`ColumnPart`]). A task on
//! any machine writes one; a merge reads them all, checks that they tile the catalogue, and
//! goes on exactly as one process would (the values are stored as they are computed, f64 and
//! f32, so a sharded fit is byte-identical to one process's).

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use super::cooccurrence::{Cooccurrence, CountConfig, ShareRows};
use super::solve::Column;
use crate::bytes;
use crate::error::{Error, Result};

const KIND: &str = "kind";
const FIRST: &str = "first";
const ITEMS: &str = "items";
const CONFIG: &str = "config";
const SHARE_OFFSETS: &str = "share_offsets";
const SHARE_TARGETS: &str = "share_targets";
const SHARES: &str = "shares";

/// The columns of items `first..first + columns.len()` of an `n_items` catalogue, and the same
/// items' rows of co-occurrence shares.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPart {
    pub n_items: usize,
    pub first: usize,
    pub columns: Vec<Column>,
    pub shares: ShareRows,
}

impl ColumnPart {
    /// Parts in item order as one catalogue's columns and share rows.
    pub fn concatenate(parts: Vec<ColumnPart>) -> Result<(Vec<Column>, ShareRows)> {
        let n_items = parts.first().map_or(0, |p| p.n_items);
        let mut columns: Vec<Column> = Vec::new();
        let mut shares: ShareRows = Vec::new();
        for part in parts {
            if part.shares.len() != part.columns.len() {
                return Err(Error::Input(format!(
                    "a part of columns for items {}.. has {} columns but {} share rows",
                    part.first,
                    part.columns.len(),
                    part.shares.len()
                )));
            }
            if part.first != columns.len() || part.n_items != n_items {
                return Err(Error::Input(format!(
                    "a part of columns for items {}.. of {} does not follow items 0..{} of {n_items}",
                    part.first,
                    part.n_items,
                    columns.len()
                )));
            }
            columns.extend(part.columns);
            shares.extend(part.shares);
        }
        if columns.len() != n_items {
            return Err(Error::Input(format!(
                "the parts hold the columns of {} of {n_items} items",
                columns.len()
            )));
        }
        Ok((columns, shares))
    }
}

pub fn save_counts(counts: &Cooccurrence) -> Result<Vec<u8>> {
    let rows: Vec<&[(u32, u32)]> = counts.rows.iter().map(|r| r.as_slice()).collect();
    let items = rows.iter().flat_map(|r| r.iter().map(|&(j, _)| j));
    let pairs = rows.iter().flat_map(|r| r.iter().map(|&(_, g)| g));
    let tensors = [
        (
            "offsets",
            u32_bytes(offsets(rows.iter().map(|r| r.len()))?),
            Dtype::U32,
        ),
        ("candidates", u32_bytes(items), Dtype::U32),
        ("pair_counts", u32_bytes(pairs), Dtype::U32),
        (
            "item_counts",
            u32_bytes(counts.counts.iter().copied()),
            Dtype::U32,
        ),
        (
            "ceilings",
            counts
                .ceilings
                .iter()
                .flat_map(|c| c.to_le_bytes())
                .collect(),
            Dtype::F64,
        ),
    ];
    let config = serde_json::to_string(&counts.config).expect("plain numbers");
    serialize(
        "cooccurrence",
        counts.first,
        counts.counts.len(),
        &config,
        &tensors,
    )
}

pub fn load_counts(bytes: &[u8]) -> Result<Cooccurrence> {
    let bad = |why: String| Error::Weights(format!("co-occurrence part: {why}"));
    let file = Part::read(bytes, "cooccurrence").map_err(bad)?;
    let config: CountConfig = serde_json::from_str(file.meta(CONFIG).map_err(bad)?)
        .map_err(|e| bad(format!("config: {e}")))?;
    let counts = file.u32s("item_counts").map_err(bad)?;
    if counts.len() != file.n_items {
        return Err(bad(format!(
            "{} item counts for {} items",
            counts.len(),
            file.n_items
        )));
    }
    let rows = file.rows("candidates").map_err(bad)?;
    let pair_counts = file.u32s("pair_counts").map_err(bad)?;
    let ceilings = file.f64s("ceilings").map_err(bad)?;
    if pair_counts.len() != file.entries || ceilings.len() != rows.len() {
        return Err(bad(
            "candidates, counts and ceilings disagree in length".into()
        ));
    }
    if ceilings.iter().any(|c| !(c.is_finite() && *c >= 0.0)) {
        return Err(bad("a ceiling is negative or not a number".into()));
    }
    let mut pairs = pair_counts.into_iter();
    let rows = (rows.into_iter().enumerate())
        .map(|(r, items)| {
            let item = file.first + r;
            if items.windows(2).any(|w| w[0] >= w[1]) || items.contains(&(item as u32)) {
                return Err(bad(format!(
                    "item {item}'s candidates are not sorted or name itself"
                )));
            }
            Ok(items.into_iter().zip(pairs.by_ref()).collect())
        })
        .collect::<Result<Vec<Vec<(u32, u32)>>>>()?;
    Ok(Cooccurrence {
        counts,
        first: file.first,
        rows,
        ceilings,
        config,
    })
}

pub fn save_columns(part: &ColumnPart) -> Result<Vec<u8>> {
    let sources = part.columns.iter().flat_map(|c| c.iter().map(|&(j, _)| j));
    let weights: Vec<u8> = (part.columns.iter())
        .flat_map(|c| c.iter().flat_map(|&(_, w)| w.to_le_bytes()))
        .collect();
    let tensors = [
        (
            "offsets",
            u32_bytes(offsets(part.columns.iter().map(|c| c.len()))?),
            Dtype::U32,
        ),
        ("sources", u32_bytes(sources), Dtype::U32),
        ("weights", weights, Dtype::F32),
        (
            SHARE_OFFSETS,
            u32_bytes(offsets(part.shares.iter().map(|r| r.len()))?),
            Dtype::U32,
        ),
        (
            SHARE_TARGETS,
            u32_bytes(part.shares.iter().flat_map(|r| r.iter().map(|&(j, _)| j))),
            Dtype::U32,
        ),
        (
            SHARES,
            (part.shares.iter())
                .flat_map(|r| r.iter().flat_map(|&(_, s)| s.to_le_bytes()))
                .collect(),
            Dtype::F32,
        ),
    ];
    serialize("columns", part.first, part.n_items, "{}", &tensors)
}

pub fn load_columns(bytes: &[u8]) -> Result<ColumnPart> {
    let bad = |why: String| Error::Weights(format!("columns part: {why}"));
    let file = Part::read(bytes, "columns").map_err(bad)?;
    let rows = file.rows("sources").map_err(bad)?;
    let weights = file.f32s("weights").map_err(bad)?;
    if weights.len() != file.entries {
        return Err(bad("sources and weights disagree in length".into()));
    }
    if weights.iter().any(|w| !w.is_finite()) {
        return Err(bad("a weight is not a finite number".into()));
    }
    let shares = read_share_rows(&file).map_err(bad)?;
    let mut weights = weights.into_iter();
    let columns = (rows.into_iter().enumerate())
        .map(|(r, sources)| {
            let item = (file.first + r) as u32;
            if sources.windows(2).any(|w| w[0] >= w[1]) || sources.contains(&item) {
                return Err(bad(format!(
                    "item {item}'s sources are not sorted or name itself"
                )));
            }
            Ok(sources.into_iter().zip(weights.by_ref()).collect())
        })
        .collect::<Result<Vec<Column>>>()?;
    Ok(ColumnPart {
        n_items: file.n_items,
        first: file.first,
        columns,
        shares,
    })
}

/// A columns part's share rows: one per item of the part, each by item, never the item itself,
/// every share in [0, 1].
fn read_share_rows(file: &Part) -> std::result::Result<ShareRows, String> {
    let offsets = file.u32s(SHARE_OFFSETS)?;
    let (targets, shares) = (file.u32s(SHARE_TARGETS)?, file.f32s(SHARES)?);
    if offsets.len() != file.rows + 1
        || offsets.first() != Some(&0)
        || offsets.windows(2).any(|w| w[0] > w[1])
        || offsets.last().map(|&o| o as usize) != Some(targets.len())
        || targets.len() != shares.len()
    {
        return Err("share offsets, targets and shares do not fit together".into());
    }
    super::check_shares(&shares)?;
    (offsets.windows(2).enumerate())
        .map(|(r, w)| {
            let item = (file.first + r) as u32;
            let row = &targets[w[0] as usize..w[1] as usize];
            if row.windows(2).any(|p| p[0] >= p[1])
                || row.iter().any(|&t| t == item || t as usize >= file.n_items)
            {
                return Err(format!(
                    "item {item}'s share targets are not sorted, name itself or an item beyond \
                     the catalogue"
                ));
            }
            let values = &shares[w[0] as usize..w[1] as usize];
            Ok(row.iter().copied().zip(values.iter().copied()).collect())
        })
        .collect()
}

fn u32_bytes(values: impl IntoIterator<Item = u32>) -> Vec<u8> {
    values.into_iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Row offsets (u32: a part holds fewer than 2³² entries) from row lengths.
fn offsets(lengths: impl Iterator<Item = usize>) -> Result<impl Iterator<Item = u32>> {
    let mut total = 0usize;
    let mut out = vec![0u32];
    for length in lengths {
        total += length;
        out.push(u32::try_from(total).map_err(|_| {
            Error::Input("a part holds 2³² entries or more: use more shards".into())
        })?);
    }
    Ok(out.into_iter())
}

fn serialize(
    kind: &str,
    first: usize,
    n_items: usize,
    config: &str,
    tensors: &[(&str, Vec<u8>, Dtype)],
) -> Result<Vec<u8>> {
    let bad = |e: safetensors::SafeTensorError| Error::Weights(format!("{kind} part: {e}"));
    let views = tensors
        .iter()
        .map(|(name, data, dtype)| {
            let width = if *dtype == Dtype::F64 { 8 } else { 4 };
            let view = TensorView::new(*dtype, vec![data.len() / width], data).map_err(bad)?;
            Ok((name.to_string(), view))
        })
        .collect::<Result<Vec<_>>>()?;
    let metadata = HashMap::from([
        (KIND.to_string(), kind.to_string()),
        (FIRST.to_string(), first.to_string()),
        (ITEMS.to_string(), n_items.to_string()),
        (CONFIG.to_string(), config.to_string()),
    ]);
    crate::bytes::serialize_sorted(views, Some(metadata)).map_err(bad)
}

/// A part file read and its common fields checked.
struct Part<'a> {
    file: SafeTensors<'a>,
    metadata: HashMap<String, String>,
    first: usize,
    n_items: usize,
    /// Rows (items) in the part, and entries over all rows.
    rows: usize,
    entries: usize,
    offsets: Vec<usize>,
}

impl<'a> Part<'a> {
    fn read(bytes: &'a [u8], kind: &str) -> std::result::Result<Self, String> {
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| e.to_string())?;
        let metadata = header.metadata().clone().unwrap_or_default();
        let file = SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?;
        let number = |key: &str| -> std::result::Result<usize, String> {
            let text = metadata
                .get(key)
                .ok_or(format!("no {key} in its metadata"))?;
            text.parse()
                .map_err(|_| format!("{key} {text:?} is not a number"))
        };
        match metadata.get(KIND) {
            Some(k) if k == kind => {}
            other => return Err(format!("a {kind} part was expected, this is {other:?}")),
        }
        let (first, n_items) = (number(FIRST)?, number(ITEMS)?);
        let mut part = Self {
            file,
            metadata: HashMap::new(),
            first,
            n_items,
            rows: 0,
            entries: 0,
            offsets: Vec::new(),
        };
        let offsets: Vec<usize> = part
            .u32s("offsets")?
            .into_iter()
            .map(|o| o as usize)
            .collect();
        if offsets.first() != Some(&0) || offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err("offsets do not start at 0 and ascend".into());
        }
        part.rows = offsets.len() - 1;
        part.entries = *offsets.last().expect("not empty");
        if first.checked_add(part.rows).is_none_or(|end| end > n_items) {
            return Err(format!(
                "items {first}..+{} of a {n_items}-item catalogue",
                part.rows
            ));
        }
        part.offsets = offsets;
        part.metadata = metadata;
        Ok(part)
    }

    fn meta(&self, key: &str) -> std::result::Result<&str, String> {
        (self.metadata.get(key).map(|s| s.as_str())).ok_or(format!("no {key} in its metadata"))
    }

    fn tensor(&self, name: &str, dtype: Dtype) -> std::result::Result<TensorView<'_>, String> {
        let t = self.file.tensor(name).map_err(|e| e.to_string())?;
        if t.dtype() != dtype || t.shape().len() != 1 {
            return Err(format!(
                "{name} is {:?} {:?}, expected 1-d {dtype:?}",
                t.dtype(),
                t.shape()
            ));
        }
        Ok(t)
    }

    fn u32s(&self, name: &str) -> std::result::Result<Vec<u32>, String> {
        Ok(bytes::u32s(self.tensor(name, Dtype::U32)?.data()))
    }

    fn f32s(&self, name: &str) -> std::result::Result<Vec<f32>, String> {
        Ok(bytes::f32s(self.tensor(name, Dtype::F32)?.data()))
    }

    fn f64s(&self, name: &str) -> std::result::Result<Vec<f64>, String> {
        let data = self.tensor(name, Dtype::F64)?.data();
        Ok(data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    /// The `name` tensor (item indices below `n_items`) cut into rows by the offsets.
    fn rows(&self, name: &str) -> std::result::Result<Vec<Vec<u32>>, String> {
        let values = self.u32s(name)?;
        if values.len() != self.entries {
            return Err(format!(
                "{name} holds {} entries, the offsets {}",
                values.len(),
                self.entries
            ));
        }
        if values.iter().any(|&v| v as usize >= self.n_items) {
            return Err(format!(
                "{name} names an item beyond the catalogue's {}",
                self.n_items
            ));
        }
        Ok(self
            .offsets
            .windows(2)
            .map(|w| values[w[0]..w[1]].to_vec())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item_item::cooccurrence::CappedLists;
    use crate::item_item::fit::tests::lists;
    use crate::item_item::solve::{Penalty, Support, solve_columns};

    #[test]
    fn parts_round_trip_exactly_and_damage_is_named() {
        let capped = CappedLists::new(&lists(40, 20, 9), 20, 100).unwrap();
        let whole = Cooccurrence::count(&capped, 0..20, 5, &[0.5])
            .unwrap()
            .remove(0);
        let part = Cooccurrence::count(&capped, 7..13, 5, &[0.5])
            .unwrap()
            .remove(0);
        assert_eq!(load_counts(&save_counts(&part).unwrap()).unwrap(), part);
        let columns = ColumnPart {
            n_items: 20,
            first: 3,
            columns: solve_columns(&whole, 3..9, 4, Support::Score, Penalty::ridge(2.0)).unwrap(),
            shares: whole.share_rows(3..9, 3),
        };
        assert!(columns.shares.iter().all(|row| row.len() == 3));
        let bytes = save_columns(&columns).unwrap();
        assert_eq!(load_columns(&bytes).unwrap(), columns);
        // A columns file is not a counts file; a cut file is named, never a panic.
        assert!(matches!(load_counts(&bytes), Err(Error::Weights(_))));
        for cut in [0, 8, bytes.len() / 2, bytes.len() - 1] {
            assert!(load_columns(&bytes[..cut]).is_err());
        }
        // Parts must tile the catalogue.
        let tail = ColumnPart {
            first: 9,
            columns: vec![Vec::new(); 11],
            shares: vec![Vec::new(); 11],
            ..columns.clone()
        };
        let head = ColumnPart {
            first: 0,
            columns: vec![Vec::new(); 3],
            shares: vec![Vec::new(); 3],
            ..columns.clone()
        };
        let (all, shares) =
            ColumnPart::concatenate(vec![head.clone(), columns.clone(), tail.clone()]).unwrap();
        assert_eq!((all.len(), shares.len()), (20, 20));
        let short = ColumnPart {
            shares: Vec::new(),
            ..tail
        };
        assert!(ColumnPart::concatenate(vec![head.clone(), columns.clone(), short]).is_err());
        assert!(ColumnPart::concatenate(vec![head, columns]).is_err());
    }
}
