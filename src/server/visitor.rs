//! The visitor socket, `GET /ws/visitor[?resume=TOKEN]`.
//!
//! One task per socket. It registers a bounded outbox with the hub, sends the
//! greeting, then runs the shared loop ([`socket::pump`]): frames from the
//! visitor (each handled to completion — stored, flushed, acknowledged —
//! before the next, so a visitor's lines keep their order), events from the
//! hub's outbox, and the shutdown signal.

use axum::extract::ws::WebSocket;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use serde::Deserialize;

use super::AppState;
use super::{listen, origin, socket};
use crate::hub::{Hub, HubError, Inbox, VisitorSession};
use crate::protocol::{self, ErrorBody, VisitorEvent, VisitorFrame};

/// Query string of the visitor socket.
#[derive(Debug, Deserialize)]
pub struct VisitorQuery {
    /// The token from an earlier `welcome`.
    pub resume: Option<String>,
}

/// Upgrades to a visitor socket, unless the owner's `allowed_origins`
/// leaves out the page's origin (`403`). Near the descriptor ceiling new
/// visitor sockets get `503 busy` (with `Retry-After`), keeping the last
/// places for health checks and agents.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    Query(query): Query<VisitorQuery>,
    State(state): State<AppState>,
    slot: listen::SlotHandle,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = origin::check_handshake(&state, origin::Socket::Visitor, peer, &headers) {
        return refused.into_response();
    }
    let slot = listen::hold(slot);
    if slot.as_ref().is_some_and(|s| s.reserved()) {
        crate::metrics::connection_refused("reserved");
        return busy();
    }
    let ip: IpAddr = state.client_ip(peer, &headers);
    // Boxed: axum's upgrade task keeps what this callback captures for the
    // socket's whole life, so a pointer costs every idle socket 8 bytes
    // instead of ~150.
    let pending = Box::new((state, query.resume, ip, slot));
    socket::configure(ws).on_upgrade(move |socket| {
        let (state, resume, ip, slot) = *pending;
        connect(socket, state, resume, ip, slot)
    })
}

/// The read half of a socket.
type ReadHalf = SplitStream<WebSocket>;

fn busy() -> Response {
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::RETRY_AFTER, "60")],
        axum::Json(ErrorBody::new(protocol::ErrorCode::Busy)),
    )
        .into_response()
}

/// Attaches a new socket to the hub and returns the future that serves it.
/// The socket is split in a plain function, before that future starts,
/// because an async function keeps room for its arguments until it ends:
/// the whole `WebSocket` (its halves are much smaller) would otherwise cost
/// every idle socket ~400 bytes for things it no longer has. Attaching
/// reads the store (the resume token's conversation, the greeting's
/// history), so it awaits; its future is boxed, and gone once it is done,
/// so it takes no room in the socket's long-lived task.
fn connect(
    socket: WebSocket,
    state: AppState,
    resume: Option<String>,
    ip: IpAddr,
    slot: Option<Arc<listen::Slot>>,
) -> impl Future<Output = ()> {
    let (out, incoming) = socket.split();
    let (outbox, inbox) = crate::hub::outbox_of(state.limits.outbox_frames);
    async move {
        let hub = state.hub.clone();
        let session =
            Box::pin(async move { hub.connect_visitor(resume.as_deref(), outbox).await }).await;
        run((out, incoming, inbox), state, session, ip, slot).await
    }
}

