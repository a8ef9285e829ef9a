//! site.json, as `localrec build-site` writes it: the catalogues, the model, and every file of
//! the site with its size, sha256 and precompressed copies (www/site.js reads it).

use std::collections::BTreeMap;

#[derive(serde::Serialize)]
pub(super) struct SiteManifest {
    pub(super) format: &'static str,
    pub(super) version: u32,
    pub(super) catalogs: Vec<SiteCatalog>,
    pub(super) model: SiteModel,
    /// The files' bytes in all: as they are, and as sent gzip- or brotli-encoded by a host
    /// that serves the copies (each file's smaller form).
    pub(super) bytes: SiteBytes,
    pub(super) files: Vec<SiteFile>,
}

#[derive(serde::Serialize)]
pub(super) struct SiteBytes {
    pub(super) plain: u64,
    pub(super) gz: u64,
    pub(super) br: u64,
}

impl SiteBytes {
    pub(super) fn of(files: &[SiteFile]) -> Self {
        let sum = |encoding: &str| {
            (files.iter())
                .map(|f| f.encoded.get(encoding).copied().unwrap_or(f.bytes))
                .sum()
        };
        Self {
            plain: files.iter().map(|f| f.bytes).sum(),
            gz: sum("gz"),
            br: sum("br"),
        }
    }
}

#[derive(serde::Serialize)]
pub(super) struct SiteCatalog {
    pub(super) name: String,
    pub(super) title: String,
    pub(super) path: String,
    pub(super) kind: &'static str,
    pub(super) items: usize,
    /// Role → file name in `path`: manifest, items, textVectors, and head / itemTable /
    /// itemItemIndex / adapter when present.
    pub(super) files: BTreeMap<&'static str, String>,
    /// The item–item rows by shard, in the index's order (file names in `path`).
    #[serde(rename = "itemItemShards", skip_serializing_if = "Vec::is_empty")]
    pub(super) item_item_shards: Vec<SiteShard>,
}

#[derive(serde::Serialize)]
pub(super) struct SiteShard {
    pub(super) file: String,
    /// The rows (catalogue items) it holds: `[first, end)`.
    pub(super) rows: [usize; 2],
}

#[derive(serde::Serialize)]
pub(super) struct SiteModel {
    pub(super) path: String,
    /// What the page loads by default: config, tokenizer, then the (compact) weights.
    pub(super) files: Vec<String>,
    /// The weights files to choose from: `int8` (the default) and `f32` (if built with it).
    pub(super) weights: BTreeMap<&'static str, String>,
}

#[derive(serde::Serialize)]
pub(super) struct SiteFile {
    pub(super) path: String,
    /// The file's own size and hash (what a reader gets after any Content-Encoding).
    pub(super) bytes: u64,
    pub(super) sha256: String,
    /// Sizes of the precompressed copies beside it (`<path>.gz`, `<path>.br`), where smaller.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) encoded: BTreeMap<&'static str, u64>,
}
