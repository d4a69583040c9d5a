//! Empathy: reading how a visitor feels, and deciding when the bot must
//! step aside.
//!
//! # Design decision: explainable signals, pure decisions
//!
//! Every point of frustration Tandem sees comes from a named signal with the
//! words (or the event) behind it, so the reasons an agent reads are the real
//! reasons. Everything here is plain synchronous code: text, events and the
//! time come in as arguments, decisions come out. The hub calls it under its
//! lock; nothing here awaits, sleeps or touches the disk.
//!
//! # Layout
//!
//! - [`frustration`]: the per-message reader — a hand-written lexicon with
//!   rules for negation, intensifiers, contrast, emphasis, emoji, sarcasm,
//!   insults, urgency, stakes, asking for a person and rejecting an answer.
//! - [`conversation`]: the conversation's [`conversation::Mood`]: each
//!   message read in context (repetition, bot misses, unsure answers,
//!   rejection, bursts, curt replies, queue waits) folded into one score.
//! - [`policy`]: the business's escalation policy (`[escalation]` in
//!   `intents/policy.toml`): thresholds, hard triggers, signal weights.
//! - [`reading`]: one message read for the mood: the lexicon's hard
//!   evidence, the tone model's reading, urgency and shouting as
//!   amplifiers; topics (money, dates, cancelling) never count.
//! - [`tone`]: a trained reader of tone (logistic regression over words,
//!   the lexicon's findings and the sentence vector; `tandem empathy
//!   train`), which explains itself by the words that weighed most.
//! - [`eval`]: `tandem empathy eval`: precision, recall and F1 of the
//!   per-message reader on a labelled CSV file.

pub mod conversation;
pub mod eval;
pub mod frustration;
pub mod policy;
pub mod reading;
pub mod tone;

pub use policy::{asked_for_human, explain_to_visitor, Decision, EscalationPolicy, TurnOutcome};
