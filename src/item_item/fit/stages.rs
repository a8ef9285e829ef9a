//! For a new person: how much the item–item part and the popularity prior weigh at each number
//! of reactions ([`Stage`]), chosen on validation users shown that many.

use rayon::prelude::*;

use super::split_scores::SplitScores;
use crate::eval::split::HeldOut;
use crate::item_item::{ItemItem, Stage};
/// Numbers of reactions a stage is chosen for: where one more reaction still changes much.
pub const STAGE_REACTIONS: [usize; 5] = [1, 2, 3, 5, 10];

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
/// first). The popularity weights double past the grid while the largest is best, so the choice
/// is never cut by the grid's edge (MovieLens' first ratings, mostly of popular films, choose
/// the edge, 128, at every number of reactions; 256 ranks no better there). `table` carries
/// the fitted mix and the counts.
pub fn choose_stage(table: &ItemItem, at: &StageUsers, mut log: impl FnMut(&str)) -> Stage {
    const ITEM_ITEM: [f32; 8] = [1.0, 0.5, 2.0, 0.25, 4.0, 0.125, 0.0625, 0.0];
    const POPULARITY: [f32; 13] = [
        0.0, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0,
    ];
    /// Where the doubling stops: the prior is in [0, 1] and scores span a few units, so far
    /// beyond this the list is the popular list with ties broken by the rest.
    const MAX_POPULARITY: f32 = 65_536.0;
    let plain = table
        .clone()
        .with_mix(table.mix.clone().with_stages(Vec::new()));
    let prior = table.prior();
    let prior = |i: usize| prior.get(i).copied().unwrap_or(0.0);
    let zeros = vec![0f32; table.n_items()];
    // Per user, NDCG@10 at every (popularity, item–item) pair of `popularities`.
    let ndcgs_at = |popularities: &[f32]| -> Vec<Vec<f64>> {
        (at.users.par_iter().enumerate())
            .map(|(u, user)| {
                let head = at.head_scores.as_ref().map_or(&zeros, |h| &h[u]);
                let split = SplitScores::new(user, &plain.scores(&user.visible));
                let mut ndcgs = Vec::with_capacity(ITEM_ITEM.len() * popularities.len());
                for &popularity in popularities {
                    let rest = split.best_rest(|i| head[i] + popularity * prior(i));
                    for item_item in ITEM_ITEM {
                        let score = |i: usize, part: f32| {
                            head[i] + item_item * part + popularity * prior(i)
                        };
                        ndcgs.push(split.ndcg(&rest, score));
                    }
                }
                ndcgs
            })
            .collect()
    };
    // The best pair of `popularities` over `best`: each group's mean NDCG@10 counts alike
    // (new people, then whole histories).
    let choose = |popularities: &[f32], best: &mut (Stage, f64)| {
        let per_user = ndcgs_at(popularities);
        let (first, second) = per_user.split_at(at.new_people.min(per_user.len()));
        for (p, &popularity) in popularities.iter().enumerate() {
            for (m, item_item) in ITEM_ITEM.into_iter().enumerate() {
                let pair = p * ITEM_ITEM.len() + m;
                let means: Vec<f64> = [first, second]
                    .iter()
                    .filter(|group| !group.is_empty())
                    .map(|group| group.iter().map(|u| u[pair]).sum::<f64>() / group.len() as f64)
                    .collect();
                let ndcg = means.iter().sum::<f64>() / means.len().max(1) as f64;
                if ndcg > best.1 {
                    let stage = Stage {
                        reactions: at.reactions,
                        item_item,
                        popularity,
                    };
                    *best = (stage, ndcg);
                }
            }
        }
    };
    let mut best = (Stage::PLAIN, f64::MIN);
    // Without counts there is no prior to weigh.
    if table.prior().is_empty() {
        choose(&[0.0], &mut best);
    } else {
        choose(&POPULARITY, &mut best);
        let mut largest = POPULARITY[POPULARITY.len() - 1];
        while best.0.popularity == largest && largest < MAX_POPULARITY {
            largest *= 2.0;
            choose(&[largest], &mut best);
        }
    }
    log(&format!(
        "stage at {} reactions ({} validation users): item–item ×{}, popularity {} \
         (NDCG@10 {:.4})",
        at.reactions,
        at.users.len(),
        best.0.item_item,
        best.0.popularity,
        best.1
    ));
    best.0
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
