//! The hand-written word and phrase lists the scorer reads.
//!
//! Every entry here was written from general knowledge of English (in the
//! spirit of VADER and AFINN valences), not mined from any data set. Valences
//! run from -4 (furious) to +4 (delighted); only their sign and rough size
//! matter, because the scorer multiplies them by a few global weights.
//!
//! Words are stored the way the tokenizer normalises them: lower case, with
//! apostrophes removed ("don't" is `dont`) and letter runs longer than two
//! squeezed ("sooo" is looked up as `soo`, then `so`).

/// How a word feels, grouped by the emotion it carries.
///
/// The groups matter because frustration is not the same as unhappiness: a
/// sad or frightened visitor is not necessarily an angry one, so sadness and
/// fear count for much less than anger or disapproval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tone {
    /// Anger, hatred, disgust: "hate", "furious", "disgusting".
    Anger,
    /// Annoyance: "annoying", "ugh", "sick of".
    Annoyance,
    /// Disappointment: "disappointed", "waste", "useless".
    Disappointment,
    /// Disapproval and judgement: "wrong", "unfair", "nonsense".
    Disapproval,
    /// Sadness and grief; counts only a little towards frustration.
    Sadness,
    /// Fear and worry; counts only a little towards frustration.
    Fear,
    /// Name-calling: "idiot", "moron", "clown".
    Insult,
    /// Swearing: "fuck", "crap", "wtf". Also boosts the next word.
    Profanity,
    /// Something going wrong: "late", "missing", "error".
    Problem,
    /// Pleasure, thanks, praise, laughter.
    Positive,
}

/// A tone list: every word in it shares one tone and valence.
pub(super) type ToneList = (Tone, f32, &'static [&'static str]);

