//! `localrec eval --protocol personal-bound`: how much could a person's own numbers add to the
//! hybrid, before anything is built to learn them on the device? For each test user with at
//! least [`MIN_EVENTS`] visible events, a few personal numbers are chosen on a grid:
//!
//! * how much the item–item part weighs against the head (×½, ×1, ×2);
//! * their rating scale: how much a 10 counts more than a 6 in the item–item part (slopes 0–2);
//! * a popularity tilt (towards or away from what everyone likes);
//! * a direct text match: cosine to the mean text of their history.
//!
//! Chosen once on their own hidden items (the bound: no device can do better with these
//! numbers) and once on a fifth of their own visible history, predicted from the rest (what
//! the device can do); both against the hybrid as shipped, on the same users.

use std::collections::HashSet;

use localrec::eval::baselines::{K, Ranking, Recommender, TextKnn};
use localrec::eval::metrics;
use localrec::eval::split::HeldOut;
use localrec::head::{Head, ItemTable};
use localrec::interactions::Entry;
use localrec::item_item::{ItemItem, Mix, load_item_item};
use localrec::rng::SplitMix64;
use localrec::{Error, Result};

use crate::dataset::{Dataset, Protocol};
use crate::evaluate::{ModelReport, load_heads, models_json, print_rows};
use crate::item_item::{head_scores, read};

/// Visible events a user needs to take part (a fifth of them must still say something).
pub const MIN_EVENTS: usize = 20;

const ITEM_ITEM: [f32; 3] = [1.0, 0.5, 2.0];
const SLOPES: [f32; 4] = [0.0, 0.5, 1.0, 2.0];
const TILTS: [f32; 4] = [0.0, -1.0, 1.0, 2.0];
const TEXT: [f32; 3] = [0.0, 4.0, 16.0];

/// One person's numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Numbers {
    item_item: f32,
    slope: Option<f32>,
    tilt: f32,
    text: f32,
}

pub fn eval_personal_bound(dataset: &Dataset, json: bool, seed: u64) -> Result<()> {
    let (split, description, _) = dataset.split_for(seed, Protocol::Standard);
    let n_items = dataset.catalog.len();
    let vectors = dataset.vectors()?;
    let heads = load_heads(dataset, Protocol::Standard, None)?;
    let head = heads.iter().find(|h| h.name == "head").ok_or_else(|| {
        Error::Input("personal-bound needs the dataset's head.safetensors".into())
    })?;
    let main = (head.file.head.clone(), head.items.clone());
    // The shipped table, as the page scores with it (EASE, which `ease_and_table` also fits,
    // is not a row here).
    let table = load_item_item(&read(&dataset.dir.join("item_item.safetensors"))?)?;
    let prior = table.prior().to_vec();
    if prior.is_empty() {
        return Err(Error::Input(
            "the item–item table has no popularity counts: fit it again".into(),
        ));
    }
    let text = TextKnn { items: vectors };
    let users: Vec<&HeldOut> = (split.test.iter())
        .filter(|u| u.visible.len() >= MIN_EVENTS)
        .collect();

    // The grid: the shipped slope (None) and the others, every combination.
    let mut grid = Vec::new();
    for item_item in ITEM_ITEM {
        for slope in std::iter::once(None).chain(SLOPES.map(Some)) {
            for tilt in TILTS {
                for t in TEXT {
                    grid.push(Numbers {
                        item_item,
                        slope,
                        tilt,
                        text: t,
                    });
                }
            }
        }
    }
    let shipped = grid[0];
    let mut rng = SplitMix64::new(seed ^ 0xB0D);
    let (mut as_shipped, mut bound, mut device) = (
        Ranking::new(n_items),
        Ranking::new(n_items),
        Ranking::new(n_items),
    );
    let mut changed = (0usize, 0usize);
    for user in &users {
        // What the device sees: four fifths of the history predict the last fifth.
        let mut history = user.visible.clone();
        rng.shuffle(&mut history);
        let slice = history.split_off(history.len() - history.len() / 5);
        let on_device = HeldOut {
            user: user.user,
            visible: history,
            hidden: slice,
        };
        let full = Parts::new(&main, &table, &text, user)?;
        let partial = Parts::new(&main, &table, &text, &on_device)?;
        let best = |parts: &Parts, target: &HeldOut| {
            grid.iter()
                .map(|n| (*n, user_ndcg(&parts.scores(n, &prior), target)))
                .fold(
                    (shipped, f64::MIN),
                    |b, (n, v)| if v > b.1 { (n, v) } else { b },
                )
                .0
        };
        let oracle = best(&full, user);
        let learned = best(&partial, &on_device);
        changed.0 += usize::from(oracle != shipped);
        changed.1 += usize::from(learned != shipped);
        as_shipped.add(&full.scores(&shipped, &prior), user);
        bound.add(&full.scores(&oracle, &prior), user);
        device.add(&full.scores(&learned, &prior), user);
    }
    let rows = vec![
        (
            "hybrid, as shipped".to_string(),
            ModelReport::ranking(as_shipped.report()),
        ),
        (
            "hybrid, personal bound".to_string(),
            ModelReport::ranking(bound.report()),
        ),
        (
            "hybrid, personal on device".to_string(),
            ModelReport::ranking(device.report()),
        ),
    ];
    if json {
        let models = models_json(&rows);
        println!(
            "{}",
            serde_json::json!({ "dataset": dataset.name, "protocol": description, "models": models })
        );
        return Ok(());
    }
    println!(
        "{}: personal numbers per test user with ≥{MIN_EVENTS} visible events ({} users; {} \
         combinations of item–item weight, rating slope, popularity tilt and text match), \
         chosen on their hidden items (bound: {} users moved off the shipped numbers) and on a \
         fifth of their own history (device: {} moved); {description}\n",
        dataset.name,
        users.len(),
        grid.len(),
        changed.0,
        changed.1
    );
    print_rows(&rows);
    Ok(())
}

