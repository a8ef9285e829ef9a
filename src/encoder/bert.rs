//! The BERT network: embeddings, then post-norm transformer layers ([`BertEncoder`]).

use burn::module::Module;
use burn::tensor::{Bool, Device, Int, Tensor};

use super::config::BertConfig;
use super::embeddings::BertEmbeddings;
use super::layer::BertEncoder;

#[derive(Module, Debug)]
pub struct Bert {
    pub embeddings: BertEmbeddings,
    pub encoder: BertEncoder,
}

impl Bert {
    /// A network of `config`'s shape with untrained parameters (weights are loaded afterwards).
    pub fn new(config: &BertConfig, device: &Device) -> Self {
        Self {
            embeddings: BertEmbeddings::new(config, device),
            encoder: BertEncoder::new(config, device),
        }
    }

    /// Token ids `[batch, seq]` and padding mask (true = padding) → hidden states
    /// `[batch, seq, hidden]`. Padding keys get no attention weight.
    pub fn forward(
        &self,
        ids: Tensor<2, Int>,
        type_ids: Tensor<2, Int>,
        padding: Tensor<2, Bool>,
    ) -> Tensor<3> {
        let x = self.embeddings.forward(ids, type_ids);
        self.encoder.forward(x, padding)
    }

    /// Runs the linear maps on packed weights from now on
    /// (see [`super::layer::BertLayer::pack_linears`]).
    pub fn pack_linears(&mut self) {
        self.encoder.pack_linears();
    }
}
