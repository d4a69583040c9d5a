//! A conversation's record and its state machine.
//!
//! ```text
//!            escalate                 claim
//!   Bot ─────────────────▶ Queued ─────────────▶ Assigned
//!                            │                      │
//!                            │ close                │ close
//!                            └──────▶ Closed ◀──────┘
//! ```
//!
//! `Closed` is final. When the visitor writes again, the hub starts their
//! next conversation ([`ConversationRecord::follow_up`]): same visitor, same
//! resume token, a fresh transcript with the bot. A visitor's conversations
//! share a [`ConversationRecord::visitor`] id, which is how agents see the
//! visitor's earlier conversations.
//!
//! Every transition is a method on [`ConversationRecord`] that checks the
//! current state and either changes it or returns a [`StateError`]. Nothing
//! here touches a socket, the disk or the clock: the time comes in as an
//! argument. The hub calls these methods under its lock, which is what makes
//! "exactly one agent wins a claim" true.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::empathy::conversation::Mood;
use crate::protocol::{Csat, MessageView, Reason, Sender, Status};

/// Everything Tandem remembers about a conversation, apart from its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRecord {
    /// Public id, shared with the visitor and agents.
    pub id: Uuid,
    /// Secret that lets the visitor's browser resume this conversation.
    pub resume_token: String,
    /// Where the conversation stands.
    pub status: Status,
    /// When the visitor first connected.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last went from the bot to the queue. Kept after a claim (for
    /// wait times) and through a requeue: the visitor has been waiting since
    /// then, so reports count the wait up to the person who finally takes it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub queued_at: Option<OffsetDateTime>,
    /// The agent holding it (while assigned), or who held it last.
    pub assigned_to: Option<String>,
    /// Why it last left the bot; empty while the bot has never given up.
    pub reasons: Vec<Reason>,
    /// Bot fallbacks since the last understood message.
    pub misses_in_row: u32,
    /// The visitor's first line, shown in the queue.
    pub preview: Option<String>,
    /// Sequence number of the next stored line.
    pub next_seq: u64,
    /// How frustrated the visitor seems, and the evidence (older records
    /// have none and start calm).
    #[serde(default)]
    pub mood: Mood,
    /// The visitor's rating after the last close.
    #[serde(default)]
    pub csat: Option<Csat>,
    /// Back in the queue after an agent did not answer: served first.
    #[serde(default)]
    pub requeued: bool,
    /// When a person last took it from the queue (for handling times).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub assigned_at: Option<OffsetDateTime>,
    /// The visitor's id: their first conversation's id. `None` on a first
    /// conversation (and on records older than this field).
    #[serde(default)]
    pub visitor_id: Option<Uuid>,
    /// How many conversations the visitor had before this one.
    #[serde(default)]
    pub earlier_count: u32,
    /// The agent who last let it go back to the queue unanswered (auto
    /// assignment tries someone else first).
    #[serde(default)]
    pub unanswered_by: Option<String>,
    /// When the holder must have written their first reply by (kept here so
    /// the deadline survives a restart; the hub runs it on tokio's clock).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub answer_by: Option<OffsetDateTime>,
    /// When it was closed (for handling times in reports).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

/// A transition that does not apply to the conversation's current state.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StateError {
    /// Another agent holds the conversation already.
    #[error("the conversation is already held by {0}")]
    AlreadyClaimed(String),
    /// Claiming something that is not in the queue.
    #[error("the conversation is not waiting in the queue")]
    NotQueued,
    /// Acting on a conversation the agent does not hold.
    #[error("the conversation is not held by this agent")]
    NotAssigned,
    /// Rating a conversation that is not closed.
    #[error("the conversation is not closed")]
    NotClosed,
}

impl ConversationRecord {
    /// A fresh conversation with the bot.
    pub fn new(id: Uuid, resume_token: String, now: OffsetDateTime) -> Self {
        ConversationRecord {
            id,
            resume_token,
            status: Status::Bot,
            created_at: now,
            queued_at: None,
            assigned_to: None,
            reasons: Vec::new(),
            misses_in_row: 0,
            preview: None,
            next_seq: 1,
            mood: Mood::default(),
            csat: None,
            requeued: false,
            assigned_at: None,
            visitor_id: None,
            earlier_count: 0,
            unanswered_by: None,
            answer_by: None,
            closed_at: None,
        }
    }

    /// The visitor this conversation belongs to; all of a visitor's
    /// conversations give the same id.
    pub fn visitor(&self) -> Uuid {
        self.visitor_id.unwrap_or(self.id)
    }

    /// The same visitor's next conversation, for when they write after this
    /// one was closed: a fresh start with the bot (calm mood, no reasons),
    /// reachable with the same resume token.
    pub fn follow_up(&self, id: Uuid, now: OffsetDateTime) -> ConversationRecord {
        let mut next = ConversationRecord::new(id, self.resume_token.clone(), now);
        next.visitor_id = Some(self.visitor());
        next.earlier_count = self.earlier_count + 1;
        next
    }

