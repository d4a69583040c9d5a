//! One bot turn: understand the visitor's message, answer or fall back, and
//! decide whether to hand over.
//!
//! Pure: the intent set, the conversation's mood and miss count, the text
//! and the time come in; a [`BotTurn`] comes out (and the mood is updated).
//! The hub stores and delivers it. Above the policy's soft threshold the bot
//! acknowledges the visitor and offers a person; at a hard trigger or the
//! hard threshold it hands over and says why.

use time::OffsetDateTime;

use crate::empathy::conversation::{BotOutcome, Mood};
use crate::empathy::policy::{self, Decision};
use crate::empathy::{self, TurnOutcome};
use crate::encoder::Embedding;
use crate::intents::{FirstLook, IntentSet, Matcher, Verdict};
use crate::protocol::Reason;

/// What the bot does with one visitor message.
#[derive(Debug, Clone, PartialEq)]
pub struct BotTurn {
    /// The line the bot says.
    pub reply: BotReply,
    /// The matched intent, if any (for reports).
    pub intent: Option<String>,
    /// Fallbacks in a row after this turn.
    pub misses_in_row: u32,
    /// `Some` when the conversation must go to a person now.
    pub escalate: Option<Vec<Reason>>,
    /// What this message showed of the visitor's mood (for tools).
    pub signals: Vec<crate::empathy::conversation::Signal>,
}

/// A line the bot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotReply {
    pub text: String,
    pub quick_replies: Vec<String>,
}

/// What is known of a message before the bot's turn.
#[derive(Debug, Clone, Default)]
pub struct Heard<'a> {
    /// Its sentence vector, when the encoder gave one.
    pub vector: Option<&'a Embedding>,
    /// The matcher's first look at it, when the caller already took one
    /// (the hub does, to decide whether to ask the encoder).
    pub look: Option<FirstLook>,
}

