//! The escalation policy: when the bot must hand a conversation to a person,
//! when it should slow down and acknowledge the visitor, and how to say why.
//!
//! The policy is owned by the business (`[escalation]` in
//! `intents/policy.toml`, documented in `docs/empathy.md`) and is pure data
//! plus pure functions. Three kinds of rule, checked in this order:
//!
//! 1. **Hard triggers** hand over at once, whatever the score: an intent
//!    the owner routes to a person, an explicit ask for a person (in words or
//!    with the widget's button), and N bot misses in a row.
//! 2. **Hard threshold**: the conversation's frustration score
//!    ([`super::conversation`]) reached it — hand over now.
//! 3. **Soft threshold**: acknowledge the feeling, answer with the intent's
//!    empathetic variant, and offer a person with a quick reply.

use serde::Deserialize;

use super::conversation::{Mood, Signal};
use crate::protocol::{Reason, ReasonCode};

/// `[escalation]` in `policy.toml`. Every key is optional.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EscalationPolicy {
    /// Consecutive fallbacks after which the bot hands over (0 = never).
    pub max_misses_in_row: u32,
    /// Hand over at once when the visitor asks for a person in words.
    pub hand_over_when_asked: bool,
    /// Hand over when the visitor is still upset after the bot
    /// acknowledged it and offered a person: the next message with
    /// evidence of frustration (or a miss) hands over.
    pub hand_over_if_still_upset: bool,
    /// Frustration score (0 to 1) at which the bot acknowledges the feeling
    /// and offers a person.
    pub soft_threshold: f32,
    /// Frustration score (0 to 1) at which the bot hands over.
    pub hard_threshold: f32,
    /// Factor (0 to 1) the score is multiplied by after a calm message the
    /// bot answered well, or a thumbs up: how fast things cool down.
    pub calm_decay: f32,
    /// Messages within `burst_window_secs` that count as a burst.
    pub burst_messages: u32,
    /// The window for bursts, in seconds.
    pub burst_window_secs: u64,
    /// Seconds in the queue before waiting starts to count as a signal.
    pub queue_wait_grace_secs: u64,
    /// How much each signal adds to the conversation's frustration.
    pub weights: SignalWeights,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        EscalationPolicy {
            max_misses_in_row: 2,
            hand_over_when_asked: true,
            hand_over_if_still_upset: true,
            soft_threshold: 0.5,
            hard_threshold: 0.9,
            calm_decay: 0.6,
            burst_messages: 3,
            burst_window_secs: 5,
            queue_wait_grace_secs: 300,
            weights: SignalWeights::default(),
        }
    }
}

/// How much evidence one message must carry, after the bot offered a
/// person, to count as "still upset": a miss (0.3) or an impatient
/// "hello??" (0.2) does; an unsure answer (0.1) does not.
const STILL_UPSET_EVIDENCE: f32 = 0.15;

/// `[escalation.weights]`: multipliers on each signal's strength. 0 turns a
/// signal off; 1 is the default for everything the message reader finds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignalWeights {
    /// Negative words: "terrible", "not helpful".
    pub negative_wording: f32,
    /// Swearing.
    pub profanity: f32,
    /// Name-calling aimed at the bot or the business.
    pub insult: f32,
    /// "right now", "third time".
    pub urgency: f32,
    /// Money, the account or the law: "charged twice", "lawyer".
    pub high_stakes: f32,
    /// ALL CAPS, "!!!", "???".
    pub shouting: f32,
    /// "great, another bot".
    pub sarcasm: f32,
    /// Angry or exasperated emoji.
    pub negative_emoji: f32,
    /// "that's not what I asked", and a thumbs down on a bot answer.
    pub rejected_answer: f32,
    /// Asking for a person (also a hard trigger).
    pub asked_for_human: f32,
    /// Asking essentially the same thing again.
    pub repeated_question: f32,
    /// A message the bot did not understand.
    pub bot_miss: f32,
    /// An answer the bot was not sure of.
    pub low_confidence: f32,
    /// Several messages in quick succession.
    pub message_burst: f32,
    /// A curt reply after long messages, when the bot struggled.
    pub curt_reply: f32,
    /// Each grace period spent waiting in the queue.
    pub queue_wait: f32,
}

