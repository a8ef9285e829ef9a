//! Training-time form of an [`Adapter`]: its low-rank updates as parameters beside the frozen
//! linear maps of the upper layers, and those layers run on cached lower-layer states, so a
//! training step costs only the layers being adapted.

use burn::module::{Module, Param};
use burn::tensor::{Bool, Device, Tensor, TensorData};

use super::adapter::{AdaptedMap, Adapter, LowRankUpdate};
use super::config::BertConfig;
use super::layer::BertLayer;
use super::pooling::mean_pool_normalized;
use crate::rng::SplitMix64;

/// `x ↦ scale · x · down · up`, learned beside a frozen linear map.
#[derive(Module, Debug)]
pub struct LoraLinear {
    pub down: Param<Tensor<2>>,
    pub up: Param<Tensor<2>>,
    #[module(skip)]
    scale: f32,
}

impl LoraLinear {
    /// `down` small and random, `up` zero: training starts from the unadapted network.
    fn new(
        [inputs, outputs]: [usize; 2],
        rank: usize,
        scale: f32,
        rng: &mut SplitMix64,
        device: &Device,
    ) -> Self {
        let bound = 1.0 / (inputs as f32).sqrt();
        let down: Vec<f32> = (0..inputs * rank).map(|_| rng.uniform_f32(bound)).collect();
        Self {
            down: Param::from_tensor(Tensor::from_data(
                TensorData::new(down, [inputs, rank]),
                device,
            )),
            up: Param::from_tensor(Tensor::zeros([rank, outputs], device)),
            scale,
        }
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [batch, seq, inputs] = x.dims();
        let outputs = self.up.dims()[1];
        x.reshape([batch * seq, inputs])
            .matmul(self.down.val())
            .matmul(self.up.val())
            .mul_scalar(self.scale)
            .reshape([batch, seq, outputs])
    }
}

/// One layer's updates; `None` where a map is not adapted.
#[derive(Module, Debug)]
pub struct LoraLayer {
    pub query: Option<LoraLinear>,
    pub key: Option<LoraLinear>,
    pub value: Option<LoraLinear>,
    pub output: Option<LoraLinear>,
    pub inner: Option<LoraLinear>,
    pub outer: Option<LoraLinear>,
}

impl LoraLayer {
    fn slot(&self, map: AdaptedMap) -> Option<&LoraLinear> {
        match map {
            AdaptedMap::Query => self.query.as_ref(),
            AdaptedMap::Key => self.key.as_ref(),
            AdaptedMap::Value => self.value.as_ref(),
            AdaptedMap::Output => self.output.as_ref(),
            AdaptedMap::Inner => self.inner.as_ref(),
            AdaptedMap::Outer => self.outer.as_ref(),
        }
    }
}

/// The trainable updates of layers `first_layer..`.
#[derive(Module, Debug)]
pub struct Lora {
    pub layers: Vec<LoraLayer>,
    #[module(skip)]
    first_layer: usize,
    #[module(skip)]
    scale: f32,
}

impl Lora {
    pub fn new(
        config: &BertConfig,
        first_layer: usize,
        maps: &[AdaptedMap],
        rank: usize,
        scale: f32,
        seed: u64,
        device: &Device,
    ) -> Self {
        let mut rng = SplitMix64::new(seed);
        let layers = (first_layer..config.num_hidden_layers)
            .map(|_| {
                let mut make = |map: AdaptedMap| {
                    maps.contains(&map)
                        .then(|| LoraLinear::new(map.shape(config), rank, scale, &mut rng, device))
                };
                LoraLayer {
                    query: make(AdaptedMap::Query),
                    key: make(AdaptedMap::Key),
                    value: make(AdaptedMap::Value),
                    output: make(AdaptedMap::Output),
                    inner: make(AdaptedMap::Inner),
                    outer: make(AdaptedMap::Outer),
                }
            })
            .collect();
        Self {
            layers,
            first_layer,
            scale,
        }
    }

    /// An adapter's updates as trainable parameters on `device` (layers from its lowest).
    pub fn from_adapter(adapter: &Adapter, config: &BertConfig, device: &Device) -> Self {
        let first_layer = adapter.updates.iter().map(|u| u.layer).min().unwrap_or(0);
        let matrix = |values: &[f32], shape: [usize; 2]| {
            Param::from_tensor(Tensor::from_data(
                TensorData::new(values.to_vec(), shape),
                device,
            ))
        };
        let mut layers: Vec<LoraLayer> = (first_layer..config.num_hidden_layers)
            .map(|_| LoraLayer {
                query: None,
                key: None,
                value: None,
                output: None,
                inner: None,
                outer: None,
            })
            .collect();
        for update in &adapter.updates {
            let layer = &mut layers[update.layer - first_layer];
            let slot = match update.map {
                AdaptedMap::Query => &mut layer.query,
                AdaptedMap::Key => &mut layer.key,
                AdaptedMap::Value => &mut layer.value,
                AdaptedMap::Output => &mut layer.output,
                AdaptedMap::Inner => &mut layer.inner,
                AdaptedMap::Outer => &mut layer.outer,
            };
            *slot = Some(LoraLinear {
                down: matrix(&update.down, [update.inputs(), update.rank]),
                up: matrix(&update.up, [update.rank, update.outputs()]),
                scale: adapter.scale,
            });
        }
        Self {
            layers,
            first_layer,
            scale: adapter.scale,
        }
    }

    pub fn first_layer(&self) -> usize {
        self.first_layer
    }

    /// The learned updates as an adapter file's contents.
    pub fn to_adapter(&self) -> Adapter {
        let values = |p: &Param<Tensor<2>>| {
            p.val()
                .into_data()
                .try_into_vec::<f32>()
                .expect("f32 parameters")
        };
        let mut updates = Vec::new();
        for (offset, layer) in self.layers.iter().enumerate() {
            for map in AdaptedMap::ALL {
                if let Some(linear) = layer.slot(map) {
                    updates.push(LowRankUpdate {
                        layer: self.first_layer + offset,
                        map,
                        rank: linear.down.dims()[1],
                        down: values(&linear.down),
                        up: values(&linear.up),
                    });
                }
            }
        }
        Adapter {
            scale: self.scale,
            updates,
            provenance: Default::default(),
        }
    }
}

/// Layers `first_layer..` of an encoder with the sentence pooling after them, taking the
/// hidden states the layers below produced (cached once per text).
#[derive(Module, Debug)]
pub struct UpperLayers {
    layers: Vec<BertLayer>,
}

impl UpperLayers {
    pub(crate) fn new(layers: Vec<BertLayer>) -> Self {
        Self { layers }
    }

    /// `states`: `[batch, seq, hidden]` from the lower layers; `real`: 1.0 for real tokens,
    /// 0.0 for padding → unit-length sentence vectors `[batch, hidden]`.
    pub fn forward(&self, states: Tensor<3>, real: Tensor<2>, lora: Option<&Lora>) -> Tensor<2> {
        let padding: Tensor<2, Bool> = real.clone().equal_elem(0.0);
        let hidden = self
            .layers
            .iter()
            .enumerate()
            .fold(states, |x, (i, layer)| {
                layer.forward_adapted(x, padding.clone(), lora.map(|l| &l.layers[i]))
            });
        mean_pool_normalized(hidden, real)
    }
}
