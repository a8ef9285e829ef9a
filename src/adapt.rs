//! Fine-tuning the language model for a catalogue (natively): a low-rank adapter on its upper
//! layers, trained so that the mean vector of items a person reacted to lands near the items
//! they went on to react to. Item texts and taste sentences both go through the adapted
//! network afterwards, so text alone ranks by what people like, not only by what items say.
//!
//! The layers below the adapted ones do not change: their outputs for every item text are
//! computed once ([`LowerStates`]) and a step runs only the adapted layers, forward and back.
//! Objective: in-batch softmax — each sampled person's mean shown-item vector against their
//! own held-out item and the other people's — with the temperature fixed and the logQ
//! correction (Yi et al. 2019): other people's items are negatives as often as they are
//! popular, so without it the vectors would learn to push popular items away, while a list
//! from text alone should rank them as the full softmax would. Optionally some of a step's
//! people ask by a sentence describing their taste instead ([`TasteQueries`]: the catalogue's
//! labels, or a person's words for them), answered by the items of their list that fit it, so
//! that the sentences people type land where the items they mean are. The adapter with the
//! best text-kNN NDCG@10 on validation users is kept; if none beats the unadapted encoder, the
//! report says so.

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Tensor, TensorData};

use crate::encoder::Encoder;
use crate::encoder::adapter::{AdaptedMap, Adapter};
use crate::encoder::lora::Lora;
use crate::error::{Error, Result};
use crate::eval::baselines::{TextKnn, evaluate};
use crate::eval::split::HeldOut;
use crate::interactions::UserList;
use crate::rng::SplitMix64;

mod lower_states;

use lower_states::values;
pub use lower_states::{LowerStates, item_vectors};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AdaptConfig {
    /// Layers from this one up are adapted (MiniLM has 6: 4 adapts the top two).
    pub first_layer: usize,
    pub maps: Vec<AdaptedMap>,
    pub rank: usize,
    /// The updates' multiplier (LoRA's α / rank).
    pub scale: f32,
    pub steps: usize,
    /// People per step: each one's held-out item is the others' negative.
    pub people_per_step: usize,
    /// Items of a person's list averaged into their query.
    pub shown_per_person: usize,
    pub learning_rate: f64,
    /// Softmax temperature of the cosine scores.
    pub temperature: f32,
    /// Validation (text-kNN on all items) after this many steps.
    pub validate_every: usize,
    pub seed: u64,
    /// The share of each step's people who ask by a taste sentence instead of by their items
    /// (see [`TasteQueries`]; 0 without them).
    #[serde(default)]
    pub sentence_share: f32,
}

impl Default for AdaptConfig {
    fn default() -> Self {
        Self {
            first_layer: 4,
            maps: vec![
                AdaptedMap::Query,
                AdaptedMap::Value,
                AdaptedMap::Inner,
                AdaptedMap::Outer,
            ],
            rank: 8,
            scale: 1.0,
            steps: 300,
            people_per_step: 48,
            shown_per_person: 3,
            learning_rate: 1e-3,
            temperature: 0.05,
            validate_every: 50,
            seed: 7,
            sentence_share: 0.0,
        }
    }
}

/// Taste sentences as queries: each training person's description of their taste (its text's
/// states below the adapted layers) and the items of their list that it describes.
pub struct TasteQueries {
    pub sentences: LowerStates,
    pub people: Vec<SentenceAsker>,
}

