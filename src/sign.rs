//! TC3-HMAC-SHA256 request signing as pure functions, every stage exposed (spec §1).
//!
//! Nothing here reads the clock or does I/O: the timestamp is an input, so every stage can be
//! checked against the vectors in `tests/vectors/tc3-vectors.json`.
//!
//! ```text
//! hashed_payload ─┐
//! canonical_headers ─> canonical_request ─> string_to_sign ─┐
//! credential_date ─> credential_scope ──────────────────────┤
//! derive_signing_key(secret, date, service) ────────────────┴─> signature ─> authorization
//! ```

use std::fmt::Write as _;
use std::sync::{OnceLock, RwLock};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::credential::Credential;
use crate::error::{Error, Result, ResultCode};

/// The algorithm name that starts the string to sign and the `Authorization` value.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The signing service name of FaceID. Never derived from the endpoint's host (see design.md).
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
    /// The signing service (`faceid` for this library; other values for the vectors).
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

/// Where a stage's text goes: a hasher or a MAC (the fast path, which never builds the text),
/// a buffer (the stages kept in [`Signature`]) or a [`Length`] counter (to size that buffer
/// exactly). Each stage is written by one function, so the bytes hashed are the bytes shown.
trait Sink {
    fn put(&mut self, piece: &str);
}

impl Sink for Sha256 {
    fn put(&mut self, piece: &str) {
        Digest::update(self, piece.as_bytes());
    }
}

impl Sink for HmacSha256 {
    fn put(&mut self, piece: &str) {
        Mac::update(self, piece.as_bytes());
    }
}

impl Sink for String {
    fn put(&mut self, piece: &str) {
        self.push_str(piece);
    }
}

/// Counts what a stage would write.
struct Length(usize);

impl Sink for Length {
    fn put(&mut self, piece: &str) {
        self.0 += piece.len();
    }
}

/// A stage's text, written piece by piece into any [`Sink`].
trait Text {
    fn write<S: Sink>(&self, out: &mut S);

    /// The text in a `String` of exactly its length (one allocation, no growth).
    fn to_text(&self) -> String {
        let mut length = Length(0);
        self.write(&mut length);
        let mut text = String::with_capacity(length.0);
        self.write(&mut text);
        debug_assert_eq!(text.len(), length.0);
        text
    }
}

/// `<date>/<service>/tc3_request`, or a credential scope given whole.
enum Scope<'a> {
    Parts { date: &'a str, service: &'a str },
    Whole(&'a str),
}

impl Text for Scope<'_> {
    fn write<S: Sink>(&self, out: &mut S) {
        match self {
            Scope::Parts { date, service } => {
                out.put(date);
                out.put("/");
                out.put(service);
                out.put("/tc3_request");
            }
            Scope::Whole(scope) => out.put(scope),
        }
    }
}

/// Lower-case hex of a SHA-256 digest or HMAC, on the stack.
struct Hex([u8; 64]);

impl Hex {
    fn of(bytes: &[u8; 32]) -> Hex {
        // Written so the compiler vectorises it (no table lookups): each nibble n becomes
        // '0' + n, plus 39 more ('a' - '0' - 10) when n > 9; then the digits are interleaved.
        let digit = |n: u8| n + b'0' + if n > 9 { 39 } else { 0 };
        let mut high = [0u8; 32];
        let mut low = [0u8; 32];
        for ((h, l), byte) in high.iter_mut().zip(low.iter_mut()).zip(bytes) {
            *h = digit(byte >> 4);
            *l = digit(byte & 0x0F);
        }
        let mut out = [0u8; 64];
        for (pair, (h, l)) in out.chunks_exact_mut(2).zip(high.iter().zip(&low)) {
            pair[0] = *h;
            pair[1] = *l;
        }
        Hex(out)
    }

