//! Agents and their sessions on PostgreSQL: written directly, not staged
//! (they are not hub decisions).

use std::time::Duration;

use time::OffsetDateTime;

use super::reads::{decode, decode_all, storable};
use super::{PgError, PgStore};
use crate::agents::throttle::ThrottlePolicy;
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

    /// A sign-in attempt on the account `name`, counted on every node
    /// (cluster mode) as [`crate::agents::throttle`] counts it on one:
    /// `Err(wait)` while the account is locked, else the attempt is
    /// recorded as a failure before the password is checked (a success
    /// clears it: [`PgStore::login_succeeded`]). Times are the database's,
    /// so the nodes' clocks do not matter.
    pub async fn login_attempt(
        &self,
        name: &str,
        policy: &ThrottlePolicy,
    ) -> Result<Result<(), Duration>, StoreError> {
        if !storable(name) {
            return Ok(Ok(()));
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(PgError::from)?;
        tx.execute(
            "INSERT INTO login_failures (name, failures, last_at) VALUES ($1, 0, now()) \
             ON CONFLICT (name) DO NOTHING",
            &[&name],
        )
        .await
        .map_err(PgError::from)?;
        let row = tx
            .query_one(
                "SELECT failures, \
                 GREATEST(0, EXTRACT(EPOCH FROM locked_until - now()))::float8, \
                 EXTRACT(EPOCH FROM now() - GREATEST(last_at, COALESCE(locked_until, last_at)))::float8 \
                 FROM login_failures WHERE name = $1 FOR UPDATE",
                &[&name],
            )
            .await
            .map_err(PgError::from)?;
        let (failures, locked_for, quiet_for): (i32, Option<f64>, f64) =
            (row.get(0), row.get(1), row.get(2));
        if let Some(wait) = locked_for.filter(|w| *w > 0.0) {
            tx.commit().await.map_err(PgError::from)?;
            return Ok(Err(Duration::from_secs_f64(wait)));
        }
        let earlier = if quiet_for > policy.forget_after.as_secs_f64() {
            0
        } else {
            u32::try_from(failures).unwrap_or(0)
        };
        let failures = earlier.saturating_add(1);
        let lock = policy.lock_after(failures).as_secs_f64();
        tx.execute(
            "UPDATE login_failures SET failures = $2, last_at = now(), \
             locked_until = CASE WHEN $3::float8 > 0 THEN now() + make_interval(secs => $3::float8) END \
             WHERE name = $1",
            &[&name, &i32::try_from(failures).unwrap_or(i32::MAX), &lock],
        )
        .await
        .map_err(PgError::from)?;
        tx.commit().await.map_err(PgError::from)?;
        Ok(Ok(()))
    }

    /// A successful sign-in: the account's count starts over on every node.
    pub async fn login_succeeded(&self, name: &str) -> Result<(), StoreError> {
        if storable(name) {
            self.client()
                .await?
                .execute("DELETE FROM login_failures WHERE name = $1", &[&name])
                .await
                .map_err(PgError::from)?;
        }
        Ok(())
    }
}
