//! Idle visitors: many widgets open and nobody typing, against a running
//! Tandem; what each costs the server in memory, and whether it still
//! answers.
//!
//! ```sh
//! cargo run --release --example idle_visitors -- --addr 127.0.0.1:18080 --visitors 19000 --hold 90 --pid $(pgrep -n tandem)
//! ```
//!
//! `--visitors N` sockets connect one after another and each reads its
//! `welcome`; with `--pid`, the server's resident memory is printed every
//! `--every` sockets (default 1,000) as growth over what it was before the
//! first one, per socket. Then every socket keeps reading (so it answers
//! the server's pings) for `--hold S` seconds: longer than the server's
//! idle timeout (60 s by default) shows that pings keep quiet visitors
//! connected. Finally `--probes K` of the visitors, spread over the whole
//! set, each ask one question in turn, and the time to the `ack` and to
//! the bot's answer is printed: the server still serves with every socket
//! open. The server's CPU time while the sockets idle is printed too
//! (pings). The server must allow that many sockets from one address (see
//! docs/PERFORMANCE.md).

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use common::{cpu_ms, next_json, rss_kib, Socket};

struct Args {
    addr: String,
    visitors: usize,
    every: usize,
    hold_s: u64,
    probes: usize,
    pid: Option<u32>,
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:8080".into(),
        visitors: 1000,
        every: 1000,
        hold_s: 90,
        probes: 10,
        pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--visitors" => args.visitors = value.parse().unwrap_or(args.visitors),
            "--every" => args.every = value.parse().unwrap_or(args.every).max(1),
            "--hold" => args.hold_s = value.parse().unwrap_or(args.hold_s),
            "--probes" => args.probes = value.parse().unwrap_or(args.probes),
            "--pid" => args.pid = value.parse().ok(),
            other => {
                eprintln!(
                    "unknown flag {other}; flags: --addr --visitors N --every N --hold S --probes K --pid P"
                );
                std::process::exit(2);
            }
        }
    }
    args
}

/// What one idle socket saw while held open.
struct Held {
    ws: Socket,
    pings: u64,
    closed: bool,
}

/// Reads (and so answers pings) until `stop`, then hands the socket back.
async fn hold(mut ws: Socket, mut stop: watch::Receiver<bool>) -> Held {
    let mut pings = 0;
    loop {
        tokio::select! {
            _ = stop.changed() => return Held { ws, pings, closed: false },
            frame = ws.next() => match frame {
                Some(Ok(Message::Ping(_))) => pings += 1,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    return Held { ws, pings, closed: true }
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Asks one question; returns the time to the `ack` and to the bot's answer.
async fn probe(ws: &mut Socket, n: usize) -> Option<(Duration, Duration)> {
    let id = format!("probe-{n}");
    let frame = json!({"type": "message", "id": id, "text": "how long does shipping take"});
    let start = Instant::now();
    ws.send(Message::text(frame.to_string())).await.ok()?;
    let (mut acked, mut answered) = (None, None);
    while acked.is_none() || answered.is_none() {
        let f = next_json(ws).await?;
        match f["type"].as_str() {
            Some("ack") if f["id"] == id.as_str() => acked = Some(start.elapsed()),
            Some("message") if f["from"] == "bot" => answered = Some(start.elapsed()),
            _ => {}
        }
    }
    Some((acked?, answered?))
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("cannot raise the open-file limit: {e}");
    }
    let url = format!("ws://{}/ws/visitor", args.addr);
    // Small client buffers: the default 128 KiB read buffer is zeroed
    // whole on every read, which would cost this process gigabytes.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let before = args.pid.and_then(rss_kib);
    let (stop, stopped) = watch::channel(false);
    let mut held = Vec::with_capacity(args.visitors);
    let started = Instant::now();
    for n in 1..=args.visitors {
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(&url, Some(config), false)
            .await
            .expect("connect");
        next_json(&mut ws).await.expect("welcome");
        held.push(tokio::spawn(hold(ws, stopped.clone())));
        if n % args.every == 0 || n == args.visitors {
            report_memory(&args, before, n).await;
        }
    }
    println!(
        "{} visitors connected in {:.1} s; holding them idle for {} s",
        args.visitors,
        started.elapsed().as_secs_f64(),
        args.hold_s
    );
    let cpu_before = args.pid.and_then(cpu_ms);
    tokio::time::sleep(Duration::from_secs(args.hold_s)).await;
    if let (Some(after), Some(before)) = (args.pid.and_then(cpu_ms), cpu_before) {
        println!(
            "server CPU while idle: {} ms in {} s",
            after.saturating_sub(before),
            args.hold_s
        );
    }
    report_memory(&args, before, args.visitors).await;
    let _ = stop.send(true);
    let mut sockets = Vec::with_capacity(held.len());
    let (mut pings, mut closed) = (0, 0);
    for task in held {
        if let Ok(h) = task.await {
            pings += h.pings;
            closed += u64::from(h.closed);
            if !h.closed {
                sockets.push(h.ws);
            }
        }
    }
    println!(
        "after {} s idle: {} of {} still open ({closed} closed), {pings} pings answered",
        args.hold_s,
        sockets.len(),
        args.visitors
    );
    let step = (sockets.len() / args.probes.max(1)).max(1);
    for (n, ws) in sockets
        .iter_mut()
        .step_by(step)
        .take(args.probes)
        .enumerate()
    {
        match probe(ws, n).await {
            Some((ack, answer)) => println!(
                "probe {n}: ack {:.1} ms, answer {:.1} ms",
                ack.as_secs_f64() * 1000.0,
                answer.as_secs_f64() * 1000.0
            ),
            None => println!("probe {n}: no answer"),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Prints the server's memory growth since `before`, per socket.
async fn report_memory(args: &Args, before: Option<u64>, sockets: usize) {
    let (Some(pid), Some(before)) = (args.pid, before) else {
        return;
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    if let Some(now) = rss_kib(pid) {
        let added = now.saturating_sub(before);
        println!(
            "{sockets} idle sockets: server RSS {now} KiB, +{added} KiB ({:.2} KiB each)",
            added as f64 / sockets as f64
        );
    }
}
