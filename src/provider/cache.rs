//! [`Refreshing`]: the cache in front of every source that rotates. One snapshot is kept; it is
//! refreshed by one thread at a time (single flight) when it comes within the source's margin
//! of its expiry, while the other threads keep using it as long as it is still valid.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::{CredentialProvider, Fetch};
use crate::credential::Credential;
use crate::error::{Error, Result, ResultCode};

/// How many seconds before expiry a snapshot of `lifetime` seconds is refreshed, given the
/// source's `margin`: the margin, but never more than half the lifetime, so short-lived keys
/// are used for half their life instead of being fetched again on every request (the SDKs'
/// behaviour when the lifetime is below their margin).
pub fn effective_margin(margin: i64, lifetime: i64) -> i64 {
    margin.min(lifetime / 2).max(0)
}

/// A snapshot is not handed out in its last second: a request signed with it then could reach
/// the service after the expiry.
pub const IN_FLIGHT_SECS: i64 = 1;

/// Whether `credential` may still sign a request at `now`.
fn usable(credential: &Credential, now: i64) -> bool {
    credential.is_valid_at(now + IN_FLIGHT_SECS)
}

/// The cached snapshot and the refresh in progress, if any.
#[derive(Default)]
struct State {
    current: Option<Arc<Credential>>,
    /// Unix second from which `current` is refreshed.
    refresh_at: i64,
    /// A thread is fetching (the others wait for it or use `current`).
    fetching: bool,
    /// Bumped at the end of every fetch, so waiters know theirs has finished.
    generation: u64,
    /// The last fetch's failure, until a fetch succeeds.
    last_error: Option<Error>,
    /// A failed fetch is not tried again before this second while `current` is valid.
    retry_at: i64,
    fetches: u64,
    failures: u64,
}

/// Caches a [`Fetch`] source: see the module docs. `Send + Sync`; share it.
///
/// A request gets the cached snapshot while it is outside its refresh margin. Inside the
/// margin, the first request fetches (the others keep the still-valid snapshot, without
/// waiting). With nothing valid cached, requests wait for that one fetch and share its
/// outcome. A failed fetch with a valid snapshot left is logged (`log` target
/// `tcfaceid::credentials`) and kept in [`CredentialProvider::last_refresh_error`]; the
/// snapshot is used and the fetch is tried again a second later. With nothing valid left the
/// request fails with [`ResultCode::CredentialsUnavailable`] naming the source.
pub struct Refreshing<F> {
    source: F,
    clock: fn() -> i64,
    state: Mutex<State>,
    done: Condvar,
}

impl<F: Fetch> std::fmt::Debug for Refreshing<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Refreshing")
            .field("source", &self.source.name())
            .field(
                "expires_at",
                &state.current.as_ref().map(|c| c.expires_at()),
            )
            .field("fetches", &state.fetches)
            .finish()
    }
}

/// Clears the `fetching` flag even when the source panics (a caller's callback), so the
/// other threads are not left waiting.
struct FetchGuard<'a, F: Fetch> {
    cache: &'a Refreshing<F>,
    finished: bool,
}

impl<F: Fetch> Drop for FetchGuard<'_, F> {
    fn drop(&mut self) {
        if !self.finished {
            let mut state = self.cache.lock();
            state.fetching = false;
            state.generation += 1;
            self.cache.done.notify_all();
        }
    }
}

impl<F: Fetch> Refreshing<F> {
    /// A cache in front of `source`, on the system clock.
    pub fn new(source: F) -> Refreshing<F> {
        Refreshing::with_clock(source, super::unix_now)
    }

    /// A cache on a given clock (Unix seconds), for tests.
    pub fn with_clock(source: F, clock: fn() -> i64) -> Refreshing<F> {
        Refreshing {
            source,
            clock,
            state: Mutex::new(State::default()),
            done: Condvar::new(),
        }
    }

    /// The source behind the cache.
    pub fn source(&self) -> &F {
        &self.source
    }

    /// Fetches made so far (successful or not).
    pub fn fetches(&self) -> u64 {
        self.lock().fetches
    }

    /// Fetches that failed so far.
    pub fn failures(&self) -> u64 {
        self.lock().failures
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Fetch as the one thread doing so (the lock is not held meanwhile), and record the outcome.
    fn fetch(&self, mut state: MutexGuard<'_, State>) -> Result<Arc<Credential>> {
        state.fetching = true;
        drop(state);
        let mut guard = FetchGuard {
            cache: self,
            finished: false,
        };
        let fetched = self.source.fetch().and_then(|c| self.checked(c));
        let now = (self.clock)();
        let mut state = self.lock();
        guard.finished = true;
        state.fetching = false;
        state.generation += 1;
        state.fetches += 1;
        self.done.notify_all();
        match fetched {
            Ok(credential) => {
                let credential = Arc::new(credential);
                state.refresh_at = match credential.expires_at() {
                    Some(at) => at - effective_margin(self.source.margin_secs(at - now), at - now),
                    None => i64::MAX,
                };
                state.current = Some(credential.clone());
                state.last_error = None;
                Ok(credential)
            }
            Err(error) => {
                state.failures += 1;
                state.retry_at = now + 1;
                let error = Error::new(
                    if error.code() == ResultCode::CredentialsInvalid {
                        ResultCode::CredentialsInvalid
                    } else {
                        ResultCode::CredentialsUnavailable
                    },
                    format!("{}: {}", self.source.name(), error.message()),
                );
                state.last_error = Some(error.clone());
                match state.current.clone().filter(|c| usable(c, now)) {
                    Some(still_valid) => {
                        log::warn!(
                            target: "tcfaceid::credentials",
                            "refresh failed, the current credentials (valid until {}) stay in use: {}",
                            still_valid.expires_at().unwrap_or_default(),
                            error.message()
                        );
                        Ok(still_valid)
                    }
                    None => Err(error),
                }
            }
        }
    }

    /// A fetched snapshot must be usable now.
    fn checked(&self, credential: Credential) -> Result<Credential> {
        if usable(&credential, (self.clock)()) {
            Ok(credential)
        } else {
            Err(Error::new(
                ResultCode::CredentialsUnavailable,
                format!(
                    "the credentials it gave had already expired (at {})",
                    credential.expires_at().unwrap_or_default()
                ),
            ))
        }
    }
}

impl<F: Fetch> CredentialProvider for Refreshing<F> {
    fn credential(&self) -> Result<Arc<Credential>> {
        let mut state = self.lock();
        let mut waited_for = None;
        loop {
            let now = (self.clock)();
            let valid = state.current.clone().filter(|c| usable(c, now));
            match valid {
                Some(c) if now < state.refresh_at => return Ok(c),
                Some(c) if state.fetching || now < state.retry_at => return Ok(c),
                Some(_) => return self.fetch(state),
                None if state.fetching => {
                    waited_for = Some(state.generation);
                    state = self.done.wait(state).unwrap_or_else(|p| p.into_inner());
                }
                None => {
                    // The fetch this thread waited for failed: share its error, do not
                    // start another one at once.
                    if waited_for.is_some_and(|g| g != state.generation) {
                        if let Some(error) = state.last_error.clone() {
                            return Err(error);
                        }
                    }
                    return self.fetch(state);
                }
            }
        }
    }

