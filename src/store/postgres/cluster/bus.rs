//! The bus: other nodes' commits, presence changes, typing and sign-outs
//! as `LISTEN`/`NOTIFY` notices (see `cluster.rs`).

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};
use uuid::Uuid;

use super::super::{PgError, PgStore};
use crate::store::StoreError;

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

impl PgStore {
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

    pub(super) async fn notify(&self, payload: &str) -> Result<(), StoreError> {
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
pub(in crate::store::postgres) fn conversation_notices<'a>(
    node: Uuid,
    written: impl Iterator<Item = (Uuid, &'a str)>,
) -> Vec<String> {
    written
        .map(|(id, status)| format!("{node}:c:{id}:{status}"))
        .collect()
}

/// The notice that left messages changed.
pub(in crate::store::postgres) fn offline_notice(node: Uuid) -> String {
    format!("{node}:o")
}

/// Sends a committed batch's notices (after its `COMMIT`; see module docs).
pub(in crate::store::postgres) async fn send_notices(
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
}
