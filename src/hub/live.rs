//! Reading the live state: which conversation a socket shows, the queue in
//! serving order, who is online, and the frames a change sends to whom.

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

    /// Lets go of a conversation nobody needs in memory any more.
    pub(super) fn forget(&mut self, id: Uuid) -> Option<LiveConversation> {
        let gone = self.conversations.remove(&id)?;
        if self.tokens.get(&gone.record.resume_token) == Some(&id) {
            self.tokens.remove(&gone.record.resume_token);
        }
        Some(gone)
    }

    /// An active conversation, or `NotFound`.
    pub(super) fn conversation_mut(&mut self, id: Uuid) -> Result<&mut LiveConversation, HubError> {
        self.conversations.get_mut(&id).ok_or(HubError::NotFound)
    }

    pub(super) fn queue(&self) -> Vec<QueueEntry> {
        let mut entries: Vec<QueueEntry> = self
            .conversations
            .values()
            .filter(|c| c.record.status == Status::Queued)
            .map(|c| QueueEntry {
                conversation_id: c.record.id,
                queued_at: c.record.queued_at.unwrap_or(c.record.created_at),
                requeued: c.record.requeued,
                frustration: c.record.mood.score,
            })
            .collect();
        queue::order(&mut entries);
        entries
    }

    /// Signed-in agents taking chats (not away): who can answer the queue.
    pub(super) fn agents_available(&self) -> usize {
        self.online_names()
            .into_iter()
            .filter(|name| {
                self.statuses.get(*name).copied().unwrap_or_default() == AgentStatus::Available
            })
            .count()
    }

    /// Names of the agents with at least one console open, sorted.
    pub(super) fn online_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.agents.values().map(|a| a.name.as_str()).collect();
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
                status: self.statuses.get(name).copied().unwrap_or_default(),
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

    pub(super) fn queue_position(&self, conversation: Uuid) -> Option<(usize, u64)> {
        let position = self
            .queue()
            .iter()
            .position(|e| e.conversation_id == conversation)?
            + 1;
        Some((
            position,
            queue::estimated_wait_secs(position, self.agents_available(), &self.handling),
        ))
    }

    pub(super) fn queue_view(&self) -> Vec<QueueEntryView> {
        let now = OffsetDateTime::now_utc();
        self.queue()
            .iter()
            .filter_map(|e| Some((e, self.conversations.get(&e.conversation_id)?)))
            .map(|(e, c)| QueueEntryView {
                order_reason: e.why(now),
                conversation_id: c.record.id.to_string(),
                queued_at: c.record.queued_at.unwrap_or(c.record.created_at),
                reasons: c.record.reasons.clone(),
                preview: c.record.preview.clone(),
                frustration: c.record.mood.score,
                earlier_conversations: c.record.earlier_count,
                visitor_id: c.record.visitor().to_string(),
            })
            .collect()
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

    /// Everyone learns of a queue change: agents get the new queue, waiting
    /// visitors their new place (both through the `latest` slots).
    pub(super) fn queue_changed(&self, deliveries: &mut Deliveries) {
        if self.agents.is_empty() {
            crate::metrics::queue_length(self.queue().len());
        } else {
            let entries = self.queue_view();
            crate::metrics::queue_length(entries.len());
            let latest = Latest {
                version: self.next_version(),
                value: Some(AgentEvent::Queue { entries }),
            };
            for a in self.agents.values() {
                deliveries
                    .agent_latest
                    .push((a.outbox.latest.clone(), latest.clone()));
            }
        }
        self.visitor_positions(deliveries);
    }

    /// The next version for `latest` slot values (decision order).
    pub(super) fn next_version(&self) -> u64 {
        let version = self.latest_version.get() + 1;
        self.latest_version.set(version);
        version
    }

    /// Sets every watching visitor's place: waiting ones their place and
    /// estimate, the others none (so a place not yet sent is never sent
    /// after they left the queue). Only visitors whose place or estimate
    /// moved get a new value; the rest cost a comparison.
    pub(super) fn visitor_positions(&self, deliveries: &mut Deliveries) {
        let agents = self.agents_available();
        let places: HashMap<Uuid, usize> = self
            .queue()
            .iter()
            .enumerate()
            .map(|(i, e)| (e.conversation_id, i + 1))
            .collect();
        for c in self
            .conversations
            .values()
            .filter(|c| !c.visitors.is_empty())
        {
            let place = places.get(&c.record.id).map(|&position| {
                (
                    position,
                    queue::estimated_wait_secs(position, agents, &self.handling),
                )
            });
            if c.place.get() == place {
                continue;
            }
            c.place.set(place);
            let event = place.map(|(position, estimated_wait_s)| VisitorEvent::Queued {
                position,
                estimated_wait_s,
            });
            deliveries.latest_for_visitors(c, self.next_version(), event.as_ref());
        }
    }
}
