//! The Admin area: the team, and reports.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use super::{
    click, console_for, queued_visitor, screenshot, type_into, wait_for_text, wait_gone, Driver,
};
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_admin_adds_an_agent_in_the_admin_area_and_an_agent_sees_no_admin_entry() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_admin("olga", "correct-horse-7").await;
    app.add_agent("sam", "correct-horse-7").await;

    // Without the admin role there is no way in: no button, no shortcut.
    let sam = console_for(&driver, &app, "sam").await;
    wait_for_text(&sam, "#agent-name", "sam").await;
    let entry = sam
        .find(Locator::Css("#admin-open"))
        .await
        .expect("in the page");
    assert!(!entry.is_displayed().await.unwrap());
    sam.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("A")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let area = sam
        .find(Locator::Css("#admin-view"))
        .await
        .expect("in the page");
    assert!(!area.is_displayed().await.unwrap());

    let olga = console_for(&driver, &app, "olga").await;
    click(&olga, "#admin-open").await;
    wait_for_text(&olga, "#team-list li[data-name=\"sam\"]", "Online").await;
    type_into(&olga, "#team-add-name", "kim").await;
    type_into(&olga, "#team-add-password", "correct-horse-7").await;
    click(&olga, "#team-add-submit").await;
    wait_for_text(&olga, "#team-status", "kim can now sign in").await;
    wait_for_text(&olga, "#team-list li[data-name=\"kim\"]", "Agent").await;
    assert_eq!(app.login("kim", "correct-horse-7").await.0, 200);

    click(&olga, "#admin-tab-bot").await;
    wait_for_text(&olga, "#bot-status", "Live").await;
    screenshot(&olga, "console-admin.png").await;
    click(&olga, "#admin-close").await;
    wait_gone(&olga, "#admin-view").await;
    olga.close().await.ok();
    sam.close().await.ok();
}

#[tokio::test]
async fn an_admin_reads_the_numbers_of_the_week_in_reports() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.add_admin("olga", "correct-horse-7").await;
    // One chat the bot answers alone, one a person takes, closes and gets a 4 for.
    let (mut bot_only, _) = app.visitor().await;
    bot_only.ask("b-1", "where is my order").await;
    let mut sam = app.agent("sam").await;
    let (mut visitor, conversation) = queued_visitor(&app, "my parcel is lost").await;
    sam.send(json!({"type": "claim", "conversation_id": conversation}))
        .await;
    sam.expect("claimed").await;
    sam.send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    sam.expect("closed").await;
    visitor.expect("closed").await;
    visitor.send(json!({"type": "rate", "score": 4})).await;
    visitor.expect("rated").await;

    let olga = console_for(&driver, &app, "olga").await;
    click(&olga, "#admin-open").await;
    click(&olga, "#admin-tab-reports").await;
    wait_for_text(&olga, "#report-conversations", "2").await;
    wait_for_text(&olga, "#report-bot-alone-share", "50%").await;
    wait_for_text(&olga, "#report-csat-average", "4.0").await;
    wait_for_text(&olga, "#report-csat-count", "1 rating").await;
    wait_for_text(&olga, "#report-reasons", "Asked for a person").await;
    screenshot(&olga, "console-reports.png").await;

    // Another period asks again; nothing older than a day here either.
    olga.find(Locator::Css("#reports-period option[value=\"24h\"]"))
        .await
        .expect("a 24-hour choice")
        .click()
        .await
        .expect("picked");
    wait_for_text(&olga, "#report-conversations", "2").await;
    olga.close().await.ok();
}
