//! Tests of the conversation's mood: how messages, feedback and waiting move it.

use super::*;
use time::Duration;

/// The straightforward version [`ContentWords`] replaced: a set of strings.
fn reference_similarity(a: &str, b: &str) -> (usize, f32) {
    use std::collections::HashSet;
    const LITTLE: &[&str] = &[
        "a", "an", "the", "i", "me", "my", "you", "your", "is", "are", "do", "does", "to", "of",
        "and", "or", "it", "in", "on", "for", "can", "please", "what", "how", "where", "when",
        "this", "that", "so", "again", "just", "still",
    ];
    let words = |text: &str| -> HashSet<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .filter(|w| !LITTLE.contains(&w.as_str()))
            .collect()
    };
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    let similarity = if union == 0 {
        0.0
    } else {
        a.intersection(&b).count() as f32 / union as f32
    };
    (a.len(), similarity)
}

#[test]
fn a_repeated_question_is_spotted_as_the_word_sets_spotted_it() {
    let lines = [
        "",
        "?!",
        "the a an",
        "where is my order",
        "WHERE is my ORDER??",
        "where is my order, order, ORDER",
        "my order hasn't arrived, where is it",
        "Bestellung nicht angekommen, Größe falsch",
        "BESTELLUNG NICHT ANGEKOMMEN",
        "ΟΔΥΣΣΕΥΣ ΣΊΣΥΦΟΣ odysseus",
        "οδυσσευς σίσυφος odysseus",
        "İstanbul delivery ǅ",
        "istanbul delivery",
        "日本語 テキスト order",
        "can you ship to austria",
        "and to austria?",
        "refund refund refund please now",
    ];
    for a in lines {
        let words = ContentWords::of(a);
        let mut other = ContentWords::default();
        for b in lines {
            other.read(b);
            let (len, want) = reference_similarity(a, b);
            assert_eq!(words.len(), len, "{a:?}");
            assert_eq!(
                words.similarity(&other).to_bits(),
                want.to_bits(),
                "{a:?} vs {b:?}"
            );
        }
    }
}

const ANSWERED: BotOutcome = BotOutcome::Answered {
    confidence: 0.9,
    threshold: 0.45,
};

fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::seconds(secs)
}

fn codes(signals: &[Signal]) -> Vec<ReasonCode> {
    signals.iter().map(|s| s.code).collect()
}

#[test]
fn calm_routine_questions_leave_the_score_at_zero() {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    for (i, text) in [
        "hi",
        "where is my order?",
        "how long does shipping take",
        "ok thanks",
    ]
    .iter()
    .enumerate()
    {
        let signals = mood.observe_message(text, None, ANSWERED, at(i as i64 * 30), &policy);
        assert!(signals.is_empty(), "{text}: {signals:?}");
    }
    assert_eq!(mood.score, 0.0);
}

#[test]
fn asking_the_same_thing_again_is_noticed_with_the_message() {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    mood.observe_message(
        "do you sell kayaks?",
        None,
        BotOutcome::Missed,
        at(0),
        &policy,
    );
    let signals = mood.observe_message(
        "do you sell kayaks??",
        None,
        BotOutcome::Missed,
        at(30),
        &policy,
    );
    assert!(codes(&signals).contains(&ReasonCode::RepeatedQuestion));
    let repeat = signals
        .iter()
        .find(|s| s.code == ReasonCode::RepeatedQuestion)
        .unwrap();
    assert_eq!(repeat.evidence, "do you sell kayaks??");
}

#[test]
fn a_different_question_is_not_a_repeat() {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    mood.observe_message("where is my order", None, ANSWERED, at(0), &policy);
    let signals = mood.observe_message("how much is shipping", None, ANSWERED, at(30), &policy);
    assert!(!codes(&signals).contains(&ReasonCode::RepeatedQuestion));
}

#[test]
fn the_score_rises_with_evidence_and_cools_down_when_things_go_well() {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    mood.observe_message("this is useless", None, ANSWERED, at(0), &policy);
    let upset = mood.score;
    assert!(upset > 0.3, "{upset}");
    mood.observe_message("that is ridiculous", None, ANSWERED, at(30), &policy);
    assert!(mood.score > upset);
    let high = mood.score;
    mood.observe_message("ok, thank you", None, ANSWERED, at(60), &policy);
    assert!(mood.score < high * 0.7, "{} vs {high}", mood.score);
    assert_eq!(mood.peak, high);
}

#[test]
fn a_thumbs_down_is_a_rejection_and_a_thumbs_up_cools_down() {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    let signals = mood.observe_feedback(false, "We ship in 2-5 days.", &policy);
    assert_eq!(codes(&signals), [ReasonCode::RejectedAnswer]);
    assert_eq!(signals[0].evidence, "We ship in 2-5 days.");
    let after_down = mood.score;
    assert!(after_down > 0.5);
    mood.observe_feedback(true, "We ship in 2-5 days.", &policy);
    assert!(mood.score < after_down);
}

#[test]
fn quick_messages_count_as_a_burst_only_while_the_bot_struggles() {
    let policy = EscalationPolicy::default();
    let mut calm = Mood::default();
    for i in 0..5 {
        let s = calm.observe_message("and the blue one", None, ANSWERED, at(i), &policy);
        assert!(!codes(&s).contains(&ReasonCode::MessageBurst));
    }
    let mut stuck = Mood::default();
    let mut last = Vec::new();
    for (i, text) in ["hello??", "anyone", "answer me", "come on"]
        .iter()
        .enumerate()
    {
        last = stuck.observe_message(text, None, BotOutcome::Missed, at(i as i64), &policy);
    }
    assert!(codes(&last).contains(&ReasonCode::MessageBurst), "{last:?}");
}

#[test]
fn a_curt_reply_after_long_ones_counts_when_the_bot_missed() {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    mood.observe_message(
        "I ordered a blue jacket two weeks ago and it still has not arrived, can you check",
        None,
        BotOutcome::Missed,
        at(0),
        &policy,
    );
    let signals = mood.observe_message("whatever", None, BotOutcome::Missed, at(60), &policy);
    assert!(
        codes(&signals).contains(&ReasonCode::CurtReply),
        "{signals:?}"
    );
}

#[test]
fn waiting_in_the_queue_counts_once_per_grace_period() {
    let policy = EscalationPolicy::default();
    let mut mood = Mood::default();
    assert!(mood.observe_queue_wait(at(0), at(60), &policy).is_empty());
    let first = mood.observe_queue_wait(at(0), at(400), &policy);
    assert_eq!(codes(&first), [ReasonCode::QueueWait]);
    assert!(mood.observe_queue_wait(at(0), at(500), &policy).is_empty());
    assert_eq!(mood.observe_queue_wait(at(0), at(700), &policy).len(), 1);
}

#[test]
fn an_old_record_without_a_mood_loads_calm() {
    let mood: Mood = serde_json::from_str("{}").unwrap();
    assert_eq!(mood, Mood::default());
}
