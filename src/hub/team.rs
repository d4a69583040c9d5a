//! What team management needs from the switchboard: who has a console
//! open, and closing the consoles of an agent whose sessions just ended.

use super::Hub;

impl Hub {
    /// Names of the agents with at least one console open, sorted.
    pub fn online_agents(&self) -> Vec<String> {
        self.live()
            .online_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Detaches every console `agent` has open, on this node and (cluster
    /// mode) the others; returns how many were here. Their socket tasks
    /// see the outbox close and end the socket. Call it after the agent's
    /// sessions are deleted, so a reconnect is refused.
    pub fn disconnect_agent_everywhere(&self, agent: &str) -> usize {
        if let Some(pg) = self.store().cluster().cloned() {
            let agent = agent.to_owned();
            tokio::spawn(async move {
                if let Err(e) = pg.signed_out(&agent).await {
                    tracing::warn!(error = %e, "telling the other nodes to close consoles failed");
                }
            });
        }
        self.disconnect_agent_here(agent)
    }

    /// Detaches every console `agent` has open on this node.
    pub(super) fn disconnect_agent_here(&self, agent: &str) -> usize {
        let connections: Vec<u64> = self
            .live()
            .agents
            .iter()
            .filter(|(_, a)| a.name == agent)
            .map(|(connection, _)| *connection)
            .collect();
        for &connection in &connections {
            self.disconnect_agent(connection);
        }
        connections.len()
    }
}
