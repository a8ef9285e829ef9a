//! `localrec eval`: every model on the same split and the same full-ranking protocol.

use std::path::{Path, PathBuf};

use std::ops::ControlFlow;

use burn::tensor::Tensor;
use indicatif::ProgressBar;
use localrec::device;
use localrec::eval::baselines::{
    ItemKnn, K, Popularity, Ranking, RankingReport, TextKnn, evaluate,
};
use localrec::eval::ease::Ease;
use localrec::eval::metrics;
use localrec::eval::split::{HeldOut, Split};
use localrec::fine_tune::{FineTuneConfig, fine_tune, personalise};
use localrec::franchise::{Franchises, cap_franchises, franchise_ids};
use localrec::head::{Head, HistoryBatch, ItemTable, Objective, read_rows};
use localrec::item_item::fit::ease_on_validation;
use localrec::item_item::{ItemItem, Mix, load_item_item};
use localrec::train::{rank_users, rating_pairs};
use localrec::{Encoder, Error, Result};

mod heads;
mod rows;

pub use heads::load_heads;
pub use rows::{ModelReport, models_json, print_rows};

use crate::dataset::{Dataset, Protocol};
use crate::few_reactions::eval_few_reactions;
use crate::item_item::{DEFAULT_KS, Weights, fit_on_split, head_scores, read};
use crate::personal_bound::eval_personal_bound;
use crate::taste::eval_described_taste;
use crate::text_only::eval_text_only;

/// The described-taste protocol's options: the label column, and the labels in a person's words.
pub struct TasteOptions {
    pub column: Option<String>,
    pub phrases: Option<PathBuf>,
    /// Write the weights chosen on validation users into the catalogue's item–item table.
    pub keep_choice: bool,
}

