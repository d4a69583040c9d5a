//! The matcher's view of a message through its sentence vector: a linear
//! model over the 384 numbers, and the nearest example of each intent.
//!
//! # Design decision: the same learner as the n-grams, plus a memory
//!
//! The vector part is trained with the same averaged passive-aggressive
//! learner as the n-gram part ([`super::super::classifier`]), so both give
//! scores on the same scale (about ±1 around the decision) and simply add.
//! It is fast to train (ten passes over the examples, vectorised) and as
//! accurate as a logistic regression here: on CLINC150 with 10 examples per
//! intent it answers 90.2 % right alone, against 90.8 % for scikit-learn's
//! logistic regression, and on the full set 95.1 % against 95.5 %.
//!
//! Beside the model it keeps every example's vector: the cosine of the
//! nearest example of each intent is a second score. It is what tells a new
//! phrasing of a known question ("my money hasn't come back yet") from a
//! question about something else entirely, and it names the nearest intent
//! for the owner's list of unanswered questions.

use pulp::{Arch, Simd, WithSimd};

/// Passes over the examples.
const EPOCHS: usize = 10;
/// Largest step one example may take (PA-I's `C`).
const AGGRESSIVENESS: f32 = 1.0;
/// How far the right intent must beat the best wrong one.
const MARGIN: f32 = 1.0;
/// Seed of the training order.
const SEED: u64 = 0x5EED_0F5E_A71C;

/// A trained vector model for one intent set.
#[derive(Clone)]
pub struct Semantic {
    dims: usize,
    n_labels: usize,
    /// Averaged weights, `n_labels × dims`.
    weights: Vec<f32>,
    /// Every example's vector, `n_examples × dims`.
    examples: Vec<f32>,
    /// Each example's intent.
    labels: Vec<u32>,
    arch: Arch,
}

impl std::fmt::Debug for Semantic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Semantic")
            .field("examples", &self.labels.len())
            .field("intents", &self.n_labels)
            .finish()
    }
}

/// Per intent: the linear score and the cosine of its nearest example.
#[derive(Debug, Clone, Default)]
pub struct SemanticScores {
    pub linear: Vec<f32>,
    pub nearest: Vec<f32>,
}

impl Semantic {
    /// Trains on `vectors` (unit length, `dims` each) with their intents
    /// `labels` (in `0..n_labels`; others are ignored). Deterministic.
    pub fn train(vectors: &[&[f32]], labels: &[usize], n_labels: usize, dims: usize) -> Semantic {
        let arch = Arch::new();
        let kept: Vec<(usize, &[f32])> = labels
            .iter()
            .zip(vectors)
            .filter(|(&l, v)| l < n_labels && v.len() == dims)
            .map(|(&l, v)| (l, *v))
            .collect();
        let examples: Vec<f32> = kept.iter().flat_map(|(_, v)| v.iter().copied()).collect();
        let example_labels: Vec<u32> = kept.iter().map(|(l, _)| *l as u32).collect();
        let weights = arch.dispatch(Train {
            examples: &kept,
            n_labels,
            dims,
        });
        Semantic {
            dims,
            n_labels,
            weights,
            examples,
            labels: example_labels,
            arch,
        }
    }

    /// Scores of every intent for a message's vector.
    pub fn scores(&self, vector: &[f32]) -> SemanticScores {
        let mut out = SemanticScores {
            linear: vec![0.0; self.n_labels],
            nearest: vec![-1.0; self.n_labels],
        };
        if vector.len() != self.dims {
            return out;
        }
        self.arch.dispatch(Score {
            model: self,
            vector,
            out: &mut out,
        });
        out
    }

    /// Bytes held: weights and example vectors.
    pub fn memory_bytes(&self) -> usize {
        (self.weights.len() + self.examples.len()) * 4 + self.labels.len() * 4
    }
}

/// Training, compiled for the CPU's widest SIMD: `pulp` runs `with_simd`
/// under the detected target features, and everything it calls is
/// `inline(always)`, so the loops below vectorise (a closure would not be
/// inlined, and would run at SSE2 width).
struct Train<'a> {
    examples: &'a [(usize, &'a [f32])],
    n_labels: usize,
    dims: usize,
}

impl WithSimd for Train<'_> {
    type Output = Vec<f32>;

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> Vec<f32> {
        train_pa(self.examples, self.n_labels, self.dims)
    }
}

/// Scoring, vectorised the same way.
struct Score<'a> {
    model: &'a Semantic,
    vector: &'a [f32],
    out: &'a mut SemanticScores,
}

impl WithSimd for Score<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let Score { model, vector, out } = self;
        let linear = &mut out.linear;
        dots(simd, &model.weights, model.dims, vector, |intent, score| {
            if let Some(slot) = linear.get_mut(intent) {
                *slot = score;
            }
        });
        let nearest = &mut out.nearest;
        dots(
            simd,
            &model.examples,
            model.dims,
            vector,
            |example, cosine| {
                let label = model.labels.get(example).copied().unwrap_or(u32::MAX);
                if let Some(best) = nearest.get_mut(label as usize) {
                    if cosine > *best {
                        *best = cosine;
                    }
                }
            },
        );
    }
}

