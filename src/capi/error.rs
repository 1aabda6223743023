//! The thread-local last error and the static descriptions of result codes.
//!
//! Every C function that can fail clears this thread's last error when it starts (through
//! `ffi_boundary!`) and records the details of a failure before returning. So after any call,
//! `tcfaceid_last_error_code()` tells whether that call failed, which is how a function that
//! returns NULL or 0 tells "nothing" from "bad argument". The accessors, `tcfaceid_result_str`,
//! `tcfaceid_version` and the free functions leave the last error alone.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use crate::error::{Error, Result, ResultCode};

/// A C string for diagnostics (error messages and the like): an interior NUL, which C could not
/// see past, becomes U+FFFD so the text is never silently cut short.
pub(crate) fn c_string_lossy(text: &str) -> CString {
    match CString::new(text) {
        Ok(c) => c,
        Err(e) => {
            let replaced = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
            CString::new(replaced).unwrap_or_default()
        }
    }
}

/// The details of the last failure on one thread, held as C strings so the accessors can hand
/// out borrowed pointers.
struct LastError {
    code: ResultCode,
    message: CString,
    field: Option<CString>,
    service_code: Option<CString>,
    request_id: Option<CString>,
    http_status: u16,
    token: Option<CString>,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// Record `error` as this thread's last error and return its code.
///
/// Every C function that fails calls this (usually through `try_result!` or the other `try_*!`
/// macros) before returning the code.
pub(crate) fn set_last_error(error: &Error) -> ResultCode {
    let value = LastError {
        code: error.code(),
        message: c_string_lossy(error.message()),
        field: error.field().map(c_string_lossy),
        service_code: error.service_code().map(c_string_lossy),
        request_id: error.request_id().map(c_string_lossy),
        http_status: error.http_status().unwrap_or(0),
        token: error.token().map(c_string_lossy),
    };
    // try_with: during thread teardown the slot may be gone; the code is still returned.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(value));
    error.code()
}

/// Forget this thread's last error (`ffi_boundary!` does this when a call starts).
pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = None);
}

/// The code of a [`Result`], recording the error as the last error when there is one.
pub(crate) fn result_code<T>(result: Result<T>) -> ResultCode {
    match result {
        Ok(_) => ResultCode::Ok,
        Err(error) => set_last_error(&error),
    }
}

/// The last error's code and message (for Rust tests).
#[cfg(test)]
pub(crate) fn last_error_snapshot() -> (ResultCode, String) {
    LAST_ERROR.with(|slot| match &*slot.borrow() {
        Some(e) => (e.code, e.message.to_string_lossy().into_owned()),
        None => (ResultCode::Ok, String::new()),
    })
}

/// A pointer to one C string of the last error, or to "" when there is none.
fn last_error_str(get: impl Fn(&LastError) -> Option<&CString>) -> *const c_char {
    LAST_ERROR
        .try_with(|slot| slot.borrow().as_ref().and_then(&get).map(|s| s.as_ptr()))
        .ok()
        .flatten()
        .unwrap_or(c"".as_ptr())
}

/// The result code of the last failed call on this thread, or TCFACEID_RESULT_OK when the
/// last call that can fail succeeded (or none was made).
///
/// Does not change the last error. Threads: each thread has its own last error.
#[no_mangle]
pub extern "C" fn tcfaceid_last_error_code() -> ResultCode {
    ffi_boundary! { keep_last_error;
        LAST_ERROR
            .try_with(|slot| slot.borrow().as_ref().map_or(ResultCode::Ok, |e| e.code))
            .unwrap_or(ResultCode::Ok)
    }
}

/// The message of the last failed call on this thread, for people (English, never contains
/// the secret key); "" when the last call succeeded.
///
/// Never NULL. Ownership: borrowed from the library; do not free it. It stays valid until the
/// next call on this thread to a function that can fail (any function except
/// tcfaceid_last_error_*, tcfaceid_result_str, tcfaceid_version, tcfaceid_string_free and the
/// _free functions). Copy it to keep it. Threads: each thread has its own last error.
#[no_mangle]
pub extern "C" fn tcfaceid_last_error_message() -> *const c_char {
    ffi_boundary! { keep_last_error;
        last_error_str(|e| Some(&e.message))
    }
}

/// The argument or request field at fault in the last failed call on this thread: the C
/// parameter's name for argument errors (e.g. "secret_id", "headers_out") or the service's
/// field name for validation errors (e.g. "Nationality", "ImageBase64Back"); "" when none.
///
/// Never NULL. Ownership and lifetime: as tcfaceid_last_error_message.
#[no_mangle]
pub extern "C" fn tcfaceid_last_error_field() -> *const c_char {
    ffi_boundary! { keep_last_error;
        last_error_str(|e| e.field.as_ref())
    }
}

/// The service's error code (Response.Error.Code, e.g. "FailedOperation.ImageSizeTooLarge")
/// of the last failed call on this thread; "" when the failure did not come from the service.
///
/// Never NULL. Ownership and lifetime: as tcfaceid_last_error_message.
#[no_mangle]
pub extern "C" fn tcfaceid_last_error_service_code() -> *const c_char {
    ffi_boundary! { keep_last_error;
        last_error_str(|e| e.service_code.as_ref())
    }
}

