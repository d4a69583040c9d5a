//! How long Tandem keeps conversations: `[retention] days`.

use tandem::hub::{Hub, HubOptions, VisitorSession};
use tandem::protocol::VisitorEvent;
use tandem::retention::Retention;
use tandem::store::Store;
use time::{Duration, OffsetDateTime};

use crate::helpers::fixture_intents;

fn token_of(session: &VisitorSession) -> String {
    match &session.greeting[0] {
        VisitorEvent::Welcome { resume_token, .. } => resume_token.clone(),
        other => panic!("welcome first, got {other:?}"),
    }
}

#[tokio::test]
async fn quiet_conversations_are_deleted_after_the_retention_and_nobody_waiting_loses_theirs() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let intents =
        tandem::intents::load_dir(&fixture_intents(), &tandem::encoder::Embedder::bundled())
            .unwrap();
    let hub = Hub::new(store, intents, HubOptions::default())
        .await
        .unwrap();
    let keep_90_days = Retention { days: 90 };

    // A visitor who asked the bot something it could not answer, and left.
    let (tx, _rx) = tandem::hub::outbox();
    let gone = hub.connect_visitor(None, tx).await.unwrap();
    let gone_token = token_of(&gone);
    hub.visitor_message(gone.connection, "c1", "do you sell kayaks")
        .await
        .unwrap();
    hub.disconnect_visitor(gone.connection);
    // A visitor waiting for a person (they closed the tab; the queue keeps them).
    let (tx, _rx) = tandem::hub::outbox();
    let waiting = hub.connect_visitor(None, tx).await.unwrap();
    hub.request_human(waiting.connection).await.unwrap();
    hub.disconnect_visitor(waiting.connection);
    // A visitor with the widget open right now.
    let (tx, _rx) = tandem::hub::outbox();
    let here = hub.connect_visitor(None, tx).await.unwrap();
    hub.visitor_message(here.connection, "c1", "hello")
        .await
        .unwrap();

    let store = hub.store();
    let now = OffsetDateTime::now_utc();
    let nothing = hub
        .purge_expired(keep_90_days, now + Duration::days(89))
        .await
        .unwrap();
    assert_eq!(nothing.conversations, 0, "not due yet");
    assert_eq!(
        hub.purge_expired(Retention::default(), now + Duration::days(10_000))
            .await
            .unwrap()
            .conversations,
        0,
        "by default everything is kept"
    );

    let purged = hub
        .purge_expired(keep_90_days, now + Duration::days(91))
        .await
        .unwrap();
    assert_eq!(purged.conversations, 1);
    assert!(store
        .conversation(gone.conversation)
        .await
        .unwrap()
        .is_none());
    assert!(store.history(gone.conversation).await.unwrap().is_empty());
    assert!(store
        .conversation_by_token(&gone_token)
        .await
        .unwrap()
        .is_none());
    assert!(
        store.unmatched_since(None).await.unwrap().is_empty(),
        "what they asked goes too"
    );
    assert!(store
        .conversation(waiting.conversation)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .conversation(here.conversation)
        .await
        .unwrap()
        .is_some());

    // The visitor who left comes back with their old token: a fresh start.
    let (tx, _rx) = tandem::hub::outbox();
    let back = hub.connect_visitor(Some(&gone_token), tx).await.unwrap();
    assert_ne!(back.conversation, gone.conversation);
    match &back.greeting[0] {
        VisitorEvent::Welcome {
            resumed, history, ..
        } => assert!(!resumed && history.is_empty()),
        other => panic!("welcome first, got {other:?}"),
    }
}