pub fn eval(
    dir: &Path,
    json: bool,
    seed: u64,
    protocol: Protocol,
    taste: TasteOptions,
    encoder: impl FnOnce(Option<&Path>) -> Result<Encoder>,
) -> Result<()> {
    let dataset = Dataset::load(dir)?;
    if taste.keep_choice && protocol != Protocol::DescribedTaste {
        return Err(Error::Input(
            "--keep-choice keeps the described-taste protocol's choice: add --protocol \
             described-taste"
                .into(),
        ));
    }
    match protocol {
        Protocol::FewReactions => return eval_few_reactions(&dataset, json, seed),
        Protocol::TextOnly => return eval_text_only(&dataset, json, seed),
        Protocol::PersonalBound => return eval_personal_bound(&dataset, json, seed),
        Protocol::DescribedTaste => {
            return eval_described_taste(&dataset, json, seed, &taste, encoder);
        }
        Protocol::Standard | Protocol::ColdItems => {}
    }
    let (split, description, cold) = dataset.split_for(seed, protocol);
    let n_items = dataset.catalog.len();

    let mut rows: Vec<(String, ModelReport)> = Vec::new();
    let mut add = |name: &str, ranking: RankingReport, extra: Extra| {
        eprintln!("evaluated {name}: NDCG@10 {:.4}", ranking.ndcg);
        let (rmse, franchises) = match extra {
            Extra::None => (None, None),
            Extra::Rmse(rmse) => (rmse, None),
            Extra::Franchises(f) => (None, Some(f)),
        };
        rows.push((
            name.to_string(),
            ModelReport {
                ranking,
                rmse,
                franchises,
            },
        ));
    };
    let franchise = franchise_ids(dataset.catalog.items().iter().map(|i| i.title.as_str()));
    let popularity = Popularity::fit(&split.train, n_items);
    add(
        "popularity",
        evaluate(&popularity, &split.test, n_items),
        Extra::None,
    );
    let itemknn = ItemKnn::fit(&split.train, n_items, 100);
    add(
        "itemknn",
        evaluate(&itemknn, &split.test, n_items),
        Extra::None,
    );
    drop(itemknn);

    // The heads of this protocol; "head" (softmax, text + IDs) is the hybrid's.
    let heads = match &dataset.vectors {
        None => {
            eprintln!(
                "note: {} is missing (run `localrec embed-catalog --dataset {}`): text models skipped",
                dataset.vectors_path.display(),
                dir.display()
            );
            Vec::new()
        }
        Some(_) => load_heads(&dataset, protocol, cold.as_deref())?,
    };
    let main_head = heads
        .iter()
        .find(|h| h.name == "head")
        .map(|h| (h.file.head.clone(), h.items.clone()));

    let (ease, table) = ease_and_table(&dataset, &split, protocol, main_head.as_ref())?;
    if let Some(ease) = ease {
        eprintln!("EASE λ = {}", ease.lambda());
        add("ease", evaluate(&ease, &split.test, n_items), Extra::None);
    }
    let alone = table.clone().with_mix(Mix::uniform(1.0));
    add(
        "item-item",
        evaluate(&alone, &split.test, n_items),
        Extra::None,
    );

    if let Some(items) = &dataset.vectors {
        add(
            "text-knn",
            evaluate(&TextKnn { items }, &split.test, n_items),
            Extra::None,
        );
    }
    if let Some(items) = &dataset.adapted_vectors(protocol)? {
        add(
            "text-knn, adapted encoder",
            evaluate(&TextKnn { items }, &split.test, n_items),
            Extra::None,
        );
    }
    for head in &heads {
        let ranking = device::block_on(rank_users(&head.file.head, &head.items, &split.test))?;
        let rmse = if head.file.objective == Objective::Rating {
            let (predicted, actual) =
                device::block_on(rating_pairs(&head.file.head, &head.items, &split.test))?;
            metrics::rmse(&predicted, &actual)
        } else {
            None
        };
        add(&head.name, ranking, Extra::Rmse(rmse));
        if head.name != "head" {
            continue;
        }
        let (head, items) = (&head.file.head, &head.items);
        let (plain, capped) = hybrid_rankings(
            &head_scores(head, items, &split.test)?,
            &table,
            &split.test,
            &franchise,
        );
        let distinct = |r: &Ranking| Extra::Franchises(r.distinct_in_top(&franchise));
        add("hybrid", plain.report(), distinct(&plain));
        add(
            "hybrid, ≤2 per franchise",
            capped.report(),
            distinct(&capped),
        );
        if protocol == Protocol::Standard {
            let (before, after) = fine_tune_comparison(head, items, None, &split.test)?;
            add("head, users ≥20 events", before, Extra::None);
            add("head+fine-tune, ≥20", after, Extra::None);
            let (before, after) = fine_tune_comparison(head, items, Some(&table), &split.test)?;
            add("hybrid, users ≥20 events", before, Extra::None);
            add("hybrid+fine-tune, ≥20", after, Extra::None);
        }
    }

    if json {
        let models = models_json(&rows);
        let mix = serde_json::to_value(&table.mix).expect("plain numbers");
        println!(
            "{}",
            serde_json::json!({
                "dataset": dataset.name,
                "protocol": description,
                "item_item": table.info,
                "mix": mix,
                "models": models,
            })
        );
    } else {
        println!("{}: {description}\n", dataset.name);
        print_rows(&rows);
    }
    Ok(())
}

