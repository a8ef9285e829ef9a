//! `tokenizer.json` bytes: loaded and used on a sentence, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tokenizer) = localrec::encoder::TextTokenizer::from_bytes(data, 256) {
        let _ = tokenizer.encode("Cowboy Bebop. Genres: Action, Sci-Fi, Space.");
    }
});
