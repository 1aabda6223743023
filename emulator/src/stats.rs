//! Exact counters of what the emulator saw and answered, safe to bump from every worker thread,
//! and a way to wait until they reach a value (tests block on it instead of sleeping).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

/// A snapshot of the emulator's counters. Every counter is bumped before the answer it
/// describes is written, so once a client has its answer the count includes it. Served as JSON
/// by `GET /__emulator/stats` (field names as here).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// HTTP requests received, faulted ones included (`/__emulator/` requests excluded).
    pub requests: u64,
    /// ApplyCardVerification calls that passed the common checks and the signature.
    pub apply_calls: u64,
    /// Of `apply_calls`, those whose body (or GET query) repeats an earlier apply's byte for
    /// byte: a retried apply, or a caller applying the same document again. Each is billed.
    pub repeated_applies: u64,
    /// GetCardVerificationResult calls that passed the common checks and the signature.
    pub result_calls: u64,
    /// Authenticated calls naming any other action (answered `InvalidAction`).
    pub other_calls: u64,
    /// Tokens handed out by successful ApplyCardVerification calls.
    pub tokens_issued: u64,
    /// GetCardVerificationResult answers with Status PROCESSING.
    pub processing_answers: u64,
    /// GetCardVerificationResult answers with a verdict (PASSED, WARNING or REJECTED).
    pub verdicts: u64,
    /// Requests answered with an injected fault (HTTP 500, rate limit, dropped, garbage).
    pub faults: u64,
    /// Error envelopes answered (injected rate limits excluded; they count as faults).
    pub errors: u64,
    /// Error envelopes with an `AuthFailure.*` code.
    pub auth_failures: u64,
    /// Error envelopes with `AuthFailure.SignatureFailure`.
    pub signature_failures: u64,
}

impl Stats {
    /// The counter called `name` (a field name above), if there is one.
    pub fn get(&self, name: &str) -> Option<u64> {
        serde_json::to_value(self).ok()?.get(name)?.as_u64()
    }
}

/// The live counters behind [`Stats`], and the signal that one of them changed.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub apply_calls: AtomicU64,
    pub repeated_applies: AtomicU64,
    pub result_calls: AtomicU64,
    pub other_calls: AtomicU64,
    pub tokens_issued: AtomicU64,
    pub processing_answers: AtomicU64,
    pub verdicts: AtomicU64,
    pub faults: AtomicU64,
    pub errors: AtomicU64,
    pub auth_failures: AtomicU64,
    pub signature_failures: AtomicU64,
    signal: Mutex<()>,
    changed: Condvar,
}

impl Counters {
    /// Add one to the counter `pick` chooses, and wake every [`Counters::wait_until`].
    pub fn bump(&self, pick: impl Fn(&Counters) -> &AtomicU64) {
        pick(self).fetch_add(1, Ordering::SeqCst);
        self.wake();
    }

    /// Wake every [`Counters::wait_until`] to look again (after a bump, or to stop).
    pub fn wake(&self) {
        // Taken after the change: a waiter that read the old state is already waiting.
        let _signal = self.signal.lock().unwrap_or_else(PoisonError::into_inner);
        self.changed.notify_all();
    }

    /// Count one error envelope by its code.
    pub fn error(&self, code: &str) {
        self.bump(|c| &c.errors);
        if code.starts_with("AuthFailure") {
            self.bump(|c| &c.auth_failures);
        }
        if code == super::reply::code::SIGNATURE_FAILURE {
            self.bump(|c| &c.signature_failures);
        }
    }

    /// Read every counter.
    pub fn snapshot(&self) -> Stats {
        let read = |c: &AtomicU64| c.load(Ordering::SeqCst);
        Stats {
            requests: read(&self.requests),
            apply_calls: read(&self.apply_calls),
            repeated_applies: read(&self.repeated_applies),
            result_calls: read(&self.result_calls),
            other_calls: read(&self.other_calls),
            tokens_issued: read(&self.tokens_issued),
            processing_answers: read(&self.processing_answers),
            verdicts: read(&self.verdicts),
            faults: read(&self.faults),
            errors: read(&self.errors),
            auth_failures: read(&self.auth_failures),
            signature_failures: read(&self.signature_failures),
        }
    }

    /// Block until `until` holds for the counters (`Ok`), or `timeout` passes (`Err`), with
    /// the last snapshot either way.
    pub fn wait_until(
        &self,
        until: impl Fn(&Stats) -> bool,
        timeout: Duration,
    ) -> Result<Stats, Stats> {
        let deadline = Instant::now().checked_add(timeout);
        let mut signal = self.signal.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let stats = self.snapshot();
            if until(&stats) {
                return Ok(stats);
            }
            let left = deadline.map_or(Duration::from_secs(3600), |d| {
                d.saturating_duration_since(Instant::now())
            });
            if left.is_zero() {
                return Err(stats);
            }
            signal = self
                .changed
                .wait_timeout(signal, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_waiter_wakes_when_the_counter_is_reached() {
        let counters = Arc::new(Counters::default());
        let bumper = counters.clone();
        let thread = std::thread::spawn(move || {
            for _ in 0..3 {
                bumper.bump(|c| &c.verdicts);
            }
        });
        let reached = counters.wait_until(|s| s.verdicts == 3, Duration::from_secs(60));
        assert_eq!(reached.map(|s| s.verdicts), Ok(3));
        thread.join().unwrap();
        let missed = counters.wait_until(|s| s.faults > 0, Duration::from_millis(1));
        assert_eq!(missed.map_err(|s| s.get("verdicts")), Err(Some(3)));
        assert_eq!(counters.snapshot().get("no_such_counter"), None);
    }
}
