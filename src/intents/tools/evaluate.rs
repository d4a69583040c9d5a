//! `tandem intents test` and `tandem intents tune`.
//!
//! Both classify every case once ([`Matcher::rank`](crate::intents::matcher::Matcher::rank), no threshold) and then
//! apply settings to the recorded guesses, so tuning tries a hundred
//! thresholds for the price of one pass.
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
use crate::intents::{IntentSet, MatcherSettings};

/// The matcher's raw guess for one case.
#[derive(Debug, Clone)]
pub struct Guess {
    /// The labelled intent's index, `None` for out-of-scope cases (and for
    /// labels the set does not have, see `unknown_label`).
    pub expected: Option<usize>,
    /// The case's label is neither `oos` nor an intent of the set.
    pub unknown_label: bool,
    /// Best intent and confidence (`None` when the set is empty).
    pub best: Option<(usize, f32)>,
    /// Runner-up and its confidence (classifier decisions only).
    pub runner_up: Option<(usize, f32)>,
}

/// Classifies every case once, with a progress bar on long runs.
pub fn guesses(set: &IntentSet, cases: &[Case]) -> Vec<Guess> {
    let bar = progress(cases.len(), "classifying");
    let out = cases
        .iter()
        .map(|case| {
            bar.inc(1);
            let expected = if case.out_of_scope() {
                None
            } else {
                set.find(&case.intent)
            };
            let m = set.matcher.rank(&case.text);
            Guess {
                expected,
                unknown_label: !case.out_of_scope() && expected.is_none(),
                best: m.as_ref().map(|m| (m.intent, m.confidence)),
                runner_up: m.and_then(|m| m.runner_up),
            }
        })
        .collect();
    bar.finish_and_clear();
    out
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
    pub close_call_margin: f32,
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

/// In-scope accuracy and out-of-scope recall (%) of `guesses` at `threshold`.
pub fn score(guesses: &[Guess], threshold: f32) -> (f64, f64) {
    let (mut right, mut in_scope, mut fell_back, mut oos) = (0, 0, 0, 0);
    for g in guesses {
        let answered = g.best.filter(|(_, c)| *c >= threshold).map(|(i, _)| i);
        if g.expected.is_some() || g.unknown_label {
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
    for g in guesses {
        let answered = g.best.filter(|(_, c)| *c >= settings.confidence_threshold);
        if let Some(e) = g.expected {
            support[e] += 1;
        }
        if let Some((a, c)) = answered {
            answered_as[a] += 1;
            if g.expected == Some(a) {
                right_as[a] += 1;
            }
            if let (Some((r, rc)), Some(_)) = (g.runner_up, g.expected) {
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
    let (accuracy, recall) = score(guesses, settings.confidence_threshold);
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
        close_call_margin: settings.close_call_margin,
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
        "{} cases: {} in scope, {} out of scope (threshold {:.3}, close-call margin {:.3})",
        report.cases,
        report.in_scope_cases,
        report.out_of_scope_cases,
        report.confidence_threshold,
        report.close_call_margin
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

/// What `tune` chose and why.
#[derive(Debug, Clone, Serialize)]
pub struct Tuning {
    pub settings: MatcherSettings,
    /// In-scope accuracy with no threshold (%), the reference of the budget.
    pub accuracy_without_threshold: f64,
    pub in_scope_accuracy: f64,
    pub out_of_scope_recall: f64,
    /// Wrong answers the close-call question turns into a right choice.
    pub close_calls_fixed: usize,
    /// Right answers that become a question instead.
    pub close_calls_delayed: usize,
}

/// How much in-scope accuracy (points) the threshold may cost, compared with
/// answering everything. A support bot should rarely refuse a question it
/// can answer; within this budget, the highest out-of-scope recall wins.
pub const ACCURACY_BUDGET: f64 = 1.0;

/// Chooses the threshold and the close-call margin.
///
/// Threshold: by default the highest out-of-scope recall within
/// [`ACCURACY_BUDGET`] of the accuracy without threshold (without
/// out-of-scope cases, the highest threshold within the budget). With
/// `min_oos_recall` (%), the lowest threshold that reaches that recall (the
/// most in-scope accuracy for the refusals the owner asked for), or the
/// highest recall if none reaches it.
///
/// Margin: the one where asking fixes the most wrong answers net of the
/// right answers it delays; 0 when asking never helps.
pub fn tune(guesses: &[Guess], min_oos_recall: Option<f64>) -> Tuning {
    let thresholds: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
    let (base, _) = score(guesses, 0.0);
    let mut best = (0.0_f32, base, 0.0_f64);
    match min_oos_recall {
        None => {
            for &t in &thresholds {
                let (acc, rec) = score(guesses, t);
                if acc + 1e-9 >= base - ACCURACY_BUDGET && rec >= best.2 {
                    best = (t, acc, rec);
                }
            }
        }
        Some(wanted) => {
            let mut reached = None;
            for &t in &thresholds {
                let (acc, rec) = score(guesses, t);
                if rec + 1e-9 >= wanted {
                    reached = Some((t, acc, rec));
                    break;
                }
                if rec > best.2 {
                    best = (t, acc, rec);
                }
            }
            if let Some(r) = reached {
                best = r;
            }
        }
    }
    let threshold = best.0;
    let mut margin = (0.0_f32, 0_usize, 0_usize, 0_i64);
    for m in (1..=50).map(|i| i as f32 / 100.0) {
        let (mut fixed, mut delayed) = (0, 0);
        for g in guesses {
            let (Some((a, c)), Some((r, rc)), Some(e)) = (g.best, g.runner_up, g.expected) else {
                continue;
            };
            if c < threshold || c - rc >= m {
                continue;
            }
            if a == e {
                delayed += 1;
            } else if r == e {
                fixed += 1;
            }
        }
        let net = fixed as i64 - delayed as i64;
        if net > margin.3 {
            margin = (m, fixed, delayed, net);
        }
    }
    Tuning {
        settings: MatcherSettings {
            confidence_threshold: threshold,
            close_call_margin: margin.0,
        },
        accuracy_without_threshold: base,
        in_scope_accuracy: best.1,
        out_of_scope_recall: best.2,
        close_calls_fixed: margin.1,
        close_calls_delayed: margin.2,
    }
}
