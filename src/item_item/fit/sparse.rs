//! The sparse table's choice on validation users: how lists are counted, each item's support
//! size `k` and the refit's penalty, searched coordinate by coordinate by NDCG@10; and the table
//! of a fixed choice (a shard's counts, the merged columns).

use rayon::prelude::*;

use super::split_scores::SplitScores;
use crate::error::{Error, Result};
use crate::eval::split::HeldOut;
use crate::interactions::UserList;
use crate::item_item::cooccurrence::{CappedLists, Cooccurrence, CountConfig};
use crate::item_item::solve::{
    Column, Penalty, Ranked, Support, solve_columns, table_from_columns,
};
use crate::item_item::{ItemItem, Mix};

/// What the co-occurrence fit chose: how the lists were counted, how each item's support is
/// chosen and its size `k`, and the refit's penalty.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SparseChoice {
    pub count: CountConfig,
    /// Choices recorded before supports could come from ridge regressions took the best scores.
    #[serde(default)]
    pub support: Support,
    pub k: usize,
    pub penalty: Penalty,
}

/// The validation users a choice is scored on: whole histories (the standard split's), and new
/// people shown each of [`STAGE_REACTIONS`](super::STAGE_REACTIONS) reactions (none where the
/// validation users' lists are training lists; their NDCG@10 is the mean over their counts),
/// with what new people may cost whole histories.
pub struct ChoiceUsers {
    pub histories: Vec<HeldOut>,
    pub new_people: Vec<Vec<HeldOut>>,
    /// The share, in `[0, 1]`, of the best whole-history NDCG@10 tried that a choice may lose
    /// to rank better for new people: of the choices within it, the best for new people wins.
    /// 0 chooses for whole histories alone.
    pub new_people_cost: f64,
}

/// A choice's validation NDCG@10: of whole histories, and of new people where they count.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ChoiceScore {
    pub histories: f64,
    pub new_people: Option<f64>,
}

impl ChoiceScore {
    /// Whether this scores above `other`, whole histories having to be at least `floor`: both
    /// at or above it, the better for new people; one, that one; neither, the better for whole
    /// histories. Without new people, the better for whole histories.
    fn beats(&self, other: &ChoiceScore, floor: f64) -> bool {
        match (self.new_people, other.new_people) {
            (Some(a), Some(b)) => match (self.histories >= floor, other.histories >= floor) {
                (true, true) => a > b,
                (false, false) => self.histories > other.histories,
                (this, _) => this,
            },
            _ => self.histories > other.histories,
        }
    }
}

impl std::fmt::Display for ChoiceScore {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "validation NDCG@10 {:.4}", self.histories)?;
        if let Some(new_people) = self.new_people {
            write!(f, ", new people {new_people:.4}")?;
        }
        Ok(())
    }
}

/// Penalties of the items' ridge regressions whose largest weights are tried as supports
/// ([`Support::Ridge`]; dense EASE's λ on anime-5k was 100).
pub const RIDGE_SUPPORT_LAMBDAS: [f64; 2] = [100.0, 400.0];

/// Lists longer than this are sampled down before counting, unless validation prefers a
/// smaller cap (Mahout's co-occurrence recommenders cap at 500–1,000).
pub const LIST_CAP: usize = 1000;

/// A ridge support regresses each item on its `RIDGE_AMONG × max(ks)` best candidates by score,
/// not on all `4 × max(ks)`: an eighth of the solve (at 100,000 items on 2 cores, about 45 s
/// instead of 4.8 minutes for each ridge support and list cap tried).
pub const RIDGE_AMONG: usize = 2;

/// Exponents of the candidates' score `G_ij / G_jj^α` tried on validation.
pub const EXPONENTS: [f64; 4] = [0.25, 0.5, 0.75, 1.0];

/// The first refit penalty tried (then halved or doubled while that helps).
const FIRST_LAMBDA: f64 = 50.0;

/// The popularity term's values, in order: a first search tries those up to 0.5, then steps
/// up while that helps (new people gain from it); a later one steps from the value chosen, down
/// while that helps, else up. At 16 a popular item's weight is shrunk as if it were on 17 times
/// the lists it is on.
const POPULARITIES: [f64; 10] = [0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];

/// How many of [`POPULARITIES`] a first search tries whole.
const POPULARITY_GRID: usize = 5;

