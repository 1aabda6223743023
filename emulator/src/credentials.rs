//! The emulated sources of temporary keys, on the emulator's port (spec credential-providers
//! §8): the CVM instance metadata service and STS (`AssumeRole`, `AssumeRoleWithWebIdentity`).
//! Every key pair issued is remembered with its expiry, so the FaceID side can accept requests
//! signed with a currently valid temporary key and its `X-TC-Token`, and refuse expired ones
//! (counted), and — with [`CredentialsConfig::temporary_keys_only`] — refuse the long-term key.
//!
//! Routes (before the FaceID checks):
//! - `GET /latest/meta-data/cam/security-credentials/` → the role name (text), or 404 when
//!   [`CredentialsConfig::role_name`] is empty;
//! - `GET /latest/meta-data/cam/security-credentials/<role>` → `{"TmpSecretId", "TmpSecretKey",
//!   "Token", "ExpiredTime", "Expiration", "Code": "Success"}`; 404 for another role;
//! - `POST` with `X-TC-Action: AssumeRole` (TC3 with service `sts` and the emulator's long-term
//!   key) or `AssumeRoleWithWebIdentity` (`Authorization: SKIP`, no token) → the STS envelope.
//!
//! Keys live `min(DurationSeconds, ttl_secs)` seconds (metadata: `ttl_secs`). Faults on demand
//! ([`CredentialAuthority::fail_next`], [`CredentialAuthority::set_metadata_delay_ms`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

use tcfaceid::sign::{self, Method, Payload, SigningInput};

use crate::reply::{code, ApiError, Reply, JSON};
use crate::verify::{parse_authorization, Incoming};

/// The metadata path of the role list.
const METADATA_PATH: &str = "/latest/meta-data/cam/security-credentials/";
/// STS's API version.
const STS_VERSION: &str = "2018-08-13";

/// How the emulated metadata service and STS behave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsConfig {
    /// The role the metadata service names; empty: no role bound (404).
    pub role_name: String,
    /// Longest lifetime of an issued key pair, in seconds.
    pub ttl_secs: i64,
    /// The FaceID side refuses the long-term key: only temporary keys sign requests.
    pub temporary_keys_only: bool,
    /// The web identity token AssumeRoleWithWebIdentity accepts (`None`: any non-empty one).
    pub web_identity_token: Option<String>,
}

impl Default for CredentialsConfig {
    fn default() -> Self {
        CredentialsConfig {
            role_name: "tcfaceid-emulator-role".to_owned(),
            ttl_secs: 7200,
            temporary_keys_only: false,
            web_identity_token: None,
        }
    }
}

/// Which source issued a key pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySource {
    /// The metadata service (CVM role).
    Metadata,
    /// STS AssumeRole.
    AssumeRole,
    /// STS AssumeRoleWithWebIdentity.
    WebIdentity,
}

/// One key pair issued (no secret in it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedKey {
    /// The temporary SecretId.
    pub secret_id: String,
    /// Who issued it.
    pub source: KeySource,
    /// The emulator's clock when it was issued.
    pub issued_at: i64,
    /// Its `ExpiredTime`.
    pub expires_at: i64,
    /// FaceID requests it signed that were accepted.
    pub requests: u64,
}

/// What the last AssumeRoleWithWebIdentity call sent (for tests of the client).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebIdentityCall {
    /// `X-TC-Region`.
    pub region: String,
    /// `Authorization`.
    pub authorization: String,
    /// Whether `X-TC-Token` was sent.
    pub token_header: bool,
    /// The body's `ProviderId`, `WebIdentityToken`, `RoleArn`, `RoleSessionName`.
    pub provider_id: String,
    /// See [`WebIdentityCall::provider_id`].
    pub web_identity_token: String,
    /// See [`WebIdentityCall::provider_id`].
    pub role_arn: String,
    /// See [`WebIdentityCall::provider_id`].
    pub session_name: String,
}

/// Counters of the credential endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialStats {
    /// Role-name requests to the metadata service.
    pub role_name_requests: u64,
    /// Key requests to the metadata service (answered or failed).
    pub metadata_key_requests: u64,
    /// AssumeRole calls (answered or failed).
    pub assume_role_calls: u64,
    /// AssumeRoleWithWebIdentity calls (answered or failed).
    pub web_identity_calls: u64,
    /// Requests failed on purpose ([`CredentialAuthority::fail_next`]).
    pub injected_failures: u64,
    /// FaceID requests refused because their temporary key had expired.
    pub expired_key_refusals: u64,
    /// FaceID requests refused because they used the long-term key in temporary-keys-only mode.
    pub long_term_key_refusals: u64,
    /// Every key pair issued, in order.
    pub issued: Vec<IssuedKey>,
    /// The last AssumeRoleWithWebIdentity call.
    pub last_web_identity: Option<WebIdentityCall>,
}

