//! `tandem intents test`, and the guesses `tandem intents tune` works on.
//!
//! Both classify every case once ([`Matcher::rank`](crate::intents::matcher::Matcher::rank), no threshold) — with
//! the n-grams alone and, with the encoder, with the sentence vector too —
//! and then apply settings to the recorded guesses, so tuning tries a
//! hundred thresholds for the price of one pass, and the cascade's effect
//! ([`MatcherSettings::skip_encoder_above`]) is measured, not guessed.
//!
//! Scoring follows the CLINC150 protocol: an in-scope case is right when the
//! best intent is the labelled one *and* its confidence reaches the
//! threshold; an out-of-scope case is right when the confidence is below the
//! threshold. Close calls (the bot would ask "A or B?") are reported
//! separately and do not change these two figures.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use super::cases::Case;
use super::progress;
use crate::encoder::{Embedder, Embedding};
use crate::intents::{IntentSet, MatchedBy, MatcherSettings};

/// One way of reading a case: its best intent, runner-up and which step
/// decided.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// Best intent and confidence (`None` when the set is empty).
    pub best: Option<(usize, f32)>,
    /// Runner-up and its confidence (classifier decisions only).
    pub runner_up: Option<(usize, f32)>,
    /// Which step decided.
    pub by: Option<MatchedBy>,
}

impl View {
    /// The answer at the threshold `settings` give this view's step.
    fn answered(&self, settings: &MatcherSettings) -> Option<(usize, f32)> {
        let threshold = self.by.map_or(0.0, |by| settings.threshold(by));
        self.best.filter(|(_, c)| *c >= threshold)
    }
}

/// The matcher's raw guesses for one case.
#[derive(Debug, Clone)]
pub struct Guess {
    /// The labelled intent's index, `None` for out-of-scope cases (and for
    /// labels the set does not have, see `unknown_label`).
    pub expected: Option<usize>,
    /// The case's label is neither `oos` nor an intent of the set.
    pub unknown_label: bool,
    /// The n-grams alone (what the bot does without the encoder).
    pub ngrams: View,
    /// With the sentence vector, when the matcher has an encoder.
    pub full: Option<View>,
}

impl Guess {
    /// What the bot would answer from under `settings`: the full model,
    /// unless the n-grams are sure enough to skip the encoder (or there is
    /// no encoder).
    pub fn live<'a>(&'a self, settings: &MatcherSettings) -> &'a View {
        match &self.full {
            Some(full)
                if self.ngrams.by != Some(MatchedBy::Ngrams)
                    || self
                        .ngrams
                        .best
                        .is_none_or(|(_, c)| c < settings.skip_encoder_above) =>
            {
                full
            }
            _ => &self.ngrams,
        }
    }

    fn in_scope(&self) -> bool {
        self.expected.is_some() || self.unknown_label
    }
}

/// Classifies every case once with the n-grams alone and, when the matcher
/// was trained with sentence vectors, once more with the case's vector
/// (encoded in batches, with a progress bar on long runs).
pub fn guesses(set: &IntentSet, cases: &[Case], embedder: &Embedder) -> Vec<Guess> {
    let vectors: Vec<Option<Embedding>> = match set.matcher.uses_vectors() {
        true => {
            let bar = progress(cases.len(), "encoding cases");
            let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
            let vectors = embedder.embed_many(&texts, &|done, _| bar.set_position(done as u64));
            bar.finish_and_clear();
            match vectors {
                Some(v) => v.into_iter().map(Some).collect(),
                None => vec![None; cases.len()],
            }
        }
        false => vec![None; cases.len()],
    };
    let view = |text: &str, vector: Option<&Embedding>| {
        let m = set.matcher.rank(text, vector);
        View {
            best: m.as_ref().map(|m| (m.intent, m.confidence)),
            runner_up: m.as_ref().and_then(|m| m.runner_up),
            by: m.map(|m| m.by),
        }
    };
    cases
        .iter()
        .zip(&vectors)
        .map(|(case, vector)| {
            let expected = if case.out_of_scope() {
                None
            } else {
                set.find(&case.intent)
            };
            Guess {
                expected,
                unknown_label: !case.out_of_scope() && expected.is_none(),
                ngrams: view(&case.text, None),
                full: vector.as_ref().map(|v| view(&case.text, Some(v))),
            }
        })
        .collect()
}

