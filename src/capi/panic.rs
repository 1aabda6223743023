//! The panic boundary: every exported function's body runs inside `ffi_boundary!`, so a panic
//! (always a bug) never unwinds into C, which would be undefined behaviour. It becomes
//! `TCFACEID_RESULT_PANIC` (or NULL / 0 / false for functions that do not return a result code)
//! and a last error whose message carries the panic's text. `tcfaceid_debug_panic` (in the
//! `tcfaceid-test-hooks` crate, through `capi::run_in_panic_boundary`) proves it from C.
//!
//! This needs `panic = "unwind"` (the default, kept explicitly in `[profile.release]`): with
//! `panic = "abort"` nothing can be caught and the process ends.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::capi::error::{clear_last_error, set_last_error};
use crate::capi::ffi::ErrorReturn;
use crate::error::{Error, ResultCode};

/// Run the body of an exported function: catch any panic, and manage the last error.
///
/// `ffi_boundary! { body }` first clears this thread's last error (so after a successful call
/// `tcfaceid_last_error_code()` is `TCFACEID_RESULT_OK`); use it for every function that can
/// fail. `ffi_boundary! { keep_last_error; body }` leaves the last error as it is; it is for the
/// functions documented as not touching it: the `tcfaceid_last_error_*` accessors,
/// `tcfaceid_result_str`, `tcfaceid_version`, `tcfaceid_string_free` and the `_free` functions,
/// so that freeing a handle after a failed call keeps the failure readable.
///
/// The body is a closure: `return` (and the `try_*!` macros) leave the body, not the function.
macro_rules! ffi_boundary {
    (keep_last_error; $($body:tt)*) => {
        $crate::capi::panic::run_boundary(false, || { $($body)* })
    };
    ($($body:tt)*) => {
        $crate::capi::panic::run_boundary(true, || { $($body)* })
    };
}

/// The function behind `ffi_boundary!`.
pub(crate) fn run_boundary<R: ErrorReturn>(clear_error: bool, body: impl FnOnce() -> R) -> R {
    if clear_error {
        clear_last_error();
    }
    // AssertUnwindSafe: after a caught panic a handle may hold a half-updated value, but never
    // an unsafe one: every handle's state is plain owned data.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            let error = Error::new(
                ResultCode::Panic,
                format!(
                    "internal error: a panic was caught at the C boundary (a bug in tcfaceid, \
                     please report it): {}",
                    panic_text(payload.as_ref())
                ),
            );
            R::error_return(set_last_error(&error))
        }
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "(no message)"
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::c_char;

    use super::*;
    use crate::capi::error::last_error_snapshot;

    /// A function returning a pointer, to test the boundary's NULL default.
    fn pointer_that_panics() -> *const c_char {
        ffi_boundary! {
            panic!("{}", String::from("owned message"))
        }
    }

    #[test]
    fn a_panic_becomes_the_panic_code_and_the_last_error() {
        assert_eq!(
            crate::capi::run_in_panic_boundary(|| panic!("deliberate panic")),
            ResultCode::Panic
        );
        let (code, message) = last_error_snapshot();
        assert_eq!(code, ResultCode::Panic);
        assert!(message.contains("deliberate panic"), "{message}");
    }

    #[test]
    fn a_panic_in_a_pointer_function_gives_null() {
        assert!(pointer_that_panics().is_null());
        let (code, message) = last_error_snapshot();
        assert_eq!(code, ResultCode::Panic);
        assert!(message.contains("owned message"), "{message}");
    }
}
