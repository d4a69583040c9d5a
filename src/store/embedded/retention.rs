//! What the retention sweep needs from the embedded store: when a
//! conversation was last active, every id, deleting a conversation with
//! everything that names it, and the other purges.

use uuid::Uuid;

use super::*;

impl SledStore {
    /// When a conversation was last active: its close, else its last line,
    /// else its start.
    pub fn last_activity(
        &self,
        record: &ConversationRecord,
    ) -> Result<time::OffsetDateTime, StoreError> {
        if let Some(closed) = record.closed_at {
            return Ok(closed);
        }
        match self.messages.scan_prefix(record.id.as_bytes()).next_back() {
            Some(entry) => {
                let line: StoredMessage = serde_json::from_slice(&entry?.1)?;
                Ok(line.at)
            }
            None => Ok(record.created_at),
        }
    }

    /// The ids of conversations created before `cutoff` and not waiting
    /// for or with a person: the only ones the retention sweep may find
    /// idle since then.
    pub fn retention_candidates(
        &self,
        cutoff: time::OffsetDateTime,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut out = Vec::new();
        for entry in self.conversations.iter() {
            let (key, value) = entry?;
            let Ok(id) = Uuid::from_slice(&key) else {
                continue;
            };
            // A record that no longer parses is `tandem check`'s to report.
            let Ok(record) = serde_json::from_slice::<ConversationRecord>(&value) else {
                continue;
            };
            if record.created_at < cutoff
                && !matches!(record.status, Status::Queued | Status::Assigned)
            {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The ids of every stored conversation (`tandem migrate`).
    pub fn conversation_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let mut out = Vec::new();
        for key in self.conversations.iter().keys() {
            if let Ok(id) = Uuid::from_slice(&key?) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Deletes a conversation and everything that names it: its lines,
    /// their dedupe entries, its place in the visitor's list and its resume
    /// token (when the token still opens it). The record goes last, so a
    /// crash halfway leaves it for the next sweep to finish.
    pub fn delete_conversation(&self, record: &ConversationRecord) -> Result<(), StoreError> {
        let prefix = record.id.as_bytes();
        for tree in [&self.messages, &self.client_ids] {
            let mut batch = sled::Batch::default();
            for key in tree.scan_prefix(prefix).keys() {
                batch.remove(key?);
            }
            tree.apply_batch(batch)?;
        }
        self.visitor_conversations.remove(visitor_key(record))?;
        if self
            .resume_tokens
            .get(record.resume_token.as_bytes())?
            .as_deref()
            == Some(prefix)
        {
            self.resume_tokens.remove(record.resume_token.as_bytes())?;
        }
        self.conversations.remove(prefix)?;
        Ok(())
    }

    /// Deletes unanswered questions asked before `cutoff`, and left messages
    /// older than that which the team has dealt with; returns how many.
    pub fn purge_before(&self, cutoff: time::OffsetDateTime) -> Result<usize, StoreError> {
        let end = cutoff.unix_timestamp_nanos() as u128 ^ (1 << 127);
        let mut purged = 0;
        let mut batch = sled::Batch::default();
        for key in self.unmatched.range(..end.to_be_bytes().to_vec()).keys() {
            batch.remove(key?);
            purged += 1;
        }
        self.unmatched.apply_batch(batch)?;
        for item in self.offline_messages.iter() {
            let (key, value) = item?;
            let message: OfflineMessage = serde_json::from_slice(&value)?;
            if message.handled && message.at < cutoff {
                self.offline_messages.remove(key)?;
                purged += 1;
            }
        }
        Ok(purged)
    }

    /// Deletes sessions that expired before `now`; returns how many.
    pub fn purge_expired_sessions(&self, now: time::OffsetDateTime) -> Result<usize, StoreError> {
        let mut purged = 0;
        for item in self.sessions.iter() {
            let (token, value) = item?;
            let session: Session = serde_json::from_slice(&value)?;
            if session.expires_at <= now {
                self.sessions.remove(token)?;
                purged += 1;
            }
        }
        Ok(purged)
    }
}