/// Feeling words, strongest first within each tone.
#[rustfmt::skip]
pub(super) const FEELINGS: &[ToneList] = &[
    (
        Tone::Anger,
        -3.2,
        &[
            "hate", "hated", "hates", "hating", "hatred", "furious", "livid", "pissed",
            "enraged", "outraged", "outrage", "outrageous", "infuriating", "infuriated",
            "disgusting", "disgusted", "disgust", "disgusts", "gross", "vile", "revolting",
            "repulsive", "despise", "despised", "despicable", "loathe", "loathsome",
            "abhorrent", "appalling", "appalled", "sickening", "nauseating", "horrible",
            "horrid", "horrendous", "atrocious", "awful", "terrible", "terribly", "worst",
            "pathetic", "unacceptable", "inexcusable", "unbelievable", "ridiculous",
            "ridiculously", "absurd", "insane", "shameful", "shameless", "disgrace",
            "disgraceful", "contempt", "angry", "angrier", "anger", "mad", "rage",
            "raging", "fuming", "seething", "hateful", "evil", "toxic", "cruel", "scumbag",
            "scum", "abusive", "abuse", "creepy", "nasty", "sick", "racist", "racism",
            "sexist", "sexism", "bigot", "bigoted", "bigotry", "misogynist", "misogyny",
            "homophobic", "nazi", "nazis", "fascist", "bitter", "resent", "resentment",
            "hostile", "hostility", "irate", "incensed", "indignant", "spiteful",
            "vindictive", "barbaric", "inhumane", "monster", "monstrous", "vicious",
            "wicked", "hideous", "filthy", "foul", "repugnant", "odious", "detest",
            "detestable", "abomination", "obscene", "godawful", "dreadful", "grotesque",
            "heinous", "egregious", "unforgivable", "disgustingly", "furiously", "angrily",
            "hatred",
        ],
    ),
    (
        Tone::Annoyance,
        -2.4,
        &[
            "annoying", "annoyed", "annoys", "annoy", "annoyance", "irritating",
            "irritated", "irritates", "frustrating", "frustrated", "frustration",
            "aggravating", "aggravated", "infuriate", "ugh", "ughh", "argh", "arg", "grr",
            "grrr", "smh", "bothered", "bothering", "bother", "tedious", "tiresome",
            "exhausting", "obnoxious", "unbearable", "intolerable", "cringe", "cringy",
            "cringey", "cringeworthy", "sucks", "suck", "sucked", "sucky", "lame",
            "boring", "bored", "irrelevant", "whining", "whiny", "whine", "complain",
            "complaining", "complained", "complaint", "complaints", "nagging", "spam",
            "spamming", "meh", "tired", "enough", "hassle", "nuisance", "ffs", "eww", "ew",
            "yuck", "yikes", "blah", "jeez", "geez", "sheesh", "duh", "facepalm", "sigh",
            "irks", "irked", "peeved", "grumpy", "cranky", "impatient", "tiring", "mess",
            "messy", "rant", "upset", "ugh",
        ],
    ),
    (
        Tone::Disappointment,
        -2.4,
        &[
            "disappointed", "disappointing", "disappointment", "disappoints", "letdown",
            "useless", "worthless", "pointless", "waste", "wasted", "wasting", "mediocre",
            "overrated", "underwhelming", "subpar", "fail", "failed", "fails", "failing",
            "failure", "broken", "unhelpful", "unreliable", "unusable", "sloppy", "shoddy",
            "lousy", "inferior", "regret", "regrets", "regretted", "unfortunately",
            "sadly", "shame", "pity", "hopeless", "incompetent", "incompetence",
            "clueless", "ruined", "ruin", "ruins", "meaningless", "neglected", "ignored",
            "ignoring", "unanswered", "misleading", "worse", "unfortunate", "lackluster",
            "lacking", "lacks", "flop", "flopped", "disaster", "disastrous", "fiasco",
            "debacle", "downgrade", "backfired", "spoiled", "squandered", "gutted",
            "bummed", "bummer", "betrayed", "betrayal", "abandoned", "shouldve", "couldve",
            "wouldve", "dashed",
        ],
    ),
    (
        Tone::Disapproval,
        -1.8,
        &[
            "wrong", "bad", "badly", "poor", "poorly", "nonsense", "unfair", "unjust",
            "disagree", "disagreed", "false", "fake", "lie", "lies", "lied", "lying",
            "liar", "liars", "cheat", "cheated", "cheating", "cheater", "dishonest",
            "rude", "rudely", "selfish", "greedy", "greed", "arrogant", "entitled", "lazy",
            "irresponsible", "immature", "childish", "ignorant", "ignorance", "hypocrite",
            "hypocrites", "hypocritical", "hypocrisy", "blame", "blamed", "fault",
            "mistake", "mistakes", "incorrect", "invalid", "inaccurate", "stupidity",
            "nonsensical", "illogical", "unreasonable", "problem", "problematic", "shady",
            "sketchy", "dodgy", "bogus", "questionable", "ugly", "bias", "biased",
            "propaganda", "troll", "trolls", "trolling", "condescending", "patronizing",
            "disrespect", "disrespectful", "offensive", "offended", "insulting", "insult",
            "harassment", "harass", "corrupt", "corruption", "dangerous", "careless",
            "reckless", "inappropriate", "unprofessional", "awkward", "weird", "bizarre",
            "annoyingly", "pretend", "pretending", "delusional", "dumber", "sheep", "cult",
            "crappy", "shitty", "horseshit", "dislike", "disliked", "dislikes",
            "disapprove", "disapproval", "object", "objection", "oppose", "opposed",
            "condemn", "criticize", "criticism", "doubt", "doubtful", "skeptical",
            "dubious", "implausible", "untrue", "misinformation", "disinformation",
            "exaggerating", "exaggeration", "overreacting", "cheap", "shallow", "petty",
            "smug", "pretentious", "snob", "snobby", "weirdo", "stalker", "narcissist",
            "narcissistic", "manipulative", "ungrateful", "tasteless", "insensitive",
            "unnecessary", "unwarranted", "uncalled", "harmful", "damaging", "destructive",
            "illegal", "unethical", "immoral", "ashamed", "embarrassing", "embarrassment",
            "laughable", "ludicrous", "preposterous", "asinine", "inane", "senseless",
            "irrational", "wack", "janky", "garbage", "abysmal", "banal", "belittle",
            "berate", "blunder", "bland", "bleak", "bothersome", "callous", "catastrophic",
            "chaotic", "cheesy", "clumsy", "coldhearted", "conceited", "contemptible",
            "crummy", "cynical", "deceitful", "deceive", "deceived", "deficient",
            "deplorable", "derogatory", "dire", "dirty", "discourteous", "disingenuous",
            "dismal", "dismissive", "disorganized", "distasteful", "dysfunctional",
            "egotistical", "flawed", "flimsy", "frivolous", "futile", "gimmick", "grim",
            "gruesome", "haphazard", "harsh", "heartless", "horrific", "idiocy",
            "impolite", "inadequate", "incapable", "inconsiderate", "inconvenient",
            "inconvenience", "ineffective", "inefficient", "inept", "insolent",
            "intolerant", "irksome", "jealous", "envious", "malicious", "mock", "mocking",
            "negligent", "negligence", "offend", "oppressive", "outdated", "overpriced",
            "pitiful", "pompous", "rotten", "ruthless", "sarcastic", "scandal",
            "scandalous", "scathing", "scornful", "sinister", "sleazy", "snide", "sour",
            "stingy", "stubborn", "substandard", "tacky", "thoughtless", "trashy",
            "uncaring", "uncomfortable", "unfriendly", "unimpressed", "unjustified",
            "unpleasant", "unsatisfactory", "unsatisfied", "dissatisfied",
            "dissatisfaction", "untrustworthy", "vague", "vulgar", "wasteful", "wretched",
            "insufferable", "betray", "betrays", "illiterate", "odd",
        ],
    ),
    (
        Tone::Disapproval,
        -0.9,
        &[
            "hell", "jesus", "christ", "stop", "quit", "shut", "should", "shouldnt",
            "supposed", "why", "excuse", "excuses", "actually", "even", "seriously",
            "whatever", "anyway", "anyways", "apparently", "clearly", "obviously",
            "literally", "honestly", "nope", "nah", "lack", "deserve", "deserves",
            "deserved",
        ],
    ),
    (
        Tone::Sadness,
        -1.2,
        &[
            "sad", "sadness", "saddening", "depressed", "depressing", "depression",
            "miserable", "misery", "heartbroken", "heartbreaking", "grief", "grieving",
            "tragic", "tragedy", "crying", "cry", "cried", "tears", "lonely", "loneliness",
            "hurt", "hurts", "hurting", "painful", "pain", "suffering", "suffer",
            "unhappy", "upset", "upsetting", "devastated", "devastating", "sorrow",
            "gloomy", "hopelessness", "lost", "miss", "missed", "alone",
        ],
    ),
    // Things going wrong with an order or a product: mild on their own, but
    // they are what support visitors complain about.
    (
        Tone::Problem,
        -1.2,
        &[
            "late", "delayed", "delay", "delays", "missing", "damaged", "defective",
            "faulty", "slow", "stuck", "error", "errors", "crash", "crashed", "crashes",
            "crashing", "bug", "bugs", "buggy", "glitch", "glitchy", "unavailable",
            "outage", "confusing", "confused", "complicated", "nightmare", "issue",
            "issues", "trouble", "problems", "declined", "rejected", "denied", "locked",
            "overdue", "incorrectly", "unresolved", "unreachable",
        ],
    ),
    (
        Tone::Fear,
        -0.8,
        &[
            "scared", "afraid", "fear", "feared", "worried", "worry", "worrying",
            "anxious", "anxiety", "nervous", "terrified", "terrifying", "scary",
            "frightening", "frightened", "panic", "panicking", "dread", "creep",
        ],
    ),
    (
        Tone::Insult,
        -3.2,
        &[
            "idiot", "idiots", "idiotic", "stupid", "dumb", "dumbass", "dumbest", "moron",
            "morons", "moronic", "imbecile", "imbeciles", "retard", "retarded", "fool",
            "fools", "foolish", "clown", "clowns", "loser", "losers", "jerk", "jerks",
            "asshole", "assholes", "arsehole", "bastard", "bastards", "douche",
            "douchebag", "prick", "pricks", "dick", "dickhead", "cunt", "twat", "wanker",
            "tosser", "bitch", "bitches", "dipshit", "numbnuts", "halfwit", "dimwit",
            "nitwit", "buffoon", "incel", "trash", "garbage", "rubbish", "joke",
            "clueless", "brainless", "spineless", "coward", "cowards", "cowardly", "pig",
            "pigs", "snake", "thief", "thieves", "crook", "crooks", "liar", "parasite",
            "parasites", "degenerate",
        ],
    ),
    (
        Tone::Profanity,
        -1.6,
        &[
            "fuck", "fucking", "fucked", "fucks", "fuckin", "fking", "fkn", "fck",
            "fcking", "motherfucker", "motherfucking", "shit", "shits", "shitting", "piss",
            "pissing", "screw", "screwed", "bloody", "freaking", "frickin", "fricking",
            "effing", "omfg", "af", "damn", "damned", "dammit", "damnit", "goddamn",
            "goddamnit", "crap", "bs", "bullshit", "wtf", "stfu", "wth", "ffs", "smfh",
            "fml", "bastard", "darn", "dang", "heck", "frick",
        ],
    ),
    (
        Tone::Positive,
        3.0,
        &[
            "love", "loved", "loves", "loving", "lovely", "awesome", "amazing",
            "excellent", "fantastic", "wonderful", "perfect", "perfectly", "brilliant",
            "beautiful", "gorgeous", "incredible", "outstanding", "superb", "best",
            "favorite", "favourite", "adore", "adorable", "blessed", "delighted",
            "thrilled", "ecstatic", "congrats", "congratulations", "hilarious", "grateful",
            "thankful", "appreciate", "appreciated", "appreciation", "wholesome", "proud",
            "legend", "legendary", "masterpiece", "glorious", "stunning", "magnificent",
            "fabulous", "terrific", "phenomenal", "spectacular", "splendid", "marvelous",
            "delightful", "charming", "heartwarming", "inspiring", "joy", "joyful",
            "cheerful", "kudos", "yummy", "delicious", "aww", "cutest", "sweetest",
            "kindest", "nicest", "funniest", "coolest",
        ],
    ),
    (
        Tone::Positive,
        2.0,
        &[
            "great", "good", "nice", "cool", "glad", "happy", "happier", "happiest",
            "thanks", "thank", "thx", "ty", "tysm", "helpful", "fun", "funny", "enjoy",
            "enjoyed", "enjoying", "excited", "exciting", "interesting", "cute", "sweet",
            "kind", "kindness", "haha", "hahaha", "hah", "lol", "lmao", "lmfao", "rofl",
            "xd", "yay", "hooray", "woohoo", "hope", "hopefully", "pleased", "pleasure",
            "pleasant", "impressive", "impressed", "smart", "clever", "genius", "wow",
            "welcome", "win", "wins", "won", "winning", "worth", "recommend", "agree",
            "agreed", "beautifully", "enjoyable", "sweetheart", "hug", "hugs", "heart",
            "wish", "wishes", "luck", "lucky", "safe", "calm", "comfortable", "support",
            "supportive", "solid", "respect", "friendly", "healthy", "success",
            "successful", "solved", "resolved", "useful", "cheers", "exactly", "correct",
            "neat", "dope", "rad", "epic", "touching", "inspired", "laugh", "laughing",
            "laughed", "giggle", "smile", "smiling", "grin", "relieved", "relief",
            "peaceful", "celebrate", "bless", "props", "hero", "heroes", "champion",
            "winner", "beauty", "praise", "honored", "honoured", "privilege", "yum",
            "tasty", "aw", "hehe", "heh", "interested",
        ],
    ),
    (
        Tone::Positive,
        1.0,
        &[
            "fine", "better", "fair", "true", "fixed", "works", "worked", "working",
            "helped", "helps", "help", "helping", "easy", "quick", "fast", "yes", "yeah",
            "yep", "sure", "ok", "okay", "please", "pls", "plz", "understand",
            "understood", "clear", "thoughtful", "care", "cares", "definitely", "sorry",
            "apologies", "apologize", "apologise", "forgive",
        ],
    ),
];

