//! The wire protocol: every JSON frame Tandem sends or accepts, defined once.
//!
//! `docs/protocol.md` documents these shapes for people; this module is the
//! only place they exist in code. Frames are serde enums tagged by `"type"`.
//!
//! Parsing untrusted text is the job of [`parse_frame`]: it never panics and
//! turns every kind of bad input into an [`ErrorCode`] that clients can act on
//! (`bad_json`, `unknown_type`, `missing_field`, …), so a socket can answer a
//! bad frame with an error frame and keep going.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Largest text frame the application reads; bigger ones get `too_large`.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Largest frame the websocket transport accepts at all; bigger ones close
/// the socket with status 1009 (the frame is never buffered whole).
pub const MAX_TRANSPORT_BYTES: usize = 64 * 1024;
/// Longest chat line, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest client-chosen message id.
pub const MAX_CLIENT_ID_CHARS: usize = 64;

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

/// The stable codes of [`Reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// Every line so far, bot part and private notes included.
    pub history: Vec<MessageView>,
    /// The visitor's rating, once given.
    pub csat: Option<Csat>,
    /// The same visitor's conversations before this one, newest first.
    pub earlier: Vec<EarlierConversation>,
}

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
            ErrorCode::Internal => {
                "Tandem failed on its side. Nothing was stored unless it was acknowledged."
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Visitor socket
// ---------------------------------------------------------------------------

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
    ];
}

/// Why nobody can answer right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineReason {
    /// Outside business hours: the visitor is not queued.
    ClosedHours,
    /// Within hours, but no agent is signed in: the visitor is queued and
    /// may leave a message instead of waiting.
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

/// Longest email address accepted.
pub const MAX_EMAIL_CHARS: usize = 254;

/// Checks that an email address is plausible: something@domain.tld, no
/// spaces. (Deliverability can only be known by writing to it.)
pub fn validate_email(email: &str) -> Result<(), ErrorBody> {
    let email = email.trim();
    let domain_ok = |d: &str| d.contains('.') && !d.starts_with('.') && !d.ends_with('.');
    let plausible = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain_ok(domain));
    if plausible {
        Ok(())
    } else {
        Err(ErrorBody::with_message(
            ErrorCode::InvalidField,
            "That does not look like an email address; please check it.",
        ))
    }
}

/// Longest CSAT comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

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
        history: Vec<MessageView>,
        /// A person closed the conversation and it is not rated yet: ask.
        survey: bool,
    },
    /// The visitor's message with this id is durably stored.
    Ack { id: String },
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

// ---------------------------------------------------------------------------
// Agent socket
// ---------------------------------------------------------------------------

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
    ];
}

/// Frames Tandem sends to an agent's console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentEvent {
    /// First frame: who you are signed in as.
    Hello { agent: AgentView, role: Role },
    /// The whole queue, oldest first.
    Queue { entries: Vec<QueueEntryView> },
    /// A whole conversation (after `open`, a won claim, or on connect).
    Conversation(ConversationView),
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

/// `POST /api/agent/login` body.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LoginRequest {
    pub name: String,
    pub password: String,
}

/// `POST /api/agent/login` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LoginResponse {
    pub token: String,
    pub agent: AgentView,
}

// ---------------------------------------------------------------------------
// Team management (admins only, over HTTP)
// ---------------------------------------------------------------------------

/// One agent account in `GET /api/agents`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TeamMember {
    /// Sign-in name.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// When the account was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Whether they have a console open right now.
    pub online: bool,
}

/// `POST /api/agents` body: a new account, as `tandem agent add` makes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewAgentRequest {
    pub name: String,
    pub password: String,
    /// `agent` when omitted.
    #[serde(default)]
    pub role: Role,
}

/// `POST /api/agents/{name}/password` body.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewPasswordRequest {
    pub password: String,
}

// ---------------------------------------------------------------------------
// Parsing untrusted frames
// ---------------------------------------------------------------------------

/// Parses one text frame into `T`, or says precisely what is wrong with it.
///
/// `known_types` are the `type` values `T` accepts; anything else is
/// `unknown_type` rather than a generic parse error. Field values are checked
/// by [`validate_client_id`] and [`validate_text`] where the caller needs them.
pub fn parse_frame<T: DeserializeOwned>(text: &str, known_types: &[&str]) -> Result<T, ErrorBody> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(ErrorBody::with_message(
            ErrorCode::TooLarge,
            format!("Frames may be at most {MAX_FRAME_BYTES} bytes."),
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ErrorBody::with_message(
            ErrorCode::BadJson,
            format!("The frame is not valid JSON: {e}."),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(ErrorBody::with_message(
            ErrorCode::BadJson,
            "A frame must be a JSON object with a \"type\" field.",
        ));
    };
    let id = object.get("id").and_then(|v| v.as_str()).map(str::to_owned);
    let with_id = |body: ErrorBody| match &id {
        Some(id) => body.about_message(id.clone()),
        None => body,
    };
    match object.get("type") {
        None => {
            return Err(with_id(ErrorBody::with_message(
                ErrorCode::MissingField,
                "The frame has no \"type\" field.",
            )))
        }
        Some(serde_json::Value::String(t)) if known_types.contains(&t.as_str()) => {}
        Some(serde_json::Value::String(t)) => {
            return Err(with_id(ErrorBody::with_message(
                ErrorCode::UnknownType,
                format!(
                    "Unknown frame type {t:?}; this socket accepts {}.",
                    known_types.join(", ")
                ),
            )))
        }
        Some(_) => {
            return Err(with_id(ErrorBody::with_message(
                ErrorCode::InvalidField,
                "\"type\" must be a string.",
            )))
        }
    }
    serde_json::from_value(value).map_err(|e| {
        let detail = e.to_string();
        // serde_json words a missing field as "missing field `x`"; every
        // other failure here is a field of the wrong shape.
        let code = if detail.starts_with("missing field") {
            ErrorCode::MissingField
        } else {
            ErrorCode::InvalidField
        };
        with_id(ErrorBody::with_message(
            code,
            format!("{}.", capitalise(&detail)),
        ))
    })
}

/// Checks a client-chosen message id.
pub fn validate_client_id(id: &str) -> Result<(), ErrorBody> {
    let chars = id.chars().count();
    if chars == 0 || chars > MAX_CLIENT_ID_CHARS {
        return Err(ErrorBody::with_message(
            ErrorCode::InvalidField,
            format!("\"id\" must be 1 to {MAX_CLIENT_ID_CHARS} characters."),
        )
        .about_message(id));
    }
    Ok(())
}

/// Checks a chat line's text.
pub fn validate_text(id: &str, text: &str) -> Result<(), ErrorBody> {
    if text.trim().is_empty() {
        return Err(ErrorBody::new(ErrorCode::EmptyMessage).about_message(id));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ErrorBody::with_message(
            ErrorCode::TooLarge,
            format!("A message may be at most {MAX_TEXT_CHARS} characters."),
        )
        .about_message(id));
    }
    Ok(())
}

