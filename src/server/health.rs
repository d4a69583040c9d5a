//! `GET /api/health/live`, `GET /api/health/ready` (and `/api/health`, the
//! same as ready) and `GET /metrics`: the surface load balancers and
//! monitoring read.
//!
//! Readiness is decided by [`crate::health::assess`]; this file gathers the
//! observations. The costly ones — a write probe that flushes to disk, and
//! statvfs on the data directory — run at most once per
//! [`PROBE_INTERVAL`], however often a balancer asks: concurrent requests
//! share the one probe in flight, and later ones reuse its result.
//!
//! Also here: the start-up check that feeds readiness, and the listener on
//! the owner's `metrics_addr`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use time::OffsetDateTime;
use tokio::time::Instant;

use super::api::{require_admin, ApiError};
use super::AppState;
use crate::health::{self, Corruption, Observations};
use crate::store::{health::free_bytes, Store};

/// How long a probe's result stands before the next request probes again.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(5);

/// A write probe slower than this counts as failed: a disk that takes
/// seconds to take 16 bytes is not one to send visitors to.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// What readiness needs besides the store handle: the settings it checks
/// against, the start-up check's findings, and the last probe.
pub struct HealthMonitor {
    /// The store to probe.
    store: Store,
    /// The data directory, whose filesystem's free space counts.
    data_dir: PathBuf,
    /// The free-space minimum, in bytes.
    min_free_bytes: u64,
    /// What the start-up check found (stays until a restart: the data does
    /// not repair itself).
    corruption: Option<Corruption>,
    /// The last probe: when, and what it saw. An async mutex: it is held
    /// across the probe's flush, so that concurrent requests wait for the
    /// one probe rather than starting their own.
    last: tokio::sync::Mutex<Option<(Instant, Probed)>>,
}

/// What one probe saw.
#[derive(Clone)]
struct Probed {
    failure: Option<String>,
    free_bytes: Option<u64>,
}

impl HealthMonitor {
    /// Free bytes on the data directory's filesystem, if they can be read.
    async fn free_bytes(&self) -> Option<u64> {
        let dir = self.data_dir.clone();
        // statvfs is a quick syscall, but on a network filesystem it can
        // hang: keep it off the reactor, and stop waiting after the probe's
        // timeout (the blocked thread is the blocking pool's to finish).
        let measure = tokio::task::spawn_blocking(move || free_bytes(&dir));
        match tokio::time::timeout(PROBE_TIMEOUT, measure).await {
            Ok(Ok(Ok(free))) => Some(free),
            Ok(Ok(Err(e))) => {
                tracing::warn!(error = %e, "cannot measure the free space of the data directory");
                None
            }
            Ok(Err(_)) | Err(_) => None,
        }
    }

    /// A monitor for `store`; `corruption` is the start-up check's finding.
    pub fn new(
        store: Store,
        data_dir: PathBuf,
        min_free_bytes: u64,
        corruption: Option<Corruption>,
    ) -> Arc<HealthMonitor> {
        Arc::new(HealthMonitor {
            store,
            data_dir,
            min_free_bytes,
            corruption,
            last: tokio::sync::Mutex::new(None),
        })
    }

    /// Gathers the observations, probing if the last probe is too old.
    pub async fn observe(&self) -> Observations {
        let probed = {
            let mut last = self.last.lock().await;
            match &*last {
                Some((at, probed)) if at.elapsed() < PROBE_INTERVAL => probed.clone(),
                _ => {
                    let probed = self.probe().await;
                    *last = Some((Instant::now(), probed.clone()));
                    probed
                }
            }
        };
        Observations {
            // Read fresh every time: it costs a lock, and a failing flush
            // should show at once.
            store: self.store.health(),
            probe_failure: probed.failure,
            free_bytes: probed.free_bytes,
            min_free_bytes: self.min_free_bytes,
            corruption: self.corruption,
        }
    }

