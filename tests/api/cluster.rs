//! Cluster mode: three real nodes on one PostgreSQL database, as a
//! business behind a load balancer runs them. A visitor and an agent on
//! different nodes chat live; a claim race across nodes has one winner;
//! caps and answer deadlines hold across nodes; a node killed with
//! `kill -9` loses nothing acknowledged; the leader moves when its node
//! dies. Needs a PostgreSQL server (`TANDEM_TEST_POSTGRES`, set by
//! `scripts/test-postgres`; `scripts/test` runs the suite with it).

use std::time::Duration;

use serde_json::{json, Value};
use tandem::queue::{Assignment, DeskPolicy};

use crate::helpers::{
    fixture_intents, postgres_for, spawn_app_configured, Client, TestApp, FRAME_TIMEOUT,
};
use crate::persistence::Tandem;

/// A fresh database's address; `None` without PostgreSQL.
async fn database() -> Option<String> {
    if std::env::var("TANDEM_TEST_POSTGRES").is_err() {
        eprintln!("skipped here: needs PostgreSQL (scripts/test runs it on one)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    postgres_for(dir.path()).await
}

/// `n` nodes on one fresh database, started in order (the first leads),
/// with `desk`; `None` without PostgreSQL.
async fn cluster(n: usize, desk: DeskPolicy) -> Option<Vec<TestApp>> {
    let url = database().await?;
    let nodes = nodes_on(&url, n, desk).await;
    wait_until("the first node leads", || nodes[0].server.hub().leads()).await;
    Some(nodes)
}

/// `n` more nodes on the database at `url`.
async fn nodes_on(url: &str, n: usize, desk: DeskPolicy) -> Vec<TestApp> {
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
async fn console(node: &TestApp, name: &str) -> Client {
    let token = node.token(name, "correct-horse-7").await;
    let mut client = Client::connect(&format!("ws://{}/ws/agent?token={token}", node.addr))
        .await
        .expect("agent socket opens");
    assert_eq!(client.next().await["type"], "hello");
    client
}

async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + FRAME_TIMEOUT * 2;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A visitor on `node` who asked for a person; the client and its id.
async fn waiting_visitor(node: &TestApp, text: &str) -> (Client, String) {
    let (visitor, welcome) = waiting_visitor_welcome(node, text).await;
    (
        visitor,
        welcome["conversation_id"].as_str().unwrap().to_owned(),
    )
}

async fn waiting_visitor_welcome(node: &TestApp, text: &str) -> (Client, Value) {
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

fn in_queue(frame: &Value, id: &str) -> bool {
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
async fn typing_crosses_nodes_both_ways() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    nodes[0].add_agent("sam", "correct-horse-7").await;
    let mut sam = console(&nodes[1], "sam").await;
    let (mut visitor, id) = waiting_visitor(&nodes[0], "Can someone help me?").await;
    sam.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    sam.expect("claimed").await;
    visitor.expect("agent_joined").await;

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
    nodes[0].add_agent("sam", "correct-horse-7").await;
    let olga = nodes[0].token("olga", "correct-horse-7").await;
    let mut sam = console(&nodes[1], "sam").await;
    let (mut visitor, id) = waiting_visitor(&nodes[0], "My order is wrong").await;
    sam.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    sam.expect("claimed").await;
    visitor.expect("agent_joined").await;

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
async fn a_node_whose_bus_connection_drops_catches_up_after_it_reconnects() {
    let Some(nodes) = cluster(2, DeskPolicy::default()).await else {
        return;
    };
    nodes[0].add_agent("sam", "correct-horse-7").await;
    let mut sam = console(&nodes[1], "sam").await;
    let (mut visitor, id) = waiting_visitor(&nodes[0], "Hello, I need help").await;
    sam.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    sam.expect("claimed").await;
    visitor.expect("agent_joined").await;

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
