//! The item matrix (safetensors): rows of vectors, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = localrec::item_vectors::ItemVectors::from_safetensors(data);
});
