//! PostgreSQL, the store of cluster mode (`--store postgres://…`).
//!
//! The hub writes under its lock and must not wait there, so writes are
//! *staged*: the conversation, line, unanswered-question and left-message
//! writes of an event are queued in memory in decision order (like sled's
//! in-memory writes), and [`PgStore::flush`] commits everything staged so
//! far in one transaction: one `INSERT … SELECT FROM unnest(…)` per table,
//! so a batch costs four statements whatever its size. Callers waiting at
//! the same time share that transaction (the same group commit as sled's
//! fsync), and nothing is acknowledged before its `COMMIT`.
//!
//! Every staged write is an upsert, so a batch whose transaction failed —
//! or whose `COMMIT` reached the server but whose answer was lost — is
//! simply staged again ahead of newer writes and retried by the next
//! flush. Within a batch the last write of a row wins, which is the newest
//! decision, since batches commit one at a time in decision order.
//!
//! Reads first wait for the writes staged before them (`settle`), so a
//! reader sees what the hub decided; account, session and retention writes
//! run directly. The batch's statements: `postgres/batch.rs`; tables and
//! migrations: `postgres/migrate.rs`; reads: `postgres/reads.rs`.

use std::sync::{Arc, Mutex};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;

use super::group_commit::GroupCommit;
use super::StoreError;
use crate::conversation::{ConversationRecord, StoredMessage};
use crate::intents::unmatched::UnmatchedQuestion;
use crate::store::OfflineMessage;

mod accounts;
mod batch;
mod cluster;
mod migrate;
mod reads;

use batch::commit_staged;

pub use cluster::{Baton, BusEvent, Leadership};
pub use migrate::SCHEMA_VERSION;

/// What can go wrong with PostgreSQL.
#[derive(Debug, Error)]
pub enum PgError {
    #[error("PostgreSQL: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("PostgreSQL connection pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("the store address is not a PostgreSQL connection string: {0}")]
    Address(String),
    #[error(
        "the database schema is version {found}, newer than this Tandem understands ({known}); \
         run a Tandem at least as new as the one that migrated it"
    )]
    SchemaTooNew { found: i32, known: i32 },
}

/// How to reach PostgreSQL (`[store]` in `tandem.toml`).
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Connections for reads and direct writes (the flusher has its own).
    pub pool_size: usize,
    /// Connections that hold batons (cluster mode's decisions in flight).
    pub baton_pool: usize,
    /// How long to wait for a connection, a connect, or a baton.
    pub timeout: std::time::Duration,
    /// How long a flush waits for more writers before it commits.
    pub flush_linger: std::time::Duration,
}

/// A cheap, cloneable handle to a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    staged: Arc<Mutex<Vec<Write>>>,
    commits: Arc<GroupCommit>,
    cluster: cluster::Cluster,
}

