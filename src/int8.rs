//! Symmetric int8 with one f32 scale per row: the compact form of the encoder's matrices
//! ([`crate::encoder::compact`]) and of the page's item vectors ([`crate::item_vectors`]).
//! In safetensors a matrix `<name>` is I8 `[rows, cols]` beside `<name>.scale`, F32 `[rows]`.

use safetensors::{Dtype, SafeTensors};

use crate::bytes::f32s;

pub const SCALE_SUFFIX: &str = ".scale";

/// Per row: `scale = max |v| / 127` and `q = round(v / scale)`, so the row's largest value
/// is exact and every other is within `scale / 2`. Returns the values and the scales (f32 bytes).
pub fn quantise_rows(values: &[f32], cols: usize) -> (Vec<u8>, Vec<u8>) {
    let mut quantised = Vec::with_capacity(values.len());
    let mut scales = Vec::with_capacity(values.len() / cols.max(1) * 4);
    for row in values.chunks_exact(cols) {
        let scale = quantise_row(row, &mut quantised);
        scales.extend(scale.to_le_bytes());
    }
    (quantised, scales)
}

/// One row of [`quantise_rows`] (rows of any length: an empty or all-zero one gets scale 1),
/// appended to `out`; returns its scale.
pub fn quantise_row(row: &[f32], out: &mut Vec<u8>) -> f32 {
    let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    out.extend(
        row.iter()
            .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8),
    );
    scale
}

/// The int8 matrix `name` of `file` (shape `[rows, cols]`) back in f32, row-major. A missing,
/// mis-shaped or non-finite scale is an error that names the tensor.
pub fn read_matrix(file: &SafeTensors, name: &str) -> Result<(Vec<f32>, [usize; 2]), String> {
    let matrix = file.tensor(name).map_err(|e| format!("{name}: {e}"))?;
    let (Dtype::I8, &[rows, cols]) = (matrix.dtype(), matrix.shape()) else {
        return Err(format!(
            "{name} must be I8 [rows, cols], found {:?} {:?}",
            matrix.dtype(),
            matrix.shape()
        ));
    };
    let scales = read_scales(file, name, &[rows])?;
    let values = matrix
        .data()
        .chunks_exact(cols.max(1))
        .zip(&scales)
        .flat_map(|(row, &scale)| row.iter().map(move |&q| q as i8 as f32 * scale))
        .collect();
    Ok((values, [rows, cols]))
}

/// The f32 scales beside the quantised matrix `name` (`<name>.scale`), which must have `shape`
/// and be finite; an error names the tensor.
pub fn read_scales(file: &SafeTensors, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
    let scale_name = format!("{name}{SCALE_SUFFIX}");
    let scales = file
        .tensor(&scale_name)
        .map_err(|_| format!("{name} has no {scale_name}"))?;
    if scales.dtype() != Dtype::F32 || scales.shape() != shape {
        return Err(format!(
            "{scale_name} must be F32 {shape:?}, found {:?} {:?}",
            scales.dtype(),
            scales.shape()
        ));
    }
    let scales = f32s(scales.data());
    if scales.iter().any(|s| !s.is_finite()) {
        return Err(format!("{scale_name} has a non-finite scale"));
    }
    Ok(scales)
}
