//! Cancellation: a [`Cancel`] handle that any thread can trigger to stop a call at once.
//!
//! The client checks it before each request, sleeps on it (a triggered handle wakes every
//! sleeper at once) and, while a request is in flight, waits for the answer in short slices
//! ([`POLL_SLICE`]) so that a trigger ends the wait within that slice. A cancelled call fails
//! with [`ResultCode::Cancelled`]; after a successful apply the error carries the token.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Error, ResultCode};

/// Longest a waiting call goes without looking at its cancel handle.
pub const POLL_SLICE: Duration = Duration::from_millis(20);

/// A cancel handle: cheap to clone (clones share one flag), `Send + Sync`. Once triggered it
/// stays triggered; use a new one for the next call.
#[derive(Clone, Debug, Default)]
pub struct Cancel {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Cancel {
    /// A handle that is not triggered.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Trigger it: every call using this handle stops as soon as it can (within
    /// [`POLL_SLICE`] while a request is in flight, at once while sleeping).
    pub fn trigger(&self) {
        let (flag, wake) = &*self.inner;
        *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
    }

    /// Whether it was triggered.
    pub fn is_triggered(&self) -> bool {
        *self.inner.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sleep for `duration`, or less when triggered meanwhile. Returns whether it was triggered.
    pub fn sleep(&self, duration: Duration) -> bool {
        let (flag, wake) = &*self.inner;
        let until = Instant::now().checked_add(duration);
        let mut triggered = flag.lock().unwrap_or_else(PoisonError::into_inner);
        while !*triggered {
            let left = match until {
                Some(until) => until.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                break;
            }
            triggered = wake
                .wait_timeout(triggered, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *triggered
    }
}

/// The error of a cancelled call.
pub(crate) fn cancelled_error() -> Error {
    Error::new(ResultCode::Cancelled, "the call was cancelled")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_wakes_a_sleeper_at_once() {
        let cancel = Cancel::new();
        let other = cancel.clone();
        let start = Instant::now();
        let sleeper = std::thread::spawn(move || other.sleep(Duration::from_secs(60)));
        cancel.trigger();
        assert!(sleeper.join().unwrap());
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(cancel.is_triggered());
        assert!(!Cancel::new().sleep(Duration::from_millis(1)));
    }
}
