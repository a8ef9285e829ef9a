//! The language model's part of a site: its weights as the page downloads them, without the
//! word table (a third of their bytes), whose rows come in shards by token id that the page
//! fetches for the words a text has ([`crate::encoder::word_rows`]).

use sha2::{Digest, Sha256};

use super::manifest::SiteShard;
use super::{COMPACT_WEIGHTS, MODEL_PATH};
use crate::Result;
use crate::encoder::word_rows;
use crate::fingerprint::hex;

/// The word table's shards, inside the model's folder.
const WORD_SHARDS: &str = "words/";

/// The model's weights in a site.
pub struct SiteWeights {
    /// Path in the site → bytes: the compact weights less their word table, and each shard.
    pub files: Vec<(String, Vec<u8>)>,
    /// The shards as site.json lists them (files in the model's folder), in token order.
    pub word_shards: Vec<SiteShard>,
}

/// The site's files for the compact weights `compact` ([`crate::encoder::compact`]).
pub fn site_weights(compact: &[u8]) -> Result<SiteWeights> {
    let split = word_rows::split(compact)?;
    let mut files = vec![(format!("{MODEL_PATH}/{COMPACT_WEIGHTS}"), split.model)];
    let mut word_shards = Vec::with_capacity(split.shards.len());
    for (rows, bytes) in split.shards {
        // Named by content: a shard's address never serves other bytes, so caches keep it.
        let file = format!(
            "{WORD_SHARDS}{}.safetensors",
            &hex(&Sha256::digest(&bytes))[..16]
        );
        files.push((format!("{MODEL_PATH}/{file}"), bytes));
        word_shards.push(SiteShard {
            file,
            rows: [rows.start, rows.end],
        });
    }
    Ok(SiteWeights { files, word_shards })
}
