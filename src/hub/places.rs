//! The queue as the hub keeps it: the serving order in step with the
//! records, and who hears what about it.
//!
//! The order is a [`QueueOrder`], changed one conversation at a time, so a
//! join or leave costs work for the places that moved, not for the
//! queue's length. Keeping it in step cannot be forgotten by an operation:
//! every change to a live conversation goes through
//! [`Live::conversation_mut`] (or [`Live::admit`], [`Live::forget`]), which
//! marks it; [`Live::settle_queue`] re-keys the marked ones before anyone
//! reads the order, and runs each time the hub lock is taken. Debug builds
//! (every test) compare the result with sorting from scratch.
//!
//! Telling: a visitor whose place moved gets it in their `latest` slot at
//! once ([`Live::queue_changed`]). Everyone's estimate moves only when the
//! number of agents taking chats or the typical handling time does; only
//! then does every waiting visitor get a look ([`Live::visitor_positions`]).
//! The agents' copy of the queue lists every entry with its texts, so it is
//! coalesced: built at once when the last copy is older than
//! [`QUEUE_CLOCK_PERIOD`], otherwise owed and built by the queue clock
//! ([`Hub::run_queue_clock`]). The clock also tells any move an operation
//! left unannounced, so every place is right within a period.

use std::ops::Range;
use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::protocol::QUEUE_VIEW_LIMIT;
use crate::queue::QueueOrder;

/// The least time between two copies of the queue for agents, and how
/// often the queue clock looks for what is owed.
pub const QUEUE_CLOCK_PERIOD: Duration = Duration::from_millis(250);

/// The queue's bookkeeping inside [`Live`].
#[derive(Default)]
pub(super) struct QueueBook {
    /// The waiting conversations in serving order.
    order: QueueOrder,
    /// Conversations handed out for a change since the order last caught
    /// up (they may have joined, left or moved).
    touched: Vec<Uuid>,
    /// Places (indices into `order`) that moved since visitors were last
    /// told: the span covering every operation's moves.
    moved: Option<Range<usize>>,
    /// Conversations that left the line since their visitors were told.
    left: Vec<Uuid>,
    /// Agents' copy of the queue is older than the queue.
    agents_owed: bool,
    /// When agents were last sent a copy (tokio's clock, so paused-clock
    /// tests see the same coalescing).
    agents_told_at: Option<Instant>,
}

impl QueueBook {
    /// Marks a conversation that may have changed its place in the queue.
    pub(super) fn touch(&mut self, conversation: Uuid) {
        self.touched.push(conversation);
    }

    /// How many conversations wait.
    pub(super) fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the queue clock has anything to tell at `now`.
    fn owes(&self, now: Instant, agents_online: bool) -> bool {
        self.moved.is_some()
            || !self.left.is_empty()
            || (self.agents_owed && agents_online && self.agents_due(now))
    }

    fn agents_due(&self, now: Instant) -> bool {
        self.agents_told_at
            .is_none_or(|at| now >= at + QUEUE_CLOCK_PERIOD)
    }
}

/// The queue entry of a conversation waiting for a person.
fn entry_of(c: &LiveConversation) -> Option<QueueEntry> {
    (c.record.status == Status::Queued).then(|| QueueEntry {
        conversation_id: c.record.id,
        queued_at: c.record.queued_at.unwrap_or(c.record.created_at),
        requeued: c.record.requeued,
        frustration: c.record.mood.score,
    })
}

impl Live {
    /// Re-keys every conversation touched since the last time: each joins,
    /// leaves or moves in the order, and the places that moved are noted
    /// for telling.
    pub(super) fn settle_queue(&mut self) {
        if !self.queue.touched.is_empty() {
            let mut touched = std::mem::take(&mut self.queue.touched);
            for id in touched.drain(..) {
                self.rekey(id);
            }
            // Keep the buffer's room for next time.
            self.queue.touched = touched;
            crate::metrics::queue_length(self.queue.order.len());
        }
        // Every time, not only after a touch: a change that skipped
        // `conversation_mut` touched nothing.
        if cfg!(debug_assertions) {
            self.check_queue();
        }
    }

    /// Puts one conversation where its record says: in line at its
    /// urgency, or out of it.
    fn rekey(&mut self, id: Uuid) {
        let book = &mut self.queue;
        let moved = match self.conversations.get(&id).and_then(entry_of) {
            Some(entry) => {
                if book.order.get(id) == Some(&entry) {
                    return;
                }
                book.order.file(entry)
            }
            None if book.order.get(id).is_some() => {
                book.left.push(id);
                book.order.remove(id)
            }
            None => return,
        };
        book.agents_owed = true;
        if !moved.is_empty() {
            book.moved = Some(match book.moved.take() {
                Some(earlier) => earlier.start.min(moved.start)..earlier.end.max(moved.end),
                None => moved,
            });
        }
    }

    /// Debug builds: the kept order is what sorting the records gives. A
    /// failure means a conversation changed without being touched.
    fn check_queue(&self) {
        let mut scratch: Vec<QueueEntry> =
            self.conversations.values().filter_map(entry_of).collect();
        queue::order(&mut scratch);
        assert!(
            self.queue.order.entries() == scratch.as_slice(),
            "the kept queue order drifted from the records: a conversation \
             changed without Live::conversation_mut"
        );
    }

    /// The next conversation in line.
    pub(super) fn next_in_line(&mut self) -> Option<Uuid> {
        self.settle_queue();
        self.queue.order.first().map(|e| e.conversation_id)
    }

