//! `tandem check --store postgres://…`: an operator checks cluster mode's
//! database the way they check a data directory. Needs a PostgreSQL
//! server (`TANDEM_TEST_POSTGRES`, set by `scripts/test-postgres`).

use serde_json::json;

use crate::cli::tandem;
use crate::helpers::{fixture_intents, postgres_for, spawn_app_configured};

#[tokio::test]
async fn checking_a_postgres_store_finds_nothing_wrong_then_each_damage_by_name() {
    if std::env::var("TANDEM_TEST_POSTGRES").is_err() {
        eprintln!("skipped here: needs PostgreSQL (scripts/test runs it on one)");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let url = postgres_for(data.path()).await.expect("a database");
    let app = spawn_app_configured(data, fixture_intents(), |_| {}).await;
    app.add_agent("sam", "correct-horse-7").await;
    let (mut visitor, welcome) = app.visitor().await;
    visitor.ask("c1", "How long does shipping take?").await;
    visitor.ask("c2", "Can I pay with PayPal?").await;
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    let id = welcome["conversation_id"].as_str().unwrap().to_owned();

    // A clean store, checked while the server runs.
    let clean = tandem(app.data.path(), &["check", "--store", &url], "");
    let said = String::from_utf8_lossy(&clean.stdout).into_owned();
    assert_eq!(clean.status.code(), Some(0), "{said}");
    assert!(
        said.contains("no problems; checked 1 conversations"),
        "{said}"
    );

    // A line goes missing, a stray line appears, a session outlives its agent.
    let (db, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let conversation: uuid::Uuid = id.parse().unwrap();
    db.execute(
        "DELETE FROM messages WHERE conversation_id = $1 AND seq = 2",
        &[&conversation],
    )
    .await
    .unwrap();
    let stray = uuid::Uuid::new_v4();
    db.execute(
        "INSERT INTO messages (conversation_id, seq, line) VALUES ($1, 1, '{}')",
        &[&stray],
    )
    .await
    .unwrap();
    let _ = app.token("sam", "correct-horse-7").await;
    db.execute(
        "INSERT INTO sessions (token, agent, expires_at, record) \
         SELECT 'gone-token', 'ghost', expires_at, replace(record, '\"sam\"', '\"ghost\"') \
         FROM sessions LIMIT 1",
        &[],
    )
    .await
    .unwrap();

    let damaged = tandem(app.data.path(), &["check", "--store", &url], "");
    let said = String::from_utf8_lossy(&damaged.stdout).into_owned();
    assert_eq!(damaged.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("messages {id}: 1 of lines 1 to")),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "messages {stray}: 1 lines of a conversation that does not exist"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("messages {stray}/1: the line does not decode")),
        "{said}"
    );
    assert!(
        said.contains("sessions gone-token: belongs to agent \"ghost\", who does not exist"),
        "{said}"
    );
}
