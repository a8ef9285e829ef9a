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

/// `safetensors::serialize`, with the header's keys in sorted order (see [`sort_header`]).
pub fn serialize_sorted<S, V>(
    tensors: impl IntoIterator<Item = (S, V)>,
    metadata: Option<std::collections::HashMap<String, String>>,
) -> Result<Vec<u8>, safetensors::SafeTensorError>
where
    S: AsRef<str> + Ord + std::fmt::Display,
    V: safetensors::View,
{
    let bytes = safetensors::serialize(tensors, metadata)?;
    Ok(sort_header(bytes).expect("the crate's own header"))
}

/// A safetensors file with its header's keys (tensor names and metadata) in sorted order.
/// Writers put them in a hash map's order, which differs between runs, so the same tensors would
/// give different bytes (and a site's content hashes would change with every build). The
/// tensors' offsets count from the end of the header, so they stay.
pub fn sort_header(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let length = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize)
        .filter(|&n| n <= bytes.len() - 8)
        .ok_or("not a safetensors file: its header's length is wrong")?;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + length])
        .map_err(|e| format!("not a safetensors file: its header: {e}"))?;
    // serde_json's maps are ordered by key (no preserve_order feature in this tree).
    let mut sorted = serde_json::to_vec(&header).expect("a JSON value");
    sorted.resize(sorted.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + sorted.len() + bytes.len() - 8 - length);
    out.extend_from_slice(&(sorted.len() as u64).to_le_bytes());
    out.extend_from_slice(&sorted);
    out.extend_from_slice(&bytes[8 + length..]);
    Ok(out)
}