/// Precision and recall of one intent.
#[derive(Debug, Clone, Serialize)]
pub struct IntentScore {
    pub intent: String,
    /// Cases labelled with this intent.
    pub support: usize,
    /// Of the answers with this intent, the share that were right (%).
    pub precision: f64,
    /// Of the cases labelled with this intent, the share answered right (%).
    pub recall: f64,
}

/// One kind of mistake and how often it happened.
#[derive(Debug, Clone, Serialize)]
pub struct Confusion {
    pub expected: String,
    /// The intent answered, or `fallback`.
    pub got: String,
    pub count: usize,
}

/// What `tandem intents test` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cases: usize,
    pub in_scope_cases: usize,
    pub out_of_scope_cases: usize,
    /// Cases whose label is not an intent of the set (counted as wrong).
    pub unknown_labels: usize,
    pub confidence_threshold: f32,
    pub ngram_threshold: f32,
    pub close_call_margin: f32,
    /// Whether the sentence encoder took part.
    pub encoder: bool,
    /// How many cases each step decided ("full model", "n-grams alone",
    /// "a pattern", "a clarification label"), most first.
    pub answered_by: Vec<(String, usize)>,
    /// In-scope cases answered with the right intent (%).
    pub in_scope_accuracy: f64,
    /// Out-of-scope cases where the bot falls back (%).
    pub out_of_scope_recall: f64,
    /// In-scope cases where the bot would ask "A or B?" instead of answering.
    pub close_calls: usize,
    /// Of those, how many offered the right intent.
    pub close_calls_with_right_intent: usize,
    pub per_intent: Vec<IntentScore>,
    /// The most frequent mistakes, most frequent first.
    pub confusions: Vec<Confusion>,
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// In-scope accuracy and out-of-scope recall (%) of the bot under
/// `settings` (the view it would answer from, at that view's threshold).
pub fn score(guesses: &[Guess], settings: &MatcherSettings) -> (f64, f64) {
    score_views(guesses.iter().map(|g| (g, g.live(settings))), settings)
}

/// [`score`] over chosen views of the cases.
pub fn score_views<'a>(
    views: impl Iterator<Item = (&'a Guess, &'a View)>,
    settings: &MatcherSettings,
) -> (f64, f64) {
    let (mut right, mut in_scope, mut fell_back, mut oos) = (0, 0, 0, 0);
    for (g, view) in views {
        let answered = view.answered(settings).map(|(i, _)| i);
        if g.in_scope() {
            in_scope += 1;
            right += usize::from(answered.is_some() && answered == g.expected);
        } else {
            oos += 1;
            fell_back += usize::from(answered.is_none());
        }
    }
    (pct(right, in_scope), pct(fell_back, oos))
}

