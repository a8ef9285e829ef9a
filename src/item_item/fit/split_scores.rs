//! Ranking one validation user's items under many weighings of the item–item part at once: only
//! the items the table reaches move, so each weighing ranks those few and a fixed best rest.

use std::collections::HashSet;

use crate::eval::baselines::K;
use crate::eval::metrics;
use crate::eval::split::HeldOut;

/// One user's scores under a mix whose item–item part is `part`: only the items the history
/// reaches through the table (`part ≠ 0`) depend on how the part is weighed, so the top 10 of
/// any weighing is among them and the best 10 of the rest by the other terms. Choosing a mix
/// ranks those few instead of the whole catalogue, exactly.
pub(super) struct SplitScores<'a> {
    user: &'a HeldOut,
    /// `(item, part, share)` for the reached items not in the visible history.
    reached: Vec<(usize, f32, f32)>,
    /// Whether an item is reached or visible (not in the rest).
    not_rest: Vec<bool>,
}

impl<'a> SplitScores<'a> {
    pub(super) fn new(user: &'a HeldOut, part: &[f32]) -> Self {
        Self::with_shares(user, part, &[])
    }

    /// [`SplitScores::new`] with a second part the table reaches items through: the history's
    /// co-occurrence `shares` (empty: none).
    pub(super) fn with_shares(user: &'a HeldOut, part: &[f32], shares: &[f32]) -> Self {
        let excluded: HashSet<usize> = user.visible.iter().map(|e| e.row).collect();
        let share = |i: usize| shares.get(i).copied().unwrap_or(0.0);
        let reached: Vec<(usize, f32, f32)> = (part.iter().enumerate())
            .filter(|&(i, &p)| (p != 0.0 || share(i) != 0.0) && !excluded.contains(&i))
            .map(|(i, &p)| (i, p, share(i)))
            .collect();
        let mut not_rest = vec![false; part.len()];
        reached.iter().for_each(|&(i, _, _)| not_rest[i] = true);
        (excluded.iter())
            .filter(|&&i| i < part.len())
            .for_each(|&i| not_rest[i] = true);
        Self {
            user,
            reached,
            not_rest,
        }
    }

    /// The best [`K`] items neither reached nor visible, by `score`, with their scores.
    pub(super) fn best_rest(&self, score: impl Fn(usize) -> f32) -> Vec<(usize, f32)> {
        let mut best: Vec<(usize, f32)> = Vec::with_capacity(2 * K);
        for i in (0..self.not_rest.len()).filter(|&i| !self.not_rest[i]) {
            best.push((i, score(i)));
            if best.len() == 2 * K {
                keep_best(&mut best, K);
            }
        }
        keep_best(&mut best, K);
        best
    }

    /// NDCG@10 with reached items scored `score(item, part)` and `rest` as [`best_rest`] gave.
    pub(super) fn ndcg(&self, rest: &[(usize, f32)], score: impl Fn(usize, f32) -> f32) -> f64 {
        self.ndcg_with_shares(rest, |i, part, _| score(i, part))
    }

    /// [`SplitScores::ndcg`] with reached items scored `score(item, part, share)`.
    pub(super) fn ndcg_with_shares(
        &self,
        rest: &[(usize, f32)],
        score: impl Fn(usize, f32, f32) -> f32,
    ) -> f64 {
        let mut all: Vec<(usize, f32)> = (self.reached.iter())
            .map(|&(i, part, share)| (i, score(i, part, share)))
            .chain(rest.iter().copied())
            .collect();
        keep_best(&mut all, K);
        let ranked: Vec<usize> = all.into_iter().map(|(i, _)| i).collect();
        let relevant: HashSet<usize> = self.user.hidden.iter().map(|e| e.row).collect();
        metrics::ndcg_at_k(&ranked, &relevant, K)
    }
}

/// Keeps the `k` best `(item, score)` pairs, best first (ties: the lower item, as
/// [`metrics::top_k`]).
fn keep_best(pairs: &mut Vec<(usize, f32)>, k: usize) {
    let better = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if pairs.len() > k && k > 0 {
        pairs.select_nth_unstable_by(k - 1, better);
    }
    pairs.truncate(k);
    pairs.sort_unstable_by(better);
}
