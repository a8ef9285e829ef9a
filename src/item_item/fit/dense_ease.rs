//! Dense EASE with its penalty chosen on validation users: the evaluation's baseline, which holds
//! `n × n` matrices and so is only fitted for catalogues small enough.

use burn::tensor::Device;

use crate::error::{Error, Result};
use crate::eval::baselines::evaluate;
use crate::eval::ease::{Ease, gram};
use crate::eval::split::HeldOut;
use crate::interactions::UserList;

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
