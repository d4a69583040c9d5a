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
//!
//! One file per concern: `widget` (the visitor's chat on a page, also
//! embedded on another site), `waiting` (waiting for a person, leaving a
//! message, rating), `console` (the agents' desk), `admin` (the Admin area).
//! This file holds the driver and the helpers they share.

mod admin;
mod console;
mod waiting;
mod widget;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

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
