//! Credential sources of a client builder beyond static keys: the default chain, the CVM
//! instance role, TKE OIDC, STS AssumeRole on top of any source, and the caller's own callback
//! (`tcfaceid_credentials_callback` filling a `tcfaceid_credentials_sink`).

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use crate::capi::client::{tcfaceid_client, tcfaceid_client_builder, update};
use crate::capi::ffi::BoxHandle;
use crate::credential::Credential;
use crate::error::{Error, ResultCode};
use crate::provider::chain::CredentialSource;
use crate::provider::sts::{AssumeRoleOptions, DEFAULT_DURATION_SECS};
use crate::provider::{FnSource, Refreshing};

/// Where a credentials callback puts what it fetched (opaque). Lent by the library for the
/// duration of one callback call: pass it to tcfaceid_credentials_sink_set and never keep it.
///
/// Threads: only on the thread running the callback, during the call.
pub struct tcfaceid_credentials_sink {
    _private: [u8; 0],
}

impl BoxHandle for tcfaceid_credentials_sink {
    type Inner = Option<Credential>;
}

/// The caller's credentials source: fill `sink` with tcfaceid_credentials_sink_set and return
/// 0, or return any other value when no credentials can be had (the request then fails with
/// TCFACEID_RESULT_CREDENTIALS_UNAVAILABLE, unless still-valid credentials from an earlier
/// call remain, which are then used). `user_data` is the pointer given to
/// tcfaceid_client_builder_set_credentials_callback.
///
/// Called when the client has no credentials yet and when the last ones are within 300 s of
/// the expiry given (never for expiry 0), from whichever thread makes the request, but never
/// from two threads at once. Other threads keep using still-valid credentials meanwhile. It may
/// call tcfaceid_credentials_sink_set but no other tcfaceid function on the same client.
pub type tcfaceid_credentials_callback = Option<
    unsafe extern "C" fn(user_data: *mut c_void, sink: *mut tcfaceid_credentials_sink) -> i32,
>;

/// Give the library the credentials a callback fetched. `secret_id` and `secret_key` must not be
/// NULL; `token` (the session token of temporary keys) may be NULL; `expires_at` is the expiry
/// in Unix seconds, or 0 for keys that do not expire. Every string is copied: the caller may
/// wipe its own copies once this returns; the library wipes its copy of the key and token when
/// they are replaced. Calling it again in the same callback replaces the values.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT, TCFACEID_RESULT_INVALID_UTF8,
/// TCFACEID_RESULT_CREDENTIALS_INVALID (empty or padded values) or
/// TCFACEID_RESULT_INVALID_ARGUMENT (a negative expiry).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_credentials_sink_set(
    sink: *mut tcfaceid_credentials_sink,
    secret_id: *const c_char,
    secret_key: *const c_char,
    token: *const c_char,
    expires_at: i64,
) -> ResultCode {
    ffi_boundary! {
        let sink = try_mut!(sink);
        let secret_id = try_str!(secret_id);
        let secret_key = try_str!(secret_key);
        let token = try_opt_str!(token);
        if expires_at < 0 {
            return crate::capi::ffi::fail(&Error::for_field(
                ResultCode::InvalidArgument,
                "expires_at",
                "expires_at must be Unix seconds, or 0 for keys that do not expire",
            ));
        }
        let credential = try_result!(Credential::new(secret_id, secret_key, token));
        *sink = Some(match expires_at {
            0 => credential,
            at => credential.expiring_at(at),
        });
        ResultCode::Ok
    }
}

/// The callback and its user data, callable from any thread (the caller's documented contract).
struct Callback {
    function: unsafe extern "C" fn(*mut c_void, *mut tcfaceid_credentials_sink) -> i32,
    user_data: *mut c_void,
}

// SAFETY: the C contract of tcfaceid_client_builder_set_credentials_callback: the callback and
// its user data may be used from any thread, one call at a time (Refreshing never overlaps
// two fetches).
unsafe impl Send for Callback {}
// SAFETY: as above.
unsafe impl Sync for Callback {}

impl Callback {
    fn call(&self) -> crate::Result<Credential> {
        let sink = tcfaceid_credentials_sink::into_raw(None);
        // SAFETY: a live function pointer and user data by the setter's contract; `sink` is a
        // live handle until taken back below.
        let status = unsafe { (self.function)(self.user_data, sink) };
        // SAFETY: `sink` came from into_raw above and the callback may not keep it.
        let filled = unsafe { tcfaceid_credentials_sink::take(sink) }.flatten();
        match (status, filled) {
            (0, Some(credential)) => Ok(credential),
            (0, None) => Err(Error::new(
                ResultCode::CredentialsUnavailable,
                "the callback returned 0 without calling tcfaceid_credentials_sink_set",
            )),
            (status, _) => Err(Error::new(
                ResultCode::CredentialsUnavailable,
                format!("the callback failed (returned {status})"),
            )),
        }
    }
}

