//! One bot turn: understand the visitor's message, answer or fall back, and
//! decide whether to hand over.
//!
//! Pure: the intent set, the conversation's miss count and the text come in;
//! a [`BotTurn`] comes out. The hub stores and delivers it.

use crate::empathy::{self, TurnOutcome};
use crate::intents::{IntentSet, Matcher, Verdict};
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
}

/// A line the bot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotReply {
    pub text: String,
    pub quick_replies: Vec<String>,
}

/// Answers `text`. `turn` picks among an intent's response variants so they
/// rotate; `misses_in_row` is the count before this message.
pub fn respond(set: &IntentSet, text: &str, misses_in_row: u32, turn: u64) -> BotTurn {
    let hit = match set.matcher.decide(text) {
        Verdict::Answer(hit) => Some(hit),
        Verdict::Ask(hit) => {
            // Two intents are too close to call: offer both by their labels;
            // the matcher resolves a label to its intent exactly. Not a miss.
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
            };
        }
        Verdict::Fallback(_) => None,
    };
    let Some(hit) = hit else {
        let misses_in_row = misses_in_row + 1;
        let escalate = set
            .policy
            .escalation
            .decide(&TurnOutcome::Missed { misses_in_row });
        let reply = match &escalate {
            Some(reasons) => handoff_reply(set, reasons),
            None => BotReply {
                text: set.policy.bot.fallback.clone(),
                quick_replies: set.policy.bot.fallback_quick_replies.clone(),
            },
        };
        return BotTurn {
            reply,
            intent: None,
            misses_in_row,
            escalate,
        };
    };
    let intent = &set.intents[hit.intent];
    let default_reason = format!("asked about {} (always handled by a person)", intent.name);
    let escalate = set.policy.escalation.decide(&TurnOutcome::Understood {
        handoff: intent.handoff,
        handoff_reason: intent.handoff_reason.as_deref().unwrap_or(&default_reason),
    });
    let reply = match &escalate {
        Some(reasons) => handoff_reply(set, reasons),
        None => {
            // Responses are never empty: loading refuses such an intent.
            let pick = (turn as usize) % intent.responses.len().max(1);
            let template = intent.responses.get(pick).cloned().unwrap_or_default();
            BotReply {
                text: fill(&template, &Matcher::captures(intent, text)),
                quick_replies: intent.quick_replies.clone(),
            }
        }
    };
    BotTurn {
        reply,
        intent: Some(intent.name.clone()),
        misses_in_row: 0,
        escalate,
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
mod tests {
    use super::*;
    use crate::protocol::ReasonCode;

    fn set() -> IntentSet {
        set_with_matcher("")
    }

    fn set_with_matcher(matcher_toml: &str) -> IntentSet {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("matcher.toml"), matcher_toml).unwrap();
        std::fs::write(
            dir.path().join("a.toml"),
            r#"
[[intent]]
name = "order_status"
description = "Where is my order"
examples = ["where is my order", "track my parcel"]
patterns = ['(?i)order\s*#?(?P<order>\d{5})']
responses = ["Order {order} is on its way.", "Second variant."]
[[intent]]
name = "talk_to_human"
examples = ["talk to a person", "real human please", "can i speak to someone", "i want a human"]
responses = ["unused"]
handoff = true
handoff_reason = "asked for a person"
"#,
        )
        .unwrap();
        crate::intents::load_dir(dir.path()).unwrap()
    }

    #[test]
    fn known_question_gets_the_intent_answer_with_captures() {
        let turn = respond(&set(), "where is order 12345?", 0, 0);
        assert_eq!(turn.reply.text, "Order 12345 is on its way.");
        assert_eq!(turn.escalate, None);
    }

    #[test]
    fn responses_rotate_with_the_turn() {
        assert_eq!(
            respond(&set(), "where is order 12345?", 0, 1).reply.text,
            "Second variant."
        );
    }

    #[test]
    fn second_miss_hands_over_and_says_why() {
        let s = set();
        let first = respond(&s, "do you sell kayaks", 0, 0);
        assert_eq!(first.escalate, None);
        assert!(first.reply.text.contains("rephrase"));
        let second = respond(&s, "blue kayaks?", first.misses_in_row, 1);
        assert_eq!(second.escalate.unwrap()[0].code, ReasonCode::BotMisses);
        assert!(second.reply.text.contains("haven't been able to answer"));
    }

    #[test]
    fn asking_for_a_person_in_words_hands_over() {
        let turn = respond(&set(), "can I talk to a real person", 0, 0);
        assert_eq!(turn.escalate.unwrap()[0].text, "asked for a person");
    }

    #[test]
    fn a_close_call_asks_with_both_labels_and_a_click_answers() {
        // A margin of 1 makes every classifier decision a close call.
        let s = set_with_matcher("confidence_threshold = 0.0\nclose_call_margin = 1.0\n");
        let ask = respond(&s, "track my parcel", 0, 0);
        assert_eq!(ask.reply.text, s.policy.bot.clarify);
        assert_eq!(
            ask.reply.quick_replies,
            vec!["Where is my order".to_string(), "Talk to human".to_string()]
        );
        assert_eq!(
            (ask.intent, ask.misses_in_row, ask.escalate),
            (None, 0, None)
        );
        let click = respond(&s, "Where is my order", 0, 1);
        assert_eq!(click.intent.as_deref(), Some("order_status"));
        assert_eq!(click.reply.text, "Second variant.");
    }
}