    fn as_str(&self) -> &str {
        debug_assert!(self.0.iter().all(u8::is_ascii_hexdigit));
        // SAFETY: `Hex::of` writes every byte, and only the ASCII digits 0-9 and a-f, so the
        // bytes are UTF-8. (Checking costs ~90 instructions per call, paid up to seven times
        // per signature: a tenth of the formatting work around the hashing.)
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

/// The decimal text of an `i64` (as `Display` writes it), on the stack.
struct Decimal {
    buf: [u8; 20],
    start: usize,
}

/// The two decimal digits of 0 to 99.
static DECIMAL_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    pairs
};

impl Decimal {
    fn of(value: i64) -> Decimal {
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        let mut rest = value.unsigned_abs();
        // Two digits per division: half as long a chain of dependent divisions.
        while rest >= 100 {
            start -= 2;
            buf[start..start + 2].copy_from_slice(&DECIMAL_PAIRS[(rest % 100) as usize]);
            rest /= 100;
        }
        if rest >= 10 {
            start -= 2;
            buf[start..start + 2].copy_from_slice(&DECIMAL_PAIRS[rest as usize]);
        } else {
            start -= 1;
            buf[start] = b'0' + rest as u8;
        }
        if value < 0 {
            start -= 1;
            buf[start] = b'-';
        }
        Decimal { buf, start }
    }

    fn as_str(&self) -> &str {
        debug_assert!(self.buf[self.start..]
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'-'));
        // SAFETY: `Decimal::of` fills `buf[start..]` with ASCII digits and at most one '-',
        // so those bytes are UTF-8.
        unsafe { std::str::from_utf8_unchecked(&self.buf[self.start..]) }
    }
}

fn payload_hex(payload: Payload<'_>) -> Hex {
    match payload {
        Payload::Body(body) => Hex::of(&Sha256::digest(body).into()),
        Payload::Sha256(digest) => Hex::of(&digest),
        Payload::Unsigned => Hex::of(&Sha256::digest(UNSIGNED_PAYLOAD.as_bytes()).into()),
    }
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    Hex::of(&Sha256::digest(data).into()).as_str().to_owned()
}

/// Stage 1.6: the `HashedRequestPayload`.
pub fn hashed_payload(payload: Payload<'_>) -> String {
    payload_hex(payload).as_str().to_owned()
}

/// `YYYY-MM-DD` of a Unix timestamp for the years 0000 to 9999, computed directly
/// (Howard Hinnant's `civil_from_days`); `None` outside those years.
fn utc_date(timestamp: i64) -> Option<[u8; 10]> {
    const FIRST: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    if !(FIRST..=LAST).contains(&timestamp) {
        return None;
    }
    let z = timestamp.div_euclid(86_400) + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let pair = |n: i64| DECIMAL_PAIRS[n as usize];
    let ([y1, y2], [y3, y4]) = (pair(year / 100), pair(year % 100));
    let ([m1, m2], [d1, d2]) = (pair(month), pair(day));
    Some([y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2])
}

/// The `YYYY-MM-DD` date of a Unix timestamp in UTC (never local time).
///
/// Errors: [`ResultCode::InvalidArgument`] for a timestamp outside the calendar's range.
pub fn credential_date(timestamp: i64) -> Result<String> {
    if let Some(date) = utc_date(timestamp) {
        return Ok(String::from_utf8(date.to_vec()).expect("date digits are ASCII"));
    }
    // Years before 0000 or after 9999: chrono's own spelling (signed, more digits).
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
    Scope::Parts { date, service }.to_text()
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
    let mut headers: Vec<(String, String)> = Vec::with_capacity(2 + extra.len());
    headers.push(("content-type".to_owned(), content_type.trim().to_owned()));
    headers.push(("host".to_owned(), host.trim().to_owned()));
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
        headers.push((name, value.trim().to_lowercase()));
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut block = String::new();
    let mut names = String::new();
    for (name, value) in &headers {
        let _ = writeln!(block, "{name}:{value}");
        if !names.is_empty() {
            names.push(';');
        }
        names.push_str(name);
    }
    Ok((block, names))
}

/// `str::trim`, without the scan when both ends are visible ASCII (they are not whitespace).
fn trim(value: &str) -> &str {
    match value.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// The signed headers of one request: written piece by piece when only `content-type` and
/// `host` are signed (every call of this library), built by [`canonical_headers`] otherwise.
enum SignedHeaders<'a> {
    Plain {
        content_type: &'a str,
        host: &'a str,
    },
    Built {
        block: String,
        names: String,
    },
}

