//! Histories as tensors: padded rows, feedback kinds and a mask.

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::FEEDBACK_KINDS;
use crate::error::{Error, Result};
use crate::interactions::Entry;

/// `[batch, len]` history tensors; padding has row 0, feedback 0 and mask 0.
#[derive(Debug, Clone)]
pub struct HistoryBatch {
    pub rows: Tensor<2, Int>,
    pub feedback: Tensor<2, Int>,
    pub mask: Tensor<2>,
}

impl HistoryBatch {
    /// Pads `histories` to the longest one. Rows must be below `items` and feedback kinds below
    /// [`FEEDBACK_KINDS`]: anything else is an error, never an out-of-bounds read on a device.
    pub fn new(histories: &[&[Entry]], items: usize, device: &Device) -> Result<Self> {
        if histories.is_empty() {
            return Err(Error::Input("no histories in the batch".into()));
        }
        let len = histories.iter().map(|h| h.len()).max().unwrap_or(0).max(1);
        let size = histories.len() * len;
        let (mut rows, mut feedback, mut mask) =
            (vec![0i32; size], vec![0i32; size], vec![0f32; size]);
        for (b, history) in histories.iter().enumerate() {
            for (j, entry) in history.iter().enumerate() {
                if entry.row >= items {
                    return Err(Error::Input(format!(
                        "history item row {} is outside the catalogue of {items}",
                        entry.row
                    )));
                }
                if entry.rating as usize >= FEEDBACK_KINDS {
                    return Err(Error::Input(format!(
                        "feedback kind {} is not one of 0–{}",
                        entry.rating,
                        FEEDBACK_KINDS - 1
                    )));
                }
                rows[b * len + j] = entry.row as i32;
                feedback[b * len + j] = entry.rating as i32;
                mask[b * len + j] = 1.0;
            }
        }
        let shape = [histories.len(), len];
        Ok(Self {
            rows: Tensor::from_data(TensorData::new(rows, shape), device),
            feedback: Tensor::from_data(TensorData::new(feedback, shape), device),
            mask: Tensor::from_data(TensorData::new(mask, shape), device),
        })
    }
}
