//! What can go wrong with a hub operation, and what a client hears of it.

use thiserror::Error;

use crate::conversation::StateError;
use crate::protocol::{ErrorBody, ErrorCode};
use crate::store::StoreError;

/// Why an event could not be applied; each maps to a protocol error code.
#[derive(Debug, Error)]
pub enum HubError {
    #[error("no such conversation")]
    NotFound,
    #[error("the conversation holds the most lines it may")]
    ConversationFull,
    #[error("already claimed by {0}")]
    AlreadyClaimed(String),
    #[error("not held by this agent")]
    NotAssigned,
    #[error("not waiting in the queue")]
    NotQueued,
    #[error("no bot message with that id")]
    NoSuchBotMessage,
    #[error("not closed")]
    NotClosed,
    #[error("agent {0} is not signed in")]
    AgentUnavailable(String),
    #[error("at the limit of {0} chats at once")]
    AtCapacity(usize),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<StateError> for HubError {
    fn from(e: StateError) -> Self {
        match e {
            StateError::AlreadyClaimed(by) => HubError::AlreadyClaimed(by),
            StateError::NotQueued => HubError::NotQueued,
            StateError::NotAssigned => HubError::NotAssigned,
            StateError::NotClosed => HubError::NotClosed,
        }
    }
}

impl HubError {
    /// The error frame for a client. Store failures are logged here and
    /// reach the client only as `unavailable` (the store cannot write now;
    /// try again) or `internal` (a record it cannot read).
    pub fn to_body(&self) -> ErrorBody {
        match self {
            HubError::NotFound => ErrorBody::new(ErrorCode::NotFound),
            HubError::ConversationFull => ErrorBody::new(ErrorCode::ConversationFull),
            HubError::AlreadyClaimed(by) => ErrorBody::with_message(
                ErrorCode::AlreadyClaimed,
                format!("{by} already took this conversation."),
            ),
            HubError::NotAssigned => ErrorBody::new(ErrorCode::NotAssigned),
            HubError::NotQueued => ErrorBody::new(ErrorCode::NotQueued),
            HubError::NoSuchBotMessage => ErrorBody::with_message(
                ErrorCode::InvalidField,
                "\"message_id\" is not the id of a bot message in this conversation.",
            ),
            HubError::NotClosed => ErrorBody::new(ErrorCode::NotClosed),
            HubError::AtCapacity(max) => ErrorBody::with_message(
                ErrorCode::AtCapacity,
                format!("You already hold {max} chats, the most allowed at once; close one first."),
            ),
            HubError::AgentUnavailable(name) => ErrorBody::with_message(
                ErrorCode::AgentUnavailable,
                format!("{name} is not signed in; pick someone who is online."),
            ),
            HubError::Store(e) => {
                tracing::error!(error = %e, "store failure while handling a frame");
                store_error_body(e)
            }
        }
    }
}

/// What a client hears about a store failure. Failed flushes are already
/// counted where they happen (the group commit); other failures here.
pub fn store_error_body(e: &StoreError) -> ErrorBody {
    if !matches!(e, StoreError::FlushAborted(_)) {
        crate::metrics::store_error();
    }
    if e.is_unavailable() {
        ErrorBody::new(ErrorCode::Unavailable)
    } else {
        ErrorBody::new(ErrorCode::Internal)
    }
}