/// Words that turn the feeling of the next few words around.
#[rustfmt::skip]
pub(super) const NEGATORS: &[&str] = &[
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent",
    "cant", "cannot", "couldnt", "wont", "wouldnt", "shouldnt", "hasnt", "havent", "hadnt",
    "aint", "nobody", "nothing", "nowhere", "neither", "nor", "without", "hardly",
    "barely", "nope", "nah", "mustnt", "neednt", "dont", "dnt", "doesn", "didn", "isn",
    "wasn",
];

/// Intensifiers and diminishers with the factor they apply.
#[rustfmt::skip]
pub(super) const SCALERS: &[(&str, f32)] = &[
    ("really", 1.3), ("very", 1.3), ("so", 1.3), ("soo", 1.4), ("extremely", 1.6),
    ("absolutely", 1.5), ("totally", 1.4), ("completely", 1.5), ("utterly", 1.6),
    ("super", 1.3), ("incredibly", 1.5), ("insanely", 1.5), ("truly", 1.3),
    ("literally", 1.2), ("too", 1.2), ("most", 1.2), ("such", 1.2), ("way", 1.2),
    ("quite", 1.1), ("highly", 1.3), ("deeply", 1.4), ("entirely", 1.4),
    ("especially", 1.2), ("exceptionally", 1.5), ("extraordinarily", 1.5), ("hugely", 1.4),
    ("massively", 1.4), ("seriously", 1.3), ("fully", 1.2), ("purely", 1.2),
    ("downright", 1.5), ("beyond", 1.3), ("freaking", 1.4), ("fucking", 1.5),
    ("bloody", 1.4), ("damn", 1.3), ("effing", 1.4), ("frickin", 1.3), ("fricking", 1.3),
    ("bit", 0.6), ("little", 0.6), ("slightly", 0.5), ("somewhat", 0.6), ("kinda", 0.7),
    ("sorta", 0.7), ("fairly", 0.8), ("rather", 0.85), ("almost", 0.7), ("partly", 0.6),
    ("mildly", 0.5), ("marginally", 0.5), ("occasionally", 0.7), ("maybe", 0.8),
    ("perhaps", 0.8), ("pretty", 0.9),
];

