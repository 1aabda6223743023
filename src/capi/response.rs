//! The answers handed to C: `tcfaceid_apply_response` (the apply action of either product) and
//! `tcfaceid_verification_result` (the result action of either product), with their getters.
//!
//! Strings from getters are borrowed from the handle: valid until it is freed, never to be
//! freed by the caller. Getters on a NULL handle return NULL / 0 / TCFACEID_STATUS_UNKNOWN and
//! set the last error to TCFACEID_RESULT_NULL_ARGUMENT.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use crate::api::{
    ApplyCardVerificationResponse, CardVerificationResult, GeneralCard, VerificationStatus,
    WarnCode,
};
use crate::capi::error::c_string_lossy;
use crate::capi::ffi::{null_argument, owned_c_string, BoxHandle, ErrorReturn, Out};
use crate::error::{Error, Result, ResultCode};

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
    /// Rejected (see the warn infos; FaceID only).
    Rejected = 4,
    /// OCR (current vocabulary): processing failed or the result is unusable.
    Abnormal = 5,
    /// OCR (current vocabulary): recognition done; findings are in the warn infos.
    Completed = 6,
}

impl ErrorReturn for tcfaceid_status {
    fn error_return(_: ResultCode) -> Self {
        tcfaceid_status::Unknown
    }
}

/// The apply action's answer (opaque): the token to poll with and FaceID's polling hints.
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
        Ok(Self::into_raw(ApplyResponse::new(response, json)?))
    }
}

thread_local! {
    /// The answer of this thread's last tcfaceid_client_apply_card_verification_fields call,
    /// whose strings that call lent.
    static LENT_APPLY_RESPONSE: RefCell<Option<ApplyResponse>> = const { RefCell::new(None) };
}

impl ApplyResponse {
    /// Keep `answer` as this thread's lent answer (dropping the one before) and write its
    /// fields. A thread that is exiting has no slot left (a call from a thread-local's
    /// destructor): its answer is then lent for ever (leaked), never lost.
    pub(crate) fn lend_on_this_thread(answer: ApplyResponse, fields: ApplyFieldsOut) {
        let (mut answer, mut fields) = (Some(answer), Some(fields));
        let mut lend = |to: &mut Option<ApplyResponse>| {
            if let (Some(answer), Some(fields)) = (answer.take(), fields.take()) {
                fields.fill(to.insert(answer));
            }
        };
        if LENT_APPLY_RESPONSE
            .try_with(|slot| lend(&mut slot.borrow_mut()))
            .is_err()
        {
            lend(Box::leak(Box::new(None)));
        }
    }

    /// The answer with its strings made C strings; a protocol error as for
    /// [`tcfaceid_apply_response::new`]. The strings live on the heap: pointers to them stay
    /// valid when the value moves into its handle.
    pub(crate) fn new(response: ApplyCardVerificationResponse, json: String) -> Result<Self> {
        Ok(ApplyResponse {
            token: owned_c_string(
                response.card_verification_token.as_str(),
                "CardVerificationToken",
            )?,
            request_id: c_string_lossy(&response.request_id),
            json: owned_c_string(json, "response")?,
            response,
        })
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

/// Length in bytes of tcfaceid_apply_response_json (without the NUL), so that a caller need
/// not scan the body; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_json_len(
    response: *const tcfaceid_apply_response,
) -> usize {
    ffi_boundary! { try_ref!(response).json.as_bytes().len() }
}

/// Every field of an apply response in one call (what the getters above give one by one), for
/// bindings where each foreign call costs: the token, the RequestId and the whole body (borrowed,
/// NUL-terminated; valid until the response is freed, never freed by the caller), the body's
/// length in bytes (without the NUL), and the polling hints (AsyncCardVerificationMaxPollingTimes,
/// 60 when absent; AsyncCardVerificationPollingWaitTime in seconds, 5 when absent).
///
/// Returns TCFACEID_RESULT_OK, or TCFACEID_RESULT_NULL_ARGUMENT naming a NULL parameter; the
/// outputs are written only on success. Threads: any (the response is immutable).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_apply_response_fields(
    response: *const tcfaceid_apply_response,
    token_out: *mut *const c_char,
    request_id_out: *mut *const c_char,
    json_out: *mut *const c_char,
    json_len_out: *mut usize,
    max_polling_times_out: *mut u64,
    polling_wait_secs_out: *mut u64,
) -> ResultCode {
    ffi_boundary! {
        let response = try_ref!(response);
        // SAFETY: by the C contract, each output is NULL or writable.
        let fields = try_result!(unsafe {
            ApplyFieldsOut::new(
                token_out,
                request_id_out,
                json_out,
                json_len_out,
                max_polling_times_out,
                polling_wait_secs_out,
            )
        });
        fields.fill(response);
        ResultCode::Ok
    }
}

