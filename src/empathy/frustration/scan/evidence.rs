//! Where the scanner reports the words behind each signal.
//!
//! The score-only path passes [`NoEvidence`], whose methods compile to
//! nothing; [`super::super::read_message`] passes [`Notes`], which keeps the
//! byte spans and turns them into the evidence strings agents read.

use super::super::SignalKind;

/// Where the scanner reports the spans behind each signal.
pub(in super::super) trait Evidence {
    /// The bytes `start..end` of the message triggered `kind`.
    fn note(&mut self, kind: SignalKind, start: usize, end: usize);
    /// What was noted for the wording kinds inside `start..end` no longer counts
    /// (a phrase reinterpreted it).
    fn forget(&mut self, start: usize, end: usize);
}

/// The evidence sink of the score-only path: keeps nothing.
pub(in super::super) struct NoEvidence;

impl Evidence for NoEvidence {
    #[inline(always)]
    fn note(&mut self, _: SignalKind, _: usize, _: usize) {}
    #[inline(always)]
    fn forget(&mut self, _: usize, _: usize) {}
}

/// The evidence sink of [`super::super::read_message`]: keeps every span.
#[derive(Default)]
pub(in super::super) struct Notes {
    spans: Vec<(SignalKind, usize, usize)>,
}

impl Evidence for Notes {
    fn note(&mut self, kind: SignalKind, start: usize, end: usize) {
        self.spans.push((kind, start, end));
    }
    fn forget(&mut self, start: usize, end: usize) {
        self.spans
            .retain(|&(kind, s, e)| !(is_wording(kind) && s >= start && e <= end));
    }
}

impl Notes {
    /// The distinct words noted for `kind`, in message order, comma-separated.
    /// A span inside a longer span of the same kind ("cancel" inside "cancel
    /// my account") is left out.
    pub(in super::super) fn evidence(&self, text: &str, kind: SignalKind) -> String {
        let spans: Vec<(usize, usize)> = self
            .spans
            .iter()
            .filter(|n| n.0 == kind)
            .map(|n| (n.1, n.2))
            .collect();
        let mut out = String::new();
        let mut seen: Vec<&str> = Vec::new();
        for (i, &(s, e)) in spans.iter().enumerate() {
            let inside = spans
                .iter()
                .enumerate()
                .any(|(j, &(s2, e2))| j != i && s2 <= s && e <= e2 && (s2, e2) != (s, e));
            if inside {
                continue;
            }
            let Some(words) = text.get(s..e) else {
                continue;
            };
            if seen.contains(&words) || seen.len() >= 6 {
                continue;
            }
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(words);
            seen.push(words);
        }
        out
    }
}

/// Kinds whose totals are scaled by "but" and offset by praise.
pub(super) fn is_wording(kind: SignalKind) -> bool {
    matches!(
        kind,
        SignalKind::NegativeWording
            | SignalKind::Profanity
            | SignalKind::Insult
            | SignalKind::Emphasis
            | SignalKind::Sarcasm
            | SignalKind::NegativeEmoji
    )
}
