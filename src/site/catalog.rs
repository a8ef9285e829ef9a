//! One catalogue's files in the site (`catalogs/<name>/`): what its first list reads (the head
//! without its ID residuals and the item table, or the text vectors), that list itself for a
//! new visitor, the item–item table as an index and shards of rows by need, its adapter and
//! notices, and how site.json lists it.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::manifest::{SiteCatalog, SiteShard};
use crate::Result;
use crate::catalog::Catalog;
use crate::catalog::folder::{ADAPTER, MANIFEST, VECTORS};
use crate::contract::{DEFAULT_COUNT, FirstList};
use crate::fingerprint::hex;
use crate::item_item::{RowVectors, WeightPrecision, load_item_item, split_into_shards};
use crate::item_vectors::ItemVectors;
use crate::recommender::{MAX_REASONS, PageFiles, Recommender, Request, ScoringFiles, page_files};

/// The site's item–item table: an index (the mix and the popularity counts, what a new person's
/// list needs) and the rows in shards by item range, each named by its content's sha256, which
/// the page fetches as reactions need them (see `crate::item_item::split_into_shards`).
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

/// A catalogue folder's files, as bytes (see `crate::catalog::folder`): what the site's copy
/// is made from.
pub struct CatalogSources {
    /// catalog.json, and the items file it names.
    pub manifest: Vec<u8>,
    pub items: Vec<u8>,
    /// With public lists: the trained head, and the item–item table if fitted.
    pub head: Option<Vec<u8>>,
    pub item_item: Option<Vec<u8>>,
    pub adapter: Option<Vec<u8>>,
    /// Attribution and licence files present (`crate::catalog::folder::NOTICES`), by name.
    pub notices: Vec<(String, Vec<u8>)>,
}

/// A catalogue's part of a site: how site.json lists it, and its files by path from the
/// site's root.
pub struct CatalogSite {
    pub catalog: SiteCatalog,
    pub files: Vec<(String, Vec<u8>)>,
}

/// The site's files for `catalog` (read from `sources`, embedded as `vectors`).
pub async fn catalog_files(
    catalog: &Catalog,
    sources: CatalogSources,
    vectors: &ItemVectors,
) -> Result<CatalogSite> {
    let manifest = catalog.manifest();
    let path = format!("catalogs/{}/", manifest.name);
    // Role → (file name, bytes), as the page loads them.
    let mut files: BTreeMap<&'static str, (String, Vec<u8>)> = BTreeMap::from([
        ("manifest", (MANIFEST.to_string(), sources.manifest)),
        ("items", (manifest.items.clone(), sources.items)),
    ]);
    // The page's text vectors are int8 with a scale per row (a quarter of f32, half of the
    // folder's f16: NDCG@10 unchanged within 0.001); its first list is computed from exactly
    // these.
    let text_vectors = vectors.to_safetensors_int8()?;
    let mut shards = Vec::new();
    let mut site_shards = Vec::new();
    if let Some(head) = sources.head {
        // The first list reads the head's item table, not the text vectors (those follow,
        // for taste sentences): written here from the head, with the head minus its ID
        // residuals (see recommender::page_files).
        // With an item–item table, the item table's history half goes with its shards.
        let history_apart = sources.item_item.is_some();
        let page = page_files(head, &text_vectors, history_apart, &crate::device::cpu()).await?;
        files.insert("head", (HEAD_CORE.into(), page.head));
        files.insert("itemTable", (ITEM_TABLE.into(), page.item_table));
        if let Some(item_item) = sources.item_item {
            let (index, rows) = item_item_shards(&item_item, page.history.as_ref())?;
            files.insert("itemItemIndex", (ITEM_ITEM_INDEX.into(), index));
            (site_shards, shards) = rows.into_iter().unzip();
        }
    }
    files.insert("textVectors", (VECTORS.into(), text_vectors));
    if let Some(adapter) = sources.adapter {
        files.insert("adapter", (ADAPTER.into(), adapter));
    }
    // The list a new visitor sees first, made from the files the page loads: the page shows it
    // before its wasm and the catalogue's files are here.
    let first = first_list(&files).await?;
    files.insert("firstList", (FIRST_LIST.into(), first));
    let kind = match (
        files.contains_key("head"),
        files.contains_key("itemItemIndex"),
    ) {
        (true, true) => "hybrid",
        (true, false) => "head",
        (false, _) => "text",
    };
    let mut site_files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut roles = BTreeMap::new();
    for (role, (name, bytes)) in files {
        roles.insert(role.to_string(), name.clone());
        site_files.push((format!("{path}{name}"), bytes));
    }
    for (name, bytes) in shards.into_iter().chain(sources.notices) {
        site_files.push((format!("{path}{name}"), bytes));
    }
    Ok(CatalogSite {
        catalog: SiteCatalog {
            name: manifest.name.clone(),
            title: manifest.title.clone(),
            path,
            kind: kind.into(),
            items: catalog.len(),
            files: roles,
            item_item_shards: site_shards,
        },
        files: site_files,
    })
}

/// `first-list.json` ([`FirstList`]): the answer of the page's engine for no reactions and no
/// taste, computed from the catalogue's files (by role, as site.json lists them) as the page
/// reads them for its first list.
async fn first_list(files: &BTreeMap<&'static str, (String, Vec<u8>)>) -> Result<Vec<u8>> {
    let read = |role: &str| files.get(role).map(|(_, bytes)| bytes.clone());
    let item_table = read("itemTable");
    let page = PageFiles {
        manifest: read("manifest").unwrap_or_default(),
        items: read("items").unwrap_or_default(),
        scoring: ScoringFiles {
            // With the item table the page's first list goes without the text vectors.
            text_vectors: if item_table.is_some() {
                None
            } else {
                read("textVectors")
            },
            head: read("head"),
            item_table,
            item_item: read("itemItemIndex"),
        },
    };
    let recommender = Recommender::from_page_files(page, &crate::device::cpu())?;
    let list = recommender
        .recommend(&Request {
            count: DEFAULT_COUNT,
            reasons: MAX_REASONS,
            ..Default::default()
        })
        .await?;
    serde_json::to_vec(&FirstList::new(recommender.catalog(), &list)?)
        .map_err(|e| crate::Error::Input(format!("the first list: {e}")))
}

/// The item–item table (`item_item`, a catalogue folder's file) as the site's index and its
/// shards of rows (weights in int8 with a scale per row: half the download), each shard with
/// its file name and how site.json lists it, and carrying its rows' `history` vectors.
#[allow(clippy::type_complexity)]
fn item_item_shards(
    item_item: &[u8],
    history: Option<&RowVectors>,
) -> Result<(Vec<u8>, Vec<(SiteShard, (String, Vec<u8>))>)> {
    let table = load_item_item(item_item)?;
    let split = split_into_shards(&table, SHARD_BYTES, WeightPrecision::Int8, history)?;
    let shards = (split.shards.into_iter())
        .map(|(rows, bytes)| {
            // Named by content: a shard's address never serves other bytes, so caches keep it.
            let file = format!(
                "{ITEM_ITEM_SHARDS}{}.safetensors",
                &hex(&Sha256::digest(&bytes))[..16]
            );
            let listed = SiteShard {
                file: file.clone(),
                rows: [rows.start, rows.end],
            };
            (listed, (file, bytes))
        })
        .collect();
    Ok((split.index, shards))
}
