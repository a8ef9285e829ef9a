//! Offline evaluation: metrics, splits and baselines, on host data.

pub mod baselines;
pub mod ease;
pub mod metrics;
pub mod split;
