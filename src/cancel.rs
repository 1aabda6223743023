//! Cancellation: a [`Cancel`] handle that any thread can trigger to stop a call at once.
//!
//! The client checks it before each request and sleeps on it (a trigger wakes every sleeper at
//! once). While a request is in flight, its socket is *watched* by the handle: a trigger shuts
//! that socket down, which ends a blocked connect, write or read in the calling thread at once
//! (no helper thread, no polling). A cancelled call fails with [`ResultCode::Cancelled`]; after
//! a successful apply the error carries the token.

use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use crate::error::{Error, ResultCode};

/// Something in flight that a trigger interrupts (the client's socket: it shuts it down).
pub(crate) trait Interrupt: Send + Sync {
    /// Make every blocked operation on it return now. Called with the handle's lock held.
    fn interrupt(&self);
}

/// A cancel handle: cheap to clone (clones share one flag), `Send + Sync`. Once triggered it
/// stays triggered; use a new one for the next call.
#[derive(Clone, Default)]
pub struct Cancel {
    inner: Arc<(Mutex<State>, Condvar)>,
}

#[derive(Default)]
struct State {
    triggered: bool,
    /// What calls using this handle are waiting on now (weak: a closed socket just drops out).
    watched: Vec<Weak<dyn Interrupt>>,
}

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cancel")
            .field("triggered", &self.is_triggered())
            .finish()
    }
}

impl Cancel {
    /// A handle that is not triggered.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Trigger it: every call using this handle stops at once (a sleep wakes, a request in
    /// flight has its connection shut down).
    pub fn trigger(&self) {
        let mut state = self.state();
        state.triggered = true;
        // Under the lock: once `unwatch` has returned, that target is never interrupted (its
        // connection may already serve another call).
        for target in state.watched.drain(..).filter_map(|w| w.upgrade()) {
            target.interrupt();
        }
        self.inner.1.notify_all();
    }

    /// Whether it was triggered.
    pub fn is_triggered(&self) -> bool {
        self.state().triggered
    }

    /// Whether both are clones of one handle.
    pub(crate) fn same_as(&self, other: &Cancel) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Interrupt `target` when triggered, until [`unwatch`](Self::unwatch). Returns false (and
    /// watches nothing) when already triggered.
    pub(crate) fn watch(&self, target: Weak<dyn Interrupt>) -> bool {
        let mut state = self.state();
        if state.triggered {
            return false;
        }
        state.watched.retain(|w| w.strong_count() > 0);
        state.watched.push(target);
        true
    }

    /// Stop watching `target`.
    pub(crate) fn unwatch(&self, target: &Weak<dyn Interrupt>) {
        self.state().watched.retain(|w| !Weak::ptr_eq(w, target));
    }

    /// Sleep for `duration`, or less when triggered meanwhile. Returns whether it was triggered.
    pub fn sleep(&self, duration: Duration) -> bool {
        let until = Instant::now().checked_add(duration);
        let mut state = self.state();
        while !state.triggered {
            let left = match until {
                Some(until) => until.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                break;
            }
            state = self
                .inner
                .1
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.triggered
    }
}

/// The error of a cancelled call.
pub(crate) fn cancelled_error() -> Error {
    Error::new(ResultCode::Cancelled, "the call was cancelled")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

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

    #[derive(Default)]
    struct Counter(AtomicUsize);

    impl Interrupt for Counter {
        fn interrupt(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_trigger_interrupts_what_is_watched_and_nothing_unwatched() {
        let cancel = Cancel::new();
        let (kept, dropped) = (Arc::new(Counter::default()), Arc::new(Counter::default()));
        let kept_weak = Arc::downgrade(&kept) as Weak<dyn Interrupt>;
        let dropped_weak = Arc::downgrade(&dropped) as Weak<dyn Interrupt>;
        assert!(cancel.watch(kept_weak.clone()));
        assert!(cancel.watch(dropped_weak.clone()));
        cancel.unwatch(&dropped_weak);
        cancel.trigger();
        assert_eq!(kept.0.load(Ordering::SeqCst), 1);
        assert_eq!(dropped.0.load(Ordering::SeqCst), 0);
        assert!(
            !cancel.watch(kept_weak),
            "a triggered handle watches nothing"
        );
        assert!(cancel.same_as(&cancel.clone()) && !cancel.same_as(&Cancel::new()));
    }
}
