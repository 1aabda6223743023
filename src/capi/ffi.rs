//! Plumbing shared by every C function: argument checks, opaque handles, output parameters and
//! C strings.
//!
//! The checking macros (`try_ref!`, `try_mut!`, `try_str!`, `try_opt_str!`, `try_slice!`,
//! `try_out!`, `try_result!`) all work the same way: on failure they record the error as this
//! thread's last error (naming the C parameter, in the message and as the error's field) and
//! `return` early with [`ErrorReturn::error_return`] of the code, which is the code itself for
//! functions returning `tcfaceid_result` and NULL / 0 / false otherwise. They are meant to be
//! used inside `ffi_boundary!`, whose closure is what they return from.

use std::ffi::{c_char, CStr, CString};
use std::marker::PhantomData;

use crate::error::{Error, Result, ResultCode};

/// What a C function returns when it fails: the result code itself for functions returning
/// `tcfaceid_result`, otherwise a neutral value (NULL, 0, false, nothing). The details are in
/// the thread's last error either way.
pub(crate) trait ErrorReturn {
    /// The value to return for a failure of class `code`.
    fn error_return(code: ResultCode) -> Self;
}

impl ErrorReturn for ResultCode {
    fn error_return(code: ResultCode) -> Self {
        code
    }
}

impl<T> ErrorReturn for *const T {
    fn error_return(_: ResultCode) -> Self {
        std::ptr::null()
    }
}

impl<T> ErrorReturn for *mut T {
    fn error_return(_: ResultCode) -> Self {
        std::ptr::null_mut()
    }
}

impl ErrorReturn for () {
    fn error_return(_: ResultCode) -> Self {}
}

impl ErrorReturn for bool {
    fn error_return(_: ResultCode) -> Self {
        false
    }
}

macro_rules! zero_error_return {
    ($($t:ty),*) => {
        $(impl ErrorReturn for $t {
            fn error_return(_: ResultCode) -> Self {
                0
            }
        })*
    };
}
zero_error_return!(u8, u16, u32, u64, usize, i32, i64);

/// Record `error` as this thread's last error and give the value the C function returns.
pub(crate) fn fail<R: ErrorReturn>(error: &Error) -> R {
    R::error_return(crate::capi::error::set_last_error(error))
}

/// The error for a NULL pointer given as the C parameter `name`.
pub(crate) fn null_argument(name: &str) -> Error {
    Error::for_field(ResultCode::NullArgument, name, format!("{name} is NULL"))
}

/// A Rust type whose values C holds as `*mut Self` / `*const Self`, backed by a
/// `Box<Self::Inner>`.
///
/// `Self` is the zero-sized C-visible type (`pub struct tcfaceid_x { _private: [u8; 0] }`, which
/// cbindgen emits as an incomplete `typedef struct tcfaceid_x tcfaceid_x;`); the pointer C holds
/// is really a `*mut Self::Inner`. A type implements this trait once, in its own file, and then
/// uses only these functions and the `try_ref!` / `try_mut!` macros, so the cast is written in
/// one place.
pub(crate) trait BoxHandle: Sized {
    /// The Rust value behind the handle.
    type Inner;

    /// Move `inner` to the heap and give C its handle (free it with [`BoxHandle::free`]).
    fn into_raw(inner: Self::Inner) -> *mut Self {
        Box::into_raw(Box::new(inner)).cast::<Self>()
    }

    /// Borrow the value behind a handle; `None` for NULL.
    ///
    /// # Safety
    /// `ptr` is NULL or came from [`BoxHandle::into_raw`] of this type and was not freed, and
    /// nothing mutates the value for the lifetime `'a`.
    unsafe fn as_inner<'a>(ptr: *const Self) -> Option<&'a Self::Inner> {
        // SAFETY: by the contract above, a non-NULL ptr is a live Box<Inner>.
        unsafe { ptr.cast::<Self::Inner>().as_ref() }
    }

    /// Borrow the value behind a handle mutably; `None` for NULL.
    ///
    /// # Safety
    /// As [`BoxHandle::as_inner`], and nothing else uses the value for the lifetime `'a`.
    unsafe fn as_inner_mut<'a>(ptr: *mut Self) -> Option<&'a mut Self::Inner> {
        // SAFETY: by the contract above, a non-NULL ptr is a live, unaliased Box<Inner>.
        unsafe { ptr.cast::<Self::Inner>().as_mut() }
    }

    /// Take the value back from a handle (the handle is gone afterwards); `None` for NULL.
    ///
    /// # Safety
    /// As [`BoxHandle::free`].
    unsafe fn take(ptr: *mut Self) -> Option<Self::Inner> {
        // SAFETY: by the contract above, a non-NULL ptr is a live Box<Inner> given up by C.
        (!ptr.is_null()).then(|| *unsafe { Box::from_raw(ptr.cast::<Self::Inner>()) })
    }

