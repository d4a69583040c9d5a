//! The embedded store (sled), the default: everything Tandem must not
//! forget, in one directory.
//!
//! | tree | key | value |
//! |---|---|---|
//! | `conversations` | conversation id (16 bytes) | [`ConversationRecord`] as JSON |
//! | `messages` | conversation id + seq (u64, big-endian) | [`StoredMessage`] as JSON |
//! | `client_ids` | conversation id + client id | seq (u64, big-endian) |
//! | `resume_tokens` | token | the visitor's newest conversation id |
//! | `visitor_conversations` | visitor id + created (unix ns, i128 big-endian, sign bit flipped) + conversation id | nothing |
//! | `agents` | agent name | [`AgentRecord`] as JSON |
//! | `sessions` | token | [`Session`] as JSON |
//! | `offline_messages` | time (ns, big-endian) + id | [`OfflineMessage`] as JSON |
//! | `unmatched` | time (unix ns, i128 big-endian) + conversation id | [`UnmatchedQuestion`] as JSON |
//! | `health` | `probe` | the time of the last write probe (readiness, [`health`]) |
//!
//! Big-endian sequence numbers make a prefix scan return a conversation's
//! lines in order. A line, its client-id entry and the conversation record
//! are written in one transaction, so a crash never leaves a line without
//! its dedupe entry (which would let a resend duplicate it).
//!
//! Around this file: `store/open.rs` (options such as the cache size, and
//! the lock), `store/error.rs`, `store/group_commit.rs` (shared flushes and
//! their failure record), `store/health.rs` (the write probe, free space)
//! and `store/check.rs` (`tandem check` and the start-up check).
//!
//! Writes land in sled's memory first; [`SledStore::flush`] makes them durable.
//! Callers acknowledge a message only after `flush` returns — that is the
//! "no acknowledged message is ever lost, even on `kill -9`" promise.

use std::sync::Arc;

use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;
use uuid::Uuid;

use crate::agents::{AgentRecord, Session};
use crate::conversation::{ConversationRecord, StoredMessage};
use crate::intents::unmatched::UnmatchedQuestion;
use crate::protocol::Status;

use super::{group_commit, StoreError, StoreHealth};

/// Lines read back when a resend's client id is not in the index: the
/// last write before a crash holds at most a line and the bot's answer.
pub(super) const RESEND_WINDOW: usize = 4;

/// A cheap, cloneable handle to the database.
#[derive(Clone)]
pub struct SledStore {
    pub(super) db: sled::Db,
    pub(super) commits: Arc<group_commit::GroupCommit>,
    pub(super) conversations: sled::Tree,
    pub(super) messages: sled::Tree,
    pub(super) client_ids: sled::Tree,
    pub(super) resume_tokens: sled::Tree,
    pub(super) visitor_conversations: sled::Tree,
    pub(super) agents: sled::Tree,
    pub(super) sessions: sled::Tree,
    pub(super) offline_messages: sled::Tree,
    pub(super) unmatched: sled::Tree,
    /// The write probe's own tree (`health`), so probing touches no data.
    pub(super) probe: sled::Tree,
}

/// A message a visitor left while nobody could answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct OfflineMessage {
    /// Public id.
    pub id: Uuid,
    /// The conversation it came from.
    pub conversation: Uuid,
    /// Where to reply.
    pub email: String,
    /// What the visitor wrote.
    pub text: String,
    /// When it was left.
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
    /// Whether an agent has dealt with it.
    pub handled: bool,
}

