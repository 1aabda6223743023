//! What an emulator is told to do: credentials, polling behaviour, verdict, faults, limits, log.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tcfaceid::api::VerificationStatus;

/// The demo SecretId the emulator accepts by default (not a real Tencent Cloud key).
pub const DEMO_SECRET_ID: &str = "AKIDTCFACEIDEMULATOR0000000000000000";
/// The demo SecretKey the emulator accepts by default (not a real Tencent Cloud key).
pub const DEMO_SECRET_KEY: &str = "tcfaceid-emulator-demo-secret-key";

/// Default number of PROCESSING answers per token before the verdict.
pub const DEFAULT_PROCESSING_POLLS: u32 = 2;
/// Default request body limit: 12 MiB (two 5 MiB base64 images plus room).
pub const DEFAULT_MAX_BODY_BYTES: usize = 12 * 1024 * 1024;
/// Default number of worker threads answering requests.
pub const DEFAULT_THREADS: usize = 16;

/// The verdict GetCardVerificationResult gives once the PROCESSING polls are used up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// `PASSED`, with an empty WarnInfo list.
    #[default]
    Passed,
    /// `WARNING`, with WarnInfo `["PoorImageQuality"]`.
    Warning,
    /// `REJECTED`, with WarnInfo `["FakeSuspected"]`.
    Rejected,
}

impl Verdict {
    /// The status this verdict is answered with.
    pub fn status(self) -> VerificationStatus {
        match self {
            Verdict::Passed => VerificationStatus::Passed,
            Verdict::Warning => VerificationStatus::Warning,
            Verdict::Rejected => VerificationStatus::Rejected,
        }
    }

    /// The WarnInfo reasons of this verdict (strings from the successor API's vocabulary,
    /// spec §5.4; the service publishes none for this action).
    pub fn warn_info(self) -> Vec<String> {
        match self {
            Verdict::Passed => Vec::new(),
            Verdict::Warning => vec!["PoorImageQuality".to_owned()],
            Verdict::Rejected => vec!["FakeSuspected".to_owned()],
        }
    }

    /// Read `passed`, `warning` or `rejected` (any case).
    pub fn parse(text: &str) -> Option<Verdict> {
        match text.to_ascii_lowercase().as_str() {
            "passed" => Some(Verdict::Passed),
            "warning" => Some(Verdict::Warning),
            "rejected" => Some(Verdict::Rejected),
            _ => None,
        }
    }
}

/// Which Status vocabulary the OCR product answers with (OCR spec §4.2.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OcrStatus {
    /// Since 2026-06: `COMPLETED` (the verdict is in WarnInfo) or `ABNORMAL`.
    #[default]
    Current,
    /// Until 2026-06: `PASSED` or `WARNING` (a rejected document is a `WARNING`).
    Legacy,
}

impl OcrStatus {
    /// The OCR status of a verdict: current `COMPLETED` (every verdict), legacy `PASSED` /
    /// `WARNING`. `ABNORMAL` is asked for by the request (see the emulator's docs).
    pub fn status(self, verdict: Verdict) -> VerificationStatus {
        match (self, verdict) {
            (OcrStatus::Current, _) => VerificationStatus::Completed,
            (OcrStatus::Legacy, Verdict::Passed) => VerificationStatus::Passed,
            (OcrStatus::Legacy, _) => VerificationStatus::Warning,
        }
    }

    /// Read `current` or `legacy` (any case).
    pub fn parse(text: &str) -> Option<OcrStatus> {
        match text.to_ascii_lowercase().as_str() {
            "current" => Some(OcrStatus::Current),
            "legacy" => Some(OcrStatus::Legacy),
            _ => None,
        }
    }
}

/// A kind of injected failure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// No fault: every request is answered normally.
    #[default]
    None,
    /// HTTP 500 with a short plain-text body.
    Http500,
    /// HTTP 200 with the error envelope `RequestLimitExceeded`.
    RateLimit,
    /// The TCP connection is closed without a single response byte.
    Drop,
    /// HTTP 200, `Content-Type: text/html`, a body that is not JSON.
    Garbage,
}

