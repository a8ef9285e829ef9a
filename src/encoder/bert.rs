//! The BERT network: embeddings, then post-norm transformer layers (Burn's `TransformerEncoder`
//! with `norm_first = false` is exactly BERT's layer: attention → add & norm → FFN → add & norm).

use burn::module::Module;
use burn::nn::activation::ActivationConfig;
use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::tensor::{Bool, Device, Int, Tensor};

use super::config::BertConfig;
use super::embeddings::BertEmbeddings;

#[derive(Module, Debug)]
pub struct Bert {
    pub embeddings: BertEmbeddings,
    pub encoder: TransformerEncoder,
}

impl Bert {
    /// A network of `config`'s shape with untrained parameters (weights are loaded afterwards).
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let encoder = TransformerEncoderConfig::new(
            config.hidden_size,
            config.intermediate_size,
            config.num_attention_heads,
            config.num_hidden_layers,
        )
        .with_norm_first(false)
        .with_dropout(0.0) // inference only: the encoder is frozen
        .with_activation(ActivationConfig::Gelu) // exact erf GELU, BERT's "gelu"
        .with_layer_norm_eps(config.layer_norm_eps)
        .init(device);
        Self {
            embeddings: BertEmbeddings::new(config, device),
            encoder,
        }
    }

    /// Token ids `[batch, seq]` and padding mask (true = padding) → hidden states
    /// `[batch, seq, hidden]`. Padding keys get no attention weight.
    pub fn forward(
        &self,
        ids: Tensor<2, Int>,
        type_ids: Tensor<2, Int>,
        padding: Tensor<2, Bool>,
    ) -> Tensor<3> {
        let x = self.embeddings.forward(ids, type_ids);
        self.encoder
            .forward(TransformerEncoderInput::new(x).mask_pad(padding))
    }
}
