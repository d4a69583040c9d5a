//! `tandem intents import`: a labelled CSV becomes one intent file per
//! intent, examples filled in and responses left as clearly marked
//! placeholders ([`PLACEHOLDER_MARK`]) that `check` warns about.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::cases::Case;
use super::{progress, ToolError};
use crate::intents::PLACEHOLDER_MARK;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Intent files written.
    pub intents: usize,
    /// Examples written.
    pub examples: usize,
    /// Out-of-scope rows left out (they are for `test`, not for intents).
    pub out_of_scope: usize,
    /// Rows left out because the same text was already an example (of this
    /// or another intent: one text, one intent).
    pub duplicates: usize,
}

#[derive(Serialize)]
struct File<'a> {
    intent: Vec<Spec<'a>>,
}

#[derive(Serialize)]
struct Spec<'a> {
    name: &'a str,
    examples: &'a [String],
    responses: Vec<String>,
}

/// Writes intent files for `cases` into `out` (created if needed). Refuses
/// to overwrite a file that exists.
pub fn import(cases: &[Case], out: &Path, log: &mut impl Write) -> Result<Imported, ToolError> {
    let file_error = |path: &Path, source| ToolError::File {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(out).map_err(|e| file_error(out, e))?;
    let mut order: Vec<&str> = Vec::new();
    let mut examples: HashMap<&str, Vec<String>> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut done = Imported::default();
    for case in cases {
        if case.out_of_scope() {
            done.out_of_scope += 1;
            continue;
        }
        if !seen.insert(case.text.trim().to_lowercase()) {
            done.duplicates += 1;
            continue;
        }
        let list = examples.entry(case.intent.as_str()).or_insert_with(|| {
            order.push(case.intent.as_str());
            Vec::new()
        });
        list.push(case.text.clone());
    }
    let bar = progress(order.len(), "writing intents");
    for name in order {
        bar.inc(1);
        let list = &examples[name];
        let path = out.join(format!("{}.toml", file_stem(name)));
        if path.exists() {
            bar.finish_and_clear();
            return Err(file_error(
                &path,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "already exists; import into an empty directory",
                ),
            ));
        }
        let body = toml::to_string(&File {
            intent: vec![Spec {
                name,
                examples: list,
                responses: vec![format!(
                    "{PLACEHOLDER_MARK} write what the bot answers for `{name}`"
                )],
            }],
        })
        .map_err(|e| ToolError::Cases {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let header = "# Imported by `tandem intents import`. Replace the placeholder response\n\
             # with the real answer; add a description (the label shown when the bot\n\
             # asks which intent a visitor meant) and quick replies.\n\n";
        std::fs::write(&path, format!("{header}{body}")).map_err(|e| file_error(&path, e))?;
        done.intents += 1;
        done.examples += list.len();
    }
    bar.finish_and_clear();
    writeln!(
        log,
        "wrote {} intent file(s) with {} examples to {} ({} out-of-scope row(s) and {} duplicate(s) left out); \
         next: write the answers, then run `tandem intents check {}`",
        done.intents,
        done.examples,
        out.display(),
        done.out_of_scope,
        done.duplicates,
        out.display()
    )?;
    Ok(done)
}

/// A safe file name for an intent name.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem == "policy" || stem == "matcher" {
        format!("intent_{stem}")
    } else {
        stem
    }
}