impl FaultKind {
    /// The name used by the command line (`http500`, `rate-limit`, `drop`, `garbage`, `none`).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::None => "none",
            FaultKind::Http500 => "http500",
            FaultKind::RateLimit => "rate-limit",
            FaultKind::Drop => "drop",
            FaultKind::Garbage => "garbage",
        }
    }

    /// The kind for a command-line name (see [`FaultKind::name`]).
    pub fn parse(text: &str) -> Option<FaultKind> {
        [
            FaultKind::None,
            FaultKind::Http500,
            FaultKind::RateLimit,
            FaultKind::Drop,
            FaultKind::Garbage,
        ]
        .into_iter()
        .find(|kind| kind.name() == text)
    }
}

/// Which requests fail, and how. Faults are decided before anything else about a request
/// (method, headers, signature), in the order requests arrive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fault {
    /// How the chosen requests fail.
    pub kind: FaultKind,
    /// `None`: every request fails; `Some(n)`: the first `n` requests fail, later ones are
    /// answered normally.
    pub first: Option<u64>,
}

impl Fault {
    /// Every request fails with `kind`.
    pub fn always(kind: FaultKind) -> Fault {
        Fault { kind, first: None }
    }

    /// The first `n` requests fail with `kind`.
    pub fn first(kind: FaultKind, n: u64) -> Fault {
        Fault {
            kind,
            first: Some(n),
        }
    }
}

/// The PEM files the emulator serves HTTPS with (see [`EmulatorConfig::tls`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TlsFiles {
    /// The certificate chain, leaf first (PEM `CERTIFICATE` blocks).
    pub cert: PathBuf,
    /// The leaf's private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC).
    pub key: PathBuf,
}

/// A log destination shared with the caller: every log line is appended to it.
pub type LogSink = Arc<Mutex<Vec<String>>>;

/// The emulator's settings. `Default` gives the demo credentials, two PROCESSING polls, no
/// processing time, a 1 s polling hint, PASSED verdicts, no faults, a free port, plain HTTP and a log on stderr.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Port to bind on 127.0.0.1; 0 picks a free one (read it back with `Emulator::addr`).
    pub port: u16,
    /// The only SecretId accepted; any other gets `AuthFailure.SecretIdNotFound`.
    pub secret_id: String,
    /// The SecretKey signatures are checked with. Never printed or logged.
    pub secret_key: String,
    /// When set, `X-TC-Token` must equal it (temporary credentials), else
    /// `AuthFailure.TokenFailure`.
    pub token: Option<String>,
    /// How many GetCardVerificationResult answers per token say PROCESSING before the verdict.
    pub processing_polls: u32,
    /// How long a verification takes, in milliseconds from its apply: until then every poll
    /// answers PROCESSING (on top of the `processing_polls` PROCESSING answers). 0: no time.
    /// The binary's `--polling-wait-ms` also sets the hint, see [`EmulatorConfig::hint_secs`].
    pub polling_wait_ms: u64,
    /// Returned as `AsyncCardVerificationPollingWaitTime` (whole seconds, as on the wire).
    pub polling_wait_secs: u64,
    /// Returned as `AsyncCardVerificationMaxPollingTimes`.
    pub max_polling_times: u64,
    /// Send the two polling hints with FaceID's apply answer; `false` leaves both out (the
    /// service documents them, the client then follows its own poll plan, as for OCR), so that
    /// a client polling every few milliseconds meets `polling_wait_ms`.
    pub polling_hints: bool,
    /// The verdict by default (a front URL containing `warning` / `rejected` overrides it).
    pub verdict: Verdict,
    /// Injected failures.
    pub fault: Fault,
    /// Milliseconds to wait before answering every request (faults included).
    pub delay_ms: u64,
    /// Every known action answers `ActionOffline` (the API was retired).
    pub offline: bool,
    /// FaceID's actions answer `ActionOffline` while OCR's work: the situation since
    /// Tencent retired FaceID's pair.
    pub faceid_offline: bool,
    /// The OCR product's Status vocabulary.
    pub ocr_status: OcrStatus,
    /// At least 1 (checked by `Emulator::start`); kept for compatibility: each connection is
    /// served by its own thread.
    pub threads: usize,
    /// Largest request body accepted; larger ones get `RequestSizeLimitExceeded`.
    pub max_body_bytes: usize,
    /// The emulator's clock is the system clock plus this many seconds (to test clock skew);
    /// the `Date` response header follows it.
    pub clock_offset_secs: i64,
    /// Write one line per request to stderr.
    pub log: bool,
    /// Also append every log line here (for tests that inspect the log).
    pub log_sink: Option<LogSink>,
    /// Serve HTTPS with this certificate and key instead of plain HTTP; `Emulator::endpoint`
    /// then gives `https://127.0.0.1:PORT`. The files are read when the emulator starts.
    pub tls: Option<TlsFiles>,
    /// The emulated metadata service and STS (see `credentials`).
    pub credentials: super::credentials::CredentialsConfig,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            secret_id: DEMO_SECRET_ID.to_owned(),
            secret_key: DEMO_SECRET_KEY.to_owned(),
            token: None,
            processing_polls: DEFAULT_PROCESSING_POLLS,
            polling_wait_ms: 0,
            polling_wait_secs: 1,
            max_polling_times: 60,
            polling_hints: true,
            verdict: Verdict::Passed,
            fault: Fault::default(),
            delay_ms: 0,
            offline: false,
            faceid_offline: false,
            ocr_status: OcrStatus::Current,
            threads: DEFAULT_THREADS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            clock_offset_secs: 0,
            log: true,
            log_sink: None,
            tls: None,
            credentials: Default::default(),
        }
    }
}

