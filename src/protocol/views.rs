//! Shapes shared by both sockets: chat lines, statuses, reasons, agents,
//! queue entries and whole conversations.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who wrote a chat line. A visitor always knows whether a bot or a person
/// is speaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    /// The person on the website.
    Visitor,
    /// The bot, answering from the intent files.
    Bot,
    /// A human agent.
    Agent,
    /// Tandem itself: "Sam joined the chat", "conversation closed".
    System,
    /// A private note between agents; never shown to the visitor.
    Note,
}

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The bot is answering.
    Bot,
    /// Waiting in the live-agent queue.
    Queued,
    /// An agent holds it; the bot is quiet.
    Assigned,
    /// An agent closed it. A new visitor message re-opens it with the bot.
    Closed,
}

/// One chat line as clients see it, in history and live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    /// The server's id, increasing within the conversation.
    pub id: String,
    /// The sender's own id for the line (visitor and agent lines only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Who wrote it.
    pub from: Sender,
    /// Display name of the bot or agent; `None` for visitor and system lines.
    pub author: Option<String>,
    /// Plain text; never to be rendered as HTML.
    pub text: String,
    /// Suggested answers, shown as buttons by the widget.
    #[serde(default)]
    pub quick_replies: Vec<String>,
    /// When the server stored it.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Why a conversation left the bot, as agents and reports see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable machine-readable code.
    pub code: ReasonCode,
    /// A short phrase for agents, e.g. "asked for a person".
    pub text: String,
    /// The visitor message (or event) that caused it, quoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// The stable codes of [`Reason`]. Ordered as declared (reports list
/// equally common reasons in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The visitor asked for a person (button or words).
    AskedForHuman,
    /// The bot failed to understand several messages in a row.
    BotMisses,
    /// The owner routes this intent to a person.
    IntentRequiresHuman,
    /// The conversation's frustration score reached the hard threshold.
    Frustration,
    /// Negative words: "terrible", "not helpful".
    NegativeWording,
    /// Swearing.
    Profanity,
    /// Name-calling aimed at the bot or the business.
    Insult,
    /// Time pressure: "right now", "third time".
    Urgency,
    /// Money, the account or the law: "charged twice", "lawyer".
    HighStakes,
    /// ALL CAPS, "!!!", "???".
    Shouting,
    /// Sarcastic praise: "great, another bot".
    Sarcasm,
    /// Angry or exasperated emoji.
    NegativeEmoji,
    /// "that's not what I asked", or a thumbs down on a bot answer.
    RejectedAnswer,
    /// The visitor asked essentially the same thing again.
    RepeatedQuestion,
    /// The bot answered but was unsure.
    LowConfidence,
    /// Several messages in quick succession.
    MessageBurst,
    /// A curt reply after long messages, while the bot struggled.
    CurtReply,
    /// A long wait in the queue.
    QueueWait,
    /// An agent took the conversation but did not answer in time; it went
    /// back to the front of the queue.
    Unanswered,
    /// The agent holding it was removed from the team; it went back to the
    /// front of the queue.
    AgentRemoved,
}

impl ReasonCode {
    /// The reason in a few words for an owner's report, where many
    /// conversations share one line ("Asked for a person"); [`Reason::text`]
    /// is one conversation's version, with its details.
    pub fn label(self) -> &'static str {
        match self {
            ReasonCode::AskedForHuman => "Asked for a person",
            ReasonCode::BotMisses => "The bot did not understand",
            ReasonCode::IntentRequiresHuman => "A topic that goes to a person",
            ReasonCode::Frustration => "Frustration built up",
            ReasonCode::NegativeWording => "Negative wording",
            ReasonCode::Profanity => "Swearing",
            ReasonCode::Insult => "Insults",
            ReasonCode::Urgency => "Urgency",
            ReasonCode::HighStakes => "Money, account or legal",
            ReasonCode::Shouting => "Shouting",
            ReasonCode::Sarcasm => "Sarcasm",
            ReasonCode::NegativeEmoji => "Angry emoji",
            ReasonCode::RejectedAnswer => "Rejected the bot's answer",
            ReasonCode::RepeatedQuestion => "Asked the same thing again",
            ReasonCode::LowConfidence => "The bot was unsure",
            ReasonCode::MessageBurst => "Many messages at once",
            ReasonCode::CurtReply => "Curt replies",
            ReasonCode::QueueWait => "A long wait",
            ReasonCode::Unanswered => "An agent did not answer in time",
            ReasonCode::AgentRemoved => "The agent left the team",
        }
    }
}

