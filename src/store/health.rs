//! What the store knows about its own health, for readiness
//! (`GET /api/health/ready`): whether the last flush failed, a small write
//! probe, and the free space left on the data directory's filesystem.
//!
//! The store only reports facts here; deciding whether they make the
//! server unready is [`crate::health`]'s job, and rate-limiting the probe is
//! the server's (`server/health.rs`).

use std::path::Path;

use time::OffsetDateTime;

use super::{SledStore, StoreError};

/// The store's write record, as the group commit saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreHealth {
    /// Set while the latest flush failed: writes since then may not be
    /// durable, so nothing is being acknowledged.
    pub failing: Option<WriteFailure>,
    /// When a flush last succeeded after a failure (for the log and the
    /// readiness body: "recovered at …").
    pub recovered_at: Option<OffsetDateTime>,
}

/// A failed flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFailure {
    /// sled's error, for the operator (never sent to visitors).
    pub error: String,
    /// When the failures began (the first of a run of failed flushes).
    pub since: OffsetDateTime,
}

/// The key the write probe overwrites in the `health` tree.
const PROBE_KEY: &[u8] = b"probe";

impl SledStore {
    /// Writes and flushes one small record in the store's own `health`
    /// tree: proof that sled can still write to disk right now. Goes
    /// through the group commit, so a failure here also shows in
    /// [`SledStore::health`].
    pub async fn probe_write(&self, now: OffsetDateTime) -> Result<(), StoreError> {
        let stamp = now.unix_timestamp_nanos().to_be_bytes();
        self.probe.insert(PROBE_KEY, &stamp[..])?;
        self.flush().await
    }
}

/// Bytes an unprivileged process may still write on the filesystem that
/// holds `dir` (statvfs: available blocks × fragment size).
#[cfg(unix)]
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(dir)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Free space is not measured on this platform: `None` means unknown.
#[cfg(not(unix))]
pub fn free_bytes(_dir: &Path) -> std::io::Result<u64> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "free space is only measured on Unix",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_directory_has_some_free_space() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_bytes(dir.path()).unwrap() > 0);
    }

    #[tokio::test]
    async fn a_write_probe_on_a_healthy_store_succeeds_and_leaves_it_healthy() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        store.probe_write(OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(store.health(), StoreHealth::default());
    }
}