    /// A conversation's place in line and estimated wait, if it waits.
    pub(super) fn queue_position(&mut self, conversation: Uuid) -> Option<(usize, u64)> {
        self.settle_queue();
        let position = self.queue.order.position(conversation)?;
        Some((
            position,
            queue::estimated_wait_secs(position, self.agents_available(), &self.handling),
        ))
    }

    /// The queue as agents see it: its head in serving order (see
    /// [`QUEUE_VIEW_LIMIT`]), and how many wait in all.
    pub(super) fn queue_view(&mut self) -> AgentEvent {
        self.settle_queue();
        let now = OffsetDateTime::now_utc();
        let entries = self
            .queue
            .order
            .entries()
            .iter()
            .take(QUEUE_VIEW_LIMIT)
            .filter_map(|e| Some((e, self.conversations.get(&e.conversation_id)?)))
            .map(|(e, c)| QueueEntryView {
                order_reason: e.why(now),
                conversation_id: c.record.id.to_string(),
                queued_at: e.queued_at,
                reasons: c.record.reasons.clone(),
                preview: c.record.preview.clone(),
                frustration: c.record.mood.score,
                earlier_conversations: c.record.earlier_count,
                visitor_id: c.record.visitor().to_string(),
            })
            .collect();
        AgentEvent::Queue {
            entries,
            total: self.queue.order.len(),
        }
    }

    /// Everyone learns of a queue change: visitors whose place moved get
    /// it now; agents get the new queue now or from the queue clock.
    pub(super) fn queue_changed(&mut self, deliveries: &mut Deliveries) {
        self.settle_queue();
        self.queue.agents_owed = true;
        self.tell_queue(deliveries, Instant::now());
    }

    /// Every waiting visitor's place and estimate, for when every estimate
    /// may have moved: the number of agents taking chats or the typical
    /// handling time changed. Only those whose value changed hear of it.
    pub(super) fn visitor_positions(&mut self, deliveries: &mut Deliveries) {
        self.settle_queue();
        self.queue.moved = Some(0..self.queue.order.len());
        self.tell_places(deliveries);
    }

    /// Tells what is owed at `now`: moved places, and the agents' copy
    /// unless the last one is more recent than [`QUEUE_CLOCK_PERIOD`].
    fn tell_queue(&mut self, deliveries: &mut Deliveries, now: Instant) {
        self.tell_places(deliveries);
        if self.agents.is_empty() {
            // A console that connects gets the queue in its greeting.
            self.queue.agents_owed = false;
        } else if self.queue.agents_owed && self.queue.agents_due(now) {
            self.queue.agents_owed = false;
            self.queue.agents_told_at = Some(now);
            let latest = Latest {
                value: Some(self.queue_view()),
                version: self.next_version(),
            };
            for a in self.agents.values() {
                deliveries
                    .agent_latest
                    .push((a.outbox.latest.clone(), latest.clone()));
            }
        }
    }

    /// Sets the place of each visitor in the moved span and of each who
    /// left the line: waiting ones their place and estimate, the others
    /// none (so a place not yet sent is never sent after they left).
    fn tell_places(&mut self, deliveries: &mut Deliveries) {
        let moved = self.queue.moved.take();
        let left = std::mem::take(&mut self.queue.left);
        if moved.is_none() && left.is_empty() {
            return;
        }
        let agents = self.agents_available();
        let entries = self.queue.order.entries();
        if let Some(moved) = moved {
            let end = moved.end.min(entries.len());
            for (index, e) in entries.iter().enumerate().take(end).skip(moved.start) {
                self.tell_place(e.conversation_id, Some(index + 1), agents, deliveries);
            }
        }
        for id in left {
            // It may have joined again since.
            let position = self.queue.order.position(id);
            self.tell_place(id, position, agents, deliveries);
        }
    }

    /// Sets one conversation's place (1 = next) in its visitors' `latest`
    /// slots, when it differs from what they were last told.
    fn tell_place(
        &self,
        id: Uuid,
        position: Option<usize>,
        agents: usize,
        deliveries: &mut Deliveries,
    ) {
        let Some(c) = self.conversations.get(&id) else {
            return;
        };
        let place = position.map(|p| (p, queue::estimated_wait_secs(p, agents, &self.handling)));
        if c.place.get() == place {
            return;
        }
        // Kept even with no visitor watching: a tab that connects gets the
        // place in its greeting, and later moves compare with this.
        c.place.set(place);
        if c.visitors.is_empty() {
            return;
        }
        let event = place.map(|(position, estimated_wait_s)| VisitorEvent::Queued {
            position,
            estimated_wait_s,
        });
        deliveries.latest_for_visitors(c, self.next_version(), event.as_ref());
    }
}

impl Hub {
    /// Sends what the queue owes every [`QUEUE_CLOCK_PERIOD`] until the
    /// server stops: the agents' coalesced copy, and moves no operation
    /// announced.
    pub async fn run_queue_clock(self, mut shutdown: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(QUEUE_CLOCK_PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.tell_queue_owed().await {
                        tracing::error!(error = %e, "telling the queue failed");
                    }
                }
                _ = crate::shutdown::stopping(&mut shutdown) => break,
            }
        }
    }

    /// One look of the queue clock.
    pub async fn tell_queue_owed(&self) -> Result<(), HubError> {
        let deliveries = {
            let mut live = self.live();
            let now = Instant::now();
            if !live.queue.owes(now, !live.agents.is_empty()) {
                return Ok(());
            }
            let mut deliveries = Deliveries::default();
            live.tell_queue(&mut deliveries, now);
            deliveries
        };
        if deliveries.visitor_latest.is_empty() && deliveries.agent_latest.is_empty() {
            return Ok(());
        }
        // What this tells reflects changes whose own flush may still be
        // running: nobody sees it before it is durable.
        self.flush_and_deliver(deliveries).await
    }
}
