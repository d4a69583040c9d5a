//! Live reload of the intents directory, and its status for owners.
//!
//! A file watcher (notify, debounced so an editor's burst of writes is one
//! change) wakes a task; the task loads and trains the whole directory in
//! `spawn_blocking` (training is CPU work: it must not stall the reactor)
//! and, only if the set is valid, swaps it into the hub atomically
//! ([`Hub::replace_intents`]). Messages being answered keep the set they
//! started with; the next one uses the new set; no conversation notices.
//! A broken edit keeps the old set live, logs every `file:line` problem and
//! shows them at `GET /api/intents/status`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::api::{require_admin, ApiError};
use super::AppState;
use crate::encoder::Embedder;
use crate::hub::Hub;
use crate::intents::{self, IntentSet};

/// How long the directory must be quiet before a change is loaded.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// What owners see about the live intents.
#[derive(Debug, Clone, Serialize)]
pub struct IntentsStatus {
    /// When the live set was loaded.
    #[serde(with = "time::serde::rfc3339")]
    pub loaded_at: OffsetDateTime,
    /// How many intents the live set has.
    pub intents: usize,
    /// Problems of the last attempt that was refused (`file:line:col:
    /// message`); empty when the files on disk are the live set.
    pub errors: Vec<String>,
    /// Warnings of the live set.
    pub warnings: Vec<String>,
    /// The live matcher's threshold and close-call margin.
    pub confidence_threshold: f32,
    pub close_call_margin: f32,
    /// Whether the live matcher reads sentence vectors (the encoder is on).
    pub sentence_vectors: bool,
    /// Examples the last load had to encode; the others came from the
    /// vector cache (unchanged examples cost nothing on a reload).
    pub examples_encoded: usize,
}

impl IntentsStatus {
    /// The status right after `set` went live, `encoded` examples encoded.
    pub fn loaded(set: &IntentSet, encoded: usize) -> IntentsStatus {
        let settings = set.matcher.settings();
        IntentsStatus {
            loaded_at: OffsetDateTime::now_utc(),
            intents: set.intents.len(),
            errors: Vec::new(),
            warnings: set.warnings.iter().map(ToString::to_string).collect(),
            confidence_threshold: settings.confidence_threshold,
            close_call_margin: settings.close_call_margin,
            sentence_vectors: set.matcher.uses_vectors(),
            examples_encoded: encoded,
        }
    }
}

/// Loads `dir` with `embedder` on a blocking thread (parsing, encoding new
/// examples and training take up to seconds for large sets; unchanged
/// examples come from the vector cache); also returns how many examples
/// had to be encoded.
pub async fn load(
    dir: PathBuf,
    embedder: Embedder,
) -> Result<(Result<IntentSet, Vec<intents::Diagnostic>>, usize), tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || {
        let encoded = AtomicUsize::new(0);
        let set = intents::load_dir_with_progress(&dir, &embedder, &|_, total| {
            encoded.store(total, Ordering::Relaxed);
        });
        (set, encoded.into_inner())
    })
    .await
}

/// Shared status: written by the reload task, read by the endpoint. A std
/// mutex: the critical sections are a clone or an assignment.
pub type SharedStatus = Arc<Mutex<IntentsStatus>>;

/// Keeps the watcher alive. Dropping it stops watching: the watcher owns
/// the channel's sender, so the reload task ends when it is gone.
pub struct Reloader {
    watcher: Debouncer<notify::RecommendedWatcher>,
    task: JoinHandle<()>,
}

impl Reloader {
    /// Stops watching and waits for the reload task (and its handle on the
    /// hub, hence the database) to be gone.
    pub async fn stop(self) {
        drop(self.watcher);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the intents reload task failed");
        }
    }
}

/// Starts watching `dir`; valid changes go live in `hub`.
pub fn watch(dir: PathBuf, hub: Hub, status: SharedStatus) -> Result<Reloader, notify::Error> {
    // Capacity 1: a pending reload will read the files as they are when it
    // runs, so a change arriving while one is pending needs no second slot.
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let mut watcher = new_debouncer(DEBOUNCE, move |events: DebounceEventResult| match events {
        Ok(_) => {
            // Full: a reload is already pending (see above). Closed: the
            // server is stopping. Neither needs handling.
            let _ = tx.try_send(());
        }
        Err(e) => tracing::warn!(error = %e, "watching the intents directory failed"),
    })?;
    watcher.watcher().watch(&dir, RecursiveMode::NonRecursive)?;
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            reload(&dir, &hub, &status).await;
        }
    });
    Ok(Reloader { watcher, task })
}

/// Loads `dir` and swaps it in if valid; otherwise keeps the live set.
pub async fn reload(dir: &std::path::Path, hub: &Hub, status: &SharedStatus) {
    let loaded = load(dir.to_path_buf(), hub.embedder().clone()).await;
    let new_status = match loaded {
        Ok((Ok(set), encoded)) => {
            let s = IntentsStatus::loaded(&set, encoded);
            tracing::info!(intents = s.intents, dir = %dir.display(), "intents reloaded");
            hub.replace_intents(set);
            s
        }
        Ok((Err(diagnostics), _)) => {
            for d in &diagnostics {
                tracing::warn!("{d}");
            }
            tracing::warn!(
                problems = diagnostics.len(),
                "intent files have errors; the previous intents stay live"
            );
            let mut s = lock(status).clone();
            s.errors = diagnostics.iter().map(ToString::to_string).collect();
            s
        }
        Err(e) => {
            tracing::error!(error = %e, "loading intents panicked; the previous intents stay live");
            return;
        }
    };
    *lock(status) = new_status;
}

fn lock(status: &SharedStatus) -> std::sync::MutexGuard<'_, IntentsStatus> {
    // A panic while holding this lock cannot leave the status half-written
    // (only whole-value assignments happen under it), so poison is harmless.
    status
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `GET /api/intents/status` (admins only): the live set and the last
/// refused edit's problems.
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<IntentsStatus>, ApiError> {
    require_admin(&state, &headers)?;
    Ok(Json(lock(&state.intents_status).clone()))
}