/// The socket's task: greeting, then the shared loop. `_slot` keeps the
/// connection counted (see [`listen::Slot`]) until the task ends.
async fn run(
    (mut out, mut incoming, mut inbox): (socket::Outgoing, ReadHalf, Inbox<VisitorEvent>),
    state: AppState,
    session: Result<VisitorSession, HubError>,
    ip: IpAddr,
    _slot: Option<Arc<listen::Slot>>,
) {
    let VisitorSession {
        connection,
        conversation,
        greeting,
    } = match session {
        Ok(session) => session,
        Err(e) => {
            let _ = socket::send(&mut out, &VisitorEvent::Error(e.to_body())).await;
            return;
        }
    };
    let _counted = crate::metrics::connection_opened(crate::metrics::Role::Visitor);
    tracing::debug!(%conversation, "visitor connected");
    let mut shutdown = state.shutdown.clone();
    let greeted = socket::send_all(&mut out, &greeting).await.is_ok();
    // Not kept for the socket's lifetime: the history in it is the
    // biggest thing a resumed visitor's socket would otherwise hold.
    drop(greeting);
    if greeted {
        let hub = &state.hub;
        let floods = &state.floods;
        let ended = socket::pump::<Visitor, _, _>(
            &mut out,
            &mut incoming,
            &mut inbox,
            &mut shutdown,
            &state.limits,
            // Boxed: the handler's state exists only while a frame is being
            // handled, instead of sitting in every idle socket's task.
            |frame| {
                Box::pin(async move {
                    // Lines count against the visitor's and the address's
                    // budgets, whichever tab or socket they come from.
                    if stores_something(&frame) && !floods.allow(conversation, ip) {
                        crate::metrics::rate_limited();
                        let id = <Visitor as socket::Side>::frame_id(&frame);
                        return vec![VisitorEvent::Error(socket::rate_limited(id))];
                    }
                    handle(hub, connection, frame).await.into_iter().collect()
                })
            },
        )
        .await;
        if let socket::Ended::OutboxDropped = ended {
            // The hub dropped our outbox: we fell too far behind.
            socket::close(
                &mut out,
                socket::CLOSE_TRY_AGAIN_LATER,
                "reconnect to catch up",
            )
            .await;
        }
    }
    state.hub.disconnect_visitor(connection);
    tracing::debug!(connection, "visitor disconnected");
}

/// Whether a frame writes to the store (typing and reading history do not).
fn stores_something(frame: &VisitorFrame) -> bool {
    !matches!(
        frame,
        VisitorFrame::Typing { .. } | VisitorFrame::History { .. }
    )
}

/// The visitor side of the protocol, for [`socket::pump`].
struct Visitor;

impl socket::Side for Visitor {
    type Frame = VisitorFrame;
    type Event = VisitorEvent;
    const LATEST_EVERY: std::time::Duration = std::time::Duration::from_millis(1000);
    const TYPES: &'static [&'static str] = VisitorFrame::TYPES;

    fn error(body: ErrorBody) -> VisitorEvent {
        VisitorEvent::Error(body)
    }

    fn frame_id(frame: &VisitorFrame) -> Option<&str> {
        match frame {
            VisitorFrame::Message { id, .. } => Some(id),
            _ => None,
        }
    }
}

fn error(e: HubError) -> VisitorEvent {
    VisitorEvent::Error(e.to_body())
}

/// Applies one frame and returns the direct answer (`ack` or `error`), if
/// the frame has one. Other effects travel through the outbox: the bot's
/// handoff line and `queued` after `request_human`, `rated` after `rate`,
/// the bot's apology after a thumbs-down `feedback`.
async fn handle(hub: &Hub, connection: u64, frame: VisitorFrame) -> Option<VisitorEvent> {
    match frame {
        VisitorFrame::Message { id, text } => {
            if let Err(body) =
                protocol::validate_client_id(&id).and_then(|()| protocol::validate_text(&id, &text))
            {
                return Some(VisitorEvent::Error(body));
            }
            Some(match hub.visitor_message(connection, &id, &text).await {
                Ok(_) => VisitorEvent::Ack { id },
                Err(e) => VisitorEvent::Error(e.to_body().about_message(id)),
            })
        }
        VisitorFrame::RequestHuman => hub.request_human(connection).await.err().map(error),
        VisitorFrame::CancelWait => hub.cancel_wait(connection).await.err().map(error),
        VisitorFrame::Feedback {
            message_id,
            helpful,
        } => hub
            .feedback(connection, &message_id, helpful)
            .await
            .err()
            .map(error),
        VisitorFrame::History { before } => Some(
            hub.visitor_history(connection, before)
                .await
                .unwrap_or_else(error),
        ),
        VisitorFrame::Typing { active } => {
            hub.visitor_typing(connection, active);
            None
        }
        VisitorFrame::LeaveMessage { email, text } => {
            let checked =
                protocol::validate_email(&email).and_then(|()| protocol::validate_text("", &text));
            if let Err(mut body) = checked {
                body.id = None;
                return Some(VisitorEvent::Error(body));
            }
            hub.leave_message(connection, email.trim(), text.trim())
                .await
                .err()
                .map(error)
        }
        VisitorFrame::Rate { score, comment } => {
            if let Err(body) = protocol::validate_rating(score, comment.as_deref()) {
                return Some(VisitorEvent::Error(body));
            }
            let comment = comment
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty());
            hub.rate(connection, score, comment).await.err().map(error)
        }
    }
}
