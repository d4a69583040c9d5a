//! The load generator's `--novel` questions: routine, but worded anew
//! every time (see `loadgen.rs`).

/// A routine question in a wording nobody used before: a question picked
/// in turn (never the same twice in a conversation), with an opening, a
/// place and a thing picked by a small deterministic generator, so runs are
/// repeatable and no two texts are alike.
pub fn novel_question(visitor: usize, message: usize) -> String {
    const OPENINGS: &[&str] = &[
        "hi,",
        "hello there,",
        "quick question:",
        "good morning,",
        "hey,",
        "",
    ];
    const ASKS: &[&str] = &[
        "how many days does delivery to {place} usually take for a {thing}?",
        "what does it cost to ship a {thing} to {place}?",
        "can I pay for a {thing} with a credit card or paypal?",
        "how do I send back a {thing} I don't want?",
        "is your customer service open on saturday? I'm in {place}",
        "do you deliver to {place} at all?",
        "could I buy a gift card instead of the {thing}?",
        "when will the {thing} I ordered from {place} arrive?",
        "I can't log in to my account to buy the {thing}",
        "is the {thing} back in stock soon?",
    ];
    const PLACES: &[&str] = &[
        "rotterdam",
        "lyon",
        "ghent",
        "bergen",
        "porto",
        "krakow",
        "graz",
        "aarhus",
        "bilbao",
        "turku",
    ];
    const THINGS: &[&str] = &[
        "rain jacket",
        "pair of boots",
        "backpack",
        "wool scarf",
        "tent",
        "water bottle",
        "fleece",
    ];
    let mut x = (visitor as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (message as u64 + 7);
    let mut pick = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let ask = ASKS[(visitor + message) % ASKS.len()]
        .replace("{place}", PLACES[pick(PLACES.len())])
        .replace("{thing}", THINGS[pick(THINGS.len())]);
    format!("{} {ask}", OPENINGS[pick(OPENINGS.len())])
        .trim()
        .to_owned()
}
