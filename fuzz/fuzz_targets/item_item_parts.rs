//! The parts of a sharded item–item fit (co-occurrence counts, columns): loaded, then merged and
//! solved or made a table, or an error. The first byte picks the loader.
#![no_main]
use libfuzzer_sys::fuzz_target;
use localrec::item_item::Mix;
use localrec::item_item::cooccurrence::Cooccurrence;
use localrec::item_item::parts::{ColumnPart, load_columns, load_counts};
use localrec::item_item::solve::{Penalty, solve_columns, table_from_columns};

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        if let Ok(part) = load_counts(bytes) {
            let n = part.counts.len();
            if let Ok(whole) = Cooccurrence::concatenate(vec![part]) {
                let _ = solve_columns(&whole, 0..n, 4, Penalty::ridge(1.0));
            }
        }
    } else if let Ok(part) = load_columns(bytes) {
        if let Ok(columns) = ColumnPart::concatenate(vec![part]) {
            let _ = table_from_columns(&columns, Mix::uniform(1.0));
        }
    }
});
