//! What can be wrong with a catalogue, each case named, so that a person who brings their own
//! items learns which file, line and column to fix.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogError {
    #[error("{file} is {bytes} bytes; a catalogue file may be at most {limit} bytes")]
    TooLarge {
        file: String,
        bytes: u64,
        limit: u64,
    },
    #[error("{file} is not UTF-8 text (line {line})")]
    NotUtf8 { file: String, line: usize },
    #[error("catalog.json: {0}")]
    BadManifest(String),
    #[error("{file}: the catalogue's items must be a .csv or .jsonl file")]
    UnknownFormat { file: String },
    #[error("{file} line {line}: {why}")]
    Malformed {
        file: String,
        line: usize,
        why: String,
    },
    #[error("the column {column:?} ({needed_by}) is not in {file}; its columns are {columns:?}")]
    MissingColumn {
        file: String,
        column: String,
        needed_by: String,
        columns: Vec<String>,
    },
    #[error("text template {template:?}, at character {at}: {why}")]
    BadTemplate {
        template: String,
        at: usize,
        why: &'static str,
    },
    #[error("{file} line {line}: the item has no {column}")]
    EmptyValue {
        file: String,
        line: usize,
        column: String,
    },
    #[error("{file} line {line}: the id {id:?} contains white space")]
    BadId {
        file: String,
        line: usize,
        id: String,
    },
    #[error("{file}: the id {id:?} appears on lines {first} and {second}")]
    DuplicateId {
        file: String,
        id: String,
        first: usize,
        second: usize,
    },
    #[error(
        "{file} line {line}: the popularity column {column:?} holds {value:?}, not a count of zero or more"
    )]
    BadPopularity {
        file: String,
        line: usize,
        column: String,
        value: String,
    },
    #[error("{file} has no items")]
    Empty { file: String },
}