/// Answers `text` (with what is already known of it in `heard`). `turn`
/// picks among an intent's response variants so they rotate;
/// `misses_in_row` is the count before this message. `mood` is the
/// conversation's, updated here with what this message shows; `now` is when
/// the message arrived.
pub fn respond(
    set: &IntentSet,
    text: &str,
    heard: Heard<'_>,
    mood: &mut Mood,
    misses_in_row: u32,
    turn: u64,
    now: OffsetDateTime,
) -> BotTurn {
    let policy = &set.policy.escalation;
    // A close call still counts as understood (not a miss); unless the
    // visitor must go to a person, the bot then asks which intent they meant.
    let vector = heard.vector;
    let (hit, close_call) = match set.matcher.decide_after(heard.look, text, vector) {
        Verdict::Answer(hit) => (Some(hit), false),
        Verdict::Ask(hit) => (Some(hit), true),
        Verdict::Fallback(_) => (None, false),
    };
    let intent = hit.as_ref().and_then(|h| set.intents.get(h.intent));
    let reading = mood.read(text, vector.map(Embedding::as_slice), policy);
    // Thanks or praise the bot has no answer for is a pleasantry, not a
    // miss: "I'll ask the neighbours then, thanks" ends a conversation well.
    let pleasantry = intent.is_none() && reading.warm;
    let misses_in_row = match (intent, pleasantry) {
        (Some(_), _) => 0,
        (None, true) => misses_in_row,
        (None, false) => misses_in_row + 1,
    };
    let default_reason = intent
        .map(|i| format!("asked about {} (always handled by a person)", i.name))
        .unwrap_or_default();
    let (outcome, bot_outcome) = match (intent, &hit) {
        (Some(intent), Some(hit)) => (
            TurnOutcome::Understood {
                handoff: intent.handoff,
                handoff_reason: intent.handoff_reason.as_deref().unwrap_or(&default_reason),
            },
            BotOutcome::Answered {
                confidence: hit.confidence,
                threshold: set.matcher.settings().threshold(hit.by),
            },
        ),
        _ if pleasantry => (
            TurnOutcome::Missed { misses_in_row },
            BotOutcome::Pleasantry,
        ),
        _ => (TurnOutcome::Missed { misses_in_row }, BotOutcome::Missed),
    };
    let signals = mood.observe_reading(text, &reading, bot_outcome, now, policy);
    let mut decision = policy.decide(&outcome, &signals, mood);
    mood.note_decision(decision == Decision::Acknowledge, policy);
    if let Decision::HandOver(reasons) = &mut decision {
        // A trigger from a calm message (a handoff intent) quotes it too.
        for reason in reasons.iter_mut().filter(|r| r.evidence.is_none()) {
            reason.evidence = Some(text.chars().take(200).collect());
        }
    }
    let pick = turn as usize;
    let (reply, escalate) = match (decision, intent) {
        (Decision::HandOver(reasons), _) => (handoff_reply(set, &reasons), Some(reasons)),
        (Decision::Acknowledge, Some(intent)) => {
            // Empathetic variants acknowledge in the owner's own words;
            // otherwise a short acknowledgement goes before the answer.
            let captures = Matcher::captures(intent, text);
            let text = match answer(&intent.empathetic_responses, &captures, pick) {
                Some(caring) => caring,
                None => format!(
                    "{} {}",
                    policy::acknowledgement(&signals),
                    answer(&intent.responses, &captures, pick).unwrap_or_default()
                ),
            };
            let mut quick_replies = vec![policy::TALK_TO_A_PERSON.to_owned()];
            quick_replies.extend(
                intent
                    .quick_replies
                    .iter()
                    .filter(|q| q.as_str() != policy::TALK_TO_A_PERSON)
                    .cloned(),
            );
            (
                BotReply {
                    text: format!("{text} {}", policy::OFFER_A_PERSON),
                    quick_replies,
                },
                None,
            )
        }
        (Decision::Acknowledge, None) => (
            BotReply {
                text: format!(
                    "{} I didn't understand that one, though. {}",
                    policy::acknowledgement(&signals),
                    policy::OFFER_A_PERSON
                ),
                quick_replies: vec![policy::TALK_TO_A_PERSON.to_owned()],
            },
            None,
        ),
        (Decision::Answer, Some(intent)) => (
            BotReply {
                text: answer(&intent.responses, &Matcher::captures(intent, text), pick)
                    .unwrap_or_default(),
                quick_replies: intent.quick_replies.clone(),
            },
            None,
        ),
        (Decision::Answer, None) if pleasantry => (
            BotReply {
                text: set.policy.bot.pleasantry.clone(),
                quick_replies: Vec::new(),
            },
            None,
        ),
        (Decision::Answer, None) => (
            BotReply {
                text: set.policy.bot.fallback.clone(),
                quick_replies: set.policy.bot.fallback_quick_replies.clone(),
            },
            None,
        ),
    };
    if close_call && escalate.is_none() {
        if let Some(hit) = &hit {
            // Two intents are too close to call: offer both by their labels;
            // the matcher resolves a label to its intent exactly.
            let mut quick_replies = vec![set.intents[hit.intent].label()];
            quick_replies.extend(hit.runner_up.map(|(i, _)| set.intents[i].label()));
            return BotTurn {
                reply: BotReply {
                    text: set.policy.bot.clarify.clone(),
                    quick_replies,
                },
                intent: None,
                misses_in_row,
                escalate: None,
                signals,
            };
        }
    }
    BotTurn {
        reply,
        intent: intent.map(|i| i.name.clone()),
        misses_in_row,
        escalate,
        signals,
    }
}

/// The `turn`th of `variants`, cycling; `None` when there are none.
fn rotate<T>(variants: &[T], turn: usize) -> Option<&T> {
    if variants.is_empty() {
        return None;
    }
    variants.get(turn % variants.len())
}

/// The `turn`th variant whose `{placeholders}` the captures can all fill,
/// filled. Variants needing a capture the message did not give (matched by
/// its meaning, not the pattern) are skipped, so a visitor never reads
/// "{order}"; when every variant needs one, the first is used as it is
/// (`tandem intents check` warns about such intents).
fn answer(variants: &[String], captures: &[(String, String)], turn: usize) -> Option<String> {
    let fillable: Vec<&String> = variants
        .iter()
        .filter(|v| {
            crate::intents::placeholders(v)
                .iter()
                .all(|p| captures.iter().any(|(name, _)| name == p))
        })
        .collect();
    match rotate(&fillable, turn) {
        Some(v) => Some(fill(v, captures)),
        None => rotate(variants, turn).map(|v| fill(v, captures)),
    }
}

/// What the bot says when it hands over for `reasons`.
pub fn handoff_reply(set: &IntentSet, reasons: &[Reason]) -> BotReply {
    BotReply {
        text: set
            .policy
            .bot
            .handoff_message
            .replace("{reason}", &empathy::explain_to_visitor(reasons)),
        quick_replies: Vec::new(),
    }
}

/// Replaces `{name}` placeholders with captured values.
fn fill(template: &str, captures: &[(String, String)]) -> String {
    captures
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests;
