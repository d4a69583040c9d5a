//! `tandem migrate --from ./data --to postgres://…`: copies an embedded
//! store into PostgreSQL, so a business moving to cluster mode keeps its
//! history, accounts and open work.
//!
//! Everything goes through [`PgStore`]'s own writes, which are upserts, so
//! running it again copies again without duplicating anything (a line is
//! keyed by its conversation and sequence number). Lines a crash left
//! beyond a conversation's `next_seq` were never acknowledged and are not
//! copied. The index tables of sled (resume tokens, client ids, each
//! visitor's conversations) are columns of the copied rows in PostgreSQL.

use std::fmt;

use super::{PgStore, SledStore, StoreError};

/// What was copied.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub conversations: usize,
    pub lines: usize,
    pub agents: usize,
    pub sessions: usize,
    pub left_messages: usize,
    pub unanswered: usize,
}

impl fmt::Display for Copied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} conversations with {} lines, {} agents, {} sessions, {} left messages, \
             {} unanswered questions",
            self.conversations,
            self.lines,
            self.agents,
            self.sessions,
            self.left_messages,
            self.unanswered
        )
    }
}

/// Conversations staged before each commit: bounds the memory a large
/// store takes while keeping transactions big.
const CONVERSATIONS_PER_COMMIT: usize = 200;

/// Copies everything in `from` into `to`; `progress` hears the count of
/// conversations copied so far after each commit.
pub async fn sled_to_postgres(
    from: &SledStore,
    to: &PgStore,
    mut progress: impl FnMut(usize),
) -> Result<Copied, StoreError> {
    let mut copied = Copied::default();
    for agent in from.agents()? {
        to.put_agent(&agent).await?;
        copied.agents += 1;
    }
    for (token, session) in from.sessions()? {
        to.put_session(&token, &session).await?;
        copied.sessions += 1;
    }
    for id in from.conversation_ids()? {
        let Some(record) = from.conversation(id)? else {
            continue;
        };
        let lines: Vec<_> = from
            .history(id)?
            .into_iter()
            .filter(|line| line.seq < record.next_seq)
            .collect();
        to.create_conversation(&record)?;
        to.append_messages(&record, &lines)?;
        copied.conversations += 1;
        copied.lines += lines.len();
        if copied.conversations % CONVERSATIONS_PER_COMMIT == 0 {
            to.flush().await?;
            progress(copied.conversations);
        }
    }
    for message in from.offline_messages()? {
        to.put_offline_message(&message)?;
        copied.left_messages += 1;
    }
    for question in from.unmatched_since(None)? {
        to.record_unmatched(&question)?;
        copied.unanswered += 1;
    }
    to.flush().await?;
    progress(copied.conversations);
    Ok(copied)
}

impl SledStore {
    /// Every session, with its token.
    pub fn sessions(&self) -> Result<Vec<(String, crate::agents::Session)>, StoreError> {
        let mut out = Vec::new();
        for item in self.sessions.iter() {
            let (token, value) = item?;
            let token = String::from_utf8_lossy(&token).into_owned();
            out.push((token, serde_json::from_slice(&value)?));
        }
        Ok(out)
    }

    /// Every left message, handled or not, oldest first.
    pub fn offline_messages(&self) -> Result<Vec<super::OfflineMessage>, StoreError> {
        self.offline_messages
            .iter()
            .map(|item| Ok(serde_json::from_slice(&item?.1)?))
            .collect()
    }
}