/// What an agent account may do. `admin`s are the owner's people: they also
/// manage the team and see the bot's status and unanswered questions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Answers chats.
    #[default]
    Agent,
    /// Answers chats and manages the desk.
    Admin,
}

/// Whether an agent takes new chats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    /// Takes chats (and, in auto mode, is assigned them).
    #[default]
    Available,
    /// Signed in but not taking new chats; keeps the ones held.
    Away,
}

/// A signed-in agent, as colleagues see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    /// Sign-in name.
    pub name: String,
    /// Available or away.
    pub status: AgentStatus,
    /// Conversations held right now.
    pub chats: usize,
    /// Most conversations this agent may hold at once.
    pub max_chats: usize,
}

/// An agent as other parties see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentView {
    /// Display name.
    pub name: String,
}

/// One conversation waiting in the queue, as agents see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntryView {
    /// Which conversation.
    pub conversation_id: String,
    /// When it entered the queue.
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: OffsetDateTime,
    /// Why it left the bot.
    pub reasons: Vec<Reason>,
    /// The visitor's first message, for a glance.
    pub preview: Option<String>,
    /// Why it stands where it does: "waiting 3 min + 4 min ahead for
    /// frustration (80%)".
    pub order_reason: String,
    /// The conversation's frustration score, 0 (calm) to 1.
    pub frustration: f32,
    /// How many conversations the same visitor had before (0 = first).
    #[serde(default)]
    pub earlier_conversations: u32,
    /// The visitor: the same for all their conversations.
    #[serde(default)]
    pub visitor_id: String,
}

/// One of the visitor's earlier conversations, listed when an agent opens a
/// later one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlierConversation {
    /// Which conversation (`open` it to read it).
    pub conversation_id: String,
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Where it ended up.
    pub status: Status,
    /// The visitor's first line.
    pub preview: Option<String>,
    /// The agent who held it last, if a person did.
    pub agent: Option<String>,
    /// Why it left the bot, if it did.
    pub reasons: Vec<Reason>,
    /// The visitor's rating, if they gave one.
    pub csat: Option<Csat>,
}

/// A whole conversation, as an agent opens it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    /// Which conversation.
    pub conversation_id: String,
    /// Where it stands.
    pub status: Status,
    /// The agent holding it, if any.
    pub assigned_to: Option<String>,
    /// Why it left the bot (empty while the bot has it).
    pub reasons: Vec<Reason>,
    /// The conversation's frustration score now, 0 (calm) to 1.
    pub frustration: f32,
    /// The highest the score has been in this conversation.
    pub frustration_peak: f32,
    /// The newest lines ([`super::HISTORY_PAGE`] at most), bot part and
    /// private notes included.
    pub history: Vec<MessageView>,
    /// Older lines exist: send `history` to read them.
    #[serde(default)]
    pub more_history: bool,
    /// The visitor's rating, once given.
    pub csat: Option<Csat>,
    /// The same visitor's conversations before this one, newest first.
    pub earlier: Vec<EarlierConversation>,
    /// The visitor: the same for all their conversations.
    #[serde(default)]
    pub visitor_id: String,
}

/// A visitor's rating of a closed conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csat {
    /// 1 (bad) to 5 (great).
    pub score: u8,
    /// Optional words.
    pub comment: Option<String>,
    /// When it was given.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The agent who closed the conversation, if one did.
    pub agent: Option<String>,
}
