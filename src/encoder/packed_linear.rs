//! A linear map `y = x·W + b` with `W` packed once for the page's one-threaded CPU.
//!
//! All of the encoder's arithmetic but attention (≈21 of its 21.2 MFLOP per token) is six linear
//! maps per layer, and in the page they are one-thread matrix products of a few dozen rows. The
//! CPU backend's general matrix product (gemm) re-packs the weight matrix on every call (7.8% of
//! a forward pass in the page's profile), and its wasm kernel keeps more vectors live than V8
//! has registers. Here the weights are packed at load into panels of [`PANEL`] output columns
//! (each input's `PANEL` weights contiguous), and a kernel of [`ROWS`] rows × `PANEL` columns
//! keeps its 8 accumulators, 2 weight vectors and 1 input in registers; rows go in blocks that
//! stay in L2 while every panel passes over them. Measured in Chromium here: 1.3–1.8× gemm's
//! GFLOP/s on the encoder's shapes, 1.26–1.52× end to end (`bench/README.md`).

use lanes::{F32x4, mul_add, splat_load, store};

/// Output columns per weight panel: two 4-lane vectors.
pub const PANEL: usize = 8;
/// Input rows per kernel call: 4 rows × 2 vectors = 8 accumulators.
pub const ROWS: usize = 4;
/// Input rows per pass over all panels: 64 rows of 1,536 inputs are 384 KiB, within L2.
const ROW_BLOCK: usize = 64;

pub struct PackedLinear {
    inputs: usize,
    outputs: usize,
    /// Panel `p`, input `i`: the weights of outputs `p·PANEL .. p·PANEL + PANEL`, as two vectors
    /// (zero past `outputs`).
    panels: Vec<[F32x4; 2]>,
    /// The bias, padded to whole panels the same way.
    bias: Vec<[F32x4; 2]>,
}

impl PackedLinear {
    /// Packs `weight` (`[inputs, outputs]`, row-major, as Burn's `Linear` holds it) and `bias`.
    pub fn new(weight: &[f32], bias: &[f32], inputs: usize, outputs: usize) -> Self {
        assert_eq!(
            weight.len(),
            inputs * outputs,
            "weight is not [inputs, outputs]"
        );
        assert_eq!(bias.len(), outputs, "bias is not [outputs]");
        let panel_count = outputs.div_ceil(PANEL);
        let lanes = |value: &dyn Fn(usize) -> f32, first: usize| -> [F32x4; 2] {
            let column = |j: usize| {
                let out = first + j;
                if out < outputs { value(out) } else { 0.0 }
            };
            [
                F32x4::new([column(0), column(1), column(2), column(3)]),
                F32x4::new([column(4), column(5), column(6), column(7)]),
            ]
        };
        let mut panels = Vec::with_capacity(panel_count * inputs);
        for p in 0..panel_count {
            for i in 0..inputs {
                panels.push(lanes(&|out| weight[i * outputs + out], p * PANEL));
            }
        }
        let bias = (0..panel_count)
            .map(|p| lanes(&|out| bias[out], p * PANEL))
            .collect();
        Self {
            inputs,
            outputs,
            panels,
            bias,
        }
    }

    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// `x`: `rows × inputs`, row-major → `rows × outputs`, row-major.
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        assert_eq!(
            x.len() % self.inputs,
            0,
            "input rows are not {} wide",
            self.inputs
        );
        let rows = x.len() / self.inputs;
        let mut y = vec![0.0; rows * self.outputs];
        // Rows in blocks of ROW_BLOCK, and in a block panel by panel: a panel (12 KiB for 384
        // inputs) stays in L1 while the block's rows pass over it, and the block's rows stay in
        // L2 while every panel passes over them. (Slicing the inputs into L1-sized depths as
        // well measured slower.)
        for block_start in (0..rows).step_by(ROW_BLOCK) {
            let block_end = (block_start + ROW_BLOCK).min(rows);
            for (p, bias) in self.bias.iter().enumerate() {
                let panel = &self.panels[p * self.inputs..(p + 1) * self.inputs];
                let columns = p * PANEL..((p + 1) * PANEL).min(self.outputs);
                let mut row = block_start;
                while row < block_end {
                    let block = Block {
                        x,
                        x_width: self.inputs,
                        y: &mut y,
                        y_width: self.outputs,
                        columns: columns.clone(),
                        row,
                    };
                    row += match block_end - row {
                        1 => kernel::<1>(block, panel, bias),
                        2 => kernel::<2>(block, panel, bias),
                        3 => kernel::<3>(block, panel, bias),
                        _ => kernel::<ROWS>(block, panel, bias),
                    };
                }
            }
        }
        y
    }
}

/// What a kernel call reads and writes: from row `row` on, `x`'s rows and outputs `columns`
/// of `y`'s.
struct Block<'a> {
    x: &'a [f32],
    x_width: usize,
    y: &'a mut [f32],
    y_width: usize,
    columns: std::ops::Range<usize>,
    row: usize,
}

