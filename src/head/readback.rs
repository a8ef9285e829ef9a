//! Reading the head's results back from the device to the host: whole score and rating rows,
//! and single numbers (a loss). Asynchronous throughout, so the same code reads back from
//! WebGPU in the page, where a synchronous read would block.

use burn::tensor::{Tensor, TensorData};

use super::{Head, HistoryBatch, ItemTable};
use crate::error::{Error, Result};
use crate::interactions::Entry;

impl Head {
    /// Scores of every catalogue item for each history, read back to the host in batches of
    /// `batch_size` users. Asynchronous: the same code reads back from WebGPU in the page.
    pub async fn score_histories(
        &self,
        items: &ItemTable,
        histories: &[&[Entry]],
        batch_size: usize,
    ) -> Result<Vec<Vec<f32>>> {
        let device = items.vectors.device();
        let n_items = items.bias.dims()[0];
        let mut out = Vec::with_capacity(histories.len());
        for chunk in histories.chunks(batch_size.max(1)) {
            let history = HistoryBatch::new(chunk, n_items, &device)?;
            let users = self.users(items, &history);
            out.extend(read_rows(self.scores(&users.vectors, items)).await?);
        }
        Ok(out)
    }

    /// Predicted ratings of `targets[k]` for `histories[k]`, read back to the host.
    pub async fn predict_ratings(
        &self,
        items: &ItemTable,
        histories: &[&[Entry]],
        targets: &[&[Entry]],
    ) -> Result<Vec<Vec<f32>>> {
        let device = items.vectors.device();
        let n_items = items.bias.dims()[0];
        let history = HistoryBatch::new(histories, n_items, &device)?;
        let users = self.users(items, &history);
        let width = targets.iter().map(|t| t.len()).max().unwrap_or(0).max(1);
        let mut rows = vec![0i32; targets.len() * width];
        for (b, list) in targets.iter().enumerate() {
            for (k, entry) in list.iter().enumerate() {
                if entry.row >= n_items {
                    return Err(Error::Input(format!(
                        "target row {} is outside the catalogue",
                        entry.row
                    )));
                }
                rows[b * width + k] = entry.row as i32;
            }
        }
        let rows = Tensor::from_data(TensorData::new(rows, [targets.len(), width]), &device);
        let predicted = read_rows(self.ratings(&users.vectors, items, rows)).await?;
        Ok(predicted
            .into_iter()
            .zip(targets)
            .map(|(row, list)| row[..list.len()].to_vec())
            .collect())
    }
}

/// Reads a `[rows, cols]` tensor back to the host, one `Vec` per row (async: WebGPU-safe).
pub async fn read_rows(tensor: Tensor<2>) -> Result<Vec<Vec<f32>>> {
    let [_, cols] = tensor.dims();
    let flat = tensor
        .into_data_async()
        .await
        .map_err(|e| Error::Compute(format!("{e:?}")))?
        .try_into_vec::<f32>()
        .map_err(|e| Error::Compute(format!("unexpected data: {e:?}")))?;
    Ok(flat
        .chunks_exact(cols.max(1))
        .map(<[f32]>::to_vec)
        .collect())
}

/// Reads a one-element tensor (a loss) back to the host (async: WebGPU-safe).
pub async fn read_scalar(tensor: Tensor<1>) -> Result<f64> {
    let rows = read_rows(tensor.reshape([1, 1])).await?;
    Ok(rows[0][0] as f64)
}
