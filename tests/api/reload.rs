//! Live reload of the intents directory, as an owner editing files sees it.

use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{fixture_intents, spawn_app_with, TestApp};

/// A private, editable copy of the fixture intents.
pub(crate) fn editable_intents() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture_intents()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

pub(crate) async fn spawn_with_editable_intents() -> (TestApp, TempDir) {
    let intents = editable_intents();
    let app = spawn_app_with(tempfile::tempdir().unwrap(), intents.path().to_path_buf()).await;
    (app, intents)
}

/// Polls `done` until it holds, failing after a deadline (reloads are
/// debounced file events: no fixed sleep is right on every machine).
pub(crate) async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const KAYAKS: &str = r#"
[[intent]]
name = "kayaks"
description = "Kayaks"
examples = ["do you sell kayaks", "kayak prices", "have you got kayaks"]
responses = ["Yes: kayaks are in the Outdoor section."]
"#;

#[tokio::test]
async fn a_valid_edit_goes_live_and_the_conversation_continues() {
    let (app, intents) = spawn_with_editable_intents().await;
    let (mut visitor, _) = app.visitor().await;
    let before = visitor.ask("c1", "do you sell kayaks").await;
    assert!(
        before["text"].as_str().unwrap().contains("rephrase"),
        "{before}"
    );

    std::fs::write(intents.path().join("kayaks.toml"), KAYAKS).unwrap();
    let hub = app.server.hub().clone();
    eventually("the new intent is live", || {
        hub.intents().find("kayaks").is_some()
    })
    .await;

    // Same socket, same conversation, no message lost.
    let after = visitor.ask("c2", "do you sell kayaks?").await;
    // Asking again after a miss reads as mild frustration, so the answer may
    // come with an apology; the answer itself must be the new intent's.
    let text = after["text"].as_str().unwrap();
    assert!(
        text.contains("Yes: kayaks are in the Outdoor section."),
        "{text}"
    );
    let again = visitor.ask("c3", "How long does shipping take?").await;
    assert_eq!(
        again["text"],
        "We ship within one business day; delivery takes 2-5 days."
    );
}

pub(crate) async fn intents_status(app: &TestApp, token: &str) -> Value {
    reqwest::Client::new()
        .get(app.url("/api/intents/status"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The owner's views are for admins.
pub(crate) async fn admin_token(app: &TestApp) -> String {
    app.add_admin("owner", "correct-horse-7").await;
    let (_, body) = app.login("owner", "correct-horse-7").await;
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_reload_encodes_only_the_examples_that_changed_and_a_restart_none() {
    let (app, intents) = spawn_with_editable_intents().await;
    let token = admin_token(&app).await;
    let status = intents_status(&app, &token).await;
    assert_eq!(status["sentence_vectors"], true, "{status}");
    assert_eq!(
        status["examples_encoded"], 16,
        "a fresh data directory: every fixture example is new: {status}"
    );
    let cache = app.data.path().join("encoder-cache");
    assert!(
        std::fs::read_dir(&cache).unwrap().count() == 1,
        "the vectors are kept in {}",
        cache.display()
    );

    std::fs::write(intents.path().join("kayaks.toml"), KAYAKS).unwrap();
    let hub = app.server.hub().clone();
    eventually("the new intent is live", || {
        hub.intents().find("kayaks").is_some()
    })
    .await;
    let status = intents_status(&app, &token).await;
    assert_eq!(
        status["examples_encoded"], 3,
        "only the kayak examples: {status}"
    );
    // A wording no example used reaches the new intent through its meaning.
    let (mut visitor, _) = app.visitor().await;
    let answer = visitor
        .ask("c1", "are canoes and kayaks something you stock?")
        .await;
    assert!(
        answer["text"].as_str().unwrap().contains("Outdoor section"),
        "{answer}"
    );

    // Restarted on the same data: nothing to encode.
    drop((hub, visitor));
    let TestApp { server, data, .. } = app;
    server.shutdown().await.unwrap();
    let app = spawn_app_with(data, intents.path().to_path_buf()).await;
    let token = app.token("owner", "correct-horse-7").await;
    let status = intents_status(&app, &token).await;
    assert_eq!(status["examples_encoded"], 0, "{status}");
}

#[tokio::test]
async fn bad_intent_file_keeps_old_intents_live_and_shows_the_error() {
    let (app, intents) = spawn_with_editable_intents().await;
    let token = admin_token(&app).await;
    let status = intents_status(&app, &token).await;
    assert_eq!(status["intents"], 4, "{status}");
    assert_eq!(status["errors"], serde_json::json!([]));

    std::fs::write(
        intents.path().join("broken.toml"),
        "[[intent]]\nname = \"broken\"\nexamples = [\"x\"]\npatterns = ['(unclosed']\nresponses = [\"y\"]\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        let status = intents_status(&app, &token).await;
        if status["errors"].as_array().is_some_and(|e| !e.is_empty()) {
            break status;
        }
        assert!(Instant::now() < deadline, "no error reported: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let error = status["errors"][0].as_str().unwrap();
    assert!(error.contains("broken.toml:4:"), "{error}");
    assert!(error.contains("invalid regex"), "{error}");
    assert_eq!(status["intents"], 4);

    let (mut visitor, _) = app.visitor().await;
    let answer = visitor.ask("c1", "How long does shipping take?").await;
    assert_eq!(
        answer["text"],
        "We ship within one business day; delivery takes 2-5 days."
    );

    // Without a session the status is not shown.
    let anonymous = reqwest::get(app.url("/api/intents/status")).await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
}

#[tokio::test]
async fn two_servers_on_one_intents_directory_reload_once_per_edit_and_never_on_a_touch() {
    // A staging and a live server sharing one directory: each reads the
    // files the other reads; a read must not look like an edit to either.
    let intents = editable_intents();
    let dir = intents.path().to_path_buf();
    let first = spawn_app_with(tempfile::tempdir().unwrap(), dir.clone()).await;
    let second = spawn_app_with(tempfile::tempdir().unwrap(), dir.clone()).await;
    let first_token = admin_token(&first).await;
    let second_token = admin_token(&second).await;
    let reloads = |status: &Value| status["reloads"].as_u64().unwrap();

    // Saved without a change (an editor's save, a `touch`): nothing reloads.
    let shipping = dir.join("shop.toml");
    let same = std::fs::read(&shipping).unwrap();
    std::fs::write(&shipping, &same).unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(reloads(&intents_status(&first, &first_token).await), 0);
    assert_eq!(reloads(&intents_status(&second, &second_token).await), 0);

    // A real edit: each server reloads it once, and then stays quiet
    // (two servers reloading each other's reads would count on and on).
    std::fs::write(dir.join("kayaks.toml"), KAYAKS).unwrap();
    for (app, token) in [(&first, &first_token), (&second, &second_token)] {
        let deadline = Instant::now() + Duration::from_secs(15);
        while reloads(&intents_status(app, token).await) == 0 {
            assert!(Instant::now() < deadline, "the edit never went live");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(reloads(&intents_status(&first, &first_token).await), 1);
    assert_eq!(reloads(&intents_status(&second, &second_token).await), 1);
}
