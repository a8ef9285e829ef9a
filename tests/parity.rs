//! The encoder is the same function as sentence-transformers' all-MiniLM-L6-v2:
//! token ids exactly, hidden states and pooled embeddings to float precision, on the CPU (flex).

mod common;

use common::parity::{check_batch_equals_one_by_one, check_cases_one_by_one, encoders};
use common::{cpu_encoder, golden_cases, model_files};
use localrec::encoder::TextTokenizer;

const EMBEDDING_TOLERANCE: f32 = 1e-5;
const HIDDEN_TOLERANCE: f32 = 1e-4;

#[test]
fn token_ids_equal_golden_for_every_case() {
    let files = model_files();
    for case in golden_cases() {
        let tokenizer = TextTokenizer::from_bytes(&files.tokenizer, case.max_length).unwrap();
        let tokens = tokenizer.encode(&case.text).unwrap();
        assert_eq!(tokens.ids, case.input_ids, "ids of case {}", case.name);
        assert_eq!(
            tokens.pieces, case.tokens,
            "word pieces of case {}",
            case.name
        );
        assert_eq!(
            tokens.type_ids, case.token_type_ids,
            "type ids of case {}",
            case.name
        );
        assert!(
            case.attention_mask.iter().all(|&m| m == 1),
            "golden cases are unpadded"
        );
    }
}

#[test]
fn truncation_keeps_cls_first_pieces_and_sep() {
    let files = model_files();
    let cases = golden_cases();
    let long = cases.iter().find(|c| c.name == "long_trunc256").unwrap();
    assert!(
        long.num_tokens_untruncated > 256,
        "fixture must really need truncation"
    );
    let tokens = TextTokenizer::from_bytes(&files.tokenizer, 256)
        .unwrap()
        .encode(&long.text)
        .unwrap();
    assert_eq!(tokens.ids.len(), 256);
    assert_eq!(tokens.pieces.first().map(String::as_str), Some("[CLS]"));
    assert_eq!(tokens.pieces.last().map(String::as_str), Some("[SEP]"));
}

#[test]
fn embeddings_and_hidden_states_match_golden_on_cpu() {
    check_cases_one_by_one(
        encoders(&localrec::device::cpu(), false),
        EMBEDDING_TOLERANCE,
        HIDDEN_TOLERANCE,
    );
}

#[test]
fn padded_batch_equals_one_by_one_on_cpu() {
    check_batch_equals_one_by_one(
        encoders(&localrec::device::cpu(), false),
        EMBEDDING_TOLERANCE,
    );
}

/// The page's CPU path: the same network with its linear maps on packed weights.
#[test]
fn packed_linear_maps_match_golden_alone_and_in_a_padded_batch() {
    let cpu = localrec::device::cpu();
    check_cases_one_by_one(encoders(&cpu, true), EMBEDDING_TOLERANCE, HIDDEN_TOLERANCE);
    check_batch_equals_one_by_one(encoders(&cpu, true), EMBEDDING_TOLERANCE);
}

#[test]
fn embeddings_are_unit_length() {
    let encoder = cpu_encoder();
    for vector in encoder.embed(&["a", "", "Giant robots in space."]).unwrap() {
        assert_eq!(vector.len(), 384);
        let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
    }
}

/// The golden cases embedded at sentence-transformers' own length limit (256), for the tests of
/// the batched paths.
fn cases_at_256() -> Vec<common::GoldenCase> {
    golden_cases()
        .into_iter()
        .filter(|c| c.max_length == 256)
        .collect()
}

fn assert_golden(cases: &[common::GoldenCase], vectors: &[Vec<f32>]) {
    assert_eq!(vectors.len(), cases.len());
    for (case, vector) in cases.iter().zip(vectors) {
        let diff = common::max_abs_diff(vector, &case.embedding);
        assert!(diff <= EMBEDDING_TOLERANCE, "case {}: {diff:e}", case.name);
    }
}

