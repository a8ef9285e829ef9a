//! Each item's regression on its support: the item–item weights that predict item `i` from
//! `k` of its candidates `S` ([`Support`]: the best scores, or the largest weights of its
//! regression on all of them) are the ridge solution `b = (G_SS + Λ)⁻¹ G_S,i` (EASE's column
//! restricted to `S`), with `Λ_jj = λ' + q · G_jj` ([`Penalty`]: a sparse model may want less
//! ridge, and popular items more, as in EDLAE's dropout emphasis).
//!
//! The counts come from [`Cooccurrence`]: `G_jl` for two support items is whichever of them
//! kept the other as a candidate. A pair neither kept counts 0, and the most it could count
//! ([`Cooccurrence::bound`]) is added to both items' diagonal: the system stays at least as
//! positive definite as the true one (what was subtracted is dominated by what was added, by
//! Gershgorin), and an item whose relations are partly unknown is shrunk more. Where no
//! candidate was dropped, both are 0 and the solve is exact; the fit measures what the rest
//! costs by trying a larger `M`. Items are independent, so they are solved in parallel, and
//! any range of them alone.

use std::ops::Range;

use rayon::prelude::*;

use super::cooccurrence::{Candidates, Cooccurrence};
use super::{ItemItem, Mix};
use crate::error::{Error, Result};

/// The ridge penalty of a refit: `λ + popularity · G_jj` on item `j`'s coefficient.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
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

/// How an item's support is chosen among its candidates.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Support {
    /// The `k` best by the candidates' score, `G_ij / G_jj^α`.
    #[default]
    Score,
    /// The `k` largest weights, in magnitude, of the item's ridge regression with penalty `λ`
    /// on its candidates (all of them, or its `among` best by score, the rest following in
    /// score order): a local EASE column, as dense EASE's largest weights were the support
    /// before the sparse fit. A popular item keeps its place in more supports than the damped
    /// score gives it, so one reaction reaches further (a new person's case). The solve costs
    /// the cube of the candidates regressed on: `among` = 2·k is an eighth of `M` = 4·k's.
    Ridge {
        lambda: f64,
        /// Choices recorded before this regressed on every candidate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        among: Option<usize>,
    },
}

/// One item's column of the table: `(source, weight)`, the weights with which its support
/// predicts it.
pub type Column = Vec<(u32, f32)>;

/// Each target's candidates in the order a [`Support`] takes them, best first: the first `k`
/// of a row are that target's support at any `k`. Ranked once for every `k` and penalty tried.
pub struct Ranked {
    pub support: Support,
    first: usize,
    rows: Vec<Candidates>,
}

impl Ranked {
    /// The candidates of the items in `targets`, ranked by `support`. `counts` must hold every
    /// item's candidates (a support's pairs may be anywhere in the catalogue).
    pub fn new(counts: &Cooccurrence, targets: Range<usize>, support: Support) -> Result<Self> {
        let n = counts.counts.len();
        if counts.range() != (0..n) || targets.end > n {
            return Err(Error::Input(format!(
                "solving items {targets:?} needs the candidates of all {n} items, not of {:?}",
                counts.range()
            )));
        }
        let powers = counts.powers();
        let first = targets.start;
        let rows = targets
            .into_par_iter()
            .map(|target| match support {
                Support::Score => Ok(counts.ranked(target, &powers)),
                Support::Ridge { lambda, among } => {
                    let (regressed, rest) = match among {
                        None => (counts.candidates(target).to_vec(), Vec::new()),
                        Some(among) => {
                            let mut ranked = counts.ranked(target, &powers);
                            let rest = ranked.split_off(among.min(ranked.len()));
                            ranked.sort_unstable();
                            (ranked, rest)
                        }
                    };
                    let weights = ridge(counts, &regressed, Penalty::ridge(lambda))
                        .ok_or_else(|| not_positive_definite(target))?;
                    let mut by_size: Vec<(f64, (u32, u32))> =
                        weights.into_iter().zip(regressed).collect();
                    by_size.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1)));
                    Ok((by_size.into_iter().map(|(_, pair)| pair))
                        .chain(rest)
                        .collect())
                }
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            support,
            first,
            rows,
        })
    }

    /// The columns of the ranked items, each the ridge regression on its first `k` candidates.
    pub fn solve(&self, counts: &Cooccurrence, k: usize, penalty: Penalty) -> Result<Vec<Column>> {
        (self.rows.par_iter().enumerate())
            .map(|(r, ranked)| {
                let mut support = ranked[..k.min(ranked.len())].to_vec();
                support.sort_unstable();
                let weights = ridge(counts, &support, penalty)
                    .ok_or_else(|| not_positive_definite(self.first + r))?;
                Ok((support.iter().zip(weights))
                    .map(|(&(j, _), w)| (j, w as f32))
                    .collect())
            })
            .collect()
    }
}

