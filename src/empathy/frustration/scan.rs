//! The single pass over a message: tokenizer and scoring state machine.
//!
//! Words are lower-cased into fixed stack buffers and looked up once; the
//! last few words are kept in a small ring so that phrases and negation can
//! look back without allocating. What the scanner found is reported to an
//! [`Evidence`] sink, which is a no-op on the score-only path, so both paths
//! share one implementation and the fast one pays nothing for evidence.

use super::emoji::Face;
use super::lexicon::{
    Entry, Lexicon, WordKey, FLAG_CONTRAST, FLAG_NEGATOR, FLAG_PERSON, FLAG_PERSON_ALWAYS,
    FLAG_PERSON_VAGUE, FLAG_PHRASE_TAIL, FLAG_REAL, FLAG_TALK_VERB, FLAG_TARGET, FLAG_WANT_VERB,
    MAX_WORD,
};
use super::{SignalKind, Weights};

/// How many recent words are remembered for phrases.
const RING: usize = 8;
/// How many words a negator reaches: "not at all helpful".
const NEGATION_REACH: u8 = 3;
/// How many words an intensifier reaches: "so very annoying".
const SCALE_REACH: u8 = 2;
/// Messages up to this many words are not damped for length.
const UNDAMPED_WORDS: usize = 10;
/// The valence of a censored swear word ("f*ck").
const CENSORED_VALENCE: f32 = 1.6;
/// Number of signal kinds.
const KINDS: usize = SignalKind::ALL.len();

mod evidence;
mod feeling;
mod phrases;
mod tokenize;

use evidence::is_wording;
pub(super) use evidence::{Evidence, NoEvidence, Notes};

/// What a scan found.
pub(super) struct Totals {
    /// What each kind adds to the raw total, indexed by `SignalKind as usize`.
    pub by_kind: [f32; KINDS],
    /// The squashed score, 0..=1.
    pub score: f32,
    /// Praise, thanks and warmth left after they offset negative wording.
    pub warmth: f32,
}

/// One remembered word.
#[derive(Clone, Copy)]
struct Word {
    /// The normalised word.
    buf: [u8; MAX_WORD],
    /// Its length in `buf`.
    len: u8,
    /// Its byte span in the message.
    start: usize,
    end: usize,
    /// What it added to the positive total.
    positive: f32,
    /// What it added to a negative kind, and which.
    negative: f32,
    negative_kind: SignalKind,
}

const EMPTY_WORD: Word = Word {
    buf: [0; MAX_WORD],
    len: 0,
    start: 0,
    end: 0,
    positive: 0.0,
    negative: 0.0,
    negative_kind: SignalKind::NegativeWording,
};

/// The state of one scan.
struct Scanner<'a, E: Evidence> {
    w: &'a Weights,
    lex: &'static Lexicon,
    ev: &'a mut E,
    /// Negative totals per kind.
    kinds: [f32; KINDS],
    /// Positive total (praise, thanks, laughter, calm phrases).
    positive: f32,
    /// Factor on feelings in the current clause (raised after "but").
    clause: f32,
    /// Recent words, indexed by word number modulo `RING`.
    ring: [Word; RING],
    /// Words seen so far.
    count: usize,
    /// Words left in the current negation's reach, and where it started.
    negate_left: u8,
    negate_start: usize,
    /// Pending intensifier factor and its remaining reach.
    scale: f32,
    scale_left: u8,
    /// Word number of the last target ("you", "bot"), if any.
    last_target: Option<usize>,
    /// Word number of the last negative feeling not yet aimed, if any.
    last_negative: Option<usize>,
    /// Word numbers of the last verbs of talking and wanting.
    last_talk: Option<usize>,
    last_want: Option<usize>,
    /// Whether the previous word was "real", "live" or "actual".
    after_real: bool,
    /// A person word seen without an ask around it: counts if the message is tiny.
    lone_person: Option<(usize, usize)>,
    /// Exclamation marks seen, and letters by case (to spot whole-message shouting).
    exclamations: u32,
    /// Previous punctuation byte, to spot runs like "!!" and "?!".
    last_punct: u8,
    punct_run: u32,
}

/// Scans `text` and returns the per-kind totals and the score.
pub(super) fn scan<E: Evidence>(text: &str, w: &Weights, ev: &mut E) -> Totals {
    let mut s = Scanner {
        w,
        lex: Lexicon::get(),
        ev,
        kinds: [0.0; KINDS],
        positive: 0.0,
        clause: 1.0,
        ring: [EMPTY_WORD; RING],
        count: 0,
        negate_left: 0,
        negate_start: 0,
        scale: 1.0,
        scale_left: 0,
        last_target: None,
        last_negative: None,
        last_talk: None,
        last_want: None,
        after_real: false,
        lone_person: None,
        exclamations: 0,
        last_punct: 0,
        punct_run: 0,
    };
    s.run(text);
    s.finish()
}