impl<'a> SignedHeaders<'a> {
    fn of(input: &SigningInput<'a>) -> Result<SignedHeaders<'a>> {
        if input.extra_signed_headers.is_empty() {
            // What canonical_headers gives without extras: the two trimmed values, sorted.
            return Ok(SignedHeaders::Plain {
                content_type: trim(input.content_type),
                host: trim(input.host),
            });
        }
        let (block, names) =
            canonical_headers(input.content_type, input.host, input.extra_signed_headers)?;
        Ok(SignedHeaders::Built { block, names })
    }

    fn names(&self) -> &str {
        match self {
            SignedHeaders::Plain { .. } => "content-type;host",
            SignedHeaders::Built { names, .. } => names,
        }
    }
}

/// The canonical headers block and the signed header names.
enum HeaderBlock<'a> {
    Signed(&'a SignedHeaders<'a>),
    Whole { block: &'a str, names: &'a str },
}

/// Stage 1's text: its head, then the hashed payload.
struct CanonicalRequest<'a> {
    head: RequestHead<'a>,
    /// Lower-case hex.
    hashed_payload: &'a str,
}

impl Text for CanonicalRequest<'_> {
    fn write<S: Sink>(&self, out: &mut S) {
        self.head.write(out);
        out.put(self.hashed_payload);
    }
}

/// The canonical request up to the hashed payload: method, `/`, query, headers block and
/// signed header names, each followed by a newline.
struct RequestHead<'a> {
    method: Method,
    query: &'a str,
    headers: HeaderBlock<'a>,
}

impl Text for RequestHead<'_> {
    fn write<S: Sink>(&self, out: &mut S) {
        out.put(match self.method {
            Method::Post => "POST\n/\n",
            Method::Get => "GET\n/\n",
        });
        if !self.query.is_empty() {
            out.put(self.query);
        }
        match self.headers {
            // The text canonical_headers gives for the two headers, with the constant parts
            // joined (fewer, longer pieces hash faster).
            HeaderBlock::Signed(SignedHeaders::Plain { content_type, host }) => {
                out.put("\ncontent-type:");
                out.put(content_type);
                out.put("\nhost:");
                out.put(host);
                out.put("\n\ncontent-type;host\n");
            }
            HeaderBlock::Signed(SignedHeaders::Built { block, names }) => {
                write_block_and_names(out, block, names)
            }
            HeaderBlock::Whole { block, names } => write_block_and_names(out, block, names),
        }
    }
}

fn write_block_and_names<S: Sink>(out: &mut S, block: &str, names: &str) {
    out.put("\n");
    out.put(block);
    out.put("\n");
    out.put(names);
    out.put("\n");
}

/// Stage 1: the canonical request.
pub fn canonical_request(
    method: Method,
    query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    hashed_payload: &str,
) -> String {
    CanonicalRequest {
        head: RequestHead {
            method,
            query,
            headers: HeaderBlock::Whole {
                block: canonical_headers,
                names: signed_headers,
            },
        },
        hashed_payload,
    }
    .to_text()
}

/// The credential scope between the two newlines that frame it in the string to sign.
enum ScopeLine<'a> {
    Scope(&'a Scope<'a>),
    /// `\n<scope>\n`, formatted once per day.
    Joined(&'a str),
}

impl Text for ScopeLine<'_> {
    fn write<S: Sink>(&self, out: &mut S) {
        match self {
            ScopeLine::Scope(scope) => {
                out.put("\n");
                scope.write(out);
                out.put("\n");
            }
            ScopeLine::Joined(line) => out.put(line),
        }
    }
}

/// [`ALGORITHM`] and the newline after it.
const ALGORITHM_LINE: &str = "TC3-HMAC-SHA256\n";

/// Stage 3's text: algorithm, timestamp, credential scope, hash of the canonical request.
struct StringToSign<'a> {
    /// Decimal digits.
    timestamp: &'a str,
    scope: ScopeLine<'a>,
    /// Lower-case hex.
    canonical_request_sha256: &'a str,
}

impl Text for StringToSign<'_> {
    fn write<S: Sink>(&self, out: &mut S) {
        out.put(ALGORITHM_LINE);
        out.put(self.timestamp);
        self.scope.write(out);
        out.put(self.canonical_request_sha256);
    }
}

/// Stage 3: the string to sign.
pub fn string_to_sign(timestamp: i64, credential_scope: &str, canonical_request: &str) -> String {
    StringToSign {
        timestamp: Decimal::of(timestamp).as_str(),
        scope: ScopeLine::Scope(&Scope::Whole(credential_scope)),
        canonical_request_sha256: Hex::of(&Sha256::digest(canonical_request.as_bytes()).into())
            .as_str(),
    }
    .to_text()
}

