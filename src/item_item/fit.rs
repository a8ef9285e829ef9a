//! Fitting the sparse item–item table from public lists, with every choice made on validation
//! users. Nothing here holds an `n × n` matrix but dense EASE, which stays as the evaluation's
//! baseline where it fits in memory:
//!
//! 1. the table ([`sparse_on_validation`]): co-occurrence counts from capped lists
//!    ([`Cooccurrence`]), each item's `k` best candidates as its support, and its ridge
//!    regression solved on that support ([`solve_columns`]); the counting and the refit's
//!    numbers by NDCG@10 of the sparse model;
//! 2. with a head, how the two parts mix ([`choose_mix`]);
//! 3. for a new person, how much the popularity prior and the item–item part weigh at each
//!    number of reactions ([`choose_stage`], on validation users shown that many).

use burn::tensor::Device;
use rayon::prelude::*;

use super::cooccurrence::{CappedLists, Cooccurrence, CountConfig};
use super::solve::{Column, Penalty, solve_columns, table_from_columns};
use super::{ItemItem, Mix, Stage};
use crate::error::{Error, Result};
use std::collections::HashSet;

use crate::eval::baselines::{K, evaluate};
use crate::eval::ease::{Ease, gram};
use crate::eval::metrics;
use crate::eval::split::HeldOut;
use crate::interactions::UserList;
use crate::item_vectors::ItemVectors;

/// Dense EASE with λ chosen on `validation` (the evaluation's baseline: it holds `n × n`
/// matrices, see [`DENSE_EASE_MAX_ITEMS`]), and every λ tried.
pub fn ease_on_validation(
    train: &[UserList],
    validation: &[HeldOut],
    n_items: usize,
    device: &Device,
    mut log: impl FnMut(&str),
) -> Result<(Ease, Vec<(f32, f64)>)> {
    if n_items > DENSE_EASE_MAX_ITEMS {
        return Err(Error::Input(format!(
            "dense EASE is skipped above {DENSE_EASE_MAX_ITEMS} items (this catalogue has \
             {n_items}): its Gram matrix and inverse would need {:.0} GB",
            3.0 * (n_items as f64).powi(2) * 4.0 / 1e9
        )));
    }
    let gram = gram(train, n_items);
    let mut tried: Vec<(f32, f64)> = Vec::new();
    let mut best: Option<(Ease, f64)> = None;
    let mut fit = |lambda: f32, tried: &mut Vec<(f32, f64)>, best: &mut Option<(Ease, f64)>| {
        let model = Ease::from_gram(&gram, n_items, lambda, device);
        let ndcg = evaluate(&model, validation, n_items).ndcg;
        log(&format!("EASE λ = {lambda}: validation NDCG@10 {ndcg:.4}"));
        tried.push((lambda, ndcg));
        if best.as_ref().is_none_or(|(_, b)| ndcg > *b) {
            *best = Some((model, ndcg));
        }
    };
    for lambda in [50.0, 100.0, 200.0, 400.0] {
        fit(lambda, &mut tried, &mut best);
    }
    // Grow the grid (doubling) while the best λ is at its edge; at most 8 more fits.
    for _ in 0..8 {
        let lambda = best.as_ref().expect("fitted").0.lambda();
        let (low, high) = tried
            .iter()
            .fold((f32::MAX, 0f32), |(lo, hi), &(l, _)| (lo.min(l), hi.max(l)));
        let next = if lambda == low && low > 0.5 {
            low / 2.0
        } else if lambda == high {
            high * 2.0
        } else {
            break;
        };
        fit(next, &mut tried, &mut best);
    }
    Ok((best.expect("fitted").0, tried))
}

/// The largest catalogue dense EASE is fitted for (three `n × n` f32 matrices: 4.8 GB).
pub const DENSE_EASE_MAX_ITEMS: usize = 20_000;

/// What the co-occurrence fit chose: how the lists were counted, the support size `k` and the
/// refit's penalty.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SparseChoice {
    pub count: CountConfig,
    pub k: usize,
    pub penalty: Penalty,
}

/// Lists longer than this are sampled down before counting, unless validation prefers a
/// smaller cap (Mahout's co-occurrence recommenders cap at 500–1,000).
pub const LIST_CAP: usize = 1000;

