//! A dataset folder as the commands see it: catalogue, public lists, item vectors, split.

use std::path::{Path, PathBuf};

use burn::tensor::Tensor;
use localrec::catalog::{Catalog, CatalogError, MAX_FILE_BYTES, Manifest};
use localrec::eval::split::{HoldoutConfig, Split, cold_items, standard_split, user_holdout};
use localrec::fingerprint::what_vectors_encode;
use localrec::interactions::{UserList, parse_lists};
use localrec::item_vectors::ItemVectors;
use localrec::{Error, Result};

use crate::read_text;

/// How test users are asked to find their hidden items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// The dataset's own split (held-out users, or leave-last-out for time-ordered lists).
    Standard,
    /// 10% of the items (seeded) are new: no interaction with them trains or fits anything, and
    /// test users must find their hidden new items (see `eval::split::cold_items`).
    ColdItems,
    /// New people: each held-out user shows 1, 2, 3, 5 or 10 reactions (the earliest, where
    /// lists are in time order) and the rest of their list are targets
    /// (see `eval::split::few_reactions`).
    FewReactions,
    /// A catalogue without public lists: nothing is fitted on the lists, which only evaluate
    /// (the popularity column a shop would have is simulated by the training users' counts).
    TextOnly,
    /// The standard split, with a few personal numbers chosen per test user: on their hidden
    /// items (the upper bound of such personalisation) and on their own history (the device).
    PersonalBound,
    /// The standard split's held-out users, each describing their taste in a sentence (the
    /// labels most over-represented in their list) with 0, 1 or 3 reactions shown; scored by
    /// the page's recommender (see `taste.rs`).
    DescribedTaste,
}

impl Protocol {
    /// The file-name suffix of models trained for this protocol's own split.
    pub fn suffix(self) -> &'static str {
        match self {
            Protocol::ColdItems => "-cold-items",
            Protocol::FewReactions => "-few-reactions",
            Protocol::Standard
            | Protocol::TextOnly
            | Protocol::PersonalBound
            | Protocol::DescribedTaste => "",
        }
    }
}

/// Share of the catalogue that is new under [`Protocol::ColdItems`].
pub const COLD_SHARE: f64 = 0.1;

/// A catalogue folder's files by name (see `localrec::catalog::folder`).
pub use localrec::catalog::folder::{ADAPTER, HEAD, ITEM_ITEM, MANIFEST};

/// A catalogue folder's adapter ([`ADAPTER`]), if it has one: its items are embedded, and the
/// page's taste sentences read, by the adapted model.
pub fn adapter_of(dir: &Path) -> Option<PathBuf> {
    Some(dir.join(ADAPTER)).filter(|path| path.exists())
}

/// Reads the catalogue in `dir` (its manifest and items file); an items file over
/// [`MAX_FILE_BYTES`] is refused before it is read.
pub fn load_catalog(dir: &Path) -> Result<Catalog> {
    // Every mistake names the folder: an adopter may build several catalogues at once.
    let in_dir = |e: CatalogError| Error::Input(format!("{}: {e}", dir.display()));
    let manifest = read_capped(&dir.join(MANIFEST))?;
    let items_name = Manifest::parse(&manifest).map_err(in_dir)?.items;
    let items = read_capped(&dir.join(&items_name))?;
    Catalog::load(&manifest, &items).map_err(in_dir)
}

/// The item vectors at `path`, if it is there, checked against `catalog`: one row per item, and
/// (where the file says what each row encodes) each row its item's, in the catalogue's order.
fn read_vectors(path: &Path, catalog: &Catalog) -> Result<Option<ItemVectors>> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(None);
    };
    let vectors = ItemVectors::from_safetensors(&bytes)?;
    if vectors.rows != catalog.len() {
        return Err(Error::Input(format!(
            "{} has {} rows for {} items: rebuild it with `localrec embed-catalog`",
            path.display(),
            vectors.rows,
            catalog.len()
        )));
    }
    // Rows must encode the catalogue's items in its order (the model is the caller's).
    if let Some(keys) = &vectors.item_keys {
        let wanted = what_vectors_encode("", catalog.ids_and_texts());
        if let Some(row) = (0..keys.len()).find(|&row| keys[row] != wanted.items[row]) {
            return Err(Error::Input(format!(
                "{}: row {} encodes another item or text than {:?} (the catalogue was \
                 reordered or edited): rebuild it with `localrec embed-catalog`",
                path.display(),
                row + 1,
                catalog.item(row).id
            )));
        }
    }
    Ok(Some(vectors))
}

/// The bytes of a catalogue file, refusing one over [`MAX_FILE_BYTES`] by its size alone.
pub fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let cannot = |e: std::io::Error| Error::Input(format!("cannot read {}: {e}", path.display()));
    let bytes = std::fs::metadata(path).map_err(cannot)?.len();
    if bytes > MAX_FILE_BYTES {
        return Err(CatalogError::TooLarge {
            file: path.display().to_string(),
            bytes,
            limit: MAX_FILE_BYTES,
        }
        .into());
    }
    std::fs::read(path).map_err(cannot)
}

/// A dataset folder: its catalogue, public lists and (if built) item text vectors.
pub struct Dataset {
    pub name: String,
    pub dir: PathBuf,
    pub catalog: Catalog,
    pub users: Vec<UserList>,
    pub vectors_path: PathBuf,
    pub vectors: Option<ItemVectors>,
    pub time_ordered: bool,
}

