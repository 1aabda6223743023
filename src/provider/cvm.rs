//! CVM instance role: temporary keys from the instance metadata service (spec
//! credential-providers §3).
//!
//! `GET <base>/latest/meta-data/cam/security-credentials/` gives the role name (unless one is
//! given); `GET <base>/latest/meta-data/cam/security-credentials/<role>` gives
//! `{"TmpSecretId","TmpSecretKey","Token","ExpiredTime","Expiration","Code":"Success"}`.
//! The base is `http://metadata.tencentyun.com`, or `TCFACEID_METADATA_ENDPOINT`. Unlike the
//! SDKs: 1 s connect and 2 s overall timeouts, never through a proxy, and every failure is an
//! error (never a silently stale or empty key).

use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use super::{Fetch, CVM_REFRESH_MARGIN_SECS};
use crate::credential::Credential;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, ResultCode};
use crate::http::{Http, HttpOptions, Limits, Origin, Request};

/// The metadata service of a CVM instance.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
/// Environment variable overriding [`DEFAULT_METADATA_ENDPOINT`] (tests, unusual networks).
pub const ENV_METADATA_ENDPOINT: &str = "TCFACEID_METADATA_ENDPOINT";
/// The path of the role list; the role's keys are at this path plus the role name.
pub const CREDENTIALS_PATH: &str = "/latest/meta-data/cam/security-credentials/";
/// Time allowed to connect to the metadata service.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Time allowed for one metadata request, connect included.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(2);
/// Largest metadata answer read.
const MAX_BODY: u64 = 64 * 1024;

/// The instance role's keys (put it behind [`super::Refreshing`]).
#[derive(Debug)]
pub struct CvmRole {
    http: Http,
    origin: Origin,
    /// The role given, or the one discovered (kept until a fetch of its keys fails).
    role: Mutex<Option<String>>,
    role_given: bool,
}

/// The metadata service's answer for a role (spec §3.1). Every field may be missing so that a
/// failure answer (`{"Code":"Failure"}`) is reported by its Code; the keys are then checked.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[derive(Default)]
struct RoleKeys {
    tmp_secret_id: String,
    tmp_secret_key: zeroize::Zeroizing<String>,
    token: zeroize::Zeroizing<String>,
    expired_time: i64,
    code: String,
}

impl CvmRole {
    /// Keys of `role` (discovered from the metadata service when `None`), from
    /// `TCFACEID_METADATA_ENDPOINT` or the real metadata service.
    ///
    /// Errors: [`ResultCode::InvalidEndpoint`] for an unusable `TCFACEID_METADATA_ENDPOINT`.
    pub fn new(role: Option<String>) -> Result<CvmRole> {
        let base = std::env::var(ENV_METADATA_ENDPOINT)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_owned());
        CvmRole::with_endpoint(role, &base)
    }

    /// Keys of `role` from the metadata service at `base` (`http://host[:port]`).
    ///
    /// Errors: [`ResultCode::InvalidEndpoint`].
    pub fn with_endpoint(role: Option<String>, base: &str) -> Result<CvmRole> {
        let endpoint = Endpoint::parse(base)?;
        // Never through a proxy: the metadata service is link-local.
        let http = Http::new(&HttpOptions {
            connect_timeout: CONNECT_TIMEOUT,
            proxy: None,
            env_proxy: false,
            ca_file: None,
        })?;
        Ok(CvmRole {
            http,
            origin: Origin::of(&endpoint)?,
            role_given: role.is_some(),
            role: Mutex::new(role),
        })
    }

    /// `GET` a metadata path: the status and the body.
    fn get(&self, path: &str) -> Result<(u16, String)> {
        let request = Request {
            method: "GET",
            path,
            headers: &[],
            body: &[],
        };
        let limits = Limits::from_now(TOTAL_TIMEOUT, MAX_BODY);
        let response = self
            .http
            .call(&self.origin, &request, &limits, None)
            .map_err(|failure| failure.error)?;
        let body = String::from_utf8(response.body).map_err(|_| {
            Error::new(
                ResultCode::Protocol,
                "the metadata service's answer is not UTF-8",
            )
        })?;
        Ok((response.status, body))
    }

    fn role_name(&self) -> Result<String> {
        if let Some(role) = self.role.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Ok(role);
        }
        let (status, body) = self.get(CREDENTIALS_PATH)?;
        let role = body.trim();
        match status {
            200 if !role.is_empty() && !role.contains(['/', '\n']) => {
                *self.role.lock().unwrap_or_else(|p| p.into_inner()) = Some(role.to_owned());
                Ok(role.to_owned())
            }
            200 => Err(Error::new(
                ResultCode::CredentialsUnavailable,
                "the metadata service gave no usable role name",
            )),
            404 => Err(Error::new(
                ResultCode::CredentialsMissing,
                "no CAM role is bound to this instance (the metadata service answered 404)",
            )),
            _ => Err(Error::new(
                ResultCode::CredentialsUnavailable,
                format!("the metadata service answered HTTP {status} for the role name"),
            )),
        }
    }
}

impl Fetch for CvmRole {
    fn fetch(&self) -> Result<Credential> {
        let role = self.role_name()?;
        let unavailable = |why: String| {
            if !self.role_given {
                // Discover the role again next time: it may have been replaced.
                *self.role.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            Error::new(
                ResultCode::CredentialsUnavailable,
                format!("role {role:?}: {why}"),
            )
        };
        let (status, body) = self.get(&format!("{CREDENTIALS_PATH}{role}"))?;
        let body = zeroize::Zeroizing::new(body);
        if status != 200 {
            return Err(unavailable(format!(
                "the metadata service answered HTTP {status}"
            )));
        }
        let keys: RoleKeys = serde_json::from_str(&body).map_err(|e| {
            unavailable(format!("unreadable answer from the metadata service ({e})"))
        })?;
        if keys.code != "Success" {
            return Err(unavailable(format!(
                "the metadata service answered Code {:?}",
                keys.code
            )));
        }
        Ok(
            Credential::new(&keys.tmp_secret_id, &keys.tmp_secret_key, Some(&keys.token))?
                .expiring_at(keys.expired_time),
        )
    }

    fn name(&self) -> String {
        "CVM instance role".to_owned()
    }

    fn margin_secs(&self, _lifetime: i64) -> i64 {
        CVM_REFRESH_MARGIN_SECS
    }
}
