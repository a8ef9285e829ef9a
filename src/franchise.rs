//! Franchises: a series, its sequels, films and specials ("Clannad", "Clannad: After Story",
//! "Clannad Movie"), or a book series ("Murder on the Orient Express (Hercule Poirot, #10)"). A
//! list where one franchise takes half the places tells a person little, so the page keeps at
//! most [`PER_FRANCHISE`] of each in a list, and shows a title once (two editions of one book
//! are one work).
//!
//! A franchise is, in this order:
//! * the catalogue's series column, where it names one (`columns.series` in catalog.json);
//! * a series written in the title as Goodreads does: "Title (Series, #4)", "(Series #1-3)";
//! * the series a title names ("The Complete Sherlock Holmes" is in "Sherlock Holmes"), for
//!   series names of at least two words that are not all small words ("In Death" is not read
//!   into "Death in Venice");
//! * else from the titles: a title's main part (before a subtitle `:` or its series, lowercased)
//!   belongs to the franchise of the shortest other main part that starts it, word for word
//!   ("Clannad" starts "Clannad Movie"; "Mobile Suit Gundam" starts "Mobile Suit Gundam Wing").

use std::collections::{HashMap, HashSet};
use std::ops::Deref;

use crate::catalog::Catalog;

/// Most items of one franchise in a list.
pub const PER_FRANCHISE: usize = 2;

/// Words too common to tell a series name apart.
const SMALL_WORDS: &[&str] = &[
    "a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with",
];

/// Each catalogue row's franchise (equal numbers, same franchise; the slice this derefs to) and
/// work (equal numbers, the same title: a list shows one of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Franchises {
    franchise: Vec<u32>,
    work: Vec<u32>,
}

impl Deref for Franchises {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        &self.franchise
    }
}

impl Franchises {
    /// Each row's work number (equal titles, equal numbers).
    pub fn works(&self) -> &[u32] {
        &self.work
    }
}

/// Lowercased words without surrounding punctuation, joined by single spaces.
fn words(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `title` split into its own part and the series written at its end, if any:
/// "Dune (Dune Chronicles #1)" → ("Dune", Some("Dune Chronicles")); "(Discworld, #1; Rincewind
/// #1)" names the first.
fn split_series(title: &str) -> (&str, Option<&str>) {
    let trimmed = title.trim_end();
    let Some(inner) = trimmed.strip_suffix(')') else {
        return (title, None);
    };
    let Some(open) = inner.rfind('(') else {
        return (title, None);
    };
    let first = inner[open + 1..].split(';').next().unwrap_or_default();
    let Some(hash) = first.find('#') else {
        return (title, None);
    };
    let numbered = first[hash + 1..]
        .trim_start()
        .starts_with(|c: char| c.is_ascii_digit());
    let name = first[..hash].trim_end().trim_end_matches(',').trim();
    if !numbered || name.is_empty() {
        return (title, None);
    }
    (title[..open].trim_end(), Some(name))
}

/// A title's main part: before any subtitle, lowercased, words separated by single spaces.
fn main_part(title: &str) -> String {
    let main = title.split(':').next().unwrap_or(title).to_lowercase();
    main.split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',', '!', '?']))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A series name as compared: its words without a leading "the", accents or a plural `s`
