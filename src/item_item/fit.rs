//! Fitting the sparse item–item table from public lists, with every choice made on validation
//! users. Nothing here holds an `n × n` matrix but dense EASE, which stays as the evaluation's
//! baseline where it fits in memory:
//!
//! 1. the table ([`sparse_on_validation`]): co-occurrence counts from capped lists
//!    ([`Cooccurrence`](super::cooccurrence::Cooccurrence)), each item's support of `k` among
//!    its candidates (the best scores, or the largest weights of its ridge regression on all of
//!    them), and its ridge regression solved on that support
//!    ([`solve_columns`](super::solve::solve_columns)); the counting, the supports and the
//!    refit's numbers by NDCG@10 of the sparse model, for whole histories and new people;
//! 2. with a head, how the two parts mix ([`choose_mix`]);
//! 3. for a new person, how much the popularity prior and the item–item part weigh at each
//!    number of reactions ([`choose_stage`], on validation users shown that many).
//!
//! One module each: `sparse`, `mix` and `stages` for those three choices, `split_scores` for
//! the exact shortcut all three rank with, `dense_ease` for the baseline, `new_items` for
//! the columns a new item borrows from its text neighbours, and `on_split` for the whole fit on
//! a split's lists, as the commands and the package's builder run it.

mod dense_ease;
mod mix;
mod new_items;
mod on_split;
mod sparse;
mod split_scores;
mod stages;

pub use dense_ease::{DENSE_EASE_MAX_ITEMS, ease_on_validation};
pub use mix::choose_mix;
pub use new_items::borrow_columns;
pub use on_split::{
    CHOICE_USERS, DEFAULT_KS, STAGE_GROUP_USERS, TEXT_NEIGHBOURS, Weights, fit_on_split,
    head_scores, list_counts,
};
pub use sparse::{
    ChoiceScore, ChoiceUsers, EXPONENTS, LIST_CAP, RIDGE_SUPPORT_LAMBDAS, SparseChoice, SparseFit,
    chosen_table, count_part, sparse_on_validation,
};
pub use stages::{
    STAGE_REACTIONS, StageUsers, WHOLE_HISTORY_REACTIONS, choose_stage, with_whole_history,
};

/// Lists for the item–item modules' tests.
#[cfg(test)]
pub(crate) mod tests {
    use crate::interactions::{Entry, UserList};
    use crate::rng::SplitMix64;

    /// Random lists over `n` items with some structure (items in blocks co-occur).
    pub(crate) fn lists(users: usize, n: usize, seed: u64) -> Vec<UserList> {
        let mut rng = SplitMix64::new(seed);
        (0..users)
            .map(|u| {
                let block = rng.below(3) * n / 3;
                let mut rows: Vec<usize> =
                    (0..6).map(|_| (block + rng.below(n / 3 + 1)) % n).collect();
                rows.extend((0..2).map(|_| rng.below(n)));
                rows.sort_unstable();
                rows.dedup();
                UserList {
                    user: u as u32,
                    entries: rows
                        .into_iter()
                        .map(|row| Entry { row, rating: 0 })
                        .collect(),
                }
            })
            .collect()
    }

    pub(crate) fn close(a: f32, b: f32) -> bool {
        // f16 storage: 11 significant bits.
        (a - b).abs() <= 1e-3 * b.abs().max(1e-3)
    }
}