/// Words that start a clause that outweighs the one before.
#[rustfmt::skip]
pub(super) const CONTRASTS: &[&str] = &["but", "however", "yet", "except", "although"];

/// People and things a visitor aims words at.
#[rustfmt::skip]
pub(super) const TARGETS: &[&str] = &[
    "you", "your", "youre", "yours", "u", "ur", "ya", "yall", "bot", "bots", "chatbot",
    "robot", "machine", "company", "companies", "service", "app", "website", "site",
    "store", "shop", "business", "support", "team", "staff", "people", "guys",
];

/// Urgency words with their weight.
#[rustfmt::skip]
pub(super) const URGENCY: &[(&str, f32)] = &[
    ("asap", 1.0), ("urgent", 1.0), ("urgently", 1.0), ("immediately", 0.8),
    ("emergency", 1.0), ("hurry", 0.7), ("forever", 0.4), ("ages", 0.3),
];

/// Stakes words with their weight: threats and accusations (the law,
/// fraud, a chargeback). Topics — a refund, cancelling, money, being
/// charged — are not here: "can I cancel my order?" is a question, and the
/// tone model reads whether it is asked angrily.
#[rustfmt::skip]
pub(super) const STAKES: &[(&str, f32)] = &[
    ("chargeback", 1.2),
    ("lawyer", 1.2), ("lawyers", 1.0), ("attorney", 1.2), ("sue", 1.2), ("suing", 1.2),
    ("lawsuit", 1.2), ("court", 0.6), ("scam", 1.2), ("scammed", 1.4),
    ("scammer", 1.2), ("scammers", 1.2), ("scams", 1.0), ("fraud", 1.2),
    ("fraudulent", 1.2), ("ripoff", 1.2), ("police", 0.5), ("bbb", 1.0), ("overcharged", 1.2),
];

