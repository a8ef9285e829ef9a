//! The encoder's shape, read from Hugging Face's `config.json` (BERT family).

use serde::Deserialize;

use crate::error::{Error, Result};

/// The fields of a HF BERT `config.json` that decide the network's shape and numerics.
/// Unknown fields are ignored; missing required ones are an error.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
    #[serde(default = "default_position_embedding_type")]
    pub position_embedding_type: String,
    #[serde(default)]
    pub pad_token_id: u32,
}

fn default_hidden_act() -> String {
    "gelu".into()
}

fn default_position_embedding_type() -> String {
    "absolute".into()
}

impl BertConfig {
    /// Parses and validates `config.json` bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self> {
        let config: Self = serde_json::from_slice(bytes)
            .map_err(|e| Error::Config(format!("not a valid BERT config.json: {e}")))?;
        config.validate()?;
        Ok(config)
    }

    /// Rejects configurations this implementation would compute wrongly rather than run them.
    pub fn validate(&self) -> Result<()> {
        let positive = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(Error::Config(format!("{name} must be positive")));
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(Error::Config(format!(
                "hidden_size {} is not divisible by num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            )));
        }
        // BERT's "gelu" is the exact erf form, which is what Burn's Gelu computes.
        if self.hidden_act != "gelu" {
            return Err(Error::Config(format!(
                "hidden_act {:?} is not supported (only exact \"gelu\")",
                self.hidden_act
            )));
        }
        if self.position_embedding_type != "absolute" {
            return Err(Error::Config(format!(
                "position_embedding_type {:?} is not supported (only \"absolute\")",
                self.position_embedding_type
            )));
        }
        if !(self.layer_norm_eps > 0.0 && self.layer_norm_eps < 1.0) {
            return Err(Error::Config(format!(
                "layer_norm_eps {} is out of range",
                self.layer_norm_eps
            )));
        }
        Ok(())
    }
}
