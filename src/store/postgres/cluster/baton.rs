//! Batons: one decision about a conversation at a time, across nodes
//! (see `cluster.rs`).

use uuid::Uuid;

use super::super::{PgError, PgStore};
use crate::conversation::{ConversationRecord, StoredMessage};
use crate::store::StoreError;

/// Advisory lock classes of the two-key form, so batons never collide
/// with the migration or leader locks.
const CONVERSATION_CLASS: i32 = 0x74_63;
const AGENT_CLASS: i32 = 0x74_61;

/// A conversation's (and maybe an agent's) baton, held by this node until
/// [`Baton::release`]; dropped without it, the baton is passed on too.
/// The transaction it holds only reads.
pub struct Baton {
    client: Option<deadpool_postgres::Object>,
}

impl Baton {
    /// The lines of a conversation from `from` up to (not including) `to`.
    pub async fn lines(
        &self,
        id: Uuid,
        from: u64,
        to: u64,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let (from, to) = (seq(from), seq(to));
        let rows = self
            .query(
                "SELECT line FROM messages WHERE conversation_id = $1 AND seq >= $2 AND seq < $3 \
                 ORDER BY seq",
                &[&id, &from, &to],
            )
            .await?;
        rows.iter()
            .map(|row| Ok(serde_json::from_str(row.get::<_, &str>(0))?))
            .collect()
    }

    /// Conversations `agent` holds now, on every node.
    pub async fn held_by(&self, agent: &str) -> Result<Vec<Uuid>, StoreError> {
        let rows = self
            .query(
                "SELECT id FROM conversations WHERE status = 'assigned' \
                 AND (record::json ->> 'assigned_to') = $1",
                &[&agent],
            )
            .await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// Whether a line sent with `client_id` is stored in `conversation`
    /// before `next_seq` (a resend). Under the baton every earlier write
    /// to the conversation is committed, so it needs no wait.
    pub async fn client_id_stored(
        &self,
        conversation: Uuid,
        next_seq: u64,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        if client_id.contains('\0') {
            return Ok(false);
        }
        let rows = self
            .query(
                "SELECT seq FROM messages \
                 WHERE conversation_id = $1 AND client_id = $2 AND seq < $3 LIMIT 1",
                &[&conversation, &client_id, &seq(next_seq)],
            )
            .await?;
        Ok(!rows.is_empty())
    }

    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let client = self.client();
        let statement = client.prepare_cached(sql).await.map_err(PgError::from)?;
        Ok(client
            .query(&statement, params)
            .await
            .map_err(PgError::from)?)
    }

    /// Passes the baton on.
    pub async fn release(mut self) {
        if let Some(client) = self.client.take() {
            if let Err(e) = client.batch_execute("COMMIT").await {
                tracing::warn!(error = %e, "passing a baton on failed");
            }
        }
    }

    fn client(&self) -> &deadpool_postgres::Object {
        self.client
            .as_ref()
            .expect("a baton holds its connection until released")
    }
}

impl Drop for Baton {
    fn drop(&mut self) {
        // Dropped on an error or a cancelled request: roll back (which
        // releases the locks) before the connection goes back to the pool.
        if let Some(client) = self.client.take() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = client.batch_execute("ROLLBACK").await;
                });
            }
        }
    }
}

fn seq(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stable 32-bit key for a name (FNV-1a): equal names, equal keys on
/// every node; a collision only makes two agents share a baton.
fn name_key(name: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as i32
}

fn uuid_key(id: Uuid) -> i32 {
    let bytes = id.as_bytes();
    let mut key = 0u32;
    for chunk in bytes.chunks(4) {
        key ^= u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    key as i32
}

impl PgStore {
    /// Takes the baton of `conversation` (and of `agents`), waiting for
    /// any other node holding one to pass it on, and reads the record the
    /// last holder committed: one round trip. Locks are always taken in the
    /// same order, so two nodes taking the same two never wait on each
    /// other.
    pub async fn baton(
        &self,
        conversation: Uuid,
        agents: &[&str],
    ) -> Result<(Baton, Option<ConversationRecord>), StoreError> {
        let mut keys: Vec<(i32, i32)> = agents
            .iter()
            .map(|a| (AGENT_CLASS, name_key(a)))
            .chain([(CONVERSATION_CLASS, uuid_key(conversation))])
            .collect();
        keys.sort_unstable();
        keys.dedup();
        // Only numbers and a formatted UUID go into the text: nothing a
        // visitor or an agent typed.
        let mut sql = format!(
            "BEGIN; SET LOCAL lock_timeout = {};",
            self.cluster.lock_timeout.as_millis().max(1)
        );
        for (class, key) in keys {
            sql.push_str(&format!("SELECT pg_advisory_xact_lock({class}, {key});"));
        }
        sql.push_str(&format!(
            "SELECT record FROM conversations WHERE id = '{}'",
            conversation.hyphenated()
        ));
        let client = self.cluster.batons.get().await.map_err(PgError::from)?;
        let baton = Baton {
            client: Some(client),
        };
        let answers = baton
            .client()
            .simple_query(&sql)
            .await
            .map_err(PgError::from)?;
        let record = answers.iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) if row.columns()[0].name() == "record" => {
                row.get(0).map(str::to_owned)
            }
            _ => None,
        });
        let record = match record {
            Some(json) => Some(serde_json::from_str(&json)?),
            None => None,
        };
        Ok((baton, record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_keys_are_stable_across_nodes() {
        assert_eq!(name_key("sam"), name_key("sam"));
        assert_ne!(name_key("sam"), name_key("kim"));
        let id = Uuid::new_v4();
        assert_eq!(uuid_key(id), uuid_key(id));
    }
}
