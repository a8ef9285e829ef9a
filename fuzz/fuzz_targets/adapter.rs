//! A catalogue's adapter: read against a small network and merged into it, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use localrec::encoder::{Adapter, Bert, BertConfig};

fuzz_target!(|data: &[u8]| {
    let config = BertConfig::from_json_bytes(
        br#"{"vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 2,
             "num_attention_heads": 2, "intermediate_size": 8,
             "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12}"#,
    )
    .unwrap();
    if let Ok(adapter) = Adapter::from_safetensors(data, &config) {
        Bert::new(&config, &localrec::device::cpu()).merge_adapter(&adapter);
    }
});
