//! Shared by the native specs: the fetched model files and the PyTorch golden outputs.
#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

use serde::Deserialize;

pub mod parity;

pub fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2")
}

/// The bytes of one model file. The test command fetches the model first; a missing file is
/// a failure with a hint, never a skip.
pub fn model_file(name: &str) -> Vec<u8> {
    let path = model_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run scripts/fetch-model.sh",
            path.display()
        )
    })
}

pub struct ModelFiles {
    pub config: Vec<u8>,
    pub tokenizer: Vec<u8>,
    pub weights: Vec<u8>,
}

pub fn model_files() -> ModelFiles {
    ModelFiles {
        config: model_file("config.json"),
        tokenizer: model_file("tokenizer.json"),
        weights: model_file("model.safetensors"),
    }
}

/// The encoder with the default truncation (256) on the CPU.
pub fn cpu_encoder() -> localrec::Encoder {
    let files = model_files();
    localrec::Encoder::from_bytes(
        &files.config,
        &files.tokenizer,
        files.weights,
        &localrec::device::cpu(),
    )
    .expect("the fetched model loads")
}

/// One reference case computed by sentence-transformers (PyTorch, fp32, CPU).
#[derive(Debug, Deserialize)]
pub struct GoldenCase {
    pub name: String,
    pub text: String,
    pub max_length: usize,
    pub num_tokens_untruncated: usize,
    pub tokens: Vec<String>,
    pub input_ids: Vec<u32>,
    pub attention_mask: Vec<u32>,
    pub token_type_ids: Vec<u32>,
    pub last_hidden_state_token0_first8: Vec<f32>,
    pub last_hidden_state_lasttoken_first8: Vec<f32>,
    pub embedding: Vec<f32>,
}

#[derive(Debug, Deserialize)]
struct Golden {
    cases: Vec<GoldenCase>,
}

pub fn golden_cases() -> Vec<GoldenCase> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm_golden.json");
    let text = std::fs::read_to_string(&path).expect("golden fixture");
    let golden: Golden = serde_json::from_str(&text).expect("golden fixture parses");
    assert!(!golden.cases.is_empty(), "golden fixture has no cases");
    golden.cases
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
