//! Tandem: a support chat server where a bot answers routine questions,
//! notices when a visitor is getting frustrated, and hands the conversation —
//! transcript and reasons included — to a human agent.
//!
//! # Layout
//!
//! The decisions live in plain synchronous modules that take events and return
//! decisions, with no sockets, clocks or disks inside; a thin async layer
//! around them moves frames and bytes.
//!
//! Decisions (pure):
//! - [`protocol`]: every JSON frame on the wire, defined once, and the parser
//!   that turns untrusted text into a typed frame or a typed error.
//! - [`conversation`]: a conversation's record and its state machine
//!   (bot → queued → assigned → closed).
//! - [`intents`]: the owner's intent files — format, loading with `file:line`
//!   diagnostics — the matcher that picks an intent for a message (patterns,
//!   then a classifier trained on load), the owner's tools behind
//!   `tandem intents …` (`intents::tools`), and the unanswered-questions list.
//! - [`empathy`]: frustration signals per message and per conversation, and
//!   the escalation policy: when the bot acknowledges, offers a person or
//!   hands over, and why (`docs/empathy.md`).
//! - [`bot`]: one bot turn: match, answer or fall back, decide on escalation.
//! - [`queue`]: who is next in the live-agent queue, the wait estimate, and
//!   which agent auto-assignment picks.
//! - [`reports`]: the owner's figures for a period — chats the bot resolved
//!   alone, why the others came to a person, wait times, CSAT.
//! - [`retention`]: how long conversations are kept, and which are due.
//!
//! State and I/O:
//! - [`encoder`]: the pretrained sentence encoder (all-MiniLM-L6-v2, in the
//!   binary; the model is the `tandem-encoder` crate): which one runs, the
//!   example vectors cached on disk, and the bounded worker for live
//!   messages.
//! - [`store`]: the sled database: conversations, messages, agents, sessions.
//! - [`agents`]: agent accounts, argon2 password hashes, session tokens.
//! - [`hub`]: the live switchboard. Owns the in-memory view of active
//!   conversations and every connected socket's outbox; applies each event
//!   under one short lock, makes it durable, then delivers the results.
//! - [`server`]: HTTP and websocket surface (axum), static web pages,
//!   live reload of the intents directory, start-up and graceful shutdown.
//! - [`hours`]: business hours in the owner's time zone (pure).
//! - [`health`]: whether the server is ready — the decision from what the
//!   store, the disk and the start-up check report (pure).
//! - [`metrics`]: every Prometheus metric name, and the calls that record
//!   them; `GET /metrics` renders them.
//! - [`shutdown`]: the stop signal every long-running task waits on.
//! - [`limits`]: timeouts and per-client caps on connections, and the
//!   admission decision near the descriptor ceiling (pure).
//! - [`config`]: settings from flags, `TANDEM_*` variables and `tandem.toml`.
//! - [`cli`]: the `tandem` command line.
//!
//! `docs/ARCHITECTURE.md` follows a message from the widget to an agent
//! through these modules; `docs/protocol.md` is the wire contract.

pub mod agents;
pub mod bot;
pub mod cli;
pub mod config;
pub mod conversation;
pub mod empathy;
pub mod encoder;
pub mod health;
pub mod hours;
pub mod hub;
pub mod intents;
pub mod limits;
pub mod metrics;
pub mod protocol;
pub mod queue;
pub mod reports;
pub mod retention;
pub mod server;
pub mod shutdown;
pub mod store;
