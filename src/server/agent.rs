//! The agent socket, `GET /ws/agent?token=TOKEN`.
//!
//! The page's origin and the token are checked before the upgrade, so a
//! page from another site gets a plain `403` and an unauthenticated client
//! a plain `401`, never a socket. After that it runs the same loop as the
//! visitor socket ([`socket::pump`]): frames from the console, events from
//! the hub, shutdown.

use axum::extract::ws::WebSocket;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use uuid::Uuid;

use super::api::ApiError;
use super::AppState;
use super::{origin, socket};
use crate::agents;
use crate::hub::{Hub, HubError, Stored};
use crate::protocol::{self, AgentEvent, AgentFrame, ErrorBody, ErrorCode, Role};

/// Query string of the agent socket.
#[derive(Debug, Deserialize)]
pub struct AgentQuery {
    /// From `POST /api/agent/login`.
    pub token: Option<String>,
}

/// Checks the token, then upgrades to an agent socket.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    Query(query): Query<AgentQuery>,
    State(state): State<AppState>,
    slot: super::listen::SlotHandle,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = origin::check_handshake(&state, origin::Socket::Agent, peer, &headers) {
        return refused.into_response();
    }
    let slot = super::listen::hold(slot);
    let Some(token) = query.token else {
        return ApiError::Unauthorized.into_response();
    };
    let agent =
        match agents::agent_for_token(state.hub.store(), &token, time::OffsetDateTime::now_utc())
            .await
        {
            Ok(Some(record)) => record,
            Ok(None) => return ApiError::Unauthorized.into_response(),
            Err(e) => return ApiError::from(e).into_response(),
        };
    socket::configure(ws).on_upgrade(move |socket| async move {
        run(socket, state, token, agent.name, agent.role).await;
        drop(slot);
    })
}

async fn run(socket: WebSocket, state: AppState, token: String, agent: String, role: Role) {
    let (mut out, mut incoming) = socket.split();
    let (outbox, mut inbox) = crate::hub::outbox_of(state.limits.outbox_frames);
    let session = match state.hub.connect_agent(&agent, role, outbox).await {
        Ok(session) => session,
        Err(e) => {
            let _ = socket::send(&mut out, &AgentEvent::Error(e.to_body())).await;
            return;
        }
    };
    let _counted = crate::metrics::connection_opened(crate::metrics::Role::Agent);
    tracing::debug!(%agent, "agent connected");
    state.consoles.opened(&token, session.connection);
    let mut shutdown = state.shutdown.clone();
    if session_ended(&state, &token).await {
        // Signed out between the token check and now: the sign-out could
        // not see this socket yet.
        socket::close(&mut out, socket::CLOSE_SIGNED_OUT, "signed out").await;
    } else if send_greeting(&mut out, session.greeting).await {
        let (hub, name) = (&state.hub, agent.as_str());
        let ended = socket::pump::<Agent, _, _>(
            &mut out,
            &mut incoming,
            &mut inbox,
            &mut shutdown,
            &state.limits,
            |frame| Box::pin(handle(hub, name, frame)),
        )
        .await;
        if let socket::Ended::OutboxDropped = ended {
            // The hub let go of this socket: it fell behind, the agent
            // signed out, or an admin ended the agent's sessions.
            if session_ended(&state, &token).await {
                socket::close(&mut out, socket::CLOSE_SIGNED_OUT, "signed out").await;
            } else {
                socket::close(
                    &mut out,
                    socket::CLOSE_TRY_AGAIN_LATER,
                    "reconnect to catch up",
                )
                .await;
            }
        }
    }
    state.consoles.closed(&token, session.connection);
    state.hub.disconnect_agent(session.connection);
    tracing::debug!(%agent, "agent disconnected");
}

/// Sends the greeting and lets go of it: the queue and the conversations
/// in it are not kept for the socket's lifetime.
async fn send_greeting(out: &mut socket::Outgoing, greeting: Vec<AgentEvent>) -> bool {
    socket::send_all(out, &greeting).await.is_ok()
}

/// Whether `token` no longer signs anyone in (signed out, removed, new
/// password).
async fn session_ended(state: &AppState, token: &str) -> bool {
    matches!(
        agents::agent_for_token(state.hub.store(), token, time::OffsetDateTime::now_utc()).await,
        Ok(None)
    )
}

/// The agent side of the protocol, for [`socket::pump`].
struct Agent;

impl socket::Side for Agent {
    type Frame = AgentFrame;
    type Event = AgentEvent;
    const LATEST_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
    const TYPES: &'static [&'static str] = AgentFrame::TYPES;

    fn error(body: ErrorBody) -> AgentEvent {
        AgentEvent::Error(body)
    }

    fn frame_id(frame: &AgentFrame) -> Option<&str> {
        match frame {
            AgentFrame::Message { id, .. } => Some(id),
            _ => None,
        }
    }
}

