//! Word-piece tokenisation exactly as sentence-transformers does it for MiniLM:
//! truncate at `max_length` word pieces including `[CLS]` and `[SEP]`, never pad a single text,
//! pad a batch to its longest member with an attention mask.

use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use crate::error::{Error, Result};

/// sentence-transformers' `max_seq_length` for all-MiniLM-L6-v2.
pub const DEFAULT_MAX_LENGTH: usize = 256;

/// A text longer than this many characters per allowed word piece is cut (at a space) before
/// tokenising, so a pasted book costs no more than a paragraph. See [`TextTokenizer::encode`].
const CHARS_PER_TOKEN_BUDGET: usize = 32;

/// The tokens of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    /// The word pieces themselves (for showing people what the model reads).
    pub pieces: Vec<String>,
}

/// A batch padded to its longest text. Row-major `[batch, seq_len]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBatch {
    pub batch: usize,
    pub seq_len: usize,
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    /// 1 for a real token, 0 for padding.
    pub attention_mask: Vec<u32>,
}

impl TokenBatch {
    /// Number of real (non-padding) tokens in the batch.
    pub fn real_tokens(&self) -> usize {
        self.attention_mask.iter().filter(|&&m| m == 1).count()
    }
}

pub struct TextTokenizer {
    inner: Tokenizer,
    max_length: usize,
    pad_id: u32,
}

impl TextTokenizer {
    /// Loads `tokenizer.json` bytes. The file's own padding and truncation settings are replaced
    /// by sentence-transformers' behaviour: no padding, truncation at `max_length`.
    pub fn from_bytes(bytes: &[u8], max_length: usize) -> Result<Self> {
        let mut inner = Tokenizer::from_bytes(bytes)
            .map_err(|e| Error::Tokenizer(format!("not a valid tokenizer.json: {e}")))?;
        // [CLS] and [SEP] take two places; anything shorter leaves no room for text.
        if max_length < 3 {
            return Err(Error::Input(format!("max_length {max_length} is below 3")));
        }
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                max_length,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(|e| Error::Tokenizer(format!("cannot truncate at {max_length}: {e}")))?;
        let pad_id = inner
            .token_to_id("[PAD]")
            .ok_or_else(|| Error::Tokenizer("the vocabulary has no [PAD] token".into()))?;
        Ok(Self {
            inner,
            max_length,
            pad_id,
        })
    }

    /// The padding token's id (its word embedding fills a batch's padded places).
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    pub fn max_length(&self) -> usize {
        self.max_length
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// BERT's reserved `[unusedN]` vocabulary entries that no text becomes: each one's own
    /// text is tokenised and the entry kept only if its id does not come out (BERT's
    /// pre-tokenizer splits `[` and `]` off as punctuation; a file that declares one an added
    /// token makes it reachable, and it is not listed). The compact weights store their rows as
    /// zeros (381 KB of int8 that no input reads, which compress to nothing).
    pub fn unreachable_reserved_ids(&self) -> Result<Vec<u32>> {
        let mut ids = Vec::new();
        for (token, id) in self.inner.get_vocab(false) {
            let reserved = token
                .strip_prefix("[unused")
                .and_then(|rest| rest.strip_suffix(']'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if reserved && !self.encode_whole(&token)?.ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    /// Tokenises one text, truncated to `max_length` word pieces.
    ///
    /// A very long text is first cut at a space after `32 × max_length` characters. If that prefix
    /// already fills `max_length` pieces, its tokens are exactly the full text's (BERT's
    /// normaliser and pre-tokeniser work within whitespace-separated words); otherwise the whole
    /// text is tokenised, so the result never differs from tokenising the full text.
    pub fn encode(&self, text: &str) -> Result<Tokens> {
        let budget = self.max_length.saturating_mul(CHARS_PER_TOKEN_BUDGET);
        if let Some(prefix) = prefix_at_space(text, budget) {
            let tokens = self.encode_whole(prefix)?;
            if tokens.ids.len() == self.max_length {
                return Ok(tokens);
            }
        }
        self.encode_whole(text)
    }

    fn encode_whole(&self, text: &str) -> Result<Tokens> {
        let encoding = self
            .inner
            .encode(text, true)
            .map_err(|e| Error::Tokenizer(format!("cannot tokenise text: {e}")))?;
        Ok(Tokens {
            ids: encoding.get_ids().to_vec(),
            type_ids: encoding.get_type_ids().to_vec(),
            pieces: encoding.get_tokens().to_vec(),
        })
    }

    /// Tokenises texts and pads them to the longest one.
    pub fn encode_batch(&self, texts: &[&str]) -> Result<TokenBatch> {
        let encoded = texts
            .iter()
            .map(|t| self.encode(t))
            .collect::<Result<Vec<_>>>()?;
        Ok(self.pad(&encoded))
    }

    /// Pads already-tokenised texts to the longest one.
    pub fn pad(&self, encoded: &[Tokens]) -> TokenBatch {
        let batch = encoded.len();
        let seq_len = encoded.iter().map(|t| t.ids.len()).max().unwrap_or(0);
        let mut out = TokenBatch {
            batch,
            seq_len,
            ids: vec![self.pad_id; batch * seq_len],
            type_ids: vec![0; batch * seq_len],
            attention_mask: vec![0; batch * seq_len],
        };
        for (row, tokens) in encoded.iter().enumerate() {
            let start = row * seq_len;
            let n = tokens.ids.len();
            out.ids[start..start + n].copy_from_slice(&tokens.ids);
            out.type_ids[start..start + n].copy_from_slice(&tokens.type_ids);
            out.attention_mask[start..start + n].fill(1);
        }
        out
    }
}

/// The part of `text` before the last whitespace within its first `max_chars` characters,
/// or `None` when the text is short enough or has no whitespace to cut at.
fn prefix_at_space(text: &str, max_chars: usize) -> Option<&str> {
    let (limit, _) = text.char_indices().nth(max_chars)?;
    let head = &text[..limit];
    let cut = head.rfind(char::is_whitespace)?;
    Some(&text[..cut])
}

#[cfg(test)]
mod tests {
    use super::prefix_at_space;

    #[test]
    fn prefix_cuts_only_long_texts_at_whitespace() {
        assert_eq!(prefix_at_space("short text", 100), None);
        assert_eq!(prefix_at_space("aaa bbb ccc", 6), Some("aaa"));
        assert_eq!(prefix_at_space("aaaaaaaaaa", 3), None);
        assert_eq!(prefix_at_space("éé éé éé", 5), Some("éé"));
    }
}
