//! The content words of a visitor's line, for noticing the same question
//! asked again (`Mood::read`): lower-cased, without the little words every
//! question shares, compared as sets.

/// Words that carry the question: lower-cased, without the little words
/// every question shares, each once. Kept sorted in one buffer, so reading
/// a line allocates nothing once the buffers have grown, and two lines
/// compare in one merge.
#[derive(Debug, Default)]
pub(super) struct ContentWords {
    /// The words, lower-cased, one after another.
    text: String,
    /// Where each distinct word is in `text`, in sorted order of the words.
    spans: Vec<std::ops::Range<usize>>,
}

impl ContentWords {
    /// The content words of `text`.
    pub(super) fn of(text: &str) -> ContentWords {
        let mut words = ContentWords::default();
        words.read(text);
        words
    }

    /// Replaces the words with those of `text`.
    pub(super) fn read(&mut self, text: &str) {
        const LITTLE: &[&str] = &[
            "a", "an", "the", "i", "me", "my", "you", "your", "is", "are", "do", "does", "to",
            "of", "and", "or", "it", "in", "on", "for", "can", "please", "what", "how", "where",
            "when", "this", "that", "so", "again", "just", "still",
        ];
        self.text.clear();
        self.spans.clear();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            let start = self.text.len();
            if word.contains('\u{03A3}') {
                // Σ lower-cases by its place in the word (σ or ς): only
                // `str::to_lowercase` knows the rule.
                self.text.push_str(&word.to_lowercase());
            } else {
                self.text.extend(word.chars().flat_map(char::to_lowercase));
            }
            if LITTLE.contains(&&self.text[start..]) {
                self.text.truncate(start);
            } else {
                self.spans.push(start..self.text.len());
            }
        }
        let text = &self.text;
        self.spans
            .sort_unstable_by(|a, b| text[a.clone()].cmp(&text[b.clone()]));
        self.spans
            .dedup_by(|a, b| text[a.clone()] == text[b.clone()]);
    }

    /// How many distinct words there are.
    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Jaccard similarity of the two word sets: shared words over all words.
    pub(super) fn similarity(&self, other: &ContentWords) -> f32 {
        let (mut a, mut b) = (self.spans.iter().peekable(), other.spans.iter().peekable());
        let mut shared = 0usize;
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            match self.text[(*x).clone()].cmp(&other.text[(*y).clone()]) {
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    a.next();
                    b.next();
                }
            }
        }
        let union = self.len() + other.len() - shared;
        if union == 0 {
            return 0.0;
        }
        shared as f32 / union as f32
    }
}
