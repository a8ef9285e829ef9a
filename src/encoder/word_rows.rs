//! The word embeddings by need. The word table is a third of the compact model's bytes (30,522
//! rows of NF4), and a sentence reads a dozen of its rows. So a site's model comes without it
//! ([`split`]): its rows follow in shards of [`ROWS_PER_SHARD`] by token id, each its own file,
//! fetched for the word pieces a text has (a taste sentence pulls about four shards, 0.1 MB,
//! where the whole table is 5.5 MB on the path to the taste box).
//!
//! The model file says so in its metadata ([`WORD_ROWS_KEY`]: the table's name, shape, rows
//! per shard and an id of its bytes); each shard names the table it belongs to and its first
//! row, so a shard of another model is refused. The encoder then looks words up here on the
//! host ([`WordRows::gather`]) and embeds a text only when every row it reads is present: a
//! missing row is an error naming the shards to add, never a wrong vector. The rows are the
//! same dequantised values the whole compact file gives, so the vectors are bit for bit its.

use std::collections::HashMap;
use std::ops::Range;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use sha2::{Digest, Sha256};

use super::compact::{FORMAT_KEY, WORD_EMBEDDINGS};
use crate::error::{Error, Result};
use crate::fingerprint::hex;
use crate::int8::SCALE_SUFFIX;
use crate::nf4;

/// Rows a shard: 28 kB of NF4 and scales. A sentence's word pieces fall in about four shards
/// (seven at most, over the taste sentences of the tests and the described-taste benchmark).
pub const ROWS_PER_SHARD: usize = 128;

/// The model file's metadata key that declares its word table comes in shards.
pub const WORD_ROWS_KEY: &str = "localrec_word_rows";
/// A shard's metadata key: which table, from which row.
const SHARD_KEY: &str = "localrec_word_shard";
/// A shard's tensor (NF4 codes; its scales beside it as `words.scale`).
const SHARD_TENSOR: &str = "words";

/// What a model file says of its word table when its rows come in shards.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Declared {
    /// The table's name in the checkpoint (e.g. `embeddings.word_embeddings.weight`).
    tensor: String,
    rows: usize,
    cols: usize,
    rows_per_shard: usize,
    /// The first 16 hex digits of the sha256 of the table's codes and scales.
    table: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ShardHeader {
    table: String,
    first: usize,
}

/// A compact model without its word table, and that table's rows in shards.
pub struct Split {
    /// The compact file less the word table, declaring it ([`WORD_ROWS_KEY`]).
    pub model: Vec<u8>,
    /// Each shard's rows (token ids) and file, in order.
    pub shards: Vec<(Range<usize>, Vec<u8>)>,
}

/// Splits a compact model ([`super::compact::compact`]) into the model without its NF4 word
/// table and that table's shards of [`ROWS_PER_SHARD`] rows.
pub fn split(compact_file: &[u8]) -> Result<Split> {
    let bad = |why: String| Error::Weights(format!("cannot split the word embeddings: {why}"));
    let file = SafeTensors::deserialize(compact_file).map_err(|e| bad(e.to_string()))?;
    let (_, metadata) = SafeTensors::read_metadata(compact_file).map_err(|e| bad(e.to_string()))?;
    let mut metadata = metadata.metadata().clone().unwrap_or_default();
    if !metadata.contains_key(FORMAT_KEY) {
        return Err(bad("the file is not a compact model".into()));
    }
    if metadata.contains_key(WORD_ROWS_KEY) {
        return Err(bad("its word table is already in shards".into()));
    }
    let words = (file.names().into_iter())
        .find(|n| n.ends_with(WORD_EMBEDDINGS))
        .ok_or_else(|| bad("it has no word embeddings".into()))?
        .to_string();
    let codes = file.tensor(&words).map_err(|e| bad(e.to_string()))?;
    let (Dtype::U8, &[rows, half]) = (codes.dtype(), codes.shape()) else {
        return Err(bad(format!("{words} is not NF4")));
    };
    let cols = 2 * half;
    let scale_name = format!("{words}{SCALE_SUFFIX}");
    let scales = file.tensor(&scale_name).map_err(|e| bad(e.to_string()))?;
    let groups = cols / nf4::GROUP;
    if !nf4::fits(cols) || scales.dtype() != Dtype::F32 || scales.shape() != [rows, groups] {
        return Err(bad(format!("{scale_name} does not fit {words}")));
    }
    let table = table_id(codes.data(), scales.data());
    let declared = Declared {
        tensor: words.clone(),
        rows,
        cols,
        rows_per_shard: ROWS_PER_SHARD,
        table: table.clone(),
    };
    metadata.insert(
        WORD_ROWS_KEY.into(),
        serde_json::to_string(&declared).expect("plain data"),
    );
    let rest = (file.tensors().into_iter()).filter(|(n, _)| *n != words && *n != scale_name);
    let model = crate::bytes::serialize_sorted(rest.collect::<Vec<_>>(), Some(metadata))
        .map_err(|e| bad(e.to_string()))?;

    let shards = (0..rows.div_ceil(ROWS_PER_SHARD))
        .map(|shard| {
            let range = shard * ROWS_PER_SHARD..((shard + 1) * ROWS_PER_SHARD).min(rows);
            let n = range.len();
            let code_bytes = &codes.data()[range.start * half..range.end * half];
            let scale_bytes = &scales.data()[range.start * groups * 4..range.end * groups * 4];
            let header = ShardHeader {
                table: table.clone(),
                first: range.start,
            };
            let metadata = HashMap::from([(
                SHARD_KEY.into(),
                serde_json::to_string(&header).expect("plain data"),
            )]);
            let tensors = [
                (
                    SHARD_TENSOR.to_string(),
                    TensorView::new(Dtype::U8, vec![n, half], code_bytes),
                ),
                (
                    format!("{SHARD_TENSOR}{SCALE_SUFFIX}"),
                    TensorView::new(Dtype::F32, vec![n, groups], scale_bytes),
                ),
            ];
            let tensors = (tensors.into_iter())
                .map(|(name, view)| view.map(|v| (name, v)).map_err(|e| bad(e.to_string())))
                .collect::<Result<Vec<_>>>()?;
            let bytes = crate::bytes::serialize_sorted(tensors, Some(metadata))
                .map_err(|e| bad(e.to_string()))?;
            Ok((range, bytes))
        })
        .collect::<Result<_>>()?;
    Ok(Split { model, shards })
}

