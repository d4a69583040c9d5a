//! Health checks as a load balancer sees them, and `/metrics` as
//! Prometheus (and a curious stranger) sees it.

use serde_json::Value;

use crate::helpers::{fixture_intents, spawn_app, spawn_app_configured, spawn_app_with};

async fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn get_json(url: &str) -> (u16, Value) {
    let (status, body) = get(url, None).await;
    (status, serde_json::from_str(&body).unwrap())
}

#[tokio::test]
async fn a_healthy_server_is_live_and_ready() {
    let app = spawn_app().await;
    for path in ["/api/health/live", "/api/health/ready", "/api/health"] {
        let (status, body) = get_json(&app.url(path)).await;
        assert_eq!(
            (status, &body["status"]),
            (200, &Value::from("ok")),
            "{path}: {body}"
        );
    }
    let (_, body) = get_json(&app.url("/api/health/ready")).await;
    if app.on_postgres() {
        // The data directory holds nothing; PostgreSQL watches its disk.
        assert!(body["free_disk_mb"].is_null(), "{body}");
    } else {
        assert!(body["free_disk_mb"].as_u64().unwrap() > 0, "{body}");
    }
}

#[tokio::test]
async fn a_nearly_full_disk_makes_the_server_unready_but_still_live() {
    // More free space demanded than any disk has: the honest way to be
    // "nearly full" without filling one.
    let app = spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.store.min_free_mb = u64::MAX / 2;
    })
    .await;
    if app.on_postgres() {
        let (status, body) = get_json(&app.url("/api/health/ready")).await;
        assert_eq!(
            status, 200,
            "the data directory's disk does not count: {body}"
        );
        return;
    }
    for path in ["/api/health/ready", "/api/health"] {
        let (status, body) = get_json(&app.url(path)).await;
        assert_eq!(status, 503, "{path}: {body}");
        assert_eq!(body["status"], "unavailable");
        assert_eq!(body["reasons"][0]["code"], "low_disk_space", "{body}");
        assert!(body["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("MB free"));
    }
    let (status, _) = get_json(&app.url("/api/health/live")).await;
    assert_eq!(status, 200, "the process itself is fine: do not restart it");

    // The same data directory with a minimum the disk meets is ready again.
    let data = app.data;
    app.server.shutdown().await.unwrap();
    let app = spawn_app_with(data, fixture_intents()).await;
    let (status, body) = get_json(&app.url("/api/health/ready")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_damaged_store_is_reported_by_readiness_instead_of_served_silently() {
    let data = tempfile::tempdir().unwrap();
    let id = damaged_store(data.path());
    let app = spawn_app_with(data, fixture_intents()).await;
    let (status, body) = get_json(&app.url("/api/health/ready")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["reasons"][0]["code"], "store_corrupt", "{body}");
    assert!(
        body["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("tandem check"),
        "{body} (conversation {id})"
    );
}

/// A store with one conversation whose record was overwritten with
/// garbage, by sled itself — what a torn write or a bad disk leaves.
pub fn damaged_store(dir: &std::path::Path) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    {
        let store = tandem::store::SledStore::open(dir).unwrap();
        let record = tandem::conversation::ConversationRecord::new(
            id,
            "tok".into(),
            time::OffsetDateTime::now_utc(),
        );
        store.create_conversation(&record).unwrap();
        store.flush_blocking().unwrap();
    }
    let db = sled::open(dir.join("tandem.sled")).unwrap();
    db.open_tree("conversations")
        .unwrap()
        .insert(id.as_bytes(), &b"{\"id\": garbage"[..])
        .unwrap();
    db.flush().unwrap();
    id
}

#[tokio::test]
async fn metrics_need_an_admin_and_show_what_visitors_did() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.ask("m1", "what are your opening hours?").await;

    let (status, _) = get(&app.url("/metrics"), None).await;
    assert_eq!(status, 401, "no token, no figures");
    app.add_agent("sam", "correct-horse-7").await;
    let agent = app.token("sam", "correct-horse-7").await;
    let (status, _) = get(&app.url("/metrics"), Some(&agent)).await;
    assert_eq!(status, 403, "agents are not admins");

    app.add_admin("olga", "correct-horse-7").await;
    let admin = app.token("olga", "correct-horse-7").await;
    let (status, text) = get(&app.url("/metrics"), Some(&admin)).await;
    assert_eq!(status, 200);
    for name in [
        "tandem_websocket_connections{role=\"visitor\"}",
        "tandem_messages_received_total{from=\"visitor\"}",
        "tandem_bot_answers_total",
        "tandem_bot_fallbacks_total",
        "tandem_store_flush_seconds_bucket",
        "tandem_store_errors_total",
        "tandem_rate_limited_total",
        "tandem_logins_throttled_total",
        "tandem_encoder_busy_total",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
}

#[tokio::test]
async fn escalations_and_the_queue_show_in_the_metrics() {
    let app = spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let (mut visitor, _) = app.visitor().await;
    visitor.say("h1", "hello").await;
    visitor
        .send(serde_json::json!({"type": "request_human"}))
        .await;
    visitor.expect("queued").await;

    // The owner's private address needs no token.
    let addr = app.server.metrics_addr.expect("metrics_addr bound");
    let (status, text) = get(&format!("http://{addr}/metrics"), None).await;
    assert_eq!(status, 200);
    assert!(
        text.contains("tandem_escalations_total{reason=\"asked_for_human\"}"),
        "{text}"
    );
    assert!(text.contains("tandem_queue_length"), "{text}");
    let (status, _) = get(&format!("http://{addr}/api/health"), None).await;
    assert_eq!(status, 404, "only /metrics is served there");
}

/// A real `tandem serve` whose files may not grow past `max_file_bytes`
/// (`prlimit --fsize`, with SIGXFSZ ignored so writes fail with EFBIG
/// instead of killing the process): a disk that refuses writes, honestly.
/// `None` where prlimit is not installed.
fn serve_with_file_size_limit(
    data: &std::path::Path,
    max_file_bytes: u64,
) -> Option<(std::process::Child, std::net::SocketAddr)> {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    if Command::new("prlimit").arg("--version").output().is_err() {
        return None;
    }
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; exec prlimit --fsize={max_file_bytes} \"$@\""
        ))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "--log-format",
            "json",
            "--encoder",
            "off",
            "--addr",
            "127.0.0.1:0",
        ])
        .arg("--data-dir")
        .arg(data)
        .arg("--intents-dir")
        .arg(fixture_intents())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server logs until it listens")
            .unwrap();
        let log: Value = serde_json::from_str(&line).unwrap();
        if log["fields"]["message"] == "listening" {
            break log["fields"]["addr"].as_str().unwrap().parse().unwrap();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Some((child, addr))
}

