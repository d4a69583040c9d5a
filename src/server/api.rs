//! Plain HTTP endpoints: agent sign-in and sign-out, health, and the
//! guards ([`require_agent`], [`require_admin`]) the other endpoints use.

use std::net::SocketAddr;
use std::sync::{OnceLock, PoisonError};
use std::time::Instant;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use time::OffsetDateTime;

use super::error::retry_after;
pub use super::error::ApiError;
use super::AppState;
use crate::agents::{self, AgentRecord, Session, SESSION_LIFETIME};
use crate::intents::unmatched::{self, UnmatchedGroup};
use crate::protocol::{AgentView, LoginRequest, LoginResponse, Role};

/// A hash to verify against when the agent does not exist, so that a wrong
/// name takes as long as a wrong password and names cannot be probed.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| agents::hash_password("decoy password").unwrap_or_default())
}

/// `POST /api/agent/login`. Throttled per account name and per client
/// address (see [`crate::agents::throttle`]): while locked, even the right
/// password gets `429` with `Retry-After`.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let ip = state.client_ip(peer, &headers);
    // Counted as a failure before the (slow) check and cleared on success,
    // so a burst of parallel guesses meets the lock too.
    let lock = {
        let mut throttle = state
            .login_throttle
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if let Err(wait) = throttle.check(&request.name, ip, now) {
            drop(throttle);
            tracing::warn!(account = ?request.name, %ip, retry_after_secs = retry_after(wait), "sign-in refused: too many failures");
            crate::metrics::login_throttled();
            return Err(ApiError::TooManyAttempts(wait));
        }
        throttle.record_failure(&request.name, ip, now)
    };
    let store = state.hub.store().clone();
    // Cluster mode: the account's failures on every node count.
    if let Some(pg) = store.cluster() {
        let policy = crate::agents::throttle::ThrottlePolicy::ACCOUNT;
        if let Err(wait) = pg.login_attempt(&request.name, &policy).await? {
            tracing::warn!(account = ?request.name, %ip, retry_after_secs = retry_after(wait), "sign-in refused: too many failures across the cluster");
            crate::metrics::login_throttled();
            return Err(ApiError::TooManyAttempts(wait));
        }
    }
    let agent = store.agent(&request.name).await?;
    let hash = agent
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    // argon2 is slow on purpose: keep it off the async workers.
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || agents::verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Task(e.to_string()))?;
    let Some(agent) = agent.filter(|_| matches) else {
        if lock.is_zero() {
            tracing::info!(account = ?request.name, %ip, "failed sign-in");
        } else {
            tracing::warn!(account = ?request.name, %ip, lock_secs = retry_after(lock), "failed sign-in; sign-in locked");
        }
        return Err(ApiError::BadCredentials);
    };
    state
        .login_throttle
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .record_success(&request.name, ip);
    if let Some(pg) = store.cluster() {
        pg.login_succeeded(&request.name).await?;
    }
    let token = start_session(&state, &agent.name).await?;
    tracing::info!(agent = %agent.name, "signed in");
    Ok(Json(LoginResponse {
        token,
        agent: AgentView { name: agent.name },
    }))
}

/// `GET /api/agent/setup`: whether the console should offer to create the
/// first agent (true only while no agent exists).
pub async fn setup_status(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let needed = state.hub.store().agents().await?.is_empty();
    Ok(Json(serde_json::json!({ "needed": needed })))
}

/// `POST /api/agent/setup`: creates the first agent and signs them in.
///
/// A fresh install has no agents and the owner should not have to stop the
/// server to make one, so — as self-hosted tools commonly do — the console
/// offers a one-time form. It works only while no agent exists; the lock
/// makes two simultaneous first-run requests create one account, not two.
pub async fn setup(
    State(state): State<AppState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let _only_one = state.team_lock.lock().await;
    let store = state.hub.store().clone();
    if !store.agents().await?.is_empty() {
        return Err(ApiError::SetupDone);
    }
    let agent = agents::add_agent(
        &store,
        request.name.trim(),
        &request.password,
        Role::Admin,
        OffsetDateTime::now_utc(),
    )
    .await?;
    tracing::info!(agent = %agent.name, "first agent created from the console");
    let token = start_session(&state, &agent.name).await?;
    Ok(Json(LoginResponse {
        token,
        agent: AgentView { name: agent.name },
    }))
}

/// Stores a new session for `agent` and returns its token.
async fn start_session(state: &AppState, agent: &str) -> Result<String, ApiError> {
    let token = agents::new_token();
    let store = state.hub.store();
    store
        .put_session(
            &token,
            &Session {
                agent: agent.to_owned(),
                expires_at: OffsetDateTime::now_utc() + SESSION_LIFETIME,
            },
        )
        .await?;
    store.flush().await?;
    Ok(token)
}

