//! A text-only catalogue read by the real model (tests/fixtures/recipes: 24 recipes described
//! in a sentence or two, and two that are only a title): a new person's first list is a spread
//! of the catalogue, not the file in order; a taste sentence finds what it describes, not the
//! thin texts that are close to any short sentence; and where a like drives a row, the reason
//! names the like, not the sentence.

mod common;

use std::collections::HashSet;
use std::path::Path;

use localrec::catalog::Catalog;
use localrec::device::{block_on, cpu};
use localrec::item_vectors::ItemVectors;
use localrec::recommender::{Basis, Reaction, Recommendations, Recommender, Request, Source};

const THIN: [&str; 2] = ["Curry night", "Stuffed peppers"];

struct Recipes {
    recommender: Recommender,
    encoder: localrec::Encoder,
}

fn recipes() -> Recipes {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recipes");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let catalog = Catalog::load(&read("catalog.json"), &read("items.csv")).unwrap();
    let encoder = common::cpu_encoder();
    let texts = catalog.texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let rows = encoder.embed(&texts).unwrap();
    let vectors = ItemVectors::from_rows(rows, Default::default())
        .unwrap()
        .to_safetensors()
        .unwrap();
    let recommender = Recommender::new(catalog, None, &vectors, &cpu()).unwrap();
    Recipes {
        recommender,
        encoder,
    }
}

impl Recipes {
    fn recommend(&self, likes: &[&str], taste: Option<&str>, count: usize) -> Recommendations {
        let catalog = self.recommender.catalog();
        let reactions: Vec<(String, Reaction)> = likes
            .iter()
            .map(|title| {
                let row = (0..catalog.len())
                    .find(|&r| catalog.item(r).title == *title)
                    .unwrap();
                (catalog.item(row).id.clone(), Reaction::Like)
            })
            .collect();
        let tastes = taste.map_or_else(Vec::new, |t| self.encoder.embed(&[t]).unwrap());
        block_on(self.recommender.recommend(&Request {
            reactions: &reactions,
            tastes: &tastes,
            taste_texts: &[],
            personal: None,
            count,
            reasons: 2,
        }))
        .unwrap()
    }

    fn title(&self, id: &str) -> &str {
        let catalog = self.recommender.catalog();
        &catalog.item(catalog.row(id).unwrap()).title
    }

    fn titles(&self, list: &Recommendations) -> Vec<&str> {
        list.items.iter().map(|r| self.title(&r.item)).collect()
    }
}

#[test]
fn text_only_lists_follow_what_the_items_say() {
    let recipes = recipes();
    let catalog = recipes.recommender.catalog();

    // Nothing to go on: a spread across the catalogue, said to be one, not the file's order.
    let first = recipes.recommend(&[], None, 8);
    assert_eq!(first.basis, Basis::Spread);
    let rows: Vec<usize> = first
        .items
        .iter()
        .map(|r| catalog.row(&r.item).unwrap())
        .collect();
    assert_ne!(rows, (0..8).collect::<Vec<_>>(), "the file in order");
    assert!(
        first.items.iter().any(|r| r.score != first.items[0].score),
        "every score the same"
    );
    // Spread: the eight cover at least six cuisines, and no thin text (they say too little).
    let cuisines: HashSet<&str> = rows
        .iter()
        .map(|&r| catalog.item(r).fields[0].as_str())
        .collect();
    assert!(cuisines.len() >= 6, "{:?}", recipes.titles(&first));
    assert!(recipes.titles(&first).iter().all(|t| !THIN.contains(t)));
    assert!(recipes.recommend(&[], None, 0).items.is_empty());

    // A taste finds what it says; the thin texts do not crowd in, but come for their own name.
    for (taste, expected) in [
        ("a rich chocolate dessert", "Chocolate lava cake"),
        ("a light fresh seafood dish", "Ceviche"),
        ("spicy noodle soup", "Phở bò"),
        ("something Italian", "Pasta carbonara"),
        ("a cold summer salad", "Salade niçoise"),
        ("a hearty French stew", "Beef bourguignon"),
    ] {
        let list = recipes.recommend(&[], Some(taste), 5);
        let titles = recipes.titles(&list);
        assert_eq!(list.basis, Basis::Person);
        assert_eq!(titles[0], expected, "{taste}: {titles:?}");
        assert!(
            titles.iter().all(|t| !THIN.contains(t)),
            "{taste}: {titles:?}"
        );
    }
    for name in THIN {
        let list = recipes.recommend(&[], Some(name), 3);
        assert_eq!(recipes.titles(&list)[0], name);
    }

    // A like and a taste: rows near the like are there because of the like, and say so.
    let list = recipes.recommend(&["Ramen"], Some("a rich chocolate dessert"), 10);
    let titles = recipes.titles(&list);
    let ramen = catalog.item(catalog.row("16").unwrap()).id.clone();
    let because_ramen: Vec<&str> = list
        .items
        .iter()
        .filter(|r| r.because.first().map(|b| &b.source) == Some(&Source::Item(ramen.clone())))
        .map(|r| recipes.title(&r.item))
        .collect();
    assert!(
        because_ramen.contains(&"Phở bò"),
        "no row names the like: {titles:?}, {:?}",
        list.items.iter().map(|r| &r.because).collect::<Vec<_>>()
    );
    assert!(titles[..2].contains(&"Chocolate lava cake"), "{titles:?}");
}
