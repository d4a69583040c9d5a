//! When nobody can answer: the visitor is told honestly and can leave an
//! email and a message, which agents then see.

use serde_json::json;
use tandem::hours::BusinessHoursSpec;

use crate::helpers::{fixture_intents, spawn_app, spawn_app_configured};

#[tokio::test]
async fn with_no_agent_signed_in_the_visitor_is_told_and_can_leave_a_message() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    visitor.send(json!({"type": "request_human"})).await;
    let offline = visitor.expect("offline").await;
    assert_eq!(
        offline,
        json!({"type": "offline", "reason": "no_agents", "hours": null})
    );
    assert_eq!(
        visitor.expect("queued").await["position"],
        1,
        "still queued: someone may sign in"
    );

    visitor
        .send(json!({"type": "leave_message", "email": "not an email", "text": "hi"}))
        .await;
    assert_eq!(visitor.expect("error").await["code"], "invalid_field");
    visitor
        .send(json!({"type": "leave_message", "email": "ana@example.com", "text": "My parcel NW-104582 is lost."}))
        .await;
    visitor.expect("message_left").await;

    let mut sam = app.agent("sam").await;
    let left = sam.expect("offline_messages").await;
    let entry = &left["entries"][0];
    assert_eq!(entry["email"], "ana@example.com");
    assert_eq!(entry["text"], "My parcel NW-104582 is lost.");
    assert_eq!(entry["conversation_id"], welcome["conversation_id"]);

    sam.send(json!({"type": "resolve_offline", "id": entry["id"]}))
        .await;
    let after = sam.expect("offline_messages").await;
    assert_eq!(after["entries"], json!([]));
}

#[tokio::test]
async fn when_every_agent_is_away_the_visitor_is_told_nobody_can_answer() {
    let app = spawn_app().await;
    let mut sam = app.agent("sam").await;
    sam.send(json!({"type": "status", "status": "away"})).await;
    sam.expect_where(|f| f["type"] == "agents" && f["online"][0]["status"] == "away")
        .await;
    let (mut visitor, _) = app.visitor().await;
    visitor.send(json!({"type": "request_human"})).await;
    assert_eq!(visitor.expect("offline").await["reason"], "no_agents");
    visitor.expect("queued").await;

    // Sam is back: a second visitor is simply queued, with no notice.
    sam.send(json!({"type": "status", "status": "available"}))
        .await;
    sam.expect_where(|f| f["type"] == "agents" && f["online"][0]["status"] == "available")
        .await;
    let (mut second, _) = app.visitor().await;
    second.send(json!({"type": "request_human"})).await;
    let next = second
        .expect_where(|f| f["type"] == "offline" || f["type"] == "queued")
        .await;
    assert_eq!(next["type"], "queued", "{next}");
}

#[tokio::test]
async fn outside_business_hours_nobody_is_queued_in_vain() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_app_configured(data, fixture_intents(), |s| {
        // Open on no day at all: always outside hours.
        s.business_hours = Some(BusinessHoursSpec {
            timezone: "Europe/Amsterdam".into(),
            ..BusinessHoursSpec::default()
        });
    })
    .await;
    let mut sam = app.agent("sam").await;
    let (mut visitor, _) = app.visitor().await;
    let answer = visitor.ask("c1", "can I talk to a person").await;
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("isn't at the desk right now"),
        "{answer}"
    );
    let offline = visitor.expect("offline").await;
    assert_eq!(offline["reason"], "closed_hours");
    visitor.send(json!({"type": "request_human"})).await;
    assert_eq!(visitor.expect("offline").await["reason"], "closed_hours");

    visitor
        .send(json!({"type": "leave_message", "email": "ana@example.com", "text": "Call me back tomorrow"}))
        .await;
    visitor.expect("message_left").await;
    let left = sam
        .expect_where(|f| {
            f["type"] == "offline_messages" && !f["entries"].as_array().unwrap().is_empty()
        })
        .await;
    assert_eq!(left["entries"][0]["text"], "Call me back tomorrow");
    // Nothing was queued.
    sam.send(json!({"type": "open", "conversation_id": left["entries"][0]["conversation_id"]}))
        .await;
    assert_eq!(sam.expect("conversation").await["status"], "bot");
}
