//! The `tcfaceid_card_request` handle: an ApplyCardVerification request (Nationality, CardType,
//! and each side of the document as a URL, raw bytes, a file or base64 text).

use std::ffi::c_char;
use std::path::PathBuf;

use crate::capi::error::result_code;
use crate::capi::ffi::{BoxHandle, Out};
use crate::capi::product::api_from_u32;
use crate::capi::string::OwnedText;
use crate::card::{CardVerificationRequest, Side};
use crate::error::{Error, Result, ResultCode};
use crate::image::ImageData;
use crate::product::Api;

/// A document to submit (opaque): the body of ApplyCardVerification (FaceID) or
/// ApplyCardVerificationExternal (OCR), checked by the rules of the product it is sent to.
///
/// Made by tcfaceid_card_request_new, changed with the _set_* functions, checked by
/// tcfaceid_card_request_validate; free with tcfaceid_card_request_free. Every input is copied
/// and no caller pointer is kept, except the bytes lent with
/// tcfaceid_card_request_set_image_bytes_borrowed. Threads: one thread at a time (it may move between threads); the
/// functions taking a const pointer may run concurrently with each other, never with a setter.
///
/// When a side has both a URL and image data, the URL wins (as at the service): the URL is
/// checked and sent, and that side's image data is neither checked nor sent.
pub struct tcfaceid_card_request {
    _private: [u8; 0],
}

impl BoxHandle for tcfaceid_card_request {
    /// `'static`: the C caller keeps lent bytes alive as long as the request holds them (the
    /// contract of tcfaceid_card_request_set_image_bytes_borrowed).
    type Inner = CardVerificationRequest<'static>;
}

/// A side of the document, passed to the tcfaceid_card_request_*(request, side, ...) functions
/// (as a uint32_t, so that any number is safe: others give TCFACEID_RESULT_INVALID_ARGUMENT).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum tcfaceid_side {
    /// The front of the document (always required): ImageUrlFront / ImageBase64Front.
    Front = 0,
    /// The back of the document (required for some documents): ImageUrlBack / ImageBase64Back.
    Back = 1,
}

/// How functions take a [`tcfaceid_side`]: its number, so that any value C passes is safe
/// (unknown ones are refused). The header spells it `tcfaceid_side` (cbindgen.toml renames it
/// and leaves this alias out; the enum's own typedef is `uint32_t` in C).
pub type SideArg = u32;

/// The side for a number from C.
pub(crate) fn side_from_u32(side: SideArg) -> Result<Side> {
    match side {
        s if s == tcfaceid_side::Front as u32 => Ok(Side::Front),
        s if s == tcfaceid_side::Back as u32 => Ok(Side::Back),
        other => Err(Error::for_field(
            ResultCode::InvalidArgument,
            "side",
            format!(
                "side is {other}; it must be TCFACEID_SIDE_FRONT (0) or TCFACEID_SIDE_BACK (1)"
            ),
        )),
    }
}

/// Make a request for a document. The codes are stored as given and checked by
/// tcfaceid_card_request_validate (and before sending), so that
/// tcfaceid_card_request_set_allow_unknown_codes can still let a newer code through.
///
/// `nationality`: FaceID "IDN", "HKG", "THA", "MYS", "SGP", "JPN", "TWN", "BGD", "NGA", "PAK" or
/// "AUTO"; OCR also "ARG", "AUS", "KHM", "CAN", "CHL", "DEU", "MEX", "MMR", "NZL", "RUS", "PHL",
/// "MAC", "CHN". `card_type`: "ID_CARD", "PASSPORT", "DRIVING_LICENSE", and "AUTO" (FaceID) or
/// "RESIDENCE_PERMIT" (OCR). Both UTF-8, not NULL, copied.
///
/// On success `*request_out` receives a new handle owned by the caller: free it with
/// tcfaceid_card_request_free. On failure `*request_out` is not written. Threads: any thread.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8
/// (the last error names the parameter).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_new(
    nationality: *const c_char,
    card_type: *const c_char,
    request_out: *mut *mut tcfaceid_card_request,
) -> ResultCode {
    ffi_boundary! {
        let nationality = try_str!(nationality);
        let card_type = try_str!(card_type);
        let request_out = try_out!(request_out);
        let request = CardVerificationRequest::new(nationality, card_type);
        request_out.set(tcfaceid_card_request::into_raw(request));
        ResultCode::Ok
    }
}

