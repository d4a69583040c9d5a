//! The accept loop: what happens to a TCP connection before axum sees it.
//!
//! `axum::serve` has no header-read timeout and no way to refuse a
//! connection, so Tandem runs its own loop on hyper (the same parts axum
//! uses): every connection gets TCP keepalive (a peer that vanished is
//! found by the kernel), a deadline for its request headers (slowloris), a
//! count per address ([`Limits::connections_per_ip`]), and an
//! [`Admission`] decided from how many descriptors are left
//! ([`crate::limits::admit`]). The connection's [`Slot`] rides along in the
//! request's extensions; a websocket handler keeps it for the socket's
//! lifetime, so an upgraded connection stays counted until it closes.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use super::client_ip::TrustedProxies;
use crate::limits::{self, Admission, Limits};

/// How long a graceful shutdown waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(5);

/// Open connections, in all and per address.
#[derive(Default)]
struct Counts {
    open: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One admitted connection. Dropping the last handle frees its place.
pub struct Slot {
    ip: Option<IpAddr>,
    admission: Admission,
    counts: Arc<Mutex<Counts>>,
}

impl Slot {
    /// Whether this connection came in while the process was near its
    /// descriptor ceiling (visitor sockets are refused then).
    pub fn reserved(&self) -> bool {
        self.admission == Admission::Reserved
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = lock(&self.counts);
        counts.open = counts.open.saturating_sub(1);
        if let Some(ip) = self.ip {
            if let Some(n) = counts.per_ip.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    counts.per_ip.remove(&ip);
                }
            }
        }
    }
}

fn lock(counts: &Mutex<Counts>) -> std::sync::MutexGuard<'_, Counts> {
    counts
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Raises the soft open-file limit to the hard one and returns how many
/// client connections the process can hold.
pub fn raise_descriptor_limit(limits: &Limits) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .map(|(soft, _)| soft)
                .unwrap_or(1024)
        }
    };
    let capacity = limits::capacity(limit, limits);
    tracing::info!(
        open_files = limit,
        connections = capacity,
        "connection capacity (open-file limit less what the process needs)"
    );
    capacity
}

/// Serves `app` on `listener` until `stop` turns true.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Arc<Limits>,
    trusted: Arc<TrustedProxies>,
    capacity: usize,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let counts = Arc::new(Mutex::new(Counts::default()));
    // One clone per connection task: the drain waits for them to go.
    let in_flight = Arc::new(());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout());
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(60))
        .with_interval(Duration::from_secs(10));
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            _ = crate::shutdown::stopping(&mut stop) => break,
        };
        // A trusted reverse proxy carries many clients on its connections:
        // it is not held to one client's share (limit per client there).
        let share = match trusted.contains(peer.ip()) {
            true => None,
            false => Some(peer.ip()),
        };
        let Some(slot) = admit(&counts, share, capacity, &limits) else {
            tracing::debug!(%peer, "connection refused: at the limit for its address or in all");
            crate::metrics::connection_refused("limit");
            drop(tcp);
            continue;
        };
        configure(&tcp, &keepalive);
        let slot = Arc::new(slot);
        let app = app.clone();
        let service = tower::service_fn(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(slot.clone());
            let app = app.clone();
            async move {
                match app.oneshot(request).await {
                    Ok(response) => Ok::<_, Infallible>(response),
                    Err(never) => match never {},
                }
            }
        });
        let mut connection = http
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service))
            .with_upgrades();
        let mut stopping = stop.clone();
        let task = in_flight.clone();
        tokio::spawn(async move {
            let result = tokio::select! {
                result = &mut connection => result,
                _ = crate::shutdown::stopping(&mut stopping) => {
                    // Finish the request in flight, then close; an idle
                    // keep-alive connection closes at once. (Websockets
                    // are upgraded away by now and close on the same signal.)
                    std::pin::Pin::new(&mut connection).graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(task);
        });
    }
    drop(listener);
    let deadline = tokio::time::Instant::now() + DRAIN;
    while Arc::strong_count(&in_flight) > 1 {
        if tokio::time::Instant::now() >= deadline {
            tracing::warn!("requests still in flight after {DRAIN:?}; stopping anyway");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Admits a connection from `ip` (`None`: a trusted proxy, counted only
/// in the total).
fn admit(
    counts: &Arc<Mutex<Counts>>,
    ip: Option<IpAddr>,
    capacity: usize,
    limits: &Limits,
) -> Option<Slot> {
    let mut c = lock(counts);
    let from_ip = ip.and_then(|ip| c.per_ip.get(&ip).copied()).unwrap_or(0);
    let admission = limits::admit(c.open, from_ip, capacity, limits);
    if admission == Admission::Refuse {
        return None;
    }
    c.open += 1;
    if let Some(ip) = ip {
        *c.per_ip.entry(ip).or_default() += 1;
    }
    Some(Slot {
        ip,
        admission,
        counts: counts.clone(),
    })
}

/// Chat frames are small and latency-bound: no Nagle delay. Keepalive
/// probes find peers that vanished without a FIN.
fn configure(tcp: &TcpStream, keepalive: &socket2::TcpKeepalive) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "could not set TCP_NODELAY");
    }
    if let Err(e) = socket2::SockRef::from(tcp).set_tcp_keepalive(keepalive) {
        tracing::warn!(error = %e, "could not set TCP keepalive");
    }
}

/// Out of descriptors (or memory) is temporary: wait a moment instead of
/// spinning; connections queue in the kernel's backlog meanwhile.
async fn accept_failed(e: &std::io::Error) {
    tracing::warn!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// What a websocket handler holds for its socket's lifetime.
pub type SlotHandle = Option<axum::Extension<Arc<Slot>>>;

/// Keeps `slot` counted until the returned value is dropped.
pub fn hold(slot: SlotHandle) -> Option<Arc<Slot>> {
    slot.map(|axum::Extension(s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_connection_frees_its_place() {
        let counts = Arc::new(Mutex::new(Counts::default()));
        let limits = Limits {
            connections_per_ip: 2,
            ..Limits::default()
        };
        let ip: IpAddr = [10, 0, 0, 1].into();
        let a = admit(&counts, Some(ip), 1000, &limits).unwrap();
        let _b = admit(&counts, Some(ip), 1000, &limits).unwrap();
        assert!(admit(&counts, Some(ip), 1000, &limits).is_none());
        assert!(admit(&counts, Some([10, 0, 0, 2].into()), 1000, &limits).is_some());
        drop(a);
        assert!(admit(&counts, Some(ip), 1000, &limits).is_some());
        // A trusted proxy is held only to the total.
        let through_proxy: Vec<_> = (0..10)
            .map(|_| admit(&counts, None, 1000, &limits))
            .collect();
        assert!(through_proxy.iter().all(Option::is_some));
    }

    #[test]
    fn the_last_places_are_kept_for_health_checks_and_agents() {
        let counts = Arc::new(Mutex::new(Counts::default()));
        let limits = Limits {
            reserved_connections: 1,
            ..Limits::default()
        };
        let ip: IpAddr = [10, 0, 0, 1].into();
        let first = admit(&counts, Some(ip), 2, &limits).unwrap();
        assert!(!first.reserved());
        let second = admit(&counts, Some(ip), 2, &limits).unwrap();
        assert!(second.reserved());
        assert!(admit(&counts, Some(ip), 2, &limits).is_none());
    }
}