impl Default for SignalWeights {
    fn default() -> Self {
        SignalWeights {
            negative_wording: 1.0,
            profanity: 1.0,
            insult: 1.0,
            urgency: 1.0,
            high_stakes: 1.0,
            shouting: 1.0,
            sarcasm: 1.0,
            negative_emoji: 1.0,
            rejected_answer: 1.0,
            asked_for_human: 1.0,
            repeated_question: 0.6,
            bot_miss: 0.3,
            low_confidence: 0.1,
            message_burst: 0.3,
            curt_reply: 0.2,
            queue_wait: 0.3,
        }
    }
}

impl SignalWeights {
    /// The weight of signals with `code`; 1 for codes without a setting.
    pub fn of(&self, code: ReasonCode) -> f32 {
        match code {
            ReasonCode::NegativeWording => self.negative_wording,
            ReasonCode::Profanity => self.profanity,
            ReasonCode::Insult => self.insult,
            ReasonCode::Urgency => self.urgency,
            ReasonCode::HighStakes => self.high_stakes,
            ReasonCode::Shouting => self.shouting,
            ReasonCode::Sarcasm => self.sarcasm,
            ReasonCode::NegativeEmoji => self.negative_emoji,
            ReasonCode::RejectedAnswer => self.rejected_answer,
            ReasonCode::AskedForHuman => self.asked_for_human,
            ReasonCode::RepeatedQuestion => self.repeated_question,
            ReasonCode::BotMisses => self.bot_miss,
            ReasonCode::LowConfidence => self.low_confidence,
            ReasonCode::MessageBurst => self.message_burst,
            ReasonCode::CurtReply => self.curt_reply,
            ReasonCode::QueueWait => self.queue_wait,
            ReasonCode::IntentRequiresHuman
            | ReasonCode::Frustration
            | ReasonCode::Unanswered
            | ReasonCode::AgentRemoved => 1.0,
        }
    }
}

/// What happened on one bot turn, as far as escalation cares.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnOutcome<'a> {
    /// The bot understood the message as this intent.
    Understood {
        /// Owner's flag: this intent always goes to a person.
        handoff: bool,
        /// The reason agents read for such a handoff.
        handoff_reason: &'a str,
    },
    /// The bot fell back; `misses_in_row` counts this one.
    Missed { misses_in_row: u32 },
}

/// What the bot does about the visitor's mood on this turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Answer normally.
    Answer,
    /// Acknowledge the feeling, answer with care, offer a person.
    Acknowledge,
    /// Hand over now, for these reasons (the trigger first, then the
    /// signals seen over the conversation).
    HandOver(Vec<Reason>),
}

impl EscalationPolicy {
    /// The decision after a visitor message: `outcome` is the bot's turn,
    /// `signals` what this message showed, `mood` the conversation after it.
    pub fn decide(&self, outcome: &TurnOutcome<'_>, signals: &[Signal], mood: &Mood) -> Decision {
        let evidence = signals.first().map(|s| s.evidence.clone());
        let trigger = match outcome {
            TurnOutcome::Understood {
                handoff: true,
                handoff_reason,
            } => Some(Reason {
                code: ReasonCode::IntentRequiresHuman,
                text: (*handoff_reason).to_owned(),
                evidence: evidence.clone(),
            }),
            TurnOutcome::Missed { misses_in_row }
                if self.max_misses_in_row > 0 && *misses_in_row >= self.max_misses_in_row =>
            {
                Some(Reason {
                    code: ReasonCode::BotMisses,
                    text: format!("the bot did not understand {misses_in_row} messages in a row"),
                    evidence: evidence.clone(),
                })
            }
            _ => None,
        };
        let asked = signals
            .iter()
            .find(|s| s.code == ReasonCode::AskedForHuman && self.hand_over_when_asked)
            .map(Signal::reason);
        let this_message: f32 = signals.iter().map(|s| s.weight).sum();
        let still_upset =
            self.hand_over_if_still_upset && mood.offered && this_message >= STILL_UPSET_EVIDENCE;
        let trigger = trigger.or(asked).or_else(|| {
            (mood.score >= self.hard_threshold || still_upset).then(|| Reason {
                code: ReasonCode::Frustration,
                text: if still_upset && mood.score < self.hard_threshold {
                    "still upset after the bot offered a person".to_owned()
                } else {
                    format!("frustration {:.2} over the conversation", mood.score)
                },
                evidence,
            })
        });
        match trigger {
            Some(first) => Decision::HandOver(with_supporting(first, mood)),
            None if mood.score >= self.soft_threshold => Decision::Acknowledge,
            None => Decision::Answer,
        }
    }

