//! The HTTP endpoints' error type: one enum, a status and a stable code
//! per variant. Internal details go to the log, never to the client.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use thiserror::Error;

use crate::agents::{AccountError, PasswordProblem};
use crate::protocol::{ErrorBody, ErrorCode};
use crate::store::StoreError;

/// Errors of the HTTP endpoints. Internal details go to the log, never to
/// the client.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("bad credentials")]
    BadCredentials,
    /// Sign-in is locked for this name or address for this long more.
    #[error("too many failed sign-ins; retry in {0:?}")]
    TooManyAttempts(Duration),
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
    /// A new password the policy refuses.
    #[error("weak password: {0}")]
    WeakPassword(PasswordProblem),
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
    /// A websocket handshake from a page whose origin may not open it.
    #[error("origin not allowed")]
    OriginNotAllowed,
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
            AccountError::WeakPassword(problem) => ApiError::WeakPassword(problem),
            AccountError::BadName => ApiError::InvalidAccount(e.to_string()),
        }
    }
}

/// What an HTTP client is told while the store cannot be reached.
pub const STORE_UNAVAILABLE: &str =
    "Tandem cannot reach its database right now; try again shortly.";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            ApiError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorBody::new(ErrorCode::BadCredentials),
            ),
            ApiError::TooManyAttempts(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorBody::with_message(
                    ErrorCode::TooManyAttempts,
                    match retry_after(*wait) {
                        1 => "Too many failed sign-ins; try again in 1 second.".to_owned(),
                        n => format!("Too many failed sign-ins; try again in {n} seconds."),
                    },
                ),
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
            ApiError::WeakPassword(problem) => (
                StatusCode::BAD_REQUEST,
                ErrorBody::with_message(
                    ErrorCode::WeakPassword,
                    format!("{}.", capitalise_first(&problem.to_string())),
                ),
            ),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, ErrorBody::new(ErrorCode::Forbidden)),
            ApiError::OriginNotAllowed => (
                StatusCode::FORBIDDEN,
                ErrorBody::with_message(
                    ErrorCode::Forbidden,
                    "Pages from this origin may not open this socket (see allowed_origins).",
                ),
            ),
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
                // The store's own sentence is about messages; an HTTP
                // request (a sign-in, a team change, a report) is not one.
                let body = crate::hub::store_error_body(e);
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorBody::with_message(body.code, STORE_UNAVAILABLE),
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
        let mut response = (status, Json(json)).into_response();
        if let ApiError::TooManyAttempts(wait) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after(wait).into());
        }
        response
    }
}

/// Whole seconds to wait, rounded up, at least 1 (the `Retry-After` value).
pub(super) fn retry_after(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
