//! The item tower's output as a table ([`ItemTable`]): each item's candidate vector, bias and
//! history vector. The recommender keeps it, a page's first list reads it precomputed (its raw
//! `[items, 2·dim + 1]` form), and fine-tuning scores against it.

use burn::tensor::{Tensor, TensorData};

/// The item table: the item tower's output for a set of items, their vectors `[n, dim]`,
/// biases `[n]` and history vectors `[n, dim]`.
#[derive(Debug, Clone)]
pub struct ItemTable {
    pub vectors: Tensor<2>,
    pub bias: Tensor<1>,
    pub history: Tensor<2>,
}

impl ItemTable {
    /// The table from the item tower's raw output `[items, 2·dim + 1]` (candidate vector,
    /// bias, history vector), e.g. as stored precomputed.
    pub fn from_outputs(out: Tensor<2>, dim: usize) -> Self {
        let [rows, _] = out.dims();
        ItemTable {
            vectors: out.clone().slice([0..rows, 0..dim]),
            bias: out.clone().slice([0..rows, dim..dim + 1]).reshape([rows]),
            history: out.slice([0..rows, dim + 1..2 * dim + 1]),
        }
    }

    /// The table from its candidate vectors `[items, dim]` and biases alone, as a page's split
    /// table stores them: its history vectors come later, by row (see
    /// [`ItemTable::set_history_rows`]); until then they are zero.
    pub fn from_candidates(vectors: Tensor<2>, bias: Tensor<1>) -> Self {
        let history = Tensor::zeros(vectors.dims(), &vectors.device());
        ItemTable {
            vectors,
            bias,
            history,
        }
    }

    /// Sets the history vectors of rows `first..` to `values` (`rows × dim`, row-major).
    pub fn set_history_rows(&mut self, first: usize, values: &[f32]) {
        let [_, dim] = self.history.dims();
        let rows = values.len() / dim.max(1);
        let device = self.history.device();
        let block = Tensor::from_data(TensorData::new(values.to_vec(), [rows, dim]), &device);
        // Taken out, not cloned: the only handle on its memory, it is written in place instead
        // of copied whole (at 100,000 items, 25 MB for a shard's few hundred rows).
        let history = std::mem::replace(&mut self.history, Tensor::empty([0, dim], &device));
        self.history = history.slice_assign([first..first + rows, 0..dim], block);
    }

    /// The table with each part in memory of its own. [`ItemTable::from_outputs`] gives views
    /// into the raw output (strided), and Burn's CPU backend copies a whole view before taking
    /// rows of it: a recommender, which takes a few rows per list, would copy the table three
    /// times a list (at 100,000 items, most of its time). Copied once here instead.
    pub fn materialised(self) -> Self {
        let own = |part: Tensor<2>| {
            let [_, columns] = part.dims();
            let all = Tensor::arange(0..columns as i64, &part.device());
            part.select(1, all)
        };
        let [rows] = self.bias.dims();
        ItemTable {
            vectors: own(self.vectors),
            bias: own(self.bias.reshape([rows, 1])).reshape([rows]),
            history: own(self.history),
        }
    }

    /// The raw output `[items, 2·dim + 1]` again (what [`ItemTable::from_outputs`] reads).
    pub fn outputs(&self) -> Tensor<2> {
        let [rows] = self.bias.dims();
        Tensor::cat(
            vec![
                self.vectors.clone(),
                self.bias.clone().reshape([rows, 1]),
                self.history.clone(),
            ],
            1,
        )
    }
}