#[test]
fn embed_many_groups_by_length_but_keeps_input_order() {
    let encoder = cpu_encoder();
    let cases = cases_at_256();
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let mut progress = Vec::new();
    let vectors = encoder
        .embed_many(&texts, 3, |done, total| progress.push((done, total)))
        .unwrap();
    assert_golden(&cases, &vectors);
    let n = texts.len();
    assert_eq!(progress.last(), Some(&(n, n)));
    assert_eq!(progress.len(), n.div_ceil(3));
}

/// The page's path: on the CPU, `embed_async` regroups texts by length; the vectors still come
/// back in input order and equal the golden ones.
#[test]
fn embed_async_on_cpu_keeps_input_order() {
    let encoder = cpu_encoder();
    let cases = cases_at_256();
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let vectors = localrec::device::block_on(encoder.embed_async(&texts)).unwrap();
    assert_golden(&cases, &vectors);
}

/// A random adapter on layers 4 and 5 (every map kind), big enough to move the vectors.
fn random_adapter(config: &localrec::encoder::BertConfig) -> localrec::encoder::Adapter {
    use localrec::encoder::adapter::{AdaptedMap, Adapter, LowRankUpdate};
    let mut rng = localrec::rng::SplitMix64::new(5);
    let rank = 3;
    let updates = [4, 5]
        .into_iter()
        .flat_map(|layer| AdaptedMap::ALL.map(|map| (layer, map)))
        .map(|(layer, map)| {
            let [inputs, outputs] = map.shape(config);
            let mut values = |n: usize| (0..n).map(|_| rng.uniform_f32(0.1)).collect();
            LowRankUpdate {
                layer,
                map,
                rank,
                down: values(inputs * rank),
                up: values(rank * outputs),
            }
        })
        .collect();
    Adapter {
        scale: 0.5,
        updates,
        provenance: Default::default(),
    }
}

/// The page merges the adapter into the weights; training runs it beside them. Both must be
/// the same network: merged = unmerged to float precision, on the f32 and the packed path.
#[test]
fn a_merged_adapter_equals_the_adapter_run_beside_the_frozen_weights() {
    use localrec::encoder::lora::Lora;
    let texts = [
        "Cowboy Bebop. Genres: Action, Sci-Fi. Bounty hunters drift through space.",
        "a quiet story about a girl and her grandmother",
        "x",
    ];
    let cpu = localrec::device::cpu();
    let plain = cpu_encoder();
    let adapter = random_adapter(plain.config());
    let bytes = adapter.to_safetensors().unwrap();

    let lora = Lora::from_adapter(&adapter, plain.config(), &cpu);
    let upper = plain.upper_layers(lora.first_layer());
    let tokens = plain.tokenizer().encode_batch(&texts).unwrap();
    let real: Vec<f32> = tokens.attention_mask.iter().map(|&m| m as f32).collect();
    let real = burn::tensor::Tensor::from_data(
        burn::tensor::TensorData::new(real, [tokens.batch, tokens.seq_len]),
        &cpu,
    );
    let beside = upper
        .forward(
            plain.lower_states(&tokens, lora.first_layer()).unwrap(),
            real,
            Some(&lora),
        )
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let unadapted = plain.embed(&texts).unwrap().concat();

    for packed in [false, true] {
        let mut merged = cpu_encoder();
        if packed {
            merged.pack_linears();
        }
        let read = merged.merge_adapter(&bytes).unwrap();
        assert_eq!(read.updates.len(), adapter.updates.len());
        let merged = merged.embed(&texts).unwrap().concat();
        let diff = common::max_abs_diff(&merged, &beside);
        assert!(
            diff < 2e-6,
            "merged vs beside differ by {diff} (packed: {packed})"
        );
        let moved = common::max_abs_diff(&merged, &unadapted);
        assert!(
            moved > 1e-2,
            "the adapter moved the vectors by only {moved}"
        );
    }
}
