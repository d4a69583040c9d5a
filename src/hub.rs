//! The live switchboard between visitors, the bot and agents.
//!
//! The hub owns the in-memory view of every *active* conversation (queued,
//! assigned, or with a visitor connected) and the outbox of every connected
//! socket. Each event — a visitor line, a claim, a reply, a close — runs the
//! same three steps:
//!
//! 1. **Decide and write**, under one `std::sync::Mutex`: apply the pure
//!    transition ([`crate::conversation`], [`crate::bot`]), write the result to
//!    sled (in memory, microseconds), and collect the frames to deliver. The
//!    lock is what makes "exactly one agent wins a claim" true. It is a std
//!    mutex, not a tokio one, because nothing inside it awaits; it is never
//!    held across `.await` (clippy's `await_holding_lock` is denied).
//! 2. **Make it durable**: [`Store::flush`] on the blocking pool, outside the
//!    lock, so many conversations can wait on the disk at once.
//! 3. **Deliver**: push the collected frames into the sockets' bounded
//!    outboxes. Only now can anyone see the change, so nobody ever sees — or
//!    gets an ack for — something a crash could take back.
//!
//! A socket whose outbox is full is too slow to keep up: the hub drops its
//! outbox, the socket task sees its channel close and disconnects, and the
//! client reconnects and catches up from the stored history. Nothing is lost,
//! because the history is the truth and outboxes are only notifications.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;
use thiserror::Error;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::agents;
use crate::bot;
use crate::conversation::{ConversationRecord, StateError, StoredMessage};
use crate::empathy;
use crate::intents::unmatched::UnmatchedQuestion;
use crate::intents::IntentSet;
use crate::protocol::{
    AgentEvent, AgentView, ConversationView, ErrorBody, ErrorCode, QueueEntryView, Sender, Status,
    VisitorEvent,
};
use crate::queue::{self, QueueEntry};
use crate::store::{Store, StoreError};

/// Capacity of each socket's outbox. A client this far behind is
/// disconnected and catches up from history when it reconnects.
pub const OUTBOX_CAPACITY: usize = 64;

/// Why an event could not be applied; each maps to a protocol error code.
#[derive(Debug, Error)]
pub enum HubError {
    #[error("no such conversation")]
    NotFound,
    #[error("already claimed by {0}")]
    AlreadyClaimed(String),
    #[error("not held by this agent")]
    NotAssigned,
    #[error("not waiting in the queue")]
    NotQueued,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<StateError> for HubError {
    fn from(e: StateError) -> Self {
        match e {
            StateError::AlreadyClaimed(by) => HubError::AlreadyClaimed(by),
            StateError::NotQueued => HubError::NotQueued,
            StateError::NotAssigned => HubError::NotAssigned,
        }
    }
}

impl HubError {
    /// The error frame for a client. Store failures are logged here and
    /// reach the client only as `internal`.
    pub fn to_body(&self) -> ErrorBody {
        match self {
            HubError::NotFound => ErrorBody::new(ErrorCode::NotFound),
            HubError::AlreadyClaimed(by) => ErrorBody::with_message(
                ErrorCode::AlreadyClaimed,
                format!("{by} already took this conversation."),
            ),
            HubError::NotAssigned => ErrorBody::new(ErrorCode::NotAssigned),
            HubError::NotQueued => ErrorBody::new(ErrorCode::NotQueued),
            HubError::Store(e) => {
                tracing::error!(error = %e, "store failure while handling a frame");
                ErrorBody::new(ErrorCode::Internal)
            }
        }
    }
}

/// Cheap, cloneable handle to the switchboard.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    /// The durable truth.
    store: Store,
    /// The live intents; swapped whole on reload, read without locking.
    intents: ArcSwap<IntentSet>,
    /// Active conversations and connected sockets.
    live: Mutex<Live>,
    /// Source of connection ids.
    next_conn: AtomicU64,
}

#[derive(Default)]
struct Live {
    conversations: HashMap<Uuid, LiveConversation>,
    agents: HashMap<u64, AgentConnection>,
}

/// An active conversation and the visitor sockets watching it.
struct LiveConversation {
    record: ConversationRecord,
    /// Several tabs may show the same conversation.
    visitors: HashMap<u64, mpsc::Sender<VisitorEvent>>,
}

struct AgentConnection {
    name: String,
    outbox: mpsc::Sender<AgentEvent>,
}

