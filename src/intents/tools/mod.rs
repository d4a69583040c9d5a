//! The owner's tools behind `tandem intents …` and `tandem chat`: plain
//! functions that read files and write a report to any `Write`, so tests call
//! exactly what the command line runs. `main.rs` only dispatches here.
//!
//! - [`cases`]: labelled `text,intent` CSV files (quoted commas allowed).
//! - [`evaluate`]: `test` (accuracy, out-of-scope recall, per-intent
//!   precision and recall, confusions, which step decided).
//! - [`tune`]: `tune` (thresholds, when to skip the encoder, margin).
//! - [`import`]: a labelled CSV becomes intent files with placeholder answers.
//! - [`check`] and [`chat`]: validation report, terminal conversation.

pub mod cases;
pub mod command;
pub mod evaluate;
pub mod import;
pub mod tune;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{load_dir_with_progress, Diagnostic, IntentSet, Severity, Verdict};
use crate::bot;
use crate::encoder::Embedder;

/// Why a tool could not run (as opposed to what it found).
#[derive(Debug, Error)]
pub enum ToolError {
    #[error("the intent files have errors (run `tandem intents check`):\n{}", list(.0))]
    Intents(Vec<Diagnostic>),
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{path}: {message}")]
    Cases { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the report: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the sentence encoder: {0}")]
    Encoder(#[from] crate::encoder::EncoderError),
    #[error("{0}")]
    Usage(String),
}

fn list(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .take(20)
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads `dir` for a tool, turning diagnostics into a [`ToolError`]; a
/// progress bar shows the encoding of examples not cached yet.
pub fn load(dir: &Path, embedder: &Embedder) -> Result<IntentSet, ToolError> {
    load_with_progress(dir, embedder).map_err(ToolError::Intents)
}

fn load_with_progress(dir: &Path, embedder: &Embedder) -> Result<IntentSet, Vec<Diagnostic>> {
    let bar = std::sync::OnceLock::new();
    let loaded = load_dir_with_progress(dir, embedder, &|done, total| {
        bar.get_or_init(|| progress(total, "encoding examples"))
            .set_position(done as u64);
    });
    if let Some(bar) = bar.get() {
        bar.finish_and_clear();
    }
    loaded
}

/// `tandem intents check`: prints every problem as `file:line:col: message`
/// (warnings included). Returns whether the set loads (no errors).
pub fn check(dir: &Path, embedder: &Embedder, out: &mut impl Write) -> Result<bool, ToolError> {
    let started = std::time::Instant::now();
    match load_with_progress(dir, embedder) {
        Ok(set) => {
            let took = started.elapsed();
            for w in &set.warnings {
                writeln!(out, "{w}")?;
            }
            writeln!(
                out,
                "{}: {} intents, no errors, {} warning(s) (loaded and trained in {:.2} s; model {:.1} MB; {})",
                dir.display(),
                set.intents.len(),
                set.warnings.len(),
                took.as_secs_f64(),
                set.matcher.memory_bytes() as f64 / 1e6,
                match embedder.model_id() {
                    Some(id) if set.matcher.uses_vectors() => format!("sentence encoder {id}"),
                    _ => "n-grams alone, no sentence encoder".to_owned(),
                }
            )?;
            Ok(true)
        }
        Err(diagnostics) => {
            for d in &diagnostics {
                writeln!(out, "{d}")?;
            }
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            writeln!(
                out,
                "{errors} error(s), {} warning(s)",
                diagnostics.len() - errors
            )?;
            Ok(false)
        }
    }
}

/// When `tandem chat` says each line arrived: now, or (`--pace`) a fixed
/// number of seconds after the previous one, so a piped script reads like
/// a person typing.
#[derive(Debug, Clone, Copy)]
pub struct ChatClock {
    pace: Option<time::Duration>,
    start: time::OffsetDateTime,
}

impl ChatClock {
    /// Real time, or lines `pace` seconds apart.
    pub fn new(pace: Option<u64>) -> ChatClock {
        ChatClock {
            pace: pace.map(|s| time::Duration::seconds(s.min(86_400) as i64)),
            start: time::OffsetDateTime::now_utc(),
        }
    }

    fn at(&self, turn: usize) -> time::OffsetDateTime {
        match self.pace {
            Some(pace) => self.start + pace * (turn as u32),
            None => time::OffsetDateTime::now_utc(),
        }
    }
}

/// `tandem chat`: a conversation in the terminal. For each line read, shows
/// what the matcher chose, its confidence, the runner-up, what moved the
/// frustration score, and the reply.
pub fn chat(
    set: &IntentSet,
    embedder: &Embedder,
    clock: ChatClock,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<(), ToolError> {
    let settings = set.matcher.settings();
    writeln!(
        out,
        "{} intents loaded (threshold {:.2}, close-call margin {:.2}). Type a message; Ctrl-D ends.",
        set.intents.len(),
        settings.confidence_threshold,
        settings.close_call_margin
    )?;
    let mut misses = 0;
    let mut mood = crate::empathy::conversation::Mood::default();
    for (turn, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        // As the live bot does: the encoder only when the n-grams are unsure.
        let vector = if set.matcher.needs_embedding(&line) {
            embedder.embed_message_now(&line).ok()
        } else {
            None
        };
        let verdict = set.matcher.decide(&line, vector.as_ref());
        let (decision, m) = match &verdict {
            Verdict::Answer(m) => ("answer", Some(m)),
            Verdict::Ask(m) => ("ask which one", Some(m)),
            Verdict::Fallback(m) => ("fall back", m.as_ref()),
        };
        if let Some(m) = m {
            let runner_up = m.runner_up.map_or("-".to_owned(), |(i, c)| {
                format!("{} {:.2}", set.intents[i].name, c)
            });
            writeln!(
                out,
                "  [{decision}] intent: {} confidence: {:.2} runner-up: {runner_up} (by {})",
                set.intents[m.intent].name,
                m.confidence,
                m.by.describe()
            )?;
        } else {
            writeln!(out, "  [{decision}]")?;
        }
        let reply = bot::respond(
            set,
            &line,
            bot::Heard {
                vector: vector.as_ref(),
                look: None,
            },
            &mut mood,
            misses,
            turn as u64,
            clock.at(turn),
        );
        misses = reply.misses_in_row;
        let moved: Vec<String> = reply
            .signals
            .iter()
            .map(|s| format!("{} +{:.2}", s.text, s.weight))
            .collect();
        writeln!(
            out,
            "  frustration: {:.2}{}",
            mood.score,
            if moved.is_empty() {
                String::new()
            } else {
                format!(" ({})", moved.join("; "))
            }
        )?;
        writeln!(out, "{}: {}", set.policy.bot.name, reply.reply.text)?;
        if !reply.reply.quick_replies.is_empty() {
            writeln!(
                out,
                "  quick replies: {}",
                reply.reply.quick_replies.join(" | ")
            )?;
        }
        if let Some(reasons) = &reply.escalate {
            let why: Vec<&str> = reasons.iter().map(|r| r.text.as_str()).collect();
            writeln!(out, "  (handed to a person: {})", why.join("; "))?;
            misses = 0;
        }
    }
    Ok(())
}

/// A progress bar on standard error for `len` steps; hidden when standard
/// error is not a terminal, so logs and tests stay clean.
pub fn progress(len: usize, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}
