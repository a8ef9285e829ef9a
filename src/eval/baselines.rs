//! Reference recommenders in the same harness as the head: popularity, ItemKNN (item–item
//! cosine over co-occurrence) and text-kNN (the mean MiniLM vector of the history, no training).
//! Each turns a visible history into a score for every catalogue row.

use std::collections::HashSet;

use super::metrics;
use super::split::HeldOut;
use crate::error::Result;
use crate::interactions::{Entry, UserList};
use crate::item_item::cooccurrence::{Candidates, CappedLists, Cooccurrence};
use crate::item_item::fit::LIST_CAP;
use crate::item_vectors::ItemVectors;

pub trait Recommender {
    fn name(&self) -> &str;
    /// One score per catalogue row; higher is better.
    fn scores(&self, visible: &[Entry]) -> Vec<f32>;
}

/// How often each item appears in the training lists.
pub struct Popularity {
    counts: Vec<f32>,
}

impl Popularity {
    pub fn fit(train: &[UserList], n_items: usize) -> Self {
        let mut counts = vec![0.0; n_items];
        for entry in train.iter().flat_map(|u| &u.entries) {
            counts[entry.row] += 1.0;
        }
        Self { counts }
    }
}

impl Recommender for Popularity {
    fn name(&self) -> &str {
        "popularity"
    }
    fn scores(&self, _visible: &[Entry]) -> Vec<f32> {
        self.counts.clone()
    }
}

/// Item–item cosine similarity of the binary user×item matrix, keeping each item's
/// `neighbours` most similar items; a history scores an item by summing its similarities.
pub struct ItemKnn {
    /// Per item: (neighbour row, similarity), best first.
    neighbours: Vec<Vec<(usize, f32)>>,
    n_items: usize,
}

impl ItemKnn {
    pub fn fit(train: &[UserList], n_items: usize, neighbours: usize) -> Self {
        // Dense co-occurrence counts: n_items² u32 (≈220 MB for anime-5k), freed after top-k.
        let mut co = vec![0u32; n_items * n_items];
        let mut counts = vec![0u32; n_items];
        for user in train {
            let rows: Vec<usize> = user.entries.iter().map(|e| e.row).collect();
            for &i in &rows {
                counts[i] += 1;
                let line = &mut co[i * n_items..(i + 1) * n_items];
                for &j in &rows {
                    line[j] += 1;
                }
            }
        }
        let neighbours = (0..n_items)
            .map(|i| {
                let line = &co[i * n_items..(i + 1) * n_items];
                let mut similar: Vec<(usize, f32)> = line
                    .iter()
                    .enumerate()
                    .filter(|&(j, &c)| j != i && c > 0)
                    .map(|(j, &c)| {
                        (
                            j,
                            c as f32 / ((counts[i] as f32) * (counts[j] as f32)).sqrt(),
                        )
                    })
                    .collect();
                similar.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                similar.truncate(neighbours);
                similar
            })
            .collect();
        Self {
            neighbours,
            n_items,
        }
    }
}

impl Recommender for ItemKnn {
    fn name(&self) -> &str {
        "itemknn"
    }
    fn scores(&self, visible: &[Entry]) -> Vec<f32> {
        let mut scores = vec![0.0; self.n_items];
        for entry in visible {
            for &(j, similarity) in &self.neighbours[entry.row] {
                scores[j] += similarity;
            }
        }
        scores
    }
}

/// "People who took this also took": each item's `neighbours` most co-occurring items in the
/// training lists (capped as the item–item fit caps them), by raw count; a history scores an
/// item by summing its counts with the history's items. From one reaction this is the guess a
/// regression on that reaction alone makes (the items most often taken with it, popular ones
/// first), where the item–item table's weights are partial, for whole histories.
pub struct CoOccurrence {
    /// Per item: `(neighbour row, count)`, by row.
    neighbours: Vec<Candidates>,
    n_items: usize,
}

