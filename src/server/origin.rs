//! Which web pages may open the websockets.
//!
//! Browsers send an `Origin` header with every websocket handshake and let
//! any page open a socket to any server; the server is the one that must
//! say no. The agent socket carries an agent's whole desk, so it accepts
//! only the console's own origin (the `Origin`'s host and port equal to the
//! request's `Host`) or an origin the owner listed in `allowed_origins`. The
//! visitor socket is meant to be embedded on the owner's sites, so it accepts
//! any origin until the owner lists some; then only those (and Tandem's own
//! pages). A handshake without `Origin` comes from a program, not a browser —
//! nothing a hostile page can make happen — and is let through on both.
//!
//! Behind a trusted reverse proxy that rewrites `Host`, its
//! `X-Forwarded-Host` says what the browser asked for.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap};
use thiserror::Error;

use super::api::ApiError;
use super::AppState;

/// An origin the owner allows, normalised: lowercase scheme and host, the
/// scheme's default port left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    scheme: String,
    /// `host` or `host:port`, as a `Host` header would say it.
    authority: String,
}

/// Why an `allowed_origins` entry is not an origin.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not an origin like https://shop.example or http://localhost:3000")]
pub struct BadOrigin(pub String);

impl Origin {
    /// Parses `scheme://host[:port]` (a trailing `/` is tolerated, a path
    /// is not).
    pub fn parse(text: &str) -> Result<Origin, BadOrigin> {
        let bad = || BadOrigin(text.to_owned());
        let lower = text.trim().to_ascii_lowercase();
        let (scheme, rest) = lower.split_once("://").ok_or_else(bad)?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        let valid_chars = authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
        if !matches!(scheme, "http" | "https") || authority.is_empty() || !valid_chars {
            return Err(bad());
        }
        let default_port = if scheme == "https" { ":443" } else { ":80" };
        let authority = authority.strip_suffix(default_port).unwrap_or(authority);
        Ok(Origin {
            scheme: scheme.to_owned(),
            authority: authority.to_owned(),
        })
    }

    /// Whether this origin names the host the request was sent to.
    fn is_host(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let default_port = if self.scheme == "https" {
            ":443"
        } else {
            ":80"
        };
        host.strip_suffix(default_port).unwrap_or(&host) == self.authority
    }
}

/// The owner's `allowed_origins`: empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    origins: Vec<Origin>,
}

impl AllowedOrigins {
    /// Parses the owner's list; the error names the first bad entry.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<AllowedOrigins, BadOrigin> {
        let origins = entries
            .iter()
            .map(|e| Origin::parse(e.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(AllowedOrigins { origins })
    }

    /// Whether the owner listed none.
    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    fn contains(&self, origin: &Origin) -> bool {
        self.origins.contains(origin)
    }
}

/// Which socket a handshake is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Socket {
    /// `/ws/agent`: the console's own origin or a listed one.
    Agent,
    /// `/ws/visitor`: any origin, unless the owner listed some.
    Visitor,
}

/// Whether a handshake with this `Origin` (absent for programs) may open
/// `socket` on a server asked for as `host` (the `Host` header).
pub fn allowed(
    socket: Socket,
    origin: Option<&str>,
    host: Option<&str>,
    list: &AllowedOrigins,
) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    if socket == Socket::Visitor && list.is_empty() {
        return true;
    }
    // "null" (sandboxed frames, file: pages) and anything unreadable parse
    // as no origin at all, and are refused.
    let Ok(origin) = Origin::parse(origin) else {
        return false;
    };
    host.is_some_and(|h| origin.is_host(h)) || list.contains(&origin)
}

/// The handshake check both socket handlers run before upgrading: `Err`
/// is the `403` to answer with.
pub fn check_handshake(
    state: &AppState,
    socket: Socket,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("?"));
    let host = requested_host(state, peer, headers);
    if allowed(socket, origin, host, &state.allowed_origins) {
        return Ok(());
    }
    tracing::info!(
        ?socket,
        origin = origin.unwrap_or_default(),
        host = host.unwrap_or_default(),
        ip = %state.client_ip(peer, headers),
        "websocket refused: origin not allowed"
    );
    Err(ApiError::OriginNotAllowed)
}

/// The host the browser asked for: `Host`, or a trusted proxy's
/// `X-Forwarded-Host` (proxies often rewrite `Host`).
fn requested_host<'h>(
    state: &AppState,
    peer: SocketAddr,
    headers: &'h HeaderMap,
) -> Option<&'h str> {
    let forwarded = headers
        .get("x-forwarded-host")
        .filter(|_| state.trusted_proxies.contains(peer.ip()))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    forwarded.or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowedOrigins {
        AllowedOrigins::parse(entries).unwrap()
    }

    #[test]
    fn the_console_opens_the_agent_socket_from_its_own_origin() {
        let none = AllowedOrigins::default();
        let host = Some("127.0.0.1:8080");
        assert!(allowed(
            Socket::Agent,
            Some("http://127.0.0.1:8080"),
            host,
            &none
        ));
        assert!(allowed(
            Socket::Agent,
            Some("https://desk.example"),
            Some("desk.example:443"),
            &none
        ));
        assert!(allowed(
            Socket::Agent,
            Some("HTTP://Desk.Example"),
            Some("desk.example"),
            &none
        ));
    }

    #[test]
    fn another_site_cannot_open_the_agent_socket() {
        let none = AllowedOrigins::default();
        let host = Some("127.0.0.1:8080");
        for origin in [
            "http://evil.example",
            "http://127.0.0.1:9999",
            "null",
            "garbage",
        ] {
            assert!(
                !allowed(Socket::Agent, Some(origin), host, &none),
                "{origin}"
            );
        }
        assert!(!allowed(
            Socket::Agent,
            Some("http://127.0.0.1:8080"),
            None,
            &none
        ));
        let owner = list(&["https://admin.example"]);
        assert!(allowed(
            Socket::Agent,
            Some("https://admin.example"),
            host,
            &owner
        ));
    }

    #[test]
    fn programs_without_an_origin_are_let_through() {
        let owner = list(&["https://shop.example"]);
        assert!(allowed(Socket::Agent, None, Some("x"), &owner));
        assert!(allowed(Socket::Visitor, None, Some("x"), &owner));
    }

    #[test]
    fn any_site_embeds_the_widget_until_the_owner_lists_some() {
        let host = Some("chat.example");
        assert!(allowed(
            Socket::Visitor,
            Some("https://anyone.example"),
            host,
            &AllowedOrigins::default()
        ));
        let owner = list(&["https://shop.example", "http://localhost:3000/"]);
        assert!(allowed(
            Socket::Visitor,
            Some("https://shop.example"),
            host,
            &owner
        ));
        assert!(allowed(
            Socket::Visitor,
            Some("https://shop.example:443"),
            host,
            &owner
        ));
        assert!(allowed(
            Socket::Visitor,
            Some("http://localhost:3000"),
            host,
            &owner
        ));
        assert!(!allowed(
            Socket::Visitor,
            Some("http://shop.example"),
            host,
            &owner
        ));
        assert!(!allowed(
            Socket::Visitor,
            Some("https://anyone.example"),
            host,
            &owner
        ));
        // Tandem's own demo page still works.
        assert!(allowed(
            Socket::Visitor,
            Some("https://chat.example"),
            host,
            &owner
        ));
    }

    #[test]
    fn an_allowed_origin_must_look_like_one() {
        for bad in [
            "shop.example",
            "ftp://shop.example",
            "https://",
            "https://shop.example/path",
        ] {
            assert!(AllowedOrigins::parse(&[bad]).is_err(), "{bad}");
        }
    }
}
