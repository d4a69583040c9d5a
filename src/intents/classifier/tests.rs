//! Tests of the n-gram classifier: features, training and confidences.

use super::features::stem;
use super::*;

const REFUND: usize = 0;
const PASSWORD: usize = 1;
const DELIVERY: usize = 2;
const HUMAN: usize = 3;

fn examples() -> Vec<(&'static str, usize)> {
    vec![
        ("i want a refund", REFUND),
        ("can i get my money back", REFUND),
        ("please refund my order", REFUND),
        ("how do i return this and get a refund", REFUND),
        ("refund the payment for my last purchase", REFUND),
        ("i was charged twice and want my money back", REFUND),
        ("i forgot my password", PASSWORD),
        ("reset my password please", PASSWORD),
        ("i cannot log in to my account", PASSWORD),
        ("how do i change my password", PASSWORD),
        ("my login does not work", PASSWORD),
        ("help me sign in, i lost the password", PASSWORD),
        ("where is my parcel", DELIVERY),
        ("when will my order arrive", DELIVERY),
        ("track my delivery", DELIVERY),
        ("my package has not been delivered yet", DELIVERY),
        ("how long does shipping take", DELIVERY),
        ("is my order on its way", DELIVERY),
        ("let me talk to a human", HUMAN),
        ("i want to speak to an agent", HUMAN),
        ("connect me with a real person", HUMAN),
        ("can i chat with someone from support", HUMAN),
        ("transfer me to a representative", HUMAN),
        ("is there a person i can talk to", HUMAN),
    ]
}

fn model() -> Classifier {
    Classifier::train(&examples(), 4)
}

fn label_of(model: &Classifier, text: &str) -> usize {
    model.classify(text).expect("model has labels").label
}

#[test]
fn training_examples_are_recognised() {
    let model = model();
    for (text, label) in examples() {
        assert_eq!(label_of(&model, text), label, "{text}");
    }
}

#[test]
fn casing_and_punctuation_do_not_change_the_answer() {
    let model = model();
    let plain = model.classify("reset my password please").expect("labels");
    for variant in [
        "RESET MY PASSWORD PLEASE!!!",
        "Reset my password, please.",
        "  reset... my password -- please?  ",
    ] {
        let p = model.classify(variant).expect("model has labels");
        assert_eq!(p.label, plain.label, "{variant}");
        assert!((p.confidence - plain.confidence).abs() < 1e-6, "{variant}");
    }
}

#[test]
fn apostrophes_and_accents_are_folded() {
    assert_eq!(
        tokens("Don’t CANCEL my Café order!"),
        ["dont", "cancel", "my", "cafe", "order"]
    );
    assert_eq!(tokens("I can't; won't"), tokens("i cant wont"));
    assert_eq!(tokens("Straße"), ["strasse"]);
}

#[test]
fn tokens_split_on_symbols_and_keep_letters_of_any_script() {
    assert_eq!(tokens("order#1234/refund"), ["order", "1234", "refund"]);
    assert_eq!(tokens("привет мир 😀 東京"), ["привет", "мир", "東京"]);
    assert!(tokens("?!... 😀😀").is_empty());
}

#[test]
fn stems_strip_common_english_endings_only() {
    assert_eq!(stem("cards"), "card");
    assert_eq!(stem("charging"), "charg");
    assert_eq!(stem("charged"), "charg");
    assert_eq!(stem("address"), "address");
    assert_eq!(stem("bus"), "bus");
    assert_eq!(stem("sing"), "sing");
    assert_eq!(stem("cafés"), "cafés");
}

#[test]
fn typos_still_find_the_intent() {
    let model = model();
    assert_eq!(label_of(&model, "i want a refnd"), REFUND);
    assert_eq!(label_of(&model, "i forgott my pasword"), PASSWORD);
    assert_eq!(label_of(&model, "wher is my parcell"), DELIVERY);
    assert_eq!(label_of(&model, "let me tlak to a humann"), HUMAN);
}

#[test]
fn unseen_phrasings_find_the_intent() {
    let model = model();
    assert_eq!(label_of(&model, "give me back my money"), REFUND);
    assert_eq!(label_of(&model, "password reset"), PASSWORD);
    assert_eq!(label_of(&model, "has my package shipped"), DELIVERY);
}

#[test]
fn unfamiliar_text_gets_lower_confidence_than_a_familiar_one() {
    let model = model();
    let familiar = model
        .classify("please refund my order")
        .expect("model has labels")
        .confidence;
    let unfamiliar = model
        .classify("what is the capital of australia")
        .expect("model has labels")
        .confidence;
    assert!(unfamiliar < familiar, "{unfamiliar} >= {familiar}");
}

