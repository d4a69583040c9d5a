//! Tests of `conversation.rs`.

use super::*;
use crate::protocol::ReasonCode;

fn conversation() -> ConversationRecord {
    ConversationRecord::new(Uuid::nil(), "t".into(), OffsetDateTime::UNIX_EPOCH)
}

fn asked() -> Vec<Reason> {
    vec![Reason {
        code: ReasonCode::AskedForHuman,
        text: "asked for a person".into(),
        evidence: None,
    }]
}

#[test]
fn a_record_stored_before_the_empathy_engine_still_loads() {
    let mut c = conversation();
    c.escalate(asked(), OffsetDateTime::UNIX_EPOCH);
    let mut old = serde_json::to_value(&c).unwrap();
    let object = old.as_object_mut().unwrap();
    object.remove("mood");
    object["reasons"][0]
        .as_object_mut()
        .unwrap()
        .remove("evidence");
    let loaded: ConversationRecord = serde_json::from_value(old).unwrap();
    assert_eq!(loaded.mood, Mood::default());
    assert_eq!(loaded.reasons, asked());
}

#[test]
fn second_claim_loses_to_the_first() {
    let mut c = conversation();
    assert!(c.escalate(asked(), OffsetDateTime::UNIX_EPOCH));
    assert_eq!(c.claim("sam"), Ok(()));
    assert_eq!(
        c.claim("kim"),
        Err(StateError::AlreadyClaimed("sam".into()))
    );
    assert_eq!(c.assigned_to.as_deref(), Some("sam"));
}

#[test]
fn a_conversation_with_the_bot_cannot_be_claimed() {
    assert_eq!(conversation().claim("sam"), Err(StateError::NotQueued));
}

#[test]
fn escalating_twice_keeps_the_first_reasons() {
    let mut c = conversation();
    assert!(c.escalate(asked(), OffsetDateTime::UNIX_EPOCH));
    assert!(!c.escalate(Vec::new(), OffsetDateTime::UNIX_EPOCH));
    assert_eq!(c.reasons, asked());
}

#[test]
fn only_the_holder_closes_an_assigned_conversation() {
    let mut c = conversation();
    c.escalate(asked(), OffsetDateTime::UNIX_EPOCH);
    c.claim("sam").unwrap();
    assert_eq!(
        c.close("kim", OffsetDateTime::UNIX_EPOCH),
        Err(StateError::NotAssigned)
    );
    assert_eq!(c.close("sam", OffsetDateTime::UNIX_EPOCH), Ok(()));
    assert_eq!(c.status, Status::Closed);
}

#[test]
fn a_transfer_moves_the_conversation_and_only_the_holder_may() {
    let mut c = conversation();
    c.escalate(asked(), OffsetDateTime::UNIX_EPOCH);
    c.claim("sam").unwrap();
    assert_eq!(c.transfer("kim", "lee"), Err(StateError::NotAssigned));
    c.transfer("sam", "kim").unwrap();
    assert_eq!(c.check_held_by("kim"), Ok(()));
    c.release("kim").unwrap();
    assert_eq!((c.status, c.assigned_to.as_deref()), (Status::Bot, None));
}

#[test]
fn only_a_closed_conversation_can_be_rated_and_the_closer_is_credited() {
    let mut c = conversation();
    assert_eq!(
        c.rate(5, None, OffsetDateTime::UNIX_EPOCH),
        Err(StateError::NotClosed)
    );
    c.escalate(asked(), OffsetDateTime::UNIX_EPOCH);
    c.claim("sam").unwrap();
    c.close("sam", OffsetDateTime::UNIX_EPOCH).unwrap();
    assert_eq!(c.closed_at, Some(OffsetDateTime::UNIX_EPOCH));
    let csat = c
        .rate(4, Some("quick".into()), OffsetDateTime::UNIX_EPOCH)
        .unwrap();
    assert_eq!((csat.score, csat.agent.as_deref()), (4, Some("sam")));
}

#[test]
fn stopping_the_wait_returns_to_the_bot() {
    let mut c = conversation();
    assert_eq!(c.cancel_wait(), Err(StateError::NotQueued));
    c.escalate(asked(), OffsetDateTime::UNIX_EPOCH);
    c.cancel_wait().unwrap();
    assert!(c.bot_is_answering());
}

#[test]
fn a_closed_conversation_stays_closed_and_the_next_one_starts_fresh() {
    let mut c = conversation();
    c.escalate(asked(), OffsetDateTime::UNIX_EPOCH);
    c.claim("sam").unwrap();
    c.close("sam", OffsetDateTime::UNIX_EPOCH).unwrap();
    assert!(!c.bot_is_answering());
    assert!(!c.escalate(asked(), OffsetDateTime::UNIX_EPOCH));

    let next = c.follow_up(Uuid::from_u128(2), OffsetDateTime::UNIX_EPOCH);
    assert_eq!(next.status, Status::Bot);
    assert!(next.reasons.is_empty() && next.assigned_to.is_none());
    assert_eq!(next.resume_token, c.resume_token);
    assert_eq!(next.visitor(), c.visitor());
    assert_eq!(
        next.visitor(),
        c.id,
        "the first conversation names the visitor"
    );
    let third = next.follow_up(Uuid::from_u128(3), OffsetDateTime::UNIX_EPOCH);
    assert_eq!((third.visitor(), third.earlier_count), (c.id, 2));
}
