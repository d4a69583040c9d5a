//! Reading a long conversation a page at a time, newest first: what
//! `welcome`, an agent's `conversation` and the `history` frames send.

use uuid::Uuid;

use super::{message_key, SledStore, StoreError};
use crate::conversation::StoredMessage;

/// Some lines of a conversation, oldest first, and whether older ones exist.
#[derive(Debug, Default)]
pub struct Page {
    pub lines: Vec<StoredMessage>,
    /// Lines older than the first one here exist (for the same reader).
    pub more: bool,
}

impl SledStore {
    /// Up to `limit` of the lines `wanted` keeps, before line `before`
    /// (all when `None`), newest last. Reads backwards from the end, so a
    /// conversation's length does not change what a page costs.
    pub fn history_page(
        &self,
        conversation: Uuid,
        before: Option<u64>,
        limit: usize,
        wanted: impl Fn(&StoredMessage) -> bool,
    ) -> Result<Page, StoreError> {
        let start = message_key(conversation, 0);
        let end = message_key(conversation, before.unwrap_or(u64::MAX));
        let mut page = Page::default();
        for item in self.messages.range(start..end).rev() {
            let (_, value) = item?;
            let line: StoredMessage = serde_json::from_slice(&value)?;
            if !wanted(&line) {
                continue;
            }
            if page.lines.len() == limit {
                page.more = true;
                break;
            }
            page.lines.push(line);
        }
        page.lines.reverse();
        Ok(page)
    }
}
