//! The questions the bot could not answer: what is recorded for each
//! fallback, and how `tandem intents unmatched` groups them into "the list
//! of intents to write next".
//!
//! Grouping is deliberately simple and explainable: messages with the same
//! words (after the matcher's normalisation: case, punctuation, accents) are
//! one question; then a question joins an earlier, more common group when
//! they share at least half of their distinct words (Jaccard >= 0.5) or,
//! with the sentence encoder, when they mean nearly the same (cosine of
//! their sentence vectors >= [`SAME_MEANING`]: "can you gift wrap it?" and
//! "do you do present wrapping" share one word but one question). Each group
//! then names the intent whose examples are nearest in meaning, so adding
//! its wordings as examples there (or writing a new intent) is one step.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::matcher::words;
use super::IntentSet;
use crate::encoder::{Embedder, Embedding};

/// Cosine of two sentence vectors from which two questions are one. With
/// all-MiniLM-L6-v2, rewordings of one question measured 0.48-0.85 ("can
/// you gift wrap my order?" / "do you do present wrapping": 0.65) and
/// different questions 0.04-0.27.
pub const SAME_MEANING: f32 = 0.5;

/// One message the bot fell back on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedQuestion {
    /// What the visitor wrote.
    pub text: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// In which conversation.
    pub conversation: Uuid,
}

/// Alike questions, most common first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnmatchedGroup {
    /// How many messages.
    pub count: usize,
    /// The most frequent wording.
    pub example: String,
    /// Up to five other wordings.
    pub variants: Vec<String>,
    /// The latest one.
    #[serde(with = "time::serde::rfc3339")]
    pub last_at: OffsetDateTime,
    /// The intent whose examples are nearest in meaning (needs the encoder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nearest_intent: Option<NearestIntent>,
}

/// The intent nearest in meaning to a group of questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearestIntent {
    pub name: String,
    /// Cosine of the group's most common wording with that intent's
    /// nearest example, in [-1, 1]; above about 0.6 it is the same topic.
    pub similarity: f32,
}

/// What grouping by meaning needs: each question's sentence vector (in the
/// order of the questions) and a way to name the nearest intent.
pub struct Meaning<'a> {
    pub vectors: &'a [Embedding],
    pub nearest: &'a dyn Fn(&Embedding) -> Option<NearestIntent>,
}

/// Groups `questions` by their words (see the module docs), most common first.
pub fn group(questions: &[UnmatchedQuestion]) -> Vec<UnmatchedGroup> {
    group_with(questions, None)
}

/// Groups `questions` by their words and, given `meaning`, by what they
/// mean; each group then names its nearest intent.
pub fn group_with(
    questions: &[UnmatchedQuestion],
    meaning: Option<Meaning<'_>>,
) -> Vec<UnmatchedGroup> {
    let meaning = meaning.filter(|m| m.vectors.len() == questions.len());
    // Same words → same question.
    // Words → (count, wording → count, latest time, index of the first).
    type Tally<'a> = (usize, HashMap<&'a str, usize>, OffsetDateTime, usize);
    let mut exact: HashMap<Vec<String>, Tally> = HashMap::new();
    for (i, q) in questions.iter().enumerate() {
        let key = words(&q.text);
        let entry = exact
            .entry(key)
            .or_insert_with(|| (0, HashMap::new(), q.at, i));
        entry.0 += 1;
        *entry.1.entry(q.text.trim()).or_default() += 1;
        entry.2 = entry.2.max(q.at);
    }
    let mut exact: Vec<_> = exact.into_iter().collect();
    exact.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));

    struct Building<'v> {
        words: BTreeSet<String>,
        /// The sentence vector of the group's first (most common) question.
        vector: Option<&'v Embedding>,
        count: usize,
        wordings: Vec<(String, usize)>,
        last_at: OffsetDateTime,
    }
    let mut groups: Vec<Building> = Vec::new();
    for (key, (count, wordings, last_at, first)) in exact {
        let vector = meaning.as_ref().map(|m| &m.vectors[first]);
        let set: BTreeSet<String> = key.into_iter().collect();
        let mut wordings: Vec<(String, usize)> = wordings
            .into_iter()
            .map(|(w, n)| (w.to_owned(), n))
            .collect();
        wordings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let alike = groups.iter_mut().find(|g| {
            let shared = g.words.intersection(&set).count();
            let all = g.words.union(&set).count();
            let same_words = all > 0 && shared * 2 >= all;
            let same_meaning = match (g.vector, vector) {
                (Some(a), Some(b)) => a.cosine(b.as_slice()) >= SAME_MEANING,
                _ => false,
            };
            same_words || same_meaning
        });
        match alike {
            Some(g) => {
                g.count += count;
                g.wordings.extend(wordings);
                g.last_at = g.last_at.max(last_at);
            }
            None => groups.push(Building {
                words: set,
                vector,
                count,
                wordings,
                last_at,
            }),
        }
    }
    let mut out: Vec<UnmatchedGroup> = groups
        .into_iter()
        .map(|g| {
            let mut wordings = g.wordings.into_iter().map(|(w, _)| w);
            UnmatchedGroup {
                count: g.count,
                example: wordings.next().unwrap_or_default(),
                variants: wordings.take(5).collect(),
                last_at: g.last_at,
                nearest_intent: match (&meaning, g.vector) {
                    (Some(m), Some(v)) => (m.nearest)(v),
                    _ => None,
                },
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.example.cmp(&b.example))
    });
    out
}

