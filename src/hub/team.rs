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

    /// Detaches every console `agent` has open; returns how many. Their
    /// socket tasks see the outbox close and end the socket. Call it after
    /// the agent's sessions are deleted, so a reconnect is refused.
    pub fn disconnect_agent_everywhere(&self, agent: &str) -> usize {
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
