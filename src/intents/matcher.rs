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
//! 2. **Classifier.** A linear model over word and character n-grams
//!    ([`super::classifier`]), trained from the examples when the intents
//!    load, gives each intent a confidence in [0, 1]. Below
//!    [`MatcherSettings::confidence_threshold`] the bot falls back; when the
//!    runner-up is within [`MatcherSettings::close_call_margin`] of the best,
//!    the bot asks which of the two the visitor meant.
//!
//! [`Matcher::rank`] gives the raw best guess (what `tandem intents test`
//! and `tune` measure); [`Matcher::decide`] applies the settings and is what
//! the bot uses.

use std::collections::HashMap;

use regex::{Regex, RegexSet};
use serde::{Deserialize, Serialize};

use super::classifier::{self, Classifier};
use super::Intent;

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

/// Which step produced a [`Match`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// The message was exactly an intent's label (a clarification click).
    Label,
    /// An owner's regex matched.
    Pattern,
    /// The statistical classifier.
    Classifier,
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
    /// Below this confidence the bot falls back, in [0, 1].
    pub confidence_threshold: f32,
    /// When the runner-up's confidence is within this much of the best, the
    /// bot asks which one the visitor meant, in [0, 1]; 0 never asks.
    pub close_call_margin: f32,
}

impl Default for MatcherSettings {
    fn default() -> Self {
        // Chosen on CLINC150's validation split (see docs/intents.md); run
        // `tandem intents tune` on your own labelled questions.
        MatcherSettings {
            confidence_threshold: 0.19,
            close_call_margin: 0.1,
        }
    }
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
    /// Threshold and close-call margin.
    settings: MatcherSettings,
}

impl Matcher {
    /// Compiles the patterns and trains the classifier on the examples of
    /// `intents`. CPU-heavy for large sets (about 0.7 s for 15,000 examples):
    /// async callers run it in `spawn_blocking`.
    ///
    /// Patterns were validated when the files loaded, so building the set
    /// cannot fail here unless the set as a whole exceeds regex's size limit,
    /// which is reported as an error.
    pub fn build(intents: &[Intent], settings: MatcherSettings) -> Result<Matcher, regex::Error> {
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
        Ok(Matcher {
            patterns,
            pattern_owner,
            labels,
            classifier,
            settings,
        })
    }

    /// The settings this matcher applies in [`Matcher::decide`].
    pub fn settings(&self) -> MatcherSettings {
        self.settings
    }

    /// Approximate heap bytes of the trained classifier.
    pub fn memory_bytes(&self) -> usize {
        self.classifier.memory_bytes()
    }

    /// The best guess for `text` with no threshold applied; `None` only when
    /// there are no intents.
    pub fn rank(&self, text: &str) -> Option<Match> {
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
        let scores = self.classifier.scores(text);
        let (intent, confidence, runner_up) = confidences(&scores, self.classifier.temperature())?;
        Some(Match {
            intent,
            confidence,
            by: MatchedBy::Classifier,
            runner_up,
        })
    }

    /// What the bot should do with `text`: answer, ask, or fall back.
    pub fn decide(&self, text: &str) -> Verdict {
        self.decide_with(text, self.settings)
    }

    /// [`Matcher::decide`] with other settings (used by `tune`).
    pub fn decide_with(&self, text: &str, settings: MatcherSettings) -> Verdict {
        match self.rank(text) {
            None => Verdict::Fallback(None),
            Some(m) => verdict(m, settings),
        }
    }

