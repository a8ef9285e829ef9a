//! What the adapter's training reads instead of running the whole encoder each step: every
//! text's hidden states below the adapted layers, computed once (those layers never change),
//! and the upper layers run over them to give the item vectors.

use burn::tensor::{Device, Tensor, TensorData};

use crate::encoder::lora::{Lora, UpperLayers};
use crate::encoder::{Encoder, Tokens};
use crate::error::{Error, Result};
use crate::item_vectors::ItemVectors;

/// Each item text's hidden states below the adapted layers, computed once.
pub struct LowerStates {
    pub first_layer: usize,
    dim: usize,
    /// Per item, row-major `[tokens, dim]`.
    states: Vec<Vec<f32>>,
}

impl LowerStates {
    /// Runs the encoder's first `first_layer` layers over `texts`, a few at a time (grouped
    /// by length, so little is padding). `on_progress(done, total)`.
    pub fn compute(
        encoder: &Encoder,
        texts: &[&str],
        first_layer: usize,
        mut on_progress: impl FnMut(usize, usize),
    ) -> Result<Self> {
        if first_layer >= encoder.config().num_hidden_layers {
            return Err(Error::Input(format!(
                "the model has {} layers: layer {first_layer} cannot be adapted",
                encoder.config().num_hidden_layers
            )));
        }
        let tokens = texts
            .iter()
            .map(|t| encoder.tokenizer().encode(t))
            .collect::<Result<Vec<Tokens>>>()?;
        let dim = encoder.dim();
        let mut states = vec![Vec::new(); texts.len()];
        for (done, group) in by_length(&tokens, |t| t.ids.len(), 16) {
            let batch: Vec<Tokens> = group.iter().map(|&i| tokens[i].clone()).collect();
            let padded = encoder.tokenizer().pad(&batch);
            let hidden = values(encoder.lower_states(&padded, first_layer)?)?;
            let row = padded.seq_len * dim;
            for (k, &i) in group.iter().enumerate() {
                let len = tokens[i].ids.len();
                states[i] = hidden[k * row..k * row + len * dim].to_vec();
            }
            on_progress(done, texts.len());
        }
        Ok(Self {
            first_layer,
            dim,
            states,
        })
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    pub(super) fn tokens(&self, item: usize) -> usize {
        self.states[item].len() / self.dim
    }

    /// `items`' states padded to one length, and the real-token mask.
    pub(super) fn batch(&self, items: &[usize], device: &Device) -> (Tensor<3>, Tensor<2>) {
        let seq = items.iter().map(|&i| self.tokens(i)).max().unwrap_or(0);
        let mut data = vec![0.0f32; items.len() * seq * self.dim];
        let mut real = vec![0.0f32; items.len() * seq];
        for (k, &i) in items.iter().enumerate() {
            let start = k * seq * self.dim;
            data[start..start + self.states[i].len()].copy_from_slice(&self.states[i]);
            real[k * seq..k * seq + self.tokens(i)].fill(1.0);
        }
        (
            Tensor::from_data(TensorData::new(data, [items.len(), seq, self.dim]), device),
            Tensor::from_data(TensorData::new(real, [items.len(), seq]), device),
        )
    }
}

/// Indices of `items` in groups of `size` with similar `length`, longest first, each with how
/// many were done after it.
pub(super) fn by_length<T>(
    items: &[T],
    length: impl Fn(&T) -> usize,
    size: usize,
) -> impl Iterator<Item = (usize, Vec<usize>)> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(length(&items[i])));
    let groups: Vec<Vec<usize>> = order.chunks(size).map(<[usize]>::to_vec).collect();
    let mut done = 0;
    groups.into_iter().map(move |g| {
        done += g.len();
        (done, g)
    })
}

pub(super) fn values<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    tensor
        .into_data()
        .try_into_vec::<f32>()
        .map_err(|e| Error::Compute(format!("{e:?}")))
}

/// Every item's sentence vector through the upper layers (with `lora`'s updates, if any).
pub fn item_vectors(
    upper: &UpperLayers,
    states: &LowerStates,
    lora: Option<&Lora>,
    device: &Device,
) -> Result<ItemVectors> {
    let dim = states.dim;
    let mut rows = vec![Vec::new(); states.len()];
    let lengths: Vec<usize> = (0..states.len()).map(|i| states.tokens(i)).collect();
    for (_, group) in by_length(&lengths, |&n| n, 32) {
        let (batch, real) = states.batch(&group, device);
        let vectors = values(upper.forward(batch, real, lora))?;
        for (k, &i) in group.iter().enumerate() {
            rows[i] = vectors[k * dim..(k + 1) * dim].to_vec();
        }
    }
    ItemVectors::from_rows(rows, Default::default())
}
