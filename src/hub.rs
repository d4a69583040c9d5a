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
//! The operations live in one file per party: `connect` (a visitor socket
//! arriving and leaving, history pages), `visitor` (lines, asking for a
//! person, feedback), `agent` (connect, open, claim, reply, close), `desk`
//! (notes, transfers, typing, ratings), `assign` (caps, auto-assignment, the
//! desk clock, sending chats back to the queue), `offline` (business hours,
//! left messages) and `team` (who is online; closing the consoles of a
//! removed agent). The plumbing: `live` (reading the live state: who is
//! online, who hears what), `places` (the queue's serving order kept in
//! step with every change, and who hears of a move), `lines` (a line and
//! the write that stores it), `outbox` (outboxes, `latest` slots,
//! deliveries), `reads` (store reads, outside the lock), `error`
//! (`HubError` and what a client hears). Several nodes on one PostgreSQL
//! database: `cluster` (a hold before each decision, the bus),
//! `presence` (who is signed in where, the leader) and `adopt` (another
//! node's change told to this node's sockets). This file holds the shared
//! state and the three steps.
//!
//! A socket whose outbox is full is too slow to keep up: the hub drops its
//! outbox, the socket task sees its channel close and disconnects, and the
//! client reconnects and catches up from the stored history. Nothing is lost,
//! because the history is the truth and outboxes are only notifications.
//!
//! Frames that supersede each other — a waiting visitor's place in line, an
//! agent's copy of the queue — do not go through the outbox: each socket has
//! one `latest` slot that keeps only the newest, set only when it changed,
//! and the socket sends it when it can (visitors at most about once a
//! second). A busy queue therefore cannot fill anyone's outbox.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use crate::conversation::{ConversationRecord, StoredMessage};
use crate::encoder::Embedder;
use crate::hours::BusinessHours;
use crate::intents::IntentSet;
use crate::protocol::{
    AgentEvent, AgentPresence, AgentStatus, ConversationView, EarlierConversation, MessageView,
    QueueEntryView, Sender, Status, VisitorEvent, HISTORY_PAGE, MAX_LINES_PER_CONVERSATION,
};
use crate::queue::DeskPolicy;
use crate::queue::{self, QueueEntry};
use crate::store::{Store, StoreError};
use cluster::Hold;

mod adopt;
mod agent;
mod assign;
mod cluster;
mod connect;
mod desk;
mod error;
mod lines;
mod live;
mod offline;
mod outbox;
mod places;
mod presence;
mod reads;
mod retention;
mod team;
mod visitor;

pub use assign::HubOptions;
pub use error::{store_error_body, HubError};
use lines::{append, append_all, say, Line};
pub use outbox::{outbox, outbox_of, Inbox, Latest, Outbox, OUTBOX_CAPACITY};
use outbox::{AgentFrame, Deliveries};
pub use places::QUEUE_CLOCK_PERIOD;
pub use retention::{Purged, RETENTION_PERIOD};

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
    /// When people are at the desk; `None` = always.
    hours: Option<BusinessHours>,
    /// Assignment mode, caps, answer deadline.
    desk: DeskPolicy,
    /// The sentence encoder: live messages' vectors, and reloads.
    embedder: Embedder,
    /// Whether this node runs the clocks (cluster mode; `hub/cluster.rs`).
    leader: std::sync::atomic::AtomicBool,
    /// Wakes the task that publishes who is signed in here.
    presence: tokio::sync::Notify,
}

#[derive(Default)]
struct Live {
    conversations: HashMap<Uuid, LiveConversation>,
    /// The conversation each visitor socket shows (it changes when the
    /// visitor writes after a close and so starts their next one).
    visitor_sockets: HashMap<u64, Uuid>,
    agents: HashMap<u64, AgentConnection>,
    /// Status of each signed-in agent (by name; all their consoles share it).
    statuses: HashMap<String, AgentStatus>,
    /// Agents signed in on other nodes only (cluster mode), by name.
    remote_agents: HashMap<String, AgentStatus>,
    /// Recent claim-to-close times, for the visitors' wait estimate.
    handling: queue::HandlingTimes,
    /// The live conversation of each resume token: the visitor's newest,
    /// which the store may not have yet (not written to yet, see
    /// [`LiveConversation::stored`], or a write not yet durable), so a
    /// second tab finds it.
    tokens: HashMap<String, Uuid>,
    /// The queue in serving order, kept in step with the records, and what
    /// visitors and agents have not been told of it yet (`hub/places.rs`).
    queue: places::QueueBook,
    /// The last version given to a `latest` slot value (see
    /// [`outbox::Latest`]); a `Cell` because the functions that read the
    /// live state to decide who hears what take it shared.
    latest_version: std::cell::Cell<u64>,
}

