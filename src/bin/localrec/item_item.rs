//! `localrec fit-item-item`: the sparse item–item part of the hybrid, fitted on a dataset's
//! public lists with every choice made on the validation users (see `localrec::item_item::fit`).

use std::path::{Path, PathBuf};

use localrec::device;
use localrec::eval::split::HeldOut;
use localrec::head::{Head, ItemTable, load_head};
use localrec::item_item::cooccurrence::{Cooccurrence, SHARE_NEIGHBOURS, ShareRows};
use localrec::item_item::fit::{SparseChoice, count_part};
use localrec::item_item::parts::{
    ColumnPart, load_columns, load_counts, save_columns, save_counts,
};
use localrec::item_item::solve::{Column, solve_columns};
use localrec::item_item::{WeightPrecision, load_item_item, save_item_item};
use localrec::taste::{TASTE_CHOSEN_BY, TASTE_CHOSEN_WITH_ADAPTER, TASTE_CHOSEN_WITH_HEAD};
use localrec::{Error, Result};

pub use localrec::item_item::fit::{DEFAULT_KS, Weights, fit_on_split, list_counts};

use crate::dataset::Dataset;
use crate::write_atomically;

/// The head's scores of every item for each user's visible history.
pub fn head_scores(head: &Head, items: &ItemTable, users: &[HeldOut]) -> Result<Vec<Vec<f32>>> {
    device::block_on(localrec::item_item::fit::head_scores(head, items, users))
}

/// Fits and writes the table. With `earlier`, the table whose choice is refitted (`--choice`),
/// its taste sentence weights are kept too, with what they were chosen with: a refit keeps
/// every choice the earlier table records (`localrec eval --protocol described-taste
/// --keep-choice` chooses them again).
pub fn fit_item_item(
    dir: &Path,
    weights: Weights,
    head: Option<PathBuf>,
    out: Option<PathBuf>,
    earlier: Option<&Path>,
) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let (split, _) = dataset.split(42);
    let device = device::cpu();
    let head_path = head.unwrap_or_else(|| dataset.dir.join("head.safetensors"));
    let head = if head_path.exists() && dataset.vectors.is_some() {
        let file = load_head(read(&head_path)?, &device)?;
        let items = file.head.item_table(dataset.text_tensor(&device)?);
        Some((file.head, items))
    } else {
        eprintln!(
            "note: no head at {} (or no item vectors): the mix is not tuned",
            head_path.display()
        );
        None
    };
    let started = std::time::Instant::now();
    let mut table = device::block_on(fit_on_split(
        &split,
        dataset.catalog.len(),
        weights,
        head.as_ref(),
        dataset.vectors.as_ref(),
        dataset.time_ordered.then_some(dataset.users.as_slice()),
    ))?;
    table.info.insert("dataset".into(), dataset.name.clone());
    table.info.insert("split_seed".into(), "42".into());
    if let Some(earlier) = earlier.map(read).transpose()?
        && let Ok(earlier) = load_item_item(&earlier)
        && let Some(taste) = earlier.mix.taste
    {
        table.mix.taste = Some(taste);
        let recorded = [
            TASTE_CHOSEN_BY,
            TASTE_CHOSEN_WITH_HEAD,
            TASTE_CHOSEN_WITH_ADAPTER,
        ];
        for key in recorded {
            if let Some(value) = earlier.info.get(key) {
                table.info.insert(key.into(), value.clone());
            }
        }
        eprintln!(
            "kept the earlier table's taste sentence weights: {} per cosine, as {} reactions",
            taste.direct, taste.reactions
        );
    }
    let out = out.unwrap_or_else(|| dataset.dir.join("item_item.safetensors"));
    let bytes = save_item_item(&table, WeightPrecision::F16)?;
    write_atomically(&out, &bytes)?;
    eprintln!(
        "wrote {} ({:.2} MB, {} entries, {:.0} s)",
        out.display(),
        bytes.len() as f64 / 1e6,
        table.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A fixed choice: a JSON file (`{"count": {"cap", "candidates", "exponent"}, "k", "penalty":
/// {"lambda", "popularity"}}`) or an item–item table whose metadata records one.
pub fn read_choice(path: &Path) -> Result<SparseChoice> {
    let bytes = read(path)?;
    if let Ok(choice) = serde_json::from_slice::<SparseChoice>(&bytes) {
        return Ok(choice);
    }
    let table = load_item_item(&bytes).map_err(|e| {
        Error::Input(format!(
            "{} is neither a choice (JSON) nor an item–item table: {e}",
            path.display()
        ))
    })?;
    let recorded = table
        .info
        .get("sparse_fit")
        .ok_or_else(|| Error::Input(format!("{} records no sparse_fit choice", path.display())))?;
    serde_json::from_str(recorded)
        .map_err(|e| Error::Input(format!("{}: its sparse_fit: {e}", path.display())))
}

/// Shard `i` of `n` (written `i/n`, from 0) of `items`: a contiguous range.
pub fn shard_range(shard: &str, items: usize) -> Result<std::ops::Range<usize>> {
    let (i, n) = parse_shard(shard)?;
    Ok(i * items / n..(i + 1) * items / n)
}

/// `--shard i/n` as `(i, n)`, with 0 ≤ i < n.
pub fn parse_shard(shard: &str) -> Result<(usize, usize)> {
    let parsed = shard
        .split_once('/')
        .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    match parsed {
        Some((i, n)) if i < n => Ok((i, n)),
        _ => Err(Error::Input(format!(
            "--shard {shard:?}: expected i/n with 0 ≤ i < n, e.g. 0/8"
        ))),
    }
}

/// One shard's part of a sharded fit with a fixed `choice`: without `counts`, its items'
/// co-occurrence candidates; with every shard's counts parts, its items' columns.
pub fn item_item_part(
    dir: &Path,
    choice: &SparseChoice,
    shard: &str,
    counts: &[PathBuf],
    out: &Path,
) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let n_items = dataset.catalog.len();
    let range = shard_range(shard, n_items)?;
    let bytes = if counts.is_empty() {
        let (split, _) = dataset.split(42);
        save_counts(&count_part(&split.train, n_items, choice, range.clone())?)?
    } else {
        let mut parts = (counts.iter())
            .map(|path| load_counts(&read(path)?))
            .collect::<Result<Vec<_>>>()?;
        parts.sort_by_key(|p| p.first);
        let whole = Cooccurrence::concatenate(parts)?;
        if whole.config != choice.count || whole.counts.len() != n_items {
            return Err(Error::Input(
                "the counts parts were made with another choice or catalogue".into(),
            ));
        }
        let columns = solve_columns(
            &whole,
            range.clone(),
            choice.k,
            choice.support,
            choice.penalty,
        )?;
        save_columns(&ColumnPart {
            n_items,
            first: range.start,
            columns,
            shares: whole.share_rows(range.clone(), SHARE_NEIGHBOURS),
        })?
    };
    write_atomically(out, &bytes)?;
    eprintln!(
        "wrote {} (items {range:?}, {:.1} MB)",
        out.display(),
        bytes.len() as f64 / 1e6
    );
    Ok(())
}

/// Every item's columns and share rows from the parts of a sharded fit (in any order).
pub fn read_columns(paths: &[PathBuf]) -> Result<(Vec<Column>, ShareRows)> {
    let mut parts = (paths.iter())
        .map(|path| load_columns(&read(path)?))
        .collect::<Result<Vec<_>>>()?;
    parts.sort_by_key(|p| p.first);
    ColumnPart::concatenate(parts)
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))
}