/// The compact model [`split`] was given, from its two parts (the shards in any order): what
/// a site's weights are to a builder that embeds with them. Weights that hold their word table
/// come back as they are (with no shards given).
pub fn join(model: &[u8], shards: &[&[u8]]) -> Result<Vec<u8>> {
    let bad = |why: String| Error::Weights(format!("cannot join the word embeddings: {why}"));
    let file = SafeTensors::deserialize(model).map_err(|e| bad(e.to_string()))?;
    let (_, metadata) = SafeTensors::read_metadata(model).map_err(|e| bad(e.to_string()))?;
    let mut metadata = metadata.metadata().clone().unwrap_or_default();
    let Some(json) = metadata.remove(WORD_ROWS_KEY) else {
        return match shards {
            [] => Ok(model.to_vec()),
            _ => Err(bad("the weights hold their word table already".into())),
        };
    };
    let declared: Declared = serde_json::from_str(&json).map_err(|e| bad(e.to_string()))?;
    let mut rows = WordRows::new(declared.clone())?;
    let mut parts: Vec<Option<(&[u8], &[u8])>> = vec![None; rows.shard_count()];
    let mut files = Vec::with_capacity(shards.len());
    for shard in shards {
        files.push(SafeTensors::deserialize(shard).map_err(|e| bad(e.to_string()))?);
    }
    for (bytes, shard_file) in shards.iter().zip(&files) {
        let number = rows.add(bytes)?;
        let codes = shard_file
            .tensor(SHARD_TENSOR)
            .map_err(|e| bad(e.to_string()))?;
        let scales = (shard_file.tensor(&format!("{SHARD_TENSOR}{SCALE_SUFFIX}")))
            .map_err(|e| bad(e.to_string()))?;
        if parts[number]
            .replace((codes.data(), scales.data()))
            .is_some()
        {
            return Err(bad(format!("shard {number} was given twice")));
        }
    }
    let missing: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].is_none()).collect();
    if !missing.is_empty() {
        return Err(bad(format!("the shards {missing:?} are missing")));
    }
    let codes: Vec<u8> = parts
        .iter()
        .flat_map(|p| p.expect("checked").0)
        .copied()
        .collect();
    let scales: Vec<u8> = parts
        .iter()
        .flat_map(|p| p.expect("checked").1)
        .copied()
        .collect();
    let Declared {
        tensor, rows, cols, ..
    } = declared;
    let mut tensors = file.tensors();
    let view =
        |dtype, shape, data| TensorView::new(dtype, shape, data).map_err(|e| bad(e.to_string()));
    tensors.push((
        tensor.clone(),
        view(Dtype::U8, vec![rows, cols / 2], &codes)?,
    ));
    tensors.push((
        format!("{tensor}{SCALE_SUFFIX}"),
        view(Dtype::F32, vec![rows, cols / nf4::GROUP], &scales)?,
    ));
    crate::bytes::serialize_sorted(tensors, Some(metadata)).map_err(|e| bad(e.to_string()))
}