impl CoOccurrence {
    pub fn fit(train: &[UserList], n_items: usize, neighbours: usize) -> Result<Self> {
        let lists = CappedLists::new(train, n_items, LIST_CAP)?;
        let raw = [0.0]; // the score's damping exponent: none, raw counts
        let counted = Cooccurrence::count(&lists, 0..n_items, neighbours, &raw)?;
        let counts = counted.into_iter().next().expect("one exponent counted");
        Ok(Self {
            neighbours: counts.rows,
            n_items,
        })
    }
}

impl Recommender for CoOccurrence {
    fn name(&self) -> &str {
        "co-occurrence"
    }
    fn scores(&self, visible: &[Entry]) -> Vec<f32> {
        let mut scores = vec![0.0; self.n_items];
        for entry in visible {
            for &(j, count) in &self.neighbours[entry.row] {
                scores[j as usize] += count as f32;
            }
        }
        scores
    }
}

/// The mean text vector of the visible history against every item's text vector.
pub struct TextKnn<'a> {
    pub items: &'a ItemVectors,
}

impl Recommender for TextKnn<'_> {
    fn name(&self) -> &str {
        "text-knn"
    }
    fn scores(&self, visible: &[Entry]) -> Vec<f32> {
        let dim = self.items.dim;
        let mut user = vec![0.0f32; dim];
        for entry in visible {
            user.iter_mut()
                .zip(self.items.row(entry.row))
                .for_each(|(u, v)| *u += v);
        }
        (0..self.items.rows)
            .map(|r| {
                self.items
                    .row(r)
                    .iter()
                    .zip(&user)
                    .map(|(a, b)| a * b)
                    .sum()
            })
            .collect()
    }
}

/// Mean ranking metrics over held-out users; visible items are never recommended.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RankingReport {
    #[serde(rename = "ndcg@10")]
    pub ndcg: f64,
    #[serde(rename = "recall@10")]
    pub recall: f64,
    #[serde(rename = "hr@10")]
    pub hit_rate: f64,
    pub mrr: f64,
    /// Hidden items against every item the user has not touched, averaged over users.
    pub auc: f64,
    #[serde(rename = "coverage@10")]
    pub coverage: f64,
    pub users: usize,
}

pub const K: usize = 10;

pub fn evaluate(model: &dyn Recommender, users: &[HeldOut], n_items: usize) -> RankingReport {
    let mut ranking = Ranking::new(n_items);
    for user in users {
        ranking.add(&model.scores(&user.visible), user);
    }
    ranking.report()
}

/// Accumulates ranking metrics user by user, from each user's scores for the whole catalogue.
pub struct Ranking {
    n_items: usize,
    sums: [f64; 5],
    lists: Vec<Vec<usize>>,
}

impl Ranking {
    pub fn new(n_items: usize) -> Self {
        Self {
            n_items,
            sums: [0.0; 5],
            lists: Vec::new(),
        }
    }

    pub fn add(&mut self, scores: &[f32], user: &HeldOut) {
        self.add_reranked(scores, user, |ranked| ranked);
    }

    /// As [`Ranking::add`], with the ranked list reordered by `rerank` (e.g. a franchise cap)
    /// before the top-k metrics; AUC stays a property of the scores.
    pub fn add_reranked(
        &mut self,
        scores: &[f32],
        user: &HeldOut,
        rerank: impl FnOnce(Vec<usize>) -> Vec<usize>,
    ) {
        let excluded: HashSet<usize> = user.visible.iter().map(|e| e.row).collect();
        let relevant: HashSet<usize> = user.hidden.iter().map(|e| e.row).collect();
        let ranked = rerank(metrics::top_k(scores, self.n_items, &excluded));
        let (positive, negative): (Vec<f32>, Vec<f32>) = {
            let (mut p, mut n) = (Vec::new(), Vec::new());
            for (row, &score) in scores.iter().enumerate() {
                if relevant.contains(&row) {
                    p.push(score);
                } else if !excluded.contains(&row) {
                    n.push(score);
                }
            }
            (p, n)
        };
        let values = [
            metrics::ndcg_at_k(&ranked, &relevant, K),
            metrics::recall_at_k(&ranked, &relevant, K),
            metrics::hit_rate_at_k(&ranked, &relevant, K),
            metrics::reciprocal_rank(&ranked, &relevant),
            metrics::auc(&positive, &negative).unwrap_or(0.5),
        ];
        self.sums.iter_mut().zip(values).for_each(|(s, v)| *s += v);
        self.lists.push(ranked[..K.min(ranked.len())].to_vec());
    }

