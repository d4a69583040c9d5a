//! Several nodes on one PostgreSQL database (cluster mode; the database
//! side is `store/postgres/cluster.rs`, the guide docs/cluster.md).
//!
//! Each node's hub keeps its shape — decide under the lock, make durable,
//! deliver — with three additions, all no-ops on sled:
//!
//! - **A hold per decision.** Before an event decides anything about a
//!   conversation, [`Hub::hold`] takes its baton, reads the record the last
//!   holder committed and takes it in (`adopt.rs`), so this node decides on
//!   the newest state; the baton is passed on after the commit
//!   ([`Hub::commit_held`]). A claim lost to another node therefore fails
//!   here as `already_claimed`, and caps count the agent's chats on every
//!   node.
//! - **The bus.** Other nodes' commits arrive as notices; each one is
//!   taken in under the conversation's baton like a hold, which delivers
//!   the lines and changes to this node's sockets. After the bus
//!   reconnects, every live conversation and the whole queue is read again.
//! - **Presence and the leader** (`presence.rs`). Signed-in agents are
//!   published for the other nodes (and theirs read back), and one node —
//!   the leader — runs the answer-deadline clock and retention.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::*;
use crate::store::{Baton, BusEvent};

/// How often presence is refreshed, and leadership tried.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// How many bus notices may wait for the hub before it reads everything.
const BUS_BACKLOG: usize = 4096;
/// Notices taken in at once.
const BUS_WORKERS: usize = 8;

/// A decision's hold on its conversation (see module docs); pass it to
/// [`Hub::commit_held`] or [`Hold::release`] once the writes are durable.
#[must_use]
pub(super) struct Hold {
    baton: Option<Baton>,
    /// The chats the agent held on every node when the hold was taken
    /// (only when the hold names an agent, on PostgreSQL).
    pub(super) agent_holds: Option<usize>,
}

impl Hold {
    /// No baton: sled, or a decision that needs none.
    pub(super) fn none() -> Hold {
        Hold {
            baton: None,
            agent_holds: None,
        }
    }

    pub(super) async fn release(self) {
        if let Some(baton) = self.baton {
            baton.release().await;
        }
    }
}

impl Hub {
    /// Takes `conversation`'s baton (and `agent`'s, for a claim or an
    /// assignment) and brings the live copy up to date; see module docs.
    pub(super) async fn hold(
        &self,
        conversation: Uuid,
        agent: Option<&str>,
    ) -> Result<Hold, HubError> {
        let Some(pg) = self.inner.store.cluster() else {
            return Ok(Hold::none());
        };
        let agents: Vec<&str> = agent.into_iter().collect();
        let (baton, stored) = pg.baton(conversation, &agents).await?;
        if let Some(stored) = stored {
            self.catch_up(&baton, stored).await?;
        }
        let agent_holds = match agent {
            Some(agent) => Some(baton.held_by(agent).await?.len()),
            None => None,
        };
        Ok(Hold {
            baton: Some(baton),
            agent_holds,
        })
    }

    /// Whether a line with `client_id` is stored in `conversation`: a
    /// resend, acknowledged again but not stored twice. Read outside the
    /// hub lock (from the baton's connection in cluster mode); a line
    /// written since is found under it ([`LiveConversation::wrote_lately`]),
    /// which on sled is the whole check while the live conversation knows
    /// all its client ids (`client_ids_complete`): no store read then. In
    /// cluster mode other nodes write lines too, so the store is asked.
    pub(super) async fn stored_before(
        &self,
        hold: &Hold,
        conversation: Uuid,
        client_id: &str,
    ) -> Result<bool, HubError> {
        let Some(next_seq) = self
            .live()
            .conversations
            .get(&conversation)
            // Every id is in memory: checked under the lock instead.
            .filter(|c| hold.baton.is_some() || !c.client_ids_complete)
            .map(|c| c.record.next_seq)
        else {
            return Ok(false);
        };
        Ok(match &hold.baton {
            Some(baton) => {
                baton
                    .client_id_stored(conversation, next_seq, client_id)
                    .await?
            }
            None => self
                .inner
                .store
                .seq_for_client_id(conversation, next_seq, client_id)
                .await?
                .is_some(),
        })
    }

    /// A hold on the conversation a visitor socket shows.
    pub(super) async fn hold_shown(&self, connection: u64) -> Result<Hold, HubError> {
        let shown = self.live().visitor_conversation(connection)?;
        self.hold(shown, None).await
    }

    /// Commits, delivers, passes the baton on, then lets auto-assignment
    /// look (it takes batons of its own).
    pub(super) async fn commit_held(
        &self,
        hold: Hold,
        deliveries: Deliveries,
    ) -> Result<(), HubError> {
        let flushed = self.flush_and_deliver(deliveries).await;
        hold.release().await;
        flushed?;
        self.rebalance().await
    }

    /// Takes in `stored`, the record as the last baton holder committed
    /// it, with the lines this node has not seen.
    async fn catch_up(&self, baton: &Baton, stored: ConversationRecord) -> Result<(), HubError> {
        let id = stored.id;
        let known = self
            .live()
            .conversations
            .get(&id)
            .map(|c| (c.record.next_seq, c.record == stored));
        let lines = match known {
            Some((_, true)) => return Ok(()),
            Some((next, false)) if stored.next_seq > next => {
                baton.lines(id, next, stored.next_seq).await?
            }
            // The live copy is at least as new (a baton this node held).
            Some((next, false)) if stored.next_seq < next => return Ok(()),
            _ => Vec::new(),
        };
        let mut deliveries = Deliveries::default();
        self.live()
            .adopt(stored, lines, &self.inner.desk, &mut deliveries);
        self.read_frames(&mut deliveries).await;
        deliveries.deliver(self);
        Ok(())
    }

