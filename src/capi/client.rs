//! The `tcfaceid_client_builder` and `tcfaceid_client` handles, and the calls a client makes:
//! apply, get result, verify (apply and poll to the verdict), and any action as JSON.

use std::ffi::c_char;
use std::time::Duration;

use crate::cancel::Cancel;
use crate::capi::cancel::tcfaceid_cancel;
use crate::capi::card_request::tcfaceid_card_request;
use crate::capi::ffi::{BoxHandle, Out};
use crate::capi::product::api_from_u32;
use crate::capi::response::{
    tcfaceid_apply_response, tcfaceid_verification_result, ApplyFieldsOut, ApplyResponse,
};
use crate::capi::string::OwnedText;
use crate::client::{Client, ClientBuilder, CredentialSource};
use crate::credential::Credential;
use crate::error::ResultCode;
use crate::product::PollPlan;
use crate::retry::RetryPolicy;

/// Settings for a client (opaque). Made by tcfaceid_client_builder_new, changed with the
/// _set_* functions, turned into a client by tcfaceid_client_builder_build (which consumes it),
/// or freed with tcfaceid_client_builder_free. Every input is copied.
///
/// Defaults: product FaceID (tcfaceid_client_builder_set_api); credentials from the
/// environment, then the profile file, then TKE OIDC (the chain of
/// tcfaceid_client_builder_set_credentials_chain without the CVM role); region from
/// TENCENTCLOUD_REGION (OCR: else ap-singapore); endpoint the product's
/// (`https://faceid.tencentcloudapi.com`, `https://ocr.intl.tencentcloudapi.com`); language
/// en-US; connect
/// timeout 10 s; overall deadline 30 s per call; responses capped at 1 MiB; no retries; proxy
/// from HTTPS_PROXY / ALL_PROXY / NO_PROXY; CA roots bundled (or TCFACEID_CA_FILE).
///
/// Threads: one thread at a time (it may move between threads).
pub struct tcfaceid_client_builder {
    _private: [u8; 0],
}

impl BoxHandle for tcfaceid_client_builder {
    type Inner = ClientBuilder;
}

/// A client of one product (opaque). Immutable once built: any number of threads may use one client at
/// the same time (every call takes a const pointer); its connections are kept alive and shared.
/// Free it with tcfaceid_client_free once no thread uses it.
pub struct tcfaceid_client {
    _private: [u8; 0],
}

impl BoxHandle for tcfaceid_client {
    type Inner = Client;
}

/// Make a builder with the defaults. On success `*builder_out` receives a handle owned by the
/// caller: pass it to tcfaceid_client_builder_build or tcfaceid_client_builder_free.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_new(
    builder_out: *mut *mut tcfaceid_client_builder,
) -> ResultCode {
    ffi_boundary! {
        let builder_out = try_out!(builder_out);
        builder_out.set(tcfaceid_client_builder::into_raw(ClientBuilder::new()));
        ResultCode::Ok
    }
}

/// Free a builder that was not built. NULL does nothing; freeing twice is undefined behaviour.
/// Does not change the last error.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_free(builder: *mut tcfaceid_client_builder) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live handle from _new.
        unsafe { tcfaceid_client_builder::free(builder) }
    }
}

/// The product (`api`, a tcfaceid_api): TCFACEID_API_FACEID (default) or TCFACEID_API_OCR.
/// It brings the default endpoint (unless tcfaceid_client_builder_set_endpoint is called), the
/// signing service, the version, the action names, the regions, the request rules and the
/// poll plan used without server hints.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_ARGUMENT
/// (another number).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_api(
    builder: *mut tcfaceid_client_builder,
    api: u32,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let api = try_result!(api_from_u32(api));
        update(builder, |b| b.api(api));
        ResultCode::Ok
    }
}

