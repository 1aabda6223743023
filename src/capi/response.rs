//! The answers handed to C: `tcfaceid_apply_response` (ApplyCardVerification) and
//! `tcfaceid_verification_result` (GetCardVerificationResult), with their getters.
//!
//! Strings from getters are borrowed from the handle: valid until it is freed, never to be
//! freed by the caller. Getters on a NULL handle return NULL / 0 / TCFACEID_STATUS_UNKNOWN and
//! set the last error to TCFACEID_RESULT_NULL_ARGUMENT.

use std::ffi::{c_char, CString};

use crate::api::{ApplyCardVerificationResponse, CardVerificationResult, VerificationStatus};
use crate::capi::ffi::{c_string_lossy, owned_c_string, BoxHandle, ErrorReturn};
use crate::error::{Result, ResultCode};

/// The state of a verification, from tcfaceid_verification_result_status. The raw string the
/// service sent is given by tcfaceid_verification_result_status_str (for UNKNOWN, the value).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum tcfaceid_status {
    /// A status this library does not know (see the raw string).
    Unknown = 0,
    /// Still being processed: poll again.
    Processing = 1,
    /// The document passed.
    Passed = 2,
    /// Passed with warnings (see the warn infos).
    Warning = 3,
    /// Rejected (see the warn infos).
    Rejected = 4,
}

impl ErrorReturn for tcfaceid_status {
    fn error_return(_: ResultCode) -> Self {
        tcfaceid_status::Unknown
    }
}

/// ApplyCardVerification's answer (opaque): the token to poll with and the polling hints.
/// Free with tcfaceid_apply_response_free. Immutable: may be read from several threads.
pub struct tcfaceid_apply_response {
    _private: [u8; 0],
}

/// What a `tcfaceid_apply_response` holds.
pub struct ApplyResponse {
    response: ApplyCardVerificationResponse,
    token: CString,
    request_id: CString,
    json: CString,
}

impl BoxHandle for tcfaceid_apply_response {
    type Inner = ApplyResponse;
}

impl tcfaceid_apply_response {
    /// A handle for C, or a protocol error if the token has an interior NUL (the caller's
    /// token, or the one the apply answered, which was then already refused).
    pub(crate) fn new(response: ApplyCardVerificationResponse, json: String) -> Result<*mut Self> {
        let inner = ApplyResponse {
            token: owned_c_string(
                response.card_verification_token.as_str(),
                "CardVerificationToken",
            )?,
            request_id: owned_c_string(response.request_id.as_str(), "RequestId")?,
            json: owned_c_string(json, "response")?,
            response,
        };
        Ok(Self::into_raw(inner))
    }
}

/// The CardVerificationToken (borrowed; valid until the response is freed). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_token(
    response: *const tcfaceid_apply_response,
) -> *const c_char {
    ffi_boundary! { try_ref!(response).token.as_ptr() }
}

/// AsyncCardVerificationMaxPollingTimes: the most result polls the service expects (60 when
/// the service gave none). 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_max_polling_times(
    response: *const tcfaceid_apply_response,
) -> u64 {
    ffi_boundary! {
        let response = try_ref!(response);
        crate::client::PollPlan::from_hints(&response.response).max_polls
    }
}

/// AsyncCardVerificationPollingWaitTime: seconds to wait between polls (5 when the service gave
/// none). 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_polling_wait_secs(
    response: *const tcfaceid_apply_response,
) -> u64 {
    ffi_boundary! {
        let response = try_ref!(response);
        crate::client::PollPlan::from_hints(&response.response).wait.as_secs()
    }
}

/// The service's RequestId (borrowed). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_request_id(
    response: *const tcfaceid_apply_response,
) -> *const c_char {
    ffi_boundary! { try_ref!(response).request_id.as_ptr() }
}

/// The whole response body as received, `{"Response":{...}}` (borrowed). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_json(
    response: *const tcfaceid_apply_response,
) -> *const c_char {
    ffi_boundary! { try_ref!(response).json.as_ptr() }
}

/// Free an apply response. NULL does nothing; freeing twice is undefined behaviour. Does not
/// change the last error.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_free(response: *mut tcfaceid_apply_response) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live handle from this library.
        unsafe { tcfaceid_apply_response::free(response) }
    }
}

/// GetCardVerificationResult's answer (opaque): the status and, on a verdict, what was read off
/// the card. Free with tcfaceid_verification_result_free. Immutable: may be read from several
/// threads.
pub struct tcfaceid_verification_result {
    _private: [u8; 0],
}

/// What a `tcfaceid_verification_result` holds.
pub struct VerificationResult {
    status: tcfaceid_status,
    status_str: CString,
    token: CString,
    polls: u64,
    warn_infos: Vec<CString>,
    nationality: Option<CString>,
    card_type: Option<CString>,
    card_sub_type: Option<CString>,
    card_info_json: Option<CString>,
    id_verification_token: Option<CString>,
    request_id: CString,
    json: CString,
}

impl BoxHandle for tcfaceid_verification_result {
    type Inner = VerificationResult;
}

