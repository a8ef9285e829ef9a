//! Commands that run the encoder: embed stdin, embed a catalogue, compare sentences.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use std::collections::HashMap;

use indicatif::{ProgressBar, ProgressStyle};
use localrec::item_vectors::ItemVectors;
use localrec::{Encoder, Error, Result};

use crate::write_atomically;

pub fn embed_stdin(encoder: &Encoder, batch_size: usize) -> Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let io_error = |e: std::io::Error| Error::Input(format!("I/O: {e}"));
    let mut pending: Vec<String> = Vec::with_capacity(batch_size);
    let flush = |pending: &mut Vec<String>, out: &mut BufWriter<_>| -> Result<()> {
        let texts: Vec<&str> = pending.iter().map(String::as_str).collect();
        for vector in encoder.embed(&texts)? {
            serde_json::to_writer(&mut *out, &vector).map_err(|e| Error::Input(e.to_string()))?;
            out.write_all(b"\n").map_err(io_error)?;
        }
        out.flush().map_err(io_error)?;
        pending.clear();
        Ok(())
    };
    for line in stdin.lines() {
        pending.push(line.map_err(io_error)?);
        if pending.len() == batch_size {
            flush(&mut pending, &mut out)?;
        }
    }
    flush(&mut pending, &mut out)
}

pub fn embed_catalog(
    encoder: &Encoder,
    adapter: Option<&Path>,
    dataset: &Path,
    out: &Path,
    batch_size: usize,
) -> Result<()> {
    let catalog = crate::dataset::load_catalog(dataset)?;
    let items_path = dataset.join(&catalog.manifest().items);
    let texts = catalog.texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();

    let bar = ProgressBar::new(texts.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} items, {per_sec}, ETA {eta}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("embedding {}", items_path.display()));
    let rows = encoder.embed_many(&texts, batch_size, |done, _| bar.set_position(done as u64))?;
    bar.finish();

    let provenance = HashMap::from([
        (
            "model".to_string(),
            "sentence-transformers/all-MiniLM-L6-v2".to_string(),
        ),
        (
            "max_length".to_string(),
            encoder.tokenizer().max_length().to_string(),
        ),
        ("items".to_string(), items_path.display().to_string()),
    ]);
    let provenance = provenance
        .into_iter()
        .chain(adapter.map(|a| ("adapter".to_string(), a.display().to_string())))
        .collect();
    let bytes = ItemVectors::from_rows(rows, provenance)?.to_safetensors_f16()?;
    write_atomically(out, &bytes)?;
    eprintln!(
        "wrote {} ({} items × {})",
        out.display(),
        catalog.len(),
        encoder.dim()
    );
    Ok(())
}

pub const SAMPLE_SENTENCES: &[&str] = &[
    "Cowboy Bebop. Genres: Action, Adventure, Comedy, Drama, Sci-Fi, Space. Type: TV, 26 episodes.",
    "Giant robots fighting in a war among the stars.",
    "A quiet romance between two high-school students.",
    "Mobile Suit Gundam. Genres: Action, Mecha, Military, Sci-Fi, Space. Type: TV, 43 episodes.",
    "Clannad. Genres: Comedy, Drama, Romance, School, Slice of Life. Type: TV, 23 episodes.",
];

pub fn similarity(encoder: &Encoder, sentences: Vec<String>) -> Result<()> {
    let sentences: Vec<String> = if sentences.is_empty() {
        SAMPLE_SENTENCES.iter().map(|s| s.to_string()).collect()
    } else {
        sentences
    };
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let vectors = encoder.embed(&texts)?;
    println!("Cosine similarity (vectors are unit length, so this is their dot product):\n");
    for (i, text) in texts.iter().enumerate() {
        println!("[{i}] {text}");
    }
    print!("\n    ");
    for j in 0..texts.len() {
        print!("{:>7}", format!("[{j}]"));
    }
    println!();
    for (i, a) in vectors.iter().enumerate() {
        print!("{:>4}", format!("[{i}]"));
        for b in &vectors {
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            print!("{dot:>7.3}");
        }
        println!();
    }
    Ok(())
}
