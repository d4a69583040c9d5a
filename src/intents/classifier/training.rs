//! Training: features of every example, tf-idf weighting, rare features
//! dropped, then averaged multiclass passive-aggressive (PA-I) epochs with
//! feature dropout, and finally the weights packed into dense rows for
//! common features and sparse ones for the rest.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::features::{hashed_features, with_scratch, PreHashed};
use super::{Classifier, Config};

/// A row is stored dense when more than `n_labels / DENSE_ROW_DIVISOR` of its
/// weights are non-zero: a sparse entry costs 6 bytes and a scattered add,
/// a dense one 4 bytes and a vectorised add.
const DENSE_ROW_DIVISOR: usize = 4;

impl Classifier {
    /// Trains from `(text, label)` pairs, labels in `0..n_labels`, with the
    /// default [`Config`]. Deterministic. Examples whose label is out of range
    /// are ignored; at most 65,536 labels.
    pub fn train(examples: &[(&str, usize)], n_labels: usize) -> Classifier {
        Classifier::train_with(examples, n_labels, &Config::for_size(examples.len()))
    }

    /// Trains with explicit hyper-parameters (used to tune them on validation
    /// data). Needs `2 * 4 * rows * n_labels` bytes of working memory while it
    /// runs (about 40 MB for CLINC150's 15,000 examples and 150 labels).
    pub fn train_with(examples: &[(&str, usize)], n_labels: usize, config: &Config) -> Classifier {
        let n_labels = n_labels.min(u16::MAX as usize + 1);
        let examples: Vec<(&str, usize)> = examples
            .iter()
            .copied()
            .filter(|&(_, label)| label < n_labels)
            .collect();

        // 1. Features of every example; one row per distinct hash; document frequencies.
        let mut rows: HashMap<u64, u32, BuildHasherDefault<PreHashed>> = HashMap::default();
        let mut doc_freq: Vec<u32> = Vec::new();
        let mut docs: Vec<Vec<(u32, f32)>> = Vec::with_capacity(examples.len());
        with_scratch(|scratch| {
            for &(text, _) in &examples {
                hashed_features(text, config, scratch);
                let doc = scratch
                    .features
                    .iter()
                    .map(|&(hash, tf)| {
                        let next = rows.len() as u32;
                        let row = *rows.entry(hash).or_insert(next);
                        if row == next {
                            doc_freq.push(0);
                        }
                        doc_freq[row as usize] += 1;
                        (row, tf)
                    })
                    .collect();
                docs.push(doc);
            }
        });
        let n_docs = examples.len() as f32;
        let idf: Vec<f32> = doc_freq
            .iter()
            .map(|&df| ((1.0 + n_docs) / (1.0 + df as f32)).ln() + 1.0)
            .collect();
        let unseen_idf = ((1.0 + n_docs).ln() + 1.0) * config.unseen_weight.max(0.0);
        for doc in &mut docs {
            let mut sq_norm = 0.0f32;
            for (row, value) in doc.iter_mut() {
                *value *= idf[*row as usize];
                sq_norm += *value * *value;
            }
            let inv_norm = if sq_norm > 0.0 {
                1.0 / sq_norm.sqrt()
            } else {
                0.0
            };
            doc.iter_mut().for_each(|(_, value)| *value *= inv_norm);
        }

        // Drop rare features only now, after normalising, exactly as
        // classification treats features it has no row for.
        let mut renumber = vec![u32::MAX; doc_freq.len()];
        let mut kept_idf = Vec::new();
        for (row, &df) in doc_freq.iter().enumerate() {
            if df >= config.min_doc_freq {
                renumber[row] = kept_idf.len() as u32;
                kept_idf.push(idf[row]);
            }
        }
        rows.retain(|_, row| {
            *row = renumber[*row as usize];
            *row != u32::MAX
        });
        for doc in &mut docs {
            doc.retain_mut(|(row, _)| {
                *row = renumber[*row as usize];
                *row != u32::MAX
            });
        }
        let idf = kept_idf;

        // 2. Averaged multiclass passive-aggressive (PA-I) training, dense matrix.
        let n_rows = rows.len();
        let width = n_labels.max(1);
        let mut w = vec![0.0f32; n_rows * width];
        // Sum of (step number * update), for the averaging trick:
        // averaged weights = w - u / steps.
        let mut u = vec![0.0f32; n_rows * width];
        let mut scores = vec![0.0f32; width];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut rng = XorShift(config.seed | 1);
        let mut step: f32 = 1.0;
        let mut dropped: Vec<(u32, f32)> = Vec::new();
        let norms: Vec<f32> = docs
            .iter()
            .map(|doc| doc.iter().map(|&(_, v)| v * v).sum::<f32>().sqrt())
            .collect();
        for epoch in 0..config.epochs {
            // Average only from epoch `average_from` on: w - u / step is then
            // the mean of the weights over the steps since.
            let averaging: f32 = if epoch >= config.average_from {
                1.0
            } else {
                0.0
            };
            if epoch == config.average_from {
                step = 1.0;
            }
            for i in (1..order.len()).rev() {
                let j = (rng.next() % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            for &k in &order {
                let gold = examples[k].1;
                let doc: &[(u32, f32)] = if config.dropout > 0.0 {
                    dropped.clear();
                    let cut = (config.dropout.clamp(0.0, 1.0) as f64 * u32::MAX as f64) as u64;
                    let mut sq = 0.0f32;
                    for &(row, value) in &docs[k] {
                        if (rng.next() & 0xFFFF_FFFF) >= cut {
                            dropped.push((row, value));
                            sq += value * value;
                        }
                    }
                    let full: f32 = norms[k];
                    if sq > 0.0 {
                        let scale = full / sq.sqrt();
                        dropped.iter_mut().for_each(|(_, v)| *v *= scale);
                    }
                    &dropped
                } else {
                    &docs[k]
                };
                scores.iter_mut().for_each(|s| *s = 0.0);
                // Four rows at a time: one load and store of `scores` per
                // four weight rows (this loop is most of the training time).
                let mut quads = doc.chunks_exact(4);
                for quad in &mut quads {
                    let row = |i: usize| &w[quad[i].0 as usize * width..][..width];
                    let (w0, w1, w2, w3) = (row(0), row(1), row(2), row(3));
                    let (v0, v1, v2, v3) = (quad[0].1, quad[1].1, quad[2].1, quad[3].1);
                    let n = scores.len().min(width);
                    let (s, w0, w1, w2, w3) =
                        (&mut scores[..n], &w0[..n], &w1[..n], &w2[..n], &w3[..n]);
                    for i in 0..n {
                        s[i] += (v0 * w0[i] + v1 * w1[i]) + (v2 * w2[i] + v3 * w3[i]);
                    }
                }
                for &(row, value) in quads.remainder() {
                    let weights = &w[row as usize * width..][..width];
                    for (s, &weight) in scores.iter_mut().zip(weights) {
                        *s += value * weight;
                    }
                }
                let mut rival = usize::MAX;
                let mut rival_score = f32::NEG_INFINITY;
                for (label, &s) in scores.iter().enumerate() {
                    if label != gold && s > rival_score {
                        rival = label;
                        rival_score = s;
                    }
                }
                let loss = config.margin - (scores[gold] - rival_score);
                if rival != usize::MAX && loss > 0.0 {
                    let sq_norm: f32 = doc.iter().map(|&(_, v)| v * v).sum();
                    let tau = (loss / (2.0 * sq_norm.max(1e-6))).min(config.aggressiveness);
                    for &(row, value) in doc.iter() {
                        let base = row as usize * width;
                        let delta = tau * value;
                        w[base + gold] += delta;
                        w[base + rival] -= delta;
                        u[base + gold] += averaging * step * delta;
                        u[base + rival] -= averaging * step * delta;
                    }
                }
                step += 1.0;
            }
        }

        // Averaged weights.
        for (wi, ui) in w.iter_mut().zip(&u) {
            *wi -= ui / step;
        }
        drop(u);

        // 3. Weights that are not zero: dense rows for common features, sparse otherwise.
        let mut row_start = Vec::with_capacity(n_rows + 1);
        let mut dense_row = Vec::with_capacity(n_rows);
        let mut dense = Vec::new();
        let mut labels = Vec::new();
        let mut weights = Vec::new();
        row_start.push(0u32);
        for row in 0..n_rows {
            let averaged = |label: usize| w[row * width + label];
            let moved = (0..n_labels)
                .filter(|&label| averaged(label) != 0.0)
                .count();
            if moved * DENSE_ROW_DIVISOR > n_labels {
                dense_row.push((dense.len() / width) as u32);
                dense.extend((0..n_labels).map(averaged));
            } else {
                dense_row.push(u32::MAX);
                for label in 0..n_labels {
                    let value = averaged(label);
                    if value != 0.0 {
                        labels.push(label as u16);
                        weights.push(value);
                    }
                }
            }
            row_start.push(labels.len() as u32);
        }
        rows.shrink_to_fit();
        dense.shrink_to_fit();
        labels.shrink_to_fit();
        weights.shrink_to_fit();
        Classifier {
            n_labels,
            config: config.clone(),
            rows,
            idf,
            unseen_idf,
            row_start,
            dense_row,
            dense,
            labels,
            weights,
        }
    }
}

/// Fixed-seed xorshift64 for the training order.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
