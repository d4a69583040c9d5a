//! `tandem check --store postgres://…`: the same questions as the embedded
//! store's check, asked of PostgreSQL. Its pages are the database's to
//! check; what it cannot know is whether Tandem's records hold together:
//! that every record decodes, that each conversation's lines run 1, 2, …
//! up to its `next_seq` with none missing or past the end, that no line
//! belongs to a conversation that does not exist, and no session to an
//! agent who does not.
//!
//! Read-only: it connects on its own (no migration), and reads in pages so
//! a large database is not loaded at once.

use std::collections::{HashMap, HashSet};

use serde::de::DeserializeOwned;
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

use super::CheckReport;
use crate::agents::{AgentRecord, Session};
use crate::conversation::{ConversationRecord, StoredMessage};
use crate::intents::unmatched::UnmatchedQuestion;
use crate::store::postgres::SCHEMA_VERSION;
use crate::store::{OfflineMessage, PgError, StoreError};

/// Rows read per query.
const PAGE: i64 = 2000;

/// Checks the Tandem data in the PostgreSQL database at `url`.
pub async fn check_postgres(url: &str) -> Result<CheckReport, StoreError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(PgError::from)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut report = CheckReport {
        complete: true,
        ..CheckReport::default()
    };
    let version: Option<i32> = client
        .query_opt("SELECT version FROM tandem_schema", &[])
        .await
        .ok()
        .flatten()
        .map(|row| row.get(0));
    if version != Some(SCHEMA_VERSION) {
        let found = version.map_or("none".to_owned(), |v| v.to_string());
        report.problem(
            "tandem_schema",
            "version",
            format!("schema version {found}; this Tandem writes {SCHEMA_VERSION} (start `tandem serve` once to migrate)"),
        );
        return Ok(report);
    }
    let found = conversations(&client, &mut report).await?;
    lines(&client, &mut report, &found).await?;
    decodes::<AgentRecord>(&client, &mut report, "agents", "name").await?;
    decodes::<Session>(&client, &mut report, "sessions", "token").await?;
    decodes::<OfflineMessage>(&client, &mut report, "offline_messages", "id::text").await?;
    decodes::<UnmatchedQuestion>(&client, &mut report, "unmatched", "at::text").await?;
    let rows = client
        .query(
            "SELECT token, agent FROM sessions s \
             WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.name = s.agent)",
            &[],
        )
        .await
        .map_err(PgError::from)?;
    for row in rows {
        let (token, agent): (String, String) = (row.get(0), row.get(1));
        report.problem(
            "sessions",
            token,
            format!("belongs to agent {agent:?}, who does not exist"),
        );
    }
    Ok(report)
}

/// Every conversation record decodes, under its own id. Returns each id
/// with its `next_seq` (`None` when the record is unreadable).
async fn conversations(
    client: &Client,
    report: &mut CheckReport,
) -> Result<HashMap<Uuid, Option<u64>>, StoreError> {
    let mut found = HashMap::new();
    let mut after = Uuid::nil();
    let mut read = 0;
    loop {
        let rows = client
            .query(
                "SELECT id, record FROM conversations WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after, &PAGE],
            )
            .await
            .map_err(PgError::from)?;
        for row in &rows {
            let (id, text): (Uuid, &str) = (row.get(0), row.get(1));
            read += 1;
            after = id;
            let next = match serde_json::from_str::<ConversationRecord>(text) {
                Ok(record) if record.id != id => {
                    report.problem(
                        "conversations",
                        id.to_string(),
                        format!("the record says it is {}", record.id),
                    );
                    None
                }
                Ok(record) => Some(record.next_seq),
                Err(e) => {
                    report.problem(
                        "conversations",
                        id.to_string(),
                        format!("the record does not decode: {e}"),
                    );
                    None
                }
            };
            found.insert(id, next);
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    report.checked.push(("conversations", read));
    Ok(found)
}

/// Each conversation's lines run 1, 2, … below its `next_seq`, every line
/// decodes with its own seq, and none belongs to nobody.
async fn lines(
    client: &Client,
    report: &mut CheckReport,
    conversations: &HashMap<Uuid, Option<u64>>,
) -> Result<(), StoreError> {
    let spans = client
        .query(
            "SELECT conversation_id, count(*), min(seq), max(seq) FROM messages \
             GROUP BY conversation_id",
            &[],
        )
        .await
        .map_err(PgError::from)?;
    let mut with_lines = HashSet::new();
    for row in spans {
        let (id, count, min, max): (Uuid, i64, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        with_lines.insert(id);
        let key = id.to_string();
        match conversations.get(&id) {
            None => report.problem(
                "messages",
                key,
                format!("{count} lines of a conversation that does not exist"),
            ),
            Some(None) => {}
            Some(Some(next)) => {
                let expected = i64::try_from(*next).unwrap_or(i64::MAX) - 1;
                if max > expected {
                    report.problem(
                        "messages",
                        key,
                        format!("lines up to {max}, past its end (its next line is {next})"),
                    );
                } else if count != expected || min != 1 {
                    report.problem(
                        "messages",
                        key,
                        format!("{} of lines 1 to {expected} are missing", expected - count),
                    );
                }
            }
        }
    }
    for (id, next) in conversations {
        if let Some(next) = next.filter(|n| *n > 1 && !with_lines.contains(id)) {
            report.problem(
                "messages",
                id.to_string(),
                format!("all {} of its lines are missing", next - 1),
            );
        }
    }
    let (mut after, mut read) = ((Uuid::nil(), 0i64), 0);
    loop {
        let rows = client
            .query(
                "SELECT conversation_id, seq, line FROM messages \
                 WHERE (conversation_id, seq) > ($1, $2) ORDER BY conversation_id, seq LIMIT $3",
                &[&after.0, &after.1, &PAGE],
            )
            .await
            .map_err(PgError::from)?;
        for row in &rows {
            let (id, seq, text): (Uuid, i64, &str) = (row.get(0), row.get(1), row.get(2));
            read += 1;
            after = (id, seq);
            match serde_json::from_str::<StoredMessage>(text) {
                Ok(line) if i64::try_from(line.seq).ok() != Some(seq) => report.problem(
                    "messages",
                    format!("{id}/{seq}"),
                    format!("the line says it is number {}", line.seq),
                ),
                Ok(_) => {}
                Err(e) => report.problem(
                    "messages",
                    format!("{id}/{seq}"),
                    format!("the line does not decode: {e}"),
                ),
            }
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    report.checked.push(("messages", read));
    Ok(())
}

/// Every record of `table` decodes as `T`; `key` names each row.
async fn decodes<T: DeserializeOwned>(
    client: &Client,
    report: &mut CheckReport,
    table: &'static str,
    key: &str,
) -> Result<(), StoreError> {
    // Table and key are this file's constants, never input.
    let rows = client
        .query(&format!("SELECT {key}, record FROM {table}"), &[])
        .await
        .map_err(PgError::from)?;
    for row in &rows {
        let (name, text): (String, &str) = (row.get(0), row.get(1));
        if let Err(e) = serde_json::from_str::<T>(text) {
            report.problem(table, name, format!("the record does not decode: {e}"));
        }
    }
    report.checked.push((table, rows.len()));
    Ok(())
}
