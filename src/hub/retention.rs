//! Deleting what the owner's retention says is due (see
//! [`crate::retention`]), without ever pulling a conversation from under a
//! visitor or an agent.

use time::OffsetDateTime;
use tokio::sync::watch;

use super::{Hub, HubError};
use crate::retention::Retention;

/// How often the retention sweep runs (and once at start-up).
pub const RETENTION_PERIOD: std::time::Duration = std::time::Duration::from_secs(6 * 60 * 60);

/// How often the sweep looks whether it is due and this node leads.
const RETENTION_LOOK: std::time::Duration = std::time::Duration::from_secs(5);

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Conversations, with their lines.
    pub conversations: usize,
    /// Unanswered questions and handled left messages.
    pub other: usize,
}

impl Hub {
    /// Deletes every conversation `retention` says is due at `now`, and the
    /// unanswered questions and handled left messages as old. A
    /// conversation someone has open stays. (The store is not read under
    /// the hub lock, so a visitor resuming a conversation in the
    /// milliseconds between that check and its delete finds it gone — it
    /// had been idle for the whole retention period.)
    pub async fn purge_expired(
        &self,
        retention: Retention,
        now: OffsetDateTime,
    ) -> Result<Purged, HubError> {
        let Some(cutoff) = retention.cutoff(now) else {
            return Ok(Purged::default());
        };
        let store = &self.inner.store;
        let mut purged = Purged::default();
        for id in store.retention_candidates(cutoff).await? {
            if self.live().conversations.contains_key(&id) {
                continue;
            }
            let Some(record) = store.conversation(id).await? else {
                continue;
            };
            if retention.is_due(record.status, store.last_activity(&record).await?, now)
                && !self.live().conversations.contains_key(&id)
            {
                store.delete_conversation(&record).await?;
                purged.conversations += 1;
            }
        }
        purged.other = store.purge_before(cutoff).await?;
        Ok(purged)
    }

    /// Runs [`Hub::purge_expired`] at start-up and every
    /// [`RETENTION_PERIOD`] until the server stops (nothing to do when
    /// everything is kept).
    pub async fn run_retention(self, retention: Retention, mut shutdown: watch::Receiver<bool>) {
        if retention.days == 0 {
            return;
        }
        // Looks often, sweeps every period: in cluster mode only the
        // leader sweeps, and leadership may come to this node any time.
        let mut tick = tokio::time::interval(RETENTION_LOOK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut due = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if tokio::time::Instant::now() < due || !self.leads() {
                        continue;
                    }
                    due = tokio::time::Instant::now() + RETENTION_PERIOD;
                    let hub = self.clone();
                    // Its own task, so a panic in the sweep is reported,
                    // not fatal to the loop.
                    let swept = tokio::spawn(async move {
                        hub.purge_expired(retention, OffsetDateTime::now_utc()).await
                    })
                    .await;
                    match swept {
                        Ok(Ok(purged)) => {
                            if purged != Purged::default() {
                                tracing::info!(
                                    conversations = purged.conversations,
                                    other = purged.other,
                                    days = retention.days,
                                    "retention: deleted what was due"
                                );
                            }
                            if let Err(e) = self.store().flush().await {
                                tracing::error!(error = %e, "retention: flush failed");
                            }
                        }
                        Ok(Err(e)) => tracing::error!(error = %e, "retention sweep failed"),
                        Err(e) => tracing::error!(error = %e, "retention sweep panicked"),
                    }
                }
                _ = crate::shutdown::stopping(&mut shutdown) => break,
            }
        }
    }
}
