//! The recommendation head and its training, on a small synthetic catalogue where the right
//! answers are known: 48 items in 4 taste groups of 12; every user likes items of one group.
//! Item text vectors share a direction per group (plus noise), as related items do in MiniLM.

use std::collections::HashMap;
use std::ops::ControlFlow;

use burn::tensor::{Device, Tensor, TensorData};
use localrec::device::{block_on, cpu};
use localrec::eval::baselines::Ranking;
use localrec::eval::split::HeldOut;
use localrec::fine_tune::{FineTuneConfig, fine_tune, personalise};
use localrec::head::{Head, HeadConfig, HistoryBatch, Objective, load_head, read_rows, save_head};
use localrec::interactions::{Entry, UserList};
use localrec::rng::SplitMix64;
use localrec::train::{TrainConfig, TrainReport, schedule, train};

mod common;

const ITEMS: usize = 48;
const GROUPS: usize = 4;
const TEXT_DIM: usize = 16;

fn group_of(row: usize) -> usize {
    row % GROUPS
}

fn text_matrix(device: &Device) -> Tensor<2> {
    let mut rng = SplitMix64::new(5);
    let directions: Vec<Vec<f32>> = (0..GROUPS)
        .map(|_| (0..TEXT_DIM).map(|_| rng.uniform_f32(1.0)).collect())
        .collect();
    let values: Vec<f32> = (0..ITEMS)
        .flat_map(|row| {
            let direction = directions[group_of(row)].clone();
            direction
                .into_iter()
                .map(|v| v + 0.3 * rng.uniform_f32(1.0))
                .collect::<Vec<_>>()
        })
        .collect();
    Tensor::from_data(TensorData::new(values, [ITEMS, TEXT_DIM]), device)
}

/// A user of group `user % 4` with `len` distinct items of that group, rated 6–10.
fn user(user: u32, len: usize, rng: &mut SplitMix64) -> UserList {
    let group = user as usize % GROUPS;
    let mut rows: Vec<usize> = (0..ITEMS).filter(|&r| group_of(r) == group).collect();
    rng.shuffle(&mut rows);
    UserList {
        user,
        entries: rows[..len]
            .iter()
            .map(|&row| Entry {
                row,
                rating: 6 + rng.below(5) as u8,
            })
            .collect(),
    }
}

fn held_out(list: UserList, visible: usize) -> HeldOut {
    HeldOut {
        user: list.user,
        visible: list.entries[..visible].to_vec(),
        hidden: list.entries[visible..].to_vec(),
    }
}

struct Fixture {
    device: Device,
    text: Tensor<2>,
    train: Vec<UserList>,
    validation: Vec<HeldOut>,
    config: HeadConfig,
}

fn fixture() -> Fixture {
    let device = cpu();
    let mut rng = SplitMix64::new(9);
    Fixture {
        text: text_matrix(&device),
        train: (0..240).map(|u| user(u, 8, &mut rng)).collect(),
        validation: (0..40).map(|u| held_out(user(u, 8, &mut rng), 5)).collect(),
        config: HeadConfig {
            text_dim: TEXT_DIM,
            hidden: 32,
            dim: 8,
            items: ITEMS,
            id_embeddings: true,
        },
        device,
    }
}

fn quick_config(objective: Objective) -> TrainConfig {
    TrainConfig {
        objective,
        epochs: 12,
        batch_size: 32,
        learning_rate: 0.01,
        warmup_steps: 5,
        patience: 12,
        ..TrainConfig::default()
    }
}

fn run(fixture: &Fixture, config: &TrainConfig, seed: u64) -> (Head, TrainReport) {
    let head = Head::new(&fixture.config, seed, &fixture.device).unwrap();
    block_on(train(
        head,
        &fixture.text,
        &fixture.train,
        &fixture.validation,
        config,
        |_| ControlFlow::Continue(()),
    ))
    .unwrap()
}

/// Every item's vector and bias, and the user vectors of a few histories: equal fingerprints
/// mean equal functions.
fn fingerprint(head: &Head, fixture: &Fixture) -> Vec<f32> {
    let items = head.item_table(fixture.text.clone());
    let histories: Vec<&[Entry]> = fixture
        .validation
        .iter()
        .map(|u| u.visible.as_slice())
        .collect();
    let batch = HistoryBatch::new(&histories, ITEMS, &fixture.device).unwrap();
    let mut all = read(items.vectors.clone());
    all.extend(read(items.bias.clone().reshape([1, ITEMS])));
    all.extend(read(head.users(&items, &batch).vectors));
    all
}

