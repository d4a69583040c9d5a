//! The sentence encoder as Tandem uses it: which model runs (the one in the
//! binary, another file, or none), the vectors of the owner's examples kept
//! on disk between reloads, and a bounded worker that answers live
//! messages.
//!
//! # Design decision: degrade, never queue
//!
//! Encoding a message costs milliseconds of CPU, a thousand times an
//! n-gram lookup. Live messages go through one bounded queue to dedicated
//! threads ([`worker`]) that take them in micro-batches (a batch of 32
//! costs about a third less per message than one at a time). When the
//! queue is full the message is answered from the n-grams alone at once,
//! and counted ([`EncoderStats::busy`]), rather than waiting behind others:
//! a visitor gets a slightly less clever answer instead of a slow one.
//! Texts seen recently (quick replies, greetings) come from a cache, and
//! the matcher skips the encoder when its n-grams are already sure
//! ([`crate::intents::Matcher::needs_embedding`]).
//!
//! The model itself is the `tandem-encoder` crate (`crates/encoder`).
//!
//! # Layout
//!
//! - [`cache`] — example vectors on disk, recent messages in memory.
//! - [`worker`] — the bounded queue and the threads behind it.

pub mod cache;
pub mod worker;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

pub use tandem_encoder::{dot, Embedding, Encoder, EncoderError};

use cache::{ExampleCache, RecentCache};
use worker::{Worker, WorkerSettings};

/// Which sentence encoder to run (`encoder` in `tandem.toml`,
/// `--encoder`, `TANDEM_ENCODER`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EncoderChoice {
    /// The model built into the binary (the default), if it was built in.
    #[default]
    Bundled,
    /// None: the matcher and the frustration reader use words alone.
    Off,
    /// Another converted model file (`scripts/model/build`), e.g. the f32
    /// conversion for measuring what int8 costs.
    File(PathBuf),
}

impl FromStr for EncoderChoice {
    type Err = std::convert::Infallible;

    /// `bundled` (or `on`), `off`, or a path to a model file.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "" | "bundled" | "on" => EncoderChoice::Bundled,
            "off" | "none" => EncoderChoice::Off,
            path => EncoderChoice::File(path.into()),
        })
    }
}

impl<'de> serde::Deserialize<'de> for EncoderChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.parse().unwrap_or_default())
    }
}

impl EncoderChoice {
    /// Loads the chosen encoder: `Ok(None)` when off or when the binary was
    /// built without a model.
    pub fn load(&self) -> Result<Option<Arc<Encoder>>, EncoderError> {
        match self {
            EncoderChoice::Bundled => Ok(Encoder::bundled()),
            EncoderChoice::Off => Ok(None),
            EncoderChoice::File(path) => Encoder::open(path).map(|e| Some(Arc::new(e))),
        }
    }
}

/// Why a live message has no sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// No encoder runs (turned off, or not built in).
    Off,
    /// The encoder's queue was full: answered from the n-grams alone.
    Busy,
}

/// Counters for logs, `/metrics` and the benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncoderStats {
    /// Live messages the model encoded.
    pub encoded: u64,
    /// Live messages answered from the recent-texts cache.
    pub cached: u64,
    /// Live messages answered without the model because its queue was full.
    pub busy: u64,
}

/// The encoder and its caches; cheap to clone (shared). `Embedder::none()`
/// is the words-only setup.
#[derive(Clone, Default)]
pub struct Embedder {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    encoder: Arc<Encoder>,
    examples: ExampleCache,
    recent: RecentCache,
    worker_settings: WorkerSettings,
    /// Started on the first live message, so tools never start threads.
    worker: OnceLock<Worker>,
    encoded: AtomicU64,
    cached: AtomicU64,
    busy: AtomicU64,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("model", &self.model_id())
            .finish()
    }
}

impl Embedder {
    /// No encoder: words alone.
    pub fn none() -> Embedder {
        Embedder::default()
    }

    /// `encoder`, with example vectors cached in `cache_dir` (when given)
    /// and live messages served by a worker with `settings`.
    pub fn new(
        encoder: Arc<Encoder>,
        cache_dir: Option<&Path>,
        settings: WorkerSettings,
    ) -> Embedder {
        let examples = ExampleCache::new(cache_dir, encoder.id(), encoder.dimensions());
        Embedder {
            inner: Some(Arc::new(Inner {
                encoder,
                examples,
                recent: RecentCache::default(),
                worker_settings: settings,
                worker: OnceLock::new(),
                encoded: AtomicU64::new(0),
                cached: AtomicU64::new(0),
                busy: AtomicU64::new(0),
            })),
        }
    }

