//! The serving order, kept up to date one change at a time.
//!
//! Sorting the whole queue on every join or leave costs its length each
//! time: with a thousand visitors waiting and twenty coming and going a
//! second, that was most of the server's work, though almost nobody's place
//! moved. [`QueueOrder`] keeps the waiting entries in a vector in serving
//! order (the order [`super::order`] sorts into, by the same comparison) and
//! an index from conversation to its entry. A change binary-searches the
//! entry's old and new index, shifts only the entries between them, and
//! returns which places it moved ([`Moved`]): exactly the visitors who need
//! telling. A join at the back moves one place; a leave from the front
//! moves everyone behind it, who all did move.
//!
//! Why a sorted vector and not a `BTreeSet`: a visitor needs their *place*,
//! the number of entries ahead of them, which a B-tree can only count one
//! by one; a binary search on a vector finds it in log time, and the shift
//! a vector does on insert and remove spans exactly the places that changed
//! (a copy of a few dozen bytes per place).

use std::collections::HashMap;
use std::ops::Range;

use uuid::Uuid;

use super::{serving_order, QueueEntry};

/// Indices into the serving order (0 = next in line) whose occupant changed
/// with one operation: the visitors there have a new place. Empty when
/// nobody's place moved. A conversation that left the queue is not in it
/// (it has no place any more); the caller knows whom it removed.
pub type Moved = Range<usize>;

/// The waiting conversations in serving order, updated in place.
#[derive(Debug, Clone, Default)]
pub struct QueueOrder {
    /// Every waiting entry, in serving order.
    entries: Vec<QueueEntry>,
    /// Each waiting conversation's entry as filed, to find it in `entries`
    /// by binary search.
    filed: HashMap<Uuid, QueueEntry>,
}

impl QueueOrder {
    /// How many conversations wait.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The waiting entries in serving order (index 0 is next); index them
    /// with a `Moved` range to visit the places that changed.
    pub fn entries(&self) -> &[QueueEntry] {
        &self.entries
    }

    /// Who is next.
    pub fn first(&self) -> Option<&QueueEntry> {
        self.entries.first()
    }

    /// The entry filed for `conversation`, if it waits.
    pub fn get(&self, conversation: Uuid) -> Option<&QueueEntry> {
        self.filed.get(&conversation)
    }

    /// The place of `conversation` in line (1 = next), if it waits.
    pub fn position(&self, conversation: Uuid) -> Option<usize> {
        self.index_of(conversation).map(|i| i + 1)
    }

    fn index_of(&self, conversation: Uuid) -> Option<usize> {
        let entry = self.filed.get(&conversation)?;
        self.entries
            .binary_search_by(|e| serving_order(e, entry))
            .ok()
    }

    /// Puts `entry` in line: a conversation joining the queue, or one
    /// already waiting whose urgency changed (frustration, sent back to
    /// the front). Returns the places that moved.
    pub fn file(&mut self, entry: QueueEntry) -> Moved {
        let id = entry.conversation_id;
        let Some(old) = self.index_of(id) else {
            let at = self
                .entries
                .partition_point(|e| serving_order(e, &entry).is_lt());
            self.entries.insert(at, entry.clone());
            self.filed.insert(id, entry);
            return at..self.entries.len();
        };
        if self.entries[old] == entry {
            return old..old;
        }
        // Entries served before the new one, counting its old self when
        // that was served before it too.
        let before = self
            .entries
            .partition_point(|e| serving_order(e, &entry).is_lt());
        self.filed.insert(id, entry.clone());
        if before <= old {
            // Moves up (or stays): those from its new index to its old one
            // step back one place.
            self.entries[before..=old].rotate_right(1);
            self.entries[before] = entry;
            if before == old {
                old..old
            } else {
                before..old + 1
            }
        } else {
            // Moves back: those it falls behind step up one place.
            let new = before - 1;
            self.entries[old..=new].rotate_left(1);
            self.entries[new] = entry;
            if new == old {
                old..old
            } else {
                old..new + 1
            }
        }
    }