/// Frames to push after the writes are durable.
#[derive(Default)]
struct Deliveries {
    visitors: Vec<(Uuid, u64, mpsc::Sender<VisitorEvent>, VisitorEvent)>,
    agents: Vec<(u64, mpsc::Sender<AgentEvent>, AgentEvent)>,
}

/// What a visitor socket needs after connecting.
pub struct VisitorSession {
    /// This socket's id within the hub.
    pub connection: u64,
    /// The conversation it shows.
    pub conversation: Uuid,
    /// Frames to send first: `welcome`, then the current queue or agent state.
    pub greeting: Vec<VisitorEvent>,
}

/// What an agent socket needs after connecting.
pub struct AgentSession {
    /// This socket's id within the hub.
    pub connection: u64,
    /// Frames to send first: `hello`, the queue, the conversations held.
    pub greeting: Vec<AgentEvent>,
}

/// Whether a message was new or a resend of one already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    Duplicate,
}

impl Hub {
    /// Builds the hub and reloads every queued or assigned conversation.
    pub fn new(store: Store, intents: IntentSet) -> Result<Hub, StoreError> {
        let mut live = Live::default();
        for record in store.active_conversations()? {
            live.conversations.insert(
                record.id,
                LiveConversation {
                    record,
                    visitors: HashMap::new(),
                },
            );
        }
        Ok(Hub {
            inner: Arc::new(Inner {
                store,
                intents: ArcSwap::from_pointee(intents),
                live: Mutex::new(live),
                next_conn: AtomicU64::new(1),
            }),
        })
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The intents the bot answers from right now.
    pub fn intents(&self) -> Arc<IntentSet> {
        self.inner.intents.load_full()
    }

    /// Swaps in a new intent set; conversations continue with it.
    pub fn replace_intents(&self, intents: IntentSet) {
        self.inner.intents.store(Arc::new(intents));
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        // A panic while holding the lock leaves plain data behind (maps of
        // records and senders), still consistent enough to keep serving.
        self.inner.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn connection_id(&self) -> u64 {
        self.inner.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    // --- visitors ----------------------------------------------------------

    /// Attaches a visitor socket to the conversation of `resume_token`, or to
    /// a new conversation when the token is absent or unknown.
    pub fn connect_visitor(
        &self,
        resume_token: Option<&str>,
        outbox: mpsc::Sender<VisitorEvent>,
    ) -> Result<VisitorSession, HubError> {
        let store = &self.inner.store;
        let connection = self.connection_id();
        let mut live = self.live();
        let existing = match resume_token {
            Some(token) => store.conversation_by_token(token)?,
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
                let record = ConversationRecord::new(
                    Uuid::new_v4(),
                    agents::new_token(),
                    OffsetDateTime::now_utc(),
                );
                store.create_conversation(&record)?;
                record
            }
        };
        let id = record.id;
        let history = store.history(id)?.iter().map(StoredMessage::view).collect();
        let mut greeting = vec![VisitorEvent::Welcome {
            conversation_id: id.to_string(),
            resume_token: record.resume_token.clone(),
            resumed,
            status: record.status,
            history,
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
            })
            .visitors
            .insert(connection, outbox);
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
    pub fn disconnect_visitor(&self, conversation: Uuid, connection: u64) {
        let mut live = self.live();
        if let Some(c) = live.conversations.get_mut(&conversation) {
            c.visitors.remove(&connection);
            if c.visitors.is_empty() && c.record.bot_is_answering() {
                live.conversations.remove(&conversation);
            }
        }
    }

    /// Stores a visitor's line, lets the bot answer while it has the
    /// conversation, and forwards the line to the agent when a person has it.
    /// Returns once the line is durable; the caller then sends the `ack`.
    pub async fn visitor_message(
        &self,
        conversation: Uuid,
        client_id: &str,
        text: &str,
    ) -> Result<Stored, HubError> {
        let intents = self.intents();
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live
                .conversations
                .get_mut(&conversation)
                .ok_or(HubError::NotFound)?;
            if store.seq_for_client_id(conversation, client_id)?.is_some() {
                // Stored before; the flush in `commit` makes sure the earlier
                // write is durable before this second ack.
                None
            } else {
                let now = OffsetDateTime::now_utc();
                c.record.reopen_if_closed();
                if c.record.preview.is_none() {
                    c.record.preview = Some(text.chars().take(140).collect());
                }
                let mut deliveries = Deliveries::default();
                if c.record.bot_is_answering() {
                    // Each exchange (a visitor line and the bot's answer) moves the
                    // response rotation on by one.
                    let exchange = c.record.next_seq / 2;
                    let turn = bot::respond(&intents, text, c.record.misses_in_row, exchange);
                    if turn.misses_in_row > c.record.misses_in_row {
                        // A fallback: owners list these to write the next intents.
                        store.record_unmatched(&UnmatchedQuestion {
                            text: text.to_owned(),
                            at: now,
                            conversation,
                        })?;
                    }
                    c.record.misses_in_row = turn.misses_in_row;
                    append(
                        store,
                        c,
                        Sender::Visitor,
                        None,
                        text,
                        Vec::new(),
                        Some(client_id),
                        turn.intent.clone(),
                        now,
                    )?;
                    let escalated = match turn.escalate {
                        Some(reasons) => c.record.escalate(reasons, now),
                        None => false,
                    };
                    let reply = append(
                        store,
                        c,
                        Sender::Bot,
                        Some(intents.policy.bot.name.clone()),
                        &turn.reply.text,
                        turn.reply.quick_replies,
                        None,
                        None,
                        now,
                    )?;
                    deliveries.for_visitors(c, VisitorEvent::Message(reply.view()));
                    if escalated {
                        live.queue_changed(&mut deliveries);
                    }
                } else {
                    let line = append(
                        store,
                        c,
                        Sender::Visitor,
                        None,
                        text,
                        Vec::new(),
                        Some(client_id),
                        None,
                        now,
                    )?;
                    if let Some(agent) = c
                        .record
                        .assigned_to
                        .clone()
                        .filter(|_| c.record.status == Status::Assigned)
                    {
                        live.for_agent(
                            &mut deliveries,
                            &agent,
                            AgentEvent::Message {
                                conversation_id: conversation.to_string(),
                                message: line.view(),
                            },
                        );
                    }
                }
                Some(deliveries)
            }
        };
        self.commit_stored(deliveries).await
    }

    /// The visitor asks for a person (the widget's button).
    pub async fn request_human(&self, conversation: Uuid) -> Result<(), HubError> {
        let intents = self.intents();
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let mut deliveries = Deliveries::default();
            let c = live
                .conversations
                .get_mut(&conversation)
                .ok_or(HubError::NotFound)?;
            let now = OffsetDateTime::now_utc();
            let reasons = vec![empathy::asked_for_human()];
            c.record.reopen_if_closed();
            if c.record.escalate(reasons.clone(), now) {
                let reply = bot::handoff_reply(&intents, &reasons);
                let line = append(
                    store,
                    c,
                    Sender::Bot,
                    Some(intents.policy.bot.name.clone()),
                    &reply.text,
                    Vec::new(),
                    None,
                    None,
                    now,
                )?;
                deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
                live.queue_changed(&mut deliveries);
            } else if let Some((position, wait)) = live.queue_position(conversation) {
                // Already waiting: say where they stand again.
                if let Some(c) = live.conversations.get(&conversation) {
                    deliveries.for_visitors(
                        c,
                        VisitorEvent::Queued {
                            position,
                            estimated_wait_s: wait,
                        },
                    );
                }
            }
            deliveries
        };
        self.commit(deliveries).await
    }

    // --- agents ------------------------------------------------------------

    /// Attaches an agent socket.
    pub fn connect_agent(
        &self,
        name: &str,
        outbox: mpsc::Sender<AgentEvent>,
    ) -> Result<AgentSession, HubError> {
        let connection = self.connection_id();
        let mut live = self.live();
        live.agents.insert(
            connection,
            AgentConnection {
                name: name.to_owned(),
                outbox,
            },
        );
        let mut greeting = vec![
            AgentEvent::Hello {
                agent: AgentView {
                    name: name.to_owned(),
                },
            },
            AgentEvent::Queue {
                entries: live.queue_view(),
            },
        ];
        let held: Vec<ConversationRecord> = live
            .conversations
            .values()
            .filter(|c| {
                c.record.status == Status::Assigned && c.record.assigned_to.as_deref() == Some(name)
            })
            .map(|c| c.record.clone())
            .collect();
        for record in held {
            greeting.push(AgentEvent::Conversation(self.view(&record)?));
        }
        // Others' wait estimates shrink with one more agent online.
        let mut deliveries = Deliveries::default();
        live.visitor_positions(&mut deliveries);
        drop(live);
        deliveries.deliver(self);
        Ok(AgentSession {
            connection,
            greeting,
        })
    }

    /// Detaches an agent socket.
    pub fn disconnect_agent(&self, connection: u64) {
        self.live().agents.remove(&connection);
    }

    /// A conversation's full view, for `open`.
    pub fn open(&self, conversation: Uuid) -> Result<AgentEvent, HubError> {
        let record = {
            let live = self.live();
            match live.conversations.get(&conversation) {
                Some(c) => c.record.clone(),
                None => self
                    .inner
                    .store
                    .conversation(conversation)?
                    .ok_or(HubError::NotFound)?,
            }
        };
        Ok(AgentEvent::Conversation(self.view(&record)?))
    }

    /// `agent` takes `conversation` from the queue. Exactly one claim wins.
    pub async fn claim(&self, agent: &str, conversation: Uuid) -> Result<(), HubError> {
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live
                .conversations
                .get_mut(&conversation)
                .ok_or(HubError::NotFound)?;
            c.record.claim(agent)?;
            let now = OffsetDateTime::now_utc();
            let line = append(
                store,
                c,
                Sender::System,
                None,
                &format!("{agent} joined the chat"),
                Vec::new(),
                None,
                None,
                now,
            )?;
            let mut deliveries = Deliveries::default();
            deliveries.for_visitors(
                c,
                VisitorEvent::AgentJoined {
                    agent: AgentView {
                        name: agent.to_owned(),
                    },
                },
            );
            deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
            let record = c.record.clone();
            let view = self.view(&record)?;
            live.for_agent(
                &mut deliveries,
                agent,
                AgentEvent::Claimed {
                    conversation_id: conversation.to_string(),
                },
            );
            live.for_agent(&mut deliveries, agent, AgentEvent::Conversation(view));
            live.queue_changed(&mut deliveries);
            deliveries
        };
        self.commit(deliveries).await
    }

