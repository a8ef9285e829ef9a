//! `localrec adapt`: fine-tune the language model for a catalogue (a low-rank adapter on its
//! upper layers, see `localrec::adapt`) on the training users of eval's split, and write it.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use localrec::adapt::{AdaptConfig, LowerStates, TasteQueries, train_adapter};
use localrec::{Encoder, Result};

use crate::dataset::{ADAPTER, Dataset, Protocol};
use crate::taste::training_sentences;
use crate::{file_sha256, write_atomically};

/// The adapter file of `protocol` in `dataset` (its own split's, where it has one).
pub fn adapter_path(dataset: &Dataset, protocol: Protocol) -> PathBuf {
    let suffix = dataset.models_suffix(protocol);
    let name = ADAPTER.replace(".safetensors", &format!("{suffix}.safetensors"));
    dataset.dir.join(name)
}

/// Where the taste sentences come from, when some people ask by one (`sentence_share` > 0).
#[derive(Default)]
pub struct SentenceSource<'a> {
    /// The label column (default: the first shown column).
    pub column: Option<&'a str>,
    /// The labels in a person's words (a wording of its own, not the evaluation's).
    pub phrases: Option<&'a Path>,
}

#[allow(clippy::too_many_arguments)]
pub fn adapt(
    dir: &Path,
    out: Option<PathBuf>,
    config: &AdaptConfig,
    sentences: &SentenceSource<'_>,
    split_seed: u64,
    protocol: Protocol,
    encoder: &Encoder,
    weights: &Path,
) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    let (split, _, _) = dataset.split_for(split_seed, protocol);
    let out = out.unwrap_or_else(|| adapter_path(&dataset, protocol));
    let texts = dataset.catalog.texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();

    let bar = ProgressBar::new(texts.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}, ETA {eta}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(format!(
        "layers below {} of every item text",
        config.first_layer
    ));
    let states = LowerStates::compute(encoder, &texts, config.first_layer, |done, _| {
        bar.set_position(done as u64)
    })?;
    bar.finish();
    let taste = if config.sentence_share > 0.0 {
        let (texts, people) =
            training_sentences(&dataset, &split.train, sentences.column, sentences.phrases)?;
        eprintln!(
            "{} taste sentences of {} training people, e.g. {:?}",
            texts.len(),
            people.len(),
            &texts[..texts.len().min(4)]
        );
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let states = LowerStates::compute(encoder, &texts, config.first_layer, |_, _| {})?;
        Some(TasteQueries {
            sentences: states,
            people,
        })
    } else {
        None
    };

    eprintln!(
        "adapting layers {}.. ({:?}, rank {}) on {} users' lists; validation: text-kNN of {} users",
        config.first_layer,
        config.maps,
        config.rank,
        split.train.len(),
        split.validation.len()
    );
    let started = std::time::Instant::now();
    let mut recent = Vec::new();
    let (adapter, report) = train_adapter(
        encoder,
        &states,
        &split.train,
        taste.as_ref(),
        &split.validation,
        config,
        |progress| {
            recent.push(progress.loss);
            if let Some(ndcg) = progress.validation {
                let mean = recent.iter().sum::<f64>() / recent.len() as f64;
                recent.clear();
                eprintln!(
                    "step {}/{}: loss {mean:.3}, validation NDCG@10 {ndcg:.4} ({:.0} s)",
                    progress.step,
                    progress.steps,
                    started.elapsed().as_secs_f64()
                );
            }
        },
    )?;
    eprintln!(
        "validation text-kNN NDCG@10: {:.4} unadapted, {:.4} best (step {})",
        report.initial, report.best, report.best_step
    );
    let Some(mut adapter) = adapter else {
        eprintln!("no adapter beat the unadapted encoder: nothing written");
        return Ok(());
    };
    // What it was trained on, so that a build can tell whether it still fits its catalogue.
    let manifest = dataset.catalog.manifest();
    let lists = manifest.interactions.as_ref().expect("a dataset has lists");
    adapter.provenance.extend([
        (
            "items_sha256".to_string(),
            file_sha256(&dataset.dir.join(&manifest.items))?,
        ),
        (
            "lists_sha256".to_string(),
            file_sha256(&dataset.dir.join(lists))?,
        ),
        ("model_sha256".to_string(), file_sha256(weights)?),
        ("dataset".to_string(), dataset.name.clone()),
        ("split_seed".to_string(), split_seed.to_string()),
        ("protocol".to_string(), format!("{protocol:?}")),
        (
            "taste_phrases".to_string(),
            sentences
                .phrases
                .map_or(String::new(), |p| p.display().to_string()),
        ),
        ("best_step".to_string(), report.best_step.to_string()),
        (
            "config".to_string(),
            serde_json::to_string(config).expect("plain config"),
        ),
    ]);
    let bytes = adapter.to_safetensors()?;
    write_atomically(&out, &bytes)?;
    eprintln!(
        "wrote {} ({} numbers, {:.0} kB)",
        out.display(),
        adapter.parameters(),
        bytes.len() as f64 / 1e3
    );
    Ok(())
}
