//! Owner reports: reading a period's conversations from sled and
//! summarising them (`GET /api/reports` does exactly this). The store is a
//! real sled directory filled with 10,000 conversations shaped like real
//! ones: a third handed to a person with reasons, some rated.
//!
//! ```sh
//! cargo bench --bench reports
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tandem::conversation::ConversationRecord;
use tandem::protocol::{Reason, ReasonCode};
use tandem::reports::summarise;
use tandem::store::SledStore;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const CONVERSATIONS: u128 = 10_000;

fn fill(store: &SledStore, now: OffsetDateTime) {
    for n in 0..CONVERSATIONS {
        let created = now - Duration::minutes((n * 3) as i64);
        let mut c = ConversationRecord::new(Uuid::from_u128(n + 1), format!("token-{n}"), created);
        c.preview = Some("where is my order? it was due on Monday".into());
        if n % 3 == 0 {
            c.escalate(
                vec![
                    Reason {
                        code: ReasonCode::AskedForHuman,
                        text: "asked for a person".into(),
                        evidence: Some("can I talk to a human".into()),
                    },
                    Reason {
                        code: ReasonCode::NegativeWording,
                        text: "negative wording: \"useless\"".into(),
                        evidence: Some("this is useless".into()),
                    },
                ],
                created + Duration::minutes(1),
            );
            c.claim("sam").ok();
            c.assigned_at = Some(created + Duration::minutes(3));
            c.close("sam", created + Duration::minutes(12)).ok();
            if n % 2 == 0 {
                c.rate(
                    4,
                    Some("quick, thanks".into()),
                    created + Duration::minutes(13),
                )
                .ok();
            }
        }
        store.create_conversation(&c).expect("stored");
    }
    store.flush_blocking().expect("flushed");
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SledStore::open(dir.path()).expect("store");
    let now = OffsetDateTime::now_utc();
    fill(&store, now);
    let since = now - Duration::days(30);

    let mut group = c.benchmark_group("reports");
    group.throughput(Throughput::Elements(CONVERSATIONS as u64));
    group.sample_size(20);
    group.bench_function("read 10k conversations and summarise", |b| {
        b.iter(|| {
            let records = store.conversations_since(since).expect("read");
            black_box(summarise(&records, 0, since, now))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