/// HMAC keyed with `"TC3" + secret_key`, without copying the secret to the heap.
fn hmac_with_seed(secret_key: &str, data: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64; // SHA-256's block size
    let len = 3 + secret_key.len();
    if len <= BLOCK {
        let mut seed = Zeroizing::new([0u8; BLOCK]);
        seed[..3].copy_from_slice(b"TC3");
        seed[3..len].copy_from_slice(secret_key.as_bytes());
        hmac_sha256(&seed[..len], data)
    } else {
        // HMAC replaces a key longer than the block by its hash (RFC 2104 §2), as the hmac
        // crate would: hash the two parts without joining them.
        let hashed: Zeroizing<[u8; 32]> = Zeroizing::new(
            Sha256::new()
                .chain_update(b"TC3")
                .chain_update(secret_key.as_bytes())
                .finalize()
                .into(),
        );
        hmac_sha256(&*hashed, data)
    }
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
    Hex::of(&hmac_sha256(&*signing_key.0, string_to_sign.as_bytes()))
        .as_str()
        .to_owned()
}

/// Stage 5's text.
struct Authorization<'a> {
    secret_id: &'a str,
    scope: &'a Scope<'a>,
    signed_headers: &'a str,
    signature: &'a str,
}

/// The part of the `Authorization` value that is the same all day:
/// `TC3-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=`.
struct AuthorizationPrefix<'a> {
    secret_id: &'a str,
    scope: &'a Scope<'a>,
}

impl Text for AuthorizationPrefix<'_> {
    fn write<S: Sink>(&self, out: &mut S) {
        out.put(ALGORITHM);
        out.put(" Credential=");
        out.put(self.secret_id);
        out.put("/");
        self.scope.write(out);
        out.put(", SignedHeaders=");
    }
}

/// The rest: `<signed headers>, Signature=<signature>`.
fn write_authorization_rest<S: Sink>(out: &mut S, signed_headers: &str, signature: &str) {
    out.put(signed_headers);
    out.put(", Signature=");
    out.put(signature);
}

impl Text for Authorization<'_> {
    fn write<S: Sink>(&self, out: &mut S) {
        AuthorizationPrefix {
            secret_id: self.secret_id,
            scope: self.scope,
        }
        .write(out);
        write_authorization_rest(out, self.signed_headers, self.signature);
    }
}

/// Stage 5: the `Authorization` header value.
pub fn authorization(
    secret_id: &str,
    credential_scope: &str,
    signed_headers: &str,
    signature: &str,
) -> String {
    Authorization {
        secret_id,
        scope: &Scope::Whole(credential_scope),
        signed_headers,
        signature,
    }
    .to_text()
}

/// All stages for one request, deriving the signing key.
pub fn sign(credential: &Credential, input: &SigningInput<'_>) -> Result<Signature> {
    let date = credential_date(input.timestamp)?;
    let key = derive_signing_key(credential.secret_key().expose(), &date, input.service);
    all_stages(credential.secret_id(), &key, date, input)
}

/// All stages for one request with an already derived signing key for `date`
/// (`date` must be [`credential_date`] of `input.timestamp`).
pub fn sign_with_key(
    secret_id: &str,
    key: &SigningKey,
    date: &str,
    input: &SigningInput<'_>,
) -> Result<Signature> {
    all_stages(secret_id, key, date.to_owned(), input)
}

fn all_stages(
    secret_id: &str,
    key: &SigningKey,
    date: String,
    input: &SigningInput<'_>,
) -> Result<Signature> {
    let hashed_payload = payload_hex(input.payload);
    let headers = SignedHeaders::of(input)?;
    let canonical_request = CanonicalRequest {
        head: RequestHead {
            method: input.method,
            query: input.query,
            headers: HeaderBlock::Signed(&headers),
        },
        hashed_payload: hashed_payload.as_str(),
    }
    .to_text();
    let canonical_request_sha256 = Hex::of(&Sha256::digest(canonical_request.as_bytes()).into());
    let scope = Scope::Parts {
        date: &date,
        service: input.service,
    };
    let string_to_sign = StringToSign {
        timestamp: Decimal::of(input.timestamp).as_str(),
        scope: ScopeLine::Scope(&scope),
        canonical_request_sha256: canonical_request_sha256.as_str(),
    }
    .to_text();
    let signature = Hex::of(&hmac_sha256(&*key.0, string_to_sign.as_bytes()));
    let authorization = Authorization {
        secret_id,
        scope: &scope,
        signed_headers: headers.names(),
        signature: signature.as_str(),
    }
    .to_text();
    Ok(Signature {
        hashed_payload: hashed_payload.as_str().to_owned(),
        canonical_request,
        canonical_request_sha256: canonical_request_sha256.as_str().to_owned(),
        credential_scope: scope.to_text(),
        date,
        string_to_sign,
        signed_headers: headers.names().to_owned(),
        signature: signature.as_str().to_owned(),
        authorization,
    })
}

