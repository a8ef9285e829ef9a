//! `localrec eval`: every model on the same split and the same full-ranking protocol.

use std::path::{Path, PathBuf};

use std::ops::ControlFlow;

use burn::tensor::Tensor;
use indicatif::ProgressBar;
use localrec::device;
use localrec::eval::baselines::{
    ItemKnn, Popularity, Ranking, RankingReport, Recommender, TextKnn, evaluate,
};
use localrec::eval::ease::Ease;
use localrec::eval::metrics;
use localrec::eval::split::HeldOut;
use localrec::fine_tune::{FineTuneConfig, fine_tune, personalise};
use localrec::head::{Head, HistoryBatch, ItemTable, Objective, load_head, read_rows};
use localrec::train::{rank_users, rating_pairs};
use localrec::{Error, Result};

use crate::dataset::Dataset;

pub fn eval(dir: &Path, json: bool, seed: u64) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let (split, protocol) = dataset.split(seed);
    let n_items = dataset.catalog.len();
    let device = device::cpu();

    let mut rows: Vec<(String, ModelReport)> = Vec::new();
    let mut add = |name: &str, ranking: RankingReport, rmse: Option<f64>| {
        eprintln!("evaluated {name}");
        rows.push((name.to_string(), ModelReport { ranking, rmse }));
    };
    let popularity = Popularity::fit(&split.train, n_items);
    add(
        "popularity",
        evaluate(&popularity, &split.test, n_items),
        None,
    );
    let itemknn = ItemKnn::fit(&split.train, n_items, 100);
    add("itemknn", evaluate(&itemknn, &split.test, n_items), None);
    // λ chosen on the validation users, as a user of EASE would.
    let ease = [50.0, 200.0, 500.0, 1000.0]
        .into_iter()
        .map(|lambda| {
            let model = Ease::fit(&split.train, n_items, lambda, &device);
            let ndcg = evaluate(&model, &split.validation, n_items).ndcg;
            (model, ndcg)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(model, _)| model)
        .expect("non-empty");
    add(ease.name(), evaluate(&ease, &split.test, n_items), None);
    drop(ease);

    match &dataset.vectors {
        None => eprintln!(
            "note: {} is missing (run `localrec embed-catalog --dataset {}`): text models skipped",
            dataset.vectors_path.display(),
            dir.display()
        ),
        Some(items) => {
            add(
                "text-knn",
                evaluate(&TextKnn { items }, &split.test, n_items),
                None,
            );
            let text = dataset.text_tensor(&device)?;
            for path in head_files(&dataset.dir)? {
                let file = load_head(
                    std::fs::read(&path).map_err(|e| {
                        Error::Input(format!("cannot read {}: {e}", path.display()))
                    })?,
                    &device,
                )?;
                let name = file.info.get("name").cloned().unwrap_or_else(|| {
                    path.file_stem()
                        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
                });
                let items = file.head.item_table(text.clone());
                let ranking = device::block_on(rank_users(&file.head, &items, &split.test))?;
                let rmse = if file.objective == Objective::Rating {
                    let (predicted, actual) =
                        device::block_on(rating_pairs(&file.head, &items, &split.test))?;
                    metrics::rmse(&predicted, &actual)
                } else {
                    None
                };
                add(&name, ranking, rmse);
                if name == "head" {
                    let (before, after) = fine_tune_comparison(&file.head, &items, &split.test)?;
                    add("head, users ≥20 events", before, None);
                    add("head+fine-tune, ≥20", after, None);
                }
            }
        }
    }

    if json {
        let models: serde_json::Map<String, serde_json::Value> = rows
            .iter()
            .map(|(name, report)| {
                (
                    name.clone(),
                    serde_json::to_value(report).expect("plain numbers"),
                )
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"dataset": dataset.name, "protocol": protocol, "models": models})
        );
    } else {
        println!("{}: {protocol}\n", dataset.name);
        println!(
            "{:<22} {:>8} {:>10} {:>7} {:>7} {:>7} {:>12} {:>7}",
            "model", "NDCG@10", "Recall@10", "HR@10", "MRR", "AUC", "coverage@10", "RMSE"
        );
        for (model, r) in &rows {
            let m = &r.ranking;
            let rmse = r
                .rmse
                .map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
            println!(
                "{model:<22} {:>8.4} {:>10.4} {:>7.4} {:>7.4} {:>7.4} {:>12.4} {rmse:>7}",
                m.ndcg, m.recall, m.hit_rate, m.mrr, m.auc, m.coverage
            );
        }
    }
    Ok(())
}

/// The head with and without personal fine-tuning, on the test users with at least 20 visible
/// events (each fine-tuned on their visible history only).
pub fn fine_tune_comparison(
    head: &Head,
    items: &ItemTable,
    users: &[HeldOut],
) -> Result<(RankingReport, RankingReport)> {
    let n_items = items.bias.dims()[0];
    let eligible: Vec<&HeldOut> = users.iter().filter(|u| u.visible.len() >= 20).collect();
    let (mut before, mut after) = (Ranking::new(n_items), Ranking::new(n_items));
    let bar = ProgressBar::new(eligible.len() as u64);
    for user in eligible {
        let history = HistoryBatch::new(&[&user.visible], n_items, &items.vectors.device())?;
        let base = head.users(items, &history).vectors;
        let (personal, _) = device::block_on(fine_tune(
            head,
            items,
            &user.visible,
            &FineTuneConfig::default(),
            |_| ControlFlow::Continue(()),
        ))?;
        let rows = device::block_on(read_rows(Tensor::cat(
            vec![
                head.scores(&base, items),
                head.scores(&personalise(base.clone(), &personal), items),
            ],
            0,
        )))?;
        before.add(&rows[0], user);
        after.add(&rows[1], user);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((before.report(), after.report()))
}

/// One row of the evaluation: ranking metrics, and RMSE for models that predict ratings.
#[derive(serde::Serialize)]
pub struct ModelReport {
    #[serde(flatten)]
    ranking: RankingReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    rmse: Option<f64>,
}

/// `head*.safetensors` in a dataset folder, by name.
pub fn head_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "safetensors")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("head"))
        })
        .collect();
    files.sort();
    Ok(files)
}
