//! Head weights as safetensors bytes, with the config and objective in the file's metadata so
//! the file alone rebuilds the module (the page downloads it; the CLI writes it).

use std::collections::HashMap;

use burn::store::{ModuleSnapshot, SafetensorsStore};
use burn::tensor::Device;
use safetensors::SafeTensors;

use super::{Head, HeadConfig, Objective};
use crate::encoder::weights::check_applied;
use crate::error::{Error, Result};

const CONFIG_KEY: &str = "head_config";
const OBJECTIVE_KEY: &str = "objective";

/// A loaded head and what its file says about it.
pub struct HeadFile {
    pub head: Head,
    pub config: HeadConfig,
    pub objective: Objective,
    /// Everything else in the metadata (dataset, seed, validation metric, …).
    pub info: HashMap<String, String>,
}

pub fn save_head(
    head: &Head,
    config: &HeadConfig,
    objective: Objective,
    info: &HashMap<String, String>,
) -> Result<Vec<u8>> {
    let mut store = info
        .iter()
        .fold(SafetensorsStore::from_bytes(None), |store, (k, v)| {
            store.metadata(k.clone(), v.clone())
        })
        .metadata(
            CONFIG_KEY,
            serde_json::to_string(config).expect("plain struct"),
        )
        .metadata(
            OBJECTIVE_KEY,
            serde_json::to_string(&objective).expect("plain enum"),
        );
    head.save_into(&mut store)
        .map_err(|e| Error::Weights(format!("cannot write head weights: {e}")))?;
    let bytes = store
        .get_bytes()
        .map_err(|e| Error::Weights(format!("cannot write head weights: {e}")))?;
    // Burn writes the metadata in a hash map's order: sorted, the same head is the same bytes.
    crate::bytes::sort_header(bytes).map_err(Error::Weights)
}

pub fn load_head(bytes: Vec<u8>, device: &Device) -> Result<HeadFile> {
    let bad = |why: String| Error::Weights(format!("head weights: {why}"));
    let (_, metadata) = SafeTensors::read_metadata(&bytes).map_err(|e| bad(e.to_string()))?;
    let mut info = metadata.metadata().clone().unwrap_or_default();
    let config: HeadConfig = info
        .remove(CONFIG_KEY)
        .ok_or_else(|| bad(format!("no {CONFIG_KEY} in the file's metadata")))
        .and_then(|json| {
            serde_json::from_str(&json).map_err(|e| bad(format!("{CONFIG_KEY}: {e}")))
        })?;
    let objective: Objective = info
        .remove(OBJECTIVE_KEY)
        .ok_or_else(|| bad(format!("no {OBJECTIVE_KEY} in the file's metadata")))
        .and_then(|json| {
            serde_json::from_str(&json).map_err(|e| bad(format!("{OBJECTIVE_KEY}: {e}")))
        })?;
    // Sizes come from outside: refuse absurd ones before allocating anything.
    const MAX_PARAMETERS: usize = 64 << 20;
    if config.parameters().is_none_or(|n| n > MAX_PARAMETERS) {
        return Err(bad(format!("{config:?} is too large")));
    }
    let mut head = Head::new(&config, 0, device)?;
    let mut store = SafetensorsStore::from_bytes(Some(bytes))
        .allow_partial(true)
        .validate(false);
    let result = head
        .load_from(&mut store)
        .map_err(|e| bad(format!("cannot read safetensors: {e}")))?;
    check_applied(&result, |_| false)?;
    Ok(HeadFile {
        head,
        config,
        objective,
        info,
    })
}

/// The head's info entry naming the digest of the item vectors it was trained on.
pub const TRAINED_ON_VECTORS: &str = "vectors";

/// Why a catalogue's head must be trained again before a site is built with `vectors`:
/// missing, or trained on other item vectors (an edited catalogue, a new adapter); `None` if
/// it is current. The file's metadata is enough: its tensors are not read.
pub fn retrain_reason(
    head: Option<&[u8]>,
    vectors: &crate::item_vectors::ItemVectors,
) -> Result<Option<&'static str>> {
    let Some(head) = head else {
        return Ok(Some("missing"));
    };
    let (_, metadata) = SafeTensors::read_metadata(head)
        .map_err(|e| Error::Input(format!("the head's file: {e}")))?;
    let trained_on = (metadata.metadata().as_ref()).and_then(|info| info.get(TRAINED_ON_VECTORS));
    Ok((trained_on.map(String::as_str) != vectors.digest())
        .then_some("trained on other item vectors"))
}
