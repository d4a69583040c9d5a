//! Plain HTTP endpoints: agent sign-in and sign-out, health, and the
//! guards ([`require_agent`], [`require_admin`]) the other endpoints use.

use std::sync::OnceLock;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use thiserror::Error;
use time::OffsetDateTime;

use super::AppState;
use crate::agents::{self, AccountError, AgentRecord, Session, SESSION_LIFETIME};
use crate::intents::unmatched::{self, UnmatchedGroup};
use crate::protocol::{AgentView, ErrorBody, ErrorCode, LoginRequest, LoginResponse, Role};
use crate::store::StoreError;

/// Errors of the HTTP endpoints. Internal details go to the log, never to
/// the client.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("bad credentials")]
    BadCredentials,
    #[error("unauthorized")]
    Unauthorized,
    #[error("bad request body: {0}")]
    BadBody(String),
    /// A query parameter with an unusable value; the sentence says which
    /// and what would work.
    #[error("bad query: {0}")]
    BadQuery(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("background task failed: {0}")]
    Task(String),
    #[error("first-run setup is over: agents exist")]
    SetupDone,
    #[error("{0}")]
    InvalidAccount(String),
    #[error("only admins may do that")]
    Forbidden,
    #[error("an agent called {0:?} already exists")]
    AgentExists(String),
    #[error("there is no agent called {0:?}")]
    NoSuchAgent(String),
    #[error("{0:?} is the last admin")]
    LastAdmin(String),
    #[error("an admin tried to remove their own account")]
    RemovingSelf,
}

impl From<AccountError> for ApiError {
    /// Team management's view of account errors; internal ones stay internal.
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Store(e) => ApiError::Store(e),
            AccountError::Hash(why) => ApiError::Task(why),
            AccountError::Exists(name) => ApiError::AgentExists(name),
            AccountError::NotFound(name) => ApiError::NoSuchAgent(name),
            AccountError::LastAdmin(name) => ApiError::LastAdmin(name),
            AccountError::RemovingSelf => ApiError::RemovingSelf,
            AccountError::BadName | AccountError::WeakPassword => {
                ApiError::InvalidAccount(e.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            ApiError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorBody::new(ErrorCode::BadCredentials),
            ),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorBody::new(ErrorCode::Unauthorized),
            ),
            ApiError::BadBody(detail) => (
                StatusCode::BAD_REQUEST,
                ErrorBody::with_message(ErrorCode::BadJson, detail.clone()),
            ),
            ApiError::BadQuery(why) => (
                StatusCode::BAD_REQUEST,
                ErrorBody::with_message(ErrorCode::InvalidField, why.clone()),
            ),
            ApiError::SetupDone => (StatusCode::CONFLICT, ErrorBody::new(ErrorCode::SetupDone)),
            ApiError::InvalidAccount(why) => (
                StatusCode::BAD_REQUEST,
                ErrorBody::with_message(
                    ErrorCode::InvalidField,
                    format!("{}.", capitalise_first(why)),
                ),
            ),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, ErrorBody::new(ErrorCode::Forbidden)),
            ApiError::AgentExists(name) => (
                StatusCode::CONFLICT,
                ErrorBody::with_message(
                    ErrorCode::AgentExists,
                    format!("An agent called {name:?} exists already; pick another name."),
                ),
            ),
            ApiError::NoSuchAgent(name) => (
                StatusCode::NOT_FOUND,
                ErrorBody::with_message(
                    ErrorCode::NotFound,
                    format!("There is no agent called {name:?}."),
                ),
            ),
            ApiError::LastAdmin(name) => (
                StatusCode::CONFLICT,
                ErrorBody::with_message(
                    ErrorCode::LastAdmin,
                    format!(
                        "{name} is the last admin; make another admin first, or nobody could manage the team."
                    ),
                ),
            ),
            ApiError::RemovingSelf => (
                StatusCode::BAD_REQUEST,
                ErrorBody::new(ErrorCode::CannotRemoveSelf),
            ),
            ApiError::Store(e) if e.is_unavailable() => {
                tracing::error!(error = %self, "request failed: the store cannot write");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    crate::hub::store_error_body(e),
                )
            }
            ApiError::Store(_) | ApiError::Task(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorBody::new(ErrorCode::Internal),
                )
            }
        };
        let mut json = serde_json::to_value(&body).unwrap_or_default();
        json["type"] = "error".into();
        (status, Json(json)).into_response()
    }
}

/// A hash to verify against when the agent does not exist, so that a wrong
/// name takes as long as a wrong password and names cannot be probed.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| agents::hash_password("decoy password").unwrap_or_default())
}

/// `POST /api/agent/login`.
pub async fn login(
    State(state): State<AppState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let store = state.hub.store().clone();
    let agent = store.agent(&request.name)?;
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
        tracing::info!(name = %request.name, "failed sign-in");
        return Err(ApiError::BadCredentials);
    };
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
    let needed = state.hub.store().agents()?.is_empty();
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
    if !store.agents()?.is_empty() {
        return Err(ApiError::SetupDone);
    }
    let name = request.name.trim().to_owned();
    let password = request.password;
    let created = tokio::task::spawn_blocking(move || {
        agents::add_agent(
            &store,
            &name,
            &password,
            Role::Admin,
            OffsetDateTime::now_utc(),
        )
    })
    .await
    .map_err(|e| ApiError::Task(e.to_string()))?;
    let agent = match created {
        Ok(agent) => agent,
        Err(AccountError::Store(e)) => return Err(ApiError::Store(e)),
        Err(other) => return Err(ApiError::InvalidAccount(other.to_string())),
    };
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
    store.put_session(
        &token,
        &Session {
            agent: agent.to_owned(),
            expires_at: OffsetDateTime::now_utc() + SESSION_LIFETIME,
        },
    )?;
    store.flush().await?;
    Ok(token)
}

fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `POST /api/agent/logout` with `Authorization: Bearer TOKEN`.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    state.hub.store().delete_session(token)?;
    state.hub.store().flush().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in agent behind `Authorization: Bearer TOKEN`, or
/// [`ApiError::Unauthorized`].
pub fn require_agent(state: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    state
        .hub
        .store()
        .session(token)?
        .filter(|s| s.expires_at > OffsetDateTime::now_utc())
        .ok_or(ApiError::Unauthorized)
}

/// The signed-in admin behind `Authorization: Bearer TOKEN`:
/// [`ApiError::Unauthorized`] without a live session (or when the account
/// is gone), [`ApiError::Forbidden`] for an agent without the admin role.
/// Owner endpoints use it: team management, and the intents status and
/// unanswered questions, which show file paths and visitors' words.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<AgentRecord, ApiError> {
    let session = require_agent(state, headers)?;
    let agent = state
        .hub
        .store()
        .agent(&session.agent)?
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
    require_admin(&state, &headers)?;
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
    let questions = state.hub.store().unmatched_since(since)?;
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

    // The whole path — a disk that refuses writes, a visitor told
    // `unavailable`, readiness 503 — is tested for real in
    // tests/api/health.rs (a file-size limit on a real server); these pin
    // the mapping of each kind of store error.
    #[test]
    fn a_store_that_cannot_write_tells_clients_unavailable_not_internal() {
        let full = || StoreError::Sled(sled::Error::Io(std::io::Error::other("No space left")));
        let response = ApiError::Store(full()).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
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
