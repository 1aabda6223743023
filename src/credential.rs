//! Credentials: the SecretId, the SecretKey (wiped on drop, never shown) and an optional session
//! token, from explicit values, the environment, or the profile file.
//!
//! Sources, as the official SDKs read them:
//! - environment: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, optionally
//!   `TENCENTCLOUD_SECURITY_TOKEN` (and `TENCENTCLOUD_REGION`, read by [`region_from_env`]);
//! - profile file: `TENCENTCLOUD_CREDENTIALS_FILE`, else `~/.tencentcloud/credentials`; INI with a
//!   `[default]` (or named) section and the keys `secret_id`, `secret_key` and optionally `token`.
//!
//! Empty values and values with surrounding whitespace are refused: a padded key is a known cause
//! of `AuthFailure.SignatureFailure` / `AuthFailure.SecretIdNotFound` at the service. The profile
//! file is read as the official SDK's configparser reads it: whitespace around `=` and at the
//! end of a value is not part of the value.

use std::fmt;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, Result, ResultCode};

/// Environment variable holding the SecretId.
pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// Environment variable holding the SecretKey.
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// Environment variable holding the session token of temporary credentials.
pub const ENV_SECURITY_TOKEN: &str = "TENCENTCLOUD_SECURITY_TOKEN";
/// Environment variable holding the region.
pub const ENV_REGION: &str = "TENCENTCLOUD_REGION";
/// Environment variable that overrides the profile file's path.
pub const ENV_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";

/// The SecretKey. Its bytes are zeroed when it is dropped; `Debug` shows `***`.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<String>);

impl SecretKey {
    /// Wrap a key (checked by [`Credential::new`], not here).
    pub fn new(key: impl Into<String>) -> SecretKey {
        SecretKey(Zeroizing::new(key.into()))
    }

