//! Slowing down password guessing: after a few free failures, each further
//! failure locks the account name (and, separately, the client address) for
//! twice as long as the last, up to a cap; a success starts over.
//!
//! # Design decision: counted before the password is checked
//!
//! The server records an attempt as a failure *before* it verifies the
//! password and clears it on success. Two hundred guesses sent at once then
//! meet the lock as surely as two hundred sent one by one, and a locked
//! key is refused without running argon2 at all, so guessing cannot be
//! turned into a way to keep the CPU busy.
//!
//! # Bounded memory
//!
//! Names and addresses come from whoever sends the request, so an attacker
//! can rotate them. Each map holds at most [`ThrottlePolicy::capacity`]
//! keys: a full map first forgets the entries that have expired (quiet for
//! [`ThrottlePolicy::forget_after`] after their lock ended), then the one
//! closest to expiring. Keys under active attack are the most recent, so
//! they are the last to go.
//!
//! Pure: the caller passes the time, nothing here sleeps or reads a clock.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How a [`Throttle`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before the first lock.
    pub free_failures: u32,
    /// The first lock; each failure after it doubles the lock.
    pub first_lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
    /// After a key's lock ends (or its last failure, if never locked), how
    /// long it is remembered before its count starts over.
    pub forget_after: Duration,
    /// Most keys remembered at once.
    pub capacity: usize,
}

impl ThrottlePolicy {
    /// Per account name: 5 free failures, then 1 s doubling up to 15 min.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        free_failures: 5,
        first_lock: Duration::from_secs(1),
        max_lock: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(60 * 60),
        capacity: 10_000,
    };
    /// Per client address: more free failures, since a whole office may
    /// sign in from behind one address; the same backoff after that.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        free_failures: 20,
        ..ThrottlePolicy::ACCOUNT
    };

    /// The lock after `failures` failures in a row (zero while free).
    pub fn lock_after(&self, failures: u32) -> Duration {
        let Some(beyond) = failures.checked_sub(self.free_failures + 1) else {
            return Duration::ZERO;
        };
        // 2^beyond, without overflowing: past 2^20 any sane cap is reached.
        let factor = 1u32 << beyond.min(20);
        self.first_lock.saturating_mul(factor).min(self.max_lock)
    }
}

/// One key's record.
#[derive(Debug, Clone, Copy)]
struct Record {
    /// Failures in a row.
    failures: u32,
    /// Refused until then.
    locked_until: Instant,
}

impl Record {
    /// When the record may be forgotten.
    fn expires(&self, policy: &ThrottlePolicy) -> Instant {
        self.locked_until + policy.forget_after
    }
}

/// Failure counts and locks per key.
#[derive(Debug)]
pub struct Throttle<K> {
    policy: ThrottlePolicy,
    records: HashMap<K, Record>,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    /// An empty throttle.
    pub fn new(policy: ThrottlePolicy) -> Self {
        Throttle {
            policy,
            records: HashMap::new(),
        }
    }