/// Builds the full report for `guesses` under `settings`.
pub fn report(set: &IntentSet, guesses: &[Guess], settings: MatcherSettings) -> Report {
    let name = |i: usize| set.intents[i].name.clone();
    let n = set.intents.len();
    let (mut support, mut answered_as, mut right_as) = (vec![0; n], vec![0; n], vec![0; n]);
    let mut confusions: HashMap<(String, String), usize> = HashMap::new();
    let (mut close_calls, mut close_right) = (0, 0);
    let mut answered_by: HashMap<&'static str, usize> = HashMap::new();
    for g in guesses {
        let view = g.live(&settings);
        if let Some(by) = view.by {
            *answered_by.entry(by.describe()).or_default() += 1;
        }
        let answered = view.answered(&settings);
        if let Some(e) = g.expected {
            support[e] += 1;
        }
        if let Some((a, c)) = answered {
            answered_as[a] += 1;
            if g.expected == Some(a) {
                right_as[a] += 1;
            }
            if let (Some((r, rc)), Some(_)) = (view.runner_up, g.expected) {
                if c - rc < settings.close_call_margin {
                    close_calls += 1;
                    close_right += usize::from(g.expected == Some(a) || g.expected == Some(r));
                }
            }
        }
        let got = answered.map(|(a, _)| a);
        let in_scope = g.expected.is_some() || g.unknown_label;
        if (in_scope && got != g.expected) || got.is_some() && !in_scope {
            let expected = match g.expected {
                Some(e) => name(e),
                None if g.unknown_label => "(unknown label)".into(),
                None => "oos".into(),
            };
            let got = got.map_or_else(|| "fallback".into(), name);
            *confusions.entry((expected, got)).or_default() += 1;
        }
    }
    let mut confusions: Vec<Confusion> = confusions
        .into_iter()
        .map(|((expected, got), count)| Confusion {
            expected,
            got,
            count,
        })
        .collect();
    confusions.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.expected.cmp(&b.expected))
            .then_with(|| a.got.cmp(&b.got))
    });
    confusions.truncate(15);
    let per_intent = (0..n)
        .filter(|&i| support[i] > 0 || answered_as[i] > 0)
        .map(|i| IntentScore {
            intent: name(i),
            support: support[i],
            precision: pct(right_as[i], answered_as[i]),
            recall: pct(right_as[i], support[i]),
        })
        .collect();
    let (accuracy, recall) = score(guesses, &settings);
    let mut answered_by: Vec<(String, usize)> = answered_by
        .into_iter()
        .map(|(by, n)| (by.to_owned(), n))
        .collect();
    answered_by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let out_of_scope_cases = guesses
        .iter()
        .filter(|g| g.expected.is_none() && !g.unknown_label)
        .count();
    Report {
        cases: guesses.len(),
        in_scope_cases: guesses.len() - out_of_scope_cases,
        out_of_scope_cases,
        unknown_labels: guesses.iter().filter(|g| g.unknown_label).count(),
        confidence_threshold: settings.confidence_threshold,
        ngram_threshold: settings.ngram_threshold,
        close_call_margin: settings.close_call_margin,
        encoder: set.matcher.uses_vectors(),
        answered_by,
        in_scope_accuracy: accuracy,
        out_of_scope_recall: recall,
        close_calls,
        close_calls_with_right_intent: close_right,
        per_intent,
        confusions,
    }
}

/// Writes `report` for people; the last line is always
/// `in-scope accuracy: X% out-of-scope recall: Y%`.
pub fn print(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} cases: {} in scope, {} out of scope (threshold {:.3}, n-grams alone {:.3}, close-call margin {:.3})",
        report.cases,
        report.in_scope_cases,
        report.out_of_scope_cases,
        report.confidence_threshold,
        report.ngram_threshold,
        report.close_call_margin
    )?;
    let by: Vec<String> = report
        .answered_by
        .iter()
        .map(|(by, n)| format!("{by} {n}"))
        .collect();
    writeln!(
        out,
        "decided by: {}{}",
        by.join(", "),
        if report.encoder {
            ""
        } else {
            " (no sentence encoder: the n-grams decide alone)"
        }
    )?;
    if report.unknown_labels > 0 {
        writeln!(
            out,
            "warning: {} case(s) are labelled with intents the set does not have (counted as wrong)",
            report.unknown_labels
        )?;
    }
    writeln!(out, "\nper intent (worst recall first):")?;
    writeln!(
        out,
        "  {:<32} {:>9} {:>7} {:>7}",
        "intent", "precision", "recall", "cases"
    )?;
    let mut rows: Vec<&IntentScore> = report.per_intent.iter().collect();
    rows.sort_by(|a, b| a.recall.total_cmp(&b.recall).then(a.intent.cmp(&b.intent)));
    for r in rows {
        writeln!(
            out,
            "  {:<32} {:>8.1}% {:>6.1}% {:>7}",
            r.intent, r.precision, r.recall, r.support
        )?;
    }
    writeln!(out, "\nmost frequent confusions (expected -> got):")?;
    if report.confusions.is_empty() {
        writeln!(out, "  none")?;
    }
    for c in &report.confusions {
        writeln!(out, "  {:>5}  {} -> {}", c.count, c.expected, c.got)?;
    }
    writeln!(
        out,
        "\nclose calls: the bot would ask \"which one?\" on {} in-scope case(s); {} of them offered the right intent",
        report.close_calls, report.close_calls_with_right_intent
    )?;
    writeln!(
        out,
        "in-scope accuracy: {:.2}% out-of-scope recall: {:.2}%",
        report.in_scope_accuracy, report.out_of_scope_recall
    )
}
