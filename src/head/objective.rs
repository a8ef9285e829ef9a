//! Training objectives: what the head is asked to predict about a user's held-out items.

use burn::tensor::activation::{log_sigmoid, log_softmax};
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::{Head, ItemTable, Users};
use crate::error::{Error, Result};
use crate::interactions::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Softmax cross-entropy over the whole catalogue: held-out items should take the
    /// probability mass (multinomial likelihood). Ranking is what the product does.
    #[default]
    Softmax,
    /// Binary cross-entropy, one-vs-rest: held-out items are positives, every item the user has
    /// not touched is a negative; both sides weigh equally per user.
    Bce,
    /// Mean squared error of the 1–10 rating of held-out rated items.
    Rating,
}

impl std::str::FromStr for Objective {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "softmax" => Ok(Self::Softmax),
            "bce" => Ok(Self::Bce),
            "rating" | "mse" => Ok(Self::Rating),
            other => Err(Error::Input(format!(
                "unknown objective {other:?} (softmax, bce or rating)"
            ))),
        }
    }
}

/// One training example: what the user tower sees, and what it should predict.
pub struct Example<'a> {
    pub input: &'a [Entry],
    pub targets: &'a [Entry],
}

/// Targets of a batch, as tensors for one objective.
#[allow(clippy::large_enum_variant)] // one short-lived value per step
pub enum Targets {
    /// `[batch, items]`, each row a distribution over the held-out items, and an additive mask
    /// that takes the history's own items out of the softmax (as in evaluation, where what a
    /// person has seen is never recommended: otherwise the model would be taught to rank their
    /// history low while it defines their taste).
    Distribution { weights: Tensor<2>, seen: Tensor<2> },
    /// `[batch, items]` weights: positives sum to 1 per row, and so do negatives.
    Clicks {
        positive: Tensor<2>,
        negative: Tensor<2>,
    },
    /// Held-out rated items `[batch, n]`, their ratings and a mask for padding.
    Ratings {
        rows: Tensor<2, Int>,
        values: Tensor<2>,
        mask: Tensor<2>,
        count: usize,
    },
}

impl Targets {
    pub fn new(
        objective: Objective,
        examples: &[Example],
        items: usize,
        device: &Device,
    ) -> Result<Self> {
        let batch = examples.len();
        for example in examples {
            if let Some(bad) = example.targets.iter().find(|e| e.row >= items) {
                return Err(Error::Input(format!(
                    "target row {} is outside the catalogue of {items}",
                    bad.row
                )));
            }
        }
        let matrix =
            |values: Vec<f32>| Tensor::from_data(TensorData::new(values, [batch, items]), device);
        match objective {
            Objective::Softmax => {
                let mut weights = vec![0f32; batch * items];
                let mut seen = vec![0f32; batch * items];
                for (b, example) in examples.iter().enumerate() {
                    for entry in example.input {
                        seen[b * items + entry.row] = SEEN_LOGIT;
                    }
                    let share = 1.0 / example.targets.len().max(1) as f32;
                    for entry in example.targets {
                        weights[b * items + entry.row] += share;
                        seen[b * items + entry.row] = 0.0;
                    }
                }
                Ok(Self::Distribution {
                    weights: matrix(weights),
                    seen: matrix(seen),
                })
            }
            Objective::Bce => {
                let mut positive = vec![0f32; batch * items];
                let mut negative = vec![1f32; batch * items];
                for (b, example) in examples.iter().enumerate() {
                    let row = b * items..(b + 1) * items;
                    for entry in example.input.iter().chain(example.targets) {
                        negative[row.start + entry.row] = 0.0;
                    }
                    for entry in example.targets {
                        positive[row.start + entry.row] = 1.0;
                    }
                    normalise(&mut positive[row.clone()]);
                    normalise(&mut negative[row]);
                }
                Ok(Self::Clicks {
                    positive: matrix(positive),
                    negative: matrix(negative),
                })
            }
            Objective::Rating => {
                let rated = |e: &&Entry| (1..=10).contains(&e.rating);
                let width = examples
                    .iter()
                    .map(|e| e.targets.iter().filter(rated).count())
                    .max()
                    .unwrap_or(0)
                    .max(1);
                let (mut rows, mut values, mut mask) = (
                    vec![0i32; batch * width],
                    vec![0f32; batch * width],
                    vec![0f32; batch * width],
                );
                let mut count = 0;
                for (b, example) in examples.iter().enumerate() {
                    for (k, entry) in example.targets.iter().filter(rated).enumerate() {
                        rows[b * width + k] = entry.row as i32;
                        values[b * width + k] = entry.rating as f32;
                        mask[b * width + k] = 1.0;
                        count += 1;
                    }
                }
                let shape = [batch, width];
                Ok(Self::Ratings {
                    rows: Tensor::from_data(TensorData::new(rows, shape), device),
                    values: Tensor::from_data(TensorData::new(values, shape), device),
                    mask: Tensor::from_data(TensorData::new(mask, shape), device),
                    count,
                })
            }
        }
    }

    /// The batch's mean loss (a one-element tensor).
    pub fn loss(&self, head: &Head, items: &ItemTable, users: &Users) -> Tensor<1> {
        match self {
            Self::Distribution { weights, seen } => {
                let [batch, _] = weights.dims();
                let log_p = log_softmax(head.scores(&users.vectors, items) + seen.clone(), 1);
                (weights.clone() * log_p).sum().neg() / batch as f32
            }
            Self::Clicks { positive, negative } => {
                let [batch, _] = positive.dims();
                let scores = head.scores(&users.vectors, items);
                let log_yes = log_sigmoid(scores.clone());
                let log_no = log_sigmoid(scores.neg());
                (positive.clone() * log_yes + negative.clone() * log_no)
                    .sum()
                    .neg()
                    / batch as f32
            }
            Self::Ratings {
                rows,
                values,
                mask,
                count,
            } => {
                let predicted = head.ratings(&users.vectors, items, rows.clone());
                ((predicted - values.clone()).square() * mask.clone()).sum()
                    / (*count).max(1) as f32
            }
        }
    }
}

/// Added to the logit of an item already in the history: out of the softmax, but finite.
pub(crate) const SEEN_LOGIT: f32 = -1e4;

/// Scales a row of 0/1 weights to sum to 1 (an empty row stays empty).
fn normalise(row: &mut [f32]) {
    let total: f32 = row.iter().sum();
    if total > 0.0 {
        row.iter_mut().for_each(|w| *w /= total);
    }
}