    /// The encoder `choice` names, with example vectors cached under
    /// `cache_dir` and a worker with `settings`; logs which model runs, or
    /// why none does. A model file that does not load is an error (the
    /// owner asked for it); a binary built without the model is not.
    pub fn from_settings(
        choice: &EncoderChoice,
        settings: WorkerSettings,
        cache_dir: Option<&Path>,
    ) -> Result<Embedder, EncoderError> {
        match choice.load()? {
            Some(encoder) => {
                tracing::info!(
                    model = encoder.id(),
                    threads = settings.threads,
                    "sentence encoder on"
                );
                Ok(Embedder::new(encoder, cache_dir, settings))
            }
            None if *choice == EncoderChoice::Off => {
                tracing::info!(
                    "sentence encoder off (encoder.model = \"off\"): the n-grams answer alone"
                );
                Ok(Embedder::none())
            }
            None => {
                tracing::warn!(
                    "this build has no sentence encoder (model/minilm-l6-v2.tnm was missing when it was built): the n-grams answer alone"
                );
                Ok(Embedder::none())
            }
        }
    }

    /// The encoder built into the binary (if any), no disk cache, default
    /// worker settings: what tests and one-off tools use.
    pub fn bundled() -> Embedder {
        match Encoder::bundled() {
            Some(encoder) => Embedder::new(encoder, None, WorkerSettings::default()),
            None => Embedder::none(),
        }
    }

    /// Whether an encoder runs.
    pub fn is_on(&self) -> bool {
        self.inner.is_some()
    }

    /// The running model's id (`all-MiniLM-L6-v2-int8-…`), if any.
    pub fn model_id(&self) -> Option<&str> {
        self.inner.as_ref().map(|i| i.encoder.id())
    }

    /// The model itself, for synchronous callers (tools, training).
    pub fn encoder(&self) -> Option<&Encoder> {
        self.inner.as_ref().map(|i| i.encoder.as_ref())
    }

    /// Vectors for the owner's examples, in order: from the cache where the
    /// same text was encoded before, the rest encoded here in batches
    /// (blocking: call from `spawn_blocking` or a tool). `progress` hears
    /// how many of the texts that needed encoding are done. `None` without
    /// an encoder.
    pub fn embed_examples(
        &self,
        texts: &[&str],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Option<Vec<Embedding>> {
        let inner = self.inner.as_ref()?;
        Some(inner.examples.embed_all(&inner.encoder, texts, progress))
    }

    /// Vectors for many texts, on every core, not cached (an evaluation's
    /// cases). `None` without an encoder.
    pub fn embed_many(
        &self,
        texts: &[&str],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Option<Vec<Embedding>> {
        let encoder = self.encoder()?;
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| encoder.token_ids(t)).collect();
        Some(cache::encode_parallel(encoder, &ids, progress))
    }

    /// Writes example vectors encoded since the last save to the disk
    /// cache (a no-op without one, or when nothing is new).
    pub fn save_examples(&self) -> std::io::Result<()> {
        match &self.inner {
            Some(inner) => inner.examples.save(),
            None => Ok(()),
        }
    }

    /// A live message's vector: from the recent-texts cache, or from the
    /// worker. Never waits for room: a full queue is [`Unavailable::Busy`].
    pub async fn embed_message(&self, text: &str) -> Result<Embedding, Unavailable> {
        let inner = self.inner.as_ref().ok_or(Unavailable::Off)?;
        let ids = inner.encoder.token_ids(text);
        let key = cache::key(&ids);
        if let Some(hit) = inner.recent.get(key) {
            inner.cached.fetch_add(1, Ordering::Relaxed);
            return Ok(hit);
        }
        let worker = inner
            .worker
            .get_or_init(|| Worker::start(inner.encoder.clone(), inner.worker_settings));
        match worker.embed(ids).await {
            Ok(vector) => {
                inner.encoded.fetch_add(1, Ordering::Relaxed);
                inner.recent.put(key, vector.clone());
                Ok(vector)
            }
            Err(unavailable) => {
                let busy = inner.busy.fetch_add(1, Ordering::Relaxed) + 1;
                crate::metrics::encoder_busy();
                // The first time, then every thousandth: enough to notice
                // without flooding the log when overload lasts.
                if busy == 1 || busy % 1000 == 0 {
                    tracing::warn!(
                        busy,
                        "the sentence encoder's queue is full: answering from the n-grams alone \
                         (more [encoder] threads, or a bigger queue, would help)"
                    );
                }
                Err(unavailable)
            }
        }
    }

    /// [`Embedder::embed_message`] on the calling thread (tools: `tandem
    /// chat`, `intents test`), with the same cache.
    pub fn embed_message_now(&self, text: &str) -> Result<Embedding, Unavailable> {
        let inner = self.inner.as_ref().ok_or(Unavailable::Off)?;
        let ids = inner.encoder.token_ids(text);
        let key = cache::key(&ids);
        if let Some(hit) = inner.recent.get(key) {
            return Ok(hit);
        }
        let vector = inner
            .encoder
            .embed_ids(&[ids])
            .pop()
            .ok_or(Unavailable::Off)?;
        inner.recent.put(key, vector.clone());
        Ok(vector)
    }

    /// The counters so far.
    pub fn stats(&self) -> EncoderStats {
        match &self.inner {
            None => EncoderStats::default(),
            Some(i) => EncoderStats {
                encoded: i.encoded.load(Ordering::Relaxed),
                cached: i.cached.load(Ordering::Relaxed),
                busy: i.busy.load(Ordering::Relaxed),
            },
        }
    }
}