#[tokio::test]
async fn a_disk_that_refuses_writes_gives_visitors_unavailable_and_readiness_says_why() {
    let data = tempfile::tempdir().unwrap();
    let Some((mut server, addr)) = serve_with_file_size_limit(data.path(), 48 * 1024) else {
        eprintln!("prlimit is not installed; skipping");
        return;
    };
    let mut visitor = crate::helpers::Client::connect(&format!("ws://{addr}/ws/visitor"))
        .await
        .unwrap();
    visitor.expect("welcome").await;
    let long = "my parcel has not arrived yet ".repeat(130);
    let mut refused = None;
    // Fewer than the flood limit's burst of 20: each line is about 4 KB,
    // so the database file passes 48 KB well before.
    for n in 0..18 {
        visitor
            .send(serde_json::json!({"type": "message", "id": format!("m{n}"), "text": long}))
            .await;
        let answer = visitor
            .expect_where(|f| f["type"] == "ack" || f["type"] == "error")
            .await;
        if answer["type"] == "error" {
            refused = Some((n, answer));
            break;
        }
    }
    let (n, refused) = refused.expect("the store ran out of room");
    eprintln!("message {n} was refused");
    assert_eq!(refused["code"], "unavailable", "{refused}");
    assert_eq!(
        refused["message"],
        "Tandem cannot store messages right now; try again shortly."
    );

    let (status, body) = get_json(&format!("http://{addr}/api/health/ready")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["reasons"][0]["code"], "store_write_failing", "{body}");
    let (status, _) = get_json(&format!("http://{addr}/api/health/live")).await;
    assert_eq!(status, 200);
    server.kill().unwrap();
    server.wait().unwrap();
}