/// Kinds of people a visitor may ask for; they count with any ask verb or a
/// "real" marker nearby, or on their own in a very short message.
#[rustfmt::skip]
pub(super) const PERSONS: &[&str] = &[
    "human", "humans", "agent", "agents", "staff", "employee", "operator", "rep",
];

/// Vaguer words for a person ("someone"); they count only after a verb of
/// talking ("speak to someone") or a "real" marker ("real person").
#[rustfmt::skip]
pub(super) const PERSONS_VAGUE: &[&str] = &["person", "someone", "somebody", "anyone", "anybody"];

/// Words that ask for a person whatever surrounds them.
#[rustfmt::skip]
pub(super) const PERSONS_ALWAYS: &[&str] =
    &["representative", "representatives", "supervisor", "manager"];

/// Verbs of talking: they introduce a request for any kind of person.
#[rustfmt::skip]
pub(super) const TALK_VERBS: &[&str] = &[
    "talk", "speak", "chat", "connect", "transfer", "escalate", "reach", "contact",
];

/// Verbs of wanting: they introduce a request for a clear kind of person
/// ("I want a human") but not a vague one ("I need someone who knows").
#[rustfmt::skip]
pub(super) const WANT_VERBS: &[&str] = &["get", "want", "need", "give", "put", "let", "send"];

/// Adjectives that mark the real thing: "real person", "live agent".
#[rustfmt::skip]
pub(super) const REAL_MARKERS: &[&str] = &["real", "live", "actual", "human"];

/// What a phrase means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PhraseKind {
    /// Sarcastic praise; the praise words in it stop counting as praise.
    Sarcasm,
    /// The visitor rejects the bot's answer.
    Rejection,
    /// An explicit request for a person.
    AskForHuman,
    /// Time pressure or repetition.
    Urgency,
    /// Money, account or law at stake.
    Stakes,
    /// A fixed expression of anger or dismissal ("shut up", "fed up").
    Hostile,
    /// Swearing that takes several words ("what the hell", "screw you").
    Swearing,
    /// A fixed expression of calm ("no problem", "no worries").
    Calm,
}

