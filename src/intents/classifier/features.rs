//! What the classifier reads: text normalised (lowercase, accents folded,
//! apostrophes dropped), its words and light stems, and every word's hashed
//! unigram, stem, bigrams and character n-grams with their weighted term
//! frequencies. Also the FNV-1a hashing those features use, the `Hasher`
//! for tables keyed by such hashes, and the per-thread scratch buffers that
//! let a warm classification allocate nothing.

use std::cell::RefCell;
use std::hash::Hasher;
use std::thread::LocalKey;

use super::{Config, MAX_INPUT_BYTES, MAX_TOKENS};

/// Longer "words" (pasted hashes, run-together URLs) give only their first
/// this-many characters to character n-grams.
const MAX_WORD_CHARS: usize = 24;

/// Normalises text the way the classifier sees it: lowercase, accents folded
/// (`é` -> `e`, `ß` -> `ss`), apostrophes removed so `don't` == `dont`, any
/// other non-alphanumeric character a single space. Reads at most
/// [`MAX_INPUT_BYTES`] bytes of `text`.
pub fn normalise(text: &str) -> String {
    let mut out = String::new();
    normalise_into(text, &mut out);
    out
}

/// The words the classifier sees (after [`normalise`]), at most [`MAX_TOKENS`].
pub fn tokens(text: &str) -> Vec<String> {
    normalise(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(MAX_TOKENS)
        .map(String::from)
        .collect()
}

/// [`normalise`] into `out` (cleared first), reusing its allocation.
pub(crate) fn normalise_into(text: &str, out: &mut String) {
    out.clear();
    let mut cut = text.len().min(MAX_INPUT_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut last_space = true;
    let mut push = |out: &mut String, c: char| {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            last_space = false;
        } else if c.is_ascii() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else if let Some(folded) = fold_accent(c) {
            out.push_str(folded);
            last_space = false;
        } else if c.is_alphanumeric() {
            out.push(c);
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    };
    for c in text[..cut].chars() {
        if matches!(
            c,
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}'
        ) {
            continue;
        }
        if c.is_ascii() {
            push(out, c);
        } else {
            for lower in c.to_lowercase() {
                push(out, lower);
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
}

/// Plain-ASCII spelling of common accented Latin letters (already lowercase).
fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

/// Feature families. Mixed into the hash so that the word `"ab"` and the
/// character n-gram `"ab"` are different features, and kept in the hash's
/// low bits to pick the family's weight.
const WORD: u64 = 1;
const BIGRAM: u64 = 2;
const CHARS: u64 = 3;
const STEM: u64 = 4;
const FAMILY_MASK: u64 = 7;

/// Light English suffix stripping (`cards` -> `card`, `charged` -> `charg`,
/// `charging` -> `charg`), so inflections share one feature.
pub(super) fn stem(word: &str) -> &str {
    let n = word.len();
    if !word.is_ascii() || n <= 3 {
        return word;
    }
    for (suffix, min_rest) in [("ing", 3), ("ed", 3), ("es", 3), ("s", 3)] {
        if let Some(rest) = word.strip_suffix(suffix) {
            if rest.len() >= min_rest && !(suffix == "s" && rest.ends_with('s')) {
                return rest;
            }
        }
    }
    word
}

/// Per-thread buffers reused by every classification on that thread.
#[derive(Default)]
pub(super) struct Scratch {
    /// Normalised text.
    normalised: String,
    /// Feature hashes in order of appearance, repeats included.
    hashes: Vec<u64>,
    /// Open-addressing (hash, count) table used to count repeats; all zero between uses.
    table: Vec<(u64, u32)>,
    /// `(hash, scaled sublinear tf)` of each distinct feature: the output.
    pub(super) features: Vec<(u64, f32)>,
    /// Byte offsets of the characters of the current `"<word>"`.
    bounds: Vec<usize>,
    /// The current `"<word>"`.
    padded: Vec<u8>,
    /// Label scores of the current classification.
    pub(super) scores: Vec<f32>,
    /// `(row, tf-idf value)` of the features that have a row.
    pub(super) known: Vec<(u32, f32)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch buffers (see [`with_local`]).
pub(super) fn with_scratch<R>(f: impl FnMut(&mut Scratch) -> R) -> R {
    with_local(&SCRATCH, f)
}

/// Runs `f` with this thread's value of `key` (per-thread buffers reused
/// from message to message), or a fresh one when it is busy or gone (a
/// re-entrant call, the thread shutting down): never panics.
pub(crate) fn with_local<T: Default + 'static, R>(
    key: &'static LocalKey<RefCell<T>>,
    mut f: impl FnMut(&mut T) -> R,
) -> R {
    key.try_with(|cell| cell.try_borrow_mut().ok().map(|mut value| f(&mut value)))
        .ok()
        .flatten()
        .unwrap_or_else(|| f(&mut T::default()))
}

/// Fills `scratch.features` with one `(hash, scaled sublinear tf)` pair per
/// distinct feature of `text`.
pub(super) fn hashed_features(text: &str, config: &Config, scratch: &mut Scratch) {
    let Scratch {
        normalised,
        hashes,
        table,
        features,
        bounds,
        padded,
        ..
    } = scratch;
    normalise_into(text, normalised);
    hashes.clear();
    features.clear();
    let mut previous: Option<&str> = None;
    let mut before_previous: Option<&str> = None;
    for word in normalised
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(MAX_TOKENS)
    {
        hashes.push(fnv(WORD, &[word.as_bytes()]));
        if config.stem_weight > 0.0 {
            hashes.push(fnv(STEM, &[stem(word).as_bytes()]));
        }
        if let Some(prev) = previous {
            hashes.push(fnv(BIGRAM, &[prev.as_bytes(), b" ", word.as_bytes()]));
        }
        if let (true, Some(prev)) = (config.skip_bigrams, before_previous) {
            hashes.push(fnv(BIGRAM, &[prev.as_bytes(), b" _ ", word.as_bytes()]));
        }
        before_previous = previous;
        previous = Some(word);

        // Character n-grams of "<word>", on character boundaries, each hash
        // extended one character at a time from its start.
        padded.clear();
        bounds.clear();
        padded.push(b'<');
        bounds.push(0);
        for (n, (i, c)) in word.char_indices().enumerate() {
            if n == MAX_WORD_CHARS {
                break;
            }
            bounds.push(padded.len());
            padded.extend_from_slice(&word.as_bytes()[i..i + c.len_utf8()]);
        }
        bounds.push(padded.len());
        padded.push(b'>');
        bounds.push(padded.len());
        let n_chars = bounds.len() - 1;
        for start in 0..n_chars {
            let mut hash = fnv_start(CHARS);
            for len in 1..=config.char_max.min(n_chars - start) {
                hash = fnv_feed(hash, &padded[bounds[start + len - 1]..bounds[start + len]]);
                if len >= config.char_min {
                    hashes.push(fnv_finish(hash, CHARS));
                }
            }
        }
    }

    // Count repeats in an open-addressing table at most half full, then
    // clear only the slots used (cheaper than sorting, and no allocation).
    let slots = (hashes.len() * 2).next_power_of_two().max(64);
    if table.len() < slots {
        table.clear();
        table.resize(slots, (0, 0));
    }
    let mask = slots - 1;
    for &hash in hashes.iter() {
        // Hashes are never 0: the family in the low bits is never 0.
        let mut i = (hash >> 20) as usize & mask;
        loop {
            let slot = &mut table[i];
            if slot.0 == hash {
                slot.1 += 1;
                break;
            }
            if slot.0 == 0 {
                *slot = (hash, 1);
                features.push((hash, 0.0));
                break;
            }
            i = (i + 1) & mask;
        }
    }
    for feature in features.iter_mut() {
        let mut i = (feature.0 >> 20) as usize & mask;
        while table[i].0 != feature.0 {
            i = (i + 1) & mask;
        }
        let count = std::mem::take(&mut table[i]).1;
        let scale = match feature.0 & FAMILY_MASK {
            WORD => config.word_weight,
            CHARS => config.char_weight,
            STEM => config.stem_weight,
            _ => config.bigram_weight,
        };
        let tf = if count == 1 {
            1.0
        } else {
            1.0 + (count as f32).ln()
        };
        feature.1 = scale * tf;
    }
}

/// 64-bit FNV-1a over the concatenated parts, seeded by the feature family.
/// Stable across platforms and Rust versions (unlike `DefaultHasher`), so a
/// model's hashes never change meaning.
pub(crate) fn fnv(family: u64, parts: &[&[u8]]) -> u64 {
    let hash = parts
        .iter()
        .fold(fnv_start(family), |hash, part| fnv_feed(hash, part));
    fnv_finish(hash, family)
}

fn fnv_start(family: u64) -> u64 {
    (0xcbf2_9ce4_8422_2325u64 ^ family).wrapping_mul(0x0000_0100_0000_01b3)
}

fn fnv_feed(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Final avalanche (so every bit depends on every byte), with the family
/// written into the low bits.
fn fnv_finish(mut hash: u64, family: u64) -> u64 {
    hash ^= hash >> 29;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 32;
    (hash & !FAMILY_MASK) | family
}

/// `Hasher` for keys that are already well-mixed hashes: one multiply spreads
/// the family bits kept in their low bits (hashbrown picks buckets with the
/// low bits), far cheaper than SipHash.
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
