//! The recommendation head over frozen MiniLM item vectors.
//!
//! - Item tower: a small MLP over each item's 384-d text vector gives two vectors, `e_i` (the
//!   item as a candidate) and `h_i` (the item as evidence in someone's history), and a bias
//!   `b_i`; an optional learned ID embedding is added to all three (text carries cold items,
//!   IDs refine warm ones). Separate candidate and history roles let "people who watched j
//!   watch i" differ from "j and i are alike", as in FISM and Mult-DAE.
//! - User tower: attention pooling over the history's `h_j`, each weighted by its feedback
//!   (rating, like, dislike), then one linear map: `u = W · √n Σ_j α_j s_j h_j + c`.
//!   The user vector is computed from the history, so a new person needs no retraining, and
//!   because the map after pooling is linear, a score splits exactly into one contribution per
//!   history item (the "because you liked X" of the page).
//! - Scores for the whole catalogue: `u · e_i + b_i` in one matmul.
//! - Rating output (MSE objective): a linear map of `[u; e_i; u ⊙ e_i]`.
//!
//! The same module runs on any `Device`; training uses its `autodiff()` device. The text-only
//! head (for a catalogue without training data) is built in `text_only.rs`, and results come
//! back to the host through `readback.rs`; its sizes are in `config.rs`, its output per item
//! in `item_table.rs`.

mod batch;
mod config;
mod item_table;
pub mod objective;
mod readback;
mod sampler;
mod store;
mod text_only;

pub use batch::HistoryBatch;
pub use config::HeadConfig;
pub use item_table::ItemTable;
pub use objective::{Objective, Targets};
pub use readback::{read_rows, read_scalar};
pub use sampler::{NegativeSampler, SampledBatch};
pub use store::{HeadFile, TRAINED_ON_VECTORS, load_head, retrain_reason, save_head};

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::{gelu, softmax, tanh};
use burn::tensor::{Device, Tensor, TensorData};

use crate::error::Result;
use crate::rng::SplitMix64;

/// Feedback kinds the user tower tells apart: 0 = on the list without a rating, 1–10 = that
/// rating, [`LIKE`], [`DISLIKE`].
pub const FEEDBACK_KINDS: usize = 13;
pub const LIKE: u8 = 11;
pub const DISLIKE: u8 = 12;

#[derive(Module, Debug)]
pub struct Head {
    /// The catalogue's mean text vector, fixed (not trained): MiniLM vectors of one catalogue
    /// share a large common direction that would otherwise make every user look alike.
    text_mean: Param<Tensor<1>>,
    item_hidden: Linear,
    /// `hidden → 2·dim + 1`: the candidate vector, the bias, then the history vector.
    item_out: Linear,
    /// `[items, 2·dim + 1]`, zero at start: warm items move away from their text.
    id_embedding: Option<Param<Tensor<2>>>,
    attention_key: Linear,
    attention_query: Param<Tensor<1>>,
    /// Per feedback kind: added to the attention logit, and the item vector's signed weight.
    feedback_bias: Param<Tensor<1>>,
    feedback_scale: Param<Tensor<1>>,
    user_out: Linear,
    /// `3·dim → 1` over `[u; e; u ⊙ e]`.
    rating_out: Linear,
}

/// The user tower's output: user vectors `[batch, dim]` and each history item's weight
/// `√n · α_j · s_j` in the pooled sum `[batch, len]` (0 for padding).
#[derive(Debug, Clone)]
pub struct Users {
    pub vectors: Tensor<2>,
    pub weights: Tensor<2>,
}

/// A masked logit: far below any real one, finite so a fully masked row stays finite.
const MASKED_LOGIT: f32 = -1e9;
/// Ratings are predicted around this value at start (the anime-5k mean is ≈7.8).
const RATING_PRIOR: f32 = 7.5;

impl Head {
    /// A freshly initialised head: uniform `±1/√fan_in` weights from `seed` (the same numbers on
    /// every device), zero ID residuals, neutral feedback.
    pub fn new(config: &HeadConfig, seed: u64, device: &Device) -> Result<Self> {
        Self::with_text_mean(config, seed, Tensor::zeros([config.text_dim], device))
    }