/// Multi-word expressions, normalised like single words, with their weight.
#[rustfmt::skip]
pub(super) const PHRASES: &[(PhraseKind, f32, &[&str])] = &[
    (
        PhraseKind::Sarcasm,
        1.6,
        &[
            "thanks for nothing", "thank you for nothing", "oh great", "oh wonderful",
            "oh perfect", "oh joy", "oh fantastic", "oh brilliant", "oh lovely", "oh good",
            "oh sure", "oh really", "oh wow", "great another", "wonderful another",
            "just great", "just perfect", "just wonderful", "just brilliant", "yeah right",
            "ya right", "yea right", "sure jan", "what a surprise", "surprise surprise",
            "how surprising", "big surprise", "shocker", "real helpful", "real smart",
            "thanks a lot", "thanks a bunch", "slow clap", "nice try", "cool story",
            "good for you", "love that for me", "as if", "oh how", "what a joke",
            "what a shock", "how convenient", "very helpful not", "so helpful not",
            "wow thanks", "gee thanks", "well done genius", "bravo", "big help",
            "much help",
        ],
    ),
    (
        PhraseKind::Rejection,
        1.6,
        &[
            "thats not what i asked", "not what i asked", "not what i meant",
            "not what i said", "not what i wanted", "not my question", "didnt ask",
            "didnt ask that", "didnt ask for", "i didnt ask", "youre not helping",
            "you are not helping", "not helping", "not helpful", "doesnt help",
            "didnt help", "does not help", "did not help", "doesnt answer", "didnt answer",
            "does not answer", "did not answer", "answer my question",
            "answer the question", "read my question", "read what i wrote",
            "you dont understand", "you do not understand", "dont understand me",
            "not listening", "youre not listening", "already said", "already told you",
            "i already told", "told you already", "i just said", "i just told you",
            "same answer", "same thing again", "wrong answer", "thats wrong",
            "thats not it", "thats not right", "no thats not", "not the answer",
            "useless answer", "stupid answer", "stop repeating", "stop sending",
            "stop asking", "you keep saying", "keep saying", "keeps saying",
            "going in circles", "round in circles", "makes no sense", "doesnt make sense",
            "does not make sense", "make any sense", "no sense", "not relevant",
            "irrelevant answer", "not working", "doesnt work", "does not work",
            "didnt work", "still not working", "still doesnt work", "still broken",
            "not fixed", "still not fixed", "not resolved", "not solved",
        ],
    ),
    (
        PhraseKind::AskForHuman,
        2.5,
        &[
            "talk to a human", "speak to a human", "talk to human", "speak to human",
            "talk to a person", "speak to a person", "talk to someone", "speak to someone",
            "speak with someone", "talk with someone", "real person", "real human",
            "real people", "actual person", "actual human", "live agent", "live person",
            "live chat", "live support", "human agent", "human being", "human please",
            "agent please", "person please", "someone real", "talk to customer service",
            "speak to customer service", "contact customer service",
            "want customer service", "need customer service", "get me a human",
            "get me a person", "get me someone", "transfer me", "connect me",
            "put me through", "let me talk", "let me speak", "i want a human",
            "i want a person", "i need a human", "i need a person", "not a bot",
            "not a robot", "not a machine", "stop the bot", "no more bot", "no bot",
            "no bots", "are you a bot", "are you human", "are you a robot",
            "is this a bot", "is there a human", "is there a person", "is there someone",
            "is there anyone", "is there anybody", "any humans", "anyone real",
            "anyone i can talk to", "someone i can talk to", "anyone i can speak to",
            "someone i can speak to", "call me back", "phone me",
            "give me a call", "ring me", "chat with support", "talk to support",
            "speak to support", "speak with support", "talk with support",
            "contact support", "reach support", "someone who can help",
            "somebody who can help", "someone to help", "anyone there", "anybody there", "is anyone there",
            "someone help", "somebody help", "anyone reading", "anybody reading",
            "is anyone reading", "a person reading", "anyone actually reading",
            "anyone even reading", "anyone listening", "anybody listening",
        ],
    ),
    (
        PhraseKind::Urgency,
        0.9,
        &[
            "second time", "third time", "fourth time", "fifth time", "tenth time",
            "2nd time", "3rd time", "4th time", "how many times", "once again",
            "yet again", "over and over", "again and again", "still waiting",
            "been waiting", "for weeks", "for months", "for ages", "no response",
            "no reply", "no answer", "still havent", "for the last time",
            "times already", "asked twice", "already asked", "asked before",
            "3 times", "three times", "4 times", "four times", "5 times", "five times",
            "multiple times", "several times", "so many times",
        ],
    ),
    (
        PhraseKind::Stakes,
        1.2,
        &[
            "report you", "reporting you", "take my business", "never again",
            "never buy", "never ordering", "never order", "worst service",
            "worst company", "better business bureau", "small claims",
            "credit card company", "contact my bank", "legal action", "rip off",
            "ripped off", "stolen from",
        ],
    ),
    (
        PhraseKind::Swearing,
        2.0,
        &[
            "what the hell", "what the fuck", "the hell", "the fuck", "why the hell",
            "piss off", "fuck off", "fuck you", "screw you", "f off", "f you", "eff off",
            "full of shit", "piece of shit", "piece of crap", "go to hell", "rot in hell",
        ],
    ),
    (
        PhraseKind::Hostile,
        2.0,
        &[
            "shut up", "fed up", "sick of", "tired of", "had enough", "enough of",
            "get a life", "grow up", "get lost", "go away", "bite me", "kiss my",
            "who cares", "nobody cares", "no one cares", "dont care", "give me a break",
            "are you kidding", "you kidding me", "you serious", "are you serious",
            "how dare",
            "what is wrong with", "whats wrong with", "is this a joke", "you people",
            "get over it", "get over yourself", "cut it out", "knock it off",
            "leave me alone", "waste of time", "waste of money", "waste of space",
            "not funny", "not cool", "not okay", "not ok", "not acceptable",
            "not good enough", "no excuse", "pile of", "die in a",
            "kill yourself", "why would you", "why would anyone", "why do you",
            "why are you", "why cant you", "how hard is it",
            "how hard can", "do your job", "learn to", "you should be ashamed",
            "shame on you", "what a waste", "enough is enough", "i give up", "give up",
            "so done", "im done", "done with", "over it", "fed up with", "drives me crazy",
            "driving me crazy", "driving me nuts", "makes me sick", "pisses me off",
            "pissed off", "ticked off", "fuck this", "screw this", "damn it", "god damn",
            "for fucks sake", "for gods sake", "for christs sake", "oh my god", "omg",
            "on earth", "of all", "you wish", "how stupid", "so stupid",
        ],
    ),
    // Milder: accusation and disagreement.
    (
        PhraseKind::Hostile,
        1.0,
        &[
            "you dont", "you cant", "you didnt", "you never", "youre not", "you are not",
            "you werent", "you wont", "you shouldnt", "you have no", "you obviously",
            "you clearly", "thats not", "that is not", "not true", "isnt true", "i doubt",
            "no way", "how is that", "how is this", "how about no", "no thanks",
            "i dont think so", "too bad", "so bad", "not even", "i wish", "should have",
            "could have", "if only", "not a fan", "not impressed", "not happy",
            "unhappy with", "not great", "not good", "cant believe", "cannot believe",
            "cant stand", "dont like", "dont want", "please stop", "stop it", "get rid of",
            "no one asked", "nobody asked", "who asked", "how is this allowed",
            "what is the point", "whats the point", "no point", "for what", "are you even",
            "do you even", "did you even", "not my problem", "not even close",
            "nothing to do with", "so much for", "i refuse", "never again", "not anymore",
            "no longer",
        ],
    ),
    (
        PhraseKind::Calm,
        1.5,
        &[
            "no problem", "no problems", "no worries", "no worry", "not a problem",
            "no big deal", "not bad", "not too bad", "nothing wrong", "no doubt",
            "dont worry", "never mind", "nevermind", "no rush", "no hurry", "not at all",
            "no offense", "no offence", "cant wait", "cannot wait", "can not wait",
            "not wrong", "isnt wrong", "not sorry", "no pain", "no harm", "well done",
            "good job", "great job", "nice job", "thank you", "thanks so much",
            "thank you so much", "ok thanks", "okay thanks", "ok thank you", "have a nice",
            "have a good", "have a great", "made my day", "so happy", "so glad",
        ],
    ),
];

