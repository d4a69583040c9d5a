//! Load generator: many visitors chatting with the bot at once, over real
//! websockets, against a running Tandem.
//!
//! ```sh
//! cargo run --release -- --addr 127.0.0.1:8080 --data-dir /tmp/tandem-load &
//! cargo run --release --example loadgen -- --addr 127.0.0.1:8080 --visitors 200 --messages 15 --pid $(pgrep -n tandem)
//! ```
//!
//! Each visitor connects, then sends `--messages` questions one after the
//! other, each time waiting for the `ack` (the message is on disk) and for
//! the bot's answer, then thinking `--think` milliseconds (default 210, to
//! stay under the flood limit). It prints throughput and latency
//! percentiles, and — with `--pid` — the server's resident memory before and
//! after the visitors connected (idle sockets), so the per-connection cost
//! is visible. Everything stays on loopback; the run is bounded by the
//! counts given.
//!
//! `--pace MS --duration S` is the paced mode, a busy shop at a human
//! pace: every visitor asks a routine question every `MS` milliseconds
//! (spread evenly, not in lockstep) for `S` seconds, whether or not the
//! last one was answered yet. It reports how many were acknowledged and
//! answered, reply latency percentiles, visitors disconnected with 1013
//! or handed to a person, and — with `--pid` — the server's CPU time per
//! answered message, read from `/proc`. The server must allow that many
//! sockets and lines from one address (see docs/PERFORMANCE.md).
//!
//! Cluster mode: `--addr` takes several nodes, comma-separated, and
//! visitors are spread over them in turn; `--pid` then takes their
//! process ids the same way, and CPU and memory are the nodes' sums.
//!
//! `--novel` makes every question a new phrasing (routine questions, but
//! worded so that neither the recent-texts cache nor the n-grams'
//! confidence spares the sentence encoder): the load that shows how the
//! bot degrades when more messages arrive than the encoder can take.

#[path = "common/mod.rs"]
mod common;
#[path = "common/questions.rs"]
mod questions;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};

use common::{cpu_ms, next_json, rss_kib, Socket};
use tokio_tungstenite::tungstenite::Message;

/// Routine questions; a visitor asks them in turn and never the same one
/// twice in ten messages (asking again reads as frustration, rightly).
const QUESTIONS: &[&str] = &[
    "hello",
    "how long does shipping take",
    "where is my order",
    "what payment methods do you accept",
    "how do I return something",
    "do you ship to austria",
    "how much does delivery cost",
    "can I pay with paypal",
    "when is customer service open",
    "do you sell gift cards",
    "I forgot my password",
    "thanks, bye",
];

struct Args {
    addr: String,
    visitors: usize,
    messages: usize,
    /// Process ids of the servers (several in cluster mode).
    pid: Vec<u32>,
    think_ms: u64,
    novel: bool,
    pace_ms: Option<u64>,
    duration_s: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:8080".into(),
        visitors: 100,
        messages: 15,
        pid: Vec::new(),
        think_ms: 210,
        novel: false,
        pace_ms: None,
        duration_s: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--novel" {
            args.novel = true;
            continue;
        }
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--addr" => args.addr = value,
            "--visitors" => args.visitors = value.parse().unwrap_or(args.visitors),
            "--messages" => args.messages = value.parse().unwrap_or(args.messages),
            "--pid" => args.pid = value.split(',').filter_map(|p| p.parse().ok()).collect(),
            "--think" => args.think_ms = value.parse().unwrap_or(args.think_ms),
            "--pace" => args.pace_ms = value.parse().ok(),
            "--duration" => args.duration_s = value.parse().unwrap_or(args.duration_s),
            other => {
                eprintln!(
                    "unknown flag {other}; flags: --addr --visitors --messages --pid --think MS --novel --pace MS --duration S"
                );
                std::process::exit(2);
            }
        }
    }
    args
}

