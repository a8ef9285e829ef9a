//! `localrec eval --protocol few-reactions`: how a new person fares. Each held-out user shows
//! 1, 2, 3, 5 or 10 of their reactions and must find the rest of their list; the same users
//! are asked at every count (those with at least 10 + 5 items), so the rows compare across
//! counts. One table per count, then NDCG@10 by count in one table.

use localrec::Result;
use localrec::device;
use localrec::eval::baselines::{CoOccurrence, Popularity, RankingReport, TextKnn, evaluate};
use localrec::eval::split::{FEW_REACTIONS, FEW_REACTIONS_MIN_TARGETS, few_reactions};
use localrec::franchise::franchise_ids;
use localrec::item_item::Mix;
use localrec::train::rank_users;

use crate::dataset::{Dataset, Protocol};
use crate::evaluate::{
    ModelReport, ease_and_table, hybrid_rankings, load_heads, models_json, print_rows,
};
use crate::item_item::{DEFAULT_KS, head_scores};

pub fn eval_few_reactions(dataset: &Dataset, json: bool, seed: u64) -> Result<()> {
    let protocol = Protocol::FewReactions;
    let (split, description, _) = dataset.split_for(seed, protocol);
    let n_items = dataset.catalog.len();
    let heads = match dataset.vectors {
        Some(_) => load_heads(dataset, protocol, None)?,
        None => Vec::new(),
    };
    let main_head =
        (heads.iter().find(|h| h.name == "head")).map(|h| (h.file.head.clone(), h.items.clone()));
    let (ease, table) = ease_and_table(dataset, &split, protocol, main_head.as_ref())?;
    let popularity = Popularity::fit(&split.train, n_items);
    // As many neighbours as the table's largest support.
    let co_occurrence = CoOccurrence::fit(&split.train, n_items, DEFAULT_KS[DEFAULT_KS.len() - 1])?;
    let alone = table.clone().with_mix(Mix::uniform(1.0));
    let without_stages = table
        .clone()
        .with_mix(table.mix.clone().with_stages(Vec::new()));
    let franchise = franchise_ids(dataset.catalog.items().iter().map(|i| i.title.as_str()));
    let time_order = dataset.time_ordered.then_some(dataset.users.as_slice());
    let min_entries = FEW_REACTIONS[FEW_REACTIONS.len() - 1] + FEW_REACTIONS_MIN_TARGETS;

    let adapted = dataset.adapted_vectors(Protocol::FewReactions)?;
    let mut tables = Vec::new();
    for shown in FEW_REACTIONS {
        let users = few_reactions(&split.test, shown, min_entries, seed, time_order);
        let mut rows: Vec<(String, ModelReport)> = Vec::new();
        let mut add = |name: &str, report: RankingReport| {
            eprintln!("{shown} shown: {name} NDCG@10 {:.4}", report.ndcg);
            rows.push((name.to_string(), ModelReport::ranking(report)));
        };
        add("popularity", evaluate(&popularity, &users, n_items));
        if let Some(ease) = &ease {
            add("ease", evaluate(ease, &users, n_items));
        }
        add("co-occurrence", evaluate(&co_occurrence, &users, n_items));
        add("item-item", evaluate(&alone, &users, n_items));
        // The table's whole part as the page mixes it (the prior and the co-occurrence shares
        // weighed at each count), without the head.
        add("item-item, staged", evaluate(&table, &users, n_items));
        if let Some(items) = &dataset.vectors {
            add("text-knn", evaluate(&TextKnn { items }, &users, n_items));
        }
        if let Some(items) = &adapted {
            add(
                "text-knn, adapted encoder",
                evaluate(&TextKnn { items }, &users, n_items),
            );
        }
        for head in &heads {
            add(
                &head.name,
                device::block_on(rank_users(&head.file.head, &head.items, &users))?,
            );
        }
        if let Some((head, items)) = &main_head {
            let scores = head_scores(head, items, &users)?;
            let plain = hybrid_rankings(&scores, &without_stages, &users, &franchise).0;
            add("hybrid, no prior", plain.report());
            add(
                "hybrid",
                hybrid_rankings(&scores, &table, &users, &franchise)
                    .0
                    .report(),
            );
        }
        tables.push((shown, users.len(), rows));
    }

    if json {
        let shown: serde_json::Map<String, serde_json::Value> = tables
            .iter()
            .map(|(shown, _, rows)| (shown.to_string(), models_json(rows)))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "dataset": dataset.name,
                "protocol": format!("few reactions; {description}"),
                "mix": table.mix,
                "shown": shown,
            })
        );
        return Ok(());
    }
    println!(
        "{}: few reactions (each test user with ≥{min_entries} items shows v of them{}, the \
         rest are targets; full ranking, shown items excluded); {description}\n",
        dataset.name,
        if time_order.is_some() {
            ", the earliest"
        } else {
            " at random"
        },
    );
    for (shown, users, rows) in &tables {
        println!("v = {shown} shown ({users} users)");
        print_rows(rows);
        println!();
    }
    // NDCG@10 by count, with each row against the better of popularity and EASE.
    print!("{:<26}", "NDCG@10 by v");
    tables
        .iter()
        .for_each(|(shown, _, _)| print!(" {:>8}", format!("v={shown}")));
    println!();
    let names: Vec<&String> = tables[0].2.iter().map(|(name, _)| name).collect();
    let ndcg = |rows: &[(String, ModelReport)], name: &str| {
        rows.iter()
            .find(|(n, _)| n == name)
            .map_or(0.0, |(_, r)| r.ranking.ndcg)
    };
    for name in names {
        print!("{name:<26}");
        tables
            .iter()
            .for_each(|(_, _, rows)| print!(" {:>8.4}", ndcg(rows, name)));
        println!();
    }
    print!("{:<26}", "hybrid / max(pop, EASE)");
    for (_, _, rows) in &tables {
        let baseline = ndcg(rows, "popularity").max(ndcg(rows, "ease"));
        print!(" {:>7.3}×", ndcg(rows, "hybrid") / baseline);
    }
    println!();
    Ok(())
}