impl SledStore {
    /// Makes every earlier write durable. Callers waiting at the same time
    /// share one flush (group commit, `store/group_commit.rs`); the fsync runs on the blocking
    /// pool, never on the async reactor.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.commits.flush().await
    }

    /// Flushes from synchronous code (shutdown, command-line tools).
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// Whether the last flush failed, and since when (for readiness).
    pub fn health(&self) -> StoreHealth {
        self.commits.health()
    }

    // --- conversations -----------------------------------------------------

    /// Stores a new conversation, points its resume token at it (a
    /// visitor's token always opens their newest conversation) and lists it
    /// among the visitor's conversations, in one transaction.
    pub fn create_conversation(&self, record: &ConversationRecord) -> Result<(), StoreError> {
        let value = serde_json::to_vec(record)?;
        let result: Result<(), TransactionError<()>> = (
            &self.conversations,
            &self.resume_tokens,
            &self.visitor_conversations,
        )
            .transaction(|(conversations, tokens, visitors)| {
                conversations.insert(record.id.as_bytes(), value.as_slice())?;
                tokens.insert(
                    record.resume_token.as_bytes(),
                    record.id.as_bytes().as_slice(),
                )?;
                visitors.insert(visitor_key(record), &[][..])?;
                Ok::<(), ConflictableTransactionError<()>>(())
            });
        committed(result)
    }

    /// Every conversation of `visitor` (see [`ConversationRecord::visitor`]),
    /// oldest first.
    pub fn visitor_conversations(
        &self,
        visitor: Uuid,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.visitor_conversations.scan_prefix(visitor.as_bytes()) {
            let (key, _) = item?;
            let Some(id) = key.get(32..48).and_then(|b| Uuid::from_slice(b).ok()) else {
                continue;
            };
            if let Some(record) = self.conversation(id)? {
                out.push(record);
            }
        }
        // A first conversation stored before this index existed is the one
        // whose id is the visitor's.
        if !out.iter().any(|c| c.id == visitor) {
            if let Some(first) = self.conversation(visitor)? {
                out.insert(0, first);
            }
        }
        Ok(out)
    }

    /// Overwrites a conversation record.
    pub fn save_conversation(&self, record: &ConversationRecord) -> Result<(), StoreError> {
        self.conversations
            .insert(record.id.as_bytes(), serde_json::to_vec(record)?)?;
        Ok(())
    }

    /// A conversation by id.
    pub fn conversation(&self, id: Uuid) -> Result<Option<ConversationRecord>, StoreError> {
        decode_opt(self.conversations.get(id.as_bytes())?)
    }

    /// The conversation a resume token belongs to.
    pub fn conversation_by_token(
        &self,
        token: &str,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        match self.resume_tokens.get(token.as_bytes())? {
            Some(id) => match Uuid::from_slice(&id) {
                Ok(id) => self.conversation(id),
                Err(_) => Ok(None),
            },
            None => Ok(None),
        }
    }

    /// Every conversation waiting for or held by an agent (loaded at start).
    ///
    /// A record that no longer decodes is skipped, not fatal: the server
    /// starts, the start-up check (`store::check`) logs the damage and readiness
    /// reports it, so the operator sees what is wrong instead of a server
    /// that will not start.
    pub fn active_conversations(&self) -> Result<Vec<ConversationRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.conversations.iter() {
            let (key, value) = item?;
            let record: ConversationRecord = match serde_json::from_slice(&value) {
                Ok(record) => record,
                Err(e) => {
                    tracing::error!(key = ?key, error = %e, "skipping a conversation record that does not decode");
                    continue;
                }
            };
            if matches!(record.status, Status::Queued | Status::Assigned) {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// Every conversation created at or after `since`, in no particular
    /// order (for owner reports).
    ///
    /// A full scan of the `conversations` tree: records are keyed by id, not
    /// by time. Measured (`cargo bench --bench reports`): about 3 µs per
    /// stored conversation, read and summarised — 31 ms for 10,000, so about
    /// a second for a year at 1,000 chats a day. An index by creation time
    /// (as `unmatched` has) is the fix when that is too slow.
    pub fn conversations_since(
        &self,
        since: time::OffsetDateTime,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.conversations.iter() {
            let (_, value) = item?;
            let record: ConversationRecord = serde_json::from_slice(&value)?;
            if record.created_at >= since {
                out.push(record);
            }
        }
        Ok(out)
    }

    // --- agents and sessions -----------------------------------------------

    /// Creates or replaces an agent.
    pub fn put_agent(&self, agent: &AgentRecord) -> Result<(), StoreError> {
        self.agents
            .insert(agent.name.as_bytes(), serde_json::to_vec(agent)?)?;
        Ok(())
    }

    /// An agent by name.
    pub fn agent(&self, name: &str) -> Result<Option<AgentRecord>, StoreError> {
        decode_opt(self.agents.get(name.as_bytes())?)
    }

    /// All agents, by name.
    pub fn agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        self.agents
            .iter()
            .map(|item| Ok(serde_json::from_slice(&item?.1)?))
            .collect()
    }

    /// Deletes an agent; `false` if there was none.
    pub fn remove_agent(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.agents.remove(name.as_bytes())?.is_some())
    }

    /// Ends every session of `agent`.
    pub fn delete_sessions_of(&self, agent: &str) -> Result<(), StoreError> {
        for item in self.sessions.iter() {
            let (token, value) = item?;
            let session: Session = serde_json::from_slice(&value)?;
            if session.agent == agent {
                self.sessions.remove(token)?;
            }
        }
        Ok(())
    }

    /// Stores a left message (or updates it).
    pub fn put_offline_message(&self, message: &OfflineMessage) -> Result<(), StoreError> {
        self.offline_messages
            .insert(offline_key(message), serde_json::to_vec(message)?)?;
        Ok(())
    }

    /// Left messages nobody has handled yet, oldest first.
    pub fn open_offline_messages(&self) -> Result<Vec<OfflineMessage>, StoreError> {
        let mut out = Vec::new();
        for item in self.offline_messages.iter() {
            let message: OfflineMessage = serde_json::from_slice(&item?.1)?;
            if !message.handled {
                out.push(message);
            }
        }
        Ok(out)
    }

    /// Marks a left message handled; `false` if there is no open one with that id.
    pub fn resolve_offline_message(&self, id: Uuid) -> Result<bool, StoreError> {
        for mut message in self.open_offline_messages()? {
            if message.id == id {
                message.handled = true;
                self.put_offline_message(&message)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Stores a signed-in session.
    pub fn put_session(&self, token: &str, session: &Session) -> Result<(), StoreError> {
        self.sessions
            .insert(token.as_bytes(), serde_json::to_vec(session)?)?;
        Ok(())
    }

    /// A session by token.
    pub fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        decode_opt(self.sessions.get(token.as_bytes())?)
    }

    /// Ends a session.
    pub fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        self.sessions.remove(token.as_bytes())?;
        Ok(())
    }
}

impl SledStore {
    /// Records a question the bot could not answer.
    pub fn record_unmatched(&self, question: &UnmatchedQuestion) -> Result<(), StoreError> {
        // Offset by i128::MIN so that big-endian bytes sort like the times.
        let ns = question.at.unix_timestamp_nanos() as u128 ^ (1 << 127);
        let mut key = ns.to_be_bytes().to_vec();
        key.extend_from_slice(question.conversation.as_bytes());
        self.unmatched.insert(key, serde_json::to_vec(question)?)?;
        Ok(())
    }

    /// Questions the bot could not answer at or after `since`, oldest first.
    pub fn unmatched_since(
        &self,
        since: Option<time::OffsetDateTime>,
    ) -> Result<Vec<UnmatchedQuestion>, StoreError> {
        let start = since.map_or(0, |t| t.unix_timestamp_nanos() as u128 ^ (1 << 127));
        self.unmatched
            .range(start.to_be_bytes().to_vec()..)
            .map(|entry| Ok(serde_json::from_slice(&entry?.1)?))
            .collect()
    }
}

mod keys;
mod retention;

pub(crate) use keys::message_key;
pub(super) use keys::{client_key, committed, decode_opt, offline_key, visitor_key};

#[cfg(test)]
mod tests;