    /// Tells the other nodes someone typed (cluster mode; never stored,
    /// so it does not wait for anything).
    pub(super) fn typing_elsewhere(&self, conversation: Uuid, by_visitor: bool, active: bool) {
        if let Some(pg) = self.inner.store.cluster().cloned() {
            tokio::spawn(async move {
                if let Err(e) = pg.typing(conversation, by_visitor, active).await {
                    tracing::debug!(error = %e, "telling the other nodes of typing failed");
                }
            });
        }
    }

    /// Another node's visitor or agent typed: the other side hears it, if
    /// it is on this node.
    fn typing_here(&self, conversation: Uuid, by_visitor: bool, active: bool) {
        let mut deliveries = Deliveries::default();
        {
            let live = self.live();
            let Some(c) = live.conversations.get(&conversation) else {
                return;
            };
            if !by_visitor {
                deliveries.for_visitors(c, VisitorEvent::Typing { active });
            } else if let (Status::Assigned, Some(agent)) =
                (c.record.status, c.record.assigned_to.as_deref())
            {
                let conversation_id = conversation.to_string();
                let typing = AgentEvent::Typing {
                    conversation_id,
                    active,
                };
                live.for_agent(&mut deliveries, agent, typing);
            }
        }
        deliveries.deliver(self);
    }

    /// Whether this node runs the clocks: always on sled; on PostgreSQL
    /// while it holds the leader lock.
    pub fn leads(&self) -> bool {
        self.inner.store.cluster().is_none() || self.inner.leader.load(Ordering::Relaxed)
    }

    /// Something about this node's agents changed: the presence task
    /// publishes it.
    pub(super) fn presence_changed(&self) {
        if self.inner.store.cluster().is_some() {
            self.inner.presence.notify_one();
        }
    }

    /// Runs the cluster's background work until the server stops: the
    /// bus, presence, and leadership. Returns at once on sled.
    pub async fn run_cluster(self, mut shutdown: watch::Receiver<bool>) {
        let Some(pg) = self.inner.store.cluster().cloned() else {
            return;
        };
        let mut bus = pg.listen(BUS_BACKLOG);
        let workers = Arc::new(tokio::sync::Semaphore::new(BUS_WORKERS));
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut leadership = None;
        loop {
            tokio::select! {
                event = bus.recv() => match event {
                    Some(event) => self.heard(event, &workers).await,
                    None => break,
                },
                _ = self.inner.presence.notified() => {
                    if let Err(e) = self.publish_presence(&pg).await {
                        tracing::warn!(error = %e, "publishing who is signed in failed");
                    }
                }
                _ = heartbeat.tick() => {
                    leadership = self.keep_leading(&pg, leadership).await;
                    if let Err(e) = pg.heartbeat().await {
                        tracing::warn!(error = %e, "presence heartbeat failed");
                    }
                    self.read_presence(&pg).await;
                }
                _ = crate::shutdown::stopping(&mut shutdown) => break,
            }
        }
        // Leaving: this node's agents are no longer here.
        let _ = pg.publish_presence(&[]).await;
    }

    async fn heard(&self, event: BusEvent, workers: &Arc<tokio::sync::Semaphore>) {
        let ids: Vec<Uuid> = match event {
            BusEvent::Conversation { id, status } => {
                let wanted = {
                    let live = self.live();
                    live.conversations.contains_key(&id)
                        || matches!(status.as_str(), "queued" | "assigned")
                        // A rating, maybe for an agent signed in here.
                        || (status == "closed" && !live.agents.is_empty())
                };
                if !wanted {
                    return;
                }
                vec![id]
            }
            BusEvent::Presence => {
                if let Some(pg) = self.inner.store.cluster() {
                    self.read_presence(pg).await;
                }
                return;
            }
            BusEvent::OfflineMessages => {
                self.offline_changed_elsewhere().await;
                return;
            }
            BusEvent::Typing {
                conversation,
                by_visitor,
                active,
            } => {
                self.typing_here(conversation, by_visitor, active);
                return;
            }
            BusEvent::SignedOut { agent } => {
                self.disconnect_agent_here(&agent);
                return;
            }
            BusEvent::Resync => {
                tracing::info!("cluster bus reconnected; reading every active conversation again");
                let mut ids: Vec<Uuid> = self.live().conversations.keys().copied().collect();
                match self.inner.store.active_conversations().await {
                    Ok(active) => ids.extend(active.iter().map(|r| r.id)),
                    Err(e) => tracing::warn!(error = %e, "reading the queue again failed"),
                }
                ids.sort_unstable();
                ids.dedup();
                ids
            }
        };
        for id in ids {
            let Ok(permit) = workers.clone().acquire_owned().await else {
                return;
            };
            let hub = self.clone();
            tokio::spawn(async move {
                match hub.hold(id, None).await {
                    Ok(hold) => hold.release().await,
                    Err(e) => {
                        tracing::warn!(conversation = %id, error = %e, "taking in another node's change failed")
                    }
                }
                drop(permit);
            });
        }
    }
}
