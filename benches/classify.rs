//! Criterion benchmarks of the matcher as the server runs it
//! ([`Matcher::rank`]: labels, patterns, then the classifiers): the n-grams
//! alone, and the full model given a message's sentence vector (the
//! encoder's own cost is `cargo bench -p tandem-encoder`).
//!
//! With CLINC150 beside the checkout (`../shared/data/clinc150`, or the
//! directory in `TANDEM_CLINC_DIR`) it trains on the 15,000 in-scope
//! training rows and classifies the validation texts; without it, on a
//! synthetic set of the same shape (150 intents x 100 examples), so the
//! bench runs from a fresh clone. Under `cargo test` it only smoke-tests
//! on a small synthetic set.
//!
//! `cargo bench --bench classify`

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use tandem::encoder::Embedder;
use tandem::intents::tools::cases;
use tandem::intents::{Intent, Matcher, MatcherSettings};

fn clinc_dir() -> PathBuf {
    std::env::var_os("TANDEM_CLINC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/clinc150")
        })
}

/// Whether cargo runs this as a benchmark (`cargo bench` passes `--bench`)
/// rather than as a quick smoke test (`cargo test --all-targets`), which
/// must stay fast in a debug build.
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// (intents, messages to classify, where they came from).
fn data() -> (Vec<Intent>, Vec<String>, &'static str) {
    let per_intent = if benchmarking() { 100 } else { 5 };
    let dir = clinc_dir();
    if let (true, Ok(train), Ok(val)) = (
        benchmarking(),
        cases::read(&dir.join("train.csv")),
        cases::read(&dir.join("val.csv")),
    ) {
        let mut intents: Vec<Intent> = Vec::new();
        for case in train.iter().filter(|c| !c.out_of_scope()) {
            match intents.iter_mut().find(|i| i.name == case.intent) {
                Some(i) => i.examples.push(case.text.clone()),
                None => intents.push(Intent {
                    name: case.intent.clone(),
                    examples: vec![case.text.clone()],
                    responses: vec!["ok".into()],
                    ..Intent::default()
                }),
            }
        }
        let texts = val.into_iter().map(|c| c.text).collect();
        return (intents, texts, "clinc150");
    }
    let verbs = [
        "cancel", "check", "change", "book", "find", "reset", "transfer", "report", "update",
        "show",
    ];
    let objects = [
        "card",
        "flight",
        "password",
        "balance",
        "order",
        "account",
        "reservation",
        "payment",
        "address",
        "subscription",
        "hotel",
        "car",
        "pin",
        "statement",
        "refund",
    ];
    let fillers = [
        "please",
        "can you",
        "i need to",
        "help me",
        "i want to",
        "how do i",
        "could you",
    ];
    let intents: Vec<Intent> = (0..150)
        .map(|label| {
            let verb = verbs[label % verbs.len()];
            let object = objects[label / verbs.len() % objects.len()];
            Intent {
                name: format!("intent_{label}"),
                examples: (0..per_intent)
                    .map(|i| {
                        let filler = fillers[(i + label) % fillers.len()];
                        let extra = objects[(i * 7 + label) % objects.len()];
                        format!("{filler} {verb} my {object} {} {extra}", i % 13)
                    })
                    .collect(),
                responses: vec!["ok".into()],
                ..Intent::default()
            }
        })
        .collect();
    let texts = (0..per_intent * 30)
        .map(|i| format!("could you {} the {} for me", verbs[i % 10], objects[i % 15]))
        .collect();
    (intents, texts, "synthetic")
}

fn benches(c: &mut Criterion) {
    let (intents, texts, source) = data();
    let train_start = thread_cpu_seconds();
    let matcher = Matcher::build(&intents, MatcherSettings::default(), None).expect("builds");
    if let (Some(a), Some(b)) = (train_start, thread_cpu_seconds()) {
        eprintln!("training: {:.2} CPU-seconds", b - a);
    }
    eprintln!(
        "{source}: {} intents, {} examples, model {:.1} MB",
        intents.len(),
        intents.iter().map(|i| i.examples.len()).sum::<usize>(),
        matcher.memory_bytes() as f64 / 1e6
    );
    cpu_time_throughput(&matcher, &texts);
    let mut group = c.benchmark_group(format!("classify/{source}"));
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("all texts", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(matcher.rank(black_box(t), None));
            }
        })
    });
    group.finish();
    let mut group = c.benchmark_group(format!("train/{source}"));
    group.sample_size(10);
    group.bench_function("build matcher (n-grams)", |b| {
        b.iter(|| Matcher::build(black_box(&intents), MatcherSettings::default(), None))
    });
    group.finish();

    // The full model: examples' and messages' vectors computed once, up front.
    // Not in the `cargo test` smoke run: training with vectors and calibrating
    // it is minutes of unoptimised arithmetic in a debug build.
    if !benchmarking() {
        return;
    }
    let embedder = Embedder::bundled();
    let examples: Vec<&str> = intents
        .iter()
        .flat_map(|i| i.examples.iter().map(String::as_str))
        .collect();
    let (Some(vectors), Some(messages)) = (
        embedder.embed_many(&examples, &|_, _| {}),
        embedder.embed_many(
            &texts.iter().map(String::as_str).collect::<Vec<_>>(),
            &|_, _| {},
        ),
    ) else {
        eprintln!("no sentence encoder in this build: full-model benchmarks skipped");
        return;
    };
    let train_start = thread_cpu_seconds();
    let full =
        Matcher::build(&intents, MatcherSettings::default(), Some(&vectors)).expect("builds");
    if let (Some(a), Some(b)) = (train_start, thread_cpu_seconds()) {
        eprintln!(
            "training with vectors (and calibrating): {:.2} CPU-seconds",
            b - a
        );
    }
    let skipped = texts.iter().filter(|t| !full.needs_embedding(t)).count();
    eprintln!(
        "the n-grams are sure enough to skip the encoder on {skipped} of {} texts",
        texts.len()
    );
    let mut group = c.benchmark_group(format!("classify_full/{source}"));
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("all texts, vectors given", |b| {
        b.iter(|| {
            for (t, v) in texts.iter().zip(&messages) {
                black_box(full.rank(black_box(t), Some(v)));
            }
        })
    });
    group.finish();
    let mut group = c.benchmark_group(format!("train/{source}"));
    group.sample_size(10);
    group.bench_function("build matcher (full, vectors given)", |b| {
        b.iter(|| {
            Matcher::build(
                black_box(&intents),
                MatcherSettings::default(),
                Some(&vectors),
            )
        })
    });
    group.finish();
}

/// This thread's CPU time in seconds (Linux), so that throughput can be
/// stated fairly on a machine shared with other work, where wall-clock
/// figures mostly measure the neighbours.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Prints classifications per CPU-second (best of five passes) and the
/// CPU time of one training.
fn cpu_time_throughput(matcher: &Matcher, texts: &[String]) {
    let mut best = 0.0_f64;
    for _ in 0..5 {
        let Some(start) = thread_cpu_seconds() else {
            return;
        };
        for t in texts {
            black_box(matcher.rank(black_box(t), None));
        }
        let cpu = thread_cpu_seconds().unwrap_or(start) - start;
        if cpu > 0.0 {
            best = best.max(texts.len() as f64 / cpu);
        }
    }
    eprintln!("classifications per CPU-second (best of 5): {best:.0}");
}

criterion_group!(classify, benches);
criterion_main!(classify);
