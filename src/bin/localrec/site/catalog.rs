//! One catalogue's files in the site (`catalogs/<name>/`): what its first list reads (the head
//! without its ID residuals and the item table, or the text vectors), that list itself for a
//! new visitor, the item–item table as an index and shards of rows by need, its adapter and
//! notices, and how site.json lists it.

use std::collections::BTreeMap;
use std::path::Path;

use localrec::Result;
use localrec::catalog::Catalog;
use localrec::contract::{DEFAULT_COUNT, FirstList};
use localrec::device::block_on;
use localrec::fingerprint::hex;
use localrec::item_item::{WeightPrecision, load_item_item, split_into_shards};
use localrec::item_vectors::ItemVectors;
use localrec::recommender::{MAX_REASONS, PageFiles, Recommender, Request, page_files};
use sha2::{Digest, Sha256};

use super::files::{copy_tree, io, write};
use super::manifest::{SiteCatalog, SiteShard};
use crate::dataset::{ADAPTER, HEAD, ITEM_ITEM, MANIFEST, adapter_of};

/// A catalogue's files in the site, by the role the page loads them for.
pub(super) const VECTORS: &str = "item_vectors.safetensors";
/// The site's item–item table: an index (the mix and the popularity counts, what a new person's
/// list needs) and the rows in shards by item range, each named by its content's sha256, which
/// the page fetches as reactions need them (see `localrec::item_item::split_into_shards`).
const ITEM_ITEM_INDEX: &str = "item_item.index.safetensors";
const ITEM_ITEM_SHARDS: &str = "item_item/";
/// About this many bytes of rows a shard: one reaction's fetch is a round trip and a few
/// milliseconds of transfer at 20 Mbit/s, and a catalogue of 100,000 items has a few hundred.
const SHARD_BYTES: usize = 128 * 1024;
/// Written into the site for a trained catalogue: its first list needs only these two.
const HEAD_CORE: &str = "head-core.safetensors";
const ITEM_TABLE: &str = "item_table.safetensors";
/// The list a new visitor sees first (see [`first_list`]).
const FIRST_LIST: &str = "first-list.json";
/// Copied when present: the data's attribution and licence travel with it.
const NOTICES: &[&str] = &["ATTRIBUTION.md", "LICENSE"];

/// Copies one catalogue's files into `site/catalogs/<name>/` and describes it.
pub(super) fn copy_catalog(
    dir: &Path,
    catalog: &Catalog,
    vectors: &ItemVectors,
    site: &Path,
) -> Result<SiteCatalog> {
    let manifest = catalog.manifest();
    let path = format!("catalogs/{}/", manifest.name);
    let to = site.join(&path);
    std::fs::create_dir_all(&to).map_err(|e| io(&to, e))?;
    let mut files = BTreeMap::from([
        ("manifest", MANIFEST.to_string()),
        ("items", manifest.items.clone()),
        ("textVectors", VECTORS.to_string()),
    ]);
    // The page's text vectors are int8 with a scale per row (a quarter of f32, half of the
    // folder's f16: NDCG@10 unchanged within 0.001); its first list is computed from exactly
    // these.
    let vectors = vectors.to_safetensors_int8()?;
    write(&to.join(VECTORS), &vectors)?;
    let trained = manifest.interactions.is_some();
    let mut item_item_shards = Vec::new();
    if trained {
        // The first list reads the head's item table, not the text vectors (those follow,
        // for taste sentences): written here from the head, with the head minus its ID
        // residuals (see recommender::page_files).
        let head = std::fs::read(dir.join(HEAD)).map_err(|e| io(&dir.join(HEAD), e))?;
        let (core, table) = block_on(page_files(head, &vectors, &localrec::device::cpu()))?;
        write(&to.join(HEAD_CORE), &core)?;
        write(&to.join(ITEM_TABLE), &table)?;
        files.insert("head", HEAD_CORE.into());
        files.insert("itemTable", ITEM_TABLE.into());
        if dir.join(ITEM_ITEM).exists() {
            let table = load_item_item(&crate::item_item::read(&dir.join(ITEM_ITEM))?)?;
            item_item_shards = write_item_item_shards(&table, &to)?;
            files.insert("itemItemIndex", ITEM_ITEM_INDEX.into());
        }
    }
    if adapter_of(dir).is_some() {
        files.insert("adapter", ADAPTER.into());
    }
    let copied = ["manifest", "items", "adapter"];
    for name in copied
        .iter()
        .filter_map(|role| files.get(role))
        .map(String::as_str)
        .chain(
            NOTICES
                .iter()
                .copied()
                .filter(|notice| dir.join(notice).exists()),
        )
    {
        copy_tree(&dir.join(name), &to.join(name))?;
    }
    // The list a new visitor sees first, made from the files the page loads: the page shows it
    // before its wasm and the catalogue's files are here.
    write(&to.join(FIRST_LIST), &first_list(&to, &files)?)?;
    files.insert("firstList", FIRST_LIST.into());
    let kind = match (trained, files.contains_key("itemItemIndex")) {
        (true, true) => "hybrid",
        (true, false) => "head",
        (false, _) => "text",
    };
    Ok(SiteCatalog {
        name: manifest.name.clone(),
        title: manifest.title.clone(),
        path,
        kind,
        items: catalog.len(),
        files,
        item_item_shards,
    })
}

