//! `config.json` bytes: parsed and validated, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = localrec::encoder::BertConfig::from_json_bytes(data);
});
