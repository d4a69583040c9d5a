//! Owner reports: how the bot and the desk did over a period.
//!
//! [`summarise`] turns conversation records into the figures an owner asks
//! about — how many chats the bot resolved alone, why the others came to a
//! person, how long people waited, what visitors thought (CSAT) — plus the
//! count of questions the bot could not answer. It is a pure function over
//! records already read from the store: no clock (the period comes in as
//! `since` and `now`), no disk, so every figure is tested in microseconds.
//!
//! What counts: conversations created at or after `since` in which the
//! visitor wrote something (`preview` is set). A widget opened and left
//! empty is not a conversation anyone had.
//!
//! Handling time runs from a person taking the chat (`assigned_at`, the
//! last take) to its close (`closed_at`); conversations closed before
//! Tandem kept a close time have none and are left out of it.
//!
//! Every figure is defined for an empty period: counts are zero, shares,
//! averages and wait times are `None` — never a division by zero.

use serde::Serialize;
use time::OffsetDateTime;

use crate::conversation::ConversationRecord;
use crate::protocol::ReasonCode;

/// The figures for one period, as `GET /api/reports` returns them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Start of the period (inclusive).
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// When the report was made: the end of the period.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    /// Conversations in which the visitor wrote something.
    pub conversations: usize,
    /// Never queued for a person: the bot handled them alone.
    pub bot_alone: Share,
    /// Sent to a person (queued at least once).
    pub to_person: Share,
    /// Of those sent to a person, how many a person took.
    pub reached_person: usize,
    /// Why conversations came to a person, most common first. Each
    /// conversation counts once per reason code, however often it tripped.
    pub reasons: Vec<ReasonCount>,
    /// From entering the queue to a person taking the chat.
    pub wait: Durations,
    /// From a person taking the chat to its close.
    pub handling: Durations,
    /// The visitors' ratings.
    pub csat: CsatSummary,
    /// Messages the bot could not answer in the period (the Bot tab and
    /// `tandem intents unmatched` group them into questions).
    pub unanswered_questions: usize,
}

/// A count and its share of [`Report::conversations`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// How many conversations.
    pub count: usize,
    /// Percent of all conversations, one decimal; `None` when there were none.
    pub percent: Option<f64>,
}

/// One reason conversations came to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// The stable code.
    pub code: ReasonCode,
    /// The reason in a few words ([`ReasonCode::label`]).
    pub label: &'static str,
    /// What agents saw in one of the conversations ([`Reason::text`]), which
    /// may quote the visitor: "negative wording: \"useless\"".
    ///
    /// [`Reason::text`]: crate::protocol::Reason::text
    pub example: String,
    /// How many conversations had it.
    pub count: usize,
}

/// How long something took (waiting to be taken, handling), in whole
/// seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Durations {
    /// Conversations measured.
    pub count: usize,
    /// Half waited this long or less (nearest rank: a wait someone really had).
    pub median_seconds: Option<u64>,
    /// Nine in ten waited this long or less.
    pub p90_seconds: Option<u64>,
}

/// What visitors said when asked to rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsatSummary {
    /// Rated conversations.
    pub count: usize,
    /// Mean score, two decimals; `None` without ratings.
    pub average: Option<f64>,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: [usize; 5],
}

/// The report for conversations created at or after `since` (see the module
/// docs for what counts). `unanswered_questions` is passed through: the
/// store keeps those apart from the conversations.
pub fn summarise(
    conversations: &[ConversationRecord],
    unanswered_questions: usize,
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> Report {
    let counted: Vec<&ConversationRecord> = conversations
        .iter()
        .filter(|c| c.created_at >= since && c.preview.is_some())
        .collect();
    let total = counted.len();
    let escalated: Vec<&ConversationRecord> = counted
        .iter()
        .copied()
        .filter(|c| c.queued_at.is_some())
        .collect();
    Report {
        since,
        until: now,
        conversations: total,
        bot_alone: share(total - escalated.len(), total),
        to_person: share(escalated.len(), total),
        reached_person: escalated.iter().filter(|c| c.assigned_at.is_some()).count(),
        reasons: reasons(&escalated),
        wait: wait_times(&escalated),
        handling: handling_times(&escalated),
        csat: csat(&counted),
        unanswered_questions,
    }
}

fn share(count: usize, total: usize) -> Share {
    Share {
        count,
        percent: (total > 0).then(|| round(count as f64 * 100.0 / total as f64, 1)),
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn reasons(escalated: &[&ConversationRecord]) -> Vec<ReasonCount> {
    let mut out: Vec<ReasonCount> = Vec::new();
    for c in escalated {
        let mut seen: Vec<ReasonCode> = Vec::new();
        for reason in &c.reasons {
            if seen.contains(&reason.code) {
                continue;
            }
            seen.push(reason.code);
            match out.iter_mut().find(|r| r.code == reason.code) {
                Some(r) => r.count += 1,
                None => out.push(ReasonCount {
                    code: reason.code,
                    label: reason.code.label(),
                    example: reason.text.clone(),
                    count: 1,
                }),
            }
        }
    }
    // Ties in a stable order: the order the codes are declared in.
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    out
}

fn wait_times(escalated: &[&ConversationRecord]) -> Durations {
    // A take before the last queueing belongs to an earlier round (handed
    // back to the bot, asked again, still waiting): no wait to measure.
    durations(escalated.iter().map(|c| (c.queued_at, c.assigned_at)))
}

fn handling_times(escalated: &[&ConversationRecord]) -> Durations {
    // Closed while still queued (spam, duplicates): nobody handled it.
    durations(escalated.iter().map(|c| (c.assigned_at, c.closed_at)))
}

/// The spans from each `(start, end)` pair where both are known and the end
/// comes after the start.
fn durations(
    spans: impl Iterator<Item = (Option<OffsetDateTime>, Option<OffsetDateTime>)>,
) -> Durations {
    let mut seconds: Vec<u64> = spans
        .filter_map(|span| match span {
            (Some(start), Some(end)) if end >= start => {
                Some((end - start).whole_seconds().unsigned_abs())
            }
            _ => None,
        })
        .collect();
    seconds.sort_unstable();
    Durations {
        count: seconds.len(),
        median_seconds: nearest_rank(&seconds, 50),
        p90_seconds: nearest_rank(&seconds, 90),
    }
}

/// The `percent`th percentile of `sorted` by the nearest-rank method.
fn nearest_rank(sorted: &[u64], percent: usize) -> Option<u64> {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn csat(counted: &[&ConversationRecord]) -> CsatSummary {
    let mut distribution = [0usize; 5];
    // Scores are checked to be 1–5 when rated; anything else is skipped.
    for score in counted
        .iter()
        .filter_map(|c| c.csat.as_ref())
        .map(|r| r.score)
    {
        if let Some(slot) = usize::from(score)
            .checked_sub(1)
            .and_then(|i| distribution.get_mut(i))
        {
            *slot += 1;
        }
    }
    let count: usize = distribution.iter().sum();
    let sum: usize = distribution
        .iter()
        .zip(1..)
        .map(|(n, score)| n * score)
        .sum();
    CsatSummary {
        count,
        average: (count > 0).then(|| round(sum as f64 / count as f64, 2)),
        distribution,
    }
}

#[cfg(test)]
mod tests;
