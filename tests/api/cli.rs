//! The `tandem` command line as an owner uses it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::spawn_app;

pub fn tandem(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tandem runs");
    // The command may exit before reading its input (e.g. when the store is
    // locked); a broken pipe here is part of that outcome, not a failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn agent_add_while_the_server_runs_says_so_instead_of_hanging() {
    let app = spawn_app().await;
    let out = tandem(
        app.data.path(),
        &["agent", "add", "sam"],
        "correct-horse-7\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("in use by another Tandem process"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_added_agent_is_listed_and_can_sign_in() {
    let data = tempfile::tempdir().unwrap();
    let out = tandem(data.path(), &["agent", "add", "sam"], "correct-horse-7\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tandem(data.path(), &["agent", "list"], "");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("sam\t"));

    let out = tandem(data.path(), &["agent", "add", "kim"], "short\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let out = tandem(data.path(), &["agent", "add", "kim"], "password123\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("most common"));

    let store = tandem::store::Store::open(data.path()).unwrap();
    let sam = store.agent("sam").await.unwrap().unwrap();
    assert!(tandem::agents::verify_password(
        "correct-horse-7",
        &sam.password_hash
    ));
}

#[test]
fn intents_check_points_at_the_broken_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), "[[intent]]\nname = \"a\"\nexamples = [\"hi\"]\npatterns = ['(oops']\nresponses = [\"x\"]\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["intents", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("a.toml:4:"), "{stdout}");
    assert!(stdout.contains("invalid regex"), "{stdout}");
}

#[tokio::test]
async fn an_owner_manages_agents_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let ok = |out: Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(tandem(
        data.path(),
        &["agent", "add", "olga", "--role", "admin"],
        "correct-horse-7\n",
    ));
    ok(tandem(
        data.path(),
        &["agent", "add", "sam"],
        "correct-horse-7\n",
    ));
    let list = ok(tandem(data.path(), &["agent", "list"], ""));
    assert!(
        list.contains("olga\tadmin\t") && list.contains("sam\tagent\t"),
        "{list}"
    );

    ok(tandem(
        data.path(),
        &["agent", "passwd", "sam"],
        "a-new-password\n",
    ));
    ok(tandem(data.path(), &["agent", "remove", "olga"], ""));
    let list = ok(tandem(data.path(), &["agent", "list"], ""));
    assert!(!list.contains("olga"), "{list}");
    let out = tandem(data.path(), &["agent", "remove", "olga"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no agent called \"olga\""));

    let store = tandem::store::Store::open(data.path()).unwrap();
    let sam = store.agent("sam").await.unwrap().unwrap();
    assert!(tandem::agents::verify_password(
        "a-new-password",
        &sam.password_hash
    ));
}
