//! The HTTP and websocket surface, start-up and graceful shutdown.
//!
//! [`start`] builds everything from [`Settings`] — intents, store, hub,
//! router — binds the listener and returns a [`Server`] that knows its real
//! address (tests bind port 0). Handlers live in one file per surface:
//! [`visitor`] and [`agent`] sockets, [`api`] for HTTP, [`team`] for the
//! admins' team management, [`reports`] for the owner's figures, [`web`]
//! for the pages.
//! [`socket`] holds what both sockets share: decoding frames, flood limits.
//! [`client_ip`] says who a request comes from (behind trusted proxies too),
//! [`origin`] which pages may open the sockets, [`headers`] the security
//! headers every response carries, [`error`] the endpoints' error type,
//! [`health`] answers load balancers (liveness, readiness) and Prometheus.

pub mod agent;
pub mod api;
pub mod client_ip;
pub mod consoles;
pub mod error;
pub mod flood;
pub mod headers;
pub mod health;
pub mod listen;
pub mod origin;
pub mod reload;
pub mod reports;
pub mod socket;
pub mod team;
pub mod visitor;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::routing::{delete, get, post};
use axum::Router;
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::encoder::Embedder;
use crate::hours::BusinessHours;
use crate::hub::{Hub, HubOptions};
use crate::intents::{self, Diagnostic};
use crate::store::StoreError;

/// What handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The switchboard.
    pub hub: Hub,
    /// Flips to `true` when the server is stopping; sockets close then.
    pub shutdown: watch::Receiver<bool>,
    /// Serialises changes to the team (first-run setup, adding and removing
    /// agents), so setup creates exactly one agent, a name is taken once,
    /// and two admins removing each other cannot leave the team without one.
    pub team_lock: Arc<tokio::sync::Mutex<()>>,
    /// The live intents' status, kept by the reload task.
    pub intents_status: reload::SharedStatus,
    /// Timeouts and per-client caps.
    pub limits: Arc<crate::limits::Limits>,
    /// Line budgets per visitor and per address.
    pub floods: flood::Floods,
    /// Reverse proxies whose `X-Forwarded-For` is believed; see
    /// [`client_ip::client_ip`].
    pub trusted_proxies: Arc<client_ip::TrustedProxies>,
    /// Origins the owner allows to open the sockets; see [`origin`].
    pub allowed_origins: Arc<origin::AllowedOrigins>,
    /// Failed sign-ins per account name and per client address. A std
    /// mutex: each use is a map look-up, never held across an await.
    pub login_throttle: Arc<Mutex<crate::agents::throttle::LoginThrottle>>,
    /// The agent sockets each session token opened, for sign-out.
    pub consoles: Arc<consoles::ConsolesByToken>,
    /// Readiness: the store's write record, the probe, the disk.
    pub health: Arc<health::HealthMonitor>,
}

