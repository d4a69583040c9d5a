//! What the tone model reads in a message: its words and word pairs
//! (tf-idf weighted, like the n-gram matcher's), the lexicon reader's
//! findings per kind, and (when the encoder gave one) the sentence vector.
//!
//! # Design decision: no string per term
//!
//! Every visitor message is read, so the terms are looked up without
//! building them: the [`Vocabulary`] is keyed by a hash of each term's
//! bytes, a message's word pair is hashed straight from its two words with
//! the space between, and a hit is confirmed by comparing the bytes with the
//! term itself. The message is normalised into a per-thread buffer. The
//! result is exactly what building each term as a `String` and looking it up
//! gave ([`terms`] still does that, for training).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::empathy::frustration::{self, MessageReading, SignalKind};
use crate::intents::classifier::{fnv, normalise_into, with_local, PreHashed, MAX_TOKENS};
use crate::intents::matcher::words;

/// Only this much of a message is read (a pasted log says no more about
/// the visitor's mood than its first lines).
const MAX_CHARS: usize = 2000;

/// How many lexicon features there are: the score, then one per kind.
pub const LEXICON_FEATURES: usize = 1 + SignalKind::ALL.len();

/// Seeds the term hashes (any constant does; this one is the n-gram
/// classifier's word family).
const TERM_HASH: u64 = 1;

/// A message's word and word-pair terms with their counts (for training:
/// one string per term).
pub fn terms(text: &str) -> HashMap<String, u32> {
    let text: String = text.chars().take(MAX_CHARS).collect();
    let words = words(&text);
    let mut counts: HashMap<String, u32> = HashMap::new();
    for (i, w) in words.iter().enumerate() {
        *counts.entry(w.clone()).or_default() += 1;
        if let Some(next) = words.get(i + 1) {
            *counts.entry(format!("{w} {next}")).or_default() += 1;
        }
    }
    counts
}

/// The known terms (words and word pairs "a b") with their index and idf,
/// looked up without building a string per term.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Hash of a term's bytes → its index in `terms`.
    by_hash: HashMap<u64, u32, BuildHasherDefault<PreHashed>>,
    /// Terms whose hash another term already had (in practice none), by text.
    collided: HashMap<String, usize>,
    /// Each term, to confirm a hash hit, and its idf.
    terms: Vec<(String, f32)>,
}

impl Vocabulary {
    /// A vocabulary of `(term, idf)`, indexed in order.
    pub fn new(terms: impl IntoIterator<Item = (String, f32)>) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        for (term, idf) in terms {
            let index = vocabulary.terms.len();
            let hash = fnv(TERM_HASH, &[term.as_bytes()]);
            match u32::try_from(index) {
                Ok(short) if !vocabulary.by_hash.contains_key(&hash) => {
                    vocabulary.by_hash.insert(hash, short);
                }
                _ => {
                    vocabulary.collided.insert(term.clone(), index);
                }
            }
            vocabulary.terms.push((term, idf));
        }
        vocabulary
    }

    /// How many terms there are.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The term at `index`.
    pub fn term(&self, index: usize) -> Option<&str> {
        self.terms.get(index).map(|(t, _)| t.as_str())
    }

    /// The idf of the term at `index`.
    pub fn idf(&self, index: usize) -> Option<f32> {
        self.terms.get(index).map(|&(_, idf)| idf)
    }

    /// `(index, idf)` of the word `word`, or of the pair `word next`.
    fn get(&self, word: &str, next: Option<&str>) -> Option<(usize, f32)> {
        let hash = match next {
            None => fnv(TERM_HASH, &[word.as_bytes()]),
            Some(next) => fnv(TERM_HASH, &[word.as_bytes(), b" ", next.as_bytes()]),
        };
        let spelled = |term: &str| match next {
            None => term == word,
            Some(next) => {
                term.len() == word.len() + 1 + next.len()
                    && term.starts_with(word)
                    && term.ends_with(next)
                    && term.as_bytes().get(word.len()) == Some(&b' ')
            }
        };
        if let Some(&index) = self.by_hash.get(&hash) {
            let index = index as usize;
            if let Some((term, idf)) = self.terms.get(index) {
                if spelled(term) {
                    return Some((index, *idf));
                }
            }
        }
        if self.collided.is_empty() {
            return None;
        }
        let text = match next {
            None => word.to_owned(),
            Some(next) => format!("{word} {next}"),
        };
        let &index = self.collided.get(&text)?;
        self.terms.get(index).map(|&(_, idf)| (index, idf))
    }
}

