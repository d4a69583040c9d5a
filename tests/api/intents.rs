//! The owner's side of intents: `check` diagnostics, `test`, `tune`,
//! `import`, and the unanswered-questions list.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::helpers::{fixture_intents, TestApp};
use crate::reload::{admin_token, editable_intents, spawn_with_editable_intents};

#[tokio::test]
async fn questions_the_bot_could_not_answer_are_listed_for_the_owner() {
    let (app, _intents) = spawn_with_editable_intents().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.ask("c1", "do you sell kayaks").await;
    let (mut other, _) = app.visitor().await;
    other.ask("c1", "Do you sell kayaks?").await;
    // Other words, same question: grouped by meaning.
    let (mut third, _) = app.visitor().await;
    third.ask("c1", "are kayaks available in your shop").await;
    let token = admin_token(&app).await;
    let groups: Value = reqwest::Client::new()
        .get(app.url("/api/intents/unmatched?since=1h"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(groups[0]["count"], 3, "{groups}");
    assert!(
        groups[0]["nearest_intent"]["name"].is_string(),
        "each group names the intent nearest in meaning: {groups}"
    );
    let bad = reqwest::Client::new()
        .get(app.url("/api/intents/unmatched?since=yesterday-ish"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "invalid_field", "{body}");

    // The command line cannot open the database the server holds: it says
    // where to read the list instead of hanging.
    let out = tandem(&[
        "--data-dir",
        app.data.path().to_str().unwrap(),
        "intents",
        "unmatched",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/api/intents/unmatched"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn unmatched_lists_recorded_questions_once_the_server_is_stopped() {
    let (app, _intents) = spawn_with_editable_intents().await;
    let (mut visitor, _) = app.visitor().await;
    visitor.ask("c1", "gift wrapping available?").await;
    let TestApp { server, data, .. } = app;
    server.shutdown().await.unwrap();
    let out = tandem(&[
        "--data-dir",
        data.path().to_str().unwrap(),
        "intents",
        "unmatched",
        "--since",
        "1d",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("    1  gift wrapping available?"),
        "{}",
        stdout(&out)
    );
}

fn tandem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("tandem runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn check(files: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let out = tandem(&["intents", "check", dir.path().to_str().unwrap()]);
    (out.status.code(), stdout(&out))
}

const GOOD: &str = "[[intent]]\nname = \"hello\"\nexamples = [\"hi\"]\nresponses = [\"Hello!\"]\n";

#[test]
fn check_points_at_a_toml_syntax_error() {
    let (code, out) = check(&[("a.toml", "[[intent]]\nname = \"x\nexamples = []\n")]);
    assert_eq!(code, Some(1));
    assert!(out.contains("a.toml:2:"), "{out}");
}

#[test]
fn check_points_at_an_invalid_regex() {
    let body = "[[intent]]\nname = \"x\"\nexamples = [\"a\"]\npatterns = ['(?P<order\\d+)']\nresponses = [\"y\"]\n";
    let (code, out) = check(&[("a.toml", body)]);
    assert_eq!(code, Some(1));
    assert!(out.contains("a.toml:4:13: invalid regex"), "{out}");
}

#[test]
fn check_reports_an_intent_defined_twice() {
    let (code, out) = check(&[("a.toml", GOOD), ("b.toml", GOOD)]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("b.toml:2:8: intent `hello` is defined twice (first at"),
        "{out}"
    );
}

#[test]
fn check_reports_an_intent_without_responses_or_examples() {
    let (code, out) = check(&[("a.toml", "[[intent]]\nname = \"x\"\n")]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("a.toml:1:1: intent `x` has no examples"),
        "{out}"
    );
    assert!(
        out.contains("a.toml:1:1: intent `x` has no responses"),
        "{out}"
    );
}

#[test]
fn check_reports_the_same_example_under_two_intents() {
    let other = "[[intent]]\nname = \"greet\"\nexamples = [\"Hi \"]\nresponses = [\"Hey\"]\n";
    let (code, out) = check(&[("a.toml", GOOD), ("b.toml", other)]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("b.toml:3:13: the example \"Hi \" is also an example of `hello`"),
        "{out}"
    );
}

#[test]
fn check_warns_about_a_pattern_that_catches_another_intents_examples() {
    let greedy = "[[intent]]\nname = \"greedy\"\nexamples = [\"x\"]\npatterns = ['(?i)h']\nresponses = [\"y\"]\n";
    let (code, out) = check(&[("a.toml", GOOD), ("b.toml", greedy)]);
    assert_eq!(code, Some(0), "warnings do not fail: {out}");
    assert!(
        out.contains("b.toml:4:13: warning: the pattern of `greedy` also matches 1 example(s) of other intents, e.g. \"hi\" of `hello`"),
        "{out}"
    );
}

#[test]
fn imported_intents_load_and_check_warns_about_their_placeholder_answers() {
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("intents");
    let out = tandem(&[
        "intents",
        "import",
        "--csv",
        fixtures().join("cases/import.csv").to_str().unwrap(),
        "--out",
        target.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("wrote 2 intent file(s) with 4 examples"),
        "{}",
        stdout(&out)
    );
    let payments = std::fs::read_to_string(
        target
            .join("payments.toml")
            .with_file_name("payment_methods.toml"),
    )
    .unwrap();
    assert!(
        payments.contains(r#"'can I pay with "PayPal"?'"#),
        "{payments}"
    );

    let out = tandem(&["intents", "check", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let report = stdout(&out);
    assert!(report.contains("order_status.toml:8:14: warning: intent `order_status` still has an imported placeholder response"), "{report}");
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn test_reports_accuracy_and_recall_on_the_last_line_and_as_json() {
    let cases = fixtures().join("cases/shop.csv");
    let intents = fixture_intents();
    let args = [
        "intents",
        "test",
        "--cases",
        cases.to_str().unwrap(),
        "--intents",
        intents.to_str().unwrap(),
    ];
    let out = tandem(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert_eq!(
        report.lines().last(),
        Some("in-scope accuracy: 100.00% out-of-scope recall: 100.00%"),
        "{report}"
    );
    assert!(report.contains("per intent"), "{report}");

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = tandem(&json_args);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["in_scope_cases"], 7);
    assert_eq!(json["out_of_scope_cases"], 2);
    assert_eq!(json["per_intent"].as_array().unwrap().len(), 4);
}

#[test]
fn tune_writes_the_threshold_that_test_then_uses() {
    let intents = editable_intents();
    let cases = fixtures().join("cases/shop.csv");
    let out = tandem(&[
        "intents",
        "tune",
        "--cases",
        cases.to_str().unwrap(),
        "--intents",
        intents.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("confidence_threshold = "),
        "{}",
        stdout(&out)
    );
    let written = std::fs::read_to_string(intents.path().join("matcher.toml")).unwrap();
    let threshold: f32 = written
        .lines()
        .find_map(|l| l.strip_prefix("confidence_threshold = "))
        .unwrap()
        .parse()
        .unwrap();
    let out = tandem(&[
        "intents",
        "test",
        "--json",
        "--cases",
        cases.to_str().unwrap(),
        "--intents",
        intents.path().to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((json["confidence_threshold"].as_f64().unwrap() - f64::from(threshold)).abs() < 1e-6);
}
