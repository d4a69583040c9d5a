//! Flood control beyond one socket: a visitor with forty tabs open, or one
//! address with many visitors' worth of sockets, shares one budget for the
//! lines it may store. (Each socket also has its own limit on every frame,
//! in [`super::socket::pump`].)

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::limits::Limits;

/// The shared budgets. Cheap to clone.
#[derive(Clone)]
pub struct Floods {
    visitors: Arc<DefaultKeyedRateLimiter<Uuid>>,
    addresses: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// How often idle keys are forgotten.
pub const FORGET_EVERY: Duration = Duration::from_secs(60);

fn quota(per_second: u32, burst: u32) -> Quota {
    let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(per_second).allow_burst(burst)
}

impl Floods {
    pub fn new(limits: &Limits) -> Floods {
        Floods {
            visitors: Arc::new(RateLimiter::keyed(quota(
                limits.visitor_lines_per_second,
                limits.visitor_line_burst,
            ))),
            addresses: Arc::new(RateLimiter::keyed(quota(
                limits.ip_lines_per_second,
                limits.ip_line_burst,
            ))),
        }
    }

    /// Whether `visitor` (their conversation, whichever tab) at `ip` may
    /// store one more line now. A refusal costs neither budget anything.
    pub fn allow(&self, visitor: Uuid, ip: IpAddr) -> bool {
        self.visitors.check_key(&visitor).is_ok() && self.addresses.check_key(&ip).is_ok()
    }

    /// Forgets keys whose budget is full again, so memory follows the
    /// clients of the last minute, not of all time.
    pub fn forget_idle(&self) {
        self.visitors.retain_recent();
        self.addresses.retain_recent();
        self.visitors.shrink_to_fit();
        self.addresses.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_tabs_share_one_visitors_budget() {
        let limits = Limits {
            visitor_lines_per_second: 1,
            visitor_line_burst: 3,
            ..Limits::default()
        };
        let floods = Floods::new(&limits);
        let visitor = Uuid::new_v4();
        let ip: IpAddr = [10, 0, 0, 1].into();
        let allowed = (0..40).filter(|_| floods.allow(visitor, ip)).count();
        assert_eq!(allowed, 3);
        assert!(
            floods.allow(Uuid::new_v4(), ip),
            "another visitor is not held back"
        );
    }

    #[test]
    fn one_address_cannot_outpace_its_budget_with_many_visitors() {
        let limits = Limits {
            ip_lines_per_second: 1,
            ip_line_burst: 5,
            ..Limits::default()
        };
        let floods = Floods::new(&limits);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let allowed = (0..40).filter(|_| floods.allow(Uuid::new_v4(), ip)).count();
        assert_eq!(allowed, 5);
        assert!(floods.allow(Uuid::new_v4(), [10, 0, 0, 2].into()));
    }
}
