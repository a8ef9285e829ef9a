//! The dataset's trained heads as `eval` reads them: each file with its item table, for new
//! items from text alone.

use std::path::{Path, PathBuf};

use burn::tensor::{Tensor, TensorData};
use localrec::device;
use localrec::head::{Head, ItemTable, load_head};
use localrec::{Error, Result};

use crate::dataset::{Dataset, Protocol};
use crate::item_item::read;

/// A head file of the protocol with its item table.
pub struct LoadedHead {
    pub name: String,
    pub file: localrec::head::HeadFile,
    pub items: ItemTable,
}

/// The dataset's head files for `protocol` (`head*.safetensors`; with the protocol's suffix
/// where it splits otherwise, e.g. `*-cold-items` for new items), each with its item table. For
/// new items the table uses text alone: an item added after training has no learned ID row.
pub fn load_heads(
    dataset: &Dataset,
    protocol: Protocol,
    cold: Option<&[bool]>,
) -> Result<Vec<LoadedHead>> {
    let device = device::cpu();
    let text = dataset.text_tensor(&device)?;
    let own = dataset.own_split(protocol);
    let suffix = protocol.suffix();
    let mut heads = Vec::new();
    for path in head_files(&dataset.dir)? {
        let stem = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let protocol_suffixes = [Protocol::ColdItems, Protocol::FewReactions].map(Protocol::suffix);
        let name = if own && stem.ends_with(suffix) {
            stem.trim_end_matches(suffix).to_string()
        } else if !own && !protocol_suffixes.iter().any(|s| stem.ends_with(s)) {
            stem
        } else {
            continue;
        };
        let file = load_head(read(&path)?, &device)?;
        let name = file.info.get("name").cloned().unwrap_or(name);
        let mut items = file.head.item_table(text.clone());
        if let Some(cold) = cold {
            items = without_ids(&file.head, items, text.clone(), cold);
        }
        heads.push(LoadedHead { name, file, items });
    }
    if own && heads.is_empty() {
        eprintln!(
            "note: no head{suffix}.safetensors in {}: run `localrec pretrain --protocol {}` (and \
             with --no-ids) for the heads' rows",
            dataset.dir.display(),
            suffix.trim_start_matches('-'),
        );
    }
    Ok(heads)
}

/// `items` with the rows of `cold` items from text alone (no ID residual).
fn without_ids(head: &Head, items: ItemTable, text: Tensor<2>, cold: &[bool]) -> ItemTable {
    let device = text.device();
    let n = cold.len();
    let mask: Vec<f32> = cold.iter().map(|&c| if c { 1.0 } else { 0.0 }).collect();
    let new = Tensor::<1>::from_data(TensorData::new(mask, [n]), &device);
    let old = new.clone().neg() + 1.0;
    let text_only = head.text_items(text);
    let mix2 = |a: Tensor<2>, b: Tensor<2>| {
        a * old.clone().unsqueeze_dim(1) + b * new.clone().unsqueeze_dim(1)
    };
    ItemTable {
        vectors: mix2(items.vectors, text_only.vectors),
        bias: items.bias * old.clone() + text_only.bias * new.clone(),
        history: mix2(items.history, text_only.history),
    }
}

/// `head*.safetensors` in a dataset folder, by name.
fn head_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "safetensors")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("head"))
        })
        .collect();
    files.sort();
    Ok(files)
}
