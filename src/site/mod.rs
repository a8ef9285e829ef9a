//! What a built site holds, made from bytes: one folder of static files that any web host can
//! serve, under any path, with no special headers. The native `localrec build-site` and the
//! npm package's (`npx localrec build-site`, this crate in wasm under Node) both make a site
//! through here; each reads and writes files and compresses them its own way.
//!
//! Its parts: [`catalog`] (a catalogue's files in the site, from its folder's), [`model`] (the
//! language model's weights, their word table in shards), and [`manifest`] (site.json, which lists every file with its size and sha256: the page checks
//! what it downloads against it, and its service worker caches it).

pub mod catalog;
pub mod manifest;
pub mod model;

pub use catalog::{CatalogSite, CatalogSources, catalog_files};
pub use manifest::{ModelParts, SiteCatalog, SiteFile, SiteManifest, SiteShard};
pub use model::{SiteWeights, site_weights};

/// The page's files, relative to the folder holding them (a checkout, or the npm package's
/// `site/`): copied as they are. Of a folder, only what a page loads ([`is_page_file`]): no
/// types, notes or other builds of a library, so that a site is no bigger than its visitors
/// need.
pub const PAGE_FILES: &[&str] = &[
    "index.html",
    "sw.js",
    "www",
    "pkg/localrec.js",
    "pkg/localrec_bg.wasm",
    "node_modules/idb/build/index.js",
    "node_modules/uplot/dist/uPlot.esm.js",
    "node_modules/uplot/dist/uPlot.min.css",
];

/// Whether a file inside one of [`PAGE_FILES`]' folders is one a page loads.
pub fn is_page_file(path: &str) -> bool {
    [".js", ".css", ".html"]
        .iter()
        .any(|kind| path.ends_with(kind))
}

/// Where the site holds the language model, and its files: the page downloads the compact
/// weights (int8 per row, about a quarter of the f32 file); the f32 file is beside them for
/// `?weights=f32` only when asked for.
pub const MODEL_PATH: &str = "models/all-MiniLM-L6-v2";
pub const MODEL_FILES: &[&str] = &["config.json", "tokenizer.json"];
pub const COMPACT_WEIGHTS: &str = "model.int8.safetensors";
pub const F32_WEIGHTS: &str = "model.safetensors";

/// Brotli's settings for a file's `.br` copy: `(quality, window bits)`.
/// Quality 9 of 11 and a 4 MB window, whose slower levels gain little (the compact model: 16.15
/// → 16.07 MB in 40 s more), except for the wasm, which every first visit waits for: the slowest
/// setting makes it 15% smaller (3.40 → 2.89 MB, about a minute to compress; it decompresses as
/// fast).
pub fn brotli_settings(path: &str) -> (u32, u32) {
    match path.ends_with(".wasm") {
        true => (11, 24),
        false => (9, 22),
    }
}

/// Files worth precompressing (`.gz`, `.br` beside them, kept where smaller): text and
/// binaries that the page downloads. The f32 weights are left out (the page loads the compact
/// ones unless asked; brotli on 87 MB takes minutes).
pub fn worth_compressing(path: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".html",
        ".js",
        ".mjs",
        ".css",
        ".json",
        ".wasm",
        ".csv",
        ".jsonl",
        ".tsv",
        ".md",
        ".ts",
        ".safetensors",
    ];
    EXTENSIONS.iter().any(|e| path.ends_with(e)) && !path.ends_with(F32_WEIGHTS)
}
