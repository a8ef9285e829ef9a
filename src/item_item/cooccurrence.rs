//! Who is on a list with whom: the sparse part of the Gram matrix `XᵀX` that the item–item fit
//! needs, computed without ever holding the `n × n` matrix (Steck, "Markov Random Fields for
//! Collaborative Filtering", NeurIPS 2019: the support of each item's regression is taken from
//! co-occurrence, not from dense EASE).
//!
//! Each list is capped (long lists cost their length squared and say little more), then, item by
//! item, the lists holding it are walked and their other items counted. An item keeps its `M`
//! best candidates by `G_ij / G_jj^α`: raw counts favour popular items, dividing by the whole
//! count favours rare ones (one shared list with a one-list item scores 1), and `α` between the
//! two is chosen on validation users. Work is per item, so it runs in parallel over items and
//! over any range of them (a shard).
//!
//! Memory: the capped lists twice (by user and by item) and `M` pairs per item; time: the sum
//! of the capped lists' squared lengths.
//!
//! One concept, kept whole: the capped lists exist only to be counted here (their layout, by
//! user and by item, is what the count walks), and about 90 of its lines are tests.

use std::ops::Range;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::interactions::UserList;
use crate::rng::SplitMix64;

/// Mixed into each user id to seed the sample of a list longer than the cap.
const CAP_SEED: u64 = 0x05EE_DCA9;

/// One item's candidates: `(item, G_ij)`, sorted by item.
pub type Candidates = Vec<(u32, u32)>;

/// Per item, its most co-occurring items with its co-occurrence share of each (`(item, share)`,
/// by item): see [`Cooccurrence::share_rows`].
pub type ShareRows = Vec<Vec<(u32, f32)>>;

/// Most co-occurring items whose shares a table's row carries. Chosen on anime-5k's validation
/// users (the fit's stages chosen again with each; the mean of the five stages' validation
/// NDCG@10): 4, 8, 16, 32 and 64 gave 0.5126, 0.5175, 0.5150, 0.5121 and 0.5151. A few of the
/// most co-occurring say what a reaction's takers also took; more add noise and bytes.
pub const SHARE_NEIGHBOURS: usize = 8;

/// How the counts are taken and which candidates each item keeps.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CountConfig {
    /// Entries read from one list at most (a seeded sample of a longer one).
    pub cap: usize,
    /// Candidates kept per item (`M`).
    pub candidates: usize,
    /// The score's damping of popular candidates: `G_ij / G_jj^exponent`.
    pub exponent: f64,
}

/// Lists as compressed rows of item indices, capped and free of repeats; and the same entries
/// by item (which lists hold it).
pub struct CappedLists {
    n_items: usize,
    by_user: Csr,
    by_item: Csr,
    cap: usize,
    capped: usize,
}

/// Compressed rows: row `r` is `values[offsets[r]..offsets[r + 1]]`.
struct Csr {
    offsets: Vec<usize>,
    values: Vec<u32>,
}

impl Csr {
    fn row(&self, r: usize) -> &[u32] {
        &self.values[self.offsets[r]..self.offsets[r + 1]]
    }
}

impl CappedLists {
    /// `lists` with each capped at `cap` entries (a sample seeded by the user id, so the same
    /// list is capped the same way in every process) and repeated items dropped.
    pub fn new(lists: &[UserList], n_items: usize, cap: usize) -> Result<Self> {
        if cap == 0 {
            return Err(Error::Input("a list cap of 0 keeps nothing".into()));
        }
        if n_items > u32::MAX as usize {
            return Err(Error::Input(format!(
                "{n_items} items do not fit 32-bit indices"
            )));
        }
        let mut offsets = Vec::with_capacity(lists.len() + 1);
        offsets.push(0);
        let mut values: Vec<u32> = Vec::new();
        let mut seen = vec![false; n_items];
        let mut capped = 0;
        for list in lists {
            let start = values.len();
            for entry in &list.entries {
                if entry.row >= n_items {
                    return Err(Error::Input(format!(
                        "user {} has item row {} of a {n_items}-item catalogue",
                        list.user, entry.row
                    )));
                }
                if !std::mem::replace(&mut seen[entry.row], true) {
                    values.push(entry.row as u32);
                }
            }
            let kept = &mut values[start..];
            kept.iter().for_each(|&row| seen[row as usize] = false);
            if kept.len() > cap {
                let mut rng = SplitMix64::new(u64::from(list.user) ^ CAP_SEED);
                rng.shuffle(kept);
                values.truncate(start + cap);
                capped += 1;
            }
            values[start..].sort_unstable();
            offsets.push(values.len());
        }
        let by_user = Csr { offsets, values };
        let by_item = transpose(&by_user, n_items);
        Ok(Self {
            n_items,
            by_user,
            by_item,
            cap,
            capped,
        })
    }

    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// How many lists were longer than the cap.
    pub fn capped(&self) -> usize {
        self.capped
    }

