//! The items people react to, as a catalogue's owner describes them: a manifest
//! (`catalog.json`) beside an items file (CSV or JSON Lines) with an id, a title and any other
//! columns. The manifest's text template (see [`template`]) turns each item into the one
//! sentence the encoder reads; the page gets those sentences from here, never from a copy.
//! The manifest is read and checked in `manifest.rs`, the items file in [`table`].
//!
//! ```json
//! { "name": "goodbooks-10k", "title": "Books", "items": "items.csv",
//!   "columns": { "id": "id", "title": "title", "show": ["authors", "year"] },
//!   "text": "{title}[ by {authors}][ ({year})].",
//!   "attribution": "goodbooks-10k by Zygmunt Zając", "licence": "CC BY-SA 4.0" }
//! ```

mod error;
pub mod folder;
mod manifest;
pub mod table;
pub mod template;
#[doc(hidden)]
pub mod testing;

use std::collections::HashMap;

pub use error::CatalogError;
pub use manifest::{Columns, Manifest};
pub use table::{MAX_FILE_BYTES, Table};
pub use template::Template;

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The catalogue's own id (stable across files and exports), as text.
    pub id: String,
    pub title: String,
    /// The manifest's shown columns, in order ("" when empty).
    pub fields: Vec<String>,
    /// The series column's value ("" when empty or when the catalogue has none).
    pub series: String,
    /// The sentence the encoder embeds for this item.
    pub text: String,
    /// The manifest's popularity column, if it names one (empty counts 0).
    pub popularity: Option<f64>,
}

/// An id as the page sees it: a number when it is a canonical integer that JavaScript holds
/// exactly ("42", not "042" nor 2^60), text otherwise. A serde `serialize_with` for every id
/// the page receives.
pub fn page_id<S: serde::Serializer>(id: &str, serializer: S) -> Result<S::Ok, S::Error> {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    match id.parse::<u64>() {
        Ok(n) if n <= MAX_SAFE_INTEGER && n.to_string() == id => serializer.serialize_u64(n),
        _ => serializer.serialize_str(id),
    }
}

/// Items in a fixed order: an item's position is its row in the text vectors and in every per-item table.
#[derive(Debug, Clone)]
pub struct Catalog {
    manifest: Manifest,
    items: Vec<Item>,
    row_of: HashMap<String, usize>,
}

impl Catalog {
    /// Reads a catalogue from its manifest's and its items file's bytes.
    pub fn load(manifest: &[u8], items: &[u8]) -> Result<Self, CatalogError> {
        let manifest = Manifest::parse(manifest)?;
        let table = Table::parse(&manifest.items, items)?;
        Self::from_table(manifest, &table)
    }

