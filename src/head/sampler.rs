//! Sampled softmax for large catalogues (issue 26): a training step scores only the batch's own
//! items (history and targets) and a random set of negatives, instead of the whole catalogue.
//!
//! Each item enters a step's negatives independently with a known probability `π_j` (Poisson
//! sampling: `π_j = min(1, c · w_j)`, `w_j = (count_j + 1)^β`, `c` set so that `Σ π_j` is the
//! expected number of negatives). A sampled negative's logit is corrected by `− log π_j` (the
//! logQ correction), so `Σ_sampled e^{s_j} / π_j` is an unbiased estimate of the catalogue's
//! `Σ_j e^{s_j}` and the loss approaches the full softmax's. With every `π_j = 1` (as many
//! negatives as items) it *is* the full softmax.

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::HistoryBatch;
use super::objective::{Example, SEEN_LOGIT, Targets};
use crate::error::{Error, Result};
use crate::interactions::Entry;
use crate::rng::SplitMix64;

/// Draws each step's negatives; see the module's documentation.
#[derive(Debug, Clone)]
pub struct NegativeSampler {
    inclusion: Vec<f32>,
}

impl NegativeSampler {
    /// Negatives for a catalogue whose items were seen `counts[j]` times in training, about
    /// `expected` per step, drawn in proportion to `(count + 1)^exponent` (0: uniform).
    pub fn new(counts: &[u32], expected: usize, exponent: f64) -> Result<Self> {
        if counts.is_empty() || expected == 0 {
            return Err(Error::Input(
                "sampled softmax needs items and at least one negative per step".into(),
            ));
        }
        if !(exponent.is_finite() && exponent >= 0.0) {
            return Err(Error::Input(format!(
                "the negatives' popularity exponent must be ≥ 0, not {exponent}"
            )));
        }
        let weights: Vec<f64> = counts
            .iter()
            .map(|&c| (c as f64 + 1.0).powf(exponent))
            .collect();
        let target = expected.min(counts.len()) as f64;
        let total = |c: f64| weights.iter().map(|w| (c * w).min(1.0)).sum::<f64>();
        // At c = 1/min w every item is always in; below it Σ min(1, c·w) grows with c, so
        // bisect for the c that reaches `target`.
        let all = 1.0 / weights.iter().copied().fold(f64::MAX, f64::min);
        let c = if expected >= counts.len() {
            all
        } else {
            let (mut low, mut high) = (0.0, all);
            for _ in 0..100 {
                let mid = 0.5 * (low + high);
                if total(mid) < target {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            0.5 * (low + high)
        };
        Ok(Self {
            inclusion: weights.iter().map(|w| (c * w).min(1.0) as f32).collect(),
        })
    }

    pub fn items(&self) -> usize {
        self.inclusion.len()
    }

    /// The probability `π_j` that item `j` is among a step's negatives.
    pub fn inclusion(&self, row: usize) -> f32 {
        self.inclusion[row]
    }

    /// The expected number of negatives per step.
    pub fn expected(&self) -> f64 {
        self.inclusion.iter().map(|&p| p as f64).sum()
    }

    /// One step's negatives, in catalogue order.
    pub fn draw(&self, rng: &mut SplitMix64) -> Vec<usize> {
        self.inclusion
            .iter()
            .enumerate()
            .filter(|&(_, &p)| p >= 1.0 || rng.unit_f32() < p)
            .map(|(row, _)| row)
            .collect()
    }
}

/// A training batch over a subset of the catalogue: the rows the step touches (every history
/// item, target and sampled negative, in catalogue order), the histories re-indexed into them,
/// and the targets with the logQ correction in their additive mask.
pub struct SampledBatch {
    pub rows: Tensor<1, Int>,
    pub history: HistoryBatch,
    pub targets: Targets,
    /// How many catalogue rows the step scores.
    pub width: usize,
}

impl SampledBatch {
    pub fn new(
        examples: &[Example],
        sampler: &NegativeSampler,
        rng: &mut SplitMix64,
        device: &Device,
    ) -> Result<Self> {
        let items = sampler.items();
        let negatives = sampler.draw(rng);
        // Catalogue row → column of this step (usize::MAX: not in it).
        let mut column = vec![usize::MAX; items];
        let mut in_sample = vec![false; items];
        for &row in &negatives {
            in_sample[row] = true;
            column[row] = 0;
        }
        for example in examples {
            for entry in example.input.iter().chain(example.targets) {
                if entry.row >= items {
                    return Err(Error::Input(format!(
                        "item row {} is outside the catalogue of {items}",
                        entry.row
                    )));
                }
                column[entry.row] = 0;
            }
        }
        let mut rows = Vec::new();
        for (row, slot) in column.iter_mut().enumerate() {
            if *slot != usize::MAX {
                *slot = rows.len();
                rows.push(row);
            }
        }
        let width = rows.len();
        let batch = examples.len();
        // Unsampled columns (other users' items) are out of every row's softmax; a sampled
        // negative weighs 1/π_j.
        let base: Vec<f32> = rows
            .iter()
            .map(|&row| {
                if in_sample[row] {
                    -sampler.inclusion(row).ln()
                } else {
                    SEEN_LOGIT
                }
            })
            .collect();
        let mut weights = vec![0f32; batch * width];
        let mut seen = Vec::with_capacity(batch * width);
        for _ in 0..batch {
            seen.extend_from_slice(&base);
        }
        let mut histories = Vec::with_capacity(batch);
        for (b, example) in examples.iter().enumerate() {
            for entry in example.input {
                seen[b * width + column[entry.row]] = SEEN_LOGIT;
            }
            // A target is always in its own softmax, uncorrected (it was not sampled).
            let share = 1.0 / example.targets.len().max(1) as f32;
            for entry in example.targets {
                weights[b * width + column[entry.row]] += share;
                seen[b * width + column[entry.row]] = 0.0;
            }
            histories.push(
                example
                    .input
                    .iter()
                    .map(|e| Entry {
                        row: column[e.row],
                        rating: e.rating,
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let histories: Vec<&[Entry]> = histories.iter().map(Vec::as_slice).collect();
        let matrix =
            |values: Vec<f32>| Tensor::from_data(TensorData::new(values, [batch, width]), device);
        let rows_i32: Vec<i32> = rows.iter().map(|&r| r as i32).collect();
        Ok(Self {
            rows: Tensor::from_data(TensorData::new(rows_i32, [width]), device),
            history: HistoryBatch::new(&histories, width, device)?,
            targets: Targets::Distribution {
                weights: matrix(weights),
                seen: matrix(seen),
            },
            width,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusion_probabilities_sum_to_the_expected_count_and_follow_popularity() {
        let counts: Vec<u32> = (0..1000).map(|j| 1000 / (j + 1)).collect();
        let sampler = NegativeSampler::new(&counts, 100, 0.75).unwrap();
        assert!(
            (sampler.expected() - 100.0).abs() < 0.01,
            "{}",
            sampler.expected()
        );
        assert!(sampler.inclusion(0) > sampler.inclusion(10));
        assert!(sampler.inclusion(10) > sampler.inclusion(999));
        let uniform = NegativeSampler::new(&counts, 100, 0.0).unwrap();
        assert!((uniform.inclusion(0) - 0.1).abs() < 1e-6);
        assert!((uniform.inclusion(999) - 0.1).abs() < 1e-6);
        // As many negatives as items (or more): every item, always.
        let all = NegativeSampler::new(&counts, 5000, 0.75).unwrap();
        assert!((0..1000).all(|j| all.inclusion(j) == 1.0));
        assert_eq!(
            all.draw(&mut SplitMix64::new(1)),
            (0..1000).collect::<Vec<_>>()
        );
    }

    #[test]
    fn draws_are_seeded_and_include_each_item_at_its_probability() {
        let counts: Vec<u32> = (0..200).map(|j| (j % 17) * 30).collect();
        let sampler = NegativeSampler::new(&counts, 40, 0.75).unwrap();
        let draws = |seed| {
            let mut rng = SplitMix64::new(seed);
            (0..4000)
                .map(|_| sampler.draw(&mut rng))
                .collect::<Vec<_>>()
        };
        let first = draws(3);
        assert_eq!(first, draws(3));
        assert_ne!(first, draws(4));
        let mut hits = vec![0usize; 200];
        for draw in &first {
            assert!(draw.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
            for &row in draw {
                hits[row] += 1;
            }
        }
        for (row, &n) in hits.iter().enumerate() {
            let p = sampler.inclusion(row) as f64;
            let sd = (4000.0 * p * (1.0 - p)).sqrt().max(1.0);
            assert!(
                (n as f64 - 4000.0 * p).abs() < 5.0 * sd,
                "item {row}: {n} draws for π = {p}"
            );
        }
    }

    #[test]
    fn the_corrected_sum_estimates_the_catalogues_partition_function() {
        // Σ_sampled e^{s_j} / π_j is unbiased for Σ_j e^{s_j}: what the logQ correction is for.
        let counts: Vec<u32> = (0..500).map(|j| 500 / (j + 1)).collect();
        let sampler = NegativeSampler::new(&counts, 50, 0.75).unwrap();
        let scores: Vec<f64> = (0..500)
            .map(|j| ((j * 37 % 11) as f64 - 5.0) / 3.0)
            .collect();
        let exact: f64 = scores.iter().map(|s| s.exp()).sum();
        let mut rng = SplitMix64::new(9);
        let draws = 20_000;
        let mean = (0..draws)
            .map(|_| {
                sampler
                    .draw(&mut rng)
                    .iter()
                    .map(|&j| (scores[j] - (sampler.inclusion(j) as f64).ln()).exp())
                    .sum::<f64>()
            })
            .sum::<f64>()
            / draws as f64;
        assert!((mean / exact - 1.0).abs() < 0.01, "{mean} vs {exact}");
    }

    use crate::head::{Head, HeadConfig, Objective, read_rows, read_scalar};

    fn entries(rows: &[usize]) -> Vec<Entry> {
        rows.iter().map(|&row| Entry { row, rating: 8 }).collect()
    }

    /// (history, targets) of one training example.
    type Pair = (Vec<Entry>, Vec<Entry>);

    /// The training examples the pairs describe.
    fn as_examples(pairs: &[Pair]) -> Vec<Example<'_>> {
        (pairs.iter())
            .map(|(input, targets)| Example { input, targets })
            .collect()
    }

    /// A small head over random text vectors, and two examples.
    fn fixture() -> (Head, Tensor<2>, Vec<Pair>) {
        let device = crate::device::cpu();
        let (items, text_dim) = (12, 8);
        let mut rng = SplitMix64::new(5);
        let values: Vec<f32> = (0..items * text_dim)
            .map(|_| rng.uniform_f32(1.0))
            .collect();
        let text = Tensor::<2>::from_data(TensorData::new(values, [items, text_dim]), &device);
        let config = HeadConfig {
            hidden: 6,
            dim: 4,
            ..HeadConfig::new(text_dim, items)
        };
        let head = Head::new(&config, 3, &device).unwrap();
        let examples = vec![
            (entries(&[0, 3, 7]), entries(&[5, 9])),
            (entries(&[2, 5]), entries(&[11])),
        ];
        (head, text, examples)
    }

    fn sampled_loss(head: &Head, text: &Tensor<2>, batch: SampledBatch) -> f64 {
        let items = head.item_rows(text.clone(), batch.rows);
        let users = head.users(&items, &batch.history);
        crate::device::block_on(read_scalar(batch.targets.loss(head, &items, &users))).unwrap()
    }

    #[test]
    fn with_every_item_sampled_the_loss_is_the_full_softmax() {
        let (head, text, examples) = fixture();
        let device = text.device();
        let batch = as_examples(&examples);
        let inputs: Vec<&[Entry]> = examples.iter().map(|(h, _)| h.as_slice()).collect();
        let items = head.item_table(text.clone());
        let users = head.users(&items, &HistoryBatch::new(&inputs, 12, &device).unwrap());
        let targets = Targets::new(Objective::Softmax, &batch, 12, &device).unwrap();
        let full =
            crate::device::block_on(read_scalar(targets.loss(&head, &items, &users))).unwrap();

        let sampler = NegativeSampler::new(&[4; 12], 12, 0.75).unwrap();
        let sampled = SampledBatch::new(&batch, &sampler, &mut SplitMix64::new(1), &device);
        let sampled = sampled_loss(&head, &text, sampled.unwrap());
        assert!(
            (full - sampled).abs() < 1e-5,
            "full {full} vs sampled {sampled}"
        );
    }

    #[test]
    fn a_sampled_batch_holds_the_examples_items_and_is_seeded() {
        let (head, text, examples) = fixture();
        let device = text.device();
        let batch = as_examples(&examples);
        let counts = [9, 1, 1, 5, 1, 1, 1, 2, 1, 1, 1, 3];
        let sampler = NegativeSampler::new(&counts, 3, 0.75).unwrap();
        let make = |seed| SampledBatch::new(&batch, &sampler, &mut SplitMix64::new(seed), &device);
        let first = make(2).unwrap();
        let rows: Vec<usize> = crate::device::block_on(read_rows(
            first.rows.clone().float().reshape([1, first.width]),
        ))
        .unwrap()[0]
            .iter()
            .map(|&r| r as usize)
            .collect();
        for row in [0, 2, 3, 5, 7, 9, 11] {
            assert!(rows.contains(&row), "row {row} missing from {rows:?}");
        }
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        // Histories index the step's rows: the same user vectors as over the whole table.
        let table = head.item_table(text.clone());
        let inputs: Vec<&[Entry]> = examples.iter().map(|(h, _)| h.as_slice()).collect();
        let whole = head.users(&table, &HistoryBatch::new(&inputs, 12, &device).unwrap());
        let part = head.users(
            &head.item_rows(text.clone(), first.rows.clone()),
            &first.history,
        );
        let flat = |t: Tensor<2>| crate::device::block_on(read_rows(t)).unwrap().concat();
        for (a, b) in flat(whole.vectors).iter().zip(flat(part.vectors)) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        // The same seed gives the same loss; the loss is finite.
        let a = sampled_loss(&head, &text, make(2).unwrap());
        let b = sampled_loss(&head, &text, make(2).unwrap());
        assert_eq!(a, b);
        assert!(a.is_finite() && a > 0.0, "{a}");
    }

    #[test]
    fn bad_settings_are_named_errors() {
        assert!(NegativeSampler::new(&[], 10, 0.5).is_err());
        assert!(NegativeSampler::new(&[1, 2], 0, 0.5).is_err());
        let error = NegativeSampler::new(&[1, 2], 1, -1.0)
            .unwrap_err()
            .to_string();
        assert!(error.contains("exponent"), "{error}");
    }
}
