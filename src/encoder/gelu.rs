//! BERT's exact (erf) GELU, `0.5·x·(1 + erf(x/√2))`, as one vectorisable pass on the CPU.
//!
//! Burn's CPU backend calls libm's scalar `erff` per element: 15% of a forward pass natively
//! and more in wasm. A rational approximation of erf with no branches and no table (the one
//! Eigen and XLA use; error a few units in the last place of f32) lets LLVM turn the loop into
//! SIMD. On other devices Burn's own GELU runs.

use burn::tensor::{Tensor, TensorData, activation};

use crate::device;

/// Numerator (odd powers, highest first) and denominator (even powers) of erf(x) ≈ x·P(x²)/Q(x²)
/// on [-4, 4]; outside it erf is ±1 in f32.
#[allow(clippy::excessive_precision)]
const ERF_P: [f32; 7] = [
    -2.72614225801306e-10,
    2.77068142495902e-08,
    -2.10102402082508e-06,
    -5.69250639462346e-05,
    -7.34990630326855e-04,
    -2.95459980854025e-03,
    -1.60960333262415e-02,
];
#[allow(clippy::excessive_precision)]
const ERF_Q: [f32; 5] = [
    -1.45660718464996e-05,
    -2.13374055278905e-04,
    -1.68282697438203e-03,
    -7.37332916720468e-03,
    -1.42647390514189e-02,
];

/// erf(x) for f32, within a few ulp (see the test); |result| ≤ 1.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = ERF_P.iter().fold(0.0, |acc, &c| acc * x2 + c);
    let q = ERF_Q.iter().fold(0.0, |acc, &c| acc * x2 + c);
    (x * p / q).clamp(-1.0, 1.0)
}

/// GELU of every element, in place.
pub fn gelu_in_place(values: &mut [f32]) {
    for v in values {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// GELU of a tensor: the vectorised pass on the CPU, Burn's elsewhere.
pub fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let device = x.device();
    if device != device::cpu() {
        return activation::gelu(x);
    }
    let dims = x.dims();
    let mut values = x
        .into_data()
        .try_into_vec::<f32>()
        .expect("the encoder's activations are f32");
    gelu_in_place(&mut values);
    Tensor::from_data(TensorData::new(values, dims), &device)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf in f64 by Simpson's rule on 2/√π·∫₀ˣ e^(-t²) dt (error far below f32's ulp).
    fn erf_reference(x: f64) -> f64 {
        let steps = 2000;
        let h = x / steps as f64;
        let f = |t: f64| (-t * t).exp();
        let inner: f64 = (1..steps)
            .map(|i| f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
            .sum();
        (f(0.0) + inner + f(x)) * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_is_within_a_few_ulp_of_the_true_value() {
        let mut worst = 0.0f64;
        for i in -6_000..=6_000 {
            let x = i as f32 * 1e-3;
            let error = (erf(x) as f64 - erf_reference(x as f64)).abs();
            worst = worst.max(error);
        }
        assert!(worst < 4e-7, "max |erf error| {worst}");
        assert_eq!(erf(f32::INFINITY), 1.0);
        assert_eq!(erf(f32::NEG_INFINITY), -1.0);
    }

    #[test]
    fn gelu_matches_burns_exact_gelu_on_the_cpu() {
        let device = device::cpu();
        let values: Vec<f32> = (-2000..2000).map(|i| i as f32 * 5e-3).collect();
        let x = Tensor::<1>::from_data(TensorData::new(values, [4000]), &device);
        let ours = gelu(x.clone()).into_data().try_into_vec::<f32>().unwrap();
        let burns = activation::gelu(x)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let worst = ours
            .iter()
            .zip(&burns)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-6, "max |difference| {worst}");
    }
}
