//! The service's checks of the transport, the common parameters and the TC3-HMAC-SHA256
//! signature (spec §1–§3), in the order the service applies them, on what was *received*: the
//! signature is recomputed with [`tcfaceid::sign`] from the received method, query string, signed
//! header values and body bytes, never from what a client "meant" to send.

use tcfaceid::api::LANGUAGES;
use tcfaceid::product::Api;
use tcfaceid::sign::{self, Method, Payload, SigningInput};

use crate::config::EmulatorConfig;
use crate::credentials::{CredentialAuthority, KeyLookup};
use crate::reply::{code, ApiError};

/// Largest accepted clock difference between `X-TC-Timestamp` and the emulator's clock.
pub(crate) const MAX_SKEW_SECS: u64 = 300;
/// Largest GET request target (path and query): the docs cap GET requests at 32 KB (spec §1.3).
pub(crate) const MAX_GET_URL_BYTES: usize = 32 * 1024;

/// One request as received.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Incoming<'a> {
    /// The method as sent (`POST`, `GET`, ...).
    pub method: &'a str,
    /// The request target as sent: path and optional `?query`.
    pub url: &'a str,
    /// Every header as `(lower-case name, value)`, in the order received.
    pub headers: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

impl<'a> Incoming<'a> {
    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The raw query string after `?` (empty when there is none).
    pub fn query(&self) -> &'a str {
        self.url.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// The action named by `X-TC-Action`, if it is a plausible name (letters and digits, at most
    /// 64), so it can be logged without echoing arbitrary client text.
    pub fn loggable_action(&self) -> Option<&'a str> {
        self.header("x-tc-action").filter(|a| {
            !a.is_empty() && a.len() <= 64 && a.bytes().all(|b| b.is_ascii_alphanumeric())
        })
    }
}

/// A request whose transport, common parameters and signature are good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Authenticated<'a> {
    /// POST (JSON body) or GET (query string).
    pub method: Method,
    /// `X-TC-Action`, not yet checked against the product's actions.
    pub action: &'a str,
    /// The product `X-TC-Version` names.
    pub api: Api,
}

/// The parts of an `Authorization` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Authorization<'a> {
    pub secret_id: &'a str,
    pub date: &'a str,
    pub service: &'a str,
    pub signed_headers: &'a str,
    pub signature: &'a str,
}

/// Parse `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<names>,
/// Signature=<64 hex>`; `None` when it is not of that shape.
pub(crate) fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix(sign::ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(val).is_some() {
            return None;
        }
    }
    let mut scope = credential?.split('/');
    let (secret_id, date, service, terminator) =
        (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    let signature = signature?;
    let signed_headers = signed_headers?;
    let well_formed = scope.next().is_none()
        && terminator == "tc3_request"
        && ![secret_id, date, service, signed_headers].contains(&"")
        && signature.len() == 64
        && signature.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then_some(Authorization {
        secret_id,
        date,
        service,
        signed_headers,
        signature,
    })
}

/// Run every check before the action, in the service's order: method and Content-Type, the
/// required `X-TC-*` headers, the `Authorization` shape, the SecretId, the clock skew, the
/// credential scope, the signature, then the session token. `now` is the emulator's clock.
pub(crate) fn verify<'a>(
    incoming: &Incoming<'a>,
    config: &EmulatorConfig,
    keys: &CredentialAuthority,
    now: i64,
) -> Result<Authenticated<'a>, ApiError> {
    let method = check_transport(incoming)?;
    let action = required(incoming, "X-TC-Action")?;
    let timestamp_text = required(incoming, "X-TC-Timestamp")?;
    let timestamp = parse_timestamp(timestamp_text).ok_or_else(|| {
        ApiError::new(
            code::INVALID_PARAMETER,
            format!(
                "X-TC-Timestamp must be Unix seconds as a decimal number, not {timestamp_text:?}."
            ),
        )
    })?;
    let version = required(incoming, "X-TC-Version")?;
    let api = Api::ALL
        .into_iter()
        .find(|api| api.version() == version)
        .ok_or_else(|| {
            ApiError::new(
                code::NO_SUCH_VERSION,
                format!(
                    "The API version {version:?} does not exist; FaceID card verification is {}, OCR {}.",
                    Api::FaceId.version(),
                    Api::Ocr.version()
                ),
            )
        })?;
    let region = required(incoming, "X-TC-Region")?;
    if !api.regions().contains(&region) {
        return Err(ApiError::new(
            code::UNSUPPORTED_REGION,
            format!(
                "The action is not offered in region {region:?}; use one of {}.",
                api.regions().join(", ")
            ),
        ));
    }
    if let Some(language) = incoming.header("x-tc-language") {
        if !LANGUAGES.contains(&language) {
            return Err(ApiError::new(
                code::INVALID_PARAMETER_VALUE,
                format!(
                    "X-TC-Language {language:?} is not supported; use one of {}.",
                    LANGUAGES.join(", ")
                ),
            ));
        }
    }
    let expected_token = check_signature(
        incoming,
        method,
        timestamp,
        api.service(),
        config,
        keys,
        now,
    )?;
    if let Some(expected) = &expected_token {
        let given = incoming.header("x-tc-token").unwrap_or("");
        if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return Err(ApiError::new(
                code::TOKEN_FAILURE,
                "The session token (X-TC-Token) is missing, invalid or expired.",
            ));
        }
    }
    Ok(Authenticated {
        method,
        action,
        api,
    })
}

