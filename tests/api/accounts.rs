//! Agent accounts under attack: guessing passwords, signing out.

use serde_json::{json, Value};

use crate::helpers::{spawn_app_configured, Client, TestApp};

/// A server that believes the `X-Forwarded-For` of local requests, so a
/// test can sign in "from" any address.
async fn app_behind_a_proxy() -> TestApp {
    spawn_app_configured(
        tempfile::tempdir().unwrap(),
        crate::helpers::fixture_intents(),
        |s| {
            s.trusted_proxies =
                tandem::server::client_ip::TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        },
    )
    .await
}

/// Signs in as if from `ip`; returns the status, `Retry-After` and body.
async fn login_from(
    app: &TestApp,
    ip: &str,
    name: &str,
    password: &str,
) -> (u16, Option<u64>, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/agent/login"))
        .header("X-Forwarded-For", ip)
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (status, retry, response.json().await.unwrap())
}

#[tokio::test]
async fn guessing_a_password_locks_the_account_even_for_the_right_password() {
    let app = app_behind_a_proxy().await;
    app.add_agent("sam", "correct-horse-7").await;
    app.add_agent("kim", "battery-staple-9").await;
    let attacker = "203.0.113.9";
    // Five free failures, and the sixth starts a one-second lock.
    for _ in 0..6 {
        let (status, retry, body) = login_from(&app, attacker, "sam", "guess-guess").await;
        assert_eq!(
            (status, retry, &body["code"]),
            (401, None, &json!("bad_credentials"))
        );
    }
    let (status, retry, body) = login_from(&app, attacker, "sam", "guess-again").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
    assert_eq!(body["type"], "error");
    assert_eq!(retry, Some(1));
    // Sam, from their own desk, must wait too: the lock is on the account.
    let (status, retry, _) = login_from(&app, "198.51.100.1", "sam", "correct-horse-7").await;
    assert_eq!((status, retry), (429, Some(1)));
    // Kim is not locked, from the attacker's address or another.
    let (status, _, _) = login_from(&app, attacker, "kim", "battery-staple-9").await;
    assert_eq!(status, 200);
    let (status, _, _) = login_from(&app, "198.51.100.1", "kim", "battery-staple-9").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_address_trying_many_names_is_locked_and_other_addresses_are_not() {
    let app = app_behind_a_proxy().await;
    app.add_agent("kim", "battery-staple-9").await;
    let sprayer = "203.0.113.77";
    for i in 0..21 {
        let (status, _, _) = login_from(&app, sprayer, &format!("user{i}"), "guess-guess").await;
        assert_eq!(status, 401);
    }
    let (status, retry, body) = login_from(&app, sprayer, "kim", "battery-staple-9").await;
    assert_eq!((status, retry), (429, Some(1)), "{body}");
    let (status, _, _) = login_from(&app, "198.51.100.1", "kim", "battery-staple-9").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_client_changes_nothing() {
    // No trusted proxies: every request counts against 127.0.0.1, whatever
    // the header says.
    let app = crate::helpers::spawn_app().await;
    for i in 0..21 {
        let ip = format!("203.0.113.{i}");
        let (status, _, _) = login_from(&app, &ip, &format!("user{i}"), "guess-guess").await;
        assert_eq!(status, 401);
    }
    let (status, _, _) = login_from(&app, "198.51.100.1", "user99", "guess-guess").await;
    assert_eq!(status, 429);
}

/// Opens a console with `token`; returns it after its `hello`.
async fn console(app: &TestApp, token: &str) -> Client {
    let mut client = Client::connect(&format!("ws://{}/ws/agent?token={token}", app.addr))
        .await
        .expect("agent socket opens");
    client.expect("hello").await;
    client
}

#[tokio::test]
async fn signing_out_closes_that_sign_ins_consoles_and_the_token_stops_working() {
    let app = crate::helpers::spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;
    let laptop = app.token("sam", "correct-horse-7").await;
    let phone = app.token("sam", "correct-horse-7").await;
    let mut first = console(&app, &laptop).await;
    let mut second = console(&app, &laptop).await;
    let mut elsewhere = console(&app, &phone).await;

    let response = reqwest::Client::new()
        .post(app.url("/api/agent/logout"))
        .bearer_auth(&laptop)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(first.closed().await, Some(1008));
    assert_eq!(second.closed().await, Some(1008));

    match Client::connect(&format!("ws://{}/ws/agent?token={laptop}", app.addr)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        Err(other) => panic!("expected an HTTP 401, got {other}"),
        Ok(_) => panic!("a signed-out token opened a console"),
    }
    // The other sign-in's console still works.
    elsewhere
        .send(json!({"type": "status", "status": "away"}))
        .await;
    let (mut visitor, _) = app.visitor().await;
    visitor.send(json!({"type": "request_human"})).await;
    elsewhere.expect("queue").await;
}

#[tokio::test]
async fn an_account_made_under_the_old_rule_still_signs_in() {
    let app = crate::helpers::spawn_app().await;
    // Eight characters and very common: what the old rule let through.
    let record = tandem::agents::AgentRecord {
        name: "old-timer".into(),
        password_hash: tandem::agents::hash_password("password").unwrap(),
        created_at: time::OffsetDateTime::now_utc(),
        role: tandem::protocol::Role::Agent,
    };
    app.server.hub().store().put_agent(&record).await.unwrap();
    let (status, body) = app.login("old-timer", "password").await;
    assert_eq!(status, 200, "{body}");
}
