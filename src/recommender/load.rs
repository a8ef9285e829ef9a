//! Loading: a [`Recommender`] built from a catalogue's files (its text vectors or precomputed
//! item table, its head, its item–item table), each checked against the catalogue, and the
//! page's first-list files ([`page_files`]) made from a trained head.

use burn::tensor::{Device, Tensor};

use super::score::{THIN_TEXT_PENALTY, THIN_TEXT_WORDS};
use super::table_file;
use super::{Kind, Recommender};
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::franchise::{Franchises, catalog_franchises};
use crate::head::{Head, HeadConfig, ItemTable, load_head, read_rows, save_head};
use crate::item_item::{RowVectors, load_item_item, shard_row_vectors};
use crate::item_vectors::ItemVectors;
use crate::popularity::popularity_prior;
use crate::taste::{TASTE_MATCH_WEIGHT, TasteWeights};

/// A catalogue's files as the page loads them (site.json's roles): the manifest and items, and
/// what it scores with.
#[derive(Default)]
pub struct PageFiles {
    pub manifest: Vec<u8>,
    pub items: Vec<u8>,
    pub scoring: ScoringFiles,
}

/// What a catalogue scores with: either the text vectors or, for a first list without them,
/// the head's precomputed item table (which needs the head); the head and the item–item table
/// (its whole file or its index) where the catalogue has public interactions.
#[derive(Default)]
pub struct ScoringFiles {
    pub text_vectors: Option<Vec<u8>>,
    pub head: Option<Vec<u8>>,
    pub item_table: Option<Vec<u8>>,
    pub item_item: Option<Vec<u8>>,
}

/// A catalogue as a recommender reads it: its items, and each one's franchise. The page reads
/// it from the items while the files it scores with still download
/// ([`Recommender::from_scoring_files`]).
pub struct ReadCatalog {
    catalog: Catalog,
    franchise: Franchises,
}

impl ReadCatalog {
    /// The catalogue from its manifest and items file (see [`Catalog::load`]).
    pub fn load(manifest: &[u8], items: &[u8]) -> Result<Self> {
        Ok(Catalog::load(manifest, items)?.into())
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn len(&self) -> usize {
        self.catalog.len()
    }
}

impl From<Catalog> for ReadCatalog {
    fn from(catalog: Catalog) -> Self {
        Self {
            franchise: catalog_franchises(&catalog),
            catalog,
        }
    }
}

impl Recommender {
    /// Builds the recommender from the catalogue, the items' text vectors (in
    /// catalogue order) and the head's weights; without a head (a catalogue with no public
    /// interactions) it ranks by text alone ([`Head::text_only`]).
    pub fn new(
        catalog: impl Into<ReadCatalog>,
        head_bytes: Option<Vec<u8>>,
        item_vectors: &[u8],
        device: &Device,
    ) -> Result<Self> {
        let catalog = catalog.into();
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

    /// The parts the constructors have checked.
    fn assemble(
        head: Head,
        config: HeadConfig,
        catalog: ReadCatalog,
        items: ItemTable,
        text: Option<Tensor<2>>,
        kind: Kind,
    ) -> Self {
        let ReadCatalog { catalog, franchise } = catalog;
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
            franchise,
            text_prior,
            thin_text,
            catalog,
            // Rows of it are taken for every list: in memory of its own (see `materialised`).
            items: items.materialised(),
            text,
            item_item: None,
            kind,
            taste: TasteWeights::default(),
            history_in_shards: false,
        }
    }

    /// Builds the recommender from the page's files, as the page does (the wasm's
    /// `loadCatalog`, and `build-site` for the list a new visitor sees first).
    pub fn from_page_files(files: PageFiles, device: &Device) -> Result<Self> {
        let catalog = ReadCatalog::load(&files.manifest, &files.items)?;
        Self::from_scoring_files(catalog, files.scoring, device)
    }

    /// Builds the recommender from a catalogue already read and the files it scores with.
    pub fn from_scoring_files(
        catalog: ReadCatalog,
        files: ScoringFiles,
        device: &Device,
    ) -> Result<Self> {
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
        let recommender = match files.item_item {
            Some(bytes) => recommender.with_item_item(&bytes)?,
            None => recommender,
        };
        let shards = recommender.item_item().map_or(0, |t| t.shard_count());
        if recommender.history_in_shards && shards == 0 {
            return Err(Error::Input(
                "the item table's history vectors come with the item–item shards, and this \
                 catalogue's item–item table has none: its files come from different builds"
                    .into(),
            ));
        }
        Ok(recommender)
    }

