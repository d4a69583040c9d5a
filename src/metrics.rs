//! Prometheus metrics: every name Tandem exports, and one small function
//! per event that the code paths call.
//!
//! The [`metrics`] facade is a process-wide recorder. [`handle`] installs
//! the Prometheus recorder on first use (a `OnceLock`, so the many servers a
//! test process starts share one) and `GET /metrics` renders it. Until it is
//! installed — command-line tools — the functions below cost next to
//! nothing and record nothing.
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `tandem_websocket_connections` | gauge | `role` = `visitor`/`agent` | open sockets |
//! | `tandem_messages_received_total` | counter | `from` = `visitor`/`agent` | chat lines received |
//! | `tandem_bot_answers_total` | counter | | visitor lines the bot answered from an intent |
//! | `tandem_bot_fallbacks_total` | counter | | visitor lines the bot did not understand (bot misses) |
//! | `tandem_escalations_total` | counter | `reason` = a reason code | conversations handed to the queue, once per reason |
//! | `tandem_queue_length` | gauge | | conversations waiting for a person |
//! | `tandem_queue_wait_seconds` | histogram | | time from queueing to a person taking the chat |
//! | `tandem_store_flush_seconds` | histogram | | one group-commit flush (fsync) |
//! | `tandem_store_errors_total` | counter | | failed flushes and failed store operations |
//! | `tandem_rate_limited_total` | counter | | frames refused by a flood limit (per socket, per visitor, per address) |
//! | `tandem_logins_throttled_total` | counter | | sign-ins refused by the login throttle |
//! | `tandem_connections_refused_total` | counter | `why` = `limit` (one address's share, or no room at all) / `reserved` (a visitor socket near the ceiling) | connections refused at accept, or visitor sockets refused near the ceiling |
//! | `tandem_encoder_busy_total` | counter | | messages read without a sentence vector because the encoder's queue was full |

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::protocol::ReasonCode;

/// Open websocket connections, by `role`.
pub const WEBSOCKET_CONNECTIONS: &str = "tandem_websocket_connections";
/// Chat lines received, by `from`.
pub const MESSAGES_RECEIVED: &str = "tandem_messages_received_total";
/// Visitor lines the bot answered.
pub const BOT_ANSWERS: &str = "tandem_bot_answers_total";
/// Visitor lines the bot fell back on.
pub const BOT_FALLBACKS: &str = "tandem_bot_fallbacks_total";
/// Escalations, by `reason`.
pub const ESCALATIONS: &str = "tandem_escalations_total";
/// Conversations waiting in the queue.
pub const QUEUE_LENGTH: &str = "tandem_queue_length";
/// Queue wait until a person took the chat.
pub const QUEUE_WAIT: &str = "tandem_queue_wait_seconds";
/// Group-commit flush latency.
pub const STORE_FLUSH: &str = "tandem_store_flush_seconds";
/// Store failures.
pub const STORE_ERRORS: &str = "tandem_store_errors_total";
/// Frames refused by the flood limit.
pub const RATE_LIMITED: &str = "tandem_rate_limited_total";
/// Sign-ins refused by the login throttle.
pub const LOGINS_THROTTLED: &str = "tandem_logins_throttled_total";
/// Connections refused, by `why`.
pub const CONNECTIONS_REFUSED: &str = "tandem_connections_refused_total";
/// Messages read without a sentence vector (encoder queue full).
pub const ENCODER_BUSY: &str = "tandem_encoder_busy_total";

/// The Prometheus recorder's handle, installing the recorder on first use.
///
/// Installing a global recorder succeeds once per process; should another
/// recorder already be installed (an embedding program's), Tandem renders
/// from a recorder of its own that nothing records into, and says so.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let installed = builder().install_recorder();
        let handle = match installed {
            Ok(handle) => handle,
            Err(e) => {
                tracing::warn!(error = %e, "another metrics recorder is installed; /metrics will be empty");
                builder().build_recorder().handle()
            }
        };
        describe();
        // Registered now that a recorder is in place (see `Hot`).
        let _ = HOT.set(Hot {
            received: [
                counter!(MESSAGES_RECEIVED, "from" => Role::Visitor.label()),
                counter!(MESSAGES_RECEIVED, "from" => Role::Agent.label()),
            ],
            answers: counter!(BOT_ANSWERS),
            fallbacks: counter!(BOT_FALLBACKS),
            flush: histogram!(STORE_FLUSH),
        });
        handle
    })
}

/// The metrics every visitor line touches, registered once when the
/// recorder is installed ([`handle`]). The macros look their key up in the
/// recorder's registry on every call, about 4 µs a message in the loaded
/// server's profile (docs/PERFORMANCE.md). Before the recorder is installed
/// (command-line tools) there are no handles and the macros' no-op stands.
struct Hot {
    /// `MESSAGES_RECEIVED` by [`Role::index`].
    received: [metrics::Counter; 2],
    answers: metrics::Counter,
    fallbacks: metrics::Counter,
    flush: metrics::Histogram,
}

static HOT: OnceLock<Hot> = OnceLock::new();

/// Renders every metric in Prometheus' text format.
pub fn render() -> String {
    let handle = handle();
    // Without the exporter's own HTTP listener nothing drains histograms in
    // the background; a scrape is a fine moment to do it.
    handle.run_upkeep();
    handle.render()
}