impl<E: Evidence> Scanner<'_, E> {
    /// A clause boundary: negation and intensifiers stop here.
    fn end_clause(&mut self) {
        self.negate_left = 0;
        self.scale_left = 0;
    }

    fn face(&mut self, face: Face, start: usize, end: usize) {
        match face {
            Face::Angry => self.add(SignalKind::NegativeEmoji, self.w.emoji_angry, start, end),
            Face::Exasperated => {
                self.add(
                    SignalKind::NegativeEmoji,
                    self.w.emoji_exasperated,
                    start,
                    end,
                );
                // Praise right before an eye-roll is sarcasm: "great job 🙄".
                let praise = self.cancel_recent_praise(3);
                if praise > 0.0 {
                    self.add(SignalKind::Sarcasm, self.w.sarcasm, start, end);
                }
            }
            Face::Sad => self.add(SignalKind::NegativeEmoji, self.w.emoji_sad, start, end),
            Face::Happy => self.positive += self.w.emoji_happy * self.clause,
        }
    }

    /// Adds to a negative kind and notes the evidence.
    fn add(&mut self, kind: SignalKind, amount: f32, start: usize, end: usize) {
        self.kinds[kind as usize] += amount;
        self.ev.note(kind, start, end);
    }

    /// Looks a normalised word up, squeezing stretched letters to one if needed.
    fn lookup(&self, buf: &[u8; MAX_WORD], len: usize, shape: Shape) -> Option<Entry> {
        let word = &buf[..len];
        if shape.apostrophe && word == b"hell" {
            return None; // "he'll", not "hell".
        }
        if let Some(e) = self.lex.words.get(&WordKey::from_buf(buf)) {
            return Some(*e);
        }
        if !shape.stretched {
            return None;
        }
        let mut once = [0u8; MAX_WORD];
        let mut n = 0;
        for &c in word {
            if n == 0 || once[n - 1] != c {
                once[n] = c;
                n += 1;
            }
        }
        self.lex.words.get(&WordKey::from_buf(&once)).copied()
    }

    /// Scores the word of `len` bytes already written into the next ring slot.
    fn word(&mut self, len: usize, start: usize, end: usize, shape: Shape) {
        let index = self.count;
        self.count += 1;
        let slot = index % RING;
        {
            // Field by field: copying a whole `Word` costs a memmove per word.
            let r = &mut self.ring[slot];
            r.len = len as u8;
            r.start = start;
            r.end = end;
            r.positive = 0.0;
            r.negative = 0.0;
            r.negative_kind = SignalKind::NegativeWording;
        }

        let negated = self.negate_left > 0;
        let scaled = if self.scale_left > 0 { self.scale } else { 1.0 };
        self.negate_left = self.negate_left.saturating_sub(1);
        self.scale_left = self.scale_left.saturating_sub(1);
        let after_real = std::mem::take(&mut self.after_real);

        if shape.caps && shape.upper >= 4 {
            self.add(SignalKind::Emphasis, self.w.caps_word, start, end);
        }
        let Some(entry) = self.lookup(&self.ring[slot].buf, len, shape) else {
            return;
        };
        if shape.stretched && (entry.feeling.is_some() || entry.scale != 1.0) {
            self.add(SignalKind::Emphasis, self.w.punct_run, start, end);
        }

        if entry.flags & FLAG_CONTRAST != 0 {
            self.contrast();
        }
        if entry.flags & FLAG_NEGATOR != 0 {
            self.negate_left = NEGATION_REACH;
            self.negate_start = start;
            let cue = self.w.negation_cue * self.clause;
            self.add(SignalKind::NegativeWording, cue, start, end);
            self.ring[slot].negative = cue;
        }
        if entry.scale != 1.0 {
            self.scale = entry.scale;
            self.scale_left = SCALE_REACH;
        }
        if let Some((tone, valence)) = entry.feeling {
            let mut factor = scaled * self.clause;
            if shape.caps {
                factor *= self.w.caps_boost;
            }
            if shape.stretched {
                factor *= 1.3;
            }
            self.feeling(tone, valence * factor, negated, index, start, end);
        }
        if entry.flags & FLAG_TARGET != 0 {
            self.target(index);
        }
        if entry.urgency > 0.0 {
            self.add(
                SignalKind::Urgency,
                entry.urgency * self.w.urgency,
                start,
                end,
            );
        }
        if entry.stakes > 0.0 {
            self.add(
                SignalKind::HighStakes,
                entry.stakes * self.w.stakes,
                start,
                end,
            );
        }
        self.person(entry.flags, index, after_real, start, end);
        if entry.flags & FLAG_REAL != 0 {
            self.after_real = true;
        }
        if entry.flags & FLAG_PHRASE_TAIL != 0 {
            self.phrase(index, entry.phrase_lengths);
        }
    }

    /// Person words: "talk to a human", "real person", "representative".
    fn person(&mut self, flags: u16, index: usize, after_real: bool, start: usize, end: usize) {
        let near = |last: Option<usize>, reach: usize| last.is_some_and(|v| index - v <= reach);
        let asked = if flags & FLAG_PERSON_ALWAYS != 0 {
            true
        } else if flags & FLAG_PERSON != 0 {
            after_real || near(self.last_talk, 4) || near(self.last_want, 3)
        } else if flags & FLAG_PERSON_VAGUE != 0 {
            after_real || near(self.last_talk, 3)
        } else {
            false
        };
        if asked {
            self.add(
                SignalKind::AskForHuman,
                2.5 * self.w.ask_for_human,
                start,
                end,
            );
        } else if flags & FLAG_PERSON != 0 && self.lone_person.is_none() {
            self.lone_person = Some((start, end));
        }
        if flags & FLAG_TALK_VERB != 0 {
            self.last_talk = Some(index);
        }
        if flags & FLAG_WANT_VERB != 0 {
            self.last_want = Some(index);
        }
    }

    fn finish(&mut self) -> Totals {
        if let Some((start, end)) = self.lone_person {
            // "human", "agent please": a tiny message naming a person asks for one.
            if self.count <= 3 && self.kinds[SignalKind::AskForHuman as usize] == 0.0 {
                self.add(
                    SignalKind::AskForHuman,
                    2.5 * self.w.ask_for_human,
                    start,
                    end,
                );
            }
        }
        let w = self.w;
        let cap = w.cap_per_kind;
        // Long comments pile up wording, so for them the density of negative
        // words counts, not the sum: the damping tends to a constant times the
        // density as messages grow, so a long rant still scores high. Chat-length
        // messages are not damped, nor are requests, rejections, stakes and
        // urgency anywhere: "talk to a human" in a long message is still asking.
        let extra_words = self.count.saturating_sub(UNDAMPED_WORDS) as f32;
        let damping = 1.0 / (1.0 + w.length_damping * extra_words);
        let mut by_kind = [0.0f32; KINDS];
        for (kind, (out, &total)) in SignalKind::ALL
            .iter()
            .zip(by_kind.iter_mut().zip(self.kinds.iter()))
        {
            let total = if is_wording(*kind) {
                total * damping
            } else {
                total
            };
            *out = total.clamp(0.0, cap);
        }
        let positive = self.positive * damping;
        // "!" amplifies whatever negative wording there is.
        let felt = by_kind[SignalKind::NegativeWording as usize]
            + by_kind[SignalKind::Profanity as usize]
            + by_kind[SignalKind::Insult as usize]
            + by_kind[SignalKind::NegativeEmoji as usize];
        let bangs = self.exclamations.min(4) as f32;
        let emphasis = SignalKind::Emphasis as usize;
        by_kind[emphasis] = (by_kind[emphasis] + felt * w.exclaim * bangs).min(cap);
        // Praise offsets wording, never a request for a person or a rejection.
        let wording: f32 = SignalKind::ALL
            .iter()
            .filter(|k| is_wording(**k))
            .map(|k| by_kind[*k as usize])
            .sum();
        let net = (wording - positive).max(0.0);
        let keep = if wording > 0.0 { net / wording } else { 0.0 };
        let mut raw = 0.0;
        for kind in SignalKind::ALL {
            let value = &mut by_kind[kind as usize];
            if is_wording(kind) {
                *value *= keep;
            }
            raw += *value;
        }
        let score = if raw.is_finite() {
            1.0 - (-raw).exp()
        } else {
            0.0
        };
        Totals {
            by_kind,
            score: score.clamp(0.0, 1.0),
            warmth: (positive - wording).max(0.0),
        }
    }
}

/// The shape of a word as written, before normalisation.
#[derive(Clone, Copy)]
struct Shape {
    /// Written in capitals (3+ capitals, no lower case).
    caps: bool,
    /// How many capitals.
    upper: u32,
    /// Had a letter three or more times in a row ("sooo").
    stretched: bool,
    /// Had an apostrophe ("don't").
    apostrophe: bool,
}