    pub fn from_table(manifest: Manifest, table: &Table) -> Result<Self, CatalogError> {
        let file = manifest.items.as_str();
        let id = table.column(file, &manifest.columns.id, "the id column")?;
        let title = table.column(file, &manifest.columns.title, "the title column")?;
        let shown = manifest
            .columns
            .show
            .iter()
            .map(|c| table.column(file, c, "a shown column"))
            .collect::<Result<Vec<_>, _>>()?;
        let popularity = (manifest.columns.popularity.as_ref())
            .map(|c| {
                table
                    .column(file, c, "the popularity column")
                    .map(|i| (c, i))
            })
            .transpose()?;
        let series = manifest
            .columns
            .series
            .as_ref()
            .map(|c| table.column(file, c, "the series column"))
            .transpose()?;
        let template = Template::parse(&manifest.text, &table.columns, file)?;
        let mut items = Vec::with_capacity(table.rows.len());
        let mut row_of: HashMap<String, usize> = HashMap::with_capacity(table.rows.len());
        for (row, (values, &line)) in table.rows.iter().zip(&table.lines).enumerate() {
            let empty = |column: &str| CatalogError::EmptyValue {
                file: file.to_string(),
                line,
                column: column.to_string(),
            };
            let item_id = values[id].clone();
            if item_id.is_empty() {
                return Err(empty(&manifest.columns.id));
            }
            if item_id.contains(char::is_whitespace) {
                return Err(CatalogError::BadId {
                    file: file.to_string(),
                    line,
                    id: item_id,
                });
            }
            if values[title].is_empty() {
                return Err(empty(&manifest.columns.title));
            }
            if let Some(&first) = row_of.get(&item_id) {
                return Err(CatalogError::DuplicateId {
                    file: file.to_string(),
                    id: item_id,
                    first: table.lines[first],
                    second: line,
                });
            }
            let popularity = match popularity {
                Some((column, index)) => {
                    Some(
                        count(&values[index]).ok_or_else(|| CatalogError::BadPopularity {
                            file: file.to_string(),
                            line,
                            column: column.clone(),
                            value: values[index].clone(),
                        })?,
                    )
                }
                None => None,
            };
            row_of.insert(item_id.clone(), row);
            items.push(Item {
                id: item_id,
                title: values[title].clone(),
                fields: shown.iter().map(|&c| values[c].clone()).collect(),
                series: series.map(|c| values[c].clone()).unwrap_or_default(),
                text: template.render(values),
                popularity,
            });
        }
        Ok(Self {
            manifest,
            items,
            row_of,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn item(&self, row: usize) -> &Item {
        &self.items[row]
    }

    /// The row of the item with id `id`, if it is in the catalogue.
    pub fn row(&self, id: &str) -> Option<usize> {
        self.row_of.get(id).copied()
    }

    /// Each item's id and the sentence the encoder reads, in catalogue order: what its item
    /// vectors encode (see [`crate::fingerprint`]).
    pub fn ids_and_texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items
            .iter()
            .map(|item| (item.id.as_str(), item.text.as_str()))
    }

    pub fn texts(&self) -> Vec<String> {
        self.items.iter().map(|item| item.text.clone()).collect()
    }

    /// Each item's count from the manifest's popularity column, if it names one.
    pub fn popularity(&self) -> Option<Vec<f64>> {
        self.items.iter().map(|item| item.popularity).collect()
    }
}

/// A popularity count: a finite number of zero or more ("1,234" is not one); empty is 0.
fn count(value: &str) -> Option<f64> {
    let value = value.trim();
    if value.is_empty() {
        return Some(0.0);
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|c| c.is_finite() && *c >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{"name": "books", "title": "Books", "items": "items.csv",
        "columns": {"title": "title", "show": ["authors"]},
        "text": "{title}[ by {authors}].", "licence": "CC0"}"#;

    fn with(field: &str, value: &str) -> String {
        let mut manifest: serde_json::Value = serde_json::from_str(MANIFEST).unwrap();
        manifest[field] = serde_json::from_str(value).unwrap();
        manifest.to_string()
    }

    #[test]
    fn loads_items_with_their_sentences() {
        let csv = "id,title,authors\n7,Emma,Jane Austen\nx-1,Untitled Notes,\n";
        let catalog = Catalog::load(MANIFEST.as_bytes(), csv.as_bytes()).unwrap();
        assert_eq!(catalog.len(), 2);
        assert_eq!(catalog.row("x-1"), Some(1));
        assert_eq!(catalog.item(0).text, "Emma by Jane Austen.");
        assert_eq!(catalog.item(1).text, "Untitled Notes.");
        assert_eq!(catalog.item(0).fields, ["Jane Austen"]);
        let as_page = |id: &str| page_id(id, serde_json::value::Serializer).unwrap();
        assert_eq!(as_page(&catalog.item(0).id), serde_json::json!(7));
        assert_eq!(as_page(&catalog.item(1).id), serde_json::json!("x-1"));
        assert_eq!(as_page("007"), serde_json::json!("007"));
        assert_eq!(
            as_page("9007199254740993"),
            serde_json::json!("9007199254740993")
        );
    }

    #[test]
    fn a_popularity_column_gives_counts_and_names_bad_values() {
        let manifest = with("columns", r#"{"title": "title", "popularity": "sold"}"#);
        let catalog = Catalog::load(
            manifest.as_bytes(),
            b"id,title,authors,sold\n1,A,,12\n2,B,,\n3,C,,0.5\n",
        );
        let catalog = catalog.unwrap();
        assert_eq!(catalog.popularity(), Some(vec![12.0, 0.0, 0.5]));
        assert_eq!(
            Catalog::load(MANIFEST.as_bytes(), b"id,title,authors\n1,A,B\n")
                .unwrap()
                .popularity(),
            None
        );
        for bad in ["-3", "many", "1,234", "NaN", "inf"] {
            let csv = format!("id,title,authors,sold\n1,A,,5\n2,B,,\"{bad}\"\n");
            assert!(
                matches!(
                    Catalog::load(manifest.as_bytes(), csv.as_bytes()),
                    Err(CatalogError::BadPopularity { line: 3, .. })
                ),
                "{bad}"
            );
        }
        let missing = with("columns", r#"{"title": "title", "popularity": "views"}"#);
        assert!(matches!(
            Catalog::load(missing.as_bytes(), b"id,title,authors\n1,A,B\n"),
            Err(CatalogError::MissingColumn { column, .. }) if column == "views"
        ));
    }

    #[test]
    fn a_series_column_is_read_where_the_manifest_names_one() {
        let csv = "id,title,authors,saga\n1,Emma,Jane Austen,\n2,Dune,Frank Herbert,Dune\n";
        let none = Catalog::load(MANIFEST.as_bytes(), csv.as_bytes()).unwrap();
        assert_eq!(none.item(1).series, "");
        let manifest = with(
            "columns",
            r#"{"title": "title", "show": ["authors"], "series": "saga"}"#,
        );
        let named = Catalog::load(manifest.as_bytes(), csv.as_bytes()).unwrap();
        assert_eq!(
            [named.item(0).series.as_str(), named.item(1).series.as_str()],
            ["", "Dune"]
        );
        let missing = with("columns", r#"{"title": "title", "series": "cycle"}"#);
        assert!(matches!(
            Catalog::load(missing.as_bytes(), csv.as_bytes()),
            Err(CatalogError::MissingColumn { column, .. }) if column == "cycle"
        ));
    }

    #[test]
    fn bad_catalogues_are_named() {
        let load = |manifest: &str, csv: &str| Catalog::load(manifest.as_bytes(), csv.as_bytes());
        let ok = "id,title,authors\n1,A,B\n";
        assert!(matches!(
            load(MANIFEST, "id,title,authors\n1,A,B\n2,C,D\n1,E,F\n"),
            Err(CatalogError::DuplicateId {
                first: 2,
                second: 4,
                ..
            })
        ));
        assert!(matches!(
            load(MANIFEST, "id,name,authors\n1,A,B\n"),
            Err(CatalogError::MissingColumn { column, .. }) if column == "title"
        ));
        assert!(matches!(
            load(&with("columns", r#"{"title": "title", "show": ["year"]}"#), ok),
            Err(CatalogError::MissingColumn { column, .. }) if column == "year"
        ));
        assert!(matches!(
            load(MANIFEST, "id,title,authors\n1,,B\n"),
            Err(CatalogError::EmptyValue { line: 2, column, .. }) if column == "title"
        ));
        assert!(matches!(
            load(MANIFEST, "id,title,authors\n,A,B\n"),
            Err(CatalogError::EmptyValue { column, .. }) if column == "id"
        ));
        assert!(matches!(
            load(MANIFEST, "id,title,authors\na b,A,B\n"),
            Err(CatalogError::BadId { .. })
        ));
        assert!(matches!(
            load(&with("text", r#""{title} [{authors}""#), ok),
            Err(CatalogError::BadTemplate { .. })
        ));
        for (field, value) in [
            ("name", r#""Has Spaces""#),
            ("name", r#""""#),
            ("title", r#"" ""#),
            ("items", r#""../secret.csv""#),
            ("interactions", r#""/etc/passwd""#),
            ("colour", r#""red""#),
        ] {
            assert!(
                matches!(
                    load(&with(field, value), ok),
                    Err(CatalogError::BadManifest(_))
                ),
                "{field} = {value}"
            );
        }
        assert!(matches!(load("{", ok), Err(CatalogError::BadManifest(_))));
        // Labels: of a shown column, with one place for the value.
        let labelled = |labels: &str| {
            with(
                "columns",
                &format!(r#"{{"title": "title", "show": ["authors"], "labels": {labels}}}"#),
            )
        };
        let catalog = load(&labelled(r#"{"authors": "by {}"}"#), ok).unwrap();
        assert_eq!(catalog.manifest().columns.labels["authors"], "by {}");
        for (labels, says) in [
            (r#"{"year": "in {}"}"#, "not a shown column"),
            (r#"{"authors": "by"}"#, "needs one {} where the value goes"),
            (r#"{"authors": "{} and {}"}"#, "needs one {}"),
        ] {
            match load(&labelled(labels), ok) {
                Err(error @ CatalogError::BadManifest(_)) => {
                    assert!(error.to_string().contains(says), "{labels}: {error}")
                }
                other => panic!("{labels}: {other:?}"),
            }
        }
        assert!(matches!(
            Catalog::load(MANIFEST.as_bytes(), b"id,title,authors\n1,A,\xc3\x28\n"),
            Err(CatalogError::NotUtf8 { line: 2, .. })
        ));
    }
}
