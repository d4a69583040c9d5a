//! BERT's uncased WordPiece tokenizer, reading text exactly as the model
//! saw it in training (Hugging Face's `BertNormalizer`,
//! `BertPreTokenizer` and `WordPiece` with this model's settings):
//!
//! 1. **Clean**: drop NUL, U+FFFD and other control/format characters
//!    (general category C*, except tab and newlines); every whitespace
//!    character becomes a space; CJK ideographs get a space either side, so
//!    each is a word.
//! 2. **Fold**: NFD, drop non-spacing marks (accents), lower-case.
//! 3. **Split** on whitespace, and around every punctuation character
//!    (ASCII punctuation or general category P*), each its own word.
//! 4. **Pieces**: each word, longest vocabulary match first, continuing
//!    pieces prefixed `##`; a word that cannot be covered, or is longer than
//!    `max_input_chars_per_word`, is one `[UNK]`.
//!
//! The result is framed `[CLS] … [SEP]` and cut to `max_tokens` (128 for
//! this model: what it was trained on, and support questions are stated
//! early). `tests/reference.json` holds Hugging Face's ids
//! for awkward texts; the unit tests check every one.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

use super::EncoderError;

/// A text's word-piece ids, `[CLS]` first and `[SEP]` last.
pub type TokenIds = Vec<u32>;

/// The vocabulary and the rules to split text into its pieces.
#[derive(Debug)]
pub struct WordPiece {
    /// Piece → id; continuing pieces are stored with their `##`.
    vocab: HashMap<Box<str>, u32>,
    unk: u32,
    cls: u32,
    sep: u32,
    /// Longer words are one `[UNK]`.
    max_chars: usize,
    /// Most ids per text, `[CLS]` and `[SEP]` included.
    max_tokens: usize,
}

impl WordPiece {
    /// Builds the tokenizer from the vocabulary in id order.
    pub fn new(
        vocab: &[String],
        max_chars: usize,
        max_tokens: usize,
    ) -> Result<WordPiece, EncoderError> {
        let vocab: HashMap<Box<str>, u32> = vocab
            .iter()
            .enumerate()
            .map(|(i, piece)| (piece.as_str().into(), i as u32))
            .collect();
        let special = |name: &str| {
            vocab
                .get(name)
                .copied()
                .ok_or_else(|| EncoderError::MissingToken(name.to_owned()))
        };
        Ok(WordPiece {
            unk: special("[UNK]")?,
            cls: special("[CLS]")?,
            sep: special("[SEP]")?,
            vocab,
            max_chars,
            max_tokens: max_tokens.max(2),
        })
    }

    /// The ids of `text`, framed and cut to the model's length.
    pub fn encode(&self, text: &str) -> TokenIds {
        let room = self.max_tokens - 2;
        let mut ids = Vec::with_capacity(16);
        ids.push(self.cls);
        let folded = fold(text);
        let mut piece = String::new();
        'words: for word in words(&folded) {
            for id in self.pieces(word, &mut piece) {
                if ids.len() > room {
                    break 'words;
                }
                ids.push(id);
            }
        }
        ids.push(self.sep);
        ids
    }

    /// The pieces of one word: longest match first, then `##` continuations.
    fn pieces(&self, word: &str, piece: &mut String) -> Vec<u32> {
        if word.chars().count() > self.max_chars {
            return vec![self.unk];
        }
        let mut out = Vec::new();
        let mut start = 0;
        while start < word.len() {
            // Char boundaries from the end: the longest candidate first.
            let found = word[start..]
                .char_indices()
                .map(|(i, c)| start + i + c.len_utf8())
                .rev()
                .find_map(|end| {
                    piece.clear();
                    if start > 0 {
                        piece.push_str("##");
                    }
                    piece.push_str(&word[start..end]);
                    self.vocab.get(piece.as_str()).map(|&id| (id, end))
                });
            match found {
                Some((id, end)) => {
                    out.push(id);
                    start = end;
                }
                None => return vec![self.unk],
            }
        }
        out
    }
}

/// Steps 1 and 2: clean, isolate CJK ideographs, strip accents, lower-case.
fn fold(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_cjk(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    cleaned
        .nfd()
        .filter(|&c| c.general_category() != GeneralCategory::NonspacingMark)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Step 3: words split on whitespace, punctuation characters on their own.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(char::is_whitespace).flat_map(|chunk| {
        let mut parts = Vec::new();
        let mut start = 0;
        for (i, c) in chunk.char_indices() {
            if is_punctuation(c) {
                if start < i {
                    parts.push(&chunk[start..i]);
                }
                parts.push(&chunk[i..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        if start < chunk.len() {
            parts.push(&chunk[start..]);
        }
        parts
    })
}

/// Tab and newlines are whitespace to BERT, not control characters.
fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// General category C* (control, format, unassigned, private use,
/// surrogate), except tab and newlines.
fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.general_category_group() == GeneralCategoryGroup::Other
}

/// ASCII punctuation (which includes `$`, `+`, `^` …) or category P*.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.general_category_group() == GeneralCategoryGroup::Punctuation
}

/// The CJK Unified Ideographs blocks BERT treats as one word each.
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer(max_tokens: usize) -> WordPiece {
        let vocab = [
            "[UNK]", "[CLS]", "[SEP]", "where", "is", "my", "order", "?", "re", "##fund", "##s",
            "cafe",
        ]
        .map(String::from);
        WordPiece::new(&vocab, 100, max_tokens).unwrap()
    }

    #[test]
    fn a_question_is_framed_and_punctuation_is_its_own_piece() {
        assert_eq!(
            tokenizer(128).encode("Where is my order?"),
            [1, 3, 4, 5, 6, 7, 2]
        );
    }

    #[test]
    fn words_split_into_continuing_pieces_and_unknown_words_are_one_unk() {
        let wp = tokenizer(128);
        assert_eq!(wp.encode("REFUNDS"), [1, 8, 9, 10, 2]);
        assert_eq!(wp.encode("refundx café"), [1, 0, 11, 2]);
    }

    #[test]
    fn long_texts_are_cut_but_keep_their_frame() {
        assert_eq!(
            tokenizer(6).encode("where where where where where where"),
            [1, 3, 3, 3, 3, 2]
        );
    }

    #[test]
    fn control_characters_vanish_and_odd_whitespace_separates() {
        assert_eq!(fold("a\u{7}b\u{200b}c\u{a0}d\te"), "abc d e");
        let folded = fold("¿Qué? ok");
        assert_eq!(words(&folded).collect::<Vec<_>>(), ["¿", "que", "?", "ok"]);
    }
}
