//! A 2-D map of vectors for people to look at: the plane of the two principal components (PCA).
//! The inputs are small (thousands of rows, tens of columns), so this is plain host code:
//! the covariance matrix, then power iteration with deflation for its top two eigenvectors.

use crate::error::{Error, Result};

/// The plane the map is drawn on: project a vector with [`Plane::project`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Plane {
    pub mean: Vec<f32>,
    /// Two orthonormal directions, the largest variance first.
    pub axes: [Vec<f32>; 2],
    /// The variance along each axis.
    pub variance: [f32; 2],
}

impl Plane {
    /// Fits the principal plane of `rows` (at least two, all of one width ≥ 2).
    pub fn fit(rows: &[Vec<f32>]) -> Result<Self> {
        let dim = rows.first().map_or(0, Vec::len);
        if rows.len() < 2 || dim < 2 || rows.iter().any(|r| r.len() != dim) {
            return Err(Error::Input(
                "a map needs at least two rows of one width ≥ 2".into(),
            ));
        }
        let n = rows.len() as f64;
        let mut mean = vec![0f64; dim];
        for row in rows {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v as f64 / n;
            }
        }
        let mut covariance = vec![0f64; dim * dim];
        let mut centred = vec![0f64; dim];
        for row in rows {
            for ((c, &v), m) in centred.iter_mut().zip(row).zip(&mean) {
                *c = v as f64 - m;
            }
            for i in 0..dim {
                for j in i..dim {
                    covariance[i * dim + j] += centred[i] * centred[j] / n;
                }
            }
        }
        for i in 0..dim {
            for j in 0..i {
                covariance[i * dim + j] = covariance[j * dim + i];
            }
        }
        let (first, first_variance) = top_eigenvector(&covariance, dim);
        // Deflate: remove the first direction, the next largest is the second.
        for i in 0..dim {
            for j in 0..dim {
                covariance[i * dim + j] -= first_variance * first[i] * first[j];
            }
        }
        let (second, second_variance) = top_eigenvector(&covariance, dim);
        let to_f32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        Ok(Self {
            mean: to_f32(&mean),
            axes: [to_f32(&first), to_f32(&second)],
            variance: [first_variance as f32, second_variance as f32],
        })
    }

    /// Coordinates of `vector` on the plane.
    pub fn project(&self, vector: &[f32]) -> [f32; 2] {
        self.axes.each_ref().map(|axis| {
            axis.iter()
                .zip(vector)
                .zip(&self.mean)
                .map(|((a, v), m)| a * (v - m))
                .sum()
        })
    }
}

/// The unit eigenvector of the largest eigenvalue of a symmetric positive semi-definite
/// matrix, and that eigenvalue, by power iteration from a fixed start (deterministic).
fn top_eigenvector(matrix: &[f64], dim: usize) -> (Vec<f64>, f64) {
    let mut vector: Vec<f64> = (0..dim).map(|i| 1.0 + (i as f64 * 0.618).fract()).collect();
    normalise(&mut vector);
    let mut value = 0.0;
    for _ in 0..500 {
        let mut next: Vec<f64> = (0..dim)
            .map(|i| (0..dim).map(|j| matrix[i * dim + j] * vector[j]).sum())
            .collect();
        let norm = normalise(&mut next);
        let change: f64 = next.iter().zip(&vector).map(|(a, b)| (a - b).abs()).sum();
        vector = next;
        value = norm;
        if norm == 0.0 || change < 1e-12 {
            break;
        }
    }
    (vector, value)
}

fn normalise(vector: &mut [f64]) -> f64 {
    let norm = vector.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|v| *v /= norm);
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn finds_the_planted_directions_in_order() {
        // Points spread 5 along (1,1,0,0)/√2, 2 along (0,0,1,0), a little noise elsewhere.
        let mut rng = SplitMix64::new(3);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let rows: Vec<Vec<f32>> = (0..2000)
            .map(|_| {
                let (a, b) = (rng.uniform_f32(5.0), rng.uniform_f32(2.0));
                let noise = rng.uniform_f32(0.1);
                vec![10.0 + a * s, a * s - 3.0, b, noise]
            })
            .collect();
        let plane = Plane::fit(&rows).unwrap();
        let [first, second] = &plane.axes;
        assert!((first[0].abs() - s).abs() < 1e-3 && (first[1].abs() - s).abs() < 1e-3);
        assert!((second[2].abs() - 1.0).abs() < 1e-3);
        assert!(plane.variance[0] > plane.variance[1] && plane.variance[1] > 0.0);
        let dot: f32 = first.iter().zip(second).map(|(a, b)| a * b).sum();
        assert!(dot.abs() < 1e-4);
        // The mean projects to the origin; one step along an axis to 1 on that axis.
        let p = plane.project(&plane.mean);
        assert!(p[0].abs() < 1e-4 && p[1].abs() < 1e-4);
        let moved: Vec<f32> = plane.mean.iter().zip(second).map(|(m, a)| m + a).collect();
        let q = plane.project(&moved);
        assert!(q[0].abs() < 1e-3 && (q[1] - 1.0).abs() < 1e-3);
    }

    #[test]
    fn too_little_input_is_an_error() {
        assert!(Plane::fit(&[vec![1.0, 2.0]]).is_err());
        assert!(Plane::fit(&[vec![1.0], vec![2.0]]).is_err());
        assert!(Plane::fit(&[vec![1.0, 2.0], vec![1.0]]).is_err());
    }
}