/// An id of a word table's bytes: shards of one table fit only a model that declares it.
fn table_id(codes: &[u8], scales: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(codes);
    hash.update(scales);
    hex(&hash.finalize())[..16].to_string()
}

/// The word table of a model whose rows come by need: the shards added so far, dequantised.
#[derive(Clone)]
pub struct WordRows {
    declared: Declared,
    /// Each shard's rows (`[n, cols]`, row-major), once added.
    shards: Vec<Option<Vec<f32>>>,
}

impl WordRows {
    /// The word table `compact_file` declares in shards, none added yet; `None` when the file
    /// holds its word table (or is not compact). `vocab_size` and `hidden` are the config's.
    pub fn declared_by(
        compact_file: &[u8],
        vocab_size: usize,
        hidden: usize,
    ) -> Result<Option<Self>> {
        let bad = |why: String| Error::Weights(format!("the word embeddings' shards: {why}"));
        let Ok((_, metadata)) = SafeTensors::read_metadata(compact_file) else {
            return Ok(None);
        };
        let Some(json) = metadata
            .metadata()
            .as_ref()
            .and_then(|m| m.get(WORD_ROWS_KEY))
        else {
            return Ok(None);
        };
        let declared: Declared =
            serde_json::from_str(json).map_err(|e| bad(format!("{WORD_ROWS_KEY}: {e}")))?;
        if declared.rows != vocab_size || declared.cols != hidden {
            return Err(bad(format!(
                "the table is {} × {}; the model's config wants {vocab_size} × {hidden}",
                declared.rows, declared.cols
            )));
        }
        Self::new(declared).map(Some)
    }