/// Only POST with a JSON body or GET with form-encoded parameters carry the parameters.
///
/// A method other than GET/POST is `UnsupportedProtocol` (spec §3: "only GET/POST over HTTP(S)
/// allowed"). A Content-Type the parameters cannot be read from is `InvalidParameter` ("parameter
/// format/type error"): the service cannot even find the parameters; `InvalidRequest` is for
/// malformed multipart bodies only.
fn check_transport(incoming: &Incoming<'_>) -> Result<Method, ApiError> {
    let (method, expected) = match incoming.method {
        "POST" => (Method::Post, sign::CONTENT_TYPE_JSON),
        "GET" => (Method::Get, sign::CONTENT_TYPE_FORM),
        other => {
            return Err(ApiError::new(
                code::UNSUPPORTED_PROTOCOL,
                format!("The HTTP method {other} is not supported; use POST or GET."),
            ))
        }
    };
    let content_type = incoming.header("content-type").unwrap_or("");
    if !content_type_is(content_type, expected) {
        return Err(ApiError::new(
            code::INVALID_PARAMETER,
            format!(
                "The Content-Type {content_type:?} is not supported for {}: use {expected} \
                 (optionally with \"; charset=utf-8\").",
                incoming.method
            ),
        ));
    }
    if method == Method::Get && incoming.url.len() > MAX_GET_URL_BYTES {
        return Err(ApiError::new(
            code::REQUEST_SIZE_LIMIT_EXCEEDED,
            format!("GET requests are limited to {MAX_GET_URL_BYTES} bytes; use POST."),
        ));
    }
    Ok(method)
}

/// `media_type` (any case), optionally followed by `; charset=utf-8` (any case and spacing).
fn content_type_is(value: &str, media_type: &str) -> bool {
    let mut parts = value.split(';');
    let media_ok = parts
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(media_type));
    media_ok
        && parts.all(|param| {
            param.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("charset") && v.trim().eq_ignore_ascii_case("utf-8")
            })
        })
}

fn required<'a>(incoming: &Incoming<'a>, name: &str) -> Result<&'a str, ApiError> {
    match incoming.header(&name.to_ascii_lowercase()) {
        Some(value) if !value.trim().is_empty() => Ok(value.trim()),
        _ => Err(ApiError::new(
            code::MISSING_PARAMETER,
            format!("The request is missing the required parameter {name}."),
        )),
    }
}

fn parse_timestamp(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn signature_failure(why: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        code::SIGNATURE_FAILURE,
        format!("The provided credentials could not be validated: {why}."),
    )
}

