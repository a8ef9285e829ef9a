//! Ranking and rating metrics. Pure functions over host data, each checked against cases
//! computed by hand in the tests below.
//!
//! Conventions (the common ones, as in RecBole): binary relevance; Recall@k divides by the number
//! of relevant items; MRR uses the rank of the first relevant item in the full ranking.

use std::collections::HashSet;

/// The `k` highest-scoring rows, best first, skipping `excluded` rows (e.g. the visible history).
/// Ties keep the lower row first, so results are deterministic.
pub fn top_k(scores: &[f32], k: usize, excluded: &HashSet<usize>) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..scores.len())
        .filter(|row| !excluded.contains(row))
        .collect();
    let better = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    let k = k.min(candidates.len());
    if k == 0 {
        return Vec::new();
    }
    if k < candidates.len() {
        candidates.select_nth_unstable_by(k - 1, better);
        candidates.truncate(k);
    }
    candidates.sort_unstable_by(better);
    candidates
}

fn discount(position: usize) -> f64 {
    1.0 / ((position + 2) as f64).log2()
}

/// Normalised discounted cumulative gain of the first `k` of `ranked`.
pub fn ndcg_at_k(ranked: &[usize], relevant: &HashSet<usize>, k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, r)| relevant.contains(r))
        .map(|(i, _)| discount(i))
        .sum();
    let ideal: f64 = (0..k.min(relevant.len())).map(discount).sum();
    dcg / ideal
}

/// Share of the relevant items found in the first `k`.
pub fn recall_at_k(ranked: &[usize], relevant: &HashSet<usize>, k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|r| relevant.contains(r))
        .count();
    found as f64 / relevant.len() as f64
}

/// 1 when any relevant item is in the first `k`, else 0.
pub fn hit_rate_at_k(ranked: &[usize], relevant: &HashSet<usize>, k: usize) -> f64 {
    f64::from(u8::from(
        ranked.iter().take(k).any(|r| relevant.contains(r)),
    ))
}