    /// Drop the value behind a handle; NULL does nothing.
    ///
    /// # Safety
    /// `ptr` is NULL or came from [`BoxHandle::into_raw`] of this type and was not freed yet;
    /// it must not be used afterwards.
    unsafe fn free(ptr: *mut Self) {
        if !ptr.is_null() {
            // SAFETY: by the contract above, ptr is a live Box<Inner> given up by C.
            drop(unsafe { Box::from_raw(ptr.cast::<Self::Inner>()) });
        }
    }
}

/// A checked, non-NULL output parameter: written at most once, and only on success (C sees the
/// output untouched on every failure).
pub(crate) struct Out<'a, T> {
    ptr: *mut T,
    _lifetime: PhantomData<&'a mut T>,
}

impl<T> Out<'_, T> {
    /// Check an output pointer from C; `None` for NULL.
    ///
    /// # Safety
    /// A non-NULL `ptr` must be valid for writing one `T` (it may point to uninitialised memory).
    pub(crate) unsafe fn new(ptr: *mut T) -> Option<Self> {
        (!ptr.is_null()).then_some(Out {
            ptr,
            _lifetime: PhantomData,
        })
    }

    /// Write the output. The previous contents (often uninitialised) are not read or dropped.
    pub(crate) fn set(self, value: T) {
        // SAFETY: `new` checked ptr is non-NULL and its caller vouched it is writable.
        unsafe { self.ptr.write(value) }
    }
}

