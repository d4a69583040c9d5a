//! Tests of `bot.rs`.

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
    crate::intents::load_dir(dir.path(), &crate::encoder::Embedder::bundled()).unwrap()
}

fn respond(set: &IntentSet, text: &str, misses_in_row: u32, turn: u64) -> BotTurn {
    let mut mood = Mood::default();
    let vector = crate::encoder::Embedder::bundled()
        .embed_message_now(text)
        .ok();
    super::respond(
        set,
        text,
        Heard {
            vector: vector.as_ref(),
            look: None,
        },
        &mut mood,
        misses_in_row,
        turn,
        OffsetDateTime::UNIX_EPOCH,
    )
}

#[test]
fn known_question_gets_the_intent_answer_with_captures() {
    let turn = respond(&set(), "where is order 12345?", 0, 0);
    assert_eq!(turn.reply.text, "Order 12345 is on its way.");
    assert_eq!(turn.escalate, None);
}

#[test]
fn an_answer_never_shows_a_placeholder_the_message_did_not_fill() {
    let variants = [
        "Order {order} is on its way.".to_owned(),
        "Track it in your email.".to_owned(),
    ];
    let order = [("order".to_owned(), "12345".to_owned())];
    assert_eq!(
        answer(&variants, &order, 0).unwrap(),
        "Order 12345 is on its way."
    );
    for turn in 0..4 {
        assert_eq!(
            answer(&variants, &[], turn).unwrap(),
            "Track it in your email."
        );
    }
    assert_eq!(
        crate::intents::placeholders("a {x} b {y_2} {} {no space}"),
        ["x", "y_2"]
    );
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
fn an_upset_visitor_hears_an_acknowledgement_the_answer_and_an_offer() {
    let turn = respond(&set(), "this is so annoying, where is order 12345?", 0, 0);
    assert_eq!(turn.escalate, None);
    let text = &turn.reply.text;
    assert!(text.starts_with("I'm sorry"), "{text}");
    assert!(text.contains("Order 12345 is on its way."), "{text}");
    assert_eq!(turn.reply.quick_replies[0], "Talk to a person");
}

#[test]
fn a_handoff_intent_quotes_the_calm_message_that_triggered_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[[intent]]\nname = \"invoice\"\nexamples = [\"send me an invoice\", \"i need an invoice\", \"invoice for my order\"]\nresponses = [\"x\"]\nhandoff = true\n\n[[intent]]\nname = \"greeting\"\nexamples = [\"hello\", \"hi there\", \"good morning\"]\nresponses = [\"Hi!\"]\n",
    )
    .unwrap();
    let set = crate::intents::load_dir(dir.path(), &crate::encoder::Embedder::bundled()).unwrap();
    let reasons = respond(&set, "send me an invoice", 0, 0).escalate.unwrap();
    assert_eq!(reasons[0].code, ReasonCode::IntentRequiresHuman);
    assert_eq!(reasons[0].evidence.as_deref(), Some("send me an invoice"));
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

#[test]
fn every_example_of_a_small_intent_set_is_understood() {
    let s = set();
    for intent in &s.intents {
        for example in &intent.examples {
            let turn = respond(&s, example, 0, 0);
            assert_eq!(
                turn.intent.as_deref(),
                Some(intent.name.as_str()),
                "{example:?}"
            );
        }
    }
}
