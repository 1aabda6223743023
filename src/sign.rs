//! TC3-HMAC-SHA256 request signing as pure functions, every stage exposed (spec §1).
//!
//! Nothing here reads the clock or does I/O: the timestamp, the signing service and the API
//! version are inputs (FaceID signs with service `faceid`, OCR with `ocr`; never derived from
//! the host), so every stage can be checked against the vectors in `tests/vectors/`.
//!
//! ```text
//! hashed_payload ─┐
//! canonical_headers ─> canonical_request ─> string_to_sign ─┐
//! credential_date ─> credential_scope ──────────────────────┤
//! derive_signing_key(secret, date, service) ────────────────┴─> signature ─> authorization
//! ```
//!
//! [`sign`] runs every stage; a [`Signer`] runs the same stages with the day's signing key
//! derived once and cached (the path the client and the C signer handle take).

use std::borrow::Cow;
use std::sync::RwLock;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::credential::Credential;
use crate::error::{Error, Result, ResultCode};

/// The algorithm name that starts the string to sign and the `Authorization` value.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The signing service of FaceID (`2018-03-01`). The service is always an input of signing,
/// never derived from the endpoint's host (see design.md); OCR signs with `ocr`.
pub const SERVICE: &str = "faceid";
/// The value of `X-TC-Content-SHA256` that asks the service not to hash the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// `Content-Type` of JSON POST requests, signed and sent exactly so (no charset).
pub const CONTENT_TYPE_JSON: &str = "application/json";
/// `Content-Type` of GET requests.
pub const CONTENT_TYPE_FORM: &str = "application/x-www-form-urlencoded";

/// HTTP method of a signed request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// POST with a JSON body (the default for every call).
    Post,
    /// GET with a query string and an empty body.
    Get,
}

impl Method {
    /// The method as it appears on the wire and in the canonical request.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Get => "GET",
        }
    }
}

/// What the `HashedRequestPayload` stage hashes.
#[derive(Clone, Copy, Debug)]
pub enum Payload<'a> {
    /// The exact body bytes sent (empty for GET).
    Body(&'a [u8]),
    /// The body's SHA-256, already computed (e.g. while the body was built).
    Sha256([u8; 32]),
    /// `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`: the hash of the literal string `UNSIGNED-PAYLOAD`.
    Unsigned,
}

/// Everything the signature covers, besides the credentials.
#[derive(Clone, Copy, Debug)]
pub struct SigningInput<'a> {
    /// POST or GET.
    pub method: Method,
    /// The `Host` header exactly as sent (with `:port` when the port is not the default).
    pub host: &'a str,
    /// The query string as sent after `?` (empty for POST).
    pub query: &'a str,
    /// The `Content-Type` header exactly as sent.
    pub content_type: &'a str,
    /// The body, its hash, or UNSIGNED-PAYLOAD.
    pub payload: Payload<'a>,
    /// The signing service: `faceid` ([`SERVICE`]), `ocr`, or any other product's.
    pub service: &'a str,
    /// Unix seconds, sent as `X-TC-Timestamp`; its UTC date is the scope date.
    pub timestamp: i64,
    /// Headers signed besides `content-type` and `host`; names and values are lower-cased
    /// and trimmed, as the service does.
    pub extra_signed_headers: &'a [(&'a str, &'a str)],
}

/// Every stage of one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Lower-case hex SHA-256 of the payload.
    pub hashed_payload: String,
    /// The canonical request (six parts joined by `\n`).
    pub canonical_request: String,
    /// Lower-case hex SHA-256 of the canonical request.
    pub canonical_request_sha256: String,
    /// `YYYY-MM-DD` of the timestamp in UTC.
    pub date: String,
    /// `<date>/<service>/tc3_request`.
    pub credential_scope: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Signed header names joined by `;`.
    pub signed_headers: String,
    /// Lower-case hex HMAC of the string to sign.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// The derived key `kSigning` for one (secret key, date, service). Zeroed on drop.
#[derive(Clone)]
pub struct SigningKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

impl SigningKey {
    /// The raw 32 bytes (for tests that compare with the vectors' kSigning).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex of a 32-byte digest, on the stack.
#[derive(Clone, Copy)]
struct Hex([u8; 64]);

impl Hex {
    fn of(digest: &[u8; 32]) -> Hex {
        let mut out = [0u8; 64];
        hex::encode_to_slice(digest, &mut out).expect("64 bytes hold 32 bytes in hex");
        Hex(out)
    }