/// An optional value as a C string; a NUL the service sent inside it (`\u0000`) becomes U+FFFD,
/// never an error that would throw the verdict away (the whole JSON keeps it escaped).
fn optional(value: Option<&str>) -> Option<CString> {
    value.map(c_string_lossy)
}

impl tcfaceid_verification_result {
    /// A handle for C, or a protocol error if the token has an interior NUL (the caller's
    /// token, or the one the apply answered, which was then already refused).
    pub(crate) fn new(
        result: CardVerificationResult,
        json: String,
        token: &str,
        polls: u64,
    ) -> Result<*mut Self> {
        let status = match result.status {
            VerificationStatus::Processing => tcfaceid_status::Processing,
            VerificationStatus::Passed => tcfaceid_status::Passed,
            VerificationStatus::Warning => tcfaceid_status::Warning,
            VerificationStatus::Rejected => tcfaceid_status::Rejected,
            VerificationStatus::Unknown(_) => tcfaceid_status::Unknown,
        };
        let card_info_json = result
            .card_info
            .as_ref()
            .map(|info| serde_json::to_string(info).expect("CardInfo serialises to JSON"));
        let inner = VerificationResult {
            status,
            status_str: c_string_lossy(result.status.as_str()),
            token: owned_c_string(token, "CardVerificationToken")?,
            polls,
            warn_infos: result
                .warn_info
                .iter()
                .flatten()
                .map(|w| c_string_lossy(w))
                .collect(),
            nationality: optional(result.nationality.as_deref()),
            card_type: optional(result.card_type.as_deref()),
            card_sub_type: optional(result.card_sub_type.as_deref()),
            card_info_json: optional(card_info_json.as_deref()),
            id_verification_token: optional(result.id_verification_token.as_deref()),
            request_id: c_string_lossy(&result.request_id),
            json: owned_c_string(json, "response")?,
        };
        Ok(Self::into_raw(inner))
    }
}

fn opt_ptr(value: &Option<CString>) -> *const c_char {
    value.as_ref().map_or(std::ptr::null(), |v| v.as_ptr())
}

/// The status as an enum: PROCESSING, PASSED, WARNING, REJECTED, or UNKNOWN for a value this
/// library does not know (read case-insensitively). UNKNOWN for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_status(
    result: *const tcfaceid_verification_result,
) -> tcfaceid_status {
    ffi_boundary! { try_ref!(result).status }
}

/// The status as a string: "PROCESSING", "PASSED", "WARNING", "REJECTED", or the unknown value
/// as the service sent it (borrowed). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_status_str(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { try_ref!(result).status_str.as_ptr() }
}

/// The CardVerificationToken this result is for (borrowed). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_token(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { try_ref!(result).token.as_ptr() }
}

/// GetCardVerificationResult calls made to get this result (1 for a single call). 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_polls(
    result: *const tcfaceid_verification_result,
) -> u64 {
    ffi_boundary! { try_ref!(result).polls }
}

/// Number of WarnInfo entries (reasons for WARNING / REJECTED). 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_warn_info_count(
    result: *const tcfaceid_verification_result,
) -> usize {
    ffi_boundary! { try_ref!(result).warn_infos.len() }
}

/// WarnInfo entry `index` (borrowed), or NULL when `index` is out of range or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_warn_info(
    result: *const tcfaceid_verification_result,
    index: usize,
) -> *const c_char {
    ffi_boundary! {
        try_ref!(result).warn_infos.get(index).map_or(std::ptr::null(), |w| w.as_ptr())
    }
}

/// Nationality of the document as the service read it, e.g. "IDN" (borrowed), or NULL when
/// absent (e.g. while PROCESSING) or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_nationality(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { opt_ptr(&try_ref!(result).nationality) }
}

/// CardType as the service read it (borrowed), or NULL when absent or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_card_type(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { opt_ptr(&try_ref!(result).card_type) }
}

/// CardSubType, e.g. "NATIONAL_ID" (borrowed), or NULL when absent or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_card_sub_type(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { opt_ptr(&try_ref!(result).card_sub_type) }
}

/// CardInfo as a JSON object with only the fields the service filled, e.g.
/// `{"HKIDCard":{"CnName":"...",...}}` (borrowed), or NULL when absent or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_card_info_json(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { opt_ptr(&try_ref!(result).card_info_json) }
}

/// IDVerificationToken (borrowed), or NULL when absent or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_id_verification_token(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { opt_ptr(&try_ref!(result).id_verification_token) }
}

/// The service's RequestId (borrowed). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_request_id(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { try_ref!(result).request_id.as_ptr() }
}

/// The whole response body as received, `{"Response":{...}}` (borrowed). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_json(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { try_ref!(result).json.as_ptr() }
}

/// Free a verification result. NULL does nothing; freeing twice is undefined behaviour. Does
/// not change the last error.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_free(
    result: *mut tcfaceid_verification_result,
) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live handle from this library.
        unsafe { tcfaceid_verification_result::free(result) }
    }
}
