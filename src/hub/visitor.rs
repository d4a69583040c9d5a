//! The visitor's side of the switchboard (connecting is `connect.rs`):
//! each line the visitor writes — answered by the bot while it
//! has the conversation, forwarded to the agent once a person does — asking
//! for a person, and thumbs up or down on the bot's answers.
//!
//! Visitor operations name the *socket* (its connection id), not a
//! conversation: the conversation a socket shows changes when the visitor
//! writes after a close, which starts their next conversation
//! ([`continue_if_closed`]). Resolving the socket under the hub lock means a
//! line can never land in a conversation that was just closed.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    append, append_all, say, Deliveries, Hub, HubError, Line, Live, LiveConversation, Stored,
};
use crate::bot;
use crate::empathy;
use crate::empathy::conversation::BotOutcome;
use crate::encoder::Embedding;
use crate::intents::unmatched::UnmatchedQuestion;
use crate::intents::{FirstLook, IntentSet};
use crate::protocol::{AgentEvent, Sender, Status, VisitorEvent};
use crate::store::Store;

impl Hub {
    /// When the bot will answer a visitor's message: the matcher's first
    /// look at it, and its sentence vector if the matcher wants one
    /// ([`Matcher::wants_vector`]), both found before the hub lock is taken
    /// (encoding takes milliseconds; the bot's turn reuses the look). The
    /// vector is `None` when the n-grams suffice, or the encoder is off or
    /// busy.
    ///
    /// [`Matcher::wants_vector`]: crate::intents::Matcher::wants_vector
    async fn message_vector(
        &self,
        intents: &IntentSet,
        connection: u64,
        text: &str,
    ) -> (Option<FirstLook>, Option<Embedding>) {
        let bot_answers = self
            .live()
            .visitor_conversation_mut(connection)
            // After a close, writing starts a new conversation with the bot.
            .is_ok_and(|c| c.record.bot_is_answering() || c.record.status == Status::Closed);
        if !bot_answers {
            return (None, None);
        }
        let look = intents.matcher.first_look(text);
        if !intents.matcher.wants_vector(&look) {
            return (Some(look), None);
        }
        (Some(look), self.embedder().embed_message(text).await.ok())
    }

