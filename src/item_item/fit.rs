//! Fitting the sparse item–item table from public lists (natively: the dense step needs the
//! `n × n` Gram matrix). Every choice is made on validation users:
//!
//! 1. EASE's λ, by NDCG@10 of the dense model, on a doubling grid that grows until the best
//!    value is inside it (so the EASE baseline is a fair opponent, too);
//! 2. for each item, its `k` largest-magnitude weights, then (optionally) its ridge regression
//!    solved again on that support alone: `b = (G_SS + Λ)⁻¹ G_S,i` — the exact EASE column
//!    when the support is every other item and `Λ = λI`;
//! 3. `k` and the refit, by NDCG@10 of the sparse model; then the refit's penalty
//!    `Λ_jj = λ' + q · G_jj` ([`Penalty`]: a sparse model may want less ridge, and popular
//!    items more, as in EDLAE's dropout emphasis);
//! 4. with a head, how the two parts mix ([`choose_mix`]);
//! 5. for a new person, how much the popularity prior and the item–item part weigh at each
//!    number of reactions ([`choose_stages`], on validation users shown that many).

use burn::tensor::Device;

use super::{ItemItem, Mix, Stage};
use crate::error::{Error, Result};
use std::collections::HashSet;

use crate::eval::baselines::{K, evaluate};
use crate::eval::ease::{Ease, gram};
use crate::eval::metrics;
use crate::eval::split::HeldOut;
use crate::interactions::UserList;
use crate::item_vectors::ItemVectors;

/// The ridge penalty of a refit: `λ + popularity · G_jj` on item `j`'s coefficient.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Penalty {
    pub lambda: f64,
    pub popularity: f64,
}

impl Penalty {
    pub fn ridge(lambda: f64) -> Self {
        Self {
            lambda,
            popularity: 0.0,
        }
    }
}

/// One sparse candidate tried on validation: `k`, its refit penalty (none: EASE's own
/// weights), and its NDCG@10.
pub type Candidate = (usize, Option<Penalty>, f64);

/// Dense EASE with λ chosen on `validation`, and the Gram matrix it was fitted from.
pub fn ease_on_validation(
    train: &[UserList],
    validation: &[HeldOut],
    n_items: usize,
    device: &Device,
    mut log: impl FnMut(&str),
) -> (Ease, Vec<f32>, Vec<(f32, f64)>) {
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
    (best.expect("fitted").0, gram, tried)
}

/// The sparse table: each item's `k` largest-magnitude EASE weights (as a target), refitted on
/// that support with `refit`'s penalty if given. `gram` is the `XᵀX` EASE was fitted from.
pub fn sparsify(ease: &Ease, gram: &[f32], k: usize, refit: Option<Penalty>) -> Result<ItemItem> {
    let n = ease.n_items();
    if gram.len() != n * n {
        return Err(Error::Input(format!(
            "a Gram matrix of {} values for {n} items",
            gram.len()
        )));
    }
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
    let mut column: Vec<(usize, f32)> = Vec::with_capacity(n);
    for target in 0..n {
        column.clear();
        column.extend(
            (0..n)
                .filter(|&j| j != target)
                .map(|j| (j, ease.weight(j, target)))
                .filter(|&(_, w)| w != 0.0),
        );
        let by_magnitude = |a: &(usize, f32), b: &(usize, f32)| {
            b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
        };
        if column.len() > k {
            column.select_nth_unstable_by(k.max(1) - 1, by_magnitude);
            column.truncate(k);
        }
        if k == 0 {
            column.clear();
        }
        let weights: Vec<f32> = match refit {
            Some(penalty) if !column.is_empty() => {
                let support: Vec<usize> = column.iter().map(|&(j, _)| j).collect();
                ridge_on_support(gram, n, &support, target, penalty)?
            }
            _ => column.iter().map(|&(_, w)| w).collect(),
        };
        for (&(source, _), weight) in column.iter().zip(weights) {
            rows[source].push((target as u32, weight));
        }
    }
    ItemItem::from_rows(rows, Mix::uniform(1.0))
}

