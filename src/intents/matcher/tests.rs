//! The matcher's behaviour, as an owner would notice it.

use super::*;

fn intent(name: &str, examples: &[&str], patterns: &[&str]) -> Intent {
    Intent {
        name: name.into(),
        examples: examples.iter().map(|s| s.to_string()).collect(),
        patterns: patterns.iter().map(|p| Regex::new(p).unwrap()).collect(),
        responses: vec!["ok".into()],
        ..Intent::default()
    }
}

fn intents() -> Vec<Intent> {
    vec![
        intent(
            "shipping",
            &[
                "how long does shipping take",
                "when will my parcel be delivered",
                "delivery time",
                "how many days until it arrives",
            ],
            &[],
        ),
        intent(
            "refund",
            &[
                "i want a refund",
                "how do i get my money back",
                "refund status",
                "give me my money back",
            ],
            &[r"(?i)\border\s*#?(?P<order>\d{5})\b"],
        ),
        intent(
            "opening_hours",
            &[
                "when are you open",
                "what are your opening hours",
                "are you open on sunday",
                "what time do you close",
            ],
            &[],
        ),
    ]
}

fn matcher() -> (Vec<Intent>, Matcher) {
    let intents = intents();
    let m = Matcher::build(&intents, MatcherSettings::default(), None).unwrap();
    (intents, m)
}

#[test]
fn words_ignore_case_punctuation_and_apostrophes() {
    assert_eq!(words("Where's MY order?!"), vec!["wheres", "my", "order"]);
    assert_eq!(words("  café—crème "), vec!["cafe", "creme"]);
    assert!(words("?!… 🙂").is_empty());
}

#[test]
fn casing_punctuation_and_typos_do_not_hide_the_intent() {
    let (_, m) = matcher();
    assert_eq!(
        m.rank("HOW LONG does shipping take???", None)
            .unwrap()
            .intent,
        0
    );
    assert_eq!(m.rank("i want a refnd", None).unwrap().intent, 1);
    assert_eq!(m.rank("opening hours on sundays?", None).unwrap().intent, 2);
}

#[test]
fn a_message_below_the_threshold_falls_back() {
    let intents = intents();
    let strict = MatcherSettings {
        ngram_threshold: 0.99,
        close_call_margin: 0.0,
        ..MatcherSettings::default()
    };
    let m = Matcher::build(&intents, strict, None).unwrap();
    assert!(matches!(
        m.decide("what is the meaning of life", None),
        Verdict::Fallback(Some(_))
    ));
    let lenient = MatcherSettings {
        ngram_threshold: 0.0,
        close_call_margin: 0.0,
        ..MatcherSettings::default()
    };
    let m = Matcher::build(&intents, lenient, None).unwrap();
    assert!(matches!(
        m.decide("what is the meaning of life", None),
        Verdict::Answer(_)
    ));
}

#[test]
fn empty_or_emoji_messages_do_not_get_a_confident_answer() {
    let (_, m) = matcher();
    for text in ["", "🙂", "   "] {
        assert!(
            !matches!(m.decide(text, None), Verdict::Answer(_)),
            "{text:?} was answered"
        );
    }
}

#[test]
fn patterns_win_over_the_classifier_and_fill_captures() {
    let (intents, m) = matcher();
    let hit = m.rank("delivery time for order 12345", None).unwrap();
    assert_eq!((hit.intent, hit.by), (1, MatchedBy::Pattern));
    assert_eq!(
        Matcher::captures(&intents[1], "order #12345"),
        vec![("order".to_string(), "12345".to_string())]
    );
}

#[test]
fn when_two_patterns_match_priority_then_file_order_decides() {
    let mut intents = vec![
        intent("first", &["a"], &[r"(?i)parcel"]),
        intent("second", &["b"], &[r"(?i)parcel \d+"]),
    ];
    let m = Matcher::build(&intents, MatcherSettings::default(), None).unwrap();
    assert_eq!(m.rank("parcel 12", None).unwrap().intent, 0);
    intents[1].priority = 5;
    let m = Matcher::build(&intents, MatcherSettings::default(), None).unwrap();
    assert_eq!(m.rank("parcel 12", None).unwrap().intent, 1);
    assert_eq!(m.rank("my parcel", None).unwrap().intent, 0);
}

#[test]
fn a_close_call_asks_which_one_was_meant() {
    let (_, m) = matcher();
    let hit = m.rank("refund delivery", None).unwrap();
    let (_, second) = hit.runner_up.unwrap();
    let margin = hit.confidence - second;
    let asks = MatcherSettings {
        ngram_threshold: 0.0,
        close_call_margin: margin + 0.01,
        ..MatcherSettings::default()
    };
    assert!(matches!(
        m.decide_with("refund delivery", None, asks),
        Verdict::Ask(_)
    ));
    let answers = MatcherSettings {
        ngram_threshold: 0.0,
        close_call_margin: margin - 0.01,
        ..MatcherSettings::default()
    };
    assert!(matches!(
        m.decide_with("refund delivery", None, answers),
        Verdict::Answer(_)
    ));
}