/// `first-list.json` ([`FirstList`]): the answer of the page's engine for no reactions and no
/// taste, computed from the catalogue's files in `to` (by role, as site.json lists them) as the
/// page reads them for its first list.
fn first_list(to: &Path, files: &BTreeMap<&'static str, String>) -> Result<Vec<u8>> {
    let read = |role: &str| -> Result<Option<Vec<u8>>> {
        (files.get(role).map(|name| to.join(name)))
            .map(|path| std::fs::read(&path).map_err(|e| io(&path, e)))
            .transpose()
    };
    let item_table = read("itemTable")?;
    let page = PageFiles {
        manifest: read("manifest")?.unwrap_or_default(),
        items: read("items")?.unwrap_or_default(),
        // With the item table the page's first list goes without the text vectors.
        text_vectors: if item_table.is_some() {
            None
        } else {
            read("textVectors")?
        },
        head: read("head")?,
        item_table,
        item_item: read("itemItemIndex")?,
    };
    let recommender = Recommender::from_page_files(page, &localrec::device::cpu())?;
    let list = block_on(recommender.recommend(&Request {
        count: DEFAULT_COUNT,
        reasons: MAX_REASONS,
        ..Default::default()
    }))?;
    let json = serde_json::to_vec(&FirstList::new(recommender.catalog(), &list)?)
        .map_err(|e| localrec::Error::Input(format!("the first list: {e}")))?;
    Ok(json)
}

/// Writes `table` into the catalogue folder `to` as its index and its shards of rows (weights
/// in int8 with a scale per row: half the download); returns the shards as site.json lists them.
fn write_item_item_shards(
    table: &localrec::item_item::ItemItem,
    to: &Path,
) -> Result<Vec<SiteShard>> {
    let split = split_into_shards(table, SHARD_BYTES, WeightPrecision::Int8)?;
    write(&to.join(ITEM_ITEM_INDEX), &split.index)?;
    let folder = to.join(ITEM_ITEM_SHARDS);
    std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
    let mut shards = Vec::with_capacity(split.shards.len());
    for (rows, bytes) in split.shards {
        // Named by content: a shard's address never serves other bytes, so caches keep it.
        let file = format!(
            "{ITEM_ITEM_SHARDS}{}.safetensors",
            &hex(&Sha256::digest(&bytes))[..16]
        );
        write(&to.join(&file), &bytes)?;
        shards.push(SiteShard {
            file,
            rows: [rows.start, rows.end],
        });
    }
    Ok(shards)
}
