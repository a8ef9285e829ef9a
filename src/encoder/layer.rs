//! One BERT layer, post-norm: self-attention → add & LayerNorm → feed-forward (GELU) → add &
//! LayerNorm. Composed here from Burn's modules rather than through Burn's `TransformerEncoder`,
//! so that the feed-forward uses [`gelu`](super::gelu::gelu), which is vectorised on the CPU,
//! and so that on the page's CPU the six linear maps can run on packed weights
//! ([`PackedLinear`]). Field names follow Burn's encoder, so the weight mapping is unchanged.

use std::sync::Arc;

use burn::module::Module;
use burn::nn::attention::{MultiHeadAttention, MultiHeadAttentionConfig};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::softmax;
use burn::tensor::{Bool, Device, Tensor, TensorData};

use super::config::BertConfig;
use super::gelu::gelu;
use super::lora::{LoraLayer, LoraLinear};
use super::packed_linear::PackedLinear;

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
    /// The linear maps' weights packed for the CPU, once [`BertLayer::pack_linears`] ran.
    #[module(skip)]
    packed: Option<Arc<PackedLayer>>,
}

/// A layer's six linear maps, packed; query, key and value side by side as one map, so the
/// layer's input is read (and copied out of its tensor) once for all three.
struct PackedLayer {
    query_key_value: PackedLinear,
    output: PackedLinear,
    inner: PackedLinear,
    outer: PackedLinear,
}

impl std::fmt::Debug for PackedLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PackedLayer {{ six linear maps, {} wide }}",
            self.output.outputs()
        )
    }
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

    /// See [`BertLayer::pack_linears`].
    pub fn pack_linears(&mut self) {
        self.layers.iter_mut().for_each(BertLayer::pack_linears);
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
            packed: None,
        }
    }

    /// From now on the linear maps run on packed copies of their weights ([`PackedLinear`]):
    /// faster on a one-threaded CPU (the page's), where the backend's matrix product would
    /// re-pack the weights on every call. CPU tensors only.
    pub fn pack_linears(&mut self) {
        let mha = &self.mha;
        let ff = &self.pwff;
        self.packed = Some(Arc::new(PackedLayer {
            query_key_value: pack(&[&mha.query, &mha.key, &mha.value]),
            output: pack(&[&mha.output]),
            inner: pack(&[&ff.linear_inner]),
            outer: pack(&[&ff.linear_outer]),
        }));
    }

    fn forward(&self, x: Tensor<3>, padding: Tensor<2, Bool>) -> Tensor<3> {
        self.forward_adapted(x, padding, None)
    }

    /// The layer with `lora`'s low-rank updates added beside its linear maps (training an
    /// adapter: the maps themselves stay frozen). Without `lora`, the plain layer.
    pub(crate) fn forward_adapted(
        &self,
        x: Tensor<3>,
        padding: Tensor<2, Bool>,
        lora: Option<&LoraLayer>,
    ) -> Tensor<3> {
        let packed = self.packed.as_deref();
        let part = |pick: fn(&LoraLayer) -> Option<&LoraLinear>| lora.and_then(pick);
        let attended = self.self_attention(x.clone(), padding, packed, lora);
        let x = self.norm_1.forward(x + attended);
        let inner = project(
            &self.pwff.linear_inner,
            packed.map(|p| &p.inner),
            part(|l| l.inner.as_ref()),
            x.clone(),
        );
        let outer = project(
            &self.pwff.linear_outer,
            packed.map(|p| &p.outer),
            part(|l| l.outer.as_ref()),
            gelu(inner),
        );
        self.norm_2.forward(x + outer)
    }

    /// Burn's `MultiHeadAttention::forward` (softmax, no dropout: inference only), written out
    /// so that its linear maps can run packed (query, key and value as one).
    fn self_attention(
        &self,
        x: Tensor<3>,
        padding: Tensor<2, Bool>,
        packed: Option<&PackedLayer>,
        lora: Option<&LoraLayer>,
    ) -> Tensor<3> {
        let mha = &self.mha;
        let [batch, seq, hidden] = x.dims();
        let [query, key, value] = match packed {
            Some(packed) => {
                debug_assert!(lora.is_none(), "adapters are trained on unpacked weights");
                let qkv = apply(&packed.query_key_value, x);
                [0, 1, 2].map(|i| qkv.clone().narrow(2, i * hidden, hidden))
            }
            None => {
                let parts = lora.map_or([None, None, None], |l| {
                    [l.query.as_ref(), l.key.as_ref(), l.value.as_ref()]
                });
                [&mha.query, &mha.key, &mha.value]
                    .into_iter()
                    .zip(parts)
                    .map(|(linear, part)| project(linear, None, part, x.clone()))
                    .collect::<Vec<_>>()
                    .try_into()
                    .expect("three maps")
            }
        }
        .map(|t| {
            t.reshape([batch, seq, mha.n_heads, mha.d_k])
                .swap_dims(1, 2)
        });
        let scores = query
            .matmul(key.transpose())
            .div_scalar((mha.d_k as f32).sqrt())
            .mask_fill(padding.reshape([batch, 1, 1, seq]), mha.min_float);
        let context = softmax(scores, 3)
            .matmul(value)
            .swap_dims(1, 2)
            .reshape([batch, seq, hidden]);
        project(
            &mha.output,
            packed.map(|p| &p.output),
            lora.and_then(|l| l.output.as_ref()),
            context,
        )
    }
}

/// `linear` applied to `x`: by Burn, or on its packed weights when there are some; plus a
/// low-rank update's share where one is being trained.
fn project(
    linear: &Linear,
    packed: Option<&PackedLinear>,
    lora: Option<&LoraLinear>,
    x: Tensor<3>,
) -> Tensor<3> {
    // `x` is passed on, not cloned, where no update needs it: the packed path takes its values.
    let (x, update) = match lora {
        Some(lora) => (x.clone(), Some(lora.forward(x))),
        None => (x, None),
    };
    let plain = match packed {
        Some(packed) => apply(packed, x),
        None => linear.forward(x),
    };
    match update {
        Some(update) => plain + update,
        None => plain,
    }
}

/// `packed` applied to `x` (`[batch, seq, inputs]`), through a copy of `x`'s values.
fn apply(packed: &PackedLinear, x: Tensor<3>) -> Tensor<3> {
    let [batch, seq, _] = x.dims();
    let device = x.device();
    let input = x
        .into_data()
        .try_into_vec::<f32>()
        .expect("the encoder's activations are f32");
    let output = TensorData::new(packed.forward(&input), [batch, seq, packed.outputs()]);
    Tensor::from_data(output, &device)
}

/// `linears` (same inputs) packed as one map whose outputs are theirs side by side.
fn pack(linears: &[&Linear]) -> PackedLinear {
    let values = |data: TensorData| data.try_into_vec::<f32>().expect("f32 weights");
    let weights: Vec<Tensor<2>> = linears.iter().map(|l| l.weight.val()).collect();
    let biases: Vec<Tensor<1>> = linears
        .iter()
        .zip(&weights)
        .map(|(l, w)| match &l.bias {
            Some(bias) => bias.val(),
            None => Tensor::zeros([w.dims()[1]], &w.device()),
        })
        .collect();
    let weight = Tensor::cat(weights, 1);
    let [inputs, outputs] = weight.dims();
    let bias = values(Tensor::cat(biases, 0).into_data());
    PackedLinear::new(&values(weight.into_data()), &bias, inputs, outputs)
}