    /// Stores a visitor's line, lets the bot answer while it has the
    /// conversation, and forwards the line to the agent when a person has it.
    /// Returns once the line is durable; the caller then sends the `ack`.
    pub async fn visitor_message(
        &self,
        connection: u64,
        client_id: &str,
        text: &str,
    ) -> Result<Stored, HubError> {
        crate::metrics::message_received(crate::metrics::Role::Visitor);
        let intents = self.intents();
        let (look, vector) = self.message_vector(&intents, connection, text).await;
        let shown = self.live().visitor_conversation(connection)?;
        let hold = self.hold(shown, None).await?;
        let resent = self.stored_before(&hold, shown, client_id).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let availability = self.availability(&live);
            let current = live.visitor_conversation(connection)?;
            if resent || live.conversation_mut(current)?.wrote_lately(client_id) {
                // Stored before; the flush in `commit` makes sure the earlier
                // write is durable before this second ack.
                None
            } else {
                let now = OffsetDateTime::now_utc();
                let mut deliveries = Deliveries::default();
                let conversation =
                    continue_if_closed(store, &mut live, current, now, &mut deliveries)?;
                let c = live.conversation_mut(conversation)?;
                c.room_for_a_line()?;
                if c.record.preview.is_none() {
                    c.record.preview = Some(text.chars().take(140).collect());
                }
                if c.record.bot_is_answering() {
                    // Each exchange (a visitor line and the bot's answer) moves the
                    // response rotation on by one.
                    let exchange = c.record.next_seq / 2;
                    let turn = bot::respond(
                        &intents,
                        text,
                        bot::Heard {
                            vector: vector.as_ref(),
                            // Ranked once, before the lock.
                            look,
                        },
                        &mut c.record.mood,
                        c.record.misses_in_row,
                        exchange,
                        now,
                    );
                    let missed = turn.misses_in_row > c.record.misses_in_row;
                    crate::metrics::bot_turn(!missed);
                    if missed {
                        // A fallback: owners list these to write the next intents.
                        store.record_unmatched(&UnmatchedQuestion {
                            text: text.to_owned(),
                            at: now,
                            conversation,
                        })?;
                    }
                    c.record.misses_in_row = turn.misses_in_row;
                    let wants_person = turn.escalate.is_some();
                    let mut reply = turn.reply;
                    let escalated = match turn.escalate {
                        // Outside business hours nobody would come: say so
                        // instead of queueing.
                        Some(_) if availability.is_closed() => {
                            reply.text = availability.closed_reply().unwrap_or_default();
                            reply.quick_replies = Vec::new();
                            false
                        }
                        Some(reasons) => {
                            let codes: Vec<_> = reasons.iter().map(|r| r.code).collect();
                            let escalated = c.record.escalate(reasons, now);
                            if escalated {
                                crate::metrics::escalated(codes);
                            }
                            escalated
                        }
                        None => false,
                    };
                    // The visitor's line and the bot's answer: one write.
                    let written = append_all(
                        store,
                        c,
                        [
                            Line::visitor(text)
                                .client_id(client_id)
                                .intent(turn.intent.clone()),
                            Line::bot(&intents, &reply.text).quick_replies(reply.quick_replies),
                        ],
                        now,
                    )?;
                    if let [asked, answer] = written.as_slice() {
                        deliveries.for_other_tabs(
                            c,
                            connection,
                            VisitorEvent::Message(asked.view()),
                        );
                        deliveries.for_visitors(c, VisitorEvent::Message(answer.view()));
                    }
                    if wants_person {
                        if let Some(notice) = availability.notice(self.hours_text()) {
                            deliveries.for_visitors(c, notice);
                        }
                    }
                    if escalated {
                        live.queue_changed(&mut deliveries);
                    }
                } else {
                    // A person has it (or it waits for one): the mood still
                    // reads the line, and counts the time spent waiting.
                    let policy = &intents.policy.escalation;
                    if let (Status::Queued, Some(queued_at)) = (c.record.status, c.record.queued_at)
                    {
                        c.record.mood.observe_queue_wait(queued_at, now, policy);
                    }
                    c.record.mood.observe_message(
                        text,
                        None,
                        BotOutcome::NotAnswering,
                        now,
                        policy,
                    );
                    let line = append(store, c, Line::visitor(text).client_id(client_id), now)?;
                    deliveries.for_other_tabs(c, connection, VisitorEvent::Message(line.view()));
                    if c.record.status == Status::Queued {
                        // The mood moved, and with it maybe the queue order.
                        live.queue_changed(&mut deliveries);
                    } else if let Some(agent) = c
                        .record
                        .assigned_to
                        .clone()
                        .filter(|_| c.record.status == Status::Assigned)
                    {
                        live.for_agent(
                            &mut deliveries,
                            &agent,
                            AgentEvent::Message {
                                conversation_id: conversation.to_string(),
                                message: line.view(),
                            },
                        );
                    }
                }
                Some(deliveries)
            }
        };
        self.commit_stored(hold, deliveries).await
    }

    /// The visitor asks for a person (the widget's button).
    pub async fn request_human(&self, connection: u64) -> Result<(), HubError> {
        let intents = self.intents();
        let hold = self.hold_shown(connection).await?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let availability = self.availability(&live);
            let mut deliveries = Deliveries::default();
            let now = OffsetDateTime::now_utc();
            let current = live.visitor_conversation(connection)?;
            let conversation = continue_if_closed(store, &mut live, current, now, &mut deliveries)?;
            let c = live.conversation_mut(conversation)?;
            let reasons =
                empathy::policy::with_supporting(empathy::asked_for_human(), &c.record.mood);
            if let Some(text) = availability.closed_reply() {
                say(store, c, Line::bot(&intents, &text), now, &mut deliveries)?;
                if let Some(notice) = availability.notice(self.hours_text()) {
                    deliveries.for_visitors(c, notice);
                }
            } else if c.record.escalate(reasons.clone(), now) {
                crate::metrics::escalated(reasons.iter().map(|r| r.code));
                if let Some(notice) = availability.notice(self.hours_text()) {
                    deliveries.for_visitors(c, notice);
                }
                let reply = bot::handoff_reply(&intents, &reasons);
                say(
                    store,
                    c,
                    Line::bot(&intents, &reply.text),
                    now,
                    &mut deliveries,
                )?;
                live.queue_changed(&mut deliveries);
            } else if let Some((position, wait)) = live.queue_position(conversation) {
                // Already waiting: say where they stand again.
                if let Some(c) = live.conversations.get(&conversation) {
                    deliveries.for_visitors(
                        c,
                        VisitorEvent::Queued {
                            position,
                            estimated_wait_s: wait,
                        },
                    );
                }
            }
            deliveries
        };
        self.commit_held(hold, deliveries).await
    }

    /// A thumbs up or down on a bot line. A thumbs down counts as the
    /// visitor rejecting the answer: the bot apologises and offers a person,
    /// or hands over when the conversation's frustration reaches the hard
    /// threshold. A thumbs up cools the score down. Nothing is said back to
    /// a thumbs up.
    pub async fn feedback(
        &self,
        connection: u64,
        message_id: &str,
        helpful: bool,
    ) -> Result<(), HubError> {
        let intents = self.intents();
        let seq: u64 = message_id.parse().map_err(|_| HubError::NoSuchBotMessage)?;
        let shown = self.live().visitor_conversation(connection)?;
        let hold = self.hold(shown, None).await?;
        // Read outside the lock: the visitor saw the answer, so it is stored.
        let line = self
            .inner
            .store
            .message(shown, seq)
            .await?
            .filter(|m| m.from == Sender::Bot)
            .ok_or(HubError::NoSuchBotMessage)?;
        let deliveries = {
            let mut live = self.live();
            let store = &self.inner.store;
            let c = live.visitor_conversation_mut(connection)?;
            if c.record.id != shown {
                // The visitor started a new conversation meanwhile.
                return Err(HubError::NoSuchBotMessage);
            }
            let policy = &intents.policy.escalation;
            let now = OffsetDateTime::now_utc();
            let signals = c.record.mood.observe_feedback(helpful, &line.text, policy);
            let mut deliveries = Deliveries::default();
            if helpful || !c.record.bot_is_answering() {
                store.save_conversation(&c.record)?;
                deliveries
            } else {
                let decision = policy.decide(
                    &empathy::TurnOutcome::Understood {
                        handoff: false,
                        handoff_reason: "",
                    },
                    &signals,
                    &c.record.mood,
                );
                let (reply, escalated) = match decision {
                    empathy::Decision::HandOver(reasons) => {
                        let reply = bot::handoff_reply(&intents, &reasons);
                        let codes: Vec<_> = reasons.iter().map(|r| r.code).collect();
                        let escalated = c.record.escalate(reasons, now);
                        if escalated {
                            crate::metrics::escalated(codes);
                        }
                        (reply, escalated)
                    }
                    _ => (
                        bot::BotReply {
                            text: format!(
                                "Sorry that didn't help. {}",
                                empathy::policy::OFFER_A_PERSON
                            ),
                            quick_replies: vec![empathy::policy::TALK_TO_A_PERSON.to_owned()],
                        },
                        false,
                    ),
                };
                say(
                    store,
                    c,
                    Line::bot(&intents, &reply.text).quick_replies(reply.quick_replies),
                    now,
                    &mut deliveries,
                )?;
                if escalated {
                    live.queue_changed(&mut deliveries);
                }
                deliveries
            }
        };
        self.commit_held(hold, deliveries).await
    }
}