/// Take the credentials from the caller's `callback` (see tcfaceid_credentials_callback), called
/// with `user_data` (which may be NULL; it is passed as given). Both must stay valid, and usable from any thread, until the client is
/// freed (or the builder, if it is never built). Replaces any other credentials source;
/// tcfaceid_client_builder_set_assume_role may still be used on top of it.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT (`builder` or `callback`).
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_credentials_callback(
    builder: *mut tcfaceid_client_builder,
    callback: tcfaceid_credentials_callback,
    user_data: *mut c_void,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let Some(function) = callback else {
            return crate::capi::ffi::fail(&crate::capi::ffi::null_argument("callback"));
        };
        let callback = Callback { function, user_data };
        let source = FnSource::new("credentials callback", move || callback.call());
        let provider = Arc::new(Refreshing::new(source));
        update(builder, |b| b.credential_provider(provider));
        ResultCode::Ok
    }
}

/// Use the default chain when the client is built: the environment (TENCENTCLOUD_SECRET_ID /
/// _SECRET_KEY, empty counts as unset), the profile file (TENCENTCLOUD_CREDENTIALS_FILE, else
/// ~/.tencentcloud/credentials, else /etc/tencentcloud/credentials), TKE OIDC when TKE_REGION,
/// TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and TKE_ROLE_ARN are all set, then, when
/// `cvm_role` is true, the CVM instance role. The first that gives credentials is used. When none
/// does, tcfaceid_client_builder_build fails with TCFACEID_RESULT_CREDENTIALS_MISSING and a
/// message naming every source tried and why it was skipped.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_credentials_chain(
    builder: *mut tcfaceid_client_builder,
    cvm_role: bool,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.credential_source(CredentialSource::Chain { cvm_role }));
        ResultCode::Ok
    }
}

/// Use the CVM instance role: temporary keys from the metadata service
/// (TCFACEID_METADATA_ENDPOINT, else `http://metadata.tencentyun.com`; never through a proxy;
/// 1 s connect and 2 s overall timeouts), refreshed 300 s before they expire. `role` names the
/// role; NULL asks the metadata service. Copied.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_credentials_cvm_role(
    builder: *mut tcfaceid_client_builder,
    role: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let role = try_opt_str!(role).map(str::to_owned);
        update(builder, |b| b.credential_source(CredentialSource::CvmRole(role)));
        ResultCode::Ok
    }
}

/// Use TKE OIDC: AssumeRoleWithWebIdentity with TKE_PROVIDER_ID, TKE_ROLE_ARN and the token in
/// TKE_WEB_IDENTITY_TOKEN_FILE (all read again, the file too, at every refresh), in region
/// TKE_REGION, at the STS endpoint (tcfaceid_client_builder_set_sts_endpoint,
/// TCFACEID_STS_ENDPOINT, else `https://sts.tencentcloudapi.com`). tcfaceid_client_builder_build
/// fails with TCFACEID_RESULT_CREDENTIALS_MISSING naming the variables that are not set.
///
/// Returns TCFACEID_RESULT_OK or TCFACEID_RESULT_NULL_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_credentials_oidc(
    builder: *mut tcfaceid_client_builder,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        update(builder, |b| b.credential_source(CredentialSource::Oidc));
        ResultCode::Ok
    }
}

/// Sign with the temporary keys of `role_arn`, assumed through STS AssumeRole with the keys of
/// the builder's credentials source (any source), as session `session_name` lasting
/// `duration_secs` (0: 7200; at most 43200); refreshed max(300 s, 10 % of the duration) before
/// they expire. Copied; checked by tcfaceid_client_builder_build
/// (TCFACEID_RESULT_INVALID_OPTION naming the field).
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_assume_role(
    builder: *mut tcfaceid_client_builder,
    role_arn: *const c_char,
    session_name: *const c_char,
    duration_secs: u32,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let options = AssumeRoleOptions {
            role_arn: try_str!(role_arn).to_owned(),
            session_name: try_str!(session_name).to_owned(),
            duration_secs: if duration_secs == 0 { DEFAULT_DURATION_SECS } else { duration_secs },
        };
        update(builder, |b| b.assume_role(options));
        ResultCode::Ok
    }
}

/// The STS endpoint for AssumeRole and TKE OIDC (default: TCFACEID_STS_ENDPOINT, else
/// `https://sts.tencentcloudapi.com`). Copied; checked by tcfaceid_client_builder_build.
///
/// Returns TCFACEID_RESULT_OK, TCFACEID_RESULT_NULL_ARGUMENT or TCFACEID_RESULT_INVALID_UTF8.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_builder_set_sts_endpoint(
    builder: *mut tcfaceid_client_builder,
    endpoint: *const c_char,
) -> ResultCode {
    ffi_boundary! {
        let builder = try_mut!(builder);
        let endpoint = try_str!(endpoint).to_owned();
        update(builder, |b| b.sts_endpoint(endpoint));
        ResultCode::Ok
    }
}

/// Whether the client's last credentials refresh failed while still-valid credentials were
/// kept in use. Returns TCFACEID_RESULT_OK when it did not (or the source never refreshes);
/// otherwise the failure's code (e.g. TCFACEID_RESULT_CREDENTIALS_UNAVAILABLE), which is also
/// made the thread's last error so tcfaceid_last_error_message names the source and the cause.
/// TCFACEID_RESULT_NULL_ARGUMENT for a NULL client. Any thread.
#[no_mangle]
pub unsafe extern "C" fn tcfaceid_client_credentials_refresh_error(
    client: *const tcfaceid_client,
) -> ResultCode {
    ffi_boundary! {
        let client = try_ref!(client);
        match client.credential_provider().last_refresh_error() {
            Some(error) => crate::capi::ffi::fail(&error),
            None => ResultCode::Ok,
        }
    }
}
