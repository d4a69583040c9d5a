//! Behaviour tests for the scorer, named after what an agent would notice.

use super::{read_message, score, SignalKind};

fn has(text: &str, kind: SignalKind) -> bool {
    read_message(text).signals.iter().any(|s| s.kind == kind)
}

#[test]
fn calm_routine_question_scores_near_zero() {
    for text in [
        "where is my order?",
        "how long does shipping take",
        "ok thanks",
        "Hi, can I change my address?",
    ] {
        assert!(score(text) < 0.1, "{text}: {}", score(text));
    }
}

#[test]
fn angry_caps_and_exclamations_score_high() {
    let s = score("THIS IS RIDICULOUS!!! WHERE IS MY ORDER???");
    assert!(s > 0.8, "{s}");
    assert!(has("THIS IS RIDICULOUS!!!", SignalKind::Emphasis));
}

#[test]
fn not_bad_at_all_is_not_negative() {
    assert!(
        score("not bad at all") < 0.05,
        "{}",
        score("not bad at all")
    );
}

#[test]
fn not_helpful_is_negative() {
    assert!(
        score("this is not helpful") > 0.4,
        "{}",
        score("this is not helpful")
    );
}

#[test]
fn great_another_bot_raises_the_score() {
    assert!(score("great, another bot") > score("great") + 0.3);
    assert!(has("great, another bot", SignalKind::Sarcasm));
    assert!(has("thanks for nothing", SignalKind::Sarcasm));
    assert!(has("oh wonderful", SignalKind::Sarcasm));
}

#[test]
fn explicit_ask_for_a_person_is_detected() {
    for text in [
        "talk to a human",
        "I want to speak to a real person please",
        "agent please",
        "representative",
        "can I speak to someone",
        "get me a human",
        "human",
        "Is there a live agent?",
        "is there a human?",
        "is there anyone I can talk to",
        "I'd like to chat with support",
        "can someone call me back",
        "human pls",
        "let me speak with your manager",
    ] {
        assert!(has(text, SignalKind::AskForHuman), "{text}");
        assert!(score(text) > 0.5, "{text}: {}", score(text));
    }
}

#[test]
fn someone_in_passing_is_not_an_ask_for_a_person() {
    assert!(!has(
        "I need someone who knows cars to look at this",
        SignalKind::AskForHuman
    ));
    assert!(!has(
        "a person I know loves this shop",
        SignalKind::AskForHuman
    ));
}

#[test]
fn intensifiers_raise_and_diminishers_lower() {
    assert!(score("this is extremely annoying") > score("this is annoying"));
    assert!(score("this is a bit annoying") < score("this is annoying"));
}

#[test]
fn the_clause_after_but_dominates() {
    assert!(score("thanks, but this is useless") > 0.4);
    assert!(score("it was annoying but you fixed it, great") < score("it was annoying"));
}

#[test]
fn insults_at_the_bot_are_insults() {
    assert!(has("useless bot", SignalKind::Insult));
    assert!(has("you idiots", SignalKind::Insult));
    assert!(has("wtf", SignalKind::Profanity));
    assert!(score("you idiots") > 0.6);
}

#[test]
fn urgency_and_stakes_are_detected() {
    assert!(has("this is the third time I ask", SignalKind::Urgency));
    assert!(has("asap", SignalKind::Urgency));
    assert!(has("I've asked 3 times already", SignalKind::Urgency));
    assert!(has(
        "I'll file a chargeback and call my lawyer",
        SignalKind::HighStakes
    ));
    assert!(has("this is a scam", SignalKind::HighStakes));
}

#[test]
fn a_topic_is_not_a_threat_and_a_date_is_not_impatience() {
    // What a question is about says nothing of the mood it is asked in.
    for calm in [
        "Can I cancel my order?",
        "cancel my account please",
        "I was charged twice",
        "when do I get my money back",
        "is a full refund possible?",
        "I'm waiting for a parcel, when will it come?",
        "I need this by friday, is express possible",
        "my parcel never arrived",
    ] {
        assert!(!has(calm, SignalKind::HighStakes), "{calm:?}");
        assert!(!has(calm, SignalKind::Urgency), "{calm:?}");
    }
}

#[test]
fn rejection_of_the_answer_is_detected() {
    for text in [
        "that's not what I asked",
        "you're not helping",
        "that doesn't answer my question",
        "Thats not what i asked!!",
    ] {
        assert!(has(text, SignalKind::Rejection), "{text}");
        assert!(score(text) > 0.5, "{text}: {}", score(text));
    }
}

