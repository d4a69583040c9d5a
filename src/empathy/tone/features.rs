//! What the tone model reads in a message: its words and word pairs
//! (tf-idf weighted, like the n-gram matcher's), the lexicon reader's
//! findings per kind, and (when the encoder gave one) the sentence vector.

use std::collections::HashMap;

use crate::empathy::frustration::{self, SignalKind};
use crate::intents::matcher::words;

/// Only this much of a message is read (a pasted log says no more about
/// the visitor's mood than its first lines).
const MAX_CHARS: usize = 2000;

/// How many lexicon features there are: the score, then one per kind.
pub const LEXICON_FEATURES: usize = 1 + SignalKind::ALL.len();

/// A message's word and word-pair terms with their counts.
pub fn terms(text: &str) -> HashMap<String, u32> {
    let text: String = text.chars().take(MAX_CHARS).collect();
    let words = words(&text);
    let mut counts: HashMap<String, u32> = HashMap::new();
    for (i, w) in words.iter().enumerate() {
        *counts.entry(w.clone()).or_default() += 1;
        if let Some(next) = words.get(i + 1) {
            *counts.entry(format!("{w} {next}")).or_default() += 1;
        }
    }
    counts
}

/// Known terms of `text` with their tf-idf values (sublinear term
/// frequency times idf, L2-normalised), as `(index, value)`.
pub fn weighted_terms(text: &str, vocabulary: &HashMap<String, (usize, f32)>) -> Vec<(usize, f32)> {
    let mut out: Vec<(usize, f32)> = terms(text)
        .into_iter()
        .filter_map(|(term, count)| {
            let &(index, idf) = vocabulary.get(&term)?;
            Some((index, (1.0 + (count as f32).ln()) * idf))
        })
        .collect();
    let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        out.iter_mut().for_each(|(_, v)| *v /= norm);
    }
    out.sort_unstable_by_key(|&(i, _)| i);
    out
}

/// The lexicon reader's view: its score, then `ln(1 + weight)` of each kind
/// of signal it found.
pub fn lexicon(text: &str) -> [f32; LEXICON_FEATURES] {
    let reading = frustration::read_message(text);
    let mut out = [0.0; LEXICON_FEATURES];
    out[0] = reading.score;
    for signal in &reading.signals {
        if let Some(k) = SignalKind::ALL.iter().position(|&kind| kind == signal.kind) {
            out[1 + k] = signal.weight.max(0.0).ln_1p();
        }
    }
    out
}