/// `POST /api/agent/logout` with `Authorization: Bearer TOKEN`: ends the
/// session and closes every console opened with it.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    state.hub.store().delete_session(token).await?;
    state.hub.store().flush().await?;
    // The session is gone first, so the consoles close as signed out (1008)
    // and cannot reconnect with the token.
    let consoles = state.consoles.take(token);
    for &connection in &consoles {
        state.hub.disconnect_agent(connection);
    }
    if !consoles.is_empty() {
        tracing::info!(consoles = consoles.len(), "signed out; consoles closed");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in agent behind `Authorization: Bearer TOKEN`, or
/// [`ApiError::Unauthorized`].
pub async fn require_agent(state: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    state
        .hub
        .store()
        .session(token)
        .await?
        .filter(|s| s.expires_at > OffsetDateTime::now_utc())
        .ok_or(ApiError::Unauthorized)
}

/// The signed-in admin behind `Authorization: Bearer TOKEN`:
/// [`ApiError::Unauthorized`] without a live session (or when the account
/// is gone), [`ApiError::Forbidden`] for an agent without the admin role.
/// Owner endpoints use it: team management, and the intents status and
/// unanswered questions, which show file paths and visitors' words.
pub async fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<AgentRecord, ApiError> {
    let session = require_agent(state, headers).await?;
    let agent = state
        .hub
        .store()
        .agent(&session.agent)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if agent.role != Role::Admin {
        tracing::info!(agent = %agent.name, "refused an admin request from an agent");
        return Err(ApiError::Forbidden);
    }
    Ok(agent)
}

/// Query of `GET /api/intents/unmatched`.
#[derive(Debug, serde::Deserialize)]
pub struct UnmatchedQuery {
    /// RFC 3339 time or an age such as `7d`.
    pub since: Option<String>,
}

/// `GET /api/intents/unmatched?since=7d` (admins only): the questions the
/// bot could not answer, grouped, most common first. This is how
/// `tandem intents unmatched` reads them while the server holds the database.
pub async fn unmatched(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<UnmatchedQuery>,
) -> Result<Json<Vec<UnmatchedGroup>>, ApiError> {
    require_admin(&state, &headers).await?;
    let since = match query.since.as_deref() {
        Some(s) => Some(
            unmatched::parse_since(s, OffsetDateTime::now_utc()).ok_or_else(|| {
                ApiError::BadQuery(format!(
                    "`since` is not a time or an age: {s} (try 7d, 24h or an RFC 3339 time)"
                ))
            })?,
        ),
        None => None,
    };
    let questions = state.hub.store().unmatched_since(since).await?;
    let (set, embedder) = (state.hub.intents(), state.hub.embedder().clone());
    // Grouping by meaning encodes the questions: CPU work, off the reactor.
    let groups =
        tokio::task::spawn_blocking(move || unmatched::group_for(&set, &embedder, &questions))
            .await
            .map_err(|e| ApiError::Task(format!("grouping the unanswered questions: {e}")))?;
    Ok(Json(groups))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::HubError;
    use crate::protocol::{ErrorBody, ErrorCode};
    use crate::store::StoreError;
    use axum::response::IntoResponse;

    // The whole path — a disk that refuses writes, a visitor told
    // `unavailable`, readiness 503 — is tested for real in
    // tests/api/health.rs (a file-size limit on a real server); these pin
    // the mapping of each kind of store error.
    #[test]
    fn a_store_that_cannot_write_tells_clients_unavailable_not_internal() {
        let full = || StoreError::Sled(sled::Error::Io(std::io::Error::other("No space left")));
        let response = ApiError::Store(full()).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = futures_util::FutureExt::now_or_never(axum::body::to_bytes(
            response.into_body(),
            usize::MAX,
        ))
        .and_then(Result::ok)
        .unwrap_or_default();
        let body: ErrorBody = serde_json::from_slice(&body).expect("an error body");
        assert_eq!(body.code, ErrorCode::Unavailable);
        assert_eq!(body.message, super::super::error::STORE_UNAVAILABLE);
        let flush = StoreError::FlushAborted("No space left on device".into());
        assert_eq!(
            ApiError::Store(flush).into_response().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let body = HubError::Store(full()).to_body();
        assert_eq!(body.code, ErrorCode::Unavailable);
        assert_eq!(
            body.message,
            "Tandem cannot store messages right now; try again shortly."
        );
    }

    #[test]
    fn an_unreadable_record_is_still_internal() {
        let corrupt = || StoreError::Corrupt(serde_json::from_str::<u8>("x").unwrap_err());
        assert_eq!(
            ApiError::Store(corrupt()).into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            HubError::Store(corrupt()).to_body().code,
            ErrorCode::Internal
        );
    }
}