    /// Takes `conversation` out of line (claimed, closed, stopped waiting).
    /// Returns the places that moved: everyone behind it steps up.
    pub fn remove(&mut self, conversation: Uuid) -> Moved {
        let Some(at) = self.index_of(conversation) else {
            return 0..0;
        };
        self.entries.remove(at);
        self.filed.remove(&conversation);
        at..self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::order as sort_from_scratch;
    use time::{Duration, OffsetDateTime};

    fn entry(id: u128, queued_s: i64, frustration: f32) -> QueueEntry {
        QueueEntry {
            conversation_id: Uuid::from_u128(id),
            queued_at: OffsetDateTime::UNIX_EPOCH + Duration::seconds(queued_s),
            requeued: false,
            frustration,
        }
    }

    fn line_of(ids: &[u128]) -> QueueOrder {
        let mut order = QueueOrder::default();
        for (i, id) in ids.iter().enumerate() {
            order.file(entry(*id, i as i64, 0.0));
        }
        order
    }

    #[test]
    fn joining_behind_everyone_moves_nobody_ahead() {
        let mut order = line_of(&[1, 2, 3]);
        assert_eq!(order.file(entry(4, 10, 0.0)), 3..4);
        assert_eq!(order.position(Uuid::from_u128(4)), Some(4));
    }

    #[test]
    fn leaving_from_the_front_moves_everyone_behind() {
        let mut order = line_of(&[1, 2, 3]);
        assert_eq!(order.remove(Uuid::from_u128(1)), 0..2);
        assert_eq!(order.position(Uuid::from_u128(3)), Some(2));
        assert_eq!(order.position(Uuid::from_u128(1)), None);
    }

    #[test]
    fn leaving_from_the_back_moves_nobody() {
        let mut order = line_of(&[1, 2, 3]);
        assert!(order.remove(Uuid::from_u128(3)).is_empty());
        assert!(order.remove(Uuid::from_u128(99)).is_empty());
    }

    #[test]
    fn a_visitor_getting_frustrated_moves_past_only_those_they_overtake() {
        let mut order = QueueOrder::default();
        for id in 1..=5 {
            order.file(entry(id, id as i64 * 60, 0.0));
        }
        // A 0.5 head start is 150 s: from 5th (300 s) ahead of 3rd (180 s).
        assert_eq!(order.file(entry(5, 300, 0.5)), 2..5);
        assert_eq!(order.position(Uuid::from_u128(5)), Some(3));
        // Calming down again puts them back.
        assert_eq!(order.file(entry(5, 300, 0.0)), 2..5);
        assert_eq!(order.position(Uuid::from_u128(5)), Some(5));
    }

    #[test]
    fn a_change_that_does_not_move_anyone_moves_nobody() {
        let mut order = line_of(&[1, 2, 3]);
        assert!(order.file(entry(2, 1, 0.0)).is_empty());
        // A little frustration, not enough to pass anyone.
        assert!(order.file(entry(2, 1, 0.001)).is_empty());
        assert_eq!(order.get(Uuid::from_u128(2)), Some(&entry(2, 1, 0.001)));
    }

    /// A small deterministic generator (splitmix64): the same sequences on
    /// every run, no dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n as u64) as usize
        }
    }

    /// Frustration scores with ties and with head starts that equal a
    /// whole number of seconds of waiting (0.1 = 30 s).
    const MOODS: [f32; 7] = [0.0, 0.0, 0.1, 0.25, 0.5, 0.9, 1.0];

    #[test]
    fn the_kept_order_matches_sorting_from_scratch_through_joins_leaves_claims_and_transfers() {
        for seed in 0..10 {
            let mut rng = Rng(seed);
            let mut order = QueueOrder::default();
            // The truth: who waits (with their entry), and who an agent holds.
            let mut waiting: HashMap<Uuid, QueueEntry> = HashMap::new();
            let mut held: Vec<QueueEntry> = Vec::new();
            let mut next_id = 0u128;
            let mut now = 0i64;
            for step in 0..1000 {
                let before: Vec<Uuid> = order.entries().iter().map(|e| e.conversation_id).collect();
                let pick = |rng: &mut Rng| -> Option<Uuid> {
                    (!before.is_empty()).then(|| before[rng.below(before.len())])
                };
                // Seconds pass, sometimes none (ties on `queued_at`).
                now += rng.below(3) as i64;
                let (what, moved) = match rng.below(if waiting.len() > 60 { 6 } else { 8 }) {
                    6 | 7 | 0 => {
                        next_id += 1;
                        let e = entry(next_id, now, MOODS[rng.below(MOODS.len())]);
                        waiting.insert(e.conversation_id, e.clone());
                        ("join", order.file(e))
                    }
                    1 => match pick(&mut rng) {
                        Some(id) => {
                            waiting.remove(&id);
                            ("leave", order.remove(id))
                        }
                        None => ("leave nobody", 0..0),
                    },
                    2 => {
                        // Agents mostly take the next in line, sometimes any.
                        let id = if rng.below(2) == 0 {
                            order.first().map(|e| e.conversation_id)
                        } else {
                            pick(&mut rng)
                        };
                        match id.and_then(|id| waiting.remove(&id)) {
                            Some(e) => {
                                held.push(e.clone());
                                ("claim", order.remove(e.conversation_id))
                            }
                            None => ("claim nobody", 0..0),
                        }
                    }
                    3 if !held.is_empty() => {
                        // Unanswered or the agent left: back to the front.
                        let mut e = held.swap_remove(rng.below(held.len()));
                        e.requeued = true;
                        waiting.insert(e.conversation_id, e.clone());
                        ("transfer back", order.file(e))
                    }
                    _ => match pick(&mut rng) {
                        Some(id) => {
                            let mut e = waiting[&id].clone();
                            e.frustration = MOODS[rng.below(MOODS.len())];
                            waiting.insert(id, e.clone());
                            ("mood", order.file(e))
                        }
                        None => ("mood of nobody", 0..0),
                    },
                };

                let mut scratch: Vec<QueueEntry> = waiting.values().cloned().collect();
                sort_from_scratch(&mut scratch);
                let after: Vec<Uuid> = order.entries().iter().map(|e| e.conversation_id).collect();
                let expected: Vec<Uuid> = scratch.iter().map(|e| e.conversation_id).collect();
                assert_eq!(after, expected, "seed {seed} step {step}: {what}");
                assert_eq!(
                    order.entries(),
                    scratch.as_slice(),
                    "seed {seed} step {step}"
                );
                // The places reported moved are exactly those whose
                // occupant changed.
                let changed: Vec<usize> = (0..after.len())
                    .filter(|&p| before.get(p) != Some(&after[p]))
                    .collect();
                assert_eq!(
                    changed,
                    moved.clone().collect::<Vec<_>>(),
                    "seed {seed} step {step}: {what}"
                );
                for (i, id) in after.iter().enumerate() {
                    assert_eq!(order.position(*id), Some(i + 1));
                }
                for e in &held {
                    assert_eq!(order.position(e.conversation_id), None);
                }
                assert_eq!(order.len(), waiting.len());
            }
        }
    }
}
