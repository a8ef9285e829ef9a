//! For a new person: how much the item–item part and the popularity prior weigh at each number
//! of reactions ([`Stage`]), chosen on validation users shown that many.

use rayon::prelude::*;

use super::split_scores::SplitScores;
use crate::eval::split::HeldOut;
use crate::item_item::{ItemItem, Stage};
/// Numbers of reactions a stage is chosen for: where one more reaction still changes much.
pub const STAGE_REACTIONS: [usize; 5] = [1, 2, 3, 5, 10];

/// Stages from this many reactions on weigh no co-occurrence shares: they are for a person's
/// first reactions, where the table's weights, fitted for whole histories, rank worst. On
/// anime-5k validation chooses none at five reactions; at ten, a weight of 1 ranked test users
/// 4% better, but a taste the person then describes (which the head reads) moved the page's
/// list less (a browser test: after three likes, two rows where it moved three).
pub const SHARES_BEFORE: usize = 5;

/// From this many reactions on, the mix is the one chosen for whole histories
/// ([`choose_mix`](super::choose_mix), on the standard validation users): a few-reactions
/// protocol with a long history shown asks a different question (most of a long list as targets
/// rewards popular items), and on anime-5k stages chosen that way up to 40 reactions cost the
/// standard protocol 1.1%.
pub const WHOLE_HISTORY_REACTIONS: usize = 20;

/// Validation users at one number of reactions, with the head's scores for each.
pub struct StageUsers {
    pub reactions: usize,
    /// New people shown `reactions` items first, then users with about as many in a split of
    /// whole histories: each group's mean NDCG@10 counts alike, so neither decides alone.
    pub users: Vec<HeldOut>,
    /// How many of `users` are the first group.
    pub new_people: usize,
    /// The head's score row for each user (none for a table without a head).
    pub head_scores: Option<Vec<Vec<f32>>>,
}

