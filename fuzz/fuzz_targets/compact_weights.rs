//! Compact (int8 per row) encoder weights: dequantised f32 safetensors, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = localrec::encoder::compact::expand(data.to_vec());
});