/// Everything the scanner needs to know about one word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Entry {
    /// The feeling the word carries, if any.
    pub feeling: Option<(Tone, f32)>,
    /// Factor the word applies to the next feeling word (1 when none).
    pub scale: f32,
    /// Urgency weight (0 when none).
    pub urgency: f32,
    /// Stakes weight (0 when none).
    pub stakes: f32,
    /// Bit set of the `FLAG_*` roles below.
    pub flags: u16,
    /// Bit `n` is set when a phrase of `n` words ends with this word.
    pub phrase_lengths: u8,
}

/// Turns the next few words around.
pub(super) const FLAG_NEGATOR: u16 = 1;
/// Starts a clause that outweighs the one before.
pub(super) const FLAG_CONTRAST: u16 = 1 << 1;
/// Someone words can be aimed at.
pub(super) const FLAG_TARGET: u16 = 1 << 2;
/// A clear kind of person ("human", "agent").
pub(super) const FLAG_PERSON: u16 = 1 << 3;
/// A vague kind of person ("someone").
pub(super) const FLAG_PERSON_VAGUE: u16 = 1 << 4;
/// Always a request for a person ("representative").
pub(super) const FLAG_PERSON_ALWAYS: u16 = 1 << 5;
/// A verb of talking.
pub(super) const FLAG_TALK_VERB: u16 = 1 << 6;
/// A verb of wanting.
pub(super) const FLAG_WANT_VERB: u16 = 1 << 7;
/// "real", "live", "actual".
pub(super) const FLAG_REAL: u16 = 1 << 8;
/// Ends at least one phrase in [`PHRASES`].
pub(super) const FLAG_PHRASE_TAIL: u16 = 1 << 9;

const BLANK: Entry = Entry {
    feeling: None,
    scale: 1.0,
    urgency: 0.0,
    stakes: 0.0,
    flags: 0,
    phrase_lengths: 0,
};

/// A phrase as stored in the phrase map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Phrase {
    /// What the phrase means.
    pub kind: PhraseKind,
    /// How strongly.
    pub weight: f32,
    /// How many words it has.
    pub words: usize,
}

/// An Fx-style hash over 8-byte chunks. Keys are short words and the maps
/// are fixed at build time; a visitor cannot add keys, so flooding is not a
/// concern and a fast non-cryptographic hash beats SipHash here.
#[derive(Default)]
pub(super) struct Fnv(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Fnv {
    #[inline(always)]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl std::hash::Hasher for Fnv {
    #[inline(always)]
    fn finish(&self) -> u64 {
        // Spread the high bits down: hashbrown takes its control byte from the top.
        self.0 ^ (self.0 >> 29)
    }
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }
    #[inline(always)]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    #[inline(always)]
    fn write_usize(&mut self, n: usize) {
        // Slices hash their length first; it is the whole state so far, so
        // it can seed the state without a multiply.
        self.0 ^= n as u64;
    }
}