    /// The intent for `text` when the bot would answer with it outright.
    pub fn classify(&self, text: &str) -> Option<Match> {
        match self.decide(text) {
            Verdict::Answer(m) => Some(m),
            Verdict::Ask(_) | Verdict::Fallback(_) => None,
        }
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
/// softmax over the intents plus the "none" answer ([`NONE_SCORE`]).
fn confidences(scores: &[f32], temperature: f32) -> Option<Ranked> {
    let (best, second) = classifier::top_two(scores);
    let top = (*scores.get(best)?).max(NONE_SCORE);
    let inv_t = 1.0 / temperature.max(1e-6);
    let total: f32 = scores
        .iter()
        .chain(std::iter::once(&NONE_SCORE))
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

/// Applies `settings` to a raw best guess.
pub fn verdict(m: Match, settings: MatcherSettings) -> Verdict {
    if m.confidence < settings.confidence_threshold {
        return Verdict::Fallback(Some(m));
    }
    match m.runner_up {
        Some((_, second))
            if m.by == MatchedBy::Classifier
                && m.confidence - second < settings.close_call_margin =>
        {
            Verdict::Ask(m)
        }
        _ => Verdict::Answer(m),
    }
}

/// The words the matcher sees in `text`: lowercased, accents and apostrophes
/// folded, split on anything that is not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    classifier::tokens(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(name: &str, examples: &[&str], patterns: &[&str]) -> Intent {
        Intent {
            name: name.into(),
            examples: examples.iter().map(|s| s.to_string()).collect(),
            patterns: patterns.iter().map(|p| Regex::new(p).unwrap()).collect(),
            responses: vec!["ok".into()],
            ..Intent::default()
        }
    }

    fn intents() -> Vec<Intent> {
        vec![
            intent(
                "shipping",
                &[
                    "how long does shipping take",
                    "when will my parcel be delivered",
                    "delivery time",
                    "how many days until it arrives",
                ],
                &[],
            ),
            intent(
                "refund",
                &[
                    "i want a refund",
                    "how do i get my money back",
                    "refund status",
                    "give me my money back",
                ],
                &[r"(?i)\border\s*#?(?P<order>\d{5})\b"],
            ),
            intent(
                "opening_hours",
                &[
                    "when are you open",
                    "what are your opening hours",
                    "are you open on sunday",
                    "what time do you close",
                ],
                &[],
            ),
        ]
    }

    fn matcher() -> (Vec<Intent>, Matcher) {
        let intents = intents();
        let m = Matcher::build(&intents, MatcherSettings::default()).unwrap();
        (intents, m)
    }

    #[test]
    fn words_ignore_case_punctuation_and_apostrophes() {
        assert_eq!(words("Where's MY order?!"), vec!["wheres", "my", "order"]);
        assert_eq!(words("  café—crème "), vec!["cafe", "creme"]);
        assert!(words("?!… 🙂").is_empty());
    }

    #[test]
    fn casing_punctuation_and_typos_do_not_hide_the_intent() {
        let (_, m) = matcher();
        assert_eq!(m.rank("HOW LONG does shipping take???").unwrap().intent, 0);
        assert_eq!(m.rank("i want a refnd").unwrap().intent, 1);
        assert_eq!(m.rank("opening hours on sundays?").unwrap().intent, 2);
    }

    #[test]
    fn a_message_below_the_threshold_falls_back() {
        let intents = intents();
        let strict = MatcherSettings {
            confidence_threshold: 0.99,
            close_call_margin: 0.0,
        };
        let m = Matcher::build(&intents, strict).unwrap();
        assert!(matches!(
            m.decide("what is the meaning of life"),
            Verdict::Fallback(Some(_))
        ));
        let lenient = MatcherSettings {
            confidence_threshold: 0.0,
            close_call_margin: 0.0,
        };
        let m = Matcher::build(&intents, lenient).unwrap();
        assert!(matches!(
            m.decide("what is the meaning of life"),
            Verdict::Answer(_)
        ));
    }

    #[test]
    fn empty_or_emoji_messages_do_not_get_a_confident_answer() {
        let (_, m) = matcher();
        for text in ["", "🙂", "   "] {
            assert!(
                !matches!(m.decide(text), Verdict::Answer(_)),
                "{text:?} was answered"
            );
        }
    }

    #[test]
    fn patterns_win_over_the_classifier_and_fill_captures() {
        let (intents, m) = matcher();
        let hit = m.rank("delivery time for order 12345").unwrap();
        assert_eq!((hit.intent, hit.by), (1, MatchedBy::Pattern));
        assert_eq!(
            Matcher::captures(&intents[1], "order #12345"),
            vec![("order".to_string(), "12345".to_string())]
        );
    }

    #[test]
    fn when_two_patterns_match_priority_then_file_order_decides() {
        let mut intents = vec![
            intent("first", &["a"], &[r"(?i)parcel"]),
            intent("second", &["b"], &[r"(?i)parcel \d+"]),
        ];
        let m = Matcher::build(&intents, MatcherSettings::default()).unwrap();
        assert_eq!(m.rank("parcel 12").unwrap().intent, 0);
        intents[1].priority = 5;
        let m = Matcher::build(&intents, MatcherSettings::default()).unwrap();
        assert_eq!(m.rank("parcel 12").unwrap().intent, 1);
        assert_eq!(m.rank("my parcel").unwrap().intent, 0);
    }

    #[test]
    fn a_close_call_asks_which_one_was_meant() {
        let (_, m) = matcher();
        let hit = m.rank("refund delivery").unwrap();
        let (_, second) = hit.runner_up.unwrap();
        let margin = hit.confidence - second;
        let asks = MatcherSettings {
            confidence_threshold: 0.0,
            close_call_margin: margin + 0.01,
        };
        assert!(matches!(
            m.decide_with("refund delivery", asks),
            Verdict::Ask(_)
        ));
        let answers = MatcherSettings {
            confidence_threshold: 0.0,
            close_call_margin: margin - 0.01,
        };
        assert!(matches!(
            m.decide_with("refund delivery", answers),
            Verdict::Answer(_)
        ));
    }

    #[test]
    fn clicking_a_clarification_label_resolves_to_that_intent() {
        let mut intents = intents();
        intents[0].description = Some("Delivery times".into());
        intents[1].description = Some("Refunds".into());
        let m = Matcher::build(&intents, MatcherSettings::default()).unwrap();
        let hit = m.rank("refunds").unwrap();
        assert_eq!((hit.intent, hit.by), (1, MatchedBy::Label));
        assert_eq!(m.rank("Delivery times").unwrap().intent, 0);
        // Without a description the label is the name in words.
        assert_eq!(m.rank("Opening hours").unwrap().by, MatchedBy::Label);
    }
}
