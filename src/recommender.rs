//! Recommendations for one person, as the page asks for them: their reactions (by item id),
//! sentences describing their taste (as text vectors), and their personal residual go in; the
//! top items they have not reacted to come out, each with the history entries that contributed
//! most to its score ("because you liked X").
//!
//! The item table is computed once when the recommender is built; a request costs one pass of
//! the user tower and one catalogue matmul, so the list can follow every click.
//!
//! A taste sentence acts twice: as a loved pseudo-item in the history (what people who liked
//! such items went on to watch), and directly, by its text similarity to each item
//! ([`TASTE_MATCH_WEIGHT`] × cosine). The head alone, trained on what people watch, leans on
//! popularity for a one-item history; the direct match is what makes a described taste show.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::fine_tune::{self, FineTuneConfig, FineTuneProgress, FineTuneReport, Personal};
use crate::franchise::{Franchises, cap_franchises, catalog_franchises};
use crate::head::{
    DISLIKE, Head, HeadConfig, HistoryBatch, ItemTable, load_head, read_rows, save_head,
};
use crate::interactions::Entry;
use crate::item_item::{ItemItem, Stage, TASTE_REACTIONS, load_item_item, stage_reactions};
use crate::item_vectors::ItemVectors;
use crate::popularity::popularity_prior;

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

/// Where a share of a score comes from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "index")]
pub enum Source {
    /// A reacted item, by its id.
    Item(#[serde(serialize_with = "crate::catalog::page_id")] String),
    /// A taste sentence, by its position in the request.
    Taste(usize),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    pub source: Source,
    /// This entry's exact additive share of the score.
    pub share: f32,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recommendation {
    #[serde(serialize_with = "crate::catalog::page_id")]
    pub item: String,
    pub score: f32,
    /// The entries that raised the score most, largest first: positive shares of at least
    /// [`REASON_SHARE`] of the largest (empty when no reaction raised it).
    pub because: Vec<Reason>,
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
    pub personal: Option<&'a Personal>,
    pub count: usize,
    /// Reasons per recommendation.
    pub reasons: usize,
}

/// Score added per unit of cosine similarity between a taste sentence and an item's text.
/// Scores of one person span a few units (the anime-5k head: top items ≈7, median ≈0), so a
/// close match (cos ≈0.5 above an unrelated item) moves an item by about as much as its
/// popularity does.
pub const TASTE_MATCH_WEIGHT: f32 = 16.0;

/// How much a sentence describing a taste weighs beside a head (a text-only catalogue's taste
/// match is its whole score and keeps [`TASTE_MATCH_WEIGHT`]): `direct` per unit of cosine to
/// each item's text, and `reactions`, how many reactions it counts as when the item–item stage
/// is picked. Measured by `localrec eval --protocol described-taste`.
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// A text-only catalogue's taste match is lowered by `THIN_TEXT_PENALTY × w / (words + w)` of
/// cosine, `w` = [`THIN_TEXT_WORDS`], for an item text of `words` words: a text that is little
/// more than a title ("Curry night.") is close to every short sentence by form alone, and came
/// in the top five for most tastes on a recipe catalogue; 0.33 for two words, 0.07 for 25,
/// and the item still comes first for its own name.
pub const THIN_TEXT_PENALTY: f32 = 0.5;
pub const THIN_TEXT_WORDS: f32 = 4.0;

/// A text-only catalogue with a popularity column: the prior's weight by number of reactions
/// (the item–item multiplier is unused), chosen on validation users of `localrec eval
/// --protocol text-only` on anime-5k (its training users' counts as the column) on a doubling
/// grid: 16 at 3 and 10 reactions; at 1, 64 was best and 32 within 0.7% of it (NDCG@10 0.494
/// against 0.497), and 32 lets a described taste hold its own (see
/// [`crate::item_item::TASTE_REACTIONS`]).
pub const TEXT_ONLY_STAGES: [Stage; 3] = [
    Stage {
        reactions: 1,
        item_item: 1.0,
        popularity: 32.0,
    },
    Stage {
        reactions: 3,
        item_item: 1.0,
        popularity: 16.0,
    },
    Stage {
        reactions: 10,
        item_item: 1.0,
        popularity: 16.0,
    },
];

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
    taste: TasteWeights,
}

impl Recommender {
    /// Builds the recommender from the catalogue, its item matrix (the items' text vectors, in
    /// catalogue order) and the head's weights; without a head (a catalogue with no public
    /// interactions) it ranks by text alone ([`Head::text_only`]).
    pub fn new(
        catalog: Catalog,
        head_bytes: Option<Vec<u8>>,
        item_vectors: &[u8],
        device: &Device,
    ) -> Result<Self> {
        let vectors = ItemVectors::from_safetensors(item_vectors)?;
        if vectors.rows != catalog.len() {
            return Err(Error::Input(format!(
                "the catalogue has {} items and the item matrix {} rows: they come from \
                 different catalogues (rebuild the vectors with `localrec embed-catalog`)",
                catalog.len(),
                vectors.rows,
            )));
        }
        let text_dim = vectors.dim;
        let text = vectors.into_tensor(device);
        let (head, config, items, kind) = match head_bytes {
            Some(bytes) => {
                let file = load_head(bytes, device)?;
                if file.config.items != catalog.len() {
                    return Err(Error::Input(format!(
                        "the catalogue has {} items and the head {}: they come from different \
                         catalogues",
                        catalog.len(),
                        file.config.items
                    )));
                }
                if text_dim != file.config.text_dim {
                    return Err(Error::Input(format!(
                        "item vectors are {}-d, the head reads {}-d text vectors",
                        text_dim, file.config.text_dim
                    )));
                }
                let items = file.head.item_table(text.clone());
                (file.head, file.config, items, Kind::Head)
            }
            None => {
                let mean = text.clone().mean_dim(0).reshape([text_dim]);
                let (head, config) = Head::text_only(catalog.len(), mean, TASTE_MATCH_WEIGHT)?;
                let items = head.text_only_table(text.clone());
                (head, config, items, Kind::Text)
            }
        };
        Ok(Self::assemble(
            head,
            config,
            catalog,
            items,
            Some(text),
            kind,
        ))
    }

