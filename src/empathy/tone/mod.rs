//! A trained reader of tone: how likely a message's wording is frustrated.
//!
//! # Design decision: a linear model that explains itself
//!
//! The lexicon reader ([`super::frustration`]) knows support chat's hard
//! evidence — asking for a person, swearing, insults, "that's not what I
//! asked" — but word lists top out near F1 0.53 on the ways people voice
//! disapproval in ordinary words. This model is a logistic regression over
//! three things: words and word pairs (tf-idf), the lexicon's findings per
//! kind, and, when the encoder gave one, the message's sentence vector. It
//! was trained on GoEmotions (`tandem empathy train`, weights in
//! `model/frustration.json`), so it learnt from 43,000 comments nobody on
//! the team wrote which wordings carry anger, annoyance, disappointment,
//! disapproval or disgust.
//!
//! Being linear, every word's part in the result is its weight times its
//! value, so an agent still sees *why*: the words that pushed the reading
//! up ([`ToneReading::words`]). The sentence vector's part is reported as
//! one number ("the message as a whole").
//!
//! Two variants share the vocabulary: `full` (with the sentence vector)
//! and `words` (without), for messages the encoder did not see (the
//! n-grams were sure of the intent, or the encoder was busy or off).

pub mod features;
pub mod train;

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::frustration::{self, MessageReading};
use features::{Vocabulary, LEXICON_FEATURES};

/// The shipped model, compiled into the binary.
const BUNDLED: &str = include_str!("../../../model/frustration.json");

/// The model file (`model/frustration.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToneFile {
    /// Where the weights came from, for people reading the file.
    pub about: String,
    /// `[term, idf, weight in "words", weight in "full"]` per known term.
    pub terms: Vec<(String, f32, f32, f32)>,
    pub words: Variant,
    pub full: Variant,
}

/// One variant's weights besides the terms'.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    pub bias: f32,
    /// One per lexicon feature ([`features::lexicon`]).
    pub lexicon: Vec<f32>,
    /// One per sentence-vector dimension (empty for `words`).
    pub vector: Vec<f32>,
    /// The probability with the best F1 on the validation split: from here
    /// on a message reads as frustrated.
    pub threshold: f32,
}

/// A loaded model, ready to read messages.
#[derive(Debug)]
pub struct ToneModel {
    /// Term → (index, idf); also each index's term, for the reading's words.
    vocabulary: Vocabulary,
    words_weights: Vec<f32>,
    full_weights: Vec<f32>,
    words: Variant,
    full: Variant,
}

/// How one message reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ToneReading {
    /// Probability that the wording is frustrated, in [0, 1].
    pub probability: f32,
    /// The variant's frustrated-from probability.
    pub threshold: f32,
    /// Whether the sentence vector took part.
    pub with_vector: bool,
    /// The words and word pairs that pushed the reading up the most, with
    /// how much (in log-odds), strongest first; at most five.
    pub words: Vec<(String, f32)>,
}

impl ToneReading {
    /// How far past the threshold the reading is, from 0 (at or below)
    /// to 1 (certain): the strength of the frustration signal.
    pub fn excess(&self) -> f32 {
        if self.probability <= self.threshold || self.threshold >= 1.0 {
            return 0.0;
        }
        (self.probability - self.threshold) / (1.0 - self.threshold)
    }
}

impl ToneModel {
    /// The model compiled into the binary, parsed once per process.
    pub fn bundled() -> Arc<ToneModel> {
        static ONCE: OnceLock<Arc<ToneModel>> = OnceLock::new();
        ONCE.get_or_init(|| {
            // The file is part of the source tree and checked by a test:
            // failing to parse it is a build defect, not user input.
            let file: ToneFile = serde_json::from_str(BUNDLED).unwrap_or_else(|e| {
                tracing::error!(error = %e, "model/frustration.json does not parse; tone reading is off");
                ToneFile::empty()
            });
            Arc::new(ToneModel::new(file))
        })
        .clone()
    }

    /// Prepares a model file for reading.
    pub fn new(file: ToneFile) -> ToneModel {
        let mut terms = Vec::with_capacity(file.terms.len());
        let mut words_weights = Vec::with_capacity(file.terms.len());
        let mut full_weights = Vec::with_capacity(file.terms.len());
        for (term, idf, w, f) in file.terms {
            terms.push((term, idf));
            words_weights.push(w);
            full_weights.push(f);
        }
        ToneModel {
            vocabulary: Vocabulary::new(terms),
            words_weights,
            full_weights,
            words: file.words,
            full: file.full,
        }
    }

