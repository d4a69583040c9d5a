//! The word and phrase maps the scanner looks words up in, built once from
//! every list: each word's [`Entry`] (feeling, scale, urgency, stakes and
//! `FLAG_*` roles), each phrase, and the packed [`WordKey`] and fast hash
//! they are keyed with.

use super::feelings::FEELINGS;
use super::phrases::{PhraseKind, PHRASES};
use super::words::{
    CONTRASTS, NEGATORS, PERSONS, PERSONS_ALWAYS, PERSONS_VAGUE, REAL_MARKERS, SCALERS, STAKES,
    TALK_VERBS, TARGETS, URGENCY, WANT_VERBS,
};
use super::Tone;

/// Everything the scanner needs to know about one word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::empathy::frustration) struct Entry {
    /// The feeling the word carries, if any.
    pub feeling: Option<(Tone, f32)>,
    /// Factor the word applies to the next feeling word (1 when none).
    pub scale: f32,
    /// Urgency weight (0 when none).
    pub urgency: f32,
    /// Stakes weight (0 when none).
    pub stakes: f32,
    /// Bit set of the `FLAG_*` roles below.
    pub flags: u16,
    /// Bit `n` is set when a phrase of `n` words ends with this word.
    pub phrase_lengths: u8,
}

/// Turns the next few words around.
pub(in crate::empathy::frustration) const FLAG_NEGATOR: u16 = 1;
/// Starts a clause that outweighs the one before.
pub(in crate::empathy::frustration) const FLAG_CONTRAST: u16 = 1 << 1;
/// Someone words can be aimed at.
pub(in crate::empathy::frustration) const FLAG_TARGET: u16 = 1 << 2;
/// A clear kind of person ("human", "agent").
pub(in crate::empathy::frustration) const FLAG_PERSON: u16 = 1 << 3;
/// A vague kind of person ("someone").
pub(in crate::empathy::frustration) const FLAG_PERSON_VAGUE: u16 = 1 << 4;
/// Always a request for a person ("representative").
pub(in crate::empathy::frustration) const FLAG_PERSON_ALWAYS: u16 = 1 << 5;
/// A verb of talking.
pub(in crate::empathy::frustration) const FLAG_TALK_VERB: u16 = 1 << 6;
/// A verb of wanting.
pub(in crate::empathy::frustration) const FLAG_WANT_VERB: u16 = 1 << 7;
/// "real", "live", "actual".
pub(in crate::empathy::frustration) const FLAG_REAL: u16 = 1 << 8;
/// Ends at least one phrase in [`PHRASES`].
pub(in crate::empathy::frustration) const FLAG_PHRASE_TAIL: u16 = 1 << 9;

const BLANK: Entry = Entry {
    feeling: None,
    scale: 1.0,
    urgency: 0.0,
    stakes: 0.0,
    flags: 0,
    phrase_lengths: 0,
};

/// A phrase as stored in the phrase map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::empathy::frustration) struct Phrase {
    /// What the phrase means.
    pub kind: PhraseKind,
    /// How strongly.
    pub weight: f32,
    /// How many words it has.
    pub words: usize,
}

/// An Fx-style hash over 8-byte chunks. Keys are short words and the maps
/// are fixed at build time; a visitor cannot add keys, so flooding is not a
/// concern and a fast non-cryptographic hash beats SipHash here.
#[derive(Default)]
pub(in crate::empathy::frustration) struct Fnv(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Fnv {
    #[inline(always)]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl std::hash::Hasher for Fnv {
    #[inline(always)]
    fn finish(&self) -> u64 {
        // Spread the high bits down: hashbrown takes its control byte from the top.
        self.0 ^ (self.0 >> 29)
    }
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }
    #[inline(always)]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    #[inline(always)]
    fn write_usize(&mut self, n: usize) {
        // Slices hash their length first; it is the whole state so far, so
        // it can seed the state without a multiply.
        self.0 ^= n as u64;
    }
}

type FnvMap<V> = std::collections::HashMap<&'static [u8], V, std::hash::BuildHasherDefault<Fnv>>;
type WordMap = std::collections::HashMap<WordKey, Entry, std::hash::BuildHasherDefault<Fnv>>;