fn conversation_id(raw: &str) -> Result<Uuid, ErrorBody> {
    Uuid::parse_str(raw).map_err(|_| ErrorBody::new(ErrorCode::NotFound).about_conversation(raw))
}

/// Runs `act` on the conversation `raw` names. Its direct answer is nothing
/// on success (the effects travel through the outboxes) or an error frame
/// about that conversation.
async fn on_conversation<F, Fut>(raw: &str, act: F) -> Vec<AgentEvent>
where
    F: FnOnce(Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<(), HubError>>,
{
    match conversation_id(raw) {
        Ok(id) => match act(id).await {
            Ok(()) => Vec::new(),
            Err(e) => vec![AgentEvent::Error(e.to_body().about_conversation(raw))],
        },
        Err(body) => vec![AgentEvent::Error(body)],
    }
}

/// Checks and stores a line with a client id (a reply or a note): `ack` or
/// an error frame naming the conversation and the line.
async fn on_line<F, Fut>(raw: &str, id: String, text: &str, store: F) -> Vec<AgentEvent>
where
    F: FnOnce(Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<Stored, HubError>>,
{
    let checked = protocol::validate_client_id(&id)
        .and_then(|()| protocol::validate_text(&id, text))
        .and_then(|()| conversation_id(raw));
    match checked {
        Ok(conversation) => match store(conversation).await {
            Ok(_) => vec![AgentEvent::Ack { id }],
            Err(e) => vec![AgentEvent::Error(
                e.to_body().about_conversation(raw).about_message(id),
            )],
        },
        Err(body) => vec![AgentEvent::Error(body.about_conversation(raw))],
    }
}

/// Applies one frame; returns the direct answers. Effects on other parties
/// (and `claimed`, `conversation` after a claim) travel through the outboxes.
async fn handle(hub: &Hub, agent: &str, frame: AgentFrame) -> Vec<AgentEvent> {
    match frame {
        AgentFrame::Open {
            conversation_id: raw,
        } => match conversation_id(&raw) {
            Ok(id) => vec![hub
                .open(id)
                .await
                .unwrap_or_else(|e| AgentEvent::Error(e.to_body().about_conversation(&raw)))],
            Err(body) => vec![AgentEvent::Error(body)],
        },
        AgentFrame::History {
            conversation_id: raw,
            before,
        } => match conversation_id(&raw) {
            Ok(id) => vec![match hub.history(id, before, false).await {
                Ok((messages, more)) => AgentEvent::History {
                    conversation_id: raw,
                    messages,
                    more,
                },
                Err(e) => AgentEvent::Error(e.to_body().about_conversation(&raw)),
            }],
            Err(body) => vec![AgentEvent::Error(body)],
        },
        AgentFrame::Claim {
            conversation_id: raw,
        } => on_conversation(&raw, |id| hub.claim(agent, id)).await,
        AgentFrame::Message {
            conversation_id: raw,
            id,
            text,
        } => {
            on_line(&raw, id.clone(), &text, |c| {
                hub.agent_message(agent, c, &id, &text)
            })
            .await
        }
        AgentFrame::Note {
            conversation_id: raw,
            id,
            text,
        } => on_line(&raw, id.clone(), &text, |c| hub.note(agent, c, &id, &text)).await,
        AgentFrame::Transfer {
            conversation_id: raw,
            to,
            note,
        } => {
            if let Some(note) = &note {
                if let Err(body) = protocol::validate_length("note", note, protocol::MAX_TEXT_CHARS)
                {
                    return vec![AgentEvent::Error(body.about_conversation(&raw))];
                }
            }
            on_conversation(&raw, |id| {
                hub.transfer(agent, id, to.trim(), note.as_deref())
            })
            .await
        }
        AgentFrame::Release {
            conversation_id: raw,
        } => on_conversation(&raw, |id| hub.release(agent, id)).await,
        AgentFrame::Close {
            conversation_id: raw,
        } => on_conversation(&raw, |id| hub.close(agent, id)).await,
        AgentFrame::Typing {
            conversation_id: raw,
            active,
        } => {
            // Typing is a hint: one that arrives just after a transfer or
            // close has nowhere to go and is dropped without an error.
            if let Ok(id) = conversation_id(&raw) {
                let _ = hub.agent_typing(agent, id, active);
            }
            Vec::new()
        }
        AgentFrame::Status { status } => match hub.set_status(agent, status).await {
            Ok(()) => Vec::new(),
            Err(e) => vec![AgentEvent::Error(e.to_body())],
        },
        AgentFrame::ResolveOffline { id: raw } => match Uuid::parse_str(&raw) {
            Ok(id) => match hub.resolve_offline(id).await {
                Ok(()) => Vec::new(),
                Err(e) => vec![AgentEvent::Error(e.to_body())],
            },
            Err(_) => vec![AgentEvent::Error(ErrorBody::new(ErrorCode::NotFound))],
        },
    }
}
