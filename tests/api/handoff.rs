//! The path from the bot to a person: queue, claim, chat, close.

use std::sync::Arc;

use serde_json::json;
use tokio::sync::Barrier;

use crate::helpers::spawn_app;

#[tokio::test]
async fn visitor_who_asks_for_a_person_reaches_an_agent_and_they_chat() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    let conversation = welcome["conversation_id"].as_str().unwrap().to_owned();
    visitor.ask("c1", "where is my order").await;

    // Asking in words hands over at once, with the reason.
    let handoff = visitor.ask("c2", "I want to talk to a person").await;
    assert!(
        handoff["text"]
            .as_str()
            .unwrap()
            .contains("member of our team to take over"),
        "{handoff}"
    );
    let queued = visitor.expect("queued").await;
    assert_eq!(queued["position"], 1);

    let mut agent = app.agent("sam").await;
    let queue = agent.expect("queue").await;
    let entry = &queue["entries"][0];
    assert_eq!(entry["conversation_id"], conversation.as_str());
    assert_eq!(
        entry["reasons"][0],
        json!({"code": "intent_requires_human", "text": "asked for a person", "evidence": "I want to talk to a person"})
    );

    // The agent looks before claiming: the whole transcript, bot part included.
    agent
        .send(json!({"type": "open", "conversation_id": conversation}))
        .await;
    let view = agent.expect("conversation").await;
    assert_eq!(view["status"], "queued");
    let texts: Vec<&str> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts[0], "where is my order");
    assert_eq!(texts.len(), 4, "{texts:?}");

    agent
        .send(json!({"type": "claim", "conversation_id": conversation}))
        .await;
    assert_eq!(
        agent.expect("claimed").await["conversation_id"],
        conversation.as_str()
    );
    let held = agent.expect("conversation").await;
    assert_eq!(held["assigned_to"], "sam");

    let joined = visitor.expect("agent_joined").await;
    assert_eq!(joined["agent"], json!({"name": "sam"}));
    let note = visitor.expect("message").await;
    assert_eq!(
        (note["from"].as_str(), note["text"].as_str()),
        (Some("system"), Some("sam joined the chat"))
    );

    // Both sides talk; the bot stays quiet.
    agent.send(json!({"type": "message", "conversation_id": conversation, "id": "a1", "text": "Hi, I'm Sam. Let me look."})).await;
    assert_eq!(agent.expect("ack").await["id"], "a1");
    let reply = visitor.expect("message").await;
    assert_eq!(reply["from"], "agent");
    assert_eq!(reply["author"], "sam");
    assert_eq!(reply["text"], "Hi, I'm Sam. Let me look.");

    visitor.say("c3", "thank you!").await;
    let line = agent.expect("message").await;
    assert_eq!(line["conversation_id"], conversation.as_str());
    assert_eq!(
        (line["from"].as_str(), line["text"].as_str()),
        (Some("visitor"), Some("thank you!"))
    );

    agent
        .send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    assert_eq!(
        agent.expect("closed").await["conversation_id"],
        conversation.as_str()
    );
    visitor.expect("closed").await;

    // Writing again brings the bot back.
    let answer = visitor.ask("c4", "hello").await;
    assert_eq!(answer["text"], "Hello! How can I help?");
}

#[tokio::test]
async fn the_talk_to_a_person_button_queues_the_conversation() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.send(json!({"type": "request_human"})).await;
    let line = visitor.expect("message").await;
    assert_eq!(line["from"], "bot");
    assert_eq!(visitor.expect("queued").await["position"], 1);
    let mut agent = app.agent("sam").await;
    let queue = agent.expect("queue").await;
    assert_eq!(queue["entries"][0]["reasons"][0]["code"], "asked_for_human");
}

#[tokio::test]
async fn the_second_visitor_in_line_moves_up_when_the_first_is_taken() {
    let app = spawn_app().await;
    let (mut first, w1) = app.visitor().await;
    let (mut second, _) = app.visitor().await;
    first.send(json!({"type": "request_human"})).await;
    first.expect("queued").await;
    second.send(json!({"type": "request_human"})).await;
    assert_eq!(second.expect("queued").await["position"], 2);

    let mut agent = app.agent("sam").await;
    agent
        .send(json!({"type": "claim", "conversation_id": w1["conversation_id"]}))
        .await;
    agent.expect("claimed").await;
    let moved = second
        .expect_where(|f| f["type"] == "queued" && f["position"] == 1)
        .await;
    assert_eq!(moved["position"], 1);
}

