//! The catalogue (`items.tsv`): items, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = localrec::catalog::Catalog::from_tsv(&String::from_utf8_lossy(data));
});
