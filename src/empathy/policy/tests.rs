//! Tests of the escalation policy: what a visitor notices when the bot answers, offers a person or hands over.

use super::*;
use crate::empathy::conversation::BotOutcome;
use time::OffsetDateTime;

const UNDERSTOOD: TurnOutcome<'static> = TurnOutcome::Understood {
    handoff: false,
    handoff_reason: "",
};

fn decide_after(texts: &[&str], outcome: TurnOutcome<'_>) -> Decision {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    let mut signals = Vec::new();
    for text in texts {
        signals = mood.observe_message(
            text,
            None,
            BotOutcome::Answered {
                confidence: 1.0,
                threshold: 0.45,
            },
            OffsetDateTime::UNIX_EPOCH,
            &policy,
        );
    }
    policy.decide(&outcome, &signals, &mood)
}

#[test]
fn second_miss_in_a_row_hands_over_by_default() {
    let p = EscalationPolicy::default();
    let mood = Mood::default();
    assert_eq!(
        p.decide(&TurnOutcome::Missed { misses_in_row: 1 }, &[], &mood),
        Decision::Answer
    );
    let Decision::HandOver(reasons) =
        p.decide(&TurnOutcome::Missed { misses_in_row: 2 }, &[], &mood)
    else {
        panic!("expected a handover");
    };
    assert_eq!(reasons[0].code, ReasonCode::BotMisses);
}

#[test]
fn zero_misses_setting_never_hands_over_for_misses() {
    let p = EscalationPolicy {
        max_misses_in_row: 0,
        ..EscalationPolicy::default()
    };
    assert_eq!(
        p.decide(
            &TurnOutcome::Missed { misses_in_row: 9 },
            &[],
            &Mood::default()
        ),
        Decision::Answer
    );
}

#[test]
fn a_handoff_intent_always_hands_over_with_its_reason() {
    let outcome = TurnOutcome::Understood {
        handoff: true,
        handoff_reason: "asked about a refund",
    };
    let Decision::HandOver(reasons) = decide_after(&["refund please"], outcome) else {
        panic!("expected a handover");
    };
    assert_eq!(reasons[0].text, "asked about a refund");
}

#[test]
fn an_ask_for_a_person_in_words_hands_over_with_the_message() {
    let Decision::HandOver(reasons) = decide_after(&["get me a human"], UNDERSTOOD) else {
        panic!("expected a handover");
    };
    assert_eq!(reasons[0].code, ReasonCode::AskedForHuman);
    assert_eq!(reasons[0].evidence.as_deref(), Some("get me a human"));
}

#[test]
fn a_furious_message_hands_over_and_lists_its_signals() {
    let Decision::HandOver(reasons) =
        decide_after(&["THIS IS RIDICULOUS!!! you useless idiots"], UNDERSTOOD)
    else {
        panic!("expected a handover");
    };
    assert_eq!(reasons[0].code, ReasonCode::Frustration);
    assert!(reasons.len() > 1, "{reasons:?}");
    assert!(reasons
        .iter()
        .all(|r| r.evidence.as_deref() == Some("THIS IS RIDICULOUS!!! you useless idiots")));
}

#[test]
fn sarcasm_is_acknowledged_not_handed_over() {
    assert_eq!(
        decide_after(&["great, another bot"], UNDERSTOOD),
        Decision::Acknowledge
    );
}

#[test]
fn calm_and_mildly_positive_messages_get_a_plain_answer() {
    for text in [
        "where is my order",
        "not bad at all, thanks",
        "I can't log in",
    ] {
        assert_eq!(
            decide_after(&[text], UNDERSTOOD),
            Decision::Answer,
            "{text}"
        );
    }
}

#[test]
fn thresholds_out_of_range_are_problems() {
    let p = EscalationPolicy {
        soft_threshold: 0.9,
        hard_threshold: 0.5,
        ..EscalationPolicy::default()
    };
    assert_eq!(p.problems().len(), 1);
    let p = EscalationPolicy {
        calm_decay: 2.0,
        ..EscalationPolicy::default()
    };
    assert!(p.problems()[0].contains("calm_decay"));
}

#[test]
fn the_visitor_hears_they_asked_twice_when_repeating_a_missed_question() {
    let reasons = [
        Reason {
            code: ReasonCode::BotMisses,
            text: String::new(),
            evidence: None,
        },
        Reason {
            code: ReasonCode::RepeatedQuestion,
            text: String::new(),
            evidence: None,
        },
    ];
    assert_eq!(
        explain_to_visitor(&reasons),
        "you've asked twice and I haven't been able to help"
    );
}
