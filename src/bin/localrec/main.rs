//! The localrec command line: the same model code as the page, run natively.

mod adapt;
mod bench;
mod cli;
mod dataset;
mod encode;
mod evaluate;
mod few_reactions;
mod files;
mod item_item;
mod personal_bound;
mod pretrain;
mod recommend;
mod site;
mod synthetic;
mod taste;
mod text_only;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use localrec::adapt::AdaptConfig;
use localrec::device::{self, Backend};
use localrec::train::TrainConfig;
use localrec::{Encoder, Error, Result};

use bench::{bench, bench_head};
use cli::{Cli, Command};
use encode::{embed_catalog, embed_catalog_part, embed_stdin, merge_catalog_parts, similarity};
use evaluate::eval;
use files::model_file;
pub use files::{
    COMPACT_WEIGHTS, compact_weights, file_sha256, model_hash, read_text, write_atomically,
};
use item_item::fit_item_item;
use pretrain::pretrain;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("localrec: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    // The device (and, for the GPU, its one-per-process runtime) is set up only by commands
    // that run the encoder.
    let adapted_encoder = |max_length: usize, adapter: Option<&Path>| -> Result<Encoder> {
        let device = match cli.backend {
            Backend::Cpu => device::cpu(),
            Backend::Gpu => device::gpu()?,
        };
        let mut encoder = load_encoder(&cli.model_dir, &cli.weights, &device, max_length)?;
        if let Some(path) = adapter {
            let bytes = std::fs::read(path)
                .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
            encoder.merge_adapter(&bytes)?;
        }
        Ok(encoder)
    };
    let encoder = |max_length: usize| adapted_encoder(max_length, cli.adapter.as_deref());
    let default_encoder = || encoder(localrec::encoder::DEFAULT_MAX_LENGTH);
    match cli.command {
        Command::Embed {
            batch_size,
            max_length,
        } => embed_stdin(&encoder(max_length)?, batch_size.max(1)),
        Command::Similarity { sentences } => similarity(&default_encoder()?, sentences),
        Command::EmbedCatalog {
            dataset,
            out,
            batch_size,
            shard,
            part,
            parts,
        } => {
            let out = out.unwrap_or_else(|| dataset.join("item_vectors.safetensors"));
            // --adapter, or else the catalogue's own (as build-site embeds it).
            let adapter = cli
                .adapter
                .clone()
                .or_else(|| dataset::adapter_of(&dataset));
            let model = model_hash(&cli.model_dir, &cli.weights, adapter.as_deref())?;
            let encoder =
                || adapted_encoder(localrec::encoder::DEFAULT_MAX_LENGTH, adapter.as_deref());
            match (shard, part) {
                (Some(shard), Some(part)) => {
                    let shard = item_item::parse_shard(&shard)?;
                    embed_catalog_part(encoder, &model, &dataset, &out, shard, &part, batch_size)
                }
                _ if !parts.is_empty() => merge_catalog_parts(&model, &dataset, &out, &parts),
                _ => embed_catalog(encoder, &model, &dataset, &out, batch_size),
            }
        }
        Command::Eval {
            dataset,
            json,
            seed,
            protocol,
            taste_column,
            taste_phrases,
            keep_choice,
        } => {
            let encoder = |own_adapter: Option<&Path>| {
                let adapter = cli.adapter.as_deref().or(own_adapter);
                adapted_encoder(localrec::encoder::DEFAULT_MAX_LENGTH, adapter)
            };
            let taste = evaluate::TasteOptions {
                column: taste_column,
                phrases: taste_phrases,
                keep_choice,
            };
            eval(&dataset, json, seed, protocol, taste, encoder)
        }
        Command::Recommend {
            dataset,
            reactions,
            taste,
            taste_direct,
            taste_reactions,
            count,
        } => {
            // The catalogue's own weights, where the command line does not say others.
            let weights = |shipped: localrec::recommender::TasteWeights| {
                localrec::recommender::TasteWeights {
                    direct: taste_direct.unwrap_or(shipped.direct),
                    reactions: taste_reactions.unwrap_or(shipped.reactions),
                }
            };
            recommend::recommend(
                &dataset,
                &reactions,
                &taste,
                weights,
                count,
                |own_adapter| {
                    // --adapter, or else the catalogue's own.
                    let adapter = cli.adapter.as_deref().or(own_adapter);
                    adapted_encoder(localrec::encoder::DEFAULT_MAX_LENGTH, adapter)
                },
            )
        }
        Command::FitItemItem {
            dataset,
            ks,
            new_people_cost,
            choice,
            columns,
            head,
            out,
        } => {
            let earlier = choice.clone();
            let weights = match choice {
                None => item_item::Weights::Search {
                    ks,
                    new_people_cost,
                },
                Some(path) if columns.is_empty() => {
                    item_item::Weights::Choice(item_item::read_choice(&path)?)
                }
                Some(path) => {
                    let (columns, shares) = item_item::read_columns(&columns)?;
                    item_item::Weights::Columns(item_item::read_choice(&path)?, columns, shares)
                }
            };
            fit_item_item(&dataset, weights, head, out, earlier.as_deref())
        }
        Command::ItemItemPart {
            dataset,
            choice,
            shard,
            counts,
            out,
        } => item_item::item_item_part(
            &dataset,
            &item_item::read_choice(&choice)?,
            &shard,
            &counts,
            &out,
        ),
        Command::SyntheticCatalog {
            items,
            users,
            interactions,
            seed,
            out,
        } => synthetic::synthetic_catalog(
            &synthetic::SyntheticConfig {
                items,
                users,
                interactions,
                seed,
            },
            &out,
        ),
        Command::Pretrain {
            dataset,
            objective,
            no_ids,
            out,
            epochs,
            learning_rate,
            weight_decay,
            batch_size,
            patience,
            target_share,
            max_history,
            dim,
            split_seed,
            protocol,
            seed,
            negatives,
            negative_exponent,
            epoch_steps,
            validation_users,
        } => {
            let config = TrainConfig {
                objective,
                negative_exponent,
                validation_users,
                learning_rate,
                weight_decay,
                batch_size,
                patience,
                target_share,
                max_history,
                seed,
                ..TrainConfig::default()
            };
            let sizing = pretrain::Sizing {
                negatives,
                epoch_steps,
                epochs,
            };
            pretrain(
                &dataset, out, &config, sizing, !no_ids, dim, split_seed, protocol,
            )
        }
        Command::Adapt {
            dataset,
            out,
            first_layer,
            maps,
            rank,
            steps,
            people_per_step,
            shown_per_person,
            learning_rate,
            temperature,
            validate_every,
            max_length,
            split_seed,
            protocol,
            seed,
            sentence_share,
            taste_column,
            taste_phrases,
        } => {
            let config = AdaptConfig {
                first_layer,
                maps,
                rank,
                steps,
                people_per_step,
                shown_per_person,
                learning_rate,
                temperature,
                validate_every,
                seed,
                sentence_share,
                ..AdaptConfig::default()
            };
            adapt::adapt(
                &dataset,
                out,
                &config,
                &adapt::SentenceSource {
                    column: taste_column.as_deref(),
                    phrases: taste_phrases.as_deref(),
                },
                split_seed,
                protocol,
                &encoder(max_length)?,
                &cli.model_dir.join(&cli.weights),
            )
        }
        Command::CompactModel { out } => {
            let out = out.unwrap_or_else(|| cli.model_dir.join(COMPACT_WEIGHTS));
            let small = compact_weights(&cli.model_dir)?;
            write_atomically(&out, &small)?;
            eprintln!(
                "wrote {} ({:.1} MB)",
                out.display(),
                small.len() as f64 / 1e6
            );
            Ok(())
        }
        Command::BuildSite {
            datasets,
            out,
            web,
            f32_model,
            examples,
            adapt,
        } => site::build_site(
            &site::SiteOptions {
                datasets: &datasets,
                out: &out,
                web: &web,
                model_dir: &cli.model_dir,
                model_hash: &|adapter| model_hash(&cli.model_dir, &cli.weights, adapter),
                f32_model,
                examples,
                adapt,
                weights: &cli.model_dir.join(&cli.weights),
            },
            // Each catalogue's own adapter, if it has one (not --adapter).
            |adapter| adapted_encoder(localrec::encoder::DEFAULT_MAX_LENGTH, adapter),
        ),
        Command::BenchHead {
            dataset,
            head,
            json,
        } => bench_head(&dataset, head, json),
        Command::Bench {
            texts,
            batch_sizes,
            count,
            json,
        } => bench(&default_encoder()?, &texts, &batch_sizes, count, json),
    }
}

fn load_encoder(
    dir: &Path,
    weights: &str,
    device: &burn::tensor::Device,
    max_length: usize,
) -> Result<Encoder> {
    Encoder::from_bytes_with_max_length(
        &model_file(dir, "config.json")?,
        &model_file(dir, "tokenizer.json")?,
        model_file(dir, weights)?,
        device,
        max_length,
    )
}
