//! What a person of the described-taste protocol says: the labels of a label column their list
//! over-represents most ("mecha and space"), said in the labels or in a person's words
//! (`--taste-phrases`); the same sentences train the adapter (`localrec adapt
//! --sentence-share`).

use std::collections::HashMap;
use std::path::Path;

use localrec::adapt::SentenceAsker;
use localrec::interactions::{Entry, UserList};
use localrec::{Error, Result};

use super::LABELS;
use crate::dataset::Dataset;

/// Each item's labels from the label column (`column`, or the first shown column): its value
/// split at commas, lowercased.
pub(super) fn item_labels(dataset: &Dataset, column: Option<&str>) -> Result<Vec<Vec<String>>> {
    let shown = &dataset.catalog.manifest().columns.show;
    let index = match column {
        Some(name) => shown.iter().position(|c| c == name).ok_or_else(|| {
            Error::Input(format!(
                "{}: {name:?} is not one of the shown columns {shown:?}",
                dataset.name
            ))
        })?,
        None if shown.is_empty() => {
            return Err(Error::Input(format!(
                "{}: the described-taste protocol needs a label column (genres, tags) among the \
                 shown columns, and the catalogue shows none",
                dataset.name
            )));
        }
        None => 0,
    };
    Ok(dataset
        .catalog
        .items()
        .iter()
        .map(|item| {
            (item.fields[index].split(','))
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .collect())
}

/// Labels in a person's words (`--taste-phrases`: a JSON object from label to phrase, e.g.
/// "mecha" → "giant robots"), so that the sentences are not the catalogue's own vocabulary.
pub(super) fn read_phrases(path: &Path) -> Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let phrases: HashMap<String, String> = serde_json::from_str(&text).map_err(|e| {
        Error::Input(format!(
            "{}: not a JSON object from label to phrase: {e}",
            path.display()
        ))
    })?;
    Ok(phrases
        .into_iter()
        .map(|(label, phrase)| (label.to_lowercase(), phrase))
        .collect())
}

/// A description's sentence: its labels (or their phrases, where given) joined by "and".
pub(super) fn say(labels: &[String], phrases: &HashMap<String, String>) -> String {
    let words: Vec<&str> = (labels.iter())
        .map(|l| phrases.get(l).map_or(l.as_str(), String::as_str))
        .collect();
    words.join(" and ")
}

/// The adapter's taste sentences (`localrec adapt --sentence-share`): each training person with
/// a description says it in the catalogue's labels and, with `phrases`, in those words too
/// (a wording of its own, not the evaluation's), answered by the items of their list that carry
/// a described label. → the distinct sentences, and per person (twice with `phrases`) their
/// sentence's index and answers.
pub fn training_sentences(
    dataset: &Dataset,
    train: &[UserList],
    column: Option<&str>,
    phrases: Option<&Path>,
) -> Result<(Vec<String>, Vec<SentenceAsker>)> {
    let labels = item_labels(dataset, column)?;
    let background = label_shares(train, &labels);
    let wordings = [Some(HashMap::new()), phrases.map(read_phrases).transpose()?];
    let mut sentences: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut people = Vec::new();
    for user in train {
        let Some(described) = describe(&user.entries, &labels, &background) else {
            continue;
        };
        let answers: Vec<usize> = (user.entries.iter())
            .map(|e| e.row)
            .filter(|&row| labels[row].iter().any(|l| described.contains(l)))
            .collect();
        for wording in wordings.iter().flatten() {
            let sentence = say(&described, wording);
            let next = sentences.len();
            let k = *index.entry(sentence.clone()).or_insert(next);
            if k == next {
                sentences.push(sentence);
            }
            people.push((k, answers.clone()));
        }
    }
    Ok((sentences, people))
}

/// Each label's share of the training users' list entries.
pub(super) fn label_shares(train: &[UserList], labels: &[Vec<String>]) -> HashMap<String, f64> {
    let entries: Vec<Entry> = train.iter().flat_map(|u| u.entries.clone()).collect();
    shares(&entries, labels)
}

fn shares(entries: &[Entry], labels: &[Vec<String>]) -> HashMap<String, f64> {
    let mut counts: HashMap<String, f64> = HashMap::new();
    for entry in entries {
        for label in &labels[entry.row] {
            *counts.entry(label.clone()).or_default() += 1.0;
        }
    }
    let n = entries.len().max(1) as f64;
    counts.values_mut().for_each(|c| *c /= n);
    counts
}

/// A person's description: the [`LABELS`] labels whose share of their list exceeds the
/// training users' by most (ties by name, so it is deterministic), said "a and b"; `None` when
/// no label is over-represented.
pub(super) fn describe(
    entries: &[Entry],
    labels: &[Vec<String>],
    background: &HashMap<String, f64>,
) -> Option<Vec<String>> {
    let mut lift: Vec<(String, f64)> = shares(entries, labels)
        .into_iter()
        .map(|(label, share)| {
            let lift = share - background.get(&label).copied().unwrap_or(0.0);
            (label, lift)
        })
        .filter(|(_, lift)| *lift > 0.0)
        .collect();
    lift.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let chosen: Vec<String> = lift.into_iter().take(LABELS).map(|(l, _)| l).collect();
    (!chosen.is_empty()).then_some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_names_the_most_over_represented_labels() {
        let labels: Vec<Vec<String>> = [
            vec!["action", "mecha"],
            vec!["action", "space"],
            vec!["romance"],
            vec!["action"],
        ]
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .into();
        let background = HashMap::from([
            ("action".to_string(), 0.6),
            ("mecha".to_string(), 0.1),
            ("space".to_string(), 0.1),
            ("romance".to_string(), 0.3),
        ]);
        let entry = |row| Entry { row, rating: 0 };
        // Shares: action 1.0 (+0.4), mecha 0.5 (+0.4), space 0.5 (+0.4); ties by name.
        let phrases = HashMap::from([("mecha".to_string(), "giant robots".to_string())]);
        let said = |rows: &[usize]| {
            let entries: Vec<Entry> = rows.iter().map(|&r| entry(r)).collect();
            describe(&entries, &labels, &background).map(|l| say(&l, &phrases))
        };
        assert_eq!(said(&[0, 1]).as_deref(), Some("action and giant robots"));
        // Only romance is over-represented.
        assert_eq!(said(&[2, 3]).as_deref(), Some("romance"));
        assert_eq!(said(&[3]).as_deref(), Some("action"));
        assert_eq!(said(&[]), None);
    }
}
