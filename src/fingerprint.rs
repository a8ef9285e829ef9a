//! What a file of item vectors encodes: the model that read the texts, and per item its id and
//! the sentence the model read. A stored vector is reused only where all three are unchanged,
//! so a reordered catalogue reuses every row and an edited text re-embeds that item alone;
//! counting rows is not enough (sorted rows kept their old vectors and recommended soup for
//! "a rich chocolate dessert").

use sha2::{Digest, Sha256};

/// Bytes kept of each item's sha256: 128 bits, no collision among any catalogue's items.
pub const ITEM_KEY_BYTES: usize = 16;
pub type ItemKey = [u8; ITEM_KEY_BYTES];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// The model part ([`model_hash`]): hex sha256.
    pub model: String,
    /// Per item, in catalogue order, the hash of its id and rendered text.
    pub items: Vec<ItemKey>,
}

/// The fingerprint of item vectors that the model hashing to `model` ([`model_hash`]) made from
/// `items`, each `(id, rendered text)` in catalogue order. This is the one definition of "the
/// same vectors": whatever else comes to change them (an adapter on the encoder, say) joins
/// the model part.
pub fn what_vectors_encode<'a>(
    model: &str,
    items: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Fingerprint {
    let items = items
        .into_iter()
        .map(|(id, text)| {
            let mut hash = Sha256::new();
            // Lengths first, so that no other (id, text) pair gives the same bytes.
            for part in [id, text] {
                hash.update((part.len() as u64).to_le_bytes());
                hash.update(part.as_bytes());
            }
            hash.finalize()[..ITEM_KEY_BYTES]
                .try_into()
                .expect("sha256 is longer")
        })
        .collect();
    Fingerprint {
        model: model.to_string(),
        items,
    }
}

/// The model part of a fingerprint: the sha256 of every file that turns a text into a vector
/// (in a fixed order: config, tokenizer, weights, …) and of the length texts are cut at.
pub fn model_hash(files: &[&[u8]], max_length: usize) -> String {
    let mut hash = Sha256::new();
    for file in files {
        hash.update(Sha256::digest(file));
    }
    hash.update((max_length as u64).to_le_bytes());
    hex(&hash.finalize())
}

impl Fingerprint {
    /// One hex sha256 of the whole: equal exactly when the model and every item, in order, are.
    pub fn digest(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.model.as_bytes());
        for key in &self.items {
            hash.update(key);
        }
        hex(&hash.finalize())
    }

    /// For each item of `self`, the row of vectors fingerprinted `stored` that encodes exactly
    /// that item with the same model, if any.
    pub fn reusable_rows(&self, stored: &Fingerprint) -> Vec<Option<usize>> {
        if stored.model != self.model {
            return vec![None; self.items.len()];
        }
        let rows: std::collections::HashMap<&ItemKey, usize> = stored
            .items
            .iter()
            .enumerate()
            .map(|(row, key)| (key, row))
            .collect();
        self.items
            .iter()
            .map(|key| rows.get(key).copied())
            .collect()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEMS: [(&str, &str); 3] = [("a", "Tiramisu."), ("b", "Phở bò."), ("c", "Curry.")];

    #[test]
    fn reordered_items_are_all_found_and_an_edited_one_is_not() {
        let before = what_vectors_encode("m", ITEMS);
        let reordered = what_vectors_encode("m", [ITEMS[2], ITEMS[0], ITEMS[1]]);
        assert_ne!(
            before.digest(),
            reordered.digest(),
            "order is part of the whole"
        );
        assert_eq!(
            reordered.reusable_rows(&before),
            [Some(2), Some(0), Some(1)]
        );
        let edited = what_vectors_encode("m", [ITEMS[0], ("b", "Phở gà."), ITEMS[2]]);
        assert_eq!(edited.reusable_rows(&before), [Some(0), None, Some(2)]);
        // The same text under another id is another item.
        let renamed = what_vectors_encode("m", [("z", "Tiramisu.")]);
        assert_eq!(renamed.reusable_rows(&before), [None]);
        // Another model reuses nothing.
        let other = what_vectors_encode("n", ITEMS);
        assert_eq!(other.reusable_rows(&before), [None, None, None]);
        assert_eq!(what_vectors_encode("m", ITEMS).digest(), before.digest());
    }

    #[test]
    fn parts_cannot_run_into_each_other() {
        let a = what_vectors_encode("m", [("ab", "c")]);
        let b = what_vectors_encode("m", [("a", "bc")]);
        assert_ne!(a.items, b.items);
        assert_ne!(
            model_hash(&[b"ab", b"c"], 256),
            model_hash(&[b"a", b"bc"], 256)
        );
        assert_ne!(model_hash(&[b"a"], 256), model_hash(&[b"a"], 128));
    }
}