#[test]
fn training_lowers_the_loss_and_learns_the_groups() {
    let fixture = fixture();
    let (_, report) = run(&fixture, &quick_config(Objective::Softmax), 1);
    let (first, last) = (report.losses[0], *report.losses.last().unwrap());
    assert!(last < first * 0.8, "loss {first} → {last}");
    // Random ranking of 43 candidates with 3 relevant gives NDCG@10 ≈ 0.2; the groups are
    // perfectly predictive, so a trained head must do far better.
    assert!(
        report.best.value() > 0.6 && report.best.value() > report.initial.value() + 0.3,
        "validation NDCG@10 {:?} → {:?}",
        report.initial,
        report.best
    );
}

/// The sampled softmax (issue 26) learns the same groups, reproducibly, with a step budget.
#[test]
fn the_sampled_softmax_learns_the_groups_too() {
    let fixture = fixture();
    let config = TrainConfig {
        negatives: Some(10),
        epoch_steps: Some(2),
        epochs: 12,
        ..quick_config(Objective::Softmax)
    };
    let (head_a, report) = run(&fixture, &config, 1);
    assert!(
        report.best.value() > 0.6 && report.best.value() > report.initial.value() + 0.3,
        "validation NDCG@10 {:?} → {:?}",
        report.initial,
        report.best
    );
    assert!(report.steps <= 2 * 12, "{} steps", report.steps);
    let (head_b, again) = run(&fixture, &config, 1);
    assert_eq!(report.losses, again.losses);
    assert!(fingerprint(&head_a, &fixture) == fingerprint(&head_b, &fixture));
    // Negatives belong to the softmax objective.
    let bce = TrainConfig {
        negatives: Some(10),
        ..quick_config(Objective::Bce)
    };
    let head = Head::new(&fixture.config, 1, &fixture.device).unwrap();
    let error = block_on(train(
        head,
        &fixture.text,
        &fixture.train,
        &fixture.validation,
        &bce,
        |_| ControlFlow::Continue(()),
    ))
    .unwrap_err()
    .to_string();
    assert!(error.contains("softmax objective only"), "{error}");
}

#[test]
fn training_is_reproducible_with_a_seed_and_depends_on_it() {
    let fixture = fixture();
    let config = TrainConfig {
        epochs: 3,
        ..quick_config(Objective::Softmax)
    };
    let (head_a, report_a) = run(&fixture, &config, 1);
    let (head_b, report_b) = run(&fixture, &config, 1);
    assert_eq!(report_a.losses, report_b.losses);
    assert!(
        fingerprint(&head_a, &fixture) == fingerprint(&head_b, &fixture),
        "same seed, same head"
    );
    let (head_c, report_c) = run(&fixture, &config, 2);
    assert_ne!(report_a.losses, report_c.losses);
    assert!(
        fingerprint(&head_a, &fixture) != fingerprint(&head_c, &fixture),
        "another seed, another head"
    );
}

#[test]
fn bce_and_rating_objectives_train_too() {
    let fixture = fixture();
    let (_, bce) = run(&fixture, &quick_config(Objective::Bce), 1);
    assert!(
        bce.losses.last().unwrap() < &(bce.losses[0] * 0.8),
        "{:?}",
        bce.losses
    );
    assert!(bce.best.value() > 0.6, "{:?}", bce.best);

    let (_, rating) = run(&fixture, &quick_config(Objective::Rating), 1);
    // Ratings are uniform in 6–10 (RMSE of the best constant: √2 ≈ 1.41); the start is far off.
    assert!(
        rating.best.value() < 1.6,
        "validation RMSE {:?}",
        rating.validations
    );
    assert!(
        rating.losses.last().unwrap() < &rating.losses[0],
        "{:?}",
        rating.losses
    );
}

