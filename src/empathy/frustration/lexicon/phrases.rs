//! Multi-word expressions (sarcasm, rejection, asking for a person, urgency,
//! stakes, hostility, swearing, calm) with their weights, and the longest
//! phrase the scanner looks back for.

/// What a phrase means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::empathy::frustration) enum PhraseKind {
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
pub(in crate::empathy::frustration) const PHRASES: &[(PhraseKind, f32, &[&str])] = &[
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

/// The longest phrase, in words.
pub(in crate::empathy::frustration) const MAX_PHRASE_WORDS: usize = 5;
