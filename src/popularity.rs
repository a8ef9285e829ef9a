//! A popularity prior: what a person with no or few reactions should see first is what many
//! people chose. Counts come from public lists, or from a catalogue's own column (sales, views,
//! ratings counts), whose scales differ by orders of magnitude; the prior is `ln(1 + count)`
//! divided by the largest, so one weight means the same on every catalogue.

/// Each item's prior in `[0, 1]` (the most popular item has 1; all zeros when nothing counts).
/// Negative or non-finite counts count as zero.
pub fn popularity_prior(counts: &[f64]) -> Vec<f32> {
    let logs: Vec<f64> = counts
        .iter()
        .map(|&c| {
            if c.is_finite() && c > 0.0 {
                c.ln_1p()
            } else {
                0.0
            }
        })
        .collect();
    let largest = logs.iter().copied().fold(0.0, f64::max);
    if largest == 0.0 {
        return vec![0.0; counts.len()];
    }
    logs.iter().map(|&l| (l / largest) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_is_log_counts_scaled_to_the_largest() {
        let prior = popularity_prior(&[0.0, 1.0, 3.0, f64::NAN, -2.0]);
        assert_eq!(prior[2], 1.0);
        assert!((prior[1] - (2f64.ln() / 4f64.ln()) as f32).abs() < 1e-7);
        assert_eq!((prior[0], prior[3], prior[4]), (0.0, 0.0, 0.0));
        assert_eq!(popularity_prior(&[0.0, 0.0]), vec![0.0, 0.0]);
        // Scaling every count by 1000 changes the prior's shape only slightly, never its order.
        let big = popularity_prior(&[0.0, 1000.0, 3000.0]);
        assert!(big[1] < big[2] && big[2] == 1.0);
    }
}
