//! The item–item table (safetensors CSR): a table that scores any history, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use localrec::interactions::Entry;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = localrec::item_item::load_item_item(data) {
        let history: Vec<Entry> = (0..table.n_items().min(64))
            .map(|row| Entry { row, rating: (row % 13) as u8 })
            .collect();
        let _ = table.scores(&history);
    }
});
