//! Opening the database: its options (the cache size) and the lock that
//! keeps a second process out.

use std::path::Path;

use super::{group_commit, SledStore, StoreError};

/// How the database is opened (`[store]` in `tandem.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Most bytes sled keeps in its page cache. sled's own default is 1 GiB,
    /// which a small desk never needs (RSS reached 600-720 MB with it).
    pub cache_bytes: u64,
    /// How long a flush waits for more writers to join it before it runs
    /// (see `group_commit`): a little latency for far fewer fsyncs.
    pub flush_linger: std::time::Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cache_bytes: 64 * 1024 * 1024,
            flush_linger: std::time::Duration::from_millis(DEFAULT_FLUSH_LINGER_MS),
        }
    }
}

/// The default of `[store] flush_linger_ms`.
pub const DEFAULT_FLUSH_LINGER_MS: u64 = 2;

impl SledStore {
    /// Opens (or creates) the database under `dir` with the default options.
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        SledStore::open_with(dir, StoreOptions::default())
    }

    /// Opens (or creates) the database under `dir`.
    pub fn open_with(dir: &Path, options: StoreOptions) -> Result<SledStore, StoreError> {
        let config = sled::Config::new()
            .path(dir.join("tandem.sled"))
            .cache_capacity(options.cache_bytes);
        let db = open_waiting_for_the_lock(&config).map_err(|e| match e {
            e if is_locked(&e) => StoreError::Locked(dir.to_path_buf()),
            other => StoreError::Sled(other),
        })?;
        Ok(SledStore {
            conversations: db.open_tree("conversations")?,
            messages: db.open_tree("messages")?,
            client_ids: db.open_tree("client_ids")?,
            resume_tokens: db.open_tree("resume_tokens")?,
            visitor_conversations: db.open_tree("visitor_conversations")?,
            agents: db.open_tree("agents")?,
            sessions: db.open_tree("sessions")?,
            offline_messages: db.open_tree("offline_messages")?,
            unmatched: db.open_tree("unmatched")?,
            probe: db.open_tree("health")?,
            commits: group_commit::GroupCommit::for_sled(&db, options.flush_linger),
            db,
        })
    }
}

/// How long opening waits for a lock that is being let go: a database
/// closed a moment ago (a restart in the same process) may still be held
/// by sled's background threads for a few milliseconds. Another process
/// holding it is reported after this.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Opens `config`, retrying while the lock is held, for up to [`LOCK_WAIT`].
pub(super) fn open_waiting_for_the_lock(config: &sled::Config) -> sled::Result<sled::Db> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match config.open() {
            Err(e) if is_locked(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result,
        }
    }
}

fn is_locked(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}