/// How tcfaceid_client_verify_card polls when the service gives no hints (OCR never does;
/// FaceID's hints win when present): wait `first_wait_ms` before the first poll, `wait_ms`
/// before each later one, at most `max_polls` polls (at least 1). Default: FaceID 5 s, 5 s, 60;
/// OCR 3 s, 5 s, 60 (about 300 s in all).
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT; max_polls = 0 is refused by
/// tcfaceid_client_builder_build (TCFACEID_RESULT_INVALID_OPTION).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_poll_plan(
    builder: *mut tcfaceid_client_builder,
    first_wait_ms: u64,
    wait_ms: u64,
    max_polls: u64,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let plan = PollPlan {
            first_wait: Duration::from_millis(first_wait_ms),
            wait: Duration::from_millis(wait_ms),
            max_polls,
        };
        update(builder, |b| b.poll_plan(plan));
        ResultCode::Ok
    }
}

/// Use these credentials. `secret_id` and `secret_key` must not be NULL; `token` (temporary
/// credentials, sent as X-TC-Token) may be NULL. Copied; the key is wiped from memory when the
/// client is freed and never appears in any message.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_UTF8 or
/// TCFACEID_RESULT_CREDENTIALS_INVALID (empty, or surrounding whitespace).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_credentials(
    builder: *mut tcfaceid_client_builder,
    secret_id: *const c_char,
    secret_key: *const c_char,
    token: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let secret_id = try_str!(secret_id);
        let secret_key = try_str!(secret_key);
        let token = try_opt_str!(token);
        let credential = try_result!(Credential::new(secret_id, secret_key, token));
        update(builder, |b| b.credential(credential));
        ResultCode::Ok
    }
}

/// Read the credentials from TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and the optional
/// TENCENTCLOUD_SECURITY_TOKEN when the client is built.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_credentials_from_env(
    builder: *mut tcfaceid_client_builder,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.credential_source(CredentialSource::Environment));
        ResultCode::Ok
    }
}

/// Read the credentials from the profile file (TENCENTCLOUD_CREDENTIALS_FILE, else
/// ~/.tencentcloud/credentials) when the client is built; `profile` names the section (NULL:
/// "default").
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_credentials_from_profile(
    builder: *mut tcfaceid_client_builder,
    profile: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let profile = try_opt_str!(profile).map(str::to_owned);
        update(builder, |b| b.credential_source(CredentialSource::Profile(profile)));
        ResultCode::Ok
    }
}

/// The region: FaceID "ap-hongkong", "ap-jakarta" or "ap-singapore"; OCR "ap-singapore".
///
/// Copied; checked by tcfaceid_client_builder_build. Returns TCFACEID_RESULT_OK,
/// TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_region(
    builder: *mut tcfaceid_client_builder,
    region: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let value = try_str!(region).to_owned();
        update(builder, |b| b.region(value));
        ResultCode::Ok
    }
}

/// The endpoint: any https:// URL (e.g. `https://faceid.intl.tencentcloudapi.com`), or an
/// http:// URL to a loopback host (the emulator, a local gateway); http:// to any other host
/// is refused by tcfaceid_client_builder_build unless
/// tcfaceid_client_builder_set_allow_insecure_http allows it.
///
/// Copied; checked by tcfaceid_client_builder_build. Returns TCFACEID_RESULT_OK,
/// TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_endpoint(
    builder: *mut tcfaceid_client_builder,
    endpoint: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let value = try_str!(endpoint).to_owned();
        update(builder, |b| b.endpoint(value));
        ResultCode::Ok
    }
}

/// The language of the service's messages: "en-US" (default) or "zh-CN".
///
/// Copied; checked by tcfaceid_client_builder_build. Returns TCFACEID_RESULT_OK,
/// TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_language(
    builder: *mut tcfaceid_client_builder,
    language: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let value = try_str!(language).to_owned();
        update(builder, |b| b.language(value));
        ResultCode::Ok
    }
}