    /// `Ok` if `key` may try now, or how long it must still wait.
    pub fn check(&mut self, key: &K, now: Instant) -> Result<(), Duration> {
        match self.records.get(key) {
            Some(r) if r.locked_until > now => Err(r.locked_until - now),
            Some(r) if r.expires(&self.policy) <= now => {
                self.records.remove(key);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure; returns the lock it starts (zero while free).
    pub fn record_failure(&mut self, key: K, now: Instant) -> Duration {
        if !self.records.contains_key(&key) && self.records.len() >= self.policy.capacity {
            self.make_room(now);
        }
        let policy = self.policy;
        let record = self.records.entry(key).or_insert(Record {
            failures: 0,
            locked_until: now,
        });
        if record.expires(&policy) <= now {
            record.failures = 0;
        }
        record.failures = record.failures.saturating_add(1);
        let lock = policy.lock_after(record.failures);
        record.locked_until = now + lock;
        lock
    }

    /// A success: `key` starts over.
    pub fn record_success(&mut self, key: &K) {
        self.records.remove(key);
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Forgets expired keys; if none had, the one closest to expiring.
    fn make_room(&mut self, now: Instant) {
        let policy = self.policy;
        self.records.retain(|_, r| r.expires(&policy) > now);
        if self.records.len() < policy.capacity {
            return;
        }
        let oldest = self
            .records
            .iter()
            .min_by_key(|(_, r)| r.expires(&policy))
            .map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            self.records.remove(&key);
        }
    }
}

/// Longest account name kept as a key: longer ones cannot exist, and an
/// attacker must not make each key cost kilobytes.
const MAX_KEY_CHARS: usize = 64;

/// The sign-in throttle: one [`Throttle`] per account name, one per client
/// address. An attempt must pass both.
#[derive(Debug)]
pub struct LoginThrottle {
    accounts: Throttle<String>,
    addresses: Throttle<IpAddr>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(ThrottlePolicy::ACCOUNT, ThrottlePolicy::ADDRESS)
    }
}

impl LoginThrottle {
    /// A throttle with these policies for names and addresses.
    pub fn new(accounts: ThrottlePolicy, addresses: ThrottlePolicy) -> Self {
        LoginThrottle {
            accounts: Throttle::new(accounts),
            addresses: Throttle::new(addresses),
        }
    }

    /// `Ok` if `name` may try from `ip` now, or the longer of the two waits.
    pub fn check(&mut self, name: &str, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let by_name = self.accounts.check(&key(name), now).err();
        let by_ip = self.addresses.check(&address_key(ip), now).err();
        match by_name.max(by_ip) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt; returns the longer lock it starts.
    pub fn record_failure(&mut self, name: &str, ip: IpAddr, now: Instant) -> Duration {
        let by_name = self.accounts.record_failure(key(name), now);
        let by_ip = self.addresses.record_failure(address_key(ip), now);
        by_name.max(by_ip)
    }

    /// A successful sign-in: the name and the address start over.
    pub fn record_success(&mut self, name: &str, ip: IpAddr) {
        self.accounts.record_success(&key(name));
        self.addresses.record_success(&address_key(ip));
    }
}

fn key(name: &str) -> String {
    name.chars().take(MAX_KEY_CHARS).collect()
}

/// The address as counted: an IPv6 client usually holds a whole /64 and
/// could pick a fresh address for every guess, so its /64 counts as one.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn small(capacity: usize) -> ThrottlePolicy {
        ThrottlePolicy {
            capacity,
            ..ThrottlePolicy::ACCOUNT
        }
    }

    #[test]
    fn five_failures_are_free_then_the_lock_doubles_up_to_fifteen_minutes() {
        let p = ThrottlePolicy::ACCOUNT;
        let locks: Vec<u64> = (1..=9).map(|n| p.lock_after(n).as_secs()).collect();
        assert_eq!(locks, [0, 0, 0, 0, 0, 1, 2, 4, 8]);
        assert_eq!(p.lock_after(30), 15 * 60 * SECOND);
        assert_eq!(p.lock_after(u32::MAX), 15 * 60 * SECOND);
    }

    #[test]
    fn a_locked_name_waits_even_with_the_right_password_until_the_lock_ends() {
        let mut t = Throttle::new(ThrottlePolicy::ACCOUNT);
        let start = Instant::now();
        for _ in 0..5 {
            assert_eq!(t.check(&"sam", start), Ok(()));
            assert_eq!(t.record_failure("sam", start), Duration::ZERO);
        }
        assert_eq!(t.check(&"sam", start), Ok(()));
        assert_eq!(t.record_failure("sam", start), SECOND);
        assert_eq!(t.check(&"sam", start), Err(SECOND));
        assert_eq!(t.check(&"sam", start + SECOND / 2), Err(SECOND / 2));
        assert_eq!(t.check(&"kim", start), Ok(()), "another name is unaffected");
        assert_eq!(t.check(&"sam", start + SECOND), Ok(()));
        assert_eq!(t.record_failure("sam", start + SECOND), 2 * SECOND);
    }

    #[test]
    fn a_success_starts_over() {
        let mut t = Throttle::new(ThrottlePolicy::ACCOUNT);
        let now = Instant::now();
        for _ in 0..6 {
            t.record_failure("sam", now);
        }
        t.record_success(&"sam");
        assert_eq!(t.check(&"sam", now), Ok(()));
        assert_eq!(t.record_failure("sam", now), Duration::ZERO);
    }

    #[test]
    fn a_quiet_hour_after_the_lock_forgets_the_failures() {
        let mut t = Throttle::new(ThrottlePolicy::ACCOUNT);
        let now = Instant::now();
        for _ in 0..6 {
            t.record_failure("sam", now);
        }
        let later = now + SECOND + ThrottlePolicy::ACCOUNT.forget_after;
        assert_eq!(t.check(&"sam", later), Ok(()));
        assert!(t.is_empty());
        assert_eq!(t.record_failure("sam", later), Duration::ZERO);
    }

    #[test]
    fn rotating_names_cannot_grow_the_map_past_its_capacity() {
        let mut t = Throttle::new(small(100));
        let now = Instant::now();
        // The victim is under attack right now…
        for _ in 0..7 {
            t.record_failure("victim".to_owned(), now + SECOND);
        }
        // …while someone sprays ten thousand other names.
        for i in 0..10_000 {
            t.record_failure(format!("name-{i}"), now);
            assert!(t.len() <= 100);
        }
        assert!(
            t.check(&"victim".to_owned(), now + SECOND).is_err(),
            "the recent lock survives the spray"
        );
    }

    #[test]
    fn expired_entries_are_dropped_first_when_the_map_is_full() {
        let mut t = Throttle::new(small(3));
        let now = Instant::now();
        t.record_failure("a", now);
        t.record_failure("b", now);
        t.record_failure("c", now);
        let later = now + ThrottlePolicy::ACCOUNT.forget_after + SECOND;
        t.record_failure("d", later);
        assert_eq!(t.len(), 1, "a, b and c had expired");
    }

    #[test]
    fn an_address_spraying_names_is_locked_and_other_addresses_are_not() {
        let mut login = LoginThrottle::default();
        let now = Instant::now();
        let attacker: IpAddr = "203.0.113.9".parse().unwrap();
        let office: IpAddr = "198.51.100.1".parse().unwrap();
        for i in 0..21 {
            assert!(login.check(&format!("user{i}"), attacker, now).is_ok());
            login.record_failure(&format!("user{i}"), attacker, now);
        }
        assert_eq!(login.check("kim", attacker, now), Err(SECOND));
        assert_eq!(login.check("kim", office, now), Ok(()));
    }

    #[test]
    fn an_ipv6_client_cannot_dodge_the_lock_by_changing_address_within_its_64() {
        let mut login = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..21u16 {
            let ip: IpAddr = format!("2001:db8:1:2::{i:x}").parse().unwrap();
            login.record_failure(&format!("user{i}"), ip, now);
        }
        let same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(login.check("kim", same_64, now).is_err());
        assert_eq!(login.check("kim", other_64, now), Ok(()));
    }

    #[test]
    fn a_locked_account_is_locked_from_every_address() {
        let mut login = LoginThrottle::default();
        let now = Instant::now();
        let first: IpAddr = "203.0.113.9".parse().unwrap();
        let second: IpAddr = "198.51.100.1".parse().unwrap();
        for _ in 0..6 {
            login.record_failure("sam", first, now);
        }
        assert_eq!(login.check("sam", second, now), Err(SECOND));
        login.record_success("sam", first);
        assert_eq!(login.check("sam", second, now), Ok(()));
        let long = "x".repeat(10_000);
        login.record_failure(&long, first, now);
        assert_eq!(
            login.accounts.records.keys().map(|k| k.len()).max(),
            Some(64)
        );
    }
}
