//! The agent desk on top of the switchboard: private notes, transfers,
//! handing back to the bot, typing indicators, stopping the wait, and the
//! satisfaction rating after a close.
//!
//! Each operation follows the hub's three steps (decide and write under the
//! lock, flush, deliver); typing indicators are the exception — they are
//! never stored, so they skip the flush and are simply forwarded.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{append, AgentFrame, Deliveries, Hub, HubError, Line, Stored};
use crate::empathy::policy;
use crate::protocol::{AgentEvent, AgentView, Status, VisitorEvent};

impl Hub {
    /// The visitor stops waiting for a person and goes back to the bot.
    pub async fn cancel_wait(&self, connection: u64) -> Result<(), HubError> {
        let intents = self.intents();
        let hold = self.hold_shown(connection).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.visitor_conversation_mut(connection)?;
            c.record.cancel_wait()?;
            let line = append(
                store,
                c,
                Line::bot(&intents,
                    "No problem — I'm here. Ask me anything, or ask for a person again whenever you like.",
                )
                .quick_replies(vec![policy::TALK_TO_A_PERSON.to_owned()]),
                OffsetDateTime::now_utc(),
            )?;
            let mut deliveries = Deliveries::default();
            deliveries.for_visitors(c, VisitorEvent::LeftQueue);
            deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
            live.queue_changed(&mut deliveries);
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }

    /// A private note: stored with the conversation, shown to agents only.
    /// Any agent may note on a queued conversation; on an assigned one, only
    /// the holder.
    pub async fn note(
        &self,
        agent: &str,
        conversation: Uuid,
        client_id: &str,
        text: &str,
    ) -> Result<Stored, HubError> {
        let hold = self.hold(conversation, None).await?;
        let resent = self.stored_before(&hold, conversation, client_id).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.conversation_mut(conversation)?;
            match c.record.status {
                Status::Assigned => c.record.check_held_by(agent)?,
                Status::Queued => {}
                Status::Bot | Status::Closed => return Err(HubError::NotAssigned),
            }
            if resent || c.wrote_lately(client_id) {
                None
            } else {
                append(
                    store,
                    c,
                    Line::note(agent.to_owned(), text).client_id(client_id),
                    OffsetDateTime::now_utc(),
                )?;
                Some(Deliveries::default())
            }
        };
        self.commit_stored(hold, deliveries).await
    }

    /// The holder hands the conversation to another signed-in agent, with an
    /// optional note that only agents see.
    pub async fn transfer(
        &self,
        agent: &str,
        conversation: Uuid,
        to: &str,
        note: Option<&str>,
    ) -> Result<(), HubError> {
        let hold = self.hold(conversation, Some(to)).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            if !live.online_names().contains(&to) {
                return Err(HubError::AgentUnavailable(to.to_owned()));
            }
            let held = hold.agent_holds.unwrap_or_else(|| live.held_by(to));
            if held >= self.inner.desk.max_chats_of(to) {
                return Err(HubError::AtCapacity(self.inner.desk.max_chats_of(to)));
            }
            let within = self.answer_within();
            let c = live.conversation_mut(conversation)?;
            c.record.transfer(agent, to)?;
            c.set_answer_deadline(within);
            let now = OffsetDateTime::now_utc();
            if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
                append(store, c, Line::note(agent.to_owned(), note), now)?;
            }
            let line = append(
                store,
                c,
                Line::system(&format!("{to} joined the chat")),
                now,
            )?;
            let mut deliveries = Deliveries::default();
            deliveries.for_visitors(
                c,
                VisitorEvent::AgentJoined {
                    agent: AgentView {
                        name: to.to_owned(),
                    },
                },
            );
            deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
            let record = Box::new(c.record.clone());
            let id = conversation.to_string();
            live.for_agent(
                &mut deliveries,
                agent,
                AgentEvent::HandedOff {
                    conversation_id: id.clone(),
                    to: Some(to.to_owned()),
                },
            );
            live.for_agent(
                &mut deliveries,
                to,
                AgentEvent::Claimed {
                    conversation_id: id,
                },
            );
            live.frame_for_agent(&mut deliveries, to, AgentFrame::View(record));
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }

    /// The holder hands the conversation back to the bot.
    pub async fn release(&self, agent: &str, conversation: Uuid) -> Result<(), HubError> {
        let hold = self.hold(conversation, None).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.conversation_mut(conversation)?;
            c.record.release(agent)?;
            let line = append(
                store,
                c,
                Line::system(&format!("{agent} handed the chat back to the bot")),
                OffsetDateTime::now_utc(),
            )?;
            let mut deliveries = Deliveries::default();
            deliveries.for_visitors(
                c,
                VisitorEvent::AgentLeft {
                    agent: AgentView {
                        name: agent.to_owned(),
                    },
                },
            );
            deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
            live.for_agent(
                &mut deliveries,
                agent,
                AgentEvent::HandedOff {
                    conversation_id: conversation.to_string(),
                    to: None,
                },
            );
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }

    /// The visitor rates a closed conversation, 1 to 5, with optional words.
    pub async fn rate(
        &self,
        connection: u64,
        score: u8,
        comment: Option<String>,
    ) -> Result<(), HubError> {
        let hold = self.hold_shown(connection).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.visitor_conversation_mut(connection)?;
            let conversation = c.record.id;
            let csat = c.record.rate(score, comment, OffsetDateTime::now_utc())?;
            store.save_conversation(&c.record)?;
            let mut deliveries = Deliveries::default();
            deliveries.for_visitors(c, VisitorEvent::Rated { score });
            if let Some(agent) = csat.agent.clone() {
                live.for_agent(
                    &mut deliveries,
                    &agent,
                    AgentEvent::Rated {
                        conversation_id: conversation.to_string(),
                        csat,
                    },
                );
            }
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }

    /// Forwards the visitor's typing state to the agent holding the chat.
    pub fn visitor_typing(&self, connection: u64, active: bool) {
        let mut deliveries = Deliveries::default();
        {
            let live = self.live();
            let Ok(conversation) = live.visitor_conversation(connection) else {
                return;
            };
            let Some(c) = live.conversations.get(&conversation) else {
                return;
            };
            if c.record.status == Status::Assigned {
                self.typing_elsewhere(conversation, true, active);
            }
            if let (Status::Assigned, Some(agent)) = (c.record.status, &c.record.assigned_to) {
                live.for_agent(
                    &mut deliveries,
                    agent,
                    AgentEvent::Typing {
                        conversation_id: conversation.to_string(),
                        active,
                    },
                );
            }
        }
        deliveries.deliver(self);
    }

    /// Forwards the holder's typing state to the visitor.
    pub fn agent_typing(
        &self,
        agent: &str,
        conversation: Uuid,
        active: bool,
    ) -> Result<(), HubError> {
        let mut deliveries = Deliveries::default();
        {
            let live = self.live();
            let c = live
                .conversations
                .get(&conversation)
                .ok_or(HubError::NotFound)?;
            c.record.check_held_by(agent)?;
            deliveries.for_visitors(c, VisitorEvent::Typing { active });
            self.typing_elsewhere(conversation, false, active);
        }
        deliveries.deliver(self);
        Ok(())
    }
}
