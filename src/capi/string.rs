//! Owned strings handed to C (`char **..._out` parameters), freed with `tcfaceid_string_free`.

use std::ffi::{c_char, CString};

use crate::capi::ffi::Out;

/// Free a string that a tcfaceid function handed out as an owned `char *` (an output parameter
/// documented as "free with tcfaceid_string_free"). Never use libc free() on such strings, and
/// never pass a borrowed `const char *` (one returned by a getter) here.
///
/// NULL does nothing. Freeing the same string twice is undefined behaviour. Does not change the
/// last error. Threads: any thread, once the string is no longer in use.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_string_free(string: *mut c_char) {
    ffi_boundary! { keep_last_error;
        if !string.is_null() {
            // SAFETY: by the documented contract, `string` came from CString::into_raw in this
            // library and has not been freed.
            drop(unsafe { CString::from_raw(string) });
        }
    }
}

/// Hand an owned string to C as `(text, length)`: `*text_out` gets the NUL-terminated text
/// (free with tcfaceid_string_free), `*len_out` its length in bytes without the NUL.
pub(crate) fn set_owned_text(
    text: CString,
    text_out: Out<'_, *mut c_char>,
    len_out: Out<'_, usize>,
) {
    len_out.set(text.as_bytes().len());
    text_out.set(text.into_raw());
}
