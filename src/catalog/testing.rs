//! Small catalogues for tests (here and in the integration tests).

use super::{Catalog, Columns, Manifest, Table};

/// A catalogue of `(id, title)` pairs whose sentence is the title.
pub fn titles(items: &[(&str, &str)]) -> Catalog {
    let manifest = Manifest {
        name: "test".into(),
        title: "Test".into(),
        items: "items.csv".into(),
        columns: Columns {
            id: "id".into(),
            title: "title".into(),
            show: Vec::new(),
            labels: Default::default(),
            popularity: None,
            series: None,
        },
        text: "{title}".into(),
        attribution: String::new(),
        licence: String::new(),
        interactions: None,
    };
    let table = Table {
        columns: vec!["id".into(), "title".into()],
        rows: items
            .iter()
            .map(|(id, title)| vec![id.to_string(), title.to_string()])
            .collect(),
        lines: (2..items.len() + 2).collect(),
    };
    Catalog::from_table(manifest, &table).expect("a valid test catalogue")
}