/// One visitor's conversation: (ack latencies, answer latencies), in µs.
async fn converse(
    mut ws: Socket,
    visitor: usize,
    args: (usize, u64, bool),
) -> (Vec<u64>, Vec<u64>) {
    let (messages, think_ms, novel) = args;
    let (mut acks, mut answers) = (Vec::new(), Vec::new());
    for i in 0..messages {
        let text = match novel {
            true => questions::novel_question(visitor, i),
            false => QUESTIONS[(visitor + i) % QUESTIONS.len()].to_owned(),
        };
        let id = format!("v{visitor}-m{i}");
        let start = Instant::now();
        let frame = json!({"type": "message", "id": id, "text": text}).to_string();
        if ws.send(Message::text(frame)).await.is_err() {
            break;
        }
        let (mut acked, mut answered) = (false, false);
        while !(acked && answered) {
            let Some(f) = next_json(&mut ws).await else {
                return (acks, answers);
            };
            match f["type"].as_str() {
                Some("ack") if f["id"] == id.as_str() => {
                    acked = true;
                    acks.push(start.elapsed().as_micros() as u64);
                }
                Some("message") if f["from"] == "bot" => {
                    answered = true;
                    answers.push(start.elapsed().as_micros() as u64);
                }
                Some("queued") => {
                    eprintln!(
                        "visitor {visitor}: handed to a person after {} messages ({text:?})",
                        i + 1
                    );
                    return (acks, answers);
                }
                Some("error") => {
                    eprintln!("visitor {visitor}: {f}");
                    return (acks, answers);
                }
                _ => {}
            }
        }
        // Stay under the per-connection flood limit (5 a second).
        tokio::time::sleep(Duration::from_millis(think_ms)).await;
    }
    (acks, answers)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// What one paced visitor saw.
#[derive(Default)]
struct Paced {
    sent: u64,
    acked: u64,
    answered: u64,
    /// Send-to-answer times, µs.
    replies: Vec<u64>,
    closed_1013: bool,
    handed_over: bool,
    errors: u64,
}

/// One visitor of the paced mode: a question every `pace`, starting after
/// `offset`, until `until`; then a moment to collect the last answers.
async fn paced(
    mut ws: Socket,
    visitor: usize,
    pace: Duration,
    offset: Duration,
    until: Instant,
) -> Paced {
    let mut seen = Paced::default();
    let mut sent_at: std::collections::VecDeque<Instant> = std::collections::VecDeque::new();
    let mut next = tokio::time::Instant::now() + offset;
    let until = tokio::time::Instant::from_std(until);
    let grace = until + Duration::from_secs(5);
    let mut i = 0;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next), if next < until && !seen.handed_over => {
                let text = QUESTIONS[(visitor + i) % QUESTIONS.len()];
                let frame = json!({"type": "message", "id": format!("v{visitor}-m{i}"), "text": text});
                if ws.send(Message::text(frame.to_string())).await.is_err() {
                    return seen;
                }
                sent_at.push_back(Instant::now());
                seen.sent += 1;
                i += 1;
                next += pace;
            }
            _ = tokio::time::sleep_until(grace) => return seen,
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(t))) => {
                    let f: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                    match f["type"].as_str() {
                        Some("ack") => seen.acked += 1,
                        Some("message") if f["from"] == "bot" => {
                            seen.answered += 1;
                            if let Some(at) = sent_at.pop_front() {
                                seen.replies.push(at.elapsed().as_micros() as u64);
                            }
                        }
                        Some("queued") => seen.handed_over = true,
                        Some("error") => seen.errors += 1,
                        _ => {}
                    }
                    if sent_at.is_empty() && tokio::time::Instant::now() >= until {
                        return seen;
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    seen.closed_1013 = frame.is_some_and(|f| u16::from(f.code) == 1013);
                    return seen;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return seen,
            },
        }
    }
}

