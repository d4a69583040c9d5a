//! The sentence encoder's speed (targets in docs/intents.md: one 12-token
//! message in at most 8 ms on one core; at least 250 messages/s per core
//! batched).
//!
//! ```sh
//! cargo bench -p tandem-encoder
//! ```
//!
//! Everything runs on the calling thread: the matrix products are
//! single-threaded, so these are per-core figures.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tandem_encoder::Encoder;

/// Twelve word pieces between [CLS] and [SEP].
const TWELVE_TOKENS: &str = "can you tell me how long shipping to germany usually takes?";

/// Short support questions, as visitors write them (8 to 16 pieces).
const QUESTIONS: &[&str] = &[
    "where is my order?",
    "how long does shipping to austria take",
    "can I pay with paypal or only by card",
    "I was charged twice for the same order",
    "do you ship to the canary islands?",
    "my parcel says delivered but it is not here",
    "how do I return a pair of shoes that do not fit",
    "can I change the delivery address after ordering",
    "is the blue jacket available in size large",
    "when is your customer service open on saturdays",
    "I forgot my password and the reset email never came",
    "can I collect my order from your shop in utrecht",
    "what is your refund policy for sale items",
    "the discount code SUMMER20 does not work at checkout",
    "can I cancel my order? I placed it an hour ago",
    "do you offer gift wrapping for birthday presents",
];

fn bench(c: &mut Criterion) {
    let encoder = Encoder::bundled().expect("built with model/minilm-l6-v2.tnm");
    assert_eq!(
        encoder.token_ids(TWELVE_TOKENS).len(),
        14,
        "12 pieces + [CLS] + [SEP]"
    );
    let mut group = c.benchmark_group("encoder");
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(1));
    group.bench_function("one_12_token_message", |b| {
        b.iter(|| encoder.embed(black_box(TWELVE_TOKENS)))
    });
    let batch: Vec<&str> = QUESTIONS.iter().chain(QUESTIONS).copied().collect();
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("batch_of_32_questions", |b| {
        b.iter(|| encoder.embed_batch(black_box(&batch)))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("tokenize_only", |b| {
        b.iter(|| encoder.token_ids(black_box(TWELVE_TOKENS)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
