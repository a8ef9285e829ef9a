//! `localrec recommend`: one person's list from the command line, scored exactly as the page
//! scores it (the same recommender, head, item–item table and popularity prior), with the
//! reasons the page would show. For a look at a catalogue without a browser.

use std::path::{Path, PathBuf};

use localrec::recommender::{Reaction, Recommender, Request, TasteWeights};
use localrec::{Encoder, Error, Result, device};

use crate::dataset::{HEAD, ITEM_ITEM, adapter_of, load_catalog};
use crate::item_item::read;

/// A reaction on the command line: `ID` (a like), `ID:dislike` or `ID:1`…`ID:10`.
fn parse_reaction(text: &str) -> Result<(String, Reaction)> {
    let (id, what) = text.rsplit_once(':').unwrap_or((text, "like"));
    let reaction = match what {
        "like" => Reaction::Like,
        "dislike" => Reaction::Dislike,
        rating => match rating.parse::<u8>() {
            Ok(r @ 1..=10) => Reaction::Rating(r),
            _ => {
                return Err(Error::Input(format!(
                    "{text:?}: a reaction is ID, ID:like, ID:dislike or ID:1…10"
                )));
            }
        },
    };
    Ok((id.to_string(), reaction))
}

/// The page's recommender for a catalogue folder (its item vectors, and its head and item–item
/// table where it has them), and the catalogue's own adapter if it has one: taste sentences go
/// through the model the item vectors came from, as on the page.
pub fn load_recommender(dir: &Path) -> Result<(Recommender, Option<PathBuf>)> {
    let catalog = load_catalog(dir)?;
    let adapter = adapter_of(dir);
    let vectors = read(&dir.join("item_vectors.safetensors"))?;
    let head = dir.join(HEAD);
    let head = head.exists().then(|| read(&head)).transpose()?;
    let mut recommender = Recommender::new(catalog, head, &vectors, &device::cpu())?;
    let table = dir.join(ITEM_ITEM);
    if table.exists() {
        recommender = recommender.with_item_item(&read(&table)?)?;
    }
    Ok((recommender, adapter))
}

pub fn recommend(
    dir: &Path,
    reactions: &[String],
    tastes: &[String],
    taste_weights: impl FnOnce(TasteWeights) -> TasteWeights,
    count: usize,
    encoder: impl FnOnce(Option<&Path>) -> Result<Encoder>,
) -> Result<()> {
    let (mut recommender, adapter) = load_recommender(dir)?;
    recommender.set_taste_weights(taste_weights(recommender.taste_weights()));
    let reactions: Vec<(String, Reaction)> = reactions
        .iter()
        .map(|r| parse_reaction(r))
        .collect::<Result<_>>()?;
    let taste_vectors: Vec<Vec<f32>> = if tastes.is_empty() {
        Vec::new()
    } else {
        let texts: Vec<&str> = tastes.iter().map(String::as_str).collect();
        encoder(adapter.as_deref())?.embed(&texts)?
    };
    let list = device::block_on(recommender.recommend(&Request {
        reactions: &reactions,
        tastes: &taste_vectors,
        taste_texts: tastes,
        personal: None,
        count,
        reasons: 2,
    }))?;
    let catalog = recommender.catalog();
    println!("(from: {:?})", list.basis);
    for (rank, rec) in list.items.iter().enumerate() {
        let item = catalog.item(
            catalog
                .row(&rec.item)
                .expect("recommended from the catalogue"),
        );
        // The page's own words for the reasons (src/recommender/explain.rs).
        let reason = (rec.reason.as_ref()).map_or_else(String::new, |r| format!("  {r}"));
        println!(
            "{:>3}. {} [{}] {:.2}{reason}",
            rank + 1,
            item.title,
            item.id,
            rec.score,
        );
    }
    Ok(())
}