/// The checked outputs of tcfaceid_apply_response_fields (and of
/// tcfaceid_client_apply_card_verification_fields, which checks them before it sends).
pub(crate) struct ApplyFieldsOut<'a> {
    token: Out<'a, *const c_char>,
    request_id: Out<'a, *const c_char>,
    json: Out<'a, *const c_char>,
    json_len: Out<'a, usize>,
    max_polling_times: Out<'a, u64>,
    polling_wait_secs: Out<'a, u64>,
}

impl ApplyFieldsOut<'_> {
    /// Check the output pointers: a NULL one is an error naming its parameter.
    ///
    /// # Safety
    /// Each non-NULL pointer is valid for writing its value.
    pub(crate) unsafe fn new(
        token_out: *mut *const c_char,
        request_id_out: *mut *const c_char,
        json_out: *mut *const c_char,
        json_len_out: *mut usize,
        max_polling_times_out: *mut u64,
        polling_wait_secs_out: *mut u64,
    ) -> Result<Self> {
        /// # Safety
        /// As [`ApplyFieldsOut::new`].
        unsafe fn checked<'a, T>(ptr: *mut T, name: &str) -> Result<Out<'a, T>> {
            // SAFETY: by this function's contract.
            unsafe { Out::new(ptr) }.ok_or_else(|| null_argument(name))
        }
        // SAFETY: by this function's contract.
        unsafe {
            Ok(ApplyFieldsOut {
                token: checked(token_out, "token_out")?,
                request_id: checked(request_id_out, "request_id_out")?,
                json: checked(json_out, "json_out")?,
                json_len: checked(json_len_out, "json_len_out")?,
                max_polling_times: checked(max_polling_times_out, "max_polling_times_out")?,
                polling_wait_secs: checked(polling_wait_secs_out, "polling_wait_secs_out")?,
            })
        }
    }

    /// Write every field of `response` (its strings borrowed from it).
    pub(crate) fn fill(self, response: &ApplyResponse) {
        let plan = crate::client::PollPlan::from_hints(&response.response);
        self.token.set(response.token.as_ptr());
        self.request_id.set(response.request_id.as_ptr());
        self.json.set(response.json.as_ptr());
        self.json_len.set(response.json.as_bytes().len());
        self.max_polling_times.set(plan.max_polls);
        self.polling_wait_secs.set(plan.wait.as_secs());
    }
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

/// The result action's answer, either product (opaque): the status and, once terminal, what
/// was read off the card: FaceID's per-country CardInfo (tcfaceid_verification_result_card_info_json)
/// and, for both products, the front and back cards as flat GeneralCard fields
/// (tcfaceid_verification_result_card_field; OCR's CardInfo and BackCardInfo, FaceID's
/// CardInfo.GeneralCard), and OCR's head image. Free with tcfaceid_verification_result_free.
/// Immutable: may be read from several threads.
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
    /// Front and back: the card's JSON and its fields by name (`Address.City` for nested ones).
    cards: [Option<CardStrings>; 2],
    head_image: std::result::Result<Vec<u8>, Error>,
}

/// One GeneralCard, as C strings: the JSON keeps a NUL the service sent (`\u0000`) escaped; a
/// field's value has it as U+FFFD (a C string ends at a NUL), never an error that would throw
/// the verdict away.
struct CardStrings {
    json: CString,
    fields: Vec<(String, CString)>,
}

