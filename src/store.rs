//! Where Tandem keeps what it must not forget: one [`Store`], two engines.
//!
//! - [`SledStore`] (`store/embedded.rs`), the default: an embedded sled
//!   database in the data directory; nothing else to run.
//! - [`PgStore`] (`store/postgres.rs`), cluster mode: PostgreSQL, chosen by
//!   `--store postgres://…` (docs/cluster.md).
//!
//! Both follow one write discipline, which is what the hub relies on:
//!
//! 1. **Stage** under the hub lock, in decision order, without waiting:
//!    [`Store::save_conversation`], [`Store::append_messages`],
//!    [`Store::record_unmatched`], [`Store::put_offline_message`]. sled
//!    writes them to its memory; PostgreSQL queues them.
//! 2. **Commit** with [`Store::flush`], outside the lock: callers waiting
//!    at once share one fsync or one transaction (`store/group_commit.rs`).
//!    Nothing is acknowledged before its flush returns.
//!
//! Everything else is `async` and never called under the hub lock: reads
//! (which on PostgreSQL first wait for the writes staged before them), and
//! the writes that are not hub decisions (accounts, sessions, retention).
//!
//! Around the engines: `store/error.rs`, `store/page.rs` (history pages),
//! `store/health.rs` (the write probe, free space), `store/check.rs`
//! (`tandem check`, sled only), `store/copy.rs` (`tandem migrate`, sled
//! into PostgreSQL).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::agents::{AgentRecord, Session};
use crate::conversation::{ConversationRecord, StoredMessage};
use crate::intents::unmatched::UnmatchedQuestion;

pub mod check;
pub mod copy;
mod embedded;
mod error;
mod group_commit;
pub mod health;
mod lines;
mod open;
mod page;
pub mod postgres;

pub(crate) use embedded::message_key;
use embedded::{client_key, decode_opt, RESEND_WINDOW};
pub use embedded::{OfflineMessage, SledStore};
pub use error::StoreError;
pub use health::{StoreHealth, WriteFailure};
pub use open::{StoreOptions, DEFAULT_FLUSH_LINGER_MS};
pub use page::Page;
pub use postgres::{Baton, BusEvent, Leadership, PgError, PgOptions, PgStore};

/// A cheap, cloneable handle to the store, whichever engine it is.
#[derive(Clone)]
pub enum Store {
    Sled(SledStore),
    Postgres(PgStore),
}

impl From<SledStore> for Store {
    fn from(store: SledStore) -> Store {
        Store::Sled(store)
    }
}

/// An `async` method: sled answers at once, PostgreSQL over the network.
macro_rules! both_async {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        $(#[$doc])*
        pub async fn $name(&self, $($arg: $ty),*) -> Result<$ret, StoreError> {
            match self {
                Store::Sled(s) => s.$name($($arg),*),
                Store::Postgres(p) => p.$name($($arg),*).await,
            }
        }
    };
}

/// A staged write (see the module docs): never waits.
macro_rules! both_staged {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub fn $name(&self, $($arg: $ty),*) -> Result<(), StoreError> {
            match self {
                Store::Sled(s) => s.$name($($arg),*),
                Store::Postgres(p) => p.$name($($arg),*),
            }
        }
    };
}

impl Store {
    /// Opens the embedded store under `dir` with the default options.
    pub fn open(dir: &std::path::Path) -> Result<Store, StoreError> {
        Ok(Store::Sled(SledStore::open(dir)?))
    }

    /// The sled engine, for what only it has (`tandem check`).
    pub fn as_sled(&self) -> Option<&SledStore> {
        match self {
            Store::Sled(s) => Some(s),
            Store::Postgres(_) => None,
        }
    }

    /// The PostgreSQL engine, which other nodes may share (cluster mode).
    pub fn cluster(&self) -> Option<&PgStore> {
        match self {
            Store::Sled(_) => None,
            Store::Postgres(p) => Some(p),
        }
    }

