//! Waiting for a person and after: stopping, the offline form, rating.

use fantoccini::Locator;
use serde_json::json;

use super::{click, console_for, screenshot, type_into, wait_for_text, wait_gone, Driver};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_visitor_stops_waiting_and_an_agent_hands_the_chat_back_to_the_bot() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;
    let sam = console_for(&driver, &app, "sam").await;

    let visitor = driver.browser("handback").await;
    visitor.goto(&app.url("/")).await.expect("shop page opens");
    click(&visitor, "#tandem-bubble").await;
    type_into(&visitor, "#tandem-input", "hello").await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(
        &visitor,
        ".tandem-msg[data-from=bot]",
        "Hello! How can I help?",
    )
    .await;

    // Queued, then changes their mind.
    click(&visitor, "#tandem-human").await;
    wait_for_text(&sam, "#queue .queue-entry", "Visitor").await;
    click(&visitor, "#tandem-cancel-wait").await;
    wait_for_text(&visitor, ".tandem-msg[data-from=bot]", "No problem").await;
    wait_gone(&visitor, "#tandem-cancel-wait").await;
    wait_for_text(&visitor, "#tandem-human", "Talk to a person").await;
    wait_gone(&sam, "#queue .queue-entry").await;

    // Asks again; sam takes it and sees the visitor typing.
    click(&visitor, "#tandem-human").await;
    click(&sam, "#queue .queue-entry").await;
    click(&sam, "#claim").await;
    wait_for_text(&visitor, "#tandem-status", "sam joined").await;
    type_into(&visitor, "#tandem-input", "one more thing").await;
    wait_for_text(&sam, "#visitor-typing", "Visitor is typing").await;

    // sam hands it back to the bot.
    click(&sam, "#release").await;
    wait_for_text(&sam, "#toasts", "Handed back to the bot").await;
    wait_gone(&sam, "#my-chats .chat-tab").await;
    wait_for_text(
        &visitor,
        "#tandem-status",
        "sam handed the chat back to the bot",
    )
    .await;
    wait_for_text(&visitor, "#tandem-who", "Automated assistant").await;

    visitor.close().await.ok();
    sam.close().await.ok();
}

#[tokio::test]
async fn a_visitor_fills_the_offline_form() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;

    // Nobody is signed in: asking for a person says so honestly.
    let visitor = driver.browser("offline").await;
    visitor.goto(&app.url("/")).await.expect("shop page opens");
    click(&visitor, "#tandem-bubble").await;
    click(&visitor, "#tandem-human").await;
    wait_for_text(
        &visitor,
        "#tandem-offline",
        "Nobody from our team is signed in right now",
    )
    .await;
    wait_for_text(&visitor, "#tandem-status", "in line").await;
    // The browser takes `ana@localhost` as an email; the server does not,
    // and its reason shows under the field.
    type_into(&visitor, "#tandem-offline-email", "ana@localhost").await;
    type_into(
        &visitor,
        "#tandem-offline-text",
        "My parcel NW-104582 is lost <b>help</b>",
    )
    .await;
    click(&visitor, "#tandem-offline-submit").await;
    wait_for_text(
        &visitor,
        "#tandem-offline-error",
        "does not look like an email address",
    )
    .await;
    visitor
        .find(Locator::Css("#tandem-offline-email"))
        .await
        .expect("email field")
        .clear()
        .await
        .expect("cleared");
    type_into(&visitor, "#tandem-offline-email", "ana@example.com").await;
    wait_gone(&visitor, "#tandem-offline-error").await;
    screenshot(&visitor, "widget-offline.png").await;
    click(&visitor, "#tandem-offline-submit").await;
    wait_for_text(
        &visitor,
        "#tandem-offline-thanks",
        "Thanks — we'll reply to ana@example.com.",
    )
    .await;
    wait_gone(&visitor, "#tandem-offline-email").await;

    // sam signs in and finds the message.
    let sam = console_for(&driver, &app, "sam").await;
    let entry = wait_for_text(
        &sam,
        "#offline-messages .offline-entry",
        "My parcel NW-104582 is lost <b>help</b>",
    )
    .await;
    assert!(entry.contains("ana@example.com"), "{entry}");
    wait_for_text(&sam, "#offline-count", "1").await;
    let link = sam
        .find(Locator::Css(
            "#offline-messages .offline-entry a[href^='mailto:']",
        ))
        .await
        .expect("mailto link");
    assert_eq!(
        link.attr("href").await.expect("href").as_deref(),
        Some("mailto:ana%40example.com")
    );
    screenshot(&sam, "console-offline.png").await;
    click(&sam, "#offline-messages .offline-open").await;
    wait_for_text(&sam, "#transcript", "Message left for the team").await;
    click(&sam, "#offline-messages .offline-resolve").await;
    wait_gone(&sam, "#offline-messages .offline-entry").await;
    wait_for_text(&sam, "#offline-messages", "No messages").await;
    wait_for_text(&sam, "#offline-count", "0").await;

    visitor.close().await.ok();
    sam.close().await.ok();
}

#[tokio::test]
async fn a_visitor_rates_a_closed_chat() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    let mut sam = app.agent("sam").await;

    let visitor = driver.browser("rating").await;
    visitor.goto(&app.url("/")).await.expect("shop page opens");
    click(&visitor, "#tandem-bubble").await;
    type_into(&visitor, "#tandem-input", "hello").await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(
        &visitor,
        ".tandem-msg[data-from=bot]",
        "Hello! How can I help?",
    )
    .await;
    click(&visitor, "#tandem-human").await;
    wait_for_text(&visitor, "#tandem-status", "in line").await;
    wait_for_text(&visitor, "#tandem-cancel-wait", "Stop waiting").await;

    let queue = sam
        .expect_where(|f| {
            f["type"] == "queue" && f["entries"].as_array().is_some_and(|e| !e.is_empty())
        })
        .await;
    let conversation = queue["entries"][0]["conversation_id"]
        .as_str()
        .expect("id")
        .to_owned();
    sam.send(json!({"type": "claim", "conversation_id": conversation}))
        .await;
    sam.expect("claimed").await;
    sam.expect("conversation").await;
    wait_for_text(&visitor, "#tandem-status", "sam joined").await;
    wait_gone(&visitor, "#tandem-cancel-wait").await;

    // The agent types: the visitor sees it.
    sam.send(json!({"type": "typing", "conversation_id": conversation, "active": true}))
        .await;
    wait_for_text(&visitor, "#tandem-typing", "sam is typing").await;

    sam.send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    sam.expect("closed").await;

    wait_for_text(&visitor, "#tandem-survey", "How did we do?").await;
    click(&visitor, ".tandem-rate[data-score=\"4\"]").await;
    type_into(&visitor, "#tandem-survey-comment", "Quick and kind, thanks").await;
    screenshot(&visitor, "widget-survey.png").await;
    click(&visitor, "#tandem-survey-submit").await;
    wait_for_text(
        &visitor,
        "#tandem-survey-thanks",
        "Thanks for your feedback!",
    )
    .await;

    let rated = sam.expect("rated").await;
    assert_eq!(rated["csat"]["score"], 4, "{rated}");
    sam.send(json!({"type": "open", "conversation_id": conversation}))
        .await;
    let view = sam.expect("conversation").await;
    assert_eq!(view["csat"]["score"], 4, "{view}");
    assert_eq!(view["csat"]["comment"], "Quick and kind, thanks");
    assert_eq!(view["csat"]["agent"], "sam");

    visitor.close().await.ok();
}
