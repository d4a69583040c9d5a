//! Using a trained [`Classifier`]: raw label scores for a message, the best
//! label and runner-up with softmax confidences, and the model's size.

use super::features::{hashed_features, with_scratch, Scratch};
use super::{Classifier, Prediction};

/// The index of the highest score and of the second highest, in one pass
/// (`(0, None)` for fewer than two scores).
pub fn top_two(scores: &[f32]) -> (usize, Option<usize>) {
    let mut best = 0;
    let mut second = None::<usize>;
    for (label, &s) in scores.iter().enumerate().skip(1) {
        if s > scores[best] {
            second = Some(best);
            best = label;
        } else if second.is_none_or(|second| s > scores[second]) {
            second = Some(label);
        }
    }
    (best, second)
}

impl Classifier {
    /// Raw linear score of every label for `text`, before the softmax
    /// (empty when the model has no labels). For diagnostics and calibration.
    pub fn scores(&self, text: &str) -> Vec<f32> {
        let mut scores = Vec::new();
        with_scratch(|scratch| self.score_into(text, scratch, &mut scores));
        scores
    }

    /// Best label with a confidence in `[0, 1]` and the runner-up. Never
    /// panics, for any input string. `None` only when the model has no labels.
    pub fn classify(&self, text: &str) -> Option<Prediction> {
        if self.n_labels == 0 {
            return None;
        }
        with_scratch(|scratch| {
            let mut scores = std::mem::take(&mut scratch.scores);
            self.score_into(text, scratch, &mut scores);
            let prediction = self.predict(&scores);
            scratch.scores = scores;
            prediction
        })
    }

    /// Number of labels the model was trained with.
    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    /// Approximate heap bytes used by the model.
    pub fn memory_bytes(&self) -> usize {
        // hashbrown keeps one (key, value) slot and one control byte per bucket.
        let table = self.rows.capacity() * 8 / 7 * (std::mem::size_of::<(u64, u32)>() + 1);
        table
            + self.idf.capacity() * 4
            + self.row_start.capacity() * 4
            + self.dense_row.capacity() * 4
            + self.dense.capacity() * 4
            + self.labels.capacity() * 2
            + self.weights.capacity() * 4
    }

    /// Writes the raw score of every label into `scores`.
    fn score_into(&self, text: &str, scratch: &mut Scratch, scores: &mut Vec<f32>) {
        scores.clear();
        scores.resize(self.n_labels, 0.0);
        if self.n_labels == 0 {
            return;
        }
        hashed_features(text, &self.config, scratch);
        // Two passes: all table look-ups first (independent loads the CPU can
        // overlap), then the weight adds. Scores are linear in the feature
        // vector, so accumulate with unnormalised values and divide by the
        // length (unseen features included) once.
        let mut sq_norm = 0.0f32;
        scratch.known.clear();
        for &(hash, tf) in &scratch.features {
            match self.rows.get(&hash) {
                Some(&row) => {
                    let value = tf * self.idf[row as usize];
                    sq_norm += value * value;
                    scratch.known.push((row, value));
                }
                None => {
                    let value = tf * self.unseen_idf;
                    sq_norm += value * value;
                }
            }
        }
        for &(row, value) in &scratch.known {
            let row = row as usize;
            let block = self.dense_row[row];
            if block != u32::MAX {
                let start = block as usize * self.n_labels;
                let weights = &self.dense[start..start + self.n_labels];
                for (s, &weight) in scores.iter_mut().zip(weights) {
                    *s += value * weight;
                }
            } else {
                let span = self.row_start[row] as usize..self.row_start[row + 1] as usize;
                for (&label, &weight) in self.labels[span.clone()].iter().zip(&self.weights[span]) {
                    if let Some(s) = scores.get_mut(label as usize) {
                        *s += value * weight;
                    }
                }
            }
        }
        if sq_norm > 0.0 {
            let inv_norm = 1.0 / sq_norm.sqrt();
            scores.iter_mut().for_each(|s| *s *= inv_norm);
        }
    }

    /// The softmax temperature this model's confidences use.
    pub fn temperature(&self) -> f32 {
        self.config.temperature
    }

    /// Best and second-best label of `scores` (non-empty) with softmax shares.
    fn predict(&self, scores: &[f32]) -> Option<Prediction> {
        let (best, second) = top_two(scores);
        let top = *scores.get(best)?;
        let inv_t = 1.0 / self.config.temperature.max(1e-6);
        let total: f32 = scores.iter().map(|&s| ((s - top) * inv_t).exp()).sum();
        let share = |label: usize| {
            let p = ((scores[label] - top) * inv_t).exp() / total;
            if p.is_finite() {
                p.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        Some(Prediction {
            label: best,
            confidence: share(best),
            runner_up: second.map(|second| (second, share(second))),
        })
    }
}

/// A summary, not megabytes of weights.
impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("n_labels", &self.n_labels)
            .field("features", &self.rows.len())
            .field("dense_rows", &(self.dense.len() / self.n_labels.max(1)))
            .field("sparse_weights", &self.weights.len())
            .field("memory_bytes", &self.memory_bytes())
            .field("config", &self.config)
            .finish()
    }
}
