//! How the trees refer to each other: every line belongs to a conversation
//! and sits in sequence, every dedupe entry points at a line, every resume
//! token and visitor-list entry at a conversation.

use std::collections::HashMap;

use uuid::Uuid;

use super::{entry, hex, CheckReport};
use crate::conversation::StoredMessage;
use crate::store::{message_key, SledStore};

impl SledStore {
    /// Every line decodes, belongs to an existing conversation, carries the
    /// seq of its key, and each conversation's lines run 1, 2, … up to
    /// just under its `next_seq`, none missing.
    pub(super) fn check_lines(
        &self,
        report: &mut CheckReport,
        conversations: &HashMap<Uuid, Option<u64>>,
    ) {
        let tree = "messages";
        let mut last: HashMap<Uuid, u64> = HashMap::new();
        let mut read = 0;
        for item in self.messages.iter() {
            let Some((key, value)) = entry(report, tree, item) else {
                break;
            };
            read += 1;
            let (Some(id), Some(seq)) = (
                key.get(..16).and_then(|b| Uuid::from_slice(b).ok()),
                key.get(16..)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map(u64::from_be_bytes),
            ) else {
                report.problem(
                    tree,
                    hex(&key),
                    "the key is not a conversation id and a seq",
                );
                continue;
            };
            let name = format!("{id}#{seq}");
            if !conversations.contains_key(&id) {
                report.problem(tree, name, "a line of a conversation that does not exist");
                continue;
            }
            match serde_json::from_slice::<StoredMessage>(&value) {
                Ok(line) if line.seq != seq => {
                    report.problem(
                        tree,
                        name.clone(),
                        format!("the line says it is #{}", line.seq),
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    report.problem(tree, name.clone(), format!("the line does not decode: {e}"))
                }
            }
            let previous = last.insert(id, seq).unwrap_or(0);
            if seq != previous + 1 {
                report.problem(tree, name, missing(previous + 1, seq - 1));
            }
        }
        report.checked.push((tree, read));
        for (id, next_seq) in conversations {
            let Some(next_seq) = next_seq else { continue };
            let last = last.get(id).copied().unwrap_or(0);
            if last + 1 < *next_seq {
                report.problem(
                    tree,
                    format!("{id}#{}", last + 1),
                    missing(last + 1, next_seq - 1),
                );
            }
            // Lines at or beyond `next_seq` are not a problem: a crash
            // between a line's write and its record's leaves them, never
            // acknowledged, and the next lines overwrite them
            // (`SledStore::append_messages`).
        }
    }

    /// Every dedupe entry points at a line that exists.
    pub(super) fn check_client_ids(
        &self,
        report: &mut CheckReport,
        conversations: &HashMap<Uuid, Option<u64>>,
    ) {
        let tree = "client_ids";
        let mut read = 0;
        for item in self.client_ids.iter() {
            let Some((key, value)) = entry(report, tree, item) else {
                break;
            };
            read += 1;
            let Some(id) = key.get(..16).and_then(|b| Uuid::from_slice(b).ok()) else {
                report.problem(
                    tree,
                    hex(&key),
                    "the key does not start with a conversation id",
                );
                continue;
            };
            let name = format!("{id}/{}", String::from_utf8_lossy(&key[16..]));
            if !conversations.contains_key(&id) {
                report.problem(tree, name, "names a conversation that does not exist");
                continue;
            }
            let Ok(seq) = <[u8; 8]>::try_from(value.as_ref()).map(u64::from_be_bytes) else {
                report.problem(tree, name, "the value is not a seq");
                continue;
            };
            match self.messages.get(message_key(id, seq)) {
                Ok(Some(_)) => {}
                Ok(None) => report.problem(
                    tree,
                    name,
                    format!("points at line #{seq}, which is missing"),
                ),
                Err(e) => report.problem(tree, name, format!("sled cannot read: {e}")),
            }
        }
        report.checked.push((tree, read));
    }

    /// Resume tokens and the visitors' lists open conversations that exist.
    pub(super) fn check_pointers(
        &self,
        report: &mut CheckReport,
        conversations: &HashMap<Uuid, Option<u64>>,
    ) {
        for (tree, sled_tree, id_at) in [
            ("resume_tokens", &self.resume_tokens, None),
            (
                "visitor_conversations",
                &self.visitor_conversations,
                Some(32..48),
            ),
        ] {
            let mut read = 0;
            for item in sled_tree.iter() {
                let Some((key, value)) = entry(report, tree, item) else {
                    break;
                };
                read += 1;
                let (name, bytes) = match &id_at {
                    None => (String::from_utf8_lossy(&key).into_owned(), value.get(..)),
                    Some(range) => (hex(&key), key.get(range.clone())),
                };
                match bytes.and_then(|b| Uuid::from_slice(b).ok()) {
                    Some(id) if conversations.contains_key(&id) => {}
                    Some(id) => report.problem(
                        tree,
                        name,
                        format!("opens conversation {id}, which does not exist"),
                    ),
                    None => report.problem(tree, name, "does not hold a conversation id"),
                }
            }
            report.checked.push((tree, read));
        }
    }
}

fn missing(from: u64, to: u64) -> String {
    if from == to {
        format!("line #{from} is missing")
    } else {
        format!("lines #{from} to #{to} are missing")
    }
}