    fn sha256(data: &[u8]) -> Hex {
        Hex::of(&Sha256::digest(data).into())
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    Hex::sha256(data).as_str().to_owned()
}

/// Stage 1.6: the `HashedRequestPayload`.
pub fn hashed_payload(payload: Payload<'_>) -> String {
    payload_hash(payload).as_str().to_owned()
}

fn payload_hash(payload: Payload<'_>) -> Hex {
    match payload {
        Payload::Body(body) => Hex::sha256(body),
        Payload::Sha256(digest) => Hex::of(&digest),
        Payload::Unsigned => Hex::sha256(UNSIGNED_PAYLOAD.as_bytes()),
    }
}

/// The `YYYY-MM-DD` date of a Unix timestamp in UTC (never local time).
///
/// Errors: [`ResultCode::InvalidArgument`] for a timestamp outside the calendar's range.
pub fn credential_date(timestamp: i64) -> Result<String> {
    let moment = chrono::DateTime::from_timestamp(timestamp, 0).ok_or_else(|| {
        Error::new(
            ResultCode::InvalidArgument,
            format!("timestamp {timestamp} is out of range"),
        )
    })?;
    Ok(moment.format("%Y-%m-%d").to_string())
}

/// `<date>/<service>/tc3_request`.
pub fn credential_scope(date: &str, service: &str) -> String {
    [date, "/", service, "/tc3_request"].concat()
}

/// The canonical headers block (each line `name:value\n`, sorted by name) and the signed
/// header names joined by `;`.
///
/// Errors: [`ResultCode::InvalidOption`] when an extra header is `content-type`, `host` or
/// `authorization`, repeats, or has an empty or non-token name.
pub fn canonical_headers(
    content_type: &str,
    host: &str,
    extra: &[(&str, &str)],
) -> Result<(String, String)> {
    let mut block = String::with_capacity(128);
    let names = push_canonical_headers(&mut block, content_type, host, extra)?;
    Ok((block, names.into_owned()))
}

/// [`canonical_headers`]: the block appended to `out`, the signed names returned.
fn push_canonical_headers(
    out: &mut String,
    content_type: &str,
    host: &str,
    extra: &[(&str, &str)],
) -> Result<Cow<'static, str>> {
    if extra.is_empty() {
        // The two headers always signed, already in order.
        out.extend([
            "content-type:",
            content_type.trim(),
            "\nhost:",
            host.trim(),
            "\n",
        ]);
        return Ok("content-type;host".into());
    }
    let mut headers: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::with_capacity(2 + extra.len());
    headers.push(("content-type".into(), content_type.trim().into()));
    headers.push(("host".into(), host.trim().into()));
    for (name, value) in extra {
        let name = name.trim().to_ascii_lowercase();
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !valid_name {
            return Err(Error::new(
                ResultCode::InvalidOption,
                format!("signed header name {name:?} is not a valid header name"),
            ));
        }
        if name == "authorization" {
            return Err(Error::new(
                ResultCode::InvalidOption,
                "the Authorization header is the signature's output and cannot be signed",
            ));
        }
        if headers.iter().any(|(n, _)| *n == name) {
            return Err(Error::new(
                ResultCode::InvalidOption,
                format!("header {name} is signed twice (content-type and host are always signed)"),
            ));
        }
        headers.push((name.into(), value.trim().to_lowercase().into()));
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut names = String::with_capacity(headers.iter().map(|(n, _)| n.len() + 1).sum());
    for (name, value) in &headers {
        out.extend([name, ":", value, "\n"]);
        if !names.is_empty() {
            names.push(';');
        }
        names.push_str(name);
    }
    Ok(names.into())
}

/// Stage 1: the canonical request.
pub fn canonical_request(
    method: Method,
    query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    hashed_payload: &str,
) -> String {
    let method = method.as_str();
    [
        method,
        "\n/\n",
        query,
        "\n",
        canonical_headers,
        "\n",
        signed_headers,
        "\n",
        hashed_payload,
    ]
    .concat()
}

/// Stage 3: the string to sign.
pub fn string_to_sign(timestamp: i64, credential_scope: &str, canonical_request: &str) -> String {
    let hashed = Hex::sha256(canonical_request.as_bytes());
    let mut out = String::with_capacity(160);
    push_string_to_sign(&mut out, timestamp, &[credential_scope], hashed.as_str());
    out
}

/// [`string_to_sign`] appended to `out`; `credential_scope` in pieces.
fn push_string_to_sign(
    out: &mut String,
    timestamp: i64,
    credential_scope: &[&str],
    canonical_request_sha256: &str,
) {
    let mut decimal = itoa::Buffer::new();
    out.extend([ALGORITHM, "\n", decimal.format(timestamp), "\n"]);
    out.extend(credential_scope.iter().copied());
    out.extend(["\n", canonical_request_sha256]);
}

/// `HMAC("TC3" + secret_key, data)`; the joined key lives in a buffer wiped on drop.
fn hmac_with_seed(secret_key: &str, data: &[u8]) -> [u8; 32] {
    let mut seed = Zeroizing::new(Vec::with_capacity(3 + secret_key.len()));
    seed.extend_from_slice(b"TC3");
    seed.extend_from_slice(secret_key.as_bytes());
    hmac_sha256(&seed, data)
}

/// Stage 4: `kSigning = HMAC(HMAC(HMAC("TC3"+key, date), service), "tc3_request")`.
pub fn derive_signing_key(secret_key: &str, date: &str, service: &str) -> SigningKey {
    let k_date = Zeroizing::new(hmac_with_seed(secret_key, date.as_bytes()));
    let k_service = Zeroizing::new(hmac_sha256(&*k_date, service.as_bytes()));
    SigningKey(Zeroizing::new(hmac_sha256(&*k_service, b"tc3_request")))
}

/// The intermediate keys `kDate` and `kService` (for tests against the vectors).
pub fn derive_intermediate_keys(
    secret_key: &str,
    date: &str,
    service: &str,
) -> ([u8; 32], [u8; 32]) {
    let k_date = hmac_with_seed(secret_key, date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    (k_date, k_service)
}

/// Stage 4 (end): lower-case hex `HMAC(kSigning, string_to_sign)`.
pub fn signature(signing_key: &SigningKey, string_to_sign: &str) -> String {
    signature_hex(signing_key, string_to_sign)
        .as_str()
        .to_owned()
}

fn signature_hex(signing_key: &SigningKey, string_to_sign: &str) -> Hex {
    Hex::of(&hmac_sha256(&*signing_key.0, string_to_sign.as_bytes()))
}

/// Stage 5: the `Authorization` header value.
pub fn authorization(
    secret_id: &str,
    credential_scope: &str,
    signed_headers: &str,
    signature: &str,
) -> String {
    let mut out = String::with_capacity(192);
    push_authorization(
        &mut out,
        secret_id,
        &[credential_scope],
        signed_headers,
        signature,
    );
    out
}

/// [`authorization`] appended to `out`; `credential_scope` in pieces.
fn push_authorization(
    out: &mut String,
    secret_id: &str,
    credential_scope: &[&str],
    signed_headers: &str,
    signature: &str,
) {
    out.extend([ALGORITHM, " Credential=", secret_id, "/"]);
    out.extend(credential_scope.iter().copied());
    out.extend([
        ", SignedHeaders=",
        signed_headers,
        ", Signature=",
        signature,
    ]);
}

/// Every stage for `input` with the day's `key`, appending the `Authorization` value to `out`:
/// the signing path of [`Signer`] (and so of the client and the C signer). The canonical
/// request, then the string to sign, are written after the end of `out` and cut off once
/// hashed: no other buffer.
///
/// Errors: as [`sign`], for the extra signed headers (`out` then holds a partial text).
fn push_signed_authorization(
    out: &mut String,
    secret_id: &str,
    key: &SigningKey,
    date: &str,
    input: &SigningInput<'_>,
) -> Result<()> {
    let hashed_payload = payload_hash(input.payload);
    let end = out.len();
    // Stage 1 (canonical_request), written in place.
    out.extend([input.method.as_str(), "\n/\n", input.query, "\n"]);
    let signed_headers = push_canonical_headers(
        out,
        input.content_type,
        input.host,
        input.extra_signed_headers,
    )?;
    out.extend(["\n", &signed_headers, "\n", hashed_payload.as_str()]);
    let canonical_request_sha256 = Hex::sha256(&out.as_bytes()[end..]);
    out.truncate(end);
    let credential_scope = [date, "/", input.service, "/tc3_request"];
    push_string_to_sign(
        out,
        input.timestamp,
        &credential_scope,
        canonical_request_sha256.as_str(),
    );
    let signature = signature_hex(key, &out[end..]);
    out.truncate(end);
    push_authorization(
        out,
        secret_id,
        &credential_scope,
        &signed_headers,
        signature.as_str(),
    );
    Ok(())
}

/// All stages for one request, deriving the signing key.
///
/// Errors: [`ResultCode::InvalidArgument`] for a timestamp outside the calendar;
/// [`ResultCode::InvalidOption`] for an extra signed header that [`canonical_headers`] refuses.
pub fn sign(credential: &Credential, input: &SigningInput<'_>) -> Result<Signature> {
    let date = credential_date(input.timestamp)?;
    let key = derive_signing_key(credential.secret_key().expose(), &date, input.service);
    sign_with_key(credential.secret_id(), &key, &date, input)
}

/// All stages for one request with an already derived signing key for `date`
/// (`date` must be [`credential_date`] of `input.timestamp`).
///
/// Errors: as [`sign`], for the extra signed headers.
pub fn sign_with_key(
    secret_id: &str,
    key: &SigningKey,
    date: &str,
    input: &SigningInput<'_>,
) -> Result<Signature> {
    // The Authorization value from the signing path itself; the stages alongside, for the
    // record.
    let mut authorization = String::with_capacity(192);
    push_signed_authorization(&mut authorization, secret_id, key, date, input)?;
    let hashed_payload = hashed_payload(input.payload);
    let (block, signed_headers) =
        canonical_headers(input.content_type, input.host, input.extra_signed_headers)?;
    let canonical_request = canonical_request(
        input.method,
        input.query,
        &block,
        &signed_headers,
        &hashed_payload,
    );
    let credential_scope = credential_scope(date, input.service);
    let string_to_sign = string_to_sign(input.timestamp, &credential_scope, &canonical_request);
    Ok(Signature {
        hashed_payload,
        canonical_request_sha256: sha256_hex(canonical_request.as_bytes()),
        canonical_request,
        date: date.to_owned(),
        credential_scope,
        signature: signature(key, &string_to_sign),
        string_to_sign,
        signed_headers,
        authorization,
    })
}

/// The common parameters of one call, sent as `X-TC-*` headers (spec §2.1).
#[derive(Clone, Copy, Debug)]
pub struct CallContext<'a> {
    /// `X-TC-Action`, e.g. `ApplyCardVerification`.
    pub action: &'a str,
    /// `X-TC-Version`, e.g. `2018-03-01` (FaceID) or `2018-11-19` (OCR).
    pub version: &'a str,
    /// `X-TC-Region`; omitted when empty.
    pub region: &'a str,
    /// `X-TC-Language`; omitted when empty.
    pub language: &'a str,
    /// `X-TC-RequestClient`; omitted when empty.
    pub request_client: &'a str,
}

/// Every header to send with a signed request, in a fixed order: `Authorization`,
/// `Content-Type`, `Host`, `X-TC-Action`, `X-TC-Timestamp`, `X-TC-Version`, then `X-TC-Region`,
/// `X-TC-Language`, `X-TC-RequestClient`, `X-TC-Token`, `X-TC-Content-SHA256` when they apply.
/// Extra signed headers are the caller's to send; they are not repeated here.
pub fn request_headers(
    credential: &Credential,
    input: &SigningInput<'_>,
    call: &CallContext<'_>,
    signature: &Signature,
) -> Vec<(&'static str, String)> {
    let timestamp = input.timestamp.to_string();
    std::iter::once(("Authorization", signature.authorization.as_str()))
        .chain(header_values(credential, input, call, &timestamp))
        .map(|(name, value)| (name, value.to_owned()))
        .collect()
}

/// The headers of [`request_headers`] after `Authorization`, borrowed from their sources;
/// `timestamp` is the decimal Unix seconds.
pub fn header_values<'a>(
    credential: &'a Credential,
    input: &SigningInput<'a>,
    call: &CallContext<'a>,
    timestamp: &'a str,
) -> impl Iterator<Item = (&'static str, &'a str)> {
    let unsigned = matches!(input.payload, Payload::Unsigned);
    let always = [
        ("Content-Type", input.content_type),
        ("Host", input.host),
        ("X-TC-Action", call.action),
        ("X-TC-Timestamp", timestamp),
        ("X-TC-Version", call.version),
    ];
    let when_set = [
        ("X-TC-Region", call.region),
        ("X-TC-Language", call.language),
        ("X-TC-RequestClient", call.request_client),
        ("X-TC-Token", credential.token().unwrap_or("")),
        (
            "X-TC-Content-SHA256",
            if unsigned { UNSIGNED_PAYLOAD } else { "" },
        ),
    ];
    always
        .into_iter()
        .chain(when_set.into_iter().filter(|(_, value)| !value.is_empty()))
}

/// The signing key of one UTC day and service.
struct Day {
    /// `timestamp.div_euclid(86_400)`: the day's number since 1970-01-01.
    number: i64,
    service: String,
    date: String,
    key: SigningKey,
}

/// Signs requests with one credential, deriving the signing key once per (UTC day, service)
/// and reusing it until either changes: the path the [`Client`](crate::Client) and the C
/// signer handle take. Every result equals what [`sign`] and [`request_headers`] give.
///
/// Threads: `Send + Sync`; share one among all threads. The cache holds one key (the last
/// day and service used) behind a read-write lock, written only when the day or the service
/// changes.
pub struct Signer {
    credential: Credential,
    cache: RwLock<Option<Day>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        f.debug_struct("Signer")
            .field("credential", &self.credential)
            .field(
                "cached_key",
                &cache
                    .as_ref()
                    .map(|d| format!("{} ***", credential_scope(&d.date, &d.service))),
            )
            .finish()
    }
}

