//! What the visitor and agent sockets share: the loop itself ([`pump`]),
//! turning websocket messages into typed frames or typed errors, sending
//! typed events, and flood control.

use std::future::Future;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use governor::clock::DefaultClock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
use serde::Serialize;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::hub::Inbox;
use crate::limits::Limits;
use crate::protocol::{self, ErrorBody, ErrorCode};

/// Close code for a peer that stopped answering pings.
pub const CLOSE_IDLE: u16 = 1001;
/// Close code for a text frame that is not UTF-8.
pub const CLOSE_INVALID_DATA: u16 = 1007;
/// Close code for a frame that breaks the websocket protocol (a reserved
/// opcode or bits, an unmasked client frame).
pub const CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// Close code for "going away" (server shutdown).
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code for "try again later" (the client fell too far behind).
pub const CLOSE_TRY_AGAIN_LATER: u16 = 1013;
/// Close code (policy violation) for an agent whose sessions an admin
/// ended: reconnecting with the same token will be refused.
pub const CLOSE_SIGNED_OUT: u16 = 1008;

/// The write half of a socket.
pub type Outgoing = SplitSink<WebSocket, Message>;

/// Bytes of a socket's read buffer. The transport allocates it whole when
/// the socket opens and keeps it for the socket's lifetime, so it is much
/// of what an idle visitor costs (axum's default, 128 KiB, would be ~137 KB
/// per idle connection; 4 KiB was a third of one). A chat frame is a few
/// hundred bytes and fits; a longer one grows the buffer as it arrives and
/// is read this many bytes per system call.
pub const READ_BUFFER_BYTES: usize = 512;

/// Socket settings for many small, mostly idle chats: a small read buffer
/// ([`READ_BUFFER_BYTES`]) and a transport cap beyond which frames are
/// refused without being buffered.
pub fn configure(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(protocol::MAX_TRANSPORT_BYTES)
        .max_frame_size(protocol::MAX_TRANSPORT_BYTES)
}

/// One websocket message, interpreted.
pub enum Incoming<T> {
    /// A valid frame.
    Frame(T),
    /// A bad frame: answer with this error and keep going.
    Bad(ErrorBody),
    /// Nothing to do (ping, pong).
    Nothing,
    /// The client closed.
    Closed,
}

/// Interprets a websocket message as a frame of type `T`.
pub fn decode<T: DeserializeOwned>(message: Message, types: &[&str]) -> Incoming<T> {
    match message {
        Message::Text(text) => match protocol::parse_frame(text.as_str(), types) {
            Ok(frame) => Incoming::Frame(frame),
            Err(body) => Incoming::Bad(body),
        },
        Message::Binary(_) => Incoming::Bad(ErrorBody::new(ErrorCode::BinaryNotSupported)),
        Message::Ping(_) | Message::Pong(_) => Incoming::Nothing,
        Message::Close(_) => Incoming::Closed,
    }
}

/// Sends one event as a JSON text frame.
pub async fn send<E: Serialize>(out: &mut Outgoing, event: &E) -> Result<(), axum::Error> {
    out.send(text(event)?).await
}

/// An event as a JSON text frame.
fn text<E: Serialize>(event: &E) -> Result<Message, axum::Error> {
    let json = serde_json::to_string(event).map_err(axum::Error::new)?;
    Ok(Message::Text(json.into()))
}

/// Sends several events in order, written out together.
pub async fn send_all<E: Serialize>(out: &mut Outgoing, events: &[E]) -> Result<(), axum::Error> {
    for event in events {
        out.feed(text(event)?).await?;
    }
    out.flush().await
}

