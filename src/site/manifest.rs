//! site.json, as `build-site` writes it (the native command and the package's alike): the
//! catalogues, the model, and every file of the site with its size, sha256 and precompressed
//! copies (www/site.js reads it).

use std::collections::BTreeMap;

use super::{COMPACT_WEIGHTS, F32_WEIGHTS, MODEL_PATH};
use crate::{Error, Result};

#[derive(serde::Serialize)]
pub struct SiteManifest {
    pub format: &'static str,
    pub version: u32,
    pub catalogs: Vec<SiteCatalog>,
    pub model: SiteModel,
    /// The files' bytes in all: as they are, and as sent gzip- or brotli-encoded by a host
    /// that serves the copies (each file's smaller form).
    pub bytes: SiteBytes,
    pub files: Vec<SiteFile>,
}

impl SiteManifest {
    /// The manifest of a site holding `catalogs` and `files` (every file but site.json, in path
    /// order), and the model's `parts`. Two catalogues of one name are an error: the page finds
    /// a catalogue by its name.
    pub fn new(
        catalogs: Vec<SiteCatalog>,
        files: Vec<SiteFile>,
        parts: ModelParts,
    ) -> Result<Self> {
        let mut names: Vec<&str> = catalogs.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::Input(format!(
                "two catalogues are named {:?}: names must differ",
                pair[0]
            )));
        }
        let mut weights = BTreeMap::from([("int8", COMPACT_WEIGHTS.to_string())]);
        if parts.f32 {
            weights.insert("f32", F32_WEIGHTS.into());
        }
        Ok(Self {
            format: "localrec-site",
            version: 1,
            catalogs,
            model: SiteModel {
                path: format!("{MODEL_PATH}/"),
                files: vec![
                    "config.json".into(),
                    "tokenizer.json".into(),
                    COMPACT_WEIGHTS.into(),
                ],
                weights,
                word_shards: parts.word_shards,
            },
            bytes: SiteBytes::of(&files),
            files,
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data")
    }
}

#[derive(serde::Serialize)]
pub struct SiteBytes {
    pub plain: u64,
    pub gz: u64,
    pub br: u64,
}

impl SiteBytes {
    fn of(files: &[SiteFile]) -> Self {
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

#[derive(serde::Serialize, serde::Deserialize)]
pub struct SiteCatalog {
    pub name: String,
    pub title: String,
    pub path: String,
    pub kind: String,
    pub items: usize,
    /// Role → file name in `path`: manifest, items, textVectors, and head / itemTable /
    /// itemItemIndex / adapter when present.
    pub files: BTreeMap<String, String>,
    /// The item–item rows by shard, in the index's order (file names in `path`).
    #[serde(
        rename = "itemItemShards",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub item_item_shards: Vec<SiteShard>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct SiteShard {
    pub file: String,
    /// The rows it holds (catalogue items, or the word table's token ids): `[first, end)`.
    pub rows: [usize; 2],
}

#[derive(serde::Serialize)]
pub struct SiteModel {
    pub path: String,
    /// What the page loads by default: config, tokenizer, then the (compact) weights.
    pub files: Vec<String>,
    /// The weights files to choose from: `int8` (the default) and `f32` (if built with it).
    pub weights: BTreeMap<&'static str, String>,
    /// The compact weights' word table by shard, in token order (files in `path`); the f32
    /// weights hold theirs.
    #[serde(rename = "wordShards", skip_serializing_if = "Vec::is_empty")]
    pub word_shards: Vec<SiteShard>,
}

/// What a site holds of the model besides its fixed files.
#[derive(Default, serde::Deserialize)]
pub struct ModelParts {
    /// The compact weights' word table by shard ([`super::site_weights`]).
    #[serde(rename = "wordShards", default)]
    pub word_shards: Vec<SiteShard>,
    /// Whether the f32 weights are there too (`?weights=f32`).
    #[serde(default)]
    pub f32: bool,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct SiteFile {
    pub path: String,
    /// The file's own size and hash (what a reader gets after any Content-Encoding).
    pub bytes: u64,
    pub sha256: String,
    /// Sizes of the precompressed copies beside it (`<path>.gz`, `<path>.br`), where smaller.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub encoded: BTreeMap<String, u64>,
}
