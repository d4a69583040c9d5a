//! Security headers on every HTTP response.
//!
//! Three kinds of response, by path:
//! - **Tandem's own pages and API** (the console, its scripts, every
//!   `/api` answer): a strict `Content-Security-Policy` — scripts, styles
//!   and connections from this server only, no inline code, no framing —
//!   plus `X-Frame-Options: DENY` for browsers that predate
//!   `frame-ancestors`. The console holds an agent's whole desk; no other
//!   site may frame it or inject into it.
//! - **The embeddable widget** (`/widget.js`, and the ES modules it imports
//!   from `/widget/` and `/shared/`): loaded by `<script src>` on the
//!   owner's own sites, so no framing rules, and
//!   `Access-Control-Allow-Origin: *` plus
//!   `Cross-Origin-Resource-Policy: cross-origin` so it also loads on sites
//!   that isolate themselves (COEP) or add `crossorigin` to the tag. The
//!   CORS header is not optional here: browsers fetch module scripts in CORS
//!   mode, so a module from another origin without it does not run. These
//!   are public static files; the widget's socket is guarded separately
//!   (`allowed_origins`, [`super::origin`]).
//! - **The demo shop** (`/`): it stands in for an owner's page, with the
//!   inline styles and script such a page has and the widget's injected
//!   stylesheet, so it gets no CSP.
//!
//! Every response gets `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: no-referrer`.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The console's policy: only this server's own files and sockets.
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; \
base-uri 'none'; form-action 'self'; object-src 'none'";

/// What other sites load: the widget's entry script, and every file under
/// the folders its modules live in (an entry ending in `/` is a folder).
/// The console's own modules (`/console/`) are not here.
pub const EMBEDDABLE: &[&str] = &["/widget.js", "/widget/", "/shared/"];

/// Paths of the demo shop.
const DEMO: &[&str] = &["/", "/index.html"];

/// What kind of response a path gets (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The console, its files, the API.
    Own,
    /// Embedded on other sites.
    Embeddable,
    /// The demo shop.
    Demo,
}

impl Kind {
    /// The kind of `path`.
    pub fn of(path: &str) -> Kind {
        let embeddable = |entry: &&str| {
            if entry.ends_with('/') {
                path.starts_with(entry)
            } else {
                path == *entry
            }
        };
        if EMBEDDABLE.iter().any(embeddable) {
            Kind::Embeddable
        } else if DEMO.contains(&path) {
            Kind::Demo
        } else {
            Kind::Own
        }
    }
}

/// The headers a response of `kind` carries.
pub fn for_kind(kind: Kind) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    match kind {
        Kind::Own => {
            headers.push((
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONSOLE_CSP),
            ));
            headers.push((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
        }
        Kind::Embeddable => {
            headers.push((
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ));
            headers.push((
                HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ));
        }
        Kind::Demo => {}
    }
    headers
}

/// The middleware: adds [`for_kind`]'s headers to every response.
pub async fn add(request: Request, next: Next) -> Response {
    let kind = Kind::of(request.uri().path());
    let mut response = next.run(request).await;
    apply(kind, response.headers_mut());
    response
}

fn apply(kind: Kind, headers: &mut HeaderMap) {
    for (name, value) in for_kind(kind) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widget_is_embeddable_and_the_console_is_not() {
        assert_eq!(Kind::of("/widget.js"), Kind::Embeddable);
        assert_eq!(Kind::of("/widget/main.js"), Kind::Embeddable);
        assert_eq!(Kind::of("/shared/socket.js"), Kind::Embeddable);
        assert_eq!(Kind::of("/widget.jsx"), Kind::Own);
        assert_eq!(Kind::of("/widgets/main.js"), Kind::Own);
        assert_eq!(Kind::of("/console"), Kind::Own);
        assert_eq!(Kind::of("/console/main.js"), Kind::Own);
        assert_eq!(Kind::of("/api/agent/login"), Kind::Own);
        assert_eq!(Kind::of("/"), Kind::Demo);
        let widget = for_kind(Kind::Embeddable);
        assert!(!widget
            .iter()
            .any(|(n, _)| n == header::X_FRAME_OPTIONS || n == header::CONTENT_SECURITY_POLICY));
    }
}
