//! Loading: a [`Recommender`] built from a catalogue's files (its text vectors or precomputed
//! item table, its head, its item–item table), each checked against the catalogue, and the
//! page's first-list files ([`page_files`]) made from a trained head.

use std::collections::HashMap;

use burn::tensor::{Device, Tensor};

use super::score::{THIN_TEXT_PENALTY, THIN_TEXT_WORDS};
use super::{Kind, Recommender};
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::franchise::catalog_franchises;
use crate::head::{Head, HeadConfig, ItemTable, load_head, read_rows, save_head};
use crate::item_item::load_item_item;
use crate::item_vectors::ItemVectors;
use crate::popularity::popularity_prior;
use crate::taste::{TASTE_MATCH_WEIGHT, TasteWeights};

/// A catalogue's files as the page loads them (site.json's roles): the manifest and items, and
/// either the text vectors or, for a first list without them, the head's precomputed item
/// table (which needs the head); the head and the item–item table (its whole file or its
/// index) where the catalogue has public interactions.
#[derive(Default)]
pub struct PageFiles {
    pub manifest: Vec<u8>,
    pub items: Vec<u8>,
    pub text_vectors: Option<Vec<u8>>,
    pub head: Option<Vec<u8>>,
    pub item_table: Option<Vec<u8>>,
    pub item_item: Option<Vec<u8>>,
}

impl Recommender {
    /// Builds the recommender from the catalogue, the items' text vectors (in
    /// catalogue order) and the head's weights; without a head (a catalogue with no public
    /// interactions) it ranks by text alone ([`Head::text_only`]).
    pub fn new(
        catalog: Catalog,
        head_bytes: Option<Vec<u8>>,
        item_vectors: &[u8],
        device: &Device,
    ) -> Result<Self> {
        let vectors = ItemVectors::from_safetensors(item_vectors)?;
        if vectors.rows != catalog.len() {
            return Err(Error::Input(format!(
                "the catalogue has {} items and the text vectors {} rows: they come from \
                 different catalogues (rebuild the vectors with `localrec embed-catalog`)",
                catalog.len(),
                vectors.rows,
            )));
        }
        let text_dim = vectors.dim;
        let text = vectors.into_tensor(device);
        let (head, config, items, kind) = match head_bytes {
            Some(bytes) => {
                let file = load_head(bytes, device)?;
                if file.config.items != catalog.len() {
                    return Err(Error::Input(format!(
                        "the catalogue has {} items and the head {}: they come from different \
                         catalogues",
                        catalog.len(),
                        file.config.items
                    )));
                }
                if text_dim != file.config.text_dim {
                    return Err(Error::Input(format!(
                        "item vectors are {}-d, the head reads {}-d text vectors",
                        text_dim, file.config.text_dim
                    )));
                }
                let items = file.head.item_table(text.clone());
                (file.head, file.config, items, Kind::Head)
            }
            None => {
                let mean = text.clone().mean_dim(0).reshape([text_dim]);
                let (head, config) = Head::text_only(catalog.len(), mean, TASTE_MATCH_WEIGHT)?;
                let items = head.text_only_table(text.clone());
                (head, config, items, Kind::Text)
            }
        };
        Ok(Self::assemble(
            head,
            config,
            catalog,
            items,
            Some(text),
            kind,
        ))
    }

    /// The parts the constructors have checked, with each row's franchise.
    fn assemble(
        head: Head,
        config: HeadConfig,
        catalog: Catalog,
        items: ItemTable,
        text: Option<Tensor<2>>,
        kind: Kind,
    ) -> Self {
        let text_prior = (kind == Kind::Text)
            .then(|| catalog.popularity().map(|counts| popularity_prior(&counts)))
            .flatten();
        let thin_text = (kind == Kind::Text).then(|| {
            (0..catalog.len())
                .map(|row| {
                    let words = catalog.item(row).text.split_whitespace().count() as f32;
                    TASTE_MATCH_WEIGHT * THIN_TEXT_PENALTY * THIN_TEXT_WORDS
                        / (words + THIN_TEXT_WORDS)
                })
                .collect()
        });
        Self {
            head,
            config,
            franchise: catalog_franchises(&catalog),
            text_prior,
            thin_text,
            catalog,
            // Rows of it are taken for every list: in memory of its own (see `materialised`).
            items: items.materialised(),
            text,
            item_item: None,
            kind,
            taste: TasteWeights::default(),
        }
    }

    /// Builds the recommender from the page's files, as the page does (the wasm's
    /// `loadCatalog`, and `build-site` for the list a new visitor sees first).
    pub fn from_page_files(files: PageFiles, device: &Device) -> Result<Self> {
        let catalog = Catalog::load(&files.manifest, &files.items)?;
        let recommender = match (files.item_table, files.head, files.text_vectors) {
            (Some(table), Some(head), vectors) => {
                let mut recommender = Self::from_item_table(catalog, head, &table, device)?;
                if let Some(bytes) = vectors {
                    recommender.attach_text_vectors(&bytes)?;
                }
                recommender
            }
            (Some(_), None, _) => {
                return Err(Error::Input("an item table needs its head".into()));
            }
            (None, head, Some(vectors)) => Self::new(catalog, head, &vectors, device)?,
            (None, _, None) => {
                return Err(Error::Input(
                    "a catalogue needs its text vectors or its item table".into(),
                ));
            }
        };
        match files.item_item {
            Some(bytes) => recommender.with_item_item(&bytes),
            None => Ok(recommender),
        }
    }

