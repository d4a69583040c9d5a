//! Loading an intents directory: every `*.toml` file parsed with spans,
//! every check an owner can get wrong, the policy, matcher settings and
//! canned replies, and the matcher trained on the examples, giving either a
//! complete [`IntentSet`] or every problem found.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::diagnostic::{error, location, one_line, toml_error};
use super::{
    placeholders, CannedReply, Diagnostic, Intent, IntentSet, Matcher, MatcherSettings, PolicyFile,
    Severity, SourceLocation, CANNED_FILE, MATCHER_FILE, PLACEHOLDER_MARK, POLICY_FILE,
};
use crate::encoder::Embedder;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CannedFile {
    #[serde(default)]
    reply: Vec<Spanned<CannedReply>>,
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