/// Exponents of the candidates' score `G_ij / G_jj^α` tried on validation.
pub const EXPONENTS: [f64; 4] = [0.25, 0.5, 0.75, 1.0];

/// The first refit penalty tried (then halved or doubled while that helps).
const FIRST_LAMBDA: f64 = 50.0;

/// The sparse table fitted from `train`'s co-occurrence counts, with every choice made on
/// `validation` by NDCG@10 (coordinate by coordinate, ties to what was tried first): the
/// score's exponent, `k` in `ks`, the refit's λ' and popularity term, the candidates kept per
/// item (`M` of `k`, `2k` or `4·max(ks)`: a pair inside a support that neither item kept counts
/// 0, and a larger `M` shows what that costs) and the list cap. Returns the table, its choice
/// and validation NDCG@10, and every choice tried.
pub fn sparse_on_validation(
    train: &[UserList],
    validation: &[HeldOut],
    n_items: usize,
    ks: &[usize],
    mut log: impl FnMut(&str),
) -> Result<SparseFit> {
    let (&k_first, &k_max) = match (ks.get(ks.len() / 2), ks.iter().max()) {
        (Some(first), Some(max)) => (first, max),
        _ => return Err(Error::Input("no k to try".into())),
    };
    let lists = CappedLists::new(train, n_items, LIST_CAP)?;
    log(&format!(
        "co-occurrence: {} entries of {} lists ({} capped at {LIST_CAP})",
        lists.len(),
        train.len(),
        lists.capped()
    ));
    let mut search = Search {
        validation,
        n_items,
        tried: Vec::new(),
        best: None,
        log: &mut log,
    };
    let by_exponent = Cooccurrence::count(&lists, 0..n_items, 4 * k_max, &EXPONENTS)?;
    for counts in &by_exponent {
        search.try_one(counts, k_first, Penalty::ridge(FIRST_LAMBDA))?;
    }
    let counts = (by_exponent.into_iter())
        .find(|c| c.config == search.chosen().count)
        .expect("one of those tried");
    for &k in ks {
        search.try_one(&counts, k, Penalty::ridge(FIRST_LAMBDA))?;
    }
    // λ' halves while that helps, else doubles while that helps.
    for factor in [0.5, 2.0] {
        let mut improved = false;
        for _ in 0..8 {
            let c = search.chosen();
            if !search.try_one(&counts, c.k, Penalty::ridge(c.penalty.lambda * factor))? {
                break;
            }
            improved = true;
        }
        if improved {
            break;
        }
    }
    for popularity in [0.05, 0.1, 0.25, 0.5] {
        let c = search.chosen();
        let penalty = Penalty {
            popularity,
            ..c.penalty
        };
        search.try_one(&counts, c.k, penalty)?;
    }
    // k again, at the chosen penalty (a smaller ridge may want a larger support).
    for &k in ks {
        search.try_one(&counts, k, search.chosen().penalty)?;
    }
    let c = search.chosen();
    for m in [c.k, 2 * c.k] {
        search.try_one(&counts.truncated(m), c.k, c.penalty)?;
    }
    drop(counts);
    // A smaller cap only where some list is longer than it.
    for cap in [LIST_CAP / 2, LIST_CAP / 4] {
        if train.iter().all(|u| u.entries.len() <= cap) {
            break;
        }
        let c = search.chosen();
        let lists = CappedLists::new(train, n_items, cap)?;
        let counts =
            Cooccurrence::count(&lists, 0..n_items, c.count.candidates, &[c.count.exponent])?;
        search.try_one(&counts[0], c.k, c.penalty)?;
    }
    let tried = search.tried;
    let (table, choice, ndcg) = search.best.expect("tried");
    let mut table = with_choice(table, &choice);
    table
        .info
        .insert("validation_ndcg@10".into(), format!("{ndcg:.4}"));
    Ok(SparseFit {
        table,
        choice,
        ndcg,
        tried,
    })
}

/// What [`sparse_on_validation`] found: the table, its choice and validation NDCG@10, and every
/// choice tried with its NDCG@10.
pub struct SparseFit {
    pub table: ItemItem,
    pub choice: SparseChoice,
    pub ndcg: f64,
    pub tried: Vec<(SparseChoice, f64)>,
}

