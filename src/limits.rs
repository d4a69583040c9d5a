//! What one client may hold or send: connection timeouts, sockets per
//! address, and the room kept for health checks and agents when the
//! process nears its file-descriptor ceiling (`[limits]` in `tandem.toml`).
//!
//! The values and the admission decision are plain data and a pure
//! function; `server::listen` applies them to real sockets.

use std::time::Duration;

use serde::Deserialize;

/// `[limits]` in `tandem.toml`. Every field has a default fit for a shop on
/// the open internet; tests shorten the timeouts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Seconds a client has to send a request's headers (slowloris).
    pub header_read_timeout_s: u64,
    /// Seconds between pings on an otherwise quiet websocket.
    pub ping_interval_s: u64,
    /// Seconds without a frame or a pong after which a websocket is closed:
    /// the peer vanished without a close.
    pub idle_timeout_s: u64,
    /// Open connections one address may hold (a browser uses a handful; a
    /// shop's office behind one NAT, a few dozen).
    pub connections_per_ip: usize,
    /// Descriptors kept back for health checks, agents and the store when
    /// the process nears its limit: past `capacity - reserve`, new visitor
    /// sockets get `503`.
    pub reserved_connections: usize,
    /// A cap on open connections below what the descriptor limit allows
    /// (unset: as many as the descriptors allow).
    pub max_connections: Option<usize>,
    /// Lines one visitor may store per second, across all their tabs.
    pub visitor_lines_per_second: u32,
    /// Lines one visitor may store at once (a paste, a resend after a drop).
    pub visitor_line_burst: u32,
    /// Lines all visitors behind one address may store per second.
    pub ip_lines_per_second: u32,
    /// Lines all visitors behind one address may store at once.
    pub ip_line_burst: u32,
    /// Frames one socket may send per second (any kind, typing included).
    pub frames_per_second: u32,
    /// Frames one socket may send at once.
    pub frame_burst: u32,
    /// Frames Tandem holds for a socket that is not reading before it
    /// closes it with 1013 (it reconnects and catches up from history).
    pub outbox_frames: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout_s: 10,
            ping_interval_s: 25,
            idle_timeout_s: 60,
            connections_per_ip: 256,
            reserved_connections: 64,
            max_connections: None,
            visitor_lines_per_second: 5,
            visitor_line_burst: 20,
            ip_lines_per_second: 20,
            ip_line_burst: 60,
            frames_per_second: 5,
            frame_burst: 20,
            outbox_frames: crate::hub::OUTBOX_CAPACITY,
        }
    }
}

impl Limits {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_s.max(1))
    }

    pub fn ping_interval(&self) -> Duration {
        Duration::from_secs(self.ping_interval_s.max(1))
    }

    pub fn idle_timeout(&self) -> Duration {
        // At least two pings' worth: one missed pong is not a dead peer.
        Duration::from_secs(self.idle_timeout_s.max(2 * self.ping_interval_s.max(1)))
    }
}

/// Descriptors the process needs besides client sockets: the store's
/// files, the intents watcher, the encoder cache, logs.
pub const DESCRIPTORS_FOR_SELF: usize = 64;

/// What to do with a new TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Serve it fully.
    Open,
    /// Serve health checks, agents and the API; refuse visitor sockets
    /// with `503` (the process is near its descriptor ceiling).
    Reserved,
    /// Close it at once: this address holds too many, or nothing is left.
    Refuse,
}

/// Whether a connection may open, given how many are open in all, how many
/// its address holds, and how many the process can hold.
pub fn admit(open: usize, from_this_ip: usize, capacity: usize, limits: &Limits) -> Admission {
    if open >= capacity || from_this_ip >= limits.connections_per_ip {
        Admission::Refuse
    } else if open + limits.reserved_connections >= capacity {
        Admission::Reserved
    } else {
        Admission::Open
    }
}

/// How many client connections a descriptor limit allows, within the
/// owner's `max_connections`.
pub fn capacity(descriptor_limit: u64, limits: &Limits) -> usize {
    let by_descriptors = usize::try_from(descriptor_limit)
        .unwrap_or(usize::MAX)
        .saturating_sub(DESCRIPTORS_FOR_SELF);
    limits
        .max_connections
        .map_or(by_descriptors, |cap| cap.min(by_descriptors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_the_ceiling_visitors_wait_but_health_and_agents_get_in() {
        let limits = Limits::default();
        let capacity = capacity(1024, &limits);
        assert_eq!(admit(10, 1, capacity, &limits), Admission::Open);
        assert_eq!(
            admit(capacity - limits.reserved_connections, 1, capacity, &limits),
            Admission::Reserved
        );
        assert_eq!(admit(capacity, 0, capacity, &limits), Admission::Refuse);
    }

    #[test]
    fn one_address_cannot_take_every_socket() {
        let limits = Limits {
            connections_per_ip: 3,
            ..Limits::default()
        };
        assert_eq!(admit(100, 2, 10_000, &limits), Admission::Open);
        assert_eq!(admit(100, 3, 10_000, &limits), Admission::Refuse);
    }

    #[test]
    fn one_missed_pong_is_not_a_dead_peer() {
        let limits = Limits {
            ping_interval_s: 20,
            idle_timeout_s: 5,
            ..Limits::default()
        };
        assert_eq!(limits.idle_timeout(), Duration::from_secs(40));
    }
}
