//! Cluster mode: three real nodes on one PostgreSQL database, as a
//! business behind a load balancer runs them. A visitor and an agent on
//! different nodes chat live; a claim race across nodes has one winner;
//! caps and answer deadlines hold across nodes; a node killed with
//! `kill -9` loses nothing acknowledged; the leader moves when its node
//! dies. Needs a PostgreSQL server (`TANDEM_TEST_POSTGRES`, set by
//! `scripts/test-postgres`; `scripts/test` runs the suite with it).

mod failures;

use std::time::Duration;

use serde_json::{json, Value};
use tandem::queue::{Assignment, DeskPolicy};

use crate::helpers::{
    fixture_intents, postgres_for, spawn_app_configured, Client, TestApp, FRAME_TIMEOUT,
};

/// A fresh database's address; `None` without PostgreSQL.
pub(super) async fn database() -> Option<String> {
    if std::env::var("TANDEM_TEST_POSTGRES").is_err() {
        eprintln!("skipped here: needs PostgreSQL (scripts/test runs it on one)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    postgres_for(dir.path()).await
}

/// `n` nodes on one fresh database, started in order (the first leads),
/// with `desk`; `None` without PostgreSQL.
pub(super) async fn cluster(n: usize, desk: DeskPolicy) -> Option<Vec<TestApp>> {
    let url = database().await?;
    let nodes = nodes_on(&url, n, desk).await;
    wait_until("the first node leads", || nodes[0].server.hub().leads()).await;
    Some(nodes)
}

/// `n` more nodes on the database at `url`.
pub(super) async fn nodes_on(url: &str, n: usize, desk: DeskPolicy) -> Vec<TestApp> {
    let mut nodes = Vec::new();
    for _ in 0..n {
        let data = tempfile::tempdir().unwrap();
        // The harness runs a node on the database its directory names.
        std::fs::write(data.path().join("postgres-url"), url).unwrap();
        let desk = desk.clone();
        nodes.push(spawn_app_configured(data, fixture_intents(), move |s| s.desk = desk).await);
    }
    nodes
}

/// Signs `name` (an existing account) in on `node`; the console after `hello`.
pub(super) async fn console(node: &TestApp, name: &str) -> Client {
    let token = node.token(name, "correct-horse-7").await;
    let mut client = Client::connect(&format!("ws://{}/ws/agent?token={token}", node.addr))
        .await
        .expect("agent socket opens");
    assert_eq!(client.next().await["type"], "hello");
    client
}

pub(super) async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + FRAME_TIMEOUT * 2;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A visitor on `node` who asked for a person; the client and its id.
pub(super) async fn waiting_visitor(node: &TestApp, text: &str) -> (Client, String) {
    let (visitor, welcome) = waiting_visitor_welcome(node, text).await;
    (
        visitor,
        welcome["conversation_id"].as_str().unwrap().to_owned(),
    )
}

pub(super) async fn waiting_visitor_welcome(node: &TestApp, text: &str) -> (Client, Value) {
    let (mut visitor, welcome) = node.visitor().await;
    visitor.say("w1", text).await;
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    (visitor, welcome)
}

/// The frames that arrived so far.
async fn drain(client: &mut Client) -> Vec<Value> {
    let mut frames = Vec::new();
    while let Ok(Some(f)) =
        tokio::time::timeout(Duration::from_millis(200), client.try_next()).await
    {
        frames.push(f);
    }
    frames
}

/// A visitor on node A who wrote `text` and asked for a person, taken by
/// sam (a new account) on node B: sam's console, the visitor, the id.
pub(super) async fn held_across(nodes: &[TestApp], text: &str) -> (Client, Client, String) {
    nodes[0].add_agent("sam", "correct-horse-7").await;
    let mut sam = console(&nodes[1], "sam").await;
    let (mut visitor, id) = waiting_visitor(&nodes[0], text).await;
    sam.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    sam.expect("claimed").await;
    visitor.expect("agent_joined").await;
    (sam, visitor, id)
}

pub(super) fn in_queue(frame: &Value, id: &str) -> bool {
    frame["type"] == "queue"
        && frame["entries"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["conversation_id"] == id))
}

#[tokio::test]
async fn a_visitor_on_one_node_and_an_agent_on_another_chat_live() {
    let Some(nodes) = cluster(3, DeskPolicy::default()).await else {
        return;
    };
    let (a, b) = (&nodes[0], &nodes[1]);
    a.add_agent("sam", "correct-horse-7").await;
    let mut sam = console(b, "sam").await;
    let (mut visitor, id) = waiting_visitor(a, "My parcel arrived broken").await;

    // The queue on node B shows the visitor who is waiting on node A.
    sam.expect_where(|f| in_queue(f, &id)).await;
    sam.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    sam.expect("claimed").await;
    assert_eq!(visitor.expect("agent_joined").await["agent"]["name"], "sam");

    sam.send(json!({"type": "message", "conversation_id": id, "id": "s1", "text": "So sorry, I'll send a new one today."}))
        .await;
    let heard = visitor
        .expect_where(|f| f["type"] == "message" && f["from"] == "agent")
        .await;
    assert_eq!(heard["text"], "So sorry, I'll send a new one today.");

    visitor.say("w2", "Thank you, that's kind").await;
    let line = sam
        .expect_where(|f| f["type"] == "message" && f["from"] == "visitor")
        .await;
    assert_eq!(line["conversation_id"], id.as_str());
    assert_eq!(line["text"], "Thank you, that's kind");

    sam.send(json!({"type": "close", "conversation_id": id}))
        .await;
    assert_eq!(visitor.expect("closed").await["survey"], true);
}

#[tokio::test]
async fn twenty_agents_on_three_nodes_race_for_one_chat_and_one_wins() {
    let Some(nodes) = cluster(3, DeskPolicy::default()).await else {
        return;
    };
    let mut consoles = Vec::new();
    for i in 0..20 {
        let name = format!("agent{i}");
        nodes[0].add_agent(&name, "correct-horse-7").await;
        consoles.push(console(&nodes[i % 3], &name).await);
    }
    let (mut visitor, id) = waiting_visitor(&nodes[1], "I need a person please").await;
    for c in &mut consoles {
        c.expect_where(|f| in_queue(f, &id)).await;
    }
    for c in &mut consoles {
        c.send(json!({"type": "claim", "conversation_id": id}))
            .await;
    }
    let mut winners = 0;
    for c in &mut consoles {
        let answer = c
            .expect_where(|f| f["type"] == "claimed" || f["type"] == "error")
            .await;
        match answer["type"].as_str() {
            Some("claimed") => winners += 1,
            _ => assert_eq!(answer["code"], "already_claimed", "{answer}"),
        }
    }
    assert_eq!(winners, 1);
    visitor.expect("agent_joined").await;
}

#[tokio::test]
async fn auto_assignment_never_gives_an_agent_more_than_their_cap_across_nodes() {
    let desk = DeskPolicy {
        assignment: Assignment::Auto,
        max_chats: 2,
        ..DeskPolicy::default()
    };
    let Some(nodes) = cluster(3, desk).await else {
        return;
    };
    nodes[0].add_agent("kim", "correct-horse-7").await;
    // Signed in on two nodes at once: both may hand kim chats.
    let mut kim_a = console(&nodes[0], "kim").await;
    let _kim_b = console(&nodes[1], "kim").await;
    let mut visitors = Vec::new();
    for i in 0..6 {
        let (mut v, welcome) = nodes[i % 3].visitor().await;
        v.say("w1", "Please get me a human").await;
        v.send(json!({"type": "request_human"})).await;
        visitors.push((v, welcome));
    }
    // Two are taken; the others wait.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut joined = 0;
    for (v, _) in &mut visitors {
        joined += drain(v)
            .await
            .iter()
            .filter(|f| f["type"] == "agent_joined")
            .count();
    }
    assert_eq!(joined, 2, "kim holds two chats at most, on every node");
    let agents = kim_a
        .expect_where(|f| f["type"] == "agents" && f["online"][0]["chats"] == 2)
        .await;
    assert_eq!(agents["online"][0]["name"], "kim");
}

#[tokio::test]
async fn typing_crosses_nodes_both_ways() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    let (mut sam, mut visitor, id) = held_across(&nodes, "Can someone help me?").await;

    visitor
        .send(json!({"type": "typing", "active": true}))
        .await;
    assert_eq!(
        sam.expect("typing").await,
        json!({"type": "typing", "conversation_id": id, "active": true})
    );
    sam.send(json!({"type": "typing", "conversation_id": id, "active": true}))
        .await;
    assert_eq!(
        visitor.expect("typing").await,
        json!({"type": "typing", "active": true})
    );
}

