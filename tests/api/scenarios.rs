//! Scripted conversations against the real server: each file in
//! `tests/fixtures/scenarios/` is a visitor's lines plus what they must see
//! (the bot's replies) and what agents must find (status, reasons with
//! evidence, frustration score).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

/// One scripted conversation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    turn: Vec<Turn>,
    expect: Outcome,
}

/// One visitor action and what the bot's reply must show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Turn {
    /// A chat line.
    say: Option<String>,
    /// A thumbs down on the bot's last line instead of a chat line.
    #[serde(default)]
    thumbs_down: bool,
    #[serde(default)]
    reply_contains: Vec<String>,
    /// Case-insensitive.
    #[serde(default)]
    reply_lacks: Vec<String>,
    /// The reply offers a person with the "Talk to a person" quick reply.
    #[serde(default)]
    offers_person: bool,
    /// The reply hands over to a person.
    #[serde(default)]
    handed_over: bool,
}

/// What agents find at the end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Outcome {
    escalated: bool,
    /// Reason codes that must be recorded, the first one first.
    #[serde(default)]
    reasons: Vec<String>,
    /// The first reason must be one of these.
    #[serde(default)]
    first_reason_in: Vec<String>,
    min_frustration: Option<f64>,
    max_frustration: Option<f64>,
}

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios")
}

async fn run(name: &str) {
    let path = scenario_dir().join(format!("{name}.toml"));
    let scenario: Scenario = toml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    let conversation = welcome["conversation_id"].as_str().unwrap().to_owned();
    let mut last_bot_id = String::new();
    for (i, turn) in scenario.turn.iter().enumerate() {
        let at = format!("{name} turn {}", i + 1);
        let reply = if let Some(text) = &turn.say {
            visitor.ask(&format!("c{i}"), text).await
        } else {
            assert!(
                turn.thumbs_down,
                "{at}: a turn says something or gives a thumbs down"
            );
            visitor
                .send(json!({"type": "feedback", "message_id": last_bot_id, "helpful": false}))
                .await;
            visitor
                .expect_where(|f| f["type"] == "message" && f["from"] == "bot")
                .await
        };
        last_bot_id = reply["id"].as_str().unwrap().to_owned();
        let text = reply["text"].as_str().unwrap();
        for wanted in &turn.reply_contains {
            assert!(
                text.contains(wanted.as_str()),
                "{at}: {wanted:?} not in {text:?}"
            );
        }
        for unwanted in &turn.reply_lacks {
            assert!(
                !text.to_lowercase().contains(&unwanted.to_lowercase()),
                "{at}: {unwanted:?} in {text:?}"
            );
        }
        if turn.offers_person {
            assert_eq!(
                reply["quick_replies"][0], "Talk to a person",
                "{at}: {reply}"
            );
        }
        assert_eq!(
            text.contains("to take over"),
            turn.handed_over,
            "{at}: handed over? {text:?}"
        );
        assert!(!text.is_empty());
    }

    let mut agent = app.agent("sam").await;
    // The console's greeting: the queue, right after hello.
    let queue = agent.expect("queue").await;
    agent
        .send(json!({"type": "open", "conversation_id": conversation}))
        .await;
    let view = agent.expect("conversation").await;
    let expect = &scenario.expect;
    let status = view["status"].as_str().unwrap();
    assert_eq!(status == "queued", expect.escalated, "{name}: {view}");
    let reasons = view["reasons"].as_array().unwrap();
    let codes: Vec<&str> = reasons
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    if let Some(first) = expect.reasons.first() {
        assert_eq!(
            codes.first().copied(),
            Some(first.as_str()),
            "{name}: {codes:?}"
        );
    }
    for code in &expect.reasons {
        assert!(
            codes.contains(&code.as_str()),
            "{name}: {code} not in {codes:?}"
        );
    }
    if !expect.first_reason_in.is_empty() {
        assert!(
            expect
                .first_reason_in
                .iter()
                .any(|c| Some(c.as_str()) == codes.first().copied()),
            "{name}: {codes:?}"
        );
    }
    for reason in reasons {
        assert!(
            reason["evidence"].as_str().is_some_and(|e| !e.is_empty()),
            "{name}: every reason quotes what caused it: {reason}"
        );
    }
    let score = view["frustration"].as_f64().unwrap();
    if let Some(min) = expect.min_frustration {
        assert!(score >= min, "{name}: frustration {score} < {min}");
    }
    if let Some(max) = expect.max_frustration {
        assert!(score <= max, "{name}: frustration {score} > {max}");
    }
    if expect.escalated {
        let entry: &Value = &queue["entries"][0];
        assert_eq!(entry["frustration"].as_f64().unwrap(), score, "{queue}");
    }
}

/// One test per scenario file, named after what the visitor notices.
macro_rules! scenarios {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                run($file).await;
            }
        )*

        #[test]
        fn every_scenario_file_has_a_test() {
            let listed = [$($file),*];
            for entry in std::fs::read_dir(scenario_dir()).unwrap() {
                let path = entry.unwrap().path();
                let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
                assert!(listed.contains(&stem.as_str()), "no test runs {}", path.display());
            }
        }
    };
}

scenarios! {
    calm_visitor_is_never_escalated_or_patronised => "calm_routine_questions",
    visitor_repeating_an_unanswered_question_is_handed_over_after_the_second_miss => "repeated_unanswerable_question",
    angry_visitor_is_handed_over_within_two_messages => "angry_visitor",
    asking_for_a_person_hands_over_at_once => "explicit_ask",
    not_bad_at_all_is_not_read_as_a_complaint => "not_bad_at_all",
    sarcasm_raises_the_score_and_the_bot_offers_a_person => "sarcasm",
    thumbs_down_on_an_answer_gets_an_apology_and_an_offer => "thumbs_down",
}

#[tokio::test]
async fn a_thumbs_down_on_a_line_that_is_not_the_bots_is_refused_and_the_chat_goes_on() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.ask("c1", "hello").await;
    // Line 1 is the visitor's own; 99 does not exist.
    for id in ["1", "99", "not-a-number"] {
        visitor
            .send(json!({"type": "feedback", "message_id": id, "helpful": false}))
            .await;
        let error = visitor.expect("error").await;
        assert_eq!(error["code"], "invalid_field", "{error}");
    }
    let answer = visitor.ask("c2", "how long does shipping take").await;
    assert!(
        answer["text"].as_str().unwrap().contains("2-5 days"),
        "{answer}"
    );
}
