//! The PostgreSQL schema and its versioned migrations.
//!
//! Every migration runs once, in order, inside one transaction that holds
//! an advisory lock, so nodes starting together migrate once. The version
//! reached is kept in `tandem_schema`. A database migrated by a newer
//! Tandem than this one is refused: this binary would not know what the
//! newer columns mean.

use tokio_postgres::Client;

use super::PgError;

/// The advisory lock key that serialises migrations ("tandem" in ASCII).
const MIGRATION_LOCK: i64 = 0x74_61_6e_64_65_6d;

/// Each entry moves the schema one version up; never edit a released one,
/// add the next.
const MIGRATIONS: &[&str] = &[
    // 1: the tables behind `Store`. Records are JSON text, as in sled, with
    // the columns queries select on beside them. Text, not jsonb: jsonb
    // refuses the escaped NUL (`\u0000`) a visitor may well type, and a
    // write PostgreSQL refuses would be retried forever.
    r#"
    CREATE TABLE conversations (
        id UUID PRIMARY KEY,
        resume_token TEXT NOT NULL,
        visitor UUID NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX conversations_by_token ON conversations (resume_token, created_at DESC);
    CREATE INDEX conversations_by_visitor ON conversations (visitor, created_at);
    CREATE INDEX conversations_active ON conversations (status)
        WHERE status IN ('queued', 'assigned');
    CREATE INDEX conversations_by_time ON conversations (created_at);
    CREATE TABLE messages (
        conversation_id UUID NOT NULL,
        seq BIGINT NOT NULL,
        client_id TEXT,
        line TEXT NOT NULL,
        PRIMARY KEY (conversation_id, seq)
    );
    CREATE INDEX messages_by_client_id ON messages (conversation_id, client_id)
        WHERE client_id IS NOT NULL;
    CREATE TABLE agents (
        name TEXT PRIMARY KEY,
        record TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        record TEXT NOT NULL
    );
    CREATE TABLE offline_messages (
        id UUID PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL,
        handled BOOLEAN NOT NULL,
        record TEXT NOT NULL
    );
    CREATE TABLE unmatched (
        at TIMESTAMPTZ NOT NULL,
        conversation_id UUID NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (at, conversation_id)
    );
    CREATE TABLE health_probe (
        id INT PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL
    );
    "#,
    // 2: who is signed in on which node (`postgres/cluster.rs`).
    r#"
    CREATE TABLE presence (
        node UUID NOT NULL,
        agent TEXT NOT NULL,
        status TEXT NOT NULL,
        seen_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (node, agent)
    );
    "#,
    // 3: failed sign-ins per account name, shared by every node
    // (`postgres/accounts.rs`), so a guesser cannot spread over nodes.
    r#"
    CREATE TABLE login_failures (
        name TEXT PRIMARY KEY,
        failures INT NOT NULL,
        locked_until TIMESTAMPTZ,
        last_at TIMESTAMPTZ NOT NULL
    );
    "#,
];

/// The schema version this binary writes and understands.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Brings the schema up to [`SCHEMA_VERSION`]; returns the migrations run.
pub async fn migrate(client: &mut Client) -> Result<usize, PgError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS tandem_schema (version INT NOT NULL)")
        .await?;
    let current: i32 = match tx
        .query_opt("SELECT version FROM tandem_schema", &[])
        .await?
    {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO tandem_schema (version) VALUES (0)", &[])
                .await?;
            0
        }
    };
    if current > SCHEMA_VERSION {
        return Err(PgError::SchemaTooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    let pending = &MIGRATIONS[current as usize..];
    for sql in pending {
        tx.batch_execute(sql).await?;
    }
    tx.execute("UPDATE tandem_schema SET version = $1", &[&SCHEMA_VERSION])
        .await?;
    tx.commit().await?;
    Ok(pending.len())
}
