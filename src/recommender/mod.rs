//! Recommendations for one person, as the page asks for them: their reactions (by item id),
//! sentences describing their taste (as text vectors), and their personal residual go in; the
//! top items they have not reacted to come out, each with the history entries that contributed
//! most to its score ("because you liked X").
//!
//! The item table is computed once when the recommender is built; a request costs one pass of
//! the user tower and one catalogue matmul, so the list can follow every click.
//!
//! A taste sentence acts twice: as a loved pseudo-item in the history (what people who liked
//! such items went on to watch), and directly, by its text similarity to each item (a weight ×
//! cosine: the catalogue's own, or [`TASTE_MATCH_WEIGHT`]; see [`crate::taste`]). The head
//! alone, trained on what people watch, leans on popularity for a one-item history; the direct
//! match is what makes a described taste show.
//!
//! This file holds the recommender's vocabulary (a request, a reaction, the answer) and the
//! `Recommender` itself; the work is in four parts: `load.rs` builds it from the catalogue's
//! files (`table_file.rs`: the page's item table file), `score.rs` ranks the catalogue for a
//! request, `explain.rs` turns score shares into reasons and says them in words.

use std::ops::ControlFlow;

use burn::tensor::Tensor;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::fine_tune::{self, FineTuneConfig, FineTuneProgress, FineTuneReport, Personal};
use crate::franchise::Franchises;
use crate::head::{DISLIKE, Head, HeadConfig, ItemTable, read_rows};
use crate::item_item::ItemItem;

mod explain;
mod load;
mod score;
pub mod table_file;

pub use crate::taste::{TASTE_MATCH_WEIGHT, TasteWeights};
pub use explain::{MAX_REASONS, REASON_SHARE, Reason, Source};
pub use load::{PageFiles, PageTable, ReadCatalog, ScoringFiles, page_files};
pub use score::{TEXT_ONLY_STAGES, THIN_TEXT_PENALTY, THIN_TEXT_WORDS};

/// What a person did with an item (the page's 'like', 'dislike' or 1–10: see
/// [`crate::contract`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    Like,
    Dislike,
    /// 1–10.
    Rating(u8),
}

impl Reaction {
    /// The feedback kind the user tower reads. Public data has ratings, never likes, so the
    /// committed head learned strong weights for 9–10 and nothing for "like": a like counts as
    /// a 10. A dislike keeps its own kind, whose weight is negative (it pushes away).
    fn feedback_kind(self) -> u8 {
        match self {
            Self::Like => 10,
            Self::Dislike => DISLIKE,
            Self::Rating(r) => r,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recommendation {
    #[serde(serialize_with = "crate::catalog::page_id")]
    pub item: String,
    pub score: f32,
    /// The entries that raised the score most, largest first: positive shares of at least
    /// [`REASON_SHARE`] of the largest (empty when no reaction raised it).
    pub because: Vec<Reason>,
    /// The same in words, as the page shows it ("Because you liked …"), or none.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recommendations {
    pub items: Vec<Recommendation>,
    /// The person's vector (after the personal residual), for the map.
    pub user: Vec<f32>,
    /// What the list rests on, for the page to say.
    pub basis: Basis,
}

/// What a list rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The person's reactions or described taste.
    Person,
    /// Nothing of the person yet: what the public lists (or the popularity column) favour.
    Popularity,
    /// Nothing at all to go on (a text-only catalogue without a popularity column, and no
    /// reaction or taste yet): items spread across the catalogue's meanings, so that a first
    /// reaction can land anywhere ([`Recommender::spread`]). Their scores are how typical of
    /// the catalogue each item is.
    Spread,
}

/// One request: what the person did, what they described, what they trained.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// Items by their catalogue id, each with what the person did.
    pub reactions: &'a [(String, Reaction)],
    /// Text vectors (the encoder's width) of sentences describing a taste.
    pub tastes: &'a [Vec<f32>],
    /// The sentences those vectors came from, in the same order, for the reasons' words (a
    /// taste whose sentence is not here is left out of them).
    pub taste_texts: &'a [String],
    pub personal: Option<&'a Personal>,
    pub count: usize,
    /// Reasons per recommendation.
    pub reasons: usize,
}

/// How a recommender scores: a trained head plus the item–item table, a trained head alone, or
/// text alone (a catalogue without public interactions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Hybrid,
    Head,
    Text,
}