/// An active conversation and the visitor sockets watching it.
struct LiveConversation {
    record: ConversationRecord,
    /// Several tabs may show the same conversation.
    visitors: HashMap<u64, Outbox<VisitorEvent>>,
    /// When the holder must have written their first reply by.
    answer_deadline: Option<tokio::time::Instant>,
    /// Whether the store has it. A visitor who only opens the widget costs
    /// no disk: the conversation is stored with its first line.
    stored: bool,
    /// The place in line (and estimate) its visitors were last told, so a
    /// queue change touches only the visitors whose place moved.
    place: std::cell::Cell<Option<(usize, u64)>>,
    /// Client ids of the newest lines written here, with their seq: a
    /// resend checked against the store (outside the lock) may race the
    /// write of the line it resends, which these catch (under the lock).
    recent_client_ids: Vec<(Box<str>, u64)>,
    /// Whether `recent_client_ids` holds every client id this
    /// conversation's lines carry: it began in this process and has not
    /// had more than they hold. A resend is then found without reading the
    /// store, which was a tenth of a bot turn's CPU (docs/PERFORMANCE.md).
    client_ids_complete: bool,
}

struct AgentConnection {
    name: String,
    outbox: Outbox<AgentEvent>,
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
    pub async fn new(
        store: Store,
        intents: IntentSet,
        options: HubOptions,
    ) -> Result<Hub, StoreError> {
        let mut live = Live::default();
        for record in store.active_conversations().await? {
            // A deadline set before a restart still runs: for what was left
            // of it, or out at once when it passed while Tandem was down.
            let answer_deadline = adopt::deadline_of(&record);
            live.tokens.insert(record.resume_token.clone(), record.id);
            live.admit(LiveConversation {
                record,
                visitors: HashMap::new(),
                answer_deadline,
                stored: true,
                place: Default::default(),
                recent_client_ids: Vec::new(),
                client_ids_complete: false,
            });
        }
        live.settle_queue();
        crate::metrics::queue_length(live.queue.len());
        Ok(Hub {
            inner: Arc::new(Inner {
                store,
                intents: ArcSwap::from_pointee(intents),
                live: Mutex::new(live),
                next_conn: AtomicU64::new(1),
                hours: options.hours,
                desk: options.desk,
                embedder: options.embedder,
                leader: Default::default(),
                presence: Default::default(),
            }),
        })
    }

    /// How many handles to this hub exist (sockets and tasks hold one each).
    pub fn handles(&self) -> usize {
        Arc::strong_count(&self.inner)
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The intents the bot answers from right now.
    pub fn intents(&self) -> Arc<IntentSet> {
        self.inner.intents.load_full()
    }

    /// The sentence encoder (and its caches) this hub runs with.
    pub fn embedder(&self) -> &Embedder {
        &self.inner.embedder
    }

    /// Swaps in a new intent set; conversations continue with it.
    pub fn replace_intents(&self, intents: IntentSet) {
        self.inner.intents.store(Arc::new(intents));
    }

    /// The live state, locked. Every event passes through here: the queue
    /// order catches up with whatever the last holder changed, so it is
    /// never read stale (see `hub/places.rs`).
    fn live(&self) -> MutexGuard<'_, Live> {
        // A panic while holding the lock leaves plain data behind (maps of
        // records and senders), still consistent enough to keep serving.
        let mut live = self.inner.live.lock().unwrap_or_else(|p| p.into_inner());
        live.settle_queue();
        live
    }

    fn connection_id(&self) -> u64 {
        self.inner.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    // --- plumbing ----------------------------------------------------------

    /// Step 2 and 3: flush, then deliver. Any change may have freed an
    /// agent or queued a visitor, so auto-assignment gets a look afterwards.
    async fn commit(&self, deliveries: Deliveries) -> Result<(), HubError> {
        self.flush_and_deliver(deliveries).await?;
        self.rebalance().await
    }

    async fn flush_and_deliver(&self, deliveries: Deliveries) -> Result<(), HubError> {
        self.inner.store.flush().await?;
        let mut deliveries = deliveries;
        self.read_frames(&mut deliveries).await;
        deliveries.deliver(self);
        Ok(())
    }

    /// Commits a line's deliveries; `None` means the line was a resend of
    /// one already stored, which still needs the flush before its ack.
    async fn commit_stored(
        &self,
        hold: Hold,
        deliveries: Option<Deliveries>,
    ) -> Result<Stored, HubError> {
        let stored = if deliveries.is_some() {
            Stored::New
        } else {
            Stored::Duplicate
        };
        self.commit_held(hold, deliveries.unwrap_or_default())
            .await?;
        Ok(stored)
    }

    /// Drops the outbox of a socket that cannot keep up (see module docs).
    fn drop_visitor_outbox(&self, conversation: Uuid, connection: u64) {
        if let Some(c) = self.live().conversations.get_mut(&conversation) {
            c.visitors.remove(&connection);
        }
    }
}

impl LiveConversation {
    /// Refuses a new line from a person once the conversation holds
    /// [`MAX_LINES_PER_CONVERSATION`] (the bot's answer to the last
    /// accepted line may still follow it).
    fn room_for_a_line(&self) -> Result<(), HubError> {
        if self.record.next_seq > MAX_LINES_PER_CONVERSATION {
            Err(HubError::ConversationFull)
        } else {
            Ok(())
        }
    }

    /// Starts the clock for the holder's first reply (`None` stops it). The
    /// hub runs it on tokio's clock; the record keeps the wall-clock time so
    /// a restart keeps the deadline.
    fn set_answer_deadline(&mut self, within: Option<std::time::Duration>) {
        self.answer_deadline = within.map(|d| tokio::time::Instant::now() + d);
        self.record.answer_by = within.map(|d| OffsetDateTime::now_utc() + d);
    }
}
