//! Tests of `reports.rs`.

use super::*;
use crate::protocol::{Csat, Reason};
use time::macros::datetime;
use time::Duration;
use uuid::Uuid;

const SINCE: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);
const NOW: OffsetDateTime = datetime!(2026-11-08 00:00 UTC);

/// A conversation created an hour into the period in which the visitor
/// wrote something, left with the bot.
fn chat(n: u128) -> ConversationRecord {
    let mut c = ConversationRecord::new(Uuid::from_u128(n), format!("t{n}"), SINCE);
    c.created_at = SINCE + Duration::hours(1);
    c.preview = Some("where is my order?".into());
    c
}

fn reason(code: ReasonCode, text: &str) -> Reason {
    Reason {
        code,
        text: text.into(),
        evidence: None,
    }
}

/// `chat(n)` escalated for `reasons`.
fn escalated(n: u128, reasons: Vec<Reason>) -> ConversationRecord {
    let mut c = chat(n);
    assert!(c.escalate(reasons, c.created_at + Duration::minutes(1)));
    c
}

/// `escalated(n)` for asking, taken after `waited` seconds.
fn taken_after(n: u128, waited: i64) -> ConversationRecord {
    let mut c = escalated(n, vec![reason(ReasonCode::AskedForHuman, "asked")]);
    c.claim("sam").unwrap();
    c.assigned_at = c.queued_at.map(|q| q + Duration::seconds(waited));
    c
}

fn rated(n: u128, score: u8) -> ConversationRecord {
    let mut c = taken_after(n, 30);
    c.close("sam", NOW).unwrap();
    c.rate(score, None, NOW).unwrap();
    c
}

fn report(conversations: &[ConversationRecord]) -> Report {
    summarise(conversations, 0, SINCE, NOW)
}

#[test]
fn a_quiet_week_shows_zeros_and_no_averages() {
    let r = summarise(&[], 0, SINCE, NOW);
    assert_eq!(r.conversations, 0);
    assert_eq!(
        r.bot_alone,
        Share {
            count: 0,
            percent: None
        }
    );
    assert_eq!(r.to_person.percent, None);
    assert_eq!(r.reached_person, 0);
    assert!(r.reasons.is_empty());
    assert_eq!(
        r.wait,
        Durations {
            count: 0,
            median_seconds: None,
            p90_seconds: None
        }
    );
    assert_eq!((r.csat.count, r.csat.average), (0, None));
    assert_eq!(r.csat.distribution, [0; 5]);
    assert_eq!((r.since, r.until), (SINCE, NOW));
}

#[test]
fn chats_before_the_period_or_where_nobody_wrote_are_not_counted() {
    let mut before = chat(1);
    before.created_at = SINCE - Duration::seconds(1);
    let mut silent = chat(2);
    silent.preview = None;
    let mut at_the_start = chat(3);
    at_the_start.created_at = SINCE;
    assert_eq!(report(&[before, silent, at_the_start]).conversations, 1);
}

#[test]
fn the_bot_resolved_three_of_four_chats_alone() {
    let r = report(&[chat(1), chat(2), chat(3), taken_after(4, 10)]);
    assert_eq!(r.conversations, 4);
    assert_eq!(
        r.bot_alone,
        Share {
            count: 3,
            percent: Some(75.0)
        }
    );
    assert_eq!(
        r.to_person,
        Share {
            count: 1,
            percent: Some(25.0)
        }
    );
}

#[test]
fn shares_are_rounded_to_one_decimal() {
    let r = report(&[chat(1), chat(2), escalated(3, Vec::new())]);
    assert_eq!(r.bot_alone.percent, Some(66.7));
    assert_eq!(r.to_person.percent, Some(33.3));
}

#[test]
fn a_chat_that_waited_and_went_back_to_the_bot_still_went_to_a_person() {
    let mut c = escalated(1, vec![reason(ReasonCode::AskedForHuman, "asked")]);
    c.cancel_wait().unwrap();
    let r = report(&[c]);
    assert_eq!((r.bot_alone.count, r.to_person.count), (0, 1));
    assert_eq!(r.reached_person, 0, "nobody took it");
}

#[test]
fn only_chats_a_person_took_reached_a_person() {
    let r = report(&[
        escalated(1, Vec::new()),
        taken_after(2, 5),
        taken_after(3, 5),
    ]);
    assert_eq!((r.to_person.count, r.reached_person), (3, 2));
}