    /// Builds the recommender from what a page's first list needs: the catalogue, the head
    /// without its ID residuals and the precomputed item table (see [`page_files`]): whole, or
    /// its candidates alone, whose history vectors then come with the item–item shards.
    /// Taste sentences wait for [`Recommender::attach_text_vectors`].
    pub fn from_item_table(
        catalog: impl Into<ReadCatalog>,
        head_bytes: Vec<u8>,
        item_table: &[u8],
        device: &Device,
    ) -> Result<Self> {
        let catalog = catalog.into();
        let file = load_head(head_bytes, device)?;
        let config = file.config;
        if config.items != catalog.len() {
            return Err(Error::Input(format!(
                "the catalogue has {} items and the head {}: they come from different catalogues",
                catalog.len(),
                config.items
            )));
        }
        let (items, history_in_shards) =
            table_file::read(item_table, config.items, config.dim, device)?;
        Ok(Self {
            history_in_shards,
            ..Self::assemble(file.head, config, catalog, items, None, Kind::Head)
        })
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
    /// [`crate::item_item::ItemItem::add_shard`]), with the head's history vectors of its rows
    /// where they come with the shards; returns the shard's number. A shard refused changes
    /// nothing.
    pub fn add_item_item_shard(&mut self, bytes: &[u8]) -> Result<usize> {
        // Read first: a shard whose vectors are damaged or missing adds no rows either.
        let history = match self.history_in_shards {
            true => Some(self.shard_history(bytes)?),
            false => None,
        };
        let shard = (self.item_item.as_mut())
            .ok_or_else(|| Error::Input("this catalogue has no item–item table".into()))?
            .add_shard(bytes)?;
        if let Some(vectors) = history {
            self.items
                .set_history_rows(vectors.first_row, &vectors.values);
        }
        Ok(shard)
    }

    /// The history vectors a shard carries, which this catalogue's item table leaves to them.
    fn shard_history(&self, bytes: &[u8]) -> Result<RowVectors> {
        let different = |what: String| {
            Error::Input(format!(
                "the item–item shard {what}: the table and its shards come from different builds"
            ))
        };
        match shard_row_vectors(bytes)? {
            Some(vectors) if vectors.dim == self.config.dim => Ok(vectors),
            Some(vectors) => Err(different(format!(
                "has {}-d history vectors, the head {}-d",
                vectors.dim, self.config.dim
            ))),
            None => Err(different("carries no history vectors".into())),
        }
    }
}

/// What a page needs for its first list ([`page_files`]): the head without its ID residuals,
/// the item table's file, and the history vectors when they are left to the item–item shards.
pub struct PageTable {
    pub head: Vec<u8>,
    pub item_table: Vec<u8>,
    pub history: Option<RowVectors>,
}

/// What a page needs for its first list, from a trained head and the items' text vectors: the
/// head without its ID residuals, and the item table (each item's candidate vector, bias and
/// history vector; see [`table_file`]) in int8 with a scale per row: half the bytes of f16, and
/// on anime-5k the same NDCG@10 to 0.0004 (head 0.3336 against 0.3340, hybrid 0.5413 both).
/// With `history_apart` the table holds the candidates alone (NF4) and the history vectors are
/// returned for the item–item shards to carry: a list reads them only for a person's own
/// reactions, so a page downloads them as it does those reactions' item–item rows (at 100,000
/// items, 9 MB less before the first list). See [`Recommender::from_item_table`].
pub async fn page_files(
    head_bytes: Vec<u8>,
    item_vectors: &[u8],
    history_apart: bool,
    device: &Device,
) -> Result<PageTable> {
    let file = load_head(head_bytes, device)?;
    let vectors = ItemVectors::from_safetensors(item_vectors)?;
    if vectors.rows != file.config.items || vectors.dim != file.config.text_dim {
        return Err(Error::Input(format!(
            "the text vectors are {} × {}, the head reads {} × {}",
            vectors.rows, vectors.dim, file.config.items, file.config.text_dim
        )));
    }
    let dim = file.config.dim;
    let rows = read_rows(file.head.item_table(vectors.into_tensor(device)).outputs()).await?;
    let (item_table, history) = match history_apart {
        false => (table_file::write_whole(rows, dim)?, None),
        true => {
            let vectors: Vec<f32> = rows.iter().flat_map(|row| &row[..dim]).copied().collect();
            let bias: Vec<f32> = rows.iter().map(|row| row[dim]).collect();
            let history = RowVectors {
                first_row: 0,
                dim,
                values: rows
                    .iter()
                    .flat_map(|row| &row[dim + 1..])
                    .copied()
                    .collect(),
            };
            (
                table_file::write_candidates(&vectors, &bias, dim)?,
                Some(history),
            )
        }
    };
    let (core, config) = file.head.without_id_embeddings(&file.config);
    let head = save_head(&core, &config, file.objective, &file.info)?;
    Ok(PageTable {
        head,
        item_table,
        history,
    })
}