/// Reciprocal rank of the first relevant item of `ranked` (0 when none is there).
pub fn reciprocal_rank(ranked: &[usize], relevant: &HashSet<usize>) -> f64 {
    ranked
        .iter()
        .position(|r| relevant.contains(r))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// Area under the ROC curve: the chance a random positive outscores a random negative (ties count
/// one half). `None` when either side is empty.
pub fn auc(positive: &[f32], negative: &[f32]) -> Option<f64> {
    if positive.is_empty() || negative.is_empty() {
        return None;
    }
    // Rank-sum (Mann–Whitney U) with average ranks for ties: O(n log n).
    let mut all: Vec<(f32, bool)> = positive
        .iter()
        .map(|&s| (s, true))
        .chain(negative.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut positive_rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        // Ties by total order: NaN equals NaN here, so a NaN score cannot stall the scan.
        let mut j = i + 1;
        while j < all.len() && all[j].0.total_cmp(&all[i].0).is_eq() {
            j += 1;
        }
        let average_rank = (i + 1 + j) as f64 / 2.0; // ranks i+1 ..= j
        positive_rank_sum += average_rank * all[i..j].iter().filter(|(_, p)| *p).count() as f64;
        i = j;
    }
    let (p, n) = (positive.len() as f64, negative.len() as f64);
    Some((positive_rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Root mean squared error. `None` for no pairs.
pub fn rmse(predicted: &[f32], actual: &[f32]) -> Option<f64> {
    if predicted.is_empty() || predicted.len() != actual.len() {
        return None;
    }
    let sum: f64 = predicted
        .iter()
        .zip(actual)
        .map(|(p, a)| (f64::from(*p) - f64::from(*a)).powi(2))
        .sum();
    Some((sum / predicted.len() as f64).sqrt())
}

/// Share of the catalogue that appears in at least one of the recommendation lists.
pub fn coverage(lists: &[Vec<usize>], catalogue_size: usize) -> f64 {
    if catalogue_size == 0 {
        return 0.0;
    }
    let shown: HashSet<usize> = lists.iter().flatten().copied().collect();
    shown.len() as f64 / catalogue_size as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[usize]) -> HashSet<usize> {
        items.iter().copied().collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn top_k_orders_by_score_skips_excluded_and_breaks_ties_by_row() {
        let scores = [0.1, 0.9, 0.5, 0.9, -1.0];
        assert_eq!(top_k(&scores, 3, &set(&[])), vec![1, 3, 2]);
        assert_eq!(top_k(&scores, 3, &set(&[1])), vec![3, 2, 0]);
        assert_eq!(top_k(&scores, 10, &set(&[0, 1, 2])), vec![3, 4]);
        assert_eq!(top_k(&scores, 0, &set(&[])), Vec::<usize>::new());
    }

    #[test]
    fn ndcg_by_hand() {
        // Relevant {a, b} at positions 1 and 3 (0-based 0 and 2):
        // DCG = 1/log2(2) + 1/log2(4) = 1 + 0.5; IDCG = 1 + 1/log2(3).
        let ranked = [7, 8, 9, 10];
        let expected = 1.5 / (1.0 + 1.0 / 3f64.log2());
        assert!(close(ndcg_at_k(&ranked, &set(&[7, 9]), 10), expected));
        // Cut at k = 2: only the first hit counts; IDCG still has two places.
        assert!(close(
            ndcg_at_k(&ranked, &set(&[7, 9]), 2),
            1.0 / (1.0 + 1.0 / 3f64.log2())
        ));
        // Perfect ranking is 1; no hit is 0.
        assert!(close(ndcg_at_k(&ranked, &set(&[7, 8]), 10), 1.0));
        assert!(close(ndcg_at_k(&ranked, &set(&[99]), 10), 0.0));
        // One relevant item at position 2 (0-based 1): 1/log2(3).
        assert!(close(ndcg_at_k(&ranked, &set(&[8]), 10), 1.0 / 3f64.log2()));
    }

    #[test]
    fn recall_hit_rate_and_reciprocal_rank_by_hand() {
        let ranked = [4, 5, 6, 7, 8];
        let relevant = set(&[5, 8, 99, 100]);
        assert!(close(recall_at_k(&ranked, &relevant, 2), 0.25));
        assert!(close(recall_at_k(&ranked, &relevant, 5), 0.5));
        assert!(close(hit_rate_at_k(&ranked, &relevant, 1), 0.0));
        assert!(close(hit_rate_at_k(&ranked, &relevant, 2), 1.0));
        assert!(close(reciprocal_rank(&ranked, &relevant), 0.5));
        assert!(close(reciprocal_rank(&ranked, &set(&[42])), 0.0));
    }

    #[test]
    fn auc_by_hand() {
        // Pairs (p, n): (3,1) win, (3,2) win, (3,3) tie, (1,1) tie, (1,2) loss, (1,3) loss
        // → (2 + 0.5 + 0.5) / 6 = 0.5.
        assert!(close(auc(&[3.0, 1.0], &[1.0, 2.0, 3.0]).unwrap(), 0.5));
        assert!(close(auc(&[2.0, 3.0], &[0.0, 1.0]).unwrap(), 1.0));
        assert!(close(auc(&[0.0], &[1.0, 2.0]).unwrap(), 0.0));
        // 3 of 4 pairs won: positive 0.6 beats 0.1 and 0.5, 0.4 beats 0.1 only.
        assert!(close(auc(&[0.6, 0.4], &[0.1, 0.5]).unwrap(), 0.75));
        assert_eq!(auc(&[], &[1.0]), None);
        // NaN scores (a diverged model) end the scan and tie with each other.
        assert!(close(auc(&[f32::NAN], &[f32::NAN]).unwrap(), 0.5));
    }

    #[test]
    fn rmse_and_coverage_by_hand() {
        // Errors 1, -1, 2 → sqrt((1 + 1 + 4) / 3) = sqrt(2).
        assert!(close(
            rmse(&[2.0, 4.0, 7.0], &[1.0, 5.0, 5.0]).unwrap(),
            2f64.sqrt()
        ));
        assert_eq!(rmse(&[], &[]), None);
        assert!(close(coverage(&[vec![0, 1], vec![1, 2]], 10), 0.3));
    }
}