    /// Problems an owner must fix, in words for `tandem intents check`.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, value) in [
            ("soft_threshold", self.soft_threshold),
            ("hard_threshold", self.hard_threshold),
            ("calm_decay", self.calm_decay),
        ] {
            if !(0.0..=1.0).contains(&value) {
                problems.push(format!("escalation.{name} must be between 0 and 1"));
            }
        }
        if self.soft_threshold > self.hard_threshold {
            problems.push(
                "escalation.soft_threshold must not be above escalation.hard_threshold".into(),
            );
        }
        let w = &self.weights;
        let negative = [
            w.negative_wording,
            w.profanity,
            w.insult,
            w.urgency,
            w.high_stakes,
            w.shouting,
            w.sarcasm,
            w.negative_emoji,
            w.rejected_answer,
            w.asked_for_human,
            w.repeated_question,
            w.bot_miss,
            w.low_confidence,
            w.message_burst,
            w.curt_reply,
            w.queue_wait,
        ]
        .iter()
        .any(|v| !v.is_finite() || *v < 0.0);
        if negative {
            problems.push("escalation.weights must all be 0 or more".into());
        }
        problems
    }
}

/// The trigger, then the latest signal of each other kind seen over the
/// conversation (at most six reasons), so agents see the whole story.
pub fn with_supporting(first: Reason, mood: &Mood) -> Vec<Reason> {
    let mut reasons = vec![first];
    for signal in mood.evidence.iter().rev() {
        if reasons.iter().all(|r| r.code != signal.code) && reasons.len() < 6 {
            reasons.push(signal.reason());
        }
    }
    reasons
}

/// The reason for an explicit ask (the widget's button).
pub fn asked_for_human() -> Reason {
    Reason {
        code: ReasonCode::AskedForHuman,
        text: "asked for a person".into(),
        evidence: None,
    }
}

/// Why the bot hands over, in words for the visitor. Plain and honest: the
/// bot says it is handing over and why, and never pretends to be a person.
pub fn explain_to_visitor(reasons: &[Reason]) -> String {
    let repeated = reasons
        .iter()
        .any(|r| r.code == ReasonCode::RepeatedQuestion);
    let asked = reasons.iter().any(|r| r.code == ReasonCode::AskedForHuman);
    match reasons.first().map(|r| r.code) {
        _ if asked => "you asked for a person".into(),
        Some(ReasonCode::BotMisses) if repeated => {
            "you've asked twice and I haven't been able to help".into()
        }
        Some(ReasonCode::BotMisses) => "I haven't been able to answer your last questions".into(),
        Some(ReasonCode::IntentRequiresHuman) => {
            "this is something a person from our team should handle".into()
        }
        Some(ReasonCode::Unanswered) => "a person will be with you shortly".into(),
        Some(ReasonCode::Frustration) if repeated => {
            "you've had to ask more than once and I haven't been able to help".into()
        }
        Some(_) => {
            "I can tell this hasn't been going well, and a person will do better than me".into()
        }
        None => "a person can help you better than I can".into(),
    }
}

/// Every acknowledgement the bot may say (tests check calm visitors never
/// hear one).
pub const ACKNOWLEDGEMENTS: [&str; 5] = [
    "Sorry, I don't seem to be getting this right.",
    "I understand this matters, so let's get it sorted.",
    "Sorry this is taking longer than it should.",
    "Fair enough, I'm only a bot, but I'll do my best.",
    "I'm sorry this has been frustrating.",
];

/// A short acknowledgement, chosen by the strongest thing the visitor
/// showed: said before the answer when they are upset.
pub fn acknowledgement(signals: &[Signal]) -> &'static str {
    match signals.first().map(|s| s.code) {
        Some(
            ReasonCode::RejectedAnswer
            | ReasonCode::RepeatedQuestion
            | ReasonCode::BotMisses
            | ReasonCode::LowConfidence
            | ReasonCode::CurtReply,
        ) => ACKNOWLEDGEMENTS[0],
        Some(ReasonCode::HighStakes) => ACKNOWLEDGEMENTS[1],
        Some(ReasonCode::Urgency | ReasonCode::QueueWait | ReasonCode::MessageBurst) => {
            ACKNOWLEDGEMENTS[2]
        }
        Some(ReasonCode::Sarcasm) => ACKNOWLEDGEMENTS[3],
        _ => ACKNOWLEDGEMENTS[4],
    }
}

/// The offer of a person that goes with an acknowledgement.
pub const OFFER_A_PERSON: &str =
    "If you'd rather talk to a person from our team, just say so and I'll bring one in.";

/// The quick reply that asks for a person.
pub const TALK_TO_A_PERSON: &str = "Talk to a person";

#[cfg(test)]
mod tests;
