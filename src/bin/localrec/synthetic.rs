//! `localrec synthetic-catalog`: a seeded catalogue of any size for measuring how each stage of
//! a build grows (items.csv, catalog.json and lists.tsv, like any catalogue folder).
//!
//! Items belong to topics; a topic's items share words in their texts and are liked together,
//! so both the text and the lists carry signal. Popularity and list lengths follow power laws,
//! as in real catalogues: a few items are on most lists, most lists are short, a few are long.

use std::fmt::Write as _;
use std::path::Path;

use localrec::rng::SplitMix64;
use localrec::{Error, Result};

use crate::write_atomically;

/// What to generate.
pub struct SyntheticConfig {
    pub items: usize,
    pub users: usize,
    /// Entries over all lists, about (list lengths are drawn, then scaled to this mean).
    pub interactions: usize,
    pub seed: u64,
}

const ADJECTIVES: [&str; 24] = [
    "silent", "crimson", "hidden", "golden", "broken", "distant", "frozen", "wild", "last",
    "secret", "burning", "lost", "iron", "gentle", "restless", "quiet", "bright", "hollow",
    "endless", "ancient", "little", "northern", "strange", "final",
];
const NOUNS: [&str; 24] = [
    "river", "garden", "empire", "letter", "station", "island", "machine", "kingdom", "voyage",
    "orchard", "harbour", "signal", "forest", "winter", "mirror", "engine", "city", "tower",
    "promise", "shadow", "valley", "crown", "storm", "lantern",
];
const GENRES: [&str; 16] = [
    "mystery",
    "romance",
    "science fiction",
    "fantasy",
    "history",
    "comedy",
    "horror",
    "adventure",
    "drama",
    "thriller",
    "biography",
    "poetry",
    "war",
    "cooking",
    "travel",
    "philosophy",
];

/// Writes the catalogue into `out` (created if needed).
pub fn synthetic_catalog(config: &SyntheticConfig, out: &Path) -> Result<()> {
    if config.items < 2 || config.users == 0 {
        return Err(Error::Input(
            "a catalogue needs at least 2 items and 1 user".into(),
        ));
    }
    std::fs::create_dir_all(out)
        .map_err(|e| Error::Input(format!("cannot create {}: {e}", out.display())))?;
    let mut rng = SplitMix64::new(config.seed);
    let topics = (config.items / 200).clamp(4, 2000);
    let topic: Vec<usize> = (0..config.items).map(|_| rng.below(topics)).collect();

    let mut items = String::from("id,title,genres\n");
    for (id, &t) in topic.iter().enumerate() {
        let genre = |k: usize| GENRES[(t * 7 + k * 3) % GENRES.len()];
        let title = format!(
            "The {} {} {}",
            ADJECTIVES[(t + rng.below(3)) % ADJECTIVES.len()],
            NOUNS[(t / 3 + rng.below(2)) % NOUNS.len()],
            id + 1
        );
        writeln!(
            items,
            "{},{title},{}; {}",
            id + 1,
            genre(0),
            genre(1 + rng.below(2))
        )
        .expect("a string");
    }

    // Popularity: item weights ∝ 1 / (rank + 10)^0.9 over a random order, sampled by topic
    // (cumulative weights, binary search).
    let mut order: Vec<usize> = (0..config.items).collect();
    rng.shuffle(&mut order);
    let mut weight = vec![0f64; config.items];
    for (rank, &item) in order.iter().enumerate() {
        weight[item] = 1.0 / (rank as f64 + 10.0).powf(0.9);
    }
    let mut by_topic: Vec<Vec<usize>> = vec![Vec::new(); topics];
    topic
        .iter()
        .enumerate()
        .for_each(|(i, &t)| by_topic[t].push(i));
    let cumulative = |members: &[usize]| -> Vec<f64> {
        members
            .iter()
            .scan(0.0, |sum, &i| {
                *sum += weight[i];
                Some(*sum)
            })
            .collect()
    };
    let everything: Vec<usize> = (0..config.items).collect();
    let global = cumulative(&everything);
    let within: Vec<Vec<f64>> = by_topic.iter().map(|m| cumulative(m)).collect();
    let draw = |rng: &mut SplitMix64, members: &[usize], sums: &[f64]| -> Option<usize> {
        let total = *sums.last()?;
        let x = rng.next_u64() as f64 / u64::MAX as f64 * total;
        Some(members[sums.partition_point(|&s| s < x).min(members.len() - 1)])
    };

    // List lengths: Pareto with tail index 1.5, at least 2, scaled to the asked mean.
    let raw: Vec<f64> = (0..config.users)
        .map(|_| {
            (1.0 - rng.next_u64() as f64 / u64::MAX as f64)
                .max(1e-12)
                .powf(-1.0 / 1.5)
        })
        .collect();
    let scale = config.interactions as f64 / raw.iter().sum::<f64>();
    let longest = (config.items / 2).max(2);
    let mut lists = String::from("user\titem:rating ...\n");
    let mut entries = 0usize;
    let mut line: Vec<usize> = Vec::new();
    let mut on_line = vec![false; config.items];
    for (user, &r) in raw.iter().enumerate() {
        let length = ((r * scale).round() as usize).clamp(2, longest);
        let tastes = [rng.below(topics), rng.below(topics)];
        line.clear();
        for _ in 0..length * 2 {
            if line.len() == length {
                break;
            }
            let item = if rng.below(10) < 8 {
                let t = tastes[rng.below(2)];
                draw(&mut rng, &by_topic[t], &within[t])
            } else {
                draw(&mut rng, &everything, &global)
            };
            if let Some(item) = item.filter(|&i| !on_line[i]) {
                on_line[item] = true;
                line.push(item);
            }
        }
        line.iter().for_each(|&i| on_line[i] = false);
        write!(lists, "{}\t", user + 1).expect("a string");
        for (k, &item) in line.iter().enumerate() {
            // A third unrated, the rest 4–10 leaning high.
            let rating = match rng.below(3) {
                0 => 0,
                _ => 10 - rng.below(7).min(rng.below(7)),
            };
            let sep = if k == 0 { "" } else { " " };
            write!(lists, "{sep}{}:{rating}", item + 1).expect("a string");
        }
        lists.push('\n');
        entries += line.len();
    }

    let catalog = serde_json::json!({
        "name": format!("synthetic-{}", config.items),
        "title": format!("Synthetic ({} items)", config.items),
        "items": "items.csv",
        "columns": { "id": "id", "title": "title", "show": ["genres"] },
        "text": "{title}.[ Genres: {genres}.]",
        "attribution": format!(
            "Generated by `localrec synthetic-catalog` (seed {}): no real data.",
            config.seed
        ),
        "licence": "CC0 1.0 (public domain)",
        "interactions": "lists.tsv"
    });
    write_atomically(&out.join("items.csv"), items.as_bytes())?;
    write_atomically(&out.join("lists.tsv"), lists.as_bytes())?;
    let catalog = serde_json::to_string_pretty(&catalog).expect("plain JSON");
    write_atomically(&out.join("catalog.json"), catalog.as_bytes())?;
    eprintln!(
        "wrote {}: {} items in {topics} topics, {} users, {entries} entries",
        out.display(),
        config.items,
        config.users
    );
    Ok(())
}