/// The most recent questions grouped by meaning; older ones are grouped by
/// their words only (encoding is a few milliseconds a question).
pub const MEANING_LIMIT: usize = 5000;

/// Groups `questions` for owners with what `set` and `embedder` offer: by
/// meaning and with the nearest intent when the encoder runs, by words
/// otherwise. CPU work (it encodes the questions): async callers use
/// `spawn_blocking`.
pub fn group_for(
    set: &IntentSet,
    embedder: &Embedder,
    questions: &[UnmatchedQuestion],
) -> Vec<UnmatchedGroup> {
    let recent = &questions[questions.len().saturating_sub(MEANING_LIMIT)..];
    let texts: Vec<&str> = recent.iter().map(|q| q.text.as_str()).collect();
    let vectors = match set.matcher.uses_vectors() {
        true => embedder.embed_many(&texts, &|_, _| {}),
        false => None,
    };
    let Some(vectors) = vectors else {
        return group(questions);
    };
    let nearest = |v: &Embedding| {
        let (i, similarity) = set.matcher.nearest_intent(v)?;
        Some(NearestIntent {
            name: set.intents.get(i)?.name.clone(),
            similarity,
        })
    };
    group_with(
        recent,
        Some(Meaning {
            vectors: &vectors,
            nearest: &nearest,
        }),
    )
}

/// Parses `--since`: an RFC 3339 time, or an age such as `7d`, `12h`, `30m`.
pub fn parse_since(value: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let value = value.trim();
    if let Ok(t) = OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339) {
        return Some(t);
    }
    // The unit is the last character (which may be any character: split on
    // a char boundary); the number must fit, and so must the result: an age
    // of a billion days is not a time, and must not panic.
    let unit = value.chars().last()?;
    let number = &value[..value.len() - unit.len_utf8()];
    let n: i64 = number.parse().ok().filter(|n| *n >= 0)?;
    let seconds = match unit {
        'd' => n.checked_mul(86_400)?,
        'h' => n.checked_mul(3_600)?,
        'm' => n.checked_mul(60)?,
        _ => return None,
    };
    now.checked_sub(time::Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn q(text: &str) -> UnmatchedQuestion {
        UnmatchedQuestion {
            text: text.into(),
            at: datetime!(2026-11-01 10:00 UTC),
            conversation: Uuid::nil(),
        }
    }

    #[test]
    fn alike_questions_are_counted_as_one_group() {
        let groups = group(&[
            q("Do you sell kayaks?"),
            q("do you sell kayaks"),
            q("do you sell blue kayaks"),
            q("gift wrapping?"),
        ]);
        assert_eq!(groups[0].count, 3, "{groups:?}");
        assert_eq!(groups[0].example, "Do you sell kayaks?");
        assert_eq!(groups[1].example, "gift wrapping?");
    }

    #[test]
    fn questions_that_mean_the_same_are_one_group_and_name_the_nearest_intent() {
        let embedder = crate::encoder::Embedder::bundled();
        let questions = [
            q("can you gift wrap my order?"),
            q("do you do present wrapping"),
            q("what is the meaning of life"),
        ];
        let texts: Vec<&str> = questions.iter().map(|q| q.text.as_str()).collect();
        let vectors = embedder
            .embed_many(&texts, &|_, _| {})
            .expect("the model ships");
        let nearest = |_: &Embedding| {
            Some(NearestIntent {
                name: "gift_cards".into(),
                similarity: 0.5,
            })
        };
        let groups = group_with(
            &questions,
            Some(Meaning {
                vectors: &vectors,
                nearest: &nearest,
            }),
        );
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0].count, 2);
        assert_eq!(
            groups[0].nearest_intent.as_ref().unwrap().name,
            "gift_cards"
        );
        // Without the meaning, only words group: three groups.
        assert_eq!(group(&questions).len(), 3);
    }

    #[test]
    fn since_accepts_ages_and_timestamps() {
        let now = datetime!(2026-11-10 00:00 UTC);
        assert_eq!(
            parse_since("7d", now),
            Some(datetime!(2026-11-03 00:00 UTC))
        );
        assert_eq!(
            parse_since("2026-11-01T00:00:00Z", now),
            Some(datetime!(2026-11-01 00:00 UTC))
        );
        assert_eq!(parse_since("soon", now), None);
        // Hostile values are refused, never a panic.
        for hostile in [
            "99999999999d",
            "9223372036854775807m",
            "7é",
            "é",
            "-5d",
            "",
            "d",
            "1e3d",
        ] {
            assert_eq!(parse_since(hostile, now), None, "{hostile:?}");
        }
    }
}
