//! The classifier's hyper-parameters: [`Config`], its defaults (chosen on
//! the CLINC150 validation split) and their adjustment to small training sets.

/// Hyper-parameters of [`Classifier::train_with`](super::Classifier::train_with).
/// [`Config::default`] holds the values chosen on the CLINC150 validation
/// split.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Passes over the training data.
    pub epochs: usize,
    /// PA-I aggressiveness `C`: the largest step one example may take.
    pub aggressiveness: f32,
    /// Margin by which the true label must beat every other label before an
    /// example stops causing updates.
    pub margin: f32,
    /// Softmax temperature turning scores into confidences.
    pub temperature: f32,
    /// Scale of word unigram features.
    pub word_weight: f32,
    /// Scale of word bigram and skip-bigram features.
    pub bigram_weight: f32,
    /// Scale of character n-gram features.
    pub char_weight: f32,
    /// Shortest character n-gram, in characters (boundary markers included).
    pub char_min: usize,
    /// Longest character n-gram, in characters.
    pub char_max: usize,
    /// Also use word pairs with one word between them (`"cancel _ card"`).
    pub skip_bigrams: bool,
    /// Features seen in fewer training examples than this get no weights
    /// (they count as unseen): a smaller, faster model for almost no accuracy.
    pub min_doc_freq: u32,
    /// How much a feature never seen in training weighs in the vector's
    /// length, relative to the rarest seen feature. Higher values lower the
    /// confidence on unfamiliar text faster.
    pub unseen_weight: f32,
    /// Scale of the stemmed-word features (0 = off): `cards`, `carded` and
    /// `card` share the stem feature `card`.
    pub stem_weight: f32,
    /// Probability of dropping each feature of an example each time training
    /// visits it (the kept ones are rescaled to the example's full length).
    pub dropout: f32,
    /// First epoch whose weights are averaged into the final model (the
    /// first pass is mostly noise).
    pub average_from: usize,
    /// Seed of the training order.
    pub seed: u64,
}

/// Below this many examples, every feature counts (see [`Config::for_size`]).
pub const SMALL_SET: usize = 2000;

impl Config {
    /// The defaults, adjusted to the size of the training set. Dropping
    /// features seen in a single example trims a CLINC-sized model (15,000
    /// examples) for almost no accuracy; but an owner's set of a dozen
    /// examples per intent has most of its words in one example only, and
    /// dropping them would make the bot fail its own examples ("good
    /// morning" when that is one).
    pub fn for_size(examples: usize) -> Config {
        let mut config = Config::default();
        if examples < SMALL_SET {
            config.min_doc_freq = 1;
        }
        config
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            epochs: 7,
            aggressiveness: 1.0,
            margin: 1.0,
            temperature: 0.1,
            word_weight: 1.0,
            bigram_weight: 1.0,
            char_weight: 1.0,
            char_min: 2,
            char_max: 4,
            skip_bigrams: true,
            min_doc_freq: 2,
            unseen_weight: 2.0,
            stem_weight: 1.0,
            dropout: 0.3,
            average_from: 1,
            seed: 0x5EED_1A7E_C0FF_EE01,
        }
    }
}
