//! The transformer: BERT's forward pass for a batch of texts, then mean
//! pooling and L2 normalisation (how all-MiniLM-L6-v2 makes one sentence
//! vector).
//!
//! # Design decision: no padding
//!
//! Every layer but attention treats tokens independently, so the tokens of
//! all texts in a batch are stacked into one `[tokens, hidden]` matrix and
//! each linear layer is one product over all of them ([`super::matmul`]):
//! a batch of short and long messages costs the sum of their lengths, not
//! the longest times the count. Attention runs per text and per head on its
//! own rows. Query, key and value are one fused `[hidden → 3·hidden]`
//! product. Activations are plain row-major `Vec<f32>`s.
//!
//! The word-embedding table, the largest tensor and only ever read a row at
//! a time, stays int8 in memory; the layer weights are multiplied out to
//! f32 and packed once when the model loads.

use pulp::{Arch, Simd, WithSimd};

use super::file::{EncoderFile, Stored};
use super::matmul::Linear;
use super::wordpiece::TokenIds;
use super::EncoderError;

/// The model's weights, ready to run.
pub struct Bert {
    hidden: usize,
    heads: usize,
    eps: f32,
    /// `[vocab, hidden]`, read a row at a time.
    word: WordTable,
    /// `[max_tokens, hidden]`.
    position: Vec<f32>,
    /// Token type 0 (one text, never a pair).
    token_type: Vec<f32>,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    /// The SIMD width found on this CPU.
    arch: Arch,
}

/// The word-embedding table: int8 as shipped (a quarter of the memory), or
/// f32 when loading an f32 file to measure what int8 costs.
enum WordTable {
    I8 {
        values: Vec<i8>,
        /// One per `group` consecutive values.
        scales: Vec<f32>,
        group: usize,
    },
    F32(Vec<f32>),
}

struct LayerNorm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

/// One transformer layer.
struct Layer {
    /// Query, key and value side by side: `hidden → 3·hidden`.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    up: Linear,
    down: Linear,
    output_norm: LayerNorm,
}

impl Bert {
    /// Takes the tensors out of a parsed file, checking every shape.
    pub(super) fn load(file: &EncoderFile<'_>) -> Result<Bert, EncoderError> {
        let h = &file.header;
        let (hidden, inter) = (h.hidden, h.intermediate);
        if hidden == 0 || h.heads == 0 || hidden % h.heads != 0 || h.max_tokens == 0 {
            return Err(EncoderError::Config(format!(
                "hidden {hidden} is not a multiple of {} heads",
                h.heads
            )));
        }
        let values = |name: &str, shape: &[usize]| -> Result<Vec<f32>, EncoderError> {
            Ok(file.tensor(name, shape)?.0.into_f32())
        };
        let arch = Arch::new();
        let linear =
            |prefixes: &[String], out: usize, inp: usize| -> Result<Linear, EncoderError> {
                let mut weight = Vec::with_capacity(prefixes.len() * out * inp);
                let mut bias = Vec::with_capacity(prefixes.len() * out);
                for prefix in prefixes {
                    weight.extend(values(&format!("{prefix}.weight"), &[out, inp])?);
                    bias.extend(values(&format!("{prefix}.bias"), &[out])?);
                }
                Ok(Linear::new(arch, &weight, &bias, prefixes.len() * out, inp))
            };
        let norm = |prefix: &str| -> Result<LayerNorm, EncoderError> {
            Ok(LayerNorm {
                gamma: values(&format!("{prefix}.weight"), &[hidden])?,
                beta: values(&format!("{prefix}.bias"), &[hidden])?,
            })
        };
        let word = match file
            .tensor(
                "embeddings.word_embeddings.weight",
                &[h.vocab.len(), hidden],
            )?
            .0
        {
            Stored::I8 {
                values,
                scales,
                group,
            } => WordTable::I8 {
                values,
                scales,
                group,
            },
            Stored::F32(values) => WordTable::F32(values),
        };
        let mut layers = Vec::with_capacity(h.layers);
        for i in 0..h.layers {
            let p = |part: &str| format!("encoder.layer.{i}.{part}");
            let qkv = ["query", "key", "value"].map(|n| p(&format!("attention.self.{n}")));
            layers.push(Layer {
                qkv: linear(&qkv, hidden, hidden)?,
                attention_out: linear(&[p("attention.output.dense")], hidden, hidden)?,
                attention_norm: norm(&p("attention.output.LayerNorm"))?,
                up: linear(&[p("intermediate.dense")], inter, hidden)?,
                down: linear(&[p("output.dense")], hidden, inter)?,
                output_norm: norm(&p("output.LayerNorm"))?,
            });
        }
        Ok(Bert {
            hidden,
            heads: h.heads,
            eps: h.layer_norm_eps,
            word,
            position: values(
                "embeddings.position_embeddings.weight",
                &[h.max_tokens, hidden],
            )?,
            token_type: values("embeddings.token_type_embeddings.weight", &[1, hidden])?,
            embeddings_norm: norm("embeddings.LayerNorm")?,
            layers,
            arch,
        })
    }

