//! EASE (Steck, 2019): a closed-form item–item linear model, a strong baseline for implicit
//! feedback. `B = I − P · diag(1 / diag(P))` with `P = (XᵀX + λI)⁻¹` and `diag(B) = 0`; a
//! history scores item `i` by `Σ_j B[j, i]`.
//!
//! The `n × n` inverse is computed with Burn matmuls (recursive 2×2 block inversion of a
//! symmetric positive definite matrix), small blocks by Gauss–Jordan in f64 on the host.

use burn::tensor::{Device, Tensor, TensorData};

use super::baselines::Recommender;
use crate::interactions::{Entry, UserList};

pub struct Ease {
    /// `[n, n]`, row `j` = what item `j` in a history adds to every item's score.
    weights: Vec<f32>,
    n_items: usize,
    lambda: f32,
}

/// `XᵀX` of the binary user × item matrix of `train`: `[n, n]`, row-major.
pub fn gram(train: &[UserList], n_items: usize) -> Vec<f32> {
    let mut gram = vec![0f32; n_items * n_items];
    for user in train {
        for a in &user.entries {
            let line = &mut gram[a.row * n_items..(a.row + 1) * n_items];
            for b in &user.entries {
                line[b.row] += 1.0;
            }
        }
    }
    gram
}

impl Ease {
    pub fn fit(train: &[UserList], n_items: usize, lambda: f32, device: &Device) -> Self {
        Self::from_gram(&gram(train, n_items), n_items, lambda, device)
    }

    /// EASE from a Gram matrix `XᵀX` (see [`gram`]), which is left as it is.
    pub fn from_gram(gram: &[f32], n_items: usize, lambda: f32, device: &Device) -> Self {
        let mut regularised = gram.to_vec();
        for i in 0..n_items {
            regularised[i * n_items + i] += lambda;
        }
        let regularised =
            Tensor::<2>::from_data(TensorData::new(regularised, [n_items, n_items]), device);
        let precision = spd_inverse(regularised)
            .into_data()
            .try_into_vec::<f32>()
            .expect("f32 tensor");
        let diagonal: Vec<f32> = (0..n_items).map(|i| precision[i * n_items + i]).collect();
        let mut weights = precision;
        for j in 0..n_items {
            for i in 0..n_items {
                let w = &mut weights[j * n_items + i];
                *w = if i == j { 0.0 } else { -*w / diagonal[i] };
            }
        }
        Self {
            weights,
            n_items,
            lambda,
        }
    }

    pub fn lambda(&self) -> f32 {
        self.lambda
    }

    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// `B[j, i]`: what item `j` in a history adds to item `i`'s score.
    pub fn weight(&self, j: usize, i: usize) -> f32 {
        self.weights[j * self.n_items + i]
    }
}

impl Recommender for Ease {
    fn name(&self) -> &str {
        "ease"
    }
    fn scores(&self, visible: &[Entry]) -> Vec<f32> {
        let mut scores = vec![0.0; self.n_items];
        for entry in visible {
            let row = &self.weights[entry.row * self.n_items..(entry.row + 1) * self.n_items];
            scores.iter_mut().zip(row).for_each(|(s, w)| *s += w);
        }
        scores
    }
}

/// Below this size a block is inverted on the host.
const HOST_BLOCK: usize = 384;

/// The inverse of a symmetric positive definite matrix:
/// `[[A, B], [Bᵀ, D]]⁻¹ = [[A⁻¹ + A⁻¹B S⁻¹ BᵀA⁻¹, −A⁻¹B S⁻¹], [·ᵀ, S⁻¹]]`, `S = D − BᵀA⁻¹B`.
pub fn spd_inverse(matrix: Tensor<2>) -> Tensor<2> {
    let [n, _] = matrix.dims();
    if n <= HOST_BLOCK {
        return host_inverse(matrix);
    }
    let h = n / 2;
    let a = matrix.clone().slice([0..h, 0..h]);
    let b = matrix.clone().slice([0..h, h..n]);
    let d = matrix.slice([h..n, h..n]);
    let a_inv = spd_inverse(a);
    let a_inv_b = a_inv.clone().matmul(b.clone()); // [h, n-h]
    let schur = d - b.transpose().matmul(a_inv_b.clone());
    let schur = (schur.clone() + schur.transpose()) / 2.0; // keep it exactly symmetric
    let s_inv = spd_inverse(schur);
    let top_right = a_inv_b.clone().matmul(s_inv.clone()).neg();
    let top_left = a_inv - top_right.clone().matmul(a_inv_b.transpose());
    let top = Tensor::cat(vec![top_left, top_right.clone()], 1);
    let bottom = Tensor::cat(vec![top_right.transpose(), s_inv], 1);
    Tensor::cat(vec![top, bottom], 0)
}

/// Gauss–Jordan elimination in f64 (no pivoting: the matrix is positive definite).
fn host_inverse(matrix: Tensor<2>) -> Tensor<2> {
    let device = matrix.device();
    let [n, _] = matrix.dims();
    let values = matrix
        .into_data()
        .try_into_vec::<f32>()
        .expect("f32 tensor");
    let mut a: Vec<f64> = values.iter().map(|&v| v as f64).collect();
    let mut inv = vec![0f64; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for k in 0..n {
        let pivot = a[k * n + k];
        for j in 0..n {
            a[k * n + j] /= pivot;
            inv[k * n + j] /= pivot;
        }
        for i in 0..n {
            let factor = a[i * n + k];
            if i == k || factor == 0.0 {
                continue;
            }
            for j in 0..n {
                a[i * n + j] -= factor * a[k * n + j];
                inv[i * n + j] -= factor * inv[k * n + j];
            }
        }
    }
    let inv: Vec<f32> = inv.iter().map(|&v| v as f32).collect();
    Tensor::from_data(TensorData::new(inv, [n, n]), &device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_a_positive_definite_matrix_across_blocks() {
        // A random SPD matrix larger than one host block: M = RᵀR/n + I.
        let n = HOST_BLOCK + 37;
        let device = crate::device::cpu();
        let mut rng = crate::rng::SplitMix64::new(3);
        let r: Vec<f32> = (0..n * n).map(|_| rng.uniform_f32(1.0)).collect();
        let r = Tensor::<2>::from_data(TensorData::new(r, [n, n]), &device);
        let m = r.clone().transpose().matmul(r) / n as f32 + Tensor::<2>::eye(n, &device);
        let product = m.clone().matmul(spd_inverse(m));
        let error: f32 = (product - Tensor::<2>::eye(n, &device))
            .abs()
            .max()
            .into_scalar();
        assert!(error < 1e-3, "max |M·M⁻¹ − I| = {error}");
    }

    #[test]
    fn ease_scores_co_occurring_items() {
        let list = |rows: &[usize]| UserList {
            user: 0,
            entries: rows.iter().map(|&row| Entry { row, rating: 0 }).collect(),
        };
        // 0 and 1 always together; 2 and 3 together; item 0 in a history → 1 scores highest.
        let train = [
            list(&[0, 1]),
            list(&[0, 1]),
            list(&[2, 3]),
            list(&[0, 1, 2]),
        ];
        let model = Ease::fit(&train, 4, 0.5, &crate::device::cpu());
        let scores = model.scores(&[Entry { row: 0, rating: 0 }]);
        assert_eq!(scores[0], 0.0, "an item never recommends itself");
        assert!(scores[1] > scores[2] && scores[1] > scores[3], "{scores:?}");
    }
}
