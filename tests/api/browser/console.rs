//! The agents' console: first run, claims, transfers and notes, canned replies.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use super::{
    click, console_for, queued_visitor, screenshot, type_into, wait_for_text, wait_gone, Driver,
    WAIT,
};
use crate::helpers::{fixture_intents, spawn_app, spawn_app_configured};

#[tokio::test]
async fn on_a_fresh_install_the_console_creates_the_first_agent() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    let agent = driver.browser("first-run").await;
    agent
        .goto(&app.url("/console"))
        .await
        .expect("console opens");
    wait_for_text(&agent, "#login-title", "Create the first agent account").await;
    type_into(&agent, "#login-name", "owner").await;
    type_into(&agent, "#login-password", "correct-horse-7").await;
    click(&agent, "#login-submit").await;
    wait_for_text(&agent, "#connection-status", "Connected").await;
    wait_for_text(&agent, "#agent-name", "owner").await;
    agent.close().await.ok();
}

#[tokio::test]
async fn two_consoles_see_a_claim_disappear_from_the_other_queue() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;
    app.add_agent("kim", "correct-horse-7").await;
    let sam = console_for(&driver, &app, "sam").await;
    let kim = console_for(&driver, &app, "kim").await;

    let (_visitor, _conversation) = queued_visitor(&app, "where is my order?").await;
    wait_for_text(&sam, "#queue .queue-entry", "where is my order?").await;
    wait_for_text(&kim, "#queue .queue-entry", "where is my order?").await;

    click(&sam, "#queue .queue-entry").await;
    click(&sam, "#claim").await;
    wait_for_text(&sam, "#my-chats .chat-tab", "where is my order?").await;
    wait_for_text(&sam, "#conversation-state", "You're chatting").await;

    wait_gone(&kim, "#queue .queue-entry").await;
    wait_for_text(&kim, "#queue", "Nobody is waiting").await;
    wait_gone(&kim, "#my-chats .chat-tab").await;

    sam.close().await.ok();
    kim.close().await.ok();
}

#[tokio::test]
async fn an_agent_transfers_a_chat_and_the_other_console_gets_it() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;
    app.add_agent("kim", "correct-horse-7").await;
    let sam = console_for(&driver, &app, "sam").await;
    let kim = console_for(&driver, &app, "kim").await;

    let (mut visitor, _conversation) = queued_visitor(&app, "my parcel is lost").await;
    click(&sam, "#queue .queue-entry").await;
    click(&sam, "#claim").await;
    wait_for_text(&sam, "#my-chats .chat-tab", "my parcel is lost").await;
    assert_eq!(visitor.expect("agent_joined").await["agent"]["name"], "sam");

    // A private note first: agents see it, the visitor never does.
    click(&sam, "#mode-note").await;
    wait_for_text(&sam, "#reply-send", "Add note").await;
    type_into(&sam, "#reply-input", "Checked the tracking: stuck in Leeds").await;
    click(&sam, "#reply-send").await;
    let note = wait_for_text(&sam, "#transcript .msg[data-from=note]", "stuck in Leeds").await;
    assert!(note.contains("Private note · sam"), "{note}");

    // Transfer to kim, with a note.
    click(&sam, "#transfer").await;
    wait_for_text(&sam, "#transfer-to", "kim").await;
    type_into(&sam, "#transfer-note", "VIP, parcel lost twice").await;
    click(&sam, "#transfer-confirm").await;
    wait_for_text(&sam, "#toasts", "Transferred to kim").await;
    wait_gone(&sam, "#my-chats .chat-tab").await;

    // kim gets it like a claim, with the whole history and both notes.
    wait_for_text(&kim, "#my-chats .chat-tab", "my parcel is lost").await;
    click(&kim, "#my-chats .chat-tab").await;
    wait_for_text(
        &kim,
        "#transcript .msg[data-from=note]",
        "VIP, parcel lost twice",
    )
    .await;
    wait_for_text(&kim, "#transcript .msg[data-from=note]", "stuck in Leeds").await;
    wait_for_text(&kim, "#conversation-state", "You're chatting").await;
    type_into(&kim, "#reply-input", "Hi, Kim here. I'll sort this out.").await;
    click(&kim, "#reply-send").await;

    // The visitor saw kim join and gets kim's reply, but no note.
    assert_eq!(visitor.expect("agent_joined").await["agent"]["name"], "kim");
    let reply = visitor
        .expect_where(|f| f["type"] == "message" && f["from"] != "system")
        .await;
    assert_eq!(reply["from"], "agent", "{reply}");
    assert_eq!(reply["author"], "kim");
    screenshot(&kim, "console-transfer.png").await;

    sam.close().await.ok();
    kim.close().await.ok();
}

#[tokio::test]
async fn an_agent_inserts_a_canned_reply_with_slash() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;
    let sam = console_for(&driver, &app, "sam").await;

    let (mut visitor, _conversation) = queued_visitor(&app, "is anybody there?").await;
    click(&sam, "#queue .queue-entry").await;
    click(&sam, "#claim").await;
    wait_for_text(&sam, "#conversation-state", "You're chatting").await;
    assert_eq!(visitor.expect("agent_joined").await["agent"]["name"], "sam");

    // `/hel` opens the picker, filtered to the `hello` reply.
    type_into(&sam, "#reply-input", "/hel").await;
    wait_for_text(
        &sam,
        "#canned-picker .canned-item[data-shortcut=hello]",
        "Hi, thanks for waiting!",
    )
    .await;
    let input = sam
        .find(Locator::Css("#reply-input"))
        .await
        .expect("reply box");
    input.send_keys("\u{E007}").await.expect("Enter");
    wait_gone(&sam, "#canned-picker").await;
    let deadline = Instant::now() + WAIT;
    loop {
        let value = input
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        if value == "Hi, thanks for waiting! Let me take a look." {
            break;
        }
        assert!(Instant::now() < deadline, "reply box holds {value:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Enter in the picker inserted the text and did not send it; now send.
    click(&sam, "#reply-send").await;
    wait_for_text(
        &sam,
        "#transcript .msg[data-from=agent]",
        "Let me take a look",
    )
    .await;
    let reply = visitor
        .expect_where(|f| f["type"] == "message" && f["from"] == "agent")
        .await;
    assert_eq!(reply["text"], "Hi, thanks for waiting! Let me take a look.");
    assert_eq!(reply["author"], "sam");

    sam.close().await.ok();
}

#[tokio::test]
async fn a_long_queue_shows_its_head_and_how_many_more_wait() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.limits.ip_lines_per_second = 1000;
        s.limits.ip_line_burst = 1000;
    })
    .await;
    app.add_agent("sam", "correct-horse-7").await;
    let mut waiting = Vec::new();
    for _ in 0..103 {
        let (mut visitor, _) = app.visitor().await;
        visitor
            .send(serde_json::json!({"type": "request_human"}))
            .await;
        visitor.expect("queued").await;
        waiting.push(visitor);
    }
    let sam = console_for(&driver, &app, "sam").await;
    wait_for_text(&sam, "#queue .list-more", "3 more waiting").await;
    wait_for_text(&sam, "#queue-count", "103").await;
    let shown = sam
        .find_all(Locator::Css("#queue .queue-entry"))
        .await
        .expect("entries");
    assert_eq!(shown.len(), 100);
    sam.close().await.ok();
}