/// A `&str` from a C string: `Ok(None)` for NULL, `Err` (naming `name`) for invalid UTF-8.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string that outlives `'a` and is not
/// modified meanwhile.
pub(crate) unsafe fn str_from_ptr<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: by the contract above.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    if bytes.is_ascii() {
        // The usual case, checked a word at a time (from_utf8 goes byte by byte on the short
        // strings C passes).
        // SAFETY: ASCII is valid UTF-8.
        return Ok(Some(unsafe { std::str::from_utf8_unchecked(bytes) }));
    }
    std::str::from_utf8(bytes).map(Some).map_err(|e| {
        Error::for_field(
            ResultCode::InvalidUtf8,
            name,
            format!(
                "{name} is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A byte slice from C's `(ptr, len)`: NULL is accepted only with `len == 0` (giving `&[]`).
///
/// # Safety
/// A non-NULL `ptr` must be valid for reading `len` bytes for `'a`, not modified meanwhile.
pub(crate) unsafe fn slice_from_ptr<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8]> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::for_field(
            ResultCode::NullArgument,
            name,
            format!("{name} is NULL but its length is {len} (NULL is allowed only with length 0)"),
        ));
    }
    if len > isize::MAX as usize {
        return Err(Error::for_field(
            ResultCode::InvalidArgument,
            name,
            format!("{name}: length {len} is too large"),
        ));
    }
    // SAFETY: ptr is non-NULL, len fits isize, and the caller vouched for the rest.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A C string for a value handed to C (a getter or an owned `char*` output). A value with an
/// interior NUL cannot be represented without truncation, so it is refused with
/// `TCFACEID_RESULT_PROTOCOL` (values handed out come from the library or from the service's
/// JSON, where `\u0000` is the only way to get a NUL). `what` names the value in the message.
pub(crate) fn owned_c_string(value: impl Into<Vec<u8>>, what: &str) -> Result<CString> {
    CString::new(value).map_err(|e| {
        Error::for_field(
            ResultCode::Protocol,
            what,
            format!(
                "{what} contains a NUL byte at offset {} and cannot be returned as a C string",
                e.nul_position()
            ),
        )
    })
}

/// Borrow the value behind a `const` handle parameter, or fail with
/// `TCFACEID_RESULT_NULL_ARGUMENT` naming the parameter. `try_ref!(request)` gives
/// `&<tcfaceid_card_request as BoxHandle>::Inner`.
macro_rules! try_ref {
    ($ptr:ident) => {{
        let ptr = $ptr;
        // SAFETY: the C contract of every handle parameter: NULL or a live handle of its type,
        // not mutated during the call.
        match unsafe { $crate::capi::ffi::BoxHandle::as_inner(ptr) } {
            Some(inner) => inner,
            None => {
                return $crate::capi::ffi::fail(&$crate::capi::ffi::null_argument(stringify!($ptr)))
            }
        }
    }};
}

/// Borrow the value behind a mutable handle parameter, or fail with
/// `TCFACEID_RESULT_NULL_ARGUMENT` naming the parameter.
macro_rules! try_mut {
    ($ptr:ident) => {{
        let ptr = $ptr;
        // SAFETY: the C contract of every handle parameter: NULL or a live handle of its type,
        // used by one thread at a time.
        match unsafe { $crate::capi::ffi::BoxHandle::as_inner_mut(ptr) } {
            Some(inner) => inner,
            None => {
                return $crate::capi::ffi::fail(&$crate::capi::ffi::null_argument(stringify!($ptr)))
            }
        }
    }};
}

/// A `&str` from a required `const char*` parameter, or fail with
/// `TCFACEID_RESULT_NULL_ARGUMENT` / `TCFACEID_RESULT_INVALID_UTF8` naming the parameter.
macro_rules! try_str {
    ($ptr:ident) => {{
        let ptr = $ptr;
        // SAFETY: the C contract of every string parameter: NULL or NUL-terminated.
        match unsafe { $crate::capi::ffi::str_from_ptr(ptr, stringify!($ptr)) } {
            Ok(Some(text)) => text,
            Ok(None) => {
                return $crate::capi::ffi::fail(&$crate::capi::ffi::null_argument(stringify!($ptr)))
            }
            Err(error) => return $crate::capi::ffi::fail(&error),
        }
    }};
}

/// An `Option<&str>` from an optional (nullable) `const char*` parameter, or fail with
/// `TCFACEID_RESULT_INVALID_UTF8` naming the parameter.
macro_rules! try_opt_str {
    ($ptr:ident) => {{
        let ptr = $ptr;
        // SAFETY: the C contract of every string parameter: NULL or NUL-terminated.
        match unsafe { $crate::capi::ffi::str_from_ptr(ptr, stringify!($ptr)) } {
            Ok(text) => text,
            Err(error) => return $crate::capi::ffi::fail(&error),
        }
    }};
}

/// A `&[u8]` from `(ptr, len)` parameters; NULL is allowed only with `len == 0`, otherwise
/// `TCFACEID_RESULT_NULL_ARGUMENT` naming the pointer parameter.
macro_rules! try_slice {
    ($ptr:ident, $len:expr) => {{
        let ptr = $ptr;
        let len = $len;
        // SAFETY: the C contract of every (ptr, len) parameter: NULL or `len` readable bytes.
        match unsafe { $crate::capi::ffi::slice_from_ptr(ptr, len, stringify!($ptr)) } {
            Ok(bytes) => bytes,
            Err(error) => return $crate::capi::ffi::fail(&error),
        }
    }};
}

/// An [`Out`] for an output parameter, or fail with `TCFACEID_RESULT_NULL_ARGUMENT` naming it.
/// Check outputs before doing any work, and `set` them last, after everything that can fail.
macro_rules! try_out {
    ($ptr:ident) => {{
        let ptr = $ptr;
        // SAFETY: the C contract of every output parameter: NULL or writable.
        match unsafe { $crate::capi::ffi::Out::new(ptr) } {
            Some(out) => out,
            None => {
                return $crate::capi::ffi::fail(&$crate::capi::ffi::null_argument(stringify!($ptr)))
            }
        }
    }};
}

/// The `Ok` value of a [`crate::Result`], or record the error as the last error and return its
/// code (or NULL / 0 / false).
macro_rules! try_result {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => return $crate::capi::ffi::fail(&error),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_checked_for_null_and_utf8() {
        // SAFETY: NULL, and NUL-terminated literals.
        unsafe {
            assert_eq!(str_from_ptr(std::ptr::null(), "name").unwrap(), None);
            assert_eq!(str_from_ptr(c"IDN".as_ptr(), "name").unwrap(), Some("IDN"));
            let error = str_from_ptr(c"ok\xff".as_ptr(), "name").unwrap_err();
            assert_eq!(error.code(), ResultCode::InvalidUtf8);
            assert_eq!(error.field(), Some("name"));
            assert!(error.message().contains("offset 2"), "{}", error.message());
        }
    }

    #[test]
    fn a_null_buffer_is_only_accepted_when_empty() {
        // SAFETY: NULL pointers and a live array.
        unsafe {
            assert_eq!(
                slice_from_ptr(std::ptr::null(), 0, "image").unwrap(),
                &[] as &[u8]
            );
            let error = slice_from_ptr(std::ptr::null(), 3, "image").unwrap_err();
            assert_eq!(error.code(), ResultCode::NullArgument);
            assert_eq!(error.field(), Some("image"));
            let bytes = [1u8, 2, 3];
            assert_eq!(slice_from_ptr(bytes.as_ptr(), 2, "image").unwrap(), &[1, 2]);
        }
    }

    #[test]
    fn interior_nuls_are_refused_in_values() {
        let error = owned_c_string("a\0b", "json").unwrap_err();
        assert_eq!(error.code(), ResultCode::Protocol);
        assert_eq!(error.field(), Some("json"));
        assert_eq!(
            owned_c_string("ab", "json").unwrap().to_str().unwrap(),
            "ab"
        );
    }

    #[test]
    fn outputs_are_written_once_and_null_outputs_refused() {
        let mut slot = 0u32;
        // SAFETY: NULL, and a live u32.
        unsafe {
            assert!(Out::<u32>::new(std::ptr::null_mut()).is_none());
            Out::new(&mut slot).unwrap().set(7);
        }
        assert_eq!(slot, 7);
    }
}