/// Sends `first` (if any), `replies`, and whatever the outbox holds
/// already, written out together: one system call where there were one per
/// frame (an `ack` and the bot's answer are usually ready at once).
async fn send_ready<E: Serialize>(
    out: &mut Outgoing,
    first: Option<Box<E>>,
    replies: &[E],
    events: &mut tokio::sync::mpsc::Receiver<Box<E>>,
) -> Result<(), axum::Error> {
    if let Some(event) = first {
        out.feed(text(&*event)?).await?;
    }
    for event in replies {
        out.feed(text(event)?).await?;
    }
    // Bounded: the outbox holds at most its capacity.
    while let Ok(event) = events.try_recv() {
        out.feed(text(&*event)?).await?;
    }
    out.flush().await
}

/// Sends a close frame; errors are moot since the socket is ending anyway.
pub async fn close(out: &mut Outgoing, code: u16, reason: &'static str) {
    let _ = out
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// A per-connection flood limiter. They share one clock: making a clock
/// calibrates it (CPU feature probes and timing reads), which would be
/// most of what opening a socket costs.
pub fn flood_limiter(limits: &Limits) -> DefaultDirectRateLimiter {
    static CLOCK: std::sync::OnceLock<DefaultClock> = std::sync::OnceLock::new();
    let per_second = NonZeroU32::new(limits.frames_per_second).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(limits.frame_burst).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct_with_clock(
        Quota::per_second(per_second).allow_burst(burst),
        CLOCK.get_or_init(DefaultClock::default).clone(),
    )
}

/// The error body for a frame refused by the flood limiter.
pub fn rate_limited(id: Option<&str>) -> ErrorBody {
    let body = ErrorBody::new(ErrorCode::RateLimited);
    match id {
        Some(id) => body.about_message(id),
        None => body,
    }
}

/// Close code for "message too big".
pub const CLOSE_TOO_BIG: u16 = 1009;

/// Ends a socket whose read failed, with the close code that says why
/// (1009 too large, 1007 not UTF-8, 1002 a protocol error) so a client's
/// developer can tell. The transport reports these only as error values,
/// recognised by their wording; anything else (a reset, an I/O error) has
/// no one left to tell.
pub async fn read_failed(out: &mut Outgoing, error: &axum::Error) {
    let text = error.to_string();
    tracing::debug!(error = %text, "socket read failed");
    if let Some((code, reason)) = close_for(&text) {
        close(out, code, reason).await;
    }
}

/// The close code and reason for a transport error's wording.
fn close_for(error: &str) -> Option<(u16, &'static str)> {
    if error.contains("too long") || error.contains("Space limit exceeded") {
        Some((CLOSE_TOO_BIG, "frame too large"))
    } else if error.contains("UTF-8") {
        Some((CLOSE_INVALID_DATA, "text frame is not valid UTF-8"))
    } else if error.contains("protocol error") {
        Some((CLOSE_PROTOCOL_ERROR, "websocket protocol error"))
    } else {
        None
    }
}

/// One side of the protocol, as the shared socket loop needs it.
pub trait Side {
    /// What the client sends.
    type Frame: DeserializeOwned;
    /// What Tandem sends.
    type Event: Serialize + Clone;
    /// The `type` values of [`Side::Frame`].
    const TYPES: &'static [&'static str];
    /// An error event.
    fn error(body: ErrorBody) -> Self::Event;
    /// The client's message id a frame carries, for `rate_limited` errors.
    fn frame_id(frame: &Self::Frame) -> Option<&str>;
    /// The least time between two frames from the `latest` slot.
    const LATEST_EVERY: Duration;
}

/// Why [`pump`] returned.
pub enum Ended {
    /// The client closed, the connection failed, or the server is stopping
    /// (the close frame is sent already).
    Done,
    /// The hub let go of this socket's outbox; the caller says why in the
    /// close frame.
    OutboxDropped,
}

