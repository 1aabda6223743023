//! What the emulator answers: the service's error codes, the JSON envelopes (spec §2.2), and the
//! UUID-shaped ids it hands out.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use tcfaceid::api::ServiceErrorBody;

/// Error codes the emulator answers with (spec §3, §4.3, §5.5).
pub(crate) mod code {
    pub const ACTION_OFFLINE: &str = "ActionOffline";
    pub const INVALID_AUTHORIZATION: &str = "AuthFailure.InvalidAuthorization";
    pub const SECRET_ID_NOT_FOUND: &str = "AuthFailure.SecretIdNotFound";
    pub const SIGNATURE_EXPIRE: &str = "AuthFailure.SignatureExpire";
    pub const SIGNATURE_FAILURE: &str = "AuthFailure.SignatureFailure";
    pub const TOKEN_FAILURE: &str = "AuthFailure.TokenFailure";
    pub const INVALID_ACTION: &str = "InvalidAction";
    pub const INVALID_PARAMETER: &str = "InvalidParameter";
    pub const INVALID_PARAMETER_VALUE: &str = "InvalidParameterValue";
    pub const MISSING_PARAMETER: &str = "MissingParameter";
    pub const NO_SUCH_VERSION: &str = "NoSuchVersion";
    pub const REQUEST_LIMIT_EXCEEDED: &str = "RequestLimitExceeded";
    pub const REQUEST_SIZE_LIMIT_EXCEEDED: &str = "RequestSizeLimitExceeded";
    pub const UNKNOWN_PARAMETER: &str = "UnknownParameter";
    pub const UNSUPPORTED_PROTOCOL: &str = "UnsupportedProtocol";
    pub const UNSUPPORTED_REGION: &str = "UnsupportedRegion";
    pub const IMAGE_SIZE_TOO_LARGE: &str = "FailedOperation.ImageSizeTooLarge";
    pub const IMAGE_DECODE_FAILED: &str = "InvalidParameter.EngineImageDecodeFailed";
    pub const VALUE_LIMIT: &str = "InvalidParameterValue.InvalidParameterValueLimit";
    pub const IMAGE_DOWNLOAD_ERROR: &str = "ResourceUnavailable.ImageDownloadError";
    pub const INVALID_FILE_CONTENT_SIZE: &str = "InvalidParameterValue.InvalidFileContentSize";
    pub const OCR_FAILED: &str = "FailedOperation.OcrFailed";
}

/// An error the service would answer, as `Response.Error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// One of [`code`].
    pub code: &'static str,
    /// Text for people (English; `X-TC-Language` is checked but does not translate).
    pub message: String,
}

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

/// The body of one answer before it is put on the wire.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    /// HTTP status (200 for every envelope, success or error).
    pub status: u16,
    /// `Content-Type` of the body.
    pub content_type: &'static str,
    /// The body bytes.
    pub body: Vec<u8>,
    /// `Response.RequestId`, for the log.
    pub request_id: Option<String>,
    /// `Response.Error.Code`, for the log and the stats.
    pub error_code: Option<&'static str>,
}

/// `Content-Type` of every envelope.
pub(crate) const JSON: &str = "application/json";

#[derive(Serialize)]
struct Envelope<T> {
    #[serde(rename = "Response")]
    response: T,
}

#[derive(Serialize)]
struct ErrorResponse<'a> {
    #[serde(rename = "Error")]
    error: ServiceErrorBody,
    #[serde(rename = "RequestId")]
    request_id: &'a str,
}

impl Reply {
    /// `{"Response":{"Error":{"Code":..,"Message":..},"RequestId":..}}`.
    pub fn error(error: ApiError, request_id: String) -> Reply {
        let envelope = Envelope {
            response: ErrorResponse {
                error: ServiceErrorBody {
                    code: error.code.to_owned(),
                    message: error.message,
                },
                request_id: &request_id,
            },
        };
        Reply {
            status: 200,
            content_type: JSON,
            body: to_json(&envelope),
            error_code: Some(error.code),
            request_id: Some(request_id),
        }
    }

    /// `{"Response":{...fields of response...}}`; `response` carries its own `RequestId`.
    pub fn success<T: Serialize>(response: &T, request_id: String) -> Reply {
        Reply {
            status: 200,
            content_type: JSON,
            body: to_json(&Envelope { response }),
            error_code: None,
            request_id: Some(request_id),
        }
    }

    /// A non-envelope answer (injected faults).
    pub fn raw(status: u16, content_type: &'static str, body: &str) -> Reply {
        Reply {
            status,
            content_type,
            body: body.as_bytes().to_vec(),
            error_code: None,
            request_id: None,
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain structs of strings and integers cannot fail; an empty body would
    // still reach the client as a protocol error rather than a panic here.
    serde_json::to_vec(value).unwrap_or_default()
}

/// Unique UUID-shaped ids (version 4 layout) without an extra crate: 74 bits hashed from a
/// per-process random seed, the clock and a counter, plus 48 bits that are a bijection of the
/// counter, so no two ids of one generator are ever equal (for 2^48 ids).
pub(crate) struct IdGenerator {
    seed: RandomState,
    salt: u64,
    counter: AtomicU64,
}

impl IdGenerator {
    pub fn new() -> IdGenerator {
        let seed = RandomState::new();
        let salt = seed.hash_one(0x5eed_u64);
        IdGenerator {
            seed,
            salt,
            counter: AtomicU64::new(0),
        }
    }

    /// The next id, e.g. `3f2a9c41-7d0e-4b6a-9c3e-0000a1b2c3d4`.
    pub fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let mut hasher = self.seed.build_hasher();
        hasher.write_u64(n);
        hasher.write_u128(nanos);
        let high = hasher.finish();
        hasher.write_u64(high);
        let variant = 0x8000 | (hasher.finish() & 0x3FFF);
        // Multiplying by an odd constant permutes the residues mod 2^48, so distinct counters
        // stay distinct while the ids do not look sequential.
        let unique = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.salt) & 0xFFFF_FFFF_FFFF;
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xFFFF,
            high & 0x0FFF,
            variant,
            unique
        )
    }
}

/// An RFC 7231 `Date` value (`Sun, 06 Nov 1994 08:49:37 GMT`) for Unix seconds.
pub(crate) fn http_date(unix_secs: i64) -> Option<String> {
    let moment = chrono::DateTime::from_timestamp(unix_secs, 0)?;
    Some(moment.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_unique() {
        let ids = IdGenerator::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = ids.next();
            assert_eq!(id.len(), 36, "{id}");
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(parts[2].starts_with('4'), "{id}");
            assert!(
                matches!(parts[3].as_bytes()[0], b'8'..=b'9' | b'a'..=b'b'),
                "{id}"
            );
            assert!(id
                .bytes()
                .all(|b| b == b'-' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn error_envelope_has_the_service_shape() {
        let reply = Reply::error(ApiError::new(code::INVALID_ACTION, "no"), "rid".to_owned());
        let value: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(value["Response"]["Error"]["Code"], "InvalidAction");
        assert_eq!(value["Response"]["Error"]["Message"], "no");
        assert_eq!(value["Response"]["RequestId"], "rid");
    }

    #[test]
    fn http_dates_are_imf_fixdate() {
        assert_eq!(
            http_date(784111777).unwrap(),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }
}
