//! `tandem check`: reads everything stored and lists what does not hold
//! together — records that no longer decode, conversations with missing or
//! out-of-sequence lines, resume tokens and dedupe entries pointing at
//! nothing, sessions of agents who no longer exist.
//!
//! The same reading, cut to the conversation records and a time budget,
//! runs at server start-up ([`SledStore::quick_check`]) so that a damaged store
//! is logged loudly and reported by readiness instead of served silently.
//!
//! The check only reads: it never repairs. Each problem names its tree and
//! key, so an operator (or a later repair tool) can find the record.
//! The checks of how trees refer to each other — lines to conversations,
//! dedupe entries to lines, tokens and lists to conversations — are in
//! `check/links.rs`.

mod links;
mod postgres;

pub use postgres::check_postgres;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{OfflineMessage, SledStore};
use crate::agents::{AgentRecord, Session};
use crate::conversation::ConversationRecord;
use crate::intents::unmatched::UnmatchedQuestion;

/// One thing wrong in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The sled tree it is in.
    pub tree: &'static str,
    /// The record's key, readable: a conversation id, a name, or hex.
    pub key: String,
    /// What is wrong with it.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.tree, self.key, self.what)
    }
}

/// What a check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
    /// Records read, by tree (in the order checked).
    pub checked: Vec<(&'static str, usize)>,
    /// False when a time budget ended the check before everything was read.
    pub complete: bool,
}

impl CheckReport {
    /// Records read in all trees.
    pub fn records(&self) -> usize {
        self.checked.iter().map(|(_, n)| n).sum()
    }

    pub(super) fn problem(
        &mut self,
        tree: &'static str,
        key: impl Into<String>,
        what: impl Into<String>,
    ) {
        self.problems.push(Problem {
            tree,
            key: key.into(),
            what: what.into(),
        });
    }
}

impl fmt::Display for CheckReport {
    /// The summary line `tandem check` ends with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts: Vec<String> = self
            .checked
            .iter()
            .map(|(tree, n)| format!("{n} {tree}"))
            .collect();
        let verdict = match self.problems.len() {
            0 => "no problems".to_owned(),
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        };
        write!(f, "{verdict}; checked {}", counts.join(", "))?;
        if !self.complete {
            write!(f, " (stopped early: out of time)")?;
        }
        Ok(())
    }
}

impl SledStore {
    /// Reads every record of every tree and checks that they hold together.
    /// Read-only. Meant for a stopped server (`tandem check`).
    pub fn check(&self) -> CheckReport {
        let mut report = CheckReport {
            complete: true,
            ..CheckReport::default()
        };
        let conversations = self.check_conversations(&mut report, None);
        self.check_lines(&mut report, &conversations);
        self.check_client_ids(&mut report, &conversations);
        self.check_pointers(&mut report, &conversations);
        let agents =
            self.check_decodes::<AgentRecord>(&mut report, &self.agents, "agents", |k, a| {
                (a.name.as_bytes() != k)
                    .then(|| format!("stored under another name than {:?}", a.name))
            });
        let agents: Vec<String> = agents.into_iter().map(|a| a.name).collect();
        self.check_decodes::<Session>(&mut report, &self.sessions, "sessions", |_, s| {
            (!agents.contains(&s.agent))
                .then(|| format!("belongs to agent {:?}, who does not exist", s.agent))
        });
        self.check_decodes::<OfflineMessage>(
            &mut report,
            &self.offline_messages,
            "offline_messages",
            |_, _| None,
        );
        self.check_decodes::<UnmatchedQuestion>(
            &mut report,
            &self.unmatched,
            "unmatched",
            |_, _| None,
        );
        report
    }

    /// Decodes conversation records until `budget` runs out: the start-up
    /// check, which must not hold a big store's start-up for long.
    pub fn quick_check(&self, budget: Duration) -> CheckReport {
        let mut report = CheckReport {
            complete: true,
            ..CheckReport::default()
        };
        self.check_conversations(&mut report, Some(Instant::now() + budget));
        report
    }

