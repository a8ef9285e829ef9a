//! One BERT layer, post-norm: self-attention → add & LayerNorm → feed-forward (GELU) → add &
//! LayerNorm. Burn's attention and layers, composed here rather than through Burn's
//! `TransformerEncoder` so that the feed-forward uses [`gelu`](super::gelu::gelu), which is
//! vectorised on the CPU. Field names follow Burn's encoder, so the weight mapping is unchanged.

use burn::module::Module;
use burn::nn::attention::{MhaInput, MultiHeadAttention, MultiHeadAttentionConfig};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::{Bool, Device, Tensor};

use super::config::BertConfig;
use super::gelu::gelu;

#[derive(Module, Debug)]
pub struct BertEncoder {
    pub layers: Vec<BertLayer>,
}

#[derive(Module, Debug)]
pub struct BertLayer {
    pub mha: MultiHeadAttention,
    pub norm_1: LayerNorm,
    pub pwff: FeedForward,
    pub norm_2: LayerNorm,
}

#[derive(Module, Debug)]
pub struct FeedForward {
    pub linear_inner: Linear,
    pub linear_outer: Linear,
}

impl BertEncoder {
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        let layers = (0..config.num_hidden_layers)
            .map(|_| BertLayer::new(config, device))
            .collect();
        Self { layers }
    }

    /// `x`: `[batch, seq, hidden]`; `padding`: `[batch, seq]`, true = padding (gets no attention).
    pub fn forward(&self, x: Tensor<3>, padding: Tensor<2, Bool>) -> Tensor<3> {
        self.layers
            .iter()
            .fold(x, |x, layer| layer.forward(x, padding.clone()))
    }
}

impl BertLayer {
    fn new(config: &BertConfig, device: &Device) -> Self {
        let (hidden, inner) = (config.hidden_size, config.intermediate_size);
        let norm = || {
            LayerNormConfig::new(hidden)
                .with_epsilon(config.layer_norm_eps)
                .init(device)
        };
        Self {
            mha: MultiHeadAttentionConfig::new(hidden, config.num_attention_heads)
                .with_dropout(0.0) // inference only: the encoder is frozen
                .init(device),
            norm_1: norm(),
            pwff: FeedForward {
                linear_inner: LinearConfig::new(hidden, inner).init(device),
                linear_outer: LinearConfig::new(inner, hidden).init(device),
            },
            norm_2: norm(),
        }
    }

    fn forward(&self, x: Tensor<3>, padding: Tensor<2, Bool>) -> Tensor<3> {
        let attended = self
            .mha
            .forward(MhaInput::self_attn(x.clone()).mask_pad(padding))
            .context;
        let x = self.norm_1.forward(x + attended);
        let inner = gelu(self.pwff.linear_inner.forward(x.clone()));
        self.norm_2
            .forward(x + self.pwff.linear_outer.forward(inner))
    }
}
