//! Offline evaluation: metrics, splits and baselines, on host data.

pub mod metrics;
