//! What a browser is told and allowed: security headers on every response,
//! and which pages may open the websockets.

use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::{fixture_intents, spawn_app, spawn_app_configured, TestApp};

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(app.url(path)).await.unwrap()
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_console_cannot_be_framed_or_injected_into() {
    let app = spawn_app().await;
    for path in [
        "/console",
        "/console/main.js",
        "/console/admin/main.js",
        "/api/health",
        "/api/agent/setup",
    ] {
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
async fn the_widget_script_and_its_modules_stay_embeddable_on_other_sites() {
    let app = spawn_app().await;
    // The entry, and ES modules it imports: browsers fetch those with CORS.
    for path in ["/widget.js", "/widget/main.js", "/shared/socket.js"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(
            header(&response, "content-type")
                .unwrap()
                .contains("javascript"),
            "{path}"
        );
        assert_eq!(header(&response, "x-frame-options"), None, "{path}");
        assert_eq!(header(&response, "content-security-policy"), None, "{path}");
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        assert_eq!(
            header(&response, "cross-origin-resource-policy"),
            Some("cross-origin"),
            "{path}"
        );
    }
}

/// Opens a websocket at `path` with this `Origin` (none for a program);
/// returns the HTTP status of the refusal, or 101 for an open socket.
async fn handshake(app: &TestApp, path: &str, origin: Option<&str>) -> u16 {
    let mut request = format!("ws://{}{}", app.addr, path)
        .into_client_request()
        .unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", HeaderValue::from_str(origin).unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("handshake failed: {other}"),
    }
}

#[tokio::test]
async fn only_the_consoles_own_origin_opens_the_agent_socket() {
    let app = spawn_app().await;
    app.add_agent("sam", "correct-horse-7").await;
    let token = app.token("sam", "correct-horse-7").await;
    let path = format!("/ws/agent?token={token}");
    let own = format!("http://{}", app.addr);
    assert_eq!(handshake(&app, &path, Some(&own)).await, 101);
    assert_eq!(
        handshake(&app, &path, None).await,
        101,
        "programs have no Origin"
    );
    assert_eq!(
        handshake(&app, &path, Some("https://evil.example")).await,
        403
    );
    assert_eq!(handshake(&app, &path, Some("null")).await, 403);
    let other_port = format!("http://{}:1", app.addr.ip());
    assert_eq!(handshake(&app, &path, Some(&other_port)).await, 403);
    // Refused before the token is even looked at.
    assert_eq!(
        handshake(&app, "/ws/agent", Some("https://evil.example")).await,
        403
    );
}

#[tokio::test]
async fn any_site_opens_the_visitor_socket_until_the_owner_lists_origins() {
    let app = spawn_app().await;
    assert_eq!(
        handshake(&app, "/ws/visitor", Some("https://anyone.example")).await,
        101
    );

    let app = spawn_app_configured(tempfile::tempdir().unwrap(), fixture_intents(), |s| {
        s.allowed_origins =
            tandem::server::origin::AllowedOrigins::parse(&["https://shop.example"]).unwrap();
    })
    .await;
    assert_eq!(
        handshake(&app, "/ws/visitor", Some("https://shop.example")).await,
        101
    );
    assert_eq!(
        handshake(&app, "/ws/visitor", Some("https://anyone.example")).await,
        403
    );
    assert_eq!(handshake(&app, "/ws/visitor", None).await, 101);
    let own = format!("http://{}", app.addr);
    assert_eq!(
        handshake(&app, "/ws/visitor", Some(&own)).await,
        101,
        "the demo page"
    );
    // A listed origin may also open the agent socket.
    app.add_agent("sam", "correct-horse-7").await;
    let token = app.token("sam", "correct-horse-7").await;
    let path = format!("/ws/agent?token={token}");
    assert_eq!(
        handshake(&app, &path, Some("https://shop.example")).await,
        101
    );
}

#[tokio::test]
async fn a_browser_revalidating_the_pages_gets_not_modified_and_no_bytes() {
    let app = spawn_app().await;
    for path in ["/", "/console", "/widget.js", "/console/main.js"] {
        let first = get(&app, path).await;
        assert_eq!(first.status(), 200, "{path}");
        assert_eq!(header(&first, "cache-control"), Some("no-cache"), "{path}");
        let etag = header(&first, "etag").expect("an etag").to_owned();
        let again = reqwest::Client::new()
            .get(app.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(header(&again, "etag"), Some(etag.as_str()));
        assert!(again.bytes().await.unwrap().is_empty());
        // Another build's copy is sent in full.
        let stale = reqwest::Client::new()
            .get(app.url(path))
            .header("if-none-match", "\"0123\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}");
    }
}