/// The stage at `at.reactions` (see [`Stage`]): the item–item multiplier and popularity weight
/// with the best NDCG@10 on those validation users, on a grid (ties go to the plainer, tried
/// first); then, below [`SHARES_BEFORE`] reactions and where the table has co-occurrence
/// shares, their weight with those two fixed: the smallest within one standard error of the
/// best (paired by user), as the mix's scale is chosen. One weight at a time, and the shares
/// only where they help beyond noise, keep the choice to what these few hundred users can tell
/// apart and leave the head its say (chosen together, the three scaled the head down to a
/// tie-breaker at three reactions, and a described taste, which the head reads, moved one row
/// of the page's list where it had moved three). The popularity weights double past the grid
/// while the largest is best, so the choice is never cut by the grid's edge (MovieLens' first
/// ratings, mostly of popular films, choose the edge, 128, at every number of reactions; 256
/// ranks no better there). `table` carries the fitted mix and the counts.
pub fn choose_stage(table: &ItemItem, at: &StageUsers, mut log: impl FnMut(&str)) -> Stage {
    const ITEM_ITEM: [f32; 8] = [1.0, 0.5, 2.0, 0.25, 4.0, 0.125, 0.0625, 0.0];
    const POPULARITY: [f32; 13] = [
        0.0, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0,
    ];
    /// Where the doubling stops: the prior is in [0, 1] and scores span a few units, so far
    /// beyond this the list is the popular list with ties broken by the rest.
    const MAX_POPULARITY: f32 = 65_536.0;
    /// The shares are in [0, 1], and from one reaction they rank best almost on their own
    /// (anime-5k's best weight there is 512, the least within noise 64): the grid reaches past
    /// the head's logits and the item–item part.
    const CO_OCCURRENCE: [f32; 12] = [
        0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
    ];
    // Each part alone: the item–item part as fitted, and the shares at weight 1.
    let part_alone = |stage: Stage| {
        let mix = table.mix.clone().with_stages(vec![stage]);
        table.clone().with_mix(mix)
    };
    let plain = part_alone(Stage::PLAIN);
    let shares = part_alone(Stage {
        item_item: 0.0,
        co_occurrence: 1.0,
        ..Stage::PLAIN
    });
    let prior = table.prior();
    let prior = |i: usize| prior.get(i).copied().unwrap_or(0.0);
    let zeros = vec![0f32; table.n_items()];
    // Every stage of the grid `popularities × item_items × co_occurrences` (in that order),
    // with each user's NDCG@10 under it.
    let evaluate = |popularities: &[f32], item_items: &[f32], co_occurrences: &[f32]| {
        let grid: Vec<Stage> = (popularities.iter())
            .flat_map(|&popularity| {
                (item_items.iter()).flat_map(move |&item_item| {
                    (co_occurrences.iter()).map(move |&co_occurrence| Stage {
                        reactions: at.reactions,
                        item_item,
                        popularity,
                        co_occurrence,
                    })
                })
            })
            .collect();
        let per_user: Vec<Vec<f64>> = (at.users.par_iter().enumerate())
            .map(|(u, user)| {
                // What the weights move, and the rest (made again for each grid, not kept for
                // every user: at 100,000 items that would be 100 kB a user).
                let user_shares = match table.has_shares() {
                    true => shares.scores(&user.visible),
                    false => Vec::new(),
                };
                let split =
                    SplitScores::with_shares(user, &plain.scores(&user.visible), &user_shares);
                let head = at.head_scores.as_ref().map_or(&zeros, |h| &h[u]);
                let mut ndcgs = Vec::with_capacity(grid.len());
                for same_rest in grid.chunk_by(|a, b| a.popularity == b.popularity) {
                    let popularity = same_rest[0].popularity;
                    let rest = split.best_rest(|i| head[i] + popularity * prior(i));
                    for stage in same_rest {
                        let score = |i: usize, part: f32, share: f32| {
                            head[i]
                                + stage.item_item * part
                                + stage.co_occurrence * share
                                + popularity * prior(i)
                        };
                        ndcgs.push(split.ndcg_with_shares(&rest, score));
                    }
                }
                ndcgs
            })
            .collect();
        (grid.into_iter().enumerate())
            .map(|(g, stage)| (stage, per_user.iter().map(|u| u[g]).collect()))
            .collect::<Vec<(Stage, Vec<f64>)>>()
    };
    // New people, then users of the standard split with about as many: each group's mean
    // counts alike.
    let new_people = at.new_people;
    let score = |ndcgs: &[f64]| {
        let groups = groups(ndcgs, new_people);
        let mean = |g: &[f64]| g.iter().sum::<f64>() / g.len() as f64;
        groups.iter().map(|g| mean(g)).sum::<f64>() / groups.len().max(1) as f64
    };
    // The standard error of `score(a) - score(b)`, paired by user within each group.
    let standard_error = |a: &[f64], b: &[f64]| {
        let d: Vec<f64> = a.iter().zip(b).map(|(a, b)| a - b).collect();
        let groups = groups(&d, new_people);
        let variance_of_mean = |g: &[f64]| {
            let m = g.iter().sum::<f64>() / g.len() as f64;
            let var = g.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (g.len().max(2) - 1) as f64;
            var / g.len() as f64
        };
        let n = groups.len().max(1) as f64;
        groups
            .iter()
            .map(|g| variance_of_mean(g))
            .sum::<f64>()
            .sqrt()
            / n
    };
    // The best of `tried` over `best` (ties to what came first).
    let keep_best = |tried: Vec<(Stage, Vec<f64>)>, best: &mut (Stage, Vec<f64>)| {
        for (stage, ndcgs) in tried {
            if best.1.is_empty() || score(&ndcgs) > score(&best.1) {
                *best = (stage, ndcgs);
            }
        }
    };
    let mut best = (Stage::PLAIN, Vec::new());
    // Without counts there is no prior to weigh.
    if table.prior().is_empty() {
        keep_best(evaluate(&[0.0], &ITEM_ITEM, &[0.0]), &mut best);
    } else {
        keep_best(evaluate(&POPULARITY, &ITEM_ITEM, &[0.0]), &mut best);
        let mut largest = POPULARITY[POPULARITY.len() - 1];
        while best.0.popularity == largest && largest < MAX_POPULARITY {
            largest *= 2.0;
            keep_best(evaluate(&[largest], &ITEM_ITEM, &[0.0]), &mut best);
        }
    }
    // The shares' weight: the smallest within one standard error of the best (as the mix's
    // scale is chosen), so that they are weighed only where they rank better beyond noise.
    if table.has_shares() && at.reactions < SHARES_BEFORE {
        let (popularity, item_item) = (best.0.popularity, best.0.item_item);
        let tried = evaluate(&[popularity], &[item_item], &CO_OCCURRENCE);
        let top = (tried.iter())
            .max_by(|a, b| score(&a.1).total_cmp(&score(&b.1)))
            .expect("a grid")
            .clone();
        best = (tried.into_iter())
            .find(|(_, ndcgs)| score(ndcgs) >= score(&top.1) - standard_error(&top.1, ndcgs))
            .expect("the best is within its own error");
    }
    let best = (best.0, score(&best.1));
    log(&format!(
        "stage at {} reactions ({} validation users): item–item ×{}, popularity {}, \
         co-occurrence {} (NDCG@10 {:.4})",
        at.reactions,
        at.users.len(),
        best.0.item_item,
        best.0.popularity,
        best.0.co_occurrence,
        best.1
    ));
    best.0
}

