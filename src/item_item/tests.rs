use super::*;
use crate::head::{DISLIKE, LIKE};
use crate::taste::TasteWeights;

fn table() -> ItemItem {
    ItemItem::from_rows(
        vec![vec![(2, 0.5), (1, 0.25)], vec![(0, 1.0)], vec![]],
        Mix::uniform(2.0),
    )
    .unwrap()
}

#[test]
fn scores_add_weighted_rows_and_shares_are_exact() {
    let t = table();
    let history = [
        Entry { row: 0, rating: 0 },
        Entry {
            row: 1,
            rating: DISLIKE,
        },
    ];
    let scores = t.scores(&history);
    // 2·(row 0) − 2·(row 1): item 0 gets −2, item 1 gets 0.5, item 2 gets 1.
    assert_eq!(scores, vec![-2.0, 0.5, 1.0]);
    let stage = t.stage(&history);
    for (target, &score) in scores.iter().enumerate() {
        let shares: f32 = history.iter().map(|e| t.share(&stage, e, target)).sum();
        assert_eq!(shares, score);
    }
}

#[test]
fn stages_weigh_the_prior_by_history_length_and_interpolate() {
    let stages = vec![
        Stage {
            reactions: 1,
            item_item: 0.5,
            popularity: 2.0,
            co_occurrence: 8.0,
        },
        Stage {
            reactions: 5,
            item_item: 1.0,
            popularity: 0.0,
            co_occurrence: 0.0,
        },
    ];
    let mix = Mix::uniform(2.0).with_stages(stages);
    assert_eq!(
        (mix.stage(0).item_item, mix.stage(0).popularity),
        (0.5, 2.0)
    );
    assert_eq!(
        (mix.stage(3).item_item, mix.stage(3).popularity),
        (0.75, 1.0)
    );
    assert_eq!(mix.stage(3).co_occurrence, 4.0);
    assert_eq!(
        (mix.stage(50).item_item, mix.stage(50).popularity),
        (1.0, 0.0)
    );

    let t = table().with_mix(mix).with_counts(vec![0, 3, 7]).unwrap();
    let like = |row| Entry { row, rating: 0 };
    let prior = [0f32, 4f32.ln() / 8f32.ln(), 1.0];
    // One reaction (item 0): half the item–item part, twice the prior.
    let one = t.scores(&[like(0)]);
    let expected = [0.0, 0.5 * 2.0 * 0.25, 0.5 * 2.0 * 0.5];
    for i in 0..3 {
        assert!(
            (one[i] - (expected[i] + 2.0 * prior[i])).abs() < 1e-6,
            "{one:?}"
        );
        let share = t.share(&t.stage(&[like(0)]), &like(0), i);
        assert!(
            (share - expected[i]).abs() < 1e-6,
            "the prior is nobody's share"
        );
    }
    // A taste sentence (a row past the catalogue) counts as several reactions: as many as
    // the mix says, where it says.
    let taste = [like(0), like(3)];
    assert_eq!(t.stage(&taste).reactions, 1 + crate::taste::TASTE_REACTIONS);
    let own = TasteWeights {
        direct: 8.0,
        reactions: 5,
    };
    let mut t = t.clone();
    t.mix.taste = Some(own);
    assert_eq!(t.stage(&taste).reactions, 1 + 5);
    t.mix.taste = Some(TasteWeights {
        direct: -1.0,
        ..own
    });
    assert!(t.mix.validate().is_err(), "a negative taste weight");
    assert!(table().with_counts(vec![1, 2]).is_err());
    let unordered = Mix::uniform(1.0).with_stages(vec![Stage::PLAIN, Stage::PLAIN]);
    assert!(ItemItem::from_rows(vec![vec![]], unordered).is_err());
}

#[test]
fn co_occurrence_shares_join_the_rows_and_weigh_as_the_stage_says() {
    // Row 0's shares name item 2 (also weighed) and item 1 (not); row 1's its own weight's.
    let shares = vec![vec![(2, 0.75), (1, 0.5)], vec![(0, 0.25)], vec![(1, 1.0)]];
    let rows = vec![vec![(2, 0.5)], vec![(0, 1.0)], vec![]];
    let stage = Stage {
        reactions: 1,
        item_item: 0.5,
        popularity: 0.0,
        co_occurrence: 4.0,
    };
    let mix = Mix::uniform(2.0).with_stages(vec![stage]);
    let t = (ItemItem::from_rows(rows, mix).unwrap())
        .with_shares(shares)
        .unwrap();
    assert!(t.has_shares());
    assert_eq!(
        t.len(),
        4,
        "row 0 holds the union of its weights' and shares' targets"
    );
    assert_eq!((t.weight(0, 1), t.co_occurrence_share(0, 1)), (0.0, 0.5));
    assert_eq!((t.weight(0, 2), t.co_occurrence_share(0, 2)), (0.5, 0.75));
    let like = |row| Entry { row, rating: 0 };
    let dislike = |row| Entry {
        row,
        rating: DISLIKE,
    };
    // Item 0 liked: 0.5 · 2 · B + 4 · share; item 2 disliked: its shares count against.
    let history = [like(0), dislike(2)];
    let scores = t.scores(&history);
    assert_eq!(
        scores,
        vec![0.0, 4.0 * 0.5 - 4.0 * 1.0, 0.5 * 2.0 * 0.5 + 4.0 * 0.75]
    );
    let at = t.stage(&history);
    for (target, &score) in scores.iter().enumerate() {
        let shares: f32 = history.iter().map(|e| t.share(&at, e, target)).sum();
        assert_eq!(shares, score, "a reason is an exact part of the score");
    }
    // Shares outside [0, 1], or not one row per item, are refused.
    let fresh = || ItemItem::from_rows(vec![vec![], vec![]], Mix::uniform(1.0)).unwrap();
    assert!(fresh().with_shares(vec![vec![(1, 1.5)], vec![]]).is_err());
    assert!(fresh().with_shares(vec![vec![(0, 0.5)], vec![]]).is_err());
    assert!(fresh().with_shares(vec![vec![]]).is_err());
}

#[test]
fn rejects_self_loops_and_foreign_targets() {
    assert!(ItemItem::from_rows(vec![vec![(0, 1.0)]], Mix::uniform(1.0)).is_err());
    assert!(ItemItem::from_rows(vec![vec![(5, 1.0)], vec![]], Mix::uniform(1.0)).is_err());
    assert!(ItemItem::from_rows(vec![vec![(1, f32::NAN)], vec![]], Mix::uniform(1.0)).is_err());
}

#[test]
fn rating_slope_orders_ratings_and_dislikes_subtract() {
    let mix = Mix::rating_slope(1.0, 0.5);
    let w = |rating| mix.weight(&Entry { row: 0, rating });
    assert!(w(10) > w(8) && w(8) > w(6));
    assert_eq!(w(8), 1.0);
    assert_eq!(w(LIKE), w(10));
    assert_eq!(w(DISLIKE), -w(LIKE));
    assert_eq!(w(0), 1.0);
}