struct Issued {
    info: IssuedKey,
    secret_key: zeroize::Zeroizing<String>,
    token: zeroize::Zeroizing<String>,
}

/// What the FaceID side finds for a SecretId.
pub(crate) enum KeyLookup {
    /// The long-term key (and the configured token, if any).
    LongTerm,
    /// A temporary key, valid now: its SecretKey and token.
    Temporary {
        secret_key: zeroize::Zeroizing<String>,
        token: zeroize::Zeroizing<String>,
    },
    /// Refused, with the error to answer.
    Refused(ApiError),
}

/// The state of the emulated credential endpoints. `Send + Sync`.
pub struct CredentialAuthority {
    config: CredentialsConfig,
    long_term_id: String,
    long_term_key: String,
    state: Mutex<State>,
    metadata_delay_ms: AtomicU64,
    fail_next: AtomicU64,
    serial: AtomicU64,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, Issued>,
    order: Vec<String>,
    stats: CredentialStats,
}

impl std::fmt::Debug for CredentialAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialAuthority")
            .field("config", &self.config)
            .finish()
    }
}

impl CredentialAuthority {
    pub(crate) fn new(config: CredentialsConfig, long_term_id: &str, long_term_key: &str) -> Self {
        CredentialAuthority {
            config,
            long_term_id: long_term_id.to_owned(),
            long_term_key: long_term_key.to_owned(),
            state: Mutex::new(State::default()),
            metadata_delay_ms: AtomicU64::new(0),
            fail_next: AtomicU64::new(0),
            serial: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Fail the next `n` key requests (metadata keys, AssumeRole, AssumeRoleWithWebIdentity):
    /// metadata answers `Code: "Failure"`, STS `InternalError.SystemError`.
    pub fn fail_next(&self, n: u64) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// Make every metadata answer wait this long (0: none, and the waiting ones are released):
    /// a slow metadata service.
    pub fn set_metadata_delay_ms(&self, ms: u64) {
        self.metadata_delay_ms.store(ms, Ordering::SeqCst);
    }

    /// A copy of the counters and of the keys issued.
    pub fn stats(&self) -> CredentialStats {
        let state = self.lock();
        let mut stats = state.stats.clone();
        stats.issued = state
            .order
            .iter()
            .filter_map(|id| state.keys.get(id).map(|k| k.info.clone()))
            .collect();
        stats
    }

    fn take_failure(&self) -> bool {
        let failed = self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failed {
            self.lock().stats.injected_failures += 1;
        }
        failed
    }

    fn issue(&self, source: KeySource, now: i64, lifetime: i64) -> (String, String, String, i64) {
        let n = self.serial.fetch_add(1, Ordering::SeqCst) + 1;
        let tag = match source {
            KeySource::Metadata => "CVM",
            KeySource::AssumeRole => "STS",
            KeySource::WebIdentity => "OIDC",
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let secret_id = format!("AKIDTMP{tag}{n:08}{nanos:09}");
        let secret_key = format!("tmp-key-{n}-{nanos:09}-emulator");
        let token = format!("tmp-token-{tag}-{n}-{nanos:09}");
        let expires_at = now + lifetime.clamp(1, self.config.ttl_secs.max(1));
        let mut state = self.lock();
        state.order.push(secret_id.clone());
        state.keys.insert(
            secret_id.clone(),
            Issued {
                info: IssuedKey {
                    secret_id: secret_id.clone(),
                    source,
                    issued_at: now,
                    expires_at,
                    requests: 0,
                },
                secret_key: zeroize::Zeroizing::new(secret_key.clone()),
                token: zeroize::Zeroizing::new(token.clone()),
            },
        );
        (secret_id, secret_key, token, expires_at)
    }

    /// The answer when `incoming` is for a credential endpoint; `None` for FaceID requests.
    pub(crate) fn answer(
        &self,
        incoming: &Incoming<'_>,
        now: i64,
        request_id: &str,
    ) -> Option<Reply> {
        let path = incoming.url.split('?').next().unwrap_or("");
        if incoming.method == "GET" && path.starts_with(METADATA_PATH) {
            return Some(self.metadata(&path[METADATA_PATH.len()..], now));
        }
        let action = incoming.header("x-tc-action")?;
        let reply = match action {
            "AssumeRole" => self.assume_role(incoming, now),
            "AssumeRoleWithWebIdentity" => self.web_identity(incoming, now),
            _ => return None,
        };
        Some(match reply {
            Ok(body) => {
                let mut body = body;
                body["RequestId"] = Value::from(request_id);
                Reply::success(&body, request_id.to_owned())
            }
            Err(error) => Reply::error(error, request_id.to_owned()),
        })
    }

    fn metadata(&self, role: &str, now: i64) -> Reply {
        // A slow service; setting the delay to 0 releases the requests waiting.
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(self.metadata_delay_ms.load(Ordering::SeqCst))
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let not_found = || Reply::raw(404, "text/plain", "404 - Not Found\n");
        if role.is_empty() {
            self.lock().stats.role_name_requests += 1;
            if self.config.role_name.is_empty() {
                return not_found();
            }
            return Reply::raw(200, "text/plain", &self.config.role_name);
        }
        self.lock().stats.metadata_key_requests += 1;
        if role != self.config.role_name || role.is_empty() {
            return not_found();
        }
        if self.take_failure() {
            return json_reply(&json!({"Code": "Failure"}));
        }
        let (id, key, token, expires_at) =
            self.issue(KeySource::Metadata, now, self.config.ttl_secs);
        json_reply(&json!({
            "TmpSecretId": id,
            "TmpSecretKey": key,
            "Token": token,
            "ExpiredTime": expires_at,
            "Expiration": rfc3339(expires_at),
            "Code": "Success",
        }))
    }

    fn sts_common(&self, incoming: &Incoming<'_>) -> Result<Value, ApiError> {
        if incoming.method != "POST" {
            return Err(ApiError::new(code::UNSUPPORTED_PROTOCOL, "STS takes POST."));
        }
        if incoming.header("x-tc-version") != Some(STS_VERSION) {
            return Err(ApiError::new(
                code::NO_SUCH_VERSION,
                "STS is version 2018-08-13.",
            ));
        }
        if incoming.header("x-tc-region").is_none_or(str::is_empty) {
            return Err(ApiError::new(
                code::MISSING_PARAMETER,
                "X-TC-Region is required.",
            ));
        }
        serde_json::from_slice(incoming.body)
            .map_err(|_| ApiError::new(code::INVALID_PARAMETER, "The body is not JSON."))
    }

    fn assume_role(&self, incoming: &Incoming<'_>, now: i64) -> Result<Value, ApiError> {
        self.lock().stats.assume_role_calls += 1;
        let params = self.sts_common(incoming)?;
        self.check_sts_signature(incoming)?;
        let arn = params["RoleArn"].as_str().unwrap_or("");
        let session = params["RoleSessionName"].as_str().unwrap_or("");
        if !arn.starts_with("qcs::cam::") || !(2..=128).contains(&session.len()) {
            return Err(ApiError::new(
                "InvalidParameter.ParamError",
                "RoleArn and RoleSessionName are required.",
            ));
        }
        let duration = params["DurationSeconds"].as_i64().unwrap_or(7200);
        if !(1..=43200).contains(&duration) {
            return Err(ApiError::new(
                "InvalidParameter.OverTimeError",
                "DurationSeconds must be at most 43200.",
            ));
        }
        self.sts_keys(KeySource::AssumeRole, now, duration)
    }

    fn web_identity(&self, incoming: &Incoming<'_>, now: i64) -> Result<Value, ApiError> {
        self.lock().stats.web_identity_calls += 1;
        let params = self.sts_common(incoming)?;
        let text = |name: &str| params[name].as_str().unwrap_or("").to_owned();
        let call = WebIdentityCall {
            region: incoming.header("x-tc-region").unwrap_or("").to_owned(),
            authorization: incoming.header("authorization").unwrap_or("").to_owned(),
            token_header: incoming.header("x-tc-token").is_some(),
            provider_id: text("ProviderId"),
            web_identity_token: text("WebIdentityToken"),
            role_arn: text("RoleArn"),
            session_name: text("RoleSessionName"),
        };
        self.lock().stats.last_web_identity = Some(call.clone());
        if call.authorization != "SKIP" || call.token_header {
            return Err(ApiError::new(
                code::INVALID_AUTHORIZATION,
                "AssumeRoleWithWebIdentity takes Authorization: SKIP and no X-TC-Token.",
            ));
        }
        let token_ok = match &self.config.web_identity_token {
            Some(expected) => &call.web_identity_token == expected,
            None => !call.web_identity_token.is_empty(),
        };
        if !token_ok {
            return Err(ApiError::new(
                "InvalidParameter.WebIdentityTokenError",
                "The web identity token is invalid.",
            ));
        }
        if call.provider_id.is_empty() || !call.role_arn.starts_with("qcs::cam::") {
            return Err(ApiError::new(
                "InvalidParameter.ParamError",
                "ProviderId and RoleArn are required.",
            ));
        }
        let duration = params["DurationSeconds"].as_i64().unwrap_or(7200);
        self.sts_keys(KeySource::WebIdentity, now, duration)
    }

    fn sts_keys(&self, source: KeySource, now: i64, duration: i64) -> Result<Value, ApiError> {
        if self.take_failure() {
            return Err(ApiError::new(
                "InternalError.SystemError",
                "Injected failure.",
            ));
        }
        let (id, key, token, expires_at) = self.issue(source, now, duration);
        Ok(json!({
            "Credentials": {"Token": token, "TmpSecretId": id, "TmpSecretKey": key},
            "ExpiredTime": expires_at,
            "Expiration": rfc3339(expires_at),
        }))
    }

    /// TC3 with service `sts` and the long-term key (no clock or date checks beyond the
    /// signature itself: the FaceID side checks those).
    fn check_sts_signature(&self, incoming: &Incoming<'_>) -> Result<(), ApiError> {
        let failure =
            || ApiError::new(code::SIGNATURE_FAILURE, "The STS signature does not match.");
        let auth = parse_authorization(incoming.header("authorization").unwrap_or(""))
            .ok_or_else(failure)?;
        if auth.secret_id != self.long_term_id || auth.service != "sts" {
            return Err(ApiError::new(
                code::SECRET_ID_NOT_FOUND,
                "Unknown SecretId for STS.",
            ));
        }
        let timestamp: i64 = incoming
            .header("x-tc-timestamp")
            .and_then(|t| t.parse().ok())
            .ok_or_else(failure)?;
        let input = SigningInput {
            method: Method::Post,
            host: incoming.header("host").unwrap_or(""),
            query: "",
            content_type: incoming.header("content-type").unwrap_or(""),
            payload: Payload::Body(incoming.body),
            service: "sts",
            timestamp,
            extra_signed_headers: &[],
        };
        let date = sign::credential_date(timestamp).map_err(|_| failure())?;
        let key = sign::derive_signing_key(&self.long_term_key, &date, "sts");
        let expected =
            sign::sign_with_key(auth.secret_id, &key, &date, &input).map_err(|_| failure())?;
        if expected.signature != auth.signature {
            return Err(failure());
        }
        Ok(())
    }

    /// The key a FaceID request signed with `secret_id` is checked with, at `now`.
    pub(crate) fn lookup(&self, secret_id: &str, now: i64) -> KeyLookup {
        if secret_id == self.long_term_id {
            if self.config.temporary_keys_only {
                self.lock().stats.long_term_key_refusals += 1;
                return KeyLookup::Refused(ApiError::new(
                    code::SECRET_ID_NOT_FOUND,
                    "Only temporary keys are accepted here.",
                ));
            }
            return KeyLookup::LongTerm;
        }
        let mut state = self.lock();
        let Some(issued) = state.keys.get_mut(secret_id) else {
            return KeyLookup::Refused(ApiError::new(
                code::SECRET_ID_NOT_FOUND,
                "The SecretId is not found; check that it exists, is enabled and has no surrounding whitespace.",
            ));
        };
        if now >= issued.info.expires_at {
            state.stats.expired_key_refusals += 1;
            return KeyLookup::Refused(ApiError::new(
                code::TOKEN_FAILURE,
                "The temporary key has expired.",
            ));
        }
        issued.info.requests += 1;
        KeyLookup::Temporary {
            secret_key: issued.secret_key.clone(),
            token: issued.token.clone(),
        }
    }
}

fn json_reply(value: &Value) -> Reply {
    Reply {
        status: 200,
        content_type: JSON,
        body: serde_json::to_vec(value).unwrap_or_default(),
        request_id: None,
        error_code: None,
    }
}

fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
