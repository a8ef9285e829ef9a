use super::*;
use crate::item_item::{Mix, Stage, load_item_item, save_item_item};

/// 40 items, each predicted by a few others (row 7 empty), with co-occurrence shares (one
/// target of each row's shares is also one of its weights', one is not).
fn table() -> ItemItem {
    let shares = (0..40u32)
        .map(|row| vec![((row + 3) % 40, 0.5), ((row + 1) % 40, 0.25)])
        .collect();
    plain_table().with_shares(shares).unwrap()
}

/// [`table`] without shares.
fn plain_table() -> ItemItem {
    let rows = (0..40u32)
        .map(|row| {
            if row == 7 {
                return Vec::new();
            }
            (1..=4)
                .map(|d| ((row + d * 3) % 40, (row as f32 - d as f32 * 1.5) / 10.0))
                .collect()
        })
        .collect();
    let mix = Mix::uniform(2.0).with_stages(vec![Stage {
        co_occurrence: 3.0,
        ..Stage::PLAIN
    }]);
    ItemItem::from_rows(rows, mix)
        .unwrap()
        .with_counts((0..40).map(|i| i * 3 % 11).collect())
        .unwrap()
}

#[test]
fn shards_added_in_any_order_give_the_whole_table_and_a_missing_row_is_refused() {
    let whole = table();
    let split = split_into_shards(&whole, 60, WeightPrecision::Int8, None).unwrap();
    assert!(split.shards.len() > 3, "{} shards", split.shards.len());
    // The shards cover every row once, in order.
    let ranges: Vec<_> = split.shards.iter().map(|(r, _)| r.clone()).collect();
    assert_eq!(ranges.first().unwrap().start, 0);
    assert_eq!(ranges.last().unwrap().end, 40);
    assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
    // What the page gets in one file: the same rows, the same int8 rounding.
    let expected = load_item_item(&save_item_item(&whole, WeightPrecision::Int8).unwrap()).unwrap();

    let mut lazy = load_item_item(&split.index).unwrap();
    assert_eq!(lazy.shard_count(), split.shards.len());
    assert_eq!(
        (lazy.counts(), lazy.prior()),
        (whole.counts(), whole.prior())
    );
    assert_eq!((&lazy.mix, &lazy.info), (&whole.mix, &whole.info));
    let like = |row| Entry { row, rating: 0 };
    let history = [like(3), like(25), like(39)];
    let needed = lazy.missing_shards(history.iter().map(|e| e.row));
    assert_eq!(needed.len(), 3, "{needed:?}");
    assert!(lazy.require_rows(&history).is_err());
    // A history of no catalogue item, or a taste sentence's row, needs no shard.
    assert!(lazy.require_rows(&[like(40)]).is_ok());

    for k in needed.iter().rev() {
        assert_eq!(lazy.add_shard(&split.shards[*k].1).unwrap(), *k);
    }
    assert!(lazy.require_rows(&history).is_ok());
    assert_eq!(lazy.scores(&history), expected.scores(&history));
    assert_ne!(
        lazy.scores(&history),
        (lazy.clone().with_mix(Mix::uniform(2.0))).scores(&history),
        "the shares count"
    );
    // Rows of shards not added are not used: another history is still refused.
    let elsewhere = (0..40).find(|&row| !needed.contains(&lazy.shards.as_ref().unwrap().of(row)));
    assert!(lazy.require_rows(&[like(elsewhere.unwrap())]).is_err());

    // Every shard, one added twice: the whole table, row for row.
    let mut order: Vec<usize> = (0..split.shards.len()).collect();
    order.reverse();
    order.push(0);
    for k in order {
        lazy.add_shard(&split.shards[k].1).unwrap();
    }
    assert!(lazy.missing_shards(0..40).is_empty());
    for row in 0..40 {
        assert_eq!(
            lazy.row(row).collect::<Vec<_>>(),
            expected.row(row).collect::<Vec<_>>(),
            "row {row}"
        );
        for target in 0..40 {
            let share = |t: &ItemItem| t.co_occurrence_share(row, target);
            assert_eq!(share(&lazy), share(&expected), "row {row}, target {target}");
        }
    }
    assert!(
        save_item_item(&lazy, WeightPrecision::F16).is_err(),
        "a split table is not saved whole"
    );
}

