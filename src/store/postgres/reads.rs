//! Reads, and the writes that do not come from the hub's decisions
//! (retention; accounts and sessions are `accounts.rs`), which run directly. Every read waits
//! for the writes staged before it (`settle`).

use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{PgError, PgStore};
use crate::conversation::{ConversationRecord, StoredMessage};
use crate::intents::unmatched::UnmatchedQuestion;
use crate::store::{OfflineMessage, Page, StoreError};

/// The JSON in the first column of `row`.
pub(super) fn decode<T: DeserializeOwned>(row: &Row) -> Result<T, StoreError> {
    let text: &str = row.get(0);
    Ok(serde_json::from_str(text)?)
}

pub(super) fn decode_all<T: DeserializeOwned>(rows: &[Row]) -> Result<Vec<T>, StoreError> {
    rows.iter().map(decode).collect()
}

/// Whether `key` can be stored at all: PostgreSQL text holds no NUL
/// character, so a name, token or client id with one names nothing (and
/// must not reach a query, which would fail).
pub(super) fn storable(key: &str) -> bool {
    !key.contains('\0')
}

fn seq(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl PgStore {
    pub(super) async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        self.settle().await?;
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(PgError::from)?;
        Ok(client
            .query(&statement, params)
            .await
            .map_err(PgError::from)?)
    }

    pub(super) async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        self.settle().await?;
        let client = self.client().await?;
        Ok(client.execute(sql, params).await.map_err(PgError::from)?)
    }

    // --- conversations -------------------------------------------------------

    pub async fn conversation(&self, id: Uuid) -> Result<Option<ConversationRecord>, StoreError> {
        let rows = self
            .query("SELECT record FROM conversations WHERE id = $1", &[&id])
            .await?;
        rows.first().map(decode).transpose()
    }

    /// The visitor's newest conversation.
    pub async fn conversation_by_token(
        &self,
        token: &str,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        if !storable(token) {
            return Ok(None);
        }
        let rows = self
            .query(
                "SELECT record FROM conversations WHERE resume_token = $1
                 ORDER BY created_at DESC LIMIT 1",
                &[&token],
            )
            .await?;
        rows.first().map(decode).transpose()
    }

    pub async fn visitor_conversations(
        &self,
        visitor: Uuid,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let rows = self
            .query(
                "SELECT record FROM conversations WHERE visitor = $1 ORDER BY created_at",
                &[&visitor],
            )
            .await?;
        decode_all(&rows)
    }

    pub async fn active_conversations(&self) -> Result<Vec<ConversationRecord>, StoreError> {
        let rows = self
            .query(
                "SELECT record FROM conversations WHERE status IN ('queued', 'assigned')",
                &[],
            )
            .await?;
        decode_all(&rows)
    }

    pub async fn conversations_since(
        &self,
        since: OffsetDateTime,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let rows = self
            .query(
                "SELECT record FROM conversations WHERE created_at >= $1",
                &[&since],
            )
            .await?;
        decode_all(&rows)
    }

    pub async fn conversation_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let rows = self.query("SELECT id FROM conversations", &[]).await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// See [`crate::store::SledStore::retention_candidates`]; one indexed
    /// query, not a scan of every conversation.
    pub async fn retention_candidates(
        &self,
        cutoff: OffsetDateTime,
    ) -> Result<Vec<Uuid>, StoreError> {
        let rows = self
            .query(
                "SELECT id FROM conversations \
                 WHERE created_at < $1 AND status NOT IN ('queued', 'assigned')",
                &[&cutoff],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub async fn last_activity(
        &self,
        record: &ConversationRecord,
    ) -> Result<OffsetDateTime, StoreError> {
        if let Some(closed) = record.closed_at {
            return Ok(closed);
        }
        let rows = self
            .query(
                "SELECT line FROM messages WHERE conversation_id = $1
                 ORDER BY seq DESC LIMIT 1",
                &[&record.id],
            )
            .await?;
        match rows.first() {
            Some(row) => Ok(decode::<StoredMessage>(row)?.at),
            None => Ok(record.created_at),
        }
    }

    /// Deletes a conversation and its lines in one transaction.
    pub async fn delete_conversation(&self, record: &ConversationRecord) -> Result<(), StoreError> {
        self.settle().await?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(PgError::from)?;
        tx.execute(
            "DELETE FROM messages WHERE conversation_id = $1",
            &[&record.id],
        )
        .await
        .map_err(PgError::from)?;
        tx.execute("DELETE FROM conversations WHERE id = $1", &[&record.id])
            .await
            .map_err(PgError::from)?;
        tx.commit().await.map_err(PgError::from)?;
        Ok(())
    }

    // --- lines ---------------------------------------------------------------

    pub async fn seq_for_client_id(
        &self,
        conversation: Uuid,
        next_seq: u64,
        client_id: &str,
    ) -> Result<Option<u64>, StoreError> {
        if !storable(client_id) {
            return Ok(None);
        }
        let rows = self
            .query(
                "SELECT seq FROM messages
                 WHERE conversation_id = $1 AND client_id = $2 AND seq < $3 LIMIT 1",
                &[&conversation, &client_id, &seq(next_seq)],
            )
            .await?;
        Ok(rows
            .first()
            .map(|r| u64::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
    }

    pub async fn history(&self, conversation: Uuid) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = self
            .query(
                "SELECT line FROM messages WHERE conversation_id = $1 ORDER BY seq",
                &[&conversation],
            )
            .await?;
        decode_all(&rows)
    }

    pub async fn message(
        &self,
        conversation: Uuid,
        n: u64,
    ) -> Result<Option<StoredMessage>, StoreError> {
        let rows = self
            .query(
                "SELECT line FROM messages WHERE conversation_id = $1 AND seq = $2",
                &[&conversation, &seq(n)],
            )
            .await?;
        rows.first().map(decode).transpose()
    }

    /// See `SledStore::history_page`: read backwards in chunks until the
    /// page is full of wanted lines.
    pub async fn history_page(
        &self,
        conversation: Uuid,
        before: Option<u64>,
        limit: usize,
        wanted: impl Fn(&StoredMessage) -> bool,
    ) -> Result<Page, StoreError> {
        let mut page = Page::default();
        let mut cursor = seq(before.unwrap_or(u64::MAX));
        let chunk = i64::try_from(limit.max(16) + 1).unwrap_or(i64::MAX);
        loop {
            let rows = self
                .query(
                    "SELECT line FROM messages
                     WHERE conversation_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
                    &[&conversation, &cursor, &chunk],
                )
                .await?;
            let exhausted = (rows.len() as i64) < chunk;
            for row in &rows {
                let line: StoredMessage = decode(row)?;
                cursor = seq(line.seq);
                if !wanted(&line) {
                    continue;
                }
                if page.lines.len() == limit {
                    page.more = true;
                    page.lines.reverse();
                    return Ok(page);
                }
                page.lines.push(line);
            }
            if exhausted {
                page.lines.reverse();
                return Ok(page);
            }
        }
    }

    // --- left messages, unanswered questions, retention ----------------------

    pub async fn open_offline_messages(&self) -> Result<Vec<OfflineMessage>, StoreError> {
        let rows = self
            .query(
                "SELECT record FROM offline_messages WHERE NOT handled ORDER BY at, id",
                &[],
            )
            .await?;
        decode_all(&rows)
    }

    pub async fn resolve_offline_message(&self, id: Uuid) -> Result<bool, StoreError> {
        self.settle().await?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(PgError::from)?;
        let Some(row) = tx
            .query_opt(
                "SELECT record FROM offline_messages WHERE id = $1 AND NOT handled FOR UPDATE",
                &[&id],
            )
            .await
            .map_err(PgError::from)?
        else {
            return Ok(false);
        };
        let mut message: OfflineMessage = decode(&row)?;
        message.handled = true;
        let json = serde_json::to_string(&message)?;
        tx.execute(
            "UPDATE offline_messages SET handled = true, record = $2 WHERE id = $1",
            &[&id, &json],
        )
        .await
        .map_err(PgError::from)?;
        tx.commit().await.map_err(PgError::from)?;
        Ok(true)
    }

    pub async fn unmatched_since(
        &self,
        since: Option<OffsetDateTime>,
    ) -> Result<Vec<UnmatchedQuestion>, StoreError> {
        let since = since.unwrap_or(OffsetDateTime::UNIX_EPOCH - time::Duration::days(365 * 100));
        let rows = self
            .query(
                "SELECT record FROM unmatched WHERE at >= $1 ORDER BY at, conversation_id",
                &[&since],
            )
            .await?;
        decode_all(&rows)
    }

    pub async fn purge_before(&self, cutoff: OffsetDateTime) -> Result<usize, StoreError> {
        let questions = self
            .execute("DELETE FROM unmatched WHERE at < $1", &[&cutoff])
            .await?;
        let left = self
            .execute(
                "DELETE FROM offline_messages WHERE handled AND at < $1",
                &[&cutoff],
            )
            .await?;
        Ok(usize::try_from(questions + left).unwrap_or(usize::MAX))
    }

    /// Writes one row and commits: proof that PostgreSQL takes writes now.
    pub async fn probe_write(&self, now: OffsetDateTime) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO health_probe (id, at) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at",
            &[&now],
        )
        .await?;
        Ok(())
    }
}
