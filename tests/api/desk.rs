//! The agent desk: notes, transfers, handing back, typing, stopping the
//! wait, and the rating after a close.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Client, TestApp};

/// A visitor who asked for a person and `sam`, who claimed them.
async fn claimed_by_sam(app: &TestApp) -> (Client, Client, String, String) {
    let mut sam = app.agent("sam").await;
    let (visitor, welcome) = app.claimed_by(&mut sam, "where is my order").await;
    sam.expect("conversation").await;
    let conversation = welcome["conversation_id"].as_str().unwrap().to_owned();
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    (visitor, sam, conversation, token)
}

fn texts(history: &Value) -> Vec<(String, String)> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["from"].as_str().unwrap().to_owned(),
                m["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_transfer_hands_the_whole_history_to_the_colleague() {
    let app = spawn_app().await;
    let (mut visitor, mut sam, conversation, _) = claimed_by_sam(&app).await;
    let mut kim = app.agent("kim").await;
    sam.expect_where(|f| f["type"] == "agents" && f["online"].as_array().unwrap().len() == 2)
        .await;

    sam.send(json!({"type": "message", "conversation_id": conversation, "id": "a1", "text": "Let me get Kim."})).await;
    sam.expect("ack").await;
    sam.send(json!({"type": "transfer", "conversation_id": conversation, "to": "kim", "note": "VIP, parcel lost twice"})).await;
    let handed = sam.expect("handed_off").await;
    assert_eq!(handed["to"], "kim");

    assert_eq!(
        kim.expect("claimed").await["conversation_id"],
        conversation.as_str()
    );
    let view = kim.expect("conversation").await;
    assert_eq!(view["assigned_to"], "kim");
    let lines = texts(&view["history"]);
    assert_eq!(lines[0], ("visitor".into(), "where is my order".into()));
    assert!(
        lines.contains(&("agent".into(), "Let me get Kim.".into())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&("note".into(), "VIP, parcel lost twice".into())),
        "{lines:?}"
    );

    assert_eq!(visitor.expect("agent_joined").await["agent"]["name"], "kim");
    kim.send(json!({"type": "message", "conversation_id": conversation, "id": "k1", "text": "Hi, Kim here."})).await;
    kim.expect("ack").await;
    let reply = visitor
        .expect_where(|f| f["type"] == "message" && f["from"] == "agent")
        .await;
    assert_eq!(reply["author"], "kim");

    // Sam no longer holds it.
    sam.send(json!({"type": "message", "conversation_id": conversation, "id": "a2", "text": "still here?"})).await;
    assert_eq!(sam.expect("error").await["code"], "not_assigned");
}

#[tokio::test]
async fn a_transfer_to_someone_offline_is_refused() {
    let app = spawn_app().await;
    let (_visitor, mut sam, conversation, _) = claimed_by_sam(&app).await;
    app.add_agent("lee", "correct-horse-7").await;
    sam.send(json!({"type": "transfer", "conversation_id": conversation, "to": "lee"}))
        .await;
    assert_eq!(sam.expect("error").await["code"], "agent_unavailable");
}

#[tokio::test]
async fn private_notes_never_reach_the_visitor() {
    let app = spawn_app().await;
    let (mut visitor, mut sam, conversation, token) = claimed_by_sam(&app).await;
    sam.send(json!({"type": "note", "conversation_id": conversation, "id": "n1", "text": "refund already issued"})).await;
    assert_eq!(sam.expect("ack").await["id"], "n1");
    sam.send(json!({"type": "message", "conversation_id": conversation, "id": "a1", "text": "Checking now."})).await;
    sam.expect("ack").await;
    let next = visitor
        .expect_where(|f| f["type"] == "message" && f["from"] != "system")
        .await;
    assert_eq!(
        next["text"], "Checking now.",
        "the note must not be delivered"
    );
    drop(visitor);
    let (_, again) = app.resume(&token).await;
    assert!(!texts(&again["history"])
        .iter()
        .any(|(from, _)| from == "note"));
    sam.send(json!({"type": "open", "conversation_id": conversation}))
        .await;
    let view = sam.expect("conversation").await;
    assert!(texts(&view["history"]).contains(&("note".into(), "refund already issued".into())));
}

