//! Picks the intent for a visitor message.
//!
//! Three steps, in order:
//! 0. **Clarification answers.** When the bot asked "did you mean A or B?",
//!    the visitor clicks a quick reply whose text is an intent's short label
//!    ([`Intent::label`]). A message that is exactly one intent's label
//!    (ignoring case and punctuation) is that intent, so a click always
//!    resolves to the intent it names, whatever the classifier would think.
//! 1. **Patterns.** Every intent's regexes, compiled once into one
//!    [`RegexSet`]. A match is exact and wins outright (confidence 1.0); when
//!    several intents' patterns match, the highest `priority` wins, then the
//!    intent listed first, so owners control precedence.
//! 2. **Classifiers**, trained from the examples when the intents load:
//!    - a linear model over word and character n-grams
//!      ([`super::classifier`]): typos, order numbers, rare product names;
//!    - with the sentence encoder ([`crate::encoder`]), a linear model over
//!      the message's sentence vector plus the cosine of each intent's
//!      nearest example ([`semantic`]): phrasings no example used.
//!
//!    Each intent's score is the n-gram score + the vector score + the
//!    nearest example's cosine (weights chosen on CLINC150's validation
//!    split, checked on sets of 10 examples per intent), and a softmax with
//!    a "none of these" answer, calibrated on the set's own held-out
//!    examples (`calibrate`), turns scores into a confidence in [0, 1].
//!    Below the threshold the bot falls back; when the runner-up is within
//!    [`MatcherSettings::close_call_margin`] of the best, the bot asks
//!    which of the two the visitor meant.
//!
//! When there is no vector — the encoder is off, or busy — the n-grams
//! decide alone, against their own threshold
//! ([`MatcherSettings::ngram_threshold`]). When the n-grams alone are
//! already sure ([`MatcherSettings::skip_encoder_above`]), the encoder is
//! not asked at all ([`Matcher::needs_embedding`]): most routine questions
//! cost microseconds, not milliseconds.
//!
//! [`Matcher::rank`] gives the raw best guess (what `tandem intents test`
//! and `tune` measure); [`Matcher::decide`] applies the settings and is what
//! the bot uses.

mod calibrate;
pub mod semantic;
mod verdict;

use std::collections::HashMap;

use regex::{Regex, RegexSet};

use super::classifier::{self, Classifier};
use super::Intent;
use crate::encoder::Embedding;
use semantic::{Semantic, SemanticScores};
pub use verdict::{verdict, MatchedBy, MatcherSettings, Verdict};

/// How much the sentence-vector model counts beside the n-grams.
const SEMANTIC_WEIGHT: f32 = 1.0;
/// How much the nearest example's cosine counts.
const NEAREST_WEIGHT: f32 = 1.0;
/// Softmax temperature of the combined score.
const FULL_TEMPERATURE: f32 = 0.3;

/// Adds the vector view's scores to the n-gram scores: an intent's combined
/// score.
fn combine(scores: &mut [f32], semantic: &SemanticScores) {
    for ((score, linear), nearest) in scores
        .iter_mut()
        .zip(&semantic.linear)
        .zip(&semantic.nearest)
    {
        *score += SEMANTIC_WEIGHT * linear + NEAREST_WEIGHT * nearest;
    }
}

/// The matcher's answer for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index of the chosen intent in the intent set.
    pub intent: usize,
    /// How sure the matcher is, in [0, 1].
    pub confidence: f32,
    /// Which step decided.
    pub by: MatchedBy,
    /// The next best intent and its confidence, if any.
    pub runner_up: Option<(usize, f32)>,
}

/// A message ranked without its sentence vector ([`Matcher::first_look`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FirstLook {
    ranked: Option<Match>,
}

/// Everything needed to classify messages, built once when intents load.
#[derive(Debug)]
pub struct Matcher {
    /// All patterns of all intents, ordered by priority then intent order.
    patterns: RegexSet,
    /// For each pattern in `patterns`, the intent it belongs to.
    pattern_owner: Vec<usize>,
    /// Normalised label → intent, for labels only one intent has.
    labels: HashMap<String, usize>,
    /// Stage 2, trained from every intent's examples.
    classifier: Classifier,
    /// Stage 2's second view, when the examples' sentence vectors were
    /// given, and the "none of these" score calibrated for it
    /// ([`calibrate`]).
    semantic: Option<(Semantic, f32)>,
    /// Thresholds and close-call margin.
    settings: MatcherSettings,
}