/// A proxy URL, e.g. `http://user:pass@proxy:3128`, used as a CONNECT tunnel; `https://` and
/// SOCKS proxies are refused by tcfaceid_client_builder_build (default: the standard
/// environment variables HTTPS_PROXY / ALL_PROXY / NO_PROXY).
///
/// Copied; checked by tcfaceid_client_builder_build. Returns TCFACEID_RESULT_OK,
/// TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_proxy(
    builder: *mut tcfaceid_client_builder,
    proxy: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let value = try_str!(proxy).to_owned();
        update(builder, |b| b.proxy(value));
        ResultCode::Ok
    }
}

/// A PEM file of CA certificates to trust instead of the bundled roots (read at build).
///
/// Copied; checked by tcfaceid_client_builder_build. Returns TCFACEID_RESULT_OK,
/// TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_ca_file(
    builder: *mut tcfaceid_client_builder,
    path: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let value = try_str!(path).to_owned();
        update(builder, |b| b.ca_file(value));
        ResultCode::Ok
    }
}

/// The connect timeout in milliseconds (DNS, TCP and TLS), 1..=3600000.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT; the range is checked by
/// tcfaceid_client_builder_build (TCFACEID_RESULT_INVALID_OPTION).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_connect_timeout_ms(
    builder: *mut tcfaceid_client_builder,
    timeout_ms: u64,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.connect_timeout(Duration::from_millis(timeout_ms)));
        ResultCode::Ok
    }
}

/// The overall deadline of one call in milliseconds (all retries included), 1..=3600000.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT; the range is checked by
/// tcfaceid_client_builder_build (TCFACEID_RESULT_INVALID_OPTION).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_timeout_ms(
    builder: *mut tcfaceid_client_builder,
    timeout_ms: u64,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.timeout(Duration::from_millis(timeout_ms)));
        ResultCode::Ok
    }
}

/// The largest response body read (at least 1024); a larger one fails the call with
/// TCFACEID_RESULT_RESPONSE_TOO_LARGE.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT; the range is checked by
/// tcfaceid_client_builder_build (TCFACEID_RESULT_INVALID_OPTION).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_max_response_bytes(
    builder: *mut tcfaceid_client_builder,
    max_bytes: u64,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.max_response_bytes(max_bytes));
        ResultCode::Ok
    }
}

/// Retries, never for business errors: `max_attempts` in all (1 = no retries, at most 10),
/// with jittered exponential backoff from `base_delay_ms` up to `max_delay_ms`. The rule per
/// action:
/// - ApplyCardVerification (billed) is sent again only when the request certainly did not
///   reach the service (name resolution, connect or TLS handshake failed) or the service said
///   it did not process it (RequestLimitExceeded*); never after the request was written (no
///   answer, a timeout, HTTP 5xx, garbage), which could bill a second job.
/// - GetCardVerificationResult (and any Get* action through tcfaceid_client_call_json) is
///   retried on every transient failure: network, timeout, HTTP 5xx, RequestLimitExceeded*.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_OPTION.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_retries(
    builder: *mut tcfaceid_client_builder,
    max_attempts: u32,
    base_delay_ms: u64,
    max_delay_ms: u64,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let policy = RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(base_delay_ms),
            max_delay: Duration::from_millis(max_delay_ms),
        };
        try_result!(policy.check());
        update(builder, |b| b.retry(policy));
        ResultCode::Ok
    }
}

/// Accept a plain http:// endpoint on a host other than this machine (default false). The
/// requests carry identity documents (card images, names, numbers): without TLS they cross
/// the network in clear, so allow this only on a trusted network.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_allow_insecure_http(
    builder: *mut tcfaceid_client_builder,
    allow: bool,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.allow_insecure_http(allow));
        ResultCode::Ok
    }
}

/// Seconds added to the local clock when stamping requests. The service refuses timestamps
/// more than 5 minutes off (AuthFailure.SignatureExpire); by default the client also learns
/// the offset from the service's Date header on that error and retries once.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_clock_offset_secs(
    builder: *mut tcfaceid_client_builder,
    offset_secs: i64,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.clock_offset_secs(offset_secs));
        ResultCode::Ok
    }
}

