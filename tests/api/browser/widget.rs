//! The widget on a page: the bot, a person taking over, reloads, another
//! site embedding it, feedback, a returning visitor.

use fantoccini::Locator;
use serde_json::json;

use super::{click, console_for, screenshot, type_into, wait_for_text, wait_gone, Driver};
use crate::helpers::spawn_app;

#[tokio::test]
async fn visitor_chats_with_the_bot_asks_for_a_person_and_sees_the_agents_reply() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;

    // The visitor, on the demo shop.
    let visitor = driver.browser("visitor").await;
    visitor.goto(&app.url("/")).await.expect("shop page opens");
    click(&visitor, "#tandem-bubble").await;
    type_into(&visitor, "#tandem-input", "How long does shipping take?").await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(
        &visitor,
        ".tandem-msg[data-from=bot]",
        "We ship within one business day",
    )
    .await;
    wait_for_text(&visitor, ".tandem-quick-reply", "Shipping costs").await;
    screenshot(&visitor, "widget.png").await;

    click(&visitor, "#tandem-human").await;
    wait_for_text(&visitor, "#tandem-status", "in line").await;

    // The agent, in the console.
    let agent = driver.browser("agent").await;
    agent
        .goto(&app.url("/console"))
        .await
        .expect("console opens");
    type_into(&agent, "#login-name", "sam").await;
    type_into(&agent, "#login-password", "correct-horse-7").await;
    click(&agent, "#login-submit").await;
    wait_for_text(
        &agent,
        "#queue .queue-entry",
        "How long does shipping take?",
    )
    .await;
    click(&agent, "#queue .queue-entry").await;
    wait_for_text(&agent, "#reasons", "asked for a person").await;
    wait_for_text(&agent, "#transcript", "We ship within one business day").await;
    click(&agent, "#claim").await;
    type_into(
        &agent,
        "#reply-input",
        "Hi, I'm Sam from Northwind. Happy to help!",
    )
    .await;
    click(&agent, "#reply-send").await;
    wait_for_text(&agent, "#transcript .msg[data-from=agent]", "Happy to help").await;

    // The visitor sees the person join and their reply.
    wait_for_text(&visitor, "#tandem-status", "sam joined").await;
    wait_for_text(
        &visitor,
        ".tandem-msg[data-from=agent]",
        "Hi, I'm Sam from Northwind",
    )
    .await;
    type_into(
        &visitor,
        "#tandem-input",
        "Thanks Sam! Order NW-104582 hasn't moved in a week.",
    )
    .await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(
        &agent,
        "#transcript .msg[data-from=visitor]",
        "hasn't moved in a week",
    )
    .await;
    screenshot(&agent, "console.png").await;
    screenshot(&visitor, "widget-agent.png").await;

    visitor.close().await.ok();
    agent.close().await.ok();
}

#[tokio::test]
async fn a_page_reload_keeps_the_conversation() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    let visitor = driver.browser("reload").await;
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
    visitor.refresh().await.expect("reload");
    wait_for_text(&visitor, ".tandem-msg[data-from=visitor]", "hello").await;
    wait_for_text(
        &visitor,
        ".tandem-msg[data-from=bot]",
        "Hello! How can I help?",
    )
    .await;
    visitor.close().await.ok();
}

/// A shop on another origin (its own port) embedding the widget from
/// `app` with the one-tag snippet from the README; returns its address.
async fn shop_elsewhere(app: &crate::helpers::TestApp) -> String {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Elsewhere</title></head>\
         <body><h1>Another shop</h1><script src=\"{}\" data-title=\"Elsewhere help\" \
         data-color=\"#7c3aed\" defer></script></body></html>",
        app.url("/widget.js")
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port for the shop");
    let addr = listener.local_addr().expect("its address");
    let shop = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    // The task ends with the test's runtime.
    tokio::spawn(async move { axum::serve(listener, shop).await });
    format!("http://{addr}/")
}

#[tokio::test]
async fn the_widget_works_on_a_shop_on_another_origin_with_its_title_and_colour() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    let shop = shop_elsewhere(&app).await;
    assert_ne!(
        shop,
        app.url("/"),
        "the shop must not be Tandem's own origin"
    );

    // The loader imports its modules cross-origin (CORS): the widget shows,
    // with the tag's title and colour, and its socket opens from the shop.
    let visitor = driver.browser("elsewhere").await;
    visitor.goto(&shop).await.expect("the shop opens");
    click(&visitor, "#tandem-bubble").await;
    wait_for_text(&visitor, "#tandem-title", "Elsewhere help").await;
    let accent = visitor
        .execute(
            "return getComputedStyle(document.getElementById('tandem-root')).getPropertyValue('--tandem-accent')",
            vec![],
        )
        .await
        .expect("the accent colour");
    assert_eq!(accent.as_str().map(str::trim), Some("#7c3aed"));
    type_into(&visitor, "#tandem-input", "hello").await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(
        &visitor,
        ".tandem-msg[data-from=bot]",
        "Hello! How can I help?",
    )
    .await;
    visitor.close().await.ok();
}

