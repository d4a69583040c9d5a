//! One visitor message read for frustration: what the conversation's mood
//! ([`super::conversation`]) adds up.
//!
//! # Design decision: clear evidence only, topics never
//!
//! A calm visitor must be left alone, so only clear evidence counts:
//!
//! - **Hard evidence from the lexicon** ([`super::frustration`]): asking
//!   for a person, swearing, insults, rejecting the bot's answer, sarcasm,
//!   angry emoji, threats (a lawyer, a chargeback, "scam"), and
//!   repetition ("third time I ask") — support chat's own words, which a
//!   model trained on Reddit cannot know.
//! - **Negative wording**: the trained tone model ([`super::tone`]) past
//!   its own threshold (the probability with the best F1 on held-out
//!   data), growing with how far past it is; for messages of a few words
//!   only ("no" is an answer, not a mood). Its evidence is the words that
//!   weighed most. The lexicon's clearly negative words keep a floor at
//!   0.7 of their weight, enough for one such word to be acknowledged:
//!   the model learnt from Reddit, which uses
//!   "terrible" for sad news as often as for bad service, and reads "I
//!   can't" as disapproval where a support visitor is reporting a problem;
//!   support chat needs both views.
//! - **Amplifiers**: time pressure ("asap", "urgent") and shouting (capitals,
//!   "!!!") count fully only beside other evidence in the same message, or
//!   once the conversation is already upset; otherwise at half weight. "I
//!   need it asap" is not anger; "this is useless, I need it ASAP!!!" is,
//!   and so is "hello??" after the bot has apologised once.
//!
//! A message is **warm** when the lexicon finds thanks or praise and
//! nothing else: the bot may not understand "I'll ask the neighbours
//! then, thanks", but that is a goodbye, not a failure.
//!
//! What a question is about — a refund, cancelling, money, a delay — is
//! never evidence: the lexicon no longer lists topics, and the tone model
//! reads whether they are raised angrily.

use super::frustration::{self, Signal, SignalKind};
use super::tone::{ToneModel, ToneReading};

/// What a certainly frustrated tone adds (the evidence scale of the lexicon:
/// one clear signal is about 1).
pub const TONE_STRENGTH: f32 = 2.0;
/// The share of the lexicon's negative-wording weight kept as a floor…
const LEXICON_FLOOR: f32 = 0.7;
/// …for clearly negative words only ("terrible", "ridiculous": about 1 and
/// more); mild cues ("not", "supposed", "late") are left to the model.
const LEXICON_STRONG: f32 = 1.0;
/// Shorter messages give the tone model too little to read.
const MIN_WORDS_FOR_TONE: usize = 3;
/// What an amplifier keeps on its own.
const ALONE: f32 = 0.5;

/// Warmth (the lexicon's offset thanks and praise) from which a message
/// with no evidence reads as warm: a "thanks" is about 0.3.
const WARM: f32 = 0.2;

/// How one message reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// From 0 (calm) to 1: `1 − e^(−Σ weights)`.
    pub score: f32,
    /// The evidence, strongest first.
    pub signals: Vec<Signal>,
    /// The tone model's reading, for tools and reports.
    pub tone: ToneReading,
    /// Thanks or praise and no evidence of frustration.
    pub warm: bool,
}

/// Reads `text` on its own; `vector` is its sentence vector when the
/// encoder gave one.
pub fn read(text: &str, vector: Option<&[f32]>) -> Reading {
    read_in(text, vector, false)
}

/// Reads `text` in a conversation that is `already_upset` (or not).
pub fn read_in(text: &str, vector: Option<&[f32]>, already_upset: bool) -> Reading {
    read_with(&ToneModel::bundled(), text, vector, already_upset)
}

