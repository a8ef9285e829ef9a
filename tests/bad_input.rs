//! Bad input gets a clear error, never a panic: corrupt weights, configs that disagree with the
//! weights, broken tokenizer files, and huge texts.

mod common;

use common::{ModelFiles, cpu_encoder, model_files};
use localrec::encoder::TextTokenizer;
use localrec::{Encoder, Error};
use tokenizers::{Tokenizer, TruncationParams};

fn load(files: &ModelFiles, config: &[u8], weights: Vec<u8>) -> Result<Encoder, Error> {
    Encoder::from_bytes(config, &files.tokenizer, weights, &localrec::device::cpu())
}

fn config_with(files: &ModelFiles, field: &str, value: serde_json::Value) -> Vec<u8> {
    let mut config: serde_json::Value = serde_json::from_slice(&files.config).unwrap();
    config[field] = value;
    serde_json::to_vec(&config).unwrap()
}

fn weights_error(result: Result<Encoder, Error>) -> String {
    match result {
        Err(e @ Error::Weights(_)) => e.to_string(),
        Err(other) => panic!("expected a weights error, got {other}"),
        Ok(_) => panic!("expected a weights error, got an encoder"),
    }
}

#[test]
fn garbage_weights_are_an_error() {
    let files = model_files();
    let message = weights_error(load(
        &files,
        &files.config,
        b"definitely not safetensors".to_vec(),
    ));
    assert!(message.contains("safetensors"), "{message}");
    let message = weights_error(load(&files, &files.config, Vec::new()));
    assert!(message.contains("safetensors"), "{message}");
}

#[test]
fn truncated_weights_are_an_error() {
    let files = model_files();
    for keep in [4, 100, files.weights.len() / 2, files.weights.len() - 1] {
        let message = weights_error(load(&files, &files.config, files.weights[..keep].to_vec()));
        assert!(!message.is_empty(), "truncated at {keep}");
    }
}

#[test]
fn corrupt_header_is_an_error() {
    let files = model_files();
    let mut weights = files.weights.clone();
    // The 8-byte header length followed by JSON: break the JSON.
    weights[8..16].copy_from_slice(b"#!@$%^&*");
    weights_error(load(&files, &files.config, weights));
    // A header length pointing past the end of the file.
    let mut weights = files.weights.clone();
    weights[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    weights_error(load(&files, &files.config, weights));
}

#[test]
fn config_wider_than_weights_names_the_tensor() {
    let files = model_files();
    let config = config_with(&files, "hidden_size", 768.into());
    let message = weights_error(load(&files, &config, files.weights.clone()));
    assert!(message.contains("word_embeddings"), "{message}");
    assert!(message.contains("768"), "{message}");
}

#[test]
fn config_with_more_layers_than_weights_names_the_missing_tensor() {
    let files = model_files();
    let config = config_with(&files, "num_hidden_layers", 7.into());
    let message = weights_error(load(&files, &config, files.weights.clone()));
    assert!(message.contains("encoder.layers.6"), "{message}");
}

#[test]
fn config_with_fewer_layers_than_weights_is_an_error() {
    let files = model_files();
    let config = config_with(&files, "num_hidden_layers", 5.into());
    let message = weights_error(load(&files, &config, files.weights.clone()));
    assert!(
        message.contains("layers.5") || message.contains("layer.5"),
        "{message}"
    );
}

#[test]
fn config_intermediate_size_mismatch_is_an_error() {
    let files = model_files();
    let config = config_with(&files, "intermediate_size", 1024.into());
    let message = weights_error(load(&files, &config, files.weights.clone()));
    assert!(message.contains("linear_inner"), "{message}");
}

#[test]
fn invalid_config_is_a_config_error() {
    let files = model_files();
    for config in [
        b"{not json".to_vec(),
        br#"{"hidden_size": 384}"#.to_vec(),
        config_with(&files, "num_attention_heads", 7.into()),
        config_with(&files, "hidden_act", "relu".into()),
        config_with(&files, "hidden_size", 0.into()),
    ] {
        match load(&files, &config, files.weights.clone()) {
            Err(Error::Config(message)) => assert!(!message.is_empty()),
            Err(other) => panic!("expected a config error, got {other}"),
            Ok(_) => panic!(
                "expected a config error for {}",
                String::from_utf8_lossy(&config)
            ),
        }
    }
}

#[test]
fn invalid_tokenizer_is_a_tokenizer_error() {
    let files = model_files();
    for bytes in [
        b"".as_slice(),
        b"{}",
        b"[1,2,3]",
        &files.tokenizer[..files.tokenizer.len() / 2],
    ] {
        let result = Encoder::from_bytes(
            &files.config,
            bytes,
            files.weights.clone(),
            &localrec::device::cpu(),
        );
        assert!(
            matches!(result, Err(Error::Tokenizer(_))),
            "tokenizer of {} bytes",
            bytes.len()
        );
    }
}

#[test]
fn max_length_beyond_the_models_positions_is_refused() {
    let files = model_files();
    let result = Encoder::from_bytes_with_max_length(
        &files.config,
        &files.tokenizer,
        files.weights,
        &localrec::device::cpu(),
        513,
    );
    assert!(matches!(result, Err(Error::Input(_))));
}

#[test]
fn a_100k_character_text_is_truncated_and_embedded() {
    let encoder = cpu_encoder();
    let text = "giant robots fight in space while pilots grow up. ".repeat(2000);
    assert!(text.chars().count() >= 100_000);
    let tokens = encoder.tokenizer().encode(&text).unwrap();
    assert_eq!(tokens.ids.len(), 256);
    let vector = &encoder.embed(&[&text]).unwrap()[0];
    let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!(vector.iter().all(|x| x.is_finite()) && (norm - 1.0).abs() < 1e-5);
}

/// Long texts are cut before tokenising; the result must equal tokenising the whole text,
/// including where the cut text would not fill the budget (mostly whitespace) or has no space.
#[test]
fn cutting_long_texts_never_changes_their_tokens() {
    let files = model_files();
    let ours = TextTokenizer::from_bytes(&files.tokenizer, 256).unwrap();
    let mut reference = Tokenizer::from_bytes(&files.tokenizer).unwrap();
    reference.with_padding(None);
    reference
        .with_truncation(Some(TruncationParams {
            max_length: 256,
            ..Default::default()
        }))
        .unwrap();
    let texts = [
        "Cowboy Bebop, a space western. ".repeat(5000),
        format!(
            "{}{}",
            " ".repeat(20_000),
            "words after a sea of spaces ".repeat(100)
        ),
        format!(
            "{}\t\n{}",
            "\u{0}".repeat(9_000),
            "control characters vanish ".repeat(500)
        ),
        "x".repeat(50_000),
        "東京は日本の首都です。".repeat(3000),
        format!(
            "{} {}",
            "word ".repeat(1637),
            "supercalifragilisticexpialidocious ".repeat(300)
        ),
    ];
    for text in &texts {
        let expected = reference.encode(text.as_str(), true).unwrap();
        let got = ours.encode(text).unwrap();
        let start: String = text.chars().take(20).collect();
        assert_eq!(got.ids, expected.get_ids(), "text starting {start:?}");
    }
}

#[test]
fn embedding_no_texts_gives_no_vectors() {
    let encoder = cpu_encoder();
    assert!(encoder.embed(&[]).unwrap().is_empty());
    assert!(matches!(encoder.embed_tensor(&[]), Err(Error::Input(_))));
}
