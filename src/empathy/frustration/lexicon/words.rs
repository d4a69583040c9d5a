//! Words that carry a role rather than a feeling: negators, intensifiers and
//! diminishers, contrasts, the targets of a visitor's words, urgency and
//! stakes, and the words that make up a request for a person.

/// Words that turn the feeling of the next few words around.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const NEGATORS: &[&str] = &[
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent",
    "cant", "cannot", "couldnt", "wont", "wouldnt", "shouldnt", "hasnt", "havent", "hadnt",
    "aint", "nobody", "nothing", "nowhere", "neither", "nor", "without", "hardly",
    "barely", "nope", "nah", "mustnt", "neednt", "dont", "dnt", "doesn", "didn", "isn",
    "wasn",
];

/// Intensifiers and diminishers with the factor they apply.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const SCALERS: &[(&str, f32)] = &[
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
pub(in crate::empathy::frustration) const CONTRASTS: &[&str] = &["but", "however", "yet", "except", "although"];

/// People and things a visitor aims words at.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const TARGETS: &[&str] = &[
    "you", "your", "youre", "yours", "u", "ur", "ya", "yall", "bot", "bots", "chatbot",
    "robot", "machine", "company", "companies", "service", "app", "website", "site",
    "store", "shop", "business", "support", "team", "staff", "people", "guys",
];

/// Urgency words with their weight.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const URGENCY: &[(&str, f32)] = &[
    ("asap", 1.0), ("urgent", 1.0), ("urgently", 1.0), ("immediately", 0.8),
    ("emergency", 1.0), ("hurry", 0.7), ("forever", 0.4), ("ages", 0.3),
];

/// Stakes words with their weight: threats and accusations (the law,
/// fraud, a chargeback). Topics — a refund, cancelling, money, being
/// charged — are not here: "can I cancel my order?" is a question, and the
/// tone model reads whether it is asked angrily.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const STAKES: &[(&str, f32)] = &[
    ("chargeback", 1.2),
    ("lawyer", 1.2), ("lawyers", 1.0), ("attorney", 1.2), ("sue", 1.2), ("suing", 1.2),
    ("lawsuit", 1.2), ("court", 0.6), ("scam", 1.2), ("scammed", 1.4),
    ("scammer", 1.2), ("scammers", 1.2), ("scams", 1.0), ("fraud", 1.2),
    ("fraudulent", 1.2), ("ripoff", 1.2), ("police", 0.5), ("bbb", 1.0), ("overcharged", 1.2),
];

/// Kinds of people a visitor may ask for; they count with any ask verb or a
/// "real" marker nearby, or on their own in a very short message.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const PERSONS: &[&str] = &[
    "human", "humans", "agent", "agents", "staff", "employee", "operator", "rep",
];

/// Vaguer words for a person ("someone"); they count only after a verb of
/// talking ("speak to someone") or a "real" marker ("real person").
#[rustfmt::skip]
pub(in crate::empathy::frustration) const PERSONS_VAGUE: &[&str] = &["person", "someone", "somebody", "anyone", "anybody"];

/// Words that ask for a person whatever surrounds them.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const PERSONS_ALWAYS: &[&str] =
    &["representative", "representatives", "supervisor", "manager"];

/// Verbs of talking: they introduce a request for any kind of person.
#[rustfmt::skip]
pub(in crate::empathy::frustration) const TALK_VERBS: &[&str] = &[
    "talk", "speak", "chat", "connect", "transfer", "escalate", "reach", "contact",
];

/// Verbs of wanting: they introduce a request for a clear kind of person
/// ("I want a human") but not a vague one ("I need someone who knows").
#[rustfmt::skip]
pub(in crate::empathy::frustration) const WANT_VERBS: &[&str] = &["get", "want", "need", "give", "put", "let", "send"];

/// Adjectives that mark the real thing: "real person", "live agent".
#[rustfmt::skip]
pub(in crate::empathy::frustration) const REAL_MARKERS: &[&str] = &["real", "live", "actual", "human"];