pub struct Recommender {
    head: Head,
    config: HeadConfig,
    catalog: Catalog,
    items: ItemTable,
    /// The unit text vectors `[items, text_dim]`, for matching taste sentences. A page's first
    /// list does not need them (it reads the precomputed item table): they may come later.
    text: Option<Tensor<2>>,
    /// The sparse item–item part of the hybrid, if the catalogue has one.
    item_item: Option<ItemItem>,
    kind: Kind,
    /// Each row's franchise and work: a list keeps at most two of one franchise, one of a work.
    franchise: Franchises,
    /// A text-only catalogue's popularity prior (from its popularity column), weighed by
    /// [`TEXT_ONLY_STAGES`]. A hybrid's prior lives in its item–item table.
    text_prior: Option<Vec<f32>>,
    /// A text-only catalogue's [`THIN_TEXT_PENALTY`] per item, in score units.
    thin_text: Option<Vec<f32>>,
    /// How much a taste sentence weighs (the item–item table's choice, where it has one).
    taste: TasteWeights,
    /// Whether the head's history vectors come with the item–item shards (a page's split
    /// table): only the rows of the shards added are here, the rest are zero and never read
    /// (lists and fine-tuning wait for their reactions' shards).
    history_in_shards: bool,
}

impl Recommender {
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Weighs taste sentences by `taste` from now on (for measuring weights; a text-only
    /// catalogue's taste match is its whole score and keeps [`TASTE_MATCH_WEIGHT`]).
    pub fn set_taste_weights(&mut self, taste: TasteWeights) {
        self.taste = taste;
    }

    /// How taste sentences weigh: the item–item table's choice, or the defaults.
    pub fn taste_weights(&self) -> TasteWeights {
        self.taste
    }

    /// The item–item part, if loaded.
    pub fn item_item(&self) -> Option<&ItemItem> {
        self.item_item.as_ref()
    }

    /// The item–item shards (by number) that a list for a history of `items` (catalogue ids)
    /// reads and that are not here: add them ([`Recommender::add_item_item_shard`]) first.
    pub fn shards_to_list<'a>(&self, items: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        let Some(table) = &self.item_item else {
            return Vec::new();
        };
        table.missing_shards(items.into_iter().filter_map(|id| self.catalog.row(id)))
    }

    /// The shards that fine-tuning on `items` reads and that are not here: those of its history
    /// vectors, where they come with the item–item shards.
    pub fn shards_to_train<'a>(&self, items: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        match self.history_in_shards {
            true => self.shards_to_list(items),
            false => Vec::new(),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Width of the text vectors it reads (the encoder's: taste sentences must match it).
    pub fn text_dim(&self) -> usize {
        self.config.text_dim
    }

    /// Width of user and item vectors (and of a personal residual).
    pub fn dim(&self) -> usize {
        self.config.dim
    }

    /// Personal fine-tuning on the person's reactions (see [`fine_tune::fine_tune`]). The
    /// residual is learned on the head's scores and added to the hybrid's: learned on the
    /// hybrid's, whose item–item part makes the softmax peaked, it ranked held-out items lower
    /// (anime-5k, users with ≥20 events: NDCG@10 −1.6%); on the head's it costs nothing
    /// measurable (−0.1%) and keeps the page's losses meaningful.
    pub async fn fine_tune(
        &self,
        reactions: &[(String, Reaction)],
        config: &FineTuneConfig,
        on_progress: impl FnMut(&FineTuneProgress) -> ControlFlow<()>,
    ) -> Result<(Personal, FineTuneReport)> {
        let (entries, _) = self.history(reactions, &[])?;
        if self.history_in_shards
            && let Some(table) = &self.item_item
        {
            table.require_rows(&entries)?;
        }
        fine_tune::fine_tune(&self.head, &self.items, &entries, config, on_progress).await
    }

    /// Every item's candidate vector, `[items][dim]`, in catalogue order (for the map).
    pub async fn item_vectors(&self) -> Result<Vec<Vec<f32>>> {
        read_rows(self.items.vectors.clone()).await
    }
}
