//! What the visitor and agent sockets share: the loop itself ([`pump`]),
//! turning websocket messages into typed frames or typed errors, sending
//! typed events, and flood control.

use std::future::Future;
use std::num::NonZeroU32;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::protocol::{self, ErrorBody, ErrorCode};

/// Sustained frames per second a client may send.
pub const FRAMES_PER_SECOND: u32 = 5;
/// Frames a client may send in a burst (a paste, a reconnect resend).
pub const FRAME_BURST: u32 = 20;

/// Close code for "going away" (server shutdown).
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code for "try again later" (the client fell too far behind).
pub const CLOSE_TRY_AGAIN_LATER: u16 = 1013;
/// Close code (policy violation) for an agent whose sessions an admin
/// ended: reconnecting with the same token will be refused.
pub const CLOSE_SIGNED_OUT: u16 = 1008;

/// The write half of a socket.
pub type Outgoing = SplitSink<WebSocket, Message>;

/// Socket settings for many small, mostly idle chats: a 4 KiB read buffer
/// (axum's default costs ~137 KB per idle connection) and a transport cap
/// beyond which frames are refused without being buffered.
pub fn configure(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.read_buffer_size(4096)
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
    let json = serde_json::to_string(event).map_err(axum::Error::new)?;
    out.send(Message::Text(json.into())).await
}

/// Sends several events in order.
pub async fn send_all<E: Serialize>(out: &mut Outgoing, events: &[E]) -> Result<(), axum::Error> {
    for event in events {
        send(out, event).await?;
    }
    Ok(())
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

/// A per-connection flood limiter.
pub fn flood_limiter() -> DefaultDirectRateLimiter {
    let per_second = NonZeroU32::new(FRAMES_PER_SECOND).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(FRAME_BURST).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct(Quota::per_second(per_second).allow_burst(burst))
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

/// Ends a socket whose read failed. A frame over the transport limit is the
/// one failure a client can fix, so it gets its own close code (1009); the
/// transport reports it only as an error value, recognised by its wording.
pub async fn read_failed(out: &mut Outgoing, error: &axum::Error) {
    let text = error.to_string();
    if text.contains("too long") || text.contains("Space limit exceeded") {
        close(out, CLOSE_TOO_BIG, "frame too large").await;
    } else {
        tracing::debug!(error = %text, "socket read failed");
    }
}

/// One side of the protocol, as the shared socket loop needs it.
pub trait Side {
    /// What the client sends.
    type Frame: DeserializeOwned;
    /// What Tandem sends.
    type Event: Serialize;
    /// The `type` values of [`Side::Frame`].
    const TYPES: &'static [&'static str];
    /// An error event.
    fn error(body: ErrorBody) -> Self::Event;
    /// The client's message id a frame carries, for `rate_limited` errors.
    fn frame_id(frame: &Self::Frame) -> Option<&str>;
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
pub async fn pump<S, H, Fut>(
    out: &mut Outgoing,
    incoming: &mut SplitStream<WebSocket>,
    events: &mut mpsc::Receiver<S::Event>,
    shutdown: &mut watch::Receiver<bool>,
    mut handle: H,
) -> Ended
where
    S: Side,
    H: FnMut(S::Frame) -> Fut,
    Fut: Future<Output = Vec<S::Event>>,
{
    let limiter = flood_limiter();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => {
                    if send(out, &event).await.is_err() {
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
                if send_all(out, &replies).await.is_err() {
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
