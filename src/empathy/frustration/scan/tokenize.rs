//! The tokenizer half of the scanner: bytes in, words, punctuation runs,
//! emoji and emoticons out.
//!
//! One table lookup per byte decides what a byte is; a word is lower-cased
//! straight into its slot of the scanner's ring of recent words, so nothing
//! is copied or allocated per word.

use super::super::emoji::{emoji_face, emoticon_at};
use super::super::lexicon::MAX_WORD;
use super::super::SignalKind;
use super::{Evidence, Scanner, Shape, CENSORED_VALENCE, RING};

impl<E: Evidence> Scanner<'_, E> {
    pub(super) fn run(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if CLASS[b as usize] & WORD != 0 || is_right_quote(bytes, i) {
                i = self.read_word(bytes, i);
                continue;
            }
            if b < 0x80 {
                i += self.punctuation(bytes, i);
            } else {
                // Decode one non-ASCII character. `i` is always on a char
                // boundary because we only ever step over whole characters.
                let c = text
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or(' ');
                let width = c.len_utf8();
                if let Some(face) = emoji_face(c) {
                    self.face(face, i, i + width);
                }
                // Other characters (accented or non-Latin letters, symbols)
                // belong to no word we know and simply separate words.
                self.last_punct = 0;
                i += width;
            }
        }
    }

    /// Reads the word starting at `bytes[start]`, scores it, and returns
    /// where it ends.
    fn read_word(&mut self, bytes: &[u8], start: usize) -> usize {
        // The word is written straight into its ring slot: no copy later.
        let slot = self.count % RING;
        // Zero-padded, so the buffer is the lookup key as it stands. Words
        // longer than MAX_WORD are skipped: no English feeling word is, URLs are.
        self.ring[slot].buf = [0; MAX_WORD];
        let mut len = 0usize;
        let mut too_long = false;
        let mut upper = 0u32;
        let mut lower = 0u32;
        let mut stretched = false;
        let mut apostrophe = false;
        let mut censored = false;
        let mut run = 0u32;
        let mut prev = 0u8;
        let mut i = start;
        while i < bytes.len() {
            let b = bytes[i];
            let class = CLASS[b as usize];
            if class & WORD == 0 {
                if is_right_quote(bytes, i) {
                    apostrophe = true;
                    i += 3;
                    continue;
                }
                if b == b'*'
                    && len > 0
                    && bytes
                        .get(i + 1)
                        .is_some_and(|&n| n == b'*' || n.is_ascii_alphabetic())
                {
                    // "f*ck", "sh**": a word censored by its writer is a swear word.
                    censored = true;
                    i += 1;
                    continue;
                }
                break;
            }
            i += 1;
            if class & APOSTROPHE != 0 {
                apostrophe = true;
                continue;
            }
            upper += u32::from(class & UPPER != 0);
            lower += u32::from(class & LOWER != 0);
            let c = b.to_ascii_lowercase();
            if c == prev {
                run += 1;
            } else {
                run = 1;
                prev = c;
            }
            if run >= 3 && class & DIGIT == 0 {
                // Keep at most two of a letter: "sooo" -> "soo".
                stretched = true;
            } else if len < MAX_WORD {
                self.ring[slot].buf[len] = c;
                len += 1;
            } else {
                too_long = true;
            }
        }
        if censored {
            self.add(
                SignalKind::Profanity,
                CENSORED_VALENCE * self.w.profanity,
                start,
                i,
            );
        } else if !too_long && len > 0 {
            let shape = Shape {
                caps: upper >= 3 && lower == 0,
                upper,
                stretched,
                apostrophe,
            };
            self.word(len, start, i, shape);
        }
        i
    }

    /// Handles the ASCII punctuation or space at `bytes[i]`; returns how many bytes it used.
    fn punctuation(&mut self, bytes: &[u8], i: usize) -> usize {
        let b = bytes[i];
        let face = match b {
            b':' | b';' | b'=' | b'>' | b'<' | b'-' => emoticon_at(bytes, i),
            _ => None,
        };
        if let Some((face, len)) = face {
            self.face(face, i, i + len);
            self.last_punct = 0;
            return len;
        }
        match b {
            b'!' | b'?' => {
                if b == b'!' {
                    self.exclamations += 1;
                }
                if self.last_punct == b'!' || self.last_punct == b'?' {
                    self.punct_run += 1;
                    if self.punct_run == 1 {
                        // The second mark of a run: "!!", "??", "?!".
                        self.add(SignalKind::Emphasis, self.w.punct_run, i - 1, i + 1);
                    }
                } else {
                    self.punct_run = 0;
                }
                self.last_punct = b;
                self.end_clause();
            }
            b'.' | b',' | b';' | b':' | b'(' | b')' | b'"' => {
                self.last_punct = b;
                self.punct_run = 0;
                self.end_clause();
            }
            b'/' if bytes.get(i + 1) == Some(&b's')
                && !bytes.get(i + 2).is_some_and(|c| c.is_ascii_alphanumeric())
                && (i == 0 || bytes[i - 1] == b' ') =>
            {
                // Reddit's "/s": the writer marks their own sarcasm.
                self.add(SignalKind::Sarcasm, self.w.sarcasm, i, i + 2);
                self.last_punct = 0;
                return 2;
            }
            _ => {
                if !b.is_ascii_whitespace() {
                    self.last_punct = 0;
                }
            }
        }
        1
    }
}

/// Byte classes for the tokenizer: one table lookup per byte.
const WORD: u8 = 1;
const UPPER: u8 = 2;
const LOWER: u8 = 4;
const DIGIT: u8 = 8;
const APOSTROPHE: u8 = 16;

const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_uppercase() {
            WORD | UPPER
        } else if c.is_ascii_lowercase() {
            WORD | LOWER
        } else if c.is_ascii_digit() {
            WORD | DIGIT
        } else if c == b'\'' {
            WORD | APOSTROPHE
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Whether `bytes[i..]` starts with ’ (U+2019), which people type as an apostrophe.
fn is_right_quote(bytes: &[u8], i: usize) -> bool {
    bytes[i] == 0xE2 && bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0x99)
}
