//! The floor for "CPU per bot turn": a server that speaks the visitor
//! protocol as far as `loadgen` sees it and does no work. It greets each
//! visitor socket with a `welcome`, and answers every `message` frame
//! with an `ack` and a canned bot line, from one task per socket on the
//! same stack as Tandem (axum's websocket on tokio's multi-thread runtime,
//! the same small read buffer, frames serialised with serde). Nothing is
//! stored, matched or read for mood.
//!
//! ```sh
//! cargo build --release --example echo_server --example loadgen
//! ./target/release/examples/echo_server --addr 127.0.0.1:18081 &
//! ./target/release/examples/loadgen --addr 127.0.0.1:18081 --visitors 5000 --pace 5000 --duration 20 --pid $!
//! ```
//!
//! docs/PERFORMANCE.md ("CPU per bot turn") compares Tandem with it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    #[serde(default)]
    text: String,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event<'a> {
    Welcome {
        conversation: String,
        token: String,
    },
    Ack {
        id: &'a str,
        seq: u64,
    },
    Message {
        seq: u64,
        from: &'static str,
        text: &'a str,
        at: u64,
    },
}

#[tokio::main]
async fn main() {
    let mut addr: SocketAddr = ([127, 0, 0, 1], 18081).into();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(value)) => addr = value.parse().expect("--addr HOST:PORT"),
            _ => {
                eprintln!("usage: echo_server [--addr HOST:PORT]");
                std::process::exit(2);
            }
        }
    }
    let app = axum::Router::new().route("/ws/visitor", get(upgrade));
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!("echo server on {addr}");
    axum::serve(listener, app).await.expect("serve");
}

async fn upgrade(ws: WebSocketUpgrade) -> Response {
    // As Tandem's `server::socket::configure`.
    ws.read_buffer_size(512).on_upgrade(visitor)
}

async fn visitor(socket: WebSocket) {
    let (mut out, mut incoming) = socket.split();
    static VISITORS: AtomicU64 = AtomicU64::new(0);
    let id = VISITORS.fetch_add(1, Ordering::Relaxed);
    let welcome = Event::Welcome {
        conversation: format!("{id:032x}"),
        token: format!("{id:064x}"),
    };
    if send(&mut out, &welcome).await.is_err() {
        return;
    }
    let mut seq = 0;
    while let Some(Ok(message)) = incoming.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<Frame>(text.as_str()) else {
            continue;
        };
        if frame.kind != "message" || frame.text.is_empty() {
            continue;
        }
        let id = frame.id.as_deref().unwrap_or_default();
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let ack = Event::Ack { id, seq };
        let answer = Event::Message {
            seq: seq + 1,
            from: "bot",
            text: "Orders ship within two working days.",
            at,
        };
        seq += 2;
        // One write for both, as Tandem's socket does.
        let (Ok(ack), Ok(answer)) = (serde_json::to_string(&ack), serde_json::to_string(&answer))
        else {
            return;
        };
        if out.feed(Message::text(ack)).await.is_err()
            || out.feed(Message::text(answer)).await.is_err()
            || out.flush().await.is_err()
        {
            return;
        }
    }
}

async fn send(
    out: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    event: &Event<'_>,
) -> Result<(), ()> {
    let text = serde_json::to_string(event).map_err(|_| ())?;
    out.send(Message::text(text)).await.map_err(|_| ())
}
