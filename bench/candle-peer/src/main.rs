//! candle-transformers' BERT embedding the same texts as `localrec bench`, the same way
//! (truncation at 256, batch padded to its longest text, masked mean pooling, L2), for a
//! same-machine, same-run throughput comparison.
//!
//! Usage: candle-peer MODEL_DIR TEXTS_FILE BATCH[,BATCH…] COUNT

use std::time::Instant;

use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

const FLOP_PER_TOKEN: f64 = 21.2e6;
const FLOP_PER_TOKEN_PAIR: f64 = 9216.0;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, model_dir, texts_path, batches, count] = args.as_slice() else {
        anyhow::bail!("usage: candle-peer MODEL_DIR TEXTS_FILE BATCH[,BATCH…] COUNT");
    };
    let dir = std::path::Path::new(model_dir);
    let device = Device::Cpu;
    let config: Config = serde_json::from_slice(&std::fs::read(dir.join("config.json"))?)?;
    let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &device)? };
    let model = BertModel::load(vb, &config)?;
    let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).map_err(anyhow::Error::msg)?;
    tokenizer.with_padding(Some(PaddingParams::default())); // pad to the longest in the batch
    tokenizer
        .with_truncation(Some(TruncationParams { max_length: 256, ..Default::default() }))
        .map_err(anyhow::Error::msg)?;

    let content = std::fs::read_to_string(texts_path).context("texts file")?;
    let texts: Vec<&str> = content.lines().filter(|l| !l.trim().is_empty()).collect();
    let count: usize = count.parse()?;

    for batch_size in batches.split(',').map(str::parse::<usize>) {
        let batch_size = batch_size?;
        let take = |start: usize| -> Vec<&str> { (0..batch_size).map(|k| texts[(start + k) % texts.len()]).collect() };
        embed(&model, &tokenizer, &take(0), &device)?; // warm-up
        let (mut done, mut tokens, mut flop) = (0usize, 0usize, 0f64);
        let started = Instant::now();
        while done < count {
            let batch = take(done);
            let (_, real) = embed(&model, &tokenizer, &batch, &device)?;
            for length in real {
                tokens += length;
                let l = length as f64;
                flop += FLOP_PER_TOKEN * l + FLOP_PER_TOKEN_PAIR * l * l;
            }
            done += batch.len();
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{}",
            serde_json::json!({"batch": batch_size, "texts": done, "seconds": seconds,
                "sentences_per_s": done as f64 / seconds, "tokens_per_s": tokens as f64 / seconds,
                "gflop_per_s": flop / seconds / 1e9})
        );
    }
    Ok(())
}

/// Returns the pooled, normalised vectors and each text's real token count.
fn embed(model: &BertModel, tokenizer: &Tokenizer, texts: &[&str], device: &Device) -> Result<(Vec<Vec<f32>>, Vec<usize>)> {
    let encodings = tokenizer.encode_batch(texts.to_vec(), true).map_err(anyhow::Error::msg)?;
    let ids: Vec<Tensor> = encodings.iter().map(|e| Tensor::new(e.get_ids(), device)).collect::<candle_core::Result<_>>()?;
    let masks: Vec<Tensor> =
        encodings.iter().map(|e| Tensor::new(e.get_attention_mask(), device)).collect::<candle_core::Result<_>>()?;
    let ids = Tensor::stack(&ids, 0)?;
    let mask = Tensor::stack(&masks, 0)?;
    let type_ids = ids.zeros_like()?;
    let hidden = model.forward(&ids, &type_ids, Some(&mask))?;
    let mask_f = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
    let summed = hidden.broadcast_mul(&mask_f)?.sum(1)?;
    let counts = mask_f.sum(1)?;
    let mean = summed.broadcast_div(&counts)?;
    let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
    let pooled = mean.broadcast_div(&norm)?;
    let real = encodings.iter().map(|e| e.get_attention_mask().iter().filter(|&&m| m == 1).count()).collect();
    Ok((pooled.to_vec2::<f32>()?, real))
}