/// `R` rows × one panel, plus bias. Returns `R`.
#[inline(always)]
fn kernel<const R: usize>(out: Block, panel: &[[F32x4; 2]], bias: &[F32x4; 2]) -> usize {
    let inputs = panel.len();
    let rows: [&[f32]; R] = std::array::from_fn(|r| {
        let first = (out.row + r) * out.x_width;
        &out.x[first..first + inputs]
    });
    let mut acc = [*bias; R];
    let rows = rows.map(<[f32]>::as_ptr);
    for (i, weights) in panel.iter().enumerate() {
        for (acc, row) in acc.iter_mut().zip(rows) {
            // SAFETY: every row slice above is `inputs` = `panel.len()` long, and `i < inputs`.
            // (Indexing instead leaves a bounds check in the innermost loop: 1.3× slower.)
            let xi = splat_load(unsafe { &*row.add(i) });
            acc[0] = mul_add(xi, weights[0], acc[0]);
            acc[1] = mul_add(xi, weights[1], acc[1]);
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        let start = (out.row + r) * out.y_width;
        let y = &mut out.y[start + out.columns.start..start + out.columns.end];
        if y.len() == PANEL {
            store(&mut y[..4], acc[0]);
            store(&mut y[4..], acc[1]);
        } else {
            // The last, partial panel: through a buffer, so nothing past `outputs` is written.
            let mut full = [0.0; PANEL];
            store(&mut full[..4], acc[0]);
            store(&mut full[4..], acc[1]);
            y.copy_from_slice(&full[..y.len()]);
        }
    }
    R
}

/// Four f32 lanes: wasm SIMD in the page; plain arrays elsewhere, so that native tests run the
/// same kernel with the same (unfused) arithmetic.
mod lanes {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod imp {
        use core::arch::wasm32::*;

        #[derive(Clone, Copy)]
        #[repr(transparent)]
        pub struct F32x4(v128);

        impl F32x4 {
            pub fn new(values: [f32; 4]) -> Self {
                Self(f32x4(values[0], values[1], values[2], values[3]))
            }
        }

        /// `value` in all four lanes (one `v128.load32_splat`).
        #[inline(always)]
        pub fn splat_load(value: &f32) -> F32x4 {
            // SAFETY: reads the 4 bytes of a valid `&f32`.
            F32x4(unsafe { v128_load32_splat(value as *const f32 as *const u32) })
        }

        /// `acc + a·b`, lane-wise (baseline wasm SIMD has no fused multiply-add).
        #[inline(always)]
        pub fn mul_add(a: F32x4, b: F32x4, acc: F32x4) -> F32x4 {
            F32x4(f32x4_add(acc.0, f32x4_mul(a.0, b.0)))
        }

        #[inline(always)]
        pub fn store(out: &mut [f32], value: F32x4) {
            assert_eq!(out.len(), 4);
            // SAFETY: `out` is 4 writable f32s; `v128_store` needs no alignment.
            unsafe { v128_store(out.as_mut_ptr() as *mut v128, value.0) }
        }
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    mod imp {
        #[derive(Clone, Copy)]
        #[repr(C, align(16))]
        pub struct F32x4([f32; 4]);

        impl F32x4 {
            pub fn new(values: [f32; 4]) -> Self {
                Self(values)
            }
        }

        #[inline(always)]
        pub fn splat_load(value: &f32) -> F32x4 {
            F32x4([*value; 4])
        }

        #[inline(always)]
        pub fn mul_add(a: F32x4, b: F32x4, acc: F32x4) -> F32x4 {
            F32x4(std::array::from_fn(|l| acc.0[l] + a.0[l] * b.0[l]))
        }

        #[inline(always)]
        pub fn store(out: &mut [f32], value: F32x4) {
            out.copy_from_slice(&value.0);
        }
    }

    pub use imp::*;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(x: &[f32], w: &[f32], b: &[f32], inputs: usize, outputs: usize) -> Vec<f32> {
        let rows = x.len() / inputs;
        let mut y = vec![0.0f32; rows * outputs];
        for r in 0..rows {
            for o in 0..outputs {
                let dot: f64 = (0..inputs)
                    .map(|i| x[r * inputs + i] as f64 * w[i * outputs + o] as f64)
                    .sum();
                y[r * outputs + o] = (dot + b[o] as f64) as f32;
            }
        }
        y
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn equals_the_plain_product_for_every_row_count_and_ragged_widths() {
        // 1–9 rows covers every kernel height and remainder, 64, 67 and 130 the row blocks; 13 and 21 outputs end in a
        // partial panel; 1 input is the degenerate inner dimension.
        for (inputs, outputs) in [(1, 8), (5, 13), (16, 21), (384, 384), (37, 8), (600, 13)] {
            let w = values(inputs * outputs, 1);
            let b = values(outputs, 2);
            let packed = PackedLinear::new(&w, &b, inputs, outputs);
            for rows in (1..=9).chain([64, 67, 130]) {
                let x = values(rows * inputs, 3 + rows as u32);
                let got = packed.forward(&x);
                let want = naive(&x, &w, &b, inputs, outputs);
                assert_eq!(got.len(), want.len());
                for (k, (g, e)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (g - e).abs() <= 1e-5 * (1.0 + e.abs()) * (inputs as f32).sqrt(),
                        "{rows}×{inputs}·{inputs}×{outputs}: element {k} is {g}, expected {e}"
                    );
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "input rows are not 5 wide")]
    fn rejects_input_of_the_wrong_width() {
        PackedLinear::new(&[0.0; 10], &[0.0; 2], 5, 2).forward(&[0.0; 7]);
    }
}
