//! Tests of intent files: loading, diagnostics and replies.

use super::*;
use crate::encoder::Embedder;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

const GOOD: &str = r#"
[[intent]]
name = "greeting"
examples = ["hi", "hello"]
responses = ["Hello!"]
"#;

#[test]
fn a_good_file_loads() {
    let dir = dir_with(&[("a.toml", GOOD)]);
    let set = load_dir(dir.path(), &Embedder::none()).unwrap();
    assert_eq!(set.intents.len(), 1);
    assert_eq!(set.policy.bot.name, "Tandem");
}

#[test]
fn a_toml_syntax_error_points_at_its_line() {
    let dir = dir_with(&[("a.toml", "[[intent]]\nname = \"x\nexamples = []\n")]);
    let errors = load_dir(dir.path(), &Embedder::none()).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].location.line, 2, "{}", errors[0]);
}

#[test]
fn every_owner_mistake_is_reported_at_once_with_its_line() {
    let body = "[[intent]]\nname = \"a\"\nexamples = [\"hi\"]\nresponses = []\n\n[[intent]]\nname = \"a\"\nexamples = [\"hi\"]\npatterns = ['(unclosed']\nresponses = [\"x\"]\n";
    let dir = dir_with(&[("a.toml", body)]);
    let errors: Vec<String> = load_dir(dir.path(), &Embedder::none())
        .unwrap_err()
        .iter()
        .map(|d| format!("{}:{} {}", d.location.line, d.location.column, d.message))
        .collect();
    let all = errors.join("\n");
    assert!(all.contains("no responses"), "{all}");
    assert!(all.contains("7:8 intent `a` is defined twice"), "{all}");
    assert!(all.contains("invalid regex"), "{all}");
    assert!(errors.iter().any(|e| e.starts_with("9:")), "{all}");
}

#[test]
fn an_unknown_key_is_caught_rather_than_ignored() {
    let dir = dir_with(&[(
        "a.toml",
        "[[intent]]\nname = \"a\"\nexampels = [\"hi\"]\nresponses = [\"x\"]\n",
    )]);
    let errors = load_dir(dir.path(), &Embedder::none()).unwrap_err();
    assert!(errors[0].message.contains("exampels"), "{}", errors[0]);
}

#[test]
fn a_misspelt_escalation_weight_points_at_its_line() {
    let dir = dir_with(&[
        ("a.toml", GOOD),
        (
            "policy.toml",
            "[escalation]\nsoft_threshold = 0.4\n\n[escalation.weights]\nsarcasim = 2.0\n",
        ),
    ]);
    let errors = load_dir(dir.path(), &Embedder::none()).unwrap_err();
    assert_eq!(errors[0].location.line, 5, "{}", errors[0]);
    assert!(errors[0].message.contains("sarcasim"), "{}", errors[0]);
}

#[test]
fn canned_replies_load_and_bad_ones_point_at_their_line() {
    let dir = dir_with(&[
        ("a.toml", GOOD),
        (
            "canned.toml",
            "[[reply]]\nshortcut = \"hours\"\ntext = \"We're here 9 to 5.\"\n",
        ),
    ]);
    let set = load_dir(dir.path(), &Embedder::none()).unwrap();
    assert_eq!(set.canned[0].shortcut, "hours");
    let dir = dir_with(&[
            ("a.toml", GOOD),
            ("canned.toml", "[[reply]]\nshortcut = \"a\"\ntext = \"x\"\n\n[[reply]]\nshortcut = \"a\"\ntext = \"y\"\n"),
        ]);
    let errors = load_dir(dir.path(), &Embedder::none()).unwrap_err();
    assert_eq!(errors[0].location.line, 5, "{}", errors[0]);
    assert!(errors[0].message.contains("defined twice"));
}

#[test]
fn the_policy_file_overrides_the_bot_settings() {
    let dir = dir_with(&[
        ("a.toml", GOOD),
        (
            "policy.toml",
            "[bot]\nname = \"Ada\"\n[escalation]\nmax_misses_in_row = 3\n",
        ),
    ]);
    let set = load_dir(dir.path(), &Embedder::none()).unwrap();
    assert_eq!(set.policy.bot.name, "Ada");
    assert_eq!(set.policy.escalation.max_misses_in_row, 3);
}
