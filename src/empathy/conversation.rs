//! Conversation-level frustration: what the visitor's messages, the bot's
//! misses, feedback and waiting say together.
//!
//! One message rarely tells the whole story. "blue kayaks?" is calm on its
//! own, but not as the third try at a question the bot keeps missing. A
//! [`Mood`] lives in each conversation's record and is updated by events —
//! a visitor message with the bot's outcome, a thumbs up or down, a message
//! while waiting in the queue — each with the time passed in. Each event
//! yields [`Signal`]s (a stable code, a weight and the message behind it),
//! and their weighted total `e` moves the score: `s ← 1 − (1 − s)·e^(−e)`,
//! so evidence pushes it towards 1 without ever passing it. An event with no
//! evidence where the bot did well multiplies the score by the policy's
//! `calm_decay`, so a conversation that recovers cools down.

mod words;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::frustration::SignalKind;
use super::policy::EscalationPolicy;
use super::reading;
use crate::protocol::{Reason, ReasonCode};
use words::ContentWords;

/// Visitor lines remembered for spotting repetition.
const REMEMBERED_LINES: usize = 6;
/// Signals remembered for the agent's list of reasons.
const REMEMBERED_SIGNALS: usize = 12;
/// Longest evidence quote kept, in characters.
const EVIDENCE_CHARS: usize = 200;
/// Word-set similarity from which a line counts as the same question again
/// after the bot struggled with it…
const REPEAT_SIMILARITY: f32 = 0.6;
/// …and after a good answer: only the very same question.
const SAME_QUESTION: f32 = 0.9;
/// How far above the matcher's threshold an answer still counts as unsure.
const LOW_CONFIDENCE_MARGIN: f32 = 0.1;

/// What Tandem remembers about a visitor's mood; part of the conversation's
/// stored record (every field defaults, so older records load).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mood {
    /// Frustration over the conversation so far, from 0 (calm) to 1.
    pub score: f32,
    /// The highest the score has been, for reports.
    pub peak: f32,
    /// Signals seen so far, oldest first (at most a dozen).
    pub evidence: Vec<Signal>,
    /// The visitor's last few lines, for spotting a repeated question.
    pub recent_lines: Vec<String>,
    /// When the visitor last wrote.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_visitor_at: Option<OffsetDateTime>,
    /// Messages in the current burst (quick succession).
    pub burst: u32,
    /// Words in the visitor's previous line.
    pub last_words: u32,
    /// Whether the bot's last answer was a miss or unsure.
    pub bot_struggled: bool,
    /// Whether the bot has acknowledged the visitor's frustration and
    /// offered a person (and the conversation has not calmed down since).
    pub offered: bool,
}

/// One piece of evidence about the visitor's mood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// What kind of evidence, as agents and reports see it.
    pub code: ReasonCode,
    /// How much it added to the conversation's evidence (after the policy's weight).
    pub weight: f32,
    /// A short phrase for agents: `negative wording: "ridiculous"`.
    pub text: String,
    /// The message (or event) that caused it.
    pub evidence: String,
}

impl Signal {
    /// The signal as an escalation reason.
    pub fn reason(&self) -> Reason {
        Reason {
            code: self.code,
            text: self.text.clone(),
            evidence: Some(self.evidence.clone()),
        }
    }
}

/// How the bot fared with the message, as the mood cares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BotOutcome {
    /// The bot answered with this confidence; `threshold` is the matcher's.
    Answered { confidence: f32, threshold: f32 },
    /// The bot did not understand.
    Missed,
    /// The bot was not answering (a person has the conversation).
    NotAnswering,
    /// The bot had no answer, but the visitor was only being kind
    /// ("thanks, I'll try that"): not a miss.
    Pleasantry,
}

