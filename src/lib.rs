//! localrec: a private recommender that runs where the person is. This crate holds the model
//! code shared verbatim by the browser (wasm32, WebGPU or CPU) and the native command line.

pub mod adapt;
pub mod bytes;
pub mod catalog;
pub mod clock;
pub mod contract;
pub mod device;
pub mod encoder;
pub mod error;
pub mod eval;
pub mod fine_tune;
pub mod fingerprint;
pub mod franchise;
pub mod head;
pub mod int8;
pub mod interactions;
pub mod item_item;
pub mod item_vectors;
pub mod map;
pub mod nf4;
pub mod popularity;
pub mod recommender;
pub mod rng;
pub mod site;
pub mod taste;
pub mod train;
pub mod vector_plan;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use encoder::Encoder;
pub use error::{Error, Result};