/// `(G_SS + Λ)⁻¹ G_S,target`: item `target`'s ridge regression on the items in `support`.
pub fn ridge_on_support(
    gram: &[f32],
    n: usize,
    support: &[usize],
    target: usize,
    penalty: Penalty,
) -> Result<Vec<f32>> {
    let k = support.len();
    let mut a = vec![0f64; k * k];
    for (r, &i) in support.iter().enumerate() {
        for (c, &j) in support.iter().enumerate() {
            a[r * k + c] = gram[i * n + j] as f64;
        }
        a[r * k + r] += penalty.lambda + penalty.popularity * gram[i * n + i] as f64;
    }
    let rhs: Vec<f64> = support
        .iter()
        .map(|&i| gram[i * n + target] as f64)
        .collect();
    let solution = cholesky_solve(&mut a, k, rhs).ok_or_else(|| {
        Error::Compute(format!(
            "item {target}'s ridge system is not positive definite"
        ))
    })?;
    Ok(solution.into_iter().map(|v| v as f32).collect())
}

/// Solves `A x = b` for a symmetric positive definite `A` (`k × k`, overwritten by its
/// Cholesky factor); `None` if `A` is not positive definite.
fn cholesky_solve(a: &mut [f64], k: usize, mut b: Vec<f64>) -> Option<Vec<f64>> {
    for j in 0..k {
        let mut d = a[j * k + j];
        for p in 0..j {
            d -= a[j * k + p] * a[j * k + p];
        }
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j * k + j] = d;
        for i in j + 1..k {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= a[i * k + p] * a[j * k + p];
            }
            a[i * k + j] = s / d;
        }
    }
    for i in 0..k {
        let s: f64 = (0..i).map(|p| a[i * k + p] * b[p]).sum();
        b[i] = (b[i] - s) / a[i * k + i];
    }
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|p| a[p * k + i] * b[p]).sum();
        b[i] = (b[i] - s) / a[i * k + i];
    }
    Some(b)
}

