//! A client-side request rate limit: every attempt a client sends (applies, polls, retries)
//! takes the next free slot, slots `1 / rate` seconds apart, so all threads sharing one
//! [`Client`](crate::Client) stay under the service's limit (20 requests/s for these actions)
//! together.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result, ResultCode};

/// Spaces requests at least `1 / rate` seconds apart, across threads. Threads: `Send + Sync`.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimit {
    /// At most `rate` requests per second (a positive, finite number, at most 1,000,000).
    ///
    /// Errors: [`ResultCode::InvalidOption`] for any other value.
    pub fn per_second(rate: f64) -> Result<RateLimit> {
        if !(rate.is_finite() && rate > 0.0 && rate <= 1e6) {
            return Err(Error::new(
                ResultCode::InvalidOption,
                format!("rate limit {rate} is not a number of requests per second in (0, 1e6]"),
            ));
        }
        Ok(RateLimit {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(None),
        })
    }

    /// The time between two requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Take the next slot, sleeping until it comes.
    pub fn wait(&self) {
        let now = Instant::now();
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        std::thread::sleep(slot.saturating_duration_since(now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_rates_that_are_not_positive_and_finite() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 2e6] {
            let error = RateLimit::per_second(rate).unwrap_err();
            assert_eq!(error.code(), ResultCode::InvalidOption, "{rate}");
        }
        let limit = RateLimit::per_second(4.0).unwrap();
        assert_eq!(limit.interval(), Duration::from_millis(250));
    }

    #[test]
    fn slots_are_one_interval_apart() {
        let limit = RateLimit::per_second(1000.0).unwrap();
        let start = Instant::now();
        for _ in 0..11 {
            limit.wait();
        }
        // 11 slots: the first at once, the last 10 intervals (10 ms) later.
        assert!(start.elapsed() >= Duration::from_millis(10));
    }
}