    /// Which engine, in words (logs, health).
    pub fn engine(&self) -> &'static str {
        match self {
            Store::Sled(_) => "sled",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Makes every staged write durable; see the module docs.
    pub async fn flush(&self) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.flush().await,
            Store::Postgres(p) => p.flush().await,
        }
    }

    /// Whether the last flush failed, and since when (for readiness).
    pub fn health(&self) -> StoreHealth {
        match self {
            Store::Sled(s) => s.health(),
            Store::Postgres(p) => p.health(),
        }
    }

    /// Writes and commits one small record: proof the store writes now.
    pub async fn probe_write(&self, now: OffsetDateTime) -> Result<(), StoreError> {
        match self {
            Store::Sled(s) => s.probe_write(now).await,
            Store::Postgres(p) => p.probe_write(now).await,
        }
    }

    both_staged!(
        /// Stages a new conversation (it becomes its token's newest).
        create_conversation(record: &ConversationRecord)
    );
    both_staged!(
        /// Stages a changed conversation record.
        save_conversation(record: &ConversationRecord)
    );
    both_staged!(
        /// Stages lines with their conversation record (one write).
        append_messages(record: &ConversationRecord, lines: &[StoredMessage])
    );
    both_staged!(
        /// Stages a question the bot could not answer.
        record_unmatched(question: &UnmatchedQuestion)
    );
    both_staged!(
        /// Stages a left message (new or updated).
        put_offline_message(message: &OfflineMessage)
    );

    both_async!(
        /// A conversation by id.
        conversation(id: Uuid) -> Option<ConversationRecord>
    );
    both_async!(
        /// The newest conversation of a resume token.
        conversation_by_token(token: &str) -> Option<ConversationRecord>
    );
    both_async!(
        /// Every conversation of a visitor, oldest first.
        visitor_conversations(visitor: Uuid) -> Vec<ConversationRecord>
    );
    both_async!(
        /// Every queued or assigned conversation (loaded at start).
        active_conversations() -> Vec<ConversationRecord>
    );
    both_async!(
        /// Conversations created at or after `since` (reports).
        conversations_since(since: OffsetDateTime) -> Vec<ConversationRecord>
    );
    both_async!(
        /// Conversations created before `cutoff` and not with or waiting
        /// for a person: what the retention sweep looks at.
        retention_candidates(cutoff: OffsetDateTime) -> Vec<Uuid>
    );
    both_async!(
        /// Every stored conversation's id.
        conversation_ids() -> Vec<Uuid>
    );
    both_async!(
        /// When a conversation was last active.
        last_activity(record: &ConversationRecord) -> OffsetDateTime
    );
    both_async!(
        /// Deletes a conversation and everything that names it.
        delete_conversation(record: &ConversationRecord) -> ()
    );
    both_async!(
        /// The seq of a line already stored with `client_id` (a resend).
        seq_for_client_id(conversation: Uuid, next_seq: u64, client_id: &str) -> Option<u64>
    );
    both_async!(
        /// Every line of a conversation, in order.
        history(conversation: Uuid) -> Vec<StoredMessage>
    );
    both_async!(
        /// One line by seq.
        message(conversation: Uuid, seq: u64) -> Option<StoredMessage>
    );
    both_async!(
        /// Creates or replaces an agent.
        put_agent(agent: &AgentRecord) -> ()
    );
    both_async!(
        /// An agent by name.
        agent(name: &str) -> Option<AgentRecord>
    );
    both_async!(
        /// All agents, by name.
        agents() -> Vec<AgentRecord>
    );
    both_async!(
        /// Deletes an agent; `false` if there was none.
        remove_agent(name: &str) -> bool
    );
    both_async!(
        /// Stores a signed-in session.
        put_session(token: &str, session: &Session) -> ()
    );
    both_async!(
        /// A session by token.
        session(token: &str) -> Option<Session>
    );
    both_async!(
        /// Ends a session.
        delete_session(token: &str) -> ()
    );
    both_async!(
        /// Ends every session of an agent.
        delete_sessions_of(agent: &str) -> ()
    );
    both_async!(
        /// Deletes sessions that expired before `now`.
        purge_expired_sessions(now: OffsetDateTime) -> usize
    );
    both_async!(
        /// Left messages nobody has handled yet, oldest first.
        open_offline_messages() -> Vec<OfflineMessage>
    );
    both_async!(
        /// Marks a left message handled; `false` if no open one has that id.
        resolve_offline_message(id: Uuid) -> bool
    );
    both_async!(
        /// Questions the bot could not answer at or after `since`.
        unmatched_since(since: Option<OffsetDateTime>) -> Vec<UnmatchedQuestion>
    );
    both_async!(
        /// Deletes old unanswered questions and handled left messages.
        purge_before(cutoff: OffsetDateTime) -> usize
    );

    /// Up to `limit` of the lines `wanted` keeps, before line `before`,
    /// newest last (see [`Page`]).
    pub async fn history_page(
        &self,
        conversation: Uuid,
        before: Option<u64>,
        limit: usize,
        wanted: impl Fn(&StoredMessage) -> bool,
    ) -> Result<Page, StoreError> {
        match self {
            Store::Sled(s) => s.history_page(conversation, before, limit, wanted),
            Store::Postgres(p) => p.history_page(conversation, before, limit, wanted).await,
        }
    }
}
