//! STS: `AssumeRole` from long-term keys, and `AssumeRoleWithWebIdentity` from a TKE workload's
//! OIDC token (spec credential-providers §4, §5). Both answer
//! `{"Response":{"Credentials":{"TmpSecretId","TmpSecretKey","Token"},"ExpiredTime",...}}`.
//!
//! The endpoint is `https://sts.tencentcloudapi.com`, or `TCFACEID_STS_ENDPOINT`. Calls go
//! through the client's HTTP connections (its proxy, CA roots and connect timeout) with the client's
//! overall timeout. Keys are refreshed max(300 s, 10 % of their lifetime) before they expire
//! (see the module docs of [`crate::provider`] on how this differs from the SDKs).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::{CredentialProvider, Fetch, STS_MIN_REFRESH_MARGIN_SECS};
use crate::credential::Credential;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, ResultCode};
use crate::http::{Http, HttpOptions, Limits, Origin, Request};
use crate::sign::{self, CallContext, Payload, SigningInput};

/// The STS endpoint the SDKs use.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.tencentcloudapi.com";
/// Environment variable overriding [`DEFAULT_STS_ENDPOINT`].
pub const ENV_STS_ENDPOINT: &str = "TCFACEID_STS_ENDPOINT";
/// STS API version.
pub const STS_VERSION: &str = "2018-08-13";
/// The region AssumeRole is called in (as every SDK does).
pub const ASSUME_ROLE_REGION: &str = "ap-guangzhou";
/// Session lifetime asked for when none is given.
pub const DEFAULT_DURATION_SECS: u32 = 7200;
/// The longest session STS grants.
pub const MAX_DURATION_SECS: u32 = 43200;
/// The TKE variables of workload identity: region, provider id, token file, role ARN.
pub const ENV_TKE_REGION: &str = "TKE_REGION";
/// See [`ENV_TKE_REGION`].
pub const ENV_TKE_PROVIDER_ID: &str = "TKE_PROVIDER_ID";
/// See [`ENV_TKE_REGION`].
pub const ENV_TKE_TOKEN_FILE: &str = "TKE_WEB_IDENTITY_TOKEN_FILE";
/// See [`ENV_TKE_REGION`].
pub const ENV_TKE_ROLE_ARN: &str = "TKE_ROLE_ARN";
/// All four, in the order they are checked.
pub const TKE_VARIABLES: [&str; 4] = [
    ENV_TKE_REGION,
    ENV_TKE_PROVIDER_ID,
    ENV_TKE_TOKEN_FILE,
    ENV_TKE_ROLE_ARN,
];

/// The STS service: endpoint, HTTP connections and timeout.
#[derive(Clone, Debug)]
pub struct Sts {
    http: Arc<Http>,
    endpoint: Endpoint,
    origin: Origin,
    timeout: Duration,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    credentials: Keys,
    expired_time: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Keys {
    tmp_secret_id: String,
    tmp_secret_key: zeroize::Zeroizing<String>,
    token: zeroize::Zeroizing<String>,
}

impl Sts {
    /// STS at `endpoint` (`None`: `TCFACEID_STS_ENDPOINT`, else [`DEFAULT_STS_ENDPOINT`]),
    /// each call within `timeout`, through the proxy of the environment and the bundled roots
    /// (a [`Client`](crate::Client) passes its own settings instead).
    ///
    /// Errors: [`ResultCode::InvalidEndpoint`].
    pub fn new(endpoint: Option<&str>, timeout: Duration) -> Result<Sts> {
        let http = Http::new(&HttpOptions {
            connect_timeout: crate::client::DEFAULT_CONNECT_TIMEOUT,
            proxy: None,
            env_proxy: true,
            ca_file: None,
        })?;
        Sts::with_http(Arc::new(http), endpoint, timeout)
    }