/// Free a request made by tcfaceid_card_request_new.
///
/// NULL does nothing. Freeing the same handle twice is undefined behaviour. Does not change
/// the last error. Threads: once no thread uses the handle.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_free(request: *mut tcfaceid_card_request) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live handle from _new.
        unsafe { tcfaceid_card_request::free(request) }
    }
}

/// Replace the Nationality code (copied; checked by tcfaceid_card_request_validate).
///
/// Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_nationality(
    request: *mut tcfaceid_card_request,
    nationality: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let nationality = try_str!(nationality);
        request.set_nationality(nationality);
        ResultCode::Ok
    }
}

/// Replace the CardType code (copied; checked by tcfaceid_card_request_validate).
///
/// Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_card_type(
    request: *mut tcfaceid_card_request,
    card_type: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let card_type = try_str!(card_type);
        request.set_card_type(card_type);
        ResultCode::Ok
    }
}

/// Let Nationality and CardType codes this library does not know pass through unchanged (for
/// codes the service adds later). Off by default; the back-side rule then applies only to the
/// known codes.
///
/// Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_allow_unknown_codes(
    request: *mut tcfaceid_card_request,
    allow: bool,
) -> ResultCode {
    ffi_boundary! {
        try_mut!(request).set_allow_unknown_codes(allow);
        ResultCode::Ok
    }
}

/// Set the URL of one side (ImageUrlFront / ImageUrlBack): an http:// or https:// URL the
/// service downloads (within 3 seconds). The URL wins over image data set for the same side.
/// Copied; checked by tcfaceid_card_request_validate.
///
/// `side` is a tcfaceid_side. Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_UTF8 or
/// TCFACEID_RESULT_INVALID_ARGUMENT (unknown side).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_url(
    request: *mut tcfaceid_card_request,
    side: SideArg,
    url: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let side = try_result!(side_from_u32(side));
        let url = try_str!(url);
        request.set_url(side, url);
        ResultCode::Ok
    }
}

/// Set the image of one side as raw PNG or JPEG bytes (the library encodes them to base64).
/// The bytes are copied. Replaces any file or base64 text set before for this side.
///
/// `image` may be NULL only when `image_len` is 0 (an empty image, which validation refuses
/// with TCFACEID_RESULT_IMAGE_EMPTY). `side` is a tcfaceid_side.
/// Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_ARGUMENT
/// (unknown side). The image is checked by tcfaceid_card_request_validate.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_image_bytes(
    request: *mut tcfaceid_card_request,
    side: SideArg,
    image: *const u8,
    image_len: usize,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let side = try_result!(side_from_u32(side));
        let image = try_slice!(image, image_len);
        request.set_data(side, ImageData::Bytes(image.to_vec()));
        ResultCode::Ok
    }
}

