//! `localrec fit-item-item`: the sparse item–item part of the hybrid, fitted on a dataset's
//! public lists with every choice made on the validation users (see `localrec::item_item::fit`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use localrec::device;
use localrec::eval::ease::Ease;
use localrec::eval::split::{FEW_REACTIONS_MIN_TARGETS, few_reactions};
use localrec::eval::split::{HeldOut, Split};
use localrec::head::{Head, ItemTable, load_head};
use localrec::interactions::{Entry, UserList};
use localrec::item_item::fit::{
    STAGE_REACTIONS, StageUsers, WHOLE_HISTORY_REACTIONS, borrow_columns, choose_mix,
    choose_stages, ease_on_validation, sparse_on_validation,
};
use localrec::item_item::{ItemItem, WeightPrecision, save_item_item};
use localrec::item_vectors::ItemVectors;
use localrec::{Error, Result};

use crate::dataset::Dataset;
use crate::write_atomically;

/// Text neighbours an unseen item borrows its item–item column from.
pub const TEXT_NEIGHBOURS: usize = 10;

/// Sizes of the sparse table tried by default: weights kept per item (96 for 7,390 items is
/// 2.8 MB: f16 weights and u16 items).
pub const DEFAULT_KS: [usize; 3] = [32, 64, 96];

