//! The visitor socket, `GET /ws/visitor[?resume=TOKEN]`.
//!
//! One task per socket. It registers a bounded outbox with the hub, sends the
//! greeting, then runs the shared loop ([`socket::pump`]): frames from the
//! visitor (each handled to completion — stored, flushed, acknowledged —
//! before the next, so a visitor's lines keep their order), events from the
//! hub's outbox, and the shutdown signal.

use axum::extract::ws::WebSocket;
use axum::extract::{Query, State, WebSocketUpgrade};
use axum::response::Response;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::socket;
use super::AppState;
use crate::hub::{Hub, HubError, OUTBOX_CAPACITY};
use crate::protocol::{self, ErrorBody, VisitorEvent, VisitorFrame};

/// Query string of the visitor socket.
#[derive(Debug, Deserialize)]
pub struct VisitorQuery {
    /// The token from an earlier `welcome`.
    pub resume: Option<String>,
}

/// Upgrades to a visitor socket.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    Query(query): Query<VisitorQuery>,
    State(state): State<AppState>,
) -> Response {
    socket::configure(ws).on_upgrade(move |socket| run(socket, state, query.resume))
}

async fn run(socket: WebSocket, state: AppState, resume: Option<String>) {
    let (mut out, mut incoming) = socket.split();
    let (outbox, mut events) = mpsc::channel(OUTBOX_CAPACITY);
    let session = match state.hub.connect_visitor(resume.as_deref(), outbox) {
        Ok(session) => session,
        Err(e) => {
            let _ = socket::send(&mut out, &VisitorEvent::Error(e.to_body())).await;
            return;
        }
    };
    let conversation = session.conversation;
    let _counted = crate::metrics::connection_opened(crate::metrics::Role::Visitor);
    tracing::debug!(%conversation, "visitor connected");
    let mut shutdown = state.shutdown.clone();
    if socket::send_all(&mut out, &session.greeting).await.is_ok() {
        let hub = &state.hub;
        let connection = session.connection;
        let ended = socket::pump::<Visitor, _, _>(
            &mut out,
            &mut incoming,
            &mut events,
            &mut shutdown,
            |frame| async move { handle(hub, connection, frame).await.into_iter().collect() },
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
    state.hub.disconnect_visitor(session.connection);
    tracing::debug!(connection = session.connection, "visitor disconnected");
}

/// The visitor side of the protocol, for [`socket::pump`].
struct Visitor;

impl socket::Side for Visitor {
    type Frame = VisitorFrame;
    type Event = VisitorEvent;
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
