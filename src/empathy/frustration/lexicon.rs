//! The hand-written word and phrase lists the scorer reads.
//!
//! Every entry here was written from general knowledge of English (in the
//! spirit of VADER and AFINN valences), not mined from any data set. Valences
//! run from -4 (furious) to +4 (delighted); only their sign and rough size
//! matter, because the scorer multiplies them by a few global weights.
//!
//! Words are stored the way the tokenizer normalises them: lower case, with
//! apostrophes removed ("don't" is `dont`) and letter runs longer than two
//! squeezed ("sooo" is looked up as `soo`, then `so`).
//!
//! # Layout
//!
//! * `feelings` — the feeling words, one list per tone and valence.
//! * `words` — the words with a role rather than a feeling: negators,
//!   intensifiers and diminishers, contrasts, targets, urgency, stakes, and
//!   the words that ask for a person.
//! * `phrases` — multi-word expressions and what each kind means.
//! * `maps` — the word and phrase maps built once from all the lists, and
//!   the packed keys and hash they are looked up with.

mod feelings;
mod maps;
mod phrases;
mod words;

pub(super) use maps::{
    Entry, Lexicon, WordKey, FLAG_CONTRAST, FLAG_NEGATOR, FLAG_PERSON, FLAG_PERSON_ALWAYS,
    FLAG_PERSON_VAGUE, FLAG_PHRASE_TAIL, FLAG_REAL, FLAG_TALK_VERB, FLAG_TARGET, FLAG_WANT_VERB,
    MAX_WORD,
};
pub(super) use phrases::{PhraseKind, MAX_PHRASE_WORDS};

/// How a word feels, grouped by the emotion it carries.
///
/// The groups matter because frustration is not the same as unhappiness: a
/// sad or frightened visitor is not necessarily an angry one, so sadness and
/// fear count for much less than anger or disapproval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tone {
    /// Anger, hatred, disgust: "hate", "furious", "disgusting".
    Anger,
    /// Annoyance: "annoying", "ugh", "sick of".
    Annoyance,
    /// Disappointment: "disappointed", "waste", "useless".
    Disappointment,
    /// Disapproval and judgement: "wrong", "unfair", "nonsense".
    Disapproval,
    /// Sadness and grief; counts only a little towards frustration.
    Sadness,
    /// Fear and worry; counts only a little towards frustration.
    Fear,
    /// Name-calling: "idiot", "moron", "clown".
    Insult,
    /// Swearing: "fuck", "crap", "wtf". Also boosts the next word.
    Profanity,
    /// Something going wrong: "late", "missing", "error".
    Problem,
    /// Pleasure, thanks, praise, laughter.
    Positive,
}

/// A tone list: every word in it shares one tone and valence.
pub(super) type ToneList = (Tone, f32, &'static [&'static str]);

#[cfg(test)]
mod tests {
    use super::feelings::FEELINGS;
    use super::phrases::PHRASES;
    use super::*;

    #[test]
    fn every_phrase_fits_the_scanner_window_and_is_normalised() {
        for &(_, _, list) in PHRASES {
            for p in list {
                assert!(p.split(' ').count() <= MAX_PHRASE_WORDS, "{p}");
                assert!(!p.contains('\''), "{p}");
                assert_eq!(p.to_lowercase(), *p);
            }
        }
    }

    #[test]
    fn every_word_is_normalised() {
        for &(_, _, list) in FEELINGS {
            for w in list {
                assert!(
                    w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "{w}"
                );
                assert!(w.len() <= MAX_WORD, "{w}");
            }
        }
    }
}