/// Lend the image of one side as raw PNG or JPEG bytes: as tcfaceid_card_request_set_image_bytes
/// but NOT copied, so that a large image costs no memory beyond the body it is encoded into
/// (a 3.75 MiB image: the 5 MB body, not another 3.75 MiB).
///
/// Lifetime: the request keeps the pointer, and every call that uses the request (validate,
/// body, apply, verify) reads the bytes. They must stay valid and unchanged until such a call
/// returns; once they are freed, the request may only have this side set again or cleared, or
/// be freed (anything else is undefined behaviour). Replaces any bytes, file or base64 text
/// set before for this side.
///
/// `image` may be NULL only when `image_len` is 0 (an empty image, which validation refuses
/// with TCFACEID_RESULT_IMAGE_EMPTY). `side` is a tcfaceid_side.
/// Threads: one thread at a time per request; the bytes may be read by any thread using the
/// request meanwhile.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_ARGUMENT
/// (unknown side). The image is checked by tcfaceid_card_request_validate.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_image_bytes_borrowed(
    request: *mut tcfaceid_card_request,
    side: SideArg,
    image: *const u8,
    image_len: usize,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let side = try_result!(side_from_u32(side));
        // 'static by the documented contract: the caller keeps the bytes alive while the
        // request holds them.
        let image: &'static [u8] = try_slice!(image, image_len);
        request.set_data(side, ImageData::Borrowed(image));
        ResultCode::Ok
    }
}

/// Set the image of one side as the path of a PNG or JPEG file (UTF-8). The path is copied;
/// the file is read by tcfaceid_card_request_validate and again when the request is built.
/// Replaces any bytes or base64 text set before for this side.
///
/// `side` is a tcfaceid_side. Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_UTF8 or
/// TCFACEID_RESULT_INVALID_ARGUMENT (unknown side).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_image_file(
    request: *mut tcfaceid_card_request,
    side: SideArg,
    path: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let side = try_result!(side_from_u32(side));
        let path = try_str!(path);
        request.set_data(side, ImageData::File(PathBuf::from(path)));
        ResultCode::Ok
    }
}

/// Set the image of one side as base64 text of a PNG or JPEG (a "data:image/...;base64,"
/// prefix and line breaks are stripped). Copied. Replaces any bytes or file set before for
/// this side.
///
/// `side` is a tcfaceid_side. Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_UTF8 or
/// TCFACEID_RESULT_INVALID_ARGUMENT (unknown side).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_image_base64(
    request: *mut tcfaceid_card_request,
    side: SideArg,
    base64: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let side = try_result!(side_from_u32(side));
        let base64 = try_str!(base64);
        request.set_data(side, ImageData::Base64(base64.to_owned()));
        ResultCode::Ok
    }
}

/// Remove the URL and the image data of one side.
///
/// `side` is a tcfaceid_side. Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_ARGUMENT
/// (unknown side).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_clear_side(
    request: *mut tcfaceid_card_request,
    side: SideArg,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let side = try_result!(side_from_u32(side));
        request.clear_side(side);
        ResultCode::Ok
    }
}

/// OCR only: ReturnHeadImage, ask for the portrait cut from the document
/// (tcfaceid_verification_result_head_image). `value`: 0 false, 1 true, -1 leave the field
/// out (the default). FaceID refuses a request with it set (TCFACEID_RESULT_UNSUPPORTED_FIELD,
/// at validation).
///
/// Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_ARGUMENT
/// (another value).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_return_head_image(
    request: *mut tcfaceid_card_request,
    value: i32,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let value = match value {
            -1 => None,
            0 => Some(false),
            1 => Some(true),
            other => {
                return crate::capi::ffi::fail(&Error::for_field(
                    ResultCode::InvalidArgument,
                    "value",
                    format!("value is {other}; it must be 0 (false), 1 (true) or -1 (unset)"),
                ))
            }
        };
        request.set_return_head_image(value);
        ResultCode::Ok
    }
}

/// OCR only: WebhookUrl, an https:// URL the service calls when the result is final (delivery
/// is not guaranteed: keep polling). A NULL `url` removes it. Copied; checked at validation
/// (TCFACEID_RESULT_INVALID_WEBHOOK_URL when not https; TCFACEID_RESULT_UNSUPPORTED_FIELD for
/// FaceID).
///
/// Threads: one thread at a time per request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT (request) or
/// TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_set_webhook_url(
    request: *mut tcfaceid_card_request,
    url: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let request = try_mut!(request);
        let url = try_opt_str!(url).map(str::to_owned);
        request.set_webhook_url(url);
        ResultCode::Ok
    }
}