    /// Every conversation record decodes, under its own id. Returns each
    /// id with its `next_seq` (`None` when the record is unreadable: it
    /// exists, so its lines are not orphans, but its sequence is unknown).
    fn check_conversations(
        &self,
        report: &mut CheckReport,
        deadline: Option<Instant>,
    ) -> HashMap<Uuid, Option<u64>> {
        let tree = "conversations";
        let mut found = HashMap::new();
        let mut read = 0;
        for item in self.conversations.iter() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                report.complete = false;
                break;
            }
            let Some((key, value)) = entry(report, tree, item) else {
                break;
            };
            read += 1;
            let Ok(id) = Uuid::from_slice(&key) else {
                report.problem(tree, hex(&key), "the key is not a conversation id");
                continue;
            };
            match serde_json::from_slice::<ConversationRecord>(&value) {
                Ok(record) if record.id != id => {
                    report.problem(
                        tree,
                        id.to_string(),
                        format!("the record says it is {}", record.id),
                    );
                    found.insert(id, None);
                }
                Ok(record) => {
                    found.insert(id, Some(record.next_seq));
                }
                Err(e) => {
                    report.problem(
                        tree,
                        id.to_string(),
                        format!("the record does not decode: {e}"),
                    );
                    found.insert(id, None);
                }
            }
        }
        report.checked.push((tree, read));
        found
    }

    /// Every record of `tree` decodes as `T`, and passes `also`.
    fn check_decodes<T: DeserializeOwned>(
        &self,
        report: &mut CheckReport,
        sled_tree: &sled::Tree,
        tree: &'static str,
        also: impl Fn(&[u8], &T) -> Option<String>,
    ) -> Vec<T> {
        let mut good = Vec::new();
        let mut read = 0;
        for item in sled_tree.iter() {
            let Some((key, value)) = entry(report, tree, item) else {
                break;
            };
            read += 1;
            match serde_json::from_slice::<T>(&value) {
                Ok(record) => {
                    if let Some(what) = also(&key, &record) {
                        report.problem(tree, readable(&key), what);
                    }
                    good.push(record);
                }
                Err(e) => report.problem(
                    tree,
                    readable(&key),
                    format!("the record does not decode: {e}"),
                ),
            }
        }
        report.checked.push((tree, read));
        good
    }
}

/// One entry of a tree being checked, or `None` (reported) when sled
/// cannot read further, which ends that tree's check.
pub(super) fn entry(
    report: &mut CheckReport,
    tree: &'static str,
    item: sled::Result<(sled::IVec, sled::IVec)>,
) -> Option<(sled::IVec, sled::IVec)> {
    match item {
        Ok(entry) => Some(entry),
        Err(e) => {
            report.problem(tree, "-", format!("sled cannot read further: {e}"));
            None
        }
    }
}

/// A key as text when it is printable, else hex.
fn readable(key: &[u8]) -> String {
    match std::str::from_utf8(key) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => s.to_owned(),
        _ => hex(key),
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::StoredMessage;
    use crate::protocol::Sender;
    use crate::store::message_key;
    use time::OffsetDateTime;

    fn line(seq: u64) -> StoredMessage {
        StoredMessage {
            seq,
            client_id: Some(format!("c{seq}")),
            from: Sender::Visitor,
            author: None,
            text: format!("line {seq}"),
            quick_replies: vec![],
            at: OffsetDateTime::UNIX_EPOCH,
            intent: None,
        }
    }

    fn store_with_a_chat() -> (tempfile::TempDir, SledStore, ConversationRecord) {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let mut rec =
            ConversationRecord::new(Uuid::new_v4(), "tok".into(), OffsetDateTime::UNIX_EPOCH);
        store.create_conversation(&rec).unwrap();
        for _ in 0..3 {
            let seq = rec.take_seq();
            store.append_message(&rec, &line(seq)).unwrap();
        }
        (dir, store, rec)
    }

    #[test]
    fn a_sound_store_has_no_problems() {
        let (_dir, store, _) = store_with_a_chat();
        let report = store.check();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert!(report.complete);
        assert_eq!(report.records(), 1 + 3 + 3 + 1 + 1);
        assert!(report
            .to_string()
            .starts_with("no problems; checked 1 conversations, 3 messages"));
    }

    #[test]
    fn a_missing_line_and_its_dangling_dedupe_entry_are_both_reported() {
        let (_dir, store, rec) = store_with_a_chat();
        store.messages.remove(message_key(rec.id, 2)).unwrap();
        let report = store.check();
        let lines: Vec<String> = report.problems.iter().map(Problem::to_string).collect();
        assert_eq!(
            lines,
            [
                format!("messages {}#3: line #2 is missing", rec.id),
                format!(
                    "client_ids {}/c2: points at line #2, which is missing",
                    rec.id
                ),
            ]
        );
    }

    #[test]
    fn garbage_in_a_conversation_record_is_reported_and_its_lines_are_not_orphans() {
        let (_dir, store, rec) = store_with_a_chat();
        store
            .conversations
            .insert(rec.id.as_bytes(), &b"\xffgarbage"[..])
            .unwrap();
        let report = store.check();
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(report.problems[0].what.contains("does not decode"));
        let quick = store.quick_check(Duration::from_secs(1));
        assert_eq!(quick.problems, report.problems);
    }

    #[test]
    fn a_session_of_a_removed_agent_and_a_token_to_nowhere_are_reported() {
        let (_dir, store, _) = store_with_a_chat();
        store
            .put_session(
                "t1",
                &Session {
                    agent: "ghost".into(),
                    expires_at: OffsetDateTime::UNIX_EPOCH,
                },
            )
            .unwrap();
        store
            .resume_tokens
            .insert("lost", Uuid::new_v4().as_bytes().as_slice())
            .unwrap();
        let what: Vec<&str> = store.check().problems.iter().map(|p| p.tree).collect();
        assert_eq!(what, ["resume_tokens", "sessions"]);
    }
}