    fn name(&self) -> String {
        self.source.name()
    }

    fn last_refresh_error(&self) -> Option<Error> {
        self.lock().last_error.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

    static NOW: AtomicI64 = AtomicI64::new(1_000_000);

    fn now() -> i64 {
        NOW.load(Ordering::SeqCst)
    }

    /// Issues keys valid for `ttl` seconds from the fake clock; fails while `fail` is set.
    #[derive(Debug)]
    struct Issuer {
        ttl: i64,
        issued: AtomicU64,
        fail: std::sync::atomic::AtomicBool,
    }

    impl Fetch for Issuer {
        fn fetch(&self) -> Result<Credential> {
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::new(ResultCode::Transport, "down"));
            }
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(
                Credential::new(&format!("AKIDTEMP{n}"), "key", Some("tok"))?
                    .expiring_at(now() + self.ttl),
            )
        }
        fn name(&self) -> String {
            "test issuer".into()
        }
        fn margin_secs(&self, _lifetime: i64) -> i64 {
            300
        }
    }

    fn cache(ttl: i64) -> Refreshing<Issuer> {
        Refreshing::with_clock(
            Issuer {
                ttl,
                issued: AtomicU64::new(0),
                fail: false.into(),
            },
            now,
        )
    }

    // One test drives the shared fake clock, so the steps run in order.
    #[test]
    fn refresh_margin_failure_and_recovery() {
        NOW.store(1_000_000, Ordering::SeqCst);
        let c = cache(3600);
        assert_eq!(c.credential().unwrap().secret_id(), "AKIDTEMP1");
        // Outside the 300 s margin: cached.
        NOW.store(1_000_000 + 3299, Ordering::SeqCst);
        assert_eq!(c.credential().unwrap().secret_id(), "AKIDTEMP1");
        assert_eq!(c.fetches(), 1);
        // Inside it: refreshed, once.
        NOW.store(1_000_000 + 3300, Ordering::SeqCst);
        assert_eq!(c.credential().unwrap().secret_id(), "AKIDTEMP2");
        assert_eq!(c.credential().unwrap().secret_id(), "AKIDTEMP2");
        assert_eq!(c.fetches(), 2);
        // A failed refresh with a valid snapshot left: the snapshot, and the error kept.
        let base = 1_000_000 + 3300;
        NOW.store(base + 3300, Ordering::SeqCst);
        c.source().fail.store(true, Ordering::SeqCst);
        assert_eq!(c.credential().unwrap().secret_id(), "AKIDTEMP2");
        let error = c.last_refresh_error().unwrap();
        assert_eq!(error.code(), ResultCode::CredentialsUnavailable);
        assert!(error.message().starts_with("test issuer: "), "{error}");
        // Not tried again within the same second.
        assert_eq!(c.credential().unwrap().secret_id(), "AKIDTEMP2");
        assert_eq!(c.fetches(), 3);
        // Expired and still failing: an error naming the source, never an empty key.
        NOW.store(base + 3600, Ordering::SeqCst);
        let error = c.credential().unwrap_err();
        assert_eq!(error.code(), ResultCode::CredentialsUnavailable);
        assert!(error.message().contains("test issuer"), "{error}");
        // Recovery.
        c.source().fail.store(false, Ordering::SeqCst);
        assert_eq!(c.credential().unwrap().secret_id(), "AKIDTEMP3");
        assert!(c.last_refresh_error().is_none());
        // Short-lived keys are refreshed at half their life, not on every request.
        NOW.store(2_000_000, Ordering::SeqCst);
        let short = cache(10);
        assert_eq!(short.credential().unwrap().secret_id(), "AKIDTEMP1");
        NOW.store(2_000_004, Ordering::SeqCst);
        assert_eq!(short.credential().unwrap().secret_id(), "AKIDTEMP1");
        NOW.store(2_000_005, Ordering::SeqCst);
        assert_eq!(short.credential().unwrap().secret_id(), "AKIDTEMP2");
    }

    #[test]
    fn margins() {
        assert_eq!(effective_margin(300, 7200), 300);
        assert_eq!(effective_margin(300, 400), 200);
        assert_eq!(effective_margin(300, 1), 0);
    }
}
