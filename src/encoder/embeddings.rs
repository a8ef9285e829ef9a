//! BERT's input layer: word + position + token-type embeddings, summed, then LayerNorm.

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig};
use burn::tensor::{Device, Int, Tensor};

use super::config::BertConfig;

#[derive(Module, Debug)]
pub struct BertEmbeddings {
    pub word_embeddings: Embedding,
    pub position_embeddings: Embedding,
    pub token_type_embeddings: Embedding,
    pub layer_norm: LayerNorm,
}

impl BertEmbeddings {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let hidden = config.hidden_size;
        Self {
            word_embeddings: EmbeddingConfig::new(config.vocab_size, hidden).init(device),
            position_embeddings: EmbeddingConfig::new(config.max_position_embeddings, hidden)
                .init(device),
            token_type_embeddings: EmbeddingConfig::new(config.type_vocab_size, hidden)
                .init(device),
            layer_norm: LayerNormConfig::new(hidden)
                .with_epsilon(config.layer_norm_eps)
                .init(device),
        }
    }

    /// `ids`, `type_ids`: `[batch, seq]` → `[batch, seq, hidden]`.
    pub fn forward(&self, ids: Tensor<2, Int>, type_ids: Tensor<2, Int>) -> Tensor<3> {
        self.forward_words(self.word_embeddings.forward(ids), type_ids)
    }

    /// As [`BertEmbeddings::forward`] with the word embeddings already looked up
    /// (`[batch, seq, hidden]`): where the word table is not in the module but comes by need
    /// ([`super::word_rows`]).
    pub fn forward_words(&self, words: Tensor<3>, type_ids: Tensor<2, Int>) -> Tensor<3> {
        let [batch, seq] = type_ids.dims();
        let device = type_ids.device();
        // Absolute positions 0..seq, the same for every row.
        let positions = Tensor::<1, Int>::arange(0..seq as i64, &device)
            .unsqueeze_dim::<2>(0)
            .expand([batch, seq]);
        let summed = words
            + self.position_embeddings.forward(positions)
            + self.token_type_embeddings.forward(type_ids);
        self.layer_norm.forward(summed)
    }
}