impl Matcher {
    /// Compiles the patterns and trains the classifiers on the examples of
    /// `intents`; `vectors`, when given, are the examples' sentence vectors
    /// in order (every example of the first intent, then the second's…).
    /// CPU-heavy for large sets (about 1 s for 15,000 examples): async
    /// callers run it in `spawn_blocking`.
    ///
    /// Patterns were validated when the files loaded, so building the set
    /// cannot fail here unless the set as a whole exceeds regex's size limit,
    /// which is reported as an error.
    pub fn build(
        intents: &[Intent],
        settings: MatcherSettings,
        vectors: Option<&[Embedding]>,
    ) -> Result<Matcher, regex::Error> {
        let mut order: Vec<usize> = (0..intents.len()).collect();
        // Stable sort: equal priorities keep file order.
        order.sort_by_key(|&i| std::cmp::Reverse(intents[i].priority));
        let mut sources = Vec::new();
        let mut pattern_owner = Vec::new();
        for i in order {
            for p in &intents[i].patterns {
                sources.push(p.as_str().to_owned());
                pattern_owner.push(i);
            }
        }
        let patterns = RegexSet::new(&sources)?;

        let mut labels: HashMap<String, Option<usize>> = HashMap::new();
        for (i, intent) in intents.iter().enumerate() {
            let key = classifier::normalise(&intent.label());
            if key.trim().is_empty() {
                continue;
            }
            labels
                .entry(key.trim().to_owned())
                .and_modify(|owner| *owner = None)
                .or_insert(Some(i));
        }
        let labels = labels
            .into_iter()
            .filter_map(|(k, owner)| Some((k, owner?)))
            .collect();

        let examples: Vec<(&str, usize)> = intents
            .iter()
            .enumerate()
            .flat_map(|(i, intent)| intent.examples.iter().map(move |e| (e.as_str(), i)))
            .collect();
        let classifier = Classifier::train(&examples, intents.len());
        let semantic = vectors
            .filter(|v| v.len() == examples.len() && !v.is_empty())
            .map(|vectors| {
                let slices: Vec<&[f32]> = vectors.iter().map(Embedding::as_slice).collect();
                let labels: Vec<usize> = examples.iter().map(|&(_, l)| l).collect();
                let dims = slices.first().map_or(0, |v| v.len());
                let none = calibrate::none_score(&examples, &slices, intents.len(), dims);
                tracing::debug!(examples = examples.len(), none, "full model calibrated");
                (Semantic::train(&slices, &labels, intents.len(), dims), none)
            });
        Ok(Matcher {
            patterns,
            pattern_owner,
            labels,
            classifier,
            semantic,
            settings,
        })
    }

    /// Whether the sentence vectors of the examples were part of training
    /// (so a message's vector will be used).
    pub fn uses_vectors(&self) -> bool {
        self.semantic.is_some()
    }

    /// The settings this matcher applies in [`Matcher::decide`].
    pub fn settings(&self) -> MatcherSettings {
        self.settings
    }

    /// Approximate heap bytes of the trained classifiers.
    pub fn memory_bytes(&self) -> usize {
        self.classifier.memory_bytes() + self.semantic.as_ref().map_or(0, |(s, _)| s.memory_bytes())
    }

    /// Whether `text` is worth the encoder's time: not when it is a label
    /// or a pattern's, nor when the n-grams alone are at least
    /// [`MatcherSettings::skip_encoder_above`] sure, nor when the matcher
    /// was trained without vectors.
    pub fn needs_embedding(&self, text: &str) -> bool {
        self.wants_vector(&self.first_look(text))
    }

    /// `text` ranked by labels, patterns and n-grams alone: what
    /// [`Matcher::needs_embedding`] looks at, kept so the bot's turn need
    /// not rank the text again ([`Matcher::decide_after`]).
    pub fn first_look(&self, text: &str) -> FirstLook {
        FirstLook {
            ranked: self.rank(text, None),
        }
    }

    /// [`Matcher::needs_embedding`] for a text already looked at.
    pub fn wants_vector(&self, look: &FirstLook) -> bool {
        self.semantic.is_some()
            && look.ranked.as_ref().is_some_and(|m| {
                m.by == MatchedBy::Ngrams && m.confidence < self.settings.skip_encoder_above
            })
    }

    /// [`Matcher::decide`], reusing `look` (this matcher's
    /// [`Matcher::first_look`] at the same `text`) when there is no vector:
    /// the same verdict without ranking twice.
    pub fn decide_after(
        &self,
        look: Option<FirstLook>,
        text: &str,
        vector: Option<&Embedding>,
    ) -> Verdict {
        match (look, vector) {
            (Some(look), None) => match look.ranked {
                None => Verdict::Fallback(None),
                Some(m) => verdict(m, self.settings),
            },
            _ => self.decide(text, vector),
        }
    }

