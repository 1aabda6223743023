//! The `tcfaceid_signer` handle (a credential and a signing service, the day's key cached),
//! `tcfaceid_sign` (the same in one call) and the `tcfaceid_signed_headers` handle:
//! TC3-HMAC-SHA256 signing alone, for callers that send the request with their own HTTP stack.

use std::ffi::c_char;
use std::ops::Range;

use crate::capi::ffi::BoxHandle;
use crate::capi::string::OwnedText;
use crate::credential::Credential;
use crate::error::{Error, Result, ResultCode};
use crate::sign::{self, CallContext, Method, Payload, Signer, SigningInput};

/// The headers of one signed request (opaque).
///
/// Made by tcfaceid_signer_sign or tcfaceid_sign; read with tcfaceid_signed_headers_count,
/// _name, _value and _get; free with tcfaceid_signed_headers_free. It holds no secret key. Threads: immutable, so any number
/// of threads may read it at once; free it once no thread uses it.
pub struct tcfaceid_signed_headers {
    _private: [u8; 0],
}

/// The value behind a `tcfaceid_signed_headers`: every name and value, each NUL-terminated,
/// in one buffer (two allocations per signature, whatever the number of headers).
pub(crate) struct SignedHeaders {
    text: String,
    /// Each header's name and value as ranges of `text` (the NUL after each excluded).
    entries: Vec<(Range<usize>, Range<usize>)>,
}

impl SignedHeaders {
    /// The headers of one signature: `authorization` writes the Authorization value in place,
    /// then the `others` are copied in. No value holds a NUL: they are the checked inputs, the
    /// signature and the timestamp.
    fn new<'a>(
        authorization: impl FnOnce(&mut String) -> Result<()>,
        others: impl Iterator<Item = (&'static str, &'a str)>,
    ) -> Result<SignedHeaders> {
        let mut text = String::with_capacity(512);
        let mut entries = Vec::with_capacity(11);
        text.push_str("Authorization\0");
        let start = text.len();
        authorization(&mut text)?;
        entries.push((0..start - 1, start..text.len()));
        text.push('\0');
        for (name, value) in others {
            let name_at = text.len();
            text.extend([name, "\0", value, "\0"]);
            let value_at = name_at + name.len() + 1;
            entries.push((name_at..value_at - 1, value_at..value_at + value.len()));
        }
        Ok(SignedHeaders { text, entries })
    }

    /// The name and value of each header, without their NULs.
    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(name, value)| (&self.text[name.clone()], &self.text[value.clone()]))
    }

    /// The NUL-terminated string at `range` (a name or a value).
    fn c_str(&self, range: &Range<usize>) -> *const c_char {
        self.text[range.start..].as_ptr().cast::<c_char>()
    }
}

impl BoxHandle for tcfaceid_signed_headers {
    type Inner = SignedHeaders;
}

/// Refuse an empty value or one with control characters (CR/LF would split the header).
fn check_header_value(name: &str, value: &str, code: ResultCode) -> Result<()> {
    if value.is_empty() {
        return Err(Error::for_field(code, name, format!("{name} is empty")));
    }
    // One pass over printable ASCII (the usual case); any other byte: the exact check.
    // (Every byte is looked at, with no early exit: the loop vectorises.)
    let printable = value
        .bytes()
        .fold(true, |all, b| all & (b' '..=b'~').contains(&b));
    let control = !printable && value.chars().any(char::is_control);
    if control {
        return Err(Error::for_field(
            code,
            name,
            format!("{name} contains control characters (a header value cannot)"),
        ));
    }
    Ok(())
}

/// `Credential::new`, with the error's field set to the C parameter at fault.
fn credential(secret_id: &str, secret_key: &str, token: Option<&str>) -> Result<Credential> {
    check_header_value("secret_id", secret_id, ResultCode::CredentialsInvalid)?;
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        check_header_value("token", token, ResultCode::CredentialsInvalid)?;
    }
    Credential::new(secret_id, secret_key, token).map_err(|error| {
        // Find the parameter at fault by checking each value alone (cheap, only on failure).
        let field = if Credential::new(secret_id, "k", None).is_err() {
            "secret_id"
        } else if Credential::new("i", secret_key, None).is_err() {
            "secret_key"
        } else {
            "token"
        };
        Error::for_field(error.code(), field, error.message())
    })
}

