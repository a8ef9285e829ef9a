//! Little-endian tensor data (safetensors stores it so) as values: what every loader reads.

use burn::tensor::f16;

pub fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// f16 values, widened to f32.
pub fn f16s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(2)
        .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
        .collect()
}

pub fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// `safetensors::serialize`, with the header's keys (tensor names and metadata) in sorted order:
/// the crate writes them in a hash map's order, which differs between runs, so the same tensors
/// would give different bytes (and a site's content hashes would change with every build).
pub fn serialize_sorted<S, V>(
    tensors: impl IntoIterator<Item = (S, V)>,
    metadata: Option<std::collections::HashMap<String, String>>,
) -> Result<Vec<u8>, safetensors::SafeTensorError>
where
    S: AsRef<str> + Ord + std::fmt::Display,
    V: safetensors::View,
{
    let mut bytes = safetensors::serialize(tensors, metadata)?;
    let length = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header = &bytes[8..8 + length];
    // serde_json's maps are ordered by key (no preserve_order feature in this tree); the same
    // keys and values, compact, take the same bytes, and the padding after them stays.
    let value: serde_json::Value = serde_json::from_slice(header).expect("the crate's own header");
    let sorted = serde_json::to_vec(&value).expect("a JSON value");
    let used = header.iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1);
    assert_eq!(sorted.len(), used, "a header re-written to the same length");
    bytes[8..8 + used].copy_from_slice(&sorted);
    Ok(bytes)
}
