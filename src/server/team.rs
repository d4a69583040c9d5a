//! Team management for admins: `GET/POST /api/agents`,
//! `DELETE /api/agents/{name}`, `POST /api/agents/{name}/password`.
//!
//! The same rules as `tandem agent add/remove/passwd` (they share
//! [`crate::agents`]), plus two that only make sense from the console: an
//! admin cannot remove themself, and nobody can remove the last admin.
//! Changes run under the team lock, so two admins removing each other at
//! once cannot leave the team without one. Ending an agent's sessions also
//! closes the consoles they have open: their sign-in is over now, not at
//! their next reconnect.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use time::OffsetDateTime;

use super::api::{require_admin, ApiError};
use super::AppState;
use crate::agents::{self, AgentRecord};
use crate::protocol::{NewAgentRequest, NewPasswordRequest, TeamMember};

fn member(record: &AgentRecord, online: &[String]) -> TeamMember {
    TeamMember {
        name: record.name.clone(),
        role: record.role,
        created_at: record.created_at,
        online: online.contains(&record.name),
    }
}

/// `GET /api/agents`: every account, by name, with its role and whether it
/// has a console open.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    require_admin(&state, &headers).await?;
    let online = state.hub.online_agents();
    let mut team: Vec<TeamMember> = state
        .hub
        .store()
        .agents()
        .await?
        .iter()
        .map(|a| member(a, &online))
        .collect();
    team.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(team))
}

/// `POST /api/agents` `{name, password, role}`: a new account (`201`).
pub async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NewAgentRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<TeamMember>), ApiError> {
    let admin = require_admin(&state, &headers).await?;
    let Json(request) = body.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let _one_change = state.team_lock.lock().await;
    let created = agents::add_agent(
        state.hub.store(),
        request.name.trim(),
        &request.password,
        request.role,
        OffsetDateTime::now_utc(),
    )
    .await?;
    tracing::info!(by = %admin.name, agent = %created.name, role = ?created.role, "agent added");
    Ok((StatusCode::CREATED, Json(member(&created, &[]))))
}

/// `DELETE /api/agents/{name}`: removes the account, ends its sessions and
/// closes its consoles (`204`). Not the last admin, not oneself.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let admin = require_admin(&state, &headers).await?;
    let _one_change = state.team_lock.lock().await;
    let store = state.hub.store();
    agents::check_removal(&store.agents().await?, &admin.name, &name)?;
    agents::remove_agent(store, &name).await?;
    let consoles = state.hub.disconnect_agent_everywhere(&name);
    // Their visitors must not wait on someone who will never answer.
    // The account is gone either way; a failure here is logged, not undone.
    let requeued = state.hub.requeue_held_by(&name).await.unwrap_or_else(|e| {
        tracing::error!(agent = %name, error = %e, "could not requeue the removed agent's chats");
        0
    });
    tracing::info!(by = %admin.name, agent = %name, consoles, requeued, "agent removed");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/agents/{name}/password` `{password}`: sets a new password,
/// ends the agent's sessions and closes their consoles (`204`), as
/// `tandem agent passwd` does.
pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Result<Json<NewPasswordRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let admin = require_admin(&state, &headers).await?;
    let Json(request) = body.map_err(|e| ApiError::BadBody(e.body_text()))?;
    // Under the lock: a reset racing a removal must not bring the account back.
    let _one_change = state.team_lock.lock().await;
    agents::set_password(state.hub.store(), &name, &request.password).await?;
    let consoles = state.hub.disconnect_agent_everywhere(&name);
    tracing::info!(by = %admin.name, agent = %name, consoles, "password reset");
    Ok(StatusCode::NO_CONTENT)
}
