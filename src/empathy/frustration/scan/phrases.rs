//! Phrase matching: "thanks for nothing", "talk to a human".
//!
//! Only a word that ends some phrase triggers a look-up, and only for the
//! phrase lengths that end with it; the last few words are joined into a
//! stack buffer, so matching allocates nothing.

use super::super::lexicon::{PhraseKind, MAX_PHRASE_WORDS, MAX_WORD};
use super::super::SignalKind;
use super::{Evidence, Scanner, RING};

impl<E: Evidence> Scanner<'_, E> {
    /// Looks for a phrase ending at word `index`, longest first.
    pub(super) fn phrase(&mut self, index: usize, lengths: u8) {
        let longest = MAX_PHRASE_WORDS.min(index + 1);
        // Room for one whole word buffer past the last word, so each word is
        // copied as a fixed-size block (no memmove call).
        let mut key = [0u8; MAX_PHRASE_WORDS * (MAX_WORD + 1) + MAX_WORD];
        for words in (1..=longest).rev() {
            if lengths & (1 << words) == 0 {
                continue;
            }
            let mut n = 0;
            for k in (index + 1 - words)..=index {
                let word = &self.ring[k % RING];
                if n > 0 {
                    key[n] = b' ';
                    n += 1;
                }
                let block: &mut [u8; MAX_WORD] = match (&mut key[n..n + MAX_WORD]).try_into() {
                    Ok(block) => block,
                    Err(_) => return, // Unreachable: the slice is MAX_WORD long.
                };
                *block = word.buf;
                n += word.len as usize;
            }
            if let Some(&phrase) = self.lex.phrases.get(&key[..n]) {
                debug_assert_eq!(phrase.words, words);
                self.apply_phrase(phrase.kind, phrase.weight, index + 1 - words, index);
                return;
            }
        }
    }

    fn apply_phrase(&mut self, kind: PhraseKind, weight: f32, first: usize, last: usize) {
        let start = self.ring[first % RING].start;
        let end = self.ring[last % RING].end;
        // Words inside the phrase lose their single-word reading.
        let mut praise = 0.0;
        for k in first..=last {
            let slot = k % RING;
            let word = self.ring[slot];
            match kind {
                PhraseKind::Hostile
                | PhraseKind::Swearing
                | PhraseKind::Urgency
                | PhraseKind::Stakes => {}
                PhraseKind::Sarcasm => {
                    praise += word.positive;
                    self.ring[slot].positive = 0.0;
                }
                PhraseKind::Calm | PhraseKind::Rejection | PhraseKind::AskForHuman => {
                    praise += word.positive;
                    let kind = word.negative_kind;
                    self.kinds[kind as usize] =
                        (self.kinds[kind as usize] - word.negative).max(0.0);
                    self.ring[slot].positive = 0.0;
                    self.ring[slot].negative = 0.0;
                }
            }
        }
        self.positive = (self.positive - praise).max(0.0);
        match kind {
            PhraseKind::Sarcasm => {
                self.add(SignalKind::Sarcasm, weight * self.w.sarcasm, start, end)
            }
            PhraseKind::Rejection => {
                self.ev.forget(start, end);
                self.add(SignalKind::Rejection, weight * self.w.rejection, start, end);
            }
            PhraseKind::AskForHuman => {
                self.ev.forget(start, end);
                self.add(
                    SignalKind::AskForHuman,
                    weight * self.w.ask_for_human,
                    start,
                    end,
                );
            }
            PhraseKind::Urgency => {
                self.add(SignalKind::Urgency, weight * self.w.urgency, start, end)
            }
            PhraseKind::Swearing => {
                self.add(SignalKind::Profanity, weight * self.w.profanity, start, end)
            }
            PhraseKind::Stakes => {
                self.add(SignalKind::HighStakes, weight * self.w.stakes, start, end)
            }
            PhraseKind::Hostile => {
                let amount = weight * self.w.hostile * self.clause;
                self.add(SignalKind::NegativeWording, amount, start, end);
                // Kept on the last word so that a longer phrase ending later
                // ("that's not" inside "that's not what I asked") replaces it.
                let word = &mut self.ring[last % RING];
                if word.negative_kind == SignalKind::NegativeWording {
                    word.negative += amount;
                }
            }
            PhraseKind::Calm => {
                self.ev.forget(start, end);
                let amount = weight * self.w.calm * self.clause;
                self.positive += amount;
                // Kept on the last word so that a following eye-roll can cancel it.
                self.ring[last % RING].positive += amount;
            }
        }
    }
}
