//! Owned strings handed to C (`char **..._out` parameters with a `size_t *..._len_out`), freed
//! with `tcfaceid_string_free`.
//!
//! Each lives in a buffer whose first `PREFIX` bytes hold the buffer's capacity, followed by
//! the text and its NUL: handing out a body of several MB neither shrinks nor copies it, and
//! freeing it needs no scan for the NUL.

use std::ffi::c_char;
use std::mem::ManuallyDrop;

use crate::capi::ffi::Out;
use crate::error::{Error, Result, ResultCode};

/// Bytes in front of the text: the buffer's capacity (a `usize`, unaligned).
const PREFIX: usize = std::mem::size_of::<usize>();

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
            // SAFETY: by the documented contract, `string` came from OwnedText::hand_out in
            // this library and has not been freed: PREFIX bytes before it start its buffer,
            // and hold that buffer's capacity.
            unsafe {
                let base = string.cast::<u8>().sub(PREFIX);
                let capacity = base.cast::<usize>().read_unaligned();
                drop(Vec::from_raw_parts(base, 0, capacity));
            }
        }
    }
}

/// A text being made for C: write it into [`OwnedText::buffer`] (after the prefix), then
/// [`OwnedText::hand_out`].
pub(crate) struct OwnedText(Vec<u8>);

impl OwnedText {
    /// An empty text with room for `len` bytes and the NUL.
    pub(crate) fn with_capacity(len: usize) -> OwnedText {
        let mut buffer = Vec::with_capacity(PREFIX + len + 1);
        buffer.resize(PREFIX, 0);
        OwnedText(buffer)
    }

    /// A copy of `text`; a NUL inside it is refused with `TCFACEID_RESULT_PROTOCOL` (`what`
    /// names the value), as C would see the text end there.
    pub(crate) fn copy_of(text: &[u8], what: &str) -> Result<OwnedText> {
        if let Some(at) = text.iter().position(|&b| b == 0) {
            return Err(Error::for_field(
                ResultCode::Protocol,
                what,
                format!("{what} contains a NUL byte at offset {at} and cannot be returned as a C string"),
            ));
        }
        let mut owned = OwnedText::with_capacity(text.len());
        owned.0.extend_from_slice(text);
        Ok(owned)
    }

    /// The buffer to append the text to; the caller writes no NUL byte.
    pub(crate) fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }

    /// Hand the text to C: `*text_out` gets the NUL-terminated text (free with
    /// tcfaceid_string_free), `*len_out` its length in bytes without the NUL.
    pub(crate) fn hand_out(self, text_out: Out<'_, *mut c_char>, len_out: Out<'_, usize>) {
        let mut buffer = ManuallyDrop::new(self.0);
        let len = buffer.len() - PREFIX;
        buffer.push(0);
        let capacity = buffer.capacity();
        let base = buffer.as_mut_ptr();
        // SAFETY: the buffer starts with PREFIX bytes (with_capacity), owned and now leaked
        // until tcfaceid_string_free rebuilds it from the capacity written here.
        unsafe {
            base.cast::<usize>().write_unaligned(capacity);
            text_out.set(base.add(PREFIX).cast::<c_char>());
        }
        len_out.set(len);
    }
}