impl Dataset {
    /// `dir` is a folder, or a dataset name under `data/` (ml-100k is fetched on first use).
    pub fn load(dir: &Path) -> Result<Self> {
        let named = Path::new("data").join(dir);
        let dir = if dir.join(MANIFEST).exists() {
            dir.to_path_buf()
        } else if named.join(MANIFEST).exists() {
            named
        } else if dir.ends_with("ml-100k") {
            let status = std::process::Command::new("scripts/fetch-ml100k.sh")
                .status()
                .map_err(|e| Error::Input(format!("cannot run scripts/fetch-ml100k.sh: {e}")))?;
            if !status.success() {
                return Err(Error::Input("fetching ml-100k failed (see above)".into()));
            }
            PathBuf::from("data/ml-100k")
        } else {
            return Err(Error::Input(format!(
                "{} is not a dataset folder (no {MANIFEST})",
                dir.display()
            )));
        };
        let dir = dir.as_path();
        let catalog = load_catalog(dir)?;
        let Some(lists) = &catalog.manifest().interactions else {
            return Err(Error::Input(format!(
                "{} has no public interactions (\"interactions\" in its {MANIFEST}): it can be \
                 embedded and served, not trained or evaluated",
                dir.display()
            )));
        };
        let users = parse_lists(&read_text(&dir.join(lists))?, &catalog)?;
        let vectors_path = dir.join("item_vectors.safetensors");
        let vectors = read_vectors(&vectors_path, &catalog)?;
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        // Lists in time order (dataset.json says so) are split leave-last-out.
        let time_ordered = std::fs::read_to_string(dir.join("dataset.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| v["split"] == "leave-last-out");
        Ok(Self {
            name,
            dir: dir.to_path_buf(),
            catalog,
            users,
            vectors_path,
            vectors,
            time_ordered,
        })
    }

    /// The evaluation split and a sentence describing it.
    pub fn split(&self, seed: u64) -> (Split, String) {
        let n_items = self.catalog.len();
        let split = standard_split(&self.users, self.time_ordered, seed);
        let protocol = match self.time_ordered {
            true => format!(
                "leave-last-out by time: {} users, each one's last item is the test target (the one before it validates); full ranking over {n_items} items, seen items excluded",
                split.test.len()
            ),
            false => format!(
                "{} test users held out (seed {seed}), 20% of each one's items hidden at random; full ranking over {n_items} items, visible history excluded",
                split.test.len()
            ),
        };
        (split, protocol)
    }

    /// Whole users held out (10% test, 10% validation), 20% of each one's items hidden.
    fn users_held_out(&self, seed: u64) -> Split {
        let config = HoldoutConfig {
            seed,
            ..Default::default()
        };
        user_holdout(&self.users, &config)
    }

    /// Whether `protocol` splits this dataset otherwise than its standard split does (its
    /// models are then trained for it, in files with [`Protocol::suffix`]).
    pub fn own_split(&self, protocol: Protocol) -> bool {
        match protocol {
            Protocol::Standard
            | Protocol::TextOnly
            | Protocol::PersonalBound
            | Protocol::DescribedTaste => false,
            Protocol::ColdItems => true,
            // Leave-last-out keeps every user in training: new people must be held out whole.
            Protocol::FewReactions => self.time_ordered,
        }
    }

    /// The split for `protocol`, its description, and (cold items) which rows are new.
    pub fn split_for(&self, seed: u64, protocol: Protocol) -> (Split, String, Option<Vec<bool>>) {
        if protocol == Protocol::FewReactions && self.time_ordered {
            let split = self.users_held_out(seed);
            let description = format!(
                "{} test users held out whole (seed {seed}), each shown their earliest reactions",
                split.test.len()
            );
            return (split, description, None);
        }
        let (split, description) = self.split(seed);
        match protocol {
            Protocol::Standard
            | Protocol::FewReactions
            | Protocol::TextOnly
            | Protocol::PersonalBound
            | Protocol::DescribedTaste => (split, description, None),
            Protocol::ColdItems => {
                let (split, cold) = cold_items(&split, self.catalog.len(), COLD_SHARE, seed);
                let description = format!(
                    "cold items: {} of {} items (seed {seed}) are new, with every interaction \
                     with them removed from training and validation; {} test users find their \
                     hidden new items among all items (their warm history visible and excluded); \
                     base split: {description}",
                    cold.iter().filter(|&&c| c).count(),
                    cold.len(),
                    split.test.len()
                );
                (split, description, Some(cold))
            }
        }
    }

    pub fn vectors(&self) -> Result<&ItemVectors> {
        self.vectors.as_ref().ok_or_else(|| {
            Error::Input(format!(
                "{} is missing: run `localrec embed-catalog` first",
                self.vectors_path.display()
            ))
        })
    }

    /// The suffix of the files of models trained for `protocol` in this dataset: its own
    /// ([`Protocol::suffix`]) where it splits otherwise than the standard split, else none.
    pub fn models_suffix(&self, protocol: Protocol) -> &'static str {
        if self.own_split(protocol) {
            protocol.suffix()
        } else {
            ""
        }
    }

    /// The item vectors of the encoder adapted for `protocol`'s split, where they were embedded
    /// (`localrec --adapter adapter….safetensors embed-catalog --out item_vectors.adapted….`).
    pub fn adapted_vectors(&self, protocol: Protocol) -> Result<Option<ItemVectors>> {
        let suffix = self.models_suffix(protocol);
        let path = self
            .dir
            .join(format!("item_vectors.adapted{suffix}.safetensors"));
        read_vectors(&path, &self.catalog)
    }

    /// The item text matrix as a tensor on `device`.
    pub fn text_tensor(&self, device: &burn::tensor::Device) -> Result<Tensor<2>> {
        Ok(self.vectors()?.clone().into_tensor(device))
    }
}
