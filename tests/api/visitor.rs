//! What a visitor notices when talking to the bot.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn bot_answers_a_known_question_with_that_intents_response() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    assert_eq!(welcome["status"], "bot");
    assert_eq!(welcome["resumed"], false);
    assert_eq!(welcome["history"], json!([]));

    let answer = visitor.ask("c1", "How long does shipping take?").await;
    assert_eq!(
        answer["text"],
        "We ship within one business day; delivery takes 2-5 days."
    );
    assert_eq!(answer["author"], "Testbot");
    assert_eq!(
        answer["quick_replies"],
        json!(["Shipping costs", "Talk to a person"])
    );
    assert!(
        answer["at"].as_str().unwrap().ends_with('Z'),
        "RFC 3339 UTC: {answer}"
    );
}

#[tokio::test]
async fn a_pattern_fills_the_order_number_into_the_answer() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    let answer = visitor.ask("c1", "any news on order #123456?").await;
    assert_eq!(answer["text"], "Let me check order 123456 for you.");
}

#[tokio::test]
async fn an_unknown_question_gets_the_fallback() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    let answer = visitor.ask("c1", "do you sell purple elephants").await;
    assert_eq!(
        answer["text"],
        "I'm not sure I understood — could you rephrase, or shall I get a person?"
    );
    assert_eq!(answer["quick_replies"], json!(["Talk to a person"]));
}

#[tokio::test]
async fn two_misses_in_a_row_hand_the_visitor_to_the_queue_and_say_why() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.ask("c1", "do you sell purple elephants").await;
    let handoff = visitor.ask("c2", "elephants, purple ones").await;
    assert!(
        handoff["text"]
            .as_str()
            .unwrap()
            .contains("haven't been able to answer"),
        "{handoff}"
    );
    let queued = visitor.expect("queued").await;
    assert_eq!(queued["position"], 1);
    assert!(queued["estimated_wait_s"].as_u64().unwrap() > 0);

    let mut agent = app.agent("sam").await;
    let queue = agent.expect("queue").await;
    assert_eq!(queue["entries"][0]["reasons"][0]["code"], "bot_misses");
    assert_eq!(
        queue["entries"][0]["preview"],
        "do you sell purple elephants"
    );
}

#[tokio::test]
async fn a_miss_followed_by_an_answer_starts_counting_again() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.ask("c1", "purple elephants").await;
    visitor.ask("c2", "hello").await;
    let third = visitor.ask("c3", "purple elephants again").await;
    // Asking again is noticed (the bot offers a person), but the miss count
    // started over, so the bot does not hand over on its own yet.
    let text = third["text"].as_str().unwrap();
    assert!(!text.contains("to take over"), "{third}");
    assert_eq!(third["quick_replies"][0], "Talk to a person", "{third}");
}

#[tokio::test]
async fn a_resent_message_is_acknowledged_again_but_stored_once() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    visitor.ask("c1", "hello").await;
    visitor.say("c1", "hello").await;
    drop(visitor);
    let token = welcome["resume_token"].as_str().unwrap();
    let (_, again) = app.resume(token).await;
    let history = again["history"].as_array().unwrap();
    let visitor_lines = history.iter().filter(|m| m["from"] == "visitor").count();
    assert_eq!(visitor_lines, 1, "{history:?}");
    assert_eq!(history[0]["client_id"], "c1");
}

#[tokio::test]
async fn a_line_resent_after_many_others_is_still_stored_once() {
    // A live conversation remembers the client ids of its last 16 lines
    // and, while it has no others, checks a resend against them alone;
    // past them it asks the store (`hub/lines.rs`).
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor().await;
    visitor.say("c0", "hello").await;
    for i in 1..=17 {
        visitor
            .say(&format!("c{i}"), &format!("question number {i}"))
            .await;
    }
    visitor.say("c0", "hello").await;
    drop(visitor);
    let token = welcome["resume_token"].as_str().unwrap();
    let (_, again) = app.resume(token).await;
    let history = again["history"].as_array().unwrap();
    let visitor_lines: Vec<_> = history.iter().filter(|m| m["from"] == "visitor").collect();
    assert_eq!(visitor_lines.len(), 18, "{history:?}");
    assert_eq!(
        visitor_lines
            .iter()
            .filter(|m| m["client_id"] == "c0")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_second_tab_shows_what_the_visitor_wrote_in_the_first() {
    let app = spawn_app().await;
    let (mut first, welcome) = app.visitor().await;
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    let (mut second, _) = app.resume(&token).await;

    first.ask("c1", "hello").await;
    let echoed = second.expect("message").await;
    assert_eq!(
        (&echoed["from"], &echoed["text"], &echoed["client_id"]),
        (&json!("visitor"), &json!("hello"), &json!("c1"))
    );
    let answer = second.expect("message").await;
    assert_eq!(answer["from"], "bot", "then the bot's answer, in order");
    // The tab that wrote it gets an ack, not a copy.
    first
        .send(json!({"type": "message", "id": "c2", "text": "thanks"}))
        .await;
    loop {
        let frame = first.next().await;
        assert_ne!(frame["from"], "visitor", "no copy for the sender: {frame}");
        if frame["from"] == "bot" {
            break;
        }
    }
    second.expect_where(|f| f["text"] == "thanks").await;
}

#[tokio::test]
async fn opening_the_widget_without_writing_stores_nothing_and_the_first_line_stores_it_all() {
    let app = spawn_app().await;
    for _ in 0..20 {
        let (visitor, _) = app.visitor().await;
        drop(visitor);
    }
    let (mut writer, welcome) = app.visitor().await;
    let store = app.server.hub().store();
    assert_eq!(
        store.conversation_ids().await.unwrap().len(),
        0,
        "no writes, no disk"
    );

    writer.ask("c1", "How long does shipping take?").await;
    assert_eq!(store.conversation_ids().await.unwrap().len(), 1);
    // What was written survives a restart and resumes with the same token.
    drop(writer);
    let app = app.restart().await;
    let token = welcome["resume_token"].as_str().unwrap();
    let (_again, resumed) = app.resume(token).await;
    assert_eq!(resumed["resumed"], true);
    assert_eq!(resumed["history"].as_array().unwrap().len(), 2);
}
