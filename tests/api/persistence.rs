//! Conversations survive reloads, restarts and crashes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::json;

use crate::helpers::{fixture_intents, spawn_app, Client};

#[tokio::test]
async fn resume_token_brings_back_the_same_conversation_and_history() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    visitor.ask("c1", "hello").await;
    visitor.ask("c2", "how long does shipping take").await;
    drop(visitor);

    let token = welcome["resume_token"].as_str().unwrap();
    let (_, again) = app.resume(token).await;
    assert_eq!(again["conversation_id"], welcome["conversation_id"]);
    assert_eq!(again["resumed"], true);
    let history = again["history"].as_array().unwrap();
    let lines: Vec<(&str, &str)> = history
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("visitor", "hello"),
            ("bot", "Hello! How can I help?"),
            ("visitor", "how long does shipping take"),
            (
                "bot",
                "We ship within one business day; delivery takes 2-5 days."
            ),
        ]
    );
}

#[tokio::test]
async fn an_unknown_resume_token_starts_a_new_conversation() {
    let app = spawn_app().await;
    let (_, welcome) = app.resume("no-such-token").await;
    assert_eq!(welcome["resumed"], false);
    assert_ne!(welcome["resume_token"], "no-such-token");
}

#[tokio::test]
async fn restart_keeps_the_queue_and_every_acknowledged_message() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    for i in 0..5 {
        visitor.ask(&format!("c{i}"), "hello").await;
    }
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    drop(visitor);

    let app = app.restart().await;
    let mut agent = app.agent("sam").await;
    let queue = agent.expect("queue").await;
    assert_eq!(
        queue["entries"][0]["conversation_id"],
        welcome["conversation_id"]
    );
    assert_eq!(queue["entries"][0]["reasons"][0]["code"], "asked_for_human");

    let (mut visitor, again) = app.resume(&token).await;
    assert_eq!(again["status"], "queued");
    let visitor_lines = again["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "visitor")
        .count();
    assert_eq!(visitor_lines, 5);
    assert_eq!(visitor.expect("queued").await["position"], 1);
}

/// The real binary as a child process, killed without warning.
pub(crate) struct Tandem {
    child: Child,
    pub(crate) addr: String,
}

impl Tandem {
    fn start(data_dir: &std::path::Path) -> Tandem {
        Tandem::start_with(data_dir, &[])
    }

    pub(crate) fn start_with(data_dir: &std::path::Path, extra: &[&std::ffi::OsStr]) -> Tandem {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args(extra)
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .arg("--intents-dir")
            .arg(fixture_intents())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tandem starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut addr = None;
        for line in lines.by_ref() {
            let line = line.expect("stdout line");
            if let Some(rest) = line.split("http://").nth(1) {
                addr = Some(rest.trim_end_matches('/').to_owned());
                break;
            }
        }
        // Keep draining, so the server never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Tandem {
            child,
            addr: addr.expect("tandem prints its address"),
        }
    }

    pub(crate) fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Tandem {
    /// A failing test must not leave a server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_message() {
    let data = tempfile::tempdir().unwrap();
    let tandem = Tandem::start(data.path());
    let (mut visitor, welcome) = {
        let mut c = Client::connect(&format!("ws://{}/ws/visitor", tandem.addr))
            .await
            .unwrap();
        let w = c.next().await;
        (c, w)
    };
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    for i in 0..15 {
        visitor
            .say(&format!("c{i}"), &format!("message number {i}"))
            .await;
    }
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    tandem.kill_9();

    let tandem = Tandem::start(data.path());
    let mut visitor = Client::connect(&format!("ws://{}/ws/visitor?resume={token}", tandem.addr))
        .await
        .unwrap();
    let again = visitor.next().await;
    assert_eq!(again["status"], "queued");
    let ids: Vec<&str> = again["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "visitor")
        .map(|m| m["client_id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..15).map(|i| format!("c{i}")).collect();
    assert_eq!(ids, expected);
    tandem.kill_9();
}

/// One visitor writing as fast as its acks come, until the server dies:
/// the ids acknowledged, and the one in flight when it died.
async fn write_until_killed(addr: String, v: usize) -> (String, Vec<String>, Option<String>) {
    let mut c = Client::connect(&format!("ws://{addr}/ws/visitor"))
        .await
        .unwrap();
    let token = c.next().await["resume_token"].as_str().unwrap().to_owned();
    let mut acked = Vec::new();
    for i in 0.. {
        let id = format!("v{v}-{i}");
        // Words the bot cannot answer would hand over after two: ask
        // routine things so the bot keeps answering and writing.
        let frame = json!({"type": "message", "id": id, "text": format!("hello {i}")});
        if c.try_send(frame).await.is_err() {
            return (token, acked, Some(id));
        }
        loop {
            match c.try_next().await {
                Some(f) if f["type"] == "ack" && f["id"] == id.as_str() => break,
                Some(_) => continue,
                None => return (token, acked, Some(id)),
            }
        }
        acked.push(id);
    }
    unreachable!()
}

#[tokio::test]
async fn kill_9_mid_flight_loses_no_acknowledged_line_and_a_resend_is_stored_once() {
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("limits.toml");
    // Ten visitors from one test machine: lift the per-address budget.
    std::fs::write(&config, "[limits]\nip_lines_per_second = 1000\nip_line_burst = 1000\nvisitor_lines_per_second = 1000\nvisitor_line_burst = 1000\nframes_per_second = 1000\nframe_burst = 1000\n").unwrap();
    let args = [std::ffi::OsStr::new("--config"), config.as_os_str()];
    for cycle in 0..3 {
        let tandem = Tandem::start_with(&data.path().join("db"), &args);
        let writers: Vec<_> = (0..10)
            .map(|v| tokio::spawn(write_until_killed(tandem.addr.clone(), cycle * 100 + v)))
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        tandem.kill_9();
        let mut seen = Vec::new();
        for w in writers {
            seen.push(w.await.unwrap());
        }
        let tandem = Tandem::start_with(&data.path().join("db"), &args);
        for (token, acked, in_flight) in seen {
            assert!(!acked.is_empty(), "the writers got going before the kill");
            let mut c = Client::connect(&format!("ws://{}/ws/visitor?resume={token}", tandem.addr))
                .await
                .unwrap();
            let welcome = c.next().await;
            // The one in flight is sent again, as the widget does.
            if let Some(id) = &in_flight {
                c.say(id, "hello again").await;
            }
            drop(c);
            let (_, again) = {
                let mut c =
                    Client::connect(&format!("ws://{}/ws/visitor?resume={token}", tandem.addr))
                        .await
                        .unwrap();
                let w = c.next().await;
                (c, w)
            };
            let ids: Vec<&str> = again["history"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|m| m["client_id"].as_str())
                .collect();
            for id in &acked {
                assert_eq!(
                    ids.iter().filter(|x| *x == id).count(),
                    1,
                    "acknowledged {id} is there once: {ids:?} (welcome before the resend: {welcome})"
                );
            }
            if let Some(id) = &in_flight {
                assert_eq!(ids.iter().filter(|x| *x == id).count(), 1, "{ids:?}");
            }
        }
        tandem.kill_9();
    }
}
