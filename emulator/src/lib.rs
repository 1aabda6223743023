//! A local stand-in for both products, FaceID (2018-03-01) and OCR (2018-11-19, see `ocr`),
//! on one port, routed by `X-TC-Version` (then the action must be that product's, else
//! `InvalidAction`); the scope's service must be the product's (`faceid` / `ocr`) and the
//! region one of its regions. A dev tool beside the library: a real HTTP/1.1 server of its own
//! (accept loop, a thread per connection, `httparse`) on 127.0.0.1 that checks requests
//! exactly as the service does and answers with the
//! service's envelopes and error codes (spec §1–§5). Used in-process by tests through
//! [`Emulator`], and as the `tcfaceid-emulator` binary.
//!
//! ```no_run
//! use tcfaceid_emulator::{Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig { polling_wait_secs: 0, ..Default::default() })?;
//! println!("point the client at {}", emulator.endpoint()); // http://127.0.0.1:PORT
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # What a request goes through, in order
//! 1. **Faults** ([`EmulatorConfig::fault`]), before anything else: HTTP 500, a
//!    `RequestLimitExceeded` envelope, a dropped connection or an HTML body.
//! 2. **Body size**: over [`EmulatorConfig::max_body_bytes`] → `RequestSizeLimitExceeded`
//!    (the body is never held whole).
//! 3. **Temporary keys** (`credentials`, [`Emulator::credentials`]): the metadata service
//!    (`GET /latest/meta-data/cam/security-credentials/[<role>]`) and STS (`X-TC-Action:
//!    AssumeRole` / `AssumeRoleWithWebIdentity`) are answered here, issuing short-lived keys
//!    ([`CredentialsConfig`]).
//! 4. **Transport**: POST with `Content-Type: application/json` (optionally
//!    `; charset=utf-8`) or GET with `application/x-www-form-urlencoded` and the parameters in
//!    the query string (at most 32 KB). Other methods → `UnsupportedProtocol`; other content
//!    types → `InvalidParameter`.
//! 5. **Common headers**: `X-TC-Action`, `X-TC-Timestamp`, `X-TC-Version`, `X-TC-Region` present
//!    (`MissingParameter`); timestamp a decimal number (`InvalidParameter`); version `2018-03-01`
//!    or `2018-11-19` (`NoSuchVersion`); region one of the product's (`UnsupportedRegion`);
//!    `X-TC-Language`, when sent, one of [`tcfaceid::api::LANGUAGES`] (`InvalidParameterValue`).
//! 6. **Signature**: `Authorization` shape (`AuthFailure.InvalidAuthorization`), SecretId
//!    (`AuthFailure.SecretIdNotFound`), |timestamp − emulator clock| ≤ 300 s
//!    (`AuthFailure.SignatureExpire`), `content-type` and `host` signed, scope date = UTC date of
//!    the timestamp, scope service the product's, and the signature recomputed from the received
//!    method, query, signed header values, and body hash (or `UNSIGNED-PAYLOAD`)
//!    (`AuthFailure.SignatureFailure`); then `X-TC-Token` when the config has a token
//!    (`AuthFailure.TokenFailure`). A temporary key issued in step 3 signs too while it is
//!    valid, with its own token; an expired one gets `AuthFailure.TokenFailure` (counted), and
//!    [`CredentialsConfig::temporary_keys_only`] refuses the long-term key.
//! 7. **Action**: unknown → `InvalidAction`; offline mode → `ActionOffline`; then the
//!    action's own rules (see `rules`): `UnknownParameter`, `MissingParameter`,
//!    `InvalidParameterValue.InvalidParameterValueLimit`, `FailedOperation.ImageSizeTooLarge`,
//!    `InvalidParameter.EngineImageDecodeFailed`, `ResourceUnavailable.ImageDownloadError`.
//!
//! Every answer is HTTP 200 `application/json` with `{"Response":{...,"RequestId":...}}` (or
//! the error envelope) and a `Date` header from the emulator's clock, so a client can learn a
//! clock offset from it.
//!
//! # Images and URLs
//! Base64 images are checked like the service does (size ≤ 5 MiB of base64, PNG/JPEG that
//! decodes, ≤ 8000×8000). URLs are never downloaded: any http(s) URL counts as a good image,
//! except one containing `download-error`, which fails with
//! `ResourceUnavailable.ImageDownloadError`. Per side, a URL wins and that side's base64 is
//! ignored.
//!
//! # Tokens and verdicts
//! ApplyCardVerification issues a fresh UUID-shaped token. The first
//! [`EmulatorConfig::processing_polls`] GetCardVerificationResult calls per token answer
//! `PROCESSING` (no CardInfo); every later call answers the verdict with card data in the
//! CardInfo member that fits the document (see `cards`).
//!
//! **Reaching WARNING and REJECTED**: the verdict is [`EmulatorConfig::verdict`] (PASSED by
//! default), unless the request's *front URL* contains `rejected` (→ REJECTED, WarnInfo
//! `["FakeSuspected"]`) or `warning` (→ WARNING, WarnInfo `["PoorImageQuality"]`), matched
//! case-insensitively, `rejected` first. PASSED has an empty WarnInfo list.
//!
//! # HTTPS
//! With [`EmulatorConfig::tls`] (the binary's `--tls-cert PEM --tls-key PEM`) the emulator
//! serves HTTPS on the port and [`Emulator::endpoint`] gives `https://127.0.0.1:PORT`: each
//! connection is a `rustls::StreamOwned` (the client's own TLS stack) around the socket, so
//! every check, fault, counter and log line works as over plain HTTP. Clients must trust the issuing CA:
//! `ClientBuilder::ca_file` or `TCFACEID_CA_FILE`.
//!
//! # Log
//! One line per request (stderr when [`EmulatorConfig::log`], and/or
//! [`EmulatorConfig::log_sink`]): method, action, HTTP status, error code, RequestId, body size.
//! Never a header value, the SecretKey, the token or body contents.

mod cards;
mod config;
mod control;
mod credentials;
mod faults;
mod log;
mod ocr;
mod reply;
mod rules;
mod server;
mod service;
mod stats;
mod tls;
mod verify;
mod wire;

pub use config::{
    EmulatorConfig, Fault, FaultKind, LogSink, OcrStatus, TlsFiles, Verdict,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_PROCESSING_POLLS, DEFAULT_THREADS, DEMO_SECRET_ID,
    DEMO_SECRET_KEY,
};
pub use credentials::{
    CredentialAuthority, CredentialStats, CredentialsConfig, IssuedKey, KeySource, WebIdentityCall,
};
pub use server::Emulator;
pub use stats::Stats;
