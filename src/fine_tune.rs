//! Personal fine-tuning, on the person's device, from their own events only.
//!
//! The pretrained head stays frozen; what is learned is a personal residual `δ` added to their
//! user vector (`u' = u + δ`, `dim` numbers): small enough to learn from a few dozen events,
//! to store, and to export. Training examples are random splits of their history (some items
//! seen, the others to find), as in pretraining; a fixed slice of the history is kept out for
//! early stopping on its loss (smooth, unlike a top-10 metric that stays at zero until the
//! slice reaches the top), and the best `δ` seen wins — if no step helps, `δ` stays zero and
//! nothing changes.

use std::collections::HashSet;
use std::ops::ControlFlow;

use burn::module::{Module, Param};
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::{Tensor, TensorData};

use crate::clock::{now_seconds, yield_to_host};
use crate::error::{Error, Result};
use crate::head::objective::Example;
use crate::head::{
    Head, HistoryBatch, ItemTable, Objective, Targets, Users, read_rows, read_scalar,
};
use crate::interactions::Entry;
use crate::rng::SplitMix64;

#[derive(Debug, Clone)]
pub struct FineTuneConfig {
    /// At most this many optimiser steps.
    pub steps: usize,
    /// Random splits of the history per step.
    pub examples_per_step: usize,
    pub learning_rate: f64,
    pub weight_decay: f32,
    /// Share of the history kept out to decide when to stop (at least one event).
    pub validation_share: f64,
    /// Stop after this many steps without a lower validation loss.
    pub patience: usize,
    pub seed: u64,
}

impl Default for FineTuneConfig {
    fn default() -> Self {
        Self {
            steps: 60,
            examples_per_step: 16,
            learning_rate: 0.1,
            weight_decay: 0.01,
            validation_share: 0.2,
            patience: 15,
            seed: 11,
        }
    }
}

/// What fine-tuning learned for one person: added to their user vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Personal {
    pub residual: Vec<f32>,
}

impl Personal {
    pub fn zero(dim: usize) -> Self {
        Self {
            residual: vec![0.0; dim],
        }
    }
}

/// After each step (camelCase: what the page receives).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FineTuneProgress {
    pub step: usize,
    pub steps: usize,
    pub loss: f64,
    /// Cross-entropy of the kept-out slice of the history (lower is better).
    pub validation: f64,
    pub elapsed_s: f64,
    pub eta_s: f64,
}

/// A run, as the page reports it (camelCase: what the page receives).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FineTuneReport {
    /// The run's limits: at most `steps` steps, stopping after `patience` without a better
    /// validation loss.
    pub steps: usize,
    pub patience: usize,
    pub losses: Vec<f64>,
    pub validations: Vec<f64>,
    /// Validation loss before any step, and of the kept residual.
    pub initial: f64,
    pub best: f64,
    /// The step of the kept residual (0: none was better than no residual).
    pub best_step: usize,
    /// Where each kept-out reaction ranked among the items not learned from (1 = first),
    /// without the residual and with the kept one: what the loss means in a list.
    pub held_out_ranks: HeldOutRanks,
    pub seconds: f64,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldOutRanks {
    pub before: Vec<usize>,
    pub after: Vec<usize>,
}

#[derive(Module, Debug)]
struct Residual {
    delta: Param<Tensor<1>>,
}

