//! 4-bit NormalFloat (NF4, from QLoRA) with one f32 scale per group of [`GROUP`] values of a
//! row: the compact form of the encoder's word embeddings ([`crate::encoder::compact`]), which
//! are half its parameters and read one row per word piece, so their error stays local. A
//! value is stored as the index of the nearest of 16 levels spread like a normal distribution's
//! quantiles, times its group's largest magnitude.
//! In safetensors a matrix `<name>` of `[rows, cols]` is U8 `[rows, cols / 2]` (two codes a
//! byte, the lower nibble first) beside `<name>.scale`, F32 `[rows, cols / GROUP]`.

use safetensors::{Dtype, SafeTensors};

use crate::int8::read_scales;

/// Values per scale. On the golden cases, 64 keeps every embedding within cosine 0.998 of the
/// f32 model's where one scale per row falls to 0.979 (measured with the other weights f32).
pub const GROUP: usize = 64;

/// The NF4 levels (Dettmers et al., 2023, "QLoRA"), ascending; 0 is exact.
const LEVELS: [f32; 16] = [
    -1.0,
    -0.696_192_8,
    -0.525_073_05,
    -0.394_917_5,
    -0.284_441_38,
    -0.184_773_43,
    -0.091_050_036,
    0.0,
    0.079_580_3,
    0.160_930_2,
    0.246_112_3,
    0.337_915_24,
    0.440_709_83,
    0.562_617,
    0.722_956_84,
    1.0,
];

/// Whether a `[rows, cols]` matrix can be stored in this form.
pub fn fits(cols: usize) -> bool {
    cols > 0 && cols.is_multiple_of(GROUP)
}

/// The codes (two a byte) and the scales (f32 bytes, one per group) of a row-major matrix with
/// `cols` columns, a multiple of [`GROUP`]. A group of zeros gets scale 1 and stays zero.
pub fn quantise(values: &[f32], cols: usize) -> (Vec<u8>, Vec<u8>) {
    assert!(fits(cols), "{cols} columns are not whole groups of {GROUP}");
    let mut codes = Vec::with_capacity(values.len() / 2);
    let mut scales = Vec::with_capacity(values.len() / GROUP * 4);
    for group in values.chunks_exact(GROUP) {
        let max = group.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { max } else { 1.0 };
        scales.extend(scale.to_le_bytes());
        for pair in group.chunks_exact(2) {
            codes.push(nearest(pair[0] / scale) | (nearest(pair[1] / scale) << 4));
        }
    }
    (codes, scales)
}

/// The index of the level nearest to `x` (in [-1, 1]).
fn nearest(x: f32) -> u8 {
    let above = LEVELS
        .partition_point(|&level| level < x)
        .min(LEVELS.len() - 1);
    let below = above.saturating_sub(1);
    let index = if (x - LEVELS[below]).abs() <= (LEVELS[above] - x).abs() {
        below
    } else {
        above
    };
    index as u8
}

/// The NF4 matrix `name` of `file` back in f32, row-major, with its shape `[rows, cols]`. A
/// missing, mis-shaped or non-finite scale is an error that names the tensor.
pub fn read_matrix(file: &SafeTensors, name: &str) -> Result<(Vec<f32>, [usize; 2]), String> {
    let matrix = file.tensor(name).map_err(|e| format!("{name}: {e}"))?;
    let (Dtype::U8, &[rows, half]) = (matrix.dtype(), matrix.shape()) else {
        return Err(format!(
            "{name} must be U8 [rows, cols / 2], found {:?} {:?}",
            matrix.dtype(),
            matrix.shape()
        ));
    };
    let cols = 2 * half;
    if !fits(cols) {
        return Err(format!(
            "{name} has {cols} columns, not whole groups of {GROUP}"
        ));
    }
    let scales = read_scales(file, name, &[rows, cols / GROUP])?;
    let values = matrix
        .data()
        .chunks_exact(GROUP / 2)
        .zip(&scales)
        .flat_map(|(bytes, &scale)| {
            bytes.iter().flat_map(move |&byte| {
                [byte & 0x0f, byte >> 4].map(|code| LEVELS[code as usize] * scale)
            })
        })
        .collect();
    Ok((values, [rows, cols]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::TensorView;

    #[test]
    fn levels_round_trip_exactly_and_others_go_to_the_nearest() {
        for (index, &level) in LEVELS.iter().enumerate() {
            assert_eq!(nearest(level), index as u8);
        }
        assert_eq!(nearest(-2.0), 0, "below the range: the lowest level");
        assert_eq!(nearest(0.03), 7, "nearer 0 than 0.0796");
        assert_eq!(nearest(0.05), 8);
    }

    #[test]
    fn a_matrix_round_trips_within_half_a_level_step_of_its_group() {
        let cols = 2 * GROUP;
        let mut values: Vec<f32> = (0..3 * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
            .collect();
        values[cols..cols + GROUP].fill(0.0); // a group of zeros
        let (codes, scales) = quantise(&values, cols);
        let file = safetensors::serialize(
            [
                (
                    "w",
                    TensorView::new(Dtype::U8, vec![3, cols / 2], &codes).unwrap(),
                ),
                (
                    "w.scale",
                    TensorView::new(Dtype::F32, vec![3, 2], &scales).unwrap(),
                ),
            ],
            None,
        )
        .unwrap();
        let file = SafeTensors::deserialize(&file).unwrap();
        let (back, shape) = read_matrix(&file, "w").unwrap();
        assert_eq!(shape, [3, cols]);
        let widest_step = LEVELS.windows(2).map(|w| w[1] - w[0]).fold(0f32, f32::max);
        for (group, (a, b)) in back.chunks(GROUP).zip(values.chunks(GROUP)).enumerate() {
            let max = b.iter().fold(0f32, |m, v| m.max(v.abs()));
            for (x, y) in a.iter().zip(b) {
                assert!(
                    (x - y).abs() <= max * widest_step / 2.0 + 1e-6,
                    "group {group}"
                );
            }
        }
        assert!(back[cols..cols + GROUP].iter().all(|&v| v == 0.0));

        // A scale of the wrong shape is named.
        let file = safetensors::serialize(
            [
                (
                    "w",
                    TensorView::new(Dtype::U8, vec![3, cols / 2], &codes).unwrap(),
                ),
                (
                    "w.scale",
                    TensorView::new(Dtype::F32, vec![6], &scales).unwrap(),
                ),
            ],
            None,
        )
        .unwrap();
        let error = read_matrix(&SafeTensors::deserialize(&file).unwrap(), "w").unwrap_err();
        assert!(error.contains("w.scale must be F32 [3, 2]"), "{error}");
    }
}
