//! A catalogue: its manifest (`catalog.json`) and items (CSV or JSON Lines), or a named error.
//! The first byte picks what the rest is: a manifest over fixed items, or items of either kind.
#![no_main]
use libfuzzer_sys::fuzz_target;
use localrec::catalog::Catalog;

const ITEMS_CSV: &[u8] = b"id,name,genres\n1,\"A, b\",x\n2,B,\n";

fn manifest(items: &str) -> String {
    format!(
        r#"{{"name": "f", "title": "F", "items": "{items}", "columns": {{"title": "name", "show": ["genres"]}}, "text": "{{name}}[ ({{genres}})]."}}"#
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let _ = match pick % 3 {
        0 => Catalog::load(rest, ITEMS_CSV),
        1 => Catalog::load(manifest("items.csv").as_bytes(), rest),
        _ => Catalog::load(manifest("items.jsonl").as_bytes(), rest),
    };
});
