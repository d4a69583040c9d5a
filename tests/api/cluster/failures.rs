//! Cluster mode when things go wrong: a node killed with `kill -9`, the
//! leader's node dying, a node's bus connection dropping, a baton held
//! too long elsewhere.

use std::time::Duration;

use serde_json::json;
use tandem::queue::DeskPolicy;

use super::{
    cluster, console, database, held_across, in_queue, nodes_on, wait_until,
    waiting_visitor_welcome,
};
use crate::helpers::{fixture_intents, spawn_app_configured, Client};
use crate::persistence::Tandem;

#[tokio::test]
async fn an_unanswered_chat_goes_back_to_the_queue_once_after_the_leader_was_killed() {
    let Some(url) = database().await else {
        return;
    };
    // The first node, a real process, takes the lead at once.
    let data = tempfile::tempdir().unwrap();
    let leader = Tandem::start_with(data.path(), &["--store".as_ref(), url.as_ref()]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let desk = DeskPolicy {
        answer_within_s: 2,
        ..DeskPolicy::default()
    };
    let nodes = nodes_on(&url, 2, desk).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(nodes.iter().all(|n| !n.server.hub().leads()));
    // Its node dies without warning; another takes the clocks.
    leader.kill_9();
    wait_until("another node leads", || {
        nodes.iter().filter(|n| n.server.hub().leads()).count() == 1
    })
    .await;

    nodes[0].add_agent("lee", "correct-horse-7").await;
    let mut lee = console(&nodes[0], "lee").await;
    let (mut visitor, welcome) = waiting_visitor_welcome(&nodes[1], "Hello? Anyone there?").await;
    let id = welcome["conversation_id"].as_str().unwrap().to_owned();
    lee.expect_where(|f| in_queue(f, &id)).await;
    lee.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    lee.expect("claimed").await;
    visitor.expect("agent_joined").await;
    // Nobody answers within 2 s: back to the front of the line, once.
    lee.expect("requeued").await;
    visitor.expect("agent_left").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_again, welcome) = nodes[1]
        .resume(welcome["resume_token"].as_str().unwrap())
        .await;
    let returned = welcome["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains("back at the front"))
        })
        .count();
    assert_eq!(returned, 1, "{welcome}");
}

#[tokio::test]
async fn a_node_killed_mid_conversation_loses_no_acknowledged_line() {
    let Some(nodes) = cluster(1, DeskPolicy::default()).await else {
        return;
    };
    let url = std::fs::read_to_string(nodes[0].data.path().join("postgres-url")).unwrap();
    let data = tempfile::tempdir().unwrap();
    let doomed = Tandem::start_with(data.path(), &["--store".as_ref(), url.as_ref()]);
    let mut visitor = Client::connect(&format!("ws://{}/ws/visitor", doomed.addr))
        .await
        .unwrap();
    let token = visitor.next().await["resume_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Questions the bot cannot answer: it hands over after two, so the
    // other nodes take the conversation in from the bus while it goes on.
    for i in 0..10 {
        visitor
            .say(&format!("k{i}"), &format!("question number {i}"))
            .await;
    }
    doomed.kill_9();

    // The widget reconnects through the load balancer to a live node.
    let (_visitor, welcome) = nodes[0].resume(&token).await;
    let ids: Vec<&str> = welcome["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "visitor")
        .map(|m| m["client_id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_node_whose_bus_connection_drops_catches_up_after_it_reconnects() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    let (mut sam, mut visitor, _) = held_across(&nodes, "Hello, I need help").await;

    // Node B's listening connection dies; what node A says meanwhile is
    // never heard as a notice.
    let url = std::fs::read_to_string(nodes[0].data.path().join("postgres-url")).unwrap();
    let (db, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let node_b = nodes[1].server.hub().store().cluster().unwrap().node();
    let killed = db
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            &[&format!("tandem bus {node_b}")],
        )
        .await
        .unwrap();
    assert_eq!(killed, 1);
    visitor.say("w2", "Are you still there?").await;

    let line = sam
        .expect_where(|f| f["type"] == "message" && f["from"] == "visitor")
        .await;
    assert_eq!(line["text"], "Are you still there?");
}

#[tokio::test]
async fn a_decision_waiting_too_long_for_another_node_fails_as_unavailable_and_a_resend_is_stored_once(
) {
    let Some(url) = database().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("postgres-url"), &url).unwrap();
    let node = spawn_app_configured(data, fixture_intents(), |s| s.store.timeout_ms = 300).await;
    let (mut visitor, welcome) = node.visitor().await;
    visitor.say("a1", "hello").await;
    let id: uuid::Uuid = welcome["conversation_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // Another node holds the conversation's baton and does not let go.
    let pg = node.server.hub().store().cluster().unwrap().clone();
    let (stuck, _) = pg.baton(id, &[]).await.unwrap();
    visitor
        .send(json!({"type": "message", "id": "a2", "text": "how long does shipping take"}))
        .await;
    let answer = visitor
        .expect_where(|f| f["type"] == "ack" || f["type"] == "error")
        .await;
    assert_eq!(answer["code"], "unavailable", "{answer}");

    // Once it lets go, the widget's resend is stored, once.
    stuck.release().await;
    visitor.say("a2", "how long does shipping take").await;
    let history = node.server.hub().store().history(id).await.unwrap();
    let resent = history
        .iter()
        .filter(|m| m.client_id.as_deref() == Some("a2"))
        .count();
    assert_eq!(resent, 1);
}
