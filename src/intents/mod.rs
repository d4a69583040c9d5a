//! The owner's intent files: format, loading and validation.
//!
//! An intents directory holds any number of `*.toml` files, each with
//! `[[intent]]` tables, plus one optional `policy.toml` with the bot's own
//! words and the escalation thresholds, and one optional `matcher.toml` with
//! the matcher's threshold and close-call margin (see `docs/intents.md`). Loading reads
//! every file, checks everything an owner can get wrong, and either returns a
//! complete, compiled [`IntentSet`] or every problem found as a
//! [`Diagnostic`] (`file:line:col: message`) — never half a set. That is what
//! lets a live reload keep the old set when an edit is broken. Problems that
//! do not stop the bot (an imported placeholder answer, a pattern that also
//! catches another intent's examples) are warnings, kept in
//! [`IntentSet::warnings`].
//!
//! # Layout
//!
//! * `load` — reading an intents directory: the file format as parsed,
//!   every check, and the compiled [`IntentSet`] or the [`Diagnostic`]s.
//! * `diagnostic` — where a problem is ([`SourceLocation`]), how bad it is
//!   ([`Severity`]) and the [`Diagnostic`] that reports it.
//! * `classifier`, `matcher`, `tools`, `unmatched` — see their own docs.

pub mod classifier;
mod diagnostic;
mod load;
pub mod matcher;
pub mod tools;
pub mod unmatched;

use std::path::Path;

use regex::Regex;
use serde::Deserialize;

pub use diagnostic::{Diagnostic, Severity, SourceLocation};
pub use load::{load_dir, load_dir_with_progress};
pub use matcher::{FirstLook, Match, MatchedBy, Matcher, MatcherSettings, Verdict};

use crate::empathy::EscalationPolicy;

/// The file that holds the bot's settings rather than intents.
pub const POLICY_FILE: &str = "policy.toml";
/// The file that holds the agents' canned replies.
pub const CANNED_FILE: &str = "canned.toml";

/// A ready-made answer agents insert by typing `/` and its shortcut.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedReply {
    /// What the agent types after `/`, e.g. `refund-time`.
    pub shortcut: String,
    /// The text inserted into the reply box.
    pub text: String,
}

/// The file that holds the matcher's settings, written by `tandem intents tune`.
pub const MATCHER_FILE: &str = "matcher.toml";

/// Responses that `tandem intents import` writes start with this; `check`
/// warns about every one left.
pub const PLACEHOLDER_MARK: &str = "TODO(import):";

/// One intent, validated and with its patterns compiled.
#[derive(Debug, Clone, Default)]
pub struct Intent {
    /// Unique name, e.g. `order_status`.
    pub name: String,
    /// One line for owners.
    pub description: Option<String>,
    /// Example phrasings the matcher learns from.
    pub examples: Vec<String>,
    /// Exact rules, tried before the examples.
    pub patterns: Vec<Regex>,
    /// Answers, rotated.
    pub responses: Vec<String>,
    /// Answers for an upset visitor (acknowledge first).
    pub empathetic_responses: Vec<String>,
    /// Suggested next messages.
    pub quick_replies: Vec<String>,
    /// Always hand this intent to a person.
    pub handoff: bool,
    /// What agents read as the reason when `handoff` is set.
    pub handoff_reason: Option<String>,
    /// When patterns of several intents match, the highest priority wins
    /// (then the intent listed first). Default 0.
    pub priority: i32,
    /// Where the intent is defined, for diagnostics.
    pub source: SourceLocation,
}

impl Intent {
    /// The short text the bot offers when it asks which intent a visitor
    /// meant: the description, or else the name in words.
    pub fn label(&self) -> String {
        match &self.description {
            Some(d) if !d.trim().is_empty() => d.trim().to_owned(),
            _ => {
                let words = self.name.replace(['_', '-'], " ");
                let mut chars = words.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => words,
                }
            }
        }
    }
}

/// The bot's own words and settings from `policy.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BotSettings {
    /// The name shown on bot messages.
    pub name: String,
    /// What the bot says when it does not understand.
    pub fallback: String,
    /// Quick replies offered with the fallback.
    pub fallback_quick_replies: Vec<String>,
    /// Said when the conversation goes to the queue; `{reason}` is replaced
    /// with why, in the visitor's terms.
    pub handoff_message: String,
    /// What the bot says before the two quick replies when two intents are
    /// too close to call.
    pub clarify: String,
    /// What the bot says to thanks or praise it has no answer for.
    pub pleasantry: String,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            name: "Tandem".into(),
            fallback: "I'm not sure I understood — could you rephrase, or shall I get a person?"
                .into(),
            fallback_quick_replies: vec!["Talk to a person".into()],
            handoff_message: "I've asked a member of our team to take over — {reason}. \
                They'll see our whole conversation, so you won't need to repeat yourself."
                .into(),
            clarify: "Just to be sure — which of these did you mean?".into(),
            pleasantry: "Glad to help! Is there anything else I can do for you?".into(),
        }
    }
}

/// The whole `policy.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyFile {
    pub bot: BotSettings,
    pub escalation: EscalationPolicy,
}

/// A loaded, validated, compiled set of intents: what the live bot runs on.
#[derive(Debug)]
pub struct IntentSet {
    /// The intents, in file-name then file order.
    pub intents: Vec<Intent>,
    /// The bot's own words and thresholds.
    pub policy: PolicyFile,
    /// Compiled and trained once here; never per message.
    pub matcher: Matcher,
    /// Agents' canned replies from `canned.toml` (none if absent).
    pub canned: Vec<CannedReply>,
    /// Problems that do not stop the set from loading.
    pub warnings: Vec<Diagnostic>,
}

impl IntentSet {
    /// Index of the intent called `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.intents.iter().position(|i| i.name == name)
    }
}

/// The `{name}` placeholders a response uses (filled from a pattern's named
/// captures).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if close > 0
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// Writes `settings` to the intents directory's [`MATCHER_FILE`].
pub fn save_settings(dir: &Path, settings: &MatcherSettings) -> std::io::Result<()> {
    let body = format!(
        "# The matcher's settings, chosen by `tandem intents tune` (see docs/intents.md).\n\
         # Below this confidence the bot falls back instead of answering…\n\
         confidence_threshold = {:.3}\n\
         # …and below this one when the n-grams decide alone (the encoder off or busy).\n\
         ngram_threshold = {:.3}\n\
         # From this n-gram confidence on, the sentence encoder is not asked.\n\
         skip_encoder_above = {:.3}\n\
         # When the two best intents are closer than this, the bot asks which one.\n\
         close_call_margin = {:.3}\n",
        settings.confidence_threshold,
        settings.ngram_threshold,
        settings.skip_encoder_above,
        settings.close_call_margin
    );
    std::fs::write(dir.join(MATCHER_FILE), body)
}

#[cfg(test)]
mod tests;
