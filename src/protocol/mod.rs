//! The wire protocol: every JSON frame Tandem sends or accepts, defined once.
//!
//! `docs/protocol.md` documents these shapes for people; this module is the
//! only place they exist in code. Frames are serde enums tagged by `"type"`.
//!
//! Parsing untrusted text is the job of [`parse_frame`]: it never panics and
//! turns every kind of bad input into an [`ErrorCode`] that clients can act on
//! (`bad_json`, `unknown_type`, `missing_field`, …), so a socket can answer a
//! bad frame with an error frame and keep going.
//!
//! | file | what |
//! |---|---|
//! | `views.rs` | shapes both sockets share: lines, statuses, reasons, queue entries, conversations |
//! | `visitor.rs` | the visitor socket's frames and events |
//! | `agent.rs` | the agent socket's frames and events |
//! | `http.rs` | sign-in and team-management bodies |
//! | `error.rs` | `ErrorBody` and the stable `ErrorCode`s |
//! | `parse.rs` | `parse_frame` and the field checks |
//!
//! Everything is re-exported here: callers write `protocol::VisitorEvent`.

mod agent;
mod error;
mod http;
mod parse;
mod views;
mod visitor;

pub use agent::*;
pub use error::*;
pub use http::*;
pub use parse::*;
pub use views::*;
pub use visitor::*;

/// Largest text frame the application reads; bigger ones get `too_large`.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Largest frame the websocket transport accepts at all; bigger ones close
/// the socket with status 1009 (the frame is never buffered whole).
pub const MAX_TRANSPORT_BYTES: usize = 64 * 1024;
/// Longest chat line, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest client-chosen message id.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Lines of history a `welcome` or an agent's `conversation` carries (the
/// newest); a `history` frame fetches older ones a page at a time.
pub const HISTORY_PAGE: usize = 200;
/// Most lines one conversation holds; beyond it new lines get
/// `conversation_full`.
pub const MAX_LINES_PER_CONVERSATION: u64 = 5000;
