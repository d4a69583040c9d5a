//! Group commit: everyone waiting for durability at the same moment shares
//! one fsync (sled) or one transaction (PostgreSQL). The store gives the
//! [`Flusher`]: what "make everything written so far durable" means.
//!
//! sled's `flush` writes out and fsyncs *everything* written so far. Called
//! once per acknowledged message, concurrent callers each pay for an fsync
//! and queue behind one another. Here a caller that arrives while a flush is
//! running waits for the *next* one, which covers its writes and those of
//! everyone else who arrived meanwhile: one fsync per batch, not per message.
//!
//! Correctness rests on one ordering: a caller's writes happen before it
//! takes its ticket (under the mutex), and a flush takes its target ticket
//! (under the same mutex) before it starts. So a flush whose target is at
//! least a caller's ticket started after that caller's writes, and sled
//! made them durable.
//!
//! The flush itself runs in a spawned task, so a caller that stops waiting
//! (its connection dropped) never leaves the others without a flusher.
//!
//! At a steady few hundred messages a second each flush would otherwise
//! cover one message (they arrive a millisecond or two apart and an fsync
//! takes less), so a flush first *lingers* ([`StoreOptions::flush_linger`],
//! 2 ms by default) for others to join. Measured: 19,532 fsyncs for 19,897
//! messages without it; see docs/PERFORMANCE.md for the figures with it.
//!
//! [`StoreOptions::flush_linger`]: super::StoreOptions

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use time::OffsetDateTime;
use tokio::sync::watch;

use super::health::{StoreHealth, WriteFailure};
use super::StoreError;

/// Makes every write made before it started durable; the error in words.
pub(super) type Flusher =
    Box<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// The shared state of one database's flushes.
pub(super) struct GroupCommit {
    flusher: Flusher,
    tickets: Mutex<Tickets>,
    /// The latest finished flush.
    done: watch::Sender<Outcome>,
    /// Whether flushes are failing, and the last recovery (readiness).
    health: Mutex<StoreHealth>,
    /// How long a flush waits for more writers before it runs.
    linger: std::time::Duration,
}

#[derive(Default)]
struct Tickets {
    /// The last ticket handed out.
    issued: u64,
    /// Whether a flush is running now.
    running: bool,
}

#[derive(Clone, Default)]
struct Outcome {
    /// Every ticket up to this one is covered by the flush.
    covers: u64,
    /// Why that flush failed, if it did.
    error: Option<String>,
}

impl GroupCommit {
    #[cfg(test)]
    pub(super) fn new(db: &sled::Db) -> Arc<GroupCommit> {
        GroupCommit::for_sled(db, std::time::Duration::ZERO)
    }

