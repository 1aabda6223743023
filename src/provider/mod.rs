//! Credential providers: where the keys that sign each request come from, and how temporary
//! keys are refreshed before they expire.
//!
//! A [`CredentialProvider`] hands out an immutable [`Credential`] snapshot (SecretId, SecretKey,
//! token, expiry); the client takes **one snapshot per request**, so a request never mixes the
//! halves of two different key pairs. Sources:
//!
//! | source | type | refreshed |
//! |---|---|---|
//! | explicit keys, environment, profile file | [`Static`] | never |
//! | CVM instance role (metadata service) | [`cvm::CvmRole`] | 300 s before `ExpiredTime` |
//! | STS `AssumeRole` from long-term keys | [`sts::AssumeRole`] | max(300 s, 10 % of the lifetime) before expiry |
//! | TKE OIDC (`AssumeRoleWithWebIdentity`) | [`sts::WebIdentity`] | max(300 s, 10 % of the lifetime) before expiry |
//! | the caller's own function | [`FnSource`] | 300 s before the expiry it gives |
//! | the default chain | [`chain::provider_for`] | as the source it picks |
//!
//! Every rotating source sits behind [`Refreshing`]: single-flight refresh, still-valid
//! snapshots served during a refresh and after a failed one, a credentials error naming the
//! source when nothing valid is left (never an empty key). A margin is never more than half
//! the keys' lifetime, so keys that live less than twice the margin are used for half their
//! life rather than fetched again on every request.
//!
//! **AssumeRole differs from the SDKs**: the Python and Go SDKs fetch new AssumeRole keys once
//! 10 % of their lifetime has passed (720 s into a 7200 s session), using only a tenth of it;
//! here they are used until max(300 s, 10 %) before their expiry, as Java does for 300 s. The
//! 300 s floor is the service's clock-skew allowance.

pub mod cache;
pub mod chain;
pub mod cvm;
pub mod sts;

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

pub use cache::Refreshing;

use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::sign::Signer;

/// Seconds before `ExpiredTime` at which CVM role keys are refreshed (the SDKs' value: the
/// service allows 300 s of clock skew).
pub const CVM_REFRESH_MARGIN_SECS: i64 = 300;
/// The smallest refresh margin of STS keys (AssumeRole, OIDC).
pub const STS_MIN_REFRESH_MARGIN_SECS: i64 = 300;
/// Seconds before expiry at which a caller's function is asked again.
pub const CALLBACK_REFRESH_MARGIN_SECS: i64 = 300;

/// Hands out the credentials that sign one request. `Send + Sync`: the client shares one among
/// all threads.
pub trait CredentialProvider: Send + Sync + std::fmt::Debug {
    /// The snapshot to sign one request with; valid now.
    ///
    /// Errors: the credential errors ([`crate::ResultCode::CredentialsMissing`],
    /// [`crate::ResultCode::CredentialsInvalid`], [`crate::ResultCode::CredentialsUnavailable`]),
    /// their messages naming the source.
    fn credential(&self) -> Result<Arc<Credential>>;

    /// The source's name, for messages (e.g. `CVM instance role`).
    fn name(&self) -> String;

    /// The last refresh's failure while a still-valid snapshot is being used (`None` when the
    /// last refresh worked, or for sources that do not refresh).
    fn last_refresh_error(&self) -> Option<Error> {
        None
    }
}

/// A source that fetches fresh credentials (may block on I/O); put it behind [`Refreshing`].
pub trait Fetch: Send + Sync + std::fmt::Debug {
    /// New credentials, with their expiry when they have one.
    fn fetch(&self) -> Result<Credential>;

    /// The source's name, for messages.
    fn name(&self) -> String;

    /// Seconds before expiry at which keys of `lifetime` seconds are refreshed (capped at half
    /// the lifetime by [`Refreshing`]).
    fn margin_secs(&self, lifetime: i64) -> i64;
}

/// Keys that never change: explicit, environment or profile file.
#[derive(Debug)]
pub struct Static {
    credential: Arc<Credential>,
    source: String,
}

impl Static {
    /// `credential`, read from the source called `source`.
    pub fn new(credential: Credential, source: impl Into<String>) -> Static {
        Static {
            credential: Arc::new(credential),
            source: source.into(),
        }
    }
}

impl CredentialProvider for Static {
    fn credential(&self) -> Result<Arc<Credential>> {
        Ok(self.credential.clone())
    }

    fn name(&self) -> String {
        self.source.clone()
    }
}

/// The function a caller fetches its credentials with (its vault, its own rotation).
pub type FetchFn = dyn Fn() -> Result<Credential> + Send + Sync;

/// The caller's own source: a function called when no snapshot is cached or the cached one is
/// within [`CALLBACK_REFRESH_MARGIN_SECS`] of its expiry; [`Refreshing`] never calls it from
/// two threads at once.
pub struct FnSource {
    fetch: Box<FetchFn>,
    name: String,
}

impl std::fmt::Debug for FnSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnSource")
            .field("name", &self.name)
            .finish()
    }
}

impl FnSource {
    /// A source calling `fetch`, called `name` in messages.
    pub fn new(
        name: impl Into<String>,
        fetch: impl Fn() -> Result<Credential> + Send + Sync + 'static,
    ) -> FnSource {
        FnSource {
            fetch: Box::new(fetch),
            name: name.into(),
        }
    }
}

impl Fetch for FnSource {
    fn fetch(&self) -> Result<Credential> {
        (self.fetch)()
    }

    fn name(&self) -> String {
        self.name.clone()
    }

    fn margin_secs(&self, _lifetime: i64) -> i64 {
        CALLBACK_REFRESH_MARGIN_SECS
    }
}

/// The client's credentials: the provider, and a [`Signer`] for its latest snapshot (so the
/// day's signing key is derived once per snapshot, not once per request).
#[derive(Debug)]
pub(crate) struct ClientCredentials {
    provider: Arc<dyn CredentialProvider>,
    signer: RwLock<Option<(Arc<Credential>, Arc<Signer>)>>,
}

impl ClientCredentials {
    pub(crate) fn new(provider: Arc<dyn CredentialProvider>) -> ClientCredentials {
        ClientCredentials {
            provider,
            signer: RwLock::new(None),
        }
    }

    pub(crate) fn provider(&self) -> &Arc<dyn CredentialProvider> {
        &self.provider
    }

    /// The signer of the snapshot to use for one request (taken once, here).
    pub(crate) fn signer(&self) -> Result<Arc<Signer>> {
        let credential = self.provider.credential()?;
        if let Some((_, signer)) = self
            .signer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|(held, _)| Arc::ptr_eq(held, &credential))
        {
            return Ok(signer.clone());
        }
        let signer = Arc::new(Signer::new(Credential::clone(&credential)));
        *self.signer.write().unwrap_or_else(|p| p.into_inner()) =
            Some((credential, signer.clone()));
        Ok(signer)
    }
}

/// The system clock in Unix seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
