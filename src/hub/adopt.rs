//! Taking in a conversation another node changed (cluster mode): the live
//! copy becomes the stored record, and this node's sockets hear what the
//! change means for them — the same frames the node that decided it sent
//! to its own sockets, worked out from the record before and after and the
//! lines in between.

use super::*;
use crate::protocol::AgentView;

impl Live {
    /// Makes `stored`, with the `lines` written since the live copy's
    /// `next_seq`, the live copy of its conversation, and collects the
    /// frames that tell this node's sockets. A conversation not live here
    /// is taken in only when agents need it (waiting or held).
    pub(super) fn adopt(
        &mut self,
        stored: ConversationRecord,
        lines: Vec<StoredMessage>,
        desk: &DeskPolicy,
        deliveries: &mut Deliveries,
    ) {
        let id = stored.id;
        let Some(c) = self.conversations.get_mut(&id) else {
            if stored.status == Status::Closed {
                // A closed chat is written again only by its rating: the
                // agent who closed it hears of it here too.
                self.rated(deliveries, &stored);
                return;
            }
            if !matches!(stored.status, Status::Queued | Status::Assigned) {
                return;
            }
            let holder = held_by(&stored).map(str::to_owned);
            let record = Box::new(stored.clone());
            self.tokens.insert(stored.resume_token.clone(), id);
            self.admit(LiveConversation {
                answer_deadline: deadline_of(&stored),
                record: stored,
                visitors: HashMap::new(),
                stored: true,
                place: Default::default(),
                recent_client_ids: Vec::new(),
                client_ids_complete: false,
            });
            if let Some(holder) = holder {
                self.gained(deliveries, &holder, record);
                self.agents_changed(desk, deliveries);
            }
            self.queue_changed(deliveries);
            return;
        };
        self.queue.touch(id);
        c.answer_deadline = deadline_of(&stored);
        c.stored = true;
        // Lines another node wrote: their client ids are not in memory.
        c.client_ids_complete &= lines.iter().all(|l| l.client_id.is_none());
        let old = std::mem::replace(&mut c.record, stored);
        let new = &c.record;
        let (was, now) = (held_by(&old), held_by(new));
        let id_text = id.to_string();

        // The visitor: who has them, then the lines, then a close.
        if was != now {
            match (was, now) {
                (_, Some(agent)) => deliveries.for_visitors(c, agent_joined(agent)),
                (Some(agent), None) if new.status != Status::Closed => deliveries.for_visitors(
                    c,
                    VisitorEvent::AgentLeft {
                        agent: AgentView {
                            name: agent.to_owned(),
                        },
                    },
                ),
                _ => {}
            }
        }
        if old.status == Status::Queued && new.status == Status::Bot {
            deliveries.for_visitors(c, VisitorEvent::LeftQueue);
        }
        for line in lines.iter().filter(|l| l.from != Sender::Note) {
            deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
        }
        if new.status == Status::Closed && old.status != Status::Closed {
            let survey = new.assigned_to.is_some();
            deliveries.for_visitors(c, VisitorEvent::Closed { survey });
        }
        if new.csat != old.csat {
            if let Some(score) = new.csat.as_ref().map(|r| r.score) {
                deliveries.for_visitors(c, VisitorEvent::Rated { score });
            }
        }

        // The agents: whoever gained it gets its view (its lines included);
        // whoever keeps it gets the new lines; whoever lost it hears how.
        let record = Box::new(new.clone());
        let rating = new.csat != old.csat;
        let record_now = record.clone();
        let closed_now = new.status == Status::Closed && old.status != Status::Closed;
        let leaves = c.visitors.is_empty() && matches!(new.status, Status::Bot | Status::Closed);
        let queue_moved = old.status == Status::Queued || new.status == Status::Queued;
        // A chat a person held, closed: how long it took (as `close` counts).
        let handled_for = new
            .assigned_at
            .filter(|_| closed_now && old.status == Status::Assigned)
            .map(|at| (new.closed_at.unwrap_or(at) - at).whole_seconds().max(0) as u64);
        let new_status = new.status;
        let (was, now) = (was.map(str::to_owned), now.map(str::to_owned));
        match (&was, &now) {
            (_, Some(agent)) if was != now => self.gained(deliveries, agent, record),
            (_, Some(agent)) => {
                for line in &lines {
                    self.for_agent(
                        deliveries,
                        agent,
                        AgentEvent::Message {
                            conversation_id: id_text.clone(),
                            message: line.view(),
                        },
                    );
                }
            }
            _ => {}
        }
        if let Some(agent) = was.as_deref().filter(|_| was != now) {
            let event = if closed_now {
                AgentEvent::Closed {
                    conversation_id: id_text.clone(),
                }
            } else if new_status == Status::Queued {
                AgentEvent::Requeued {
                    conversation_id: id_text.clone(),
                }
            } else {
                AgentEvent::HandedOff {
                    conversation_id: id_text.clone(),
                    to: now.clone(),
                }
            };
            self.for_agent(deliveries, agent, event);
        }
        if was != now {
            self.agents_changed(desk, deliveries);
        }
        if let Some(secs) = handled_for {
            // Every node's wait estimates follow how long chats take,
            // wherever they were closed.
            self.handling.record(secs);
            self.visitor_positions(deliveries);
        }
        if queue_moved {
            self.queue_changed(deliveries);
        }
        if rating {
            self.rated(deliveries, &record_now);
        }
        if leaves {
            self.forget(id);
        }
    }

    /// The agent a closed conversation's rating names hears it.
    fn rated(&self, deliveries: &mut Deliveries, record: &ConversationRecord) {
        let Some(csat) = record.csat.clone() else {
            return;
        };
        if let Some(agent) = csat.agent.clone() {
            let conversation_id = record.id.to_string();
            self.for_agent(
                deliveries,
                &agent,
                AgentEvent::Rated {
                    conversation_id,
                    csat,
                },
            );
        }
    }

    /// `agent`'s consoles hear they hold a conversation, and get its view.
    fn gained(&self, deliveries: &mut Deliveries, agent: &str, record: Box<ConversationRecord>) {
        let conversation_id = record.id.to_string();
        self.for_agent(deliveries, agent, AgentEvent::Claimed { conversation_id });
        self.frame_for_agent(deliveries, agent, AgentFrame::View(record));
    }
}

fn agent_joined(agent: &str) -> VisitorEvent {
    VisitorEvent::AgentJoined {
        agent: AgentView {
            name: agent.to_owned(),
        },
    }
}

/// Who holds the conversation, if a person does.
fn held_by(record: &ConversationRecord) -> Option<&str> {
    record
        .assigned_to
        .as_deref()
        .filter(|_| record.status == Status::Assigned)
}

/// The tokio deadline of a record's answer deadline (see `Hub::new`).
pub(super) fn deadline_of(record: &ConversationRecord) -> Option<tokio::time::Instant> {
    record
        .answer_by
        .filter(|_| record.status == Status::Assigned)
        .map(|by| {
            let left =
                std::time::Duration::try_from(by - OffsetDateTime::now_utc()).unwrap_or_default();
            tokio::time::Instant::now() + left
        })
}