type FnvMap<V> = std::collections::HashMap<&'static [u8], V, std::hash::BuildHasherDefault<Fnv>>;
type WordMap = std::collections::HashMap<WordKey, Entry, std::hash::BuildHasherDefault<Fnv>>;

/// The longest word the lexicon can hold, in bytes.
pub(super) const MAX_WORD: usize = 24;

/// A normalised word packed into three machine words, zero-padded.
///
/// Comparing and hashing three `u64`s is much cheaper than hashing a byte
/// slice and calling `memcmp`, and word lookups are most of the scanner's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct WordKey([u64; 3]);

impl WordKey {
    /// Packs a zero-padded word buffer.
    #[inline(always)]
    pub fn from_buf(buf: &[u8; MAX_WORD]) -> WordKey {
        let lane = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[i * 8..i * 8 + 8]);
            u64::from_le_bytes(b)
        };
        WordKey([lane(0), lane(1), lane(2)])
    }

    /// Packs a word; `None` if it is longer than [`MAX_WORD`].
    pub fn new(word: &[u8]) -> Option<WordKey> {
        let mut buf = [0u8; MAX_WORD];
        buf.get_mut(..word.len())?.copy_from_slice(word);
        Some(WordKey::from_buf(&buf))
    }
}

impl std::hash::Hash for WordKey {
    #[inline(always)]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.0;
        state.write_u64(a ^ b.rotate_left(21) ^ c.rotate_left(42));
    }
}

/// The word and phrase maps, built once on first use.
pub(super) struct Lexicon {
    /// Every known word.
    pub words: WordMap,
    /// Every known phrase, words joined by single spaces.
    pub phrases: FnvMap<Phrase>,
}

impl Lexicon {
    /// The shared lexicon.
    pub fn get() -> &'static Lexicon {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON.get_or_init(Lexicon::build)
    }

    fn build() -> Lexicon {
        let mut words = WordMap::default();
        for &(tone, valence, list) in FEELINGS {
            for &w in list {
                let e = entry(&mut words, w);
                // The first listing of a word wins: lists are ordered strongest first.
                if e.feeling.is_none() {
                    e.feeling = Some((tone, valence));
                }
            }
        }
        let flag_lists: [(&[&'static str], u16); 9] = [
            (NEGATORS, FLAG_NEGATOR),
            (CONTRASTS, FLAG_CONTRAST),
            (TARGETS, FLAG_TARGET),
            (PERSONS, FLAG_PERSON),
            (PERSONS_VAGUE, FLAG_PERSON_VAGUE),
            (PERSONS_ALWAYS, FLAG_PERSON_ALWAYS),
            (TALK_VERBS, FLAG_TALK_VERB),
            (WANT_VERBS, FLAG_WANT_VERB),
            (REAL_MARKERS, FLAG_REAL),
        ];
        for (list, flag) in flag_lists {
            for &w in list {
                entry(&mut words, w).flags |= flag;
            }
        }
        for &(w, s) in SCALERS {
            entry(&mut words, w).scale = s;
        }
        for &(w, u) in URGENCY {
            entry(&mut words, w).urgency = u;
        }
        for &(w, s) in STAKES {
            entry(&mut words, w).stakes = s;
        }
        let mut phrases: FnvMap<Phrase> = FnvMap::default();
        for &(kind, weight, list) in PHRASES {
            for &p in list {
                let count = p.split(' ').count();
                phrases.entry(p.as_bytes()).or_insert(Phrase {
                    kind,
                    weight,
                    words: count,
                });
                if let Some(last) = p.rsplit(' ').next() {
                    let e = entry(&mut words, last);
                    e.flags |= FLAG_PHRASE_TAIL;
                    e.phrase_lengths |= 1 << count.min(7);
                }
            }
        }
        Lexicon { words, phrases }
    }
}

/// The entry for `word`, created blank if missing.
///
/// Every listed word is short ASCII (checked by a test), so `WordKey::new`
/// succeeds; an over-long word would be skipped rather than panic.
fn entry<'m>(words: &'m mut WordMap, word: &'static str) -> &'m mut Entry {
    let key = WordKey::new(word.as_bytes()).unwrap_or(WordKey([u64::MAX; 3]));
    words.entry(key).or_insert(BLANK)
}

/// The longest phrase, in words.
pub(super) const MAX_PHRASE_WORDS: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_fits_the_scanner_window_and_is_normalised() {
        for &(_, _, list) in PHRASES {
            for p in list {
                assert!(p.split(' ').count() <= MAX_PHRASE_WORDS, "{p}");
                assert!(!p.contains('\''), "{p}");
                assert_eq!(p.to_lowercase(), *p);
            }
        }
    }

    #[test]
    fn every_word_is_normalised() {
        for &(_, _, list) in FEELINGS {
            for w in list {
                assert!(
                    w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "{w}"
                );
                assert!(w.len() <= MAX_WORD, "{w}");
            }
        }
    }
}
