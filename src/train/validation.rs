//! Early stopping's yardstick: the head on held-out users (NDCG@10 over the whole catalogue, or
//! RMSE for ratings), on a seeded sample of them for large catalogues.

use burn::tensor::Tensor;

use crate::error::Result;
use crate::eval::baselines::{Ranking, RankingReport};
use crate::eval::metrics;
use crate::eval::split::HeldOut;
use crate::head::{Head, ItemTable, Objective};
use crate::interactions::Entry;
use crate::rng::SplitMix64;

/// A validation metric: NDCG@10 for ranking objectives, RMSE for the rating one.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "name", content = "value", rename_all = "lowercase")]
pub enum Validation {
    #[serde(rename = "ndcg@10")]
    Ndcg(f64),
    Rmse(f64),
}

impl Validation {
    pub fn value(self) -> f64 {
        match self {
            Self::Ndcg(v) | Self::Rmse(v) => v,
        }
    }

    pub(super) fn better_than(self, other: Self) -> bool {
        match (self, other) {
            (Self::Ndcg(a), Self::Ndcg(b)) => a > b,
            (Self::Rmse(a), Self::Rmse(b)) => a < b,
            _ => false,
        }
    }
}

/// At most `cap` of `users`, a seeded sample in their order (all of them when there are fewer).
pub(super) fn sample_users(
    users: &[HeldOut],
    cap: usize,
    seed: u64,
) -> std::borrow::Cow<'_, [HeldOut]> {
    if users.len() <= cap {
        return std::borrow::Cow::Borrowed(users);
    }
    let mut picked: Vec<usize> = (0..users.len()).collect();
    SplitMix64::new(seed ^ 0x7661_6c69_6461_7465).shuffle(&mut picked);
    picked.truncate(cap);
    picked.sort_unstable();
    std::borrow::Cow::Owned(picked.into_iter().map(|i| users[i].clone()).collect())
}

/// The validation metric of `head` on held-out users: mean NDCG@10 over the full catalogue for
/// ranking objectives, RMSE over hidden rated items for the rating one.
pub async fn validate(
    head: &Head,
    text: &Tensor<2>,
    users: &[HeldOut],
    objective: Objective,
) -> Result<Validation> {
    let items = head.item_table(text.clone());
    match objective {
        Objective::Softmax | Objective::Bce => Ok(Validation::Ndcg(
            rank_users(head, &items, users).await?.ndcg,
        )),
        Objective::Rating => {
            let (predicted, actual) = rating_pairs(head, &items, users).await?;
            Ok(Validation::Rmse(
                metrics::rmse(&predicted, &actual).unwrap_or(f64::NAN),
            ))
        }
    }
}

/// Ranking metrics of `head` for held-out users: full catalogue, visible history excluded.
pub async fn rank_users(
    head: &Head,
    items: &ItemTable,
    users: &[HeldOut],
) -> Result<RankingReport> {
    let mut ranking = Ranking::new(items.bias.dims()[0]);
    // Chunk by chunk: 2,000 users' scores over 100,000 items would be 800 MB at once.
    for chunk in users.chunks(256) {
        let histories: Vec<&[Entry]> = chunk.iter().map(|u| u.visible.as_slice()).collect();
        let scores = head.score_histories(items, &histories, 256).await?;
        for (user, scores) in chunk.iter().zip(&scores) {
            ranking.add(scores, user);
        }
    }
    Ok(ranking.report())
}

/// Predicted and actual ratings of every hidden rated item of `users`.
pub async fn rating_pairs(
    head: &Head,
    items: &ItemTable,
    users: &[HeldOut],
) -> Result<(Vec<f32>, Vec<f32>)> {
    let (mut predicted, mut actual) = (Vec::new(), Vec::new());
    for chunk in users.chunks(256) {
        let histories: Vec<&[Entry]> = chunk.iter().map(|u| u.visible.as_slice()).collect();
        let rated: Vec<Vec<Entry>> = chunk
            .iter()
            .map(|u| u.hidden.iter().copied().filter(|e| e.rating > 0).collect())
            .collect();
        let targets: Vec<&[Entry]> = rated.iter().map(Vec::as_slice).collect();
        for (row, list) in head
            .predict_ratings(items, &histories, &targets)
            .await?
            .into_iter()
            .zip(&rated)
        {
            predicted.extend(row);
            actual.extend(list.iter().map(|e| e.rating as f32));
        }
    }
    Ok((predicted, actual))
}