    /// Builds the recommender from what a page's first list needs: the catalogue, the head
    /// without its ID residuals and the precomputed item table (see [`page_files`]). Taste
    /// sentences wait for [`Recommender::with_text_vectors`].
    pub fn from_item_table(
        catalog: Catalog,
        head_bytes: Vec<u8>,
        item_table: &[u8],
        device: &Device,
    ) -> Result<Self> {
        let file = load_head(head_bytes, device)?;
        let table = ItemVectors::from_safetensors(item_table)?;
        let config = file.config;
        let width = 2 * config.dim + 1;
        if table.provenance.get(TABLE_CONTENT_KEY).map(String::as_str) != Some(TABLE_CONTENT) {
            return Err(Error::Input(
                "the item table file is not an item table".into(),
            ));
        }
        if table.rows != catalog.len() || config.items != catalog.len() || table.dim != width {
            return Err(Error::Input(format!(
                "the catalogue has {} items, the item table {} rows of {} and the head {} items \
                 of width {width}: they come from different catalogues",
                catalog.len(),
                table.rows,
                table.dim,
                config.items,
            )));
        }
        let items = ItemTable::from_outputs(table.into_tensor(device), config.dim);
        Ok(Self::assemble(
            file.head,
            config,
            catalog,
            items,
            None,
            Kind::Head,
        ))
    }

    /// Adds the items' text vectors (for taste sentences) to a recommender built from its
    /// item table. A file that does not fit changes nothing.
    pub fn attach_text_vectors(&mut self, item_vectors: &[u8]) -> Result<()> {
        let vectors = ItemVectors::from_safetensors(item_vectors)?;
        if vectors.rows != self.catalog.len() || vectors.dim != self.config.text_dim {
            return Err(Error::Input(format!(
                "the text vectors are {} × {}, this catalogue needs {} × {}: it comes from another \
                 catalogue or model",
                vectors.rows,
                vectors.dim,
                self.catalog.len(),
                self.config.text_dim
            )));
        }
        self.text = Some(vectors.into_tensor(&self.items.vectors.device()));
        Ok(())
    }

    /// Whether taste sentences can be matched (the item texts are loaded).
    pub fn has_text_vectors(&self) -> bool {
        self.text.is_some()
    }

    /// Adds the item–item part (`item_item.safetensors`): scores become the head's plus the
    /// item–item shares of the reactions, mixed as the file says, and taste sentences weigh as
    /// it says.
    pub fn with_item_item(self, bytes: &[u8]) -> Result<Self> {
        let table = load_item_item(bytes)?;
        if table.n_items() != self.catalog.len() {
            return Err(Error::Input(format!(
                "the item–item table has {} items, the catalogue {}: they come from different \
                 catalogues",
                table.n_items(),
                self.catalog.len()
            )));
        }
        Ok(Self {
            taste: table.mix.taste_weights(),
            item_item: Some(table),
            kind: Kind::Hybrid,
            ..self
        })
    }

    /// Adds a shard of the item–item rows, for a table loaded from its index (see
    /// [`crate::item_item::ItemItem::add_shard`]); returns the shard's number.
    pub fn add_item_item_shard(&mut self, bytes: &[u8]) -> Result<usize> {
        (self.item_item.as_mut())
            .ok_or_else(|| Error::Input("this catalogue has no item–item table".into()))?
            .add_shard(bytes)
    }
}

/// Metadata that marks an item table file (an item-matrix file of the head's outputs).
const TABLE_CONTENT_KEY: &str = "content";
const TABLE_CONTENT: &str = "item_table";

/// What a page needs for its first list, from a trained head and the items' text vectors: the
/// head without its ID residuals, and the item table (each item's candidate vector, bias and
/// history vector) in int8 with a scale per row: half the bytes of f16, and on anime-5k the same
/// NDCG@10 to 0.0004 (head 0.3336 against 0.3340, hybrid 0.5413 both). Returns `(head, item_table)` file bytes; see
/// [`Recommender::from_item_table`].
pub async fn page_files(
    head_bytes: Vec<u8>,
    item_vectors: &[u8],
    device: &Device,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let file = load_head(head_bytes, device)?;
    let vectors = ItemVectors::from_safetensors(item_vectors)?;
    if vectors.rows != file.config.items || vectors.dim != file.config.text_dim {
        return Err(Error::Input(format!(
            "the text vectors are {} × {}, the head reads {} × {}",
            vectors.rows, vectors.dim, file.config.items, file.config.text_dim
        )));
    }
    let rows = read_rows(file.head.item_table(vectors.into_tensor(device)).outputs()).await?;
    let provenance = HashMap::from([
        (TABLE_CONTENT_KEY.to_string(), TABLE_CONTENT.to_string()),
        ("dim".to_string(), file.config.dim.to_string()),
    ]);
    let table = ItemVectors::from_rows(rows, provenance)?.to_safetensors_int8()?;
    let (core, config) = file.head.without_id_embeddings(&file.config);
    let head = save_head(&core, &config, file.objective, &file.info)?;
    Ok((head, table))
}
