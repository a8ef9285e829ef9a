//! The sparse table's choice on validation users: how lists are counted, each item's support
//! size `k` and the refit's penalty, searched coordinate by coordinate by NDCG@10; and the table
//! of a fixed choice (a shard's counts, the merged columns).

use rayon::prelude::*;

use super::split_scores::SplitScores;
use crate::error::{Error, Result};
use crate::eval::split::HeldOut;
use crate::interactions::UserList;
use crate::item_item::cooccurrence::{CappedLists, Cooccurrence, CountConfig};
use crate::item_item::solve::{Column, Penalty, solve_columns, table_from_columns};
use crate::item_item::{ItemItem, Mix};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item_item::fit::tests::lists;

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
}