async fn paced_run(args: &Args, sockets: Vec<Socket>, pace_ms: u64) {
    let pace = Duration::from_millis(pace_ms);
    let until = Instant::now() + Duration::from_secs(args.duration_s);
    let cpu_before = sum_of(&args.pid, cpu_ms);
    let started = Instant::now();
    let n = sockets.len().max(1) as u64;
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(v, ws)| {
            let offset = pace.mul_f64(v as f64 / n as f64);
            tokio::spawn(paced(ws, v, pace, offset, until))
        })
        .collect();
    let mut all = Paced::default();
    let (mut disconnected, mut handed_over) = (0, 0);
    for t in tasks {
        if let Ok(p) = t.await {
            all.sent += p.sent;
            all.acked += p.acked;
            all.answered += p.answered;
            all.errors += p.errors;
            all.replies.extend(p.replies);
            disconnected += u64::from(p.closed_1013);
            handed_over += u64::from(p.handed_over);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = match (sum_of(&args.pid, cpu_ms), cpu_before) {
        (Some(after), Some(before)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    all.replies.sort_unstable();
    println!(
        "{} visitors, one question every {} ms for {} s: {} sent, {} acknowledged, {} answered ({:.0}/s), {} errors",
        args.visitors,
        pace_ms,
        args.duration_s,
        all.sent,
        all.acked,
        all.answered,
        all.answered as f64 / elapsed,
        all.errors
    );
    println!(
        "reply latency ms: p50 {:.1}  p99 {:.1}  max {:.1}; disconnected with 1013: {}; handed to a person: {}",
        percentile(&all.replies, 0.5),
        percentile(&all.replies, 0.99),
        percentile(&all.replies, 1.0),
        disconnected,
        handed_over
    );
    if let Some(cpu) = cpu {
        println!(
            "server CPU: {} ms in {:.1} s ({:.0}% of one core), {:.0} µs per answered message",
            cpu,
            elapsed,
            cpu as f64 / elapsed / 10.0,
            cpu as f64 * 1000.0 / all.answered.max(1) as f64
        );
    }
}

/// A reading summed over the servers; `None` without any, or when one
/// cannot be read.
fn sum_of(pids: &[u32], read: fn(u32) -> Option<u64>) -> Option<u64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|&pid| read(pid)).sum()
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("cannot raise the open-file limit: {e}");
    }
    let urls: Vec<String> = args
        .addr
        .split(',')
        .map(|addr| format!("ws://{addr}/ws/visitor"))
        .collect();
    let before = sum_of(&args.pid, rss_kib);

    let mut sockets = Vec::with_capacity(args.visitors);
    for v in 0..args.visitors {
        let (mut ws, _) = tokio_tungstenite::connect_async(&urls[v % urls.len()])
            .await
            .expect("connect");
        next_json(&mut ws).await.expect("welcome");
        sockets.push(ws);
    }
    if let Some(before) = before {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if let Some(after) = sum_of(&args.pid, rss_kib) {
            println!(
                "memory: {} idle visitor sockets added {} KiB ({:.1} KiB each)",
                args.visitors,
                after.saturating_sub(before),
                after.saturating_sub(before) as f64 / args.visitors as f64
            );
        }
    }

    if let Some(pace_ms) = args.pace_ms {
        paced_run(&args, sockets, pace_ms).await;
        return;
    }
    let start = Instant::now();
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(v, ws)| tokio::spawn(converse(ws, v, (args.messages, args.think_ms, args.novel))))
        .collect();
    let (mut acks, mut answers) = (Vec::new(), Vec::new());
    for t in tasks {
        if let Ok((a, b)) = t.await {
            acks.extend(a);
            answers.extend(b);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    acks.sort_unstable();
    answers.sort_unstable();
    println!(
        "{} visitors x {} messages{}: {} answered in {:.1} s ({:.0} messages/s incl. {} ms think time per message)",
        args.visitors,
        args.messages,
        if args.novel { " (novel wordings)" } else { "" },
        answers.len(),
        elapsed,
        answers.len() as f64 / elapsed,
        args.think_ms
    );
    println!(
        "ack (durable) latency ms: p50 {:.1}  p99 {:.1}  max {:.1}",
        percentile(&acks, 0.5),
        percentile(&acks, 0.99),
        percentile(&acks, 1.0)
    );
    println!(
        "bot answer latency ms:    p50 {:.1}  p99 {:.1}  max {:.1}",
        percentile(&answers, 0.5),
        percentile(&answers, 0.99),
        percentile(&answers, 1.0)
    );
}