#[tokio::test]
async fn handing_back_to_the_bot_keeps_the_history_and_the_bot_answers_again() {
    let app = spawn_app().await;
    let (mut visitor, mut sam, conversation, token) = claimed_by_sam(&app).await;
    sam.send(json!({"type": "release", "conversation_id": conversation}))
        .await;
    assert_eq!(sam.expect("handed_off").await["to"], Value::Null);
    assert_eq!(visitor.expect("agent_left").await["agent"]["name"], "sam");
    let answer = visitor.ask("c2", "how long does shipping take").await;
    assert_eq!(
        answer["text"],
        "We ship within one business day; delivery takes 2-5 days."
    );
    drop(visitor);
    let (_, again) = app.resume(&token).await;
    assert_eq!(again["status"], "bot");
    let lines = texts(&again["history"]);
    assert!(
        lines.contains(&(
            "system".into(),
            "sam handed the chat back to the bot".into()
        )),
        "{lines:?}"
    );
    assert_eq!(lines[0], ("visitor".into(), "where is my order".into()));
}

#[tokio::test]
async fn typing_shows_on_both_sides() {
    let app = spawn_app().await;
    let (mut visitor, mut sam, conversation, _) = claimed_by_sam(&app).await;
    visitor
        .send(json!({"type": "typing", "active": true}))
        .await;
    let typing = sam.expect("typing").await;
    assert_eq!(
        typing,
        json!({"type": "typing", "conversation_id": conversation, "active": true})
    );
    sam.send(json!({"type": "typing", "conversation_id": conversation, "active": true}))
        .await;
    assert_eq!(
        visitor.expect("typing").await,
        json!({"type": "typing", "active": true})
    );
}

#[tokio::test]
async fn a_visitor_who_stops_waiting_is_back_with_the_bot() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    let mut sam = app.agent("sam").await;
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    sam.expect_where(|f| f["type"] == "queue" && f["entries"].as_array().unwrap().len() == 1)
        .await;
    visitor.send(json!({"type": "cancel_wait"})).await;
    visitor.expect("left_queue").await;
    let line = visitor.expect("message").await;
    assert_eq!(line["from"], "bot");
    sam.expect_where(|f| f["type"] == "queue" && f["entries"].as_array().unwrap().is_empty())
        .await;
    let answer = visitor.ask("c1", "hello").await;
    assert_eq!(answer["text"], "Hello! How can I help?");
}

#[tokio::test]
async fn the_visitors_rating_is_stored_and_shown_to_the_agent() {
    let app = spawn_app().await;
    let (mut visitor, mut sam, conversation, token) = claimed_by_sam(&app).await;
    visitor.send(json!({"type": "rate", "score": 5})).await;
    assert_eq!(visitor.expect("error").await["code"], "not_closed");

    sam.send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    assert_eq!(
        visitor.expect("closed").await,
        json!({"type": "closed", "survey": true})
    );
    let (_, reloaded) = app.resume(&token).await;
    assert_eq!(
        reloaded["survey"], true,
        "a reload still asks for the rating"
    );
    visitor.send(json!({"type": "rate", "score": 9})).await;
    assert_eq!(visitor.expect("error").await["code"], "invalid_field");
    visitor
        .send(json!({"type": "rate", "score": 4, "comment": "Quick and kind, thanks"}))
        .await;
    assert_eq!(visitor.expect("rated").await["score"], 4);
    let rated = sam.expect("rated").await;
    assert_eq!(rated["csat"]["score"], 4);
    assert_eq!(rated["csat"]["comment"], "Quick and kind, thanks");
    assert_eq!(rated["csat"]["agent"], "sam");
    drop(visitor);
    drop(sam);

    let app = app.restart().await;
    let mut sam = app.agent("sam2").await;
    sam.send(json!({"type": "open", "conversation_id": conversation}))
        .await;
    let view = sam.expect("conversation").await;
    assert_eq!(view["csat"]["score"], 4);
    let (_, again) = app.resume(&token).await;
    assert_eq!(again["status"], "closed");
    assert_eq!(again["survey"], false, "rated: no second survey");
}

#[tokio::test]
async fn the_owners_canned_replies_reach_the_console() {
    let app = spawn_app().await;
    let mut sam = app.agent("sam").await;
    let canned = sam.expect("canned").await;
    assert_eq!(
        canned["replies"],
        json!([{"shortcut": "hello", "text": "Hi, thanks for waiting! Let me take a look."}])
    );
}
