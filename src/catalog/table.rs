//! The items file as a table of text: a header of column names and one row of values per item,
//! read from CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks) or JSON Lines
//! (one object per line; arrays are joined with ", ", null is empty).

use super::error::CatalogError;

/// Catalogue files larger than this are refused before they are parsed.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    /// `rows[r][c]`: column `c` of row `r`, trimmed; "" when empty or absent.
    pub rows: Vec<Vec<String>>,
    /// The line each row starts on (1-based), for errors.
    pub lines: Vec<usize>,
}

/// Refuses a file over [`MAX_FILE_BYTES`] and returns it as text.
pub fn text_of<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, CatalogError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CatalogError::TooLarge {
            file: file.to_string(),
            bytes: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| CatalogError::NotUtf8 {
        file: file.to_string(),
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

impl Table {
    /// Reads `bytes` as CSV or JSON Lines, by the file name's extension.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, CatalogError> {
        let text = text_of(file, bytes)?;
        let lower = file.to_ascii_lowercase();
        let table = if lower.ends_with(".csv") {
            Self::from_csv(file, text)?
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Self::from_json_lines(file, text)?
        } else {
            return Err(CatalogError::UnknownFormat {
                file: file.to_string(),
            });
        };
        if table.rows.is_empty() {
            return Err(CatalogError::Empty {
                file: file.to_string(),
            });
        }
        Ok(table)
    }

    /// The index of `column`, or an error saying what needed it.
    pub fn column(&self, file: &str, column: &str, needed_by: &str) -> Result<usize, CatalogError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .ok_or_else(|| CatalogError::MissingColumn {
                file: file.to_string(),
                column: column.to_string(),
                needed_by: needed_by.to_string(),
                columns: self.columns.clone(),
            })
    }

    fn from_csv(file: &str, text: &str) -> Result<Self, CatalogError> {
        let mut records = csv_records(file, text)?.into_iter();
        let Some((_, header)) = records.next() else {
            return Err(CatalogError::Empty {
                file: file.to_string(),
            });
        };
        let columns: Vec<String> = header.iter().map(|c| c.trim().to_string()).collect();
        check_header(file, &columns)?;
        let (mut rows, mut lines) = (Vec::new(), Vec::new());
        for (line, mut record) in records {
            if record.len() == 1 && record[0].trim().is_empty() {
                continue; // a blank line
            }
            if record.len() != columns.len() {
                return Err(CatalogError::Malformed {
                    file: file.to_string(),
                    line,
                    why: format!("{} fields, the header has {}", record.len(), columns.len()),
                });
            }
            for value in &mut record {
                *value = value.trim().to_string();
            }
            rows.push(record);
            lines.push(line);
        }
        Ok(Self {
            columns,
            rows,
            lines,
        })
    }

    fn from_json_lines(file: &str, text: &str) -> Result<Self, CatalogError> {
        use serde_json::Value;
        let mut columns: Vec<String> = Vec::new();
        let mut objects = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let bad = |why: String| CatalogError::Malformed {
                file: file.to_string(),
                line: line_number,
                why,
            };
            let Value::Object(object) =
                serde_json::from_str(line).map_err(|e| bad(format!("not JSON: {e}")))?
            else {
                return Err(bad("each line must be a JSON object".into()));
            };
            for key in object.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
            objects.push((line_number, object));
        }
        check_header(file, &columns)?;
        let (mut rows, mut lines) = (Vec::new(), Vec::new());
        for (line, object) in objects {
            let row = columns
                .iter()
                .map(|column| match object.get(column) {
                    None => Ok(String::new()),
                    Some(value) => json_text(value).ok_or_else(|| CatalogError::Malformed {
                        file: file.to_string(),
                        line,
                        why: format!(
                            "the value of {column:?} is an object; use text, a number or a list"
                        ),
                    }),
                })
                .collect::<Result<Vec<_>, _>>()?;
            rows.push(row);
            lines.push(line);
        }
        Ok(Self {
            columns,
            rows,
            lines,
        })
    }
}

fn check_header(file: &str, columns: &[String]) -> Result<(), CatalogError> {
    for (i, column) in columns.iter().enumerate() {
        let why = if column.is_empty() {
            Some("a column has no name".to_string())
        } else if columns[..i].contains(column) {
            Some(format!("the column {column:?} appears twice"))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(CatalogError::Malformed {
                file: file.to_string(),
                line: 1,
                why,
            });
        }
    }
    Ok(())
}

/// A JSON value as a column's text: strings as they are, numbers and booleans as written,
/// lists joined with ", ", null empty; `None` for an object.
fn json_text(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    Some(match value {
        Value::Null => String::new(),
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(values) => values
            .iter()
            .map(json_text)
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => return None,
    })
}

