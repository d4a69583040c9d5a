//! How long Tandem keeps what visitors wrote.
//!
//! The product's promise is that a visitor's data "is kept only as long as
//! it must be". An owner sets `[retention] days` in `tandem.toml`; a
//! conversation whose last activity (its close, else its last line, else its
//! start) is that many days old is deleted with everything that names it:
//! lines, dedupe entries, its place in the visitor's list, its resume token.
//! Unanswered questions and handled left messages of that age go too.
//! Conversations waiting for or held by a person are never deleted, and
//! `days = 0` (the default) keeps everything.
//!
//! The decisions here are pure; `hub::Hub::purge_expired` applies them.

use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use crate::protocol::Status;

/// `[retention]` in `tandem.toml`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Days after its last activity that a conversation is deleted; 0 keeps
    /// everything.
    #[serde(default)]
    pub days: u32,
}

impl Retention {
    /// Anything last active before this time is due, or `None` when
    /// everything is kept.
    pub fn cutoff(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        (self.days > 0).then(|| now - Duration::days(i64::from(self.days)))
    }

    /// Whether a conversation in `status`, last active at `last_activity`,
    /// is due for deletion at `now`.
    pub fn is_due(
        &self,
        status: Status,
        last_activity: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        let waiting_for_a_person = matches!(status, Status::Queued | Status::Assigned);
        match self.cutoff(now) {
            Some(cutoff) => !waiting_for_a_person && last_activity < cutoff,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

    fn days_ago(days: i64) -> OffsetDateTime {
        NOW - Duration::days(days)
    }

    #[test]
    fn by_default_nothing_is_ever_deleted() {
        let keep = Retention::default();
        assert!(!keep.is_due(Status::Closed, days_ago(10_000), NOW));
        assert_eq!(keep.cutoff(NOW), None);
    }

    #[test]
    fn a_conversation_quiet_for_longer_than_the_retention_is_due() {
        let ninety = Retention { days: 90 };
        assert!(ninety.is_due(Status::Closed, days_ago(91), NOW));
        assert!(ninety.is_due(Status::Bot, days_ago(91), NOW));
        assert!(!ninety.is_due(Status::Closed, days_ago(89), NOW));
    }

    #[test]
    fn a_visitor_still_waiting_for_a_person_is_never_deleted() {
        let one = Retention { days: 1 };
        assert!(!one.is_due(Status::Queued, days_ago(400), NOW));
        assert!(!one.is_due(Status::Assigned, days_ago(400), NOW));
    }
}