/// The sparse table fitted from `train`'s co-occurrence counts, with every choice made on
/// `validation` ([`ChoiceUsers`]; coordinate by coordinate, ties to what was tried first). First
/// for whole histories alone: the score's exponent, `k` in `ks`, and the refit's λ' and
/// popularity term, with supports of the best scores. Then, where new people count, as
/// [`ChoiceScore::beats`] weighs them against the best whole-history score tried: supports of
/// the largest weights of each item's ridge regression on its best candidates, and for the
/// choice so far, the candidates kept per item (`M` of `k`, `2k` or `4·max(ks)`: a pair inside a
/// support that neither item kept counts 0, and a larger `M` shows what that costs) and the list
/// cap. Returns the table, its choice and validation score, and every choice tried.
pub fn sparse_on_validation(
    train: &[UserList],
    validation: &ChoiceUsers,
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
    // Whole histories alone first: what new people may cost is a share of their best.
    let mut search = Search {
        validation,
        new_people_cost: 0.0,
        tried: Vec::new(),
        best: None,
        log: &mut log,
    };
    let by_exponent = Cooccurrence::count(&lists, 0..n_items, 4 * k_max, &EXPONENTS)?;
    for counts in &by_exponent {
        let ranked = Ranked::new(counts, 0..n_items, Support::Score)?;
        search.try_one(counts, &ranked, k_first, Penalty::ridge(FIRST_LAMBDA))?;
    }
    let counts = (by_exponent.into_iter())
        .find(|c| c.config == search.chosen().count)
        .expect("one of those tried");
    let by_score = Ranked::new(&counts, 0..n_items, Support::Score)?;
    for &k in ks {
        search.try_one(&counts, &by_score, k, Penalty::ridge(FIRST_LAMBDA))?;
    }
    search.penalties(&counts, &by_score, search.chosen(), true)?;
    // k again, at the chosen penalty (a smaller ridge may want a larger support).
    for &k in ks {
        search.try_one(&counts, &by_score, k, search.chosen().penalty)?;
    }
    drop(by_score);
    search.new_people_cost = validation.new_people_cost;
    // Supports from each item's ridge regression on its best candidates, where new people
    // count (they reach a new person's one reaction further; each costs a solve on every
    // item's candidates): every k at the chosen penalty, then the penalty again from the best.
    let ridge_lambdas: &[f64] = match validation.new_people.is_empty() {
        true => &[],
        false => &RIDGE_SUPPORT_LAMBDAS,
    };
    for &lambda in ridge_lambdas {
        let among = Some(RIDGE_AMONG * k_max);
        let ranked = Ranked::new(&counts, 0..n_items, Support::Ridge { lambda, among })?;
        let penalty = search.chosen().penalty;
        let mut best: Option<usize> = None;
        for &k in ks {
            let tried = search.try_one(&counts, &ranked, k, penalty)?;
            if best.is_none_or(|best| search.beats(tried, best)) {
                best = Some(tried);
            }
        }
        let from = search.tried[best.expect("ks is not empty")].0;
        search.penalties(&counts, &ranked, from, false)?;
    }
    let c = search.chosen();
    for m in [c.k, 2 * c.k] {
        let fewer = counts.truncated(m);
        let ranked = Ranked::new(&fewer, 0..n_items, c.support)?;
        search.try_one(&fewer, &ranked, c.k, c.penalty)?;
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
        let ranked = Ranked::new(&counts[0], 0..n_items, c.support)?;
        search.try_one(&counts[0], &ranked, c.k, c.penalty)?;
    }
    // The floor has risen since some choices were compared: the best under the last one.
    let floor = search.floor();
    let tried = search.tried;
    let at = (1..tried.len()).fold(0, |best, t| match tried[t].1.beats(&tried[best].1, floor) {
        true => t,
        false => best,
    });
    let (choice, score) = tried[at];
    let table = match search.best.expect("tried") {
        (table, best) if best == at => table,
        _ => {
            log(&format!("item–item {choice:?}: fitted again"));
            let counts = count_part(train, n_items, &choice, 0..n_items)?;
            let (k, support, penalty) = (choice.k, choice.support, choice.penalty);
            let columns = solve_columns(&counts, 0..n_items, k, support, penalty)?;
            table_from_columns(&columns, Mix::uniform(1.0))?
        }
    };
    let mut table = with_choice(table, &choice);
    table.info.insert(
        "validation_ndcg@10".into(),
        format!("{:.4}", score.histories),
    );
    if let Some(new_people) = score.new_people {
        (table.info).insert(
            "validation_ndcg@10_new_people".into(),
            format!("{new_people:.4}"),
        );
    }
    Ok(SparseFit {
        table,
        choice,
        score,
        tried,
    })
}

