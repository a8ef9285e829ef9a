//! The files the commands read and write: the model's (its compact weights, its fingerprint),
//! hashes of inputs, and writes that a reader never sees half done.

use std::path::Path;

use localrec::{Error, Result};

/// The compact weights' file name beside the f32 model (what the page downloads by default).
pub use localrec::site::COMPACT_WEIGHTS;

/// The compact weights of the model in `model_dir` (its f32 weights and its tokenizer, which
/// names the word embeddings no text reaches).
pub fn compact_weights(model_dir: &Path) -> Result<Vec<u8>> {
    let read = |name: &str| {
        let path = model_dir.join(name);
        std::fs::read(&path)
            .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))
    };
    let tokenizer = localrec::encoder::TextTokenizer::from_bytes(
        &read("tokenizer.json")?,
        localrec::encoder::DEFAULT_MAX_LENGTH,
    )?;
    let unreachable = tokenizer.unreachable_reserved_ids()?;
    localrec::encoder::compact::compact(&read("model.safetensors")?, &unreachable)
}

/// The fingerprint's model part for the encoder in `dir` with `weights`, and with `adapter`
/// merged where one is named (an adapted model embeds otherwise).
pub fn model_hash(dir: &Path, weights: &str, adapter: Option<&Path>) -> Result<String> {
    let mut files = vec![
        model_file(dir, "config.json")?,
        model_file(dir, "tokenizer.json")?,
        model_file(dir, weights)?,
    ];
    if let Some(adapter) = adapter {
        files.push(
            std::fs::read(adapter)
                .map_err(|e| Error::Input(format!("cannot read {}: {e}", adapter.display())))?,
        );
    }
    let files: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    Ok(localrec::fingerprint::model_hash(
        &files,
        localrec::encoder::DEFAULT_MAX_LENGTH,
    ))
}

/// The hex sha256 of the file at `path` (what a trained file records of its inputs).
pub fn file_sha256(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    Ok(localrec::fingerprint::hex(&Sha256::digest(&bytes)))
}

pub fn model_file(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| {
        Error::Input(format!(
            "cannot read {} ({e}); {FETCH_MODEL}",
            path.display()
        ))
    })
}

/// What to do when the model is missing: the script, named in the checkout this command was
/// built from (an adopter runs the command from their own folder).
pub const FETCH_MODEL: &str = concat!(
    "fetch the model with ",
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/fetch-model.sh, or give its folder with --model-dir"
);

/// What to do when the page's wasm is missing, likewise.
pub const BUILD_WEB: &str = concat!(
    "build it with ",
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/build-web.sh, or give the folder that has it with --web"
);

/// The file at `path` as text, or an error that names it.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))
}

/// Write then rename: a reader never sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))
}