/// ("Hércules Poirot", a Spanish edition's, is "Hercule Poirot").
fn series_key(name: &str) -> String {
    let key = words(name);
    let key = key.strip_prefix("the ").unwrap_or(&key);
    key.split(' ')
        .map(|word| {
            let plain: String = word.chars().map(unaccented).collect();
            match plain.strip_suffix('s') {
                Some(stem) if stem.len() > 2 && !stem.ends_with('s') => stem.to_string(),
                _ => plain,
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Latin letter without its accent (the common ones); others as they are.
fn unaccented(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        _ => c,
    }
}

/// Whether a series name is distinctive enough to be looked for inside other titles.
fn findable(key: &str) -> bool {
    key.split(' ').filter(|w| !SMALL_WORDS.contains(w)).count() >= 2
}

/// Franchises and works of titles, each with its series from a catalogue column ("" if none).
pub fn franchises<'a>(rows: impl Iterator<Item = (&'a str, &'a str)>) -> Franchises {
    let rows: Vec<(&str, Option<String>)> = rows
        .map(|(title, column)| {
            let (own, written) = split_series(title);
            let series = Some(column.trim())
                .filter(|s| !s.is_empty())
                .or(written)
                .map(series_key)
                .filter(|s| !s.is_empty());
            (own, series)
        })
        .collect();
    let mains: Vec<String> = rows.iter().map(|(own, _)| main_part(own)).collect();
    // A main part's series, where a row with that main part has one.
    let mut series_of_main: HashMap<&str, &str> = HashMap::new();
    for ((_, series), main) in rows.iter().zip(&mains) {
        if let Some(series) = series {
            series_of_main
                .entry(main.as_str())
                .or_insert(series.as_str());
        }
    }
    let mut named: Vec<&str> = rows
        .iter()
        .filter_map(|(_, s)| s.as_deref())
        .filter(|s| findable(s))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // The shortest name first: "sherlock holmes" before "memoirs of sherlock holmes".
    named.sort_by_key(|s| (s.len(), *s));
    let known: HashSet<&str> = mains.iter().map(String::as_str).collect();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut number = |root: String| {
        let next = ids.len() as u32;
        *ids.entry(root).or_insert(next)
    };
    let named_in = |text: &str| {
        let text = format!(" {} ", series_key(text));
        named
            .iter()
            .find(|name| text.contains(&format!(" {name} ")))
            .copied()
    };
    let franchise = rows
        .iter()
        .zip(&mains)
        .map(|((own, series), main)| {
            if let Some(series) = series {
                let series = named_in(series.as_str()).unwrap_or(series.as_str());
                return number(format!("series:{series}"));
            }
            let words: Vec<&str> = main.split(' ').collect();
            let prefix = (1..=words.len())
                .map(|n| words[..n].join(" "))
                .find(|prefix| known.contains(prefix.as_str()));
            if let Some(series) = prefix
                .as_deref()
                .and_then(|p| series_of_main.get(p).copied())
            {
                return number(format!("series:{}", named_in(series).unwrap_or(series)));
            }
            if let Some(series) = named_in(own) {
                return number(format!("series:{series}"));
            }
            number(prefix.unwrap_or_else(|| main.clone()))
        })
        .collect();
    // A work is a title without its series, case and spacing (punctuation stays: "Gintama'"
    // is not "Gintama"): editions and parts of one book.
    let mut works: HashMap<String, u32> = HashMap::new();
    let work = rows
        .iter()
        .map(|(own, _)| {
            let key = own
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let next = works.len() as u32;
            *works.entry(key).or_insert(next)
        })
        .collect();
    Franchises { franchise, work }
}

/// Franchises read from titles alone.
pub fn franchise_ids<'a>(titles: impl Iterator<Item = &'a str>) -> Franchises {
    franchises(titles.map(|title| (title, "")))
}

/// A catalogue's franchises: its series column where it has one, else its titles.
pub fn catalog_franchises(catalog: &Catalog) -> Franchises {
    franchises(
        catalog
            .items()
            .iter()
            .map(|item| (item.title.as_str(), item.series.as_str())),
    )
}

/// `ranked` (best first) with no franchise taking more than [`PER_FRANCHISE`] of the first
/// `count` places, nor a work more than one: items over the cap move after them, in their order.
pub fn cap_franchises(ranked: &[usize], franchises: &Franchises, count: usize) -> Vec<usize> {
    let mut taken: HashMap<u32, usize> = HashMap::new();
    let mut shown: HashSet<u32> = HashSet::new();
    let (mut kept, mut moved) = (Vec::with_capacity(ranked.len()), Vec::new());
    for &row in ranked {
        let n = taken.entry(franchises.franchise[row]).or_default();
        let work = franchises.work[row];
        if kept.len() < count && (*n >= PER_FRANCHISE || shown.contains(&work)) {
            moved.push(row);
        } else {
            *n += 1;
            shown.insert(work);
            kept.push(row);
        }
    }
    // Moved items go right after the capped places; the rest keep their order.
    let tail = kept.split_off(kept.len().min(count));
    kept.extend(moved);
    kept.extend(tail);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequels_films_and_seasons_share_a_franchise() {
        let titles = [
            "Clannad",
            "Clannad: After Story",
            "Clannad Movie",
            "Space☆Dandy",
            "Space☆Dandy 2nd Season",
            "Code Geass: Hangyaku no Lelouch",
            "Code Geass: Hangyaku no Lelouch R2",
            "Mobile Suit Gundam",
            "Mobile Suit Gundam Wing",
            "Boku no Hero Academia",
            "Boku no Pico",
            "Cowboy Bebop",
            "Trigun",
            "Memories Off #5 Togireta Film The Animation",
        ];
        let ids = franchise_ids(titles.into_iter());
        let same = |a: usize, b: usize| ids[a] == ids[b];
        assert!(same(0, 1) && same(0, 2), "{ids:?}");
        assert!(same(3, 4) && same(5, 6) && same(7, 8));
        assert!(!same(9, 10) && !same(11, 12) && !same(0, 3));
        let distinct: HashSet<u32> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), 9, "{ids:?}");
    }

    #[test]
    fn book_series_are_read_from_titles() {
        let titles = [
            "Murder on the Orient Express (Hercule Poirot, #10)",
            "The Murder of Roger Ackroyd (Hercule Poirot, #4)",
            "Poirot Investiga (Hércules Poirot, #3)",
            "Dune (Dune Chronicles #1)",
            "Children of Dune (Dune Chronicles #3)",
            "The Color of Magic (Discworld, #1; Rincewind #1)",
            "Mort (Discworld, #4; Death, #1)",
            "Harry Potter and the Chamber of Secrets (Harry Potter, #2)",
            "Harry Potter Boxset (Harry Potter, #1-7)",
            "Harry Potter and the Chamber of Secrets: Sheet Music for Flute with C.D",
            "Harry Potter: Film Wizardry",
            "A Scandal in Bohemia (The Adventures of Sherlock Holmes, #1)",
            "The House of Silk (Sherlock Holmes, #1)",
            "The Complete Sherlock Holmes",
            "Naked in Death (In Death, #1)",
            "Death in Venice",
            "Sleeping Beauty (Disney Princess, 5)",
            "Beauty and the Beast (Disney)",
        ];
        let ids = franchise_ids(titles.into_iter());
        let same = |a: usize, b: usize| ids[a] == ids[b];
        assert!(same(0, 1) && same(0, 2), "Poirot, also in Spanish");
        assert!(same(3, 4), "Dune");
        assert!(same(5, 6), "Discworld: the first series named");
        assert!(
            same(7, 8) && same(7, 9) && same(7, 10),
            "Harry Potter and its companions"
        );
        assert!(
            same(11, 12) && same(12, 13),
            "Sherlock Holmes, named in the titles"
        );
        assert!(
            !same(14, 15),
            "a series of small words is not looked for in titles"
        );
        assert!(!same(16, 17) && !same(0, 3) && !same(0, 14));
    }

    #[test]
    fn a_series_column_comes_first() {
        let rows = [
            ("The Fellowship of the Ring", "The Lord of the Rings"),
            ("The Two Towers", "Lord of the Rings"),
            ("The Hobbit (Middle-Earth, #0)", ""),
            ("The Silmarillion", ""),
        ];
        let ids = franchises(rows.into_iter());
        assert_eq!(ids[0], ids[1], "{ids:?}");
        assert_ne!(ids[0], ids[2]);
        assert_ne!(ids[2], ids[3]);
    }

    #[test]
    fn editions_of_one_title_are_one_work() {
        let titles = [
            "Harry Potter and the Goblet of Fire (Book 4)",
            "Harry Potter and the Goblet of Fire (Book 4)",
            "Harry Potter and the Order of the Phoenix (Harry Potter, #5)",
            "Harry Potter and the Order of the Phoenix (Harry Potter, #5, Part 1)",
            "The Stranger",
            "The Stranger",
        ];
        let ids = franchise_ids(titles.into_iter());
        let works = ids.works();
        assert_eq!(works[0], works[1]);
        assert_eq!(works[2], works[3]);
        assert_ne!(works[0], works[2]);
        assert!(
            ids[..4].iter().all(|&f| f == ids[0]),
            "one franchise: {ids:?}"
        );
        // One of each work, and at most two of the franchise, in the first places.
        assert_eq!(
            cap_franchises(&[0, 1, 4, 5, 2, 3], &ids, 3),
            vec![0, 4, 2, 1, 5, 3]
        );
    }

    #[test]
    fn anime_titles_carry_no_book_series_and_none_twice() {
        // So on anime-5k the series reading and the one-per-title rule change nothing, and the
        // README's evaluation of the franchise cap stands.
        let catalog = Catalog::load(
            include_bytes!("../data/anime-5k/catalog.json"),
            include_bytes!("../data/anime-5k/items.csv"),
        )
        .unwrap();
        let titles: Vec<&str> = catalog.items().iter().map(|i| i.title.as_str()).collect();
        assert!(titles.iter().all(|t| split_series(t).1.is_none()));
        let ids = catalog_franchises(&catalog);
        let works: HashSet<u32> = ids.works().iter().copied().collect();
        assert_eq!(works.len(), titles.len());
    }

    #[test]
    fn at_most_two_of_a_franchise_in_the_first_places() {
        // Rows 0–3 one franchise, 4 and 5 others.
        let franchises = Franchises {
            franchise: vec![7, 7, 7, 7, 1, 2],
            work: (0..6).collect(),
        };
        let capped = cap_franchises(&[0, 1, 2, 4, 3, 5], &franchises, 4);
        assert_eq!(capped, vec![0, 1, 4, 5, 2, 3]);
        // A short catalogue fills the list with what is left rather than leaving it short.
        assert_eq!(cap_franchises(&[0, 1, 2], &franchises, 3), vec![0, 1, 2]);
    }
}