impl Mood {
    /// Reads one visitor message in the context of the conversation and
    /// updates the score; `vector` is the message's sentence vector when the
    /// encoder gave one. Returns this message's signals, strongest first.
    pub fn observe_message(
        &mut self,
        text: &str,
        vector: Option<&[f32]>,
        outcome: BotOutcome,
        now: OffsetDateTime,
        policy: &EscalationPolicy,
    ) -> Vec<Signal> {
        let reading = self.read(text, vector, policy);
        self.observe_reading(text, &reading, outcome, now, policy)
    }

    /// Reads `text` in this conversation's context: once it is upset,
    /// impatience counts fully ([`reading::read_in`]).
    pub fn read(
        &self,
        text: &str,
        vector: Option<&[f32]>,
        policy: &EscalationPolicy,
    ) -> reading::Reading {
        reading::read_in(
            text,
            vector,
            self.offered || self.score >= policy.soft_threshold,
        )
    }

    /// [`Mood::observe_message`] for a message already read.
    pub fn observe_reading(
        &mut self,
        text: &str,
        reading: &reading::Reading,
        outcome: BotOutcome,
        now: OffsetDateTime,
        policy: &EscalationPolicy,
    ) -> Vec<Signal> {
        let quote = quote(text);
        let weights = &policy.weights;
        let mut signals: Vec<Signal> = reading
            .signals
            .clone()
            .into_iter()
            .map(|s| {
                let code = code_of(s.kind);
                Signal {
                    code,
                    weight: s.weight * weights.of(code),
                    text: format!("{}: \"{}\"", s.kind.describe(), s.evidence),
                    evidence: quote.clone(),
                }
            })
            .collect();
        let mut add = |code: ReasonCode, text: String| {
            signals.push(Signal {
                code,
                weight: weights.of(code),
                text,
                evidence: quote.clone(),
            });
        };

        // Asking again counts after an answer that did not land; after a
        // good answer a similar question is a follow-up ("and to
        // Austria?"), unless it is the very same question.
        let words = ContentWords::of(text);
        let needed = if self.bot_struggled {
            REPEAT_SIMILARITY
        } else {
            SAME_QUESTION
        };
        let mut earlier_words = ContentWords::default();
        if words.len() >= 2
            && self.recent_lines.iter().any(|earlier| {
                earlier_words.read(earlier);
                words.similarity(&earlier_words) >= needed
            })
        {
            add(
                ReasonCode::RepeatedQuestion,
                "asked the same thing again".into(),
            );
        }
        let struggled = match outcome {
            BotOutcome::Missed => {
                add(ReasonCode::BotMisses, "the bot did not understand".into());
                true
            }
            BotOutcome::Answered {
                confidence,
                threshold,
            } if confidence < threshold + LOW_CONFIDENCE_MARGIN => {
                add(
                    ReasonCode::LowConfidence,
                    format!("the bot was unsure of its answer ({confidence:.2})"),
                );
                true
            }
            BotOutcome::Answered { .. } | BotOutcome::Pleasantry => false,
            BotOutcome::NotAnswering => self.bot_struggled,
        };
        let quick = self.last_visitor_at.is_some_and(|at| {
            (now - at).whole_seconds() < i64::try_from(policy.burst_window_secs).unwrap_or(i64::MAX)
        });
        self.burst = if quick { self.burst + 1 } else { 1 };
        // Quick typists are not upset by themselves: a burst counts only
        // while the bot is struggling.
        if policy.burst_messages > 0
            && self.burst >= policy.burst_messages
            && (struggled || self.bot_struggled)
        {
            add(
                ReasonCode::MessageBurst,
                format!("{} messages in quick succession", self.burst),
            );
        }
        let word_count = u32::try_from(text.split_whitespace().count()).unwrap_or(u32::MAX);
        if self.bot_struggled && self.last_words >= 12 && word_count <= 3 {
            add(
                ReasonCode::CurtReply,
                "a curt reply after long messages".into(),
            );
        }

        signals.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        self.apply(&signals, (!struggled).then_some(policy.calm_decay));
        self.bot_struggled = struggled;
        self.last_words = word_count;
        self.last_visitor_at = Some(now);
        self.recent_lines
            .push(text.chars().take(EVIDENCE_CHARS).collect());
        if self.recent_lines.len() > REMEMBERED_LINES {
            self.recent_lines.remove(0);
        }
        signals
    }