    /// [`Sts::new`] through `http` (a client's connections and settings).
    pub(crate) fn with_http(
        http: Arc<Http>,
        endpoint: Option<&str>,
        timeout: Duration,
    ) -> Result<Sts> {
        let from_env = std::env::var(ENV_STS_ENDPOINT)
            .ok()
            .filter(|v| !v.is_empty());
        let endpoint = endpoint
            .map(str::to_owned)
            .or(from_env)
            .unwrap_or_else(|| DEFAULT_STS_ENDPOINT.to_owned());
        let endpoint = Endpoint::parse(&endpoint)?;
        Ok(Sts {
            http,
            origin: Origin::of(&endpoint)?,
            endpoint,
            timeout,
        })
    }

    /// Call `action` in `region` with a JSON `body`, signed with `signer` (TC3, service `sts`)
    /// or, without one, with `Authorization: SKIP`; the temporary keys it gives.
    fn call(
        &self,
        action: &str,
        region: &str,
        body: &[u8],
        signer: Option<&Credential>,
    ) -> Result<Credential> {
        let timestamp = super::unix_now();
        let input = SigningInput {
            method: sign::Method::Post,
            host: self.endpoint.host(),
            query: "",
            content_type: sign::CONTENT_TYPE_JSON,
            payload: Payload::Body(body),
            service: "sts",
            timestamp,
            extra_signed_headers: &[],
        };
        let call = CallContext {
            action,
            version: STS_VERSION,
            region,
            language: "",
            request_client: crate::http::REQUEST_CLIENT,
        };
        let headers = match signer {
            Some(credential) => {
                let signature = sign::sign(credential, &input)?;
                sign::request_headers(credential, &input, &call, &signature)
            }
            // Unsigned (spec §5.2): the common headers, `Authorization: SKIP`, no token.
            None => vec![
                ("Authorization", "SKIP".to_owned()),
                ("Content-Type", input.content_type.to_owned()),
                ("Host", input.host.to_owned()),
                ("X-TC-Action", action.to_owned()),
                ("X-TC-Timestamp", timestamp.to_string()),
                ("X-TC-Version", STS_VERSION.to_owned()),
                ("X-TC-Region", region.to_owned()),
                ("X-TC-RequestClient", call.request_client.to_owned()),
            ],
        };
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let request = Request {
            method: "POST",
            path: "/",
            headers: &headers,
            body,
        };
        let limits = Limits::from_now(self.timeout, 64 * 1024);
        let response = self
            .http
            .call(&self.origin, &request, &limits, None)
            .map_err(|failure| failure.error)?;
        let (status, bytes) = (response.status, response.body);
        if status != 200 {
            return Err(Error::new(
                ResultCode::HttpStatus,
                format!(
                    "STS {action} answered HTTP {status}: {:?}",
                    crate::api::body_excerpt(&bytes)
                ),
            )
            .with_http_status(status));
        }
        let envelope = crate::api::parse_envelope_value(&bytes)?;
        let answer: Answer = crate::api::typed_response(&envelope)?;
        Ok(Credential::new(
            &answer.credentials.tmp_secret_id,
            &answer.credentials.tmp_secret_key,
            Some(&answer.credentials.token),
        )?
        .expiring_at(answer.expired_time))
    }
}

/// max(300 s, 10 % of the lifetime).
fn sts_margin(lifetime: i64) -> i64 {
    STS_MIN_REFRESH_MARGIN_SECS.max(lifetime / 10)
}

/// What to assume: the role, the session name and the session's lifetime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRoleOptions {
    /// `qcs::cam::uin/<uin>:roleName/<name>` (or `:role/<id>`).
    pub role_arn: String,
    /// 2 to 128 characters of `[A-Za-z0-9_+=,.@-]`.
    pub session_name: String,
    /// 1 to 43200 seconds (default 7200).
    pub duration_secs: u32,
}

impl AssumeRoleOptions {
    /// `role_arn` with `session_name` for [`DEFAULT_DURATION_SECS`].
    pub fn new(role_arn: impl Into<String>, session_name: impl Into<String>) -> AssumeRoleOptions {
        AssumeRoleOptions {
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            duration_secs: DEFAULT_DURATION_SECS,
        }
    }