/// The columns of the items in `targets`, each on its `k` candidates chosen by `support`.
pub fn solve_columns(
    counts: &Cooccurrence,
    targets: Range<usize>,
    k: usize,
    support: Support,
    penalty: Penalty,
) -> Result<Vec<Column>> {
    Ranked::new(counts, targets, support)?.solve(counts, k, penalty)
}

fn not_positive_definite(target: usize) -> Error {
    Error::Compute(format!(
        "item {target}'s ridge system is not positive definite"
    ))
}

/// The ridge regression of an item on `support` (its candidates `(item, G_ij)`, sorted by
/// item): `(G_SS + Λ)⁻¹ G_S,i`; `None` if the system is not positive definite. The weights of
/// an empty support are none.
fn ridge(counts: &Cooccurrence, support: &[(u32, u32)], penalty: Penalty) -> Option<Vec<f64>> {
    let k = support.len();
    let mut a = vec![0f64; k * k];
    for (r, &(j, _)) in support.iter().enumerate() {
        // A merge of two lists sorted by item: j's candidates and the support.
        let (mut c, row) = (0, counts.candidates(j as usize));
        for &(l, g) in row {
            while c < k && support[c].0 < l {
                c += 1;
            }
            if c == k {
                break;
            }
            if support[c].0 == l {
                a[r * k + c] = g as f64;
            }
        }
    }
    let terms: Vec<[f64; 3]> = (support.iter())
        .map(|&(j, _)| counts.bound_terms(j as usize))
        .collect();
    let mut unknown = vec![0f64; k];
    for r in 0..k {
        for c in r + 1..k {
            let g = a[r * k + c].max(a[c * k + r]);
            if g == 0.0 {
                let bound = Cooccurrence::bound(terms[r], terms[c]);
                unknown[r] += bound;
                unknown[c] += bound;
            }
            a[r * k + c] = g;
            a[c * k + r] = g;
        }
    }
    for (r, unknown) in unknown.into_iter().enumerate() {
        let diagonal = counts.counts[support[r].0 as usize] as f64;
        a[r * k + r] = diagonal + unknown + penalty.lambda + penalty.popularity * diagonal;
    }
    let rhs: Vec<f64> = support.iter().map(|&(_, g)| g as f64).collect();
    cholesky_solve(&mut a, k, rhs)
}

/// The table whose item `i`'s column is `columns[i]` (stored by source: row `j` lists what `j`
/// adds to which items).
pub fn table_from_columns(columns: &[Column], mix: Mix) -> Result<ItemItem> {
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); columns.len()];
    for (target, column) in columns.iter().enumerate() {
        for &(source, weight) in column {
            let row = rows.get_mut(source as usize).ok_or_else(|| {
                Error::Input(format!(
                    "item {target}'s column names item {source} of {}",
                    columns.len()
                ))
            })?;
            row.push((target as u32, weight));
        }
    }
    ItemItem::from_rows(rows, mix)
}

/// Solves `A x = b` for a symmetric positive definite `A` (`k × k`, overwritten by its
/// Cholesky factor); `None` if `A` is not positive definite.
pub(crate) fn cholesky_solve(a: &mut [f64], k: usize, mut b: Vec<f64>) -> Option<Vec<f64>> {
    for j in 0..k {
        let (done, rest) = a.split_at_mut((j + 1) * k);
        let row_j = &done[j * k..j * k + j];
        let d = done[j * k + j] - dot(row_j, row_j);
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        done[j * k + j] = d;
        let row_j = &done[j * k..j * k + j];
        for row_i in rest.chunks_exact_mut(k) {
            row_i[j] = (row_i[j] - dot(&row_i[..j], row_j)) / d;
        }
    }
    for i in 0..k {
        let s = dot(&a[i * k..i * k + i], &b[..i]);
        b[i] = (b[i] - s) / a[i * k + i];
    }
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|p| a[p * k + i] * b[p]).sum();
        b[i] = (b[i] - s) / a[i * k + i];
    }
    Some(b)
}

