//! `GET /api/reports?since=7d` (admins only): the owner's figures for a
//! period, from [`crate::reports::summarise`].
//!
//! The handler only reads: the conversations created in the period and the
//! questions the bot could not answer, then hands them to the pure summary.
//! Reading is a full scan of the conversations on sled (see
//! [`crate::store::Store::conversations_since`]); summarising them runs on
//! the blocking pool rather than on an async worker.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use time::OffsetDateTime;

use super::api::{require_admin, ApiError};
use super::AppState;
use crate::intents::unmatched::parse_since;
use crate::reports::{self, Report};

/// The period when the request names none.
pub const DEFAULT_SINCE: &str = "7d";

/// Query of `GET /api/reports`.
#[derive(Debug, serde::Deserialize)]
pub struct ReportQuery {
    /// RFC 3339 time or an age such as `24h`, `7d`, `30d`; 7 days when absent.
    pub since: Option<String>,
}

/// `GET /api/reports?since=7d`: the [`Report`] for conversations created
/// since then. `403 forbidden` for agents, `400 invalid_field` for a
/// `since` that is neither a time nor an age.
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Report>, ApiError> {
    require_admin(&state, &headers).await?;
    let now = OffsetDateTime::now_utc();
    let asked = query.since.as_deref().unwrap_or(DEFAULT_SINCE);
    let since = parse_since(asked, now).ok_or_else(|| {
        ApiError::BadQuery(format!(
            "`since` must be an age such as 24h, 7d or 30d, or an RFC 3339 time; got {asked:?}."
        ))
    })?;
    let store = state.hub.store();
    let conversations = store.conversations_since(since).await?;
    let unanswered = store.unmatched_since(Some(since)).await?.len();
    // Summarising thousands of conversations is CPU work: off the reactor.
    let report = tokio::task::spawn_blocking(move || {
        reports::summarise(&conversations, unanswered, since, now)
    })
    .await
    .map_err(|e| ApiError::Task(e.to_string()))?;
    Ok(Json(report))
}
