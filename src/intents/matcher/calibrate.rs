//! Calibrating the full model's confidence on the owner's own examples.
//!
//! The combined score of an intent ([`super::combine`]) runs on a scale
//! that depends on the set: with ten examples per intent a right answer
//! scores about 2, with a hundred about 4.5. A fixed "none of these" score
//! would make the same threshold refuse most questions for a small set and
//! almost none for a large one. So the set measures itself: its examples
//! are dealt into k folds (each intent's examples spread over all of them),
//! each fold is held out in turn while models are trained on the others,
//! and the held-out examples' best scores show what a question the bot
//! *should* answer scores. The "none" score is their 5th percentile: a
//! message scoring like the weakest answerable ones gets a confidence
//! around one half, and one default threshold
//! ([`super::MatcherSettings::confidence_threshold`]) works for a handful
//! of examples per intent and for a hundred (measured on CLINC150: see
//! docs/intents.md).
//!
//! Small sets use ten folds (each model close to the real one), large ones
//! two (about the cost of training twice more when the intents load).

use super::classifier::Classifier;
use super::semantic::Semantic;

/// The held-out percentile the "none" score sits at.
const QUANTILE: f32 = 0.05;
/// Below this many examples in all there is nothing to measure.
const MIN_EXAMPLES: usize = 6;
/// Held-out examples scored at most (spread evenly over the folds): plenty
/// for a 5th percentile, and it bounds the cost for large sets (scoring
/// one held-out example scans every training example's vector).
const MAX_SCORED: usize = 2000;
/// The "none" score of sets too small to measure: what CLINC150 with ten
/// examples per intent measures.
pub const SMALL_SET_NONE_SCORE: f32 = 1.2;
/// The lowest "none" score a measurement may give. In a set of a few
/// examples, held-out examples barely resemble what is left to train on,
/// and their weakest scores are as low as an unrelated question's; without
/// a floor such a set would answer anything.
const FLOOR: f32 = 1.0;

/// Folds for a set of `n` examples: more (each model nearer the real one)
/// when training is cheap.
fn folds(n: usize) -> usize {
    match n {
        0..=500 => 10,
        501..=2000 => 5,
        _ => 2,
    }
}

/// The "none of these" score for a set's full model, from its examples
/// (text, intent) and their sentence vectors.
pub fn none_score(
    examples: &[(&str, usize)],
    vectors: &[&[f32]],
    n_labels: usize,
    dims: usize,
) -> f32 {
    if examples.len() < MIN_EXAMPLES || vectors.len() != examples.len() {
        return SMALL_SET_NONE_SCORE;
    }
    let k = folds(examples.len());
    // An intent's 1st example goes to fold 0, its 2nd to fold 1, …; the
    // next intent carries on where this one stopped, so small intents are
    // spread over different folds.
    let mut next = 0_usize;
    let fold: Vec<usize> = examples
        .iter()
        .map(|_| {
            next += 1;
            next % k
        })
        .collect();
    let mut tops = Vec::with_capacity(examples.len());
    for held in 0..k {
        let train: Vec<usize> = (0..examples.len()).filter(|&i| fold[i] != held).collect();
        let pairs: Vec<(&str, usize)> = train.iter().map(|&i| examples[i]).collect();
        let train_vectors: Vec<&[f32]> = train.iter().map(|&i| vectors[i]).collect();
        let labels: Vec<usize> = pairs.iter().map(|&(_, l)| l).collect();
        let ngrams = Classifier::train(&pairs, n_labels);
        let semantic = Semantic::train(&train_vectors, &labels, n_labels, dims);
        let held_out: Vec<usize> = (0..examples.len()).filter(|&i| fold[i] == held).collect();
        let step = held_out.len().div_ceil(MAX_SCORED / k).max(1);
        for &i in held_out.iter().step_by(step) {
            let mut scores = ngrams.scores(examples[i].0);
            super::combine(&mut scores, &semantic.scores(vectors[i]));
            tops.push(scores.iter().copied().fold(f32::NEG_INFINITY, f32::max));
        }
    }
    tops.retain(|t| t.is_finite());
    if tops.is_empty() {
        return SMALL_SET_NONE_SCORE;
    }
    tops.sort_by(f32::total_cmp);
    tops[((tops.len() - 1) as f32 * QUANTILE) as usize].max(FLOOR)
}