/// Dense EASE (λ searched on the validation users; none, with the reason, where it does not
/// fit in memory) and the item–item part for `protocol`. The shipped table (fitted by
/// `localrec fit-item-item` on the standard split) serves the protocols that use that split;
/// for one with its own split (new items, say) it is fitted again.
pub fn ease_and_table(
    dataset: &Dataset,
    split: &Split,
    protocol: Protocol,
    head: Option<&(Head, ItemTable)>,
) -> Result<(Option<Ease>, ItemItem)> {
    let n_items = dataset.catalog.len();
    let log = |line: &str| eprintln!("{line}");
    let ease = match ease_on_validation(
        &split.train,
        &split.validation,
        n_items,
        &device::cpu(),
        log,
    ) {
        Ok((ease, _)) => Some(ease),
        Err(why) => {
            eprintln!("note: {why}");
            None
        }
    };
    let shipped = dataset.dir.join("item_item.safetensors");
    if !dataset.own_split(protocol) && shipped.exists() {
        return Ok((ease, load_item_item(&read(&shipped)?)?));
    }
    let time_order = dataset.time_ordered.then_some(dataset.users.as_slice());
    let table = device::block_on(fit_on_split(
        split,
        n_items,
        Weights::search(DEFAULT_KS.to_vec()),
        head,
        dataset.vectors.as_ref(),
        time_order,
    ))?;
    Ok((ease, table))
}

/// The person's user vector from `user`'s visible history, before and after personal
/// fine-tuning on it (as the page does it, with the page's defaults).
pub fn fine_tuned_user(head: &Head, items: &ItemTable, user: &HeldOut) -> Result<[Tensor<2>; 2]> {
    let n_items = items.bias.dims()[0];
    let history = HistoryBatch::new(&[&user.visible], n_items, &items.vectors.device())?;
    let base = head.users(items, &history).vectors;
    let (personal, _) = device::block_on(fine_tune(
        head,
        items,
        &user.visible,
        &FineTuneConfig::default(),
        |_| ControlFlow::Continue(()),
    ))?;
    Ok([base.clone(), personalise(base, &personal)])
}

/// The hybrid's rankings of `users` (head scores plus the item–item part, as the page scores
/// them): as they are, and with at most two items of a franchise in the top 10 (as the page
/// shows them). `head_scores[u]` is the head's row for `users[u]`.
pub fn hybrid_rankings(
    head_scores: &[Vec<f32>],
    table: &ItemItem,
    users: &[HeldOut],
    franchise: &Franchises,
) -> (Ranking, Ranking) {
    let n_items = table.n_items();
    let (mut plain, mut capped) = (Ranking::new(n_items), Ranking::new(n_items));
    for (user, head) in users.iter().zip(head_scores) {
        let mut scores = head.clone();
        table.add_scores(&user.visible, &mut scores);
        plain.add(&scores, user);
        capped.add_reranked(&scores, user, |ranked| {
            cap_franchises(&ranked, franchise, K)
        });
    }
    (plain, capped)
}

/// What a row reports besides ranking metrics.
enum Extra {
    None,
    Rmse(Option<f64>),
    /// Mean distinct franchises in the top 10.
    Franchises(f64),
}

/// The head (plus the item–item part, if given) with and without personal fine-tuning, on
/// the test users with at least 20 visible events (each fine-tuned on their visible history,
/// as the page does: the residual is learned on the head and added to the hybrid's scores).
pub fn fine_tune_comparison(
    head: &Head,
    items: &ItemTable,
    table: Option<&ItemItem>,
    users: &[HeldOut],
) -> Result<(RankingReport, RankingReport)> {
    let n_items = items.bias.dims()[0];
    let eligible: Vec<&HeldOut> = users.iter().filter(|u| u.visible.len() >= 20).collect();
    let (mut before, mut after) = (Ranking::new(n_items), Ranking::new(n_items));
    let bar = ProgressBar::new(eligible.len() as u64);
    for user in eligible {
        let [base, personal] = fine_tuned_user(head, items, user)?;
        let mut rows = device::block_on(read_rows(Tensor::cat(
            vec![head.scores(&base, items), head.scores(&personal, items)],
            0,
        )))?;
        if let Some(table) = table {
            rows.iter_mut()
                .for_each(|row| table.add_scores(&user.visible, row));
        }
        before.add(&rows[0], user);
        after.add(&rows[1], user);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((before.report(), after.report()))
}
