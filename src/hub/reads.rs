//! Reading from the store, always outside the hub lock: pages of a
//! conversation's history, the view an agent opens (a page of history and
//! the visitor's earlier conversations), and the frames an event left to
//! read once its writes were durable ([`AgentFrame`]).

use super::*;

impl Hub {
    /// Lines of `conversation` before line `before`, a page at a time,
    /// for a `history` frame; `visible` leaves out agents' private notes.
    pub async fn history(
        &self,
        conversation: Uuid,
        before: u64,
        visible: bool,
    ) -> Result<(Vec<MessageView>, bool), HubError> {
        let page = self
            .inner
            .store
            .history_page(conversation, Some(before), HISTORY_PAGE, |m| {
                !visible || m.from != Sender::Note
            })
            .await?;
        Ok((
            page.lines.iter().map(StoredMessage::view).collect(),
            page.more,
        ))
    }

    pub(super) async fn view(
        &self,
        record: &ConversationRecord,
    ) -> Result<ConversationView, HubError> {
        let page = self
            .inner
            .store
            .history_page(record.id, Some(record.next_seq), HISTORY_PAGE, |_| true)
            .await?;
        Ok(ConversationView {
            conversation_id: record.id.to_string(),
            status: record.status,
            assigned_to: record.assigned_to.clone(),
            reasons: record.reasons.clone(),
            frustration: record.mood.score,
            frustration_peak: record.mood.peak,
            history: page.lines.iter().map(StoredMessage::view).collect(),
            more_history: page.more,
            csat: record.csat.clone(),
            earlier: self.earlier(record).await?,
            visitor_id: record.visitor().to_string(),
        })
    }

    /// The visitor's conversations before `record`, newest first.
    async fn earlier(
        &self,
        record: &ConversationRecord,
    ) -> Result<Vec<EarlierConversation>, HubError> {
        if record.earlier_count == 0 {
            return Ok(Vec::new());
        }
        let mut earlier: Vec<EarlierConversation> = self
            .inner
            .store
            .visitor_conversations(record.visitor())
            .await?
            .into_iter()
            .filter(|c| c.id != record.id && c.created_at <= record.created_at)
            .map(|c| EarlierConversation {
                conversation_id: c.id.to_string(),
                created_at: c.created_at,
                status: c.status,
                preview: c.preview,
                agent: c.assigned_to,
                reasons: c.reasons,
                csat: c.csat,
            })
            .collect();
        earlier.reverse();
        Ok(earlier)
    }

    /// Reads the frames an event left to read ([`AgentFrame`]), now that
    /// its writes are durable. A read that fails is logged and its frame
    /// dropped: the change itself is done, and the agent can reopen the
    /// conversation.
    pub(super) async fn read_frames(&self, deliveries: &mut Deliveries) {
        let mut offline: Option<Result<AgentEvent, String>> = None;
        for (conn, _, frame) in &mut deliveries.agents {
            let read = match frame {
                AgentFrame::Event(_) => continue,
                AgentFrame::View(record) => self
                    .view(record)
                    .await
                    .map(AgentEvent::Conversation)
                    .map_err(|e| e.to_string()),
                AgentFrame::OfflineMessages => match &offline {
                    Some(read) => read.clone(),
                    None => offline
                        .insert(self.offline_view().await.map_err(|e| e.to_string()))
                        .clone(),
                },
            };
            match read {
                Ok(event) => *frame = AgentFrame::Event(Box::new(event)),
                Err(error) => {
                    tracing::error!(conn = *conn, %error, "could not read a frame for an agent")
                }
            }
        }
    }
}