/// The best sparse table on `validation`, the candidate it is, and every candidate tried: each
/// `k` in `ks` with EASE's weights and refitted with EASE's λ; then, for the best `k`, refit
/// penalties around it.
pub fn sparse_on_validation(
    ease: &Ease,
    gram: &[f32],
    validation: &[HeldOut],
    ks: &[usize],
    mut log: impl FnMut(&str),
) -> Result<(ItemItem, Candidate, Vec<Candidate>)> {
    let n = ease.n_items();
    let lambda = ease.lambda() as f64;
    let mut best: Option<(ItemItem, Candidate)> = None;
    let mut candidates = Vec::new();
    let mut try_one =
        |k: usize, refit: Option<Penalty>, best: &mut Option<(ItemItem, Candidate)>| {
            let table = sparsify(ease, gram, k, refit)?;
            let ndcg = evaluate(&table, validation, n).ndcg;
            log(&format!(
                "item–item k = {k}, refit {refit:?}: validation NDCG@10 {ndcg:.4}"
            ));
            candidates.push((k, refit, ndcg));
            // Ties go to what was tried first (smaller, simpler).
            if best.as_ref().is_none_or(|(_, b)| ndcg > b.2) {
                *best = Some((table, (k, refit, ndcg)));
            }
            Ok::<_, Error>(())
        };
    for &k in ks {
        try_one(k, None, &mut best)?;
        try_one(k, Some(Penalty::ridge(lambda)), &mut best)?;
    }
    let (k, refit, _) = best
        .as_ref()
        .ok_or_else(|| Error::Input("no k to try".into()))?
        .1;
    if refit.is_some() {
        // λ' halves from EASE's λ while that helps (a sparse model wants less ridge), then the
        // popularity term is tried at the best λ'.
        let mut lambda_refit = lambda;
        for _ in 0..8 {
            let before = best.as_ref().expect("tried").1.2;
            try_one(k, Some(Penalty::ridge(lambda_refit / 2.0)), &mut best)?;
            if best.as_ref().expect("tried").1.2 <= before {
                break;
            }
            lambda_refit /= 2.0;
        }
        for popularity in [0.05, 0.1, 0.25, 0.5] {
            let penalty = Penalty {
                lambda: lambda_refit,
                popularity,
            };
            try_one(k, Some(penalty), &mut best)?;
        }
    }
    let (mut table, (k, refit, ndcg)) = best.expect("tried");
    table.info.insert("k".into(), k.to_string());
    table
        .info
        .insert("lambda".into(), ease.lambda().to_string());
    table.info.insert(
        "refit".into(),
        serde_json::to_string(&refit).expect("plain numbers"),
    );
    table
        .info
        .insert("validation_ndcg@10".into(), format!("{ndcg:.4}"));
    Ok((table, (k, refit, ndcg), candidates))
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
    let mut tried: Vec<(Mix, Vec<f64>)> = Vec::new();
    for slope in [0.0, 0.5, 1.0, 2.0] {
        let unit = table.clone().with_mix(Mix::rating_slope(1.0, slope));
        let parts: Vec<Vec<f32>> = validation.iter().map(|u| unit.scores(&u.visible)).collect();
        for scale in std::iter::once(0.0).chain((-2..=10).map(|e| 2f32.powi(e))) {
            let per_user: Vec<f64> = validation
                .iter()
                .zip(head_scores)
                .zip(&parts)
                .map(|((user, head), part)| {
                    let scores: Vec<f32> =
                        head.iter().zip(part).map(|(h, p)| h + scale * p).collect();
                    user_ndcg(&scores, user)
                })
                .collect();
            tried.push((Mix::rating_slope(scale, slope), per_user));
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
    /// The head's score row for each user (all zeros for a table without a head).
    pub head_scores: Vec<Vec<f32>>,
}

/// The table's stages (see [`Stage`]): at each number of reactions, the item–item multiplier
/// and popularity weight with the best NDCG@10 on the validation users shown that many, on a
/// grid (ties go to the plainer, tried first); then the fitted mix itself from
/// [`WHOLE_HISTORY_REACTIONS`] on. `table` carries the fitted mix and the counts.
pub fn choose_stages(table: &ItemItem, at: &[StageUsers], mut log: impl FnMut(&str)) -> Vec<Stage> {
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
    let mut stages = Vec::new();
    for knot in at.iter().filter(|k| !k.users.is_empty()) {
        let parts: Vec<Vec<f32>> = knot
            .users
            .iter()
            .map(|u| plain.scores(&u.visible))
            .collect();
        let mut best = (Stage::PLAIN, f64::MIN);
        for item_item in ITEM_ITEM {
            for &popularity in popularities {
                let per_user: Vec<f64> = (knot.users.iter().zip(&knot.head_scores).zip(&parts))
                    .map(|((user, head), part)| {
                        let scores: Vec<f32> = (0..head.len())
                            .map(|i| {
                                let p = prior.get(i).copied().unwrap_or(0.0);
                                head[i] + item_item * part[i] + popularity * p
                            })
                            .collect();
                        user_ndcg(&scores, user)
                    })
                    .collect();
                let (first, second) = per_user.split_at(knot.new_people.min(per_user.len()));
                let means: Vec<f64> = [first, second]
                    .iter()
                    .filter(|group| !group.is_empty())
                    .map(|group| group.iter().sum::<f64>() / group.len() as f64)
                    .collect();
                let ndcg = means.iter().sum::<f64>() / means.len() as f64;
                if ndcg > best.1 {
                    let stage = Stage {
                        reactions: knot.reactions,
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
            knot.reactions,
            knot.users.len(),
            best.0.item_item,
            best.0.popularity,
            best.1
        ));
        stages.push(best.0);
    }
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

/// NDCG@10 of one held-out user under a score row (their visible history excluded).
fn user_ndcg(scores: &[f32], user: &HeldOut) -> f64 {
    let excluded: HashSet<usize> = user.visible.iter().map(|e| e.row).collect();
    let relevant: HashSet<usize> = user.hidden.iter().map(|e| e.row).collect();
    let ranked = metrics::top_k(scores, K, &excluded);
    metrics::ndcg_at_k(&ranked, &relevant, K)
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
mod tests {
    use super::*;
    use crate::interactions::Entry;
    use crate::rng::SplitMix64;

    /// Random lists over `n` items with some structure (items in blocks co-occur).
    fn lists(users: usize, n: usize, seed: u64) -> Vec<UserList> {
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

    fn close(a: f32, b: f32) -> bool {
        // f16 storage: 11 significant bits.
        (a - b).abs() <= 1e-3 * b.abs().max(1e-3)
    }

    #[test]
    fn every_item_kept_and_refitted_is_dense_ease() {
        let (n, lambda) = (24, 3.0f32);
        let train = lists(60, n, 1);
        let gram = gram(&train, n);
        let ease = Ease::from_gram(&gram, n, lambda, &crate::device::cpu());
        let lambda = lambda as f64;
        for refit in [false, true] {
            let table = sparsify(&ease, &gram, n, refit.then_some(Penalty::ridge(lambda))).unwrap();
            for j in 0..n {
                for i in 0..n {
                    assert!(
                        close(table.weight(j, i), ease.weight(j, i)),
                        "refit {refit}: B[{j},{i}] {} vs dense {}",
                        table.weight(j, i),
                        ease.weight(j, i)
                    );
                }
            }
        }
    }

    #[test]
    fn truncation_keeps_exactly_the_k_largest_per_item() {
        let n = 30;
        let train = lists(80, n, 2);
        let gram = gram(&train, n);
        let ease = Ease::from_gram(&gram, n, 2.0, &crate::device::cpu());
        let k = 5;
        let table = sparsify(&ease, &gram, k, None).unwrap();
        for target in 0..n {
            let mut column: Vec<f32> = (0..n)
                .filter(|&j| j != target)
                .map(|j| ease.weight(j, target).abs())
                .collect();
            column.sort_by(|a, b| b.total_cmp(a));
            let kept: Vec<usize> = (0..n).filter(|&j| table.weight(j, target) != 0.0).collect();
            assert_eq!(kept.len(), k, "item {target}");
            for &j in &kept {
                assert!(
                    ease.weight(j, target).abs() >= column[k - 1],
                    "item {target}: {j}"
                );
                assert!(close(table.weight(j, target), ease.weight(j, target)));
            }
        }
    }

    #[test]
    fn refit_solves_the_restricted_ridge_problem() {
        // Compare with the normal equations solved densely by Gauss–Jordan in f64.
        let n = 20;
        let train = lists(50, n, 3);
        let gram = gram(&train, n);
        let (support, target) = ([2usize, 5, 7, 11], 9usize);
        let penalty = Penalty {
            lambda: 1.5,
            popularity: 0.1,
        };
        let fast = ridge_on_support(&gram, n, &support, target, penalty).unwrap();
        let diagonal = |r: usize| {
            penalty.lambda + penalty.popularity * gram[support[r] * n + support[r]] as f64
        };
        let k = support.len();
        let mut m: Vec<Vec<f64>> = (0..k)
            .map(|r| {
                let mut row: Vec<f64> = (0..k)
                    .map(|c| gram[support[r] * n + support[c]] as f64)
                    .collect();
                row[r] += diagonal(r);
                row.push(gram[support[r] * n + target] as f64);
                row
            })
            .collect();
        for p in 0..k {
            let pivot = m[p][p];
            m[p].iter_mut().for_each(|v| *v /= pivot);
            for r in 0..k {
                if r != p {
                    let f = m[r][p];
                    let pivot_row = m[p].clone();
                    m[r].iter_mut()
                        .zip(&pivot_row)
                        .for_each(|(v, p)| *v -= f * p);
                }
            }
        }
        for (r, &x) in fast.iter().enumerate() {
            assert!((x as f64 - m[r][k]).abs() < 1e-6, "{x} vs {}", m[r][k]);
        }
        // And the residual of the normal equations is zero.
        for r in 0..k {
            let lhs: f64 = (0..k)
                .map(|c| {
                    (gram[support[r] * n + support[c]] as f64
                        + if r == c { diagonal(r) } else { 0.0 })
                        * fast[c] as f64
                })
                .sum();
            assert!((lhs - gram[support[r] * n + target] as f64).abs() < 1e-4);
        }
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
