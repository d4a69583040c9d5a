//! Where the hub's frames go: each socket's bounded outbox and its
//! `latest` slot (see the module docs of [`super`]), and the frames an
//! event collects to deliver once its writes are durable.

use super::*;

/// Capacity of each socket's outbox. A client this far behind is
/// disconnected and catches up from history when it reconnects.
pub const OUTBOX_CAPACITY: usize = 64;

/// Where the hub sends a socket's frames: the bounded outbox for frames
/// that each matter, and the `latest` slot for the one kind of frame that
/// supersedes the previous (see module docs). The socket task holds the
/// receiving ends.
///
/// Events travel boxed: a channel allocates its slots up front, and a
/// pointer-sized slot keeps an idle socket's outbox small (an event is
/// 150-230 bytes; 32 of them per idle socket would be most of its memory).
#[derive(Debug)]
pub struct Outbox<E> {
    pub events: mpsc::Sender<Box<E>>,
    pub latest: watch::Sender<Latest<E>>,
}

/// A `latest` slot's value, with the version of the decision that set it:
/// deliveries run after their flush, not always in the order the hub
/// decided them, and a slower, older one must not overwrite a newer value.
#[derive(Debug, Clone, PartialEq)]
pub struct Latest<E> {
    /// Increases with every decision that sets a slot (under the hub lock).
    pub version: u64,
    /// What to send; `None` clears it (a visitor who left the queue).
    pub value: Option<E>,
}

impl<E> Default for Latest<E> {
    fn default() -> Self {
        Latest {
            version: 0,
            value: None,
        }
    }
}

impl<E> Clone for Outbox<E> {
    fn clone(&self) -> Self {
        Outbox {
            events: self.events.clone(),
            latest: self.latest.clone(),
        }
    }
}

/// The receiving ends of an [`Outbox`].
pub struct Inbox<E> {
    pub events: mpsc::Receiver<Box<E>>,
    pub latest: watch::Receiver<Latest<E>>,
}

/// A new outbox of [`OUTBOX_CAPACITY`] and the socket's ends of it.
pub fn outbox<E>() -> (Outbox<E>, Inbox<E>) {
    outbox_of(OUTBOX_CAPACITY)
}

/// A new outbox holding up to `capacity` frames (`[limits] outbox_frames`).
pub fn outbox_of<E>(capacity: usize) -> (Outbox<E>, Inbox<E>) {
    let (events, events_rx) = mpsc::channel(capacity.max(1));
    let (latest, latest_rx) = watch::channel(Latest::default());
    (
        Outbox { events, latest },
        Inbox {
            events: events_rx,
            latest: latest_rx,
        },
    )
}

/// A frame for an agent socket: ready, or one the hub reads from the store
/// after the event's writes are durable and outside the hub lock (a
/// conversation's view holds a page of its history; the left messages
/// are a scan), so no store read ever happens under the lock.
#[derive(Clone)]
pub(super) enum AgentFrame {
    /// Boxed already, as the outbox carries it.
    Event(Box<AgentEvent>),
    /// The view of this conversation as it stood at the decision: lines
    /// before its `next_seq`, so later lines arrive as their own frames.
    View(Box<ConversationRecord>),
    /// The open left messages.
    OfflineMessages,
}

/// Frames to push after the writes are durable.
#[derive(Default)]
pub(super) struct Deliveries {
    pub(super) visitors: Vec<(Uuid, u64, mpsc::Sender<Box<VisitorEvent>>, VisitorEvent)>,
    /// In decision order; some frames are read from the store once the
    /// writes are durable (see [`AgentFrame`]).
    pub(super) agents: Vec<(u64, mpsc::Sender<Box<AgentEvent>>, AgentFrame)>,
    /// New values for `latest` slots (`None` clears a visitor's place),
    /// with the version of the decision.
    pub(super) visitor_latest: Vec<(watch::Sender<Latest<VisitorEvent>>, Latest<VisitorEvent>)>,
    pub(super) agent_latest: Vec<(watch::Sender<Latest<AgentEvent>>, Latest<AgentEvent>)>,
}

impl Deliveries {
    /// A visitor's own line, for their other tabs (the sending tab has it
    /// already and gets an `ack`).
    pub(super) fn for_other_tabs(
        &mut self,
        c: &LiveConversation,
        sender: u64,
        event: VisitorEvent,
    ) {
        for (conn, tx) in c.visitors.iter().filter(|(conn, _)| **conn != sender) {
            self.visitors
                .push((c.record.id, *conn, tx.events.clone(), event.clone()));
        }
    }

    pub(super) fn for_visitors(&mut self, c: &LiveConversation, event: VisitorEvent) {
        for (conn, tx) in &c.visitors {
            self.visitors
                .push((c.record.id, *conn, tx.events.clone(), event.clone()));
        }
    }

    pub(super) fn deliver(self, hub: &Hub) {
        for (conversation, conn, tx, event) in self.visitors {
            if tx.try_send(Box::new(event)).is_err() {
                tracing::warn!(%conversation, conn, "visitor socket cannot keep up; disconnecting it");
                hub.drop_visitor_outbox(conversation, conn);
            }
        }
        for (conn, tx, frame) in self.agents {
            let AgentFrame::Event(event) = frame else {
                // Not read (see `Hub::read_frames`): the read failed, and
                // was logged; the agent reopens the conversation.
                continue;
            };
            if tx.try_send(event).is_err() {
                tracing::warn!(conn, "agent socket cannot keep up; disconnecting it");
                hub.disconnect_agent(conn);
            }
        }
        for (slot, value) in self.visitor_latest {
            replace_if_newer(&slot, value);
        }
        for (slot, value) in self.agent_latest {
            replace_if_newer(&slot, value);
        }
    }
}

/// Sets a `latest` slot unless a newer decision already did, waking its
/// socket only when the value changed.
fn replace_if_newer<E: PartialEq>(slot: &watch::Sender<Latest<E>>, new: Latest<E>) {
    slot.send_if_modified(|current| {
        if new.version <= current.version {
            return false;
        }
        current.version = new.version;
        if current.value == new.value {
            false
        } else {
            current.value = new.value;
            true
        }
    });
}

impl Deliveries {
    pub(super) fn latest_for_visitors(
        &mut self,
        c: &LiveConversation,
        version: u64,
        value: Option<&VisitorEvent>,
    ) {
        for tx in c.visitors.values() {
            let latest = Latest {
                version,
                value: value.cloned(),
            };
            self.visitor_latest.push((tx.latest.clone(), latest));
        }
    }
}
