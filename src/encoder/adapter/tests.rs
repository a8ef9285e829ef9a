use super::*;

fn config() -> BertConfig {
    BertConfig::from_json_bytes(
        br#"{"vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 2,
             "num_attention_heads": 2, "intermediate_size": 8,
             "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12}"#,
    )
    .unwrap()
}

fn adapter() -> Adapter {
    let update = |layer, map: AdaptedMap| {
        let [inputs, outputs] = map.shape(&config());
        LowRankUpdate {
            layer,
            map,
            rank: 2,
            down: (0..inputs * 2).map(|i| i as f32 * 0.01).collect(),
            up: (0..2 * outputs).map(|i| -(i as f32) * 0.02).collect(),
        }
    };
    Adapter {
        scale: 0.5,
        updates: vec![update(0, AdaptedMap::Value), update(1, AdaptedMap::Inner)],
        provenance: HashMap::from([("dataset".into(), "test".into())]),
    }
}

/// `adapter()`'s file with its tensors (name → (dtype, shape, bytes)) and metadata edited.
fn edited(
    edit: impl FnOnce(&mut BTreeMap<String, (Dtype, Vec<usize>, Vec<u8>)>),
    metadata: Option<HashMap<String, String>>,
) -> Vec<u8> {
    let bytes = adapter().to_safetensors().unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut tensors: BTreeMap<String, (Dtype, Vec<usize>, Vec<u8>)> = file
        .tensors()
        .into_iter()
        .map(|(n, v)| (n, (v.dtype(), v.shape().to_vec(), v.data().to_vec())))
        .collect();
    edit(&mut tensors);
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(n, (d, s, b))| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    let metadata = metadata.unwrap_or_else(|| HashMap::from([("scale".into(), "0.5".into())]));
    safetensors::serialize(views, Some(metadata)).unwrap()
}

fn read(bytes: &[u8]) -> Result<Adapter, AdapterError> {
    Adapter::from_safetensors(bytes, &config())
}

#[test]
fn round_trips_through_safetensors() {
    let original = adapter();
    let back = read(&original.to_safetensors().unwrap()).unwrap();
    assert_eq!(back, original);
    assert_eq!(back.parameters(), 2 * (4 + 4) + 2 * (4 + 8));
}

#[test]
fn every_wrong_file_is_a_named_error() {
    assert!(matches!(
        read(b"not a file"),
        Err(AdapterError::NotSafetensors(_))
    ));
    let no_metadata = HashMap::from([("dataset".to_string(), "x".to_string())]);
    assert_eq!(
        read(&edited(|_| {}, Some(no_metadata))),
        Err(AdapterError::MissingScale)
    );
    let nan_scale = HashMap::from([("scale".to_string(), "NaN".to_string())]);
    assert_eq!(
        read(&edited(|_| {}, Some(nan_scale))),
        Err(AdapterError::BadScale("NaN".into()))
    );
    assert_eq!(read(&edited(|t| t.clear(), None)), Err(AdapterError::Empty));
    let renamed = edited(
        |t| {
            let v = t.remove("layers.0.value.up").unwrap();
            t.insert("layers.0.value.sideways".into(), v);
        },
        None,
    );
    assert_eq!(
        read(&renamed),
        Err(AdapterError::UnknownTensor(
            "layers.0.value.sideways".into()
        ))
    );
    let unpaired = edited(
        |t| {
            t.remove("layers.1.inner.down");
        },
        None,
    );
    assert_eq!(
        read(&unpaired),
        Err(AdapterError::Unpaired {
            name: "layers.1.inner.up".into(),
            missing: "down"
        })
    );
    let too_deep = edited(
        |t| {
            let down = t.remove("layers.1.inner.down").unwrap();
            let up = t.remove("layers.1.inner.up").unwrap();
            t.insert("layers.7.inner.down".into(), down);
            t.insert("layers.7.inner.up".into(), up);
        },
        None,
    );
    assert_eq!(
        read(&too_deep),
        Err(AdapterError::NoSuchLayer {
            layer: 7,
            layers: 2
        })
    );
    let mis_shaped = edited(
        |t| {
            t.get_mut("layers.0.value.up").unwrap().1 = vec![4, 2];
        },
        None,
    );
    assert_eq!(
        read(&mis_shaped),
        Err(AdapterError::Shape {
            name: "layers.0.value.up".into(),
            found: vec![4, 2],
            expected: "[2, 4]".into()
        })
    );
    let half_precision = edited(
        |t| {
            let (dtype, shape, bytes) = t.get_mut("layers.0.value.up").unwrap();
            *dtype = Dtype::F16;
            shape[1] *= 2;
            let _ = bytes;
        },
        None,
    );
    assert!(matches!(
        read(&half_precision),
        Err(AdapterError::WrongDtype { .. })
    ));
    let infinite = edited(
        |t| {
            t.get_mut("layers.0.value.down").unwrap().2[..4]
                .copy_from_slice(&f32::INFINITY.to_le_bytes());
        },
        None,
    );
    assert_eq!(
        read(&infinite),
        Err(AdapterError::NotFinite("layers.0.value.down".into()))
    );
}

#[test]
fn merging_adds_the_scaled_product_to_each_adapted_weight() {
    let device = crate::device::cpu();
    let mut model = Bert::new(&config(), &device);
    let before = model.encoder.layers[1].pwff.linear_inner.weight.val();
    let untouched = model.encoder.layers[1].mha.value.weight.val();
    let adapter = adapter();
    model.merge_adapter(&adapter);
    let update = &adapter.updates[1];
    let expected: Vec<f32> = (0..4 * 8)
        .map(|k| {
            let (i, j) = (k / 8, k % 8);
            let product: f32 = (0..2)
                .map(|r| update.down[i * 2 + r] * update.up[r * 8 + j])
                .sum();
            0.5 * product
        })
        .collect();
    let change = (model.encoder.layers[1].pwff.linear_inner.weight.val() - before)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let worst = change
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "merged change off by {worst}");
    let same: f32 = (model.encoder.layers[1].mha.value.weight.val() - untouched)
        .abs()
        .max()
        .into_scalar();
    assert_eq!(same, 0.0, "layer 1's value map is not adapted");
}
