//! Per-message frustration reading speed: the lexicon alone (`score`,
//! `read_message`), the tone model (`tone`, words only: the sentence
//! vector's cost is the encoder's benchmark), and the whole reading the
//! mood uses (`reading`).
//!
//! Scores the GoEmotions test texts when `TANDEM_BENCH_CSV` names a
//! `text,frustrated` file, and a built-in set of support messages otherwise,
//! so `cargo bench` works on a fresh clone:
//!
//! ```sh
//! TANDEM_BENCH_CSV=../shared/data/goemotions-frustration/test.csv \
//!   cargo bench --bench empathy
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tandem::empathy::eval::read_cases;
use tandem::empathy::frustration::{read_message, score};
use tandem::empathy::reading;
use tandem::empathy::tone::ToneModel;

const SUPPORT_MESSAGES: &[&str] = &[
    "where is my order?",
    "how long does shipping take",
    "ok thanks",
    "THIS IS RIDICULOUS!!! WHERE IS MY ORDER???",
    "great, another bot. talk to a human please",
    "that's not what I asked, you're not helping",
    "I was charged twice and I want a refund right now",
    "thanks, but this is useless 🙄",
    "not bad at all, thank you!",
    "wtf is wrong with you idiots, third time I ask",
];

fn texts() -> Vec<String> {
    std::env::var("TANDEM_BENCH_CSV")
        .ok()
        .and_then(|path| read_cases(std::path::Path::new(&path)).ok())
        .map(|cases| cases.into_iter().map(|c| c.text).collect())
        .unwrap_or_else(|| SUPPORT_MESSAGES.iter().map(|s| s.to_string()).collect())
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let mut group = c.benchmark_group("frustration");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("score", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(score(black_box(t)));
            }
        })
    });
    group.bench_function("read_message", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(read_message(black_box(t)));
            }
        })
    });
    let model = ToneModel::bundled();
    group.bench_function("tone", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(model.read(black_box(t), None));
            }
        })
    });
    group.bench_function("reading", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(reading::read(black_box(t), None));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