/// Fine-tunes a personal residual on `history` (at least [`MIN_EVENTS`] events) for the frozen
/// `head`, whose `items` table covers the catalogue.
pub async fn fine_tune(
    head: &Head,
    items: &ItemTable,
    history: &[Entry],
    config: &FineTuneConfig,
    mut on_progress: impl FnMut(&FineTuneProgress) -> ControlFlow<()>,
) -> Result<(Personal, FineTuneReport)> {
    if history.len() < MIN_EVENTS {
        return Err(Error::Input(format!(
            "personal training needs at least {MIN_EVENTS} events; this history has {}",
            history.len()
        )));
    }
    if config.steps == 0
        || config.examples_per_step == 0
        || !config.learning_rate.is_finite()
        || config.learning_rate <= 0.0
    {
        return Err(Error::Input(
            "fine-tuning: steps, examples_per_step and learning_rate must be positive".into(),
        ));
    }
    let device = items.vectors.device();
    let n_items = items.bias.dims()[0];
    let dim = head.dim();
    let mut rng = SplitMix64::new(config.seed);

    // A fixed slice of the history decides when to stop; the rest is what we learn from.
    let mut shuffled = history.to_vec();
    rng.shuffle(&mut shuffled);
    let n_validation = ((history.len() as f64 * config.validation_share).round() as usize)
        .clamp(1, history.len() - 2);
    let validation = shuffled.split_off(history.len() - n_validation);
    let learn = shuffled;

    let validation_user = {
        let batch = HistoryBatch::new(&[&learn], n_items, &device)?;
        head.users(items, &batch).vectors
    };
    let seen: HashSet<usize> = learn.iter().map(|e| e.row).collect();
    let validate = |delta: Tensor<1>| {
        let user = validation_user.clone() + delta.unsqueeze();
        held_out(head.scores(&user, items), &seen, &validation)
    };

    let autodiff = device.clone().autodiff();
    let constant_items = ItemTable {
        vectors: items.vectors.clone().to_device(&autodiff),
        bias: items.bias.clone().to_device(&autodiff),
        history: items.history.clone().to_device(&autodiff),
    };
    let mut residual = Residual {
        delta: Param::from_tensor(Tensor::zeros([dim], &autodiff)),
    };
    let mut optimizer = AdamWConfig::new()
        .with_epsilon(1e-8)
        .with_weight_decay(config.weight_decay)
        .init();

    let started = now_seconds();
    let (initial, ranks) = validate(Tensor::zeros([dim], &device)).await?;
    let mut report = FineTuneReport {
        steps: config.steps,
        patience: config.patience,
        losses: Vec::new(),
        validations: Vec::new(),
        initial,
        best: initial,
        best_step: 0,
        held_out_ranks: HeldOutRanks {
            before: ranks.clone(),
            after: ranks,
        },
        seconds: 0.0,
        cancelled: false,
    };
    let mut best = Personal::zero(dim);
    for step in 1..=config.steps {
        // Examples: random splits of what we learn from; the user tower is frozen, so the
        // user vectors are constants and only δ gets a gradient.
        let splits: Vec<(Vec<Entry>, Vec<Entry>)> = (0..config.examples_per_step)
            .map(|_| {
                let mut entries = learn.clone();
                rng.shuffle(&mut entries);
                let n_targets = (entries.len() / 5).max(1);
                let targets = entries.split_off(entries.len() - n_targets);
                (entries, targets)
            })
            .collect();
        let inputs: Vec<&[Entry]> = splits.iter().map(|(i, _)| i.as_slice()).collect();
        let users = head
            .users(items, &HistoryBatch::new(&inputs, n_items, &device)?)
            .vectors
            .to_device(&autodiff);
        // The pretraining objective, on a copy of the item table that is constant here.
        let examples: Vec<Example> = splits
            .iter()
            .map(|(input, targets)| Example { input, targets })
            .collect();
        let targets = Targets::new(Objective::Softmax, &examples, n_items, &autodiff)?;
        let personalised = Users {
            vectors: users + residual.delta.val().unsqueeze(),
            weights: Tensor::zeros([splits.len(), 1], &autodiff),
        };
        let loss = targets.loss(head, &constant_items, &personalised);
        let grads = GradientsParams::from_grads(loss.backward(), &residual);
        residual = optimizer.step(config.learning_rate, residual, grads);

        let loss = read_scalar(loss.inner()).await?;
        let delta = residual.delta.val().inner();
        let (metric, ranks) = validate(delta.clone()).await?;
        report.losses.push(loss);
        report.validations.push(metric);
        if metric < report.best {
            report.best = metric;
            report.best_step = step;
            report.held_out_ranks.after = ranks;
            best = Personal {
                residual: read_rows(delta.reshape([1, dim])).await?.remove(0),
            };
        }
        let elapsed = now_seconds() - started;
        let progress = FineTuneProgress {
            step,
            steps: config.steps,
            loss,
            validation: metric,
            elapsed_s: elapsed,
            eta_s: elapsed / step as f64 * (config.steps - step) as f64,
        };
        if on_progress(&progress).is_break() {
            report.cancelled = true;
            break;
        }
        yield_to_host().await;
        if step - report.best_step >= config.patience {
            break;
        }
    }
    report.seconds = now_seconds() - started;
    Ok((best, report))
}

/// Fewest events fine-tuning accepts: one to validate on, two or more to learn from.
pub const MIN_EVENTS: usize = 3;

/// The kept-out slice under a `[1, items]` score row, with the rest of the history out of the
/// softmax (as in training): its mean cross-entropy, and each of its items' rank among the
/// items not learned from (1 = first).
async fn held_out(
    scores: Tensor<2>,
    seen: &HashSet<usize>,
    slice: &[Entry],
) -> Result<(f64, Vec<usize>)> {
    let scores = read_rows(scores).await?.remove(0);
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let log_normaliser = max
        + scores
            .iter()
            .enumerate()
            .filter(|(row, _)| !seen.contains(row))
            .map(|(_, &s)| (s as f64 - max).exp())
            .sum::<f64>()
            .ln();
    let total: f64 = slice
        .iter()
        .map(|e| log_normaliser - scores[e.row] as f64)
        .sum();
    let ranks = slice.iter().map(|e| rank(&scores, seen, e.row)).collect();
    Ok((total / slice.len() as f64, ranks))
}

/// `row`'s place in `scores` among the rows not in `seen` (1 = the highest score).
fn rank(scores: &[f32], seen: &HashSet<usize>, row: usize) -> usize {
    1 + scores
        .iter()
        .enumerate()
        .filter(|&(other, &s)| !seen.contains(&other) && s > scores[row])
        .count()
}

/// User vectors with a personal residual: `[batch, dim]` plus `δ` on every row.
pub fn personalise(users: Tensor<2>, personal: &Personal) -> Tensor<2> {
    let device = users.device();
    let n = personal.residual.len();
    users
        + Tensor::<1>::from_data(TensorData::new(personal.residual.clone(), [n]), &device)
            .unsqueeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rank_counts_only_the_items_not_learned_from() {
        let scores = [0.5, 3.0, 2.0, 1.0];
        let seen = HashSet::from([1]);
        assert_eq!(
            rank(&scores, &seen, 2),
            1,
            "row 1 is learned from: not above it"
        );
        assert_eq!(rank(&scores, &seen, 3), 2);
        assert_eq!(rank(&scores, &HashSet::new(), 3), 3);
    }
}
