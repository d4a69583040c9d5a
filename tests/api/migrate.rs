//! `tandem migrate`: a business moving to PostgreSQL keeps its history,
//! its team and the visitors still waiting. Needs a PostgreSQL server
//! (`TANDEM_TEST_POSTGRES`, set by `scripts/test-postgres`; `scripts/test`
//! runs the suite with it).

use serde_json::json;

use crate::cli::tandem;
use crate::helpers::{fixture_intents, postgres_for, spawn_app_configured, Client};

#[tokio::test]
async fn a_data_directory_moved_to_postgres_resumes_every_chat_and_signs_the_team_in() {
    if std::env::var("TANDEM_TEST_POSTGRES").is_err() {
        eprintln!("skipped here: needs PostgreSQL (scripts/test runs it on one)");
        return;
    }
    // A shop on the embedded store: one visitor answered by the bot, one
    // waiting for a person, one agent.
    let data = tempfile::tempdir().unwrap();
    let sled = spawn_app_configured(data, fixture_intents(), |s| s.store.url = None).await;
    sled.add_agent("sam", "correct-horse-7").await;
    let (mut answered, answered_welcome) = sled.visitor().await;
    answered.ask("a1", "How long does shipping take?").await;
    let (mut waiting, waiting_welcome) = sled.visitor().await;
    waiting.say("w1", "My parcel never came").await;
    waiting.send(json!({"type": "request_human"})).await;
    waiting.expect("queued").await;
    drop((answered, waiting));
    let data = {
        let crate::helpers::TestApp { server, data, .. } = sled;
        server.shutdown().await.expect("clean shutdown");
        data
    };

    let target = tempfile::tempdir().unwrap();
    let url = postgres_for(target.path()).await.expect("a database");
    let first = tandem(data.path(), &["migrate", "--to", &url], "");
    let said = String::from_utf8_lossy(&first.stdout).into_owned();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{said} {}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        said.contains("2 conversations") && said.contains("1 agents"),
        "{said}"
    );
    // Running it again copies again, without doubling anything.
    let again = tandem(data.path(), &["migrate", "--to", &url], "");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&again.stdout), said);

    let pg = spawn_app_configured(target, fixture_intents(), |s| s.store.url = Some(url)).await;
    let token = answered_welcome["resume_token"].as_str().unwrap();
    let (_visitor, welcome) = pg.resume(token).await;
    assert_eq!(welcome["resumed"], true);
    let texts: Vec<&str> = welcome["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts.len(), 2, "the question and the answer: {welcome}");
    assert_eq!(texts[0], "How long does shipping take?");

    // Sam signs in with the password set on the old store.
    let (status, body) = pg.login("sam", "correct-horse-7").await;
    assert_eq!(status, 200, "{body}");
    let mut sam = Client::connect(&format!(
        "ws://{}/ws/agent?token={}",
        pg.addr,
        body["token"].as_str().unwrap()
    ))
    .await
    .unwrap();
    sam.send(json!({"type": "claim", "conversation_id": waiting_welcome["conversation_id"]}))
        .await;
    sam.expect("claimed").await;
    let view = sam.expect("conversation").await;
    assert!(
        view["history"].to_string().contains("My parcel never came"),
        "{view}"
    );
}