impl CardStrings {
    fn new(card: &GeneralCard) -> CardStrings {
        let value = serde_json::to_value(card).expect("GeneralCard serialises to JSON");
        let mut fields = Vec::new();
        for (name, field) in value.as_object().into_iter().flatten() {
            match field {
                serde_json::Value::String(text) => {
                    fields.push((name.clone(), c_string_lossy(text)));
                }
                serde_json::Value::Object(address) => {
                    for (part, text) in address {
                        if let Some(text) = text.as_str() {
                            fields.push((format!("{name}.{part}"), c_string_lossy(text)));
                        }
                    }
                }
                _ => {}
            }
        }
        CardStrings {
            // serde_json escapes control characters: the text has no NUL byte.
            json: c_string_lossy(&value.to_string()),
            fields,
        }
    }
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
            VerificationStatus::Abnormal => tcfaceid_status::Abnormal,
            VerificationStatus::Completed => tcfaceid_status::Completed,
            VerificationStatus::Unknown(_) => tcfaceid_status::Unknown,
        };
        let cards = [
            result.front_card().map(CardStrings::new),
            result.back_card_info.as_ref().map(CardStrings::new),
        ];
        let head_image = result.head_image().map(Option::unwrap_or_default);
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
            cards,
            head_image,
        };
        Ok(Self::into_raw(inner))
    }
}

/// Read a result action's whole response body (`{"Response":{...}}`, either product), e.g.
/// one received with the caller's own HTTP stack after tcfaceid_sign, or one stored earlier.
/// `token` is recorded as the result's token when the body does not echo one (NULL: empty).
///
/// On success `*result_out` receives a result owned by the caller (polls = 0): free it with
/// tcfaceid_verification_result_free. On failure it is not written.
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_UTF8,
/// TCFACEID_RESULT_PROTOCOL (not the envelope, or not a result), or the service codes when the
/// body carries Response.Error. Threads: any.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_parse(
    json: *const c_char,
    token: *const c_char,
    result_out: *mut *mut tcfaceid_verification_result,
) -> ResultCode {
    ffi_boundary! {
        let json = try_str!(json);
        let token = try_opt_str!(token);
        let result_out = try_out!(result_out);
        let result: CardVerificationResult = try_result!(crate::api::parse_response(json.as_bytes()));
        let token = result.card_verification_token.clone().unwrap_or_else(|| token.unwrap_or_default().to_owned());
        let handle = try_result!(tcfaceid_verification_result::new(result, json.to_owned(), &token, 0));
        result_out.set(handle);
        ResultCode::Ok
    }
}

fn opt_ptr(value: &Option<CString>) -> *const c_char {
    value.as_ref().map_or(std::ptr::null(), |v| v.as_ptr())
}

/// The status as an enum: PROCESSING, then PASSED, WARNING, REJECTED (FaceID, older OCR),
/// ABNORMAL, COMPLETED (current OCR), or UNKNOWN for a value this library does not know (read
/// case-insensitively). UNKNOWN for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_status(
    result: *const tcfaceid_verification_result,
) -> tcfaceid_status {
    ffi_boundary! { try_ref!(result).status }
}

/// The status as a string: "PROCESSING", "PASSED", "WARNING", "REJECTED", "ABNORMAL",
/// "COMPLETED", or the unknown value as the service sent it (borrowed). NULL for NULL.
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

/// Whether polling is over: any status but PROCESSING (UNKNOWN included). false for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_is_terminal(
    result: *const tcfaceid_verification_result,
) -> bool {
    ffi_boundary! { try_ref!(result).status != tcfaceid_status::Processing }
}

/// Result calls made to get this result (1 for a single call). 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_polls(
    result: *const tcfaceid_verification_result,
) -> u64 {
    ffi_boundary! { try_ref!(result).polls }
}

/// Number of WarnInfo entries (findings; tcfaceid_warn_info_meaning explains them). 0 for NULL.
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

/// Length in bytes of tcfaceid_verification_result_card_info_json (without the NUL); 0 when
/// absent or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_card_info_json_len(
    result: *const tcfaceid_verification_result,
) -> usize {
    ffi_boundary! { try_ref!(result).card_info_json.as_ref().map_or(0, |j| j.as_bytes().len()) }
}

/// IDVerificationToken (borrowed), or NULL when absent or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_id_verification_token(
    result: *const tcfaceid_verification_result,
) -> *const c_char {
    ffi_boundary! { opt_ptr(&try_ref!(result).id_verification_token) }
}

/// The front (`side` 0, TCFACEID_SIDE_FRONT: OCR's CardInfo, FaceID's CardInfo.GeneralCard) or
/// back (`side` 1: OCR's BackCardInfo) card as a JSON object of the fields the service filled
/// (borrowed), or NULL when there is none, for another side, or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_card_json(
    result: *const tcfaceid_verification_result,
    side: u32,
) -> *const c_char {
    ffi_boundary! {
        let card = card(try_ref!(result), side);
        card.map_or(std::ptr::null(), |c| c.json.as_ptr())
    }
}