/// A person asking by a sentence: its row among the sentences, and the item rows that answer it.
pub type SentenceAsker = (usize, Vec<usize>);

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct AdaptProgress {
    pub step: usize,
    pub steps: usize,
    pub loss: f64,
    /// Text-kNN NDCG@10 of the validation users, where this step validated.
    pub validation: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AdaptReport {
    /// Text-kNN NDCG@10 of the validation users with the unadapted encoder.
    pub initial: f64,
    pub best: f64,
    /// 0 when no adapter beat the unadapted encoder (no adapter is returned then).
    pub best_step: usize,
    pub losses: Vec<f64>,
}

/// Trains an adapter on `train`'s lists, keeping the one whose item vectors serve `validation`
/// best by text-kNN. `None` when none beat the unadapted encoder.
pub fn train_adapter(
    encoder: &Encoder,
    states: &LowerStates,
    train: &[UserList],
    taste: Option<&TasteQueries>,
    validation: &[HeldOut],
    config: &AdaptConfig,
    mut on_progress: impl FnMut(&AdaptProgress),
) -> Result<(Option<Adapter>, AdaptReport)> {
    let device = encoder.device().clone();
    let n_items = states.len();
    let lists: Vec<Vec<usize>> = train
        .iter()
        .map(|u| u.entries.iter().map(|e| e.row).collect::<Vec<_>>())
        .filter(|rows: &Vec<usize>| rows.len() > config.shown_per_person)
        .collect();
    if lists.len() < config.people_per_step {
        return Err(Error::Input(format!(
            "{} training lists have more than {} items: too few to adapt the encoder",
            lists.len(),
            config.shown_per_person
        )));
    }
    // ln of how often each item is drawn as a target (∝ the lists it is in): the logQ term.
    let mut counts = vec![0usize; n_items];
    lists.iter().flatten().for_each(|&row| counts[row] += 1);
    let total: usize = counts.iter().sum();
    let log_q: Vec<f32> = counts
        .iter()
        .map(|&c| (c.max(1) as f32 / total as f32).ln())
        .collect();
    let upper = encoder.upper_layers(states.first_layer);
    let score = |lora: Option<&Lora>| -> Result<f64> {
        let vectors = item_vectors(&upper, states, lora, &device)?;
        Ok(evaluate(&TextKnn { items: &vectors }, validation, n_items).ndcg)
    };
    let initial = score(None)?;

    let autodiff = device.clone().autodiff();
    let upper_ad = upper.clone().to_device(&autodiff).no_grad();
    let mut lora = Lora::new(
        encoder.config(),
        states.first_layer,
        &config.maps,
        config.rank,
        config.scale,
        config.seed,
        &autodiff,
    );
    let mut optimizer = AdamWConfig::new().with_weight_decay(0.0).init();
    let mut rng = SplitMix64::new(config.seed ^ 0x5eed);
    let mut report = AdaptReport {
        initial,
        best: initial,
        best_step: 0,
        losses: Vec::new(),
    };
    let mut best = None;
    let askers = taste.map_or(&[][..], |t| &t.people[..]);
    for step in 1..=config.steps {
        let batch = sample_batch(&lists, askers, config, &mut rng);
        let (states_batch, real) = states.batch(&batch.items, &autodiff);
        let vectors = upper_ad.forward(states_batch, real, Some(&lora));
        let mut queries =
            Tensor::from_data(batch.query_weights.clone(), &autodiff).matmul(vectors.clone());
        if let (Some(taste), false) = (taste, batch.sentences.is_empty()) {
            let (sentences, real) = taste.sentences.batch(&batch.sentences, &autodiff);
            let said = upper_ad.forward(sentences, real, Some(&lora));
            queries = Tensor::cat(vec![queries, said], 0);
        }
        let queries = crate::encoder::l2_normalize(queries);
        let targets = vectors.select(
            0,
            Tensor::from_data(
                TensorData::new(batch.targets.clone(), [batch.targets.len()]),
                &autodiff,
            ),
        );
        let people = batch.targets.len();
        let target_log_q: Vec<f32> = batch.target_items.iter().map(|&i| log_q[i]).collect();
        let logits = queries
            .matmul(targets.transpose())
            .div_scalar(config.temperature)
            - Tensor::<1>::from_data(TensorData::new(target_log_q, [people]), &autodiff)
                .unsqueeze::<2>();
        let diagonal = Tensor::<2>::eye(people, &autodiff);
        let loss = -(log_softmax(logits, 1) * diagonal)
            .sum()
            .div_scalar(people as f32);
        let grads = GradientsParams::from_grads(loss.backward(), &lora);
        lora = optimizer.step(config.learning_rate, lora, grads);

        let loss = values(loss.inner())?[0] as f64;
        report.losses.push(loss);
        let validation = if step % config.validate_every == 0 || step == config.steps {
            let current = lora.valid();
            let ndcg = score(Some(&current))?;
            if ndcg > report.best {
                report.best = ndcg;
                report.best_step = step;
                best = Some(current.to_adapter());
            }
            Some(ndcg)
        } else {
            None
        };
        on_progress(&AdaptProgress {
            step,
            steps: config.steps,
            loss,
            validation,
        });
    }
    Ok((best, report))
}

/// One step's people: the items to run (each once), the `[people by items, items]` averaging
/// matrix of the queries of those who ask by their items, the sentences of those who ask by a
/// sentence (after them), and the position of each one's target among the items.
struct Batch {
    items: Vec<usize>,
    query_weights: TensorData,
    /// Rows of [`TasteQueries::sentences`], one per person asking by a sentence.
    sentences: Vec<usize>,
    targets: Vec<i64>,
    /// The targets' item rows.
    target_items: Vec<usize>,
}

fn sample_batch(
    lists: &[Vec<usize>],
    askers: &[SentenceAsker],
    config: &AdaptConfig,
    rng: &mut SplitMix64,
) -> Batch {
    let mut items: Vec<usize> = Vec::new();
    let position = |item: usize, items: &mut Vec<usize>| match items.iter().position(|&i| i == item)
    {
        Some(p) => p,
        None => {
            items.push(item);
            items.len() - 1
        }
    };
    let mut people: Vec<(Vec<usize>, usize)> = Vec::new();
    let mut target_items: Vec<usize> = Vec::new();
    let by_sentence = if askers.is_empty() {
        0
    } else {
        (config.people_per_step as f32 * config.sentence_share).round() as usize
    };
    while people.len() < config.people_per_step - by_sentence {
        let mut list = lists[rng.below(lists.len())].clone();
        rng.shuffle(&mut list);
        let target = list[config.shown_per_person];
        // Two people with one target would each count the other's as a wrong answer.
        if target_items.contains(&target) {
            continue;
        }
        target_items.push(target);
        let shown = list[..config.shown_per_person]
            .iter()
            .map(|&i| position(i, &mut items))
            .collect();
        people.push((shown, position(target, &mut items)));
    }
    let mut sentences = Vec::new();
    let mut sentence_targets = Vec::new();
    // Bounded: a set of sentences whose answers are all taken already must not loop forever.
    let mut tries = 0;
    while sentences.len() < by_sentence && tries < 100 * by_sentence {
        tries += 1;
        let (sentence, answers) = &askers[rng.below(askers.len())];
        let target = answers[rng.below(answers.len())];
        if target_items.contains(&target) {
            continue;
        }
        target_items.push(target);
        sentences.push(*sentence);
        sentence_targets.push(position(target, &mut items));
    }
    let mut weights = vec![0.0f32; people.len() * items.len()];
    let share = 1.0 / config.shown_per_person as f32;
    for (p, (shown, _)) in people.iter().enumerate() {
        for &k in shown {
            weights[p * items.len() + k] += share;
        }
    }
    Batch {
        query_weights: TensorData::new(weights, [people.len(), items.len()]),
        targets: (people.iter().map(|&(_, t)| t))
            .chain(sentence_targets)
            .map(|t| t as i64)
            .collect(),
        sentences,
        items,
        target_items,
    }
}

#[cfg(test)]
mod tests;
