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

pub mod classifier;
pub mod matcher;
pub mod tools;
pub mod unmatched;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

pub use matcher::{FirstLook, Match, MatchedBy, Matcher, MatcherSettings, Verdict};

use crate::empathy::EscalationPolicy;
use crate::encoder::Embedder;

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CannedFile {
    #[serde(default)]
    reply: Vec<Spanned<CannedReply>>,
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

/// A place in an intent file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceLocation {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
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

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// The set cannot load; a live reload keeps the old one.
    #[default]
    Error,
    /// Worth fixing, but the set loads and the bot runs.
    Warning,
}

/// One problem in the intent files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where it is.
    pub location: SourceLocation,
    /// What is wrong, for people.
    pub message: String,
    /// Whether it stops the set from loading.
    pub severity: Severity,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Error => write!(f, "{}: {}", self.location, self.message),
            Severity::Warning => write!(f, "{}: warning: {}", self.location, self.message),
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentFile {
    #[serde(default)]
    intent: Vec<Spanned<IntentSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentSpec {
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    examples: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    responses: Vec<Spanned<String>>,
    #[serde(default)]
    empathetic_responses: Vec<String>,
    #[serde(default)]
    quick_replies: Vec<String>,
    #[serde(default)]
    handoff: bool,
    #[serde(default)]
    handoff_reason: Option<String>,
    #[serde(default)]
    priority: i32,
}

/// Reads every intent file in `dir` and the policy, or reports every
/// problem; trains the matcher with `embedder`'s sentence vectors of the
/// examples when it has an encoder.
pub fn load_dir(dir: &Path, embedder: &Embedder) -> Result<IntentSet, Vec<Diagnostic>> {
    load_dir_with_progress(dir, embedder, &|_, _| {})
}

/// [`load_dir`], telling `progress(done, total)` how the encoding of new
/// examples goes (the slow part of a first load: about 3 ms an example).
pub fn load_dir_with_progress(
    dir: &Path,
    embedder: &Embedder,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<IntentSet, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let whole_dir = |message: String| Diagnostic {
        location: SourceLocation {
            file: dir.to_path_buf(),
            line: 1,
            column: 1,
        },
        message,
        severity: Severity::Error,
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) => {
            return Err(vec![whole_dir(format!(
                "cannot read the intents directory: {e}"
            ))])
        }
    };
    files.sort();

    let mut policy = PolicyFile::default();
    let mut settings = MatcherSettings::default();
    let mut intents = Vec::new();
    let mut canned: Vec<CannedReply> = Vec::new();
    let mut seen: HashMap<String, SourceLocation> = HashMap::new();
    let mut seen_examples: HashMap<String, (String, SourceLocation)> = HashMap::new();
    // (intent index, pattern, where) for the cross-intent pattern check.
    let mut pattern_sites: Vec<(usize, Regex, SourceLocation)> = Vec::new();
    for path in &files {
        let source = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                diagnostics.push(error(
                    location(path, "", 0),
                    format!("cannot read the file: {e}"),
                ));
                continue;
            }
        };
        if path.file_name().is_some_and(|n| n == CANNED_FILE) {
            match toml::from_str::<CannedFile>(&source) {
                Ok(file) => {
                    for reply in file.reply {
                        let at = location(path, &source, reply.span().start);
                        let reply = reply.into_inner();
                        let shortcut_ok = !reply.shortcut.is_empty()
                            && reply
                                .shortcut
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                        let problem = if !shortcut_ok {
                            Some(format!(
                                "shortcut {:?} must be letters, digits, '-' or '_'",
                                reply.shortcut
                            ))
                        } else if reply.text.trim().is_empty() {
                            Some(format!("canned reply /{} has no text", reply.shortcut))
                        } else if canned
                            .iter()
                            .any(|c: &CannedReply| c.shortcut == reply.shortcut)
                        {
                            Some(format!("shortcut /{} is defined twice", reply.shortcut))
                        } else {
                            None
                        };
                        match problem {
                            Some(message) => diagnostics.push(error(at, message)),
                            None => canned.push(reply),
                        }
                    }
                }
                Err(e) => diagnostics.push(toml_error(path, &source, &e)),
            }
            continue;
        }
        if path.file_name().is_some_and(|n| n == POLICY_FILE) {
            match toml::from_str::<PolicyFile>(&source) {
                Ok(p) => {
                    let at = source.find("[escalation").unwrap_or(0);
                    for message in p.escalation.problems() {
                        diagnostics.push(error(location(path, &source, at), message));
                    }
                    policy = p;
                }
                Err(e) => diagnostics.push(toml_error(path, &source, &e)),
            }
            continue;
        }
        if path.file_name().is_some_and(|n| n == MATCHER_FILE) {
            match toml::from_str::<MatcherSettings>(&source) {
                Ok(s) => {
                    for (key, value) in [
                        ("confidence_threshold", s.confidence_threshold),
                        ("close_call_margin", s.close_call_margin),
                    ] {
                        if !(0.0..=1.0).contains(&value) {
                            let at = source.find(key).unwrap_or(0);
                            diagnostics.push(error(
                                location(path, &source, at),
                                format!("{key} must be between 0 and 1"),
                            ));
                        }
                    }
                    settings = s;
                }
                Err(e) => diagnostics.push(toml_error(path, &source, &e)),
            }
            continue;
        }
        let file: IntentFile = match toml::from_str(&source) {
            Ok(f) => f,
            Err(e) => {
                diagnostics.push(toml_error(path, &source, &e));
                continue;
            }
        };
        for spec in file.intent {
            let span = spec.span();
            let spec = spec.into_inner();
            let at = location(path, &source, spec.name.span().start);
            let mut problem = |span: Range<usize>, severity: Severity, message: String| {
                diagnostics.push(Diagnostic {
                    location: location(path, &source, span.start),
                    message,
                    severity,
                });
            };
            let name = spec.name.get_ref().trim().to_owned();
            if name.is_empty() {
                problem(
                    spec.name.span(),
                    Severity::Error,
                    "an intent needs a name".into(),
                );
            } else if let Some(first) = seen.get(&name) {
                problem(
                    spec.name.span(),
                    Severity::Error,
                    format!("intent `{name}` is defined twice (first at {first})"),
                );
            } else {
                seen.insert(name.clone(), at.clone());
            }
            if spec.examples.is_empty() {
                problem(
                    span.clone(),
                    Severity::Error,
                    format!("intent `{name}` has no examples"),
                );
            }
            if spec.responses.is_empty() {
                problem(
                    span.clone(),
                    Severity::Error,
                    format!("intent `{name}` has no responses"),
                );
            }
            for response in &spec.responses {
                if response
                    .get_ref()
                    .trim_start()
                    .starts_with(PLACEHOLDER_MARK)
                {
                    problem(
                        response.span(),
                        Severity::Warning,
                        format!("intent `{name}` still has an imported placeholder response: write the real answer"),
                    );
                }
            }
            if !spec.responses.is_empty()
                && !spec.examples.is_empty()
                && spec
                    .responses
                    .iter()
                    .all(|r| !placeholders(r.get_ref()).is_empty())
            {
                problem(
                    span.clone(),
                    Severity::Warning,
                    format!(
                        "every response of `{name}` fills a placeholder from a pattern; a question matched by its \
                         examples would show it unfilled: add one response without placeholders"
                    ),
                );
            }
            for example in &spec.examples {
                let key = example.get_ref().trim().to_lowercase();
                if let Some((other, first)) = seen_examples.get(&key) {
                    if other != &name {
                        problem(
                            example.span(),
                            Severity::Error,
                            format!(
                                "the example {:?} is also an example of `{other}` (at {first})",
                                example.get_ref()
                            ),
                        );
                    }
                } else {
                    seen_examples.insert(
                        key,
                        (name.clone(), location(path, &source, example.span().start)),
                    );
                }
            }
            let mut patterns = Vec::new();
            for p in &spec.patterns {
                match Regex::new(p.get_ref()) {
                    Ok(re) => {
                        pattern_sites.push((
                            intents.len(),
                            re.clone(),
                            location(path, &source, p.span().start),
                        ));
                        patterns.push(re);
                    }
                    Err(e) => problem(
                        p.span(),
                        Severity::Error,
                        format!("invalid regex: {}", one_line(&e.to_string())),
                    ),
                }
            }
            intents.push(Intent {
                name,
                description: spec.description,
                examples: spec.examples.into_iter().map(Spanned::into_inner).collect(),
                patterns,
                responses: spec
                    .responses
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
                empathetic_responses: spec.empathetic_responses,
                quick_replies: spec.quick_replies,
                handoff: spec.handoff,
                handoff_reason: spec.handoff_reason,
                priority: spec.priority,
                source: at,
            });
        }
    }
    if intents.is_empty() && diagnostics.is_empty() {
        diagnostics.push(whole_dir(
            "no intents found: add a *.toml file with [[intent]] tables".into(),
        ));
    }
    // A pattern that also fires on another intent's examples steals them
    // from the classifier; usually too broad, sometimes intended.
    for (owner, re, at) in &pattern_sites {
        let stolen: Vec<(&str, &str)> = intents
            .iter()
            .enumerate()
            .filter(|(i, _)| i != owner)
            .flat_map(|(_, other)| {
                other
                    .examples
                    .iter()
                    .filter(|e| re.is_match(e))
                    .map(move |e| (other.name.as_str(), e.as_str()))
            })
            .collect();
        if let Some((other, example)) = stolen.first() {
            diagnostics.push(Diagnostic {
                location: at.clone(),
                message: format!(
                    "the pattern of `{}` also matches {} example(s) of other intents, e.g. {example:?} of `{other}`",
                    intents[*owner].name,
                    stolen.len()
                ),
                severity: Severity::Warning,
            });
        }
    }
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        let mut all = errors;
        all.extend(warnings);
        return Err(all);
    }
    let texts: Vec<&str> = intents
        .iter()
        .flat_map(|i| i.examples.iter().map(String::as_str))
        .collect();
    let vectors = embedder.embed_examples(&texts, progress);
    if let Err(e) = embedder.save_examples() {
        // Only a cache: the next load encodes again.
        tracing::warn!(error = %e, "cannot save the example vectors");
    }
    let matcher = Matcher::build(&intents, settings, vectors.as_deref()).map_err(|e| {
        vec![whole_dir(format!(
            "the patterns together are too large: {e}"
        ))]
    })?;
    Ok(IntentSet {
        intents,
        policy,
        matcher,
        canned,
        warnings,
    })
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

fn error(location: SourceLocation, message: String) -> Diagnostic {
    Diagnostic {
        location,
        message,
        severity: Severity::Error,
    }
}

fn toml_error(path: &Path, source: &str, e: &toml::de::Error) -> Diagnostic {
    error(
        location(path, source, e.span().map(|s| s.start).unwrap_or(0)),
        one_line(e.message()),
    )
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Line and column (both from 1) of byte `offset` in `source`.
fn location(path: &Path, source: &str, offset: usize) -> SourceLocation {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    SourceLocation {
        file: path.to_path_buf(),
        line,
        column,
    }
}

#[cfg(test)]
mod tests;
