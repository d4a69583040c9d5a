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
struct Driver {
    child: Child,
    url: String,
    profiles: tempfile::TempDir,
}

impl Driver {
    /// Starts chromedriver, or returns `None` (test skipped) when the browser
    /// is not installed and not required.
    async fn start() -> Option<Driver> {
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
    async fn browser(&self, name: &str) -> Client {
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
async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
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
async fn click(client: &Client, css: &str) {
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

/// Waits for an element to accept typing (it may be present but still
/// disabled or animating in, e.g. the reply box until a claim lands) and
/// types into it.
async fn type_into(client: &Client, css: &str, text: &str) {
    let deadline = Instant::now() + WAIT;
    let element = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} not found: {e}"));
    loop {
        match element.send_keys(text).await {
            Ok(()) => return,
            Err(e) => assert!(Instant::now() < deadline, "typing into {css} failed: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    app.add_agent("sam", "password123");

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
    type_into(&agent, "#login-password", "password123").await;
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