#[tokio::test]
async fn twenty_agents_claiming_at_once_have_exactly_one_winner() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    let conversation = welcome["conversation_id"].as_str().unwrap().to_owned();
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;

    let mut agents = Vec::new();
    for i in 0..20 {
        let mut agent = app.agent(&format!("agent{i}")).await;
        agent.expect("queue").await;
        agents.push(agent);
    }
    let barrier = Arc::new(Barrier::new(agents.len()));
    let tasks: Vec<_> = agents
        .into_iter()
        .map(|mut agent| {
            let barrier = barrier.clone();
            let conversation = conversation.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                agent
                    .send(json!({"type": "claim", "conversation_id": conversation}))
                    .await;
                let outcome = agent
                    .expect_where(|f| f["type"] == "claimed" || f["type"] == "error")
                    .await;
                outcome
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        let outcome = task.await.unwrap();
        if outcome["type"] == "claimed" {
            won += 1;
        } else {
            assert_eq!(outcome["code"], "already_claimed", "{outcome}");
            assert_eq!(outcome["conversation_id"], conversation.as_str());
        }
    }
    assert_eq!(won, 1);
    assert_eq!(visitor.expect("agent_joined").await["type"], "agent_joined");
}

#[tokio::test]
async fn only_the_agent_holding_a_conversation_can_reply() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    let conversation = welcome["conversation_id"].as_str().unwrap().to_owned();
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    let mut sam = app.agent("sam").await;
    let mut kim = app.agent("kim").await;
    sam.send(json!({"type": "claim", "conversation_id": conversation}))
        .await;
    sam.expect("claimed").await;
    kim.send(
        json!({"type": "message", "conversation_id": conversation, "id": "k1", "text": "me too"}),
    )
    .await;
    let error = kim.expect("error").await;
    assert_eq!(error["code"], "not_assigned");
    kim.send(json!({"type": "claim", "conversation_id": conversation}))
        .await;
    assert_eq!(kim.expect("error").await["code"], "already_claimed");
    kim.send(json!({"type": "open", "conversation_id": "not-a-conversation"}))
        .await;
    assert_eq!(kim.expect("error").await["code"], "not_found");
}

#[tokio::test]
async fn a_furious_visitor_is_served_before_a_calm_one_who_just_arrived() {
    let app = spawn_app().await;
    let (mut calm, calm_welcome) = app.visitor().await;
    calm.send(json!({"type": "request_human"})).await;
    calm.expect("queued").await;
    let (mut furious, furious_welcome) = app.visitor().await;
    furious
        .say(
            "c1",
            "THIS IS RIDICULOUS, you useless bot, I want a human NOW!!!",
        )
        .await;
    furious.expect("queued").await;

    let mut sam = app.agent("sam").await;
    let queue = sam.expect("queue").await;
    let entries = queue["entries"].as_array().unwrap();
    assert_eq!(
        entries[0]["conversation_id"],
        furious_welcome["conversation_id"]
    );
    assert_eq!(
        entries[1]["conversation_id"],
        calm_welcome["conversation_id"]
    );
    let why = entries[0]["order_reason"].as_str().unwrap();
    assert!(why.contains("ahead for frustration"), "{why}");
}

#[tokio::test]
async fn the_wait_estimate_follows_how_long_agents_take() {
    let app = spawn_app().await;
    let mut sam = app.agent("sam").await;
    let (mut first, w1) = app.visitor().await;
    let (mut second, _) = app.visitor().await;
    first.send(json!({"type": "request_human"})).await;
    first.expect("queued").await;
    second.send(json!({"type": "request_human"})).await;
    let before = second.expect("queued").await;
    assert_eq!(
        before["estimated_wait_s"], 240,
        "2nd in line, no history yet: 2 x 120 s"
    );

    // Sam handles the first visitor in well under a second.
    sam.send(json!({"type": "claim", "conversation_id": w1["conversation_id"]}))
        .await;
    sam.expect("claimed").await;
    sam.send(json!({"type": "close", "conversation_id": w1["conversation_id"]}))
        .await;
    sam.expect("closed").await;
    let after = second
        .expect_where(|f| f["type"] == "queued" && f["estimated_wait_s"] != 120)
        .await;
    assert_eq!(after["position"], 1);
    assert_eq!(
        after["estimated_wait_s"], 1,
        "the typical chat now takes about a second"
    );
}