/// Build the client. The builder is consumed (freed) whether or not this succeeds: do not use
/// or free it afterwards. On success `*client_out` receives a client owned by the caller: free
/// it with tcfaceid_client_free. On failure `*client_out` is not written.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_REGION,
/// TCFACEID_RESULT_INVALID_ENDPOINT, TCFACEID_RESULT_INVALID_LANGUAGE,
/// TCFACEID_RESULT_INVALID_OPTION, TCFACEID_RESULT_CREDENTIALS_MISSING,
/// TCFACEID_RESULT_CREDENTIALS_INVALID or TCFACEID_RESULT_TLS (unusable CA file).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_build(
    builder: *mut tcfaceid_client_builder,
    client_out: *mut *mut tcfaceid_client,
) -> ResultCode {
    ffi_boundary! {
        // SAFETY: by the documented contract, NULL or a live builder, consumed here.
        let taken = unsafe { tcfaceid_client_builder::take(builder) };
        let Some(settings) = taken else {
            return crate::capi::ffi::fail(&crate::capi::ffi::null_argument("builder"));
        };
        let client_out = try_out!(client_out);
        let client = try_result!(settings.build());
        client_out.set(tcfaceid_client::into_raw(client));
        ResultCode::Ok
    }
}

/// Free a client. NULL does nothing; freeing twice, or while another thread uses the client,
/// is undefined behaviour. Does not change the last error.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_free(client: *mut tcfaceid_client) {
    ffi_boundary! { keep_last_error;
        // SAFETY: by the documented contract, NULL or a live client no thread uses.
        unsafe { tcfaceid_client::free(client) }
    }
}

/// Submit a document: run every local check of the request for the client's product, then
/// its apply action (ApplyCardVerification or ApplyCardVerificationExternal).
///
/// On success `*response_out` receives the answer (token, and FaceID's polling hints), owned by the
/// caller: free it with tcfaceid_apply_response_free. Threads: any number of threads may share
/// the client; `request` must not be changed meanwhile.
///
/// Returns TCFACEID_RESULT_OK; the local checks' codes (2xx, 3xx); TCFACEID_RESULT_TRANSPORT,
/// _TLS, _TIMEOUT, _HTTP_STATUS, _SERVICE, _SERVICE_AUTH_FAILURE, _SERVICE_RATE_LIMITED,
/// _SERVICE_ACTION_OFFLINE, _PROTOCOL, _RESPONSE_TOO_LARGE; or the argument codes. The last
/// error then has the service code, RequestId and HTTP status where known.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_apply_card_verification(
    client: *const tcfaceid_client,
    request: *const tcfaceid_card_request,
    response_out: *mut *mut tcfaceid_apply_response,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        let request = try_ref!(request);
        let response_out = try_out!(response_out);
        let (response, body) = try_result!(client.apply_card_verification_body(request));
        let handle = try_result!(tcfaceid_apply_response::new(response, body));
        response_out.set(handle);
        ResultCode::Ok
    }
}

/// tcfaceid_client_apply_card_verification and the fields of its answer (as
/// tcfaceid_apply_response_fields gives them) in one call, with no answer to free: for
/// bindings where each foreign call costs (the Python package's `apply`).
///
/// Every output is checked before anything is sent; on failure no output is written. On
/// success the outputs are the token, the RequestId and the whole body (NUL-terminated), the
/// body's length and the polling hints. Ownership: the strings are borrowed from the library,
/// never freed by the caller, and stay valid until this thread's next call of this function
/// (or its exit): copy them to keep them. Threads as tcfaceid_client_apply_card_verification;
/// each thread has its own answer.
///
/// Returns TCFACEID_RESULT_OK, or any code of tcfaceid_client_apply_card_verification (the
/// local checks', the network and service codes, the argument codes).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_apply_card_verification_fields(
    client: *const tcfaceid_client,
    request: *const tcfaceid_card_request,
    token_out: *mut *const c_char,
    request_id_out: *mut *const c_char,
    json_out: *mut *const c_char,
    json_len_out: *mut usize,
    max_polling_times_out: *mut u64,
    polling_wait_secs_out: *mut u64,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        let request = try_ref!(request);
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
        let (response, body) = try_result!(client.apply_card_verification_body(request));
        let answer = try_result!(ApplyResponse::new(response, body));
        ApplyResponse::lend_on_this_thread(answer, fields);
        ResultCode::Ok
    }
}

