//! Cluster mode's presence and leadership (see `cluster.rs`): publishing
//! who is signed in on this node, reading who is on the others, and
//! keeping or trying for the leader lock.

use std::sync::atomic::Ordering;

use super::*;
use crate::protocol::AgentStatus;

impl Hub {
    pub(super) async fn publish_presence(
        &self,
        pg: &crate::store::PgStore,
    ) -> Result<(), StoreError> {
        let agents: Vec<(String, String)> = {
            let live = self.live();
            live.agents
                .values()
                .map(|a| a.name.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|name| {
                    let status = live.statuses.get(&name).copied().unwrap_or_default();
                    (name, status_text(status))
                })
                .collect()
        };
        pg.publish_presence(&agents).await
    }

    /// Reads who is signed in on the other nodes; when that changed, the
    /// consoles and waiting visitors hear of it, and auto-assignment looks.
    pub(super) async fn read_presence(&self, pg: &crate::store::PgStore) {
        let remote = match pg.remote_presence().await {
            Ok(remote) => remote,
            Err(e) => {
                tracing::warn!(error = %e, "reading who is signed in elsewhere failed");
                return;
            }
        };
        let remote: HashMap<String, AgentStatus> = remote
            .into_iter()
            .map(|(name, status)| (name, parse_status(&status)))
            .collect();
        let deliveries = {
            let mut live = self.live();
            if live.remote_agents == remote {
                return;
            }
            live.remote_agents = remote;
            let mut deliveries = Deliveries::default();
            live.agents_changed(&self.inner.desk, &mut deliveries);
            live.visitor_positions(&mut deliveries);
            deliveries
        };
        deliveries.deliver(self);
        self.rebalance_soon();
    }

    /// Keeps or tries for the leader lock.
    pub(super) async fn keep_leading(
        &self,
        pg: &crate::store::PgStore,
        held: Option<crate::store::Leadership>,
    ) -> Option<crate::store::Leadership> {
        let held = match held {
            Some(l) if l.holds() => Some(l),
            Some(_) => {
                tracing::warn!("lost the leader lock's connection");
                None
            }
            None => match pg.try_lead().await {
                Ok(Some(l)) => {
                    tracing::info!(node = %pg.node(), "this node leads the cluster (answer deadlines, retention)");
                    Some(l)
                }
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "trying for the leader lock failed");
                    None
                }
            },
        };
        self.inner.leader.store(held.is_some(), Ordering::Relaxed);
        held
    }
}

fn status_text(status: AgentStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_status(text: &str) -> AgentStatus {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).unwrap_or_default()
}
