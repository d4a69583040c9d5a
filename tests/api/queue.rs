//! A busy queue, as the visitors waiting in it see it: their place stays
//! right, comes at a human pace, and never costs them their connection.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{fixture_intents, spawn_app, spawn_app_configured, Client};

/// Frames that arrive within `window`, without failing when none do.
async fn frames_within(client: &mut Client, window: Duration) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + window;
    let mut frames = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match tokio::time::timeout(left, client.next()).await {
            Ok(frame) => frames.push(frame),
            Err(_) => break,
        }
    }
    frames
}

#[tokio::test]
async fn a_waiting_visitor_hears_of_their_place_only_when_it_moves_while_others_come_and_go() {
    // Forty visitors in two seconds from one test machine: in life they
    // come from forty addresses, so the per-address line budget is lifted.
    let app = spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.limits.ip_lines_per_second = 1000;
        s.limits.ip_line_burst = 1000;
    })
    .await;
    let (mut first, _) = app.visitor().await;
    first.send(json!({"type": "request_human"})).await;
    first.expect("queued").await;
    let (mut waiting, _) = app.visitor().await;
    waiting.send(json!({"type": "request_human"})).await;
    assert_eq!(waiting.expect("queued").await["position"], 2);

    // Forty others join behind and leave again: the waiting visitor's
    // place never changes, so they hear nothing about it.
    let churn = async {
        for _ in 0..40 {
            let (mut other, _) = app.visitor().await;
            other.send(json!({"type": "request_human"})).await;
            other.expect("queued").await;
            other.send(json!({"type": "cancel_wait"})).await;
        }
    };
    let (frames, ()) = tokio::join!(frames_within(&mut waiting, Duration::from_secs(4)), churn);
    let places: Vec<_> = frames.iter().filter(|f| f["type"] == "queued").collect();
    assert!(places.len() <= 1, "{places:?}");
    assert!(places.iter().all(|f| f["position"] == 2), "{places:?}");

    // The one ahead leaves: the waiting visitor moves up, promptly.
    first.send(json!({"type": "cancel_wait"})).await;
    let moved = waiting
        .expect_where(|f| f["type"] == "queued" && f["position"] == 1)
        .await;
    assert_eq!(moved["position"], 1);
}

#[tokio::test]
async fn places_in_a_churning_queue_come_at_most_about_once_a_second() {
    let app = spawn_app().await;
    // Ten visitors wait; the last one watches their place.
    let mut ahead = Vec::new();
    for _ in 0..10 {
        let (mut v, _) = app.visitor().await;
        v.send(json!({"type": "request_human"})).await;
        v.expect("queued").await;
        ahead.push(v);
    }
    let (mut last, _) = app.visitor().await;
    last.send(json!({"type": "request_human"})).await;
    assert_eq!(last.expect("queued").await["position"], 11);
    // Those ahead leave one by one, quickly: ten changes of place.
    let started = Instant::now();
    let leave = async {
        for v in &mut ahead {
            v.send(json!({"type": "cancel_wait"})).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let (frames, ()) = tokio::join!(frames_within(&mut last, Duration::from_secs(3)), leave);
    let places: Vec<u64> = frames
        .iter()
        .filter(|f| f["type"] == "queued")
        .map(|f| f["position"].as_u64().unwrap())
        .collect();
    let seconds = started.elapsed().as_secs() + 1;
    assert!(
        !places.is_empty() && places.len() as u64 <= seconds + 1,
        "at most about one a second: {places:?} in {seconds} s"
    );
    assert_eq!(
        places.last(),
        Some(&1),
        "the last place is right: {places:?}"
    );
    assert!(places.windows(2).all(|w| w[0] > w[1]), "{places:?}");
}

#[tokio::test]
async fn a_waiting_visitor_gets_a_bounded_number_of_places_while_many_others_join_and_leave() {
    // Many visitors from one test machine: lift the per-address budget.
    let app = spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.limits.ip_lines_per_second = 1000;
        s.limits.ip_line_burst = 1000;
    })
    .await;
    // An agent is signed in, so every change also owes agents a new queue.
    let mut sam = app.agent("sam").await;
    let mut ahead = Vec::new();
    for _ in 0..6 {
        let (mut v, _) = app.visitor().await;
        v.send(json!({"type": "request_human"})).await;
        v.expect("queued").await;
        ahead.push(v);
    }
    let (mut waiting, welcome) = app.visitor().await;
    waiting.send(json!({"type": "request_human"})).await;
    assert_eq!(waiting.expect("queued").await["position"], 7);

    // Sixty others join behind and leave again, while the six ahead leave
    // one by one: 126 changes to the queue, six of them to this place.
    let started = Instant::now();
    let churn = async {
        for _ in 0..60 {
            let (mut other, _) = app.visitor().await;
            other.send(json!({"type": "request_human"})).await;
            other.expect("queued").await;
            other.send(json!({"type": "cancel_wait"})).await;
        }
    };
    let leave = async {
        for v in &mut ahead {
            v.send(json!({"type": "cancel_wait"})).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let (frames, (), ()) = tokio::join!(
        frames_within(&mut waiting, Duration::from_secs(4)),
        churn,
        leave
    );
    let seconds = started.elapsed().as_secs() + 1;
    let places: Vec<u64> = frames
        .iter()
        .filter(|f| f["type"] == "queued")
        .map(|f| f["position"].as_u64().unwrap())
        .collect();
    assert!(
        !places.is_empty() && places.len() as u64 <= seconds + 1,
        "at most about one a second, not one per change: {places:?} in {seconds} s"
    );
    assert!(places.windows(2).all(|w| w[0] > w[1]), "{places:?}");
    assert_eq!(
        places.last(),
        Some(&1),
        "the last place is right: {places:?}"
    );

    // The agent's queue (coalesced, a few copies a second) settles on the
    // one visitor still waiting.
    sam.expect_where(|f| {
        f["type"] == "queue"
            && f["entries"].as_array().is_some_and(|e| {
                e.len() == 1 && e[0]["conversation_id"] == welcome["conversation_id"]
            })
    })
    .await;
}

#[tokio::test]
async fn an_agent_sees_the_head_of_a_long_queue_and_how_many_wait_in_all() {
    let app = spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.limits.ip_lines_per_second = 1000;
        s.limits.ip_line_burst = 1000;
    })
    .await;
    let mut ids = Vec::new();
    let mut visitors = Vec::new();
    for _ in 0..105 {
        let (mut visitor, welcome) = app.visitor().await;
        visitor.send(json!({"type": "request_human"})).await;
        visitor.expect("queued").await;
        ids.push(welcome["conversation_id"].as_str().unwrap().to_owned());
        visitors.push(visitor);
    }
    let mut sam = app.agent("sam").await;
    let queue = sam.expect("queue").await;
    let shown: Vec<&str> = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["conversation_id"].as_str().unwrap())
        .collect();
    // The first hundred in serving order (longest waiting first), and
    // the count of everyone.
    assert_eq!(
        shown,
        ids[..100].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(queue["total"], 105);
    // Someone beyond the head can still be taken by id.
    sam.send(json!({"type": "claim", "conversation_id": ids[104]}))
        .await;
    sam.expect("claimed").await;
    visitors[104].expect("agent_joined").await;
}
