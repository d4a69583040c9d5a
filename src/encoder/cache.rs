//! Vectors already computed, so the encoder never runs twice on the same
//! text.
//!
//! Both caches are keyed by a hash of the text's word-piece ids, not the
//! text: the model reads "Where is my order?" and "where is my order ?" as
//! the same pieces, so they share one entry. The hash is 64-bit FNV-1a; with
//! a model's worth of examples (tens of thousands) a collision is about a
//! one-in-a-billion event.
//!
//! - [`ExampleCache`]: the owner's examples, in memory and in one file per
//!   model in the data directory (`encoder-cache/<model id>.vectors`), so a
//!   restart or a reload re-encodes only the examples that changed.
//!   Vectors are stored exactly (f32), so training gives the same model
//!   whether a vector was cached or not.
//! - [`RecentCache`]: live messages, in memory: two generations of at most
//!   [`RECENT_PER_GENERATION`] entries, a cheap approximation of
//!   least-recently-used.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{Embedding, Encoder};

/// Texts encoded at once when filling the example cache.
const BATCH: usize = 32;
/// Live texts remembered per generation.
pub const RECENT_PER_GENERATION: usize = 2048;
/// The disk file keeps at most this many vectors: the current examples
/// always, older ones while there is room.
const MAX_SAVED: usize = 50_000;
const MAGIC: &[u8; 8] = b"TNDMVEC1";

/// The cache key of a text's word-piece ids.
pub fn key(ids: &[u32]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for byte in id.to_le_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The owner's example vectors.
pub struct ExampleCache {
    /// `None`: memory only (tests, tools without a data directory).
    path: Option<PathBuf>,
    dims: usize,
    state: Mutex<ExampleState>,
}

#[derive(Default)]
struct ExampleState {
    /// Whether the file has been read yet (lazily, on first use).
    loaded: bool,
    vectors: HashMap<u64, Embedding>,
    /// Keys the last [`ExampleCache::embed_all`] used: always saved.
    current: Vec<u64>,
    /// Something changed since the last save.
    dirty: bool,
}

impl ExampleCache {
    /// A cache for `model_id`'s vectors, on disk under `dir` when given.
    pub fn new(dir: Option<&Path>, model_id: &str, dims: usize) -> ExampleCache {
        let safe: String = model_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        ExampleCache {
            path: dir.map(|d| d.join("encoder-cache").join(format!("{safe}.vectors"))),
            dims,
            state: Mutex::new(ExampleState::default()),
        }
    }

    /// Vectors for `texts`, encoding the ones not cached in batches.
    /// `progress(done, to_encode)` is called after each batch.
    pub fn embed_all(
        &self,
        encoder: &Encoder,
        texts: &[&str],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Vec<Embedding> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| encoder.token_ids(t)).collect();
        let keys: Vec<u64> = ids.iter().map(|i| key(i)).collect();
        let missing: Vec<usize> = {
            let mut state = self.lock();
            self.load_once(&mut state);
            let mut seen = std::collections::HashSet::new();
            (0..texts.len())
                .filter(|&i| !state.vectors.contains_key(&keys[i]) && seen.insert(keys[i]))
                .collect()
        };
        // Encode outside the lock: this is the slow part.
        let batch: Vec<Vec<u32>> = missing.iter().map(|&i| ids[i].clone()).collect();
        let fresh: Vec<(u64, Embedding)> = missing
            .iter()
            .map(|&i| keys[i])
            .zip(encode_parallel(encoder, &batch, progress))
            .collect();
        let mut state = self.lock();
        state.dirty |= !fresh.is_empty() || state.current != keys;
        state.vectors.extend(fresh);
        state.current = keys.clone();
        keys.iter()
            .map(|k| {
                state
                    .vectors
                    .get(k)
                    .cloned()
                    // Every key was either cached or just encoded.
                    .unwrap_or_else(|| Embedding::from_unit(vec![0.0; self.dims]))
            })
            .collect()
    }

    /// Writes the cache file (atomically: a temporary file, then a rename).
    pub fn save(&self) -> io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut state = self.lock();
        if !state.dirty {
            return Ok(());
        }
        // The current examples first, then older vectors while there is room.
        let current: std::collections::HashSet<u64> = state.current.iter().copied().collect();
        let mut keys: Vec<u64> = state.current.clone();
        keys.sort_unstable();
        keys.dedup();
        let room = MAX_SAVED.saturating_sub(keys.len());
        keys.extend(
            state
                .vectors
                .keys()
                .filter(|k| !current.contains(k))
                .take(room),
        );
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("tmp");
        let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
        out.write_all(MAGIC)?;
        out.write_all(&(self.dims as u32).to_le_bytes())?;
        for k in &keys {
            if let Some(v) = state.vectors.get(k) {
                out.write_all(&k.to_le_bytes())?;
                for f in v.as_slice() {
                    out.write_all(&f.to_le_bytes())?;
                }
            }
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)?;
        state.dirty = false;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ExampleState> {
        // A panic while holding this lock leaves a cache that is at worst
        // missing entries: keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the file once. A missing, foreign or damaged file is an empty
    /// cache (logged): the vectors are simply computed again.
    fn load_once(&self, state: &mut ExampleState) {
        if state.loaded {
            return;
        }
        state.loaded = true;
        let Some(path) = &self.path else { return };
        match read_file(path, self.dims) {
            Ok(vectors) => state.vectors = vectors,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring the example-vector cache")
            }
        }
    }
}

