//! The live-agent queue: who is next and how long the wait is likely to be.
//!
//! Pure functions over queue entries. Order is first come, first served
//! (oldest `queued_at` first, ties by conversation id so the order is total
//! and every agent sees the same list). The wait estimate is deliberately
//! simple for now — position times an average handling time, shared among
//! the agents online — and lives here so a better one replaces it in one place.
//!
//! [`order`] sorts a list from scratch; [`QueueOrder`] keeps the same order
//! up to date one change at a time, so that a busy queue costs work for the
//! places that moved, not for its length (the hub keeps one).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

mod order;

pub use order::QueueOrder;

/// How conversations reach agents (`[desk]` in `tandem.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeskPolicy {
    /// `pull`: agents claim from the queue. `auto`: Tandem assigns each
    /// conversation to the available agent with the fewest chats.
    pub assignment: Assignment,
    /// Most conversations an agent holds at once, unless set per agent.
    pub max_chats: usize,
    /// Per-agent caps, by sign-in name.
    pub max_chats_per_agent: BTreeMap<String, usize>,
    /// Seconds an agent has to write the first reply after taking a
    /// conversation before it goes back to the front of the queue; 0 = never.
    pub answer_within_s: u64,
}

impl Default for DeskPolicy {
    fn default() -> Self {
        DeskPolicy {
            assignment: Assignment::Pull,
            max_chats: 3,
            max_chats_per_agent: BTreeMap::new(),
            answer_within_s: 120,
        }
    }
}

impl DeskPolicy {
    /// The cap for `agent`.
    pub fn max_chats_of(&self, agent: &str) -> usize {
        self.max_chats_per_agent
            .get(agent)
            .copied()
            .unwrap_or(self.max_chats)
    }
}

/// See [`DeskPolicy::assignment`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    #[default]
    Pull,
    Auto,
}

/// Average time an agent spends on one conversation, until Tandem measures it.
pub const DEFAULT_HANDLING_SECS: u64 = 120;

/// How many seconds of waiting a fully frustrated visitor (score 1.0) is
/// worth: they go ahead of calm visitors who have waited up to this long.
pub const FRUSTRATION_HEADSTART_SECS: f64 = 300.0;

/// One conversation waiting for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// When it entered the queue.
    pub queued_at: OffsetDateTime,
    /// An agent let it wait unanswered: it goes to the front.
    pub requeued: bool,
    /// The conversation's frustration score, 0 to 1.
    pub frustration: f32,
}

impl QueueEntry {
    /// Urgency as "effective seconds waited": real waiting time plus a head
    /// start for frustration. Everyone's waiting time grows at the same
    /// rate, so the order only changes when someone's frustration does, and
    /// a calm visitor is never starved: after waiting longer than the head
    /// start they go ahead of any newcomer.
    fn urgency(&self) -> f64 {
        // Relative to a fixed epoch: only differences matter.
        -(self.queued_at.unix_timestamp_nanos() as f64 / 1e9)
            + f64::from(self.frustration.clamp(0.0, 1.0)) * FRUSTRATION_HEADSTART_SECS
    }

    /// Why the entry stands where it does, for agents.
    pub fn why(&self, now: OffsetDateTime) -> String {
        if self.requeued {
            return "first: an agent left it unanswered".into();
        }
        let waited = (now - self.queued_at).whole_seconds().max(0);
        let waited = if waited < 60 {
            format!("waiting {waited} s")
        } else {
            format!("waiting {} min", waited / 60)
        };
        let head_start = (f64::from(self.frustration.clamp(0.0, 1.0)) * FRUSTRATION_HEADSTART_SECS
            / 60.0)
            .round();
        if head_start >= 1.0 {
            format!(
                "{waited} + {head_start:.0} min ahead for frustration ({:.0}%)",
                self.frustration * 100.0
            )
        } else {
            waited
        }
    }
}

/// Sorts entries into serving order: conversations an agent left unanswered
/// first, then by urgency (waiting time plus a head start for frustration).
pub fn order(entries: &mut [QueueEntry]) {
    entries.sort_by(serving_order);
}

/// Whether `a` is served before `b` (see [`order`]). Total: two entries of
/// different conversations are never equal, so every agent sees one list.
fn serving_order(a: &QueueEntry, b: &QueueEntry) -> Ordering {
    b.requeued
        .cmp(&a.requeued)
        .then(b.urgency().total_cmp(&a.urgency()))
        .then(a.queued_at.cmp(&b.queued_at))
        .then(a.conversation_id.cmp(&b.conversation_id))
}

/// An agent as auto-assignment sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad<'a> {
    /// Sign-in name.
    pub name: &'a str,
    /// Whether they take new chats now.
    pub available: bool,
    /// Conversations held now.
    pub chats: usize,
    /// Most they may hold.
    pub max_chats: usize,
}

/// The agent to give the next conversation to: available, under their cap,
/// with the fewest chats (ties by name, so the choice is stable). `avoid` is
/// the agent who just left this conversation unanswered: anyone else with
/// room comes first, and they get it back only when nobody else can take it.
pub fn pick_agent<'a>(agents: &[AgentLoad<'a>], avoid: Option<&str>) -> Option<&'a str> {
    agents
        .iter()
        .filter(|a| a.available && a.chats < a.max_chats)
        .min_by_key(|a| (Some(a.name) == avoid, a.chats, a.name))
        .map(|a| a.name)
}

/// How many recent handling times the wait estimate looks at.
pub const HANDLING_WINDOW: usize = 20;