#[test]
fn clicking_a_clarification_label_resolves_to_that_intent() {
    let mut intents = intents();
    intents[0].description = Some("Delivery times".into());
    intents[1].description = Some("Refunds".into());
    let m = Matcher::build(&intents, MatcherSettings::default(), None).unwrap();
    let hit = m.rank("refunds", None).unwrap();
    assert_eq!((hit.intent, hit.by), (1, MatchedBy::Label));
    assert_eq!(m.rank("Delivery times", None).unwrap().intent, 0);
    // Without a description the label is the name in words.
    assert_eq!(m.rank("Opening hours", None).unwrap().by, MatchedBy::Label);
}

/// The matcher trained with the bundled encoder's vectors of the examples.
fn with_encoder(intents: &[Intent]) -> (Matcher, crate::encoder::Embedder) {
    let embedder = crate::encoder::Embedder::bundled();
    let texts: Vec<&str> = intents
        .iter()
        .flat_map(|i| i.examples.iter().map(String::as_str))
        .collect();
    let vectors = embedder
        .embed_examples(&texts, &|_, _| {})
        .expect("the repository ships the model");
    let m = Matcher::build(intents, MatcherSettings::default(), Some(&vectors)).unwrap();
    (m, embedder)
}

#[test]
fn a_phrasing_no_example_used_is_understood_through_its_meaning() {
    let (m, embedder) = with_encoder(&intents());
    let text = "my cash still hasn't come back to me";
    let vector = embedder.embed_message_now(text).unwrap();
    let full = m.rank(text, Some(&vector)).unwrap();
    assert_eq!((full.intent, full.by), (1, MatchedBy::Full), "{full:?}");
    assert!(matches!(m.decide(text, Some(&vector)), Verdict::Answer(_)));
    // The words alone share nothing with the refund examples but "my".
    assert!(
        !matches!(m.decide(text, None), Verdict::Answer(ref hit) if hit.intent == 1),
        "the n-grams alone should not be sure of this one"
    );
}

#[test]
fn a_question_about_something_else_falls_back_with_the_encoder_too() {
    let (m, embedder) = with_encoder(&intents());
    for text in [
        "do you sell kayaks?",
        "what's the weather like in Lisbon tomorrow",
    ] {
        let vector = embedder.embed_message_now(text).unwrap();
        assert!(
            matches!(m.decide(text, Some(&vector)), Verdict::Fallback(_)),
            "{text:?} was answered"
        );
    }
}

#[test]
fn the_encoder_is_asked_only_when_the_ngrams_are_unsure() {
    let (m, _) = with_encoder(&intents());
    assert!(
        !m.needs_embedding("how long does shipping take"),
        "an example, word for word"
    );
    assert!(
        !m.needs_embedding("delivery time for order 12345"),
        "a pattern"
    );
    assert!(m.needs_embedding("my cash still hasn't come back to me"));
    let (_, words_only) = matcher();
    assert!(!words_only.needs_embedding("my cash still hasn't come back to me"));
}

#[test]
fn without_a_vector_the_ngrams_decide_alone_against_their_own_threshold() {
    let (m, _) = with_encoder(&intents());
    let hit = m.rank("how long does shipping take", None).unwrap();
    assert_eq!((hit.intent, hit.by), (0, MatchedBy::Ngrams));
    let settings = MatcherSettings {
        ngram_threshold: 1.0,
        confidence_threshold: 0.0,
        ..MatcherSettings::default()
    };
    assert!(matches!(
        m.decide_with("how long does shipping take", None, settings),
        Verdict::Fallback(_)
    ));
}

#[test]
fn a_message_looked_at_before_the_bot_turn_gets_the_same_verdict() {
    let (m, embedder) = with_encoder(&intents());
    for text in [
        "how long does shipping take",
        "delivery time for order 12345",
        "my cash still hasn't come back to me",
        "do you sell kayaks?",
        "Where is my order",
        "",
        "?!?!",
        "ugh this is the third time I ask: WHERE IS MY REFUND",
    ] {
        let look = m.first_look(text);
        assert_eq!(
            m.decide_after(Some(look.clone()), text, None),
            m.decide(text, None),
            "{text:?} without a vector"
        );
        let vector = embedder.embed_message_now(text).ok();
        assert_eq!(
            m.decide_after(Some(look), text, vector.as_ref()),
            m.decide(text, vector.as_ref()),
            "{text:?} with its vector"
        );
    }
}