#[test]
fn confidence_is_a_probability_and_the_runner_up_is_another_lower_label() {
    let model = model();
    for text in [
        "refund",
        "password",
        "parcel",
        "agent",
        "",
        "zzz",
        "refund my password",
    ] {
        let p = model.classify(text).expect("model has labels");
        assert!((0.0..=1.0).contains(&p.confidence), "{text}: {p:?}");
        let (runner_up, share) = p.runner_up.expect("four labels");
        assert_ne!(runner_up, p.label, "{text}");
        assert!(share <= p.confidence, "{text}: {p:?}");
        assert!(p.confidence + share <= 1.0 + 1e-5, "{text}: {p:?}");
    }
}

#[test]
fn ambiguous_messages_have_a_close_runner_up() {
    let model = model();
    let clear = model.classify("reset my password please").expect("labels");
    let mixed = model
        .classify("refund my order and reset my password")
        .expect("model has labels");
    let gap = |p: Prediction| p.confidence - p.runner_up.map_or(0.0, |r| r.1);
    assert!(gap(mixed) < gap(clear), "{mixed:?} vs {clear:?}");
}

#[test]
fn empty_input_does_not_panic() {
    let model = model();
    let p = model.classify("").expect("model has labels");
    assert!(
        p.confidence <= 0.5,
        "no evidence should not be confident: {p:?}"
    );
    for text in [" ", "\0", "\u{FEFF}", "😀🔥💯", "\r\n\t", "' ’ `"] {
        let p = model.classify(text).expect("model has labels");
        assert!(p.confidence.is_finite() && p.label < 4, "{text:?}: {p:?}");
    }
}

#[test]
fn huge_and_strange_inputs_do_not_panic() {
    let model = model();
    let long = "refund ".repeat(15_000); // ~100 KB
    assert_eq!(label_of(&model, &long), REFUND);
    let one_word = "x".repeat(100_000);
    assert!(model.classify(&one_word).is_some());
    let multibyte = "é😀ß東".repeat(20_000); // cut inside multi-byte chars must be safe
    assert!(model.classify(&multibyte).is_some());
    assert!(normalise(&multibyte).len() <= MAX_INPUT_BYTES * 2);
}

#[test]
fn a_model_without_labels_answers_none() {
    let model = Classifier::train(&[], 0);
    assert_eq!(model.classify("refund"), None);
    assert!(model.scores("refund").is_empty());
    let no_examples = Classifier::train(&[], 3);
    let p = no_examples.classify("refund").expect("model has labels");
    assert!(
        p.label < 3 && (p.confidence - 1.0 / 3.0).abs() < 1e-5,
        "{p:?}"
    );
}

#[test]
fn a_single_label_model_has_no_runner_up() {
    let model = Classifier::train(&[("hello there", 0), ("hi", 0)], 1);
    let p = model.classify("hello").expect("model has labels");
    assert_eq!((p.label, p.runner_up), (0, None));
    assert!((p.confidence - 1.0).abs() < 1e-6);
}

#[test]
fn out_of_range_labels_are_ignored() {
    let mut examples = examples();
    examples.push(("i want a refund", 99));
    let model = Classifier::train(&examples, 4);
    assert_eq!(label_of(&model, "i want a refund"), REFUND);
}

#[test]
fn training_is_deterministic() {
    let a = model();
    let b = model();
    for text in ["refund please", "where is it", "agent", "asdf"] {
        assert_eq!(a.scores(text), b.scores(text), "{text}");
    }
    assert_eq!(a.memory_bytes(), b.memory_bytes());
}

#[test]
fn model_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Classifier>();
    let model = std::sync::Arc::new(model());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let model = model.clone();
            std::thread::spawn(move || label_of(&model, "track my delivery"))
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().expect("thread finished"), DELIVERY);
    }
}

#[test]
fn memory_is_reported() {
    let model = model();
    assert!(model.memory_bytes() > 1_000, "{}", model.memory_bytes());
}

#[test]
fn classify_and_scores_agree() {
    let model = model();
    let scores = model.scores("reset my password");
    let best = scores
        .iter()
        .copied()
        .enumerate()
        .fold((0, f32::MIN), |a, b| if b.1 > a.1 { b } else { a });
    assert_eq!(label_of(&model, "reset my password"), best.0);
}
