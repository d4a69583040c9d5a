//! The agent socket: what a console sends ([`AgentFrame`]) and what Tandem
//! sends back ([`AgentEvent`]).

use serde::{Deserialize, Serialize};

use super::{
    AgentPresence, AgentStatus, AgentView, ConversationView, Csat, ErrorBody, MessageView,
    OfflineMessageView, QueueEntryView, Role,
};

/// The most queue entries an agent's `queue` frame carries: the head of
/// the line, which is what agents take from. A queue of thousands would
/// otherwise cost every console its whole length several times a second.
pub const QUEUE_VIEW_LIMIT: usize = 100;

/// Frames an agent's console sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentFrame {
    /// Show me this conversation.
    Open { conversation_id: String },
    /// Take this conversation from the queue.
    Claim { conversation_id: String },
    /// Reply in a conversation I hold.
    Message {
        conversation_id: String,
        id: String,
        text: String,
    },
    /// End the conversation.
    Close { conversation_id: String },
    /// A private note on the conversation, for agents only.
    Note {
        conversation_id: String,
        id: String,
        text: String,
    },
    /// Hand the conversation to another agent, with an optional note.
    Transfer {
        conversation_id: String,
        to: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// Hand the conversation back to the bot.
    Release { conversation_id: String },
    /// Started or stopped typing a reply (shown to the visitor).
    Typing {
        conversation_id: String,
        active: bool,
    },
    /// Mark a left message as answered (it leaves everyone's list).
    ResolveOffline { id: String },
    /// Set my status: `available` or `away`.
    Status { status: AgentStatus },
    /// Older lines of a conversation: those before line `before`.
    History {
        conversation_id: String,
        before: u64,
    },
}

impl AgentFrame {
    /// Every `type` this socket accepts, for `unknown_type` detection.
    pub const TYPES: &'static [&'static str] = &[
        "open",
        "claim",
        "message",
        "close",
        "note",
        "transfer",
        "release",
        "typing",
        "resolve_offline",
        "status",
        "history",
    ];
}

/// Frames Tandem sends to an agent's console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentEvent {
    /// First frame: who you are signed in as.
    Hello { agent: AgentView, role: Role },
    /// The head of the queue in serving order: at most
    /// [`QUEUE_VIEW_LIMIT`] entries, and how many wait in all.
    Queue {
        entries: Vec<QueueEntryView>,
        total: usize,
    },
    /// A whole conversation (after `open`, a won claim, or on connect).
    Conversation(ConversationView),
    /// Older lines of a conversation, answering `history`, oldest first.
    History {
        conversation_id: String,
        messages: Vec<MessageView>,
        /// Still older ones exist.
        more: bool,
    },
    /// A new line in a conversation you hold.
    Message {
        conversation_id: String,
        #[serde(flatten)]
        message: MessageView,
    },
    /// You won the claim.
    Claimed { conversation_id: String },
    /// The conversation was closed.
    Closed { conversation_id: String },
    /// You no longer hold the conversation: transferred to `to`, or back to
    /// the bot when `to` is `null`.
    HandedOff {
        conversation_id: String,
        to: Option<String>,
    },
    /// The visitor is typing (or stopped) in a conversation you hold.
    Typing {
        conversation_id: String,
        active: bool,
    },
    /// The visitor rated a conversation you closed.
    Rated { conversation_id: String, csat: Csat },
    /// Who is signed in right now; sent on connect and on every change.
    Agents { online: Vec<AgentPresence> },
    /// A conversation you held went back to the queue because it was not
    /// answered in time.
    Requeued { conversation_id: String },
    /// The owner's canned replies (sent after `hello` and on reload).
    Canned {
        replies: Vec<crate::intents::CannedReply>,
    },
    /// Messages visitors left while nobody could answer, not yet handled.
    OfflineMessages { entries: Vec<OfflineMessageView> },
    /// Your message with this id is durably stored.
    Ack { id: String },
    /// Something you sent could not be used.
    Error(ErrorBody),
}