/// Run every local check of the request for FaceID: tcfaceid_card_request_validate_for with
/// TCFACEID_API_FACEID.
///
/// Threads: may run concurrently with other const functions on the same request.
/// Returns TCFACEID_RESULT_OK or a code listed at tcfaceid_card_request_validate_for (with
/// TCFACEID_RESULT_UNSUPPORTED_FIELD when an OCR-only field is set).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_validate(
    request: *const tcfaceid_card_request,
) -> ResultCode {
    ffi_boundary! {
        result_code(try_ref!(request).validate_for(Api::FaceId))
    }
}

/// Run every local check of the request for a product (`api`, a tcfaceid_api), without any
/// network call, stopping at the first failure, in this order: Nationality, CardType (the
/// product's lists; OCR has RESIDENCE_PERMIT and no AUTO), the OCR-only fields
/// (ReturnHeadImage, WebhookUrl: refused for FaceID; WebhookUrl https only), front present,
/// back present where the product's table needs it, then each side's URL (http/https) or
/// image (PNG or JPEG by magic bytes; FaceID at most 8000x8000 pixels and 5 MiB of base64, OCR
/// 256x256 to 4096x4096 pixels and 2 MiB; base64 that decodes; files are read).
///
/// Threads: may run concurrently with other const functions on the same request.
/// Returns TCFACEID_RESULT_OK or the failed check's code, with the service's field name
/// (e.g. "Nationality", "ImageBase64Back", "ImageUrlFront") as the last error's field:
/// TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_NATIONALITY,
/// TCFACEID_RESULT_INVALID_CARD_TYPE, TCFACEID_RESULT_FRONT_IMAGE_REQUIRED,
/// TCFACEID_RESULT_BACK_IMAGE_REQUIRED, TCFACEID_RESULT_INVALID_IMAGE_URL,
/// TCFACEID_RESULT_IMAGE_UNSUPPORTED_FORMAT, TCFACEID_RESULT_IMAGE_CORRUPT,
/// TCFACEID_RESULT_IMAGE_RESOLUTION_TOO_LARGE, TCFACEID_RESULT_IMAGE_TOO_LARGE,
/// TCFACEID_RESULT_IMAGE_INVALID_BASE64, TCFACEID_RESULT_IMAGE_UNREADABLE,
/// TCFACEID_RESULT_IMAGE_EMPTY, TCFACEID_RESULT_IMAGE_RESOLUTION_TOO_SMALL,
/// TCFACEID_RESULT_UNSUPPORTED_FIELD, TCFACEID_RESULT_INVALID_WEBHOOK_URL,
/// TCFACEID_RESULT_INVALID_ARGUMENT (unknown api).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_validate_for(
    request: *const tcfaceid_card_request,
    api: u32,
) -> ResultCode {
    ffi_boundary! {
        let request = try_ref!(request);
        let api = try_result!(api_from_u32(api));
        result_code(request.validate_for(api))
    }
}

/// Check the request (as tcfaceid_card_request_validate) and build the exact JSON body of
/// ApplyCardVerification, e.g. {"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"..."},
/// with images as base64: for callers that sign (tcfaceid_sign) and send with their own HTTP
/// stack. Sign and send these bytes unchanged.
///
/// On success `*json_out` receives a NUL-terminated UTF-8 string owned by the caller: free it
/// with tcfaceid_string_free (not free()); `*json_len_out` receives its length in bytes
/// without the NUL (no need to scan a body of several MB). On failure neither is written.
/// Threads: may run concurrently with other const functions on the same request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, or any code of
/// tcfaceid_card_request_validate.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_body(
    request: *const tcfaceid_card_request,
    json_out: *mut *mut c_char,
    json_len_out: *mut usize,
) -> ResultCode {
    ffi_boundary! {
        let request = try_ref!(request);
        let json_out = try_out!(json_out);
        let json_len_out = try_out!(json_len_out);
        try_result!(body_c_string(request, Api::FaceId, json_out, json_len_out));
        ResultCode::Ok
    }
}

