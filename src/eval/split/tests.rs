use super::*;

fn users(n: usize, len: usize) -> Vec<UserList> {
    (0..n)
        .map(|u| UserList {
            user: u as u32,
            entries: (0..len)
                .map(|row| Entry {
                    row: (row + u) % 50,
                    rating: 0,
                })
                .collect(),
        })
        .collect()
}

#[test]
fn shares_are_respected_and_hidden_items_come_from_the_user() {
    let all = users(100, 10);
    let split = user_holdout(&all, &HoldoutConfig::default());
    assert_eq!(
        (split.train.len(), split.test.len(), split.validation.len()),
        (80, 10, 10)
    );
    for held in split.test.iter().chain(&split.validation) {
        assert_eq!((held.visible.len(), held.hidden.len()), (8, 2));
        let original = &all[held.user as usize].entries;
        let mut both: Vec<usize> = held
            .visible
            .iter()
            .chain(&held.hidden)
            .map(|e| e.row)
            .collect();
        let mut expected: Vec<usize> = original.iter().map(|e| e.row).collect();
        both.sort_unstable();
        expected.sort_unstable();
        assert_eq!(both, expected, "visible + hidden = the user's list");
    }
}

#[test]
fn same_seed_same_split_other_seed_other_split() {
    let all = users(100, 10);
    let ids = |s: &Split| s.test.iter().map(|h| h.user).collect::<Vec<_>>();
    let a = user_holdout(&all, &HoldoutConfig::default());
    let b = user_holdout(&all, &HoldoutConfig::default());
    let c = user_holdout(
        &all,
        &HoldoutConfig {
            seed: 7,
            ..Default::default()
        },
    );
    assert_eq!(ids(&a), ids(&b));
    assert_ne!(ids(&a), ids(&c));
}

#[test]
fn short_lists_stay_in_training() {
    let mut all = users(20, 10);
    all.extend(users(80, 3).into_iter().map(|mut u| {
        u.user += 100;
        u
    }));
    let split = user_holdout(&all, &HoldoutConfig::default());
    assert!(
        split
            .test
            .iter()
            .chain(&split.validation)
            .all(|h| h.user < 100)
    );
}

#[test]
fn leave_last_out_hides_the_last_entries_in_order() {
    let list = |user: u32, rows: &[usize]| UserList {
        user,
        entries: rows.iter().map(|&row| Entry { row, rating: 0 }).collect(),
    };
    let split = leave_last_out(&[list(1, &[5, 3, 9, 4]), list(2, &[7, 8])]);
    let rows = |entries: &[Entry]| entries.iter().map(|e| e.row).collect::<Vec<_>>();
    assert_eq!(split.train.len(), 2);
    assert_eq!(
        rows(&split.train[0].entries),
        [5, 3],
        "the last two are never trained on"
    );
    assert_eq!(
        rows(&split.train[1].entries),
        [7, 8],
        "too short to hold out"
    );
    let (test, validation) = (&split.test[0], &split.validation[0]);
    assert_eq!(
        (rows(&test.visible), rows(&test.hidden)),
        (vec![5, 3, 9], vec![4])
    );
    assert_eq!(
        (rows(&validation.visible), rows(&validation.hidden)),
        (vec![5, 3], vec![9])
    );
    assert_eq!(split.test.len(), 1);
}

#[test]
fn cold_items_leave_every_training_and_validation_list() {
    let all = users(200, 12);
    let split = user_holdout(&all, &HoldoutConfig::default());
    let (cold_split, cold) = cold_items(&split, 50, 0.1, 1);
    assert_eq!(cold.iter().filter(|&&c| c).count(), 5);
    let is_cold = |e: &Entry| cold[e.row];
    assert!(
        cold_split
            .train
            .iter()
            .all(|u| !u.entries.iter().any(is_cold))
    );
    for u in &cold_split.validation {
        assert!(!u.visible.iter().chain(&u.hidden).any(is_cold));
    }
    assert!(!cold_split.test.is_empty());
    for u in &cold_split.test {
        assert!(
            !u.visible.iter().any(is_cold),
            "a new item is nobody's history"
        );
        assert!(u.hidden.iter().all(is_cold), "targets are new items only");
        let original = split.test.iter().find(|h| h.user == u.user).unwrap();
        let expected: Vec<Entry> = original.hidden.iter().copied().filter(is_cold).collect();
        assert_eq!(u.hidden, expected, "every hidden new item is a target");
    }
    // Warm interactions are all still there.
    let warm_before: usize = split
        .train
        .iter()
        .map(|u| u.entries.iter().filter(|e| !is_cold(e)).count())
        .sum();
    let warm_after: usize = cold_split.train.iter().map(|u| u.entries.len()).sum();
    assert_eq!(warm_before, warm_after);
}
#[test]
fn few_reactions_show_nested_prefixes_of_each_whole_list() {
    let all = users(100, 12);
    let split = user_holdout(&all, &HoldoutConfig::default());
    let one = few_reactions(&split.test, 1, 11, 3, None);
    let two = few_reactions(&split.test, 2, 11, 3, None);
    assert_eq!(one.len(), split.test.len());
    for (a, b) in one.iter().zip(&two) {
        assert_eq!((a.visible.len(), a.hidden.len()), (1, 11));
        assert_eq!((b.visible.len(), b.hidden.len()), (2, 11 - 1));
        assert_eq!(a.visible[0], b.visible[0], "what 1 shows, 2 shows too");
        let mut rows: Vec<usize> = b.visible.iter().chain(&b.hidden).map(|e| e.row).collect();
        let mut expected: Vec<usize> = all[b.user as usize].entries.iter().map(|e| e.row).collect();
        rows.sort_unstable();
        expected.sort_unstable();
        assert_eq!(rows, expected, "shown + targets = the whole list");
    }
    // Time order shows the earliest; too-short lists take no part.
    let timed = few_reactions(&split.test, 3, 11, 3, Some(&all));
    for held in &timed {
        assert_eq!(held.visible, all[held.user as usize].entries[..3]);
    }
    assert!(few_reactions(&split.test, 3, 13, 3, None).is_empty());
}