    /// Whether the bot answers visitor messages right now.
    pub fn bot_is_answering(&self) -> bool {
        self.status == Status::Bot
    }

    /// Hands the conversation to the queue. Returns `false` (and changes
    /// nothing) when a person already has it or it is already waiting.
    pub fn escalate(&mut self, reasons: Vec<Reason>, now: OffsetDateTime) -> bool {
        if !self.bot_is_answering() {
            return false;
        }
        self.status = Status::Queued;
        self.queued_at = Some(now);
        self.assigned_to = None;
        self.reasons = reasons;
        self.misses_in_row = 0;
        self.requeued = false;
        true
    }

    /// Back to the front of the queue from the agent holding it (who did
    /// not answer in time, or left the team), keeping the earlier reasons
    /// and adding why. Returns that agent.
    pub fn requeue(&mut self, reason: Reason) -> Result<String, StateError> {
        let agent = match (self.status, self.assigned_to.clone()) {
            (Status::Assigned, Some(agent)) => agent,
            _ => return Err(StateError::NotAssigned),
        };
        self.status = Status::Queued;
        self.assigned_to = None;
        self.unanswered_by = Some(agent.clone());
        self.requeued = true;
        self.reasons.push(reason);
        Ok(agent)
    }

    /// An agent takes the conversation from the queue.
    pub fn claim(&mut self, agent: &str) -> Result<(), StateError> {
        match self.status {
            Status::Queued => {
                self.status = Status::Assigned;
                self.assigned_to = Some(agent.to_owned());
                self.requeued = false;
                Ok(())
            }
            Status::Assigned => Err(StateError::AlreadyClaimed(
                self.assigned_to.clone().unwrap_or_default(),
            )),
            Status::Bot | Status::Closed => Err(StateError::NotQueued),
        }
    }

    /// Checks that `agent` holds the conversation.
    pub fn check_held_by(&self, agent: &str) -> Result<(), StateError> {
        if self.status == Status::Assigned && self.assigned_to.as_deref() == Some(agent) {
            Ok(())
        } else {
            Err(StateError::NotAssigned)
        }
    }

    /// Ends the conversation. The agent holding it may close it, and any
    /// agent may close one still waiting in the queue (spam, duplicates).
    pub fn close(&mut self, agent: &str, now: OffsetDateTime) -> Result<(), StateError> {
        match self.status {
            Status::Assigned => self.check_held_by(agent)?,
            Status::Queued => {}
            Status::Bot | Status::Closed => return Err(StateError::NotAssigned),
        }
        self.status = Status::Closed;
        self.closed_at = Some(now);
        self.answer_by = None;
        Ok(())
    }

    /// The visitor stops waiting and goes back to the bot.
    pub fn cancel_wait(&mut self) -> Result<(), StateError> {
        if self.status != Status::Queued {
            return Err(StateError::NotQueued);
        }
        self.status = Status::Bot;
        Ok(())
    }

    /// The holder hands the conversation to another agent.
    pub fn transfer(&mut self, from: &str, to: &str) -> Result<(), StateError> {
        self.check_held_by(from)?;
        self.assigned_to = Some(to.to_owned());
        Ok(())
    }

    /// The holder hands the conversation back to the bot.
    pub fn release(&mut self, agent: &str) -> Result<(), StateError> {
        self.check_held_by(agent)?;
        self.status = Status::Bot;
        self.assigned_to = None;
        self.misses_in_row = 0;
        Ok(())
    }

    /// The visitor rates a closed conversation (a later rating replaces an
    /// earlier one). Credited to the agent who held it last.
    pub fn rate(
        &mut self,
        score: u8,
        comment: Option<String>,
        now: OffsetDateTime,
    ) -> Result<Csat, StateError> {
        if self.status != Status::Closed {
            return Err(StateError::NotClosed);
        }
        let csat = Csat {
            score,
            comment,
            at: now,
            agent: self.assigned_to.clone(),
        };
        self.csat = Some(csat.clone());
        Ok(csat)
    }

    /// Takes the next line sequence number.
    pub fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }
}

/// One stored chat line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    /// Position in the conversation, from 1.
    pub seq: u64,
    /// The sender's own id (visitor and agent lines).
    pub client_id: Option<String>,
    /// Who wrote it.
    pub from: Sender,
    /// Display name of the bot or agent.
    pub author: Option<String>,
    /// Plain text.
    pub text: String,
    /// Suggested answers.
    #[serde(default)]
    pub quick_replies: Vec<String>,
    /// When it was stored.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The intent the bot matched for a visitor line, for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
}

impl StoredMessage {
    /// How clients see this line.
    pub fn view(&self) -> MessageView {
        MessageView {
            id: self.seq.to_string(),
            client_id: self.client_id.clone(),
            from: self.from,
            author: self.author.clone(),
            text: self.text.clone(),
            quick_replies: self.quick_replies.clone(),
            at: self.at,
        }
    }
}

#[cfg(test)]
mod tests;
