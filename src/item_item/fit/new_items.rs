//! Item–item columns for new items (on nobody's training list), borrowed from the items nearest
//! to them by text.

use crate::error::{Error, Result};
use crate::item_item::ItemItem;
use crate::item_vectors::ItemVectors;

/// Items nobody in the training lists touched (a new item) get an item–item column borrowed
/// from the `neighbours` items nearest to them by text: `B[·, i] = Σ_n c_n B[·, n]`, with `c`
/// proportional to the (positive) cosines and summing to 1, keeping the `k` largest weights.
/// Without it a new item could only ever rank by the head, below every item the table lifts.
pub fn borrow_columns(
    table: &ItemItem,
    unseen: &[bool],
    text: &ItemVectors,
    neighbours: usize,
    k: usize,
) -> Result<ItemItem> {
    let n = table.n_items();
    if unseen.len() != n || text.rows != n {
        return Err(Error::Input(format!(
            "{} items in the table, {} flags and {} text vectors",
            n,
            unseen.len(),
            text.rows
        )));
    }
    let mut columns: Vec<Vec<(usize, f32)>> = vec![Vec::new(); n];
    let mut rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
    for (source, row) in rows.iter_mut().enumerate() {
        for (target, w) in table.row(source) {
            columns[target].push((source, w));
            row.push((target as u32, w));
        }
    }
    let dot = |a: usize, b: usize| -> f32 {
        text.row(a)
            .iter()
            .zip(text.row(b))
            .map(|(x, y)| x * y)
            .sum()
    };
    for item in (0..n).filter(|&i| unseen[i]) {
        let mut nearest: Vec<(usize, f32)> = (0..n)
            .filter(|&m| !unseen[m] && !columns[m].is_empty())
            .map(|m| (m, dot(item, m)))
            .filter(|&(_, cosine)| cosine > 0.0)
            .collect();
        nearest.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        nearest.truncate(neighbours);
        let total: f32 = nearest.iter().map(|&(_, c)| c).sum();
        let mut column: std::collections::HashMap<usize, f32> = Default::default();
        for &(m, cosine) in &nearest {
            for &(source, w) in &columns[m] {
                if source != item {
                    *column.entry(source).or_default() += cosine / total * w;
                }
            }
        }
        let mut column: Vec<(usize, f32)> = column.into_iter().collect();
        column.sort_unstable_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        column.truncate(k);
        for (source, w) in column {
            rows[source].push((item as u32, w));
        }
    }
    let mut borrowed = ItemItem::from_rows(rows, table.mix.clone())?;
    borrowed.info = table.info.clone();
    Ok(borrowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item_item::Mix;
    use crate::item_item::fit::tests::close;

    #[test]
    fn a_new_item_borrows_the_columns_of_its_text_neighbours() {
        // Items 1 and 2 are predicted by 0 (weights 0.5, 0.25); item 3 is new and its text is
        // like item 1's (cos 0.8) and item 2's (cos 0.2): its column is 0.8·0.5 + 0.2·0.25.
        let table = ItemItem::from_rows(
            vec![vec![(1, 0.5), (2, 0.25)], vec![], vec![], vec![]],
            Mix::uniform(1.0),
        )
        .unwrap();
        let text = ItemVectors::from_rows(
            vec![
                vec![0.0, 0.0, 1.0],
                vec![1.0, 0.0, 0.0],
                vec![0.0, 1.0, 0.0],
                vec![0.8, 0.2, 0.0],
            ],
            Default::default(),
        )
        .unwrap();
        let unseen = [false, false, false, true];
        let borrowed = borrow_columns(&table, &unseen, &text, 5, 8).unwrap();
        assert!(close(borrowed.weight(0, 3), 0.8 * 0.5 + 0.2 * 0.25));
        for (j, i) in [(0, 1), (0, 2)] {
            assert_eq!(
                borrowed.weight(j, i),
                table.weight(j, i),
                "seen items keep theirs"
            );
        }
        assert_eq!(borrowed.len(), 3);
    }
}
