//! Franchises: a series, its sequels, films and specials ("Clannad", "Clannad: After Story",
//! "Clannad Movie"). A list where one franchise takes half the places tells a person little, so
//! the page keeps at most [`PER_FRANCHISE`] of each in a list.
//!
//! A franchise is read from the titles: a title's main part (before a subtitle `:`, lowercased)
//! belongs to the franchise of the shortest other main part that starts it, word for word
//! ("Clannad" starts "Clannad Movie"; "Mobile Suit Gundam" starts "Mobile Suit Gundam Wing").

use std::collections::{HashMap, HashSet};

/// Most items of one franchise in a list.
pub const PER_FRANCHISE: usize = 2;

/// A title's main part: before any subtitle, lowercased, words separated by single spaces.
fn main_part(title: &str) -> String {
    let main = title.split(':').next().unwrap_or(title).to_lowercase();
    main.split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',', '!', '?']))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Franchise numbers per catalogue row (equal numbers, same franchise).
pub fn franchise_ids<'a>(titles: impl Iterator<Item = &'a str>) -> Vec<u32> {
    let mains: Vec<String> = titles.map(main_part).collect();
    let known: HashSet<&str> = mains.iter().map(String::as_str).collect();
    let mut ids: HashMap<String, u32> = HashMap::new();
    mains
        .iter()
        .map(|main| {
            let words: Vec<&str> = main.split(' ').collect();
            let root = (1..=words.len())
                .map(|n| words[..n].join(" "))
                .find(|prefix| known.contains(prefix.as_str()))
                .unwrap_or_else(|| main.clone());
            let next = ids.len() as u32;
            *ids.entry(root).or_insert(next)
        })
        .collect()
}

/// `ranked` (best first) with no franchise taking more than [`PER_FRANCHISE`] of the first
/// `count` places: items over the cap move after them, in their order.
pub fn cap_franchises(ranked: &[usize], franchise: &[u32], count: usize) -> Vec<usize> {
    let mut taken: HashMap<u32, usize> = HashMap::new();
    let (mut kept, mut moved) = (Vec::with_capacity(ranked.len()), Vec::new());
    for &row in ranked {
        let n = taken.entry(franchise[row]).or_default();
        if kept.len() < count && *n >= PER_FRANCHISE {
            moved.push(row);
        } else {
            *n += 1;
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
        ];
        let ids = franchise_ids(titles.into_iter());
        let same = |a: usize, b: usize| ids[a] == ids[b];
        assert!(same(0, 1) && same(0, 2), "{ids:?}");
        assert!(same(3, 4) && same(5, 6) && same(7, 8));
        assert!(!same(9, 10) && !same(11, 12) && !same(0, 3));
    }

    #[test]
    fn at_most_two_of_a_franchise_in_the_first_places() {
        // Rows 0–3 one franchise, 4 and 5 others.
        let franchise = [7, 7, 7, 7, 1, 2];
        let capped = cap_franchises(&[0, 1, 2, 4, 3, 5], &franchise, 4);
        assert_eq!(capped, vec![0, 1, 4, 5, 2, 3]);
        // A short catalogue fills the list with what is left rather than leaving it short.
        assert_eq!(cap_franchises(&[0, 1, 2], &franchise, 3), vec![0, 1, 2]);
    }
}