/// RFC 4180 records with the line each starts on. CRLF and LF both end a record.
fn csv_records(file: &str, text: &str) -> Result<Vec<(usize, Vec<String>)>, CatalogError> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut record = Vec::new();
        let mut field = String::new();
        loop {
            match chars.next() {
                None => {
                    record.push(std::mem::take(&mut field));
                    break;
                }
                Some('"') if field.trim().is_empty() => {
                    // A quoted field: up to the closing quote; "" is a quote.
                    field.clear();
                    loop {
                        match chars.next() {
                            None => {
                                return Err(CatalogError::Malformed {
                                    file: file.to_string(),
                                    line: start,
                                    why: "a quoted field is never closed".into(),
                                });
                            }
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some(c) => {
                                if c == '\n' {
                                    line += 1;
                                }
                                field.push(c);
                            }
                        }
                    }
                    // Only spaces may follow the closing quote before the separator.
                    while chars.peek() == Some(&' ') {
                        chars.next();
                    }
                    if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
                        return Err(CatalogError::Malformed {
                            file: file.to_string(),
                            line,
                            why: "text after a quoted field's closing quote".into(),
                        });
                    }
                }
                Some(',') => record.push(std::mem::take(&mut field)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    record.push(std::mem::take(&mut field));
                    break;
                }
                Some(c) => field.push(c),
            }
        }
        records.push((start, record));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_commas_and_line_breaks() {
        let csv = "id,title,authors\r\n1,\"Emma\",\"Austen, Jane\"\n2,\"A \"\"quoted\"\"\nline\", x \n\n3,C,\n";
        let t = Table::parse("items.csv", csv.as_bytes()).unwrap();
        assert_eq!(t.columns, ["id", "title", "authors"]);
        assert_eq!(t.rows[0], ["1", "Emma", "Austen, Jane"]);
        assert_eq!(t.rows[1], ["2", "A \"quoted\"\nline", "x"]);
        assert_eq!(t.rows[2], ["3", "C", ""]);
        assert_eq!(t.lines, [2, 3, 6]);
    }

    #[test]
    fn json_lines_join_lists_and_empty_nulls() {
        let jsonl = "{\"id\": 7, \"title\": \"X\", \"tags\": [\"a\", \"b\"]}\n\n{\"id\": \"b-2\", \"title\": \"Y\", \"tags\": null, \"year\": 1999.5}\n";
        let t = Table::parse("items.jsonl", jsonl.as_bytes()).unwrap();
        // Columns in order of first appearance, each object's keys in name order.
        assert_eq!(t.columns, ["id", "tags", "title", "year"]);
        assert_eq!(t.rows[0], ["7", "a, b", "X", ""]);
        assert_eq!(t.rows[1], ["b-2", "", "Y", "1999.5"]);
        assert_eq!(t.lines, [1, 3]);
    }

    #[test]
    fn malformed_files_are_named() {
        let err = |file: &str, text: &[u8]| Table::parse(file, text).unwrap_err();
        // (file, content, the line the error names; None where the line is not the point)
        let malformed: [(&str, &[u8], Option<usize>); 7] = [
            ("a.csv", b"id,t\n1,\"x\n", Some(2)), // a quote never closed
            ("a.csv", b"id,t\n1,x,y\n", Some(2)), // a field too many
            ("a.csv", b"id,t\n1,\"x\"y\n", None), // text after a closing quote
            ("a.csv", b"id,id\n1,2\n", Some(1)),  // a column twice
            ("a.jsonl", b"{\"id\":1}\n[1]\n", Some(2)), // not an object
            ("a.jsonl", b"{\"id\":{\"x\":1}}\n", None), // a nested object
            ("a.jsonl", b"{\"id\":1\n", Some(1)), // not JSON
        ];
        for (file, text, line) in malformed {
            match err(file, text) {
                CatalogError::Malformed { line: at, .. } if line.is_none_or(|l| l == at) => {}
                other => panic!("{file} {:?}: {other:?}", String::from_utf8_lossy(text)),
            }
        }
        assert!(matches!(
            err("a.csv", b"id,t\n"),
            CatalogError::Empty { .. }
        ));
        assert!(matches!(err("a.csv", b""), CatalogError::Empty { .. }));
        assert!(matches!(
            err("a.xml", b"<x/>"),
            CatalogError::UnknownFormat { .. }
        ));
        assert!(matches!(
            err("a.csv", b"id,t\n1,ok\n2,\xff\xfe\n"),
            CatalogError::NotUtf8 { line: 3, .. }
        ));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_parsing() {
        let huge = vec![b'x'; MAX_FILE_BYTES as usize + 1];
        assert!(matches!(
            Table::parse("items.csv", &huge),
            Err(CatalogError::TooLarge { .. })
        ));
    }
}