    /// No shard added yet of the table `declared` describes.
    fn new(declared: Declared) -> Result<Self> {
        if declared.rows_per_shard == 0 || !nf4::fits(declared.cols) {
            return Err(Error::Weights(format!(
                "the word embeddings' shards: {} rows a shard of {} values",
                declared.rows_per_shard, declared.cols
            )));
        }
        let count = declared.rows.div_ceil(declared.rows_per_shard);
        Ok(Self {
            declared,
            shards: vec![None; count],
        })
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The shards holding `ids` that are not added yet, ascending, each once.
    pub fn missing(&self, ids: impl IntoIterator<Item = u32>) -> Vec<usize> {
        let mut missing: Vec<usize> = (ids.into_iter())
            .map(|id| id as usize / self.declared.rows_per_shard)
            .filter(|&shard| self.shards.get(shard).is_some_and(Option::is_none))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// Adds a shard's rows from its file; returns its number. A shard of another table, a
    /// misplaced or damaged one is an error that says which, and changes nothing.
    pub fn add(&mut self, shard_file: &[u8]) -> Result<usize> {
        let bad = |why: String| Error::Weights(format!("a word embeddings' shard: {why}"));
        let file = SafeTensors::deserialize(shard_file).map_err(|e| bad(e.to_string()))?;
        let (_, metadata) =
            SafeTensors::read_metadata(shard_file).map_err(|e| bad(e.to_string()))?;
        let header: ShardHeader = (metadata.metadata().as_ref())
            .and_then(|m| m.get(SHARD_KEY))
            .ok_or_else(|| bad(format!("no {SHARD_KEY} in its metadata")))
            .and_then(|json| serde_json::from_str(json).map_err(|e| bad(e.to_string())))?;
        let Declared {
            rows,
            cols,
            rows_per_shard,
            ref table,
            ..
        } = self.declared;
        if header.table != *table {
            return Err(bad(format!(
                "it belongs to the word table {}, not this model's {table}",
                header.table
            )));
        }
        if !header.first.is_multiple_of(rows_per_shard) || header.first >= rows {
            return Err(bad(format!(
                "it starts at row {}, which begins no shard",
                header.first
            )));
        }
        let (values, [n, width]) = nf4::read_matrix(&file, SHARD_TENSOR).map_err(bad)?;
        let expected = rows_per_shard.min(rows - header.first);
        if n != expected || width != cols {
            return Err(bad(format!(
                "rows {}.. hold {n} × {width} values; expected {expected} × {cols}",
                header.first
            )));
        }
        let shard = header.first / rows_per_shard;
        self.shards[shard] = Some(values);
        Ok(shard)
    }

    /// The rows of `ids` one after another (`[ids.len(), cols]`), or an error naming the
    /// shards still to add.
    pub fn gather(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let missing = self.missing(ids.iter().copied());
        if !missing.is_empty() {
            return Err(Error::Input(format!(
                "the word embeddings' shards {missing:?} are not loaded: add them first"
            )));
        }
        let Declared {
            cols,
            rows_per_shard,
            ..
        } = self.declared;
        let mut out = Vec::with_capacity(ids.len() * cols);
        for &id in ids {
            let id = id as usize;
            let shard = self.shards[id / rows_per_shard]
                .as_ref()
                .expect("checked above");
            let row = id % rows_per_shard;
            out.extend_from_slice(&shard[row * cols..(row + 1) * cols]);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::compact::{Tensor, compact, tensors};

    /// A compact checkpoint with a word table of `rows` × 64 and one other matrix.
    fn checkpoint(rows: usize) -> Vec<u8> {
        let f32_bytes = |values: Vec<f32>| {
            values
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<u8>>()
        };
        let words = f32_bytes(
            (0..rows * 64)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 70.0)
                .collect(),
        );
        let other = f32_bytes(vec![0.5, -1.0, 0.25, 2.0]);
        let file = safetensors::serialize(
            [
                (
                    "embeddings.word_embeddings.weight",
                    TensorView::new(Dtype::F32, vec![rows, 64], &words).unwrap(),
                ),
                (
                    "w",
                    TensorView::new(Dtype::F32, vec![2, 2], &other).unwrap(),
                ),
            ],
            None,
        )
        .unwrap();
        compact(&file, &[]).unwrap()
    }

    fn whole_table(file: &[u8]) -> Vec<f32> {
        let (_, tensor) = (tensors(file).unwrap().into_iter())
            .find(|(n, _)| n.ends_with(WORD_EMBEDDINGS))
            .unwrap();
        let Tensor::Values { values, .. } = tensor else {
            panic!("not values")
        };
        values
    }

    #[test]
    fn shards_give_the_whole_tables_rows_and_nothing_else() {
        let rows = 2 * ROWS_PER_SHARD + 5;
        let file = checkpoint(rows);
        let Split { model, shards } = split(&file).unwrap();
        assert_eq!(shards.len(), 3);
        assert_eq!(shards[2].0, 2 * ROWS_PER_SHARD..rows);
        // The model keeps every other tensor and drops the table.
        let kept: Vec<String> = tensors(&model)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(kept, ["w"]);
        let mut words = WordRows::declared_by(&model, rows, 64).unwrap().unwrap();
        assert!(WordRows::declared_by(&file, rows, 64).unwrap().is_none());
        assert_eq!(words.missing([0, 1, 300, 129, 2]), [0, 1, 2]);
        let error = words.gather(&[3, 260]).unwrap_err().to_string();
        assert!(error.contains("[0, 2] are not loaded"), "{error}");
        for (range, bytes) in shards.iter().rev() {
            assert_eq!(words.add(bytes).unwrap(), range.start / ROWS_PER_SHARD);
        }
        assert!(words.missing(0..rows as u32).is_empty());
        let ids: Vec<u32> = vec![260, 0, 127, 128, 3];
        let whole = whole_table(&file);
        let expected: Vec<f32> = ids
            .iter()
            .flat_map(|&id| whole[id as usize * 64..(id as usize + 1) * 64].to_vec())
            .collect();
        assert_eq!(words.gather(&ids).unwrap(), expected);

        // Joined again, in any order, the parts are the file that was split, byte for byte.
        let mut parts: Vec<&[u8]> = shards.iter().map(|(_, b)| b.as_slice()).collect();
        parts.reverse();
        assert!(join(&model, &parts).unwrap() == file);
        let error = join(&model, &parts[1..]).unwrap_err().to_string();
        assert!(error.contains("are missing"), "{error}");
        assert!(join(&model, &[parts[0], parts[0], parts[1], parts[2]]).is_err());
        assert!(join(&file, &[]).unwrap() == file);
    }

    #[test]
    fn a_shard_of_another_table_a_wrong_place_or_damage_is_refused() {
        let rows = ROWS_PER_SHARD + 1;
        let Split { model, shards } = split(&checkpoint(rows)).unwrap();
        let mut words = WordRows::declared_by(&model, rows, 64).unwrap().unwrap();
        // Another table: one more row changes its bytes, so its id.
        let other = split(&checkpoint(rows + 1)).unwrap().shards[0].1.clone();
        let error = words.add(&other).unwrap_err().to_string();
        assert!(error.contains("belongs to the word table"), "{error}");
        let mut cut = shards[0].1.clone();
        cut.truncate(cut.len() - 3);
        assert!(words.add(&cut).is_err());
        assert_eq!(
            words.missing([0, rows as u32 - 1]),
            [0, 1],
            "nothing was added"
        );
        // A config of another shape is refused at once.
        let error = WordRows::declared_by(&model, rows, 128)
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("wants"), "{error}");
        // A split model is not split again.
        assert!(split(&model).is_err());
    }
}