    async fn probe(&self) -> Probed {
        let free_bytes = match self.store.as_sled() {
            Some(_) => self.free_bytes().await,
            // On PostgreSQL the data directory holds nothing: the database
            // server watches its own disk.
            None => None,
        };
        let write = self.store.probe_write(OffsetDateTime::now_utc());
        let failure = match tokio::time::timeout(PROBE_TIMEOUT, write).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some(format!("it took over {} seconds", PROBE_TIMEOUT.as_secs())),
        };
        if let Some(why) = &failure {
            tracing::error!(error = %why, "the store's write probe failed");
        }
        Probed {
            failure,
            free_bytes,
        }
    }
}

/// `GET /api/health/live`: 200 while the process serves requests at all.
pub async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// `GET /api/health/ready` and `GET /api/health`: 200 `{"status":"ok"}`
/// when an acknowledged message would be stored, else 503
/// `{"status":"unavailable","reasons":[{"code","message"}…]}`.
pub async fn ready(State(state): State<AppState>) -> Response {
    let seen = state.health.observe().await;
    let verdict = health::assess(&seen);
    let free_mb = seen.free_bytes.map(|b| b / (1024 * 1024));
    let recovered_at = seen.store.recovered_at.and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    });
    if verdict.is_ready() {
        Json(serde_json::json!({
            "status": "ok",
            "free_disk_mb": free_mb,
            "store_recovered_at": recovered_at,
        }))
        .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "status": "unavailable",
                "reasons": verdict.reasons,
                "free_disk_mb": free_mb,
            })),
        )
            .into_response()
    }
}

/// `GET /metrics` on the main address: admins only (the figures describe
/// the business). The separate `metrics_addr` serves [`metrics_open`].
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers).await?;
    Ok(metrics_open().await)
}

/// `GET /metrics` without sign-in, for the owner's private `metrics_addr`.
pub async fn metrics_open() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::render(),
    )
        .into_response()
}

/// How long start-up may spend reading conversation records for damage.
const STARTUP_CHECK_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads the conversation records (as many as fit in two seconds) and logs
/// loudly what does not decode: a damaged store is never served silently —
/// readiness reports it too. The full check is `tandem check`.
pub(super) async fn startup_check(store: &Store) -> crate::health::Corruption {
    // PostgreSQL checks its own pages; the record check is sled's.
    let Some(reading) = store.as_sled().cloned() else {
        return crate::health::Corruption::default();
    };
    let report = match tokio::task::spawn_blocking(move || {
        reading.quick_check(STARTUP_CHECK_BUDGET)
    })
    .await
    {
        Ok(report) => report,
        Err(e) => {
            tracing::error!(error = %e, "the start-up check of the store failed to run");
            crate::store::check::CheckReport::default()
        }
    };
    for problem in report.problems.iter().take(20) {
        tracing::error!(%problem, "stored data is damaged");
    }
    if report.problems.is_empty() {
        tracing::info!(summary = %report, "start-up check of the store");
    } else {
        tracing::error!(
            problems = report.problems.len(),
            checked = report.records(),
            "THE STORE IS DAMAGED: {report}. Readiness reports unavailable; stop the server and run `tandem check`"
        );
    }
    crate::health::Corruption {
        problems: report.problems.len(),
        checked: report.records(),
    }
}

/// Serves `/metrics` without sign-in on the owner's `metrics_addr`.
pub(super) async fn serve_metrics(
    addr: SocketAddr,
    mut until: tokio::sync::watch::Receiver<bool>,
) -> Result<(tokio::task::JoinHandle<std::io::Result<()>>, SocketAddr), super::StartError> {
    let bind = |source| super::StartError::BindMetrics { addr, source };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(bind)?;
    let bound = listener.local_addr().map_err(bind)?;
    let app = axum::Router::new().route("/metrics", axum::routing::get(metrics_open));
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // An error means the Server handle is gone: stop as well.
                let _ = until.wait_for(|stopping| *stopping).await;
            })
            .await
    });
    tracing::info!(addr = %bound, "serving /metrics without sign-in");
    Ok((task, bound))
}