    /// The entries kept.
    pub fn len(&self) -> usize {
        self.by_user.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_user.values.is_empty()
    }

    /// How many (capped) lists hold each item: the Gram matrix's diagonal.
    pub fn counts(&self) -> Vec<u32> {
        (0..self.n_items)
            .map(|i| self.by_item.row(i).len() as u32)
            .collect()
    }
}

/// Row `r` of the result lists the rows of `csr` that hold value `r`, in order.
fn transpose(csr: &Csr, n: usize) -> Csr {
    let mut offsets = vec![0usize; n + 1];
    csr.values
        .iter()
        .for_each(|&v| offsets[v as usize + 1] += 1);
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets.clone();
    let mut values = vec![0u32; csr.values.len()];
    for r in 0..csr.offsets.len() - 1 {
        for &v in csr.row(r) {
            values[next[v as usize]] = r as u32;
            next[v as usize] += 1;
        }
    }
    Csr { offsets, values }
}

/// Each item's best candidates with their co-occurrence counts, for the items of one range.
#[derive(Debug, Clone, PartialEq)]
pub struct Cooccurrence {
    /// The Gram matrix's diagonal, for every item of the catalogue.
    pub counts: Vec<u32>,
    /// The first item of `rows`.
    pub first: usize,
    /// For items `first..first + rows.len()`: candidates `(item, G_ij)`, sorted by item.
    pub rows: Vec<Candidates>,
    /// For the same items: the highest score of a candidate dropped (none it did not keep
    /// scores more); 0 where none was (a pair it did not keep then never co-occurs).
    pub ceilings: Vec<f64>,
    pub config: CountConfig,
}

impl Cooccurrence {
    /// The candidates of the items in `range` under each exponent in `exponents` (one pass
    /// over the lists serves every exponent: only the ranking of candidates differs).
    pub fn count(
        lists: &CappedLists,
        range: Range<usize>,
        candidates: usize,
        exponents: &[f64],
    ) -> Result<Vec<Cooccurrence>> {
        let n = lists.n_items;
        if range.end > n || range.start > range.end {
            return Err(Error::Input(format!(
                "items {range:?} of a {n}-item catalogue"
            )));
        }
        let counts = lists.counts();
        let powers: Vec<Vec<f64>> = exponents
            .iter()
            .map(|&a| counts.iter().map(|&c| (c.max(1) as f64).powf(a)).collect())
            .collect();
        let per_item: Vec<Vec<(Candidates, f64)>> = range
            .clone()
            .into_par_iter()
            .map_init(
                || (vec![0u32; n], Vec::<u32>::new()),
                |(tally, touched), item| {
                    for &user in lists.by_item.row(item) {
                        for &other in lists.by_user.row(user as usize) {
                            let t = &mut tally[other as usize];
                            if *t == 0 {
                                touched.push(other);
                            }
                            *t += 1;
                        }
                    }
                    let pairs: Vec<(u32, u32)> = touched
                        .drain(..)
                        .filter(|&j| j as usize != item)
                        .map(|j| (j, std::mem::take(&mut tally[j as usize])))
                        .collect();
                    tally[item] = 0;
                    powers
                        .iter()
                        .map(|power| best_candidates(&pairs, power, candidates))
                        .collect()
                },
            )
            .collect();
        // Item-major to exponent-major, moving each row (no copies).
        let mut by_exponent: Vec<Cooccurrence> = (exponents.iter())
            .map(|&exponent| Cooccurrence {
                counts: counts.clone(),
                first: range.start,
                rows: Vec::with_capacity(per_item.len()),
                ceilings: Vec::with_capacity(per_item.len()),
                config: CountConfig {
                    cap: lists.cap,
                    candidates,
                    exponent,
                },
            })
            .collect();
        for item in per_item {
            for (counted, (row, ceiling)) in by_exponent.iter_mut().zip(item) {
                counted.rows.push(row);
                counted.ceilings.push(ceiling);
            }
        }
        Ok(by_exponent)
    }

    /// The items whose candidates are here.
    pub fn range(&self) -> Range<usize> {
        self.first..self.first + self.rows.len()
    }

    /// Item `item`'s candidates `(item, G_ij)`, sorted by item.
    pub fn candidates(&self, item: usize) -> &[(u32, u32)] {
        &self.rows[item - self.first]
    }

    /// The same candidates cut to the best `m` by score (what a smaller `M` would have kept).
    pub fn truncated(&self, m: usize) -> Cooccurrence {
        let powers = self.powers();
        let (rows, ceilings) = (self.rows.iter().zip(&self.ceilings))
            .map(|(row, &ceiling)| {
                let (kept, cut) = best_candidates(row, &powers, m);
                (kept, cut.max(ceiling))
            })
            .unzip();
        Cooccurrence {
            counts: self.counts.clone(),
            first: self.first,
            rows,
            ceilings,
            config: CountConfig {
                candidates: m.min(self.config.candidates),
                ..self.config
            },
        }
    }