impl EmulatorConfig {
    /// The whole-second polling hint that covers a verification taking `wait_ms`: the seconds
    /// rounded up, so a client that waits as told finds the verdict on its next poll.
    pub fn hint_secs(wait_ms: u64) -> u64 {
        wait_ms.div_ceil(1000)
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("port", &self.port)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"***")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("processing_polls", &self.processing_polls)
            .field("polling_wait_ms", &self.polling_wait_ms)
            .field("polling_wait_secs", &self.polling_wait_secs)
            .field("max_polling_times", &self.max_polling_times)
            .field("polling_hints", &self.polling_hints)
            .field("verdict", &self.verdict)
            .field("fault", &self.fault)
            .field("delay_ms", &self.delay_ms)
            .field("offline", &self.offline)
            .field("faceid_offline", &self.faceid_offline)
            .field("ocr_status", &self.ocr_status)
            .field("threads", &self.threads)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("clock_offset_secs", &self.clock_offset_secs)
            .field("log", &self.log)
            .field("log_sink", &self.log_sink.as_ref().map(|_| "…"))
            .field("tls", &self.tls)
            .field("credentials", &self.credentials)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_secret_key_and_token() {
        let config = EmulatorConfig {
            secret_key: "SUPER-SECRET-KEY-123".to_owned(),
            token: Some("SESSION-TOKEN-456".to_owned()),
            ..EmulatorConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("SUPER-SECRET-KEY-123"), "{text}");
        assert!(!text.contains("SESSION-TOKEN-456"), "{text}");
        assert!(text.contains(DEMO_SECRET_ID));
    }

    #[test]
    fn names_round_trip() {
        for kind in [
            FaultKind::None,
            FaultKind::Http500,
            FaultKind::RateLimit,
            FaultKind::Drop,
            FaultKind::Garbage,
        ] {
            assert_eq!(FaultKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(Verdict::parse("WARNING"), Some(Verdict::Warning));
        assert_eq!(Verdict::parse("maybe"), None);
    }
}
