//! Choosing the provider a client uses: one given source, or the default chain — explicit keys
//! → environment → profile file → TKE OIDC (when all four `TKE_*` variables are set) → CVM
//! instance role (opt-in). The chain takes the first source that gives credentials; when none
//! does, one error names every source tried and why it was skipped. Keys that are present but
//! malformed (empty key beside a set id, whitespace padding, a broken profile file) stop the
//! chain with their own error instead of being skipped.

use std::path::Path;
use std::sync::Arc;

use super::cvm::CvmRole;
use super::sts::{AssumeRole, AssumeRoleOptions, Sts, TkeIdentity, WebIdentity};
use super::{CredentialProvider, Fetch, Refreshing, Static};
use crate::credential::{self, Credential};
use crate::error::{Error, Result, ResultCode};

/// The system-wide profile file, read when the user's is absent.
pub const SYSTEM_PROFILE_FILE: &str = "/etc/tencentcloud/credentials";

/// Where a client's credentials come from.
#[derive(Clone, Debug)]
pub enum CredentialSource {
    /// Given values.
    Explicit(Credential),
    /// `TENCENTCLOUD_SECRET_ID` / `_SECRET_KEY` / `_SECURITY_TOKEN`.
    Environment,
    /// The profile file, with a section name (`default` when `None`).
    Profile(Option<String>),
    /// The default chain without the CVM role (the default): environment, profile file, TKE OIDC.
    DefaultChain,
    /// The default chain; `cvm_role` adds the CVM instance role as its last source.
    Chain {
        /// Try the instance metadata service last.
        cvm_role: bool,
    },
    /// The CVM instance role: the role named, or the one the metadata service gives.
    CvmRole(Option<String>),
    /// TKE OIDC from the four `TKE_*` variables.
    Oidc,
    /// The caller's own provider (e.g. [`Refreshing`] over a [`super::FnSource`]).
    Provider(Arc<dyn CredentialProvider>),
}

/// The provider for `source`, with AssumeRole on top when `assume_role` is given (the source's
/// keys then sign the AssumeRole calls). `sts` makes the STS client when one is needed.
///
/// Errors: the credential errors; [`ResultCode::InvalidOption`] for bad AssumeRole options;
/// [`ResultCode::InvalidEndpoint`] for an unusable metadata or STS endpoint.
pub fn provider_for(
    source: CredentialSource,
    assume_role: Option<AssumeRoleOptions>,
    sts: impl Fn() -> Result<Sts>,
) -> Result<Arc<dyn CredentialProvider>> {
    if let Some(options) = &assume_role {
        options.check()?;
    }
    let base: Arc<dyn CredentialProvider> = match source {
        CredentialSource::Explicit(c) => Arc::new(Static::new(c, "explicit keys")),
        CredentialSource::Environment => {
            Arc::new(Static::new(Credential::from_env()?, "environment"))
        }
        CredentialSource::Profile(name) => Arc::new(Static::new(
            Credential::from_profile(name.as_deref())?,
            "profile file",
        )),
        CredentialSource::DefaultChain => chain(false, &sts)?,
        CredentialSource::Chain { cvm_role } => chain(cvm_role, &sts)?,
        CredentialSource::CvmRole(role) => Arc::new(Refreshing::new(CvmRole::new(role)?)),
        CredentialSource::Oidc => {
            TkeIdentity::from_env().map_err(|e| named(e, "TKE OIDC"))?;
            Arc::new(Refreshing::new(WebIdentity::new(sts()?)))
        }
        CredentialSource::Provider(p) => p,
    };
    match assume_role {
        Some(options) => Ok(Arc::new(Refreshing::new(AssumeRole::new(
            sts()?,
            base,
            options,
        )?))),
        None => Ok(base),
    }
}

fn named(error: Error, source: &str) -> Error {
    Error::new(error.code(), format!("{source}: {}", error.message()))
}

/// A static source's outcome in the chain: found, skipped (why), or a stopping error.
fn static_step(
    found: Result<Credential>,
    source: &str,
    skipped: &mut Vec<String>,
) -> Result<Option<Arc<dyn CredentialProvider>>> {
    match found {
        Ok(c) => Ok(Some(Arc::new(Static::new(c, source)))),
        Err(e) if e.code() == ResultCode::CredentialsMissing => {
            skipped.push(format!("{source}: {}", e.message()));
            Ok(None)
        }
        Err(e) => Err(named(e, source)),
    }
}

/// A fetching source's outcome in the chain: its first fetch is made now; a failure skips it.
fn fetching_step<F: Fetch + 'static>(
    source: F,
    skipped: &mut Vec<String>,
) -> Option<Arc<dyn CredentialProvider>> {
    let provider = Refreshing::new(source);
    match provider.credential() {
        Ok(_) => Some(Arc::new(provider)),
        Err(e) => {
            skipped.push(e.message().to_owned());
            None
        }
    }
}

fn chain(cvm_role: bool, sts: &dyn Fn() -> Result<Sts>) -> Result<Arc<dyn CredentialProvider>> {
    let mut skipped = vec!["explicit keys: none given".to_owned()];
    // An empty variable counts as unset here (the Python SDK's rule).
    let env = Credential::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
    if let Some(p) = static_step(env, "environment", &mut skipped)? {
        return Ok(p);
    }
    if let Some(p) = static_step(profile(), "profile file", &mut skipped)? {
        return Ok(p);
    }
    match TkeIdentity::from_env() {
        Ok(_) => {
            if let Some(p) = fetching_step(WebIdentity::new(sts()?), &mut skipped) {
                return Ok(p);
            }
        }
        Err(e) => skipped.push(format!("TKE OIDC: {}", e.message())),
    }
    if cvm_role {
        if let Some(p) = fetching_step(CvmRole::new(None)?, &mut skipped) {
            return Ok(p);
        }
    } else {
        skipped.push("CVM instance role: not enabled (opt-in)".to_owned());
    }
    Err(Error::new(
        ResultCode::CredentialsMissing,
        format!("no credentials found; tried {}", skipped.join("; ")),
    ))
}

/// The user's profile file, else the system one (when the user's is absent and not named by
/// `TENCENTCLOUD_CREDENTIALS_FILE`).
fn profile() -> Result<Credential> {
    let user = Credential::from_profile(None);
    let named = std::env::var_os(credential::ENV_CREDENTIALS_FILE).is_some_and(|v| !v.is_empty());
    let system = Path::new(SYSTEM_PROFILE_FILE);
    match user {
        Err(e) if e.code() == ResultCode::CredentialsMissing && !named && system.exists() => {
            Credential::from_profile_file(system, None)
        }
        other => other,
    }
}