/// What is the same for every request of one (date, service): the signing key, and the texts
/// that only depend on it, formatted once.
struct Day {
    /// `timestamp.div_euclid(86_400)` of the date.
    number: i64,
    service: String,
    date: String,
    key: SigningKey,
    /// `<date>/<service>/tc3_request`.
    scope: String,
    /// The scope with the newlines around it in the string to sign.
    scope_line: String,
    /// [`AuthorizationPrefix`] of the signer's SecretId.
    authorization_prefix: String,
    /// The [`RequestHead`] of the first request signed this day without extra signed headers:
    /// a Client's calls all have the same method, query, content type and host.
    head: OnceLock<CachedHead>,
}

/// `a == b` for the short strings of a request head, without a call to libc's `memcmp`: on
/// this machine (glibc's AVX-512 variant) three such calls cost ~25 ns, more than the cached
/// head saves; this loop costs a few.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

struct CachedHead {
    method: Method,
    query: String,
    content_type: String,
    host: String,
    text: String,
}

impl CachedHead {
    /// Whether `input` has this head (its extra signed headers are checked by the caller).
    fn matches(&self, input: &SigningInput<'_>) -> bool {
        self.method == input.method
            && same(&self.query, input.query)
            && same(&self.content_type, input.content_type)
            && same(&self.host, input.host)
    }
}

impl Day {
    fn new(secret_id: &str, secret_key: &str, timestamp: i64, service: &str) -> Result<Day> {
        let date = credential_date(timestamp)?;
        let key = derive_signing_key(secret_key, &date, service);
        let scope = Scope::Parts {
            date: &date,
            service,
        };
        let authorization_prefix = AuthorizationPrefix {
            secret_id,
            scope: &scope,
        }
        .to_text();
        let scope_line = ScopeLine::Scope(&scope).to_text();
        let scope = scope.to_text();
        Ok(Day {
            number: timestamp.div_euclid(86_400),
            service: service.to_owned(),
            date,
            key,
            scope,
            scope_line,
            authorization_prefix,
            head: OnceLock::new(),
        })
    }

    /// The text of `input`'s [`RequestHead`] when it is the one cached today (cached now if
    /// none is yet); `None` for another head, or one with extra signed headers.
    fn cached_head(&self, input: &SigningInput<'_>, headers: &SignedHeaders<'_>) -> Option<&str> {
        if !matches!(headers, SignedHeaders::Plain { .. }) {
            return None;
        }
        let head = self.head.get_or_init(|| CachedHead {
            method: input.method,
            query: input.query.to_owned(),
            content_type: input.content_type.to_owned(),
            host: input.host.to_owned(),
            text: RequestHead {
                method: input.method,
                query: input.query,
                headers: HeaderBlock::Signed(headers),
            }
            .to_text(),
        });
        head.matches(input).then_some(head.text.as_str())
    }

    fn covers(&self, timestamp: i64, service: &str) -> bool {
        self.number == timestamp.div_euclid(86_400) && same(&self.service, service)
    }