    /// As [`Head::new`], centring text vectors on `text_mean` (`[text_dim]`, e.g. the
    /// catalogue's mean).
    pub fn with_text_mean(config: &HeadConfig, seed: u64, text_mean: Tensor<1>) -> Result<Self> {
        let device = &text_mean.device();
        config.validate()?;
        let mut rng = SplitMix64::new(seed);
        let HeadConfig {
            text_dim,
            hidden,
            dim,
            items,
            ..
        } = *config;
        let mut scale = vec![1.0; FEEDBACK_KINDS];
        scale[DISLIKE as usize] = -1.0;
        let mut rating_out = linear(&mut rng, 3 * dim, 1, device);
        rating_out.bias = Some(Param::from_tensor(vector(vec![RATING_PRIOR], device)));
        Ok(Self {
            text_mean: Param::from_tensor(text_mean).set_require_grad(false),
            item_hidden: linear(&mut rng, text_dim, hidden, device),
            item_out: linear(&mut rng, hidden, 2 * dim + 1, device),
            id_embedding: config
                .id_embeddings
                .then(|| Param::from_tensor(Tensor::zeros([items, 2 * dim + 1], device))),
            attention_key: linear(&mut rng, dim, dim, device),
            attention_query: Param::from_tensor(vector(
                (0..dim)
                    .map(|_| rng.uniform_f32(1.0 / (dim as f32).sqrt()))
                    .collect(),
                device,
            )),
            feedback_bias: Param::from_tensor(Tensor::zeros([FEEDBACK_KINDS], device)),
            feedback_scale: Param::from_tensor(vector(scale, device)),
            user_out: linear(&mut rng, dim, dim, device),
            rating_out,
        })
    }

    pub fn dim(&self) -> usize {
        self.attention_key.weight.dims()[0]
    }

    /// The head without its per-item ID residuals, and its config: all a page needs once the
    /// item table ([`Head::item_table`]) is precomputed (the residuals are most of the file:
    /// 3.8 of anime-5k's 4.4 MB). Users, shares, taste sentences and fine-tuning read only this.
    pub fn without_id_embeddings(self, config: &HeadConfig) -> (Self, HeadConfig) {
        let config = HeadConfig {
            id_embeddings: false,
            ..*config
        };
        (
            Self {
                id_embedding: None,
                ..self
            },
            config,
        )
    }

    /// Item vectors and biases for every catalogue item: `text` is the `[items, text_dim]`
    /// frozen text matrix, in catalogue order.
    pub fn item_table(&self, text: Tensor<2>) -> ItemTable {
        let out = self.text_tower(text);
        let out = match &self.id_embedding {
            Some(ids) => out + ids.val(),
            None => out,
        };
        ItemTable::from_outputs(out, self.dim())
    }

    /// [`Head::item_table`] for some catalogue rows only (`rows` index `text`'s rows): what a
    /// sampled-softmax step needs, without the item tower over the whole catalogue.
    pub fn item_rows(&self, text: Tensor<2>, rows: Tensor<1, burn::tensor::Int>) -> ItemTable {
        let out = self.text_tower(text.select(0, rows.clone()));
        let out = match &self.id_embedding {
            Some(ids) => out + ids.val().select(0, rows),
            None => out,
        };
        ItemTable::from_outputs(out, self.dim())
    }

    /// Item vectors and biases from text alone (no ID residual): for texts outside the
    /// catalogue, such as a sentence describing a taste.
    pub fn text_items(&self, text: Tensor<2>) -> ItemTable {
        ItemTable::from_outputs(self.text_tower(text), self.dim())
    }

    fn text_tower(&self, text: Tensor<2>) -> Tensor<2> {
        let centred = text - self.text_mean.val().unsqueeze();
        self.item_out
            .forward(gelu(self.item_hidden.forward(centred)))
    }

