//! Commands that run the encoder: embed stdin, embed a catalogue, compare sentences.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use std::collections::HashMap;

use indicatif::{ProgressBar, ProgressStyle};
use localrec::catalog::Catalog;
use localrec::fingerprint::{Fingerprint, what_vectors_encode};
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

/// A catalogue's item vectors as a rebuild finds them: the fingerprint of what they must
/// encode, the stored file, and which stored row (if any) encodes each item exactly.
pub struct VectorPlan {
    fingerprint: Fingerprint,
    stored: Option<ItemVectors>,
    reuse: Vec<Option<usize>>,
}

impl VectorPlan {
    /// Compares `out` (if it is there and says what it encodes) with `catalog` read by the
    /// model hashing to `model`.
    pub fn new(catalog: &Catalog, model: &str, out: &Path) -> Self {
        let fingerprint = what_vectors_encode(model, catalog.ids_and_texts());
        let stored = std::fs::read(out)
            .ok()
            .and_then(|bytes| ItemVectors::from_safetensors(&bytes).ok());
        let reuse = match stored.as_ref().and_then(ItemVectors::fingerprint) {
            Some(known) => fingerprint.reusable_rows(&known),
            None => vec![None; catalog.len()],
        };
        Self {
            fingerprint,
            stored,
            reuse,
        }
    }

    /// Items the stored file does not encode (all of them when it is missing, from another
    /// model or too old to say).
    pub fn to_embed(&self) -> usize {
        self.reuse.iter().filter(|r| r.is_none()).count()
    }

    /// Whether the stored file is exactly right as it is.
    fn is_current(&self) -> bool {
        self.stored
            .as_ref()
            .and_then(ItemVectors::fingerprint)
            .as_ref()
            == Some(&self.fingerprint)
    }

    /// The vectors: stored rows where they encode the item, the rest embedded by `encoder`
    /// (needed only when [`Self::to_embed`] is not zero); written to `out` unless unchanged.
    pub fn complete(
        self,
        catalog: &Catalog,
        encoder: Option<&Encoder>,
        out: &Path,
        batch_size: usize,
    ) -> Result<ItemVectors> {
        if self.is_current() {
            return Ok(self.stored.expect("current means stored"));
        }
        let missing: Vec<&str> = (0..catalog.len())
            .filter(|&row| self.reuse[row].is_none())
            .map(|row| catalog.item(row).text.as_str())
            .collect();
        let mut embedded = match missing.len() {
            0 => Vec::new().into_iter(),
            _ => {
                let encoder = encoder.expect("loaded when items are to be embedded");
                embed_with_progress(encoder, &missing, catalog.len(), batch_size)?.into_iter()
            }
        };
        let rows: Vec<Vec<f32>> = self
            .reuse
            .iter()
            .map(|reused| match (reused, &self.stored) {
                (Some(row), Some(stored)) => stored.row(*row).to_vec(),
                _ => embedded.next().expect("one vector per missing item"),
            })
            .collect();
        let provenance = HashMap::from([
            (
                "model".to_string(),
                "sentence-transformers/all-MiniLM-L6-v2".to_string(),
            ),
            (
                "max_length".to_string(),
                localrec::encoder::DEFAULT_MAX_LENGTH.to_string(),
            ),
        ]);
        let file = ItemVectors::from_rows(rows, provenance)?
            .with_fingerprint(&self.fingerprint)?
            .to_safetensors_f16()?;
        write_atomically(out, &file)?;
        // As the file holds them (f16): what the site's copy and training read is the same.
        let vectors = ItemVectors::from_safetensors(&file)?;
        eprintln!(
            "wrote {} ({} items × {}: {} embedded, {} reused)",
            out.display(),
            vectors.rows,
            vectors.dim,
            missing.len(),
            vectors.rows - missing.len()
        );
        Ok(vectors)
    }
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
    let plan = VectorPlan::new(&catalog, model, out);
    let encoder = match plan.to_embed() {
        0 => None,
        _ => Some(encoder()?),
    };
    plan.complete(&catalog, encoder.as_ref(), out, batch_size)?;
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