#[tokio::test]
async fn a_removed_agents_console_on_another_node_closes_and_their_chat_goes_back() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    nodes[0].add_admin("olga", "correct-horse-7").await;
    let olga = nodes[0].token("olga", "correct-horse-7").await;
    let (mut sam, mut visitor, _) = held_across(&nodes, "My order is wrong").await;

    let removed = reqwest::Client::new()
        .delete(nodes[0].url("/api/agents/sam"))
        .bearer_auth(&olga)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    assert_eq!(visitor.expect("agent_left").await["agent"]["name"], "sam");
    sam.closed().await;
}

#[tokio::test]
async fn a_waiting_visitors_estimate_follows_chats_closed_on_another_node() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    let (mut sam, _first, id) = held_across(&nodes, "Where is my refund?").await;
    let (mut waiting, _) = waiting_visitor(&nodes[0], "I have a question for a person").await;
    // Nobody has closed a chat yet: the typical handling time is 2 minutes.
    let before = waiting
        .expect_where(|f| f["type"] == "queued" && f["estimated_wait_s"].is_number())
        .await;
    assert_eq!(before["estimated_wait_s"], 120, "{before}");

    // sam, on node B, closes a chat after a moment: node A's estimate for
    // the waiting visitor follows.
    sam.send(json!({"type": "close", "conversation_id": id}))
        .await;
    let after = waiting
        .expect_where(|f| f["type"] == "queued" && f["estimated_wait_s"] != 120)
        .await;
    assert!(after["estimated_wait_s"].as_u64().unwrap() < 120, "{after}");
}

