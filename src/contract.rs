//! The page's requests and answers: the one contract across the wasm boundary, as JSON values
//! read into and written from these serde types (`src/web` moves them; www/localrec.d.ts
//! describes them to pages). Target-independent, so that it is tested natively.
//!
//! A reaction crosses as the page names it ('like', 'dislike', a rating 1–10), never as a code:
//! how the head reads it is the recommender's business ([`Reaction`]). Ids cross as the page
//! knows them ([`page_id`]). Defaults live here, once ([`Defaults`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Item, page_id};
use crate::error::{Error, Result};
use crate::fine_tune::{FineTuneConfig, FineTuneReport, Personal};
use crate::recommender::{Basis, Kind, MAX_REASONS, Reaction, Recommendations};

/// Items in a list when the page does not say.
pub const DEFAULT_COUNT: usize = 20;

/// The crate's defaults that the page shows or sends: one source (`defaults()` in the wasm).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Defaults {
    /// Items per list.
    pub count: usize,
    /// Reasons per recommendation.
    pub reasons: usize,
    /// Personal fine-tuning: at most `steps` steps, stopping after `patience` without a better
    /// held-out loss.
    pub steps: usize,
    pub patience: usize,
    /// Word pieces the language model reads of a text ([CLS] and [SEP] included); the rest is cut.
    pub max_word_pieces: usize,
}

impl Default for Defaults {
    fn default() -> Self {
        let fine_tune = FineTuneConfig::default();
        Self {
            count: DEFAULT_COUNT,
            reasons: MAX_REASONS,
            steps: fine_tune.steps,
            patience: fine_tune.patience,
            max_word_pieces: crate::encoder::DEFAULT_MAX_LENGTH,
        }
    }
}

/// An item id from the page: text, or a whole number ("42" and 42 name the same item).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "WireId")]
pub struct ItemId(pub String);

#[derive(Deserialize)]
#[serde(untagged)]
enum WireId {
    Text(String),
    Number(f64),
}

impl TryFrom<WireId> for ItemId {
    type Error = String;
    fn try_from(id: WireId) -> std::result::Result<Self, String> {
        match id {
            WireId::Text(text) => Ok(Self(text)),
            WireId::Number(n)
                if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) =>
            {
                Ok(Self((n as u64).to_string()))
            }
            WireId::Number(n) => Err(format!(
                "an item id must be text or a whole number, not {n}"
            )),
        }
    }
}

/// A reaction as the page names it: "like", "dislike" or a whole rating 1–10.
#[derive(Deserialize)]
#[serde(untagged)]
enum WireReaction {
    Word(String),
    Rating(f64),
}