/// One staged write (see the module docs).
#[derive(Debug, Clone)]
enum Write {
    Conversation {
        id: Uuid,
        resume_token: String,
        visitor: Uuid,
        created_at: OffsetDateTime,
        status: String,
        json: String,
    },
    Line {
        conversation: Uuid,
        seq: i64,
        client_id: Option<String>,
        json: String,
    },
    Unmatched {
        at: OffsetDateTime,
        conversation: Uuid,
        json: String,
    },
    Offline {
        id: Uuid,
        at: OffsetDateTime,
        handled: bool,
        json: String,
    },
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host/db`), creating or migrating
    /// the schema.
    pub async fn open(url: &str, options: PgOptions) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| PgError::Address(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.timeout);
        }
        let pool = pool_of(&config, options.pool_size, options.timeout)?;
        let mut client = pool.get().await.map_err(PgError::from)?;
        let ran = migrate::migrate(&mut client).await?;
        if ran > 0 {
            tracing::info!(
                migrations = ran,
                version = SCHEMA_VERSION,
                "PostgreSQL schema migrated"
            );
        }
        drop(client);
        let node = Uuid::new_v4();
        let batons = pool_of(&config, options.baton_pool, options.timeout)?;
        let staged: Arc<Mutex<Vec<Write>>> = Arc::default();
        let commits = {
            let (pool, staged) = (pool.clone(), staged.clone());
            GroupCommit::new_with(options.flush_linger, move || {
                let (pool, staged) = (pool.clone(), staged.clone());
                Box::pin(async move { commit_staged(&pool, &staged, node).await })
            })
        };
        Ok(PgStore {
            pool,
            staged,
            commits,
            cluster: cluster::Cluster {
                node,
                config,
                batons,
                lock_timeout: options.timeout,
            },
        })
    }

    /// Makes every staged write durable (one shared transaction).
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.commits.flush().await
    }

    /// Whether the last flush failed, and since when (for readiness).
    pub fn health(&self) -> super::StoreHealth {
        self.commits.health()
    }

    /// Waits until the writes staged before the call are committed, so a
    /// read sees them.
    async fn settle(&self) -> Result<(), StoreError> {
        if self.staged().is_empty() && !self.commits.running() {
            return Ok(());
        }
        self.flush().await
    }

    fn staged(&self) -> std::sync::MutexGuard<'_, Vec<Write>> {
        // A Vec of plain values; a panic elsewhere cannot break it.
        self.staged.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await.map_err(PgError::from)?)
    }

    // --- staged writes (the hub, under its lock) -----------------------------

    /// Stages a conversation record (new or changed).
    pub fn save_conversation(&self, record: &ConversationRecord) -> Result<(), StoreError> {
        let write = conversation_write(record)?;
        self.staged().push(write);
        Ok(())
    }

    /// Stages a new conversation: the same upsert (its token and visitor
    /// are columns of its row).
    pub fn create_conversation(&self, record: &ConversationRecord) -> Result<(), StoreError> {
        self.save_conversation(record)
    }

    /// Stages lines and their conversation record.
    pub fn append_messages(
        &self,
        record: &ConversationRecord,
        lines: &[StoredMessage],
    ) -> Result<(), StoreError> {
        let mut writes = Vec::with_capacity(lines.len() + 1);
        for line in lines {
            writes.push(Write::Line {
                conversation: record.id,
                seq: i64::try_from(line.seq).unwrap_or(i64::MAX),
                client_id: line.client_id.clone(),
                json: serde_json::to_string(line)?,
            });
        }
        writes.push(conversation_write(record)?);
        self.staged().extend(writes);
        Ok(())
    }

    /// Stages a question the bot could not answer.
    pub fn record_unmatched(&self, question: &UnmatchedQuestion) -> Result<(), StoreError> {
        let write = Write::Unmatched {
            at: question.at,
            conversation: question.conversation,
            json: serde_json::to_string(question)?,
        };
        self.staged().push(write);
        Ok(())
    }

    /// Stages a left message (new or updated).
    pub fn put_offline_message(&self, message: &OfflineMessage) -> Result<(), StoreError> {
        let write = Write::Offline {
            id: message.id,
            at: message.at,
            handled: message.handled,
            json: serde_json::to_string(message)?,
        };
        self.staged().push(write);
        Ok(())
    }
}

/// A pool of up to `size` connections that waits at most `timeout` for
/// one (or for a connect).
fn pool_of(
    config: &tokio_postgres::Config,
    size: usize,
    timeout: std::time::Duration,
) -> Result<Pool, PgError> {
    let manager = Manager::from_config(
        config.clone(),
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size.max(2))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .build()
        .map_err(|e| PgError::Address(e.to_string()))
}

fn conversation_write(record: &ConversationRecord) -> Result<Write, StoreError> {
    let status = serde_json::to_value(record.status)?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok(Write::Conversation {
        id: record.id,
        resume_token: record.resume_token.clone(),
        visitor: record.visitor(),
        created_at: record.created_at,
        status,
        json: serde_json::to_string(record)?,
    })
}
