//! What the admin role means: admins manage the team and see the bot's
//! status and unanswered questions; agents work chats and get `403
//! forbidden` for the rest.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Client, TestApp};

/// Sends `method path` with `token` and an optional JSON body; returns the
/// status and the JSON body (`null` when there is none).
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body read");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, json)
}

/// An app with an admin `olga` signed in; returns her token.
async fn app_with_admin() -> (TestApp, String) {
    let app = spawn_app().await;
    app.add_admin("olga", "correct-horse-7").await;
    let token = app.token("olga", "correct-horse-7").await;
    (app, token)
}

fn names(team: &Value) -> Vec<&str> {
    team.as_array()
        .expect("a list")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect()
}

#[tokio::test]
async fn an_agent_without_admin_role_cannot_manage_the_team() {
    let (app, _) = app_with_admin().await;
    app.add_agent("sam", "correct-horse-7").await;
    let sam = app.token("sam", "correct-horse-7").await;
    let attempts = [
        (Method::GET, "/api/agents", None),
        (
            Method::POST,
            "/api/agents",
            Some(json!({"name": "kim", "password": "correct-horse-7", "role": "admin"})),
        ),
        (Method::DELETE, "/api/agents/olga", None),
        (
            Method::POST,
            "/api/agents/olga/password",
            Some(json!({"password": "taken-over-now"})),
        ),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = call(&app, method.clone(), path, &sam, body).await;
        assert_eq!(status, 403, "{method} {path}: {answer}");
        assert_eq!(answer["type"], "error");
        assert_eq!(answer["code"], "forbidden", "{answer}");
    }
    // Nothing changed: olga still signs in with her password, kim does not exist.
    app.token("olga", "correct-horse-7").await;
    assert_eq!(app.login("kim", "correct-horse-7").await.0, 401);
    // Without a session it is 401, as everywhere.
    let (status, answer) = call(&app, Method::GET, "/api/agents", "nope", None).await;
    assert_eq!(status, 401);
    assert_eq!(answer["code"], "unauthorized");
}

#[tokio::test]
async fn intents_status_is_for_admins() {
    let (app, olga) = app_with_admin().await;
    app.add_agent("sam", "correct-horse-7").await;
    let sam = app.token("sam", "correct-horse-7").await;
    for path in ["/api/intents/status", "/api/intents/unmatched?since=7d"] {
        let (status, answer) = call(&app, Method::GET, path, &sam, None).await;
        assert_eq!(
            (status, &answer["code"]),
            (403, &json!("forbidden")),
            "{path}"
        );
        let (status, answer) = call(&app, Method::GET, path, &olga, None).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    let (_, status) = call(&app, Method::GET, "/api/intents/status", &olga, None).await;
    assert_eq!(status["intents"], 4, "{status}");
}

#[tokio::test]
async fn an_admin_adds_an_agent_who_can_then_sign_in() {
    let (app, olga) = app_with_admin().await;
    let (status, kim) = call(
        &app,
        Method::POST,
        "/api/agents",
        &olga,
        Some(json!({"name": "kim", "password": "correct-horse-7", "role": "agent"})),
    )
    .await;
    assert_eq!(status, 201, "{kim}");
    assert_eq!(kim["name"], "kim");
    assert_eq!(kim["role"], "agent");

    let token = app.token("kim", "correct-horse-7").await;
    let mut console = Client::connect(&format!("ws://{}/ws/agent?token={token}", app.addr))
        .await
        .expect("kim's console opens");
    let hello = console.expect("hello").await;
    assert_eq!(hello["role"], "agent", "{hello}");

    let (status, team) = call(&app, Method::GET, "/api/agents", &olga, None).await;
    assert_eq!(status, 200);
    assert_eq!(names(&team), ["kim", "olga"]);
    assert_eq!(team[0]["role"], "agent");
    assert_eq!(team[0]["online"], true, "kim has a console open: {team}");
    assert_eq!(team[1]["role"], "admin");
    assert!(team[1]["created_at"].is_string(), "{team}");

    // The same rules as `tandem agent add`, with codes a page can act on.
    let refused = [
        (
            json!({"name": "kim", "password": "correct-horse-7"}),
            409,
            "agent_exists",
        ),
        (
            json!({"name": "ana", "password": "short"}),
            400,
            "weak_password",
        ),
        (
            json!({"name": "ana", "password": "qwertyuiop"}),
            400,
            "weak_password",
        ),
        (
            json!({"name": "ana.lopez", "password": "ANA.LOPEZ"}),
            400,
            "weak_password",
        ),
        (
            json!({"name": "ana smith", "password": "correct-horse-7"}),
            400,
            "invalid_field",
        ),
        (json!({"name": "ana"}), 400, "bad_json"),
    ];
    for (body, want_status, want_code) in refused {
        let (status, answer) =
            call(&app, Method::POST, "/api/agents", &olga, Some(body.clone())).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (want_status, Some(want_code)),
            "{body}: {answer}"
        );
    }
}

