//! Who gets a conversation: claims, auto-assignment under per-agent caps,
//! agent status, and sending back to the queue a conversation its agent
//! left unanswered.
//!
//! The choices are pure ([`queue::pick_agent`], [`queue::order`],
//! [`ConversationRecord::requeue`]); this file applies them with
//! the hub's usual steps. Auto-assignment runs after every committed change
//! ([`Hub::rebalance`]), since any change may queue a visitor or free an
//! agent. Answer deadlines use tokio's clock, so tests drive them with a
//! paused clock; the record keeps each deadline's wall-clock time, so a
//! restart resumes it with what was left.
//!
//! [`ConversationRecord::requeue`]: crate::conversation::ConversationRecord::requeue

use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::Instant;
use uuid::Uuid;

use super::{append, AgentFrame, Deliveries, Hold, Hub, HubError, Line, Live, LiveConversation};

/// Auto-assignments one call makes in cluster mode (each is a round of
/// batons); the next change makes more.
const MAX_ASSIGNMENTS_AT_ONCE: usize = 64;
use crate::encoder::Embedder;
use crate::hours::BusinessHours;
use crate::protocol::{
    AgentEvent, AgentStatus, AgentView, Reason, ReasonCode, Status, VisitorEvent,
};
use crate::queue::{self, AgentLoad, Assignment, DeskPolicy};
use crate::store::Store;

/// How often the desk clock looks for unanswered conversations.
pub const DESK_CLOCK_PERIOD: Duration = Duration::from_secs(1);

/// Settings the hub runs with besides the store and the intents.
#[derive(Debug, Clone, Default)]
pub struct HubOptions {
    /// When people are at the desk; `None` = always.
    pub hours: Option<BusinessHours>,
    /// Assignment mode, caps and answer deadline.
    pub desk: DeskPolicy,
    /// The sentence encoder for live messages and reloads (none by
    /// default: the n-grams answer alone).
    pub embedder: Embedder,
}

impl Hub {
    /// Gives `conversation` to `agent`, within their cap: a claim, or an
    /// auto-assignment. Called with the hub lock held.
    pub(super) fn assign_locked(
        &self,
        live: &mut Live,
        conversation: Uuid,
        agent: &str,
        hold: &Hold,
        deliveries: &mut Deliveries,
    ) -> Result<(), HubError> {
        let desk = &self.inner.desk;
        // In cluster mode the agent's chats on every node, counted under
        // the agent's baton; the live copies may lag a moment behind.
        let held = hold.agent_holds.unwrap_or_else(|| live.held_by(agent));
        if held >= desk.max_chats_of(agent) {
            return Err(HubError::AtCapacity(desk.max_chats_of(agent)));
        }
        let store = &self.inner.store;
        let within = self.answer_within();
        let c = live.conversation_mut(conversation)?;
        c.record.claim(agent)?;
        c.record.assigned_at = Some(OffsetDateTime::now_utc());
        if let Some(queued_at) = c.record.queued_at {
            let waited = OffsetDateTime::now_utc() - queued_at;
            crate::metrics::queue_waited(waited.try_into().unwrap_or_default());
        }
        c.set_answer_deadline(within);
        let line = append(
            store,
            c,
            Line::system(&format!("{agent} joined the chat")),
            OffsetDateTime::now_utc(),
        )?;
        deliveries.for_visitors(
            c,
            VisitorEvent::AgentJoined {
                agent: AgentView {
                    name: agent.to_owned(),
                },
            },
        );
        deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
        let record = Box::new(c.record.clone());
        live.for_agent(
            deliveries,
            agent,
            AgentEvent::Claimed {
                conversation_id: conversation.to_string(),
            },
        );
        live.frame_for_agent(deliveries, agent, AgentFrame::View(record));
        live.queue_changed(deliveries);
        live.agents_changed(desk, deliveries);
        Ok(())
    }

    /// How long the holder of a conversation taken now has for a first
    /// reply (`None`: no deadline).
    pub(super) fn answer_within(&self) -> Option<Duration> {
        match self.inner.desk.answer_within_s {
            0 => None,
            secs => Some(Duration::from_secs(secs)),
        }
    }