/// Checks a rating: a score of 1 to 5 and an optional comment.
pub fn validate_rating(score: u8, comment: Option<&str>) -> Result<(), ErrorBody> {
    if !(1..=5).contains(&score) {
        return Err(ErrorBody::with_message(
            ErrorCode::InvalidField,
            "\"score\" must be a whole number from 1 to 5.",
        ));
    }
    match comment {
        Some(c) => validate_length("comment", c, MAX_COMMENT_CHARS),
        None => Ok(()),
    }
}

/// Checks that a free-text field is at most `max` characters.
pub fn validate_length(field: &str, text: &str, max: usize) -> Result<(), ErrorBody> {
    if text.chars().count() > max {
        return Err(ErrorBody::with_message(
            ErrorCode::TooLarge,
            format!("\"{field}\" may be at most {max} characters."),
        ));
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visitor(text: &str) -> Result<VisitorFrame, ErrorBody> {
        parse_frame(text, VisitorFrame::TYPES)
    }

    #[test]
    fn a_well_formed_message_parses() {
        let frame = visitor(r#"{"type":"message","id":"c1","text":"hi"}"#).unwrap();
        assert_eq!(
            frame,
            VisitorFrame::Message {
                id: "c1".into(),
                text: "hi".into()
            }
        );
    }

    #[test]
    fn each_kind_of_bad_frame_gets_its_own_code() {
        let code = |t: &str| visitor(t).unwrap_err().code;
        assert_eq!(code("{not json"), ErrorCode::BadJson);
        assert_eq!(code("[1,2]"), ErrorCode::BadJson);
        assert_eq!(code(r#"{"text":"hi"}"#), ErrorCode::MissingField);
        assert_eq!(code(r#"{"type":"dance"}"#), ErrorCode::UnknownType);
        assert_eq!(
            code(r#"{"type":"message","id":"c1"}"#),
            ErrorCode::MissingField
        );
        assert_eq!(
            code(r#"{"type":"message","id":5,"text":"x"}"#),
            ErrorCode::InvalidField
        );
        assert_eq!(code(r#"{"type":7}"#), ErrorCode::InvalidField);
        let huge = format!(
            r#"{{"type":"message","id":"c1","text":"{}"}}"#,
            "a".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(code(&huge), ErrorCode::TooLarge);
    }

    #[test]
    fn errors_about_a_message_name_its_id() {
        let err = visitor(r#"{"type":"message","id":"c9"}"#).unwrap_err();
        assert_eq!(err.id.as_deref(), Some("c9"));
    }

    #[test]
    fn blank_and_overlong_texts_are_refused() {
        assert_eq!(
            validate_text("a", "  \n ").unwrap_err().code,
            ErrorCode::EmptyMessage
        );
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            validate_text("a", &long).unwrap_err().code,
            ErrorCode::TooLarge
        );
        assert!(validate_text("a", &"é".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(validate_client_id("").is_err());
        assert!(validate_client_id(&"x".repeat(65)).is_err());
    }

    #[test]
    fn frames_serialise_to_the_documented_shapes() {
        let at = time::macros::datetime!(2026-11-23 10:04:05 UTC);
        let msg = VisitorEvent::Message(MessageView {
            id: "7".into(),
            client_id: None,
            from: Sender::Bot,
            author: Some("Tandem".into()),
            text: "hi".into(),
            quick_replies: vec!["Yes".into()],
            at,
        });
        assert_eq!(
            serde_json::to_value(&msg).unwrap(),
            serde_json::json!({"type":"message","id":"7","from":"bot","author":"Tandem","text":"hi","quick_replies":["Yes"],"at":"2026-11-23T10:04:05Z"})
        );
        let err = VisitorEvent::Error(ErrorBody::new(ErrorCode::AlreadyClaimed));
        assert_eq!(
            serde_json::to_value(&err).unwrap()["code"],
            serde_json::json!("already_claimed")
        );
        assert_eq!(
            serde_json::to_value(VisitorEvent::Closed { survey: true }).unwrap(),
            serde_json::json!({"type":"closed","survey":true})
        );
    }
}