    /// The parts the constructors have checked, with each row's franchise.
    fn assemble(
        head: Head,
        config: HeadConfig,
        catalog: Catalog,
        items: ItemTable,
        text: Option<Tensor<2>>,
        kind: Kind,
    ) -> Self {
        let text_prior = (kind == Kind::Text)
            .then(|| catalog.popularity().map(|counts| popularity_prior(&counts)))
            .flatten();
        let thin_text = (kind == Kind::Text).then(|| {
            (0..catalog.len())
                .map(|row| {
                    let words = catalog.item(row).text.split_whitespace().count() as f32;
                    TASTE_MATCH_WEIGHT * THIN_TEXT_PENALTY * THIN_TEXT_WORDS
                        / (words + THIN_TEXT_WORDS)
                })
                .collect()
        });
        Self {
            head,
            config,
            franchise: catalog_franchises(&catalog),
            text_prior,
            thin_text,
            catalog,
            items,
            text,
            item_item: None,
            kind,
            taste: TasteWeights::default(),
        }
    }

    /// Builds the recommender from what a page's first list needs: the catalogue, the head
    /// without its ID residuals and the precomputed item table (see [`page_files`]). Taste
    /// sentences wait for [`Recommender::with_text_vectors`].
    pub fn from_item_table(
        catalog: Catalog,
        head_bytes: Vec<u8>,
        item_table: &[u8],
        device: &Device,
    ) -> Result<Self> {
        let file = load_head(head_bytes, device)?;
        let table = ItemVectors::from_safetensors(item_table)?;
        let config = file.config;
        let width = 2 * config.dim + 1;
        if table.provenance.get(TABLE_CONTENT_KEY).map(String::as_str) != Some(TABLE_CONTENT) {
            return Err(Error::Input(
                "the item table file is not an item table".into(),
            ));
        }
        if table.rows != catalog.len() || config.items != catalog.len() || table.dim != width {
            return Err(Error::Input(format!(
                "the catalogue has {} items, the item table {} rows of {} and the head {} items \
                 of width {width}: they come from different catalogues",
                catalog.len(),
                table.rows,
                table.dim,
                config.items,
            )));
        }
        let items = ItemTable::from_outputs(table.into_tensor(device), config.dim);
        Ok(Self::assemble(
            file.head,
            config,
            catalog,
            items,
            None,
            Kind::Head,
        ))
    }

    /// Adds the items' text vectors (for taste sentences) to a recommender built from its
    /// item table. A file that does not fit changes nothing.
    pub fn attach_text_vectors(&mut self, item_vectors: &[u8]) -> Result<()> {
        let vectors = ItemVectors::from_safetensors(item_vectors)?;
        if vectors.rows != self.catalog.len() || vectors.dim != self.config.text_dim {
            return Err(Error::Input(format!(
                "the item matrix is {} × {}, this catalogue needs {} × {}: it comes from another \
                 catalogue or model",
                vectors.rows,
                vectors.dim,
                self.catalog.len(),
                self.config.text_dim
            )));
        }
        self.text = Some(vectors.into_tensor(&self.items.vectors.device()));
        Ok(())
    }

