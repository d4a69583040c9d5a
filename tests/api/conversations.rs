//! Whole conversations, calm and upset (`tests/fixtures/conversations/`,
//! written by the team), over real websockets against the bundled intents,
//! at a human pace: a line every few seconds, every conversation of a set
//! at once on one server.
//!
//! Calm visitors must get plain answers: no acknowledgement of feelings
//! they did not show, no offer of a person they did not ask for, never a
//! handoff. Upset visitors must reach a person by their `person_by`-th
//! line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::join_all;
use serde::Deserialize;
use serde_json::Value;
use tandem::empathy::policy::{ACKNOWLEDGEMENTS, OFFER_A_PERSON};

use crate::helpers::{spawn_app_with, TestApp};

/// Time between a visitor's lines: reading the answer and typing the next.
const PACE: Duration = Duration::from_secs(6);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Set {
    conversation: Vec<Conversation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conversation {
    name: String,
    lines: Vec<String>,
    /// Upset sets: the visitor's line by which a person must have taken over.
    person_by: Option<usize>,
}

fn set(name: &str) -> Set {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/conversations/{name}.toml"));
    toml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bundled_intents() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("intents")
}

/// One line and the bot's reply to it.
struct Exchange {
    said: String,
    reply: String,
    handed_over: bool,
}

/// Plays `conversation` until its end or a handoff.
async fn play(app: &TestApp, conversation: &Conversation) -> Vec<Exchange> {
    let (mut visitor, _) = app.visitor().await;
    let mut transcript = Vec::new();
    for (i, line) in conversation.lines.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(PACE).await;
        }
        let reply: Value = visitor.ask(&format!("l{i}"), line).await;
        let reply = reply["text"].as_str().unwrap_or_default().to_owned();
        let handed_over = reply.contains("to take over");
        transcript.push(Exchange {
            said: line.clone(),
            reply,
            handed_over,
        });
        if handed_over {
            break;
        }
    }
    transcript
}

fn show(name: &str, transcript: &[Exchange]) -> String {
    let lines: Vec<String> = transcript
        .iter()
        .map(|e| format!("  visitor: {}\n  bot:     {}", e.said, e.reply))
        .collect();
    format!("{name}:\n{}", lines.join("\n"))
}

/// Plays every conversation of `name` at once; returns them with their transcripts.
async fn play_set(name: &str) -> Vec<(Conversation, Vec<Exchange>)> {
    let app = spawn_app_with(tempfile::tempdir().unwrap(), bundled_intents()).await;
    let set = set(name);
    let transcripts = join_all(set.conversation.iter().map(|c| play(&app, c))).await;
    set.conversation.into_iter().zip(transcripts).collect()
}

#[tokio::test]
async fn calm_visitors_get_plain_answers_and_are_never_handed_over() {
    let mut failures = Vec::new();
    for (conversation, transcript) in play_set("calm").await {
        let problem = transcript.iter().find_map(|e| {
            if e.handed_over {
                Some("handed over")
            } else if e.reply.contains(OFFER_A_PERSON) {
                Some("offered a person unasked")
            } else if ACKNOWLEDGEMENTS.iter().any(|a| e.reply.contains(a)) {
                Some("apologised for feelings the visitor did not show")
            } else {
                None
            }
        });
        if let Some(problem) = problem {
            failures.push(format!(
                "{problem}: {}",
                show(&conversation.name, &transcript)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn upset_visitors_reach_a_person_in_time() {
    let mut failures = Vec::new();
    for (conversation, transcript) in play_set("upset").await {
        let by = conversation
            .person_by
            .expect("upset conversations say by when");
        let reached = transcript.iter().position(|e| e.handed_over).map(|i| i + 1);
        if reached.is_none_or(|at| at > by) {
            failures.push(format!(
                "not with a person by line {by}: {}",
                show(&conversation.name, &transcript)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