#[tokio::test]
async fn removing_an_agent_ends_their_sessions() {
    let (app, olga) = app_with_admin().await;
    let mut sam = app.agent("sam").await;
    let (status, _) = call(&app, Method::DELETE, "/api/agents/sam", &olga, None).await;
    assert_eq!(status, 204);

    // The open console is closed at once, saying the sign-in is over…
    assert_eq!(sam.closed().await, Some(1008));
    // …and neither the old token nor the password lets them back in.
    let (_, team) = call(&app, Method::GET, "/api/agents", &olga, None).await;
    assert_eq!(names(&team), ["olga"]);
    assert_eq!(app.login("sam", "correct-horse-7").await.0, 401);
    let (status, answer) = call(&app, Method::DELETE, "/api/agents/sam", &olga, None).await;
    assert_eq!(
        (status, &answer["code"]),
        (404, &json!("not_found")),
        "{answer}"
    );
}

#[tokio::test]
async fn the_chats_of_a_removed_agent_go_back_to_the_front_of_the_queue() {
    let (app, olga) = app_with_admin().await;
    let mut sam = app.agent("sam").await;
    let (mut visitor, welcome) = app.claimed_by(&mut sam, "my parcel is lost").await;
    let conversation = welcome["conversation_id"].as_str().unwrap().to_owned();

    let (status, _) = call(&app, Method::DELETE, "/api/agents/sam", &olga, None).await;
    assert_eq!(status, 204);
    assert_eq!(visitor.expect("agent_left").await["agent"]["name"], "sam");
    assert_eq!(visitor.expect("queued").await["position"], 1);
    let mut kim = app.agent("kim").await;
    let queue = kim
        .expect_where(|f| {
            f["type"] == "queue" && f["entries"].as_array().is_some_and(|e| !e.is_empty())
        })
        .await;
    let entry = &queue["entries"][0];
    assert_eq!(entry["conversation_id"], conversation.as_str());
    assert!(
        entry["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "agent_removed"),
        "{entry}"
    );
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed() {
    let (app, olga) = app_with_admin().await;
    let (status, answer) = call(&app, Method::DELETE, "/api/agents/olga", &olga, None).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("last_admin")),
        "{answer}"
    );

    app.add_admin("ana", "correct-horse-7").await;
    let (status, answer) = call(&app, Method::DELETE, "/api/agents/olga", &olga, None).await;
    assert_eq!(
        (status, &answer["code"]),
        (400, &json!("cannot_remove_self")),
        "{answer}"
    );
    // Another admin may remove her; then ana is the last one.
    let ana = app.token("ana", "correct-horse-7").await;
    let (status, _) = call(&app, Method::DELETE, "/api/agents/olga", &ana, None).await;
    assert_eq!(status, 204);
    let (status, answer) = call(&app, Method::DELETE, "/api/agents/ana", &ana, None).await;
    assert_eq!(
        (status, &answer["code"]),
        (409, &json!("last_admin")),
        "{answer}"
    );
}

#[tokio::test]
async fn an_admin_resets_a_password_and_the_old_sign_in_ends() {
    let (app, olga) = app_with_admin().await;
    let mut sam = app.agent("sam").await;
    let (status, answer) = call(
        &app,
        Method::POST,
        "/api/agents/sam/password",
        &olga,
        Some(json!({"password": "1111111111"})),
    )
    .await;
    assert_eq!((status, &answer["code"]), (400, &json!("weak_password")));

    let (status, _) = call(
        &app,
        Method::POST,
        "/api/agents/sam/password",
        &olga,
        Some(json!({"password": "a-new-password"})),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(sam.closed().await, Some(1008));
    assert_eq!(app.login("sam", "correct-horse-7").await.0, 401);
    app.token("sam", "a-new-password").await;

    let (status, answer) = call(
        &app,
        Method::POST,
        "/api/agents/kim/password",
        &olga,
        Some(json!({"password": "a-new-password"})),
    )
    .await;
    assert_eq!((status, &answer["code"]), (404, &json!("not_found")));
}