/// Vectors for many texts' ids, on every core (a first load of thousands
/// of examples, an evaluation): callers are tools or `spawn_blocking`, never
/// the async runtime. `progress(done, total)` after each batch.
pub fn encode_parallel(
    encoder: &Encoder,
    ids: &[Vec<u32>],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Embedding> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = ids.len().div_ceil(threads).max(BATCH);
    std::thread::scope(|scope| {
        let workers: Vec<_> = ids
            .chunks(share)
            .map(|part| {
                let done = &done;
                scope.spawn(move || {
                    let mut out = Vec::with_capacity(part.len());
                    for chunk in part.chunks(BATCH) {
                        out.extend(encoder.embed_ids(chunk));
                        let now = done.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed);
                        progress(now + chunk.len(), ids.len());
                    }
                    out
                })
            })
            .collect();
        let dims = encoder.dimensions();
        workers
            .into_iter()
            .zip(ids.chunks(share))
            .flat_map(|(w, part)| {
                // A worker that panicked leaves its texts with zero vectors:
                // the set still loads, those examples count for nothing.
                w.join()
                    .unwrap_or_else(|_| vec![Embedding::from_unit(vec![0.0; dims]); part.len()])
            })
            .collect()
    })
}

fn read_file(path: &Path, dims: usize) -> io::Result<HashMap<u64, Embedding>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| bad("not a vector cache"))?;
    let (head, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| bad("truncated"))?;
    if u32::from_le_bytes(*head) as usize != dims {
        return Err(bad("vectors of another width"));
    }
    let entry = 8 + 4 * dims;
    if rest.len() % entry != 0 {
        return Err(bad("truncated"));
    }
    Ok(rest
        .chunks_exact(entry)
        .map(|e| {
            let (k, v) = e.split_at(8);
            let mut key = [0u8; 8];
            key.copy_from_slice(k);
            let values = v
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            (u64::from_le_bytes(key), Embedding::from_unit(values))
        })
        .collect())
}

/// Recently seen live texts: two generations; a lookup that hits the old
/// one moves the entry to the new one; when the new one is full, the old
/// one is dropped.
#[derive(Default)]
pub struct RecentCache {
    generations: Mutex<(HashMap<u64, Embedding>, HashMap<u64, Embedding>)>,
}

impl RecentCache {
    /// The cached vector for `key`, if any.
    pub fn get(&self, key: u64) -> Option<Embedding> {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = g.0.get(&key) {
            return Some(v.clone());
        }
        let v = g.1.remove(&key)?;
        Self::insert(&mut g, key, v.clone());
        Some(v)
    }

    /// Remembers `vector` for `key`.
    pub fn put(&self, key: u64, vector: Embedding) {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        Self::insert(&mut g, key, vector);
    }

    fn insert(
        g: &mut (HashMap<u64, Embedding>, HashMap<u64, Embedding>),
        key: u64,
        vector: Embedding,
    ) {
        if g.0.len() >= RECENT_PER_GENERATION {
            g.1 = std::mem::take(&mut g.0);
        }
        g.0.insert(key, vector);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoder() -> std::sync::Arc<Encoder> {
        Encoder::bundled().expect("the repository ships the model")
    }

    #[test]
    fn a_second_load_reads_every_example_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let encoder = encoder();
        let texts = ["where is my order", "WHERE is my  order", "refund please"];
        let first = ExampleCache::new(Some(dir.path()), encoder.id(), encoder.dimensions());
        let encoded = std::sync::atomic::AtomicUsize::new(0);
        let count = |_, total| encoded.store(total, std::sync::atomic::Ordering::Relaxed);
        let a = first.embed_all(&encoder, &texts, &count);
        assert_eq!(
            encoded.into_inner(),
            2,
            "nothing cached yet: two distinct texts"
        );
        first.save().unwrap();

        let second = ExampleCache::new(Some(dir.path()), encoder.id(), encoder.dimensions());
        let encoded = std::sync::atomic::AtomicUsize::new(0);
        let count = |_, total| encoded.store(total, std::sync::atomic::Ordering::Relaxed);
        let b = second.embed_all(&encoder, &texts, &count);
        assert_eq!(encoded.into_inner(), 0, "all of them came from the file");
        assert_eq!(a, b, "cached vectors are exact");
    }

    #[test]
    fn a_damaged_cache_file_is_ignored_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let encoder = encoder();
        let cache = ExampleCache::new(Some(dir.path()), encoder.id(), encoder.dimensions());
        let path = cache.path.clone().unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"TNDMVEC1\x80\x01\x00\x00garbage").unwrap();
        let v = cache.embed_all(&encoder, &["hello"], &|_, _| {});
        assert_eq!(v.len(), 1);
        cache.save().unwrap();
        assert!(read_file(&path, encoder.dimensions()).unwrap().len() == 1);
    }

    #[test]
    fn the_recent_cache_forgets_the_oldest_generation() {
        let cache = RecentCache::default();
        let v = Embedding::from_unit(vec![1.0]);
        cache.put(0, v.clone());
        for k in 1..=RECENT_PER_GENERATION as u64 * 2 {
            cache.put(k, v.clone());
        }
        assert!(cache.get(0).is_none());
        assert!(cache.get(RECENT_PER_GENERATION as u64 * 2).is_some());
    }
}
