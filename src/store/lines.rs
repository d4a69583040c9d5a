//! A conversation's lines: appending them with the record (in a
//! crash-safe order), finding a resent line by its client id, reading them.

use uuid::Uuid;

use super::{client_key, decode_opt, message_key, SledStore, StoreError, RESEND_WINDOW};
use crate::conversation::{ConversationRecord, StoredMessage};

impl SledStore {
    /// Appends a line and saves the conversation record (with its advanced
    /// `next_seq`) in one transaction.
    pub fn append_message(
        &self,
        record: &ConversationRecord,
        message: &StoredMessage,
    ) -> Result<(), StoreError> {
        self.append_messages(record, std::slice::from_ref(message))
    }

    /// Appends several lines and saves the conversation record once: a
    /// visitor's line and the bot's answer cost one write of the record.
    ///
    /// Plain inserts, not a sled transaction: sled 0.34 rolls its I/O
    /// buffer for every transaction and wakes all its I/O threads to write
    /// it, which was half the CPU a message cost (docs/PERFORMANCE.md).
    /// What makes plain inserts safe is their order and sled's recovery,
    /// which keeps a *prefix* of the writes (it stops at the first torn
    /// entry). The lines go first, then the record (whose `next_seq` says
    /// which lines count), then the client-id index. A crash before the
    /// flush can leave: lines beyond the record's `next_seq` (never
    /// acknowledged; the next lines overwrite them), or lines and record
    /// without their index entries (a resend still finds its line:
    /// [`SledStore::seq_for_client_id`] also reads the last lines). Nothing is
    /// acknowledged before the flush, so nothing acknowledged is lost.
    pub fn append_messages(
        &self,
        record: &ConversationRecord,
        lines: &[StoredMessage],
    ) -> Result<(), StoreError> {
        let conversation = serde_json::to_vec(record)?;
        for message in lines {
            self.messages.insert(
                message_key(record.id, message.seq),
                serde_json::to_vec(message)?,
            )?;
        }
        self.conversations
            .insert(record.id.as_bytes(), conversation)?;
        for message in lines {
            if let Some(client_id) = message.client_id.as_deref() {
                self.client_ids.insert(
                    client_key(record.id, client_id),
                    &message.seq.to_be_bytes()[..],
                )?;
            }
        }
        Ok(())
    }

    /// The seq of the line a client already sent with `client_id` in
    /// `conversation`, if any. Lines at or beyond the record's `next_seq`
    /// do not count (see [`SledStore::append_messages`]); when the index has no
    /// entry, the last few lines are read, for the one write a crash may
    /// have cut short.
    pub fn seq_for_client_id(
        &self,
        conversation: Uuid,
        next_seq: u64,
        client_id: &str,
    ) -> Result<Option<u64>, StoreError> {
        let indexed = self
            .client_ids
            .get(client_key(conversation, client_id))?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes)
            .filter(|seq| *seq < next_seq);
        if indexed.is_some() {
            return Ok(indexed);
        }
        let recent = self
            .messages
            .range(message_key(conversation, 0)..message_key(conversation, next_seq))
            .rev()
            .take(RESEND_WINDOW);
        for item in recent {
            let (_, value) = item?;
            let line: StoredMessage = serde_json::from_slice(&value)?;
            if line.client_id.as_deref() == Some(client_id) {
                return Ok(Some(line.seq));
            }
        }
        Ok(None)
    }

    /// Every line of a conversation, in order.
    pub fn history(&self, conversation: Uuid) -> Result<Vec<StoredMessage>, StoreError> {
        self.messages
            .scan_prefix(conversation.as_bytes())
            .map(|item| {
                let (_, value) = item?;
                Ok(serde_json::from_slice(&value)?)
            })
            .collect()
    }

    /// One line of a conversation, by its sequence number.
    pub fn message(
        &self,
        conversation: Uuid,
        seq: u64,
    ) -> Result<Option<StoredMessage>, StoreError> {
        decode_opt(self.messages.get(message_key(conversation, seq))?)
    }
}
