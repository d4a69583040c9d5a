//! The escalation policy: when the bot must hand a conversation to a person,
//! and how to say why.
//!
//! This is the first, plain version: a visitor who asks for a person, an
//! intent the owner routes to a person, and N bot misses in a row each hand
//! over at once. The policy is owned by the business (`[escalation]` in
//! `intents/policy.toml`) and is pure data plus pure functions, so the
//! frustration signals that come next slot in as more reasons.

use serde::Deserialize;

use crate::protocol::{Reason, ReasonCode};

/// Thresholds from `[escalation]` in `policy.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EscalationPolicy {
    /// Consecutive fallbacks after which the bot hands over (0 = never).
    pub max_misses_in_row: u32,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        EscalationPolicy {
            max_misses_in_row: 2,
        }
    }
}

/// What happened on one bot turn, as far as escalation cares.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl EscalationPolicy {
    /// The reasons to hand over after this turn, or `None` to stay with the bot.
    pub fn decide(&self, outcome: &TurnOutcome<'_>) -> Option<Vec<Reason>> {
        match outcome {
            TurnOutcome::Understood {
                handoff: true,
                handoff_reason,
            } => Some(vec![Reason {
                code: ReasonCode::IntentRequiresHuman,
                text: (*handoff_reason).to_owned(),
            }]),
            TurnOutcome::Understood { .. } => None,
            TurnOutcome::Missed { misses_in_row }
                if self.max_misses_in_row > 0 && *misses_in_row >= self.max_misses_in_row =>
            {
                Some(vec![Reason {
                    code: ReasonCode::BotMisses,
                    text: format!("the bot did not understand {misses_in_row} messages in a row"),
                }])
            }
            TurnOutcome::Missed { .. } => None,
        }
    }
}

/// The reason for an explicit ask (the widget's button).
pub fn asked_for_human() -> Reason {
    Reason {
        code: ReasonCode::AskedForHuman,
        text: "asked for a person".into(),
    }
}

/// Why the bot hands over, in words for the visitor.
pub fn explain_to_visitor(reasons: &[Reason]) -> String {
    match reasons.first().map(|r| r.code) {
        Some(ReasonCode::AskedForHuman) => "you asked for a person".into(),
        Some(ReasonCode::BotMisses) => "I haven't been able to answer your last questions".into(),
        Some(ReasonCode::Unanswered) => "a person will be with you shortly".into(),
        Some(ReasonCode::IntentRequiresHuman) => {
            "this is something a person from our team should handle".into()
        }
        None => "a person can help you better than I can".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_miss_in_a_row_hands_over_by_default() {
        let p = EscalationPolicy::default();
        assert_eq!(p.decide(&TurnOutcome::Missed { misses_in_row: 1 }), None);
        let reasons = p.decide(&TurnOutcome::Missed { misses_in_row: 2 }).unwrap();
        assert_eq!(reasons[0].code, ReasonCode::BotMisses);
    }

    #[test]
    fn zero_misses_setting_never_hands_over_for_misses() {
        let p = EscalationPolicy {
            max_misses_in_row: 0,
        };
        assert_eq!(p.decide(&TurnOutcome::Missed { misses_in_row: 9 }), None);
    }

    #[test]
    fn a_handoff_intent_always_hands_over_with_its_reason() {
        let p = EscalationPolicy::default();
        let outcome = TurnOutcome::Understood {
            handoff: true,
            handoff_reason: "asked for a person",
        };
        assert_eq!(p.decide(&outcome).unwrap()[0].text, "asked for a person");
    }
}