/// A reusable signer (opaque): one credential and one signing service, with the day's signing
/// key derived once and cached inside (it is re-derived when the UTC date changes).
///
/// Made by tcfaceid_signer_new; used by tcfaceid_signer_sign and tcfaceid_signer_sign_text; freed
/// with tcfaceid_signer_free, which wipes the secret key and the cached signing key. Threads:
/// immutable for the caller (the cache is internally locked), so any number of threads may sign
/// with one signer at once; free it once no thread uses it.
pub struct tcfaceid_signer {
    _private: [u8; 0],
}

/// The value behind a `tcfaceid_signer`.
pub(crate) struct SignerHandle {
    signer: Signer,
    service: String,
}

impl BoxHandle for tcfaceid_signer {
    type Inner = SignerHandle;
}

impl SignerHandle {
    /// Check and copy the inputs of tcfaceid_signer_new.
    fn new(
        secret_id: &str,
        secret_key: &str,
        token: Option<&str>,
        service: &str,
    ) -> Result<SignerHandle> {
        let credential = credential(secret_id, secret_key, token)?;
        check_header_value("service", service, ResultCode::InvalidArgument)?;
        Ok(SignerHandle {
            signer: Signer::new(credential),
            service: service.to_owned(),
        })
    }

    /// Every header to send for one POST with a JSON body, in the order of
    /// `sign::request_headers`; the error names the C parameter at fault.
    #[allow(clippy::too_many_arguments)]
    fn headers(
        &self,
        host: &str,
        region: &str,
        action: &str,
        version: &str,
        timestamp: i64,
        body: &[u8],
    ) -> Result<SignedHeaders> {
        for (name, value) in [("host", host), ("action", action), ("version", version)] {
            check_header_value(name, value, ResultCode::InvalidArgument)?;
        }
        if !region.is_empty() {
            check_header_value("region", region, ResultCode::InvalidArgument)?;
        }
        let input = SigningInput {
            method: Method::Post,
            host,
            query: "",
            content_type: sign::CONTENT_TYPE_JSON,
            payload: Payload::Body(body),
            service: &self.service,
            timestamp,
            extra_signed_headers: &[],
        };
        let call = CallContext {
            action,
            version,
            region,
            language: "",
            request_client: "",
        };
        let mut decimal = itoa::Buffer::new();
        let timestamp_text = decimal.format(timestamp);
        let credential = self.signer.credential();
        SignedHeaders::new(
            |out| {
                self.signer
                    .push_authorization(&input, out)
                    .map_err(|e| Error::for_field(e.code(), "timestamp", e.message()))
            },
            sign::header_values(credential, &input, &call, timestamp_text),
        )
    }
}

/// Make a reusable signer for one credential and one signing service.
///
/// Parameters: `secret_id`, `secret_key` (copied into memory wiped by tcfaceid_signer_free),
/// `token` (session token of temporary credentials, sent as X-TC-Token; NULL or "" for none),
/// `service` (the signing service of the product: "faceid" for FaceID 2018-03-01, "ocr" for OCR
/// 2018-11-19; never derived from the host). All UTF-8; none is retained.
///
/// On success `*signer_out` receives a new handle owned by the caller: free it with
/// tcfaceid_signer_free. On failure `*signer_out` is not written. Threads: any thread.
///
/// Returns TCFACEID_RESULT_OK; TCFACEID_RESULT_NULL_ARGUMENT; TCFACEID_RESULT_INVALID_UTF8;
/// TCFACEID_RESULT_CREDENTIALS_INVALID (secret_id or secret_key empty, or any credential padded
/// with whitespace or holding control characters); TCFACEID_RESULT_INVALID_ARGUMENT (service
/// empty or with control characters). The last error names the parameter at fault.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_signer_new(
    secret_id: *const c_char,
    secret_key: *const c_char,
    token: *const c_char,
    service: *const c_char,
    signer_out: *mut *mut tcfaceid_signer,
) -> ResultCode {
    ffi_boundary! {
        let secret_id = try_str!(secret_id);
        let secret_key = try_str!(secret_key);
        let token = try_opt_str!(token);
        let service = try_str!(service);
        let signer_out = try_out!(signer_out);
        let signer = try_result!(SignerHandle::new(secret_id, secret_key, token, service));
        signer_out.set(tcfaceid_signer::into_raw(signer));
        ResultCode::Ok
    }
}

