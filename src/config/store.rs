//! `[store]`: which store Tandem keeps its data in, and how it opens it.

use serde::Deserialize;

/// `[store]` in `tandem.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// `postgres://user@host/db` runs on PostgreSQL (cluster mode,
    /// docs/cluster.md); unset, the embedded store in the data directory.
    pub url: Option<String>,
    /// PostgreSQL connections each node keeps for reads (the writes share
    /// one transaction at a time).
    pub pool_size: usize,
    /// PostgreSQL connections each node may hold batons on: one per
    /// decision in flight (docs/cluster.md, "How the nodes agree").
    pub baton_pool: usize,
    /// Milliseconds a PostgreSQL operation may wait — for a connection
    /// from a pool, to connect, or for a baton another node holds — before
    /// the request fails with `unavailable` instead of hanging.
    pub timeout_ms: u64,
    /// Most megabytes sled caches in memory (sled's own default, 1024, let
    /// the process grow to 600-720 MB).
    pub cache_mb: u64,
    /// Below this many free megabytes on the data directory's disk the
    /// server reports itself not ready.
    pub min_free_mb: u64,
    /// Milliseconds a flush waits for more messages to share its fsync.
    pub flush_linger_ms: u64,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            url: None,
            pool_size: 16,
            baton_pool: 32,
            timeout_ms: 5000,
            cache_mb: 64,
            min_free_mb: 256,
            flush_linger_ms: crate::store::DEFAULT_FLUSH_LINGER_MS,
        }
    }
}

impl StoreSettings {
    /// How the store is opened.
    pub fn options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            cache_bytes: self.cache_mb.saturating_mul(1024 * 1024),
            flush_linger: std::time::Duration::from_millis(self.flush_linger_ms),
        }
    }

    /// The free-space minimum in bytes.
    pub fn min_free_bytes(&self) -> u64 {
        self.min_free_mb.saturating_mul(1024 * 1024)
    }

    /// Opens the store these settings name: PostgreSQL when `url` is set,
    /// else the embedded store under `data_dir` (created if missing).
    pub async fn open(
        &self,
        data_dir: &std::path::Path,
    ) -> Result<crate::store::Store, crate::store::StoreError> {
        use crate::store::{PgOptions, PgStore, SledStore, Store, StoreError};
        match &self.url {
            Some(url) => Ok(Store::Postgres(
                PgStore::open(
                    url,
                    PgOptions {
                        pool_size: self.pool_size,
                        baton_pool: self.baton_pool,
                        timeout: std::time::Duration::from_millis(self.timeout_ms.max(1)),
                        flush_linger: self.options().flush_linger,
                    },
                )
                .await?,
            )),
            None => {
                std::fs::create_dir_all(data_dir).map_err(|e| {
                    StoreError::Sled(sled::Error::Io(std::io::Error::new(
                        e.kind(),
                        format!("cannot create {}: {e}", data_dir.display()),
                    )))
                })?;
                Ok(Store::Sled(SledStore::open_with(data_dir, self.options())?))
            }
        }
    }
}