/// `x · y` in four independent sums: the solves' inner loop, which one running sum would
/// hold to one addition per floating-point latency.
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let (xs, ys) = (x.chunks_exact(4), y.chunks_exact(4));
    let tail: f64 = (xs.remainder().iter().zip(ys.remainder()))
        .map(|(a, b)| a * b)
        .sum();
    let mut sums = [0f64; 4];
    for (a, b) in xs.zip(ys) {
        for l in 0..4 {
            sums[l] += a[l] * b[l];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::ease::{Ease, gram};
    use crate::interactions::{Entry, UserList};
    use crate::item_item::cooccurrence::CappedLists;
    use crate::item_item::fit::tests::{close, lists};

    fn counts(train: &[UserList], n: usize, m: usize) -> Cooccurrence {
        let capped = CappedLists::new(train, n, 1000).unwrap();
        Cooccurrence::count(&capped, 0..n, m, &[0.75])
            .unwrap()
            .remove(0)
    }

    #[test]
    fn every_pair_kept_and_every_item_in_the_support_is_dense_ease() {
        let (n, lambda) = (24, 3.0f32);
        let mut train = lists(60, n, 1);
        // Two lists with everything: every pair co-occurs, so every item is a candidate.
        train.extend((0..2).map(|u| UserList {
            user: 100 + u,
            entries: (0..n).map(|row| Entry { row, rating: 0 }).collect(),
        }));
        let ease = Ease::from_gram(&gram(&train, n), n, lambda, &crate::device::cpu());
        let columns = solve_columns(
            &counts(&train, n, n),
            0..n,
            n,
            Support::Score,
            Penalty::ridge(lambda as f64),
        )
        .unwrap();
        let table = table_from_columns(&columns, Mix::uniform(1.0)).unwrap();
        for j in 0..n {
            for i in 0..n {
                let (sparse, dense) = (table.weight(j, i), ease.weight(j, i));
                assert!(close(sparse, dense), "B[{j},{i}] {sparse} vs dense {dense}");
            }
        }
    }

    #[test]
    fn a_ridge_support_is_the_largest_weights_of_the_items_ease_column() {
        // With every pair kept, an item's ridge regression on all its candidates is its dense
        // EASE column, so the support is that column's k largest weights in magnitude (the
        // support dense EASE gave before the sparse fit).
        let (n, lambda, k) = (24, 3.0f32, 5);
        let mut train = lists(60, n, 1);
        train.extend((0..2).map(|u| UserList {
            user: 100 + u,
            entries: (0..n).map(|row| Entry { row, rating: 0 }).collect(),
        }));
        let ease = Ease::from_gram(&gram(&train, n), n, lambda, &crate::device::cpu());
        let support = Support::Ridge {
            lambda: lambda as f64,
            among: None,
        };
        let counts = counts(&train, n, n);
        let columns = solve_columns(&counts, 0..n, k, support, Penalty::ridge(1.0)).unwrap();
        let by_score = solve_columns(&counts, 0..n, k, Support::Score, Penalty::ridge(1.0));
        assert_ne!(
            columns,
            by_score.unwrap(),
            "the two supports should differ here"
        );
        for (target, column) in columns.iter().enumerate() {
            let size = |j: usize| ease.weight(j, target).abs();
            let mut expected: Vec<usize> = (0..n).filter(|&j| j != target).collect();
            expected.sort_by(|&a, &b| size(b).total_cmp(&size(a)).then(a.cmp(&b)));
            expected.truncate(k);
            expected.sort_unstable();
            let got: Vec<usize> = column.iter().map(|&(j, _)| j as usize).collect();
            assert_eq!(got, expected, "item {target}");
        }
    }

    #[test]
    fn a_ridge_support_among_the_best_candidates_is_drawn_from_them() {
        let (n, m) = (30, 12);
        let counts = counts(&lists(80, n, 5), n, m);
        let ridge = |among| Support::Ridge { lambda: 2.0, among };
        let items = |columns: Vec<Column>| -> Vec<Vec<u32>> {
            (columns.into_iter())
                .map(|c| c.into_iter().map(|(j, _)| j).collect())
                .collect()
        };
        let solve = |k, support| {
            items(solve_columns(&counts, 0..n, k, support, Penalty::ridge(1.0)).unwrap())
        };
        // Among all candidates: the same as among none named.
        assert_eq!(solve(4, ridge(Some(m))), solve(4, ridge(None)));
        // A support of k ≥ among holds the best k by score, whatever the regression's order.
        assert_eq!(solve(6, ridge(Some(3))), solve(6, Support::Score));
        // A smaller one is drawn from the best `among` by score, and not only their first k.
        let (best_six, some_of_them) = (solve(6, Support::Score), solve(3, ridge(Some(6))));
        for (all, some) in best_six.iter().zip(&some_of_them) {
            assert!(some.iter().all(|j| all.contains(j)), "{some:?} of {all:?}");
        }
        assert_ne!(some_of_them, solve(3, Support::Score));
    }

    #[test]
    fn each_column_is_the_ridge_regression_on_its_best_candidates() {
        // Compared with the normal equations solved densely by Gauss–Jordan in f64, where a
        // pair that neither item kept as a candidate counts 0 and its bound (never below its
        // true count) joins both diagonals.
        let (n, m, k) = (20, 6, 4);
        let train = lists(50, n, 3);
        let dense = gram(&train, n);
        let counts = counts(&train, n, m);
        let penalty = Penalty {
            lambda: 1.5,
            popularity: 0.1,
        };
        let columns = solve_columns(&counts, 0..n, k, Support::Score, penalty).unwrap();
        let bound = |a, b| Cooccurrence::bound(counts.bound_terms(a), counts.bound_terms(b));
        let mut zeroed = 0;
        for (target, column) in columns.iter().enumerate() {
            // The k best by G_ij / G_jj^α (α = 0.75), ties to the lower item.
            let score =
                |j: usize| dense[target * n + j] as f64 / (dense[j * n + j] as f64).powf(0.75);
            let mut support: Vec<usize> = (counts.candidates(target).iter())
                .map(|&(j, _)| j as usize)
                .collect();
            support.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
            support.truncate(k);
            support.sort_unstable();
            assert_eq!(
                column.iter().map(|&(j, _)| j as usize).collect::<Vec<_>>(),
                support
            );
            let unknown = |a: usize| -> f64 {
                (support.iter())
                    .filter(|&&b| b != a && counts.pair(a, b).is_none())
                    .map(|&b| bound(a, b))
                    .sum()
            };
            let mut g = |a: usize, b: usize| {
                if a == b {
                    let d = dense[a * n + a] as f64;
                    d + unknown(a) + penalty.lambda + penalty.popularity * d
                } else if let Some(count) = counts.pair(a, b) {
                    assert_eq!(count as f32, dense[a * n + b]);
                    count as f64
                } else {
                    assert!(dense[a * n + b] as f64 <= bound(a, b));
                    zeroed += (dense[a * n + b] != 0.0) as usize;
                    0.0
                }
            };
            let mut rows: Vec<Vec<f64>> = (support.iter())
                .map(|&a| {
                    let mut row: Vec<f64> = support.iter().map(|&b| g(a, b)).collect();
                    row.push(dense[a * n + target] as f64);
                    row
                })
                .collect();
            let size = support.len();
            for p in 0..size {
                let pivot = rows[p][p];
                rows[p].iter_mut().for_each(|v| *v /= pivot);
                let pivot_row = rows[p].clone();
                for (_, row) in rows.iter_mut().enumerate().filter(|(r, _)| *r != p) {
                    let f = row[p];
                    row.iter_mut()
                        .zip(&pivot_row)
                        .for_each(|(v, p)| *v -= f * p);
                }
            }
            for (r, &(_, w)) in column.iter().enumerate() {
                assert!(
                    (w as f64 - rows[r][size]).abs() < 1e-5,
                    "{w} vs {}",
                    rows[r][size]
                );
            }
        }
        assert!(
            zeroed > 0,
            "the data should have pairs that no candidate list kept"
        );
    }

    #[test]
    fn solving_needs_every_items_candidates() {
        let train = lists(30, 12, 4);
        let capped = CappedLists::new(&train, 12, 100).unwrap();
        let part = Cooccurrence::count(&capped, 0..6, 4, &[0.5])
            .unwrap()
            .remove(0);
        assert!(matches!(
            solve_columns(&part, 0..6, 3, Support::Score, Penalty::ridge(1.0)),
            Err(Error::Input(_))
        ));
    }
}
