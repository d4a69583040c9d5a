//! `tandem empathy eval`: how well the per-message tone reader
//! ([`super::tone`]) separates frustrated from calm messages on a labelled
//! file — with the sentence vector when the encoder runs, as the live bot
//! reads a message the encoder saw.
//!
//! Rows are `text,frustrated` (0 or 1) with a header line, RFC 4180 quoting.
//! The threshold never comes from the file being scored: it is the model's
//! own (chosen on the validation split when it was trained), or it is
//! chosen on a separate validation file (`--tune`) as the one with the best
//! F1 there.

use std::fmt;
use std::path::Path;

use thiserror::Error;

use super::tone::ToneModel;
use crate::encoder::Embedder;

/// Why an evaluation could not run.
#[derive(Debug, Error)]
pub enum EvalError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// A row's label is neither 0 nor 1.
    #[error("{path}:{line}: the label must be 0 or 1, found {found:?}")]
    BadLabel {
        path: String,
        line: usize,
        found: String,
    },
    /// The file has no rows after the header.
    #[error("{path}: no labelled rows")]
    Empty { path: String },
}

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The message.
    pub text: String,
    /// Whether it is labelled frustrated.
    pub frustrated: bool,
}

/// Reads a `text,frustrated` file, skipping the header.
pub fn read_cases(path: &Path) -> Result<Vec<Case>, EvalError> {
    let name = path.display().to_string();
    let data = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: name.clone(),
        source,
    })?;
    let mut cases = Vec::new();
    for (line, row) in parse_csv(&data).into_iter().enumerate().skip(1) {
        let (Some(text), Some(label)) = (row.first(), row.get(1)) else {
            continue;
        };
        let frustrated = match label.trim() {
            "1" => true,
            "0" => false,
            other => {
                return Err(EvalError::BadLabel {
                    path: name,
                    line: line + 1,
                    found: other.to_owned(),
                })
            }
        };
        cases.push(Case {
            text: text.clone(),
            frustrated,
        });
    }
    if cases.is_empty() {
        return Err(EvalError::Empty { path: name });
    }
    Ok(cases)
}

/// Parses CSV text into rows of fields: quoted fields may hold commas,
/// doubled quotes and newlines.
pub fn parse_csv(input: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut any = false;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Precision, recall, F1 and accuracy at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    /// A message is predicted frustrated when its score is at least this.
    pub threshold: f32,
    /// Share of predicted-frustrated that are frustrated.
    pub precision: f64,
    /// Share of frustrated that were predicted.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Share of all rows predicted right.
    pub accuracy: f64,
}

impl fmt::Display for Metrics {
    /// The last line of `tandem empathy eval`, in a fixed shape for scripts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "F1: {:.3} precision: {:.3} recall: {:.3}",
            self.f1, self.precision, self.recall
        )
    }
}

/// Metrics of `scores` against `labels` at `threshold`.
pub fn metrics_at(scores: &[f32], labels: &[bool], threshold: f32) -> Metrics {
    let (mut tp, mut fp, mut fneg, mut tn) = (0u32, 0u32, 0u32, 0u32);
    for (&s, &y) in scores.iter().zip(labels) {
        match (s >= threshold, y) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            (false, false) => tn += 1,
        }
    }
    let ratio = |num: u32, den: u32| {
        if den == 0 {
            0.0
        } else {
            f64::from(num) / f64::from(den)
        }
    };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fneg);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Metrics {
        threshold,
        precision,
        recall,
        f1,
        accuracy: ratio(tp + tn, tp + fp + fneg + tn),
    }
}

/// The threshold with the best F1 on `scores` (ties go to the higher
/// threshold), found in one sorted sweep. "Everything is frustrated" (a
/// threshold of 0) is never chosen.
pub fn best_threshold(scores: &[f32], labels: &[bool]) -> Metrics {
    let mut pairs: Vec<(f32, bool)> = scores.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = labels.iter().filter(|&&y| y).count() as f64;
    let (mut tp, mut fp) = (0.0f64, 0.0f64);
    let mut best = (0.0f64, f32::INFINITY);
    let mut i = 0;
    while i < pairs.len() {
        let t = pairs[i].0;
        while i < pairs.len() && pairs[i].0 == t {
            if pairs[i].1 {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        if t <= 0.0 {
            break;
        }
        let f1 = 2.0 * tp / (tp + fp + positives);
        if f1 > best.0 {
            best = (f1, t);
        }
    }
    metrics_at(scores, labels, best.1)
}

/// Scores every case with the tone reader: the probability that its wording
/// is frustrated (with its sentence vector when `embedder` has an encoder).
pub fn score_cases(cases: &[Case], embedder: &Embedder) -> (Vec<f32>, Vec<bool>) {
    let model = ToneModel::bundled();
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let vectors = embedder.embed_many(&texts, &|_, _| {}).unwrap_or_default();
    cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let vector = vectors.get(i).map(|v| v.as_slice());
            (model.read(&c.text, vector).probability, c.frustrated)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_and_quotes() {
        let rows = parse_csv("text,frustrated\n\"a, \"\"b\"\"\",1\nplain,0\n");
        assert_eq!(rows[1], vec!["a, \"b\"".to_string(), "1".to_string()]);
        assert_eq!(rows[2], vec!["plain".to_string(), "0".to_string()]);
    }

    #[test]
    fn metrics_count_hits_and_misses() {
        let m = metrics_at(&[0.9, 0.8, 0.1, 0.2], &[true, false, true, false], 0.5);
        assert_eq!((m.precision, m.recall, m.accuracy), (0.5, 0.5, 0.5));
        assert_eq!(m.to_string(), "F1: 0.500 precision: 0.500 recall: 0.500");
    }

    #[test]
    fn the_tuned_threshold_separates_a_clean_split() {
        let m = best_threshold(&[0.9, 0.7, 0.3, 0.1], &[true, true, false, false]);
        assert_eq!(m.threshold, 0.7);
        assert_eq!(m.f1, 1.0);
    }

    #[test]
    fn a_label_that_is_not_0_or_1_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.csv");
        std::fs::write(&path, "text,frustrated\nfine,0\nbad,yes\n").unwrap();
        let err = read_cases(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("cases.csv:3: the label must be 0 or 1, found \"yes\""),
            "{err}"
        );
    }
}

/// What `tandem empathy eval` measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Where the threshold came from, for people.
    pub threshold_from: String,
    /// Rows in the cases file, and how many are labelled frustrated.
    pub rows: usize,
    /// Rows labelled frustrated.
    pub frustrated: usize,
    /// The figures on the cases file.
    pub metrics: Metrics,
}