/// [`read_in`] with a given tone model.
pub fn read_with(
    model: &ToneModel,
    text: &str,
    vector: Option<&[f32]>,
    already_upset: bool,
) -> Reading {
    let lexicon = frustration::read_message(text);
    let tone = model.read_given(text, vector, &lexicon);
    let mut signals: Vec<Signal> = Vec::new();
    let mut amplifiers: Vec<Signal> = Vec::new();
    let mut wording: Option<Signal> = None;
    for signal in lexicon.signals.iter().cloned() {
        match signal.kind {
            SignalKind::NegativeWording => wording = Some(signal),
            SignalKind::Urgency if is_repetition(&signal.evidence) => signals.push(signal),
            SignalKind::Urgency | SignalKind::Emphasis => amplifiers.push(signal),
            SignalKind::Profanity
            | SignalKind::Insult
            | SignalKind::HighStakes
            | SignalKind::AskForHuman
            | SignalKind::Sarcasm
            | SignalKind::Rejection
            | SignalKind::NegativeEmoji => signals.push(signal),
        }
    }
    // A reply of a word or two ("no", "not really") is an answer, not a mood.
    let long_enough = text.split_whitespace().count() >= MIN_WORDS_FOR_TONE;
    let from_tone = if long_enough {
        TONE_STRENGTH * tone.excess()
    } else {
        0.0
    };
    let from_lexicon = match &wording {
        Some(w) if long_enough && w.weight >= LEXICON_STRONG => LEXICON_FLOOR * w.weight,
        _ => 0.0,
    };
    if from_tone >= from_lexicon && from_tone > 0.0 {
        let evidence = if tone.words.is_empty() {
            "the message as a whole".to_owned()
        } else {
            tone.words
                .iter()
                .map(|(w, _)| w.as_str())
                .take(3)
                .collect::<Vec<_>>()
                .join(", ")
        };
        signals.push(Signal {
            kind: SignalKind::NegativeWording,
            weight: from_tone,
            evidence,
        });
    } else if let Some(mut lexicon) = wording.filter(|_| from_lexicon > 0.0) {
        lexicon.weight = from_lexicon;
        signals.push(lexicon);
    }
    let factor = if signals.is_empty() && !already_upset {
        ALONE
    } else {
        1.0
    };
    signals.extend(amplifiers.into_iter().map(|mut s| {
        s.weight *= factor;
        s
    }));
    signals.retain(|s| s.weight > 0.005);
    signals.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let total: f32 = signals.iter().map(|s| s.weight).sum();
    Reading {
        score: 1.0 - (-total).exp(),
        warm: signals.is_empty() && lexicon.warmth >= WARM,
        signals,
        tone,
    }
}

/// Whether urgency evidence is about having to ask again or wait long
/// ("third time", "still waiting") rather than time pressure ("asap").
fn is_repetition(evidence: &str) -> bool {
    const PRESSURE: &[&str] = &[
        "asap",
        "urgent",
        "urgently",
        "immediately",
        "emergency",
        "hurry",
    ];
    evidence.split(", ").any(|e| !PRESSURE.contains(&e.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<SignalKind> {
        read(text, None).signals.iter().map(|s| s.kind).collect()
    }

    #[test]
    fn routine_questions_about_money_and_dates_read_as_calm() {
        for calm in [
            "Can I cancel my order?",
            "I sent my return two weeks ago, when do I get my money back",
            "when is your customer service open?",
            "can I collect my order from your shop?",
            "I need it by friday, can you ship express?",
            "I was charged twice for the same order",
            "no",
        ] {
            let r = read(calm, None);
            assert_eq!(r.score, 0.0, "{calm:?}: {:?}", r.signals);
        }
    }

    #[test]
    fn hard_evidence_counts_on_its_own() {
        assert_eq!(
            kinds("can I talk to a human"),
            vec![SignalKind::AskForHuman]
        );
        assert!(kinds("this is the third time I ask").contains(&SignalKind::Urgency));
        assert!(kinds("I'll do a chargeback then").contains(&SignalKind::HighStakes));
        assert!(read("useless bot, you idiots", None).score > 0.8);
    }

    #[test]
    fn time_pressure_alone_is_mild_and_beside_anger_counts_fully() {
        let alone = read("can you send it asap please", None);
        let beside = read("this is ridiculous and useless, send it asap", None);
        let weight = |r: &Reading| {
            r.signals
                .iter()
                .find(|s| s.kind == SignalKind::Urgency)
                .map_or(0.0, |s| s.weight)
        };
        assert!(weight(&alone) > 0.0 && alone.score < 0.5, "{alone:?}");
        assert!(weight(&beside) > weight(&alone), "{beside:?}");
    }

    #[test]
    fn thanks_are_warm_and_sarcastic_thanks_are_not() {
        assert!(read("I'll ask the neighbours first then, thanks", None).warm);
        assert!(read("ok thank you", None).warm);
        assert!(!read("thanks for nothing", None).warm);
        assert!(!read("where is my order", None).warm);
    }

    #[test]
    fn an_impatient_ping_counts_more_once_the_conversation_is_upset() {
        let calm = read_in("hello??", None, false).score;
        let upset = read_in("hello??", None, true).score;
        assert!(upset > calm && calm > 0.0, "{calm} {upset}");
    }

    #[test]
    fn a_frustrated_tone_names_the_words_behind_it() {
        let r = read(
            "I'm really disappointed with the quality of this jacket",
            None,
        );
        let tone = r
            .signals
            .iter()
            .find(|s| s.kind == SignalKind::NegativeWording)
            .expect("read as frustrated");
        assert!(tone.evidence.contains("disappointed"), "{tone:?}");
    }
}
