//! The items people react to, and the one text template that turns an item into the sentence the
//! encoder reads:
//!
//! `"Cowboy Bebop. Genres: Action, Adventure, Comedy, Drama, Sci-Fi, Space. Type: TV, 26 episodes."`
//!
//! Parts that an item lacks (no genres, unknown episode count) are left out, never written as
//! "Unknown": the model should not read noise.

use std::collections::HashMap;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The dataset's own id (stable across files and exports).
    pub id: u32,
    pub name: String,
    pub genres: Vec<String>,
    /// TV, Movie, OVA, …
    pub kind: String,
    pub episodes: Option<u32>,
}

impl Item {
    /// The sentence the encoder embeds for this item.
    pub fn text(&self) -> String {
        let mut text = format!("{}.", self.name);
        if !self.genres.is_empty() {
            text.push_str(&format!(" Genres: {}.", self.genres.join(", ")));
        }
        if !self.kind.is_empty() {
            text.push_str(&format!(" Type: {}", self.kind));
            match self.episodes {
                Some(1) => text.push_str(", 1 episode"),
                Some(n) => text.push_str(&format!(", {n} episodes")),
                None => {}
            }
            text.push('.');
        }
        text
    }
}

/// Items in a fixed order: an item's position is its row in the item matrix.
#[derive(Debug, Clone)]
pub struct Catalog {
    items: Vec<Item>,
    row_of: HashMap<u32, usize>,
}

impl Catalog {
    pub fn new(items: Vec<Item>) -> Result<Self> {
        let mut row_of = HashMap::with_capacity(items.len());
        for (row, item) in items.iter().enumerate() {
            if row_of.insert(item.id, row).is_some() {
                return Err(Error::Input(format!(
                    "item id {} appears twice in the catalogue",
                    item.id
                )));
            }
        }
        Ok(Self { items, row_of })
    }

    /// Parses `items.tsv`: a header line, then `id, name, genres, type, episodes` tab-separated.
    pub fn from_tsv(text: &str) -> Result<Self> {
        let mut items = Vec::new();
        for (number, line) in text.lines().enumerate().skip(1) {
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let bad = |why: &str| Error::Input(format!("items.tsv line {}: {why}", number + 1));
            let [id, name, genres, kind, episodes] = fields[..] else {
                return Err(bad("expected 5 tab-separated fields"));
            };
            items.push(Item {
                id: id.parse().map_err(|_| bad("id is not a number"))?,
                name: name.to_string(),
                genres: genres
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(String::from)
                    .collect(),
                kind: kind.to_string(),
                episodes: if episodes.is_empty() {
                    None
                } else {
                    Some(
                        episodes
                            .parse()
                            .map_err(|_| bad("episodes is not a number"))?,
                    )
                },
            });
        }
        Self::new(items)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn item(&self, row: usize) -> &Item {
        &self.items[row]
    }

    /// The row of the item with dataset id `id`, if it is in the catalogue.
    pub fn row(&self, id: u32) -> Option<usize> {
        self.row_of.get(&id).copied()
    }

    pub fn texts(&self) -> Vec<String> {
        self.items.iter().map(Item::text).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(genres: &[&str], kind: &str, episodes: Option<u32>) -> Item {
        Item {
            id: 1,
            name: "Cowboy Bebop".into(),
            genres: genres.iter().map(|g| g.to_string()).collect(),
            kind: kind.into(),
            episodes,
        }
    }

    #[test]
    fn text_follows_the_template() {
        assert_eq!(
            item(&["Action", "Sci-Fi"], "TV", Some(26)).text(),
            "Cowboy Bebop. Genres: Action, Sci-Fi. Type: TV, 26 episodes."
        );
        assert_eq!(
            item(&[], "Movie", Some(1)).text(),
            "Cowboy Bebop. Type: Movie, 1 episode."
        );
        assert_eq!(
            item(&["Drama"], "OVA", None).text(),
            "Cowboy Bebop. Genres: Drama. Type: OVA."
        );
        assert_eq!(item(&[], "", None).text(), "Cowboy Bebop.");
    }

    #[test]
    fn tsv_parses_and_rejects_bad_rows() {
        let ok = "id\tname\tgenres\ttype\tepisodes\n7\tX\tA, B\tTV\t12\n9\tY\t\tMovie\t\n";
        let catalog = Catalog::from_tsv(ok).unwrap();
        assert_eq!(catalog.len(), 2);
        assert_eq!(catalog.row(9), Some(1));
        assert_eq!(catalog.item(0).genres, ["A", "B"]);
        assert_eq!(catalog.item(1).episodes, None);
        assert!(Catalog::from_tsv("h\n1\tX\n").is_err());
        assert!(Catalog::from_tsv("h\nx\tX\t\tTV\t1\n").is_err());
        assert!(Catalog::from_tsv("h\n1\tX\t\tTV\t1\n1\tY\t\tTV\t1\n").is_err());
    }
}
