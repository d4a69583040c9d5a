//! The error body every error frame and error HTTP response carries, and
//! its stable codes.

use serde::{Deserialize, Serialize};

/// The body of every error frame and error HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code; see [`ErrorCode`].
    pub code: ErrorCode,
    /// A sentence for people. May be reworded between versions.
    pub message: String,
    /// The client message id the error is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The conversation the error is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

impl ErrorBody {
    /// An error with the code's default sentence.
    pub fn new(code: ErrorCode) -> Self {
        Self::with_message(code, code.default_message())
    }

    /// An error with a specific sentence.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            id: None,
            conversation_id: None,
        }
    }

    /// Names the client message the error is about.
    pub fn about_message(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Names the conversation the error is about.
    pub fn about_conversation(mut self, id: impl Into<String>) -> Self {
        self.conversation_id = Some(id.into());
        self
    }
}

/// Stable error codes. Clients branch on these, never on the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadJson,
    UnknownType,
    MissingField,
    InvalidField,
    EmptyMessage,
    TooLarge,
    RateLimited,
    BinaryNotSupported,
    NotFound,
    AlreadyClaimed,
    NotAssigned,
    NotQueued,
    NotClosed,
    AgentUnavailable,
    AtCapacity,
    BadCredentials,
    Unauthorized,
    SetupDone,
    Forbidden,
    AgentExists,
    LastAdmin,
    CannotRemoveSelf,
    ConversationFull,
    Busy,
    WeakPassword,
    TooManyAttempts,
    /// The store cannot write right now (disk full, I/O errors): nothing
    /// was stored; the same request may work shortly. HTTP status 503.
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The sentence used when nothing more specific is known.
    pub fn default_message(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "The frame is not a valid JSON object.",
            ErrorCode::UnknownType => "This socket does not understand that frame type.",
            ErrorCode::MissingField => "A required field is missing.",
            ErrorCode::InvalidField => "A field has the wrong type or an unusable value.",
            ErrorCode::EmptyMessage => "The message is empty.",
            ErrorCode::TooLarge => "The frame is too large.",
            ErrorCode::RateLimited => {
                "Too many messages too fast; this one was not stored. Send it again in a moment."
            }
            ErrorCode::BinaryNotSupported => "Only text frames are supported.",
            ErrorCode::NotFound => "No such conversation.",
            ErrorCode::AlreadyClaimed => "Another agent already took this conversation.",
            ErrorCode::NotAssigned => "You do not hold this conversation.",
            ErrorCode::NotQueued => "This conversation is not waiting in the queue.",
            ErrorCode::NotClosed => "Only a closed conversation can be rated.",
            ErrorCode::AgentUnavailable => "That agent is not signed in.",
            ErrorCode::AtCapacity => "That would be more chats at once than the limit allows.",
            ErrorCode::BadCredentials => "Unknown agent name or wrong password.",
            ErrorCode::Unauthorized => "Sign in again: the token is missing, unknown or expired.",
            ErrorCode::SetupDone => "Agents exist already; ask an owner to add your account.",
            ErrorCode::Forbidden => "Only an admin may do that.",
            ErrorCode::AgentExists => "An agent with that name exists already.",
            ErrorCode::LastAdmin => {
                "That is the last admin; make another admin first, or nobody could manage the team."
            }
            ErrorCode::CannotRemoveSelf => {
                "You cannot remove your own account; ask another admin to do it."
            }
            ErrorCode::ConversationFull => {
                "This conversation is too long to add to; start a new one."
            }
            ErrorCode::Busy => "Tandem is at its connection limit; try again in a minute.",
            ErrorCode::WeakPassword => {
                "That password is too weak: use at least 10 characters, not a common password, not the account's name."
            }
            ErrorCode::TooManyAttempts => {
                "Too many failed sign-ins; wait a moment before trying again."
            }
            ErrorCode::Unavailable => "Tandem cannot store messages right now; try again shortly.",
            ErrorCode::Internal => {
                "Tandem failed on its side. Nothing was stored unless it was acknowledged."
            }
        }
    }
}
