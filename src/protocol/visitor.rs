//! The visitor socket: what a widget sends ([`VisitorFrame`]) and what
//! Tandem sends back ([`VisitorEvent`]).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{AgentView, ErrorBody, MessageView, Status};

/// Frames a visitor sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorFrame {
    /// A chat line with the client's own id, for acks and safe resends.
    Message { id: String, text: String },
    /// Ask for a person now.
    RequestHuman,
    /// Thumbs up or down on a bot line (`message_id` is its server id).
    Feedback { message_id: String, helpful: bool },
    /// Stop waiting in the queue and go back to the bot.
    CancelWait,
    /// The visitor started or stopped typing (shown to the agent).
    Typing { active: bool },
    /// Leave an email and a message for the team (when nobody can answer now).
    LeaveMessage { email: String, text: String },
    /// Satisfaction after a closed conversation: 1 (bad) to 5 (great).
    Rate {
        score: u8,
        #[serde(default)]
        comment: Option<String>,
    },
    /// Older lines of this conversation: those before line `before`.
    History { before: u64 },
}

impl VisitorFrame {
    /// Every `type` this socket accepts, for `unknown_type` detection.
    pub const TYPES: &'static [&'static str] = &[
        "message",
        "request_human",
        "cancel_wait",
        "typing",
        "rate",
        "leave_message",
        "feedback",
        "history",
    ];
}

/// Why nobody can answer right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineReason {
    /// Outside business hours: the visitor is not queued.
    ClosedHours,
    /// Within hours, but no agent is taking chats (nobody signed in, or
    /// everyone away): the visitor is queued and may leave a message
    /// instead of waiting.
    NoAgents,
}

/// A message a visitor left for the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineMessageView {
    /// Id for `resolve_offline`.
    pub id: String,
    /// The conversation it came from (its transcript has the context).
    pub conversation_id: String,
    /// Where to reply.
    pub email: String,
    /// What the visitor wrote.
    pub text: String,
    /// When it was left.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Frames Tandem sends to a visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorEvent {
    /// Always the first frame on a visitor socket.
    Welcome {
        conversation_id: String,
        resume_token: String,
        /// `true` when an earlier conversation was found for the token.
        resumed: bool,
        status: Status,
        /// The newest lines ([`super::HISTORY_PAGE`] at most).
        history: Vec<MessageView>,
        /// Older lines exist: send `history` to read them.
        #[serde(default)]
        more_history: bool,
        /// A person closed the conversation and it is not rated yet: ask.
        survey: bool,
        /// The lines of the visitor's previous conversation, when this one
        /// followed it (they wrote again after a close); empty otherwise.
        #[serde(default)]
        earlier: Vec<MessageView>,
    },
    /// The visitor's message with this id is durably stored.
    Ack { id: String },
    /// Older lines, answering a `history` frame, oldest first.
    History {
        messages: Vec<MessageView>,
        /// Still older ones exist.
        more: bool,
    },
    /// A line from the bot, an agent or the system.
    Message(MessageView),
    /// The conversation waits for an agent.
    Queued {
        /// 1 is next.
        position: usize,
        estimated_wait_s: u64,
    },
    /// A person took over.
    AgentJoined { agent: AgentView },
    /// The visitor's `cancel_wait` worked: they are back with the bot.
    LeftQueue,
    /// The person handed the conversation back to the bot.
    AgentLeft { agent: AgentView },
    /// The agent is typing (or stopped).
    Typing { active: bool },
    /// The agent closed the conversation; `survey` asks for a rating.
    Closed { survey: bool },
    /// The rating was stored.
    Rated { score: u8 },
    /// Nobody can answer right now; offer to leave an email and a message.
    Offline {
        reason: OfflineReason,
        /// The business hours in words, when they are set.
        hours: Option<String>,
    },
    /// The email and message were stored for the team.
    MessageLeft,
    /// The visitor wrote after a close, which starts their next
    /// conversation: lines from now on belong to it (and their ids start
    /// again from 1). Comes before the first line of the new conversation.
    NewConversation { conversation_id: String },
    /// Something the visitor sent could not be used.
    Error(ErrorBody),
}
