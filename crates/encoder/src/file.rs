//! Reading Tandem's compact encoder file (written by
//! `scripts/model/convert.py`, whose docstring defines the layout): a magic
//! number, a JSON header with the model's facts, vocabulary and tensor
//! table, then the tensor bytes. Matrices arrive as int8 with one f32 scale
//! per run of `group` values in a row; everything else as f32.
//!
//! Every length and offset comes from the file, so every one is checked
//! before it is used: a truncated or corrupted file is an
//! [`EncoderError`], never a panic.

use serde::Deserialize;

use super::EncoderError;

/// The first eight bytes of every encoder file.
const MAGIC: &[u8; 8] = b"TNDMENC1";

/// The JSON header.
#[derive(Debug, Deserialize)]
pub(super) struct Header {
    /// Which model this is, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
    pub model: String,
    /// SHA-256 of the original weights the file was converted from.
    pub source_sha256: String,
    /// Width of every token vector.
    pub hidden: usize,
    /// Transformer layers.
    pub layers: usize,
    /// Attention heads per layer.
    pub heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate: usize,
    /// LayerNorm's epsilon.
    pub layer_norm_eps: f32,
    /// Most word pieces per text, [CLS] and [SEP] included.
    pub max_tokens: usize,
    /// Longer words become `[UNK]` whole.
    pub max_input_chars_per_word: usize,
    /// The WordPiece vocabulary in id order.
    pub vocab: Vec<String>,
    /// Where each tensor lives in the data section.
    pub tensors: Vec<TensorEntry>,
}

/// One tensor's place in the data section.
#[derive(Debug, Deserialize)]
pub(super) struct TensorEntry {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: String,
    /// For int8: how many values of a row share one scale.
    #[serde(default)]
    pub group: usize,
    pub offset: usize,
}

/// A tensor as stored: f32 values, or int8 with a scale per group.
pub(super) enum Stored {
    F32(Vec<f32>),
    I8 {
        values: Vec<i8>,
        /// One per `group` consecutive values.
        scales: Vec<f32>,
        group: usize,
    },
}

/// A parsed file: the header and a view of the data section.
pub(super) struct EncoderFile<'a> {
    pub header: Header,
    data: &'a [u8],
}

impl<'a> EncoderFile<'a> {
    /// Checks the magic number and parses the header.
    pub fn parse(bytes: &'a [u8]) -> Result<EncoderFile<'a>, EncoderError> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(EncoderError::NotAnEncoderFile)?;
        let (len, rest) = rest
            .split_first_chunk::<4>()
            .ok_or(EncoderError::Truncated)?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return Err(EncoderError::Truncated);
        }
        let (header, data) = rest.split_at(len);
        let header: Header = serde_json::from_slice(header)?;
        Ok(EncoderFile { header, data })
    }

    /// The tensor called `name`, checked to have `shape`.
    pub fn tensor(
        &self,
        name: &str,
        shape: &[usize],
    ) -> Result<(Stored, &TensorEntry), EncoderError> {
        let entry = self
            .header
            .tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| EncoderError::MissingTensor(name.to_owned()))?;
        if entry.shape != shape {
            return Err(EncoderError::Shape {
                name: name.to_owned(),
                expected: shape.to_vec(),
                found: entry.shape.clone(),
            });
        }
        let count: usize = shape.iter().product();
        let bytes = |len: usize| {
            self.data
                .get(entry.offset..)
                .and_then(|d| d.get(..len))
                .ok_or(EncoderError::Truncated)
        };
        let stored = match entry.dtype.as_str() {
            "f32" => Stored::F32(floats(bytes(count * 4)?)),
            "i8" => {
                let cols = shape.last().copied().unwrap_or(0);
                if entry.group == 0 || cols % entry.group != 0 {
                    return Err(EncoderError::Config(format!(
                        "tensor {name}: groups of {} do not divide rows of {cols}",
                        entry.group
                    )));
                }
                let raw = bytes(count + count / entry.group * 4)?;
                let (values, scales) = raw.split_at(count);
                Stored::I8 {
                    values: values.iter().map(|&b| b as i8).collect(),
                    scales: floats(scales),
                    group: entry.group,
                }
            }
            other => {
                return Err(EncoderError::Dtype {
                    name: name.to_owned(),
                    dtype: other.to_owned(),
                })
            }
        };
        Ok((stored, entry))
    }
}

/// Little-endian f32s from bytes whose length is a multiple of four.
fn floats(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

impl Stored {
    /// The tensor as f32 values, row-major (int8 multiplied out).
    pub fn into_f32(self) -> Vec<f32> {
        match self {
            Stored::F32(v) => v,
            Stored::I8 {
                values,
                scales,
                group,
            } => values
                .chunks(group)
                .zip(scales)
                .flat_map(|(run, scale)| run.iter().map(move |&q| f32::from(q) * scale))
                .collect(),
        }
    }
}
