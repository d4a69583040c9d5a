//! Test harness: every test gets its own real server on port 0, its own
//! temporary data directory, and real websocket clients.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tandem::config::Settings;
use tandem::server::{self, Server};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a frame before failing.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

/// The intents the tests run against.
pub fn fixture_intents() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/intents")
}

/// A running server with its own data directory.
pub struct TestApp {
    pub addr: SocketAddr,
    pub server: Server,
    pub data: TempDir,
    pub intents_dir: PathBuf,
}

/// Starts a server on a fresh data directory with the fixture intents.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(tempfile::tempdir().expect("temp dir"), fixture_intents()).await
}

/// Starts a server on `data` with the intents in `intents_dir`.
pub async fn spawn_app_with(data: TempDir, intents_dir: PathBuf) -> TestApp {
    spawn_app_configured(data, intents_dir, |_| {}).await
}

/// Starts a server with settings adjusted by `configure`.
pub async fn spawn_app_configured(
    data: TempDir,
    intents_dir: PathBuf,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = Settings::new("127.0.0.1:0".parse().unwrap(), data.path(), &intents_dir);
    settings.store.url = postgres_for(data.path()).await;
    configure(&mut settings);
    let server = server::start(&settings).await.expect("server starts");
    TestApp {
        addr: server.addr,
        server,
        data,
        intents_dir,
    }
}

/// With `TANDEM_TEST_POSTGRES` set to a PostgreSQL server's address
/// (`postgres://user@host:port`, as `scripts/test` sets it), every test
/// data directory gets a database of its own on that server — created on
/// first use, named in the directory so a restart finds it again — and the
/// servers run on it: the suite then tests cluster mode's store.
pub async fn postgres_for(data: &std::path::Path) -> Option<String> {
    let server = std::env::var("TANDEM_TEST_POSTGRES").ok()?;
    let marker = data.join("postgres-url");
    if let Ok(url) = std::fs::read_to_string(&marker) {
        return Some(url);
    }
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let (client, connection) =
        tokio_postgres::connect(&format!("{server}/postgres"), tokio_postgres::NoTls)
            .await
            .expect("TANDEM_TEST_POSTGRES is reachable");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("test database created");
    let url = format!("{server}/{name}");
    std::fs::write(&marker, &url).expect("marker written");
    Some(url)
}