    /// Whether taste sentences can be matched (the item texts are loaded).
    pub fn has_text_vectors(&self) -> bool {
        self.text.is_some()
    }

    /// Adds the item–item part (`item_item.safetensors`): scores become the head's plus the
    /// item–item shares of the reactions, mixed as the file says.
    pub fn with_item_item(self, bytes: &[u8]) -> Result<Self> {
        let table = load_item_item(bytes)?;
        if table.n_items() != self.catalog.len() {
            return Err(Error::Input(format!(
                "the item–item table has {} items, the catalogue {}: they come from different \
                 catalogues",
                table.n_items(),
                self.catalog.len()
            )));
        }
        Ok(Self {
            item_item: Some(table),
            kind: Kind::Hybrid,
            ..self
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Weighs taste sentences by `taste` from now on (for measuring weights; a text-only
    /// catalogue's taste match is its whole score and keeps [`TASTE_MATCH_WEIGHT`]).
    pub fn set_taste_weights(&mut self, taste: TasteWeights) {
        self.taste = taste;
    }

    /// The item–item part, if loaded.
    pub fn item_item(&self) -> Option<&ItemItem> {
        self.item_item.as_ref()
    }

    /// Adds a shard of the item–item rows, for a table loaded from its index (see
    /// [`ItemItem::add_shard`]); returns the shard's number.
    pub fn add_item_item_shard(&mut self, bytes: &[u8]) -> Result<usize> {
        (self.item_item.as_mut())
            .ok_or_else(|| Error::Input("this catalogue has no item–item table".into()))?
            .add_shard(bytes)
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

    /// The top `count` items the person has not reacted to, with reasons.
    pub async fn recommend(&self, request: &Request<'_>) -> Result<Recommendations> {
        let n = self.catalog.len();
        let device = self.items.vectors.device();
        let (entries, sources) = self.history(request.reactions, request.tastes)?;
        if let Some(table) = &self.item_item {
            table.require_rows(&entries)?;
        }
        let basis = match (entries.is_empty(), self.kind, &self.text_prior) {
            (false, ..) => Basis::Person,
            (true, Kind::Text, None) => return self.spread(request).await,
            (true, ..) => Basis::Popularity,
        };

        // Taste sentences join the history as extra rows after the catalogue's.
        if !request.tastes.is_empty() && self.text.is_none() {
            return Err(Error::Input(
                "the item texts are still loading: a described taste can be matched once they \
                 are here"
                    .into(),
            ));
        }
        let tastes =
            (!request.tastes.is_empty()).then(|| self.taste_tensor(request.tastes, &device));
        let table = self.with_tastes(tastes.clone());
        let batch = HistoryBatch::new(&[&entries], n + request.tastes.len(), &device)?;
        let users = self.head.users(&table, &batch);
        let user = match request.personal {
            Some(personal) => {
                self.check_personal(personal)?;
                fine_tune::personalise(users.vectors.clone(), personal)
            }
            None => users.vectors.clone(),
        };
        // Two read-backs per request, as each is a round trip to the GPU: the scores (taste
        // matches added on the device) with the user vector, then the recommended items' shares.
        let matches = tastes.map(|tastes| self.taste_matches(tastes));
        let mut scores = self.head.scores(&user, &self.items);
        if let Some(matches) = &matches {
            scores = scores + matches.clone().sum_dim(0);
        }
        let mut scores = read_rows(Tensor::cat(vec![scores, user], 1))
            .await?
            .remove(0);
        let user = scores.split_off(n);
        let reactions = stage_reactions(&entries, n, self.taste.reactions);
        let stage = (self.item_item.as_ref()).map(|table| table.mix.stage(reactions));
        if let (Some(table), Some(stage)) = (&self.item_item, &stage) {
            table.add_scores_at(stage, &entries, &mut scores);
        }
        if let Some(prior) = &self.text_prior {
            let weight = Stage::at(&TEXT_ONLY_STAGES, reactions).popularity;
            scores
                .iter_mut()
                .zip(prior)
                .for_each(|(s, p)| *s += weight * p);
        }

        let reacted: HashSet<usize> = entries.iter().map(|e| e.row).collect();
        // A few more than asked for, so that items over a franchise's cap can be replaced.
        let pool = request.count.saturating_mul(4);
        let mut top = top_rows(&scores, pool, |row| !reacted.contains(&row));
        top = cap_franchises(&top, &self.franchise, request.count);
        top.truncate(request.count);
        let because = if entries.is_empty() || top.is_empty() || request.reasons == 0 {
            vec![Vec::new(); top.len()]
        } else {
            // Shares for the recommended items only: `[history, top]`, not the whole catalogue.
            let rows = rows_tensor(&top, &device);
            let candidates = ItemTable {
                vectors: self.items.vectors.clone().select(0, rows.clone()),
                bias: self.items.bias.clone().select(0, rows.clone()),
                history: table.history,
            };
            let (len, k) = (entries.len(), top.len());
            let mut shares = self
                .head
                .contributions(&candidates, &batch, &users)
                .reshape([len, k]);
            if let Some(matches) = matches {
                // A taste's direct match is part of its share (tastes are the last entries).
                let tastes = len - request.tastes.len()..len;
                let direct = shares.clone().slice([tastes.clone(), 0..k]) + matches.select(1, rows);
                shares = shares.slice_assign([tastes, 0..k], direct);
            }
            let mut shares = read_rows(shares).await?;
            if let (Some(table), Some(stage)) = (&self.item_item, &stage) {
                for (entry, row) in entries.iter().zip(&mut shares) {
                    for (share, &target) in row.iter_mut().zip(&top) {
                        *share += table.share(stage, entry, target);
                    }
                }
            }
            (0..k)
                .map(|k| strongest(&shares, k, &sources, request.reasons))
                .collect()
        };
        Ok(Recommendations {
            items: top
                .iter()
                .zip(because)
                .map(|(&row, because)| Recommendation {
                    item: self.catalog.item(row).id.clone(),
                    score: scores[row],
                    because,
                })
                .collect(),
            user,
            basis,
        })
    }

    /// The list when there is nothing to go on ([`Basis::Spread`]): the most typical item
    /// first, then each time the item least like any already picked (its thin-text penalty
    /// counted against it), franchises capped as ever. File order with every score 0 was the
    /// list before, shown as "popular".
    async fn spread(&self, request: &Request<'_>) -> Result<Recommendations> {
        let text = self
            .text
            .clone()
            .expect("a text-only recommender has its texts");
        let [n, dim] = text.dims();
        let rows = read_rows(text).await?;
        let mean: Vec<f32> = (0..dim)
            .map(|j| rows.iter().map(|r| r[j]).sum::<f32>() / n.max(1) as f32)
            .collect();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let norm = dot(&mean, &mean).sqrt().max(f32::MIN_POSITIVE);
        let typical: Vec<f32> = rows.iter().map(|r| dot(r, &mean) / norm).collect();
        let no_penalty = vec![0.0; n];
        let thin = self.thin_text.as_ref().unwrap_or(&no_penalty);
        // Twice the count leaves room for the franchise cap (each pick costs a pass over n).
        let pool = request.count.saturating_mul(2).min(n);
        let mut picked: Vec<usize> = Vec::with_capacity(pool);
        let mut taken = vec![false; n];
        // Each item's largest cosine to a picked one; the first pick is the most typical.
        let mut closest = vec![f32::NEG_INFINITY; n];
        let mut next = top_rows(&typical, 1, |_| true).first().copied();
        while let Some(row) = next.filter(|_| picked.len() < pool) {
            picked.push(row);
            taken[row] = true;
            for (other, c) in closest.iter_mut().enumerate() {
                *c = c.max(dot(&rows[row], &rows[other]));
            }
            let remoteness: Vec<f32> = (0..n)
                .map(|r| -closest[r] - thin[r] / TASTE_MATCH_WEIGHT)
                .collect();
            next = top_rows(&remoteness, 1, |r| !taken[r]).first().copied();
        }
        let mut top = cap_franchises(&picked, &self.franchise, request.count);
        top.truncate(request.count);
        Ok(Recommendations {
            items: top
                .iter()
                .map(|&row| Recommendation {
                    item: self.catalog.item(row).id.clone(),
                    score: typical[row],
                    because: Vec::new(),
                })
                .collect(),
            user: vec![0.0; self.dim()],
            basis: Basis::Spread,
        })
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
        fine_tune::fine_tune(&self.head, &self.items, &entries, config, on_progress).await
    }

    /// Every item's candidate vector, `[items][dim]`, in catalogue order (for the map).
    pub async fn item_vectors(&self) -> Result<Vec<Vec<f32>>> {
        read_rows(self.items.vectors.clone()).await
    }

    /// History entries for the user tower, and where each came from.
    fn history(
        &self,
        reactions: &[(String, Reaction)],
        tastes: &[Vec<f32>],
    ) -> Result<(Vec<Entry>, Vec<Source>)> {
        let n = self.catalog.len();
        let mut seen = HashSet::new();
        let mut entries = Vec::with_capacity(reactions.len() + tastes.len());
        let mut sources = Vec::with_capacity(entries.capacity());
        for (id, reaction) in reactions {
            let row = self
                .catalog
                .row(id)
                .ok_or_else(|| Error::Input(format!("item {id} is not in the catalogue")))?;
            if !seen.insert(row) {
                return Err(Error::Input(format!(
                    "item {id} has two reactions; keep one"
                )));
            }
            entries.push(Entry {
                row,
                rating: reaction.feedback_kind(),
            });
            sources.push(Source::Item(id.clone()));
        }
        for (index, taste) in tastes.iter().enumerate() {
            if taste.len() != self.config.text_dim {
                return Err(Error::Input(format!(
                    "a taste vector has {} values, the head reads {}",
                    taste.len(),
                    self.config.text_dim
                )));
            }
            // A described taste counts as a loved item.
            entries.push(Entry {
                row: n + index,
                rating: 10,
            });
            sources.push(Source::Taste(index));
        }
        Ok((entries, sources))
    }

    /// The taste sentences' text vectors as one `[tastes, text_dim]` tensor.
    fn taste_tensor(&self, tastes: &[Vec<f32>], device: &Device) -> Tensor<2> {
        Tensor::from_data(
            TensorData::new(tastes.concat(), [tastes.len(), self.config.text_dim]),
            device,
        )
    }

    /// Per taste sentence, `TASTE_MATCH_WEIGHT × cos(taste, item text)` for every item:
    /// `[tastes, items]`. In a text-only catalogue the match is to the centred item text (the
    /// same ranking, less a constant per taste) less its thin-text penalty: a taste's share is
    /// then about how much more the item matches it than the average item does, as a like's
    /// is, so reasons name a like where the like drives a row (with the raw cosine, every
    /// row's largest share was the taste's).
    fn taste_matches(&self, tastes: Tensor<2>) -> Tensor<2> {
        // Encoder vectors are unit length, so the dot product is the cosine.
        match &self.thin_text {
            Some(thin) => {
                let device = self.items.vectors.device();
                let thin =
                    Tensor::<1>::from_data(TensorData::new(thin.clone(), [thin.len()]), &device);
                tastes.matmul(self.items.vectors.clone().transpose()) * TASTE_MATCH_WEIGHT
                    - thin.unsqueeze()
            }
            None => {
                let text = self.text.clone().expect("checked by recommend");
                tastes.matmul(text.transpose()) * self.taste.direct
            }
        }
    }

    /// The item table with the taste sentences' history vectors appended (rows `n..`).
    /// Candidates stay the catalogue's: only the history side grows.
    fn with_tastes(&self, tastes: Option<Tensor<2>>) -> ItemTable {
        let Some(tastes) = tastes else {
            return self.items.clone();
        };
        let taste_history = self.head.text_items(tastes).history;
        ItemTable {
            history: Tensor::cat(vec![self.items.history.clone(), taste_history], 0),
            ..self.items.clone()
        }
    }

    fn check_personal(&self, personal: &Personal) -> Result<()> {
        if personal.residual.len() != self.dim() {
            return Err(Error::Input(format!(
                "personal weights have {} values, this model needs {}: train again",
                personal.residual.len(),
                self.dim()
            )));
        }
        if personal.residual.iter().any(|v| !v.is_finite()) {
            return Err(Error::Input(
                "personal weights contain a non-finite value".into(),
            ));
        }
        Ok(())
    }
}

/// Metadata that marks an item table file (an item-matrix file of the head's outputs).
const TABLE_CONTENT_KEY: &str = "content";
const TABLE_CONTENT: &str = "item_table";

/// What a page needs for its first list, from a trained head and the items' text vectors: the
/// head without its ID residuals, and the item table (f16: each item's candidate vector, bias
/// and history vector). Returns `(head, item_table)` file bytes; see
/// [`Recommender::from_item_table`].
pub async fn page_files(
    head_bytes: Vec<u8>,
    item_vectors: &[u8],
    device: &Device,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let file = load_head(head_bytes, device)?;
    let vectors = ItemVectors::from_safetensors(item_vectors)?;
    if vectors.rows != file.config.items || vectors.dim != file.config.text_dim {
        return Err(Error::Input(format!(
            "the item matrix is {} × {}, the head reads {} × {}",
            vectors.rows, vectors.dim, file.config.items, file.config.text_dim
        )));
    }
    let rows = read_rows(file.head.item_table(vectors.into_tensor(device)).outputs()).await?;
    let provenance = HashMap::from([
        (TABLE_CONTENT_KEY.to_string(), TABLE_CONTENT.to_string()),
        ("dim".to_string(), file.config.dim.to_string()),
    ]);
    let table = ItemVectors::from_rows(rows, provenance)?.to_safetensors_f16()?;
    let (core, config) = file.head.without_id_embeddings(&file.config);
    let head = save_head(&core, &config, file.objective, &file.info)?;
    Ok((head, table))
}

/// Rows of the `count` highest scores among the allowed ones, best first (ties by row). A
/// non-finite score is never recommended.
fn top_rows(scores: &[f32], count: usize, allowed: impl Fn(usize) -> bool) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..scores.len())
        .filter(|&r| scores[r].is_finite() && allowed(r))
        .collect();
    let by_score = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if count < rows.len() {
        if count == 0 {
            return Vec::new();
        }
        rows.select_nth_unstable_by(count - 1, by_score);
        rows.truncate(count);
    }
    rows.sort_unstable_by(by_score);
    rows
}

/// A second reason must carry at least this part of its row's largest share: the page names
/// the reaction that drives a recommendation, and a second only when it counts about as much
/// (three related likes share most rows about equally; naming all three says nothing).
pub const REASON_SHARE: f32 = 0.75;
/// Reasons per row at most, whatever is asked: one, or two comparable ones.
pub const MAX_REASONS: usize = 2;

/// The `limit` (at most [`MAX_REASONS`]) largest positive shares in column `k` of `shares`
/// (`[history][top]`) that are at least [`REASON_SHARE`] of the largest.
fn strongest(shares: &[Vec<f32>], k: usize, sources: &[Source], limit: usize) -> Vec<Reason> {
    let mut reasons: Vec<Reason> = shares
        .iter()
        .zip(sources)
        .map(|(row, source)| Reason {
            source: source.clone(),
            share: row[k],
        })
        .filter(|r| r.share > 0.0)
        .collect();
    reasons.sort_by(|a, b| b.share.total_cmp(&a.share));
    let largest = reasons.first().map_or(0.0, |r| r.share);
    reasons.retain(|r| r.share >= REASON_SHARE * largest);
    reasons.truncate(limit.min(MAX_REASONS));
    reasons
}

fn rows_tensor(rows: &[usize], device: &Device) -> Tensor<1, Int> {
    let rows: Vec<i32> = rows.iter().map(|&r| r as i32).collect();
    let n = rows.len();
    Tensor::from_data(TensorData::new(rows, [n]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_rows_skips_excluded_and_orders_best_first() {
        let scores = [0.1, 0.9, 0.5, f32::NAN, 0.7];
        assert_eq!(top_rows(&scores, 2, |r| r != 1), vec![4, 2]);
        let finite = [0.1, 0.9, 0.5, 0.2, 0.7];
        assert_eq!(top_rows(&finite, 3, |r| r != 1), vec![4, 2, 3]);
        assert_eq!(top_rows(&finite, 10, |_| true), vec![1, 4, 2, 3, 0]);
        assert!(top_rows(&finite, 0, |_| true).is_empty());
    }

    #[test]
    fn one_reason_and_a_second_only_when_comparable() {
        let sources: Vec<Source> = ["a", "b", "c"].map(|s| Source::Item(s.into())).into();
        let named = |column: [f32; 3]| -> Vec<Source> {
            let shares: Vec<Vec<f32>> = column.iter().map(|&s| vec![s]).collect();
            strongest(&shares, 0, &sources, 3)
                .into_iter()
                .map(|r| r.source)
                .collect()
        };
        // Three about equal: the two largest, never three.
        assert_eq!(named([0.9, 1.0, 0.95]), sources[1..].to_vec());
        // A second at 60% of the first is not comparable.
        assert_eq!(named([1.0, 0.6, 0.1]), [sources[0].clone()]);
        assert!(named([-1.0, 0.0, -0.5]).is_empty(), "nothing raised it");
    }
}