/// The conversation a visitor's new line or request belongs to. A closed
/// conversation stays closed: writing after a close starts the visitor's
/// next conversation (same visitor, same resume token), every socket that
/// showed the closed one moves to it and hears `new_conversation`, and the
/// closed one leaves memory (agents read it from the store).
fn continue_if_closed(
    store: &Store,
    live: &mut Live,
    current: Uuid,
    now: OffsetDateTime,
    deliveries: &mut Deliveries,
) -> Result<Uuid, HubError> {
    let closed = live.conversation_mut(current)?;
    if closed.record.status != Status::Closed {
        return Ok(current);
    }
    let next = closed.record.follow_up(Uuid::new_v4(), now);
    store.create_conversation(&next)?;
    let visitors = std::mem::take(&mut closed.visitors);
    live.forget(current);
    let id = next.id;
    for connection in visitors.keys() {
        live.visitor_sockets.insert(*connection, id);
    }
    live.tokens.insert(next.resume_token.clone(), id);
    let c = LiveConversation {
        record: next,
        visitors,
        answer_deadline: None,
        stored: true,
        place: Default::default(),
        recent_client_ids: Vec::new(),
        client_ids_complete: true,
    };
    deliveries.for_visitors(
        &c,
        VisitorEvent::NewConversation {
            conversation_id: id.to_string(),
        },
    );
    live.admit(c);
    Ok(id)
}