/// The service's RequestId of the last failed call on this thread (quote it to Tencent
/// support); "" when the request did not reach the service.
///
/// Never NULL. Ownership and lifetime: as tcfaceid_last_error_message.
#[no_mangle]
pub extern "C" fn tcfaceid_last_error_request_id() -> *const c_char {
    ffi_boundary! { keep_last_error;
        last_error_str(|e| e.request_id.as_ref())
    }
}

/// The CardVerificationToken of the billed verification the last failed call on this thread
/// was part of: set on every failure after a successful ApplyCardVerification (transport, TLS,
/// timeout, protocol, service, polling deadline, attempts and cancellation alike); "" when the
/// failure came before a token existed. Resume with tcfaceid_client_resume instead of applying
/// again (a second apply is billed again).
///
/// Never NULL. Ownership and lifetime: as tcfaceid_last_error_message.
#[no_mangle]
pub extern "C" fn tcfaceid_last_error_token() -> *const c_char {
    ffi_boundary! { keep_last_error;
        last_error_str(|e| e.token.as_ref())
    }
}

/// The HTTP status of the response behind the last failed call on this thread; 0 when there
/// was no response (or no failure).
///
/// Does not change the last error. Threads: each thread has its own last error.
#[no_mangle]
pub extern "C" fn tcfaceid_last_error_http_status() -> u16 {
    ffi_boundary! { keep_last_error;
        LAST_ERROR
            .try_with(|slot| slot.borrow().as_ref().map_or(0, |e| e.http_status))
            .unwrap_or(0)
    }
}

/// The static descriptions of the result codes, NUL-terminated, in `ResultCode::ALL` order.
fn descriptions() -> &'static [(u32, CString)] {
    static TABLE: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ResultCode::ALL
            .iter()
            .map(|code| (*code as u32, c_string_lossy(code.description())))
            .collect()
    })
}

/// A static English description of a result code, e.g. "a required pointer argument was
/// NULL"; "unknown result code" for a number that is not a tcfaceid_result.
///
/// `code` is a plain uint32_t so that any number is safe to pass. Never NULL. Ownership: static,
/// valid for the life of the process; do not free it. Does not change the last error.
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tcfaceid_result_str(code: u32) -> *const c_char {
    ffi_boundary! { keep_last_error;
        descriptions()
            .iter()
            .find(|(value, _)| *value == code)
            .map_or(c"unknown result code".as_ptr(), |(_, text)| text.as_ptr())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn text(ptr: *const c_char) -> String {
        assert!(!ptr.is_null());
        // SAFETY: the accessors never return NULL and point to NUL-terminated strings.
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn interior_nuls_are_replaced_in_diagnostics() {
        assert_eq!(c_string_lossy("a\0b").to_str().unwrap(), "a\u{FFFD}b");
        assert_eq!(c_string_lossy("plain").to_str().unwrap(), "plain");
    }

    #[test]
    fn every_code_has_a_description_and_unknown_numbers_are_safe() {
        for code in ResultCode::ALL {
            assert_eq!(text(tcfaceid_result_str(*code as u32)), code.description());
        }
        assert_eq!(text(tcfaceid_result_str(1)), "unknown result code");
        assert_eq!(text(tcfaceid_result_str(u32::MAX)), "unknown result code");
    }

    #[test]
    fn the_last_error_is_per_thread_and_complete() {
        let error = Error::from_service("AuthFailure.SignatureFailure", "bad\0sig", Some("req-1"))
            .with_http_status(200)
            .with_token("tok-1");
        assert_eq!(set_last_error(&error), ResultCode::ServiceAuthFailure);
        assert_eq!(tcfaceid_last_error_code(), ResultCode::ServiceAuthFailure);
        assert!(text(tcfaceid_last_error_message()).contains("bad\u{FFFD}sig"));
        assert_eq!(
            text(tcfaceid_last_error_service_code()),
            "AuthFailure.SignatureFailure"
        );
        assert_eq!(text(tcfaceid_last_error_request_id()), "req-1");
        assert_eq!(text(tcfaceid_last_error_field()), "");
        assert_eq!(text(tcfaceid_last_error_token()), "tok-1");
        assert_eq!(tcfaceid_last_error_http_status(), 200);
        std::thread::spawn(|| {
            assert_eq!(tcfaceid_last_error_code(), ResultCode::Ok);
            assert_eq!(text(tcfaceid_last_error_message()), "");
        })
        .join()
        .unwrap();
        clear_last_error();
        assert_eq!(tcfaceid_last_error_code(), ResultCode::Ok);
        assert_eq!(tcfaceid_last_error_http_status(), 0);
        assert_eq!(text(tcfaceid_last_error_token()), "");
        assert_eq!(
            result_code(Err::<(), _>(Error::new(ResultCode::Timeout, "late"))),
            ResultCode::Timeout
        );
        assert_eq!(text(tcfaceid_last_error_message()), "late");
    }
}
