//! The text template: how an item's columns become the one sentence the encoder reads.
//!
//! `{column}` is replaced by the column's value. A part in square brackets is optional: it is
//! left out when any column it names is empty, so
//! `"{title}[ by {authors}][ ({year})].[ Subjects: {subjects}.]"` reads "Emma by Jane Austen
//! (1815)." for a book without subjects, never "Subjects: ." (the model should not read
//! noise). `{{`, `}}`, `[[` and `]]` are literal braces and brackets.

use super::error::CatalogError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    /// A column, by its index in the item table.
    Column(usize),
    /// An optional part: kept only when each of its columns has a value.
    Optional(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Parses `template`, resolving each `{column}` against `columns` (the table's header).
    /// `file` names the table in errors.
    pub fn parse(template: &str, columns: &[String], file: &str) -> Result<Self, CatalogError> {
        let bad = |at: usize, why: &'static str| CatalogError::BadTemplate {
            template: template.to_string(),
            at,
            why,
        };
        let chars: Vec<char> = template.chars().collect();
        let mut pieces = Vec::new();
        // Pieces of the optional part being read, and where it opened.
        let mut optional: Option<(Vec<Piece>, usize)> = None;
        let mut literal = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let escaped = matches!(c, '{' | '}' | '[' | ']') && chars.get(i + 1) == Some(&c);
            if escaped {
                literal.push(c);
                i += 2;
                continue;
            }
            let open_at = optional.as_ref().map(|(_, opened)| *opened);
            let target = match &mut optional {
                Some((inner, _)) => inner,
                None => &mut pieces,
            };
            match c {
                '{' => {
                    let close = chars[i + 1..]
                        .iter()
                        .position(|&c| c == '}')
                        .ok_or_else(|| bad(i, "a '{' is never closed"))?;
                    let name: String = chars[i + 1..i + 1 + close].iter().collect();
                    let name = name.trim();
                    if name.is_empty() {
                        return Err(bad(i, "'{}' names no column"));
                    }
                    if name.contains(['{', '[', ']']) {
                        return Err(bad(i, "a column name cannot contain '{', '[' or ']'"));
                    }
                    let index = columns.iter().position(|c| c == name).ok_or_else(|| {
                        CatalogError::MissingColumn {
                            file: file.to_string(),
                            column: name.to_string(),
                            needed_by: "the text template".into(),
                            columns: columns.to_vec(),
                        }
                    })?;
                    flush(&mut literal, target);
                    target.push(Piece::Column(index));
                    i += close + 2;
                }
                '}' => return Err(bad(i, "a '}' closes nothing (write '}}' for a brace)")),
                '[' => {
                    // Named where it opened: "[ by {authors}[ ({year})]" lacks the first ']',
                    // not the second '['.
                    if let Some(opened) = open_at {
                        return Err(bad(
                            opened,
                            "this '[' is not closed before the next '[' (optional parts cannot \
                             be nested; write '[[' for a bracket)",
                        ));
                    }
                    flush(&mut literal, target);
                    optional = Some((Vec::new(), i));
                    i += 1;
                }
                ']' => {
                    let Some((mut inner, opened)) = optional.take() else {
                        return Err(bad(i, "a ']' closes nothing (write ']]' for a bracket)"));
                    };
                    flush(&mut literal, &mut inner);
                    if !inner.iter().any(|p| matches!(p, Piece::Column(_))) {
                        return Err(bad(opened, "an optional part must name a column"));
                    }
                    pieces.push(Piece::Optional(inner));
                    i += 1;
                }
                _ => {
                    literal.push(c);
                    i += 1;
                }
            }
        }
        if let Some((_, opened)) = optional {
            return Err(bad(opened, "a '[' is never closed"));
        }
        flush(&mut literal, &mut pieces);
        if !pieces.iter().any(|p| !matches!(p, Piece::Literal(_))) {
            return Err(bad(0, "the template names no column"));
        }
        Ok(Self { pieces })
    }

    /// The sentence for one row of the table (`values[c]` is column `c`).
    pub fn render(&self, values: &[String]) -> String {
        let mut out = String::new();
        render_into(&self.pieces, values, &mut out);
        out.trim().to_string()
    }
}