fn builder() -> PrometheusBuilder {
    let seconds = [
        0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0,
    ];
    // The buckets are valid (non-empty); the error cannot happen.
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &seconds)
        .unwrap_or_else(|_| PrometheusBuilder::new())
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_gauge!(
        WEBSOCKET_CONNECTIONS,
        "Open websocket connections, by role."
    );
    describe_counter!(MESSAGES_RECEIVED, "Chat lines received, by sender.");
    describe_counter!(
        BOT_ANSWERS,
        "Visitor lines the bot answered from an intent."
    );
    describe_counter!(
        CONNECTIONS_REFUSED,
        "Connections refused: one address's share used, no room left, or visitor sockets near the ceiling."
    );
    describe_counter!(BOT_FALLBACKS, "Visitor lines the bot did not understand.");
    describe_counter!(ESCALATIONS, "Conversations handed to a person, by reason.");
    describe_gauge!(QUEUE_LENGTH, "Conversations waiting for a person.");
    describe_histogram!(
        QUEUE_WAIT,
        Unit::Seconds,
        "Wait from queueing to a person taking the chat."
    );
    describe_histogram!(
        STORE_FLUSH,
        Unit::Seconds,
        "One group-commit flush of the store."
    );
    describe_counter!(STORE_ERRORS, "Failed store flushes and operations.");
    describe_counter!(
        RATE_LIMITED,
        "Frames refused by the per-connection flood limit."
    );
    describe_counter!(LOGINS_THROTTLED, "Sign-ins refused by the login throttle.");
    describe_counter!(
        ENCODER_BUSY,
        "Messages read without a sentence vector: the encoder was busy."
    );
    // Zero-valued series exist from the start, so a scrape (and an alert
    // rule) sees every name before the first event.
    counter!(STORE_ERRORS).absolute(0);
    counter!(RATE_LIMITED).absolute(0);
    counter!(LOGINS_THROTTLED).absolute(0);
    counter!(ENCODER_BUSY).absolute(0);
    counter!(BOT_ANSWERS).absolute(0);
    counter!(BOT_FALLBACKS).absolute(0);
}

/// Which socket a connection metric is about.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    /// A visitor's widget.
    Visitor,
    /// An agent's console.
    Agent,
}

impl Role {
    fn label(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Agent => "agent",
        }
    }

    /// Its place in [`Hot::received`].
    fn index(self) -> usize {
        match self {
            Role::Visitor => 0,
            Role::Agent => 1,
        }
    }
}

/// Counts an open socket for as long as it lives.
#[derive(Debug)]
pub struct ConnectionGuard(Role);

/// A socket opened; the gauge goes down when the guard drops.
pub fn connection_opened(role: Role) -> ConnectionGuard {
    gauge!(WEBSOCKET_CONNECTIONS, "role" => role.label()).increment(1.0);
    ConnectionGuard(role)
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        gauge!(WEBSOCKET_CONNECTIONS, "role" => self.0.label()).decrement(1.0);
    }
}

/// A chat line arrived from a visitor or an agent.
pub fn message_received(from: Role) {
    match HOT.get() {
        Some(hot) => hot.received[from.index()].increment(1),
        None => counter!(MESSAGES_RECEIVED, "from" => from.label()).increment(1),
    }
}

/// The bot answered a visitor's line (`understood`) or fell back.
pub fn bot_turn(understood: bool) {
    match (HOT.get(), understood) {
        (Some(hot), true) => hot.answers.increment(1),
        (Some(hot), false) => hot.fallbacks.increment(1),
        (None, true) => counter!(BOT_ANSWERS).increment(1),
        (None, false) => counter!(BOT_FALLBACKS).increment(1),
    }
}

/// A conversation went to the queue, for these reasons.
pub fn escalated(reasons: impl IntoIterator<Item = ReasonCode>) {
    for reason in reasons {
        let label = serde_json::to_value(reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned());
        counter!(ESCALATIONS, "reason" => label).increment(1);
    }
}

/// The queue now holds this many conversations.
pub fn queue_length(waiting: usize) {
    gauge!(QUEUE_LENGTH).set(waiting as f64);
}

/// A person took a conversation that waited this long.
pub fn queue_waited(wait: Duration) {
    histogram!(QUEUE_WAIT).record(wait.as_secs_f64());
}

/// A store flush finished after `took`; `ok` is false when it failed.
pub fn store_flushed(took: Duration, ok: bool) {
    match HOT.get() {
        Some(hot) => hot.flush.record(took.as_secs_f64()),
        None => histogram!(STORE_FLUSH).record(took.as_secs_f64()),
    }
    if !ok {
        store_error();
    }
}

/// A store operation failed.
pub fn store_error() {
    counter!(STORE_ERRORS).increment(1);
}

/// The flood limit refused a frame.
pub fn rate_limited() {
    counter!(RATE_LIMITED).increment(1);
}

/// A connection (or, near the ceiling, a visitor socket) was refused:
/// `limit` or `reserved`.
pub fn connection_refused(why: &'static str) {
    counter!(CONNECTIONS_REFUSED, "why" => why).increment(1);
}

/// The login throttle refused a sign-in.
pub fn login_throttled() {
    counter!(LOGINS_THROTTLED).increment(1);
}

/// The encoder's queue was full: a message was read by words alone.
pub fn encoder_busy() {
    counter!(ENCODER_BUSY).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `series` (its name and labels) in rendered metrics.
    fn value(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    #[test]
    fn lines_bot_turns_and_flushes_are_counted() {
        let before = render();
        message_received(Role::Visitor);
        bot_turn(true);
        bot_turn(false);
        store_flushed(Duration::from_millis(2), true);
        let after = render();
        for series in [
            r#"tandem_messages_received_total{from="visitor"} "#,
            "tandem_bot_answers_total ",
            "tandem_bot_fallbacks_total ",
            "tandem_store_flush_seconds_count ",
        ] {
            assert!(
                value(&after, series) >= value(&before, series) + 1.0,
                "{series}did not grow:\n{before}\n→\n{after}"
            );
        }
    }
}