#[tokio::test]
async fn guessing_a_password_across_nodes_locks_the_account_on_every_node() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    nodes[0].add_agent("sam", "correct-horse-7").await;
    // Six wrong guesses, spread over both nodes: three each, fewer than
    // either node alone would lock for (five are free).
    for i in 0..6 {
        let (status, body) = nodes[i % 2].login("sam", "guess-guess").await;
        assert_eq!((status, &body["code"]), (401, &json!("bad_credentials")));
    }
    for node in &nodes {
        let (status, body) = node.login("sam", "correct-horse-7").await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["code"], "too_many_attempts");
    }
}

#[tokio::test]
async fn a_rating_given_on_one_node_reaches_the_agent_on_another() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    let (mut sam, mut visitor, id) = held_across(&nodes, "My order is late").await;
    sam.send(json!({"type": "close", "conversation_id": id}))
        .await;
    assert_eq!(visitor.expect("closed").await["survey"], true);
    visitor
        .send(json!({"type": "rate", "score": 5, "comment": "Sorted in a minute"}))
        .await;
    assert_eq!(visitor.expect("rated").await["score"], 5);
    let rated = sam.expect("rated").await;
    assert_eq!(rated["conversation_id"], id.as_str());
    assert_eq!(rated["csat"]["comment"], "Sorted in a minute");
    assert_eq!(rated["csat"]["agent"], "sam");
}
