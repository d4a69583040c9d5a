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

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};
use uuid::Uuid;

use super::{PgError, PgStore};
use crate::conversation::{ConversationRecord, StoredMessage};
use crate::store::StoreError;

/// The advisory lock key of the leader ("leader" in ASCII).
const LEADER_LOCK: i64 = 0x6c_65_61_64_65_72;
/// Advisory lock classes of the two-key form, so batons never collide
/// with the migration or leader locks.
const CONVERSATION_CLASS: i32 = 0x74_63;
const AGENT_CLASS: i32 = 0x74_61;
/// Presence rows not refreshed for this long belong to a dead node.
pub const PRESENCE_STALE_S: i64 = 15;
/// The bus channel's name.
const CHANNEL: &str = "tandem";

/// What another node changed (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusEvent {
    /// A conversation was written, and has this status now.
    Conversation { id: Uuid, status: String },
    /// Someone signed in, out, or changed status.
    Presence,
    /// A left message was written or handled.
    OfflineMessages,
    /// Someone started or stopped typing: the visitor (`by_visitor`) or
    /// the agent holding the conversation. Never stored.
    Typing {
        conversation: Uuid,
        by_visitor: bool,
        active: bool,
    },
    /// An agent's sessions ended (removed): close their consoles here too.
    SignedOut { agent: String },
    /// Notices may have been lost: read everything again.
    Resync,
}

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
    /// This node's id on the bus and in `presence`.
    pub fn node(&self) -> Uuid {
        self.cluster.node
    }

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

    /// Tells the other nodes that someone is typing (or stopped).
    pub async fn typing(
        &self,
        conversation: Uuid,
        by_visitor: bool,
        active: bool,
    ) -> Result<(), StoreError> {
        let who = if by_visitor { "v" } else { "a" };
        let on = if active { "1" } else { "0" };
        self.notify(&format!("{}:t:{conversation}:{who}:{on}", self.node()))
            .await
    }

    /// Tells the other nodes to close `agent`'s consoles.
    pub async fn signed_out(&self, agent: &str) -> Result<(), StoreError> {
        self.notify(&format!("{}:x:{agent}", self.node())).await
    }

    /// Tells the other nodes that left messages changed (for writes made
    /// outside a batch).
    pub async fn offline_changed(&self) -> Result<(), StoreError> {
        self.notify(&offline_notice(self.node())).await
    }

    async fn notify(&self, payload: &str) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
            .await
            .map_err(PgError::from)?;
        Ok(())
    }

    /// Listens to the other nodes, for as long as the receiver lives;
    /// reconnects when the connection drops and then sends
    /// [`BusEvent::Resync`].
    pub fn listen(&self, capacity: usize) -> mpsc::Receiver<BusEvent> {
        let (tx, rx) = mpsc::channel(capacity.max(2));
        let me = self.node();
        let mut config = self.cluster.config.clone();
        // Named, so an operator (or a test) can tell it in pg_stat_activity.
        config.application_name(format!("tandem bus {me}"));
        tokio::spawn(async move {
            let mut first = true;
            while !tx.is_closed() {
                match listen_once(&config, me, &tx, first).await {
                    Ok(()) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "the cluster bus disconnected; reconnecting")
                    }
                }
                first = false;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        rx
    }
}

/// One connection's worth of listening; returns when it drops.
async fn listen_once(
    config: &tokio_postgres::Config,
    me: Uuid,
    tx: &mpsc::Sender<BusEvent>,
    first: bool,
) -> Result<(), PgError> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (notices_tx, mut notices) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if notices_tx.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cluster bus connection failed");
                    break;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    if !first {
        // Whatever was said while nobody listened is lost: read it all.
        let _ = tx.send(BusEvent::Resync).await;
    }
    loop {
        let payload = tokio::select! {
            payload = notices.recv() => match payload {
                Some(payload) => payload,
                None => break,
            },
            _ = tx.closed() => break,
        };
        let Some(event) = parse(&payload, me) else {
            continue;
        };
        if tx.try_send(event).is_err() {
            if tx.is_closed() {
                break;
            }
            // The hub is behind: drop the backlog's details, read it all.
            let _ = tx.send(BusEvent::Resync).await;
        }
    }
    driver.abort();
    Ok(())
}

/// A notice from another node; `None` for our own or a malformed one.
fn parse(payload: &str, me: Uuid) -> Option<BusEvent> {
    let mut parts = payload.splitn(3, ':');
    let node: Uuid = parts.next()?.parse().ok()?;
    if node == me {
        return None;
    }
    let kind = parts.next()?;
    // Agent names may hold a colon: they come last, whole.
    let rest = parts.next().unwrap_or_default();
    let mut parts = rest.split(':');
    match kind {
        "p" => Some(BusEvent::Presence),
        "o" => Some(BusEvent::OfflineMessages),
        "x" if !rest.is_empty() => Some(BusEvent::SignedOut {
            agent: rest.to_owned(),
        }),
        "t" => Some(BusEvent::Typing {
            conversation: parts.next()?.parse().ok()?,
            by_visitor: parts.next()? == "v",
            active: parts.next()? == "1",
        }),
        "c" => Some(BusEvent::Conversation {
            id: parts.next()?.parse().ok()?,
            status: parts.next()?.to_owned(),
        }),
        _ => None,
    }
}

/// The notices of a committed batch: one per conversation written.
pub(super) fn conversation_notices<'a>(
    node: Uuid,
    written: impl Iterator<Item = (Uuid, &'a str)>,
) -> Vec<String> {
    written
        .map(|(id, status)| format!("{node}:c:{id}:{status}"))
        .collect()
}

/// The notice that left messages changed.
pub(super) fn offline_notice(node: Uuid) -> String {
    format!("{node}:o")
}

/// Sends a committed batch's notices (after its `COMMIT`; see module docs).
pub(super) async fn send_notices(
    client: &deadpool_postgres::Object,
    notices: &[String],
) -> Result<(), PgError> {
    if notices.is_empty() {
        return Ok(());
    }
    let statement = client
        .prepare_cached("SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n")
        .await?;
    client.execute(&statement, &[&CHANNEL, &notices]).await?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_from_this_node_are_ignored_and_others_parsed() {
        let (me, other, id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(parse(&format!("{me}:c:{id}:queued"), me), None);
        assert_eq!(
            parse(&format!("{other}:c:{id}:queued"), me),
            Some(BusEvent::Conversation {
                id,
                status: "queued".into()
            })
        );
        assert_eq!(parse(&format!("{other}:p"), me), Some(BusEvent::Presence));
        assert_eq!(parse("garbage", me), None);
        assert_eq!(
            parse(&format!("{other}:x:ops:night"), me),
            Some(BusEvent::SignedOut {
                agent: "ops:night".into()
            })
        );
        assert_eq!(
            parse(&format!("{other}:t:{id}:v:1"), me),
            Some(BusEvent::Typing {
                conversation: id,
                by_visitor: true,
                active: true
            })
        );
        assert_eq!(parse(&format!("{other}:t:{id}:v"), me), None);
        assert_eq!(parse(&format!("{other}:c:not-a-uuid:x"), me), None);
    }

    #[test]
    fn agent_keys_are_stable_across_nodes() {
        assert_eq!(name_key("sam"), name_key("sam"));
        assert_ne!(name_key("sam"), name_key("kim"));
        let id = Uuid::new_v4();
        assert_eq!(uuid_key(id), uuid_key(id));
    }
}