#[test]
fn progress_is_reported_and_cancel_stops_training() {
    let fixture = fixture();
    let head = Head::new(&fixture.config, 1, &fixture.device).unwrap();
    let mut seen = Vec::new();
    let (_, report) = block_on(train(
        head,
        &fixture.text,
        &fixture.train,
        &fixture.validation,
        &quick_config(Objective::Softmax),
        |p| {
            seen.push(*p);
            if p.step == 10 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    ))
    .unwrap();
    assert!(report.cancelled);
    let steps: Vec<usize> = seen
        .iter()
        .filter(|p| p.validation.is_none())
        .map(|p| p.step)
        .collect();
    assert_eq!(
        steps,
        (1..=10).collect::<Vec<_>>(),
        "one report per step until cancelled"
    );
    assert!(seen.iter().all(|p| p.loss.is_finite() && p.eta_s >= 0.0));
    // 240 users in batches of 32: epoch 1 ends after step 8 with a validation report.
    let validated: Vec<usize> = seen
        .iter()
        .filter(|p| p.validation.is_some())
        .map(|p| p.step)
        .collect();
    assert_eq!(validated, [8]);
}

#[test]
fn the_schedule_warms_up_then_decays_to_a_tenth() {
    let config = TrainConfig {
        learning_rate: 1.0,
        warmup_steps: 10,
        ..TrainConfig::default()
    };
    assert_eq!(schedule(&config, 5, 110), 0.5);
    assert_eq!(schedule(&config, 10, 110), 1.0);
    assert!((schedule(&config, 60, 110) - 0.55).abs() < 1e-12);
    assert!((schedule(&config, 110, 110) - 0.1).abs() < 1e-12);
}

#[test]
fn saved_weights_load_back_to_the_same_scores() {
    let fixture = fixture();
    let (head, _) = run(
        &fixture,
        &TrainConfig {
            epochs: 2,
            ..quick_config(Objective::Softmax)
        },
        1,
    );
    let info = HashMap::from([("name".to_string(), "head".to_string())]);
    let bytes = save_head(&head, &fixture.config, Objective::Softmax, &info).unwrap();
    let loaded = load_head(bytes.clone(), &fixture.device).unwrap();
    assert_eq!(loaded.config, fixture.config);
    assert_eq!(loaded.info["name"], "head");
    let history = [Entry { row: 3, rating: 9 }, Entry { row: 7, rating: 0 }];
    let scores = |head: &Head| {
        let items = head.item_table(fixture.text.clone());
        block_on(head.score_histories(&items, &[&history], 1)).unwrap()
    };
    assert_eq!(scores(&head), scores(&loaded.head));

    // The same head is the same bytes, whatever its metadata's order in memory (a site's
    // content hashes must not change with every build).
    let more: HashMap<String, String> = (0..12)
        .map(|i| (format!("key {i}"), i.to_string()))
        .collect();
    let save = || save_head(&head, &fixture.config, Objective::Softmax, &more).unwrap();
    let saved = save();
    assert_eq!(saved, save());
    let info = load_head(saved, &fixture.device).unwrap().info;
    assert!(more.iter().all(|(key, value)| info.get(key) == Some(value)));

    // Damaged files are errors that say what is wrong.
    assert!(load_head(bytes[..bytes.len() / 2].to_vec(), &fixture.device).is_err());
    assert!(load_head(b"not a head".to_vec(), &fixture.device).is_err());
    let other = HeadConfig {
        dim: 4,
        ..fixture.config
    };
    let wrong = save_head(
        &Head::new(&other, 1, &fixture.device).unwrap(),
        &fixture.config,
        Objective::Softmax,
        &info,
    )
    .unwrap();
    let message = load_head(wrong, &fixture.device).err().unwrap().to_string();
    assert!(
        message.contains("shape") || message.contains("Shape"),
        "{message}"
    );
}

#[test]
fn scores_split_exactly_into_history_contributions() {
    let fixture = fixture();
    let (head, _) = run(
        &fixture,
        &TrainConfig {
            epochs: 2,
            ..quick_config(Objective::Softmax)
        },
        1,
    );
    let items = head.item_table(fixture.text.clone());
    let history = [
        Entry { row: 1, rating: 9 },
        Entry { row: 5, rating: 4 },
        Entry { row: 9, rating: 0 },
    ];
    let batch = HistoryBatch::new(&[&history], ITEMS, &fixture.device).unwrap();
    let users = head.users(&items, &batch);
    let scores = read(head.scores(&users.vectors, &items));
    let shares = head
        .contributions(&items, &batch, &users)
        .sum_dim(1)
        .reshape([1, ITEMS]);
    let empty = HistoryBatch::new(&[&[]], ITEMS, &fixture.device).unwrap();
    let base = head.scores(&head.users(&items, &empty).vectors, &items);
    let rebuilt = read(shares + base);
    for (a, b) in scores.iter().zip(&rebuilt) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }
}

