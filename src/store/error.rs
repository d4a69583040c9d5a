//! What can go wrong with the database, and which failures clients hear as
//! "try again shortly" rather than "failed".

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong with the database.
#[derive(Debug, Error)]
pub enum StoreError {
    /// Another process (usually a running `tandem serve`) has the database.
    #[error(
        "the data directory {0} is in use by another Tandem process (is `tandem serve` running?); \
         stop it first, or point --data-dir elsewhere"
    )]
    Locked(PathBuf),
    /// sled failed (disk full, permissions, corruption).
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    /// PostgreSQL failed (unreachable, refused, or a query error).
    #[error("{0}")]
    Postgres(#[from] super::PgError),
    /// A stored record no longer parses.
    #[error("a stored record is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// The flush did not complete: sled failed to write, or the runtime
    /// is shutting down.
    #[error("the database flush did not complete: {0}")]
    FlushAborted(String),
}

impl StoreError {
    /// Whether the database could not read or write at all (disk full, I/O
    /// error, a flush that failed) — a condition that may pass, which
    /// clients hear as `unavailable` rather than `internal`. A record that
    /// no longer parses is not: retrying will not help.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Sled(_) | StoreError::FlushAborted(_) => true,
            // A newer schema will not go away by retrying.
            StoreError::Postgres(e) => !matches!(e, super::PgError::SchemaTooNew { .. }),
            _ => false,
        }
    }
}
