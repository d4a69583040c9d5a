//! What a careless network or a hostile client does to connections: half
//! sent headers, peers that vanish, broken websocket frames, one address
//! opening socket after socket, a process near its descriptor ceiling.
//! Raw TCP where a well-behaved client library would not misbehave.

use std::time::{Duration, Instant};

use tandem::limits::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{fixture_intents, spawn_app_configured, Client, TestApp};

async fn spawn_with_limits(limits: Limits) -> TestApp {
    spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.limits = limits
    })
    .await
}

/// Reads until the peer closes; returns what it sent and how long it took.
async fn read_until_closed(tcp: &mut TcpStream, within: Duration) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, tcp.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (received, started.elapsed()),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => panic!("still open after {within:?}"),
        }
    }
}

/// A websocket handshake by hand, so the test can then misbehave.
async fn raw_websocket(app: &TestApp) -> TcpStream {
    let mut tcp = TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "GET /ws/visitor HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        app.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

/// A masked client frame with any opcode and payload (under 126 bytes).
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut out = vec![0x80 | opcode, 0x80 | u8::try_from(payload.len()).unwrap()];
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    out
}

/// The close code in the server's frames (unmasked, as servers send them).
fn close_code(mut bytes: &[u8]) -> Option<u16> {
    while bytes.len() >= 2 {
        let opcode = bytes[0] & 0x0f;
        let (len, start) = match bytes[1] & 0x7f {
            126 => (usize::from(u16::from_be_bytes([bytes[2], bytes[3]])), 4),
            127 => return None,
            n => (usize::from(n), 2),
        };
        let payload = bytes.get(start..start + len)?;
        if opcode == 0x8 && len >= 2 {
            return Some(u16::from_be_bytes([payload[0], payload[1]]));
        }
        bytes = &bytes[start + len..];
    }
    None
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = spawn_with_limits(Limits {
        header_read_timeout_s: 1,
        ..Limits::default()
    })
    .await;
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (_, took) = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );
    // Everyone else is served as usual.
    let health = reqwest::get(app.url("/api/health")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

#[tokio::test]
async fn a_visitor_who_vanished_without_closing_is_let_go() {
    let app = spawn_with_limits(Limits {
        ping_interval_s: 1,
        idle_timeout_s: 2,
        ..Limits::default()
    })
    .await;
    // This peer never reads or answers the pings (a closed laptop lid).
    let mut gone = raw_websocket(&app).await;
    // A live visitor keeps talking (here: typing) and stays.
    let (mut live, _) = app.visitor().await;
    let gone =
        tokio::spawn(async move { read_until_closed(&mut gone, Duration::from_secs(15)).await });
    while !gone.is_finished() {
        live.send(serde_json::json!({"type": "typing", "active": true}))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (received, took) = gone.await.unwrap();
    assert!(took >= Duration::from_millis(1500), "{took:?}");
    assert_eq!(close_code(&received), Some(1001));
    let answer = live.ask("c1", "How long does shipping take?").await;
    assert_eq!(
        answer["from"], "bot",
        "the answering visitor is still connected"
    );
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_closes_with_1007() {
    let app = spawn_with_limits(Limits::default()).await;
    let mut tcp = raw_websocket(&app).await;
    tcp.write_all(&frame(0x1, &[0x68, 0xff, 0xfe, 0x69]))
        .await
        .unwrap();
    let (received, _) = read_until_closed(&mut tcp, Duration::from_secs(10)).await;
    assert_eq!(close_code(&received), Some(1007));
}

#[tokio::test]
async fn a_reserved_opcode_closes_with_1002() {
    let app = spawn_with_limits(Limits::default()).await;
    let mut tcp = raw_websocket(&app).await;
    tcp.write_all(&frame(0x3, b"hello")).await.unwrap();
    let (received, _) = read_until_closed(&mut tcp, Duration::from_secs(10)).await;
    assert_eq!(close_code(&received), Some(1002));
}

#[tokio::test]
async fn one_address_cannot_hold_more_than_its_share_of_connections() {
    let app = spawn_with_limits(Limits {
        connections_per_ip: 3,
        ..Limits::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(raw_websocket(&app).await);
    }
    let mut fourth = TcpStream::connect(app.addr).await.unwrap();
    let (received, _) = read_until_closed(&mut fourth, Duration::from_secs(5)).await;
    assert!(received.is_empty(), "refused without a word");
    drop(held.pop());
    // The freed place is usable again (the close takes a moment to land).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(r) = reqwest::get(app.url("/api/health")).await {
            assert_eq!(r.status().as_u16(), 200);
            break;
        }
        assert!(Instant::now() < deadline, "the freed place never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn near_the_connection_ceiling_visitors_wait_and_health_checks_and_agents_get_in() {
    let app = spawn_with_limits(Limits {
        max_connections: Some(8),
        reserved_connections: 5,
        ..Limits::default()
    })
    .await;
    let (_first, _) = app.visitor().await;
    let (_second, _) = app.visitor().await;
    let (_third, _) = app.visitor().await;
    // The fourth visitor is refused plainly, with when to come back.
    let refused = Client::connect(&app.url("/ws/visitor").replace("http", "ws")).await;
    let response = match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response,
        Err(e) => panic!("expected 503, got {e}"),
        Ok(_) => panic!("expected 503, the socket opened"),
    };
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers()["retry-after"], "60");
    let body: serde_json::Value =
        serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
    assert_eq!(body["code"], "busy", "{body}");
    // The load balancer's health check and an agent still get in.
    let health = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
        .get(app.url("/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let _agent = app.agent("sam").await;
}

#[tokio::test]
async fn a_visitor_with_many_tabs_shares_one_budget_for_lines() {
    let app = spawn_with_limits(Limits {
        visitor_lines_per_second: 1,
        visitor_line_burst: 5,
        ..Limits::default()
    })
    .await;
    let (first, welcome) = app.visitor().await;
    let token = welcome["resume_token"].as_str().unwrap().to_owned();
    let mut tabs = vec![first];
    for _ in 0..9 {
        tabs.push(app.resume(&token).await.0);
    }
    let started = Instant::now();
    // Each tab sends three lines: well within one socket's own limit.
    for (t, tab) in tabs.iter_mut().enumerate() {
        for n in 0..3 {
            tab.send(serde_json::json!({"type": "message", "id": format!("t{t}-{n}"), "text": format!("line {n} from tab {t}")}))
                .await;
        }
    }
    let (mut acks, mut refused) = (0, 0);
    for tab in &mut tabs {
        for _ in 0..3 {
            let answer = tab
                .expect_where(|f| f["type"] == "ack" || f["type"] == "error")
                .await;
            match answer["type"].as_str() {
                Some("ack") => acks += 1,
                _ => {
                    assert_eq!(answer["code"], "rate_limited", "{answer}");
                    refused += 1;
                }
            }
        }
    }
    let allowed = 5 + started.elapsed().as_secs() + 1;
    assert!(acks as u64 <= allowed, "{acks} stored, at most {allowed}");
    assert_eq!(acks + refused, 30);
    // Another visitor on the same address is not held back.
    let (mut other, _) = app.visitor().await;
    other.say("o1", "hello").await;
}
