//! The agent's side of the switchboard: connecting a console, opening a
//! conversation, claiming it, replying, and closing it.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{say, AgentConnection, AgentSession, Deliveries, Hub, HubError, Line, Outbox, Stored};
use crate::conversation::ConversationRecord;
use crate::protocol::{AgentEvent, AgentView, Role, Status, VisitorEvent};

impl Hub {
    /// Attaches an agent socket.
    pub async fn connect_agent(
        &self,
        name: &str,
        role: Role,
        outbox: Outbox<AgentEvent>,
    ) -> Result<AgentSession, HubError> {
        let connection = self.connection_id();
        let (mut greeting, held, deliveries) = {
            let mut live = self.live();
            live.agents.insert(
                connection,
                AgentConnection {
                    name: name.to_owned(),
                    outbox,
                },
            );
            live.statuses.entry(name.to_owned()).or_default();
            let greeting = vec![
                AgentEvent::Hello {
                    agent: AgentView {
                        name: name.to_owned(),
                    },
                    role,
                },
                live.queue_view(),
            ];
            let held: Vec<ConversationRecord> = live
                .conversations
                .values()
                .filter(|c| {
                    c.record.status == Status::Assigned
                        && c.record.assigned_to.as_deref() == Some(name)
                })
                .map(|c| c.record.clone())
                .collect();
            // Others' wait estimates shrink with one more agent online, and
            // everyone's transfer list grows.
            let mut deliveries = Deliveries::default();
            live.visitor_positions(&mut deliveries);
            live.agents_changed(&self.inner.desk, &mut deliveries);
            (greeting, held, deliveries)
        };
        // Read outside the lock. Each view holds the lines before the
        // record's `next_seq` as it stood above; later lines reach this
        // socket through its outbox, registered above, so none is missed
        // or shown twice.
        let read = async {
            let mut read = Vec::with_capacity(held.len() + 1);
            for record in &held {
                read.push(AgentEvent::Conversation(self.view(record).await?));
            }
            read.push(self.offline_view().await?);
            Ok::<_, HubError>(read)
        };
        match read.await {
            Ok(read) => greeting.extend(read),
            Err(e) => {
                self.disconnect_agent(connection);
                return Err(e);
            }
        }
        greeting.push(AgentEvent::Canned {
            replies: self.intents().canned.clone(),
        });
        deliveries.deliver(self);
        self.presence_changed();
        // A new agent may take waiting conversations (auto mode).
        self.rebalance_soon();
        Ok(AgentSession {
            connection,
            greeting,
        })
    }

    /// Detaches an agent socket.
    pub fn disconnect_agent(&self, connection: u64) {
        let mut deliveries = Deliveries::default();
        {
            let mut live = self.live();
            let Some(gone) = live.agents.remove(&connection) else {
                return;
            };
            if !live.agents.values().any(|a| a.name == gone.name) {
                live.statuses.remove(&gone.name);
            }
            live.agents_changed(&self.inner.desk, &mut deliveries);
            // One fewer agent may lengthen every waiting visitor's estimate.
            live.visitor_positions(&mut deliveries);
        }
        deliveries.deliver(self);
        self.presence_changed();
    }

    /// A conversation's full view, for `open`.
    pub async fn open(&self, conversation: Uuid) -> Result<AgentEvent, HubError> {
        let live = self
            .live()
            .conversations
            .get(&conversation)
            .map(|c| c.record.clone());
        let record = match live {
            Some(record) => record,
            None => self
                .inner
                .store
                .conversation(conversation)
                .await?
                .ok_or(HubError::NotFound)?,
        };
        Ok(AgentEvent::Conversation(self.view(&record).await?))
    }

    /// `agent` takes `conversation` from the queue. Exactly one claim wins.
    pub async fn claim(&self, agent: &str, conversation: Uuid) -> Result<(), HubError> {
        let hold = self.hold(conversation, Some(agent)).await?;
        let deliveries = {
            let mut live = self.live();
            let mut deliveries = Deliveries::default();
            self.assign_locked(&mut live, conversation, agent, &hold, &mut deliveries)?;
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }

    /// An agent's reply in a conversation they hold.
    pub async fn agent_message(
        &self,
        agent: &str,
        conversation: Uuid,
        client_id: &str,
        text: &str,
    ) -> Result<Stored, HubError> {
        crate::metrics::message_received(crate::metrics::Role::Agent);
        let hold = self.hold(conversation, None).await?;
        let resent = self.stored_before(&hold, conversation, client_id).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.conversation_mut(conversation)?;
            c.record.check_held_by(agent)?;
            // The first reply meets the answer deadline.
            c.set_answer_deadline(None);
            if resent || c.wrote_lately(client_id) {
                None
            } else {
                c.room_for_a_line()?;
                let mut deliveries = Deliveries::default();
                say(
                    store,
                    c,
                    Line::agent(agent.to_owned(), text).client_id(client_id),
                    OffsetDateTime::now_utc(),
                    &mut deliveries,
                )?;
                Some(deliveries)
            }
        };
        self.commit_stored(hold, deliveries).await
    }

    /// Ends a conversation.
    pub async fn close(&self, agent: &str, conversation: Uuid) -> Result<(), HubError> {
        let hold = self.hold(conversation, None).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.conversation_mut(conversation)?;
            let was_queued = c.record.status == Status::Queued;
            let holder = c.record.assigned_to.clone();
            c.record.close(agent, OffsetDateTime::now_utc())?;
            c.set_answer_deadline(None);
            let handled_for = c
                .record
                .assigned_at
                .filter(|_| !was_queued)
                .map(|at| (OffsetDateTime::now_utc() - at).whole_seconds().max(0) as u64);
            let mut deliveries = Deliveries::default();
            say(
                store,
                c,
                Line::system(&format!("{agent} closed the conversation")),
                OffsetDateTime::now_utc(),
                &mut deliveries,
            )?;
            // Ask for a rating only when a person handled the conversation.
            deliveries.for_visitors(
                c,
                VisitorEvent::Closed {
                    survey: holder.is_some(),
                },
            );
            let nobody_watching = c.visitors.is_empty();
            let closed = AgentEvent::Closed {
                conversation_id: conversation.to_string(),
            };
            live.for_agent(&mut deliveries, agent, closed.clone());
            if let Some(holder) = holder.filter(|h| h != agent) {
                live.for_agent(&mut deliveries, &holder, closed);
            }
            if was_queued {
                live.queue_changed(&mut deliveries);
            }
            if nobody_watching {
                live.forget(conversation);
            }
            if let Some(secs) = handled_for {
                // Waiting visitors' estimates follow how long chats take.
                live.handling.record(secs);
                live.visitor_positions(&mut deliveries);
            }
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }
}