/// A stage's users' values in their two groups: the first `new_people`, then the rest (either
/// left out where empty).
fn groups(values: &[f64], new_people: usize) -> Vec<&[f64]> {
    let (first, second) = values.split_at(new_people.min(values.len()));
    [first, second]
        .into_iter()
        .filter(|g| !g.is_empty())
        .collect()
}

/// The stages chosen at [`STAGE_REACTIONS`], then the fitted mix itself from
/// [`WHOLE_HISTORY_REACTIONS`] on.
pub fn with_whole_history(mut stages: Vec<Stage>) -> Vec<Stage> {
    if stages
        .last()
        .is_some_and(|s| s.reactions < WHOLE_HISTORY_REACTIONS)
    {
        stages.push(Stage {
            reactions: WHOLE_HISTORY_REACTIONS,
            ..Stage::PLAIN
        });
    }
    stages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interactions::Entry;
    use crate::item_item::Mix;

    #[test]
    fn shares_weigh_the_least_that_ranks_best_and_only_for_first_reactions() {
        // Item 0's weights reach item 1; its shares say its takers also took item 2, which is
        // what every user liked next.
        let rows = vec![vec![(1, 0.5)], vec![], vec![], vec![], vec![], vec![]];
        let mut shares = vec![Vec::new(); 6];
        shares[0] = vec![(2, 0.9)];
        let table = (ItemItem::from_rows(rows, Mix::uniform(1.0)).unwrap())
            .with_counts(vec![5; 6])
            .unwrap()
            .with_shares(shares)
            .unwrap();
        let user = |user| HeldOut {
            user,
            visible: vec![Entry { row: 0, rating: 0 }],
            hidden: vec![Entry { row: 2, rating: 0 }],
        };
        let at = |reactions| StageUsers {
            reactions,
            users: (0..4).map(user).collect(),
            new_people: 4,
            head_scores: None,
        };
        // Any weight of at least 1 puts item 2 (0.9) above item 1 (0.5): the least is chosen.
        assert_eq!(choose_stage(&table, &at(1), |_| ()).co_occurrence, 1.0);
        assert_eq!(
            choose_stage(&table, &at(SHARES_BEFORE), |_| ()).co_occurrence,
            0.0
        );
        // A table without shares weighs none.
        let plain = ItemItem::from_rows(vec![vec![(1, 0.5)], vec![]], Mix::uniform(1.0)).unwrap();
        let two = |user| HeldOut {
            hidden: vec![Entry { row: 1, rating: 0 }],
            ..user
        };
        let at_plain = StageUsers {
            users: vec![two(user(0))],
            new_people: 1,
            ..at(1)
        };
        assert_eq!(choose_stage(&plain, &at_plain, |_| ()).co_occurrence, 0.0);
    }
}