    /// An agent's reply in a conversation they hold.
    pub async fn agent_message(
        &self,
        agent: &str,
        conversation: Uuid,
        client_id: &str,
        text: &str,
    ) -> Result<Stored, HubError> {
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live
                .conversations
                .get_mut(&conversation)
                .ok_or(HubError::NotFound)?;
            c.record.check_held_by(agent)?;
            if store.seq_for_client_id(conversation, client_id)?.is_some() {
                None
            } else {
                let line = append(
                    store,
                    c,
                    Sender::Agent,
                    Some(agent.to_owned()),
                    text,
                    Vec::new(),
                    Some(client_id),
                    None,
                    OffsetDateTime::now_utc(),
                )?;
                let mut deliveries = Deliveries::default();
                deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
                Some(deliveries)
            }
        };
        self.commit_stored(deliveries).await
    }

    /// Ends a conversation.
    pub async fn close(&self, agent: &str, conversation: Uuid) -> Result<(), HubError> {
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live
                .conversations
                .get_mut(&conversation)
                .ok_or(HubError::NotFound)?;
            let was_queued = c.record.status == Status::Queued;
            let holder = c.record.assigned_to.clone();
            c.record.close(agent)?;
            let line = append(
                store,
                c,
                Sender::System,
                None,
                &format!("{agent} closed the conversation"),
                Vec::new(),
                None,
                None,
                OffsetDateTime::now_utc(),
            )?;
            let mut deliveries = Deliveries::default();
            deliveries.for_visitors(c, VisitorEvent::Message(line.view()));
            deliveries.for_visitors(c, VisitorEvent::Closed);
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
                live.conversations.remove(&conversation);
            }
            deliveries
        };
        self.commit(deliveries).await
    }

    // --- plumbing ----------------------------------------------------------

    fn view(&self, record: &ConversationRecord) -> Result<ConversationView, HubError> {
        Ok(ConversationView {
            conversation_id: record.id.to_string(),
            status: record.status,
            assigned_to: record.assigned_to.clone(),
            reasons: record.reasons.clone(),
            history: self
                .inner
                .store
                .history(record.id)?
                .iter()
                .map(StoredMessage::view)
                .collect(),
        })
    }

    /// Step 2 and 3: flush, then deliver.
    async fn commit(&self, deliveries: Deliveries) -> Result<(), HubError> {
        self.inner.store.flush().await?;
        deliveries.deliver(self);
        Ok(())
    }

    /// Commits a line's deliveries; `None` means the line was a resend of
    /// one already stored, which still needs the flush before its ack.
    async fn commit_stored(&self, deliveries: Option<Deliveries>) -> Result<Stored, HubError> {
        let stored = if deliveries.is_some() {
            Stored::New
        } else {
            Stored::Duplicate
        };
        self.commit(deliveries.unwrap_or_default()).await?;
        Ok(stored)
    }

    /// Drops the outbox of a socket that cannot keep up (see module docs).
    fn drop_visitor_outbox(&self, conversation: Uuid, connection: u64) {
        if let Some(c) = self.live().conversations.get_mut(&conversation) {
            c.visitors.remove(&connection);
        }
    }
}

