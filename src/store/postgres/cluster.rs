//! What several Tandem nodes on one database share besides the tables
//! (docs/cluster.md):
//!
//! - **Batons.** A decision about a conversation is made by one node at a
//!   time: the node takes the conversation's baton (a transaction-scoped
//!   advisory lock) before it reads the conversation's newest state, keeps
//!   it while it decides and commits, and passes it on after the commit.
//!   A claim or an auto-assignment also takes the agent's baton, so two
//!   nodes cannot both give the same agent their last free slot.
//! - **The bus.** After each batch commits, the flusher sends one
//!   `NOTIFY tandem` per conversation it wrote, `<node>:c:<id>:<status>`
//!   (after the commit, never inside it: a `NOTIFY` in the writing
//!   transaction serialises every commit). Each node `LISTEN`s on a
//!   connection of its own and hands the other nodes' notices to the hub.
//!   Notices are lost while that connection is down, so after every
//!   reconnect the hub hears [`BusEvent::Resync`] and reads everything
//!   again.
//! - **Presence.** Who is signed in where, in `presence`, one row per
//!   agent and node, refreshed every few seconds; a dead node's rows go
//!   stale and stop counting.
//! - **The leader.** One node holds a session advisory lock and runs the
//!   clocks (answer deadlines, retention); when it dies its connection
//!   goes, the lock with it, and another node takes it.

use std::time::Duration;

use tokio_postgres::NoTls;
use uuid::Uuid;

use super::{PgError, PgStore};
use crate::store::StoreError;

mod baton;
mod bus;

pub use baton::Baton;
pub use bus::BusEvent;
pub(super) use bus::{conversation_notices, offline_notice, send_notices};

/// The advisory lock key of the leader ("leader" in ASCII).
const LEADER_LOCK: i64 = 0x6c_65_61_64_65_72;
/// Presence rows not refreshed for this long belong to a dead node.
pub const PRESENCE_STALE_S: i64 = 15;

/// Holds the leader lock while this node's connection lives.
pub struct Leadership {
    client: tokio_postgres::Client,
}

impl Leadership {
    /// Whether this node still leads (its lock's connection is up).
    pub fn holds(&self) -> bool {
        !self.client.is_closed()
    }
}

impl PgStore {
    /// This node's id on the bus and in `presence`.
    pub fn node(&self) -> Uuid {
        self.cluster.node
    }

    /// Tries to become the leader; `None` while another node is.
    pub async fn try_lead(&self) -> Result<Option<Leadership>, StoreError> {
        let (client, connection) = self
            .cluster
            .config
            .connect(NoTls)
            .await
            .map_err(PgError::from)?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let won: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK])
            .await
            .map_err(PgError::from)?
            .get(0);
        Ok(won.then_some(Leadership { client }))
    }

    /// Replaces this node's presence rows with `agents` (name, status) and
    /// tells the other nodes.
    pub async fn publish_presence(&self, agents: &[(String, String)]) -> Result<(), StoreError> {
        let node = self.node();
        let (names, statuses): (Vec<&str>, Vec<&str>) =
            agents.iter().map(|(n, s)| (n.as_str(), s.as_str())).unzip();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(PgError::from)?;
        tx.execute("DELETE FROM presence WHERE node = $1", &[&node])
            .await
            .map_err(PgError::from)?;
        tx.execute(
            "INSERT INTO presence (node, agent, status, seen_at) \
             SELECT $1, a, s, now() FROM unnest($2::text[], $3::text[]) AS t(a, s)",
            &[&node, &names, &statuses],
        )
        .await
        .map_err(PgError::from)?;
        tx.commit().await.map_err(PgError::from)?;
        self.notify(&format!("{node}:p")).await
    }

    /// Refreshes this node's presence rows and forgets dead nodes' ones.
    pub async fn heartbeat(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE presence SET seen_at = now() WHERE node = $1",
                &[&self.node()],
            )
            .await
            .map_err(PgError::from)?;
        // Failed sign-ins quiet for a day are forgotten anyway
        // (`ThrottlePolicy::forget_after` is an hour).
        client
            .execute(
                "DELETE FROM login_failures WHERE last_at < now() - interval '1 day'",
                &[],
            )
            .await
            .map_err(PgError::from)?;
        client
            .execute(
                "DELETE FROM presence WHERE seen_at < now() - make_interval(secs => $1)",
                &[&(PRESENCE_STALE_S as f64 * 4.0)],
            )
            .await
            .map_err(PgError::from)?;
        Ok(())
    }

    /// Agents signed in on other live nodes (name, status), one row each
    /// (a name on several nodes: its most recent row).
    pub async fn remote_presence(&self) -> Result<Vec<(String, String)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT DISTINCT ON (agent) agent, status FROM presence \
                 WHERE node <> $1 AND seen_at > now() - make_interval(secs => $2) \
                 ORDER BY agent, seen_at DESC",
                &[&self.node(), &(PRESENCE_STALE_S as f64)],
            )
            .await
            .map_err(PgError::from)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

/// The cluster parts of a [`PgStore`].
#[derive(Clone)]
pub(super) struct Cluster {
    pub(super) node: Uuid,
    pub(super) config: tokio_postgres::Config,
    /// Connections that hold batons; apart from the reading pool, so a
    /// node whose batons are all out can still read.
    pub(super) batons: deadpool_postgres::Pool,
    /// How long a baton may be waited for ([`PgStore::baton`]).
    pub(super) lock_timeout: Duration,
}
