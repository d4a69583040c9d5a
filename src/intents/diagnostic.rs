//! Problems found in the intent files: where each one is, how bad it is, and
//! the helpers that build a [`Diagnostic`] from a byte offset or a TOML
//! parse error, reported as `file:line:col: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an intent file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceLocation {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
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

pub(super) fn error(location: SourceLocation, message: String) -> Diagnostic {
    Diagnostic {
        location,
        message,
        severity: Severity::Error,
    }
}

pub(super) fn toml_error(path: &Path, source: &str, e: &toml::de::Error) -> Diagnostic {
    error(
        location(path, source, e.span().map(|s| s.start).unwrap_or(0)),
        one_line(e.message()),
    )
}

pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Line and column (both from 1) of byte `offset` in `source`.
pub(super) fn location(path: &Path, source: &str, offset: usize) -> SourceLocation {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    SourceLocation {
        file: path.to_path_buf(),
        line,
        column,
    }
}