impl Deliveries {
    fn for_visitors(&mut self, c: &LiveConversation, event: VisitorEvent) {
        for (conn, tx) in &c.visitors {
            self.visitors
                .push((c.record.id, *conn, tx.clone(), event.clone()));
        }
    }

    fn deliver(self, hub: &Hub) {
        for (conversation, conn, tx, event) in self.visitors {
            if tx.try_send(event).is_err() {
                tracing::warn!(%conversation, conn, "visitor socket cannot keep up; disconnecting it");
                hub.drop_visitor_outbox(conversation, conn);
            }
        }
        for (conn, tx, event) in self.agents {
            if tx.try_send(event).is_err() {
                tracing::warn!(conn, "agent socket cannot keep up; disconnecting it");
                hub.disconnect_agent(conn);
            }
        }
    }
}

impl Live {
    fn queue(&self) -> Vec<QueueEntry> {
        let mut entries: Vec<QueueEntry> = self
            .conversations
            .values()
            .filter(|c| c.record.status == Status::Queued)
            .map(|c| QueueEntry {
                conversation_id: c.record.id,
                queued_at: c.record.queued_at.unwrap_or(c.record.created_at),
            })
            .collect();
        queue::order(&mut entries);
        entries
    }

    fn agents_online(&self) -> usize {
        let mut names: Vec<&str> = self.agents.values().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    }