fn read(tensor: Tensor<2>) -> Vec<f32> {
    block_on(read_rows(tensor)).unwrap().concat()
}

/// A pretrained head that knows groups 0–2 only: group 3 never appears in its training data, so
/// its user tower has no idea what a group-3 person wants. Fine-tuning on that person's own
/// events must find it.
#[test]
fn fine_tuning_raises_a_persons_held_out_hit_rate() {
    let mut fixture = fixture();
    fixture.train.retain(|u| u.user % 4 != 3);
    fixture.validation.retain(|u| u.user % 4 != 3);
    fixture.config.id_embeddings = false;
    let (head, _) = run(
        &fixture,
        &TrainConfig {
            epochs: 4,
            ..quick_config(Objective::Softmax)
        },
        1,
    );
    let items = head.item_table(fixture.text.clone());

    let mut rng = SplitMix64::new(21);
    let (mut before, mut after) = (Ranking::new(ITEMS), Ranking::new(ITEMS));
    for id in 0..6 {
        let person = held_out(user(3 + 4 * id, 12, &mut rng), 9);
        let batch = HistoryBatch::new(&[&person.visible], ITEMS, &fixture.device).unwrap();
        let base = head.users(&items, &batch).vectors;
        let (personal, report) = block_on(fine_tune(
            &head,
            &items,
            &person.visible,
            &FineTuneConfig::default(),
            |_| ControlFlow::Continue(()),
        ))
        .unwrap();
        assert!(
            report.best <= report.initial,
            "the kept residual is never worse on the slice"
        );
        before.add(&read(head.scores(&base, &items)), &person);
        after.add(
            &read(head.scores(&personalise(base, &personal), &items)),
            &person,
        );
    }
    let (before, after) = (before.report(), after.report());
    assert!(
        after.hit_rate > before.hit_rate && after.ndcg > before.ndcg + 0.1,
        "before {before:?}\nafter {after:?}"
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let fixture = fixture();
    let head = Head::new(&fixture.config, 1, &fixture.device).unwrap();
    let items = head.item_table(fixture.text.clone());
    // Unknown item rows.
    let unknown = [Entry {
        row: ITEMS + 5,
        rating: 0,
    }];
    let message = block_on(head.score_histories(&items, &[&unknown], 1))
        .err()
        .unwrap()
        .to_string();
    assert!(message.contains("outside the catalogue"), "{message}");
    // Unknown feedback kinds.
    let odd = [Entry { row: 1, rating: 99 }];
    assert!(HistoryBatch::new(&[&odd], ITEMS, &fixture.device).is_err());
    // Too little history to fine-tune on.
    let message = block_on(fine_tune(
        &head,
        &items,
        &[],
        &FineTuneConfig::default(),
        |_| ControlFlow::Continue(()),
    ))
    .err()
    .unwrap()
    .to_string();
    assert!(message.contains("at least"), "{message}");
    // Training users with nothing to learn from, and NaN text vectors.
    let lonely = [UserList {
        user: 1,
        entries: vec![Entry { row: 0, rating: 0 }],
    }];
    let config = quick_config(Objective::Softmax);
    assert!(
        block_on(train(
            Head::new(&fixture.config, 1, &fixture.device).unwrap(),
            &fixture.text,
            &lonely,
            &[],
            &config,
            |_| ControlFlow::Continue(())
        ))
        .is_err()
    );
    let nan_text = fixture.text.clone().mul_scalar(f32::NAN);
    let message = block_on(train(
        head,
        &nan_text,
        &fixture.train,
        &fixture.validation,
        &config,
        |_| ControlFlow::Continue(()),
    ))
    .err()
    .unwrap()
    .to_string();
    assert!(message.contains("diverged"), "{message}");
    // Nonsense configs.
    assert!(
        Head::new(
            &HeadConfig {
                dim: 0,
                ..fixture.config
            },
            1,
            &fixture.device
        )
        .is_err()
    );
    let zero_epochs = TrainConfig {
        epochs: 0,
        ..config
    };
    let fresh = Head::new(&fixture.config, 1, &fixture.device).unwrap();
    assert!(
        block_on(train(
            fresh,
            &fixture.text,
            &fixture.train,
            &[],
            &zero_epochs,
            |_| ControlFlow::Continue(())
        ))
        .is_err()
    );
}

/// The committed anime-5k folder and its catalogue.
fn committed_catalog() -> (std::path::PathBuf, localrec::catalog::Catalog) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/anime-5k");
    let catalog = localrec::catalog::Catalog::load(
        &std::fs::read(root.join("catalog.json")).unwrap(),
        &std::fs::read(root.join("items.csv")).unwrap(),
    )
    .unwrap();
    (root, catalog)
}

