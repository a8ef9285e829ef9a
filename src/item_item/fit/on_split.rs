//! The item–item table fitted on a split's training lists with every choice made on its
//! validation users ([`fit_on_split`]): what `localrec fit-item-item`, the evaluation and the
//! npm package's `build-site` (in wasm) all fit.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{
    ChoiceUsers, STAGE_REACTIONS, SparseChoice, StageUsers, WHOLE_HISTORY_REACTIONS,
    borrow_columns, choose_mix, choose_stage, chosen_table, count_part, sparse_on_validation,
    with_whole_history,
};
use crate::Result;
use crate::eval::split::{FEW_REACTIONS_MIN_TARGETS, HeldOut, Split, few_reactions};
use crate::head::{Head, ItemTable};
use crate::interactions::{Entry, UserList};
use crate::item_item::ItemItem;
use crate::item_item::cooccurrence::{SHARE_NEIGHBOURS, ShareRows};
use crate::item_item::solve::{Column, solve_columns};
use crate::item_vectors::ItemVectors;
use crate::rng::SplitMix64;

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
    /// Searched on validation users, over these `k`s, new people allowed to cost whole
    /// histories `new_people_cost` ([`ChoiceUsers`]).
    Search {
        ks: Vec<usize>,
        new_people_cost: f64,
    },
    /// A fixed choice (an earlier fit's), fitted in this process.
    Choice(SparseChoice),
    /// A fixed choice's columns and share rows, from the parts of a sharded fit (`localrec
    /// item-item-part`).
    Columns(SparseChoice, Vec<Column>, ShareRows),
}

impl Weights {
    /// Searched over `ks` for whole histories.
    pub fn search(ks: Vec<usize>) -> Self {
        Self::Search {
            ks,
            new_people_cost: 0.0,
        }
    }
}

/// The sparse table (its counting, k, refit and, with a head, the mix on validation), fitted on
/// `split.train`; with text vectors, items no training list touched borrow the columns of
/// their nearest items by text. The table carries the training lists' counts, and its stages
/// for new people are chosen on validation users shown few reactions (their earliest, given
/// the lists in `time_order`). Choices read at most [`CHOICE_USERS`] validation users.
pub async fn fit_on_split(
    split: &Split,
    n_items: usize,
    weights: Weights,
    head: Option<&(Head, ItemTable)>,
    text: Option<&ItemVectors>,
    time_order: Option<&[UserList]>,
) -> Result<ItemItem> {
    let started = crate::clock::now_seconds();
    let log = |line: &str| eprintln!("[{:>4.0} s] {line}", crate::clock::now_seconds() - started);
    let validation = choice_users(&split.validation);
    // A new person is someone the fit never saw: where validation users' earlier items are
    // training lists (leave-last-out), their few reactions would be remembered, not predicted.
    let trained: HashSet<u32> = split.train.iter().map(|u| u.user).collect();
    let new_people_seen = validation.iter().any(|u| trained.contains(&u.user));
    let (mut table, shares, k) = match weights {
        Weights::Search {
            ks,
            new_people_cost,
        } => {
            // New people are asked only where they may cost something (and exist).
            let new_people = match (new_people_cost > 0.0, new_people_seen) {
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
                new_people_cost,
            };
            let mut fit = sparse_on_validation(&split.train, &users, n_items, &ks, log)?;
            fit.table.info.insert(
                "tried".into(),
                serde_json::to_string(&fit.tried).expect("plain numbers"),
            );
            // The search keeps no counts: those of its choice again, for the shares.
            let counts = count_part(&split.train, n_items, &fit.choice, 0..n_items)?;
            let shares = counts.share_rows(0..n_items, SHARE_NEIGHBOURS);
            (fit.table, shares, fit.choice.k)
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
            let shares = counts.share_rows(0..n_items, SHARE_NEIGHBOURS);
            (chosen_table(&columns, &choice)?, shares, choice.k)
        }
        Weights::Columns(choice, columns, shares) => {
            (chosen_table(&columns, &choice)?, shares, choice.k)
        }
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
        let scores = head_scores(head, items, &validation).await?;
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
    table = (table.with_counts(list_counts(&split.train, n_items))?).with_shares(shares)?;
    if new_people_seen {
        eprintln!("note: validation users are in the training lists: no stages for new people");
        return Ok(table);
    }
    let mut stages = Vec::with_capacity(STAGE_REACTIONS.len());
    for reactions in STAGE_REACTIONS {
        let at = stage_users(&validation, reactions, head, time_order).await?;
        stages.push(choose_stage(&table, &at, log));
    }
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
async fn stage_users(
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
        Some((head, items)) => Some(head_scores(head, items, &users).await?),
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
pub async fn head_scores(
    head: &Head,
    items: &ItemTable,
    users: &[HeldOut],
) -> Result<Vec<Vec<f32>>> {
    let histories: Vec<&[Entry]> = users.iter().map(|u| u.visible.as_slice()).collect();
    head.score_histories(items, &histories, 256).await
}