/// The loop every socket runs after its greeting: events from the hub go
/// out as they come; each client frame is decoded, flood-checked and handed
/// to `handle` to completion before the next is read (so a client's lines
/// keep their order), and its replies go out; shutdown closes with 1001.
/// A quiet socket is pinged every `limits.ping_interval()`; one that sends
/// nothing (no frame, no pong) for `limits.idle_timeout()` is closed: the
/// peer is gone without a close (a laptop lid, a dropped network).
/// The hub's `latest` slot is sent when it changes, at most once every
/// [`Side::LATEST_EVERY`], and read when sent: a place superseded meanwhile
/// is never sent.
pub async fn pump<S, H, Fut>(
    out: &mut Outgoing,
    incoming: &mut SplitStream<WebSocket>,
    inbox: &mut Inbox<S::Event>,
    shutdown: &mut watch::Receiver<bool>,
    limits: &Limits,
    mut handle: H,
) -> Ended
where
    S: Side,
    H: FnMut(S::Frame) -> Fut,
    Fut: Future<Output = Vec<S::Event>>,
{
    let limiter = flood_limiter(limits);
    let mut ping = tokio::time::interval_at(
        Instant::now() + limits.ping_interval(),
        limits.ping_interval(),
    );
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut heard_from = Instant::now();
    // When the changed `latest` value may go out; `None`: nothing pending.
    let mut latest_due: Option<Instant> = None;
    let mut latest_sent = Instant::now()
        .checked_sub(S::LATEST_EVERY)
        .unwrap_or_else(Instant::now);
    let mut latest_open = true;
    inbox.latest.mark_unchanged();
    loop {
        tokio::select! {
            // In this order: what the hub queued goes out before a place
            // it set afterwards (a handoff line before `queued`).
            biased;
            event = inbox.events.recv() => match event {
                Some(event) => {
                    if send_ready(out, Some(event), &[], &mut inbox.events).await.is_err() {
                        return Ended::Done;
                    }
                }
                None => return Ended::OutboxDropped,
            },
            message = incoming.next() => {
                let message = match message {
                    Some(Ok(message)) => message,
                    Some(Err(e)) => {
                        read_failed(out, &e).await;
                        return Ended::Done;
                    }
                    None => return Ended::Done,
                };
                heard_from = Instant::now();
                let replies = match decode::<S::Frame>(message, S::TYPES) {
                    Incoming::Closed => return Ended::Done,
                    Incoming::Nothing => Vec::new(),
                    // A flood of garbage gets no answers.
                    Incoming::Bad(_) if limiter.check().is_err() => {
                        crate::metrics::rate_limited();
                        Vec::new()
                    }
                    Incoming::Bad(body) => vec![S::error(body)],
                    Incoming::Frame(frame) if limiter.check().is_err() => {
                        crate::metrics::rate_limited();
                        vec![S::error(rate_limited(S::frame_id(&frame)))]
                    }
                    Incoming::Frame(frame) => handle(frame).await,
                };
                // The replies first (an `ack` before the bot's answer, as
                // before), then what the hub queued meanwhile.
                if send_ready(out, None, &replies, &mut inbox.events).await.is_err() {
                    return Ended::Done;
                }
            }
            changed = inbox.latest.changed(), if latest_open && latest_due.is_none() => {
                match changed {
                    Ok(()) => latest_due = Some(latest_sent + S::LATEST_EVERY),
                    // The hub let go; the outbox closing says why.
                    Err(_) => latest_open = false,
                }
            }
            _ = tokio::time::sleep_until(latest_due.unwrap_or_else(Instant::now)), if latest_due.is_some() => {
                latest_due = None;
                let latest = inbox.latest.borrow_and_update().value.clone();
                if let Some(event) = latest {
                    if send(out, &event).await.is_err() {
                        return Ended::Done;
                    }
                    latest_sent = Instant::now();
                }
            }
            _ = ping.tick() => {
                if heard_from.elapsed() >= limits.idle_timeout() {
                    close(out, CLOSE_IDLE, "no answer to pings").await;
                    return Ended::Done;
                }
                if out.send(Message::Ping(Default::default())).await.is_err() {
                    return Ended::Done;
                }
            }
            _ = crate::shutdown::stopping(shutdown) => {
                close(out, CLOSE_GOING_AWAY, "server restarting").await;
                return Ended::Done;
            }
        }
    }
}