/// Sign one API call (POST, JSON body) with TC3-HMAC-SHA256 and return every header to send:
/// Authorization, Content-Type ("application/json"), Host, X-TC-Action, X-TC-Timestamp,
/// X-TC-Version, then X-TC-Region and X-TC-Token when given, in that order.
///
/// The signed headers are content-type and host; the service is the signer's. Send the body
/// bytes exactly as signed, with these headers exactly as returned, to `https://<host>/`.
///
/// Parameters: `signer` (from tcfaceid_signer_new), `host` (the Host header as sent, e.g.
/// "faceid.tencentcloudapi.com", with ":port" when not the default), `region` (X-TC-Region, e.g.
/// "ap-singapore"; NULL or "" to omit), `action` (e.g. "ApplyCardVerification"), `version` (e.g.
/// "2018-03-01"), `timestamp` (Unix seconds, sent as X-TC-Timestamp; the service refuses a skew
/// over 5 minutes), `body` and `body_len` (the exact JSON body; NULL only with body_len 0). All
/// strings are UTF-8; none is retained.
///
/// On success `*headers_out` receives a new handle, owned by the caller: free it with
/// tcfaceid_signed_headers_free. On failure `*headers_out` is not written.
/// Threads: any thread; many threads may share one signer.
///
/// Returns TCFACEID_RESULT_OK; TCFACEID_RESULT_NULL_ARGUMENT (a required pointer is NULL, or
/// body is NULL with body_len > 0); TCFACEID_RESULT_INVALID_UTF8;
/// TCFACEID_RESULT_INVALID_ARGUMENT (host, action or version empty, a header value with control
/// characters, or a timestamp outside the calendar). The last error names the parameter at
/// fault.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn tcfaceid_signer_sign(
    signer: *const tcfaceid_signer,
    host: *const c_char,
    region: *const c_char,
    action: *const c_char,
    version: *const c_char,
    timestamp: i64,
    body: *const u8,
    body_len: usize,
    headers_out: *mut *mut tcfaceid_signed_headers,
) -> ResultCode {
    ffi_boundary! {
        let signer = try_ref!(signer);
        let host = try_str!(host);
        let region = try_opt_str!(region).unwrap_or("");
        let action = try_str!(action);
        let version = try_str!(version);
        let body = try_slice!(body, body_len);
        let headers_out = try_out!(headers_out);
        let headers =
            try_result!(signer.headers(host, region, action, version, timestamp, body));
        headers_out.set(tcfaceid_signed_headers::into_raw(headers));
        ResultCode::Ok
    }
}

/// As tcfaceid_signer_sign, but the headers come as one text: each header on its own line,
/// `Name: value` followed by CR LF, in the same order (ready to copy into an HTTP/1.1 request
/// head). One call and one string, for bindings that want few foreign calls. Parameters as for
/// tcfaceid_signer_sign (`region` NULL or "" to omit).
///
/// On success `*text_out` receives the text (NUL-terminated), owned by the caller: free it with
/// tcfaceid_string_free; `*text_len_out` receives its length in bytes without the NUL. On
/// failure neither is written. Threads: any thread; many threads may share one signer.
///
/// Returns TCFACEID_RESULT_OK, or the failure codes of tcfaceid_signer_sign (NULL_ARGUMENT also
/// for `text_out` or `text_len_out`).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn tcfaceid_signer_sign_text(
    signer: *const tcfaceid_signer,
    host: *const c_char,
    region: *const c_char,
    action: *const c_char,
    version: *const c_char,
    timestamp: i64,
    body: *const u8,
    body_len: usize,
    text_out: *mut *mut c_char,
    text_len_out: *mut usize,
) -> ResultCode {
    ffi_boundary! {
        let signer = try_ref!(signer);
        let host = try_str!(host);
        let region = try_opt_str!(region).unwrap_or("");
        let action = try_str!(action);
        let version = try_str!(version);
        let body = try_slice!(body, body_len);
        let text_out = try_out!(text_out);
        let text_len_out = try_out!(text_len_out);
        let headers =
            try_result!(signer.headers(host, region, action, version, timestamp, body));
        let mut text = OwnedText::with_capacity(headers.text.len() + 2 * headers.entries.len());
        for (name, value) in headers.iter() {
            for part in [name, ": ", value, "\r\n"] {
                text.buffer().extend_from_slice(part.as_bytes());
            }
        }
        text.hand_out(text_out, text_len_out);
        ResultCode::Ok
    }
}