    /// A thumbs up or down on the bot line `bot_line`.
    pub fn observe_feedback(
        &mut self,
        helpful: bool,
        bot_line: &str,
        policy: &EscalationPolicy,
    ) -> Vec<Signal> {
        let signals = if helpful {
            Vec::new()
        } else {
            vec![Signal {
                code: ReasonCode::RejectedAnswer,
                weight: policy.weights.rejected_answer,
                text: "thumbs down on a bot answer".into(),
                evidence: quote(bot_line),
            }]
        };
        self.apply(&signals, helpful.then_some(policy.calm_decay));
        if !helpful {
            self.bot_struggled = true;
        }
        signals
    }

    /// Time in the queue, seen when the visitor writes while waiting.
    pub fn observe_queue_wait(
        &mut self,
        queued_at: OffsetDateTime,
        now: OffsetDateTime,
        policy: &EscalationPolicy,
    ) -> Vec<Signal> {
        let waited = (now - queued_at).whole_seconds().max(0).unsigned_abs();
        let grace = policy.queue_wait_grace_secs.max(1);
        let periods = waited / grace;
        let already = self
            .evidence
            .iter()
            .filter(|s| s.code == ReasonCode::QueueWait)
            .count() as u64;
        let signals = if periods > already {
            vec![Signal {
                code: ReasonCode::QueueWait,
                weight: policy.weights.queue_wait,
                text: format!("waited {} min in the queue", waited / 60),
                evidence: format!("in the queue since {queued_at}"),
            }]
        } else {
            Vec::new()
        };
        self.apply(&signals, None);
        signals
    }

    /// Notes the bot's decision on the last message: an acknowledgement
    /// with an offer of a person is remembered until the conversation has
    /// calmed down to below half the soft threshold.
    pub fn note_decision(&mut self, acknowledged: bool, policy: &EscalationPolicy) {
        if acknowledged {
            self.offered = true;
        } else if self.score < policy.soft_threshold / 2.0 {
            self.offered = false;
        }
    }

    /// Moves the score with `signals`; with none, multiplies it by `decay`
    /// (given when the event went well).
    fn apply(&mut self, signals: &[Signal], decay: Option<f32>) {
        let total: f32 = signals.iter().map(|s| s.weight).sum();
        if total > 0.0 {
            self.score = 1.0 - (1.0 - self.score) * (-total).exp();
        } else if let Some(decay) = decay {
            self.score *= decay;
        }
        self.score = self.score.clamp(0.0, 1.0);
        self.peak = self.peak.max(self.score);
        for s in signals {
            self.evidence.push(s.clone());
        }
        let excess = self.evidence.len().saturating_sub(REMEMBERED_SIGNALS);
        self.evidence.drain(..excess);
    }
}

/// The stable reason code of a per-message signal kind.
pub fn code_of(kind: SignalKind) -> ReasonCode {
    match kind {
        SignalKind::NegativeWording => ReasonCode::NegativeWording,
        SignalKind::Profanity => ReasonCode::Profanity,
        SignalKind::Insult => ReasonCode::Insult,
        SignalKind::Urgency => ReasonCode::Urgency,
        SignalKind::HighStakes => ReasonCode::HighStakes,
        SignalKind::AskForHuman => ReasonCode::AskedForHuman,
        SignalKind::Emphasis => ReasonCode::Shouting,
        SignalKind::Sarcasm => ReasonCode::Sarcasm,
        SignalKind::Rejection => ReasonCode::RejectedAnswer,
        SignalKind::NegativeEmoji => ReasonCode::NegativeEmoji,
    }
}

fn quote(text: &str) -> String {
    let mut q: String = text.chars().take(EVIDENCE_CHARS).collect();
    if q.len() < text.len() {
        q.push('…');
    }
    q
}

#[cfg(test)]
mod tests;
