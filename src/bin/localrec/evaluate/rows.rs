//! The evaluation's rows: one model's metrics, printed as a table or written as JSON.

use localrec::eval::baselines::RankingReport;

/// The rows as one JSON object by model name.
pub fn models_json(rows: &[(String, ModelReport)]) -> serde_json::Value {
    let models: serde_json::Map<String, serde_json::Value> = rows
        .iter()
        .map(|(name, report)| (name.clone(), serde_json::to_value(report).expect("numbers")))
        .collect();
    models.into()
}

/// The rows as a table on stdout.
pub fn print_rows(rows: &[(String, ModelReport)]) {
    println!(
        "{:<26} {:>8} {:>10} {:>7} {:>7} {:>7} {:>12} {:>7} {:>14}",
        "model",
        "NDCG@10",
        "Recall@10",
        "HR@10",
        "MRR",
        "AUC",
        "coverage@10",
        "RMSE",
        "franchises@10"
    );
    for (model, r) in rows {
        let m = &r.ranking;
        let or_dash =
            |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
        println!(
            "{model:<26} {:>8.4} {:>10.4} {:>7.4} {:>7.4} {:>7.4} {:>12.4} {:>7} {:>14}",
            m.ndcg,
            m.recall,
            m.hit_rate,
            m.mrr,
            m.auc,
            m.coverage,
            or_dash(r.rmse, 4),
            or_dash(r.franchises, 2)
        );
    }
}

/// One row of the evaluation: ranking metrics, and RMSE for models that predict ratings.
#[derive(serde::Serialize)]
pub struct ModelReport {
    #[serde(flatten)]
    pub ranking: RankingReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmse: Option<f64>,
    #[serde(rename = "franchises@10", skip_serializing_if = "Option::is_none")]
    pub franchises: Option<f64>,
}

impl ModelReport {
    pub fn ranking(ranking: RankingReport) -> Self {
        Self {
            ranking,
            rmse: None,
            franchises: None,
        }
    }
}