/// The search of [`sparse_on_validation`]: every choice tried, and the best table so far.
struct Search<'a, L: FnMut(&str)> {
    validation: &'a [HeldOut],
    n_items: usize,
    tried: Vec<(SparseChoice, f64)>,
    best: Option<(ItemItem, SparseChoice, f64)>,
    log: &'a mut L,
}

impl<L: FnMut(&str)> Search<'_, L> {
    /// Fits and scores one choice (once); whether it is the new best.
    fn try_one(&mut self, counts: &Cooccurrence, k: usize, penalty: Penalty) -> Result<bool> {
        let choice = SparseChoice {
            count: counts.config,
            k,
            penalty,
        };
        if self.tried.iter().any(|(c, _)| *c == choice) {
            return Ok(false);
        }
        let columns = solve_columns(counts, 0..self.n_items, k, penalty)?;
        let table = table_from_columns(&columns, Mix::uniform(1.0))?;
        let ndcg = mean_ndcg(&table, self.validation);
        (self.log)(&format!(
            "item–item {choice:?}: validation NDCG@10 {ndcg:.4}"
        ));
        self.tried.push((choice, ndcg));
        let better = self.best.as_ref().is_none_or(|b| ndcg > b.2);
        if better {
            self.best = Some((table, choice, ndcg));
        }
        Ok(better)
    }

    fn chosen(&self) -> SparseChoice {
        self.best.as_ref().expect("one choice tried").1
    }
}

/// The co-occurrence counts of the items in `range` under a fixed `choice` (a shard's first
/// stage; `0..n_items` for one process).
pub fn count_part(
    train: &[UserList],
    n_items: usize,
    choice: &SparseChoice,
    range: std::ops::Range<usize>,
) -> Result<Cooccurrence> {
    let lists = CappedLists::new(train, n_items, choice.count.cap)?;
    let counts = Cooccurrence::count(
        &lists,
        range,
        choice.count.candidates,
        &[choice.count.exponent],
    )?;
    Ok(counts.into_iter().next().expect("one exponent"))
}

/// The table of `columns` (every item's, in order) fitted with `choice`, with the choice in
/// its metadata.
pub fn chosen_table(columns: &[Column], choice: &SparseChoice) -> Result<ItemItem> {
    Ok(with_choice(
        table_from_columns(columns, Mix::uniform(1.0))?,
        choice,
    ))
}

/// `table` with `choice` in its metadata.
fn with_choice(mut table: ItemItem, choice: &SparseChoice) -> ItemItem {
    table.info.insert("k".into(), choice.k.to_string());
    table.info.insert(
        "sparse_fit".into(),
        serde_json::to_string(choice).expect("plain numbers"),
    );
    table
}

/// Mean NDCG@10 of `table` over `users`.
fn mean_ndcg(table: &ItemItem, users: &[HeldOut]) -> f64 {
    let total: f64 = users
        .par_iter()
        .map(|user| {
            let split = SplitScores::new(user, &table.scores(&user.visible));
            split.ndcg(&split.best_rest(|_| 0.0), |_, part| part)
        })
        .sum();
    total / users.len().max(1) as f64
}

