//! Commands that run the encoder: embed stdin, embed a catalogue, compare sentences.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use localrec::catalog::Catalog;
use localrec::fingerprint::Fingerprint;
use localrec::item_vectors::ItemVectors;
use localrec::vector_plan::{VectorPlan, provenance};
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

/// The plan for the vectors file at `out` (read if it is there): see [`VectorPlan`].
pub fn plan_vectors(catalog: &Catalog, model: &str, out: &Path) -> VectorPlan {
    VectorPlan::new(catalog, model, std::fs::read(out).ok().as_deref())
}

/// Completes `plan` (embedding what it misses with `encoder`, needed only when
/// [`VectorPlan::to_embed`] is not zero) and writes the vectors to `out` unless unchanged.
pub fn complete_vectors(
    plan: VectorPlan,
    catalog: &Catalog,
    encoder: Option<&Encoder>,
    out: &Path,
    batch_size: usize,
) -> Result<ItemVectors> {
    let missing = plan.missing_texts(catalog);
    let embedded = match missing.len() {
        0 => Vec::new(),
        _ => {
            let encoder = encoder.expect("loaded when items are to be embedded");
            embed_with_progress(encoder, &missing, catalog.len(), batch_size)?
        }
    };
    let embedded_count = missing.len();
    let completed = plan.complete(embedded)?;
    if let Some(file) = completed.file {
        write_atomically(out, &file)?;
        let vectors = &completed.vectors;
        eprintln!(
            "wrote {} ({} items × {}: {} embedded, {} reused)",
            out.display(),
            vectors.rows,
            vectors.dim,
            embedded_count,
            vectors.rows - embedded_count
        );
    }
    Ok(completed.vectors)
}

fn embed_with_progress(
    encoder: &Encoder,
    texts: &[&str],
    of: usize,
    batch_size: usize,
) -> Result<Vec<Vec<f32>>> {
    let bar = ProgressBar::new(texts.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} items, {per_sec}, ETA {eta}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("embedding {} of {of} items", texts.len()));
    let rows = encoder.embed_many(texts, batch_size, |done, _| bar.set_position(done as u64))?;
    bar.finish();
    Ok(rows)
}

/// `localrec embed-catalog`: the catalogue's vectors in `out`, embedding only the items whose
/// id or text changed since the file was written (all of them for another model).
pub fn embed_catalog(
    encoder: impl FnOnce() -> Result<Encoder>,
    model: &str,
    dataset: &Path,
    out: &Path,
    batch_size: usize,
) -> Result<()> {
    let catalog = crate::dataset::load_catalog(dataset)?;
    let plan = plan_vectors(&catalog, model, out);
    let encoder = match plan.to_embed() {
        0 => None,
        _ => Some(encoder()?),
    };
    complete_vectors(plan, &catalog, encoder.as_ref(), out, batch_size)?;
    Ok(())
}

/// `localrec embed-catalog --shard i/n --part PART`: shard `i` of `n` of what `embed_catalog`
/// would embed into `out` (the items `out` does not encode, in the very batches one process
/// makes: see [`Encoder::embed_shard`]), written to `part` with each row's item key. Shards
/// run anywhere that sees the catalogue and the model; [`merge_catalog_parts`] joins them into
/// the file one process would write, byte for byte.
pub fn embed_catalog_part(
    encoder: impl FnOnce() -> Result<Encoder>,
    model: &str,
    dataset: &Path,
    out: &Path,
    shard: (usize, usize),
    part: &Path,
    batch_size: usize,
) -> Result<()> {
    let catalog = crate::dataset::load_catalog(dataset)?;
    let plan = plan_vectors(&catalog, model, out);
    let missing = plan.missing();
    let texts = plan.missing_texts(&catalog);
    let mut embedded = match texts.len() {
        0 => Vec::new(),
        _ => encoder()?.embed_shard(&texts, batch_size, shard, |_, _| {})?,
    };
    embedded.sort_unstable_by_key(|(i, _)| *i);
    let keys = (embedded.iter())
        .map(|(i, _)| plan.fingerprint().items[missing[*i]])
        .collect();
    let rows = embedded.into_iter().map(|(_, row)| row).collect();
    let fingerprint = Fingerprint {
        model: model.to_string(),
        items: keys,
    };
    let vectors = ItemVectors::from_rows(rows, provenance())?.with_fingerprint(&fingerprint)?;
    write_atomically(part, &vectors.to_safetensors_f16()?)?;
    eprintln!(
        "wrote {} (shard {} of {}: {} of the {} items to embed)",
        part.display(),
        shard.0,
        shard.1,
        vectors.rows,
        missing.len()
    );
    Ok(())
}

/// `localrec embed-catalog --parts PART…`: the catalogue's vectors in `out` from what `out`
/// already encodes and the shards' parts ([`embed_catalog_part`]), embedding nothing: an item
/// that no file encodes (a shard missing, or made for another catalogue or model) is an error.
pub fn merge_catalog_parts(
    model: &str,
    dataset: &Path,
    out: &Path,
    parts: &[std::path::PathBuf],
) -> Result<()> {
    let catalog = crate::dataset::load_catalog(dataset)?;
    let mut plan = plan_vectors(&catalog, model, out);
    for path in parts {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
        let part = ItemVectors::from_safetensors(&bytes)
            .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
        match part.fingerprint() {
            Some(known) if known.model == model => plan.add_source(part),
            _ => {
                return Err(Error::Input(format!(
                    "{} was not embedded by this model (or says nothing of what it encodes)",
                    path.display()
                )));
            }
        }
    }
    if let Some(&row) = plan.missing().first() {
        return Err(Error::Input(format!(
            "the parts do not encode {} of the {} items (the first: {:?}): a shard is missing, \
             or was embedded for another version of the catalogue",
            plan.to_embed(),
            catalog.len(),
            catalog.item(row).id
        )));
    }
    complete_vectors(plan, &catalog, None, out, 1)?;
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