/// Per-thread buffers for [`weighted_terms`].
#[derive(Default)]
struct Scratch {
    /// The normalised message.
    normalised: String,
    /// Index of every known term occurrence, repeats included.
    hits: Vec<(usize, f32)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch buffers, or fresh ones when they are
/// busy or gone: never panics.
fn with_scratch<R>(f: impl FnMut(&mut Scratch) -> R) -> R {
    with_local(&SCRATCH, f)
}

/// Known terms of `text` with their tf-idf values (sublinear term
/// frequency times idf, L2-normalised), as `(index, value)` in index order.
pub fn weighted_terms(text: &str, vocabulary: &Vocabulary) -> Vec<(usize, f32)> {
    // The first MAX_CHARS characters, as `terms` reads them.
    let end = text
        .char_indices()
        .nth(MAX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    with_scratch(|Scratch { normalised, hits }| {
        normalise_into(&text[..end], normalised);
        hits.clear();
        let mut words = normalised
            .split(' ')
            .filter(|w| !w.is_empty())
            .take(MAX_TOKENS)
            .peekable();
        while let Some(word) = words.next() {
            hits.extend(vocabulary.get(word, None));
            if let Some(&next) = words.peek() {
                hits.extend(vocabulary.get(word, Some(next)));
            }
        }
        hits.sort_unstable_by_key(|&(index, _)| index);
        let mut out: Vec<(usize, f32)> = Vec::new();
        for run in hits.chunk_by(|a, b| a.0 == b.0) {
            let (index, idf) = run[0];
            let count = run.len() as f32;
            out.push((index, (1.0 + count.ln()) * idf));
        }
        let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        out
    })
}

/// The lexicon reader's view: its score, then `ln(1 + weight)` of each kind
/// of signal it found.
pub fn lexicon(text: &str) -> [f32; LEXICON_FEATURES] {
    lexicon_of(&frustration::read_message(text))
}

/// [`lexicon`] of a message the lexicon reader has already read.
pub fn lexicon_of(reading: &MessageReading) -> [f32; LEXICON_FEATURES] {
    let mut out = [0.0; LEXICON_FEATURES];
    out[0] = reading.score;
    for signal in &reading.signals {
        if let Some(k) = SignalKind::ALL.iter().position(|&kind| kind == signal.kind) {
            out[1 + k] = signal.weight.max(0.0).ln_1p();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward version this module replaced: a string per term,
    /// looked up in a map by text.
    fn reference(text: &str, vocabulary: &HashMap<String, (usize, f32)>) -> Vec<(usize, f32)> {
        let mut out: Vec<(usize, f32)> = terms(text)
            .into_iter()
            .filter_map(|(term, count)| {
                let &(index, idf) = vocabulary.get(&term)?;
                Some((index, (1.0 + (count as f32).ln()) * idf))
            })
            .collect();
        let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        out.sort_unstable_by_key(|&(i, _)| i);
        out
    }

    fn corpus() -> Vec<String> {
        let mut texts: Vec<String> = [
            "",
            "   ",
            "?!?!...",
            "!!!",
            "ok",
            "where is my order?",
            "THIS IS RIDICULOUS!!! WHERE IS MY ORDER???",
            "this is so annoying, nothing works",
            "I'm really disappointed with the quality",
            "not bad at all, thank you!",
            "thanks, but this is useless 🙄",
            "wtf is wrong with you idiots, third time I ask",
            "Hallo, ich möchte meine Bestellung stornieren — Straße, Größe, café",
            "Ça ne marche pas, c'est nul !",
            "日本語のテキスト and some english words",
            "emoji only 😡😡😡",
            "don't won’t can't isn‘t",
            "very very very very annoying annoying annoying",
            "order #NW-204817 still not here, 2nd time asking",
            "the the the the the the",
            "İstanbul ǅemal ΣΊΣΥΦΟΣ straße",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.push("so annoying ".repeat(500));
        texts.push("é".repeat(3000));
        texts.push(format!("{} terrible service", "a".repeat(2100)));
        texts.push(format!("{}terrible service", "x ".repeat(995)));
        texts.push("word ".repeat(200) + "useless bot");
        texts
    }

    #[test]
    fn terms_are_weighted_as_the_string_per_term_version_weighted_them() {
        let model = super::super::ToneModel::bundled();
        let by_text: HashMap<String, (usize, f32)> = (0..model.vocabulary.len())
            .filter_map(|i| {
                let term = model.vocabulary.term(i)?;
                let (index, idf) = model.vocabulary.get(term, None).or_else(|| {
                    let (a, b) = term.split_once(' ')?;
                    model.vocabulary.get(a, Some(b))
                })?;
                Some((term.to_owned(), (index, idf)))
            })
            .collect();
        assert_eq!(by_text.len(), model.vocabulary.len(), "every term is found");
        for text in corpus() {
            let got = weighted_terms(&text, &model.vocabulary);
            let want = reference(&text, &by_text);
            let indices = |v: &[(usize, f32)]| v.iter().map(|&(i, _)| i).collect::<Vec<_>>();
            assert_eq!(indices(&got), indices(&want), "{text:?}");
            // The old version added the squares in its hash map's order,
            // which differs from run to run; the values agree to rounding.
            for (&(_, g), &(_, w)) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() <= 1e-6 * w.abs().max(1e-6),
                    "{text:?}: {g} vs {w}"
                );
            }
        }
    }

    #[test]
    fn a_word_pair_is_only_found_as_spelled() {
        let vocabulary = Vocabulary::new([
            ("so annoying".to_owned(), 2.0),
            ("annoying".to_owned(), 1.5),
        ]);
        assert_eq!(vocabulary.get("so", Some("annoying")), Some((0, 2.0)));
        assert_eq!(vocabulary.get("annoying", None), Some((1, 1.5)));
        assert_eq!(vocabulary.get("so annoying", None), Some((0, 2.0)));
        assert_eq!(vocabulary.get("so", Some("annoyin")), None);
        assert_eq!(vocabulary.get("s", Some("o annoying")), None);
        assert_eq!(vocabulary.get("so", None), None);
    }

    #[test]
    fn a_term_whose_hash_is_taken_is_still_found() {
        let mut vocabulary = Vocabulary::new([("calm".to_owned(), 1.0)]);
        // Force a collision: a second term filed under the first one's hash.
        vocabulary.collided.insert("upset".to_owned(), 1);
        vocabulary.terms.push(("upset".to_owned(), 3.0));
        assert_eq!(vocabulary.get("upset", None), Some((1, 3.0)));
        assert_eq!(vocabulary.get("calm", None), Some((0, 1.0)));
    }
}