    /// User vectors from padded histories whose rows index `items`.
    pub fn users(&self, items: &ItemTable, history: &HistoryBatch) -> Users {
        let [batch, len] = history.mask.dims();
        let dim = self.dim();
        let vectors = items
            .history
            .clone()
            .select(0, history.rows.clone().reshape([batch * len]))
            .reshape([batch, len, dim]);
        let feedback = history.feedback.clone().reshape([batch * len]);
        let keys = tanh(self.attention_key.forward(vectors.clone())); // [b, l, d]
        let logits = keys
            .matmul(self.attention_query.val().reshape([1, dim, 1]))
            .reshape([batch, len])
            + self
                .feedback_bias
                .val()
                .select(0, feedback.clone())
                .reshape([batch, len]);
        let padding = history.mask.clone().equal_elem(0.0);
        let attention = softmax(logits.mask_fill(padding, MASKED_LOGIT), 1);
        // Padding weighs nothing, so an empty history pools to zero (u = the bias c). The sum
        // grows with √n, as evidence does: a long history makes a more confident user vector.
        let evidence = history.mask.clone().sum_dim(1).sqrt(); // [b, 1]
        let weights = attention
            * history.mask.clone()
            * evidence
            * self
                .feedback_scale
                .val()
                .select(0, feedback)
                .reshape([batch, len]);
        let pooled = weights
            .clone()
            .reshape([batch, 1, len])
            .matmul(vectors)
            .reshape([batch, dim]);
        Users {
            vectors: self.user_out.forward(pooled),
            weights,
        }
    }

    /// Scores `[batch, items]` of every item for every user.
    pub fn scores(&self, users: &Tensor<2>, items: &ItemTable) -> Tensor<2> {
        users.clone().matmul(items.vectors.clone().transpose()) + items.bias.clone().unsqueeze()
    }

    /// Predicted ratings `[batch, targets]` for `targets` (`[batch, targets]` rows of `items`).
    pub fn ratings(
        &self,
        users: &Tensor<2>,
        items: &ItemTable,
        targets: burn::tensor::Tensor<2, burn::tensor::Int>,
    ) -> Tensor<2> {
        let [batch, count] = targets.dims();
        let dim = self.dim();
        let item = items
            .vectors
            .clone()
            .select(0, targets.reshape([batch * count]))
            .reshape([batch, count, dim]);
        let user = users
            .clone()
            .unsqueeze_dim::<3>(1)
            .expand([batch, count, dim]);
        let features = Tensor::cat(vec![user.clone(), item.clone(), user * item], 2);
        self.rating_out.forward(features).reshape([batch, count])
    }

    /// Each history item's exact share of each catalogue score: `[batch, len, items]`, where
    /// `share[b, j, i] = w_bj · (h_j W) · e_i`; the score is the sum over `j` plus
    /// `c · e_i + b_i`.
    pub fn contributions(
        &self,
        items: &ItemTable,
        history: &HistoryBatch,
        users: &Users,
    ) -> Tensor<3> {
        let [batch, len] = history.mask.dims();
        let dim = self.dim();
        let mapped = items
            .history
            .clone()
            .select(0, history.rows.clone().reshape([batch * len]))
            .matmul(self.user_out.weight.val())
            .reshape([batch, len, dim]);
        let weighted = mapped * users.weights.clone().unsqueeze_dim::<3>(2);
        weighted.matmul(items.vectors.clone().transpose().unsqueeze::<3>())
    }
}

fn vector(values: Vec<f32>, device: &Device) -> Tensor<1> {
    let n = values.len();
    Tensor::from_data(TensorData::new(values, [n]), device)
}

/// A dense layer with PyTorch's default init, `U(±1/√d_in)`, drawn from `rng`.
fn linear(rng: &mut SplitMix64, d_in: usize, d_out: usize, device: &Device) -> Linear {
    let bound = 1.0 / (d_in as f32).sqrt();
    let weight: Vec<f32> = (0..d_in * d_out).map(|_| rng.uniform_f32(bound)).collect();
    let bias: Vec<f32> = (0..d_out).map(|_| rng.uniform_f32(bound)).collect();
    Linear {
        weight: Param::from_tensor(Tensor::from_data(
            TensorData::new(weight, [d_in, d_out]),
            device,
        )),
        bias: Some(Param::from_tensor(vector(bias, device))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_count_every_number_of_the_module() {
        for id_embeddings in [true, false] {
            let config = HeadConfig {
                id_embeddings,
                ..HeadConfig::new(12, 30)
            };
            let head = Head::new(&config, 0, &crate::device::cpu()).unwrap();
            assert_eq!(config.parameters(), Some(head.num_params()));
        }
        let hostile = HeadConfig {
            items: usize::MAX,
            ..HeadConfig::new(12, 30)
        };
        assert_eq!(hostile.parameters(), None);
    }
}
