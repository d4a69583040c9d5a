//! Whether the server is ready to take chats: the decision, as plain code.
//!
//! A load balancer asks two questions. *Live?* — the process answers at all
//! (restart it if not). *Ready?* — it can keep its promise that an
//! acknowledged message is stored, so send visitors here. This module
//! answers the second from what the server observed — the store's flush
//! record, a write probe, the free disk space, the start-up check — and
//! says why not, in words an operator can act on. Gathering the
//! observations (and rate-limiting the probe) is `server/health.rs`.

use serde::Serialize;
use time::OffsetDateTime;

use crate::store::StoreHealth;

/// Everything readiness is decided from.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// The store's flush record.
    pub store: StoreHealth,
    /// Why the latest write probe failed, in sled's words; `None` when it
    /// succeeded.
    pub probe_failure: Option<String>,
    /// Bytes free on the data directory's filesystem, when measurable.
    pub free_bytes: Option<u64>,
    /// The least free space the owner accepts (`[store] min_free_mb`).
    pub min_free_bytes: u64,
    /// Problems the start-up check found in the stored data.
    pub corruption: Option<Corruption>,
}

/// What the start-up check found wrong.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Corruption {
    /// How many problems.
    pub problems: usize,
    /// How many records it read.
    pub checked: usize,
}

/// The verdict: ready when `reasons` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// Why the server is not ready; empty when it is.
    pub reasons: Vec<NotReady>,
}

impl Readiness {
    /// Whether visitors can be sent here.
    pub fn is_ready(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// One reason the server is not ready: a stable `code` for monitors and a
/// sentence for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotReady {
    /// `store_write_failing`, `write_probe_failed`, `low_disk_space` or
    /// `store_corrupt`.
    pub code: &'static str,
    /// What is wrong, and what to do.
    pub message: String,
}

/// Decides readiness. Pure: same observations, same verdict.
pub fn assess(seen: &Observations) -> Readiness {
    let mut reasons = Vec::new();
    if let Some(failing) = &seen.store.failing {
        reasons.push(NotReady {
            code: "store_write_failing",
            message: format!(
                "the store's writes have been failing since {}: {}",
                rfc3339(failing.since),
                failing.error
            ),
        });
    }
    if let Some(error) = &seen.probe_failure {
        reasons.push(NotReady {
            code: "write_probe_failed",
            message: format!("a test write to the store failed: {error}"),
        });
    }
    if let Some(free) = seen.free_bytes.filter(|free| *free < seen.min_free_bytes) {
        reasons.push(NotReady {
            code: "low_disk_space",
            message: format!(
                "{} MB free on the data directory's disk, under the {} MB minimum ([store] min_free_mb); free some space",
                free / MB,
                seen.min_free_bytes / MB
            ),
        });
    }
    if let Some(c) = seen.corruption.filter(|c| c.problems > 0) {
        reasons.push(NotReady {
            code: "store_corrupt",
            message: format!(
                "the start-up check found {} problem(s) in {} stored records; stop the server and run `tandem check`",
                c.problems, c.checked
            ),
        });
    }
    Readiness { reasons }
}

const MB: u64 = 1024 * 1024;

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::WriteFailure;

    fn healthy() -> Observations {
        Observations {
            free_bytes: Some(10 * 1024 * MB),
            min_free_bytes: 256 * MB,
            ..Observations::default()
        }
    }

    fn codes(seen: &Observations) -> Vec<&'static str> {
        assess(seen).reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn a_healthy_store_with_room_is_ready() {
        assert!(assess(&healthy()).is_ready());
        let unknown = Observations {
            free_bytes: None,
            ..healthy()
        };
        assert!(
            assess(&unknown).is_ready(),
            "unmeasurable space is no reason"
        );
    }

    #[test]
    fn a_nearly_full_disk_makes_the_server_unready() {
        let full = Observations {
            free_bytes: Some(100 * MB),
            ..healthy()
        };
        let verdict = assess(&full);
        assert_eq!(codes(&full), ["low_disk_space"]);
        assert!(verdict.reasons[0].message.contains("100 MB free"));
    }

    #[test]
    fn failing_writes_a_failed_probe_and_corruption_are_each_named() {
        let seen = Observations {
            store: StoreHealth {
                failing: Some(WriteFailure {
                    error: "No space left on device".into(),
                    since: OffsetDateTime::UNIX_EPOCH,
                }),
                recovered_at: None,
            },
            probe_failure: Some("No space left on device".into()),
            corruption: Some(Corruption {
                problems: 2,
                checked: 40,
            }),
            ..healthy()
        };
        assert_eq!(
            codes(&seen),
            ["store_write_failing", "write_probe_failed", "store_corrupt"]
        );
    }

    #[test]
    fn a_clean_start_up_check_is_no_reason() {
        let seen = Observations {
            corruption: Some(Corruption {
                problems: 0,
                checked: 40,
            }),
            ..healthy()
        };
        assert!(assess(&seen).is_ready());
    }
}
