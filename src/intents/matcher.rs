//! Picks the intent for a visitor message.
//!
//! Two stages, in order:
//! 1. **Patterns.** Every intent's regexes, compiled once into one
//!    [`RegexSet`]. A match is exact and wins outright (confidence 1.0); when
//!    several intents' patterns match, the one listed first wins, so owners
//!    control priority by order.
//! 2. **Similarity.** Each example phrasing becomes a TF-IDF vector over word
//!    unigrams and character trigrams (trigrams keep typos and word forms
//!    close: "refnd" still shares most of its trigrams with "refund"). A
//!    message scores each intent by its closest example (cosine similarity);
//!    below the threshold the bot falls back.
//!
//! This is the walking-skeleton matcher, deliberately small and behind one
//! method, [`Matcher::classify`], so a stronger model can replace stage 2
//! without touching its callers.

use std::collections::HashMap;

use regex::{Regex, RegexSet};

use super::Intent;

/// The matcher's answer for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index of the chosen intent in the intent set.
    pub intent: usize,
    /// How sure the matcher is, in [0, 1].
    pub confidence: f32,
    /// Whether a pattern or the similarity stage decided.
    pub by: MatchedBy,
    /// The next best intent and its confidence, if any.
    pub runner_up: Option<(usize, f32)>,
}

/// Which stage produced a [`Match`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    Pattern,
    Similarity,
}

/// Everything needed to classify messages, built once when intents load.
#[derive(Debug)]
pub struct Matcher {
    /// All patterns of all intents, in intent order.
    patterns: RegexSet,
    /// For each pattern in `patterns`, the intent it belongs to.
    pattern_owner: Vec<usize>,
    /// One TF-IDF vector per example.
    examples: Vec<(usize, SparseVector)>,
    /// Inverse document frequency per feature.
    idf: HashMap<u64, f32>,
    /// Below this similarity the bot falls back.
    threshold: f32,
}

/// A sparse vector sorted by feature id, L2-normalised.
type SparseVector = Vec<(u64, f32)>;

impl Matcher {
    /// Compiles the patterns and indexes the examples of `intents`.
    ///
    /// Patterns were validated when the files loaded, so building the set
    /// cannot fail here unless the set as a whole exceeds regex's size limit,
    /// which is reported as an error.
    pub fn build(intents: &[Intent], threshold: f32) -> Result<Matcher, regex::Error> {
        let mut sources = Vec::new();
        let mut pattern_owner = Vec::new();
        for (i, intent) in intents.iter().enumerate() {
            for p in &intent.patterns {
                sources.push(p.as_str().to_owned());
                pattern_owner.push(i);
            }
        }
        let patterns = RegexSet::new(&sources)?;

        let docs: Vec<(usize, Vec<u64>)> = intents
            .iter()
            .enumerate()
            .flat_map(|(i, intent)| intent.examples.iter().map(move |e| (i, features(e))))
            .collect();
        let mut df: HashMap<u64, u32> = HashMap::new();
        for (_, feats) in &docs {
            let mut unique = feats.clone();
            unique.sort_unstable();
            unique.dedup();
            for f in unique {
                *df.entry(f).or_default() += 1;
            }
        }
        let n = docs.len().max(1) as f32;
        let idf: HashMap<u64, f32> = df
            .into_iter()
            .map(|(f, d)| (f, (n / d as f32).ln() + 1.0))
            .collect();
        let examples = docs
            .into_iter()
            .map(|(i, feats)| (i, vectorise(&feats, &idf)))
            .collect();
        Ok(Matcher {
            patterns,
            pattern_owner,
            examples,
            idf,
            threshold,
        })
    }

    /// The intent for `text`, or `None` when nothing is close enough and the
    /// bot should fall back.
    pub fn classify(&self, text: &str) -> Option<Match> {
        if let Some(first) = self.patterns.matches(text).iter().next() {
            return Some(Match {
                intent: self.pattern_owner[first],
                confidence: 1.0,
                by: MatchedBy::Pattern,
                runner_up: None,
            });
        }
        let query = vectorise(&features(text), &self.idf);
        if query.is_empty() {
            return None;
        }
        let mut best: HashMap<usize, f32> = HashMap::new();
        for (intent, example) in &self.examples {
            let s = dot(&query, example);
            let entry = best.entry(*intent).or_insert(0.0);
            if s > *entry {
                *entry = s;
            }
        }
        let mut ranked: Vec<(usize, f32)> = best.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let (intent, confidence) = *ranked.first()?;
        if confidence < self.threshold {
            return None;
        }
        Some(Match {
            intent,
            confidence: confidence.clamp(0.0, 1.0),
            by: MatchedBy::Similarity,
            runner_up: ranked.get(1).copied(),
        })
    }

