//! How much a sentence describing a taste weighs beside the other parts of a list. A sentence
//! acts twice: directly, by its text's cosine to each item's text (`direct` per unit of
//! cosine), and when the item–item stage is picked, as some number of reactions (a person who
//! says what they want has told more than one like would, and the popularity prior must not
//! bury it). A catalogue's item–item table may carry its own pair, chosen on its validation
//! users by `localrec eval --protocol described-taste --keep-choice`; without one the defaults
//! below hold.

use crate::interactions::Entry;

/// Score added per unit of cosine similarity between a taste sentence and an item's text.
/// Scores of one person span a few units (the anime-5k head: top items ≈7, median ≈0), so a
/// close match (cos ≈0.5 above an unrelated item) moves an item by about as much as its
/// popularity does. A text-only catalogue's taste match is its whole score and keeps this.
pub const TASTE_MATCH_WEIGHT: f32 = 16.0;

/// How many reactions a taste sentence counts as where the catalogue stores no choice.
/// Checked by hand on the books catalogue (text only, its ratings counts as the prior): at 1,
/// "a detective solving murders in Victorian London" listed Pride and Prejudice and To Kill a
/// Mockingbird in the top 10; at 3 or more, "a boy wizard at a school of magic" listed books
/// about Harry Potter and none of the novels; at 2 the first Harry Potter novel is 8th and the
/// detectives' list holds one stray classic.
pub const TASTE_REACTIONS: usize = 2;

/// What an item–item table that keeps a choice records of it (its provenance): how it was
/// chosen, and the sha256 of the head and adapter (empty: none) whose lists it was chosen on.
pub const TASTE_CHOSEN_BY: &str = "taste_weights_chosen_by";
pub const TASTE_CHOSEN_WITH_HEAD: &str = "taste_weights_head_sha256";
pub const TASTE_CHOSEN_WITH_ADAPTER: &str = "taste_weights_adapter_sha256";

/// A taste sentence's two weights: `direct` per unit of cosine to each item's text, and
/// `reactions`, how many reactions it counts as when the item–item stage is picked.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TasteWeights {
    pub direct: f32,
    pub reactions: usize,
}

impl Default for TasteWeights {
    fn default() -> Self {
        Self {
            direct: TASTE_MATCH_WEIGHT,
            reactions: TASTE_REACTIONS,
        }
    }
}

impl TasteWeights {
    /// Whether a stored pair can be used (a finite, non-negative match weight).
    pub fn is_valid(&self) -> bool {
        self.direct.is_finite() && self.direct >= 0.0
    }
}

/// The number of reactions that picks a history's stage: its catalogue items (rows below
/// `n_items`), and `taste_reactions` for each taste sentence (the rows past the catalogue).
pub fn stage_reactions(history: &[Entry], n_items: usize, taste_reactions: usize) -> usize {
    (history.iter())
        .map(|e| if e.row < n_items { 1 } else { taste_reactions })
        .sum()
}