impl TestApp {
    /// Stops the server gracefully and starts a new one on the same data.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            server,
            data,
            intents_dir,
            ..
        } = self;
        server.shutdown().await.expect("clean shutdown");
        spawn_app_with(data, intents_dir).await
    }

    /// Whether this server runs on PostgreSQL (see [`postgres_for`]).
    pub fn on_postgres(&self) -> bool {
        self.data.path().join("postgres-url").exists()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A new visitor with a new conversation; returns the client and its welcome.
    pub async fn visitor(&self) -> (Client, Value) {
        self.visitor_at("/ws/visitor").await
    }

    /// A visitor resuming with `token`.
    pub async fn resume(&self, token: &str) -> (Client, Value) {
        self.visitor_at(&format!("/ws/visitor?resume={token}"))
            .await
    }

    async fn visitor_at(&self, path: &str) -> (Client, Value) {
        let mut client = Client::connect(&format!("ws://{}{}", self.addr, path))
            .await
            .expect("visitor socket opens");
        let welcome = client.next().await;
        assert_eq!(
            welcome["type"], "welcome",
            "first frame is welcome: {welcome}"
        );
        (client, welcome)
    }

    /// A new visitor who wrote `text` and asked for a person, claimed by the
    /// signed-in `agent`; returns the visitor, after `agent_joined`, and
    /// their `welcome`.
    pub async fn claimed_by(&self, agent: &mut Client, text: &str) -> (Client, Value) {
        let (mut visitor, welcome) = self.visitor().await;
        visitor.say("c-claimed", text).await;
        visitor.send(json!({"type": "request_human"})).await;
        visitor.expect("queued").await;
        agent
            .send(json!({"type": "claim", "conversation_id": welcome["conversation_id"]}))
            .await;
        agent.expect("claimed").await;
        visitor.expect("agent_joined").await;
        (visitor, welcome)
    }

    /// Creates an agent account directly in the store.
    pub async fn add_agent(&self, name: &str, password: &str) {
        tandem::agents::add_agent(
            self.server.hub().store(),
            name,
            password,
            tandem::protocol::Role::Agent,
            time::OffsetDateTime::now_utc(),
        )
        .await
        .expect("agent added");
    }

    /// Creates an admin account directly in the store.
    pub async fn add_admin(&self, name: &str, password: &str) {
        tandem::agents::add_agent(
            self.server.hub().store(),
            name,
            password,
            tandem::protocol::Role::Admin,
            time::OffsetDateTime::now_utc(),
        )
        .await
        .expect("admin added");
    }

    /// Signs in over HTTP and returns the token; fails the test otherwise.
    pub async fn token(&self, name: &str, password: &str) -> String {
        let (status, body) = self.login(name, password).await;
        assert_eq!(status, 200, "login works: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Signs in over HTTP; returns the status and JSON body.
    pub async fn login(&self, name: &str, password: &str) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(self.url("/api/agent/login"))
            .json(&json!({"name": name, "password": password}))
            .send()
            .await
            .expect("login request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json body"))
    }

    /// Adds an agent, signs in and connects the console socket; returns the
    /// client after its `hello`.
    pub async fn agent(&self, name: &str) -> Client {
        self.add_agent(name, "correct-horse-7").await;
        let (status, body) = self.login(name, "correct-horse-7").await;
        assert_eq!(status, 200, "login works: {body}");
        let token = body["token"].as_str().expect("token").to_owned();
        let mut client = Client::connect(&format!("ws://{}/ws/agent?token={token}", self.addr))
            .await
            .expect("agent socket opens");
        let hello = client.next().await;
        assert_eq!(hello["type"], "hello", "{hello}");
        client
    }
}

/// A websocket client speaking JSON frames.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn connect(url: &str) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
        let (ws, _) = tokio_tungstenite::connect_async(url).await?;
        Ok(Client { ws })
    }

    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    /// Sends raw text (for malformed frames).
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::binary(bytes)).await.expect("send");
    }

    /// The next JSON frame; fails the test after [`FRAME_TIMEOUT`].
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(FRAME_TIMEOUT, self.ws.next())
                .await
                .expect("a frame arrives in time")
                .expect("socket still open")
                .expect("frame readable");
            match message {
                Message::Text(text) => {
                    return serde_json::from_str(text.as_str()).expect("valid JSON")
                }
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Sends a JSON frame; an error when the connection is gone.
    pub async fn try_send(&mut self, frame: Value) -> Result<(), ()> {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .map_err(|_| ())
    }

    /// The next JSON frame, or `None` once the connection is gone.
    pub async fn try_next(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(FRAME_TIMEOUT, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    return serde_json::from_str(text.as_str()).ok()
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => {
                    return None
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The next frame of `kind`, skipping others (e.g. queue refreshes).
    pub async fn expect(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// The next frame that satisfies `pred`.
    pub async fn expect_where(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next().await;
            if pred(&frame) {
                return frame;
            }
        }
    }

    /// Sends a visitor message and waits for its ack.
    pub async fn say(&mut self, id: &str, text: &str) {
        self.send(json!({"type": "message", "id": id, "text": text}))
            .await;
        let ack = self
            .expect_where(|f| f["type"] == "ack" || f["type"] == "error")
            .await;
        assert_eq!(ack, json!({"type": "ack", "id": id}));
    }

    /// Sends a visitor message and returns the bot's answer.
    pub async fn ask(&mut self, id: &str, text: &str) -> Value {
        self.say(id, text).await;
        self.expect_where(|f| f["type"] == "message" && f["from"] == "bot")
            .await
    }

    /// Waits for the server to close the socket; returns the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(FRAME_TIMEOUT, self.ws.next())
                .await
                .expect("closes in time")
            {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code.into()),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }
}