impl Signer {
    /// A signer for `credential`, with no key derived yet.
    pub fn new(credential: Credential) -> Signer {
        Signer {
            credential,
            cache: RwLock::new(None),
        }
    }

    /// The credential it signs with.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// Run `f` with the date and signing key of `timestamp`'s UTC day for `service`, deriving
    /// the key only when the cached one is for another day or service.
    ///
    /// Errors: those of [`credential_date`], and those of `f`.
    pub fn with_signing_key<T>(
        &self,
        timestamp: i64,
        service: &str,
        f: impl FnOnce(&str, &SigningKey) -> Result<T>,
    ) -> Result<T> {
        let number = timestamp.div_euclid(86_400);
        {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(day) = cache
                .as_ref()
                .filter(|d| d.number == number && d.service == service)
            {
                return f(&day.date, &day.key);
            }
        }
        let date = credential_date(timestamp)?;
        let key = derive_signing_key(self.credential.secret_key().expose(), &date, service);
        let result = f(&date, &key);
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(Day {
            number,
            service: service.to_owned(),
            date,
            key,
        });
        result
    }

    /// Every stage of the signature, as [`sign`] gives them.
    ///
    /// Errors: as [`sign`].
    pub fn sign(&self, input: &SigningInput<'_>) -> Result<Signature> {
        self.with_signing_key(input.timestamp, input.service, |date, key| {
            sign_with_key(self.credential.secret_id(), key, date, input)
        })
    }