    /// In auto mode, hands waiting conversations to available agents with
    /// room, in queue order, until one or the other runs out.
    pub async fn rebalance(&self) -> Result<(), HubError> {
        if self.inner.desk.assignment != Assignment::Auto {
            return Ok(());
        }
        if self.inner.store.cluster().is_some() {
            return self.rebalance_across_nodes().await;
        }
        let deliveries = {
            let mut live = self.live();
            let mut deliveries = Deliveries::default();
            while let Some((next, agent)) = self.next_assignment(&mut live) {
                let hold = Hold::none();
                self.assign_locked(&mut live, next, &agent, &hold, &mut deliveries)?;
            }
            deliveries
        };
        self.flush_and_deliver(deliveries).await
    }

    /// Auto-assignment in cluster mode: one conversation at a time, each
    /// under its baton and the agent's, so the caps hold on every node.
    async fn rebalance_across_nodes(&self) -> Result<(), HubError> {
        for _ in 0..MAX_ASSIGNMENTS_AT_ONCE {
            let Some((next, agent)) = self.next_assignment(&mut self.live()) else {
                return Ok(());
            };
            let hold = self.hold(next, Some(&agent)).await?;
            let assigned = {
                let mut live = self.live();
                let mut deliveries = Deliveries::default();
                let still = live
                    .conversations
                    .get(&next)
                    .is_some_and(|c| c.record.status == Status::Queued)
                    && live.status_of(&agent) == AgentStatus::Available;
                match still {
                    true => self
                        .assign_locked(&mut live, next, &agent, &hold, &mut deliveries)
                        .map(|()| deliveries),
                    false => Err(HubError::NotQueued),
                }
            };
            match assigned {
                Ok(deliveries) => {
                    let flushed = self.flush_and_deliver(deliveries).await;
                    hold.release().await;
                    flushed?;
                }
                Err(HubError::Store(e)) => return Err(HubError::Store(e)),
                // Another node was quicker, or the agent is full after all:
                // the next change looks again.
                Err(_) => {
                    hold.release().await;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// The next waiting conversation and the available agent with room to
    /// take it, if any (queue order, then [`queue::pick_agent`]).
    fn next_assignment(&self, live: &mut Live) -> Option<(Uuid, String)> {
        let next = live.next_in_line()?;
        let names: Vec<String> = live.online_names().into_iter().map(str::to_owned).collect();
        let loads: Vec<AgentLoad<'_>> = names
            .iter()
            .map(|name| AgentLoad {
                name,
                available: live.status_of(name) == AgentStatus::Available,
                chats: live.held_by(name),
                max_chats: self.inner.desk.max_chats_of(name),
            })
            .collect();
        let avoid = live
            .conversations
            .get(&next)
            .and_then(|c| c.record.unanswered_by.as_deref());
        let agent = queue::pick_agent(&loads, avoid)?.to_owned();
        Some((next, agent))
    }

    /// Runs [`Hub::rebalance`] from synchronous code.
    pub(super) fn rebalance_soon(&self) {
        if self.inner.desk.assignment == Assignment::Auto {
            let hub = self.clone();
            tokio::spawn(async move {
                if let Err(e) = hub.rebalance().await {
                    tracing::error!(error = %e, "auto-assignment failed");
                }
            });
        }
    }

    /// An agent sets their status. Away agents keep their chats but get no
    /// new ones.
    pub async fn set_status(&self, agent: &str, status: AgentStatus) -> Result<(), HubError> {
        let deliveries = {
            let mut live = self.live();
            live.statuses.insert(agent.to_owned(), status);
            let mut deliveries = Deliveries::default();
            live.agents_changed(&self.inner.desk, &mut deliveries);
            // Fewer (or more) people taking chats: waiting visitors' estimates move.
            live.visitor_positions(&mut deliveries);
            deliveries
        };
        self.presence_changed();
        self.commit(deliveries).await
    }

    /// Sends every conversation whose holder has not answered by `now` back
    /// to the front of the queue. Returns how many went back.
    pub async fn requeue_unanswered(&self, now: Instant) -> Result<usize, HubError> {
        let waited = self.inner.desk.answer_within_s;
        self.send_back_where(
            |c| c.answer_deadline.is_some_and(|d| d <= now),
            |_| Reason {
                code: ReasonCode::Unanswered,
                text: format!("not answered within {waited} s"),
                evidence: None,
            },
            "could not answer",
        )
        .await
    }

    /// Sends every conversation `agent` holds back to the front of the queue
    /// (their account was removed); returns how many.
    pub async fn requeue_held_by(&self, agent: &str) -> Result<usize, HubError> {
        self.send_back_where(
            |c| c.record.check_held_by(agent).is_ok(),
            |agent| Reason {
                code: ReasonCode::AgentRemoved,
                text: format!("{agent} is no longer on the team"),
                evidence: None,
            },
            "is no longer available",
        )
        .await
    }

    /// Sends each held conversation that `chosen` picks back to the front of
    /// the queue, with the reason `reason(holder)`; see [`send_back`].
    async fn send_back_where(
        &self,
        chosen: impl Fn(&LiveConversation) -> bool,
        reason: impl Fn(&str) -> Reason,
        why: &str,
    ) -> Result<usize, HubError> {
        let picked: Vec<Uuid> = self
            .live()
            .conversations
            .values()
            .filter(|c| c.record.status == Status::Assigned && chosen(c))
            .map(|c| c.record.id)
            .collect();
        let mut count = 0;
        for id in picked {
            // Each under its own hold: in cluster mode another node may
            // have answered or closed it meanwhile, so look again.
            let hold = self.hold(id, None).await?;
            let deliveries = {
                let mut live = self.live();
                let store = &self.inner.store;
                let mut deliveries = Deliveries::default();
                let holder = live
                    .conversations
                    .get(&id)
                    .filter(|c| c.record.status == Status::Assigned && chosen(c))
                    .and_then(|c| c.record.assigned_to.clone());
                if let Some(holder) = holder {
                    send_back(store, &mut live, id, reason(&holder), why, &mut deliveries)?;
                    tracing::info!(conversation = %id, agent = %holder, why, "back to the queue");
                    live.queue_changed(&mut deliveries);
                    live.agents_changed(&self.inner.desk, &mut deliveries);
                    count += 1;
                }
                deliveries
            };
            self.commit_held(hold, deliveries).await?;
        }
        Ok(count)
    }

    /// Checks answer deadlines every second until the server stops.
    pub async fn run_desk_clock(self, mut shutdown: watch::Receiver<bool>) {
        if self.inner.desk.answer_within_s == 0 {
            return;
        }
        let mut tick = tokio::time::interval(DESK_CLOCK_PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                // In cluster mode only the leader keeps the time, so a
                // deadline fires once.
                _ = tick.tick() => {
                    if !self.leads() {
                        continue;
                    }
                    if let Err(e) = self.requeue_unanswered(Instant::now()).await {
                        tracing::error!(error = %e, "checking answer deadlines failed");
                    }
                }
                _ = crate::shutdown::stopping(&mut shutdown) => break,
            }
        }
    }
}

/// Sends a held conversation back to the front of the queue with `reason`,
/// tells the visitor (`agent_left` and a line "<agent> <why>; you're back at
/// the front of the line") and the agent (`requeued`). Returns the agent.
/// Called with the hub lock held.
fn send_back(
    store: &Store,
    live: &mut Live,
    id: Uuid,
    reason: Reason,
    why: &str,
    deliveries: &mut Deliveries,
) -> Result<String, HubError> {
    let c = live.conversation_mut(id)?;
    c.set_answer_deadline(None);
    let agent = c.record.requeue(reason)?;
    let line = append(
        store,
        c,
        Line::system(&format!(
            "{agent} {why}; you're back at the front of the line"
        )),
        OffsetDateTime::now_utc(),
    )?;
    deliveries.for_visitors(
        c,
        VisitorEvent::AgentLeft {
            agent: AgentView {
                name: agent.clone(),
            },
        },
    );
    deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
    live.for_agent(
        deliveries,
        &agent,
        AgentEvent::Requeued {
            conversation_id: id.to_string(),
        },
    );
    Ok(agent)
}
