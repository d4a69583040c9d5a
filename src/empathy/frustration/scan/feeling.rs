//! How feeling words count: a negated feeling turned around, a negative
//! word aimed at a target ("useless bot") moved to insults, a contrast
//! ("but") weighting what follows over what came before, and praise
//! cancelled when a phrase shows it was sarcastic.

use super::super::lexicon::Tone;
use super::super::SignalKind;
use super::evidence::is_wording;
use super::{Evidence, Scanner, RING};

impl<E: Evidence> Scanner<'_, E> {
    pub(super) fn feeling(
        &mut self,
        tone: Tone,
        valence: f32,
        negated: bool,
        index: usize,
        start: usize,
        end: usize,
    ) {
        let slot = index % RING;
        if negated {
            if valence > 0.0 {
                // "not helpful": praise denied is disapproval.
                let amount = valence * self.w.negated_positive * self.w.disapproval;
                let from = self.negate_start;
                self.add(SignalKind::NegativeWording, amount, from, end);
                self.ring[slot].negative = amount;
            } else {
                // "not bad": a complaint denied is mild approval.
                let amount = -valence * self.w.negated_negative * self.w.positive;
                self.positive += amount;
                self.ring[slot].positive = amount;
            }
            return;
        }
        if valence > 0.0 {
            let amount = valence * self.w.positive;
            self.positive += amount;
            self.ring[slot].positive = amount;
            return;
        }
        let (kind, factor) = match tone {
            Tone::Anger => (SignalKind::NegativeWording, self.w.anger),
            Tone::Annoyance => (SignalKind::NegativeWording, self.w.annoyance),
            Tone::Disappointment => (SignalKind::NegativeWording, self.w.disappointment),
            Tone::Disapproval => (SignalKind::NegativeWording, self.w.disapproval),
            Tone::Sadness => (SignalKind::NegativeWording, self.w.sadness),
            Tone::Fear => (SignalKind::NegativeWording, self.w.fear),
            Tone::Problem => (SignalKind::NegativeWording, self.w.problem),
            Tone::Insult => (SignalKind::Insult, self.w.insult),
            Tone::Profanity => (SignalKind::Profanity, self.w.profanity),
            Tone::Positive => (SignalKind::NegativeWording, 0.0),
        };
        let mut amount = -valence * factor;
        let aimable = !matches!(
            tone,
            Tone::Sadness | Tone::Fear | Tone::Profanity | Tone::Problem
        );
        let mut kind = kind;
        if aimable && self.last_target.is_some_and(|t| index - t <= 3) {
            // "you are useless", "your stupid bot".
            amount *= self.w.aimed;
            kind = SignalKind::Insult;
        } else if aimable {
            self.last_negative = Some(index);
        }
        self.add(kind, amount, start, end);
        self.ring[slot].negative = amount;
        self.ring[slot].negative_kind = kind;
    }

    /// A target word: aims a negative word just before it ("useless bot").
    pub(super) fn target(&mut self, index: usize) {
        if let Some(n) = self.last_negative.take().filter(|&n| index - n <= 2) {
            let slot = n % RING;
            let (negative, kind, start) = {
                let word = &self.ring[slot];
                (word.negative, word.negative_kind, word.start)
            };
            // Move the word's weight to Insult and add the aiming bonus.
            self.kinds[kind as usize] -= negative;
            let end = self.ring[index % RING].end;
            self.ev.forget(start, end);
            let total = negative * self.w.aimed;
            self.add(SignalKind::Insult, total, start, end);
            self.ring[slot].negative = total;
            self.ring[slot].negative_kind = SignalKind::Insult;
        }
        self.last_target = Some(index);
    }

    /// "but": what came before counts for less, what follows for more.
    pub(super) fn contrast(&mut self) {
        let before = self.w.contrast_before;
        for kind in SignalKind::ALL {
            if is_wording(kind) {
                self.kinds[kind as usize] *= before;
            }
        }
        self.positive *= before;
        for word in &mut self.ring {
            word.positive *= before;
            if is_wording(word.negative_kind) {
                word.negative *= before;
            }
        }
        self.clause = self.w.contrast_after;
        self.end_clause();
    }

    /// Removes the praise of the last `n` words; returns how much there was.
    pub(super) fn cancel_recent_praise(&mut self, n: usize) -> f32 {
        let mut total = 0.0;
        for back in 0..n.min(self.count) {
            let slot = (self.count - 1 - back) % RING;
            total += self.ring[slot].positive;
            self.ring[slot].positive = 0.0;
        }
        self.positive = (self.positive - total).max(0.0);
        total
    }
}
