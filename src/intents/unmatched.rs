//! The questions the bot could not answer: what is recorded for each
//! fallback, and how `tandem intents unmatched` groups them into "the list
//! of intents to write next".
//!
//! Grouping is deliberately simple and explainable: messages with the same
//! words (after the matcher's normalisation: case, punctuation, accents) are
//! one question; then a question joins an earlier, more common group when
//! they share at least half of their distinct words (Jaccard >= 0.5).

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::matcher::words;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

/// Groups `questions` (see the module docs), most common first.
pub fn group(questions: &[UnmatchedQuestion]) -> Vec<UnmatchedGroup> {
    // Same words → same question.
    // Words → (count, wording → count, latest time).
    type Tally<'a> = (usize, HashMap<&'a str, usize>, OffsetDateTime);
    let mut exact: HashMap<Vec<String>, Tally> = HashMap::new();
    for q in questions {
        let key = words(&q.text);
        let entry = exact
            .entry(key)
            .or_insert_with(|| (0, HashMap::new(), q.at));
        entry.0 += 1;
        *entry.1.entry(q.text.trim()).or_default() += 1;
        entry.2 = entry.2.max(q.at);
    }
    let mut exact: Vec<_> = exact.into_iter().collect();
    exact.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));

    struct Building {
        words: BTreeSet<String>,
        count: usize,
        wordings: Vec<(String, usize)>,
        last_at: OffsetDateTime,
    }
    let mut groups: Vec<Building> = Vec::new();
    for (key, (count, wordings, last_at)) in exact {
        let set: BTreeSet<String> = key.into_iter().collect();
        let mut wordings: Vec<(String, usize)> = wordings
            .into_iter()
            .map(|(w, n)| (w.to_owned(), n))
            .collect();
        wordings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let alike = groups.iter_mut().find(|g| {
            let shared = g.words.intersection(&set).count();
            let all = g.words.union(&set).count();
            all > 0 && shared * 2 >= all
        });
        match alike {
            Some(g) => {
                g.count += count;
                g.wordings.extend(wordings);
                g.last_at = g.last_at.max(last_at);
            }
            None => groups.push(Building {
                words: set,
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

/// Parses `--since`: an RFC 3339 time, or an age such as `7d`, `12h`, `30m`.
pub fn parse_since(value: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let value = value.trim();
    if let Ok(t) = OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339) {
        return Some(t);
    }
    let (number, unit) = value.split_at(value.len().checked_sub(1)?);
    let n: i64 = number.parse().ok()?;
    let age = match unit {
        "d" => time::Duration::days(n),
        "h" => time::Duration::hours(n),
        "m" => time::Duration::minutes(n),
        _ => return None,
    };
    Some(now - age)
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
    }
}
