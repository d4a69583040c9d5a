//! Who gets a conversation: caps, auto-assignment, away status, and chats
//! that go back to the queue when their agent does not answer.

use std::time::Duration;

use serde_json::json;
use tandem::hub::{Hub, HubOptions};
use tandem::protocol::{AgentEvent, ReasonCode, Role, Status, VisitorEvent};
use tandem::queue::{Assignment, DeskPolicy};
use tandem::store::Store;
use tokio::sync::mpsc;

use crate::helpers::{fixture_intents, spawn_app_configured, Client};

fn auto_desk(max_chats: usize) -> DeskPolicy {
    DeskPolicy {
        assignment: Assignment::Auto,
        max_chats,
        ..DeskPolicy::default()
    }
}

/// Drains what has arrived on a channel so far.
fn drain<T>(rx: &mut mpsc::Receiver<Box<T>>) -> Vec<T> {
    std::iter::from_fn(|| rx.try_recv().ok().map(|boxed| *boxed)).collect()
}

#[tokio::test(start_paused = true)]
async fn an_assigned_chat_nobody_answers_goes_back_to_the_front_of_the_queue() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let intents =
        tandem::intents::load_dir(&fixture_intents(), &tandem::encoder::Embedder::bundled())
            .unwrap();
    let desk = DeskPolicy {
        answer_within_s: 120,
        ..DeskPolicy::default()
    };
    let hub = Hub::new(
        store,
        intents,
        HubOptions {
            hours: None,
            desk,
            ..HubOptions::default()
        },
    )
    .await
    .unwrap();

    let (vtx, mut visitor) = tandem::hub::outbox();
    let session = hub.connect_visitor(None, vtx).await.unwrap();
    let conversation = session.conversation;
    let (atx, mut agent) = tandem::hub::outbox();
    hub.connect_agent("sam", Role::Agent, atx).await.unwrap();
    hub.request_human(session.connection).await.unwrap();
    hub.claim("sam", conversation).await.unwrap();
    drain(&mut visitor.events);
    drain(&mut agent.events);

    tokio::time::advance(Duration::from_secs(119)).await;
    assert_eq!(
        hub.requeue_unanswered(tokio::time::Instant::now())
            .await
            .unwrap(),
        0
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(
        hub.requeue_unanswered(tokio::time::Instant::now())
            .await
            .unwrap(),
        1
    );

    let to_agent = drain(&mut agent.events);
    assert!(to_agent.iter().any(|e| matches!(e, AgentEvent::Requeued { conversation_id } if *conversation_id == conversation.to_string())));
    // The queue is a frame that supersedes the last: the newest waits in
    // the console's `latest` slot.
    let queue = match agent.latest.borrow().value.clone() {
        Some(AgentEvent::Queue { entries, .. }) => entries,
        other => panic!("a new queue, not {other:?}"),
    };
    assert_eq!(queue[0].conversation_id, conversation.to_string());
    assert!(queue[0]
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::Unanswered));
    let to_visitor = drain(&mut visitor.events);
    assert!(to_visitor
        .iter()
        .any(|e| matches!(e, VisitorEvent::AgentLeft { .. })));
    assert!(matches!(
        visitor.latest.borrow().value,
        Some(VisitorEvent::Queued { position: 1, .. })
    ));
    let record = hub
        .store()
        .conversation(conversation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((record.status, record.requeued), (Status::Queued, true));
}

#[tokio::test(start_paused = true)]
async fn in_auto_mode_a_chat_one_agent_ignored_goes_to_a_colleague() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let intents =
        tandem::intents::load_dir(&fixture_intents(), &tandem::encoder::Embedder::bundled())
            .unwrap();
    let desk = DeskPolicy {
        answer_within_s: 120,
        ..auto_desk(3)
    };
    let hub = Hub::new(
        store,
        intents,
        HubOptions {
            hours: None,
            desk,
            ..HubOptions::default()
        },
    )
    .await
    .unwrap();
    let (atx, _kim) = tandem::hub::outbox();
    hub.connect_agent("kim", Role::Agent, atx).await.unwrap();
    let (btx, _sam) = tandem::hub::outbox();
    hub.connect_agent("sam", Role::Agent, btx).await.unwrap();
    let (vtx, _visitor) = tandem::hub::outbox();
    let session = hub.connect_visitor(None, vtx).await.unwrap();
    hub.request_human(session.connection).await.unwrap();
    let holder = || async {
        hub.store()
            .conversation(session.conversation)
            .await
            .unwrap()
            .unwrap()
            .assigned_to
    };
    assert_eq!(holder().await.as_deref(), Some("kim"), "ties go by name");

    tokio::time::advance(Duration::from_secs(121)).await;
    assert_eq!(
        hub.requeue_unanswered(tokio::time::Instant::now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        holder().await.as_deref(),
        Some("sam"),
        "kim has fewer chats, but she just let it lapse"
    );
}