    /// The key itself, for signing. Do not print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A SecretId, SecretKey and, for temporary credentials, the session token (`X-TC-Token`).
#[derive(Clone)]
pub struct Credential {
    secret_id: String,
    secret_key: SecretKey,
    token: Option<Zeroizing<String>>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Credential {
    /// Credentials from explicit values. An empty token counts as none.
    ///
    /// Errors: [`ResultCode::CredentialsInvalid`] when the id or key is empty or has
    /// surrounding whitespace, or when the token has surrounding whitespace.
    pub fn new(secret_id: &str, secret_key: &str, token: Option<&str>) -> Result<Credential> {
        check_value("secret_id", secret_id)?;
        check_value("secret_key", secret_key)?;
        let token = match token {
            Some(t) if !t.is_empty() => {
                check_value("token", t)?;
                Some(Zeroizing::new(t.to_owned()))
            }
            _ => None,
        };
        Ok(Credential {
            secret_id: secret_id.to_owned(),
            secret_key: SecretKey::new(secret_key),
            token,
        })
    }

    /// Credentials from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and the optional
    /// `TENCENTCLOUD_SECURITY_TOKEN`.
    ///
    /// Errors: [`ResultCode::CredentialsMissing`] when either variable is unset;
    /// [`ResultCode::CredentialsInvalid`] when a value is empty or padded.
    pub fn from_env() -> Result<Credential> {
        Credential::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Credential::from_env`] with the environment given as a lookup function (for tests and
    /// for callers with their own configuration store).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Credential> {
        let id = lookup(ENV_SECRET_ID);
        let key = lookup(ENV_SECRET_KEY).map(Zeroizing::new);
        match (id, key) {
            (Some(id), Some(key)) => {
                let token = lookup(ENV_SECURITY_TOKEN).map(Zeroizing::new);
                Credential::new(&id, &key, token.as_deref().map(String::as_str))
                    .map_err(|e| prefix(e, "environment"))
            }
            _ => Err(Error::new(
                ResultCode::CredentialsMissing,
                format!("{ENV_SECRET_ID} and {ENV_SECRET_KEY} must both be set"),
            )),
        }
    }

    /// Credentials from the profile file: `TENCENTCLOUD_CREDENTIALS_FILE`, else
    /// `~/.tencentcloud/credentials`; section `profile` (`default` when `None`).
    ///
    /// Errors: [`ResultCode::CredentialsMissing`] when the file or section or a key is absent;
    /// [`ResultCode::CredentialsInvalid`] when a value is empty or padded.
    pub fn from_profile(profile: Option<&str>) -> Result<Credential> {
        let path = default_profile_path().ok_or_else(|| {
            Error::new(
                ResultCode::CredentialsMissing,
                format!("no profile file: set {ENV_CREDENTIALS_FILE} or HOME"),
            )
        })?;
        Credential::from_profile_file(&path, profile)
    }

    /// Credentials from a given profile file and section (`default` when `None`).
    pub fn from_profile_file(path: &Path, profile: Option<&str>) -> Result<Credential> {
        // The whole file holds the key: wipe it too when done.
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ResultCode::CredentialsMissing,
                format!("cannot read profile file {}: {e}", path.display()),
            )
        })?);
        let section = profile.unwrap_or("default");
        let values = ini_section(&text, section).ok_or_else(|| {
            Error::new(
                ResultCode::CredentialsMissing,
                format!("profile file {} has no [{section}] section", path.display()),
            )
        })?;
        let get = |key: &str| {
            values
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        match (get("secret_id"), get("secret_key")) {
            (Some(id), Some(key)) => Credential::new(id, key, get("token"))
                .map_err(|e| prefix(e, &format!("profile file {} [{section}]", path.display()))),
            _ => Err(Error::new(
                ResultCode::CredentialsMissing,
                format!(
                    "profile file {} [{section}] needs secret_id and secret_key",
                    path.display()
                ),
            )),
        }
    }

    /// The environment first, then the profile file's `[default]` section.
    pub fn from_default_chain() -> Result<Credential> {
        match Credential::from_env() {
            Err(e) if e.code() == ResultCode::CredentialsMissing => Credential::from_profile(None)
                .map_err(|profile_error| {
                    if profile_error.code() == ResultCode::CredentialsMissing {
                        Error::new(
                            ResultCode::CredentialsMissing,
                            format!(
                                "no credentials: {}; {}",
                                e.message(),
                                profile_error.message()
                            ),
                        )
                    } else {
                        profile_error
                    }
                }),
            other => other,
        }
    }

    /// The SecretId.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The SecretKey (redacted in `Debug`).
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret_key
    }

    /// The session token of temporary credentials, sent as `X-TC-Token` (not signed).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref().map(String::as_str)
    }
}

/// The region from `TENCENTCLOUD_REGION`, if set and not empty.
pub fn region_from_env() -> Option<String> {
    std::env::var(ENV_REGION).ok().filter(|r| !r.is_empty())
}

/// The profile file's path: `TENCENTCLOUD_CREDENTIALS_FILE`, else `$HOME/.tencentcloud/credentials`.
pub fn default_profile_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ENV_CREDENTIALS_FILE).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| {
            PathBuf::from(home)
                .join(".tencentcloud")
                .join("credentials")
        })
}

fn check_value(name: &str, value: &str) -> Result<()> {
    let invalid = |why: &str| {
        Err(Error::for_field(
            ResultCode::CredentialsInvalid,
            name,
            format!("{name} {why}"),
        ))
    };
    if value.is_empty() {
        return invalid("is empty");
    }
    if value.trim() != value {
        return invalid("has leading or trailing whitespace (the service would refuse it)");
    }
    if value.chars().any(char::is_control) {
        return invalid("contains control characters (it could not be sent in a header)");
    }
    Ok(())
}

fn prefix(error: Error, source: &str) -> Error {
    Error::new(error.code(), format!("{source}: {}", error.message()))
}

/// The `key = value` pairs of one `[section]` of an INI text, read as the official SDK's
/// configparser reads them: keys and values lose the whitespace around them (around `=` and at
/// the end of the line), values keep inner spaces; lines starting with `#` or `;` are comments.
/// `None` if no such section.
fn ini_section(text: &str, section: &str) -> Option<Vec<(String, Zeroizing<String>)>> {
    let mut found = false;
    let mut in_section = false;
    let mut values = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.trim_end().trim_end_matches(']').trim();
            in_section = name == section;
            found |= in_section;
            continue;
        }
        if in_section {
            if let Some((key, value)) = raw.split_once('=') {
                values.push((
                    key.trim().to_owned(),
                    Zeroizing::new(value.trim().to_owned()),
                ));
            }
        }
    }
    found.then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compile-time check: every field that holds key material has a type that wipes itself
    /// when dropped (`ZeroizeOnDrop`), so turning one into a plain `String` fails the build.
    /// That the bytes really are wiped, on the heap, is observed at run time by
    /// `tests/secrets.rs` (`freed_memory_never_holds_the_key`: a global allocator looks into
    /// every freed block for the key).
    const _: fn(&SecretKey, &Credential) = |key, credential| {
        fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        wipes_on_drop(&key.0);
        wipes_on_drop(&credential.secret_key.0);
        wipes_on_drop(&credential.token);
    };

    #[test]
    fn the_profile_values_are_held_in_wiping_strings() {
        let values = ini_section("[default]\nsecret_key = K\n", "default").unwrap();
        fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        wipes_on_drop(&values[0].1);
        assert_eq!(values[0].1.as_str(), "K");
    }

    #[test]
    fn ini_reads_the_named_section_only() {
        let text =
            "[default]\nsecret_id = A\nsecret_key = B\n\n[other]\nsecret_id=C\nsecret_key=D\n";
        let other = ini_section(text, "other").unwrap();
        assert_eq!(other[0].0, "secret_id");
        assert_eq!(other[0].1.as_str(), "C");
        assert!(ini_section(text, "missing").is_none());
    }

    #[test]
    fn ini_values_lose_surrounding_whitespace_as_configparser_does() {
        let values = ini_section("[default]\nsecret_key =\t B c \r\n", "default").unwrap();
        assert_eq!(values[0].1.as_str(), "B c");
    }
}
