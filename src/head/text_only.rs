//! The text-only head: a [`Head`] whose numbers are written down, not trained, for a catalogue
//! without public interactions. It ranks by how close an item's text is to the texts a person
//! reacted to, and its item table is the centred text itself.

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::Tensor;

use super::{DISLIKE, FEEDBACK_KINDS, Head, HeadConfig, ItemTable, LIKE, RATING_PRIOR, vector};
use crate::error::Result;

impl Head {
    /// A head that reads text alone, for a catalogue without public interactions. Item and
    /// history vectors are the centred text vectors themselves (the item MLP is the identity:
    /// `gelu(x) − gelu(−x) = x`), attention is uniform, a like or a 10 pulls with weight 1, a
    /// dislike pushes with −1, a rating `r` weighs `(r − 5) / 5`, and `u = scale · pooled`.
    /// So a score is `scale / √n · Σ_j s_j ⟨t_j, t_i⟩` over centred texts, and each reaction's
    /// share is its similarity to the item: the "because" names the closest liked items.
    pub fn text_only(items: usize, text_mean: Tensor<1>, scale: f32) -> Result<(Self, HeadConfig)> {
        let device = &text_mean.device();
        let [d] = text_mean.dims();
        let config = HeadConfig {
            text_dim: d,
            hidden: 2 * d,
            dim: d,
            items,
            id_embeddings: false,
        };
        config.validate()?;
        let eye = Tensor::<2>::eye(d, device);
        let zeros = |n| Tensor::<1>::zeros([n], device);
        let dense = |weight: Tensor<2>, bias: Tensor<1>| Linear {
            weight: Param::from_tensor(weight),
            bias: Some(Param::from_tensor(bias)),
        };
        // hidden = [x, −x]; out = [gelu(x) − gelu(−x), 0, gelu(x) − gelu(−x)].
        let item_hidden = dense(
            Tensor::cat(vec![eye.clone(), -eye.clone()], 1),
            zeros(2 * d),
        );
        let half = Tensor::cat(
            vec![eye.clone(), Tensor::zeros([d, 1], device), eye.clone()],
            1,
        );
        let item_out = dense(Tensor::cat(vec![half.clone(), -half], 0), zeros(2 * d + 1));
        let mut feedback = vec![1.0; FEEDBACK_KINDS];
        for (rating, weight) in feedback.iter_mut().enumerate().take(11).skip(1) {
            *weight = (rating as f32 - 5.0) / 5.0;
        }
        feedback[LIKE as usize] = 1.0;
        feedback[DISLIKE as usize] = -1.0;
        let mut rating_out = dense(Tensor::zeros([3 * d, 1], device), zeros(1));
        rating_out.bias = Some(Param::from_tensor(vector(vec![RATING_PRIOR], device)));
        let head = Self {
            text_mean: Param::from_tensor(text_mean).set_require_grad(false),
            item_hidden,
            item_out,
            id_embedding: None,
            attention_key: dense(Tensor::zeros([d, d], device), zeros(d)),
            attention_query: Param::from_tensor(zeros(d)),
            feedback_bias: Param::from_tensor(zeros(FEEDBACK_KINDS)),
            feedback_scale: Param::from_tensor(vector(feedback, device)),
            user_out: dense(eye * scale, zeros(d)),
            rating_out,
        };
        Ok((head, config))
    }

    /// [`Head::item_table`] of a [`Head::text_only`] head without its (identity) MLP: the
    /// centred text as candidate and history vectors, zero biases. Exact, and a 10,000-item
    /// catalogue is ready at once instead of after two large matmuls.
    pub fn text_only_table(&self, text: Tensor<2>) -> ItemTable {
        let [rows, _] = text.dims();
        let centred = text - self.text_mean.val().unsqueeze();
        ItemTable {
            bias: Tensor::zeros([rows], &centred.device()),
            vectors: centred.clone(),
            history: centred,
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};

    use super::*;
    use crate::head::{HistoryBatch, read_rows};
    use crate::interactions::Entry;

    #[test]
    fn the_text_only_head_is_its_documented_formula() {
        let device = crate::device::cpu();
        let text = Tensor::<2>::from_data(
            TensorData::new(vec![0.9, 0.1, 0.3, -0.5, 0.2, 0.8, 0.0, 0.7, -0.6], [3, 3]),
            &device,
        );
        let mean = text.clone().mean_dim(0).reshape([3]);
        let (head, config) = Head::text_only(3, mean, 2.0).unwrap();
        assert_eq!(config.dim, 3);
        // The MLP is the identity: the shortcut table equals the module's own.
        let full = head.item_table(text.clone());
        let short = head.text_only_table(text.clone());
        let rows = |t: Tensor<2>| crate::device::block_on(read_rows(t)).unwrap().concat();
        for (a, b) in rows(full.vectors).iter().zip(rows(short.vectors.clone())) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        for (a, b) in rows(full.history).iter().zip(rows(short.history.clone())) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        // Liking item 0 and disliking item 1: u = 2/√2 · (c0 − c1) over centred texts.
        let history = HistoryBatch::new(
            &[&[
                Entry {
                    row: 0,
                    rating: LIKE,
                },
                Entry {
                    row: 1,
                    rating: DISLIKE,
                },
            ]],
            3,
            &device,
        )
        .unwrap();
        let users = head.users(&short, &history);
        let centred = rows(short.vectors.clone());
        let expected: Vec<f32> = (0..3)
            .map(|k| 2.0 / 2f32.sqrt() * (centred[k] - centred[3 + k]))
            .collect();
        for (a, b) in rows(users.vectors).iter().zip(expected) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }
}