    /// What [`Cooccurrence::bound`] needs of one item: its count, that count to the power of
    /// the exponent, and its ceiling.
    pub fn bound_terms(&self, item: usize) -> [f64; 3] {
        let count = self.counts[item] as f64;
        let power = count.max(1.0).powf(self.config.exponent);
        [count, power, self.ceilings[item - self.first]]
    }

    /// The most that two items which kept neither the other can share, from their
    /// [`Cooccurrence::bound_terms`]: by each one's ceiling (`G_ab ≤ ceiling_a · G_bb^α`) and by
    /// the smaller count.
    pub fn bound(
        [count_a, power_a, ceiling_a]: [f64; 3],
        [count_b, power_b, ceiling_b]: [f64; 3],
    ) -> f64 {
        count_a
            .min(count_b)
            .min(ceiling_a * power_b)
            .min(ceiling_b * power_a)
    }

    /// `G_ab` where either item keeps the other as a candidate (counts are symmetric); `None`
    /// for a pair neither kept. The rule the solve applies by merging sorted lists, one pair at
    /// a time: what the tests check it against.
    #[cfg(test)]
    pub fn pair(&self, a: usize, b: usize) -> Option<u32> {
        let find = |row: usize, other: usize| {
            let range = self.range();
            range.contains(&row).then(|| {
                let list = self.candidates(row);
                (list.binary_search_by_key(&(other as u32), |&(j, _)| j).ok()).map(|at| list[at].1)
            })?
        };
        find(a, b).or_else(|| find(b, a))
    }

    /// For each item of `items` (here), its `m` most co-occurring candidates (the largest
    /// `G_ij`, ties to the lower item) with its co-occurrence share of each, `G_ij / G_ii`: of
    /// the lists it is on, the share that other item is also on. The rows of
    /// [`ItemItem::with_shares`](super::ItemItem::with_shares).
    pub fn share_rows(&self, items: Range<usize>, m: usize) -> ShareRows {
        let raw = vec![1.0; self.counts.len()];
        (items)
            .map(|item| {
                let row = self.candidates(item);
                let on = self.counts[item].max(1) as f32;
                let (kept, _) = best_candidates(row, &raw, m);
                kept.into_iter().map(|(j, g)| (j, g as f32 / on)).collect()
            })
            .collect()
    }

    /// Every item's count to the power of the exponent: what candidates' scores divide by.
    pub fn powers(&self) -> Vec<f64> {
        (self.counts.iter())
            .map(|&c| (c.max(1) as f64).powf(self.config.exponent))
            .collect()
    }

    /// Every candidate of `item`, best score first (ties to the lower item): the first `k`
    /// are the `k` best (`powers` from [`Cooccurrence::powers`]).
    pub fn ranked(&self, item: usize, powers: &[f64]) -> Candidates {
        let mut scored: Vec<(f64, u32, u32)> = (self.candidates(item).iter())
            .map(|&(j, g)| (g as f64 / powers[j as usize], j, g))
            .collect();
        scored.sort_unstable_by(better);
        scored.into_iter().map(|(_, j, g)| (j, g)).collect()
    }

    /// Parts of one catalogue's counts, in item order, as one (what a merge of shards does).
    pub fn concatenate(parts: Vec<Cooccurrence>) -> Result<Cooccurrence> {
        let mut parts = parts.into_iter();
        let mut whole = parts
            .next()
            .ok_or_else(|| Error::Input("no parts to merge".into()))?;
        for part in parts {
            if part.first != whole.range().end
                || part.counts != whole.counts
                || part.config != whole.config
            {
                return Err(Error::Input(format!(
                    "a part for items {:?} does not follow items {:?} of the same counts",
                    part.range(),
                    whole.range()
                )));
            }
            whole.rows.extend(part.rows);
            whole.ceilings.extend(part.ceilings);
        }
        Ok(whole)
    }
}

/// The `m` pairs with the highest `count / power[item]`, sorted by item, and the highest score
/// of those dropped (0 if none was).
fn best_candidates(pairs: &[(u32, u32)], power: &[f64], m: usize) -> (Vec<(u32, u32)>, f64) {
    let mut scored: Vec<(f64, u32, u32)> = pairs
        .iter()
        .map(|&(j, g)| (g as f64 / power[j as usize], j, g))
        .collect();
    let mut cut = 0f64;
    if scored.len() > m {
        if m > 0 {
            scored.select_nth_unstable_by(m - 1, better);
        }
        cut = scored[m..].iter().map(|s| s.0).fold(0.0, f64::max);
        scored.truncate(m);
    }
    let mut kept: Vec<(u32, u32)> = scored.into_iter().map(|(_, j, g)| (j, g)).collect();
    kept.sort_unstable();
    (kept, cut)
}

/// The order of scored candidates `(score, item, G)`: higher score first, ties to the lower
/// item.
fn better(a: &(f64, u32, u32), b: &(f64, u32, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests;
