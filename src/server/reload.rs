//! Live reload of the intents directory, and its status for owners.
//!
//! A file watcher (notify) wakes a task on writes, creations, removals and
//! renames of `.toml` files — not on reads or metadata changes: two Tandem
//! processes watching one directory would otherwise take each other's
//! reads for edits and reload each other forever. The task waits until
//! the directory has been quiet for a moment (an editor's burst of writes
//! is one change), skips the reload when the files' contents did not change
//! (a `touch`, a save without edits), and otherwise loads and trains the
//! whole directory in `spawn_blocking` (CPU work: it must not stall the
//! reactor) and, only if the set is valid, swaps it into the hub atomically
//! ([`Hub::replace_intents`]). Messages being answered keep the set they
//! started with; the next one uses the new set; no conversation notices.
//! A broken edit keeps the old set live, logs every `file:line` problem and
//! shows them at `GET /api/intents/status`.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};
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
    /// Edits that went live since the server started.
    pub reloads: u64,
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
            reloads: 0,
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
    watcher: notify::RecommendedWatcher,
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
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        match event {
            Ok(event) if is_edit(&event) => {
                // Full: a reload is already pending (see above). Closed: the
                // server is stopping. Neither needs handling.
                let _ = tx.try_send(());
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "watching the intents directory failed"),
        }
    })?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    // What the live set was loaded from, to tell a real edit from a touch.
    let mut loaded_from = fingerprint(&dir);
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Quiet for DEBOUNCE: an editor's burst of writes is one change.
            loop {
                tokio::time::sleep(DEBOUNCE).await;
                match rx.try_recv() {
                    Ok(()) => continue,
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => return,
                }
            }
            let now = {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || fingerprint(&dir))
                    .await
                    .unwrap_or(None)
            };
            if now == loaded_from {
                tracing::debug!(dir = %dir.display(), "intents files unchanged; no reload");
                continue;
            }
            loaded_from = now;
            reload(&dir, &hub, &status).await;
        }
    });
    Ok(Reloader { watcher, task })
}

/// Whether `event` changed an intents file: a write, a creation, a removal
/// or a rename of a `.toml` file (reads and metadata changes are not).
fn is_edit(event: &notify::Event) -> bool {
    let kind = matches!(
        event.kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            | EventKind::Any
    );
    kind && event
        .paths
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "toml"))
}

/// A hash of the names and contents of the directory's `.toml` files;
/// `None` when it cannot be read (then a reload reports why).
fn fingerprint(dir: &Path) -> Option<u64> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for file in files {
        file.file_name().hash(&mut hasher);
        std::fs::read(&file).ok()?.hash(&mut hasher);
    }
    Some(hasher.finish())
}

/// Loads `dir` and swaps it in if valid; otherwise keeps the live set.
pub async fn reload(dir: &std::path::Path, hub: &Hub, status: &SharedStatus) {
    let loaded = load(dir.to_path_buf(), hub.embedder().clone()).await;
    let new_status = match loaded {
        Ok((Ok(set), encoded)) => {
            let mut s = IntentsStatus::loaded(&set, encoded);
            s.reloads = lock(status).reloads + 1;
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
    require_admin(&state, &headers).await?;
    Ok(Json(lock(&state.intents_status).clone()))
}
