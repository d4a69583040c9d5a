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
    ///
    /// The store is read outside the hub lock: first the token's stored
    /// conversation, then, once the socket is attached, the history up to
    /// the conversation's `next_seq` at that moment. Lines after it reach
    /// the socket through its outbox, so none is missed or shown twice.
    pub async fn connect_visitor(
        &self,
        resume_token: Option<&str>,
        outbox: Outbox<VisitorEvent>,
    ) -> Result<VisitorSession, HubError> {
        let store = &self.inner.store;
        let connection = self.connection_id();
        let stored = match resume_token {
            Some(token) => store.conversation_by_token(token).await?,
            None => None,
        };
        let live_here = stored
            .as_ref()
            .is_some_and(|r| self.live().conversations.contains_key(&r.id));
        if let Some(record) = stored.as_ref().filter(|_| live_here) {
            // Cluster mode: another node may have written to it a moment
            // ago; bring the live copy up to date before showing it (the
            // store's copy, just read, is new enough otherwise).
            self.hold(record.id, None).await?.release().await;
        }
        let (record, resumed, place) = {
            let mut live = self.live();
            // The live conversation of the token is the newest (a follow-up
            // may not be stored yet), then the stored one's live copy.
            let live_id = resume_token
                .and_then(|token| live.tokens.get(token).copied())
                .or(stored.as_ref().map(|r| r.id))
                .filter(|id| live.conversations.contains_key(id));
            let (record, resumed) = match (live_id, stored) {
                (Some(id), _) => (live.conversations[&id].record.clone(), true),
                (None, Some(record)) => (record, true),
                (None, None) => (
                    // Stored with its first line (see `LiveConversation::stored`).
                    ConversationRecord::new(
                        Uuid::new_v4(),
                        agents::new_token(),
                        OffsetDateTime::now_utc(),
                    ),
                    false,
                ),
            };
            let id = record.id;
            if !live.conversations.contains_key(&id) {
                live.tokens.insert(record.resume_token.clone(), id);
                // A conversation resumed from the store may wait in the
                // queue: `admit` has the queue look at it.
                live.admit(LiveConversation {
                    record: record.clone(),
                    visitors: HashMap::new(),
                    answer_deadline: None,
                    stored: resumed,
                    place: Default::default(),
                    recent_client_ids: Vec::new(),
                    // A new conversation has no lines yet; a resumed one
                    // has lines only the store knows.
                    client_ids_complete: !resumed,
                });
            }
            if let Some(c) = live.conversations.get_mut(&id) {
                c.visitors.insert(connection, outbox);
            }
            live.visitor_sockets.insert(connection, id);
            (record, resumed, live.queue_position(id))
        };
        match self.visitor_greeting(&record, resumed, place).await {
            Ok(greeting) => Ok(VisitorSession {
                connection,
                conversation: record.id,
                greeting,
            }),
            Err(e) => {
                self.disconnect_visitor(connection);
                Err(e)
            }
        }
    }

    /// What a visitor socket hears first: `welcome` with the newest page of
    /// history (and the conversation before, if any), then who has it or
    /// its place in line.
    async fn visitor_greeting(
        &self,
        record: &ConversationRecord,
        resumed: bool,
        place: Option<(usize, u64)>,
    ) -> Result<Vec<VisitorEvent>, HubError> {
        let store = &self.inner.store;
        let id = record.id;
        let (history, more_history) = visible_history(store, record).await?;
        // The conversation before this one, so a reload still shows what
        // the visitor saw above the "New conversation" divider.
        let earlier = match record.earlier_count {
            0 => Vec::new(),
            _ => match store
                .visitor_conversations(record.visitor())
                .await?
                .iter()
                .rfind(|c| c.created_at < record.created_at)
            {
                Some(previous) => visible_history(store, previous).await?.0,
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
        if let Some((position, wait)) = place {
            greeting.push(VisitorEvent::Queued {
                position,
                estimated_wait_s: wait,
            });
        }
        Ok(greeting)
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
async fn visible_history(
    store: &Store,
    record: &ConversationRecord,
) -> Result<(Vec<MessageView>, bool), HubError> {
    let page = store
        .history_page(record.id, Some(record.next_seq), HISTORY_PAGE, |m| {
            m.from != Sender::Note
        })
        .await?;
    Ok((
        page.lines.iter().map(StoredMessage::view).collect(),
        page.more,
    ))
}

impl Hub {
    /// Older lines of the conversation a visitor socket shows.
    pub async fn visitor_history(
        &self,
        connection: u64,
        before: u64,
    ) -> Result<VisitorEvent, HubError> {
        let conversation = self.live().visitor_conversation(connection)?;
        let (messages, more) = self.history(conversation, before, true).await?;
        Ok(VisitorEvent::History { messages, more })
    }
}
