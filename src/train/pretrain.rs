//! A head trained on a catalogue's public lists, as the file a catalogue keeps: what `localrec
//! pretrain` writes, and the npm package's `build-site` (in wasm) for a catalogue with lists.

use std::collections::HashMap;
use std::ops::ControlFlow;

use super::{Progress, TrainConfig, TrainReport, train};
use crate::Result;
use crate::eval::split::Split;
use crate::head::{Head, HeadConfig, TRAINED_ON_VECTORS, save_head};
use crate::item_vectors::ItemVectors;

/// Trains a head of `head_config` (its text width and items those of `vectors`) on `split`'s
/// training lists, validated on its validation users, on the CPU; returns its file, with
/// `info` and what it was trained with and on (the config, the best validation, the item
/// vectors' digest: a build retrains a head whose vectors have changed since), and the report.
pub async fn pretrain_head(
    split: &Split,
    vectors: &ItemVectors,
    config: &TrainConfig,
    head_config: &HeadConfig,
    mut info: HashMap<String, String>,
    on_progress: impl FnMut(&Progress) -> ControlFlow<()>,
) -> Result<(Vec<u8>, TrainReport)> {
    let device = crate::device::cpu();
    let text = vectors.clone().into_tensor(&device);
    let mean = text.clone().mean_dim(0).reshape([head_config.text_dim]);
    let head = Head::with_text_mean(head_config, config.seed, mean)?;
    let (head, report) = train(
        head,
        &text,
        &split.train,
        &split.validation,
        config,
        on_progress,
    )
    .await?;
    info.extend([
        (
            "train_config".to_string(),
            serde_json::to_string(config).expect("plain struct"),
        ),
        (
            "validation".to_string(),
            serde_json::to_string(&report.best).expect("plain enum"),
        ),
    ]);
    if let Some(digest) = vectors.digest() {
        info.insert(TRAINED_ON_VECTORS.to_string(), digest.to_string());
    }
    let bytes = save_head(&head, head_config, config.objective, &info)?;
    Ok((bytes, report))
}
