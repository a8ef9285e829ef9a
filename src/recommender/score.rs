//! Scoring: one request ranked over the catalogue. The user tower reads the history (taste
//! sentences as loved pseudo-items), the personal residual moves the user vector, taste
//! sentences add their direct text match, the item–item table and a text-only catalogue's
//! popularity prior add theirs; reacted items are excluded and franchises capped. The shares
//! behind each recommended item are computed here too, and [`super::explain`] picks reasons
//! from them.

use std::collections::HashSet;

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::explain::{Source, in_words, strongest};
use super::{Basis, Kind, Reaction, Recommendation, Recommendations, Recommender, Request};
use crate::error::{Error, Result};
use crate::fine_tune::{self, Personal};
use crate::franchise::cap_franchises;
use crate::head::{HistoryBatch, ItemTable, read_rows};
use crate::interactions::Entry;
use crate::item_item::Stage;
use crate::taste::{TASTE_MATCH_WEIGHT, stage_reactions};

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
/// [`crate::taste::TASTE_REACTIONS`]).
pub const TEXT_ONLY_STAGES: [Stage; 3] = [
    Stage {
        reactions: 1,
        item_item: 1.0,
        popularity: 32.0,
        co_occurrence: 0.0,
    },
    Stage {
        reactions: 3,
        item_item: 1.0,
        popularity: 16.0,
        co_occurrence: 0.0,
    },
    Stage {
        reactions: 10,
        item_item: 1.0,
        popularity: 16.0,
        co_occurrence: 0.0,
    },
];

impl Recommender {
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
        let (table, batch_entries) = self.history_table(&entries, tastes.clone(), &device);
        let batch = HistoryBatch::new(&[&batch_entries], table.history.dims()[0], &device)?;
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

        // A flag per item, not a set: every item of the catalogue is asked. (Taste sentences'
        // rows come after the catalogue's.)
        let mut reacted = vec![false; n];
        for entry in &entries {
            if let Some(flag) = reacted.get_mut(entry.row) {
                *flag = true;
            }
        }
        // A few more than asked for, so that items over a franchise's cap can be replaced.
        let pool = request.count.saturating_mul(4);
        let mut top = top_rows(&scores, pool, |row| !reacted[row]);
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
                    reason: in_words(&because, request, &self.catalog),
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
                    // Nothing of the person yet: nothing to name.
                    reason: None,
                })
                .collect(),
            user: vec![0.0; self.dim()],
            basis: Basis::Spread,
        })
    }

    /// History entries for the user tower, and where each came from.
    pub(super) fn history(
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

    /// The item table the user tower reads, and the entries as rows of its history side.
    /// Without taste sentences, the catalogue's own. With them, a history side of only the rows
    /// this history reads (its items', then the sentences'), each entry reading its own: the
    /// same vectors, without copying the whole catalogue's history table for every list.
    fn history_table(
        &self,
        entries: &[Entry],
        tastes: Option<Tensor<2>>,
        device: &Device,
    ) -> (ItemTable, Vec<Entry>) {
        let Some(tastes) = tastes else {
            return (self.items.clone(), entries.to_vec());
        };
        let n = self.catalog.len();
        // `history` puts the catalogue's items first and the sentences (rows `n..`) after.
        let items: Vec<usize> = (entries.iter().map(|e| e.row))
            .filter(|&row| row < n)
            .collect();
        let taste_history = self.head.text_items(tastes).history;
        let history = match items.is_empty() {
            true => taste_history,
            false => Tensor::cat(
                vec![
                    (self.items.history.clone()).select(0, rows_tensor(&items, device)),
                    taste_history,
                ],
                0,
            ),
        };
        let entries = (entries.iter().enumerate())
            .map(|(row, e)| Entry { row, ..*e })
            .collect();
        let table = ItemTable {
            history,
            ..self.items.clone()
        };
        (table, entries)
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
}