/// What [`sparse_on_validation`] found: the table, its choice and validation score, and every
/// choice tried with its score.
pub struct SparseFit {
    pub table: ItemItem,
    pub choice: SparseChoice,
    pub score: ChoiceScore,
    pub tried: Vec<(SparseChoice, ChoiceScore)>,
}

/// The search of [`sparse_on_validation`]: every choice tried, and the best table so far (with
/// its place in `tried`).
struct Search<'a, L: FnMut(&str)> {
    validation: &'a ChoiceUsers,
    /// What new people may cost whole histories so far (see [`ChoiceUsers`]).
    new_people_cost: f64,
    tried: Vec<(SparseChoice, ChoiceScore)>,
    best: Option<(ItemItem, usize)>,
    log: &'a mut L,
}

impl<L: FnMut(&str)> Search<'_, L> {
    /// Fits and scores one choice (once: a repeat is looked up); its place in `tried`.
    fn try_one(
        &mut self,
        counts: &Cooccurrence,
        ranked: &Ranked,
        k: usize,
        penalty: Penalty,
    ) -> Result<usize> {
        let choice = SparseChoice {
            count: counts.config,
            support: ranked.support,
            k,
            penalty,
        };
        if let Some(at) = self.tried.iter().position(|(c, _)| *c == choice) {
            return Ok(at);
        }
        let columns = ranked.solve(counts, k, penalty)?;
        let table = table_from_columns(&columns, Mix::uniform(1.0))?;
        let users = self.validation;
        let each: Vec<f64> = (users.new_people.iter())
            .map(|group| mean_ndcg(&table, group))
            .collect();
        let score = ChoiceScore {
            histories: mean_ndcg(&table, &users.histories),
            new_people: (!each.is_empty()).then(|| each.iter().sum::<f64>() / each.len() as f64),
        };
        // Each group's too: the log shows what a mean over them trades.
        let groups: Vec<String> = each.iter().map(|n| format!("{n:.4}")).collect();
        let groups = match groups.is_empty() {
            true => String::new(),
            false => format!(" (by reactions shown: {})", groups.join(" ")),
        };
        (self.log)(&format!("item–item {choice:?}: {score}{groups}"));
        self.tried.push((choice, score));
        let at = self.tried.len() - 1;
        if (self.best.as_ref()).is_none_or(|&(_, best)| self.beats(at, best)) {
            self.best = Some((table, at));
        }
        Ok(at)
    }

    /// Whether tried choice `a` scores above `b` on validation users, as far as the choices
    /// tried so far tell ([`ChoiceScore::beats`] over [`Search::floor`]).
    fn beats(&self, a: usize, b: usize) -> bool {
        self.tried[a].1.beats(&self.tried[b].1, self.floor())
    }

    /// What whole histories must score: the best tried, less what new people may cost.
    fn floor(&self) -> f64 {
        let best = (self.tried.iter()).fold(0.0, |best: f64, (_, s)| best.max(s.histories));
        best * (1.0 - self.new_people_cost)
    }

    /// The refit's penalty for `ranked`'s support and `from`'s `k`, searched from `from` (which
    /// was tried): λ' halves while that helps, else doubles while that helps; then the
    /// popularity term along [`POPULARITIES`], the `first` time on its grid, later in steps from
    /// `from`'s (at 100,000 items each try is a solve of every item).
    fn penalties(
        &mut self,
        counts: &Cooccurrence,
        ranked: &Ranked,
        from: SparseChoice,
        first: bool,
    ) -> Result<()> {
        let k = from.k;
        let mut at = self.try_one(counts, ranked, k, from.penalty)?;
        let step = |search: &mut Self, at: &mut usize, next: Penalty| -> Result<bool> {
            let tried = search.try_one(counts, ranked, k, next)?;
            let better = search.beats(tried, *at);
            if better {
                *at = tried;
            }
            Ok(better)
        };
        for factor in [0.5, 2.0] {
            let mut improved = false;
            for _ in 0..8 {
                let penalty = self.tried[at].0.penalty;
                let next = Penalty {
                    lambda: penalty.lambda * factor,
                    ..penalty
                };
                if !step(self, &mut at, next)? {
                    break;
                }
                improved = true;
            }
            if improved {
                break;
            }
        }
        let with = |search: &Self, at: usize, p: usize| Penalty {
            popularity: POPULARITIES[p],
            ..search.tried[at].0.penalty
        };
        let rung = |search: &Self, at: usize| {
            let popularity = search.tried[at].0.penalty.popularity;
            (POPULARITIES.iter())
                .position(|&p| p >= popularity)
                .unwrap_or(POPULARITIES.len() - 1)
        };
        if first {
            for p in 0..POPULARITY_GRID {
                let next = with(self, at, p);
                step(self, &mut at, next)?;
            }
        } else {
            let mut down = false;
            while let Some(p) = rung(self, at).checked_sub(1) {
                let next = with(self, at, p);
                if !step(self, &mut at, next)? {
                    break;
                }
                down = true;
            }
            if down {
                return Ok(());
            }
        }
        // Up while that helps (from the grid only past its edge).
        let mut p = rung(self, at) + 1;
        while p < POPULARITIES.len() && (!first || p >= POPULARITY_GRID) {
            let next = with(self, at, p);
            if !step(self, &mut at, next)? {
                break;
            }
            p = rung(self, at) + 1;
        }
        Ok(())
    }

    fn chosen(&self) -> SparseChoice {
        self.tried[self.best.as_ref().expect("one choice tried").1].0
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
        // Users with 2 items hidden, showing the rest or only `shown` of them.
        let held_out = |seed, shown: Option<usize>| -> Vec<HeldOut> {
            (lists(40, n, seed).into_iter())
                .filter(|u| u.entries.len() >= 2 + shown.unwrap_or(1))
                .map(|u| {
                    let hidden_from = u.entries.len() - 2;
                    HeldOut {
                        user: u.user + 1000,
                        visible: u.entries[..shown.unwrap_or(hidden_from)].to_vec(),
                        hidden: u.entries[hidden_from..].to_vec(),
                    }
                })
                .collect()
        };
        let validation = ChoiceUsers {
            histories: held_out(5, None),
            new_people: vec![held_out(6, Some(1)), held_out(7, Some(2))],
            new_people_cost: 0.05,
        };
        assert!(validation.histories.len() > 5 && validation.new_people[1].len() > 5);
        let SparseFit {
            table,
            choice,
            score,
            tried,
        } = sparse_on_validation(&train, &validation, n, &[3, 6], |_| {}).unwrap();
        assert!(tried.contains(&(choice, score)));
        // The best for new people of the choices within 5% of the best for whole histories.
        let floor = 0.95 * tried.iter().map(|t| t.1.histories).fold(0.0, f64::max);
        assert!(score.histories >= floor);
        let within = tried.iter().filter(|t| t.1.histories >= floor);
        let best_within = within.map(|t| t.1.new_people.unwrap()).fold(0.0, f64::max);
        assert_eq!(score.new_people, Some(best_within));
        assert!(
            tried.iter().any(|t| t.1.histories > score.histories),
            "new people should cost whole histories something here"
        );
        // Its table is the one scored: each count of reactions counts alike.
        let new_people = (mean_ndcg(&table, &validation.new_people[0])
            + mean_ndcg(&table, &validation.new_people[1]))
            / 2.0;
        assert_eq!(score.histories, mean_ndcg(&table, &validation.histories));
        assert_eq!(score.new_people, Some(new_people));
        assert!((0..n).all(|i| (0..n).filter(|&j| table.weight(j, i) != 0.0).count() <= choice.k));
        // Every exponent and both kinds of support were tried, each choice once.
        for exponent in EXPONENTS {
            assert!(tried.iter().any(|(c, _)| c.count.exponent == exponent));
        }
        for lambda in RIDGE_SUPPORT_LAMBDAS {
            let support = Support::Ridge {
                lambda,
                among: Some(RIDGE_AMONG * 6),
            };
            assert!(tried.iter().any(|(c, _)| c.support == support));
        }
        let mut distinct = tried
            .iter()
            .map(|t| format!("{:?}", t.0))
            .collect::<Vec<_>>();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), tried.len());
        // For whole histories alone, supports keep to the best scores.
        let histories_alone = ChoiceUsers {
            new_people: Vec::new(),
            new_people_cost: 0.0,
            ..validation
        };
        let fit = sparse_on_validation(&train, &histories_alone, n, &[3, 6], |_| {}).unwrap();
        assert!(
            (fit.tried.iter()).all(|(c, s)| c.support == Support::Score && s.new_people.is_none())
        );
        let best = fit.tried.iter().map(|t| t.1.histories).fold(0.0, f64::max);
        assert_eq!(fit.score.histories, best);
    }
}
