//! The head's sizes ([`HeadConfig`]): the widths of its towers and the catalogue it covers,
//! and what they cost in numbers (checked before a hostile file's sizes allocate anything).

use super::FEEDBACK_KINDS;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeadConfig {
    /// Width of the frozen text vectors (384 for MiniLM).
    pub text_dim: usize,
    /// Hidden width of the item MLP.
    pub hidden: usize,
    /// Width of item and user vectors.
    pub dim: usize,
    /// Catalogue size (rows of the ID embedding).
    pub items: usize,
    /// Learn a per-item ID embedding residual on top of the text tower.
    pub id_embeddings: bool,
}

impl HeadConfig {
    pub fn new(text_dim: usize, items: usize) -> Self {
        Self {
            text_dim,
            hidden: 256,
            dim: 64,
            items,
            id_embeddings: true,
        }
    }

    /// How many numbers the head holds, or `None` if that overflows (sizes from a hostile
    /// file): item tower, ID residuals, attention, feedback weights, user and rating maps.
    pub fn parameters(&self) -> Option<usize> {
        let width = self.dim.checked_mul(2)?.checked_add(1)?;
        let linear = |d_in: usize, d_out: usize| d_in.checked_mul(d_out)?.checked_add(d_out);
        let ids = if self.id_embeddings {
            self.items.checked_mul(width)?
        } else {
            0
        };
        [
            Some(self.text_dim),
            linear(self.text_dim, self.hidden),
            linear(self.hidden, width),
            Some(ids),
            linear(self.dim, self.dim),
            Some(self.dim),
            Some(2 * FEEDBACK_KINDS),
            linear(self.dim, self.dim),
            linear(self.dim.checked_mul(3)?, 1),
        ]
        .into_iter()
        .try_fold(0usize, |sum, n| sum.checked_add(n?))
    }

    pub fn validate(&self) -> Result<()> {
        if self.text_dim == 0 || self.hidden == 0 || self.dim == 0 || self.items == 0 {
            return Err(Error::Input(format!(
                "head sizes must be positive: {self:?}"
            )));
        }
        Ok(())
    }
}
