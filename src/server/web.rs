//! The web pages, embedded in the binary at build time from `web/`.
//!
//! `/` is the demo shop with the widget, `/console` the agent console, and
//! every other file in `web/` is served under its own path (`/widget.js`,
//! `/widget/main.js`, `/console/main.js`): one table of assets, the
//! embedded folder, and no route per file. The pages' scripts are native
//! ES modules (no build step), so a new module is served as soon as it is
//! in `web/`; which of them other sites may load is `super::headers`'
//! decision. Embedding keeps Tandem one binary: no asset directory to
//! deploy.

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::Embed;

use super::AppState;

#[derive(Embed)]
#[folder = "web/"]
struct Assets;

/// Routes for the pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|headers: HeaderMap| async move { asset("index.html", &headers) }),
        )
        .route(
            "/console",
            get(|headers: HeaderMap| async move { asset("console.html", &headers) }),
        )
        .route(
            "/{*file}",
            get(|Path(file): Path<String>, headers: HeaderMap| async move {
                asset(&file, &headers)
            }),
        )
}

/// An embedded file, or 304 when the browser's copy (`If-None-Match`) is
/// this build's: pages change with each release, so browsers revalidate
/// every time (`no-cache`), and a page load of two dozen modules costs two
/// dozen small 304s instead of their bytes.
fn asset(path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = Assets::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = etag_of(&file.metadata.sha256_hash());
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let common = [
        (header::CACHE_CONTROL, "no-cache".to_owned()),
        (header::ETAG, etag),
    ];
    if cached {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    (
        common,
        [(header::CONTENT_TYPE, mime.as_ref().to_owned())],
        file.data,
    )
        .into_response()
}

/// A strong validator from the file's hash (the first 16 bytes, in hex).
fn etag_of(hash: &[u8; 32]) -> String {
    let hex: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::headers::Kind;

    /// The module specifiers a script imports statically (`… from './x.js'`).
    fn imports(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter(|line| line.starts_with("import ") || line.starts_with("} from "))
            .filter_map(|line| line.split(" from '").nth(1)?.split('\'').next())
            .collect()
    }

    /// `spec` resolved against the embedded file `from` (`widget/a.js` and
    /// `../shared/b.js` give `shared/b.js`).
    fn resolve(from: &str, spec: &str) -> String {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for part in spec.split('/') {
            match part {
                "." => {}
                ".." => {
                    parts.pop();
                }
                name => parts.push(name),
            }
        }
        parts.join("/")
    }

    fn source(path: &str) -> String {
        let file = Assets::get(path).unwrap_or_else(|| panic!("{path} is not embedded"));
        String::from_utf8(file.data.into_owned()).expect("scripts are UTF-8")
    }

    #[test]
    fn every_module_a_script_imports_is_embedded() {
        for path in Assets::iter().filter(|p| p.ends_with(".js")) {
            for spec in imports(&source(&path)) {
                assert!(
                    spec.starts_with('.'),
                    "{path}: import {spec} is not relative"
                );
                let target = resolve(&path, spec);
                assert!(
                    Assets::get(&target).is_some(),
                    "{path} imports {target}, which is missing"
                );
            }
        }
    }

    #[test]
    fn everything_the_widget_loads_is_served_to_other_sites() {
        // widget.js imports widget/main.js; follow the imports from there.
        let mut seen = vec!["widget.js".to_owned()];
        let mut next = vec!["widget/main.js".to_owned()];
        while let Some(path) = next.pop() {
            if seen.contains(&path) {
                continue;
            }
            next.extend(imports(&source(&path)).iter().map(|s| resolve(&path, s)));
            seen.push(path);
        }
        assert!(
            seen.len() > 2,
            "the widget's modules were not found: {seen:?}"
        );
        for path in seen {
            assert_eq!(
                Kind::of(&format!("/{path}")),
                Kind::Embeddable,
                "the widget loads /{path}, which other sites may not"
            );
        }
    }

    #[test]
    fn scripts_are_served_as_javascript() {
        let response = asset("widget/main.js", &HeaderMap::new());
        assert_eq!(response.status(), StatusCode::OK);
        let mime = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or("");
        assert_eq!(mime, "text/javascript");
    }

    #[test]
    fn every_stylesheet_and_script_a_page_links_is_served_with_its_type() {
        for page in ["console.html", "index.html"] {
            let html = source(page);
            let links: Vec<&str> = ["href=\"/", "src=\"/"]
                .iter()
                .flat_map(|marker| html.split(marker).skip(1))
                .filter_map(|rest| rest.split('"').next())
                .filter(|link| link.ends_with(".css") || link.ends_with(".js"))
                .collect();
            for link in &links {
                let response = asset(link, &HeaderMap::new());
                assert_eq!(response.status(), StatusCode::OK, "{page} links /{link}");
                let mime = response.headers()[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap_or("");
                let want = if link.ends_with(".css") {
                    "text/css"
                } else {
                    "text/javascript"
                };
                assert_eq!(mime, want, "{page} links /{link}");
            }
            if page == "console.html" {
                assert!(links.len() >= 4, "console.html links {links:?}");
            }
        }
    }
}
