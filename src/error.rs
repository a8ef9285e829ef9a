//! One error type for the crate: every failure names what was wrong, so the CLI and the page
//! can show it to a person as it is.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// `config.json` could not be read or describes a model this encoder cannot run.
    #[error("model config: {0}")]
    Config(String),
    /// `tokenizer.json` could not be parsed or used.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The weights file is not valid safetensors, or its tensors do not fit the config.
    #[error("model weights: {0}")]
    Weights(String),
    /// A tensor computation or device read failed (e.g. the GPU went away).
    #[error("compute: {0}")]
    Compute(String),
    /// The caller asked for something that cannot be done (bad argument).
    #[error("invalid input: {0}")]
    Input(String),
    /// A catalogue's manifest, items or text template is wrong (see [`CatalogError`]).
    #[error("catalogue: {0}")]
    Catalog(#[from] crate::catalog::CatalogError),
    /// A catalogue's adapter file is wrong (see [`AdapterError`](crate::encoder::AdapterError)).
    #[error("adapter: {0}")]
    Adapter(#[from] crate::encoder::AdapterError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