#[test]
fn a_shard_of_another_table_or_damaged_is_refused_by_name() {
    let split = split_into_shards(&table(), 60, WeightPrecision::Int8, None).unwrap();
    let mut lazy = load_item_item(&split.index).unwrap();
    let error = |lazy: &mut ItemItem, bytes: &[u8]| lazy.add_shard(bytes).unwrap_err().to_string();

    let shard = &split.shards[1].1;
    assert!(error(&mut lazy, &shard[..shard.len() - 2]).contains("item–item shard"));
    // Another catalogue's table, or another split of this one.
    let small = ItemItem::from_rows(vec![vec![(1, 1.0)], vec![]], Mix::uniform(1.0)).unwrap();
    let other = split_into_shards(&small, 1, WeightPrecision::Int8, None).unwrap();
    assert!(error(&mut lazy, &other.shards[0].1).contains("2 items"));
    let coarser = split_into_shards(&table(), 1 << 20, WeightPrecision::Int8, None).unwrap();
    assert!(error(&mut lazy, &coarser.shards[0].1).contains("not a shard"));
    // A shard without shares for an index whose shards have them, and the other way round.
    let one_shard = |t: &ItemItem| split_into_shards(t, 1 << 20, WeightPrecision::Int8, None);
    let (shared, plain) = (
        one_shard(&table()).unwrap(),
        one_shard(&plain_table()).unwrap(),
    );
    let mut shared_lazy = load_item_item(&shared.index).unwrap();
    assert!(error(&mut shared_lazy, &plain.shards[0].1).contains("no co-occurrence shares"));
    let mut plain_lazy = load_item_item(&plain.index).unwrap();
    assert!(error(&mut plain_lazy, &shared.shards[0].1).contains("has co-occurrence shares"));
    // A whole table takes no shards; a shard is not an index.
    let mut whole = table();
    assert!(whole.add_shard(shard).is_err());
    assert!(load_item_item(shard).is_err());
    assert_eq!(
        lazy.missing_shards(0..40).len(),
        split.shards.len(),
        "nothing was added"
    );

    // An index that claims an absurd catalogue is refused before anything is allocated.
    let absurd = serialize(
        &[Owned::u32s(SHARD_STARTS, [0, u32::MAX])],
        table().metadata(),
    )
    .unwrap();
    assert!(
        load_item_item(&absurd)
            .unwrap_err()
            .to_string()
            .contains("item–item index")
    );
}

#[test]
fn each_shard_carries_its_rows_vectors_within_half_a_step() {
    let whole = table();
    let dim = 3;
    let values: Vec<f32> = (0..40 * dim).map(|i| (i as f32 * 0.7).sin()).collect();
    let vectors = RowVectors {
        first_row: 0,
        dim,
        values: values.clone(),
    };
    let split = split_into_shards(&whole, 60, WeightPrecision::Int8, Some(&vectors)).unwrap();
    for (rows, bytes) in &split.shards {
        let read = shard_row_vectors(bytes).unwrap().unwrap();
        assert_eq!((read.rows(), read.dim), (rows.clone(), dim));
        let own = &values[rows.start * dim..rows.end * dim];
        for (row, got) in own.chunks(dim).zip(read.values.chunks(dim)) {
            let step = row.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
            for (a, b) in row.iter().zip(got) {
                assert!((a - b).abs() <= step / 2.0 + 1e-7, "{a} vs {b}");
            }
        }
    }
    // A plain split's shards carry none; vectors that are not one per item are refused.
    let plain = split_into_shards(&whole, 60, WeightPrecision::Int8, None).unwrap();
    assert_eq!(shard_row_vectors(&plain.shards[0].1).unwrap(), None);
    let short = RowVectors {
        values: values[..39 * dim].to_vec(),
        ..vectors
    };
    assert!(split_into_shards(&whole, 60, WeightPrecision::Int8, Some(&short)).is_err());
}
