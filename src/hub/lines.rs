//! Adding lines to a conversation: a line's parts, and the writes that
//! store it with its conversation record.

use super::*;

/// A chat line about to be stored: who says it and what, plus the optional
/// parts (quick replies, the sender's id, the intent it was read as).
pub(super) struct Line<'a> {
    pub(super) from: Sender,
    pub(super) author: Option<String>,
    pub(super) text: &'a str,
    pub(super) quick_replies: Vec<String>,
    pub(super) client_id: Option<&'a str>,
    pub(super) intent: Option<String>,
}

impl<'a> Line<'a> {
    pub(super) fn new(from: Sender, author: Option<String>, text: &'a str) -> Self {
        Line {
            from,
            author,
            text,
            quick_replies: Vec::new(),
            client_id: None,
            intent: None,
        }
    }

    /// Tandem itself: "sam joined the chat".
    pub(super) fn system(text: &'a str) -> Self {
        Line::new(Sender::System, None, text)
    }

    /// The bot, under its name.
    pub(super) fn bot(intents: &IntentSet, text: &'a str) -> Self {
        Line::new(Sender::Bot, Some(intents.policy.bot.name.clone()), text)
    }

    /// The visitor.
    pub(super) fn visitor(text: &'a str) -> Self {
        Line::new(Sender::Visitor, None, text)
    }

    /// An agent's reply, shown to the visitor.
    pub(super) fn agent(name: String, text: &'a str) -> Self {
        Line::new(Sender::Agent, Some(name), text)
    }

    /// An agent's private note, never shown to the visitor.
    pub(super) fn note(name: String, text: &'a str) -> Self {
        Line::new(Sender::Note, Some(name), text)
    }

    pub(super) fn quick_replies(mut self, quick_replies: Vec<String>) -> Self {
        self.quick_replies = quick_replies;
        self
    }

    /// The sender's own id, for acks and deduplication.
    pub(super) fn client_id(mut self, id: &'a str) -> Self {
        self.client_id = Some(id);
        self
    }

    /// The intent a visitor line was read as (for reports).
    pub(super) fn intent(mut self, intent: Option<String>) -> Self {
        self.intent = intent;
        self
    }
}

/// Appends a line for the visitor to see and queues its delivery to the
/// conversation's visitor sockets.
pub(super) fn say(
    store: &Store,
    c: &mut LiveConversation,
    line: Line<'_>,
    at: OffsetDateTime,
    deliveries: &mut Deliveries,
) -> Result<StoredMessage, StoreError> {
    let stored = append(store, c, line, at)?;
    deliveries.for_visitors(c, VisitorEvent::Message(stored.view()));
    Ok(stored)
}

/// Appends one line to a live conversation and the store.
pub(super) fn append(
    store: &Store,
    c: &mut LiveConversation,
    line: Line<'_>,
    at: OffsetDateTime,
) -> Result<StoredMessage, StoreError> {
    let mut written = append_all(store, c, [line], at)?;
    Ok(written.remove(0))
}

/// Appends lines to a live conversation and writes them, with the record,
/// in one transaction. If the write fails, the line numbers taken are
/// given back, so the conversation has no gap when the store recovers.
pub(super) fn append_all<'a>(
    store: &Store,
    c: &mut LiveConversation,
    lines: impl IntoIterator<Item = Line<'a>>,
    at: OffsetDateTime,
) -> Result<Vec<StoredMessage>, StoreError> {
    if !c.stored {
        store.create_conversation(&c.record)?;
        c.stored = true;
    }
    let first = c.record.next_seq;
    let messages: Vec<StoredMessage> = lines
        .into_iter()
        .map(|line| StoredMessage {
            seq: c.record.take_seq(),
            client_id: line.client_id.map(str::to_owned),
            from: line.from,
            author: line.author,
            text: line.text.to_owned(),
            quick_replies: line.quick_replies,
            at,
            intent: line.intent,
        })
        .collect();
    if let Err(e) = store.append_messages(&c.record, &messages) {
        c.record.next_seq = first;
        return Err(e);
    }
    for m in &messages {
        if let Some(id) = m.client_id.as_deref() {
            c.remember_client_id(id, m.seq);
        }
    }
    Ok(messages)
}

/// How many client ids a live conversation remembers ([`LiveConversation`]'s
/// `recent_client_ids`): far more lines than a client can have in flight,
/// since each waits for its write to be durable before its ack.
const RECENT_CLIENT_IDS: usize = 16;

impl LiveConversation {
    /// Whether a line with `client_id` was written here lately.
    pub(super) fn wrote_lately(&self, client_id: &str) -> bool {
        self.recent_client_ids
            .iter()
            .any(|(id, _)| id.as_ref() == client_id)
    }

    fn remember_client_id(&mut self, client_id: &str, seq: u64) {
        if self.recent_client_ids.len() == RECENT_CLIENT_IDS {
            self.recent_client_ids.remove(0);
            // The store now knows an id these do not.
            self.client_ids_complete = false;
        }
        self.recent_client_ids.push((client_id.into(), seq));
    }
}