/// Free a tcfaceid_signer: its secret key and cached signing key are wiped.
///
/// NULL does nothing. Freeing the same handle twice is undefined behaviour. Does not change
/// the last error. Threads: once no thread uses the handle.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_signer_free(signer: *mut tcfaceid_signer) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live handle from tcfaceid_signer_new.
        unsafe { tcfaceid_signer::free(signer) }
    }
}

/// Sign one API call in a single step: tcfaceid_signer_new, tcfaceid_signer_sign and
/// tcfaceid_signer_free together (the signing key is derived for this call only). Prefer a
/// tcfaceid_signer when signing more than once.
///
/// Parameters: `secret_id`, `secret_key`, `token` and `service` as for tcfaceid_signer_new (the
/// secret key is copied into memory wiped before returning, never kept in the result; `token`
/// NULL or "" for none); the rest as for tcfaceid_signer_sign (`region` NULL or "" to omit). On success `*headers_out` receives a new handle owned by the
/// caller: free it with tcfaceid_signed_headers_free. On failure `*headers_out` is not written.
/// Threads: any thread.
///
/// Returns TCFACEID_RESULT_OK, or the failure codes of tcfaceid_signer_new and
/// tcfaceid_signer_sign; the last error names the parameter at fault.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn tcfaceid_sign(
    secret_id: *const c_char,
    secret_key: *const c_char,
    token: *const c_char,
    service: *const c_char,
    host: *const c_char,
    region: *const c_char,
    action: *const c_char,
    version: *const c_char,
    timestamp: i64,
    body: *const u8,
    body_len: usize,
    headers_out: *mut *mut tcfaceid_signed_headers,
) -> ResultCode {
    ffi_boundary! {
        let secret_id = try_str!(secret_id);
        let secret_key = try_str!(secret_key);
        let token = try_opt_str!(token);
        let service = try_str!(service);
        let host = try_str!(host);
        let region = try_opt_str!(region).unwrap_or("");
        let action = try_str!(action);
        let version = try_str!(version);
        let body = try_slice!(body, body_len);
        let headers_out = try_out!(headers_out);
        let signer = try_result!(SignerHandle::new(secret_id, secret_key, token, service));
        let headers =
            try_result!(signer.headers(host, region, action, version, timestamp, body));
        headers_out.set(tcfaceid_signed_headers::into_raw(headers));
        ResultCode::Ok
    }
}

/// The number of headers in `headers`; 0 when `headers` is NULL (the last error then says
/// TCFACEID_RESULT_NULL_ARGUMENT).
///
/// Threads: any thread (the handle is immutable).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_signed_headers_count(
    headers: *const tcfaceid_signed_headers,
) -> usize {
    ffi_boundary! {
        try_ref!(headers).entries.len()
    }
}

/// The entry at `index` of `headers`, or the NULL-argument / out-of-range failure.
fn entry(headers: &SignedHeaders, index: usize) -> Result<&(Range<usize>, Range<usize>)> {
    headers.entries.get(index).ok_or_else(|| {
        Error::for_field(
            ResultCode::InvalidArgument,
            "index",
            format!(
                "index {index} is out of range (there are {} headers)",
                headers.entries.len()
            ),
        )
    })
}

/// The name of the header at `index` (0 .. count-1), e.g. "X-TC-Action".
///
/// Ownership: borrowed from `headers`, valid until tcfaceid_signed_headers_free; do not free
/// it. Returns NULL when `headers` is NULL (last error TCFACEID_RESULT_NULL_ARGUMENT) or
/// `index` is out of range (last error TCFACEID_RESULT_INVALID_ARGUMENT).
/// Threads: any thread (the handle is immutable).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_signed_headers_name(
    headers: *const tcfaceid_signed_headers,
    index: usize,
) -> *const c_char {
    ffi_boundary! {
        let headers = try_ref!(headers);
        headers.c_str(&try_result!(entry(headers, index)).0)
    }
}

/// The value of the header at `index` (0 .. count-1).
///
/// Ownership: borrowed from `headers`, valid until tcfaceid_signed_headers_free; do not free
/// it. Returns NULL when `headers` is NULL (last error TCFACEID_RESULT_NULL_ARGUMENT) or
/// `index` is out of range (last error TCFACEID_RESULT_INVALID_ARGUMENT).
/// Threads: any thread (the handle is immutable).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_signed_headers_value(
    headers: *const tcfaceid_signed_headers,
    index: usize,
) -> *const c_char {
    ffi_boundary! {
        let headers = try_ref!(headers);
        headers.c_str(&try_result!(entry(headers, index)).1)
    }
}

