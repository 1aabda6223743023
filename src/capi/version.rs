//! The library's version, for C callers and for loaders that check they found the right library.
//!
//! The header carries the same version at compile time as `TCFACEID_VERSION_MAJOR`, `_MINOR`,
//! `_PATCH`, `_NUMBER` and `_STRING` (written by `build.rs` from `Cargo.toml`).

use std::ffi::c_char;

/// `tcfaceid/<version>`, NUL-terminated.
const VERSION: &str = concat!("tcfaceid/", env!("CARGO_PKG_VERSION"), "\0");

/// The library's name and version, e.g. "tcfaceid/0.3.0" (compare with TCFACEID_VERSION_STRING
/// to detect a header/library mismatch).
///
/// Never NULL. Ownership: static, valid for the life of the process; do not free it. Does not
/// change the last error. Threads: any thread.
#[no_mangle]
pub extern "C" fn tcfaceid_version() -> *const c_char {
    ffi_boundary! { keep_last_error;
        VERSION.as_ptr().cast::<c_char>()
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    #[test]
    fn the_version_is_the_crate_version() {
        // SAFETY: a static NUL-terminated string.
        let text = unsafe { CStr::from_ptr(tcfaceid_version()) }
            .to_str()
            .unwrap();
        assert_eq!(text, format!("tcfaceid/{}", crate::VERSION));
    }
}