    /// The `Authorization` value alone, as [`sign_with_key`] computes it, without building
    /// the other stages: the canonical request and the string to sign go straight into the
    /// hasher and the MAC, and the only allocation is the value returned.
    fn authorization(&self, input: &SigningInput<'_>) -> Result<String> {
        let hashed_payload = payload_hex(input.payload);
        let headers = SignedHeaders::of(input)?;
        let mut hasher = Sha256::new();
        match self.cached_head(input, &headers) {
            Some(head) => hasher.put(head),
            None => RequestHead {
                method: input.method,
                query: input.query,
                headers: HeaderBlock::Signed(&headers),
            }
            .write(&mut hasher),
        }
        hasher.put(hashed_payload.as_str());
        let canonical_request_sha256 = Hex::of(&hasher.finalize().into());
        let mut mac =
            HmacSha256::new_from_slice(&*self.key.0).expect("HMAC accepts keys of any length");
        StringToSign {
            timestamp: Decimal::of(input.timestamp).as_str(),
            scope: ScopeLine::Joined(&self.scope_line),
            canonical_request_sha256: canonical_request_sha256.as_str(),
        }
        .write(&mut mac);
        let signature = Hex::of(&mac.finalize().into_bytes().into());
        let names = headers.names();
        let mut value = String::with_capacity(
            self.authorization_prefix.len() + names.len() + ", Signature=".len() + 64,
        );
        value.push_str(&self.authorization_prefix);
        write_authorization_rest(&mut value, names, signature.as_str());
        Ok(value)
    }
}

/// The common parameters of one call, sent as `X-TC-*` headers (spec §2.1).
#[derive(Clone, Copy, Debug)]
pub struct CallContext<'a> {
    /// `X-TC-Action`, e.g. `ApplyCardVerification`.
    pub action: &'a str,
    /// `X-TC-Version`, e.g. `2018-03-01`.
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
    headers_with(credential, input, call, signature.authorization.clone())
}

fn headers_with(
    credential: &Credential,
    input: &SigningInput<'_>,
    call: &CallContext<'_>,
    authorization: String,
) -> Vec<(&'static str, String)> {
    let mut headers = Vec::with_capacity(11);
    headers.extend([
        ("Authorization", authorization),
        ("Content-Type", input.content_type.to_owned()),
        ("Host", input.host.to_owned()),
        ("X-TC-Action", call.action.to_owned()),
        ("X-TC-Timestamp", input.timestamp.to_string()),
        ("X-TC-Version", call.version.to_owned()),
    ]);
    let optional = [
        ("X-TC-Region", call.region),
        ("X-TC-Language", call.language),
        ("X-TC-RequestClient", call.request_client),
        ("X-TC-Token", credential.token().unwrap_or("")),
    ];
    for (name, value) in optional {
        if !value.is_empty() {
            headers.push((name, value.to_owned()));
        }
    }
    if matches!(input.payload, Payload::Unsigned) {
        headers.push(("X-TC-Content-SHA256", UNSIGNED_PAYLOAD.to_owned()));
    }
    headers
}

