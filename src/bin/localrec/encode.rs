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
/// encode, the files that may hold some (the stored file first, then any shards' parts), and
/// which file and row (if any) encodes each item exactly.
pub struct VectorPlan {
    fingerprint: Fingerprint,
    sources: Vec<ItemVectors>,
    reuse: Vec<Option<(usize, usize)>>,
}

impl VectorPlan {
    /// Compares `out` (if it is there and says what it encodes) with `catalog` read by the
    /// model hashing to `model`.
    pub fn new(catalog: &Catalog, model: &str, out: &Path) -> Self {
        let stored = std::fs::read(out)
            .ok()
            .and_then(|bytes| ItemVectors::from_safetensors(&bytes).ok());
        let mut plan = Self {
            fingerprint: what_vectors_encode(model, catalog.ids_and_texts()),
            sources: Vec::new(),
            reuse: vec![None; catalog.len()],
        };
        if let Some(stored) = stored {
            plan.add_source(stored);
        }
        plan
    }

    /// Takes the rows of `vectors` that encode an item still missing (none if they say
    /// nothing of what they encode, or come from another model).
    fn add_source(&mut self, vectors: ItemVectors) {
        let Some(known) = vectors.fingerprint() else {
            return;
        };
        let source = self.sources.len();
        let rows = self.fingerprint.reusable_rows(&known);
        for (reuse, row) in self.reuse.iter_mut().zip(rows) {
            if reuse.is_none() {
                *reuse = row.map(|row| (source, row));
            }
        }
        self.sources.push(vectors);
    }

    /// The catalogue rows no file encodes, in catalogue order: what a rebuild embeds.
    fn missing(&self) -> Vec<usize> {
        (0..self.reuse.len())
            .filter(|&row| self.reuse[row].is_none())
            .collect()
    }

    /// Items the stored file does not encode (all of them when it is missing, from another
    /// model or too old to say).
    pub fn to_embed(&self) -> usize {
        self.reuse.iter().filter(|r| r.is_none()).count()
    }

    /// Whether the stored file is exactly right as it is.
    fn is_current(&self) -> bool {
        (self.sources.first())
            .and_then(ItemVectors::fingerprint)
            .as_ref()
            == Some(&self.fingerprint)
    }

    /// The vectors: stored rows where they encode the item, the rest embedded by `encoder`
    /// (needed only when [`Self::to_embed`] is not zero); written to `out` unless unchanged.
    pub fn complete(
        mut self,
        catalog: &Catalog,
        encoder: Option<&Encoder>,
        out: &Path,
        batch_size: usize,
    ) -> Result<ItemVectors> {
        if self.is_current() {
            return Ok(self.sources.swap_remove(0));
        }
        let missing: Vec<&str> = (self.missing().into_iter())
            .map(|row| catalog.item(row).text.as_str())
            .collect();
        let mut embedded = match missing.len() {
            0 => Vec::new().into_iter(),
            _ => {
                let encoder = encoder.expect("loaded when items are to be embedded");
                embed_with_progress(encoder, &missing, catalog.len(), batch_size)?.into_iter()
            }
        };
        let rows: Vec<Vec<f32>> = (self.reuse.iter())
            .map(|reused| match reused {
                Some((source, row)) => self.sources[*source].row(*row).to_vec(),
                None => embedded.next().expect("one vector per missing item"),
            })
            .collect();
        let file = ItemVectors::from_rows(rows, provenance())?
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

/// What a vectors file says of the encoder beside its fingerprint.
fn provenance() -> HashMap<String, String> {
    HashMap::from([
        (
            "model".to_string(),
            "sentence-transformers/all-MiniLM-L6-v2".to_string(),
        ),
        (
            "max_length".to_string(),
            localrec::encoder::DEFAULT_MAX_LENGTH.to_string(),
        ),
    ])
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
    let plan = VectorPlan::new(&catalog, model, out);
    let missing = plan.missing();
    let texts: Vec<&str> = (missing.iter())
        .map(|&row| catalog.item(row).text.as_str())
        .collect();
    let mut embedded = match texts.len() {
        0 => Vec::new(),
        _ => encoder()?.embed_shard(&texts, batch_size, shard, |_, _| {})?,
    };
    embedded.sort_unstable_by_key(|(i, _)| *i);
    let keys = (embedded.iter())
        .map(|(i, _)| plan.fingerprint.items[missing[*i]])
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
    let mut plan = VectorPlan::new(&catalog, model, out);
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
    plan.complete(&catalog, None, out, 1)?;
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