impl fmt::Display for Report {
    /// The command's output; the last line is [`Metrics`]' fixed shape.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.metrics;
        writeln!(f, "threshold: {:.4} ({})", m.threshold, self.threshold_from)?;
        writeln!(
            f,
            "cases:     {} rows, {} frustrated",
            self.rows, self.frustrated
        )?;
        writeln!(f, "precision: {:.3}", m.precision)?;
        writeln!(f, "recall:    {:.3}", m.recall)?;
        writeln!(f, "F1:        {:.3}", m.f1)?;
        writeln!(f, "accuracy:  {:.3}", m.accuracy)?;
        write!(f, "{m}")
    }
}

/// Scores `cases_path` at the model's own threshold, or at the best
/// threshold on `tune_path` when one is given. Nothing is chosen from the
/// cases file.
pub fn evaluate(
    cases_path: &Path,
    tune_path: Option<&Path>,
    embedder: &Embedder,
) -> Result<Report, EvalError> {
    let model = ToneModel::bundled();
    let (threshold, threshold_from) = match tune_path {
        Some(tune) => {
            let (scores, labels) = score_cases(&read_cases(tune)?, embedder);
            let best = best_threshold(&scores, &labels);
            (
                best.threshold,
                format!("best F1 {:.3} on {}", best.f1, tune.display()),
            )
        }
        None => (
            model.threshold(embedder.is_on()),
            "the model's own, chosen on the validation split when it was trained".to_owned(),
        ),
    };
    let cases = read_cases(cases_path)?;
    let (scores, labels) = score_cases(&cases, embedder);
    Ok(Report {
        threshold_from,
        rows: cases.len(),
        frustrated: labels.iter().filter(|&&y| y).count(),
        metrics: metrics_at(&scores, &labels, threshold),
    })
}

/// How fast the per-message reading (lexicon and tone, words only: the
/// encoder's cost is its own benchmark) runs, measured on real texts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed {
    /// Messages scored.
    pub messages: u64,
    /// Wall-clock seconds spent.
    pub wall_secs: f64,
    /// CPU seconds this thread spent, where the OS says (Linux); on a busy
    /// machine this, not the wall clock, is what one core can do.
    pub cpu_secs: Option<f64>,
}

impl fmt::Display for Speed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = |secs: f64| self.messages as f64 / secs.max(f64::MIN_POSITIVE);
        write!(
            f,
            "speed:     {:.0} messages/s (wall clock)",
            per(self.wall_secs)
        )?;
        if let Some(cpu) = self.cpu_secs {
            write!(
                f,
                "\nspeed:     {:.0} messages per CPU-second on one core (ran {:.0}% of the wall time)",
                per(cpu),
                100.0 * cpu / self.wall_secs.max(f64::MIN_POSITIVE)
            )?;
        }
        Ok(())
    }
}

/// Scores `texts` over and over on this thread for at least `at_least`.
pub fn measure_speed(texts: &[String], at_least: std::time::Duration) -> Speed {
    use std::hint::black_box;
    use std::time::Instant;
    let mut messages = 0u64;
    let cpu_before = thread_cpu_ns();
    let started = Instant::now();
    while started.elapsed() < at_least && !texts.is_empty() {
        for t in texts {
            black_box(super::reading::read(black_box(t), None));
        }
        messages += texts.len() as u64;
    }
    let wall_secs = started.elapsed().as_secs_f64();
    let cpu_secs = cpu_before
        .zip(thread_cpu_ns())
        .map(|(before, after)| after.saturating_sub(before) as f64 / 1e9);
    Speed {
        messages,
        wall_secs,
        cpu_secs,
    }
}

/// Nanoseconds this thread has run on a CPU (Linux schedstat), if known.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}