#[tokio::test]
async fn thumbs_down_gets_an_apology_and_the_agent_sees_why_and_how_upset() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;

    let visitor = driver.browser("visitor").await;
    visitor.goto(&app.url("/")).await.expect("shop page opens");
    click(&visitor, "#tandem-bubble").await;
    type_into(&visitor, "#tandem-input", "How long does shipping take?").await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(&visitor, ".tandem-msg[data-from=bot]", "We ship within").await;
    click(
        &visitor,
        ".tandem-msg[data-from=bot] .tandem-feedback-button[data-helpful=false]",
    )
    .await;
    wait_for_text(
        &visitor,
        ".tandem-msg[data-from=bot]",
        "Sorry that didn't help",
    )
    .await;
    type_into(&visitor, "#tandem-input", "useless bot, this is ridiculous").await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(&visitor, ".tandem-msg[data-from=bot]", "to take over").await;

    let agent = driver.browser("agent").await;
    agent
        .goto(&app.url("/console"))
        .await
        .expect("console opens");
    type_into(&agent, "#login-name", "sam").await;
    type_into(&agent, "#login-password", "correct-horse-7").await;
    click(&agent, "#login-submit").await;
    wait_for_text(&agent, "#queue .queue-entry .frustration", "%").await;
    click(&agent, "#queue .queue-entry").await;
    wait_for_text(&agent, "#reasons", "Frustration").await;
    wait_for_text(
        &agent,
        "#reasons .reason-evidence",
        "useless bot, this is ridiculous",
    )
    .await;
    wait_for_text(&agent, "#reasons", "thumbs down on a bot answer").await;
    screenshot(&agent, "console-reasons.png").await;
    visitor.close().await.ok();
    agent.close().await.ok();
}

#[tokio::test]
async fn a_returning_visitor_starts_afresh_and_the_agent_reads_their_earlier_chat() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    let mut sam = app.agent("sam").await;
    app.add_agent("kim", "correct-horse-7").await;

    let visitor = driver.browser("returning").await;
    visitor.goto(&app.url("/")).await.expect("shop page opens");
    click(&visitor, "#tandem-bubble").await;
    type_into(&visitor, "#tandem-input", "my parcel is lost").await;
    click(&visitor, "#tandem-send").await;
    click(&visitor, "#tandem-human").await;
    wait_for_text(&visitor, "#tandem-status", "in line").await;
    let queue = sam
        .expect_where(|f| {
            f["type"] == "queue" && f["entries"].as_array().is_some_and(|e| !e.is_empty())
        })
        .await;
    let first = queue["entries"][0]["conversation_id"]
        .as_str()
        .expect("id")
        .to_owned();
    sam.send(json!({"type": "claim", "conversation_id": first}))
        .await;
    sam.expect("claimed").await;
    sam.send(json!({"type": "message", "conversation_id": first, "id": "a1", "text": "Found it: it is in Leeds."}))
        .await;
    sam.expect("ack").await;
    sam.send(json!({"type": "close", "conversation_id": first}))
        .await;
    wait_for_text(&visitor, "#tandem-survey", "How did we do?").await;

    // Writing again starts the next conversation below a divider; the old
    // transcript stays in view.
    type_into(&visitor, "#tandem-input", "hello").await;
    click(&visitor, "#tandem-send").await;
    wait_for_text(&visitor, ".tandem-divider", "New conversation").await;
    wait_gone(&visitor, "#tandem-survey").await;
    wait_for_text(&visitor, ".tandem-msg[data-from=agent]", "in Leeds").await;
    wait_for_text(
        &visitor,
        ".tandem-divider ~ .tandem-msg[data-from=bot]",
        "Hello! How can I help?",
    )
    .await;
    click(&visitor, "#tandem-human").await;
    wait_for_text(&visitor, "#tandem-status", "in line").await;
    screenshot(&visitor, "widget-new-conversation.png").await;
    // A reload keeps the earlier conversation in view above the divider.
    visitor.refresh().await.expect("reload");
    wait_for_text(&visitor, ".tandem-divider", "New conversation").await;
    wait_for_text(&visitor, ".tandem-msg[data-from=agent]", "in Leeds").await;
    wait_for_text(&visitor, "#tandem-status", "in line").await;

    // Kim sees a returning visitor and reads the earlier chat.
    let kim = console_for(&driver, &app, "kim").await;
    wait_for_text(&kim, "#queue .queue-entry", "Returning · 1 earlier").await;
    click(&kim, "#queue .queue-entry").await;
    wait_for_text(
        &kim,
        "#earlier-summary",
        "Earlier conversations with this visitor (1)",
    )
    .await;
    click(&kim, "#earlier-summary").await;
    wait_for_text(&kim, "#earlier-list .earlier-entry", "my parcel is lost").await;
    wait_for_text(&kim, "#earlier-list .earlier-entry", "with sam").await;
    screenshot(&kim, "console-earlier-conversations.png").await;
    let name = kim
        .find(Locator::Css("#conversation-title"))
        .await
        .expect("title")
        .text()
        .await
        .expect("text");
    // A visitor keeps one name: their first conversation's short id.
    let first_short: String = first.replace('-', "").chars().skip(26).collect();
    assert_eq!(name, format!("Visitor · {first_short}"));
    click(&kim, "#earlier-list .earlier-entry").await;
    wait_for_text(&kim, "#transcript .msg[data-from=agent]", "in Leeds").await;
    wait_for_text(&kim, "#conversation-state", "Closed").await;
    wait_for_text(&kim, "#conversation-title", &name).await;

    visitor.close().await.ok();
    kim.close().await.ok();
}
