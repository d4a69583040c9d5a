//! The web pages, embedded in the binary at build time from `web/`.
//!
//! `/` is the demo shop with the widget, `/console` the agent console, and
//! every other file in `web/` is served under its own name (`/widget.js`).
//! Embedding keeps Tandem one binary: no asset directory to deploy.

use axum::extract::Path;
use axum::http::{header, StatusCode};
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
        .route("/", get(|| async { asset("index.html") }))
        .route("/console", get(|| async { asset("console.html") }))
        .route(
            "/{*file}",
            get(|Path(file): Path<String>| async move { asset(&file) }),
        )
}

fn asset(path: &str) -> Response {
    match Assets::get(path) {
        Some(file) => {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                    // Pages change with each release; let browsers revalidate.
                    (header::CACHE_CONTROL, "no-cache".to_owned()),
                ],
                file.data,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
