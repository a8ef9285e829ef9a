//! `localrec pretrain`: train the head on a dataset's public users and write its weights.

use std::path::{Path, PathBuf};

use std::collections::HashMap;
use std::ops::ControlFlow;

use indicatif::{ProgressBar, ProgressStyle};
use localrec::Result;
use localrec::device;
use localrec::head::{HeadConfig, Objective};
use localrec::train::{TrainConfig, pretrain_head};

use crate::dataset::{Dataset, Protocol};
use crate::write_atomically;

/// How a step sees the catalogue and how long training goes on: `None` leaves it to the
/// catalogue's size ([`TrainConfig::sized_for`]), `Some(0)` asks for the full softmax or whole
/// epochs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizing {
    pub negatives: Option<usize>,
    pub epoch_steps: Option<usize>,
    pub epochs: Option<usize>,
}

#[allow(clippy::too_many_arguments)] // the command's options
pub fn pretrain(
    dir: &Path,
    out: Option<PathBuf>,
    config: &TrainConfig,
    sizing: Sizing,
    id_embeddings: bool,
    dim: usize,
    split_seed: u64,
    protocol: Protocol,
) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let config = &config.clone().sized_for(
        dataset.catalog.len(),
        sizing.negatives,
        sizing.epoch_steps,
        sizing.epochs,
    );
    let (split, _, _) = dataset.split_for(split_seed, protocol);
    let vectors = dataset.vectors()?;
    let head_config = HeadConfig {
        dim,
        id_embeddings,
        ..HeadConfig::new(vectors.dim, dataset.catalog.len())
    };
    let variant = head_variant(config.objective, id_embeddings);
    let suffix = dataset.models_suffix(protocol);
    let out = out.unwrap_or_else(|| dataset.dir.join(format!("{variant}{suffix}.safetensors")));

    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "epoch {prefix} [{bar:30}] {pos}/{len} steps, {msg}, ETA {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    eprintln!(
        "training {variant} on {} users ({} validation users, at most {} used), objective {:?}",
        split.train.len(),
        split.validation.len(),
        config.validation_users,
        config.objective
    );
    match (config.negatives, config.epoch_steps) {
        (None, None) => eprintln!("full softmax over {} items, whole epochs", vectors.rows),
        (negatives, steps) => eprintln!(
            "{}; {}",
            negatives.map_or("full softmax".to_string(), |n| format!(
                "sampled softmax: about {n} negatives per step (popularity^{}, logQ-corrected)",
                config.negative_exponent
            )),
            steps.map_or("whole epochs".to_string(), |n| format!(
                "at most {n} steps between validations"
            ))
        ),
    }
    let info = HashMap::from([
        ("name".to_string(), variant.clone()),
        ("dataset".to_string(), dataset.name.clone()),
        ("split_seed".to_string(), split_seed.to_string()),
    ]);
    let (bytes, report) = device::block_on(pretrain_head(
        &split,
        vectors,
        config,
        &head_config,
        info,
        |p| {
            bar.set_length(p.steps as u64);
            bar.set_position(p.step as u64);
            bar.set_prefix(format!("{}/{}", p.epoch, p.epochs));
            match p.validation {
                // Epoch lines are printed even where the bar is hidden (not a terminal).
                Some(v) => bar.suspend(|| {
                    eprintln!(
                        "epoch {:>2}: loss {:.4}, validation {:?}, {:.0} s",
                        p.epoch, p.loss, v, p.elapsed_s
                    )
                }),
                None => bar.set_message(format!("loss {:.4}", p.loss)),
            }
            ControlFlow::Continue(())
        },
    ))?;
    bar.finish_and_clear();
    eprintln!(
        "best epoch {} of {}: {:?} (before training {:?}); {} steps, {:.0} examples/s",
        report.best_epoch,
        report.losses.len(),
        report.best,
        report.initial,
        report.steps,
        report.examples_per_second()
    );
    write_atomically(&out, &bytes)?;
    eprintln!(
        "wrote {} ({:.1} MB)",
        out.display(),
        bytes.len() as f64 / 1e6
    );
    Ok(())
}

/// The file and model name of a head variant: `head`, `head-text-only`, `head-bce`, …
pub fn head_variant(objective: Objective, id_embeddings: bool) -> String {
    let mut name = "head".to_string();
    match objective {
        Objective::Softmax => {}
        Objective::Bce => name.push_str("-bce"),
        Objective::Rating => name.push_str("-rating"),
    }
    if !id_embeddings {
        name.push_str("-text-only");
    }
    name
}