    /// Check the values as STS would.
    ///
    /// Errors: [`ResultCode::InvalidOption`] naming the field.
    pub fn check(&self) -> Result<()> {
        let invalid = |field: &str, why: &str| {
            Err(Error::for_field(
                ResultCode::InvalidOption,
                field,
                format!("AssumeRole {field} {why}"),
            ))
        };
        if !self.role_arn.starts_with("qcs::cam::") || self.role_arn.contains(char::is_whitespace) {
            return invalid(
                "RoleArn",
                "must be a role ARN (qcs::cam::uin/...:roleName/...)",
            );
        }
        check_session_name(&self.session_name).or_else(|why| invalid("RoleSessionName", &why))?;
        if self.duration_secs == 0 || self.duration_secs > MAX_DURATION_SECS {
            return invalid("DurationSeconds", "must be from 1 to 43200");
        }
        Ok(())
    }
}

fn check_session_name(name: &str) -> std::result::Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if (2..=128).contains(&name.len()) && name.chars().all(allowed) {
        Ok(())
    } else {
        Err("must be 2 to 128 characters of A-Z a-z 0-9 _ + = , . @ -".to_owned())
    }
}

/// Temporary keys of a role, assumed with the keys of another provider (long-term keys, or any
/// other source; a snapshot of them signs each AssumeRole call).
#[derive(Debug)]
pub struct AssumeRole {
    sts: Sts,
    base: Arc<dyn CredentialProvider>,
    options: AssumeRoleOptions,
}

impl AssumeRole {
    /// Assume `options.role_arn` through `sts` with `base`'s keys.
    ///
    /// Errors: [`ResultCode::InvalidOption`] (see [`AssumeRoleOptions::check`]).
    pub fn new(
        sts: Sts,
        base: Arc<dyn CredentialProvider>,
        options: AssumeRoleOptions,
    ) -> Result<AssumeRole> {
        options.check()?;
        Ok(AssumeRole { sts, base, options })
    }
}

impl Fetch for AssumeRole {
    fn fetch(&self) -> Result<Credential> {
        let keys = self.base.credential()?;
        let body = serde_json::to_vec(&serde_json::json!({
            "RoleArn": self.options.role_arn,
            "RoleSessionName": self.options.session_name,
            "DurationSeconds": self.options.duration_secs,
        }))
        .expect("a JSON object serialises");
        self.sts
            .call("AssumeRole", ASSUME_ROLE_REGION, &body, Some(&keys))
    }

    fn name(&self) -> String {
        format!(
            "STS AssumeRole {} (with {})",
            self.options.role_arn,
            self.base.name()
        )
    }

    fn margin_secs(&self, lifetime: i64) -> i64 {
        sts_margin(lifetime)
    }
}

/// The TKE workload identity read from the environment at each refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TkeIdentity {
    /// `TKE_REGION`, sent as `X-TC-Region`.
    pub region: String,
    /// `TKE_PROVIDER_ID`.
    pub provider_id: String,
    /// `TKE_WEB_IDENTITY_TOKEN_FILE`.
    pub token_file: PathBuf,
    /// `TKE_ROLE_ARN`.
    pub role_arn: String,
}

impl TkeIdentity {
    /// The four `TKE_*` variables, through `lookup`.
    ///
    /// Errors: [`ResultCode::CredentialsMissing`] naming every variable unset or empty.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<TkeIdentity> {
        let values: Vec<Option<String>> = TKE_VARIABLES
            .iter()
            .map(|name| lookup(name).filter(|v| !v.is_empty()))
            .collect();
        let missing: Vec<&str> = TKE_VARIABLES
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(Error::new(
                ResultCode::CredentialsMissing,
                format!("{} not set", missing.join(", ")),
            ));
        }
        let mut values = values.into_iter().map(Option::unwrap_or_default);
        let mut next = || values.next().unwrap_or_default();
        Ok(TkeIdentity {
            region: next(),
            provider_id: next(),
            token_file: PathBuf::from(next()),
            role_arn: next(),
        })
    }

    /// [`TkeIdentity::from_lookup`] on the process environment.
    pub fn from_env() -> Result<TkeIdentity> {
        TkeIdentity::from_lookup(|name| std::env::var(name).ok())
    }
}