/// The value of the header called `name`, compared ASCII case-insensitively (e.g.
/// "authorization" finds Authorization).
///
/// Ownership: borrowed from `headers`, valid until tcfaceid_signed_headers_free; do not free
/// it. Returns NULL when there is no such header (the last error code is then
/// TCFACEID_RESULT_OK), or when `headers` or `name` is NULL (TCFACEID_RESULT_NULL_ARGUMENT) or
/// `name` is not UTF-8 (TCFACEID_RESULT_INVALID_UTF8).
/// Threads: any thread (the handle is immutable).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_signed_headers_get(
    headers: *const tcfaceid_signed_headers,
    name: *const c_char,
) -> *const c_char {
    ffi_boundary! {
        let headers = try_ref!(headers);
        let name = try_str!(name);
        headers
            .entries
            .iter()
            .find(|(n, _)| headers.text[n.clone()].eq_ignore_ascii_case(name))
            .map_or(std::ptr::null(), |(_, value)| headers.c_str(value))
    }
}

/// Free a tcfaceid_signed_headers made by tcfaceid_signer_sign or tcfaceid_sign; the strings
/// borrowed from it become invalid.
///
/// NULL does nothing. Freeing the same handle twice is undefined behaviour. Does not change
/// the last error. Threads: once no thread uses the handle.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_signed_headers_free(headers: *mut tcfaceid_signed_headers) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live handle from tcfaceid_signer_sign or
        // tcfaceid_sign.
        unsafe { tcfaceid_signed_headers::free(headers) }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;

    const BODY: &str = r#"{"Nationality": "IDN", "CardType": "ID_CARD", "ImageUrlFront": "https://example.com/front.jpg"}"#;

    unsafe fn sign_s1(
        secret_key: &CStr,
        headers_out: *mut *mut tcfaceid_signed_headers,
    ) -> ResultCode {
        unsafe {
            tcfaceid_sign(
                c"AKIDEXAMPLEFACEID0000000000000000000".as_ptr(),
                secret_key.as_ptr(),
                ptr::null(),
                c"faceid".as_ptr(),
                c"faceid.intl.tencentcloudapi.com".as_ptr(),
                c"ap-singapore".as_ptr(),
                c"ApplyCardVerification".as_ptr(),
                c"2018-03-01".as_ptr(),
                1_700_000_000,
                BODY.as_ptr(),
                BODY.len(),
                headers_out,
            )
        }
    }

    #[test]
    fn signs_vector_s1() {
        let mut headers = ptr::null_mut();
        // SAFETY: valid C strings and out pointer.
        unsafe {
            assert_eq!(
                sign_s1(c"SKEXAMPLEFACEIDSECRETKEY0000000000", &mut headers),
                ResultCode::Ok
            );
            assert_eq!(tcfaceid_signed_headers_count(headers), 7);
            let auth = CStr::from_ptr(tcfaceid_signed_headers_get(
                headers,
                c"AUTHORIZATION".as_ptr(),
            ));
            assert!(auth.to_str().unwrap().ends_with(
                "Signature=58b836bc8063447b4cae50aea55c25508241ffb0dcc509008a2da92277f08902"
            ));
            assert!(tcfaceid_signed_headers_get(headers, c"X-TC-Token".as_ptr()).is_null());
            assert_eq!(
                crate::capi::error::tcfaceid_last_error_code(),
                ResultCode::Ok
            );
            assert!(tcfaceid_signed_headers_name(headers, 7).is_null());
            assert_eq!(
                crate::capi::error::tcfaceid_last_error_code(),
                ResultCode::InvalidArgument
            );
            tcfaceid_signed_headers_free(headers);
        }
    }

    #[test]
    fn a_padded_key_is_refused_naming_the_parameter_and_the_output_is_untouched() {
        let sentinel = ptr::NonNull::<tcfaceid_signed_headers>::dangling().as_ptr();
        let mut headers = sentinel;
        // SAFETY: valid C strings and out pointer.
        let code = unsafe { sign_s1(c"SKEXAMPLE ", &mut headers) };
        assert_eq!(code, ResultCode::CredentialsInvalid);
        assert_eq!(headers, sentinel);
        // SAFETY: never NULL, NUL-terminated.
        let field = unsafe { CStr::from_ptr(crate::capi::error::tcfaceid_last_error_field()) };
        assert_eq!(field.to_str().unwrap(), "secret_key");
    }
}
