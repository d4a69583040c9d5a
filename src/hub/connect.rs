//! A visitor socket arriving and leaving: a new conversation (kept in
//! memory until its first line), a resumed one (by resume token, from the
//! store or another tab), the greeting with the newest page of history, and
//! older pages on request.

use super::*;
use crate::agents;
use crate::protocol::{AgentView, MessageView, HISTORY_PAGE};

impl Hub {
    /// Attaches a visitor socket to the conversation of `resume_token`, or to
    /// a new conversation when the token is absent or unknown.
    pub fn connect_visitor(
        &self,
        resume_token: Option<&str>,
        outbox: Outbox<VisitorEvent>,
    ) -> Result<VisitorSession, HubError> {
        let store = &self.inner.store;
        let connection = self.connection_id();
        let mut live = self.live();
        let existing = match resume_token {
            Some(token) => match store.conversation_by_token(token)? {
                Some(record) => Some(record),
                // Another tab's conversation, nothing written yet.
                None => live
                    .unstored_tokens
                    .get(token)
                    .and_then(|id| live.conversations.get(id))
                    .map(|c| c.record.clone()),
            },
            None => None,
        };
        let resumed = existing.is_some();
        let record = match existing {
            Some(record) => live
                .conversations
                .get(&record.id)
                .map(|c| c.record.clone())
                .unwrap_or(record),
            None => {
                // Stored with its first line (see `LiveConversation::stored`).
                let record = ConversationRecord::new(
                    Uuid::new_v4(),
                    agents::new_token(),
                    OffsetDateTime::now_utc(),
                );
                live.unstored_tokens
                    .insert(record.resume_token.clone(), record.id);
                record
            }
        };
        let id = record.id;
        let (history, more_history) = visible_history(store, &record)?;
        // The conversation before this one, so a reload still shows what
        // the visitor saw above the "New conversation" divider.
        let earlier = match record.earlier_count {
            0 => Vec::new(),
            _ => match store
                .visitor_conversations(record.visitor())?
                .iter()
                .rfind(|c| c.created_at < record.created_at)
            {
                Some(previous) => visible_history(store, previous)?.0,
                None => Vec::new(),
            },
        };
        let mut greeting = vec![VisitorEvent::Welcome {
            conversation_id: id.to_string(),
            resume_token: record.resume_token.clone(),
            resumed,
            status: record.status,
            history,
            more_history,
            survey: record.status == Status::Closed
                && record.assigned_to.is_some()
                && record.csat.is_none(),
            earlier,
        }];
        if record.status == Status::Assigned {
            if let Some(agent) = &record.assigned_to {
                greeting.push(VisitorEvent::AgentJoined {
                    agent: AgentView {
                        name: agent.clone(),
                    },
                });
            }
        }
        live.conversations
            .entry(id)
            .or_insert_with(|| LiveConversation {
                record,
                visitors: HashMap::new(),
                answer_deadline: None,
                stored: resumed,
                place: Default::default(),
            })
            .visitors
            .insert(connection, outbox);
        live.visitor_sockets.insert(connection, id);
        if let Some((position, wait)) = live.queue_position(id) {
            greeting.push(VisitorEvent::Queued {
                position,
                estimated_wait_s: wait,
            });
        }
        Ok(VisitorSession {
            connection,
            conversation: id,
            greeting,
        })
    }

    /// Detaches a visitor socket. A conversation nobody watches and no agent
    /// needs leaves memory; the store keeps it.
    pub fn disconnect_visitor(&self, connection: u64) {
        let mut live = self.live();
        let Some(conversation) = live.visitor_sockets.remove(&connection) else {
            return;
        };
        if let Some(c) = live.conversations.get_mut(&conversation) {
            c.visitors.remove(&connection);
            if c.visitors.is_empty() && matches!(c.record.status, Status::Bot | Status::Closed) {
                live.forget(conversation);
            }
        }
    }
}

/// The newest page of what the visitor may see (no private notes), and
/// whether older lines exist. Lines the record does not count yet (a write
/// a crash cut short) are not shown.
fn visible_history(
    store: &Store,
    record: &ConversationRecord,
) -> Result<(Vec<MessageView>, bool), HubError> {
    let page = store.history_page(record.id, Some(record.next_seq), HISTORY_PAGE, |m| {
        m.from != Sender::Note
    })?;
    Ok((
        page.lines.iter().map(StoredMessage::view).collect(),
        page.more,
    ))
}

impl Hub {
    /// Older lines of the conversation a visitor socket shows.
    pub fn visitor_history(&self, connection: u64, before: u64) -> Result<VisitorEvent, HubError> {
        let conversation = self.live().visitor_conversation(connection)?;
        let (messages, more) = self.history(conversation, before, true)?;
        Ok(VisitorEvent::History { messages, more })
    }
}