/// One user's score parts: the head, the item–item part per rating slope (the shipped one
/// first; each at the user's stage, its prior apart), the stage's prior weight and the text
/// match.
struct Parts {
    head: Vec<f32>,
    /// `[shipped slope, SLOPES…]`.
    item_item: Vec<Vec<f32>>,
    popularity: f32,
    text: Vec<f32>,
}

impl Parts {
    fn new(
        main: &(Head, ItemTable),
        table: &ItemItem,
        text: &TextKnn,
        user: &HeldOut,
    ) -> Result<Self> {
        let head = head_scores(&main.0, &main.1, std::slice::from_ref(user))?.remove(0);
        let stage = table.stage(&user.visible);
        let mixes = std::iter::once(table.mix.clone()).chain(
            SLOPES
                .iter()
                .map(|&slope| Mix::rating_slope(table.mix.scale, slope)),
        );
        let item_item = mixes
            .map(|mix| {
                let plain = table.clone().with_mix(mix.with_stages(Vec::new()));
                let mut part = plain.scores(&user.visible);
                part.iter_mut().for_each(|s| *s *= stage.item_item);
                part
            })
            .collect();
        // The sum of cosines over the history, as the cosine to its mean (up to its length).
        let n = user.visible.len().max(1) as f32;
        let text = text
            .scores(&user.visible)
            .into_iter()
            .map(|s| s / n)
            .collect();
        Ok(Self {
            head,
            item_item,
            popularity: stage.popularity,
            text,
        })
    }

    fn scores(&self, n: &Numbers, prior: &[f32]) -> Vec<f32> {
        let slope = n.slope.map_or(0, |s| {
            1 + SLOPES.iter().position(|&x| x == s).expect("grid")
        });
        let part = &self.item_item[slope];
        let popularity = self.popularity + n.tilt;
        (0..self.head.len())
            .map(|i| {
                self.head[i] + n.item_item * part[i] + popularity * prior[i] + n.text * self.text[i]
            })
            .collect()
    }
}

fn user_ndcg(scores: &[f32], user: &HeldOut) -> f64 {
    let excluded: HashSet<usize> = user.visible.iter().map(|e: &Entry| e.row).collect();
    let relevant: HashSet<usize> = user.hidden.iter().map(|e| e.row).collect();
    metrics::ndcg_at_k(&metrics::top_k(scores, K, &excluded), &relevant, K)
}
