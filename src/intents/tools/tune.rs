//! `tandem intents tune`: chooses the matcher's settings on the owner's own
//! labelled questions (see [`tune`]).

use serde::Serialize;

use super::evaluate::{score, score_views, Guess, View};
use crate::intents::MatcherSettings;

/// What `tune` chose and why.
#[derive(Debug, Clone, Serialize)]
pub struct Tuning {
    pub settings: MatcherSettings,
    /// In-scope accuracy with no threshold (%), the reference of the budget.
    pub accuracy_without_threshold: f64,
    /// The bot as it will run (encoder, cascade and all).
    pub in_scope_accuracy: f64,
    pub out_of_scope_recall: f64,
    /// The n-grams alone at `ngram_threshold` (the encoder off or busy).
    pub ngram_accuracy: f64,
    pub ngram_out_of_scope_recall: f64,
    /// Share of the cases the n-grams answer without the encoder (%).
    pub skipped_encoder: f64,
    /// Wrong answers the close-call question turns into a right choice.
    pub close_calls_fixed: usize,
    /// Right answers that become a question instead.
    pub close_calls_delayed: usize,
}

/// How much in-scope accuracy (points) the threshold may cost, compared with
/// answering everything. A support bot should rarely refuse a question it
/// can answer; within this budget, the highest out-of-scope recall wins.
pub const ACCURACY_BUDGET: f64 = 1.0;

/// How much the cascade may cost against always asking the encoder
/// (points of in-scope accuracy, and of out-of-scope recall).
const CASCADE_BUDGET: (f64, f64) = (0.1, 0.5);

/// Chooses every matcher setting.
///
/// Thresholds (one for the full model, one for the n-grams alone, each on
/// its own confidences): by default the highest out-of-scope recall within
/// [`ACCURACY_BUDGET`] of the accuracy without threshold (without
/// out-of-scope cases, the highest threshold within the budget). With
/// `min_oos_recall` (%), the lowest threshold that reaches that recall (the
/// most in-scope accuracy for the refusals the owner asked for), or the
/// highest recall if none reaches it.
///
/// Skipping the encoder: the lowest n-gram confidence from which answering
/// with the n-grams alone costs no more than `CASCADE_BUDGET` against
/// always asking the encoder, on these cases.
///
/// Margin: the one where asking fixes the most wrong answers net of the
/// right answers it delays; 0 when asking never helps.
pub fn tune(guesses: &[Guess], min_oos_recall: Option<f64>) -> Tuning {
    let mut settings = MatcherSettings {
        close_call_margin: 0.0,
        ..MatcherSettings::default()
    };
    let ngrams: Vec<(&Guess, &View)> = guesses.iter().map(|g| (g, &g.ngrams)).collect();
    let (ngram_threshold, ngram_base) =
        threshold(&ngrams, min_oos_recall, |s, t| s.ngram_threshold = t);
    settings.ngram_threshold = ngram_threshold;
    let full: Vec<(&Guess, &View)> = guesses
        .iter()
        .filter_map(|g| Some((g, g.full.as_ref()?)))
        .collect();
    // Without an encoder the n-grams are the bot and nothing else is chosen.
    let base = if full.is_empty() {
        ngram_base
    } else {
        let (t, base) = threshold(&full, min_oos_recall, |s, t| s.confidence_threshold = t);
        settings.confidence_threshold = t;
        settings.skip_encoder_above = skip_above(guesses, settings);
        base
    };
    let (in_scope_accuracy, out_of_scope_recall) = score(guesses, &settings);
    let (ngram_accuracy, ngram_out_of_scope_recall) =
        score_views(ngrams.iter().copied(), &settings);
    let skipped = guesses
        .iter()
        .filter(|g| g.full.is_some() && std::ptr::eq(g.live(&settings), &g.ngrams))
        .count();
    let (margin, fixed, delayed) = margin(guesses, &settings);
    settings.close_call_margin = margin;
    Tuning {
        settings,
        accuracy_without_threshold: base,
        in_scope_accuracy,
        out_of_scope_recall,
        ngram_accuracy,
        ngram_out_of_scope_recall,
        skipped_encoder: 100.0 * skipped as f64 / guesses.len().max(1) as f64,
        close_calls_fixed: fixed,
        close_calls_delayed: delayed,
    }
}

/// The threshold for one view (`set` puts a candidate into the settings);
/// returns it and the accuracy without any threshold.
fn threshold(
    views: &[(&Guess, &View)],
    min_oos_recall: Option<f64>,
    set: impl Fn(&mut MatcherSettings, f32),
) -> (f32, f64) {
    let at = |t: f32| {
        let mut s = MatcherSettings::default();
        set(&mut s, t);
        score_views(views.iter().copied(), &s)
    };
    let (base, _) = at(0.0);
    let thresholds = (0..100).map(|i| i as f32 / 100.0);
    let mut best = (0.0_f32, 0.0_f64);
    match min_oos_recall {
        None => {
            for t in thresholds {
                let (acc, rec) = at(t);
                if acc + 1e-9 >= base - ACCURACY_BUDGET && rec >= best.1 {
                    best = (t, rec);
                }
            }
        }
        Some(wanted) => {
            for t in thresholds {
                let (_, rec) = at(t);
                if rec + 1e-9 >= wanted {
                    best = (t, rec);
                    break;
                }
                if rec > best.1 {
                    best = (t, rec);
                }
            }
        }
    }
    (best.0, base)
}

/// The lowest n-gram confidence from which the n-grams may answer alone.
fn skip_above(guesses: &[Guess], settings: MatcherSettings) -> f32 {
    let always = score(
        guesses,
        &MatcherSettings {
            skip_encoder_above: 1.01,
            ..settings
        },
    );
    (50..=100)
        .map(|i| i as f32 / 100.0)
        .find(|&s| {
            let (acc, rec) = score(
                guesses,
                &MatcherSettings {
                    skip_encoder_above: s,
                    ..settings
                },
            );
            acc + CASCADE_BUDGET.0 + 1e-9 >= always.0 && rec + CASCADE_BUDGET.1 + 1e-9 >= always.1
        })
        .unwrap_or(1.0)
}

/// The close-call margin with the most wrong answers fixed net of right
/// answers delayed, and those two counts.
fn margin(guesses: &[Guess], settings: &MatcherSettings) -> (f32, usize, usize) {
    let mut best = (0.0_f32, 0_usize, 0_usize, 0_i64);
    for m in (1..=50).map(|i| i as f32 / 100.0) {
        let (mut fixed, mut delayed) = (0, 0);
        for g in guesses {
            let view = g.live(settings);
            let threshold = view.by.map_or(0.0, |by| settings.threshold(by));
            let (Some((a, c)), Some((r, rc)), Some(e)) = (view.best, view.runner_up, g.expected)
            else {
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
        if net > best.3 {
            best = (m, fixed, delayed, net);
        }
    }
    (best.0, best.1, best.2)
}