/// The most recent handling times (claim to close), newest last.
///
/// The wait estimate uses their median: robust to the odd chat an agent left
/// open all afternoon. Until a first conversation is closed it assumes
/// [`DEFAULT_HANDLING_SECS`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandlingTimes {
    recent: std::collections::VecDeque<u64>,
}

impl HandlingTimes {
    /// Records a conversation an agent handled for `secs`.
    pub fn record(&mut self, secs: u64) {
        if self.recent.len() == HANDLING_WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(secs.max(1));
    }

    /// The typical time an agent spends on a conversation.
    pub fn typical_secs(&self) -> u64 {
        if self.recent.is_empty() {
            return DEFAULT_HANDLING_SECS;
        }
        let mut sorted: Vec<u64> = self.recent.iter().copied().collect();
        sorted.sort_unstable();
        sorted[sorted.len() / 2]
    }
}

/// Estimated seconds until someone at `position` (1 = next) is taken.
///
/// Agents free up one conversation every `typical_secs` each, so with
/// `agents_online` agents the queue moves `agents_online` places per
/// typical handling time: `ceil(position / agents) * typical`. With nobody
/// signed in it assumes one agent (the visitor is told separately that
/// nobody is there).
pub fn estimated_wait_secs(position: usize, agents_online: usize, handling: &HandlingTimes) -> u64 {
    let agents = agents_online.max(1) as u64;
    (position as u64).div_ceil(agents) * handling.typical_secs()
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
                requeued: false,
                frustration: 0.0,
            },
            QueueEntry {
                conversation_id: Uuid::from_u128(2),
                queued_at: t,
                requeued: false,
                frustration: 0.0,
            },
        ];
        order(&mut q);
        assert_eq!(q[0].conversation_id, Uuid::from_u128(2));
    }

    fn entry(id: u128, waited_secs: i64, frustration: f32) -> QueueEntry {
        QueueEntry {
            conversation_id: Uuid::from_u128(id),
            queued_at: OffsetDateTime::UNIX_EPOCH + Duration::hours(1)
                - Duration::seconds(waited_secs),
            requeued: false,
            frustration,
        }
    }

    #[test]
    fn a_furious_newcomer_goes_ahead_of_a_calm_visitor_who_just_arrived() {
        let mut q = vec![entry(1, 60, 0.0), entry(2, 5, 0.9)];
        order(&mut q);
        assert_eq!(q[0].conversation_id, Uuid::from_u128(2));
    }

    #[test]
    fn nobody_starves_a_long_wait_beats_any_frustration() {
        let mut q = vec![entry(1, 400, 0.0), entry(2, 0, 1.0)];
        order(&mut q);
        assert_eq!(q[0].conversation_id, Uuid::from_u128(1));
    }

    #[test]
    fn the_order_is_explained() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::hours(1);
        assert_eq!(entry(1, 130, 0.0).why(now), "waiting 2 min");
        assert_eq!(
            entry(1, 30, 0.8).why(now),
            "waiting 30 s + 4 min ahead for frustration (80%)"
        );
    }

    #[test]
    fn a_conversation_left_unanswered_goes_to_the_front() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let mut q = vec![
            QueueEntry {
                conversation_id: Uuid::from_u128(1),
                queued_at: t,
                requeued: false,
                frustration: 0.0,
            },
            QueueEntry {
                conversation_id: Uuid::from_u128(2),
                queued_at: t + Duration::minutes(9),
                requeued: true,
                frustration: 0.0,
            },
        ];
        order(&mut q);
        assert_eq!(q[0].conversation_id, Uuid::from_u128(2));
    }

    #[test]
    fn auto_assignment_picks_the_least_busy_available_agent_under_the_cap() {
        let load = |name, available, chats, max_chats| AgentLoad {
            name,
            available,
            chats,
            max_chats,
        };
        let agents = [
            load("ann", true, 2, 3),
            load("bob", true, 1, 3),
            load("cy", false, 0, 3),
            load("dee", true, 1, 1),
        ];
        assert_eq!(pick_agent(&agents, None), Some("bob"));
        let full = [load("ann", true, 3, 3), load("cy", false, 0, 3)];
        assert_eq!(pick_agent(&full, None), None);
    }

    #[test]
    fn a_chat_left_unanswered_goes_to_someone_else_when_anyone_has_room() {
        let load = |name, chats| AgentLoad {
            name,
            available: true,
            chats,
            max_chats: 3,
        };
        let agents = [load("ann", 0), load("bob", 2)];
        assert_eq!(pick_agent(&agents, Some("ann")), Some("bob"));
        assert_eq!(pick_agent(&agents[..1], Some("ann")), Some("ann"));
    }

    #[test]
    fn more_agents_shorten_the_estimate() {
        let h = HandlingTimes::default();
        assert_eq!(estimated_wait_secs(2, 1, &h), 240);
        assert_eq!(estimated_wait_secs(2, 2, &h), 120);
        assert_eq!(estimated_wait_secs(1, 0, &h), 120);
    }

    #[test]
    fn the_estimate_follows_recent_handling_times() {
        let mut h = HandlingTimes::default();
        for secs in [300, 60, 90, 3600, 80] {
            h.record(secs);
        }
        assert_eq!(
            h.typical_secs(),
            90,
            "the median ignores the afternoon-long chat"
        );
        assert_eq!(estimated_wait_secs(3, 2, &h), 180);
        for _ in 0..HANDLING_WINDOW {
            h.record(30);
        }
        assert_eq!(h.typical_secs(), 30, "old samples age out");
    }
}
