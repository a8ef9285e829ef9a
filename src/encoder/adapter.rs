//! A catalogue's low-rank adapter (LoRA) for the encoder: for some linear maps `W` of the upper
//! layers, `W' = W + scale · down · up` with `down: [inputs, rank]` and `up: [rank, outputs]`.
//! Trained natively (`localrec adapt`) so that item texts, and the taste sentences that go
//! through the same network, land near the items the same people like; merged into the
//! weights once at load ([`Bert::merge_adapter`]), so it costs nothing per text.
//!
//! The file is safetensors: one pair `layers.{i}.{map}.down` / `.up` (f32) per adapted map,
//! and metadata `scale` (and, for people, what it was trained on).
//!
//! One concept, the adapter and its file, kept whole: the code is about 320 lines, and the rest
//! is tests that name every way a file can be wrong (a file from a stranger is read here).

use std::collections::{BTreeMap, HashMap};

use burn::tensor::{Tensor, TensorData};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use thiserror::Error;

use super::bert::Bert;
use super::config::BertConfig;
use crate::bytes;

/// The linear maps of a BERT layer an adapter can change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum AdaptedMap {
    Query,
    Key,
    Value,
    /// Attention's output projection.
    Output,
    /// The feed-forward's first (widening) map.
    Inner,
    /// The feed-forward's second (narrowing) map.
    Outer,
}

impl AdaptedMap {
    pub const ALL: [AdaptedMap; 6] = [
        AdaptedMap::Query,
        AdaptedMap::Key,
        AdaptedMap::Value,
        AdaptedMap::Output,
        AdaptedMap::Inner,
        AdaptedMap::Outer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AdaptedMap::Query => "query",
            AdaptedMap::Key => "key",
            AdaptedMap::Value => "value",
            AdaptedMap::Output => "output",
            AdaptedMap::Inner => "inner",
            AdaptedMap::Outer => "outer",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// `[inputs, outputs]` of this map in a network of `config`'s shape.
    pub fn shape(self, config: &BertConfig) -> [usize; 2] {
        let (hidden, inner) = (config.hidden_size, config.intermediate_size);
        match self {
            AdaptedMap::Inner => [hidden, inner],
            AdaptedMap::Outer => [inner, hidden],
            _ => [hidden, hidden],
        }
    }
}

/// One adapted linear map: its change is `scale · down · up`.
#[derive(Debug, Clone, PartialEq)]
pub struct LowRankUpdate {
    pub layer: usize,
    pub map: AdaptedMap,
    pub rank: usize,
    /// Row-major `[inputs, rank]`.
    pub down: Vec<f32>,
    /// Row-major `[rank, outputs]`.
    pub up: Vec<f32>,
}

impl LowRankUpdate {
    pub fn inputs(&self) -> usize {
        self.down.len() / self.rank.max(1)
    }

    pub fn outputs(&self) -> usize {
        self.up.len() / self.rank.max(1)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Adapter {
    pub scale: f32,
    pub updates: Vec<LowRankUpdate>,
    /// What it was trained on and how (written by the trainer, checked by build-site).
    pub provenance: HashMap<String, String>,
}

/// What can be wrong with an adapter file, each case named.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AdapterError {
    #[error("the adapter file is not safetensors: {0}")]
    NotSafetensors(String),
    #[error("the adapter file has no \"scale\" in its metadata")]
    MissingScale,
    #[error("the adapter's scale {0:?} is not a finite number")]
    BadScale(String),
    #[error("the adapter file holds no low-rank updates")]
    Empty,
    #[error(
        "the adapter tensor {0:?} is not named layers.<layer>.<query|key|value|output|inner|outer>.<down|up>"
    )]
    UnknownTensor(String),
    #[error("the adapter tensor {name:?} is {dtype}, expected f32")]
    WrongDtype { name: String, dtype: String },
    #[error("the adapter has {name:?} without its other half ({missing})")]
    Unpaired { name: String, missing: &'static str },
    #[error("the adapter changes layer {layer}, but the model has {layers} layers")]
    NoSuchLayer { layer: usize, layers: usize },
    #[error("the adapter tensor {name:?} has shape {found:?}, expected {expected}")]
    Shape {
        name: String,
        found: Vec<usize>,
        expected: String,
    },
    #[error("the adapter tensor {0:?} holds a value that is not finite")]
    NotFinite(String),
}

impl Adapter {
    /// Reads an adapter file, checked against the network it will change.
    pub fn from_safetensors(bytes: &[u8], config: &BertConfig) -> Result<Self, AdapterError> {
        let file = SafeTensors::deserialize(bytes)
            .map_err(|e| AdapterError::NotSafetensors(e.to_string()))?;
        let (_, metadata) = SafeTensors::read_metadata(bytes)
            .map_err(|e| AdapterError::NotSafetensors(e.to_string()))?;
        let mut provenance = metadata.metadata().clone().unwrap_or_default();
        let scale_text = provenance
            .remove("scale")
            .ok_or(AdapterError::MissingScale)?;
        let scale = scale_text
            .parse::<f32>()
            .ok()
            .filter(|s| s.is_finite())
            .ok_or(AdapterError::BadScale(scale_text))?;

        // (layer, map) → (down, up), each with its name, shape and values.
        type Half = (String, Vec<usize>, Vec<f32>);
        let mut halves: BTreeMap<(usize, AdaptedMap), (Option<Half>, Option<Half>)> =
            BTreeMap::new();
        for (name, view) in file.tensors() {
            let (layer, map, is_down) =
                parse_name(&name).ok_or_else(|| AdapterError::UnknownTensor(name.clone()))?;
            if view.dtype() != Dtype::F32 {
                return Err(AdapterError::WrongDtype {
                    name,
                    dtype: format!("{:?}", view.dtype()),
                });
            }
            let values = bytes::f32s(view.data());
            if values.iter().any(|v| !v.is_finite()) {
                return Err(AdapterError::NotFinite(name));
            }
            let half = Some((name, view.shape().to_vec(), values));
            let entry = halves.entry((layer, map)).or_default();
            if is_down {
                entry.0 = half;
            } else {
                entry.1 = half;
            }
        }
        if halves.is_empty() {
            return Err(AdapterError::Empty);
        }
        let mut updates = Vec::new();
        for ((layer, map), pair) in halves {
            let (down, up) = match pair {
                (Some(down), Some(up)) => (down, up),
                (Some((name, ..)), None) => {
                    return Err(AdapterError::Unpaired {
                        name,
                        missing: "up",
                    });
                }
                (None, Some((name, ..))) => {
                    return Err(AdapterError::Unpaired {
                        name,
                        missing: "down",
                    });
                }
                (None, None) => unreachable!("an entry is made with one half"),
            };
            if layer >= config.num_hidden_layers {
                return Err(AdapterError::NoSuchLayer {
                    layer,
                    layers: config.num_hidden_layers,
                });
            }
            let [inputs, outputs] = map.shape(config);
            let rank = match down.1[..] {
                [rows, rank] if rows == inputs && rank > 0 => rank,
                _ => {
                    return Err(AdapterError::Shape {
                        name: down.0,
                        found: down.1,
                        expected: format!("[{inputs}, rank]"),
                    });
                }
            };
            if up.1 != [rank, outputs] {
                return Err(AdapterError::Shape {
                    name: up.0,
                    found: up.1,
                    expected: format!("[{rank}, {outputs}]"),
                });
            }
            updates.push(LowRankUpdate {
                layer,
                map,
                rank,
                down: down.2,
                up: up.2,
            });
        }
        Ok(Self {
            scale,
            updates,
            provenance,
        })
    }

