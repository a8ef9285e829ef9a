//! A catalogue's item vectors as a rebuild finds them: the fingerprint of what they must
//! encode, the files that may hold some (the stored file first, then any shards' parts), and
//! which file and row (if any) encodes each item exactly. Only the items no file encodes are
//! embedded again: a reordered catalogue embeds nothing, an edited text only its item.

use std::collections::HashMap;

use crate::Result;
use crate::catalog::Catalog;
use crate::fingerprint::{Fingerprint, what_vectors_encode};
use crate::item_vectors::ItemVectors;

pub struct VectorPlan {
    fingerprint: Fingerprint,
    sources: Vec<ItemVectors>,
    reuse: Vec<Option<(usize, usize)>>,
}

/// The vectors a plan completes to, and the file to store them in when it changed.
pub struct Completed {
    pub vectors: ItemVectors,
    /// f16 with each row's fingerprint; `None` when the stored file was exactly right.
    pub file: Option<Vec<u8>>,
}

impl VectorPlan {
    /// Compares `stored` (a vectors file, if there is one that says what it encodes) with
    /// `catalog` read by the model hashing to `model`.
    pub fn new(catalog: &Catalog, model: &str, stored: Option<&[u8]>) -> Self {
        let mut plan = Self {
            fingerprint: what_vectors_encode(model, catalog.ids_and_texts()),
            sources: Vec::new(),
            reuse: vec![None; catalog.len()],
        };
        if let Some(stored) = stored.and_then(|bytes| ItemVectors::from_safetensors(bytes).ok()) {
            plan.add_source(stored);
        }
        plan
    }

    /// What the vectors must encode.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// Takes the rows of `vectors` that encode an item still missing (none if they say
    /// nothing of what they encode, or come from another model).
    pub fn add_source(&mut self, vectors: ItemVectors) {
        let Some(known) = vectors.fingerprint() else {
            return;
        };
        let source = self.sources.len();
        let rows = self.fingerprint.reusable_rows(&known);
        for (reuse, row) in self.reuse.iter_mut().zip(rows) {
            if reuse.is_none() {
                *reuse = row.map(|row| (source, row));
            }
        }
        self.sources.push(vectors);
    }

    /// The catalogue rows no file encodes, in catalogue order: what a rebuild embeds.
    pub fn missing(&self) -> Vec<usize> {
        (0..self.reuse.len())
            .filter(|&row| self.reuse[row].is_none())
            .collect()
    }

    /// The texts of [`Self::missing`]'s rows, in its order: what to embed.
    pub fn missing_texts<'c>(&self, catalog: &'c Catalog) -> Vec<&'c str> {
        (self.missing().into_iter())
            .map(|row| catalog.item(row).text.as_str())
            .collect()
    }

    /// Items the stored file does not encode (all of them when it is missing, from another
    /// model or too old to say).
    pub fn to_embed(&self) -> usize {
        self.reuse.iter().filter(|r| r.is_none()).count()
    }

    /// Whether the stored file is exactly right as it is.
    fn is_current(&self) -> bool {
        (self.sources.first())
            .and_then(ItemVectors::fingerprint)
            .as_ref()
            == Some(&self.fingerprint)
    }

    /// The vectors: stored rows where they encode the item, the rest from `embedded` (one
    /// vector per [`Self::missing`] row, in its order).
    pub fn complete(mut self, embedded: Vec<Vec<f32>>) -> Result<Completed> {
        if embedded.len() != self.to_embed() {
            return Err(crate::Error::Input(format!(
                "{} vectors for {} items to embed",
                embedded.len(),
                self.to_embed()
            )));
        }
        if self.is_current() {
            return Ok(Completed {
                vectors: self.sources.swap_remove(0),
                file: None,
            });
        }
        let mut embedded = embedded.into_iter();
        let rows: Vec<Vec<f32>> = (self.reuse.iter())
            .map(|reused| match reused {
                Some((source, row)) => self.sources[*source].row(*row).to_vec(),
                None => embedded.next().expect("one vector per missing item"),
            })
            .collect();
        let file = ItemVectors::from_rows(rows, provenance())?
            .with_fingerprint(&self.fingerprint)?
            .to_safetensors_f16()?;
        // As the file holds them (f16): what the site's copy and training read is the same.
        Ok(Completed {
            vectors: ItemVectors::from_safetensors(&file)?,
            file: Some(file),
        })
    }
}

/// What a vectors file says of the encoder beside its fingerprint.
pub fn provenance() -> HashMap<String, String> {
    HashMap::from([
        (
            "model".to_string(),
            "sentence-transformers/all-MiniLM-L6-v2".to_string(),
        ),
        (
            "max_length".to_string(),
            crate::encoder::DEFAULT_MAX_LENGTH.to_string(),
        ),
    ])
}