    /// The width of a sentence vector.
    pub fn dimensions(&self) -> usize {
        self.hidden
    }

    /// Sentence vectors for a batch of tokenised texts: unit length, one per
    /// text, in order. Ids come from this model's tokenizer; an id outside
    /// the vocabulary reads row 0, and ids past the model's positions are
    /// ignored, so no input panics.
    pub fn embed(&self, batch: &[TokenIds]) -> Vec<Vec<f32>> {
        let h = self.hidden;
        let max_len = self.position.len() / h;
        let lengths: Vec<usize> = batch.iter().map(|ids| ids.len().min(max_len)).collect();
        let total: usize = lengths.iter().sum();
        let mut x = vec![0.0_f32; total * h];
        let mut rows = x.chunks_exact_mut(h);
        for (ids, &len) in batch.iter().zip(&lengths) {
            for (pos, (&id, row)) in ids.iter().take(len).zip(&mut rows).enumerate() {
                self.word_row(id as usize, row);
                let position = &self.position[pos * h..(pos + 1) * h];
                for ((v, p), t) in row.iter_mut().zip(position).zip(&self.token_type) {
                    *v += p + t;
                }
            }
        }
        self.arch.dispatch(Layers {
            bert: self,
            x: &mut x,
            lengths: &lengths,
        });
        let mut start = 0;
        lengths
            .iter()
            .map(|&len| {
                let mut mean = vec![0.0_f32; h];
                for row in x[start * h..(start + len) * h].chunks_exact(h) {
                    add(&mut mean, row);
                }
                start += len;
                let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                mean.iter_mut().for_each(|v| *v /= norm);
                mean
            })
            .collect()
    }

    /// Writes the word embedding of `id` into `out` (`hidden` floats); an
    /// id outside the vocabulary reads row 0 (`[PAD]`).
    fn word_row(&self, id: usize, out: &mut [f32]) {
        let h = self.hidden;
        match &self.word {
            WordTable::I8 {
                values,
                scales,
                group,
            } => {
                let id = if id < values.len() / h { id } else { 0 };
                let row = &values[id * h..(id + 1) * h];
                let row_scales = &scales[id * h / group..];
                for ((out, run), scale) in out
                    .chunks_mut(*group)
                    .zip(row.chunks(*group))
                    .zip(row_scales)
                {
                    for (o, &q) in out.iter_mut().zip(run) {
                        *o = f32::from(q) * scale;
                    }
                }
            }
            WordTable::F32(values) => {
                let id = if id < values.len() / h { id } else { 0 };
                out.copy_from_slice(&values[id * h..(id + 1) * h]);
            }
        }
    }

