//! How a training run is set: the objective, the optimiser's schedule, early stopping, and the
//! sampled softmax and step budget that large catalogues switch to.

use crate::head::Objective;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    pub objective: Objective,
    /// At most this many passes over the training users.
    pub epochs: usize,
    pub batch_size: usize,
    /// Peak learning rate, reached after `warmup_steps`, then decayed linearly to a tenth.
    pub learning_rate: f64,
    pub warmup_steps: usize,
    pub weight_decay: f32,
    /// Each parameter tensor's gradient is rescaled to at most this L2 norm.
    pub clip_norm: f32,
    /// Stop after this many epochs without a better validation metric.
    pub patience: usize,
    /// Share of a training user's list used as targets in each example.
    pub target_share: f64,
    /// At most this many history items per example (a random subset of longer histories).
    pub max_history: usize,
    pub seed: u64,
    /// Sampled softmax: about this many negatives per step instead of the whole catalogue
    /// ([`NegativeSampler`](crate::head::NegativeSampler)); `None`: the full softmax. Softmax objective only.
    #[serde(default)]
    pub negatives: Option<usize>,
    /// Negatives are drawn in proportion to `(count + 1)^negative_exponent` (0: uniform).
    #[serde(default = "default_negative_exponent")]
    pub negative_exponent: f64,
    /// At most this many steps between validations (an "epoch" of a step budget, continuing
    /// through the shuffled users); `None`: whole passes over the training users.
    #[serde(default)]
    pub epoch_steps: Option<usize>,
    /// Validate on at most this many validation users (a seeded sample): ranking a large
    /// catalogue for every validation user would cost more than training.
    #[serde(default = "default_validation_users")]
    pub validation_users: usize,
}

fn default_negative_exponent() -> f64 {
    0.75
}

fn default_validation_users() -> usize {
    2000
}

/// Above this many items `localrec pretrain` (and so `build-site`) switches to the sampled
/// softmax and a step budget unless told otherwise: a full-softmax epoch costs training users ×
/// items (10,000 items, 80,000 users: 219 CPU-s; 100,000 items: hours).
pub const SAMPLED_ABOVE_ITEMS: usize = 20_000;
/// Negatives per step and steps per epoch for large catalogues (chosen on validation users,
/// bench/README.md's "Catalogues of 100,000 items").
pub const LARGE_NEGATIVES: usize = 2048;
pub const LARGE_EPOCH_STEPS: usize = 500;
/// Epochs for large catalogues, for the build's time (validation still gains at 12: ten keep a
/// `build-site` of 100,000 items near 40 minutes on 2 cores; bench/README.md).
pub const LARGE_EPOCHS: usize = 10;

impl TrainConfig {
    /// The defaults for a catalogue of `items`: sampled softmax, a step budget and
    /// [`LARGE_EPOCHS`] above [`SAMPLED_ABOVE_ITEMS`], as set where `negatives`, `epoch_steps`
    /// or `epochs` was left to choose (`None` in the arguments); `Some(0)` asks for the full
    /// softmax or whole epochs.
    pub fn sized_for(
        mut self,
        items: usize,
        negatives: Option<usize>,
        epoch_steps: Option<usize>,
        epochs: Option<usize>,
    ) -> Self {
        let large = items > SAMPLED_ABOVE_ITEMS;
        self.epochs = epochs.unwrap_or(if large { LARGE_EPOCHS } else { self.epochs });
        self.negatives = match negatives {
            Some(0) => None,
            Some(n) => Some(n),
            None => large.then_some(LARGE_NEGATIVES),
        };
        self.epoch_steps = match epoch_steps {
            Some(0) => None,
            Some(n) => Some(n),
            None => large.then_some(LARGE_EPOCH_STEPS),
        };
        self
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            objective: Objective::Softmax,
            epochs: 24,
            batch_size: 64,
            learning_rate: 5e-3,
            warmup_steps: 50,
            weight_decay: 0.1,
            clip_norm: 5.0,
            patience: 6,
            target_share: 0.2,
            // Above the longest list in anime-5k: the user tower must see histories as long in
            // training as in use, or its √n-scaled pooling meets lengths it never learned.
            max_history: 2048,
            seed: 7,
            negatives: None,
            negative_exponent: default_negative_exponent(),
            epoch_steps: None,
            validation_users: default_validation_users(),
        }
    }
}
