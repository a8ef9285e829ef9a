//! How the item–item part weighs: each reaction's weight by kind, and by the number of
//! reactions ([`Stage`]) how much the part and the popularity prior count against the head.

use crate::error::{Error, Result};
use crate::head::{DISLIKE, FEEDBACK_KINDS, LIKE};
use crate::interactions::Entry;
#[cfg(doc)]
use crate::popularity::popularity_prior;
use crate::taste::TasteWeights;

/// How reactions weigh in the item–item part, and how that part weighs against the head.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Mix {
    /// Multiplies every item–item share (the head's scores are logits; EASE's are not).
    pub scale: f32,
    /// Per feedback kind (see [`crate::head::FEEDBACK_KINDS`]): how much one history item of
    /// that kind counts. EASE is fitted on "on the list" alone, so 1 is its own weight.
    pub feedback: Vec<f32>,
    /// How the parts weigh by the number of reactions, ascending by `reactions` (empty: the
    /// item–item part as `scale` says and no popularity prior, at every history length).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// How much a taste sentence weighs in this catalogue's lists, chosen on its validation
    /// users (none: [`TasteWeights::default`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taste: Option<TasteWeights>,
}

/// The weights of a history of `reactions` catalogue items. Between two stages both weights
/// are interpolated linearly; before the first and after the last they stay as there.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stage {
    pub reactions: usize,
    /// Multiplies the item–item part (on top of [`Mix::scale`]).
    pub item_item: f32,
    /// Weight of each item's popularity prior (see [`popularity_prior`]).
    pub popularity: f32,
    /// Weight of each reaction's co-occurrence shares (what share of the lists it is on each of
    /// its most co-occurring items is on): from one reaction, "people who took it also took"
    /// ranks better than the regression's partial weights. Files without it weigh none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub co_occurrence: f32,
}

fn is_zero(value: &f32) -> bool {
    *value == 0.0
}

impl Stage {
    /// Every history length alike: the item–item part as fitted, no prior.
    pub const PLAIN: Stage = Stage {
        reactions: 0,
        item_item: 1.0,
        popularity: 0.0,
        co_occurrence: 0.0,
    };

    /// The weights at `reactions` on a curve of stages ascending by reactions (empty: plain).
    pub fn at(stages: &[Stage], reactions: usize) -> Stage {
        let (Some(first), Some(last)) = (stages.first(), stages.last()) else {
            return Stage::PLAIN;
        };
        if reactions <= first.reactions {
            return Stage {
                reactions,
                ..*first
            };
        }
        if reactions >= last.reactions {
            return Stage { reactions, ..*last };
        }
        let after = stages.partition_point(|s| s.reactions <= reactions);
        let (a, b) = (stages[after - 1], stages[after]);
        let t = (reactions - a.reactions) as f32 / (b.reactions - a.reactions) as f32;
        let between = |a: f32, b: f32| a + t * (b - a);
        Stage {
            reactions,
            item_item: between(a.item_item, b.item_item),
            popularity: between(a.popularity, b.popularity),
            co_occurrence: between(a.co_occurrence, b.co_occurrence),
        }
    }
}

impl Mix {
    /// Every item counts once, as in the fit; a dislike counts against.
    pub fn uniform(scale: f32) -> Self {
        Self::rating_slope(scale, 0.0)
    }

    /// Rated items count `1 + slope · (rating − 8) / 2` (never below zero): with a positive
    /// slope a 10 counts more than a 6. Unrated items and likes count 1 (a like is a 10 for the
    /// head, but a plain "on the list" here, where ratings do not enter the fit); a dislike −1.
    pub fn rating_slope(scale: f32, slope: f32) -> Self {
        let mut feedback: Vec<f32> = (0..FEEDBACK_KINDS)
            .map(|kind| match kind {
                1..=10 => (1.0 + slope * (kind as f32 - 8.0) / 2.0).max(0.0),
                _ => 1.0,
            })
            .collect();
        feedback[LIKE as usize] = feedback[10];
        feedback[DISLIKE as usize] = -feedback[LIKE as usize];
        Self {
            scale,
            feedback,
            stages: Vec::new(),
            taste: None,
        }
    }

    /// The same mix with these stages.
    pub fn with_stages(self, stages: Vec<Stage>) -> Self {
        Self { stages, ..self }
    }

    /// How much a taste sentence weighs: the catalogue's choice, or the defaults.
    pub fn taste_weights(&self) -> TasteWeights {
        self.taste.unwrap_or_default()
    }

    /// The weights for a history of `reactions` catalogue items.
    pub fn stage(&self, reactions: usize) -> Stage {
        Stage::at(&self.stages, reactions)
    }

    /// The signed weight of one history entry.
    pub fn weight(&self, entry: &Entry) -> f32 {
        self.scale * self.kind_weight(entry)
    }

    /// One history entry's weight by its kind alone (what its co-occurrence shares weigh).
    pub fn kind_weight(&self, entry: &Entry) -> f32 {
        self.feedback
            .get(entry.rating as usize)
            .copied()
            .unwrap_or(0.0)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.feedback.len() != FEEDBACK_KINDS {
            return Err(Error::Input(format!(
                "the item–item mix has {} feedback weights, expected {FEEDBACK_KINDS}",
                self.feedback.len()
            )));
        }
        let mut weights = (self.feedback.iter().copied())
            .chain((self.stages.iter()).flat_map(|s| [s.item_item, s.popularity, s.co_occurrence]));
        if !self.scale.is_finite() || weights.any(|w| !w.is_finite()) {
            return Err(Error::Input(
                "the item–item mix has a non-finite weight".into(),
            ));
        }
        if self.taste.is_some_and(|taste| !taste.is_valid()) {
            return Err(Error::Input(
                "the item–item mix's taste sentence weight is negative or not finite".into(),
            ));
        }
        if self
            .stages
            .windows(2)
            .any(|w| w[0].reactions >= w[1].reactions)
        {
            return Err(Error::Input(
                "the item–item mix's stages do not ascend by reactions".into(),
            ));
        }
        Ok(())
    }
}