impl TryFrom<WireReaction> for Reaction {
    type Error = String;
    fn try_from(reaction: WireReaction) -> std::result::Result<Self, String> {
        match reaction {
            WireReaction::Word(word) if word == "like" => Ok(Self::Like),
            WireReaction::Word(word) if word == "dislike" => Ok(Self::Dislike),
            WireReaction::Rating(r) if r.fract() == 0.0 && (1.0..=10.0).contains(&r) => {
                Ok(Self::Rating(r as u8))
            }
            WireReaction::Word(word) => Err(format!(
                "not a reaction: {word:?} (expected 'like', 'dislike' or a rating 1–10)"
            )),
            WireReaction::Rating(r) => Err(format!(
                "not a reaction: {r} (expected 'like', 'dislike' or a rating 1–10)"
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Reaction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Reaction::try_from(WireReaction::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// One entry of the person's history.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryEntry {
    pub item: ItemId,
    pub reaction: Reaction,
}

fn reactions(history: &[HistoryEntry]) -> Vec<(String, Reaction)> {
    history
        .iter()
        .map(|entry| (entry.item.0.clone(), entry.reaction))
        .collect()
}

/// `recommend`'s request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecommendRequest {
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// Text vectors (the language model's width) of sentences describing a taste.
    #[serde(default)]
    pub tastes: Vec<Vec<f32>>,
    /// The sentences those vectors came from, in the same order: the reasons quote them.
    #[serde(default)]
    pub taste_texts: Vec<String>,
    /// The personal residual, if trained.
    #[serde(default)]
    pub personal: Option<Vec<f32>>,
    #[serde(default = "default_count")]
    pub count: usize,
    #[serde(default = "default_reasons")]
    pub reasons: usize,
}

fn default_count() -> usize {
    DEFAULT_COUNT
}

fn default_reasons() -> usize {
    MAX_REASONS
}

/// `recommend`'s answer where the item–item rows of some reactions are not here yet: their
/// shards, by number in site.json's `itemItemShards` order, to add before asking again.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowsNeeded {
    pub missing_item_item_shards: Vec<u32>,
}

impl RowsNeeded {
    pub fn of(shards: &[usize]) -> Self {
        Self {
            missing_item_item_shards: shards.iter().map(|&shard| shard as u32).collect(),
        }
    }
}

/// A request's reactions by catalogue id, and its personal residual.
pub type RequestParts = (Vec<(String, Reaction)>, Option<Personal>);

impl RecommendRequest {
    /// The reactions by catalogue id, the taste vectors checked against `text_dim`, the residual.
    pub fn parts(&self, text_dim: usize) -> Result<RequestParts> {
        if let Some(taste) = self.tastes.iter().find(|t| t.len() != text_dim) {
            return Err(Error::Input(format!(
                "a taste vector must have {text_dim} values, not {}",
                taste.len()
            )));
        }
        let personal = self.personal.clone().map(|residual| Personal { residual });
        Ok((reactions(&self.history), personal))
    }
}

/// `fineTune`'s request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FineTuneRequest {
    pub history: Vec<HistoryEntry>,
    pub steps: Option<usize>,
    pub patience: Option<usize>,
}

impl FineTuneRequest {
    pub fn reactions(&self) -> Vec<(String, Reaction)> {
        reactions(&self.history)
    }

    pub fn config(&self) -> FineTuneConfig {
        let defaults = FineTuneConfig::default();
        FineTuneConfig {
            steps: self.steps.unwrap_or(defaults.steps),
            patience: self.patience.unwrap_or(defaults.patience),
            ..defaults
        }
    }
}

/// `fineTune`'s answer: the best residual seen (zero if no step helped) and the run's report.
#[derive(Debug, Clone, Serialize)]
pub struct FineTuned {
    pub residual: Vec<f32>,
    pub report: FineTuneReport,
}

/// An item as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PageItem<'a> {
    #[serde(serialize_with = "page_id")]
    pub id: &'a str,
    pub title: &'a str,
    /// The shown columns by name ("" where empty).
    pub fields: BTreeMap<&'a str, &'a str>,
    pub text: &'a str,
}

impl<'a> PageItem<'a> {
    fn of(item: &'a Item, shown: &'a [String]) -> Self {
        Self {
            id: &item.id,
            title: &item.title,
            fields: (shown.iter().map(String::as_str))
                .zip(item.fields.iter().map(String::as_str))
                .collect(),
            text: &item.text,
        }
    }
}

/// The list a new visitor sees first, computed when the site is built (`first-list.json`):
/// what the page's engine answers for no reactions and no taste, each row with its item as
/// `loadCatalog` describes it, so that the page can show it before the wasm and the
/// catalogue's files are here.
#[derive(Debug, Clone, Serialize)]
pub struct FirstList<'a> {
    pub columns: &'a [String],
    pub labels: &'a BTreeMap<String, String>,
    pub basis: Basis,
    pub items: Vec<FirstListRow<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FirstListRow<'a> {
    pub item: PageItem<'a>,
    pub reason: Option<&'a str>,
}

impl<'a> FirstList<'a> {
    /// `list` (the recommender's answer for an empty request on `catalog`) with its items.
    pub fn new(catalog: &'a Catalog, list: &'a Recommendations) -> Result<Self> {
        let manifest = catalog.manifest();
        let shown = &manifest.columns.show;
        let items = (list.items.iter())
            .map(|recommendation| {
                let row = catalog.row(&recommendation.item).ok_or_else(|| {
                    Error::Input(format!(
                        "the list names an unknown item {}",
                        recommendation.item
                    ))
                })?;
                Ok(FirstListRow {
                    item: PageItem::of(&catalog.items()[row], shown),
                    reason: recommendation.reason.as_deref(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            columns: shown,
            labels: &manifest.columns.labels,
            basis: list.basis,
            items,
        })
    }
}

/// `loadCatalog`'s answer: what the page shows of a catalogue, its items (unless `readItems`
/// gave them before) and how it scores.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogInfo<'a> {
    #[serde(flatten)]
    pub items: Option<ItemsInfo<'a>>,
    pub kind: Kind,
    /// The width of the person's vector (and of the personal residual).
    pub dim: usize,
    /// The language model's width.
    pub text_dim: usize,
    pub has_text_vectors: bool,
}

/// `readItems`'s answer: a catalogue's name, notices, shown columns and items.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemsInfo<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub attribution: &'a str,
    pub licence: &'a str,
    /// The shown columns, in order.
    pub columns: &'a [String],
    pub labels: &'a BTreeMap<String, String>,
    pub items: Vec<PageItem<'a>>,
}

impl<'a> ItemsInfo<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let manifest = catalog.manifest();
        let shown = &manifest.columns.show;
        let items = (catalog.items().iter())
            .map(|item| PageItem::of(item, shown))
            .collect();
        Self {
            name: &manifest.name,
            title: &manifest.title,
            attribution: &manifest.attribution,
            licence: &manifest.licence,
            columns: shown,
            labels: &manifest.columns.labels,
            items,
        }
    }
}

/// A request from its JSON text, with the field's path in the error.
pub fn read<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Input(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests;