/// tcfaceid_card_request_body for a product (`api`, a tcfaceid_api): checked by that
/// product's rules (tcfaceid_card_request_validate_for); OCR bodies carry ReturnHeadImage and
/// WebhookUrl when set.
///
/// On success `*json_out` receives a string owned by the caller: free it with
/// tcfaceid_string_free; `*json_len_out` receives its length in bytes without the NUL. On
/// failure neither is written.
/// Threads: may run concurrently with other const functions on the same request.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, or any code of
/// tcfaceid_card_request_validate_for.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_card_request_body_for(
    request: *const tcfaceid_card_request,
    api: u32,
    json_out: *mut *mut c_char,
    json_len_out: *mut usize,
) -> ResultCode {
    ffi_boundary! {
        let request = try_ref!(request);
        let api = try_result!(api_from_u32(api));
        let json_out = try_out!(json_out);
        let json_len_out = try_out!(json_len_out);
        try_result!(body_c_string(request, api, json_out, json_len_out));
        ResultCode::Ok
    }
}

/// Build the body for `api` and hand it out through `json_out` and `json_len_out`.
fn body_c_string(
    request: &CardVerificationRequest,
    api: Api,
    json_out: Out<*mut c_char>,
    json_len_out: Out<usize>,
) -> Result<()> {
    // Written straight into the buffer handed out (no copy, no shrink). No NUL scan of a body
    // that may be 10 MB: it is JSON whose strings are escaped by serde_json (a NUL becomes
    // \u0000) and base64 that was encoded or decoded successfully, so it never holds a NUL.
    let mut json = OwnedText::with_capacity(0);
    request.write_body_for(api, json.buffer())?;
    json.hand_out(json_out, json_len_out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;
    use crate::capi::error::tcfaceid_last_error_field;
    use crate::capi::string::tcfaceid_string_free;

    fn field() -> String {
        // SAFETY: never NULL, NUL-terminated.
        unsafe { CStr::from_ptr(tcfaceid_last_error_field()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_request_round_trips_to_its_body() {
        let mut request = ptr::null_mut();
        // SAFETY: valid strings, out pointers and a live handle.
        unsafe {
            assert_eq!(
                tcfaceid_card_request_new(c"HKG".as_ptr(), c"ID_CARD".as_ptr(), &mut request),
                ResultCode::Ok
            );
            let front = c"https://example.com/front.jpg".as_ptr();
            assert_eq!(
                tcfaceid_card_request_set_url(request, 0, front),
                ResultCode::Ok
            );
            assert_eq!(
                tcfaceid_card_request_validate(request),
                ResultCode::BackImageRequired
            );
            assert_eq!(field(), "ImageBase64Back");
            assert_eq!(
                tcfaceid_card_request_set_url(request, 2, front),
                ResultCode::InvalidArgument
            );
            assert_eq!(field(), "side");
            let back = c"https://example.com/back.jpg".as_ptr();
            assert_eq!(
                tcfaceid_card_request_set_url(request, 1, back),
                ResultCode::Ok
            );
            let (mut json, mut len) = (ptr::null_mut(), 0);
            assert_eq!(
                tcfaceid_card_request_body(request, &mut json, &mut len),
                ResultCode::Ok
            );
            let expected = r#"{"Nationality":"HKG","CardType":"ID_CARD","ImageUrlFront":"https://example.com/front.jpg","ImageUrlBack":"https://example.com/back.jpg"}"#;
            assert_eq!(CStr::from_ptr(json).to_str().unwrap(), expected);
            assert_eq!(len, expected.len());
            tcfaceid_string_free(json);
            tcfaceid_card_request_free(request);
        }
    }
}
