//! One whole bot turn as the hub runs it (`bot::respond`: the matcher, the
//! mood reading, the policy and the reply) on the bundled `intents/`, over
//! short conversations of calm and upset visitors.
//!
//! Each message's sentence vector is computed up front, and only where the
//! hub would ask for one ([`Matcher::needs_embedding`]); the encoder's own
//! cost is `cargo bench -p tandem-encoder`. `needs_embedding` itself runs
//! before the hub lock and is measured on its own. Under `cargo test` this
//! only smoke-tests the turn, without the encoder.
//!
//! `cargo bench --bench bot_turn`
//!
//! [`Matcher::needs_embedding`]: tandem::intents::Matcher::needs_embedding

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tandem::bot;
use tandem::empathy::conversation::Mood;
use tandem::encoder::{Embedder, Embedding};
use tandem::intents::IntentSet;
use time::OffsetDateTime;

/// Conversations as visitors write them: routine questions, typos, order
/// numbers, small talk, and visitors who get more and more upset.
const CONVERSATIONS: &[&[&str]] = &[
    &[
        "hi there",
        "where is my order? it was supposed to arrive yesterday",
        "order number is NW-204817",
        "ok thanks!",
    ],
    &[
        "how long does shipping to belgium take",
        "and to austria?",
        "do you ship to switzerland at all",
    ],
    &[
        "I want to return the jacket, it's too small",
        "how do i print the return label",
        "when do I get my money back for the return",
    ],
    &[
        "THIS IS RIDICULOUS!!! WHERE IS MY ORDER???",
        "i've been waiting two weeks, this is the third time I ask",
        "useless bot. talk to a human please",
    ],
    &[
        "my parcel says delivered but there is nothing at my door",
        "I checked with the neighbours, nobody has it",
        "this is really frustrating, I paid for express",
    ],
    &[
        "I was charged twice for the same order",
        "that's not what I asked, you're not helping",
        "I'll do a chargeback then, this is a scam",
    ],
    &["do you sell kayaks", "blue kayaks?", "hello??"],
    &[
        "can i pay with paypal",
        "what about klarna",
        "great, thank you 🙂",
    ],
    &[
        "wtf is wrong with you idiots, my refund still isn't here",
        "I'm really disappointed with the quality of this jacket",
        "honestly the worst shop I have ever ordered from 😡",
    ],
    &[
        "Hallo, ich möchte meine Bestellung stornieren",
        "cancel my order pls",
        "forgot my password and the reset email never comes",
    ],
    &[
        "204817",
        "change the delivery address on my order",
        "can I collect it from your shop instead?",
    ],
    &[
        "how do I delete my account",
        "I need it asap, I'm moving abroad on friday",
        "not bad at all, thanks for the quick help",
    ],
];

/// Whether cargo runs this as a benchmark rather than a `cargo test` smoke run.
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Every message of every conversation with the vector the hub would give it.
fn prepare(set: &IntentSet, embedder: &Embedder) -> Vec<Vec<(&'static str, Option<Embedding>)>> {
    CONVERSATIONS
        .iter()
        .map(|lines| {
            lines
                .iter()
                .map(|&text| {
                    let vector = set
                        .matcher
                        .needs_embedding(text)
                        .then(|| embedder.embed_message_now(text).ok())
                        .flatten();
                    (text, vector)
                })
                .collect()
        })
        .collect()
}

/// Runs every conversation from a fresh mood, as the hub does line by line.
fn run(set: &IntentSet, conversations: &[Vec<(&str, Option<Embedding>)>]) {
    let now = OffsetDateTime::UNIX_EPOCH;
    for lines in conversations {
        let mut mood = Mood::default();
        let mut misses = 0;
        for (turn, (text, vector)) in lines.iter().enumerate() {
            let reply = bot::respond(
                set,
                black_box(text),
                // No first look: the bench's turn includes the ranking the
                // hub does before its lock.
                bot::Heard {
                    vector: vector.as_ref(),
                    look: None,
                },
                &mut mood,
                misses,
                turn as u64,
                now,
            );
            misses = reply.misses_in_row;
            black_box(reply);
        }
    }
}

fn bench(c: &mut Criterion) {
    let embedder = if benchmarking() {
        Embedder::bundled()
    } else {
        Embedder::none()
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("intents");
    let set = match tandem::intents::load_dir(&dir, &embedder) {
        Ok(set) => set,
        Err(diagnostics) => panic!("the bundled intents load: {diagnostics:?}"),
    };
    let conversations = prepare(&set, &embedder);
    let messages: usize = conversations.iter().map(Vec::len).sum();
    let with_vector = conversations
        .iter()
        .flatten()
        .filter(|(_, v)| v.is_some())
        .count();
    eprintln!("{messages} messages, {with_vector} with a sentence vector");

    let mut group = c.benchmark_group("bot_turn");
    group.throughput(Throughput::Elements(messages as u64));
    group.bench_function("respond", |b| b.iter(|| run(&set, &conversations)));
    let without: Vec<Vec<(&str, Option<Embedding>)>> = conversations
        .iter()
        .map(|lines| lines.iter().map(|&(t, _)| (t, None)).collect())
        .collect();
    group.bench_function("respond, no vectors", |b| b.iter(|| run(&set, &without)));
    group.bench_function("needs_embedding", |b| {
        b.iter(|| {
            for (text, _) in conversations.iter().flatten() {
                black_box(set.matcher.needs_embedding(black_box(text)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