    /// sled's flushes (an fsync of everything written), on the blocking
    /// pool, waiting `linger` for more writers before they run.
    pub(super) fn for_sled(db: &sled::Db, linger: std::time::Duration) -> Arc<GroupCommit> {
        let db = db.clone();
        GroupCommit::new_with(linger, move || {
            let db = db.clone();
            Box::pin(async move {
                match tokio::task::spawn_blocking(move || db.flush()).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) => Err(e.to_string()),
                }
            })
        })
    }

    /// Flushes by `flusher` that wait `linger` for more writers first.
    pub(super) fn new_with(
        linger: std::time::Duration,
        flusher: impl Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>>
            + Send
            + Sync
            + 'static,
    ) -> Arc<GroupCommit> {
        Arc::new(GroupCommit {
            flusher: Box::new(flusher),
            tickets: Mutex::new(Tickets::default()),
            done: watch::Sender::new(Outcome::default()),
            health: Mutex::new(StoreHealth::default()),
            linger,
        })
    }

    /// The write record so far.
    pub(super) fn health(&self) -> StoreHealth {
        // Plain data; a panic elsewhere cannot leave it half-written.
        self.health
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Notes how a flush ended: a failure starts (or continues) a failing
    /// run, a success after failures ends it — both logged once, loudly.
    fn record(&self, error: Option<&str>) {
        let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
        match (error, &health.failing) {
            (Some(e), None) => {
                tracing::error!(error = %e, "the store cannot write: flushes are failing; readiness reports unavailable");
                health.failing = Some(WriteFailure {
                    error: e.to_owned(),
                    since: OffsetDateTime::now_utc(),
                });
            }
            (Some(e), Some(_)) => {
                if let Some(f) = health.failing.as_mut() {
                    e.clone_into(&mut f.error);
                }
            }
            (None, Some(f)) => {
                tracing::warn!(since = %f.since, "the store writes again: a flush succeeded after failures");
                health.failing = None;
                health.recovered_at = Some(OffsetDateTime::now_utc());
            }
            (None, None) => {}
        }
    }

    fn tickets(&self) -> std::sync::MutexGuard<'_, Tickets> {
        // Two integers cannot be left inconsistent by a panic elsewhere.
        self.tickets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a flush is running now.
    pub(super) fn running(&self) -> bool {
        self.tickets().running
    }

    /// Returns once every write made before the call is durable.
    pub(super) async fn flush(self: &Arc<Self>) -> Result<(), StoreError> {
        let mut finished = self.done.subscribe();
        let ticket = {
            let mut t = self.tickets();
            t.issued += 1;
            t.issued
        };
        loop {
            {
                let outcome = finished.borrow_and_update();
                if outcome.covers >= ticket {
                    return match &outcome.error {
                        None => Ok(()),
                        Some(e) => Err(StoreError::FlushAborted(e.clone())),
                    };
                }
            }
            let target = {
                let mut t = self.tickets();
                if t.running {
                    None
                } else {
                    t.running = true;
                    Some(())
                }
            };
            if target.is_some() {
                let this = Arc::clone(self);
                tokio::spawn(async move {
                    // Wait for more writers to join (their tickets come in
                    // meanwhile); the target is read after the wait, so it
                    // still only covers writes made before the flush.
                    if !this.linger.is_zero() {
                        tokio::time::sleep(this.linger).await;
                    }
                    let target = this.tickets().issued;
                    let started = Instant::now();
                    let error = (this.flusher)().await.err();
                    crate::metrics::store_flushed(started.elapsed(), error.is_none());
                    this.record(error.as_deref());
                    this.tickets().running = false;
                    this.done.send_replace(Outcome {
                        covers: target,
                        error,
                    });
                });
            }
            // The sender lives as long as `self`: this only ends by a change.
            if finished.changed().await.is_err() {
                return Err(StoreError::FlushAborted("the database closed".into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_concurrent_caller_returns_and_their_writes_are_durable() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let commit = GroupCommit::new(&db);
        let mut tasks = Vec::new();
        for i in 0..200u32 {
            let (db, commit) = (db.clone(), Arc::clone(&commit));
            tasks.push(tokio::spawn(async move {
                db.insert(i.to_be_bytes(), &[1u8][..]).unwrap();
                commit.flush().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert!(!commit.tickets().running, "no flush left running");
        assert_eq!(commit.done.borrow().covers, commit.tickets().issued);
        assert_eq!(commit.health(), StoreHealth::default());
        // The flusher holds the database too.
        drop((db, commit));
        let reopened =
            crate::store::open::open_waiting_for_the_lock(&sled::Config::new().path(dir.path()))
                .unwrap();
        assert_eq!(reopened.len(), 200);
    }
}

#[cfg(test)]
mod health_tests {
    use super::*;

    #[test]
    fn a_failed_flush_is_remembered_until_one_succeeds() {
        let commit =
            GroupCommit::new_with(std::time::Duration::ZERO, || Box::pin(async { Ok(()) }));
        commit.record(Some("No space left on device"));
        let failing = commit.health().failing.expect("failing after an error");
        assert!(failing.error.contains("No space"));
        commit.record(Some("still no space"));
        let again = commit.health().failing.expect("still failing");
        assert_eq!(
            again.since, failing.since,
            "the run started at the first failure"
        );
        commit.record(None);
        let health = commit.health();
        assert!(health.failing.is_none());
        assert!(health.recovered_at.is_some());
    }
}
