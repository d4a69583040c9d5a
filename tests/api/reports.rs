//! Owner reports over real conversations: `GET /api/reports` counts what
//! visitors, the bot and agents really did over websockets.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// `GET path` with `token`; returns the status and the JSON body.
async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

/// One visitor the bot answers alone (and once cannot answer), one who asks
/// for a person, is taken by sam, answered, closed and rates 4, and one who
/// opens the chat and writes nothing.
async fn a_day_at_the_desk(app: &TestApp) {
    let (mut bot_only, _) = app.visitor().await;
    let answer = bot_only.ask("b-1", "where is my order").await;
    assert_eq!(answer["from"], "bot", "{answer}");
    bot_only.ask("b-2", "do you sell kayaks?").await;

    let (_silent, _) = app.visitor().await;

    let mut sam = app.agent("sam").await;
    let (mut visitor, welcome) = app.claimed_by(&mut sam, "my parcel is lost").await;
    let conversation = welcome["conversation_id"].as_str().unwrap().to_owned();
    sam.send(json!({"type": "message", "conversation_id": conversation, "id": "a-1", "text": "I'm on it"}))
        .await;
    visitor
        .expect_where(|f| f["type"] == "message" && f["from"] == "agent")
        .await;
    sam.send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    sam.expect("closed").await;
    visitor.expect("closed").await;
    visitor.send(json!({"type": "rate", "score": 4})).await;
    assert_eq!(visitor.expect("rated").await["score"], 4);
}

#[tokio::test]
async fn an_admin_sees_what_the_bot_resolved_why_chats_escalated_and_csat() {
    let app = spawn_app().await;
    app.add_admin("olga", "correct-horse-7").await;
    let olga = app.token("olga", "correct-horse-7").await;
    a_day_at_the_desk(&app).await;

    let (status, report) = get(&app, "/api/reports?since=7d", &olga).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["conversations"], 2,
        "the silent visitor does not count: {report}"
    );
    assert_eq!(report["bot_alone"], json!({"count": 1, "percent": 50.0}));
    assert_eq!(report["to_person"], json!({"count": 1, "percent": 50.0}));
    assert_eq!(report["reached_person"], 1);
    assert_eq!(report["reasons"][0]["code"], "asked_for_human", "{report}");
    assert_eq!(report["reasons"][0]["count"], 1);
    assert_eq!(report["reasons"][0]["label"], "Asked for a person");
    assert_eq!(report["reasons"][0]["example"], "asked for a person");
    assert_eq!(report["wait"]["count"], 1);
    assert!(
        report["wait"]["median_seconds"].as_u64().is_some(),
        "{report}"
    );
    assert_eq!(
        report["wait"]["median_seconds"], report["wait"]["p90_seconds"],
        "one wait is both"
    );
    assert_eq!(
        report["handling"]["count"], 1,
        "the closed chat was handled"
    );
    assert!(report["handling"]["median_seconds"].as_u64().is_some());
    assert_eq!(
        report["csat"],
        json!({"count": 1, "average": 4.0, "distribution": [0, 0, 0, 1, 0]})
    );
    assert_eq!(report["unanswered_questions"], 1, "{report}");

    // Without `since` the period is the last 7 days.
    let (status, default) = get(&app, "/api/reports", &olga).await;
    assert_eq!(status, 200);
    assert_eq!(default["conversations"], 2);
}

#[tokio::test]
async fn a_period_with_no_chats_reports_zeros_not_errors() {
    let app = spawn_app().await;
    app.add_admin("olga", "correct-horse-7").await;
    let olga = app.token("olga", "correct-horse-7").await;
    let (status, report) = get(&app, "/api/reports?since=24h", &olga).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["conversations"], 0);
    assert_eq!(report["bot_alone"], json!({"count": 0, "percent": null}));
    assert_eq!(report["reasons"], json!([]));
    assert_eq!(report["wait"]["median_seconds"], Value::Null);
    assert_eq!(report["handling"]["median_seconds"], Value::Null);
    assert_eq!(report["csat"]["average"], Value::Null);
}

#[tokio::test]
async fn reports_are_for_admins_and_say_what_a_bad_period_is() {
    let app = spawn_app().await;
    app.add_admin("olga", "correct-horse-7").await;
    app.add_agent("sam", "correct-horse-7").await;
    let olga = app.token("olga", "correct-horse-7").await;
    let sam = app.token("sam", "correct-horse-7").await;

    let (status, answer) = get(&app, "/api/reports?since=7d", &sam).await;
    assert_eq!(
        (status, &answer["code"]),
        (403, &json!("forbidden")),
        "{answer}"
    );
    let (status, answer) = get(&app, "/api/reports", "not-a-token").await;
    assert_eq!((status, &answer["code"]), (401, &json!("unauthorized")));

    let (status, answer) = get(&app, "/api/reports?since=last%20week", &olga).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["type"], "error");
    assert_eq!(answer["code"], "invalid_field");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("since") && message.contains("7d"),
        "{message}"
    );
}