/// Calls `each(i, dot(row_i, vector))` for every `dims`-long row of `rows`,
/// in order. Four rows share each pass over `vector`: one dot product alone
/// is a chain of dependent additions (most of the time it waits on the
/// previous add), four independent chains keep the SIMD units busy. Each
/// result is bit-for-bit [`dot`]'s: the same multiplications and additions
/// in the same order, only interleaved.
#[inline(always)]
fn dots<S: Simd>(
    simd: S,
    rows: &[f32],
    dims: usize,
    vector: &[f32],
    mut each: impl FnMut(usize, f32),
) {
    if dims == 0 {
        return;
    }
    // `dot` keeps 16 running sums; they must fill whole vectors.
    let lanes = S::F32_LANES;
    if !((1..=LANES).contains(&lanes) && LANES % lanes == 0) {
        for (index, row) in rows.chunks_exact(dims).enumerate() {
            each(index, dot(row, vector));
        }
        return;
    }
    let mut quads = rows.chunks_exact(4 * dims);
    let mut index = 0;
    for quad in &mut quads {
        let (r0, rest) = quad.split_at(dims);
        let (r1, rest) = rest.split_at(dims);
        let (r2, r3) = rest.split_at(dims);
        for (k, d) in dot4(simd, [r0, r1, r2, r3], vector).into_iter().enumerate() {
            each(index + k, d);
        }
        index += 4;
    }
    for row in quads.remainder().chunks_exact(dims) {
        each(index, dot(row, vector));
        index += 1;
    }
}

/// The running sums [`dot`] keeps, one per lane of its 16-wide chunks.
const LANES: usize = 16;

/// [`dot`] of four rows with one vector at once, each computed exactly as
/// [`dot`] computes it: 16 running sums of `x[i] * y[i]` (a multiplication,
/// then an addition: never fused), added up in order, plus the tail.
/// `S::F32_LANES` divides 16 (checked by the caller).
#[inline(always)]
fn dot4<S: Simd>(simd: S, rows: [&[f32]; 4], b: &[f32]) -> [f32; 4] {
    let per = LANES / S::F32_LANES;
    let zero = simd.splat_f32s(0.0);
    let mut acc = [[zero; LANES]; 4];
    for (c, y) in b.chunks_exact(LANES).enumerate() {
        let (y, _) = S::as_simd_f32s(y);
        for (acc, row) in acc.iter_mut().zip(rows) {
            let Some(x) = row.get(c * LANES..(c + 1) * LANES) else {
                continue;
            };
            let (x, _) = S::as_simd_f32s(x);
            for v in 0..per {
                acc[v] = simd.add_f32s(acc[v], simd.mul_f32s(x[v], y[v]));
            }
        }
    }
    let mut out = [0.0_f32; 4];
    for ((out, acc), row) in out.iter_mut().zip(&acc).zip(rows) {
        let mut sums = [0.0_f32; LANES];
        let (lanes, _) = S::as_mut_simd_f32s(&mut sums);
        lanes.copy_from_slice(&acc[..per]);
        let tail: f32 = row
            .chunks_exact(LANES)
            .remainder()
            .iter()
            .zip(b.chunks_exact(LANES).remainder())
            .map(|(x, y)| x * y)
            .sum();
        *out = sums.iter().sum::<f32>() + tail;
    }
    out
}

/// Averaged multiclass passive-aggressive training over dense vectors,
/// exactly as the n-gram classifier trains over its features: a fixed
/// shuffled order per pass, updates against the best wrong intent, weights
/// averaged from the second pass on.
#[inline(always)]
fn train_pa(examples: &[(usize, &[f32])], n_labels: usize, dims: usize) -> Vec<f32> {
    let mut w = vec![0.0_f32; n_labels * dims];
    // Σ step·update, for the averaging trick (averaged = w − u / steps).
    let mut u = vec![0.0_f32; n_labels * dims];
    let mut scores = vec![0.0_f32; n_labels];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SEED | 1;
    let mut step = 1.0_f32;
    for epoch in 0..EPOCHS {
        let averaging = if epoch >= 1 { 1.0 } else { 0.0 };
        if epoch == 1 {
            step = 1.0;
        }
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &k in &order {
            let (gold, x) = examples[k];
            for (s, row) in scores.iter_mut().zip(w.chunks_exact(dims)) {
                *s = dot(row, x);
            }
            let rival = (0..n_labels)
                .filter(|&l| l != gold)
                .max_by(|&a, &b| scores[a].total_cmp(&scores[b]));
            if let Some(rival) = rival {
                let loss = MARGIN - (scores[gold] - scores[rival]);
                if loss > 0.0 {
                    let sq: f32 = dot(x, x);
                    let tau = (loss / (2.0 * sq.max(1e-6))).min(AGGRESSIVENESS);
                    for (label, sign) in [(gold, 1.0_f32), (rival, -1.0)] {
                        let row = label * dims..(label + 1) * dims;
                        for ((wi, ui), &xi) in w[row.clone()].iter_mut().zip(&mut u[row]).zip(x) {
                            let delta = sign * tau * xi;
                            *wi += delta;
                            *ui += averaging * step * delta;
                        }
                    }
                }
            }
            step += 1.0;
        }
    }
    for (wi, ui) in w.iter_mut().zip(&u) {
        *wi -= ui / step;
    }
    w
}

/// Dot product, written so the compiler vectorises it inside `with_simd`.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0_f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests;