    /// Mean number of distinct `group`s (e.g. franchises) among each user's top-k.
    pub fn distinct_in_top(&self, group: &[u32]) -> f64 {
        let total: usize = self
            .lists
            .iter()
            .map(|list| list.iter().map(|&r| group[r]).collect::<HashSet<_>>().len())
            .sum();
        total as f64 / self.lists.len().max(1) as f64
    }

    pub fn report(&self) -> RankingReport {
        let n = self.lists.len().max(1) as f64;
        let [ndcg, recall, hit_rate, mrr, auc] = self.sums.map(|s| s / n);
        RankingReport {
            ndcg,
            recall,
            hit_rate,
            mrr,
            auc,
            coverage: metrics::coverage(&self.lists, self.n_items),
            users: self.lists.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(user: u32, rows: &[usize]) -> UserList {
        UserList {
            user,
            entries: rows.iter().map(|&row| Entry { row, rating: 0 }).collect(),
        }
    }

    fn entries(rows: &[usize]) -> Vec<Entry> {
        rows.iter().map(|&row| Entry { row, rating: 0 }).collect()
    }

    #[test]
    fn popularity_counts_training_lists() {
        let model = Popularity::fit(&[list(0, &[0, 1]), list(1, &[1, 2]), list(2, &[1])], 4);
        assert_eq!(model.scores(&[]), [1.0, 3.0, 1.0, 0.0]);
    }

    #[test]
    fn itemknn_uses_cosine_of_co_occurrence() {
        // Items 0 and 1 always together (cosine 1); 0 and 2 once of 2×1 (1/sqrt(2)).
        let train = [list(0, &[0, 1, 2]), list(1, &[0, 1]), list(2, &[3])];
        let model = ItemKnn::fit(&train, 4, 10);
        let scores = model.scores(&entries(&[0]));
        assert!((scores[1] - 1.0).abs() < 1e-6);
        assert!((scores[2] - 1.0 / 2f32.sqrt()).abs() < 1e-6);
        assert_eq!(scores[3], 0.0);
        // Keeping one neighbour drops the weaker one.
        assert_eq!(ItemKnn::fit(&train, 4, 1).scores(&entries(&[0]))[2], 0.0);
    }

    #[test]
    fn co_occurrence_counts_who_took_both() {
        // From item 0: item 1 is on two of its lists, item 2 on one, item 3 on none; popular
        // item 4 is on every list but counts only where 0 is.
        let train = [
            list(0, &[0, 1, 4]),
            list(1, &[0, 1, 2]),
            list(2, &[3, 4]),
            list(3, &[4]),
        ];
        let model = CoOccurrence::fit(&train, 5, 10).unwrap();
        assert_eq!(model.scores(&entries(&[0])), [0.0, 2.0, 1.0, 0.0, 1.0]);
        // Two reactions sum their counts.
        assert_eq!(model.scores(&entries(&[0, 3])), [0.0, 2.0, 1.0, 0.0, 2.0]);
        // Keeping one neighbour keeps the most co-occurring.
        let one = CoOccurrence::fit(&train, 5, 1).unwrap();
        assert_eq!(one.scores(&entries(&[0])), [0.0, 2.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn evaluate_excludes_the_visible_history() {
        let model = Popularity::fit(&[list(0, &[0, 1]), list(1, &[0, 1]), list(2, &[0, 2])], 3);
        // Item 0 is most popular but visible: item 1 must rank first, and it is the hidden one.
        let users = [HeldOut {
            user: 9,
            visible: entries(&[0]),
            hidden: entries(&[1]),
        }];
        let report = evaluate(&model, &users, 3);
        assert_eq!((report.ndcg, report.hit_rate, report.mrr), (1.0, 1.0, 1.0));
    }
}
