//! Evaluation splits. anime-5k has no timestamps: whole users are held out (10% test, 10%
//! validation) and, for each of them, 20% of their items are hidden at random; the rest is the
//! visible history a model sees. Deterministic for a seed.

use crate::interactions::{Entry, UserList};
use crate::rng::SplitMix64;

/// One held-out user: what a model may see, and what it should find.
#[derive(Debug, Clone)]
pub struct HeldOut {
    pub user: u32,
    pub visible: Vec<Entry>,
    pub hidden: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Split {
    /// Users whose whole lists are training data.
    pub train: Vec<UserList>,
    pub validation: Vec<HeldOut>,
    pub test: Vec<HeldOut>,
}

pub struct HoldoutConfig {
    pub test_share: f64,
    pub validation_share: f64,
    pub hidden_share: f64,
    /// Users with fewer entries than this stay in training (nothing meaningful to hide).
    pub min_entries: usize,
    pub seed: u64,
}

impl Default for HoldoutConfig {
    fn default() -> Self {
        Self {
            test_share: 0.1,
            validation_share: 0.1,
            hidden_share: 0.2,
            min_entries: 5,
            seed: 42,
        }
    }
}

/// A catalogue's own split: leave-last-out where its lists are in time order, else whole users
/// held out (10% test, 10% validation, seeded), 20% of each one's items hidden.
pub fn standard_split(users: &[UserList], time_ordered: bool, seed: u64) -> Split {
    match time_ordered {
        true => leave_last_out(users),
        false => user_holdout(
            users,
            &HoldoutConfig {
                seed,
                ..Default::default()
            },
        ),
    }
}

/// Held-out users with a random share of their items hidden.
pub fn user_holdout(users: &[UserList], config: &HoldoutConfig) -> Split {
    let mut rng = SplitMix64::new(config.seed);
    let mut eligible: Vec<usize> = (0..users.len())
        .filter(|&i| users[i].entries.len() >= config.min_entries)
        .collect();
    rng.shuffle(&mut eligible);
    let n_test = (users.len() as f64 * config.test_share).round() as usize;
    let n_validation = (users.len() as f64 * config.validation_share).round() as usize;
    let n_test = n_test.min(eligible.len());
    let n_validation = n_validation.min(eligible.len() - n_test);

    let mut role = vec![0u8; users.len()]; // 0 train, 1 test, 2 validation
    eligible[..n_test].iter().for_each(|&i| role[i] = 1);
    eligible[n_test..n_test + n_validation]
        .iter()
        .for_each(|&i| role[i] = 2);

    let mut split = Split {
        train: Vec::new(),
        validation: Vec::new(),
        test: Vec::new(),
    };
    for (user, &r) in users.iter().zip(&role) {
        if r == 0 {
            split.train.push(user.clone());
            continue;
        }
        let mut entries = user.entries.clone();
        rng.shuffle(&mut entries);
        let n_hidden = ((entries.len() as f64 * config.hidden_share).round() as usize)
            .clamp(1, entries.len() - 1);
        let hidden = entries.split_off(entries.len() - n_hidden);
        let held = HeldOut {
            user: user.user,
            visible: entries,
            hidden,
        };
        if r == 1 {
            split.test.push(held)
        } else {
            split.validation.push(held)
        }
    }
    split
}

/// Leave-last-out by time, for lists in time order: each user's last entry is the test target
/// (seen: everything before it), the one before it the validation target, and the rest is
/// training data. Users with fewer than 3 entries are training data only.
pub fn leave_last_out(users: &[UserList]) -> Split {
    let mut split = Split {
        train: Vec::new(),
        validation: Vec::new(),
        test: Vec::new(),
    };
    for user in users {
        let n = user.entries.len();
        if n < 3 {
            split.train.push(user.clone());
            continue;
        }
        let held = |seen: usize| HeldOut {
            user: user.user,
            visible: user.entries[..seen].to_vec(),
            hidden: vec![user.entries[seen]],
        };
        split.train.push(UserList {
            user: user.user,
            entries: user.entries[..n - 2].to_vec(),
        });
        split.validation.push(held(n - 2));
        split.test.push(held(n - 1));
    }
    split
}

/// The cold-item protocol: a seeded `share` of the catalogue becomes new items, and every
/// interaction with them leaves everything that trains or fits: training lists, and the
/// validation users (who tune λ, k, mixes and early stopping on warm items only). Test users keep
/// their warm items as visible history and are asked to find their hidden new items; users with
/// none are dropped. Returns the split and which rows are new.
pub fn cold_items(split: &Split, n_items: usize, share: f64, seed: u64) -> (Split, Vec<bool>) {
    let mut rows: Vec<usize> = (0..n_items).collect();
    SplitMix64::new(seed ^ 0xC01D).shuffle(&mut rows);
    let mut cold = vec![false; n_items];
    let n_cold = (n_items as f64 * share).round() as usize;
    rows[..n_cold.min(n_items)]
        .iter()
        .for_each(|&r| cold[r] = true);

    let warm = |entries: &[Entry]| -> Vec<Entry> {
        entries.iter().copied().filter(|e| !cold[e.row]).collect()
    };
    let train = split
        .train
        .iter()
        .map(|u| UserList {
            user: u.user,
            entries: warm(&u.entries),
        })
        .filter(|u| !u.entries.is_empty())
        .collect();
    // Held-out users keep their warm history visible, and find their warm (validation) or new
    // (test) hidden items.
    let held_out = |users: &[HeldOut], new_targets: bool| -> Vec<HeldOut> {
        users
            .iter()
            .map(|u| HeldOut {
                user: u.user,
                visible: warm(&u.visible),
                hidden: u
                    .hidden
                    .iter()
                    .copied()
                    .filter(|e| cold[e.row] == new_targets)
                    .collect(),
            })
            .filter(|u| !u.visible.is_empty() && !u.hidden.is_empty())
            .collect()
    };
    let validation = held_out(&split.validation, false);
    let test = held_out(&split.test, true);
    (
        Split {
            train,
            validation,
            test,
        },
        cold,
    )
}

/// Reactions shown per held-out user under the few-reactions protocol.
pub const FEW_REACTIONS: [usize; 5] = [1, 2, 3, 5, 10];

/// Targets every few-reactions user keeps at the largest `shown`: the same users are asked at
/// every count, each with at least this many items to find.
pub const FEW_REACTIONS_MIN_TARGETS: usize = 5;

/// The few-reactions protocol (a new person): each held-out user shows `shown` of their items
/// and the rest of their list are targets. With `time_order` (the users' whole lists in time
/// order) the earliest `shown` items are shown; without, `shown` at random (one seeded order
/// per user, so the items shown at 2 include those shown at 1). Only users with at least
/// `min_entries` items take part.
pub fn few_reactions(
    users: &[HeldOut],
    shown: usize,
    min_entries: usize,
    seed: u64,
    time_order: Option<&[UserList]>,
) -> Vec<HeldOut> {
    let in_order: std::collections::HashMap<u32, &UserList> = time_order
        .unwrap_or_default()
        .iter()
        .map(|l| (l.user, l))
        .collect();
    users
        .iter()
        .filter_map(|held| {
            let mut entries = match time_order {
                Some(_) => in_order.get(&held.user)?.entries.clone(),
                None => {
                    let mut all = [held.visible.as_slice(), &held.hidden].concat();
                    all.sort_unstable_by_key(|e| e.row);
                    SplitMix64::new(seed ^ (u64::from(held.user) << 20) ^ 0xFE57).shuffle(&mut all);
                    all
                }
            };
            if entries.len() < min_entries.max(shown + 1) {
                return None;
            }
            let hidden = entries.split_off(shown);
            Some(HeldOut {
                user: held.user,
                visible: entries,
                hidden,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
