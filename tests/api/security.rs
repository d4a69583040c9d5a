//! What a browser is told: security headers on every response.

use crate::helpers::{spawn_app, TestApp};

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(app.url(path)).await.unwrap()
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_console_cannot_be_framed_or_injected_into() {
    let app = spawn_app().await;
    for path in ["/console", "/console.js", "/api/health", "/api/agent/setup"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(header(&response, "x-frame-options"), Some("DENY"), "{path}");
        let csp = header(&response, "content-security-policy").unwrap_or_default();
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: {directive} missing from {csp}"
            );
        }
    }
    // Errors too.
    let missing = get(&app, "/no-such-file").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "x-frame-options"), Some("DENY"));
}

#[tokio::test]
async fn the_console_page_has_no_inline_code_the_policy_would_block() {
    let app = spawn_app().await;
    let page = get(&app, "/console").await.text().await.unwrap();
    assert!(!page.contains("<style"), "inline <style> in the console");
    assert!(
        !page.contains(" style=\""),
        "inline style attribute in the console"
    );
    for (i, _) in page.match_indices("<script") {
        let tag = &page[i..i + page[i..].find('>').unwrap()];
        assert!(tag.contains("src="), "inline script in the console: {tag}");
    }
    assert!(!page.contains(" onclick="), "inline handler in the console");
}

#[tokio::test]
async fn the_widget_script_stays_embeddable_on_other_sites() {
    let app = spawn_app().await;
    let response = get(&app, "/widget.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "x-content-type-options"), Some("nosniff"));
    assert!(header(&response, "content-type")
        .unwrap()
        .contains("javascript"));
    assert_eq!(header(&response, "x-frame-options"), None);
    assert_eq!(header(&response, "content-security-policy"), None);
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&response, "cross-origin-resource-policy"),
        Some("cross-origin")
    );
}
