//! The shutdown signal shared by every long-running task.
//!
//! One `watch` channel: the server flips it to `true` when it stops; socket
//! tasks and the desk clock wait on it and end. (A `watch` rather than a
//! `broadcast` because late subscribers must see that shutdown already
//! began.)

use tokio::sync::watch;

/// Resolves once shutdown has begun (or its sender is gone).
pub async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns must not live across the caller's awaits.
    let _ = shutdown.wait_for(|stopping| *stopping).await.map(|_| ());
}
