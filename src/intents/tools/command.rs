//! Runs one `tandem intents …` or `tandem chat` command: what `main.rs`
//! dispatches to, kept here so `main.rs` stays short.

use std::io::Write;
use std::path::PathBuf;

use super::{cases, chat, check, evaluate, import, load, tune, ToolError};
use crate::cli::IntentsCommand;
use crate::config::Settings;
use crate::encoder::Embedder;
use crate::intents::{save_settings, unmatched};
use crate::store::{SledStore, StoreError};
use time::OffsetDateTime;

/// Runs `command`; returns whether it succeeded (`check` with errors does
/// not). Reports go to `out`.
pub fn run_intents(
    command: IntentsCommand,
    settings: &Settings,
    out: &mut impl Write,
) -> Result<bool, ToolError> {
    let dir = |d: Option<PathBuf>| d.unwrap_or_else(|| settings.intents_dir.clone());
    match command {
        IntentsCommand::Check { dir: d } => check(&dir(d), &embedder(settings)?, out),
        IntentsCommand::Test {
            cases: path,
            intents,
            json,
        } => {
            let embedder = embedder(settings)?;
            let set = load(&dir(intents), &embedder)?;
            let cases = cases::read(&path)?;
            let guesses = evaluate::guesses(&set, &cases, &embedder);
            let report = evaluate::report(&set, &guesses, set.matcher.settings());
            if json {
                writeln!(out, "{}", serde_json::to_string(&report)?)?;
            } else {
                evaluate::print(&report, out)?;
            }
            Ok(true)
        }
        IntentsCommand::Tune {
            cases: path,
            intents,
            min_out_of_scope_recall,
        } => {
            let dir = dir(intents);
            let embedder = embedder(settings)?;
            let set = load(&dir, &embedder)?;
            let cases = cases::read(&path)?;
            let guesses = evaluate::guesses(&set, &cases, &embedder);
            let tuning = tune::tune(&guesses, min_out_of_scope_recall);
            save_settings(&dir, &tuning.settings).map_err(|source| ToolError::File {
                path: dir.join(crate::intents::MATCHER_FILE),
                source,
            })?;
            let rule = match min_out_of_scope_recall {
                Some(r) => format!("lowest threshold with out-of-scope recall >= {r}%"),
                None => format!(
                    "best out-of-scope recall costing <= {} point of accuracy",
                    tune::ACCURACY_BUDGET
                ),
            };
            if set.matcher.uses_vectors() {
                writeln!(
                    out,
                    "confidence_threshold = {:.2}: in-scope accuracy {:.2}% (without threshold {:.2}%; {rule}), out-of-scope recall {:.2}%",
                    tuning.settings.confidence_threshold,
                    tuning.in_scope_accuracy,
                    tuning.accuracy_without_threshold,
                    tuning.out_of_scope_recall
                )?;
            } else {
                writeln!(
                    out,
                    "no sentence encoder: only the n-grams' threshold is chosen ({rule})"
                )?;
            }
            if set.matcher.uses_vectors() {
                writeln!(
                    out,
                    "skip_encoder_above = {:.2}: the n-grams answer {:.1}% of these cases without the encoder",
                    tuning.settings.skip_encoder_above, tuning.skipped_encoder
                )?;
            }
            writeln!(
                out,
                "ngram_threshold = {:.2}: with the n-grams alone (the encoder off or busy) in-scope accuracy {:.2}%, out-of-scope recall {:.2}%",
                tuning.settings.ngram_threshold,
                tuning.ngram_accuracy,
                tuning.ngram_out_of_scope_recall
            )?;
            writeln!(
                out,
                "close_call_margin = {:.2}: asking \"which one?\" turns {} wrong answer(s) into a right choice and delays {} right one(s)",
                tuning.settings.close_call_margin,
                tuning.close_calls_fixed,
                tuning.close_calls_delayed
            )?;
            writeln!(
                out,
                "written to {}",
                dir.join(crate::intents::MATCHER_FILE).display()
            )?;
            Ok(true)
        }
        IntentsCommand::Import { csv, out: to } => {
            let cases = cases::read(&csv)?;
            import::import(&cases, &to, out)?;
            // Encode the examples now (with a progress bar: thousands of rows
            // take a while), so the next check, test or server start reads
            // them from the vector cache.
            let embedder = embedder(settings)?;
            if embedder.is_on() {
                let set = load(&to, &embedder)?;
                let examples: usize = set.intents.iter().map(|i| i.examples.len()).sum();
                match settings.data_dir.is_dir() {
                    true => writeln!(
                        out,
                        "encoded {examples} examples for the sentence encoder (vectors kept in {})",
                        settings.data_dir.display()
                    )?,
                    false => writeln!(out, "encoded {examples} examples for the sentence encoder")?,
                }
            }
            Ok(true)
        }
        IntentsCommand::Unmatched { since, limit } => {
            let since = match since {
                Some(s) => Some(
                    unmatched::parse_since(&s, OffsetDateTime::now_utc()).ok_or_else(|| {
                        ToolError::Usage(format!(
                            "--since {s:?} is neither an RFC 3339 time nor an age like 7d, 12h, 30m"
                        ))
                    })?,
                ),
                None => None,
            };
            let store = match SledStore::open_with(&settings.data_dir, settings.store.options()) {
                Ok(store) => store,
                // sled allows one process per database; the server has it.
                Err(StoreError::Locked(_)) => {
                    return Err(ToolError::Usage(format!(
                        "the server is running and holds the database in {}; read the same list from it with \
                         `curl -H 'Authorization: Bearer TOKEN' http://{}/api/intents/unmatched?since=7d` \
                         (TOKEN from POST /api/agent/login as an admin), see them in the console's \
                         Admin area, or stop the server first",
                        settings.data_dir.display(),
                        settings.addr
                    )))
                }
                Err(e) => return Err(e.into()),
            };
            let questions = store.unmatched_since(since)?;
            let embedder = embedder(settings)?;
            // The live intents name the nearest intent; if they do not
            // load, the questions are still worth listing by their words.
            let groups = match load(&settings.intents_dir, &embedder) {
                Ok(set) => unmatched::group_for(&set, &embedder, &questions),
                Err(_) => unmatched::group(&questions),
            };
            if groups.is_empty() {
                writeln!(out, "no unanswered questions recorded")?;
            }
            for g in groups.iter().take(limit) {
                writeln!(out, "{:>5}  {}", g.count, g.example)?;
                for v in &g.variants {
                    writeln!(out, "         also: {v}")?;
                }
                if let Some(n) = &g.nearest_intent {
                    writeln!(
                        out,
                        "         nearest intent: {} (similarity {:.2})",
                        n.name, n.similarity
                    )?;
                }
            }
            Ok(true)
        }
    }
}

/// `tandem chat`: loads `intents` (or the configured directory) and talks
/// over standard input and output.
pub fn run_chat(
    intents: Option<PathBuf>,
    pace: Option<u64>,
    settings: &Settings,
) -> Result<(), ToolError> {
    let embedder = embedder(settings)?;
    let set = load(
        &intents.unwrap_or_else(|| settings.intents_dir.clone()),
        &embedder,
    )?;
    let stdin = std::io::stdin();
    let clock = super::ChatClock::new(pace);
    chat(
        &set,
        &embedder,
        clock,
        stdin.lock(),
        &mut std::io::stdout().lock(),
    )
}

/// The encoder the settings choose, for a tool: example vectors are cached
/// in the data directory when it exists (as the server keeps them), so a
/// tool run and the server share the work.
pub fn embedder(settings: &Settings) -> Result<Embedder, ToolError> {
    let cache = settings
        .data_dir
        .is_dir()
        .then_some(settings.data_dir.as_path());
    Ok(Embedder::from_settings(
        &settings.encoder.model,
        settings.encoder.worker(),
        cache,
    )?)
}