/// The result action (GetCardVerificationResult or GetCardVerificationExternalResult) for a
/// token: the status (PROCESSING until a terminal status) and then the fields read off the
/// card.
///
/// On success `*result_out` receives the answer, owned by the caller: free it with
/// tcfaceid_verification_result_free. Threads: any number of threads may share the client.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_INVALID_ARGUMENT (empty token), the network and
/// service codes listed at tcfaceid_client_apply_card_verification, or the argument codes.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_get_card_verification_result(
    client: *const tcfaceid_client,
    token: *const c_char,
    result_out: *mut *mut tcfaceid_verification_result,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        let token = try_str!(token);
        let result_out = try_out!(result_out);
        let (result, body) = try_result!(client.get_card_verification_result_body(token));
        let handle = try_result!(tcfaceid_verification_result::new(result, body, token, 1));
        result_out.set(handle);
        ResultCode::Ok
    }
}

/// Apply, then poll the result action until a terminal status, an error, or `deadline_ms`
/// milliseconds from now: as FaceID's hints say when given (wait
/// AsyncCardVerificationPollingWaitTime seconds before each poll, at most
/// AsyncCardVerificationMaxPollingTimes polls), else by the poll plan
/// (tcfaceid_client_builder_set_poll_plan; OCR never gives hints). Same as
/// tcfaceid_client_verify_card_cancellable without a cancel handle.
///
/// On success `*result_out` receives the verdict (tcfaceid_verification_result_token gives the
/// token), owned by the caller: free it with tcfaceid_verification_result_free.
///
/// Returns TCFACEID_RESULT_OK; TCFACEID_RESULT_POLL_DEADLINE_EXCEEDED (a polling hint longer
/// than the time left included) or TCFACEID_RESULT_POLL_ATTEMPTS_EXHAUSTED; or any code of
/// tcfaceid_client_apply_card_verification. After a successful apply every failure carries the
/// token (tcfaceid_last_error_token): resume with tcfaceid_client_resume, never apply again.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_verify_card(
    client: *const tcfaceid_client,
    request: *const tcfaceid_card_request,
    deadline_ms: u64,
    result_out: *mut *mut tcfaceid_verification_result,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        let request = try_ref!(request);
        let result_out = try_out!(result_out);
        verify(client, request, deadline_ms, None, result_out)
    }
}

/// tcfaceid_client_verify_card that another thread can stop: `cancel` (may be NULL: not
/// cancellable) is a handle from tcfaceid_cancel_new; tcfaceid_cancel_trigger ends the call
/// within 100 ms with TCFACEID_RESULT_CANCELLED. The last error then carries the token when the
/// apply had succeeded; a cancel while the apply itself is in flight leaves no token (the
/// service may still process that apply).
///
/// Ownership of `*result_out` and threads: as tcfaceid_client_verify_card; `cancel` must stay
/// alive until the call returns.
///
/// Returns the codes of tcfaceid_client_verify_card, or TCFACEID_RESULT_CANCELLED.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_verify_card_cancellable(
    client: *const tcfaceid_client,
    request: *const tcfaceid_card_request,
    deadline_ms: u64,
    cancel: *const tcfaceid_cancel,
    result_out: *mut *mut tcfaceid_verification_result,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        let request = try_ref!(request);
        // SAFETY: by the documented contract, NULL or a live cancel handle.
        let cancel = unsafe { tcfaceid_cancel::as_inner(cancel) };
        let result_out = try_out!(result_out);
        verify(client, request, deadline_ms, cancel, result_out)
    }
}