#[test]
fn emoji_and_emoticons_carry_mood() {
    assert!(score("my order 😡") > 0.5);
    assert!(score("my order 🤬") > 0.5);
    assert!(score("ok >:(") > 0.3);
    assert!(score("thanks 🙂") < 0.05);
    assert!(score("thanks :)") < 0.05);
    assert!(score("great job 🙄") > 0.4);
}

#[test]
fn stretched_words_are_read_and_emphasised() {
    assert!(score("this is sooo annoying") > score("this is annoying") - 0.001);
    assert!(has("ughhhh", SignalKind::NegativeWording));
}

#[test]
fn signals_name_the_words_that_triggered_them() {
    let reading = read_message("You idiots, I want to talk to a human NOW");
    let ask = reading
        .signals
        .iter()
        .find(|s| s.kind == SignalKind::AskForHuman)
        .expect("ask");
    assert!(ask.evidence.contains("human"), "{}", ask.evidence);
    let insult = reading
        .signals
        .iter()
        .find(|s| s.kind == SignalKind::Insult)
        .expect("insult");
    assert!(insult.evidence.contains("idiots"), "{}", insult.evidence);
}

#[test]
fn signal_weights_add_up_to_the_score() {
    let reading = read_message("wtf this bot is useless, give me a human!!!");
    let raw: f32 = reading.signals.iter().map(|s| s.weight).sum();
    assert!((1.0 - (-raw).exp() - reading.score).abs() < 1e-4);
    assert!((reading.score - score("wtf this bot is useless, give me a human!!!")).abs() < 1e-6);
}

#[test]
fn never_panics_on_odd_input() {
    let long = "a".repeat(100_000);
    let words = "why is this so bad!!! ".repeat(5_000);
    let inputs = [
        "",
        " ",
        "!!!!!!",
        "😡",
        "🤬🤬🤬",
        ":(",
        ">:",
        ":",
        "<",
        "-_",
        "/s",
        "’",
        "'''",
        "\u{0}",
        "ééé",
        "中文字",
        "\u{FEFF}",
        "a\u{0301}",
        long.as_str(),
        words.as_str(),
        "don’t",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "http://x.y/z :/",
    ];
    for text in inputs {
        let s = score(text);
        assert!((0.0..=1.0).contains(&s), "{text:?}: {s}");
        let r = read_message(text);
        assert!((0.0..=1.0).contains(&r.score));
    }
}

#[test]
fn he_will_is_not_hell() {
    assert!(score("he'll be there") < 0.05);
}

#[test]
fn censored_swearing_is_profanity() {
    assert!(has("what the f*ck is this", SignalKind::Profanity));
    assert!(!has("a *bold* claim", SignalKind::Profanity));
}

#[test]
fn never_panics_on_random_text() {
    // A small deterministic generator over characters that stress the
    // tokenizer: quotes, emoticon parts, emoji, combining marks, multi-byte.
    const PARTS: &[&str] = &[
        "a",
        "Z",
        "o",
        "!",
        "?",
        ":",
        ";",
        "(",
        ")",
        ">",
        "<",
        "3",
        "-",
        "_",
        "/",
        "s",
        "*",
        "'",
        "’",
        " ",
        "\n",
        "😡",
        "🙄",
        "🙂",
        "é",
        "\u{301}",
        "中",
        "not",
        "but",
        "you",
        "human",
        "talk to a",
        "thanks for",
        "SOOOO",
        "!!!",
        "\u{FFFD}",
        "\u{200B}",
        "ﬁ",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..20_000 {
        let mut text = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = (state % 40) as usize;
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(PARTS[(state % PARTS.len() as u64) as usize]);
        }
        let s = score(&text);
        assert!((0.0..=1.0).contains(&s), "{text:?}");
        let r = read_message(&text);
        assert!((r.score - s).abs() < 1e-6, "{text:?}");
    }
}

#[test]
fn evidence_lists_the_longest_phrase_once() {
    let reading = read_message("I'm going to take legal action");
    let stakes = reading
        .signals
        .iter()
        .find(|s| s.kind == SignalKind::HighStakes)
        .expect("stakes");
    assert_eq!(stakes.evidence, "legal action");
}

#[test]
fn problem_reports_are_mild_not_furious() {
    let late = score("my package is late");
    assert!(late > 0.0 && late < 0.4, "{late}");
    assert!(score("I can't log in") < 0.4);
}

#[test]
fn a_long_rant_still_scores_high() {
    let rant =
        "why is this so bad!!! you idiots, talk to a human, thanks for nothing ".repeat(1500);
    assert!(score(&rant) > 0.8, "{}", score(&rant));
    let calm = "where is my order? I ordered it last week and would like to know. ".repeat(1500);
    assert!(score(&calm) < 0.2, "{}", score(&calm));
}