impl AppState {
    /// The client's address for a request from `peer` with `headers`.
    pub fn client_ip(&self, peer: SocketAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if headers.contains_key("x-forwarded-for")
            && !self.trusted_proxies.contains(peer.ip())
            && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            tracing::warn!(
                peer = %peer.ip(),
                "requests carry X-Forwarded-For from an address not in trusted_proxies: if it is your reverse proxy, add it, or every visitor counts as that one address for the per-address limits"
            );
        }
        client_ip::client_ip(peer, headers, &self.trusted_proxies)
    }
}

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartError {
    #[error("the intent files have errors:\n{}", list(.0))]
    Intents(Vec<Diagnostic>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("[business_hours] in the config: {0}")]
    BusinessHours(String),
    #[error("the sentence encoder ([encoder] model in the config): {0}")]
    Encoder(#[from] crate::encoder::EncoderError),
    #[error("cannot watch the intents directory: {0}")]
    Watch(#[from] notify::Error),
    #[error("cannot listen on {addr} (metrics_addr): {source}")]
    BindMetrics {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

fn list(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The application's routes, for a given state.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/ws/visitor", get(visitor::upgrade))
        .route("/ws/agent", get(agent::upgrade))
        .route("/api/agent/login", post(api::login))
        .route("/api/agent/logout", post(api::logout))
        .route("/api/agent/setup", get(api::setup_status).post(api::setup))
        .route("/api/health", get(health::ready))
        .route("/api/health/live", get(health::live))
        .route("/api/health/ready", get(health::ready))
        .route("/metrics", get(health::metrics))
        .route("/api/intents/status", get(reload::status))
        .route("/api/intents/unmatched", get(api::unmatched))
        .route("/api/agents", get(team::list).post(team::add))
        .route("/api/agents/{name}", delete(team::remove))
        .route("/api/agents/{name}/password", post(team::set_password))
        .route("/api/reports", get(reports::report))
        .merge(web::router())
        .layer(axum::middleware::from_fn(headers::add))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A running server.
pub struct Server {
    /// The address it actually listens on.
    pub addr: SocketAddr,
    hub: Hub,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
    /// Watches the intents directory while the server runs.
    reloader: reload::Reloader,
    /// Requeues unanswered chats; ends with the shutdown signal.
    desk_clock: JoinHandle<()>,
    /// Cluster mode's bus, presence and leadership; same ending.
    cluster: JoinHandle<()>,
    /// Sends agents the coalesced queue and any unannounced places; same
    /// ending.
    queue_clock: JoinHandle<()>,
    /// Deletes what the retention setting says is due; same ending.
    retention: JoinHandle<()>,
    /// The unauthenticated `/metrics` listener on `metrics_addr`, if set.
    metrics: Option<JoinHandle<std::io::Result<()>>>,
    /// The address `metrics_addr` actually bound (port 0 picks one).
    pub metrics_addr: Option<SocketAddr>,
}

/// Loads intents, opens the store, binds, and starts serving.
pub async fn start(settings: &Settings) -> Result<Server, StartError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|e| StoreError::Sled(e.into()))?;
    let embedder = Embedder::from_settings(
        &settings.encoder.model,
        settings.encoder.worker(),
        Some(&settings.data_dir),
    )?;
    let (intents, encoded) = reload::load(settings.intents_dir.clone(), embedder.clone())
        .await
        .map_err(|e| StartError::Intents(vec![panicked(&settings.intents_dir, &e)]))?;
    let intents = intents.map_err(StartError::Intents)?;
    tracing::info!(
        intents = intents.intents.len(),
        warnings = intents.warnings.len(),
        dir = %settings.intents_dir.display(),
        sentence_vectors = intents.matcher.uses_vectors(),
        examples_encoded = encoded,
        "intents loaded"
    );
    let intents_status = Arc::new(Mutex::new(reload::IntentsStatus::loaded(&intents, encoded)));
    let store = settings.store.open(&settings.data_dir).await?;
    tracing::info!(engine = store.engine(), "store opened");
    let corruption = health::startup_check(&store).await;
    // Installs the Prometheus recorder now, so the first events count.
    crate::metrics::handle();
    // Sessions last 12 hours; forget the ones that ended while we were down.
    let purged = store
        .purge_expired_sessions(time::OffsetDateTime::now_utc())
        .await?;
    if purged > 0 {
        tracing::info!(purged, "expired agent sessions removed");
    }
    let hours = match &settings.business_hours {
        Some(spec) => Some(BusinessHours::parse(spec).map_err(StartError::BusinessHours)?),
        None => None,
    };
    let hub = Hub::new(
        store,
        intents,
        HubOptions {
            hours,
            desk: settings.desk.clone(),
            embedder,
        },
    )
    .await?;
    let reloader = reload::watch(
        settings.intents_dir.clone(),
        hub.clone(),
        intents_status.clone(),
    )?;
    let (stop, shutdown) = watch::channel(false);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: settings.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: settings.addr,
        source,
    })?;
    let floods = flood::Floods::new(&settings.limits);
    tokio::spawn(forget_idle_floods(floods.clone(), shutdown.clone()));
    let health = health::HealthMonitor::new(
        hub.store().clone(),
        settings.data_dir.clone(),
        settings.store.min_free_bytes(),
        Some(corruption),
    );
    let app = router(AppState {
        hub: hub.clone(),
        shutdown: shutdown.clone(),
        team_lock: Arc::default(),
        intents_status,
        limits: Arc::new(settings.limits.clone()),
        floods: floods.clone(),
        trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
        allowed_origins: Arc::new(settings.allowed_origins.clone()),
        login_throttle: Arc::default(),
        consoles: Arc::default(),
        health,
    });
    let (metrics, metrics_addr) = match settings.metrics_addr {
        Some(addr) => {
            let (task, bound) = health::serve_metrics(addr, shutdown.clone()).await?;
            (Some(task), Some(bound))
        }
        None => (None, None),
    };
    let desk_clock = tokio::spawn(hub.clone().run_desk_clock(shutdown.clone()));
    let cluster = tokio::spawn(hub.clone().run_cluster(shutdown.clone()));
    let queue_clock = tokio::spawn(hub.clone().run_queue_clock(shutdown.clone()));
    let retention = tokio::spawn(
        hub.clone()
            .run_retention(settings.retention, shutdown.clone()),
    );
    let capacity = listen::raise_descriptor_limit(&settings.limits);
    let task = tokio::spawn(listen::serve(
        listener,
        app,
        Arc::new(settings.limits.clone()),
        Arc::new(settings.trusted_proxies.clone()),
        capacity,
        shutdown,
    ));
    tracing::info!(%addr, "listening");
    Ok(Server {
        addr,
        hub,
        stop,
        task,
        reloader,
        desk_clock,
        cluster,
        queue_clock,
        retention,
        metrics,
        metrics_addr,
    })
}

/// Forgets idle flood budgets every minute until shutdown.
async fn forget_idle_floods(floods: flood::Floods, mut shutdown: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(flood::FORGET_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => floods.forget_idle(),
            _ = crate::shutdown::stopping(&mut shutdown) => return,
        }
    }
}

