//! sentence-transformers' pooling for MiniLM: the mean of the hidden states of real tokens
//! (padding excluded), then L2 normalisation.

use burn::tensor::Tensor;

/// Floor for the token count and the vector norm, as in sentence-transformers
/// (`clamp(min=1e-9)`) and `torch.nn.functional.normalize` (`eps=1e-12`).
const MIN_TOKEN_COUNT: f32 = 1e-9;
const MIN_NORM: f32 = 1e-12;

/// `hidden`: `[batch, seq, dim]`, `mask`: `[batch, seq]` with 1.0 for real tokens and 0.0 for
/// padding → `[batch, dim]`, each row of unit length.
pub fn mean_pool_normalized(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let mask = mask.unsqueeze_dim::<3>(2); // [batch, seq, 1]
    let summed = (hidden * mask.clone()).sum_dim(1).squeeze_dim::<2>(1); // [batch, dim]
    let counts = mask
        .sum_dim(1)
        .squeeze_dim::<2>(1)
        .clamp_min(MIN_TOKEN_COUNT); // [batch, 1]
    let mean = summed / counts;
    l2_normalize(mean)
}

/// Divides each row by its Euclidean norm.
pub fn l2_normalize(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().square().sum_dim(1).sqrt().clamp_min(MIN_NORM);
    x / norm
}