    fn queue_position(&self, conversation: Uuid) -> Option<(usize, u64)> {
        let position = self
            .queue()
            .iter()
            .position(|e| e.conversation_id == conversation)?
            + 1;
        Some((
            position,
            queue::estimated_wait_secs(position, self.agents_online()),
        ))
    }

    fn queue_view(&self) -> Vec<QueueEntryView> {
        self.queue()
            .iter()
            .filter_map(|e| self.conversations.get(&e.conversation_id))
            .map(|c| QueueEntryView {
                conversation_id: c.record.id.to_string(),
                queued_at: c.record.queued_at.unwrap_or(c.record.created_at),
                reasons: c.record.reasons.clone(),
                preview: c.record.preview.clone(),
            })
            .collect()
    }

    fn for_agent(&self, deliveries: &mut Deliveries, agent: &str, event: AgentEvent) {
        for (conn, a) in &self.agents {
            if a.name == agent {
                deliveries
                    .agents
                    .push((*conn, a.outbox.clone(), event.clone()));
            }
        }
    }

    /// Everyone learns of a queue change: agents get the new queue, waiting
    /// visitors their new place.
    fn queue_changed(&self, deliveries: &mut Deliveries) {
        let entries = self.queue_view();
        for (conn, a) in &self.agents {
            deliveries.agents.push((
                *conn,
                a.outbox.clone(),
                AgentEvent::Queue {
                    entries: entries.clone(),
                },
            ));
        }
        self.visitor_positions(deliveries);
    }

    fn visitor_positions(&self, deliveries: &mut Deliveries) {
        let agents = self.agents_online();
        for (i, entry) in self.queue().iter().enumerate() {
            if let Some(c) = self.conversations.get(&entry.conversation_id) {
                deliveries.for_visitors(
                    c,
                    VisitorEvent::Queued {
                        position: i + 1,
                        estimated_wait_s: queue::estimated_wait_secs(i + 1, agents),
                    },
                );
            }
        }
    }
}

/// Appends one line to a live conversation and the store.
#[allow(clippy::too_many_arguments)]
fn append(
    store: &Store,
    c: &mut LiveConversation,
    from: Sender,
    author: Option<String>,
    text: &str,
    quick_replies: Vec<String>,
    client_id: Option<&str>,
    intent: Option<String>,
    at: OffsetDateTime,
) -> Result<StoredMessage, StoreError> {
    let message = StoredMessage {
        seq: c.record.take_seq(),
        client_id: client_id.map(str::to_owned),
        from,
        author,
        text: text.to_owned(),
        quick_replies,
        at,
        intent,
    };
    store.append_message(&c.record, &message)?;
    Ok(message)
}
