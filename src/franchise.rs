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
use std::iter::once;
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
    let named: HashSet<&str> = rows
        .iter()
        .filter_map(|(_, s)| s.as_deref())
        .filter(|s| findable(s))
        .collect();
    let known: HashSet<&str> = mains.iter().map(String::as_str).collect();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut number = |root: String| {
        let next = ids.len() as u32;
        *ids.entry(root).or_insert(next)
    };
    // The series name `text` names, the shortest first ("sherlock holmes" before "memoirs of
    // sherlock holmes"). A name in a text is a run of its words (both are single-spaced keys),
    // so the text's runs are looked up, not every name searched for in every title (the books'
    // thousands of names made that seconds).
    let longest = named.iter().map(|name| name.split(' ').count()).max();
    let named_in = |text: &str| {
        let longest = longest?;
        let key = series_key(text);
        let spaces = || key.match_indices(' ').map(|(at, _)| at);
        let starts: Vec<usize> = once(0).chain(spaces().map(|at| at + 1)).collect();
        let ends: Vec<usize> = spaces().chain(once(key.len())).collect();
        let runs = (starts.iter().enumerate()).flat_map(|(first, &start)| {
            ends[first..]
                .iter()
                .take(longest)
                .map(move |&end| (start, end))
        });
        runs.filter_map(|(start, end)| named.get(&key[start..end]).copied())
            .min_by_key(|name| (name.len(), *name))
    };
    let franchise = rows
        .iter()
        .zip(&mains)
        .map(|((own, series), main)| {
            if let Some(series) = series {
                let series = named_in(series.as_str()).unwrap_or(series.as_str());
                return number(format!("series:{series}"));
            }
            // Its word prefixes, shortest first (a main part's words are single-spaced).
            let prefix = (main.match_indices(' ').map(|(at, _)| &main[..at]))
                .chain(once(main.as_str()))
                .find(|prefix| known.contains(prefix));
            if let Some(series) = prefix.and_then(|p| series_of_main.get(p).copied()) {
                return number(format!("series:{}", named_in(series).unwrap_or(series)));
            }
            if let Some(series) = named_in(own) {
                return number(format!("series:{series}"));
            }
            number(prefix.unwrap_or(main).to_string())
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
mod tests;