fn flush(literal: &mut String, pieces: &mut Vec<Piece>) {
    if !literal.is_empty() {
        pieces.push(Piece::Literal(std::mem::take(literal)));
    }
}

fn render_into(pieces: &[Piece], values: &[String], out: &mut String) {
    for piece in pieces {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Column(c) => out.push_str(&values[*c]),
            Piece::Optional(inner) => {
                let complete = inner.iter().all(|p| match p {
                    Piece::Column(c) => !values[*c].is_empty(),
                    _ => true,
                });
                if complete {
                    render_into(inner, values, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<String> {
        ["title", "authors", "year", "subjects"]
            .map(String::from)
            .to_vec()
    }

    fn render(template: &str, values: [&str; 4]) -> String {
        Template::parse(template, &columns(), "items.csv")
            .unwrap()
            .render(&values.map(String::from))
    }

    #[test]
    fn optional_parts_with_an_empty_column_are_left_out() {
        let t = "{title}[ by {authors}][ ({year})].[ Subjects: {subjects}.]";
        assert_eq!(
            render(t, ["Emma", "Jane Austen", "1815", "novel"]),
            "Emma by Jane Austen (1815). Subjects: novel."
        );
        assert_eq!(render(t, ["Emma", "", "1815", ""]), "Emma (1815).");
        assert_eq!(render(t, ["Emma", "", "", ""]), "Emma.");
        // A required column that is empty reads as nothing; the sentence is trimmed.
        assert_eq!(render("{authors} {title}", ["Emma", "", "", ""]), "Emma");
    }

    #[test]
    fn escapes_and_spaces_in_names() {
        assert_eq!(
            render("{{{ title }}}: [[x]]", ["A", "", "", ""]),
            "{A}: [x]"
        );
    }

    #[test]
    fn bad_templates_are_named() {
        let why = |t: &str| match Template::parse(t, &columns(), "items.csv") {
            Err(CatalogError::BadTemplate { why, .. }) => why,
            other => panic!("{t:?}: {other:?}"),
        };
        assert_eq!(why("{title"), "a '{' is never closed");
        assert_eq!(why("{} x"), "'{}' names no column");
        assert_eq!(
            why("{title}}"),
            "a '}' closes nothing (write '}}' for a brace)"
        );
        let unclosed = "this '[' is not closed before the next '[' (optional parts cannot be \
                        nested; write '[[' for a bracket)";
        assert_eq!(why("[a [{title}]]"), unclosed);
        // Reported where the unclosed part opens, not at the next '['.
        let at = |t: &str| match Template::parse(t, &columns(), "items.csv") {
            Err(CatalogError::BadTemplate { at, .. }) => at,
            other => panic!("{t:?}: {other:?}"),
        };
        assert_eq!(why("{title}[ by {authors}[ ({year})]."), unclosed);
        assert_eq!(at("{title}[ by {authors}[ ({year})]."), 7);
        assert_eq!(at("{title}[ by {authors}] [ ({year}) [x]"), 23);
        assert_eq!(
            why("{title}]"),
            "a ']' closes nothing (write ']]' for a bracket)"
        );
        assert_eq!(why("{title}[ by "), "a '[' is never closed");
        assert_eq!(
            why("{title}[ plain ]"),
            "an optional part must name a column"
        );
        assert_eq!(why("no columns"), "the template names no column");
        assert_eq!(why(""), "the template names no column");
        assert!(matches!(
            Template::parse("{isbn}", &columns(), "items.csv"),
            Err(CatalogError::MissingColumn { column, .. }) if column == "isbn"
        ));
    }
}
