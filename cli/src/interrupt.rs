//! Ctrl-C and SIGTERM: stop starting applies, let the applies in flight finish and record
//! their tokens, then run the command's last words: batch journals its tokens and exits 130
//! (polls in flight are abandoned: polling is not billed and resumes from the token);
//! `verify` / `result` trigger the library's cancel handle so that the command itself prints
//! its record (the token and the cancellation) and exits 130.

use std::sync::{Arc, Condvar, Mutex};

/// Shared by the signal handler and the threads that apply.
#[derive(Debug, Default)]
pub struct Interrupt {
    /// (stopping, applies in flight)
    state: Mutex<(bool, usize)>,
    idle: Condvar,
}

/// An apply in flight: the handler waits until it is dropped, i.e. until the token it got is
/// recorded.
pub struct Applying<'a>(&'a Interrupt);

impl Drop for Applying<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.1 -= 1;
        self.0.idle.notify_all();
    }
}

impl Interrupt {
    /// Install the handler: on the signal, wait for the applies in flight, then call `last`;
    /// the process exits with 130 when it returns true.
    pub fn install(last: impl Fn() -> bool + Send + 'static) -> Arc<Interrupt> {
        let interrupt = Arc::new(Interrupt::default());
        let shared = Arc::clone(&interrupt);
        let installed = ctrlc::set_handler(move || {
            let mut state = shared.lock();
            state.0 = true;
            while state.1 > 0 {
                state = shared.idle.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            drop(state);
            if last() {
                std::process::exit(crate::exit::INTERRUPTED);
            }
        });
        if let Err(error) = installed {
            eprintln!("tcfaceid: warning: Ctrl-C is not handled ({error})");
        }
        interrupt
    }

    /// Start an apply, unless the command is stopping.
    pub fn begin_apply(&self) -> Option<Applying<'_>> {
        let mut state = self.lock();
        if state.0 {
            return None;
        }
        state.1 += 1;
        Some(Applying(self))
    }

    /// Whether a signal came.
    pub fn stopping(&self) -> bool {
        self.lock().0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (bool, usize)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
