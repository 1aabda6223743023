//! The `tcfaceid_api` enum: which product a client or a request check is for.

use std::ffi::c_char;

use crate::error::{Error, Result, ResultCode};
use crate::product::Api;

/// A product, passed as a uint32_t to tcfaceid_client_builder_set_api,
/// tcfaceid_card_request_validate_for and tcfaceid_card_request_body_for (any number is safe:
/// others give TCFACEID_RESULT_INVALID_ARGUMENT). Values are never renumbered.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum tcfaceid_api {
    /// FaceID 2018-03-01: ApplyCardVerification / GetCardVerificationResult, service "faceid",
    /// default endpoint `https://faceid.tencentcloudapi.com`. The default. Tencent removed it
    /// from its SDKs on 2026-03-09; accounts may get ActionOffline.
    Faceid = 0,
    /// OCR 2018-11-19: ApplyCardVerificationExternal / GetCardVerificationExternalResult,
    /// service "ocr", default endpoint `https://ocr.intl.tencentcloudapi.com`, region
    /// ap-singapore. The live successor.
    Ocr = 1,
}

/// The product for a number from C, or INVALID_ARGUMENT naming the parameter `api`.
pub(crate) fn api_from_u32(api: u32) -> Result<Api> {
    Api::from_u32(api).ok_or_else(|| {
        Error::for_field(
            ResultCode::InvalidArgument,
            "api",
            format!("api is {api}; it must be TCFACEID_API_FACEID (0) or TCFACEID_API_OCR (1)"),
        )
    })
}

/// The product's name, "faceid" or "ocr" (static; never free it), as TCFACEID_API in the
/// examples' environment spells it; NULL (and TCFACEID_RESULT_INVALID_ARGUMENT as the last
/// error) for another number. Threads: any.
#[no_mangle]
pub extern "C" fn tcfaceid_api_name(api: u32) -> *const c_char {
    ffi_boundary! {
        match try_result!(api_from_u32(api)) {
            Api::FaceId => c"faceid".as_ptr(),
            Api::Ocr => c"ocr".as_ptr(),
        }
    }
}
