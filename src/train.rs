//! The training loop, shared by `localrec pretrain` and the page: AdamW with decoupled weight
//! decay, linear warm-up then linear decay, gradient clipping, early stopping on a validation
//! metric, progress through a callback. No I/O. Seeded: on the CPU backend two runs with the
//! same seed give the same numbers.
//!
//! Each epoch every training user becomes one example, split afresh at random: most of their
//! list is the history the user tower sees, the rest are the targets (as in the evaluation,
//! where 20% of a held-out user's items are hidden).

use std::ops::ControlFlow;

use burn::module::Module;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::Tensor;

use crate::clock::now_seconds;
use crate::error::{Error, Result};

use crate::eval::split::HeldOut;
use crate::head::{
    Head, HistoryBatch, NegativeSampler, Objective, SampledBatch, Targets, objective::Example,
    read_scalar,
};
use crate::interactions::{Entry, UserList};
use crate::rng::SplitMix64;

mod config;
mod pretrain;
mod validation;

pub use config::{
    LARGE_EPOCH_STEPS, LARGE_EPOCHS, LARGE_NEGATIVES, SAMPLED_ABOVE_ITEMS, TrainConfig,
};
pub use pretrain::pretrain_head;
use validation::sample_users;
pub use validation::{Validation, rank_users, rating_pairs, validate};

/// What the loop reports after every step (`metric` after each epoch's validation).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Progress {
    pub epoch: usize,
    pub epochs: usize,
    pub step: usize,
    pub steps: usize,
    /// Mean loss over the epoch so far.
    pub loss: f64,
    pub validation: Option<Validation>,
    pub learning_rate: f64,
    pub elapsed_s: f64,
    /// Until `epochs` are done (early stopping usually ends sooner).
    pub eta_s: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainReport {
    /// Mean training loss of each epoch run.
    pub losses: Vec<f64>,
    /// Validation metric after each epoch (before the first: `initial`).
    pub validations: Vec<Validation>,
    pub initial: Validation,
    pub best_epoch: usize,
    pub best: Validation,
    pub steps: usize,
    pub examples: usize,
    pub seconds: f64,
    /// Stopped by the progress callback.
    pub cancelled: bool,
}

impl TrainReport {
    pub fn examples_per_second(&self) -> f64 {
        self.examples as f64 / self.seconds.max(1e-9)
    }
}

