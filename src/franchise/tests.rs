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
        include_bytes!("../../data/anime-5k/catalog.json"),
        include_bytes!("../../data/anime-5k/items.csv"),
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
