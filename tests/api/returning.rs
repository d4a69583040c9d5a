//! A visitor who comes back: writing after a close starts their next
//! conversation, and agents see the earlier ones.

use serde_json::{json, Value};

use crate::helpers::spawn_app;

fn lines(view: &Value) -> Vec<String> {
    view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn writing_after_a_close_starts_a_new_conversation_and_the_agent_sees_the_earlier_one() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    let first = welcome["conversation_id"].as_str().unwrap().to_owned();
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    visitor.ask("c1", "where is my order").await;
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    let mut sam = app.agent("sam").await;
    sam.send(json!({"type": "claim", "conversation_id": first}))
        .await;
    sam.expect("claimed").await;
    sam.expect("conversation").await;
    sam.send(
        json!({"type": "message", "conversation_id": first, "id": "a1", "text": "It ships today."}),
    )
    .await;
    sam.send(json!({"type": "note", "conversation_id": first, "id": "n1", "text": "Resent from the warehouse."}))
        .await;
    sam.send(json!({"type": "close", "conversation_id": first}))
        .await;
    visitor.expect("closed").await;
    // A second tab of the same visitor, open on the closed conversation.
    let (mut other_tab, resumed) = app.resume(&token).await;
    assert_eq!(resumed["conversation_id"], first.as_str());

    visitor
        .send(json!({"type": "message", "id": "c2", "text": "hello again"}))
        .await;
    // The ack comes straight back; `new_conversation` comes before the
    // new conversation's first line from the bot.
    let mut second = None;
    let mut acked = false;
    let answer = loop {
        let frame = visitor.next().await;
        match frame["type"].as_str() {
            Some("ack") => acked = frame["id"] == "c2",
            Some("new_conversation") => {
                second = frame["conversation_id"].as_str().map(str::to_owned);
            }
            Some("message") if frame["from"] == "bot" => break frame,
            _ => {}
        }
    };
    assert!(acked);
    let second = second.expect("new_conversation before the bot's answer");
    assert_ne!(second, first, "a fresh conversation, not the closed one");
    assert_eq!(answer["text"], "Hello! How can I help?", "the bot answers");
    assert_eq!(
        other_tab.expect("new_conversation").await["conversation_id"],
        second.as_str(),
        "every tab follows"
    );
    // A resend of the line that started it is not stored twice.
    visitor.say("c2", "hello again").await;

    // A reload opens the newest conversation, with its own transcript.
    let (_, reloaded) = app.resume(&token).await;
    assert_eq!(reloaded["conversation_id"], second.as_str());
    assert_eq!(reloaded["status"], "bot");
    assert_eq!(reloaded["resume_token"], token.as_str());
    let texts: Vec<&str> = reloaded["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["hello again", "Hello! How can I help?"]);
    let earlier: Vec<&str> = reloaded["earlier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(earlier.contains(&"It ships today."), "{earlier:?}");
    assert!(earlier.contains(&"where is my order"), "{earlier:?}");
    assert!(
        !earlier.contains(&"Resent from the warehouse."),
        "private notes stay private"
    );

    // Asking for a person again: the queue says this visitor was here before.
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    let queue = sam
        .expect_where(|f| {
            f["type"] == "queue" && f["entries"].as_array().is_some_and(|e| !e.is_empty())
        })
        .await;
    assert_eq!(queue["entries"][0]["conversation_id"], second.as_str());
    assert_eq!(queue["entries"][0]["earlier_conversations"], 1);
    assert_eq!(
        queue["entries"][0]["visitor_id"],
        first.as_str(),
        "a visitor is known by their first conversation"
    );

    sam.send(json!({"type": "open", "conversation_id": second}))
        .await;
    let view = sam.expect("conversation").await;
    let earlier = view["earlier"].as_array().unwrap();
    assert_eq!(earlier.len(), 1, "{view}");
    assert_eq!(earlier[0]["conversation_id"], first.as_str());
    assert_eq!(earlier[0]["status"], "closed");
    assert_eq!(earlier[0]["agent"], "sam");
    assert_eq!(earlier[0]["preview"], "where is my order");
    assert!(!lines(&view).iter().any(|t| t == "It ships today."));

    // The earlier conversation is untouched and opens on its own.
    sam.send(json!({"type": "open", "conversation_id": first}))
        .await;
    let old = sam.expect("conversation").await;
    assert!(lines(&old).iter().any(|t| t == "It ships today."));
    assert!(!lines(&old).iter().any(|t| t == "hello again"));
    assert_eq!(old["earlier"], json!([]));
    assert_eq!(old["visitor_id"], view["visitor_id"], "one visitor");
}

#[tokio::test]
async fn a_visitor_who_never_left_the_bot_keeps_one_conversation() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    visitor.ask("c1", "hello").await;
    drop(visitor);
    let (mut again, resumed) = app.resume(&token).await;
    assert_eq!(resumed["conversation_id"], welcome["conversation_id"]);
    again.ask("c2", "hello").await;
    let (_, third) = app.resume(&token).await;
    assert_eq!(third["conversation_id"], welcome["conversation_id"]);
    assert_eq!(third["history"].as_array().unwrap().len(), 4);
}
