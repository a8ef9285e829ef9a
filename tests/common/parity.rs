//! Parity checks shared by the CPU and the wgpu specs.

use std::collections::BTreeMap;

use burn::tensor::Device;
use localrec::Encoder;

use super::{GoldenCase, golden_cases, max_abs_diff, model_files};

/// Embeds every golden case one at a time with encoders from `new_encoder(max_length)` and
/// checks embeddings and hidden states.
pub fn check_cases_one_by_one(
    new_encoder: impl Fn(usize) -> Encoder,
    embedding_tolerance: f32,
    hidden_tolerance: f32,
) {
    let cases = golden_cases();
    for (max_length, group) in by_max_length(&cases) {
        let encoder = new_encoder(max_length);
        for case in group {
            let embedding = &encoder.embed(&[&case.text]).unwrap()[0];
            let diff = max_abs_diff(embedding, &case.embedding);
            assert!(
                diff <= embedding_tolerance,
                "case {}: embedding max |diff| {diff:e}",
                case.name
            );

            let batch = encoder.tokenizer().encode_batch(&[&case.text]).unwrap();
            let hidden = encoder
                .hidden_states(&batch)
                .unwrap()
                .into_data()
                .try_into_vec::<f32>()
                .unwrap();
            let dim = encoder.dim();
            let last = batch.seq_len - 1;
            let diff0 = max_abs_diff(&hidden[..8], &case.last_hidden_state_token0_first8);
            let diff_last = max_abs_diff(
                &hidden[last * dim..last * dim + 8],
                &case.last_hidden_state_lasttoken_first8,
            );
            assert!(
                diff0 <= hidden_tolerance,
                "case {}: token 0 hidden |diff| {diff0:e}",
                case.name
            );
            assert!(
                diff_last <= hidden_tolerance,
                "case {}: last token hidden |diff| {diff_last:e}",
                case.name
            );
        }
    }
}

/// Embeds all cases of each max length in one padded batch and compares with one-by-one results:
/// padding must not leak into any pooled vector.
pub fn check_batch_equals_one_by_one(new_encoder: impl Fn(usize) -> Encoder, tolerance: f32) {
    let cases = golden_cases();
    for (max_length, group) in by_max_length(&cases) {
        let encoder = new_encoder(max_length);
        let texts: Vec<&str> = group.iter().map(|c| c.text.as_str()).collect();
        let batched = encoder.embed(&texts).unwrap();
        assert_eq!(batched.len(), texts.len());
        for (case, vector) in group.iter().zip(&batched) {
            let alone = &encoder.embed(&[&case.text]).unwrap()[0];
            let diff = max_abs_diff(vector, alone);
            assert!(
                diff <= tolerance,
                "case {} (max_length {max_length}): batched vs alone {diff:e}",
                case.name
            );
            let golden = max_abs_diff(vector, &case.embedding);
            assert!(
                golden <= tolerance,
                "case {}: batched vs golden {golden:e}",
                case.name
            );
        }
    }
}

/// Encoders on `device` truncating at the given length; with `packed`, on packed linear maps
/// (the page's CPU arithmetic).
pub fn encoders(device: &Device, packed: bool) -> impl Fn(usize) -> Encoder {
    let files = model_files();
    move |max_length| {
        let mut encoder = Encoder::from_bytes_with_max_length(
            &files.config,
            &files.tokenizer,
            files.weights.clone(),
            device,
            max_length,
        )
        .unwrap();
        if packed {
            encoder.pack_linears();
        }
        encoder
    }
}

fn by_max_length(cases: &[GoldenCase]) -> BTreeMap<usize, Vec<&GoldenCase>> {
    let mut groups: BTreeMap<usize, Vec<&GoldenCase>> = BTreeMap::new();
    for case in cases {
        groups.entry(case.max_length).or_default().push(case);
    }
    groups
}
