//! Public interaction data: each user's list of (catalogue row, rating) entries.
//! Ratings are 1–10, or 0 for an item on the list without a rating (an implicit positive).

use crate::catalog::Catalog;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Row in the catalogue (and in its text vectors).
    pub row: usize,
    /// 1–10, or 0 when unrated.
    pub rating: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserList {
    pub user: u32,
    pub entries: Vec<Entry>,
}

/// Parses `lists.tsv`: a header line, then `user<TAB>item:rating item:rating …`, with item ids
/// resolved against `catalog`. Unknown items and out-of-range ratings are errors, by line.
pub fn parse_lists(text: &str, catalog: &Catalog) -> Result<Vec<UserList>> {
    let mut users = Vec::new();
    // Each user's line, to name both lines of a user who appears twice (two lines would count
    // one person's co-occurrences as two people's and could put them in two splits).
    let mut lines: std::collections::HashMap<u32, usize> = Default::default();
    for (number, line) in text.lines().enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let bad = |why: String| Error::Input(format!("lists.tsv line {}: {why}", number + 1));
        let (user, pairs) = line
            .split_once('\t')
            .ok_or_else(|| bad("expected user<TAB>entries".into()))?;
        let user = user
            .parse()
            .map_err(|_| bad(format!("user id {user:?} is not a number")))?;
        if let Some(first) = lines.insert(user, number + 1) {
            return Err(bad(format!("user {user} already has line {first}")));
        }
        let entries = pairs
            .split_whitespace()
            .map(|pair| {
                // The rating follows the last ':', so an id may itself contain one.
                let (id, rating) = pair
                    .rsplit_once(':')
                    .ok_or_else(|| bad(format!("{pair:?} is not item:rating")))?;
                let row = catalog
                    .row(id)
                    .ok_or_else(|| bad(format!("item {id} is not in the catalogue")))?;
                let rating: u8 = rating
                    .parse()
                    .map_err(|_| bad(format!("rating {rating:?} is not a number")))?;
                if rating > 10 {
                    return Err(bad(format!("rating {rating} is above 10")));
                }
                Ok(Entry { row, rating })
            })
            .collect::<Result<Vec<_>>>()?;
        users.push(UserList { user, entries });
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        crate::catalog::testing::titles(&[("10", "A"), ("20", "B")])
    }

    #[test]
    fn parses_lists_against_the_catalogue() {
        let users = parse_lists("h\n1\t10:8 20:0\n2\t20:10\n", &catalog()).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(
            users[0].entries,
            [Entry { row: 0, rating: 8 }, Entry { row: 1, rating: 0 }]
        );
        assert_eq!(users[1].user, 2);
    }

    #[test]
    fn a_user_on_two_lines_is_named() {
        let error = parse_lists("h\n1\t10:8\n2\t20:1\n1\t20:0\n", &catalog()).unwrap_err();
        assert_eq!(
            error.to_string(),
            Error::Input("lists.tsv line 4: user 1 already has line 2".into()).to_string()
        );
    }

    #[test]
    fn rejects_unknown_items_and_bad_ratings() {
        for bad in [
            "h\n1\t30:1\n",
            "h\n1\t10:11\n",
            "h\n1\t10\n",
            "h\nx\t10:1\n",
            "h\n1 10:1\n",
        ] {
            assert!(parse_lists(bad, &catalog()).is_err(), "{bad:?}");
        }
    }
}
