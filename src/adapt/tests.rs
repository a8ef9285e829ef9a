use super::*;

/// Each person's query averages their shown items (each item run once per step), their
/// target is another item of their own list, and no two people share a target (each would
/// count the other's as a wrong answer).
#[test]
fn a_batch_asks_each_person_for_an_item_of_their_own_list() {
    let lists: Vec<Vec<usize>> = (0..30)
        .map(|p| (0..6).map(|k| (p * 3 + k * 7) % 40).collect())
        .collect();
    let config = AdaptConfig {
        people_per_step: 12,
        shown_per_person: 3,
        ..AdaptConfig::default()
    };
    let batch = sample_batch(&lists, &[], &config, &mut SplitMix64::new(1));
    let mut unique = batch.items.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), batch.items.len(), "each item runs once");
    let weights = batch.query_weights.try_to_vec::<f32>().unwrap();
    let width = batch.items.len();
    let mut targets = batch.target_items.clone();
    targets.sort_unstable();
    targets.dedup();
    assert_eq!(targets.len(), config.people_per_step);
    for (person, &target) in batch.targets.iter().enumerate() {
        let row = &weights[person * width..(person + 1) * width];
        let shown: Vec<usize> = (0..width)
            .filter(|&k| row[k] > 0.0)
            .map(|k| batch.items[k])
            .collect();
        assert_eq!(shown.len(), 3);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let target_item = batch.items[target as usize];
        assert_eq!(target_item, batch.target_items[person]);
        assert!(!shown.contains(&target_item), "the target is not shown");
        assert!(
            lists
                .iter()
                .any(|l| l.contains(&target_item) && shown.iter().all(|s| l.contains(s))),
            "shown items and target come from one list"
        );
    }
}

/// People asking by a sentence come after those asking by their items, as many as the
/// share says, each with one of their sentence's answers as the target, and no target twice.
#[test]
fn a_batch_asks_some_people_by_their_sentence() {
    let lists: Vec<Vec<usize>> = (0..30)
        .map(|p| (0..6).map(|k| (p * 3 + k * 7) % 40).collect())
        .collect();
    let askers: Vec<SentenceAsker> = (0..10).map(|s| (s, vec![40 + s, 50 + s, 41])).collect();
    let config = AdaptConfig {
        people_per_step: 12,
        sentence_share: 0.25,
        ..AdaptConfig::default()
    };
    let batch = sample_batch(&lists, &askers, &config, &mut SplitMix64::new(3));
    assert_eq!(batch.sentences.len(), 3);
    assert_eq!(batch.targets.len(), 12);
    assert_eq!(batch.query_weights.shape()[0], 9, "nine ask by their items");
    let mut targets = batch.target_items.clone();
    targets.sort_unstable();
    targets.dedup();
    assert_eq!(targets.len(), 12, "no target twice");
    for (k, &sentence) in batch.sentences.iter().enumerate() {
        let target = batch.target_items[9 + k];
        assert_eq!(batch.items[batch.targets[9 + k] as usize], target);
        assert!(
            askers[sentence].1.contains(&target),
            "a sentence's target answers it"
        );
    }
}
