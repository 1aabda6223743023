//! Opt-in retries: how many attempts, and the jittered exponential backoff between them.
//!
//! Business errors are never retried. The rule per action:
//!
//! - **ApplyCardVerification** (billed, not idempotent) is sent again only when the request
//!   certainly did not reach the service (the name did not resolve, the connection could not
//!   be opened, the TLS handshake failed) or the service said it did not process it
//!   (`RequestLimitExceeded*`). Never after the request was written: no answer, a timeout,
//!   HTTP 5xx or a garbled answer may follow a job the service created and billed, and a
//!   second apply would bill a second one.
//! - **GetCardVerificationResult** (and any other `Get*` action, read-only) is retried on every
//!   transient failure ([`Error::is_retryable`]): network failures, timeouts, HTTP 5xx and
//!   `RequestLimitExceeded*`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::error::{Error, Result, ResultCode};

/// How a client retries. The default is no retries (one attempt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, first one included (1 = no retries). At most 10.
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled each time.
    pub base_delay: Duration,
    /// Upper bound of one backoff.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::none()
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub const fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }

    /// `max_attempts` attempts in all with the default backoff (200 ms doubling, capped at 5 s).
    pub const fn attempts(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            ..RetryPolicy::none()
        }
    }

    /// Check the bounds: 1..=10 attempts, base delay at most the max delay.
    pub fn check(&self) -> Result<()> {
        if !(1..=10).contains(&self.max_attempts) {
            return Err(Error::new(
                ResultCode::InvalidOption,
                format!("retry attempts must be 1..=10, not {}", self.max_attempts),
            ));
        }
        if self.base_delay > self.max_delay {
            return Err(Error::new(
                ResultCode::InvalidOption,
                "retry base delay is larger than its max delay",
            ));
        }
        Ok(())
    }

    /// The backoff after failed attempt number `attempt` (1-based): full jitter in
    /// `[d/2, d]` where `d = min(max_delay, base_delay * 2^(attempt-1))`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let half = ceiling / 2;
        let jitter_ns = random_u64() % (half.as_nanos() as u64 + 1);
        half + Duration::from_nanos(jitter_ns)
    }

    /// Whether to retry after `error` on attempt number `attempt` (1-based), for a call that is
    /// `idempotent` or not; `not_sent` says that the failed request certainly never reached
    /// the server (see the module docs).
    pub fn should_retry(
        &self,
        error: &Error,
        attempt: u32,
        idempotent: bool,
        not_sent: bool,
    ) -> bool {
        let safe = if idempotent {
            error.is_retryable()
        } else {
            not_sent || error.code() == ResultCode::ServiceRateLimited
        };
        attempt < self.max_attempts && safe
    }
}

/// A random number from the standard library's per-process random hash keys; good enough for
/// jitter, which only needs clients not to retry in lockstep.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = policy.backoff(9);
            assert!(capped >= Duration::from_millis(150) && capped <= Duration::from_millis(300));
        }
    }

    #[test]
    fn business_errors_are_never_retried() {
        let policy = RetryPolicy::attempts(3);
        let business = Error::from_service("FailedOperation.ImageSizeTooLarge", "too large", None);
        assert!(!policy.should_retry(&business, 1, true, false));
        let limited = Error::from_service("RequestLimitExceeded", "slow down", None);
        assert!(policy.should_retry(&limited, 1, true, false));
        assert!(policy.should_retry(&limited, 1, false, false));
        assert!(!policy.should_retry(&limited, 3, true, false));
        let internal = Error::from_service("InternalError", "oops", None);
        assert!(!policy.should_retry(&internal, 1, true, false));
    }

    #[test]
    fn an_apply_is_sent_again_only_when_it_never_left() {
        let policy = RetryPolicy::attempts(4);
        let reset = Error::new(ResultCode::Transport, "connection reset");
        let timeout = Error::new(ResultCode::Timeout, "late");
        let status = Error::new(ResultCode::HttpStatus, "HTTP 503").with_http_status(503);
        let garbage = Error::new(ResultCode::Protocol, "not JSON");
        for error in [&reset, &timeout, &status, &garbage] {
            assert!(!policy.should_retry(error, 1, false, false), "{error}");
        }
        for error in [&reset, &timeout, &status] {
            assert!(policy.should_retry(error, 1, true, false), "{error}");
        }
        let refused = Error::new(ResultCode::Transport, "connection refused");
        assert!(policy.should_retry(&refused, 1, false, true));
    }
}
