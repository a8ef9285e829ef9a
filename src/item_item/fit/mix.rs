//! How the head's and the item–item part's scores mix for whole histories, chosen on validation
//! users: the smallest item–item scale within one standard error of the best.

use rayon::prelude::*;

use super::split_scores::SplitScores;
use crate::eval::split::HeldOut;
use crate::item_item::{ItemItem, Mix};

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
