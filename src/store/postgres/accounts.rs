//! Agents and their sessions on PostgreSQL: written directly, not staged
//! (they are not hub decisions).

use time::OffsetDateTime;

use super::reads::{decode, decode_all, storable};
use super::PgStore;
use crate::agents::{AgentRecord, Session};
use crate::store::StoreError;

impl PgStore {
    pub async fn put_agent(&self, agent: &AgentRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(agent)?;
        self.execute(
            "INSERT INTO agents (name, record) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record",
            &[&agent.name, &json],
        )
        .await?;
        Ok(())
    }

    pub async fn agent(&self, name: &str) -> Result<Option<AgentRecord>, StoreError> {
        if !storable(name) {
            return Ok(None);
        }
        let rows = self
            .query("SELECT record FROM agents WHERE name = $1", &[&name])
            .await?;
        rows.first().map(decode).transpose()
    }

    pub async fn agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        let rows = self
            .query("SELECT record FROM agents ORDER BY name", &[])
            .await?;
        decode_all(&rows)
    }

    pub async fn remove_agent(&self, name: &str) -> Result<bool, StoreError> {
        if !storable(name) {
            return Ok(false);
        }
        Ok(self
            .execute("DELETE FROM agents WHERE name = $1", &[&name])
            .await?
            > 0)
    }

    pub async fn put_session(&self, token: &str, session: &Session) -> Result<(), StoreError> {
        let json = serde_json::to_string(session)?;
        self.execute(
            "INSERT INTO sessions (token, agent, expires_at, record) VALUES ($1, $2, $3, $4)
             ON CONFLICT (token) DO UPDATE SET agent = EXCLUDED.agent,
                 expires_at = EXCLUDED.expires_at, record = EXCLUDED.record",
            &[&token, &session.agent, &session.expires_at, &json],
        )
        .await?;
        Ok(())
    }

    pub async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        if !storable(token) {
            return Ok(None);
        }
        let rows = self
            .query("SELECT record FROM sessions WHERE token = $1", &[&token])
            .await?;
        rows.first().map(decode).transpose()
    }

    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        if !storable(token) {
            return Ok(());
        }
        self.execute("DELETE FROM sessions WHERE token = $1", &[&token])
            .await?;
        Ok(())
    }

    pub async fn delete_sessions_of(&self, agent: &str) -> Result<(), StoreError> {
        if !storable(agent) {
            return Ok(());
        }
        self.execute("DELETE FROM sessions WHERE agent = $1", &[&agent])
            .await?;
        Ok(())
    }

    pub async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let n = self
            .execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now])
            .await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}