#[tokio::test(start_paused = true)]
async fn an_answer_deadline_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let desk = DeskPolicy {
        answer_within_s: 120,
        ..DeskPolicy::default()
    };
    let options = || HubOptions {
        hours: None,
        desk: desk.clone(),
        ..HubOptions::default()
    };
    let intents = || {
        tandem::intents::load_dir(&fixture_intents(), &tandem::encoder::Embedder::bundled())
            .unwrap()
    };
    let conversation = {
        let hub = Hub::new(Store::open(data.path()).unwrap(), intents(), options())
            .await
            .unwrap();
        let (vtx, _visitor) = tandem::hub::outbox();
        let session = hub.connect_visitor(None, vtx).await.unwrap();
        let (atx, _agent) = tandem::hub::outbox();
        hub.connect_agent("sam", Role::Agent, atx).await.unwrap();
        hub.request_human(session.connection).await.unwrap();
        hub.claim("sam", session.conversation).await.unwrap();
        session.conversation
    };

    // Tandem restarts with the chat held and not yet answered.
    let hub = Hub::new(Store::open(data.path()).unwrap(), intents(), options())
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(
        hub.requeue_unanswered(tokio::time::Instant::now())
            .await
            .unwrap(),
        0
    );
    tokio::time::advance(Duration::from_secs(61)).await;
    assert_eq!(
        hub.requeue_unanswered(tokio::time::Instant::now())
            .await
            .unwrap(),
        1,
        "the deadline set before the restart still ran out"
    );
    let record = hub
        .store()
        .conversation(conversation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((record.status, record.requeued), (Status::Queued, true));
}

#[tokio::test(start_paused = true)]
async fn a_chat_the_agent_answered_stays_with_them() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let intents =
        tandem::intents::load_dir(&fixture_intents(), &tandem::encoder::Embedder::bundled())
            .unwrap();
    let hub = Hub::new(store, intents, HubOptions::default())
        .await
        .unwrap();
    let (vtx, _visitor) = tandem::hub::outbox();
    let session = hub.connect_visitor(None, vtx).await.unwrap();
    let conversation = session.conversation;
    let (atx, _agent) = tandem::hub::outbox();
    hub.connect_agent("sam", Role::Agent, atx).await.unwrap();
    hub.request_human(session.connection).await.unwrap();
    hub.claim("sam", conversation).await.unwrap();
    hub.agent_message("sam", conversation, "a1", "Hi! Looking now.")
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(3600)).await;
    assert_eq!(
        hub.requeue_unanswered(tokio::time::Instant::now())
            .await
            .unwrap(),
        0
    );
}

/// The conversations of the next `n` `claimed` frames an agent receives.
async fn claimed(agent: &mut Client, n: usize) -> Vec<serde_json::Value> {
    let mut ids = Vec::new();
    while ids.len() < n {
        ids.push(agent.expect("claimed").await["conversation_id"].clone());
    }
    ids
}

#[tokio::test]
async fn auto_assignment_never_exceeds_an_agents_cap() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_app_configured(data, fixture_intents(), |s| s.desk = auto_desk(2)).await;
    let mut sam = app.agent("sam").await;
    let mut kim = app.agent("kim").await;
    let mut visitors = Vec::new();
    for _ in 0..6 {
        let (mut v, w) = app.visitor().await;
        v.send(json!({"type": "request_human"})).await;
        v.expect_where(|f| f["type"] == "agent_joined" || f["type"] == "queued")
            .await;
        visitors.push((v, w));
    }
    let held = claimed(&mut sam, 2).await;
    claimed(&mut kim, 2).await;
    // Two are left waiting; the presence list shows both agents full.
    let full = sam
        .expect_where(|f| {
            f["type"] == "agents"
                && f["online"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|a| a["chats"] == 2 && a["max_chats"] == 2)
        })
        .await;
    assert_eq!(full["online"].as_array().unwrap().len(), 2);
    let queue = sam
        .expect_where(|f| f["type"] == "queue" && f["entries"].as_array().unwrap().len() == 2)
        .await;
    assert_eq!(queue["entries"].as_array().unwrap().len(), 2);

    // Claiming by hand past the cap is refused too.
    let waiting = queue["entries"][0]["conversation_id"].clone();
    sam.send(json!({"type": "claim", "conversation_id": waiting}))
        .await;
    assert_eq!(sam.expect("error").await["code"], "at_capacity");

    // When Sam closes one, the next waiting visitor goes to Sam.
    sam.send(json!({"type": "close", "conversation_id": held[0]}))
        .await;
    sam.expect("closed").await;
    let next = sam.expect("claimed").await;
    assert_eq!(next["conversation_id"], waiting);
}

#[tokio::test]
async fn an_agent_who_is_away_gets_no_new_chats() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_app_configured(data, fixture_intents(), |s| s.desk = auto_desk(3)).await;
    let mut sam = app.agent("sam").await;
    sam.send(json!({"type": "status", "status": "away"})).await;
    sam.expect_where(|f| f["type"] == "agents" && f["online"][0]["status"] == "away")
        .await;
    let (mut visitor, _) = app.visitor().await;
    visitor.send(json!({"type": "request_human"})).await;
    assert_eq!(visitor.expect("queued").await["position"], 1);
    sam.send(json!({"type": "status", "status": "available"}))
        .await;
    sam.expect("claimed").await;
    visitor.expect("agent_joined").await;
}