/// Signs requests with one credential, deriving the signing key once per (UTC date, service)
/// and reusing it until the date changes: the path the [`Client`](crate::Client) takes for
/// every call. [`sign`] derives the key every time; a `Signer` does it once a day.
///
/// Every method gives exactly what the free functions give for the same input:
/// [`Signer::sign`] equals [`sign`], [`Signer::authorization`] its `authorization`, and
/// [`Signer::request_headers`] equals [`request_headers`].
///
/// Threads: `Send + Sync`; share one among all threads. The cache holds one key (the last
/// date and service used), behind a read-write lock that is held for reading while a request
/// is signed and for writing only when the date or the service changes.
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
                &cache.as_ref().map(|d| format!("{} ***", d.scope)),
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
        self.with_day(timestamp, service, |day| f(&day.date, &day.key))
    }

    fn with_day<T>(
        &self,
        timestamp: i64,
        service: &str,
        f: impl FnOnce(&Day) -> Result<T>,
    ) -> Result<T> {
        {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(day) = cache.as_ref().filter(|d| d.covers(timestamp, service)) {
                return f(day);
            }
        }
        let day = Day::new(
            self.credential.secret_id(),
            self.credential.secret_key().expose(),
            timestamp,
            service,
        )?;
        let result = f(&day);
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(day);
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

    /// The `Authorization` value alone: the canonical request and the string to sign are
    /// hashed as they are written, never built, so the only allocation is the value returned.
    ///
    /// Errors: as [`sign`].
    pub fn authorization(&self, input: &SigningInput<'_>) -> Result<String> {
        self.with_day(input.timestamp, input.service, |day| {
            day.authorization(input)
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
        Ok(headers_with(&self.credential, input, call, authorization))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_date_agrees_with_chrono_over_the_four_digit_years() {
        let chrono_date = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .unwrap()
                .format("%Y-%m-%d")
                .to_string()
        };
        let fast = |t: i64| String::from_utf8(utc_date(t).unwrap().to_vec()).unwrap();
        let first = -62_167_219_200;
        let last = 253_402_300_799;
        let mut checked = vec![
            first,
            first + 86_399,
            first + 86_400,
            last - 86_400,
            last,
            0,
            -1,
        ];
        // Every day boundary of 1965..2035, then a stride across the whole range.
        checked.extend(
            (-1_900_000_000..2_100_000_000)
                .step_by(86_400)
                .flat_map(|t| [t - 1, t]),
        );
        checked.extend((first..=last).step_by(9_999_991));
        for t in checked {
            assert_eq!(fast(t), chrono_date(t), "timestamp {t}");
        }
        assert_eq!(utc_date(first - 1), None);
        assert_eq!(utc_date(last + 1), None);
        assert_eq!(credential_date(first - 1).unwrap(), chrono_date(first - 1));
        assert_eq!(credential_date(last + 1).unwrap(), "+10000-01-01");
        assert_eq!(
            credential_date(i64::MAX).unwrap_err().code(),
            ResultCode::InvalidArgument
        );
    }

    #[test]
    fn decimal_matches_display() {
        for v in [
            0,
            1,
            -1,
            9,
            10,
            1_700_000_000,
            i64::MAX,
            i64::MIN,
            -1_234_567,
        ] {
            assert_eq!(Decimal::of(v).as_str(), v.to_string());
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for value in [
            "",
            "a",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{3000}",
            "\u{b}x\t",
            "ab",
            " ",
            "a b",
        ] {
            assert_eq!(trim(value), value.trim(), "{value:?}");
        }
        assert!(ALGORITHM_LINE.strip_suffix('\n') == Some(ALGORITHM));
        for (a, b) in [
            ("", ""),
            ("a", "a"),
            ("a", "b"),
            ("ab", "a"),
            ("host", "host"),
            ("hosT", "host"),
        ] {
            assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
        }
    }

    #[test]
    fn hex_matches_the_hex_crate() {
        let digest: [u8; 32] = Sha256::digest(b"abc").into();
        assert_eq!(Hex::of(&digest).as_str(), hex::encode(digest));
        assert_eq!(Hex::of(&[0xFF; 32]).as_str(), "f".repeat(64));
        // Every byte value, in every position.
        for first in (0..=255u8).step_by(32) {
            let bytes: [u8; 32] = std::array::from_fn(|i| first.wrapping_add(i as u8));
            assert_eq!(Hex::of(&bytes).as_str(), hex::encode(bytes));
        }
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

    /// The fast paths of [`Signer`] against every vector (tests/signing_vectors.rs checks the
    /// free functions): same Authorization, same Signature, same headers.
    #[test]
    fn signer_reproduces_every_vector() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../tests/vectors/tc3-vectors.json")).unwrap();
        let cases = vectors["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 11);
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
            // Twice: the first derives the key, the second uses the cached one.
            for _ in 0..2 {
                assert_eq!(
                    signer.authorization(&input).unwrap(),
                    text(&e["authorization"]),
                    "{name}"
                );
                let all = signer.sign(&input).unwrap();
                assert_eq!(all, sign(&credential, &input).unwrap(), "{name}");
                assert_eq!(all.string_to_sign, text(&e["string_to_sign"]), "{name}");
                let (region, action, version) =
                    (text(&i["region"]), text(&i["action"]), text(&i["version"]));
                let call = CallContext {
                    action: &action,
                    version: &version,
                    region: &region,
                    language: "",
                    request_client: "",
                };
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
            service: "cvm",
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
                signer.authorization(&input).unwrap(),
                sign(&credential, &input).unwrap().authorization
            );
            assert_eq!(
                signer.sign(&input).unwrap(),
                sign(&credential, &input).unwrap()
            );
        }
        assert!(format!("{signer:?}").contains("2019-02-25/faceid/tc3_request ***"));
        assert!(!format!("{signer:?}").contains("SECRETVALUE"));
    }

    #[test]
    fn scope_date_is_utc_at_the_day_boundary() {
        assert_eq!(credential_date(1551139199).unwrap(), "2019-02-25");
        assert_eq!(credential_date(1551139200).unwrap(), "2019-02-26");
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