/// Trains `head` on `train` users, validating on `validation` after every epoch, and returns the
/// best head seen (on the plain device `text` lives on). `text` is the `[items, text_dim]`
/// frozen item text matrix. Training runs on the autodiff version of that device.
pub async fn train(
    head: Head,
    text: &Tensor<2>,
    train: &[UserList],
    validation: &[HeldOut],
    config: &TrainConfig,
    mut on_progress: impl FnMut(&Progress) -> ControlFlow<()>,
) -> Result<(Head, TrainReport)> {
    check_config(config)?;
    let n_items = text.dims()[0];
    let device = text.device();
    let trainable: Vec<&UserList> = train.iter().filter(|u| u.entries.len() >= 2).collect();
    if trainable.is_empty() {
        return Err(Error::Input(
            "no training user has two or more items: nothing to learn from".into(),
        ));
    }
    let sampler = match config.negatives {
        Some(expected) => {
            let mut counts = vec![0u32; n_items];
            for user in &trainable {
                for entry in &user.entries {
                    if let Some(count) = counts.get_mut(entry.row) {
                        *count += 1;
                    }
                }
            }
            Some(NegativeSampler::new(
                &counts,
                expected,
                config.negative_exponent,
            )?)
        }
        None => None,
    };
    // Its own stream: a sampled run sees the same batches as a full one with the same seed.
    let mut negatives_rng = SplitMix64::new(config.seed ^ 0x6e65_6761_7469_7665);
    let validation_sample = sample_users(validation, config.validation_users, config.seed);
    let validation = &validation_sample[..];
    let autodiff = device.clone().autodiff();
    let text_ad = text.clone().to_device(&autodiff);
    let mut model = head.to_device(&autodiff).train();
    let mut optimizer = AdamWConfig::new()
        // Rare items' rows get tiny gradients (their softmax share is ~1/items): Burn's default
        // epsilon (1e-5) would swamp them and stall their learning.
        .with_epsilon(1e-8)
        .with_weight_decay(config.weight_decay)
        .with_grad_clipping(Some(GradientClippingConfig::Norm(config.clip_norm)))
        .init();

    let whole_epoch = trainable.len().div_ceil(config.batch_size);
    let steps_per_epoch = config
        .epoch_steps
        .map_or(whole_epoch, |s| s.min(whole_epoch));
    let total_steps = steps_per_epoch * config.epochs;
    let mut rng = SplitMix64::new(config.seed);
    let started = now_seconds();
    let initial = validate(&model.valid(), text, validation, config.objective).await?;
    let mut report = TrainReport {
        losses: Vec::new(),
        validations: Vec::new(),
        initial,
        best_epoch: 0,
        best: initial,
        steps: 0,
        examples: 0,
        seconds: 0.0,
        cancelled: false,
    };
    let mut best = model.valid();
    let report_at = |epoch: usize, step: usize, loss: f64, validation: Option<Validation>| {
        let elapsed = now_seconds() - started;
        Progress {
            epoch,
            epochs: config.epochs,
            step,
            steps: total_steps,
            loss,
            validation,
            learning_rate: schedule(config, step, total_steps),
            elapsed_s: elapsed,
            eta_s: elapsed / step as f64 * (total_steps - step) as f64,
        }
    };
    let mut step = 0;
    let mut order = Vec::new();
    let mut cursor = 0;
    'epochs: for epoch in 1..=config.epochs {
        let mut loss_sum = 0.0;
        for k in 0..steps_per_epoch {
            // Whole epochs reshuffle at each one; a step budget goes on through the order.
            if cursor >= order.len() || (config.epoch_steps.is_none() && k == 0) {
                order = trainable.clone();
                rng.shuffle(&mut order);
                cursor = 0;
            }
            let chunk = &order[cursor..(cursor + config.batch_size).min(order.len())];
            cursor += chunk.len();
            let examples: Vec<(Vec<Entry>, Vec<Entry>)> = chunk
                .iter()
                .map(|u| split_example(&u.entries, config, &mut rng))
                .collect();
            let histories: Vec<&[Entry]> = examples.iter().map(|(h, _)| h.as_slice()).collect();
            let batch: Vec<Example> = examples
                .iter()
                .map(|(input, targets)| Example { input, targets })
                .collect();
            let (items, history, targets) = match &sampler {
                Some(sampler) => {
                    let sampled =
                        SampledBatch::new(&batch, sampler, &mut negatives_rng, &autodiff)?;
                    let items = model.item_rows(text_ad.clone(), sampled.rows);
                    (items, sampled.history, sampled.targets)
                }
                None => (
                    model.item_table(text_ad.clone()),
                    HistoryBatch::new(&histories, n_items, &autodiff)?,
                    Targets::new(config.objective, &batch, n_items, &autodiff)?,
                ),
            };
            let users = model.users(&items, &history);
            let loss = targets.loss(&model, &items, &users);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            step += 1;
            let learning_rate = schedule(config, step, total_steps);
            model = optimizer.step(learning_rate, model, grads);

            let loss = read_scalar(loss.inner()).await?;
            if !loss.is_finite() {
                return Err(Error::Compute(format!(
                    "training diverged at epoch {epoch}, step {step}: loss is {loss}"
                )));
            }
            loss_sum += loss;
            report.steps = step;
            report.examples += chunk.len();
            let progress = report_at(epoch, step, loss_sum / (k + 1) as f64, None);
            if on_progress(&progress).is_break() {
                report.cancelled = true;
                break 'epochs;
            }
        }
        report.losses.push(loss_sum / steps_per_epoch as f64);

        let current = model.valid();
        let metric = validate(&current, text, validation, config.objective).await?;
        report.validations.push(metric);
        // Without validation users there is nothing to choose by: the latest model is kept.
        if validation.is_empty() || metric.better_than(report.best) {
            report.best = metric;
            report.best_epoch = epoch;
            best = current;
        }
        let epoch_loss = *report.losses.last().expect("just pushed");
        if on_progress(&report_at(epoch, step, epoch_loss, Some(metric))).is_break() {
            report.cancelled = true;
            break;
        }
        if epoch - report.best_epoch >= config.patience {
            break;
        }
    }
    report.seconds = now_seconds() - started;
    Ok((best, report))
}

fn check_config(config: &TrainConfig) -> Result<()> {
    let bad = |why: &str| Err(Error::Input(format!("training config: {why}")));
    if config.epochs == 0 || config.batch_size == 0 || config.max_history == 0 {
        return bad("epochs, batch_size and max_history must be positive");
    }
    if !(config.learning_rate > 0.0 && config.learning_rate.is_finite()) {
        return bad("learning_rate must be a positive number");
    }
    if !(config.target_share > 0.0 && config.target_share < 1.0) {
        return bad("target_share must be between 0 and 1");
    }
    if !(config.weight_decay >= 0.0 && config.clip_norm > 0.0) {
        return bad("weight_decay must be ≥ 0 and clip_norm > 0");
    }
    if config.negatives.is_some() && config.objective != Objective::Softmax {
        return bad("sampled negatives are for the softmax objective only");
    }
    if config.negatives == Some(0) || config.epoch_steps == Some(0) || config.validation_users == 0
    {
        return bad("negatives, epoch_steps and validation_users must be positive where set");
    }
    Ok(())
}

/// Linear warm-up to the peak, then linear decay to a tenth of it at the last step.
pub fn schedule(config: &TrainConfig, step: usize, total_steps: usize) -> f64 {
    let peak = config.learning_rate;
    let warmup = config.warmup_steps.max(1);
    if step <= warmup {
        return peak * step as f64 / warmup as f64;
    }
    let remaining = (total_steps.saturating_sub(warmup)).max(1) as f64;
    let progress = ((step - warmup) as f64 / remaining).min(1.0);
    peak * (1.0 - 0.9 * progress)
}

/// One random (history, targets) split of a list of at least two entries.
fn split_example(
    entries: &[Entry],
    config: &TrainConfig,
    rng: &mut SplitMix64,
) -> (Vec<Entry>, Vec<Entry>) {
    let mut shuffled = entries.to_vec();
    rng.shuffle(&mut shuffled);
    let n_targets =
        ((entries.len() as f64 * config.target_share).round() as usize).clamp(1, entries.len() - 1);
    let targets = shuffled.split_off(entries.len() - n_targets);
    shuffled.truncate(config.max_history);
    (shuffled, targets)
}

#[cfg(test)]
mod tests;