pub fn fit_item_item(
    dir: &Path,
    ks: &[usize],
    head: Option<PathBuf>,
    out: Option<PathBuf>,
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
    let (_, mut table) = fit_on_split(
        &split,
        dataset.catalog.len(),
        ks,
        head.as_ref(),
        dataset.vectors.as_ref(),
        dataset.time_ordered.then_some(dataset.users.as_slice()),
    )?;
    table.info.insert("dataset".into(), dataset.name.clone());
    table.info.insert("split_seed".into(), "42".into());
    table.info.insert(
        "fit_seconds".into(),
        format!("{:.0}", started.elapsed().as_secs_f64()),
    );
    let out = out.unwrap_or_else(|| dataset.dir.join("item_item.safetensors"));
    let bytes = save_item_item(&table, WeightPrecision::F16)?;
    write_atomically(&out, &bytes)?;
    eprintln!(
        "wrote {} ({:.2} MB, {} weights, {:.0} s)",
        out.display(),
        bytes.len() as f64 / 1e6,
        table.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Dense EASE (λ on validation) and the sparse table (k, refit and, with a head, the mix on
/// validation), fitted on `split.train`; with text vectors, items no training list touched
/// borrow the columns of their nearest items by text. The table carries the training lists'
/// counts, and its stages for new people are chosen on validation users shown few reactions
/// (their earliest, given the lists in `time_order`).
pub fn fit_on_split(
    split: &Split,
    n_items: usize,
    ks: &[usize],
    head: Option<&(Head, ItemTable)>,
    text: Option<&ItemVectors>,
    time_order: Option<&[UserList]>,
) -> Result<(Ease, ItemItem)> {
    let log = |line: &str| eprintln!("{line}");
    let (ease, gram, lambdas) = ease_on_validation(
        &split.train,
        &split.validation,
        n_items,
        &device::cpu(),
        log,
    );
    let (mut table, (k, _, _), candidates) =
        sparse_on_validation(&ease, &gram, &split.validation, ks, log)?;
    table.info.insert(
        "lambdas_tried".into(),
        serde_json::to_string(&lambdas).expect("plain numbers"),
    );
    table.info.insert(
        "candidates".into(),
        serde_json::to_string(&candidates).expect("plain numbers"),
    );
    if let Some(text) = text {
        let mut unseen = vec![true; n_items];
        split
            .train
            .iter()
            .flat_map(|u| &u.entries)
            .for_each(|e| unseen[e.row] = false);
        let count = unseen.iter().filter(|&&u| u).count();
        table = borrow_columns(&table, &unseen, text, TEXT_NEIGHBOURS, k)?;
        table
            .info
            .insert("borrowed_columns".into(), count.to_string());
        eprintln!(
            "{count} items without training interactions borrowed their text neighbours' columns"
        );
    }
    if let Some((head, items)) = head {
        let scores = head_scores(head, items, &split.validation)?;
        let (mix, ndcg) = choose_mix(&table, &scores, &split.validation, log);
        eprintln!(
            "mix: scale {}, feedback {:?} (validation NDCG@10 of the hybrid {ndcg:.4})",
            mix.scale, mix.feedback
        );
        table
            .info
            .insert("hybrid_validation_ndcg@10".into(), format!("{ndcg:.4}"));
        table = table.with_mix(mix);
    }
    table = table.with_counts(list_counts(&split.train, n_items))?;
    // A new person is someone the fit never saw: where validation users' earlier items are
    // training lists (leave-last-out), their few reactions would be remembered, not predicted.
    let trained: HashSet<u32> = split.train.iter().map(|u| u.user).collect();
    if split.validation.iter().any(|u| trained.contains(&u.user)) {
        eprintln!("note: validation users are in the training lists: no stages for new people");
        return Ok((ease, table));
    }
    let stages = choose_stages(&table, &stage_users(split, n_items, head, time_order)?, log);
    let order = if time_order.is_some() {
        "their earliest"
    } else {
        "random"
    };
    table.info.insert(
        "stages".into(),
        format!(
            "chosen on validation users shown {STAGE_REACTIONS:?} {order} reactions and on \
             those with about as many in the standard split"
        ),
    );
    let mix = table.mix.clone().with_stages(stages);
    Ok((ease, table.with_mix(mix)))
}

/// How many training lists each item is on.
pub fn list_counts(train: &[UserList], n_items: usize) -> Vec<u32> {
    let mut counts = vec![0u32; n_items];
    train
        .iter()
        .flat_map(|u| &u.entries)
        .for_each(|e| counts[e.row] += 1);
    counts
}

/// The validation users at each of [`STAGE_REACTIONS`]: new people shown that many (their
/// earliest with `time_order`, else at random, seed 42), and the standard split's validation
/// users whose visible history is nearer that many than any other stage (those nearest
/// [`WHOLE_HISTORY_REACTIONS`] keep the fitted mix): a stage serves both. Each with the head's
/// scores (zeros without a head).
fn stage_users(
    split: &Split,
    n_items: usize,
    head: Option<&(Head, ItemTable)>,
    time_order: Option<&[UserList]>,
) -> Result<Vec<StageUsers>> {
    let knots: Vec<usize> = STAGE_REACTIONS
        .into_iter()
        .chain([WHOLE_HISTORY_REACTIONS])
        .collect();
    let nearest = |length: usize| {
        *knots
            .iter()
            .min_by_key(|&&k| (k.abs_diff(length), k))
            .expect("knots")
    };
    STAGE_REACTIONS
        .iter()
        .map(|&reactions| {
            let min_entries = reactions + FEW_REACTIONS_MIN_TARGETS;
            let mut users =
                few_reactions(&split.validation, reactions, min_entries, 42, time_order);
            let new_people = users.len();
            users.extend(
                (split.validation.iter())
                    .filter(|u| nearest(u.visible.len()) == reactions)
                    .cloned(),
            );
            let head_scores = match head {
                Some((head, items)) => head_scores(head, items, &users)?,
                None => vec![vec![0.0; n_items]; users.len()],
            };
            Ok(StageUsers {
                reactions,
                users,
                new_people,
                head_scores,
            })
        })
        .collect()
}

/// The head's scores of every item for each user's visible history.
pub fn head_scores(head: &Head, items: &ItemTable, users: &[HeldOut]) -> Result<Vec<Vec<f32>>> {
    let histories: Vec<&[Entry]> = users.iter().map(|u| u.visible.as_slice()).collect();
    device::block_on(head.score_histories(items, &histories, 256))
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))
}
