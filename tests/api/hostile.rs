//! Hostile query strings and request bodies against every HTTP endpoint of
//! the real server: each gets a clear 4xx status (or its normal answer),
//! never a 5xx, a panic or a dropped connection — and the server keeps
//! answering afterwards.

use serde_json::Value;

use crate::helpers::spawn_app;

/// Values no owner would type: out of range, multi-byte where a unit is
/// expected, control characters, huge, empty.
fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "99999999999d",
        "9223372036854775807d",
        "-9223372036854775808h",
        "7é",
        "é",
        "🙂",
        "d",
        "",
        " ",
        "1e309d",
        "0x10d",
        "NaN",
        "-1d",
        "1.5d",
        "7 d",
        "７d",
        "\u{0}",
        "%00",
        "9999-99-99T99:99:99Z",
        "2026-13-40T00:00:00Z",
        "+999999-01-01T00:00:00Z",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("7".repeat(5000) + "d");
    v
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn hostile_query_strings_get_a_clear_status_never_a_crash() {
    let app = spawn_app().await;
    app.add_admin("olga", "correct horse battery").await;
    let token = app.token("olga", "correct horse battery").await;
    let client = reqwest::Client::new();
    for path in ["/api/reports", "/api/intents/unmatched"] {
        for value in hostile_values() {
            let url = app.url(&format!("{path}?since={}", encode(&value)));
            let response = client
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path} since={value:?}: the connection failed: {e}"));
            let status = response.status().as_u16();
            assert!(
                status == 200 || status == 400,
                "{path} since={value:?}: {status}"
            );
            if status == 400 {
                let body: Value = response.json().await.unwrap();
                assert_eq!(
                    body["code"], "invalid_field",
                    "{path} since={value:?}: {body}"
                );
            }
        }
        // Raw bytes that are not UTF-8 once decoded, and a broken escape.
        for raw in [
            "since=%E9",
            "since=%FF%FE",
            "since=%",
            "since=%Z1",
            "since&since=1d",
            "=1d",
        ] {
            let status = client
                .get(app.url(&format!("{path}?{raw}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert!((200..500).contains(&status), "{path}?{raw}: {status}");
        }
    }
    let health = reqwest::get(app.url("/api/health")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200, "the server still answers");
}

#[tokio::test]
async fn hostile_request_bodies_get_a_clear_status_never_a_crash() {
    let app = spawn_app().await;
    app.add_admin("olga", "correct horse battery").await;
    let token = app.token("olga", "correct horse battery").await;
    let client = reqwest::Client::new();
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"42".to_vec(),
        br#"{"name": 5, "password": []}"#.to_vec(),
        br#"{"name": "\u0000", "password": "\u0000"}"#.to_vec(),
        vec![0xff, 0xfe, b'{', b'}'],
        format!(r#"{{"name": "{}", "password": "x"}}"#, "a".repeat(100_000)).into_bytes(),
        br#"{"name": "sam", "password": "correct-horse-7", "role": "emperor"}"#.to_vec(),
    ];
    let posts = [
        "/api/agent/login",
        "/api/agent/logout",
        "/api/agent/setup",
        "/api/agents",
        "/api/agents/sam/password",
    ];
    for path in posts {
        for body in &bodies {
            let status = client
                .post(app.url(path))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("POST {path}: the connection failed: {e}"))
                .status()
                .as_u16();
            assert!(
                (200..500).contains(&status),
                "POST {path} with {:?}: {status}",
                String::from_utf8_lossy(&body[..body.len().min(40)])
            );
        }
    }
    let health = reqwest::get(app.url("/api/health")).await.unwrap();
    assert_eq!(health.status().as_u16(), 200, "the server still answers");
}
