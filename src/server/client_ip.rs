//! Who is on the other end of a request: the peer's address, or — behind a
//! reverse proxy the owner trusts — the client the proxy names.
//!
//! # Design decision: the right-most untrusted address
//!
//! `X-Forwarded-For` is a list every proxy appends to, so anything left of
//! the last trusted hop was written by the client and can be anything. The
//! header is therefore honoured only when the peer itself is a trusted proxy,
//! and the answer is read from the right: skip the addresses of trusted
//! proxies, take the first one that is not. That is the address the
//! outermost trusted proxy saw, which a client cannot choose. An untrusted
//! peer's header is ignored (it would let anyone pick their own address),
//! and an entry that is not an address, met before an answer is found,
//! means the chain cannot be read: the peer's address is used.
//!
//! Everything here is pure; `trusted_proxies` in the settings
//! (`tandem.toml`, `--trusted-proxies`, `TANDEM_TRUSTED_PROXIES`) says who
//! is trusted, and is empty by default.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header proxies use to name the client.
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The reverse proxies whose `X-Forwarded-For` is believed: addresses and
/// networks (CIDR). Empty means none: the peer is always the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    /// Each trusted address is a /32 or /128 network.
    networks: Vec<IpNet>,
}

impl TrustedProxies {
    /// Parses addresses (`10.0.0.7`, `::1`) and networks (`10.0.0.0/8`).
    /// The error names the entry that is neither.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, String> {
        let networks = entries
            .iter()
            .map(|entry| {
                let entry = entry.as_ref().trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("{entry:?} is not an IP address or a network like 10.0.0.0/8")
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies { networks })
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    /// Whether `ip` is a trusted proxy. IPv4 addresses written as IPv6
    /// (`::ffff:10.0.0.7`, as dual-stack sockets report them) count as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.networks.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address: `peer` itself, unless `peer` is a trusted proxy
/// and `X-Forwarded-For` names someone (see the module docs).
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer_ip = peer.ip().to_canonical();
    if !trusted.contains(peer_ip) {
        return peer_ip;
    }
    // Several headers are one list, in order.
    let mut hops = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        let Ok(text) = value.to_str() else {
            return peer_ip;
        };
        hops.extend(text.split(','));
    }
    let mut leftmost = None;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return peer_ip;
        };
        if !trusted.contains(ip) {
            return ip;
        }
        leftmost = Some(ip);
    }
    // Every hop was a trusted proxy (or there were none): the furthest one
    // is the best we know.
    leftmost.unwrap_or(peer_ip)
}

/// One `X-Forwarded-For` entry: an address, possibly with a port
/// (`203.0.113.7:5000`, `[2001:db8::1]:443`) as some proxies write it.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40000)
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let headers = forwarded(&["1.2.3.4"]);
        let none = TrustedProxies::default();
        assert_eq!(
            client_ip(peer("198.51.100.9"), &headers, &none),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address_with_the_header() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = forwarded(&["10.0.0.5, 127.0.0.1"]);
        assert_eq!(
            client_ip(peer("198.51.100.9"), &headers, &trusted),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_counts() {
        let trusted = proxies(&["10.0.0.7"]);
        let headers = forwarded(&["203.0.113.5"]);
        assert_eq!(
            client_ip(peer("10.0.0.7"), &headers, &trusted),
            ip("203.0.113.5")
        );
        // No header: the proxy is all we know.
        assert_eq!(
            client_ip(peer("10.0.0.7"), &HeaderMap::new(), &trusted),
            ip("10.0.0.7")
        );
    }

    #[test]
    fn a_spoofed_entry_left_of_the_real_client_is_ignored() {
        // The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended
        // the address it saw.
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = forwarded(&["1.1.1.1, 203.0.113.5"]);
        assert_eq!(
            client_ip(peer("10.0.0.7"), &headers, &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        let trusted = proxies(&["10.0.0.0/8", "192.0.2.1"]);
        let headers = forwarded(&["1.1.1.1, 203.0.113.5", "192.0.2.1, 10.1.2.3"]);
        assert_eq!(
            client_ip(peer("10.0.0.7"), &headers, &trusted),
            ip("203.0.113.5")
        );
        // All trusted: the furthest hop.
        let headers = forwarded(&["10.9.9.9, 10.1.2.3"]);
        assert_eq!(
            client_ip(peer("10.0.0.7"), &headers, &trusted),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn garbage_in_the_header_falls_back_to_the_peer() {
        let trusted = proxies(&["10.0.0.0/8"]);
        for junk in ["not an address", "", " , ", "999.1.1.1", "unknown"] {
            let headers = forwarded(&[junk]);
            assert_eq!(
                client_ip(peer("10.0.0.7"), &headers, &trusted),
                ip("10.0.0.7"),
                "{junk:?}"
            );
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            X_FORWARDED_FOR,
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        assert_eq!(
            client_ip(peer("10.0.0.7"), &headers, &trusted),
            ip("10.0.0.7")
        );
        // Garbage the client wrote, left of the address the proxy added, is
        // never read.
        let headers = forwarded(&["junk, 203.0.113.5"]);
        assert_eq!(
            client_ip(peer("10.0.0.7"), &headers, &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn ports_and_ipv6_and_mapped_addresses_are_understood() {
        let trusted = proxies(&["::1", "10.0.0.0/8"]);
        let headers = forwarded(&["[2001:db8::1]:443"]);
        assert_eq!(
            client_ip(peer("::1"), &headers, &trusted),
            ip("2001:db8::1")
        );
        let headers = forwarded(&["203.0.113.5:5000"]);
        assert_eq!(
            client_ip(peer("::ffff:10.0.0.7"), &headers, &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_bad_trusted_proxy_entry_is_named() {
        let err = TrustedProxies::parse(&["10.0.0.0/8", "proxy.local"]).unwrap_err();
        assert!(err.contains("proxy.local"), "{err}");
        assert!(TrustedProxies::parse(&["10.0.0.0/33"]).is_err());
    }
}
