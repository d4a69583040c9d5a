//! `tandem check`: what an owner sees when they check a stopped server's data.

use crate::cli::tandem;
use crate::health::damaged_store;
use crate::helpers::spawn_app;

#[tokio::test]
async fn check_after_real_chats_finds_no_problems() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.ask("c1", "what are your opening hours?").await;
    visitor.ask("c2", "do you ship abroad?").await;
    drop(visitor);
    let data = app.data;
    app.server.shutdown().await.unwrap();

    let out = tandem(data.path(), &["check"], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("no problems; checked 1 conversations, 4 messages"),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_lists_a_lost_line_and_exits_1() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    visitor.ask("c1", "what are your opening hours?").await;
    visitor.ask("c2", "do you ship abroad?").await;
    drop(visitor);
    let data = app.data;
    app.server.shutdown().await.unwrap();
    let id: uuid::Uuid = welcome["conversation_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    {
        let db = sled::open(data.path().join("tandem.sled")).unwrap();
        let mut key = id.as_bytes().to_vec();
        key.extend_from_slice(&2u64.to_be_bytes());
        assert!(db
            .open_tree("messages")
            .unwrap()
            .remove(key)
            .unwrap()
            .is_some());
        db.flush().unwrap();
    }

    let out = tandem(data.path(), &["check"], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("messages {id}#3: line #2 is missing")),
        "{stdout}"
    );
    assert!(
        stdout.lines().last().unwrap().starts_with("1 problem;"),
        "{stdout}"
    );
}

#[test]
fn check_names_a_garbled_conversation_record() {
    let data = tempfile::tempdir().unwrap();
    let id = damaged_store(data.path());
    let out = tandem(data.path(), &["check"], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("conversations {id}: the record does not decode")),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_while_the_server_runs_says_to_stop_it_and_exits_2() {
    let app = spawn_app().await;
    let out = tandem(app.data.path(), &["check"], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in use by another Tandem process"),
        "{stderr}"
    );
}