fn panicked(dir: &std::path::Path, e: &tokio::task::JoinError) -> Diagnostic {
    Diagnostic {
        location: intents::SourceLocation {
            file: dir.to_path_buf(),
            line: 1,
            column: 1,
        },
        message: format!("loading the intents failed: {e}"),
        severity: intents::Severity::Error,
    }
}

impl Server {
    /// The switchboard (tests use it to reach the store).
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<(), StoreError> {
        tokio::select! {
            _ = signal => {}
            // The serve task only ends by itself on a fatal accept error.
            _ = wait_task(&self.task) => {}
        }
        self.shutdown().await
    }

    /// Closes every socket, waits for the handlers, and flushes the store.
    pub async fn shutdown(self) -> Result<(), StoreError> {
        // Receivers may all be gone already; then there is no one to tell.
        let _ = self.stop.send(true);
        self.reloader.stop().await;
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "server stopped with an error"),
            Err(e) => tracing::error!(error = %e, "server task failed"),
        }
        if let Err(e) = self.desk_clock.await {
            tracing::error!(error = %e, "desk clock task failed");
        }
        if let Err(e) = self.cluster.await {
            tracing::error!(error = %e, "cluster task failed");
        }
        if let Err(e) = self.queue_clock.await {
            tracing::error!(error = %e, "queue clock task failed");
        }
        if let Err(e) = self.retention.await {
            tracing::error!(error = %e, "retention task failed");
        }
        if let Some(metrics) = self.metrics {
            match metrics.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "metrics listener stopped with an error"),
                Err(e) => tracing::error!(error = %e, "metrics listener task failed"),
            }
        }
        // Socket tasks end on the same signal but on their own schedule;
        // wait (briefly) until they have let go of the hub, so the database
        // is closed — and its lock released — when this returns.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while self.hub.handles() > 1 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.hub.store().flush().await?;
        let encoder = self.hub.embedder().stats();
        if self.hub.embedder().is_on() {
            tracing::info!(
                encoded = encoder.encoded,
                from_cache = encoder.cached,
                busy = encoder.busy,
                "sentence encoder: messages encoded, read from the cache, and answered by the n-grams alone because its queue was full"
            );
        }
        tracing::info!("stopped; store flushed");
        Ok(())
    }
}

async fn wait_task(task: &JoinHandle<std::io::Result<()>>) {
    while !task.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}
