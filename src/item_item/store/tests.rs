use super::*;

#[test]
fn round_trip_is_exact_and_damage_is_named() {
    let mut table = ItemItem::from_rows(
        vec![vec![(1, 0.123_456), (2, -0.5)], vec![], vec![(0, 3e-5)]],
        Mix::rating_slope(4.0, 0.5),
    )
    .unwrap();
    table.info.insert("dataset".into(), "tiny".into());
    let bytes = save_item_item(&table, WeightPrecision::F16).unwrap();
    assert_eq!(load_item_item(&bytes).unwrap(), table);
    // With the popularity prior's counts, stages and taste weights too.
    let mix = Mix {
        taste: Some(crate::taste::TasteWeights {
            direct: 32.0,
            reactions: 5,
        }),
        ..table.mix.clone().with_stages(vec![crate::item_item::Stage {
            reactions: 1,
            item_item: 0.5,
            popularity: 0.25,
            co_occurrence: 2.0,
        }])
    };
    let staged = table
        .clone()
        .with_counts(vec![4, 0, 9])
        .unwrap()
        .with_mix(mix);
    let again = load_item_item(&save_item_item(&staged, WeightPrecision::Int8).unwrap());
    let again = again.unwrap();
    assert_eq!((again.counts(), &again.mix), (staged.counts(), &staged.mix));
    assert_eq!(again.prior(), staged.prior());
    // int8: the same targets; each weight within half of its row's step.
    let small = load_item_item(&save_item_item(&table, WeightPrecision::Int8).unwrap()).unwrap();
    assert_eq!(
        (&small.offsets, &small.targets),
        (&table.offsets, &table.targets)
    );
    for row in table.offsets.windows(2) {
        let (a, b) = (
            &small.weights[row[0]..row[1]],
            &table.weights[row[0]..row[1]],
        );
        let step = b.iter().fold(0f32, |m, w| m.max(w.abs())) / 127.0;
        assert!(
            a.iter().zip(b).all(|(x, y)| (x - y).abs() <= step / 2.0),
            "{a:?} {b:?}"
        );
    }

    // With co-occurrence shares: f16 exactly; int8 each within half of its row's step.
    let shared = (staged.clone())
        .with_shares(vec![vec![(2, 0.75), (1, 0.125)], vec![(0, 1.0)], vec![]])
        .unwrap();
    let again = load_item_item(&save_item_item(&shared, WeightPrecision::F16).unwrap()).unwrap();
    assert_eq!(again, shared);
    let small = load_item_item(&save_item_item(&shared, WeightPrecision::Int8).unwrap()).unwrap();
    for target in 0..3 {
        let (a, b) = (
            small.co_occurrence_share(0, target),
            shared.co_occurrence_share(0, target),
        );
        assert!((a - b).abs() <= 0.75 / 127.0 / 2.0, "{a} vs {b}");
    }
    assert_eq!(small.co_occurrence_share(1, 0), 1.0);

    // Files written before target steps stored the targets themselves: still read.
    let parsed = SafeTensors::deserialize(&bytes).unwrap();
    let absolute: Vec<u8> = table
        .targets
        .iter()
        .flat_map(|&t| (t as u16).to_le_bytes())
        .collect();
    let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
    let older = safetensors::serialize(
        [
            ("offsets".to_string(), parsed.tensor("offsets").unwrap()),
            (
                ABSOLUTE_TARGETS.to_string(),
                TensorView::new(Dtype::U16, vec![absolute.len() / 2], &absolute).unwrap(),
            ),
            ("weights".to_string(), parsed.tensor("weights").unwrap()),
        ],
        metadata.metadata().clone(),
    )
    .unwrap();
    assert_eq!(load_item_item(&older).unwrap(), table);

    let error = |bytes: &[u8]| load_item_item(bytes).unwrap_err().to_string();
    assert!(error(&bytes[..bytes.len() - 3]).contains("item–item file"));
    assert!(error(b"not a file").contains("item–item file"));
    // A foreign safetensors file (the item vectors' format) names what is missing.
    let foreign = crate::item_vectors::ItemVectors::from_rows(vec![vec![1.0]], HashMap::new())
        .unwrap()
        .to_safetensors()
        .unwrap();
    assert!(error(&foreign).contains("offsets"), "{}", error(&foreign));
}