/// The hex sha256 of a file (what a trained file records of its inputs).
fn file_sha256(path: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (Sha256::digest(&bytes).iter())
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The head the page ships loads, and fits the committed catalogue; both heads were trained on
/// the same item vectors (the catalogue's adapter's: build-site retrains a head whose vectors
/// differ from the ones it embeds).
#[test]
fn the_committed_head_fits_the_committed_catalogue() {
    let (root, catalog) = committed_catalog();
    let mut trained_on = Vec::new();
    for name in ["head.safetensors", "head-text-only.safetensors"] {
        let file = load_head(std::fs::read(root.join(name)).unwrap(), &cpu()).unwrap();
        assert_eq!(file.config.items, catalog.len(), "{name}");
        assert_eq!(file.config.text_dim, 384, "{name}");
        assert_eq!(file.objective, Objective::Softmax, "{name}");
        assert_eq!(file.config.id_embeddings, name == "head.safetensors");
        trained_on.push(file.info.get("vectors").cloned());
    }
    assert!(trained_on[0].is_some());
    assert_eq!(trained_on[0], trained_on[1]);
}

/// The item–item table the page ships fits the committed catalogue: its popularity counts are
/// exactly the training lists' of the split it was fitted on (seed 42), so the prior a new
/// person's list starts from matches its inputs, and every weight of an item on a training list
/// and every co-occurrence share is what its recorded choice fits from those lists today.
#[test]
fn the_committed_item_item_table_counts_its_training_lists() {
    use localrec::eval::split::{HoldoutConfig, user_holdout};
    use localrec::item_item::cooccurrence::SHARE_NEIGHBOURS;
    use localrec::item_item::fit::{SparseChoice, chosen_table, count_part};
    use localrec::item_item::solve::solve_columns;
    use localrec::item_item::{f16_round, load_item_item};
    let (root, catalog) = committed_catalog();
    let lists = std::fs::read_to_string(root.join("lists.tsv")).unwrap();
    let users = localrec::interactions::parse_lists(&lists, &catalog).unwrap();
    let split = user_holdout(&users, &HoldoutConfig::default());
    let mut counts = vec![0u32; catalog.len()];
    for entry in split.train.iter().flat_map(|u| &u.entries) {
        counts[entry.row] += 1;
    }
    let table =
        load_item_item(&std::fs::read(root.join("item_item.safetensors")).unwrap()).unwrap();
    assert_eq!(table.n_items(), catalog.len());
    assert_eq!(table.counts(), counts.as_slice());
    assert_eq!(table.info.get("split_seed").map(String::as_str), Some("42"));
    let choice: SparseChoice = serde_json::from_str(&table.info["sparse_fit"]).unwrap();
    let n = catalog.len();
    let counted = count_part(&split.train, n, &choice, 0..n).unwrap();
    let refitted = chosen_table(
        &solve_columns(&counted, 0..n, choice.k, choice.support, choice.penalty).unwrap(),
        &choice,
    )
    .unwrap();
    for target in (0..n).filter(|&i| counts[i] > 0) {
        for source in 0..n {
            assert_eq!(
                table.weight(source, target),
                refitted.weight(source, target),
                "B[{source}, {target}]"
            );
        }
    }
    assert!(table.has_shares());
    for (source, row) in counted
        .share_rows(0..n, SHARE_NEIGHBOURS)
        .iter()
        .enumerate()
    {
        for &(target, share) in row {
            assert_eq!(
                table.co_occurrence_share(source, target as usize),
                f16_round(share),
                "share of {target} in {source}'s lists"
            );
        }
    }
    // A new person leans on the prior and the co-occurrence shares; whole histories get the mix
    // fitted for them.
    let stages = &table.mix.stages;
    assert!(
        stages
            .first()
            .is_some_and(|s| s.reactions == 1 && s.popularity > 0.0 && s.co_occurrence > 0.0)
    );
    let last = stages.last().unwrap();
    assert_eq!(
        (last.item_item, last.popularity, last.co_occurrence),
        (1.0, 0.0, 0.0)
    );
    // A taste sentence weighs as its validation users chose, with the committed head and
    // adapter (`localrec eval --protocol described-taste --keep-choice`): a new head or
    // adapter needs a new choice.
    use localrec::taste::{TASTE_CHOSEN_WITH_ADAPTER, TASTE_CHOSEN_WITH_HEAD};
    assert!(
        table.mix.taste.is_some(),
        "the table keeps its taste weights"
    );
    assert_eq!(
        table.info[TASTE_CHOSEN_WITH_HEAD],
        file_sha256(&root.join("head.safetensors"))
    );
    assert_eq!(
        table.info[TASTE_CHOSEN_WITH_ADAPTER],
        file_sha256(&root.join("adapter.safetensors"))
    );
}

/// The language model's adapters for anime-5k (`fine-tuned/`: trained on people's items, and
/// with taste sentences too, the one shipped as `adapter.safetensors`) were trained on exactly the committed items, lists and model
/// (training never runs here): if any of them changes, they must be trained again (`localrec
/// adapt`) and their item vectors embedded again.
#[test]
fn the_committed_adapters_were_trained_on_the_committed_catalogue_and_model() {
    let (root, _) = committed_catalog();
    let sha256 = |path: std::path::PathBuf| file_sha256(&path);
    let config =
        localrec::encoder::BertConfig::from_json_bytes(&common::model_file("config.json")).unwrap();
    for file in ["adapter.safetensors", "adapter-sentences.safetensors"] {
        let adapter = localrec::encoder::Adapter::from_safetensors(
            &std::fs::read(root.join("fine-tuned").join(file)).unwrap(),
            &config,
        )
        .unwrap();
        let trained_on = |key: &str| adapter.provenance.get(key).cloned().unwrap_or_default();
        assert_eq!(trained_on("items_sha256"), sha256(root.join("items.csv")));
        assert_eq!(trained_on("lists_sha256"), sha256(root.join("lists.tsv")));
        assert_eq!(
            trained_on("model_sha256"),
            sha256(common::model_dir().join("model.safetensors"))
        );
        assert_eq!(trained_on("split_seed"), "42");
        assert!(
            adapter.to_safetensors().unwrap().len() <= 1_000_000,
            "the adapter is meant to stay under 1 MB"
        );
        if file == "adapter-sentences.safetensors" {
            // Its sentences were said in a training wording, never the evaluation's.
            let phrases = trained_on("taste_phrases");
            assert_eq!(phrases, "bench/described-taste/anime-5k-train.json");
            let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let training: serde_json::Value =
                serde_json::from_slice(&std::fs::read(repo.join(&phrases)).unwrap()).unwrap();
            let evaluation: serde_json::Value = serde_json::from_slice(
                &std::fs::read(repo.join("bench/described-taste/anime-5k.json")).unwrap(),
            )
            .unwrap();
            let training = training.as_object().unwrap();
            for (label, phrase) in evaluation.as_object().unwrap() {
                assert_ne!(
                    training.get(label),
                    Some(phrase),
                    "{label} is said the same way"
                );
            }
            assert!(trained_on("config").contains("\"sentence_share\":0.5"));
        }
    }
    // The site ships the one trained with taste sentences (build-site embeds through it).
    assert_eq!(
        sha256(root.join("adapter.safetensors")),
        sha256(root.join("fine-tuned/adapter-sentences.safetensors"))
    );
}
