//! The `tcfaceid_cancel` handle: stops a verify or resume call from another thread.

use crate::cancel::Cancel;
use crate::capi::ffi::BoxHandle;
use crate::error::ResultCode;

/// A cancel handle (opaque). Made by tcfaceid_cancel_new, passed to
/// tcfaceid_client_verify_card_cancellable or tcfaceid_client_resume, triggered by
/// tcfaceid_cancel_trigger from any thread: the call then ends at once (a sleep between polls
/// wakes; a request in flight has its connection shut down) with TCFACEID_RESULT_CANCELLED,
/// and tcfaceid_last_error_token gives the token once the apply's answer was read (a cancel
/// while the apply itself is in flight has no token to give: that apply may still be
/// processed). Once triggered it stays triggered: use a new handle for the next call.
///
/// Threads: any number of threads may use one handle at the same time. Free it with
/// tcfaceid_cancel_free once no call uses it.
pub struct tcfaceid_cancel {
    _private: [u8; 0],
}

impl BoxHandle for tcfaceid_cancel {
    type Inner = Cancel;
}

/// Make a cancel handle, not triggered. On success `*cancel_out` receives a handle owned by
/// the caller: free it with tcfaceid_cancel_free.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_cancel_new(cancel_out: *mut *mut tcfaceid_cancel) -> ResultCode {
    ffi_boundary! {
        let cancel_out = try_out!(cancel_out);
        cancel_out.set(tcfaceid_cancel::into_raw(Cancel::new()));
        ResultCode::Ok
    }
}

/// Trigger the handle: every call using it stops as soon as it can (see tcfaceid_cancel).
/// Safe to call from any thread, any number of times (also from a signal-free context such as
/// another thread watching for Ctrl-C; it takes a lock, so not from a signal handler).
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_cancel_trigger(cancel: *const tcfaceid_cancel) -> ResultCode {
    ffi_boundary! {
        try_ref!(cancel).trigger();
        ResultCode::Ok
    }
}

/// Whether the handle was triggered; false for NULL.
///
/// Threads: any thread.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_cancel_is_triggered(cancel: *const tcfaceid_cancel) -> bool {
    ffi_boundary! { try_ref!(cancel).is_triggered() }
}

/// Free a cancel handle. NULL does nothing; freeing twice, or while a call uses it, is
/// undefined behaviour. Does not change the last error.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_cancel_free(cancel: *mut tcfaceid_cancel) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live handle from _new no call uses.
        unsafe { tcfaceid_cancel::free(cancel) }
    }
}