    /// Runs `intent`'s patterns on `text` and returns the named captures of
    /// the first that matches, for `{placeholders}` in responses.
    pub fn captures(intent: &Intent, text: &str) -> Vec<(String, String)> {
        intent
            .patterns
            .iter()
            .find_map(|re: &Regex| {
                let caps = re.captures(text)?;
                Some(
                    re.capture_names()
                        .flatten()
                        .filter_map(|name| {
                            Some((name.to_owned(), caps.name(name)?.as_str().to_owned()))
                        })
                        .collect(),
                )
            })
            .unwrap_or_default()
    }
}

/// Lowercased words of `text`: letters and digits, apostrophes dropped.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| {
            w.chars()
                .filter(|c| *c != '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
}

/// Hashed features of `text`: each word, and each character trigram of each
/// word padded with boundary marks.
fn features(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    for word in words(text) {
        out.push(hash(0, word.as_bytes()));
        let padded: Vec<char> = std::iter::once('<')
            .chain(word.chars())
            .chain(std::iter::once('>'))
            .collect();
        for gram in padded.windows(3) {
            let s: String = gram.iter().collect();
            out.push(hash(1, s.as_bytes()));
        }
    }
    out
}

fn vectorise(features: &[u64], idf: &HashMap<u64, f32>) -> SparseVector {
    let mut tf: HashMap<u64, f32> = HashMap::new();
    for f in features {
        // Features never seen in any example cannot match; skip them.
        if idf.contains_key(f) {
            *tf.entry(*f).or_default() += 1.0;
        }
    }
    let mut v: SparseVector = tf
        .into_iter()
        .map(|(f, n)| (f, (1.0 + n.ln()) * idf.get(&f).copied().unwrap_or(0.0)))
        .collect();
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, w) in &mut v {
            *w /= norm;
        }
    }
    v.sort_unstable_by_key(|(f, _)| *f);
    v
}

fn dot(a: &SparseVector, b: &SparseVector) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// FNV-1a with a namespace byte, so words and trigrams never collide.
fn hash(namespace: u8, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(namespace);
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(name: &str, examples: &[&str], patterns: &[&str]) -> Intent {
        Intent {
            name: name.into(),
            examples: examples.iter().map(|s| s.to_string()).collect(),
            patterns: patterns.iter().map(|p| Regex::new(p).unwrap()).collect(),
            responses: vec!["ok".into()],
            ..Intent::default()
        }
    }

    fn matcher() -> (Vec<Intent>, Matcher) {
        let intents = vec![
            intent(
                "shipping",
                &[
                    "how long does shipping take",
                    "when will my parcel be delivered",
                    "delivery time",
                ],
                &[],
            ),
            intent(
                "refund",
                &[
                    "i want a refund",
                    "how do i get my money back",
                    "refund status",
                ],
                &[r"(?i)\border\s*#?(?P<order>\d{5})\b"],
            ),
        ];
        let m = Matcher::build(&intents, 0.45).unwrap();
        (intents, m)
    }

    #[test]
    fn casing_punctuation_and_typos_do_not_hide_the_intent() {
        let (_, m) = matcher();
        assert_eq!(
            m.classify("HOW LONG does shipping take???").unwrap().intent,
            0
        );
        assert_eq!(m.classify("i want a refnd").unwrap().intent, 1);
    }

    #[test]
    fn unrelated_questions_fall_back() {
        let (_, m) = matcher();
        assert_eq!(m.classify("what is the meaning of life"), None);
        assert_eq!(m.classify("🙂"), None);
        assert_eq!(m.classify(""), None);
    }

    #[test]
    fn patterns_win_over_similarity_and_fill_captures() {
        let (intents, m) = matcher();
        let hit = m.classify("delivery time for order 12345").unwrap();
        assert_eq!((hit.intent, hit.by), (1, MatchedBy::Pattern));
        assert_eq!(
            Matcher::captures(&intents[1], "order #12345"),
            vec![("order".to_string(), "12345".to_string())]
        );
    }
}