/// The longest word the lexicon can hold, in bytes.
pub(in crate::empathy::frustration) const MAX_WORD: usize = 24;

/// A normalised word packed into three machine words, zero-padded.
///
/// Comparing and hashing three `u64`s is much cheaper than hashing a byte
/// slice and calling `memcmp`, and word lookups are most of the scanner's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::empathy::frustration) struct WordKey([u64; 3]);

impl WordKey {
    /// Packs a zero-padded word buffer.
    #[inline(always)]
    pub fn from_buf(buf: &[u8; MAX_WORD]) -> WordKey {
        let lane = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[i * 8..i * 8 + 8]);
            u64::from_le_bytes(b)
        };
        WordKey([lane(0), lane(1), lane(2)])
    }

    /// Packs a word; `None` if it is longer than [`MAX_WORD`].
    pub fn new(word: &[u8]) -> Option<WordKey> {
        let mut buf = [0u8; MAX_WORD];
        buf.get_mut(..word.len())?.copy_from_slice(word);
        Some(WordKey::from_buf(&buf))
    }
}

impl std::hash::Hash for WordKey {
    #[inline(always)]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.0;
        state.write_u64(a ^ b.rotate_left(21) ^ c.rotate_left(42));
    }
}

/// The word and phrase maps, built once on first use.
pub(in crate::empathy::frustration) struct Lexicon {
    /// Every known word.
    pub words: WordMap,
    /// Every known phrase, words joined by single spaces.
    pub phrases: FnvMap<Phrase>,
}

impl Lexicon {
    /// The shared lexicon.
    pub fn get() -> &'static Lexicon {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON.get_or_init(Lexicon::build)
    }

    fn build() -> Lexicon {
        let mut words = WordMap::default();
        for &(tone, valence, list) in FEELINGS {
            for &w in list {
                let e = entry(&mut words, w);
                // The first listing of a word wins: lists are ordered strongest first.
                if e.feeling.is_none() {
                    e.feeling = Some((tone, valence));
                }
            }
        }
        let flag_lists: [(&[&'static str], u16); 9] = [
            (NEGATORS, FLAG_NEGATOR),
            (CONTRASTS, FLAG_CONTRAST),
            (TARGETS, FLAG_TARGET),
            (PERSONS, FLAG_PERSON),
            (PERSONS_VAGUE, FLAG_PERSON_VAGUE),
            (PERSONS_ALWAYS, FLAG_PERSON_ALWAYS),
            (TALK_VERBS, FLAG_TALK_VERB),
            (WANT_VERBS, FLAG_WANT_VERB),
            (REAL_MARKERS, FLAG_REAL),
        ];
        for (list, flag) in flag_lists {
            for &w in list {
                entry(&mut words, w).flags |= flag;
            }
        }
        for &(w, s) in SCALERS {
            entry(&mut words, w).scale = s;
        }
        for &(w, u) in URGENCY {
            entry(&mut words, w).urgency = u;
        }
        for &(w, s) in STAKES {
            entry(&mut words, w).stakes = s;
        }
        let mut phrases: FnvMap<Phrase> = FnvMap::default();
        for &(kind, weight, list) in PHRASES {
            for &p in list {
                let count = p.split(' ').count();
                phrases.entry(p.as_bytes()).or_insert(Phrase {
                    kind,
                    weight,
                    words: count,
                });
                if let Some(last) = p.rsplit(' ').next() {
                    let e = entry(&mut words, last);
                    e.flags |= FLAG_PHRASE_TAIL;
                    e.phrase_lengths |= 1 << count.min(7);
                }
            }
        }
        Lexicon { words, phrases }
    }
}

/// The entry for `word`, created blank if missing.
///
/// Every listed word is short ASCII (checked by a test), so `WordKey::new`
/// succeeds; an over-long word would be skipped rather than panic.
fn entry<'m>(words: &'m mut WordMap, word: &'static str) -> &'m mut Entry {
    let key = WordKey::new(word.as_bytes()).unwrap_or(WordKey([u64::MAX; 3]));
    words.entry(key).or_insert(BLANK)
}