    /// The `Authorization` value alone (what [`sign`](Self::sign) gives as `authorization`),
    /// without keeping the other stages.
    ///
    /// Errors: as [`sign`].
    pub fn authorization(&self, input: &SigningInput<'_>) -> Result<String> {
        let mut out = String::with_capacity(512);
        self.push_authorization(input, &mut out)?;
        Ok(out)
    }

    /// [`authorization`](Self::authorization) appended to `out`.
    ///
    /// Errors: as [`sign`].
    pub fn push_authorization(&self, input: &SigningInput<'_>, out: &mut String) -> Result<()> {
        self.with_signing_key(input.timestamp, input.service, |date, key| {
            push_signed_authorization(out, self.credential.secret_id(), key, date, input)
        })
    }

    /// Every header to send, as [`request_headers`] gives them (same names, values, order).
    ///
    /// Errors: as [`sign`].
    pub fn request_headers(
        &self,
        input: &SigningInput<'_>,
        call: &CallContext<'_>,
    ) -> Result<Vec<(&'static str, String)>> {
        let authorization = self.authorization(input)?;
        let timestamp = input.timestamp.to_string();
        Ok(std::iter::once(("Authorization", authorization.as_str()))
            .chain(header_values(&self.credential, input, call, &timestamp))
            .map(|(name, value)| (name, value.to_owned()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The [`Signer`] against every vector (tests/signing_vectors.rs checks the free functions
    /// stage by stage): same stages, same headers, with the key derived and then cached.
    #[test]
    fn signer_reproduces_every_vector() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../tests/vectors/tc3-vectors.json")).unwrap();
        let cases = vectors["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 15);
        for case in cases {
            let i = &case["input"];
            let e = &case["expect"];
            let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
            let credential = Credential::new(
                &text(&i["secret_id"]),
                &text(&i["secret_key"]),
                i["token"].as_str(),
            )
            .unwrap();
            let body = hex::decode(text(&i["body_hex"])).unwrap();
            let extra: Vec<(String, String)> = i["extra_signed_headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), text(v)))
                .collect();
            let extra: Vec<(&str, &str)> = extra
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (host, query, content_type, service) = (
                text(&i["host"]),
                text(&i["query"]),
                text(&i["content_type"]),
                text(&i["service"]),
            );
            let input = SigningInput {
                method: if i["method"] == "GET" {
                    Method::Get
                } else {
                    Method::Post
                },
                host: &host,
                query: &query,
                content_type: &content_type,
                payload: if i["unsigned_payload"].as_bool().unwrap() {
                    Payload::Unsigned
                } else {
                    Payload::Body(&body)
                },
                service: &service,
                timestamp: i["timestamp"].as_i64().unwrap(),
                extra_signed_headers: &extra,
            };
            let name = text(&case["name"]);
            let signer = Signer::new(credential.clone());
            let (region, action, version) =
                (text(&i["region"]), text(&i["action"]), text(&i["version"]));
            let call = CallContext {
                action: &action,
                version: &version,
                region: &region,
                language: "",
                request_client: "",
            };
            // Twice: the first derives the key, the second uses the cached one.
            for _ in 0..2 {
                let all = signer.sign(&input).unwrap();
                assert_eq!(all.authorization, text(&e["authorization"]), "{name}");
                assert_eq!(all, sign(&credential, &input).unwrap(), "{name}");
                assert_eq!(
                    signer.request_headers(&input, &call).unwrap(),
                    request_headers(&credential, &input, &call, &all),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn the_signer_matches_sign_when_the_day_service_or_request_changes() {
        let credential = Credential::new("id", "SECRETVALUE", None).unwrap();
        let signer = Signer::new(credential.clone());
        let input = SigningInput {
            method: Method::Post,
            host: "faceid.tencentcloudapi.com",
            query: "",
            content_type: CONTENT_TYPE_JSON,
            payload: Payload::Body(b"{}"),
            service: SERVICE,
            timestamp: 1551139199, // the last second of 2019-02-25
            extra_signed_headers: &[],
        };
        let next_day = SigningInput {
            timestamp: input.timestamp + 1,
            ..input
        };
        let other_service = SigningInput {
            service: "ocr",
            ..next_day
        };
        let other_host = SigningInput {
            host: "faceid.ap-singapore.tencentcloudapi.com",
            ..input
        };
        let get = SigningInput {
            method: Method::Get,
            query: "Action=GetCardVerificationResult",
            content_type: CONTENT_TYPE_FORM,
            payload: Payload::Body(b""),
            ..input
        };
        let extra = SigningInput {
            extra_signed_headers: &[("X-TC-Action", "ApplyCardVerification")],
            ..input
        };
        for input in [
            input,
            other_host,
            get,
            extra,
            input,
            next_day,
            other_service,
            input,
        ] {
            assert_eq!(
                signer.sign(&input).unwrap(),
                sign(&credential, &input).unwrap()
            );
        }
        assert!(format!("{signer:?}").contains("2019-02-25/faceid/tc3_request ***"));
        assert!(!format!("{signer:?}").contains("SECRETVALUE"));
    }

    #[test]
    fn long_secret_keys_are_hashed_as_hmac_does() {
        for secret in ["k".repeat(61), "k".repeat(62), "k".repeat(200)] {
            let joined = [b"TC3".as_slice(), secret.as_bytes()].concat();
            assert_eq!(
                hmac_with_seed(&secret, b"2023-11-14"),
                hmac_sha256(&joined, b"2023-11-14"),
                "secret of {} bytes",
                secret.len()
            );
        }
    }

    #[test]
    fn scope_date_is_utc_at_the_day_boundary_and_covers_the_calendar() {
        assert_eq!(credential_date(1551139199).unwrap(), "2019-02-25");
        assert_eq!(credential_date(1551139200).unwrap(), "2019-02-26");
        assert_eq!(credential_date(-1).unwrap(), "1969-12-31");
        assert_eq!(credential_date(253_402_300_800).unwrap(), "+10000-01-01");
        assert_eq!(
            credential_date(i64::MAX).unwrap_err().code(),
            ResultCode::InvalidArgument
        );
    }

    #[test]
    fn an_authorization_header_cannot_be_signed() {
        let err =
            canonical_headers("application/json", "h", &[("Authorization", "x")]).unwrap_err();
        assert_eq!(err.code(), ResultCode::InvalidOption);
        let err = canonical_headers("application/json", "h", &[("Host", "x")]).unwrap_err();
        assert_eq!(err.code(), ResultCode::InvalidOption);
    }
}