#[test]
fn the_most_common_reason_for_a_handover_comes_first() {
    let asked = || reason(ReasonCode::AskedForHuman, "asked for a person");
    let misses = || reason(ReasonCode::BotMisses, "3 unanswered questions");
    let r = report(&[
        escalated(1, vec![misses()]),
        escalated(2, vec![asked(), misses()]),
        escalated(3, vec![misses()]),
        // The bot's record of a conversation it kept is not a handover.
        {
            let mut c = chat(4);
            c.reasons = vec![asked()];
            c
        },
    ]);
    assert_eq!(
        r.reasons,
        vec![
            ReasonCount {
                code: ReasonCode::BotMisses,
                label: "The bot did not understand",
                example: "3 unanswered questions".into(),
                count: 3
            },
            ReasonCount {
                code: ReasonCode::AskedForHuman,
                label: "Asked for a person",
                example: "asked for a person".into(),
                count: 1
            },
        ]
    );
}

#[test]
fn a_reason_that_tripped_twice_in_one_chat_counts_once() {
    let unanswered = || reason(ReasonCode::Unanswered, "nobody answered");
    let c = escalated(1, vec![unanswered(), unanswered()]);
    assert_eq!(report(&[c]).reasons[0].count, 1);
}

#[test]
fn wait_times_give_the_median_and_the_slowest_tenth() {
    let chats: Vec<_> = (1..=10).map(|n| taken_after(n, n as i64 * 10)).collect();
    let r = report(&chats);
    assert_eq!(
        r.wait,
        Durations {
            count: 10,
            median_seconds: Some(50),
            p90_seconds: Some(90)
        }
    );
}

#[test]
fn handling_time_runs_from_the_take_to_the_close() {
    let mut quick = taken_after(1, 10);
    quick
        .close("sam", quick.assigned_at.unwrap() + Duration::minutes(3))
        .unwrap();
    let mut slow = taken_after(2, 10);
    slow.close("sam", slow.assigned_at.unwrap() + Duration::minutes(20))
        .unwrap();
    let open = taken_after(3, 10);
    let r = report(&[quick, slow, open]);
    assert_eq!(
        r.handling,
        Durations {
            count: 2,
            median_seconds: Some(180),
            p90_seconds: Some(1200)
        },
        "the chat still open has no handling time yet"
    );
}

#[test]
fn one_wait_is_its_own_median_and_ninetieth_percentile() {
    let r = report(&[taken_after(1, 42)]);
    assert_eq!(
        (r.wait.count, r.wait.median_seconds, r.wait.p90_seconds),
        (1, Some(42), Some(42))
    );
}

#[test]
fn a_chat_still_waiting_or_taken_in_an_earlier_round_has_no_wait_time() {
    let waiting = escalated(1, Vec::new());
    let mut earlier_round = taken_after(2, 5);
    earlier_round.queued_at = earlier_round.assigned_at.map(|t| t + Duration::minutes(1));
    let r = report(&[waiting, earlier_round]);
    assert_eq!(r.wait.count, 0);
    assert_eq!(r.wait.median_seconds, None);
}

#[test]
fn csat_gives_the_average_and_how_many_gave_each_score() {
    let r = report(&[rated(1, 5), rated(2, 4), rated(3, 4), rated(4, 1), chat(5)]);
    assert_eq!(r.csat.count, 4);
    assert_eq!(r.csat.average, Some(3.5));
    assert_eq!(r.csat.distribution, [1, 0, 0, 2, 1]);
}

#[test]
fn csat_average_is_rounded_to_two_decimals() {
    let r = report(&[rated(1, 5), rated(2, 4), rated(3, 4)]);
    assert_eq!(r.csat.average, Some(4.33));
}

#[test]
fn an_impossible_score_is_left_out_of_csat() {
    let mut c = rated(1, 4);
    c.csat = Some(Csat {
        score: 0,
        comment: None,
        at: NOW,
        agent: None,
    });
    let r = report(&[c, rated(2, 4)]);
    assert_eq!((r.csat.count, r.csat.average), (1, Some(4.0)));
}

#[test]
fn unanswered_questions_are_reported_as_given() {
    assert_eq!(summarise(&[], 7, SINCE, NOW).unanswered_questions, 7);
}

#[test]
fn the_report_reads_as_documented_json() {
    let r = report(&[rated(1, 4), chat(2)]);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["since"], "2026-11-01T00:00:00Z");
    assert_eq!(json["bot_alone"]["percent"], 50.0);
    assert_eq!(json["reasons"][0]["code"], "asked_for_human");
    assert_eq!(json["wait"]["median_seconds"], 30);
    assert_eq!(
        json["csat"]["distribution"],
        serde_json::json!([0, 0, 0, 1, 0])
    );
}
