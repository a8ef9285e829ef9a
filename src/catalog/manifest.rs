//! The manifest, `catalog.json`: its fields, and the checks that keep a hostile one from naming
//! a bad catalogue name or a file outside its folder.

use super::CatalogError;
use super::table;

/// `catalog.json`: what the items are and how to read them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// A short name for addresses and storage keys: `[a-z0-9]`, then also `.`, `_`, `-`.
    pub name: String,
    /// What a person calls the catalogue ("Books").
    pub title: String,
    /// The items file beside the manifest: `.csv` or `.jsonl`.
    pub items: String,
    pub columns: Columns,
    /// The encoder's sentence per item (see [`template`](super::template)).
    pub text: String,
    /// Whose data this is; the page shows it.
    #[serde(default)]
    pub attribution: String,
    #[serde(default)]
    pub licence: String,
    /// Public interactions beside the manifest (`lists.tsv`: `user<TAB>id:rating …`), if any.
    #[serde(default)]
    pub interactions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    #[serde(default = "default_id_column")]
    pub id: String,
    pub title: String,
    /// Shown beside the title on the page, in this order.
    #[serde(default)]
    pub show: Vec<String>,
    /// How a shown column's value reads on the page, `{}` standing for it: `"{} min"` shows
    /// "20 min", `"serves {}"` "serves 4" (a bare number says nothing of what it counts).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// How popular each item is (sales, views, ratings counts: a number, empty for 0), if the
    /// catalogue knows: a new person's list starts from it (see [`crate::popularity`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popularity: Option<String>,
    /// The series (franchise) each item belongs to, where the catalogue has such a column: a
    /// list shows at most two of one (see `franchise`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
}

fn default_id_column() -> String {
    "id".into()
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Self, CatalogError> {
        let text = table::text_of("catalog.json", bytes)?;
        let manifest: Self =
            serde_json::from_str(text).map_err(|e| CatalogError::BadManifest(e.to_string()))?;
        let name_ok = manifest.name.len() <= 64
            && manifest
                .name
                .starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && manifest.name.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if !name_ok {
            return Err(CatalogError::BadManifest(format!(
                "name {:?} must be at most 64 of a–z, 0–9, '.', '_', '-', starting with a letter or digit",
                manifest.name
            )));
        }
        if manifest.title.trim().is_empty() {
            return Err(CatalogError::BadManifest("title is empty".into()));
        }
        for (column, label) in &manifest.columns.labels {
            if !manifest.columns.show.contains(column) {
                return Err(CatalogError::BadManifest(format!(
                    "labels names {column:?}, which is not a shown column ({:?})",
                    manifest.columns.show
                )));
            }
            if label.matches("{}").count() != 1 {
                return Err(CatalogError::BadManifest(format!(
                    "the label of {column:?} is {label:?}: it needs one {{}} where the value goes"
                )));
            }
        }
        for file in std::iter::once(&manifest.items).chain(&manifest.interactions) {
            if !is_plain_file_name(file) {
                return Err(CatalogError::BadManifest(format!(
                    "{file:?} must be a file name beside catalog.json (no folders)"
                )));
            }
        }
        Ok(manifest)
    }
}

/// A name without folders, so a manifest can only point at files beside it.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.starts_with('.')
}
