//! The web pages in a real headless Chromium, driven as a person would:
//! click, type, read the screen.
//!
//! Needs Debian's `chromium` and `chromium-driver`; `scripts/test` installs
//! them and sets `TANDEM_REQUIRE_BROWSER=1`, so in CI a missing browser fails
//! the run instead of skipping. A plain `cargo test` on a machine without
//! them skips these tests with a note.
//!
//! With `TANDEM_SCREENSHOTS=DIR` the tests also save the screenshots used in
//! the README.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::spawn_app;

const WAIT: Duration = Duration::from_secs(15);

/// A chromedriver process, killed when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
    profiles: tempfile::TempDir,
}

impl Driver {
    /// Starts chromedriver, or returns `None` (test skipped) when the browser
    /// is not installed and not required.
    pub(crate) async fn start() -> Option<Driver> {
        let driver = which("chromedriver");
        let browser = which("chromium");
        if driver.is_none() || browser.is_none() {
            if std::env::var_os("TANDEM_REQUIRE_BROWSER").is_some() {
                panic!(
                    "chromium and chromedriver are required (run ./scripts/test to install them)"
                );
            }
            eprintln!("skipping browser test: chromium/chromedriver not installed (./scripts/test installs them)");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new(driver?)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start listening"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(Driver {
            child,
            url,
            profiles: tempfile::tempdir().expect("temp dir"),
        })
    }

    /// A new browser window with its own empty profile.
    pub(crate) async fn browser(&self, name: &str) -> Client {
        let profile = self.profiles.path().join(name);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": which("chromium").expect("chromium"),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,860",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("browser session starts")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| PathBuf::from(dir).join(program))
        .find(|p| p.is_file())
}

/// Waits until the element at `css` shows text containing `needle`.
pub(crate) async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    loop {
        if let Ok(elements) = client.find_all(Locator::Css(css)).await {
            for e in elements {
                if let Ok(text) = e.text().await {
                    if text.contains(needle) {
                        return text;
                    }
                    last = text;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no {css} showed {needle:?} in time; last seen: {last:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for a visible element and clicks it.
pub(crate) async fn click(client: &Client, css: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(e) = client.find(Locator::Css(css)).await {
            if e.is_displayed().await.unwrap_or(false)
                && e.is_enabled().await.unwrap_or(false)
                && e.click().await.is_ok()
            {
                return;
            }
        }
        assert!(Instant::now() < deadline, "{css} never became clickable");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for an element to be shown and enabled, and types into it. (A
/// field can exist but still be disabled: the console's reply box until the
/// server confirms a claim.)
async fn type_into(client: &Client, css: &str, text: &str) {
    let element = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} not found: {e}"));
    let deadline = Instant::now() + WAIT;
    while !(element.is_displayed().await.unwrap_or(false)
        && element.is_enabled().await.unwrap_or(false))
    {
        assert!(Instant::now() < deadline, "{css} never became editable");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    element.send_keys(text).await.expect("typing works");
}

async fn screenshot(client: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("TANDEM_SCREENSHOTS") {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(PathBuf::from(dir).join(name), png).expect("screenshot saved");
    }
}

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

/// Waits until no element matches `css` (or none is displayed).
async fn wait_gone(client: &Client, css: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let mut visible = false;
        if let Ok(elements) = client.find_all(Locator::Css(css)).await {
            for e in elements {
                if e.is_displayed().await.unwrap_or(false) {
                    visible = true;
                    break;
                }
            }
        }
        if !visible {
            return;
        }
        assert!(Instant::now() < deadline, "{css} never went away");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the console in a new browser and signs in as `name`.
async fn console_for(driver: &Driver, app: &crate::helpers::TestApp, name: &str) -> Client {
    let agent = driver.browser(&format!("console-{name}")).await;
    agent
        .goto(&app.url("/console"))
        .await
        .expect("console opens");
    type_into(&agent, "#login-name", name).await;
    type_into(&agent, "#login-password", "correct-horse-7").await;
    click(&agent, "#login-submit").await;
    wait_for_text(&agent, "#connection-status", "Connected").await;
    agent
}

/// A websocket visitor who said something and asked for a person.
async fn queued_visitor(
    app: &crate::helpers::TestApp,
    text: &str,
) -> (crate::helpers::Client, String) {
    let (mut visitor, welcome) = app.visitor().await;
    let conversation = welcome["conversation_id"].as_str().expect("id").to_owned();
    visitor.say("c-1", text).await;
    visitor.send(json!({"type": "request_human"})).await;
    visitor.expect("queued").await;
    (visitor, conversation)
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
