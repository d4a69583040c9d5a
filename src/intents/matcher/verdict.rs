//! From a raw best guess to what the bot does: which step made a match
//! ([`MatchedBy`]), the owner's tunable thresholds ([`MatcherSettings`],
//! kept in `matcher.toml`), and the [`Verdict`] (answer, ask which one, or
//! fall back) that [`verdict`] gives when the settings are applied.

use serde::{Deserialize, Serialize};

use super::Match;

/// Which step produced a [`Match`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// The message was exactly an intent's label (a clarification click).
    Label,
    /// An owner's regex matched.
    Pattern,
    /// The n-gram classifier alone (no sentence vector: the encoder is
    /// off or was busy, or the n-grams were sure enough to skip it).
    Ngrams,
    /// The n-grams and the sentence vector together.
    Full,
}

impl MatchedBy {
    /// How owners' tools name it.
    pub fn describe(self) -> &'static str {
        match self {
            MatchedBy::Label => "a clarification label",
            MatchedBy::Pattern => "a pattern",
            MatchedBy::Ngrams => "n-grams alone",
            MatchedBy::Full => "full model",
        }
    }
}

/// What the bot should do with a message, once the settings are applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Confident enough: answer with this intent.
    Answer(Match),
    /// Two intents are too close to call: ask which one (the best is
    /// `Match::intent`, the other is `Match::runner_up`).
    Ask(Match),
    /// Not confident enough: fall back. Carries the best guess, if any.
    Fallback(Option<Match>),
}

/// The matcher's tunable settings, kept in the intents directory's
/// `matcher.toml` (written by `tandem intents tune`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MatcherSettings {
    /// Below this confidence (of the full model) the bot falls back, in
    /// [0, 1].
    pub confidence_threshold: f32,
    /// The same for the n-grams alone, whose confidences run differently.
    pub ngram_threshold: f32,
    /// From this n-gram confidence on, the encoder is not asked: the
    /// n-grams answer alone. 1 always asks.
    pub skip_encoder_above: f32,
    /// When the runner-up's confidence is within this much of the best, the
    /// bot asks which one the visitor meant, in [0, 1]; 0 never asks.
    pub close_call_margin: f32,
}

impl Default for MatcherSettings {
    fn default() -> Self {
        // Chosen on CLINC150's validation split (see docs/intents.md); run
        // `tandem intents tune` on your own labelled questions.
        MatcherSettings {
            confidence_threshold: 0.2,
            ngram_threshold: 0.19,
            skip_encoder_above: 0.95,
            close_call_margin: 0.1,
        }
    }
}

impl MatcherSettings {
    /// The fallback threshold for a match made `by`.
    pub fn threshold(&self, by: MatchedBy) -> f32 {
        match by {
            MatchedBy::Full => self.confidence_threshold,
            MatchedBy::Ngrams => self.ngram_threshold,
            MatchedBy::Label | MatchedBy::Pattern => 0.0,
        }
    }
}
/// Applies `settings` to a raw best guess.
pub fn verdict(m: Match, settings: MatcherSettings) -> Verdict {
    if m.confidence < settings.threshold(m.by) {
        return Verdict::Fallback(Some(m));
    }
    match m.runner_up {
        Some((_, second))
            if matches!(m.by, MatchedBy::Ngrams | MatchedBy::Full)
                && m.confidence - second < settings.close_call_margin =>
        {
            Verdict::Ask(m)
        }
        _ => Verdict::Answer(m),
    }
}
