//! The described-taste protocol's metrics of one way of scoring, over its people: NDCG@10,
//! Recall@10 and HR@10 against their targets, and how visibly and how much a sentence changes
//! their lists.

use std::collections::HashSet;

use localrec::eval::metrics::{hit_rate_at_k, ndcg_at_k, recall_at_k};

use super::{K, Person};

/// Top-10 metrics of one way of scoring, averaged over users.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(super) struct TopTen {
    #[serde(rename = "ndcg@10")]
    pub ndcg: f64,
    #[serde(rename = "recall@10")]
    pub recall: f64,
    #[serde(rename = "hr@10")]
    pub hit_rate: f64,
    /// The share of the top 10 that carries a described label: how visibly the list follows
    /// the sentence (NDCG alone rewards a person's popular items whatever they said).
    #[serde(rename = "described@10")]
    pub described: f64,
    /// Rows of the top 10 that are not in the same person's list without the sentence: how
    /// much the sentence moves the list (0 for the list without it).
    #[serde(rename = "moved@10")]
    pub moved: f64,
    users: usize,
    /// Each person's NDCG@10, for the standard error.
    #[serde(skip)]
    pub each: Vec<f64>,
}

impl TopTen {
    /// The metrics of `lists`; `without` holds the same people's lists without the sentence.
    pub(super) fn of(
        lists: &[(Vec<usize>, &Person<'_>)],
        labels: &[Vec<String>],
        without: &[(Vec<usize>, &Person<'_>)],
    ) -> Self {
        let n = lists.len().max(1) as f64;
        let mut report = Self {
            users: lists.len(),
            ..Self::default()
        };
        for ((ranked, person), (before, _)) in lists.iter().zip(without) {
            report.moved += ranked.iter().filter(|r| !before.contains(r)).count() as f64 / n;
            let relevant: HashSet<usize> = person.held.hidden.iter().map(|e| e.row).collect();
            let ndcg = ndcg_at_k(ranked, &relevant, K);
            report.each.push(ndcg);
            report.ndcg += ndcg / n;
            report.recall += recall_at_k(ranked, &relevant, K) / n;
            report.hit_rate += hit_rate_at_k(ranked, &relevant, K) / n;
            let described = (ranked.iter())
                .filter(|&&row| labels[row].iter().any(|l| person.labels.contains(l)))
                .count();
            report.described += described as f64 / K as f64 / n;
        }
        report
    }
}

/// The standard error of the mean of `values`.
pub(super) fn standard_error(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (variance / n).sqrt()
}