    /// The frustrated-from probability of the variant that runs with (or
    /// without) sentence vectors.
    pub fn threshold(&self, with_vectors: bool) -> f32 {
        if with_vectors && !self.full.vector.is_empty() {
            self.full.threshold
        } else {
            self.words.threshold
        }
    }

    /// Reads `text`, with its sentence vector when there is one.
    pub fn read(&self, text: &str, vector: Option<&[f32]>) -> ToneReading {
        self.read_given(text, vector, &frustration::read_message(text))
    }

    /// [`ToneModel::read`] for a message the lexicon reader has already
    /// read (`lexicon` is [`frustration::read_message`] of `text`), so that
    /// it is not read twice.
    pub fn read_given(
        &self,
        text: &str,
        vector: Option<&[f32]>,
        lexicon: &MessageReading,
    ) -> ToneReading {
        let terms = features::weighted_terms(text, &self.vocabulary);
        let lexicon = features::lexicon_of(lexicon);
        let usable = vector.filter(|v| v.len() == self.full.vector.len() && !v.is_empty());
        let (variant, weights) = match usable {
            Some(_) => (&self.full, &self.full_weights),
            None => (&self.words, &self.words_weights),
        };
        let mut contributions: Vec<(usize, f32)> = terms
            .iter()
            .map(|&(i, value)| (i, value * weights.get(i).copied().unwrap_or(0.0)))
            .collect();
        let mut logit = variant.bias + contributions.iter().map(|(_, c)| c).sum::<f32>();
        logit += lexicon
            .iter()
            .zip(&variant.lexicon)
            .map(|(x, w)| x * w)
            .sum::<f32>();
        if let Some(v) = usable {
            logit += v
                .iter()
                .zip(&variant.vector)
                .map(|(x, w)| x * w)
                .sum::<f32>();
        }
        contributions.retain(|&(_, c)| c > 0.05);
        contributions.sort_by(|a, b| b.1.total_cmp(&a.1));
        ToneReading {
            probability: sigmoid(logit),
            threshold: variant.threshold,
            with_vector: usable.is_some(),
            words: contributions
                .into_iter()
                .take(5)
                .map(|(i, c)| (self.vocabulary.term(i).unwrap_or_default().to_owned(), c))
                .collect(),
        }
    }
}

impl ToneFile {
    /// A model that reads every message as calm (probability ½ below a
    /// threshold of 1): what runs if the shipped file were ever broken.
    fn empty() -> ToneFile {
        let variant = Variant {
            bias: 0.0,
            lexicon: vec![0.0; LEXICON_FEATURES],
            vector: Vec::new(),
            threshold: 1.0,
        };
        ToneFile {
            about: "empty".into(),
            terms: Vec::new(),
            words: variant.clone(),
            full: variant,
        }
    }
}

/// The logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_parses_and_knows_its_words() {
        let file: ToneFile = serde_json::from_str(BUNDLED).expect("model/frustration.json parses");
        assert!(file.terms.len() > 1000);
        assert_eq!(file.words.lexicon.len(), LEXICON_FEATURES);
        assert_eq!(file.full.lexicon.len(), LEXICON_FEATURES);
        assert!(file.full.vector.len() == 384 && file.words.vector.is_empty());
        assert!((0.0..1.0).contains(&file.words.threshold));
    }

    #[test]
    fn complaints_read_as_frustrated_and_routine_questions_do_not() {
        let model = ToneModel::bundled();
        for upset in [
            "this is so annoying, nothing works",
            "honestly the worst quality I have ever bought",
            "I'm really disappointed with the quality",
        ] {
            let r = model.read(upset, None);
            assert!(r.excess() > 0.0, "{upset:?} read as calm: {r:?}");
            assert!(
                !r.words.is_empty(),
                "{upset:?}: the reading names its words"
            );
        }
        for calm in [
            "Can I cancel my order?",
            "how long does shipping to belgium take",
            "when do I get my money back for the return",
            "do you accept paypal",
        ] {
            let r = model.read(calm, None);
            assert_eq!(r.excess(), 0.0, "{calm:?} read as frustrated: {r:?}");
        }
    }
}
