//! What a catalogue lacks, made before anything of the site is written: its language-model
//! adapter (with `--adapt`), and where it has public lists its head and item–item table when
//! missing or made from other item vectors. (Its item vectors: `localrec::vector_plan`.)

use std::path::Path;

use localrec::catalog::Catalog;
use localrec::item_vectors::ItemVectors;
use localrec::{Encoder, Error, Result};

use super::SiteOptions;
use super::files::io;
use crate::dataset::{ADAPTER, HEAD, ITEM_ITEM, Protocol, adapter_of};
use crate::file_sha256;
use crate::item_item::{DEFAULT_KS, Weights, fit_item_item};
use crate::pretrain::pretrain;

/// The inputs of `dir`'s catalogue that its adapter was not trained on (the items file, the
/// lists file), by name; `None` without an adapter. An old adapter still reads any text, but
/// was tuned to what people liked in the old lists.
fn adapter_is_old_for(dir: &Path, catalog: &Catalog) -> Result<Option<Vec<String>>> {
    let Some(adapter) = adapter_of(dir) else {
        return Ok(None);
    };
    let bytes = std::fs::read(&adapter).map_err(|e| io(&adapter, e))?;
    let (_, metadata) = safetensors::SafeTensors::read_metadata(&bytes)
        .map_err(|e| Error::Input(format!("{}: {e}", adapter.display())))?;
    let trained_on = metadata.metadata().clone().unwrap_or_default();
    let manifest = catalog.manifest();
    let inputs = [
        ("items_sha256", Some(&manifest.items)),
        ("lists_sha256", manifest.interactions.as_ref()),
    ];
    let mut old = Vec::new();
    for (key, file) in inputs {
        let Some(file) = file else { continue };
        if trained_on.get(key) != Some(&file_sha256(&dir.join(file))?) {
            old.push(file.clone());
        }
    }
    Ok(Some(old))
}

/// With `--adapt`, trains `dir`'s adapter where the catalogue has lists and no adapter trained
/// on its current items and lists; without, notes an old one.
pub(super) fn adapt_if_asked(
    dir: &Path,
    catalog: &Catalog,
    options: &SiteOptions,
    encoder: &impl Fn(Option<&Path>) -> Result<Encoder>,
) -> Result<()> {
    let old = adapter_is_old_for(dir, catalog)?;
    let has_lists = catalog.manifest().interactions.is_some();
    match (&old, options.adapt && has_lists) {
        (Some(old), true) if old.is_empty() => {
            eprintln!(
                "{}: its adapter matches its items and lists (kept)",
                dir.display()
            );
            Ok(())
        }
        (_, true) => {
            eprintln!(
                "{}: fine-tuning the language model for it (localrec adapt)",
                dir.display()
            );
            let config = localrec::adapt::AdaptConfig::default();
            crate::adapt::adapt(
                dir,
                Some(dir.join(ADAPTER)),
                &config,
                &Default::default(),
                42,
                crate::dataset::Protocol::Standard,
                &encoder(None)?,
                options.weights,
            )
        }
        (Some(old), false) => {
            for file in old {
                eprintln!(
                    "note: {} was trained on another {file}: it still works, but `localrec adapt \
                     --dataset {}` (or `build-site --adapt`) would tune it to this one",
                    dir.join(ADAPTER).display(),
                    dir.display()
                );
            }
            Ok(())
        }
        (None, false) => {
            if options.adapt {
                eprintln!(
                    "{}: no public lists, so nothing to fine-tune the language model on",
                    dir.display()
                );
            }
            Ok(())
        }
    }
}

/// For a catalogue with public interactions (with the commands' defaults): trains the head if
/// it is missing or was trained on other item vectors than `vectors` (an edited catalogue, a
/// new adapter), and then fits the item–item table, whose mix is fitted with the head's
/// scores, again.
pub(super) fn train_if_missing(dir: &Path, catalog: &Catalog, vectors: &ItemVectors) -> Result<()> {
    if catalog.manifest().interactions.is_none() {
        return Ok(());
    }
    let head = std::fs::read(dir.join(HEAD)).ok();
    let retrain = localrec::head::retrain_reason(head.as_deref(), vectors)
        .map_err(|e| Error::Input(format!("{}: {e}", dir.join(HEAD).display())))?;
    if let Some(why) = retrain {
        eprintln!(
            "{}: training the head ({why}; `localrec pretrain`'s defaults)",
            dir.display()
        );
        let config = localrec::train::TrainConfig::default();
        let dim = localrec::head::HeadConfig::new(0, 0).dim;
        // Sized for the catalogue: sampled softmax and a step budget above 20,000 items.
        let sizing = crate::pretrain::Sizing::default();
        pretrain(
            dir,
            None,
            &config,
            sizing,
            true,
            dim,
            42,
            Protocol::Standard,
        )?;
    }
    if retrain.is_some() || !dir.join(ITEM_ITEM).exists() {
        eprintln!("{}: fitting the item–item table", dir.display());
        fit_item_item(dir, Weights::search(DEFAULT_KS.to_vec()), None, None, None)?;
    }
    Ok(())
}
