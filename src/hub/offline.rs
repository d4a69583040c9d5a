//! When nobody can answer: business hours, no agent signed in, and the
//! messages visitors leave for the team instead of waiting in vain.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{say, AgentFrame, Deliveries, Hub, HubError, Line, Live};
use crate::protocol::{AgentEvent, OfflineMessageView, OfflineReason, VisitorEvent};
use crate::store::{OfflineMessage, StoreError};

/// Whether a person can take a conversation now.
pub(super) enum Availability {
    /// Within hours (or none set) and someone is signed in.
    Open,
    /// Within hours, but nobody is signed in: queue, and offer a message.
    NoAgents,
    /// Outside business hours (described): do not queue; offer a message.
    Closed(String),
}

impl Availability {
    /// Whether the visitor must not be queued.
    pub(super) fn is_closed(&self) -> bool {
        matches!(self, Availability::Closed(_))
    }

    /// The frame that tells the visitor, if any.
    pub(super) fn notice(&self, hours: Option<String>) -> Option<VisitorEvent> {
        match self {
            Availability::Open => None,
            Availability::NoAgents => Some(VisitorEvent::Offline {
                reason: OfflineReason::NoAgents,
                hours,
            }),
            Availability::Closed(_) => Some(VisitorEvent::Offline {
                reason: OfflineReason::ClosedHours,
                hours,
            }),
        }
    }

    /// What the bot says instead of handing over when the desk is closed.
    pub(super) fn closed_reply(&self) -> Option<String> {
        match self {
            Availability::Closed(hours) => Some(format!(
                "Our team isn't at the desk right now — we're here {hours}. \
                 Leave your email and a message, and we'll write back."
            )),
            _ => None,
        }
    }
}

impl Hub {
    /// Availability at this moment, given who is signed in.
    pub(super) fn availability(&self, live: &Live) -> Availability {
        if let Some(hours) = &self.inner.hours {
            if !hours.is_open(jiff::Timestamp::now()) {
                return Availability::Closed(hours.describe());
            }
        }
        // Signed in but away counts as nobody: the visitor must not wait
        // for someone who is not taking chats.
        if live.agents_available() == 0 {
            Availability::NoAgents
        } else {
            Availability::Open
        }
    }

    /// The business hours in words, if set.
    pub(super) fn hours_text(&self) -> Option<String> {
        self.inner.hours.as_ref().map(|h| h.describe())
    }

    /// Stores a message the visitor leaves for the team; every console sees
    /// it in its list of messages to answer.
    pub async fn leave_message(
        &self,
        connection: u64,
        email: &str,
        text: &str,
    ) -> Result<(), HubError> {
        let hold = self.hold_shown(connection).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.visitor_conversation_mut(connection)?;
            let conversation = c.record.id;
            let now = OffsetDateTime::now_utc();
            store.put_offline_message(&OfflineMessage {
                id: Uuid::new_v4(),
                conversation,
                email: email.to_owned(),
                text: text.to_owned(),
                at: now,
                handled: false,
            })?;
            let mut deliveries = Deliveries::default();
            say(
                store,
                c,
                Line::system(&format!(
                    "Message left for the team: “{text}”. We'll reply to {email}."
                )),
                now,
                &mut deliveries,
            )?;
            deliveries.for_visitors(c, VisitorEvent::MessageLeft);
            Hub::offline_changed(&live, &mut deliveries);
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }

    /// An agent marks a left message as handled.
    pub async fn resolve_offline(&self, id: Uuid) -> Result<(), HubError> {
        if !self.inner.store.resolve_offline_message(id).await? {
            return Err(HubError::NotFound);
        }
        if let Some(pg) = self.inner.store.cluster() {
            // Written directly, not in a batch: tell the other nodes here.
            if let Err(e) = pg.offline_changed().await {
                tracing::warn!(error = %e, "telling the other nodes of a handled message failed");
            }
        }
        let mut deliveries = Deliveries::default();
        Hub::offline_changed(&self.live(), &mut deliveries);
        self.commit(deliveries).await
    }

    /// The open left messages, as agents see them.
    pub(super) async fn offline_view(&self) -> Result<AgentEvent, StoreError> {
        let entries = self
            .inner
            .store
            .open_offline_messages()
            .await?
            .into_iter()
            .map(|m| OfflineMessageView {
                id: m.id.to_string(),
                conversation_id: m.conversation.to_string(),
                email: m.email,
                text: m.text,
                at: m.at,
            })
            .collect();
        Ok(AgentEvent::OfflineMessages { entries })
    }

    /// Another node wrote a left message (cluster mode): every console
    /// here gets the new list.
    pub(super) async fn offline_changed_elsewhere(&self) {
        let mut deliveries = Deliveries::default();
        Self::offline_changed(&self.live(), &mut deliveries);
        self.read_frames(&mut deliveries).await;
        deliveries.deliver(self);
    }

    /// Every console gets the new list of left messages (read once the
    /// change is durable).
    fn offline_changed(live: &Live, deliveries: &mut Deliveries) {
        for (conn, a) in &live.agents {
            deliveries
                .agents
                .push((*conn, a.outbox.events.clone(), AgentFrame::OfflineMessages));
        }
    }
}
