//! Explaining: which of a recommended item's score shares become its reasons ("because you
//! liked X"). The shares themselves are exact parts of the score ([`super::score`]); the rule
//! here keeps the one that drives the item, and a second only when it counts about as much.

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

/// A second reason must carry at least this part of its row's largest share: the page names
/// the reaction that drives a recommendation, and a second only when it counts about as much
/// (three related likes share most rows about equally; naming all three says nothing).
pub const REASON_SHARE: f32 = 0.75;
/// Reasons per row at most, whatever is asked: one, or two comparable ones.
pub const MAX_REASONS: usize = 2;

/// The `limit` (at most [`MAX_REASONS`]) largest positive shares in column `k` of `shares`
/// (`[history][top]`) that are at least [`REASON_SHARE`] of the largest.
pub(super) fn strongest(
    shares: &[Vec<f32>],
    k: usize,
    sources: &[Source],
    limit: usize,
) -> Vec<Reason> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
