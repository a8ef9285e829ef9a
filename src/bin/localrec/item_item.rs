//! `localrec fit-item-item`: the sparse item–item part of the hybrid, fitted on a dataset's
//! public lists with every choice made on the validation users (see `localrec::item_item::fit`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use localrec::device;
use localrec::eval::split::{FEW_REACTIONS_MIN_TARGETS, few_reactions};
use localrec::eval::split::{HeldOut, Split};
use localrec::head::{Head, ItemTable, load_head};
use localrec::interactions::{Entry, UserList};
use localrec::item_item::cooccurrence::Cooccurrence;
use localrec::item_item::fit::{
    ChoiceUsers, STAGE_REACTIONS, SparseChoice, StageUsers, WHOLE_HISTORY_REACTIONS,
    borrow_columns, choose_mix, choose_stage, chosen_table, count_part, sparse_on_validation,
    with_whole_history,
};
use localrec::item_item::parts::{
    ColumnPart, load_columns, load_counts, save_columns, save_counts,
};
use localrec::item_item::solve::{Column, solve_columns};
use localrec::item_item::{ItemItem, WeightPrecision, load_item_item, save_item_item};
use localrec::item_vectors::ItemVectors;
use localrec::rng::SplitMix64;
use localrec::{Error, Result};

use crate::dataset::Dataset;
use crate::write_atomically;

/// Text neighbours an unseen item borrows its item–item column from.
pub const TEXT_NEIGHBOURS: usize = 10;

/// Sizes of the sparse table tried by default: weights kept per item (96 for 7,390 items is
/// 2.8 MB: f16 weights and u16 items).
pub const DEFAULT_KS: [usize; 3] = [32, 64, 96];

/// Validation users the fit's choices read at most (a seeded sample of more): each choice
/// ranks the whole catalogue for each of them.
pub const CHOICE_USERS: usize = 2000;

/// Users of each group a stage for new people is chosen on, at most (see `stage_users`).
pub const STAGE_GROUP_USERS: usize = 1000;

/// Where the item–item weights come from.
pub enum Weights {
    /// Searched on validation users, over these `k`s, with new people weighing
    /// `new_people_weight` ([`ChoiceUsers`]).
    Search {
        ks: Vec<usize>,
        new_people_weight: f64,
    },
    /// A fixed choice (an earlier fit's), fitted in this process.
    Choice(SparseChoice),
    /// A fixed choice's columns, from the parts of a sharded fit (`localrec item-item-part`).
    Columns(SparseChoice, Vec<Column>),
}

impl Weights {
    /// Searched over `ks` for whole histories.
    pub fn search(ks: Vec<usize>) -> Self {
        Self::Search {
            ks,
            new_people_weight: 0.0,
        }
    }
}