/// Check the signature; the token the request must then carry, if any.
fn check_signature(
    incoming: &Incoming<'_>,
    method: Method,
    timestamp: i64,
    service: &str,
    config: &EmulatorConfig,
    keys: &CredentialAuthority,
    now: i64,
) -> Result<Option<zeroize::Zeroizing<String>>, ApiError> {
    let header = incoming.header("authorization").unwrap_or("");
    let auth = parse_authorization(header).ok_or_else(|| {
        ApiError::new(
            code::INVALID_AUTHORIZATION,
            "The Authorization header is missing or malformed; expected \"TC3-HMAC-SHA256 \
             Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=<names>, Signature=<hex>\".",
        )
    })?;
    // The long-term key, or a temporary one issued by the emulated metadata service or STS.
    let (secret_key, token) = match keys.lookup(auth.secret_id, now) {
        KeyLookup::LongTerm => (
            zeroize::Zeroizing::new(config.secret_key.clone()),
            config.token.clone().map(zeroize::Zeroizing::new),
        ),
        KeyLookup::Temporary { secret_key, token } => (secret_key, Some(token)),
        KeyLookup::Refused(error) => return Err(error),
    };
    if timestamp.abs_diff(now) > MAX_SKEW_SECS {
        return Err(ApiError::new(
            code::SIGNATURE_EXPIRE,
            format!(
                "Signature expired: the request timestamp {timestamp} and the server time {now} differ \
                 by more than 5 minutes ({MAX_SKEW_SECS} s)."
            ),
        ));
    }
    let signed: Vec<&str> = auth.signed_headers.split(';').collect();
    for must in ["content-type", "host"] {
        if !signed.contains(&must) {
            return Err(signature_failure(format_args!(
                "SignedHeaders must include {must}"
            )));
        }
    }
    let date = sign::credential_date(timestamp).map_err(|e| signature_failure(e.message()))?;
    if auth.date != date {
        return Err(signature_failure(format_args!(
            "the credential date {} is not the UTC date {date} of X-TC-Timestamp",
            auth.date
        )));
    }
    if auth.service != service {
        return Err(signature_failure(format_args!(
            "the credential scope names service {:?}, not {service}",
            auth.service,
        )));
    }
    let mut extra = Vec::new();
    for name in signed
        .iter()
        .filter(|n| !["content-type", "host"].contains(n))
    {
        let value = incoming.header(name).ok_or_else(|| {
            signature_failure(format_args!("the signed header {name} was not sent"))
        })?;
        extra.push((*name, value));
    }
    let payload = match incoming.header("x-tc-content-sha256") {
        Some(value) if value.trim() == sign::UNSIGNED_PAYLOAD => Payload::Unsigned,
        _ => Payload::Body(incoming.body),
    };
    let input = SigningInput {
        method,
        host: incoming.header("host").unwrap_or(""),
        query: incoming.query(),
        content_type: incoming.header("content-type").unwrap_or(""),
        payload,
        service,
        timestamp,
        extra_signed_headers: &extra,
    };
    let key = sign::derive_signing_key(&secret_key, &date, service);
    let expected = sign::sign_with_key(auth.secret_id, &key, &date, &input).map_err(|e| {
        ApiError::new(
            code::INVALID_AUTHORIZATION,
            format!("SignedHeaders is malformed: {}", e.message()),
        )
    })?;
    if expected.signed_headers != auth.signed_headers {
        return Err(signature_failure(
            "SignedHeaders must list each signed header once, in lower case, sorted",
        ));
    }
    if !constant_time_eq(expected.signature.as_bytes(), auth.signature.as_bytes()) {
        return Err(signature_failure(
            "the signature does not match the request; check the SecretKey, the signed Host and \
             Content-Type, the body bytes and the UTC date",
        ));
    }
    Ok(token)
}

/// Equal length and bytes, in time independent of where they first differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_of_the_vectors_parses() {
        let value = "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/faceid/tc3_request, \
                     SignedHeaders=content-type;host, \
                     Signature=58b836bc8063447b4cae50aea55c25508241ffb0dcc509008a2da92277f08902";
        let auth = parse_authorization(value).unwrap();
        assert_eq!(auth.secret_id, "AKIDEXAMPLE");
        assert_eq!(auth.date, "2023-11-14");
        assert_eq!(auth.service, "faceid");
        assert_eq!(auth.signed_headers, "content-type;host");
    }

    #[test]
    fn malformed_authorizations_are_refused() {
        let sig = "a".repeat(64);
        for bad in [
            String::new(),
            "SKIP".to_owned(),
            format!("TC3-HMAC-SHA1 Credential=A/d/faceid/tc3_request, SignedHeaders=host, Signature={sig}"),
            format!("TC3-HMAC-SHA256Credential=A/d/faceid/tc3_request, SignedHeaders=host, Signature={sig}"),
            format!("TC3-HMAC-SHA256 Credential=A/d/faceid, SignedHeaders=host, Signature={sig}"),
            format!("TC3-HMAC-SHA256 Credential=A/d/faceid/tc3_request/x, SignedHeaders=host, Signature={sig}"),
            format!("TC3-HMAC-SHA256 Credential=/d/faceid/tc3_request, SignedHeaders=host, Signature={sig}"),
            format!("TC3-HMAC-SHA256 Credential=A/d/faceid/tc3_request, Signature={sig}"),
            "TC3-HMAC-SHA256 Credential=A/d/faceid/tc3_request, SignedHeaders=host, Signature=xyz".to_owned(),
            format!("TC3-HMAC-SHA256 Credential=A/d/faceid/tc3_request, SignedHeaders=host, Signature={sig}, X=1"),
            format!("TC3-HMAC-SHA256 Credential=A/d/faceid/tc3_request, Credential=A/d/faceid/tc3_request, SignedHeaders=host, Signature={sig}"),
        ] {
            assert_eq!(parse_authorization(&bad), None, "{bad}");
        }
    }

    #[test]
    fn content_types_with_and_without_charset() {
        assert!(content_type_is("application/json", "application/json"));
        assert!(content_type_is(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(content_type_is(
            "Application/JSON;charset=UTF-8",
            "application/json"
        ));
        assert!(!content_type_is(
            "application/json; charset=latin1",
            "application/json"
        ));
        assert!(!content_type_is("text/plain", "application/json"));
        assert!(!content_type_is("", "application/json"));
    }

    #[test]
    fn timestamps_are_plain_decimal() {
        assert_eq!(parse_timestamp("1700000000"), Some(1_700_000_000));
        for bad in ["", "-1", "+5", "1.5", " 1", "99999999999999999999999"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
