//! Explaining: which of a recommended item's score shares become its reasons, and those
//! reasons in the words the page shows ("Because you liked X and you rated Y 9"). The shares
//! themselves are exact parts of the score ([`super::score`]); the rule here keeps the one that
//! drives the item, and a second only when it counts about as much. The whole rule lives here,
//! once: the page displays the sentence as it comes.

use super::{Reaction, Request};
use crate::catalog::Catalog;

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

/// Reasons stay short: a longer title or taste sentence is cut (at a word) to this many
/// characters.
pub const REASON_TITLE: usize = 60;
pub const REASON_TASTE: usize = 40;

/// A row's reasons in words: "Because you liked A and you rated B 9", or "you described “…”"
/// for a taste sentence. A dislike that raised a score (the item is unlike it) reads oddly as a
/// reason and is not named. When nothing is named the item is here on its own merit: "Popular with
/// people like you" if the person has reacted to anything, otherwise none.
pub(super) fn in_words(
    because: &[Reason],
    request: &Request<'_>,
    catalog: &Catalog,
) -> Option<String> {
    let parts: Vec<String> = because
        .iter()
        .filter_map(|reason| match &reason.source {
            Source::Taste(index) => request
                .taste_texts
                .get(*index)
                .map(|text| format!("you described “{}”", shorten(text, REASON_TASTE))),
            Source::Item(id) => {
                let (_, reaction) = request.reactions.iter().find(|(item, _)| item == id)?;
                let title = shorten(&catalog.item(catalog.row(id)?).title, REASON_TITLE);
                match reaction {
                    Reaction::Like => Some(format!("you liked {title}")),
                    Reaction::Rating(rating) => Some(format!("you rated {title} {rating}")),
                    Reaction::Dislike => None,
                }
            }
        })
        .collect();
    if parts.is_empty() {
        return (!request.reactions.is_empty()).then(|| "Popular with people like you".into());
    }
    Some(format!("Because {}", parts.join(" and ")))
}

/// `text` in at most `max` characters, cut at a word boundary where it must be cut ("…"), its
/// trailing spaces and punctuation dropped before the ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    // At the last space if that keeps more than half; mid-word otherwise.
    let kept = match cut.rfind(' ') {
        Some(space) if 2 * cut[..space].chars().count() > max => &cut[..space],
        _ => cut.as_str(),
    };
    let kept = kept.trim_end_matches(|c: char| c.is_whitespace() || ",;:.(–-".contains(c));
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_in_words_name_likes_ratings_and_tastes_but_not_dislikes() {
        let catalog = crate::catalog::testing::titles(&[
            ("1", "Cowboy Bebop"),
            ("2", "Trigun"),
            ("3", "Akira"),
        ]);
        let reactions = [
            ("1".to_string(), Reaction::Like),
            ("2".to_string(), Reaction::Rating(9)),
            ("3".to_string(), Reaction::Dislike),
        ];
        let texts = ["space westerns with jazz and a crew of misfits on the run".to_string()];
        let request = Request {
            reactions: &reactions,
            taste_texts: &texts,
            ..Default::default()
        };
        let reason = |source: Source| Reason { source, share: 1.0 };
        let words = |because: &[Reason]| in_words(because, &request, &catalog);
        assert_eq!(
            words(&[
                reason(Source::Item("1".into())),
                reason(Source::Item("2".into()))
            ])
            .as_deref(),
            Some("Because you liked Cowboy Bebop and you rated Trigun 9")
        );
        assert_eq!(
            words(&[reason(Source::Taste(0))]).as_deref(),
            Some("Because you described “space westerns with jazz and a crew of…”")
        );
        // A dislike alone names nothing: the item is here on its own merit.
        assert_eq!(
            words(&[reason(Source::Item("3".into()))]).as_deref(),
            Some("Popular with people like you")
        );
        let taste_only = Request {
            taste_texts: &texts,
            ..Default::default()
        };
        assert_eq!(in_words(&[], &taste_only, &catalog), None);
    }

    #[test]
    fn shortening_cuts_at_a_word_and_drops_trailing_punctuation() {
        assert_eq!(shorten("Akira", 5), "Akira");
        assert_eq!(shorten("The Girl Who Leapt Through Time", 12), "The Girl…");
        assert_eq!(
            shorten("Dr. Strangelove, or: How I", 21),
            "Dr. Strangelove…"
        );
        // No space in the second half: cut mid-word.
        assert_eq!(shorten("Supercalifragilistic", 8), "Superca…");
        assert_eq!(shorten("Ékaterina à l’école", 10), "Ékaterina…");
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
