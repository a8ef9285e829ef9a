//! Head weights (safetensors with the config in its metadata): a head, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = localrec::head::load_head(data.to_vec(), &localrec::device::cpu());
});
