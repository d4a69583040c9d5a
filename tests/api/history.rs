//! Long conversations: nobody is sent a transcript of megabytes at once,
//! older lines come a page at a time, and a conversation cannot grow
//! without bound.

use serde_json::json;
use tandem::conversation::{ConversationRecord, StoredMessage};
use tandem::protocol::{Sender, HISTORY_PAGE, MAX_LINES_PER_CONVERSATION};

use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{fixture_intents, postgres_for, spawn_app_with};

/// A data directory (and its database, on PostgreSQL) holding one visitor
/// conversation of `lines` lines (every tenth a private note), as a
/// long-running chat would leave it.
async fn long_conversation(lines: u64) -> (tempfile::TempDir, String, Uuid) {
    let data = tempfile::tempdir().unwrap();
    let settings = tandem::config::StoreSettings {
        url: postgres_for(data.path()).await,
        ..Default::default()
    };
    let store = settings.open(data.path()).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let mut record = ConversationRecord::new(Uuid::new_v4(), "long-chat-token".into(), now);
    store.create_conversation(&record).unwrap();
    for _ in 0..lines {
        let seq = record.take_seq();
        let from = match seq % 10 {
            0 => Sender::Note,
            n if n % 2 == 1 => Sender::Visitor,
            _ => Sender::Bot,
        };
        let line = StoredMessage {
            seq,
            client_id: (from == Sender::Visitor).then(|| format!("c{seq}")),
            from,
            author: None,
            text: format!("line {seq}"),
            quick_replies: Vec::new(),
            at: now,
            intent: None,
        };
        store.append_messages(&record, &[line]).unwrap();
    }
    store.flush().await.unwrap();
    let id = record.id;
    drop(store);
    (data, record.resume_token, id)
}

fn seqs(messages: &serde_json::Value) -> Vec<u64> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn a_returning_visitor_gets_the_latest_lines_and_can_read_back_page_by_page() {
    let (data, token, _) = long_conversation(700).await;
    let app = spawn_app_with(data, fixture_intents()).await;
    let (mut visitor, welcome) = app.resume(&token).await;
    let newest = seqs(&welcome["history"]);
    assert_eq!(newest.len(), HISTORY_PAGE);
    assert_eq!(newest.last(), Some(&699), "line 700 is a private note");
    assert_eq!(welcome["more_history"], true);
    assert!(
        welcome["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["from"] != "note"),
        "private notes stay private"
    );

    // Read back to the first line, each page just before the last.
    let mut all = newest.clone();
    loop {
        visitor
            .send(json!({"type": "history", "before": all[0]}))
            .await;
        let page = visitor.expect("history").await;
        let older = seqs(&page["messages"]);
        assert!(older.len() <= HISTORY_PAGE);
        assert!(older.last() < all.first(), "{older:?}");
        all.splice(0..0, older);
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(all.first(), Some(&1));
    assert_eq!(all.len(), 700 - 70, "every line but the notes, once");
    assert!(all.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn an_agent_opening_a_long_conversation_gets_a_page_and_reads_back_with_notes() {
    let (data, _, id) = long_conversation(450).await;
    let app = spawn_app_with(data, fixture_intents()).await;
    let mut agent = app.agent("sam").await;
    agent
        .send(json!({"type": "open", "conversation_id": id.to_string()}))
        .await;
    let view = agent.expect("conversation").await;
    assert_eq!(seqs(&view["history"]).len(), HISTORY_PAGE);
    assert_eq!(view["more_history"], true);
    agent
        .send(json!({"type": "history", "conversation_id": id.to_string(), "before": 251}))
        .await;
    let page = agent.expect("history").await;
    assert_eq!(page["conversation_id"], id.to_string());
    assert_eq!(seqs(&page["messages"]), (51..=250).collect::<Vec<u64>>());
    assert_eq!(page["more"], true);
    assert!(page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["from"] == "note"));
}

#[tokio::test]
async fn a_conversation_at_its_line_limit_refuses_new_lines_with_a_clear_code() {
    let (data, token, _) = long_conversation(MAX_LINES_PER_CONVERSATION).await;
    let app = spawn_app_with(data, fixture_intents()).await;
    let (mut visitor, _) = app.resume(&token).await;
    visitor
        .send(json!({"type": "message", "id": "one-more", "text": "hello?"}))
        .await;
    let refused = visitor
        .expect_where(|f| f["type"] == "ack" || f["type"] == "error")
        .await;
    assert_eq!(refused["code"], "conversation_full", "{refused}");
    assert_eq!(refused["id"], "one-more");
    // The socket stays usable for what does not add lines.
    visitor.send(json!({"type": "history", "before": 10})).await;
    assert_eq!(
        seqs(&visitor.expect("history").await["messages"]),
        (1..=9).collect::<Vec<u64>>()
    );
}

#[tokio::test]
async fn in_the_widget_a_returning_visitor_scrolls_back_with_show_earlier_messages() {
    let Some(driver) = crate::browser::Driver::start().await else {
        return;
    };
    let (data, token, _) = long_conversation(700).await;
    let app = spawn_app_with(data, fixture_intents()).await;
    let page = driver.browser("history").await;
    page.goto(&app.url("/")).await.expect("shop page opens");
    page.execute(
        "localStorage.setItem('tandem.resume', arguments[0]);",
        vec![json!(token)],
    )
    .await
    .expect("token set");
    page.refresh().await.expect("reload");
    crate::browser::click(&page, "#tandem-bubble").await;
    crate::browser::wait_for_text(&page, ".tandem-msg[data-from=bot]", "line 698").await;
    crate::browser::click(&page, ".tandem-more").await;
    crate::browser::wait_for_text(&page, ".tandem-msg[data-from=visitor]", "line 301").await;
    page.close().await.ok();
}