/// The mix of head and item–item scores, chosen on `validation`: `head_scores[u]` is the head's
/// score row for `validation[u]`. Scales on a doubling grid (0 = the head alone), rating slopes
/// 0, ½, 1 and 2 (see [`Mix::rating_slope`]). Of the mixes within one standard error of the
/// best NDCG@10 (per-user differences, paired), the one with the smallest item–item scale wins:
/// the head is what reads taste sentences and learns personal weights, so it keeps every bit
/// of say the data does not take from it.
pub fn choose_mix(
    table: &ItemItem,
    head_scores: &[Vec<f32>],
    validation: &[HeldOut],
    mut log: impl FnMut(&str),
) -> (Mix, f64) {
    let scales: Vec<f32> = std::iter::once(0.0)
        .chain((-2..=10).map(|e| 2f32.powi(e)))
        .collect();
    let mut tried: Vec<(Mix, Vec<f64>)> = Vec::new();
    for slope in [0.0, 0.5, 1.0, 2.0] {
        let unit = table.clone().with_mix(Mix::rating_slope(1.0, slope));
        // Per user, NDCG@10 at every scale.
        let per_user: Vec<Vec<f64>> = (validation.par_iter().zip(head_scores))
            .map(|(user, head)| {
                let split = SplitScores::new(user, &unit.scores(&user.visible));
                let rest = split.best_rest(|i| head[i]);
                (scales.iter())
                    .map(|&scale| split.ndcg(&rest, |i, part| head[i] + scale * part))
                    .collect()
            })
            .collect();
        for (s, &scale) in scales.iter().enumerate() {
            let users: Vec<f64> = per_user.iter().map(|u| u[s]).collect();
            tried.push((Mix::rating_slope(scale, slope), users));
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let best = tried
        .iter()
        .max_by(|a, b| mean(&a.1).total_cmp(&mean(&b.1)))
        .expect("a grid");
    let (best_ndcg, best_users) = (mean(&best.1), best.1.clone());
    let standard_error = |v: &[f64]| {
        let d: Vec<f64> = v.iter().zip(&best_users).map(|(a, b)| b - a).collect();
        let m = mean(&d);
        (d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (d.len().max(2) - 1) as f64).sqrt()
            / (d.len().max(1) as f64).sqrt()
    };
    let (mix, ndcg) = tried
        .iter()
        .filter(|(_, v)| mean(v) >= best_ndcg - standard_error(v))
        .min_by(|a, b| {
            a.0.scale
                .total_cmp(&b.0.scale)
                .then(mean(&b.1).total_cmp(&mean(&a.1)))
        })
        .map(|(mix, v)| (mix.clone(), mean(v)))
        .expect("the best is within its own error");
    log(&format!(
        "mix: best validation NDCG@10 {best_ndcg:.4} at scale {}, slope weights {:?}; the smallest \
         scale within one standard error: {} ({ndcg:.4})",
        best.0.scale, best.0.feedback, mix.scale
    ));
    (mix, ndcg)
}

/// Numbers of reactions a stage is chosen for: where one more reaction still changes much.
pub const STAGE_REACTIONS: [usize; 5] = [1, 2, 3, 5, 10];

/// From this many reactions on, the mix is the one chosen for whole histories ([`choose_mix`],
/// on the standard validation users): a few-reactions protocol with a long history shown asks
/// a different question (most of a long list as targets rewards popular items), and on
/// anime-5k stages chosen that way up to 40 reactions cost the standard protocol 1.1%.
pub const WHOLE_HISTORY_REACTIONS: usize = 20;

/// Validation users at one number of reactions, with the head's scores for each.
pub struct StageUsers {
    pub reactions: usize,
    /// New people shown `reactions` items first, then users with about as many in a split of
    /// whole histories: each group's mean NDCG@10 counts alike, so neither decides alone.
    pub users: Vec<HeldOut>,
    /// How many of `users` are the first group.
    pub new_people: usize,
    /// The head's score row for each user (none for a table without a head).
    pub head_scores: Option<Vec<Vec<f32>>>,
}

/// The stage at `at.reactions` (see [`Stage`]): the item–item multiplier and popularity weight
/// with the best NDCG@10 on those validation users, on a grid (ties go to the plainer, tried
/// first). `table` carries the fitted mix and the counts.
pub fn choose_stage(table: &ItemItem, at: &StageUsers, mut log: impl FnMut(&str)) -> Stage {
    const ITEM_ITEM: [f32; 8] = [1.0, 0.5, 2.0, 0.25, 4.0, 0.125, 0.0625, 0.0];
    const POPULARITY: [f32; 13] = [
        0.0, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0,
    ];
    let plain = table
        .clone()
        .with_mix(table.mix.clone().with_stages(Vec::new()));
    let prior = table.prior();
    // Without counts there is no prior to weigh.
    let popularities: &[f32] = if prior.is_empty() {
        &[0.0]
    } else {
        &POPULARITY
    };
    let prior = |i: usize| prior.get(i).copied().unwrap_or(0.0);
    let zeros = vec![0f32; table.n_items()];
    // Per user, NDCG@10 at every (item–item, popularity) pair.
    let per_user: Vec<Vec<f64>> = (at.users.par_iter().enumerate())
        .map(|(u, user)| {
            let head = at.head_scores.as_ref().map_or(&zeros, |h| &h[u]);
            let split = SplitScores::new(user, &plain.scores(&user.visible));
            let mut ndcgs = Vec::with_capacity(ITEM_ITEM.len() * popularities.len());
            for &popularity in popularities {
                let rest = split.best_rest(|i| head[i] + popularity * prior(i));
                for item_item in ITEM_ITEM {
                    let score =
                        |i: usize, part: f32| head[i] + item_item * part + popularity * prior(i);
                    ndcgs.push(split.ndcg(&rest, score));
                }
            }
            ndcgs
        })
        .collect();
    let mut best = (Stage::PLAIN, f64::MIN);
    for (p, &popularity) in popularities.iter().enumerate() {
        for (m, item_item) in ITEM_ITEM.into_iter().enumerate() {
            let at_pair = |group: &[Vec<f64>]| {
                group
                    .iter()
                    .map(|u| u[p * ITEM_ITEM.len() + m])
                    .sum::<f64>()
                    / group.len() as f64
            };
            let (first, second) = per_user.split_at(at.new_people.min(per_user.len()));
            let means: Vec<f64> = [first, second]
                .iter()
                .filter(|group| !group.is_empty())
                .map(|group| at_pair(group))
                .collect();
            let ndcg = means.iter().sum::<f64>() / means.len().max(1) as f64;
            if ndcg > best.1 {
                let stage = Stage {
                    reactions: at.reactions,
                    item_item,
                    popularity,
                };
                best = (stage, ndcg);
            }
        }
    }
    log(&format!(
        "stage at {} reactions ({} validation users): item–item ×{}, popularity {} \
         (NDCG@10 {:.4})",
        at.reactions,
        at.users.len(),
        best.0.item_item,
        best.0.popularity,
        best.1
    ));
    best.0
}

/// The stages chosen at [`STAGE_REACTIONS`], then the fitted mix itself from
/// [`WHOLE_HISTORY_REACTIONS`] on.
pub fn with_whole_history(mut stages: Vec<Stage>) -> Vec<Stage> {
    if stages
        .last()
        .is_some_and(|s| s.reactions < WHOLE_HISTORY_REACTIONS)
    {
        stages.push(Stage {
            reactions: WHOLE_HISTORY_REACTIONS,
            ..Stage::PLAIN
        });
    }
    stages
}

/// One user's scores under a mix whose item–item part is `part`: only the items the history
/// reaches through the table (`part ≠ 0`) depend on how the part is weighed, so the top 10 of
/// any weighing is among them and the best 10 of the rest by the other terms. Choosing a mix
/// ranks those few instead of the whole catalogue, exactly.
struct SplitScores<'a> {
    user: &'a HeldOut,
    /// `(item, part)` for the reached items not in the visible history.
    reached: Vec<(usize, f32)>,
    /// Whether an item is reached or visible (not in the rest).
    not_rest: Vec<bool>,
}

impl<'a> SplitScores<'a> {
    fn new(user: &'a HeldOut, part: &[f32]) -> Self {
        let excluded: HashSet<usize> = user.visible.iter().map(|e| e.row).collect();
        let reached: Vec<(usize, f32)> = (part.iter().enumerate())
            .filter(|&(i, &p)| p != 0.0 && !excluded.contains(&i))
            .map(|(i, &p)| (i, p))
            .collect();
        let mut not_rest = vec![false; part.len()];
        reached.iter().for_each(|&(i, _)| not_rest[i] = true);
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
    fn best_rest(&self, score: impl Fn(usize) -> f32) -> Vec<(usize, f32)> {
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
    fn ndcg(&self, rest: &[(usize, f32)], score: impl Fn(usize, f32) -> f32) -> f64 {
        let mut all: Vec<(usize, f32)> = (self.reached.iter())
            .map(|&(i, part)| (i, score(i, part)))
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

/// Items nobody in the training lists touched (a new item) get an item–item column borrowed
/// from the `neighbours` items nearest to them by text: `B[·, i] = Σ_n c_n B[·, n]`, with `c`
/// proportional to the (positive) cosines and summing to 1, keeping the `k` largest weights.
/// Without it a new item could only ever rank by the head, below every item the table lifts.
pub fn borrow_columns(
    table: &ItemItem,
    unseen: &[bool],
    text: &ItemVectors,
    neighbours: usize,
    k: usize,
) -> Result<ItemItem> {
    let n = table.n_items();
    if unseen.len() != n || text.rows != n {
        return Err(Error::Input(format!(
            "{} items in the table, {} flags and {} text vectors",
            n,
            unseen.len(),
            text.rows
        )));
    }
    let mut columns: Vec<Vec<(usize, f32)>> = vec![Vec::new(); n];
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
    for (source, row) in rows.iter_mut().enumerate() {
        for (target, w) in table.row(source) {
            columns[target].push((source, w));
            row.push((target as u32, w));
        }
    }
    let dot = |a: usize, b: usize| -> f32 {
        text.row(a)
            .iter()
            .zip(text.row(b))
            .map(|(x, y)| x * y)
            .sum()
    };
    for item in (0..n).filter(|&i| unseen[i]) {
        let mut nearest: Vec<(usize, f32)> = (0..n)
            .filter(|&m| !unseen[m] && !columns[m].is_empty())
            .map(|m| (m, dot(item, m)))
            .filter(|&(_, cosine)| cosine > 0.0)
            .collect();
        nearest.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        nearest.truncate(neighbours);
        let total: f32 = nearest.iter().map(|&(_, c)| c).sum();
        let mut column: std::collections::HashMap<usize, f32> = Default::default();
        for &(m, cosine) in &nearest {
            for &(source, w) in &columns[m] {
                if source != item {
                    *column.entry(source).or_default() += cosine / total * w;
                }
            }
        }
        let mut column: Vec<(usize, f32)> = column.into_iter().collect();
        column.sort_unstable_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        column.truncate(k);
        for (source, w) in column {
            rows[source].push((item as u32, w));
        }
    }
    let mut borrowed = ItemItem::from_rows(rows, table.mix.clone())?;
    borrowed.info = table.info.clone();
    Ok(borrowed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::interactions::Entry;
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

    #[test]
    fn the_choice_is_the_best_tried_and_its_table_is_returned() {
        let n = 30;
        let train = lists(200, n, 2);
        let validation: Vec<HeldOut> = lists(40, n, 5)
            .into_iter()
            .filter(|u| u.entries.len() >= 3)
            .map(|u| {
                let (visible, hidden) = u.entries.split_at(u.entries.len() - 2);
                HeldOut {
                    user: u.user + 1000,
                    visible: visible.to_vec(),
                    hidden: hidden.to_vec(),
                }
            })
            .collect();
        let SparseFit {
            table,
            choice,
            ndcg,
            tried,
        } = sparse_on_validation(&train, &validation, n, &[3, 6], |_| {}).unwrap();
        let best = tried.iter().map(|t| t.1).fold(f64::MIN, f64::max);
        assert_eq!(ndcg, best);
        assert!(tried.contains(&(choice, ndcg)));
        assert_eq!(mean_ndcg(&table, &validation), ndcg);
        assert!((0..n).all(|i| (0..n).filter(|&j| table.weight(j, i) != 0.0).count() <= choice.k));
        // Every exponent was tried, each choice once.
        for exponent in EXPONENTS {
            assert!(tried.iter().any(|(c, _)| c.count.exponent == exponent));
        }
        let mut distinct = tried
            .iter()
            .map(|t| format!("{:?}", t.0))
            .collect::<Vec<_>>();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), tried.len());
    }

    #[test]
    fn a_new_item_borrows_the_columns_of_its_text_neighbours() {
        // Items 1 and 2 are predicted by 0 (weights 0.5, 0.25); item 3 is new and its text is
        // like item 1's (cos 0.8) and item 2's (cos 0.2): its column is 0.8·0.5 + 0.2·0.25.
        let table = ItemItem::from_rows(
            vec![vec![(1, 0.5), (2, 0.25)], vec![], vec![], vec![]],
            Mix::uniform(1.0),
        )
        .unwrap();
        let text = ItemVectors::from_rows(
            vec![
                vec![0.0, 0.0, 1.0],
                vec![1.0, 0.0, 0.0],
                vec![0.0, 1.0, 0.0],
                vec![0.8, 0.2, 0.0],
            ],
            Default::default(),
        )
        .unwrap();
        let unseen = [false, false, false, true];
        let borrowed = borrow_columns(&table, &unseen, &text, 5, 8).unwrap();
        assert!(close(borrowed.weight(0, 3), 0.8 * 0.5 + 0.2 * 0.25));
        for (j, i) in [(0, 1), (0, 2)] {
            assert_eq!(
                borrowed.weight(j, i),
                table.weight(j, i),
                "seen items keep theirs"
            );
        }
        assert_eq!(borrowed.len(), 3);
    }
}
