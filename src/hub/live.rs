//! Reading the live state: which conversation a socket shows, who is
//! online, and the frames a change sends to whom (the queue is
//! `places.rs`). Changes to a live conversation go through
//! [`Live::conversation_mut`], [`Live::admit`] and [`Live::forget`], which
//! tell the queue to look at it again.

use super::*;

impl Live {
    /// The conversation a visitor socket shows right now.
    pub(super) fn visitor_conversation(&self, connection: u64) -> Result<Uuid, HubError> {
        self.visitor_sockets
            .get(&connection)
            .copied()
            .ok_or(HubError::NotFound)
    }

    /// The live conversation a visitor socket shows right now.
    pub(super) fn visitor_conversation_mut(
        &mut self,
        connection: u64,
    ) -> Result<&mut LiveConversation, HubError> {
        let id = self.visitor_conversation(connection)?;
        self.conversation_mut(id)
    }

    /// Takes a conversation into memory.
    pub(super) fn admit(&mut self, c: LiveConversation) {
        self.queue.touch(c.record.id);
        self.conversations.insert(c.record.id, c);
    }

    /// Lets go of a conversation nobody needs in memory any more.
    pub(super) fn forget(&mut self, id: Uuid) -> Option<LiveConversation> {
        self.queue.touch(id);
        let gone = self.conversations.remove(&id)?;
        if self.tokens.get(&gone.record.resume_token) == Some(&id) {
            self.tokens.remove(&gone.record.resume_token);
        }
        Some(gone)
    }

    /// An active conversation, or `NotFound`, to change: the queue looks
    /// at it again before it is next read.
    pub(super) fn conversation_mut(&mut self, id: Uuid) -> Result<&mut LiveConversation, HubError> {
        self.queue.touch(id);
        self.conversations.get_mut(&id).ok_or(HubError::NotFound)
    }

    /// Signed-in agents taking chats (not away): who can answer the queue.
    pub(super) fn agents_available(&self) -> usize {
        self.online_names()
            .into_iter()
            .filter(|name| self.status_of(name) == AgentStatus::Available)
            .count()
    }

    /// A signed-in agent's status, here or on another node.
    pub(super) fn status_of(&self, name: &str) -> AgentStatus {
        self.statuses
            .get(name)
            .or_else(|| self.remote_agents.get(name))
            .copied()
            .unwrap_or_default()
    }

    /// Names of the agents with at least one console open, here or on
    /// another node (cluster mode), sorted.
    pub(super) fn online_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .agents
            .values()
            .map(|a| a.name.as_str())
            .chain(self.remote_agents.keys().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Every console learns who is online (for transfers).
    pub(super) fn agents_changed(&self, desk: &DeskPolicy, deliveries: &mut Deliveries) {
        let online: Vec<AgentPresence> = self
            .online_names()
            .into_iter()
            .map(|name| AgentPresence {
                name: name.to_owned(),
                status: self.status_of(name),
                chats: self.held_by(name),
                max_chats: desk.max_chats_of(name),
            })
            .collect();
        for (conn, a) in &self.agents {
            deliveries.agents.push((
                *conn,
                a.outbox.events.clone(),
                AgentFrame::Event(Box::new(AgentEvent::Agents {
                    online: online.clone(),
                })),
            ));
        }
    }

    /// How many conversations `agent` holds.
    pub(super) fn held_by(&self, agent: &str) -> usize {
        self.conversations
            .values()
            .filter(|c| {
                c.record.status == Status::Assigned
                    && c.record.assigned_to.as_deref() == Some(agent)
            })
            .count()
    }

    pub(super) fn for_agent(&self, deliveries: &mut Deliveries, agent: &str, event: AgentEvent) {
        self.frame_for_agent(deliveries, agent, AgentFrame::Event(Box::new(event)));
    }

    /// Every console of `agent` gets `frame` (read once the writes are
    /// durable when it is not a ready event).
    pub(super) fn frame_for_agent(
        &self,
        deliveries: &mut Deliveries,
        agent: &str,
        frame: AgentFrame,
    ) {
        for (conn, a) in &self.agents {
            if a.name == agent {
                deliveries
                    .agents
                    .push((*conn, a.outbox.events.clone(), frame.clone()));
            }
        }
    }

    /// The next version for `latest` slot values (decision order).
    pub(super) fn next_version(&self) -> u64 {
        let version = self.latest_version.get() + 1;
        self.latest_version.set(version);
        version
    }
}