    /// Multi-head self-attention, each text attending only to itself.
    /// `qkv` is `[tokens, 3·hidden]`; returns the `[tokens, hidden]` context.
    #[inline(always)]
    fn attention(&self, qkv: &[f32], lengths: &[usize]) -> Vec<f32> {
        let h = self.hidden;
        let d = h / self.heads;
        let scale = 1.0 / (d as f32).sqrt();
        let mut context = vec![0.0_f32; qkv.len() / 3];
        let mut scores = Vec::new();
        let mut start = 0;
        for &len in lengths {
            let row = |t: usize| &qkv[(start + t) * 3 * h..(start + t + 1) * 3 * h];
            for head in 0..self.heads {
                let cols = head * d..(head + 1) * d;
                for i in 0..len {
                    let q = &row(i)[cols.clone()];
                    scores.clear();
                    scores.extend((0..len).map(|j| {
                        let k = &row(j)[h + cols.start..h + cols.end];
                        q.iter().zip(k).map(|(a, b)| a * b).sum::<f32>() * scale
                    }));
                    let max = scores.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
                    let mut sum = 0.0;
                    for s in scores.iter_mut() {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    let out =
                        &mut context[(start + i) * h + cols.start..(start + i) * h + cols.end];
                    for (j, &p) in scores.iter().enumerate() {
                        let v = &row(j)[2 * h + cols.start..2 * h + cols.end];
                        for (o, &vv) in out.iter_mut().zip(v) {
                            *o += p / sum * vv;
                        }
                    }
                }
            }
            start += len;
        }
        context
    }
}

/// The transformer layers over the stacked token rows. Run through
/// `dispatch` so that `with_simd` — and the `inline(always)` loops it calls
/// (attention, LayerNorm, GELU) — are compiled for the CPU's widest SIMD; a
/// closure would not be inlined there and would run at SSE2 width.
struct Layers<'a> {
    bert: &'a Bert,
    x: &'a mut Vec<f32>,
    lengths: &'a [usize],
}

impl WithSimd for Layers<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Layers { bert, x, lengths } = self;
        layer_norm(x, &bert.embeddings_norm, bert.eps);
        for layer in &bert.layers {
            let qkv = layer.qkv.apply(bert.arch, x);
            let context = bert.attention(&qkv, lengths);
            add(x, &layer.attention_out.apply(bert.arch, &context));
            layer_norm(x, &layer.attention_norm, bert.eps);
            let mut up = layer.up.apply(bert.arch, x);
            up.iter_mut().for_each(|v| *v = gelu(*v));
            add(x, &layer.down.apply(bert.arch, &up));
            layer_norm(x, &layer.output_norm, bert.eps);
        }
    }
}

/// `x += y`, element by element.
#[inline(always)]
fn add(x: &mut [f32], y: &[f32]) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
}

/// Normalises every row to zero mean and unit variance, then scales and shifts.
#[inline(always)]
fn layer_norm(x: &mut [f32], norm: &LayerNorm, eps: f32) {
    let n = norm.gamma.len();
    for row in x.chunks_exact_mut(n) {
        let mean = row.iter().sum::<f32>() / n as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&norm.gamma).zip(&norm.beta) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// The exact GELU the model was trained with, `x·Φ(x)`, with a rational
/// approximation of erf accurate to a few units in the last place (the
/// polynomial Eigen and XLA use), branch-free so it vectorises.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf(x) for f32: `x·P(x²)/Q(x²)` on [-4, 4], where f32's erf is ±1 outside.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p - 2.101_024e-6;
    p = x2 * p - 5.692_506_4e-5;
    p = x2 * p - 7.349_906_3e-4;
    p = x2 * p - 2.954_6e-3;
    p = x2 * p - 1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 - 2.133_740_6e-4;
    q = x2 * q - 1.682_827e-3;
    q = x2 * q - 7.373_329e-3;
    q = x2 * q - 1.426_473_9e-2;
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::erf;

    #[test]
    fn the_fast_erf_matches_the_exact_one() {
        let mut worst = 0.0_f32;
        for i in -6000..=6000 {
            let x = i as f32 / 1000.0;
            worst = worst.max((erf(x) - libm::erff(x)).abs());
        }
        assert!(worst < 2e-6, "worst error {worst}");
    }
}
