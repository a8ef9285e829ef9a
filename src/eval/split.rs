//! Evaluation splits. anime-5k has no timestamps: whole users are held out (10% test, 10%
//! validation) and, for each of them, 20% of their items are hidden at random; the rest is the
//! visible history a model sees. Deterministic for a seed.

use crate::interactions::{Entry, UserList};

/// A small, fast, seedable generator (SplitMix64): splits must not depend on a crate's RNG
/// changing between versions.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn users(n: usize, len: usize) -> Vec<UserList> {
        (0..n)
            .map(|u| UserList {
                user: u as u32,
                entries: (0..len)
                    .map(|row| Entry {
                        row: (row + u) % 50,
                        rating: 0,
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn shares_are_respected_and_hidden_items_come_from_the_user() {
        let all = users(100, 10);
        let split = user_holdout(&all, &HoldoutConfig::default());
        assert_eq!(
            (split.train.len(), split.test.len(), split.validation.len()),
            (80, 10, 10)
        );
        for held in split.test.iter().chain(&split.validation) {
            assert_eq!((held.visible.len(), held.hidden.len()), (8, 2));
            let original = &all[held.user as usize].entries;
            let mut both: Vec<usize> = held
                .visible
                .iter()
                .chain(&held.hidden)
                .map(|e| e.row)
                .collect();
            let mut expected: Vec<usize> = original.iter().map(|e| e.row).collect();
            both.sort_unstable();
            expected.sort_unstable();
            assert_eq!(both, expected, "visible + hidden = the user's list");
        }
    }

    #[test]
    fn same_seed_same_split_other_seed_other_split() {
        let all = users(100, 10);
        let ids = |s: &Split| s.test.iter().map(|h| h.user).collect::<Vec<_>>();
        let a = user_holdout(&all, &HoldoutConfig::default());
        let b = user_holdout(&all, &HoldoutConfig::default());
        let c = user_holdout(
            &all,
            &HoldoutConfig {
                seed: 7,
                ..Default::default()
            },
        );
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
    }

    #[test]
    fn short_lists_stay_in_training() {
        let mut all = users(20, 10);
        all.extend(users(80, 3).into_iter().map(|mut u| {
            u.user += 100;
            u
        }));
        let split = user_holdout(&all, &HoldoutConfig::default());
        assert!(
            split
                .test
                .iter()
                .chain(&split.validation)
                .all(|h| h.user < 100)
        );
    }
}
