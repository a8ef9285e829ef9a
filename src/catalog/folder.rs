//! A catalogue folder's files, by name: what the native command line and the package's
//! `build-site` read and write beside `catalog.json`.

/// The file that makes a folder a catalogue.
pub const MANIFEST: &str = "catalog.json";
/// The items' text vectors (f16, each row tagged with what it encodes: see `fingerprint`).
pub const VECTORS: &str = "item_vectors.safetensors";
/// The recommendation head trained on the catalogue's public lists.
pub const HEAD: &str = "head.safetensors";
/// The item–item table fitted on the catalogue's public lists.
pub const ITEM_ITEM: &str = "item_item.safetensors";
/// The catalogue's fine-tuning of the language model (`localrec adapt`), if it has one: its
/// items are embedded, and the page's taste sentences read, by the adapted model.
pub const ADAPTER: &str = "adapter.safetensors";
/// Copied into a site when present: the data's attribution and licence travel with it.
pub const NOTICES: &[&str] = &["ATTRIBUTION.md", "LICENSE"];