    pub fn to_safetensors(&self) -> crate::Result<Vec<u8>> {
        let names: Vec<(String, String)> = self
            .updates
            .iter()
            .map(|u| (tensor_name(u, "down"), tensor_name(u, "up")))
            .collect();
        let mut data: Vec<(String, Vec<u8>, Vec<usize>)> = Vec::new();
        for (update, (down, up)) in self.updates.iter().zip(names) {
            let (inputs, outputs) = (update.inputs(), update.outputs());
            data.push((down, f32_bytes(&update.down), vec![inputs, update.rank]));
            data.push((up, f32_bytes(&update.up), vec![update.rank, outputs]));
        }
        let views = data
            .iter()
            .map(|(name, bytes, shape)| {
                TensorView::new(Dtype::F32, shape.clone(), bytes).map(|view| (name.clone(), view))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| crate::Error::Input(format!("adapter: {e}")))?;
        let mut metadata = self.provenance.clone();
        metadata.insert("scale".into(), self.scale.to_string());
        crate::bytes::serialize_sorted(views, Some(metadata))
            .map_err(|e| crate::Error::Input(format!("adapter: {e}")))
    }

    /// Numbers it holds (what its size is made of).
    pub fn parameters(&self) -> usize {
        self.updates.iter().map(|u| u.down.len() + u.up.len()).sum()
    }
}

fn tensor_name(update: &LowRankUpdate, half: &str) -> String {
    format!("layers.{}.{}.{half}", update.layer, update.map.name())
}

/// `layers.{i}.{map}.{down|up}` → (i, map, is_down).
fn parse_name(name: &str) -> Option<(usize, AdaptedMap, bool)> {
    let mut parts = name.split('.');
    let (Some("layers"), Some(layer), Some(map), Some(half), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let layer = layer.parse().ok()?;
    let map = AdaptedMap::from_name(map)?;
    match half {
        "down" => Some((layer, map, true)),
        "up" => Some((layer, map, false)),
        _ => None,
    }
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

impl Bert {
    /// Adds each update's `scale · down · up` to its linear map's weight: from then on the
    /// network is the adapted one, at the frozen network's cost. Call before packing.
    pub fn merge_adapter(&mut self, adapter: &Adapter) {
        for update in &adapter.updates {
            let layer = &mut self.encoder.layers[update.layer];
            let linear = match update.map {
                AdaptedMap::Query => &mut layer.mha.query,
                AdaptedMap::Key => &mut layer.mha.key,
                AdaptedMap::Value => &mut layer.mha.value,
                AdaptedMap::Output => &mut layer.mha.output,
                AdaptedMap::Inner => &mut layer.pwff.linear_inner,
                AdaptedMap::Outer => &mut layer.pwff.linear_outer,
            };
            let device = linear.weight.device();
            let matrix = |values: &[f32], shape: [usize; 2]| {
                Tensor::<2>::from_data(TensorData::new(values.to_vec(), shape), &device)
            };
            let change = matrix(&update.down, [update.inputs(), update.rank])
                .matmul(matrix(&update.up, [update.rank, update.outputs()]))
                .mul_scalar(adapter.scale);
            linear.weight = linear.weight.clone().map(|w| w + change);
        }
    }
}

#[cfg(test)]
mod tests;