pub fn fit_item_item(
    dir: &Path,
    weights: Weights,
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
    let mut table = fit_on_split(
        &split,
        dataset.catalog.len(),
        weights,
        head.as_ref(),
        dataset.vectors.as_ref(),
        dataset.time_ordered.then_some(dataset.users.as_slice()),
    )?;
    table.info.insert("dataset".into(), dataset.name.clone());
    table.info.insert("split_seed".into(), "42".into());
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

/// The sparse table (its counting, k, refit and, with a head, the mix on validation), fitted on
/// `split.train`; with text vectors, items no training list touched borrow the columns of
/// their nearest items by text. The table carries the training lists' counts, and its stages
/// for new people are chosen on validation users shown few reactions (their earliest, given
/// the lists in `time_order`). Choices read at most [`CHOICE_USERS`] validation users.
pub fn fit_on_split(
    split: &Split,
    n_items: usize,
    weights: Weights,
    head: Option<&(Head, ItemTable)>,
    text: Option<&ItemVectors>,
    time_order: Option<&[UserList]>,
) -> Result<ItemItem> {
    let started = std::time::Instant::now();
    let log = |line: &str| eprintln!("[{:>4.0} s] {line}", started.elapsed().as_secs_f64());
    let validation = choice_users(&split.validation);
    // A new person is someone the fit never saw: where validation users' earlier items are
    // training lists (leave-last-out), their few reactions would be remembered, not predicted.
    let trained: HashSet<u32> = split.train.iter().map(|u| u.user).collect();
    let new_people_seen = validation.iter().any(|u| trained.contains(&u.user));
    let (mut table, k) = match weights {
        Weights::Search {
            ks,
            new_people_weight,
        } => {
            // New people are asked only where they weigh (and exist).
            let new_people = match (new_people_weight > 0.0, new_people_seen) {
                (false, _) => Vec::new(),
                (true, true) => {
                    eprintln!("note: validation users are in the training lists: no new people");
                    Vec::new()
                }
                (true, false) => (STAGE_REACTIONS.iter())
                    .map(|&reactions| new_people(&validation, reactions, time_order))
                    .collect(),
            };
            let users = ChoiceUsers {
                histories: validation.to_vec(),
                new_people,
                new_people_weight,
            };
            let mut fit = sparse_on_validation(&split.train, &users, n_items, &ks, log)?;
            fit.table.info.insert(
                "tried".into(),
                serde_json::to_string(&fit.tried).expect("plain numbers"),
            );
            (fit.table, fit.choice.k)
        }
        Weights::Choice(choice) => {
            let counts = count_part(&split.train, n_items, &choice, 0..n_items)?;
            let columns = solve_columns(
                &counts,
                0..n_items,
                choice.k,
                choice.support,
                choice.penalty,
            )?;
            (chosen_table(&columns, &choice)?, choice.k)
        }
        Weights::Columns(choice, columns) => (chosen_table(&columns, &choice)?, choice.k),
    };
    log("item–item weights fitted");
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
        let scores = head_scores(head, items, &validation)?;
        let (mix, ndcg) = choose_mix(&table, &scores, &validation, log);
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
    if new_people_seen {
        eprintln!("note: validation users are in the training lists: no stages for new people");
        return Ok(table);
    }
    let stages = (STAGE_REACTIONS.iter())
        .map(|&reactions| {
            let at = stage_users(&validation, reactions, head, time_order)?;
            Ok(choose_stage(&table, &at, log))
        })
        .collect::<Result<Vec<_>>>()?;
    let stages = with_whole_history(stages);
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
    Ok(table.with_mix(mix))
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

/// Every item's columns from the parts of a sharded fit (in any order).
pub fn read_columns(paths: &[PathBuf]) -> Result<Vec<Column>> {
    let mut parts = (paths.iter())
        .map(|path| load_columns(&read(path)?))
        .collect::<Result<Vec<_>>>()?;
    parts.sort_by_key(|p| p.first);
    ColumnPart::concatenate(parts)
}

/// The validation users choices are made on: all of them, or a seeded sample of
/// [`CHOICE_USERS`].
fn choice_users(validation: &[HeldOut]) -> Cow<'_, [HeldOut]> {
    if validation.len() <= CHOICE_USERS {
        return Cow::Borrowed(validation);
    }
    let mut order: Vec<usize> = (0..validation.len()).collect();
    SplitMix64::new(42).shuffle(&mut order);
    order.truncate(CHOICE_USERS);
    order.sort_unstable();
    eprintln!(
        "choices on {CHOICE_USERS} of {} validation users",
        validation.len()
    );
    Cow::Owned(order.into_iter().map(|u| validation[u].clone()).collect())
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

/// The validation users of the stage at `reactions` (one of [`STAGE_REACTIONS`]): new people
/// shown that many (their earliest with `time_order`, else at random, seed 42), and the
/// standard split's validation users whose visible history is nearer that many than any other
/// stage (those nearest [`WHOLE_HISTORY_REACTIONS`] keep the fitted mix): a stage serves both.
/// At most [`STAGE_GROUP_USERS`] of each; with the head's scores.
fn stage_users(
    validation: &[HeldOut],
    reactions: usize,
    head: Option<&(Head, ItemTable)>,
    time_order: Option<&[UserList]>,
) -> Result<StageUsers> {
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
    let mut users = new_people(validation, reactions, time_order);
    let new_people = users.len();
    users.extend(
        (validation.iter())
            .filter(|u| nearest(u.visible.len()) == reactions)
            .take(STAGE_GROUP_USERS)
            .cloned(),
    );
    let head_scores = match head {
        Some((head, items)) => Some(head_scores(head, items, &users)?),
        None => None,
    };
    Ok(StageUsers {
        reactions,
        users,
        new_people,
        head_scores,
    })
}

/// Validation users as new people shown `reactions` of their items (their earliest with
/// `time_order`, else at random, seed 42), at most [`STAGE_GROUP_USERS`].
fn new_people(
    validation: &[HeldOut],
    reactions: usize,
    time_order: Option<&[UserList]>,
) -> Vec<HeldOut> {
    let min_entries = reactions + FEW_REACTIONS_MIN_TARGETS;
    let mut users = few_reactions(validation, reactions, min_entries, 42, time_order);
    users.truncate(STAGE_GROUP_USERS);
    users
}

/// The head's scores of every item for each user's visible history.
pub fn head_scores(head: &Head, items: &ItemTable, users: &[HeldOut]) -> Result<Vec<Vec<f32>>> {
    let histories: Vec<&[Entry]> = users.iter().map(|u| u.visible.as_slice()).collect();
    device::block_on(head.score_histories(items, &histories, 256))
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))
}
