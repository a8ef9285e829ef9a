use super::*;
use crate::eval::ease::gram;
use crate::interactions::Entry;

fn lists(rows: &[&[usize]]) -> Vec<UserList> {
    rows.iter()
        .enumerate()
        .map(|(u, items)| UserList {
            user: u as u32,
            entries: items.iter().map(|&row| Entry { row, rating: 0 }).collect(),
        })
        .collect()
}

#[test]
fn counts_are_the_gram_matrix_when_every_candidate_is_kept() {
    let users = lists(&[&[0, 1, 2], &[1, 2, 2, 3], &[0, 3], &[4, 1, 0, 2]]);
    let n = 5;
    let dense = gram(&lists(&[&[0, 1, 2], &[1, 2, 3], &[0, 3], &[4, 1, 0, 2]]), n);
    let capped = CappedLists::new(&users, n, 100).unwrap();
    let counts = Cooccurrence::count(&capped, 0..n, n, &[0.5])
        .unwrap()
        .remove(0);
    for i in 0..n {
        assert_eq!(counts.counts[i] as f32, dense[i * n + i]);
        for j in (0..n).filter(|&j| j != i) {
            assert_eq!(
                counts.pair(i, j).unwrap_or(0) as f32,
                dense[i * n + j],
                "{i},{j}"
            );
        }
    }
}

#[test]
fn shards_concatenate_to_the_whole_and_caps_are_seeded() {
    let users: Vec<UserList> = (0..40)
        .map(|u| UserList {
            user: u,
            entries: (0..(u as usize % 13 + 2))
                .map(|k| Entry {
                    row: (k * 7 + u as usize) % 30,
                    rating: 0,
                })
                .collect(),
        })
        .collect();
    let capped = CappedLists::new(&users, 30, 6).unwrap();
    assert!(capped.capped() > 0);
    assert!((0..users.len()).all(|u| capped.by_user.row(u).len() <= 6));
    let whole = Cooccurrence::count(&capped, 0..30, 5, &[0.75])
        .unwrap()
        .remove(0);
    let parts = [0..11, 11..11, 11..30]
        .into_iter()
        .map(|r| {
            Cooccurrence::count(&capped, r, 5, &[0.75])
                .unwrap()
                .remove(0)
        })
        .collect();
    assert_eq!(Cooccurrence::concatenate(parts).unwrap(), whole);
    let again = CappedLists::new(&users, 30, 6).unwrap();
    assert_eq!(again.by_user.values, capped.by_user.values);
    assert!(whole.rows.iter().all(|r| r.len() <= 5));
}

/// Item 0 shares 3 lists with popular item 1 (on 9 lists) and 2 with rare item 2 (on 2).
fn popular_and_rare() -> CappedLists {
    let mut rows: Vec<Vec<usize>> = vec![vec![0, 1]; 3];
    rows.extend([vec![0, 2], vec![0, 2]]);
    rows.extend(vec![vec![1, 3]; 6]);
    let refs: Vec<&[usize]> = rows.iter().map(|r| r.as_slice()).collect();
    CappedLists::new(&lists(&refs), 4, 10).unwrap()
}

#[test]
fn the_exponent_moves_candidates_from_popular_to_rare() {
    let capped = popular_and_rare();
    let by = Cooccurrence::count(&capped, 0..1, 1, &[0.0, 1.0]).unwrap();
    assert_eq!(by[0].candidates(0), [(1, 3)]);
    assert_eq!(by[1].candidates(0), [(2, 2)]);
    assert!(matches!(
        CappedLists::new(&lists(&[&[5]]), 4, 10),
        Err(Error::Input(_))
    ));
}

#[test]
fn share_rows_keep_the_most_co_occurring_by_raw_count_as_shares_of_the_item_s_lists() {
    // Ranked for rare candidates (exponent 1), item 0's shares still keep the most
    // co-occurring: of its 5 lists, 3 with popular item 1, 2 with rare item 2.
    let capped = popular_and_rare();
    let counts = Cooccurrence::count(&capped, 0..4, 3, &[1.0])
        .unwrap()
        .remove(0);
    assert_eq!(counts.share_rows(0..1, 1), [vec![(1, 3.0 / 5.0)]]);
    assert_eq!(counts.share_rows(0..1, 2), [vec![(1, 0.6), (2, 0.4)]]);
    // Item 1 is on 9 lists: 3 with item 0, 6 with item 3.
    assert_eq!(
        counts.share_rows(1..2, 5),
        [vec![(0, 3.0 / 9.0), (3, 6.0 / 9.0)]]
    );
}
