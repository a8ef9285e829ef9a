//! The site's files as files: copied (never linked), the page's own chosen by kind, listed
//! with their sizes and sha256, and precompressed (`.gz`, `.br`) where worth it.

use std::collections::BTreeMap;
use std::path::Path;

use localrec::fingerprint::hex;
use localrec::{Error, Result};
use sha2::{Digest, Sha256};

use localrec::site::{SiteFile, brotli_settings, is_page_file, worth_compressing};

/// Copies a file or a folder (recursively). Never a hard link: the site must not change when
/// its sources are edited in place, nor its sources when the site is.
pub(super) fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let meta = std::fs::metadata(from).map_err(|e| io(from, e))?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(from).map_err(|e| io(from, e))? {
            let entry = entry.map_err(|e| io(from, e))?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    std::fs::copy(from, to).map_err(|e| io(from, e))?;
    Ok(())
}

/// Copies the files of `from` (recursively) that a page loads: scripts, styles and pages.
pub(super) fn copy_page_files(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(|e| io(from, e))? {
        let path = entry.map_err(|e| io(from, e))?.path();
        let name = path.file_name().expect("an entry has a name");
        let loaded = path.to_str().is_some_and(is_page_file);
        if path.is_dir() {
            copy_page_files(&path, &to.join(name))?;
        } else if loaded {
            copy_tree(&path, &to.join(name))?;
        }
    }
    Ok(())
}

/// Every file under `dir`, with its path relative to `root` ('/'-separated), size and sha256,
/// in path order.
pub(super) fn list_files(root: &Path, dir: &Path, out: &mut Vec<SiteFile>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .collect::<std::io::Result<_>>()
        .map_err(|e| io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out)?;
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        let relative = path.strip_prefix(root).expect("under root");
        out.push(SiteFile {
            path: relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(&bytes)),
            encoded: BTreeMap::new(),
        });
    }
    Ok(())
}

/// Writes `<file>.gz` and `<file>.br` beside each file worth it, where smaller, and records
/// their sizes; one thread per core, at most four (two where the count is unknown), shares the
/// work (brotli on the wasm and the model is most of it).
pub(super) fn compress_all(root: &Path, files: &mut [SiteFile]) -> Result<()> {
    let mut jobs: Vec<&mut SiteFile> = files
        .iter_mut()
        .filter(|f| worth_compressing(&f.path))
        .collect();
    // The slowest first (the wasm at brotli's highest quality), so that it is not left alone last.
    jobs.sort_by_key(|f| std::cmp::Reverse((brotli_settings(&f.path), f.bytes)));
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    let queue = std::sync::Mutex::new(jobs.into_iter());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let Some(file) = queue.lock().expect("not poisoned").next() else {
                            return Ok(());
                        };
                        let path = root.join(&file.path);
                        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
                        file.encoded = write_copies(root, &file.path, &bytes)?;
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("a compression thread panicked"))
    })
}

/// Writes `<path>.gz` and `<path>.br` of `bytes` beside it in `root`, each where smaller;
/// returns their sizes by encoding.
pub(super) fn write_copies(root: &Path, path: &str, bytes: &[u8]) -> Result<BTreeMap<String, u64>> {
    let mut encoded = BTreeMap::new();
    for (encoding, packed) in [("gz", gzip(bytes)), ("br", brotli(bytes, path))] {
        if packed.len() < bytes.len() {
            write(&root.join(format!("{path}.{encoding}")), &packed)?;
            encoded.insert(encoding.into(), packed.len() as u64);
        }
    }
    Ok(encoded)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Brotli with the settings `localrec::site::brotli_settings` gives the file.
fn brotli(bytes: &[u8], path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (quality, window) = brotli_settings(path);
    let params = brotli::enc::BrotliEncoderParams {
        quality: quality as i32,
        lgwin: window as i32,
        size_hint: bytes.len(),
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

/// Writes `bytes` to `path`, making its folder first.
pub(super) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| io(path, e))
}

pub(super) fn io(path: &Path, error: std::io::Error) -> Error {
    Error::Input(format!("{}: {error}", path.display()))
}
