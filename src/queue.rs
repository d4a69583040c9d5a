//! The live-agent queue: who is next and how long the wait is likely to be.
//!
//! Pure functions over queue entries. Order is first come, first served
//! (oldest `queued_at` first, ties by conversation id so the order is total
//! and every agent sees the same list). The wait estimate is deliberately
//! simple for now — position times an average handling time, shared among
//! the agents online — and lives here so a better one replaces it in one place.

use time::OffsetDateTime;
use uuid::Uuid;

/// Average time an agent spends on one conversation, until Tandem measures it.
pub const DEFAULT_HANDLING_SECS: u64 = 120;

/// One conversation waiting for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// When it entered the queue.
    pub queued_at: OffsetDateTime,
}

/// Sorts entries into serving order.
pub fn order(entries: &mut [QueueEntry]) {
    entries.sort_by(|a, b| {
        a.queued_at
            .cmp(&b.queued_at)
            .then(a.conversation_id.cmp(&b.conversation_id))
    });
}

/// Estimated seconds until someone at `position` (1 = next) is taken,
/// with `agents_online` agents signed in.
pub fn estimated_wait_secs(position: usize, agents_online: usize) -> u64 {
    let agents = agents_online.max(1) as u64;
    (position as u64 * DEFAULT_HANDLING_SECS).div_ceil(agents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn whoever_waited_longest_is_first() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let mut q = vec![
            QueueEntry {
                conversation_id: Uuid::from_u128(1),
                queued_at: t + Duration::seconds(5),
            },
            QueueEntry {
                conversation_id: Uuid::from_u128(2),
                queued_at: t,
            },
        ];
        order(&mut q);
        assert_eq!(q[0].conversation_id, Uuid::from_u128(2));
    }

    #[test]
    fn more_agents_shorten_the_estimate() {
        assert_eq!(estimated_wait_secs(2, 1), 240);
        assert_eq!(estimated_wait_secs(2, 2), 120);
        assert_eq!(estimated_wait_secs(1, 0), 120);
    }
}
