//! The C ABI (`include/tcfaceid.h`, generated from this module by `build.rs` with cbindgen).
//!
//! Only this module has `extern "C"` functions. Each file holds one handle type or one concern:
//!
//! - `ffi`: the plumbing every function uses: NULL, UTF-8 and `(ptr, len)` checks
//!   (`try_ref!`, `try_mut!`, `try_str!`, `try_opt_str!`, `try_slice!`, `try_out!`,
//!   `try_result!`), Box-backed opaque handles (`ffi::BoxHandle`) and C string conversion;
//! - `panic`: `ffi_boundary!`, which every exported body goes through (panics become
//!   `TCFACEID_RESULT_PANIC`);
//! - [`error`]: the thread-local last error and `tcfaceid_result_str`;
//! - [`version`], [`string`] (`tcfaceid_string_free`), [`sign`] (`tcfaceid_sign` and the
//!   `tcfaceid_signed_headers` handle), [`product`] (the `tcfaceid_api` enum),
//!   [`card_request`] (the `tcfaceid_card_request` handle);
//! - [`cancel`]: the `tcfaceid_cancel` handle that stops a verify or resume call;
//! - [`run_in_panic_boundary`]: the boundary for the testing hooks of `test-hooks/` (a crate of
//!   its own, so that the shipped library has none).
//!
//! # Adding a function
//!
//! ```ignore
//! /// One line on what it does.
//! ///
//! /// `thing` must not be NULL. Ownership: ... Threads: ...
//! /// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, ...
//! #[no_mangle]
//! pub unsafe extern "C" fn tcfaceid_thing_do(
//!     thing: *const tcfaceid_thing,
//!     name: *const c_char,
//!     value_out: *mut *mut c_char,
//!     value_len_out: *mut usize,
//! ) -> ResultCode {
//!     ffi_boundary! {
//!         let thing = try_ref!(thing);          // &Inner, or NULL_ARGUMENT naming "thing"
//!         let name = try_str!(name);            // &str, or NULL_ARGUMENT / INVALID_UTF8
//!         let value_out = try_out!(value_out);  // checked before any work is done
//!         let value_len_out = try_out!(value_len_out);
//!         let value = try_result!(thing.do_it(name)); // crate::Result -> code + last error
//!         // An owned char* and its length (free with tcfaceid_string_free).
//!         try_result!(OwnedText::copy_of(value.as_bytes(), "value")).hand_out(value_out, value_len_out);
//!         ResultCode::Ok
//!     }
//! }
//! ```
//!
//! The Rust names of C-visible types are their C names (`tcfaceid_card_request`), as cbindgen
//! copies them; `ResultCode` is renamed to `tcfaceid_result` by `cbindgen.toml`.
#![allow(non_camel_case_types)]
// The exported functions are `unsafe` (a Rust caller must uphold the pointer contract too); that
// contract is the C one, stated once in the header's conventions and per parameter in each doc
// comment: every pointer is NULL or valid for its type, strings are NUL-terminated, handles
// come from this library and are not used after `_free`. A `# Safety` heading on every function
// would only repeat it in the header.
#![allow(clippy::missing_safety_doc)]
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
pub(crate) mod ffi;
#[macro_use]
pub(crate) mod panic;

// The header lists the functions in the order of these declarations, which cbindgen follows
// (one group each, so that rustfmt does not sort them).
pub mod version;

pub mod error;

pub mod string;

pub mod sign;

pub mod product;

pub mod card_request;

pub mod cancel;

pub mod client;

pub mod credentials;

pub mod response;

/// The panic boundary of every exported function, for the testing hooks of the
/// `tcfaceid-test-hooks` crate (`tcfaceid_debug_panic`): runs `body`, and turns a panic into
/// `TCFACEID_RESULT_PANIC` and this thread's last error. Not for other callers.
#[doc(hidden)]
pub fn run_in_panic_boundary(body: impl FnOnce() -> ResultCode) -> ResultCode {
    panic::run_boundary(true, body)
}

pub use crate::error::ResultCode;
