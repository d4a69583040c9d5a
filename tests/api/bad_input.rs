//! Bad input gets a clear, typed error and loses nothing.

use serde_json::json;
use tandem::protocol::{MAX_FRAME_BYTES, MAX_TEXT_CHARS, MAX_TRANSPORT_BYTES};

use crate::helpers::{spawn_app, Client};

#[tokio::test]
async fn each_bad_frame_gets_its_error_code_and_the_socket_keeps_working() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    let cases = [
        ("{not json".to_owned(), "bad_json"),
        (r#"{"type":"dance"}"#.to_owned(), "unknown_type"),
        (
            r#"{"type":"message","id":"c1"}"#.to_owned(),
            "missing_field",
        ),
        (
            r#"{"type":"message","id":"","text":"hi"}"#.to_owned(),
            "invalid_field",
        ),
        (
            r#"{"type":"message","id":"c1","text":"   "}"#.to_owned(),
            "empty_message",
        ),
        (
            json!({"type":"message","id":"c1","text":"a".repeat(MAX_TEXT_CHARS + 1)}).to_string(),
            "too_large",
        ),
        (
            json!({"type":"message","id":"c1","text":"a".repeat(MAX_FRAME_BYTES)}).to_string(),
            "too_large",
        ),
    ];
    for (frame, code) in cases {
        visitor.send_text(&frame).await;
        let error = visitor.next().await;
        assert_eq!(error["type"], "error", "{error}");
        assert_eq!(
            error["code"],
            code,
            "for {}: {error}",
            &frame[..frame.len().min(60)]
        );
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    visitor.send_binary(vec![1, 2, 3]).await;
    assert_eq!(visitor.next().await["code"], "binary_not_supported");

    // Still alive, and nothing bad was stored.
    let answer = visitor.ask("c1", "hello").await;
    assert_eq!(answer["text"], "Hello! How can I help?");
}

#[tokio::test]
async fn a_frame_beyond_the_transport_limit_closes_the_socket_with_1009() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    visitor
        .send_text(&"x".repeat(MAX_TRANSPORT_BYTES + 1))
        .await;
    assert_eq!(visitor.closed().await, Some(1009));
}

#[tokio::test]
async fn a_flood_is_rate_limited_and_what_was_acknowledged_is_kept() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    for i in 0..60 {
        visitor
            .send(json!({"type": "message", "id": format!("f{i}"), "text": "hello"}))
            .await;
    }
    let (mut acked, mut limited) = (Vec::new(), 0);
    while acked.len() + limited < 60 {
        let frame = visitor.next().await;
        match frame["type"].as_str() {
            Some("ack") => acked.push(frame["id"].as_str().unwrap().to_owned()),
            Some("error") => {
                assert_eq!(frame["code"], "rate_limited");
                assert!(frame["id"].as_str().unwrap().starts_with('f'));
                limited += 1;
            }
            _ => {}
        }
    }
    assert!(limited > 0, "a flood of 60 frames must trip the limit");
    drop(visitor);
    let (_, again) = app.resume(welcome["resume_token"].as_str().unwrap()).await;
    let stored: Vec<&str> = again["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "visitor")
        .map(|m| m["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(stored, acked);
}

#[tokio::test]
async fn an_agent_socket_without_a_valid_token_is_refused() {
    let app = spawn_app().await;
    for path in ["/ws/agent", "/ws/agent?token=forged"] {
        let err = Client::connect(&format!("ws://{}{}", app.addr, path))
            .await
            .err()
            .expect("refused");
        match err {
            tokio_tungstenite::tungstenite::Error::Http(response) => {
                assert_eq!(response.status(), 401)
            }
            other => panic!("expected an HTTP 401, got {other}"),
        }
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_clear_code() {
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;
    let (status, body) = app.login("sam", "wrong-password").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "bad_credentials");
    let (status, body) = app.login("nobody", "correct-horse-7").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("bad_credentials"))
    );
}

#[tokio::test]
async fn bad_agent_frames_get_errors_and_the_console_keeps_working() {
    let app = spawn_app().await;
    let mut agent = app.agent("sam").await;
    agent.expect("queue").await;
    agent.send_text(r#"{"type":"request_human"}"#).await;
    assert_eq!(agent.expect("error").await["code"], "unknown_type");
    agent.send_text(r#"{"type":"claim"}"#).await;
    assert_eq!(agent.expect("error").await["code"], "missing_field");
    agent
        .send(json!({"type": "claim", "conversation_id": "00000000-0000-0000-0000-000000000000"}))
        .await;
    assert_eq!(agent.expect("error").await["code"], "not_found");
    let (mut visitor, welcome) = app.visitor().await;
    visitor.send(json!({"type": "request_human"})).await;
    agent
        .send(json!({"type": "claim", "conversation_id": welcome["conversation_id"]}))
        .await;
    agent.expect("claimed").await;
}

#[tokio::test]
async fn first_run_setup_creates_one_agent_and_then_closes() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let status: serde_json::Value = client
        .get(app.url("/api/agent/setup"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status, json!({"needed": true}));

    let weak = client
        .post(app.url("/api/agent/setup"))
        .json(&json!({"name": "owner", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 400);
    let body: serde_json::Value = weak.json().await.unwrap();
    assert_eq!(body["code"], "weak_password");
    assert!(
        body["message"].as_str().unwrap().contains("10 characters"),
        "{body}"
    );
    let common = client
        .post(app.url("/api/agent/setup"))
        .json(&json!({"name": "owner", "password": "Password123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(common.status(), 400);
    let body: serde_json::Value = common.json().await.unwrap();
    assert_eq!(body["code"], "weak_password");
    assert!(
        body["message"].as_str().unwrap().contains("common"),
        "{body}"
    );

    let created = client
        .post(app.url("/api/agent/setup"))
        .json(&json!({"name": "owner", "password": "correct-horse-7"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let body: serde_json::Value = created.json().await.unwrap();
    assert!(body["token"].as_str().is_some_and(|t| t.len() == 64));

    let again = client
        .post(app.url("/api/agent/setup"))
        .json(&json!({"name": "intruder", "password": "correct-horse-7"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["code"], "setup_done");
    let status: serde_json::Value = client
        .get(app.url("/api/agent/setup"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status, json!({"needed": false}));
}

#[tokio::test]
async fn a_thumb_on_something_that_is_not_a_bot_line_is_refused_and_the_chat_goes_on() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    let answer = visitor.ask("c1", "hello").await;
    // Line 1 is the visitor's own; 999 does not exist; "x" is not a number.
    for id in ["1", "999", "x"] {
        visitor
            .send(json!({"type": "feedback", "message_id": id, "helpful": false}))
            .await;
        let error = visitor.expect("error").await;
        assert_eq!(error["code"], "invalid_field", "{id}: {error}");
    }
    visitor
        .send(json!({"type": "feedback", "message_id": answer["id"], "helpful": true}))
        .await;
    let next = visitor.ask("c2", "hello").await;
    assert_eq!(
        next["text"], answer["text"],
        "a thumbs up gets no answer of its own; the chat goes on"
    );
}