fn verify(
    client: &Client,
    request: &crate::card::CardVerificationRequest,
    deadline_ms: u64,
    cancel: Option<&Cancel>,
    result_out: Out<'_, *mut tcfaceid_verification_result>,
) -> ResultCode {
    let deadline = Duration::from_millis(deadline_ms);
    let verification = try_result!(client.verify_card_with_cancel(request, deadline, cancel));
    let token = verification.apply.card_verification_token;
    let handle = try_result!(tcfaceid_verification_result::new(
        verification.result,
        verification.result_json,
        &token,
        verification.polls,
    )
    .map_err(|e| e.with_token(&token)));
    result_out.set(handle);
    ResultCode::Ok
}

/// Resume a verification from its token (e.g. tcfaceid_last_error_token after a failed
/// tcfaceid_client_verify_card): poll GetCardVerificationResult at once, then every 5 s (at
/// most 60 polls, the plan verify uses when the service gives no hints) until the verdict, an
/// error, `deadline_ms` milliseconds from now, or `cancel` (may be NULL) is triggered. Never
/// applies again. Every failure carries the token (tcfaceid_last_error_token).
///
/// On success `*result_out` receives the verdict, owned by the caller: free it with
/// tcfaceid_verification_result_free. Threads: any number of threads may share the client;
/// `cancel` must stay alive until the call returns.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_INVALID_ARGUMENT (empty token),
/// TCFACEID_RESULT_CANCELLED, the polling codes of tcfaceid_client_verify_card, the network
/// and service codes of tcfaceid_client_apply_card_verification, or the argument codes.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_resume(
    client: *const tcfaceid_client,
    token: *const c_char,
    deadline_ms: u64,
    cancel: *const tcfaceid_cancel,
    result_out: *mut *mut tcfaceid_verification_result,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        let token = try_str!(token);
        // SAFETY: by the documented contract, NULL or a live cancel handle.
        let cancel = unsafe { tcfaceid_cancel::as_inner(cancel) };
        let result_out = try_out!(result_out);
        let deadline = Duration::from_millis(deadline_ms);
        let (result, json, polls) = try_result!(client.resume(token, deadline, cancel));
        let handle = try_result!(tcfaceid_verification_result::new(result, json, token, polls)
            .map_err(|e| e.with_token(token)));
        result_out.set(handle);
        ResultCode::Ok
    }
}

/// Sign and send any action of the client's product (its version and signing service) with a
/// JSON body, sent byte for byte as given. On success `*response_out` receives the whole
/// response body (`{"Response":{...}}`, NUL-terminated), owned by the caller: free it with
/// tcfaceid_string_free; `*response_len_out` receives its length in bytes without the NUL. On
/// failure neither is written. A NUL inside a JSON string of the answer stays escaped
/// (`\u0000`), as received. A response carrying Response.Error is returned as a service error
/// code, not as OK.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_INVALID_ARGUMENT (an action that is not a
/// name), the network and service codes listed at tcfaceid_client_apply_card_verification, or
/// the argument codes.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_call_json(
    client: *const tcfaceid_client,
    action: *const c_char,
    json_body: *const c_char,
    response_out: *mut *mut c_char,
    response_len_out: *mut usize,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        let action = try_str!(action);
        let json_body = try_str!(json_body);
        let response_out = try_out!(response_out);
        let response_len_out = try_out!(response_len_out);
        let answer = try_result!(client.call_json_body(action, json_body));
        let body = try_result!(OwnedText::copy_of(answer.as_bytes(), "response"));
        body.hand_out(response_out, response_len_out);
        ResultCode::Ok
    }
}

/// Apply a by-value builder method to the builder behind a handle.
pub(crate) fn update(
    builder: &mut ClientBuilder,
    change: impl FnOnce(ClientBuilder) -> ClientBuilder,
) {
    let current = std::mem::take(builder);
    *builder = change(current);
}
