//! The embedded store's own tests: resends after a cut-short write,
//! reports' reads, tokens, the directory lock.

use super::*;
use crate::protocol::Sender;
use time::OffsetDateTime;

fn line(seq: u64, client_id: Option<&str>) -> StoredMessage {
    StoredMessage {
        seq,
        client_id: client_id.map(str::to_owned),
        from: Sender::Visitor,
        author: None,
        text: format!("line {seq}"),
        quick_replies: vec![],
        at: OffsetDateTime::UNIX_EPOCH,
        intent: None,
    }
}

#[test]
fn a_resend_after_a_write_cut_short_finds_its_line_and_a_line_never_counted_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let mut rec = ConversationRecord::new(Uuid::new_v4(), "tok".into(), OffsetDateTime::UNIX_EPOCH);
    store.create_conversation(&rec).unwrap();
    let first = rec.take_seq();
    store
        .append_message(&rec, &line(first, Some("c1")))
        .unwrap();
    // A crash after the line and the record, before the index entry:
    let second = rec.take_seq();
    store
        .messages
        .insert(
            message_key(rec.id, second),
            serde_json::to_vec(&line(second, Some("c2"))).unwrap(),
        )
        .unwrap();
    store.save_conversation(&rec).unwrap();
    assert_eq!(
        store.seq_for_client_id(rec.id, rec.next_seq, "c2").unwrap(),
        Some(second)
    );
    // A crash after a line, before its record: the line does not count.
    let stale = rec.clone();
    let third = rec.take_seq();
    store
        .messages
        .insert(
            message_key(rec.id, third),
            serde_json::to_vec(&line(third, Some("c3"))).unwrap(),
        )
        .unwrap();
    assert_eq!(
        store
            .seq_for_client_id(stale.id, stale.next_seq, "c3")
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .seq_for_client_id(stale.id, stale.next_seq, "c1")
            .unwrap(),
        Some(first)
    );
}

#[test]
fn reports_read_only_the_conversations_of_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let start = OffsetDateTime::UNIX_EPOCH + time::Duration::days(10);
    for (n, day) in [(1u128, 9), (2, 10), (3, 11)] {
        let at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(day);
        let rec = ConversationRecord::new(Uuid::from_u128(n), format!("t{n}"), at);
        store.create_conversation(&rec).unwrap();
    }
    let mut ids: Vec<u128> = store
        .conversations_since(start)
        .unwrap()
        .iter()
        .map(|c| c.id.as_u128())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [2, 3]);
}

#[test]
fn lines_come_back_in_order_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id = Uuid::new_v4();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let mut rec = ConversationRecord::new(id, "tok".into(), OffsetDateTime::UNIX_EPOCH);
        store.create_conversation(&rec).unwrap();
        for i in 0..300 {
            let seq = rec.take_seq();
            store
                .append_message(&rec, &line(seq, Some(&format!("c{i}"))))
                .unwrap();
        }
        store.flush_blocking().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    let history = store.history(id).unwrap();
    assert_eq!(history.len(), 300);
    assert!(history.windows(2).all(|w| w[0].seq < w[1].seq));
    let record = store.conversation(id).unwrap().unwrap();
    assert_eq!(
        store
            .seq_for_client_id(record.id, record.next_seq, "c7")
            .unwrap(),
        Some(8)
    );
    assert_eq!(
        store
            .conversation_by_token("tok")
            .unwrap()
            .unwrap()
            .next_seq,
        301
    );
}

#[test]
fn a_visitors_token_opens_their_newest_conversation_and_lists_all_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let t0 = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let first = ConversationRecord::new(Uuid::from_u128(9), "tok".into(), t0);
    store.create_conversation(&first).unwrap();
    let second = first.follow_up(Uuid::from_u128(3), t0 + time::Duration::hours(1));
    store.create_conversation(&second).unwrap();
    let stranger = ConversationRecord::new(Uuid::from_u128(5), "other".into(), t0);
    store.create_conversation(&stranger).unwrap();

    let newest = store.conversation_by_token("tok").unwrap().unwrap();
    assert_eq!(newest.id, second.id);
    let ids: Vec<Uuid> = store
        .visitor_conversations(first.id)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        ids,
        vec![first.id, second.id],
        "oldest first, strangers apart"
    );
}

#[test]
fn a_second_opener_is_told_the_directory_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SledStore::open(dir.path()).unwrap();
    match SledStore::open(dir.path()) {
        Err(StoreError::Locked(_)) => {}
        Err(other) => panic!("expected Locked, got {other}"),
        Ok(_) => panic!("expected Locked, got a second handle"),
    }
}