/// How a variable is read: the process environment, or a test's table.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Temporary keys from `AssumeRoleWithWebIdentity` (TKE OIDC): the `TKE_*` variables and the
/// token file are read again at every refresh (a rotated token is picked up), the token's
/// trailing whitespace is trimmed, the call is unsigned (`Authorization: SKIP`) and goes to
/// `TKE_REGION`. Session name `tcfaceid-rust-sdk-<unix µs>`; 7200 s sessions.
pub struct WebIdentity {
    sts: Sts,
    lookup: Box<Lookup>,
}

impl std::fmt::Debug for WebIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebIdentity")
            .field("sts", &self.sts)
            .finish()
    }
}

impl WebIdentity {
    /// Through `sts`, from the process environment.
    pub fn new(sts: Sts) -> WebIdentity {
        WebIdentity::with_lookup(sts, |name| std::env::var(name).ok())
    }

    /// Through `sts`, with the `TKE_*` variables read through `lookup` at each refresh.
    pub fn with_lookup(
        sts: Sts,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> WebIdentity {
        WebIdentity {
            sts,
            lookup: Box::new(lookup),
        }
    }
}

impl Fetch for WebIdentity {
    fn fetch(&self) -> Result<Credential> {
        let identity = TkeIdentity::from_lookup(&self.lookup)?;
        let token = std::fs::read_to_string(&identity.token_file).map_err(|e| {
            Error::new(
                ResultCode::CredentialsMissing,
                format!(
                    "cannot read the token file {}: {e}",
                    identity.token_file.display()
                ),
            )
        })?;
        let token = token.trim_end();
        if token.is_empty() {
            return Err(Error::new(
                ResultCode::CredentialsInvalid,
                format!("the token file {} is empty", identity.token_file.display()),
            ));
        }
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or_default();
        let body = zeroize::Zeroizing::new(
            serde_json::to_vec(&serde_json::json!({
                "ProviderId": identity.provider_id,
                "WebIdentityToken": token,
                "RoleArn": identity.role_arn,
                "RoleSessionName": format!("tcfaceid-rust-sdk-{micros}"),
                "DurationSeconds": DEFAULT_DURATION_SECS,
            }))
            .expect("a JSON object serialises"),
        );
        self.sts
            .call("AssumeRoleWithWebIdentity", &identity.region, &body, None)
    }

    fn name(&self) -> String {
        "TKE OIDC (AssumeRoleWithWebIdentity)".to_owned()
    }

    fn margin_secs(&self, lifetime: i64) -> i64 {
        sts_margin(lifetime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_are_the_larger_of_300_s_and_a_tenth() {
        assert_eq!(sts_margin(7200), 720);
        assert_eq!(sts_margin(900), 300);
    }

    #[test]
    fn options_are_checked() {
        let good = AssumeRoleOptions::new("qcs::cam::uin/1:roleName/r", "sess-1");
        assert!(good.check().is_ok());
        let bad_name = AssumeRoleOptions::new("qcs::cam::uin/1:roleName/r", "a b");
        assert_eq!(
            bad_name.check().unwrap_err().field(),
            Some("RoleSessionName")
        );
        let bad_arn = AssumeRoleOptions::new("arn", "sess");
        assert_eq!(bad_arn.check().unwrap_err().field(), Some("RoleArn"));
        let long = AssumeRoleOptions {
            duration_secs: 43201,
            ..good
        };
        assert_eq!(long.check().unwrap_err().field(), Some("DurationSeconds"));
    }

    #[test]
    fn tke_variables_missing_are_all_named() {
        let error =
            TkeIdentity::from_lookup(|name| (name == ENV_TKE_PROVIDER_ID).then(|| "p".to_owned()))
                .unwrap_err();
        assert_eq!(
            error.message(),
            "TKE_REGION, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN not set"
        );
    }
}