/// Length in bytes of tcfaceid_verification_result_card_json for `side` (without the NUL); 0
/// when there is no such card or for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_card_json_len(
    result: *const tcfaceid_verification_result,
    side: u32,
) -> usize {
    ffi_boundary! {
        let card = card(try_ref!(result), side);
        card.map_or(0, |c| c.json.as_bytes().len())
    }
}

/// One field of the front or back card (see tcfaceid_verification_result_card_json) by its
/// GeneralCard name, e.g. "FullName", "LicenseNumber", "MRZLine1", or "Address.City" for an
/// AddressInfo part: the value (borrowed from the result; valid until it is freed), or NULL.
/// NULL with the last error TCFACEID_RESULT_OK means the card or the field is absent; NULL
/// with TCFACEID_RESULT_INVALID_ARGUMENT, a side other than 0 or 1 or a name that is not a
/// GeneralCard field; TCFACEID_RESULT_NULL_ARGUMENT / _INVALID_UTF8 for bad pointers.
/// Threads: any number of threads may read one result.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_card_field(
    result: *const tcfaceid_verification_result,
    side: u32,
    name: *const c_char,
) -> *const c_char {
    ffi_boundary! {
        let result = try_ref!(result);
        let name = try_str!(name);
        let side = try_result!(crate::capi::card_request::side_from_u32(side));
        try_result!(crate::api::check_general_card_field(name));
        let card = match side {
            crate::card::Side::Front => result.cards[0].as_ref(),
            crate::card::Side::Back => result.cards[1].as_ref(),
        };
        card.and_then(|c| c.fields.iter().find(|(n, _)| n == name))
            .map_or(std::ptr::null(), |(_, v)| v.as_ptr())
    }
}

/// OCR's portrait (HeadImageBase64, when the request set ReturnHeadImage), decoded: the image
/// bytes (borrowed from the result; valid until it is freed; the length is
/// tcfaceid_verification_result_head_image_len), or NULL when there is none (not asked for,
/// extraction failed, FaceID) with the last error OK, or NULL with TCFACEID_RESULT_PROTOCOL
/// when HeadImageBase64 is not base64. Threads: any number of threads may read one result.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_head_image(
    result: *const tcfaceid_verification_result,
) -> *const u8 {
    ffi_boundary! {
        let image = try_result!(try_ref!(result).head_image.as_ref().map_err(Clone::clone));
        if image.is_empty() { std::ptr::null() } else { image.as_ptr() }
    }
}

/// Length in bytes of tcfaceid_verification_result_head_image (0 when there is none, when it
/// is not base64 — TCFACEID_RESULT_PROTOCOL — or for NULL).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_head_image_len(
    result: *const tcfaceid_verification_result,
) -> usize {
    ffi_boundary! {
        try_result!(try_ref!(result).head_image.as_ref().map_err(Clone::clone)).len()
    }
}

/// What a WarnInfo code means, e.g. "the image is a screenshot" for "ScreenshotSuspected"
/// (static; never free it), or NULL for a code this library does not know (the last error
/// stays OK) or for NULL (TCFACEID_RESULT_NULL_ARGUMENT) or invalid UTF-8. Threads: any.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_warn_info_meaning(code: *const c_char) -> *const c_char {
    ffi_boundary! {
        let code = try_str!(code);
        static MEANINGS: OnceLock<Vec<(&str, CString)>> = OnceLock::new();
        let meanings = MEANINGS.get_or_init(|| {
            WarnCode::KNOWN
                .iter()
                .map(|(_, text, meaning)| (*text, CString::new(*meaning).expect("no NUL")))
                .collect()
        });
        meanings
            .iter()
            .find(|(text, _)| *text == code)
            .map_or(std::ptr::null(), |(_, m)| m.as_ptr())
    }
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

/// Length in bytes of tcfaceid_verification_result_json (without the NUL), so that a caller
/// need not scan the body; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_verification_result_json_len(
    result: *const tcfaceid_verification_result,
) -> usize {
    ffi_boundary! { try_ref!(result).json.as_bytes().len() }
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

/// The front (0) or back (1) card of a result, when there is one.
fn card(result: &VerificationResult, side: u32) -> Option<&CardStrings> {
    usize::try_from(side)
        .ok()
        .and_then(|i| result.cards.get(i))
        .and_then(Option::as_ref)
}