    /// The best guess for `text` with no threshold applied; `None` only when
    /// there are no intents. `vector` is the message's sentence vector when
    /// the encoder gave one; without it (or a matcher trained without
    /// vectors) the n-grams decide alone.
    pub fn rank(&self, text: &str, vector: Option<&Embedding>) -> Option<Match> {
        if let Some(&intent) = self.labels.get(classifier::normalise(text).trim()) {
            return Some(Match {
                intent,
                confidence: 1.0,
                by: MatchedBy::Label,
                runner_up: None,
            });
        }
        // RegexSet reports matches in pattern order, which is priority order.
        if let Some(first) = self.patterns.matches(text).iter().next() {
            return Some(Match {
                intent: self.pattern_owner[first],
                confidence: 1.0,
                by: MatchedBy::Pattern,
                runner_up: None,
            });
        }
        let mut scores = self.classifier.scores(text);
        let (by, temperature, none) = match (vector, &self.semantic) {
            (Some(vector), Some((semantic, none))) => {
                combine(&mut scores, &semantic.scores(vector.as_slice()));
                (MatchedBy::Full, FULL_TEMPERATURE, *none)
            }
            _ => (MatchedBy::Ngrams, self.classifier.temperature(), NONE_SCORE),
        };
        let (intent, confidence, runner_up) = confidences(&scores, temperature, none)?;
        Some(Match {
            intent,
            confidence,
            by,
            runner_up,
        })
    }

    /// What the bot should do with `text` (and its vector, if any):
    /// answer, ask, or fall back.
    pub fn decide(&self, text: &str, vector: Option<&Embedding>) -> Verdict {
        self.decide_with(text, vector, self.settings)
    }

    /// [`Matcher::decide`] with other settings (used by `tune`).
    pub fn decide_with(
        &self,
        text: &str,
        vector: Option<&Embedding>,
        settings: MatcherSettings,
    ) -> Verdict {
        match self.rank(text, vector) {
            None => Verdict::Fallback(None),
            Some(m) => verdict(m, settings),
        }
    }

    /// The intent whose examples are nearest in meaning to `vector`, with
    /// the cosine; for grouping unanswered questions.
    pub fn nearest_intent(&self, vector: &Embedding) -> Option<(usize, f32)> {
        let scores = self.semantic.as_ref()?.0.scores(vector.as_slice());
        scores
            .nearest
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Runs `intent`'s patterns on `text` and returns the named captures of
    /// the first that matches, for `{placeholders}` in responses.
    pub fn captures(intent: &Intent, text: &str) -> Vec<(String, String)> {
        intent
            .patterns
            .iter()
            .find_map(|re: &Regex| {
                let caps = re.captures(text)?;
                Some(
                    re.capture_names()
                        .flatten()
                        .filter_map(|name| {
                            Some((name.to_owned(), caps.name(name)?.as_str().to_owned()))
                        })
                        .collect(),
                )
            })
            .unwrap_or_default()
    }
}

/// The score of the implicit "none of these intents" answer. A softmax over
/// the intents alone cannot say "none": with four intents, a message about
/// kayaks still gives one of them at least 25 %. Adding one more answer with
/// this fixed score lets a message whose best score is low (little in common
/// with any example) get a low confidence however few intents there are.
const NONE_SCORE: f32 = 0.25;

/// Best intent, its confidence, and the runner-up with its confidence.
type Ranked = (usize, f32, Option<(usize, f32)>);

/// Best intent, its confidence and the runner-up's, from raw scores: a
/// softmax over the intents plus the "none" answer scoring `none`.
fn confidences(scores: &[f32], temperature: f32, none: f32) -> Option<Ranked> {
    let (best, second) = classifier::top_two(scores);
    let top = (*scores.get(best)?).max(none);
    let inv_t = 1.0 / temperature.max(1e-6);
    let total: f32 = scores
        .iter()
        .chain(std::iter::once(&none))
        .map(|&s| ((s - top) * inv_t).exp())
        .sum();
    let share = |s: f32| {
        let p = ((s - top) * inv_t).exp() / total;
        if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    Some((
        best,
        share(scores[best]),
        second.map(|second| (second, share(scores[second]))),
    ))
}

/// The words the matcher sees in `text`: lowercased, accents and apostrophes
/// folded, split on anything that is not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    classifier::tokens(text)
}

#[cfg(test)]
mod tests;
