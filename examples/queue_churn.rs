//! Queue churn: many visitors waiting for a person while others join the
//! queue and leave it again, against a running Tandem.
//!
//! ```sh
//! cargo run --release --example queue_churn -- --addr 127.0.0.1:18080 --waiting 1000 --churn 20 --duration 20 --pid $(pgrep -n tandem)
//! ```
//!
//! `--waiting N` visitors ask for a person one after another (so their
//! places are 1..N) and stay; then for `--duration S` seconds `--churn R`
//! visitors a second join the queue behind them and leave it. It prints
//! the server's CPU for each second (with `--pid`): flat means a queue
//! change costs work for the places that changed, not for the whole
//! queue. At the end each waiting visitor's last `queued` frame must name
//! its true place (nobody ahead of them left), and it prints how many place
//! frames a waiting visitor received. Run the server with limits that let
//! one machine stand in for many addresses (docs/PERFORMANCE.md).
//!
//! `--agent-token T` also keeps an agent's console open (a session token
//! from `POST /api/agent/login`) during the churn, so every change owes
//! agents a new copy of the queue; it prints how many copies came.

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::json;

use common::{cpu_ms, next_json, Socket};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

struct Args {
    addr: String,
    waiting: usize,
    churn: u64,
    duration_s: u64,
    pid: Option<u32>,
    agent_token: Option<String>,
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:8080".into(),
        waiting: 1000,
        churn: 20,
        duration_s: 20,
        pid: None,
        agent_token: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--waiting" => args.waiting = value.parse().unwrap_or(args.waiting),
            "--churn" => args.churn = value.parse().unwrap_or(args.churn),
            "--duration" => args.duration_s = value.parse().unwrap_or(args.duration_s),
            "--pid" => args.pid = value.parse().ok(),
            "--agent-token" => args.agent_token = Some(value),
            other => {
                eprintln!("unknown flag {other}; flags: --addr --waiting N --churn R --duration S --pid P --agent-token T");
                std::process::exit(2);
            }
        }
    }
    args
}

/// A visitor who asked for a person; returns once queued, with the place.
async fn queue_up(url: &str) -> Option<(Socket, u64)> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.ok()?;
    next_json(&mut ws).await?;
    let ask = json!({"type": "request_human"}).to_string();
    ws.send(Message::text(ask)).await.ok()?;
    loop {
        let f = next_json(&mut ws).await?;
        if f["type"] == "queued" {
            return Some((ws, f["position"].as_u64()?));
        }
    }
}

/// What a waiting visitor saw: their last place, and how many place frames.
#[derive(Default, Clone, Copy)]
struct Seen {
    place: u64,
    frames: u64,
    disconnected: bool,
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("cannot raise the open-file limit: {e}");
    }
    let url = format!("ws://{}/ws/visitor", args.addr);
    let seen = Arc::new(Mutex::new(vec![Seen::default(); args.waiting]));
    for i in 0..args.waiting {
        let (mut ws, place) = queue_up(&url).await.expect("queued");
        seen.lock().await[i] = Seen {
            place,
            frames: 0,
            disconnected: false,
        };
        let seen = seen.clone();
        tokio::spawn(async move {
            while let Some(f) = next_json(&mut ws).await {
                if f["type"] == "queued" {
                    let mut all = seen.lock().await;
                    all[i].place = f["position"].as_u64().unwrap_or(0);
                    all[i].frames += 1;
                }
            }
            seen.lock().await[i].disconnected = true;
        });
    }
    println!(
        "{} visitors waiting; churning {} a second for {} s",
        args.waiting, args.churn, args.duration_s
    );
    // The agent's console: counts the copies of the queue it is sent.
    let queue_copies = Arc::new(std::sync::atomic::AtomicU64::new(0));
    if let Some(token) = &args.agent_token {
        let url = format!("ws://{}/ws/agent?token={token}", args.addr);
        let (mut ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("agent console opens");
        // The greeting's own copy is not counted.
        while let Some(f) = next_json(&mut ws).await {
            if f["type"] == "queue" {
                break;
            }
        }
        let copies = queue_copies.clone();
        tokio::spawn(async move {
            while let Some(f) = next_json(&mut ws).await {
                if f["type"] == "queue" {
                    copies.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
    }

    let started = Instant::now();
    let every = Duration::from_secs_f64(1.0 / args.churn.max(1) as f64);
    let churn = {
        let url = url.clone();
        let until = started + Duration::from_secs(args.duration_s);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            while Instant::now() < until {
                tick.tick().await;
                let url = url.clone();
                tokio::spawn(async move {
                    if let Some((mut ws, _)) = queue_up(&url).await {
                        let leave = json!({"type": "cancel_wait"}).to_string();
                        let _ = ws.send(Message::text(leave)).await;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        let _ = ws.close(None).await;
                    }
                });
            }
        })
    };
    let mut per_second = Vec::new();
    let mut last = args.pid.and_then(cpu_ms);
    for _ in 0..args.duration_s {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = args.pid.and_then(cpu_ms);
        if let (Some(a), Some(b)) = (now, last) {
            per_second.push(a.saturating_sub(b));
        }
        last = now;
    }
    let _ = churn.await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    if !per_second.is_empty() {
        let mean = per_second.iter().sum::<u64>() as f64 / per_second.len() as f64;
        println!("server CPU ms per second: {per_second:?} (mean {mean:.0})");
    }
    let all = seen.lock().await;
    let wrong = all
        .iter()
        .enumerate()
        .filter(|(i, s)| s.place != *i as u64 + 1)
        .count();
    let disconnected = all.iter().filter(|s| s.disconnected).count();
    let frames: u64 = all.iter().map(|s| s.frames).sum();
    println!(
        "waiting visitors with a wrong last place: {wrong}; disconnected: {disconnected}; place frames per waiting visitor: {:.2}",
        frames as f64 / all.len().max(1) as f64
    );
    if args.agent_token.is_some() {
        let copies = queue_copies.load(std::sync::atomic::Ordering::Relaxed);
        println!(
            "queue copies to the agent: {copies} ({:.1} a second)",
            copies as f64 / args.duration_s.max(1) as f64
        );
    }
}
