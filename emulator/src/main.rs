//! `tcfaceid-emulator`: the local stand-in for the FaceID service, on 127.0.0.1.
//!
//! Prints exactly one line to stdout once it listens — `tcfaceid-emulator listening on
//! http://127.0.0.1:PORT` (`https://` with `--tls-cert` / `--tls-key`) — then serves until it is
//! killed. See `--help` for the flags.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use tcfaceid_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, OcrStatus, TlsFiles, Verdict,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_PROCESSING_POLLS, DEFAULT_THREADS, DEMO_SECRET_ID,
    DEMO_SECRET_KEY,
};

fn usage() -> String {
    format!(
        "\
tcfaceid-emulator: a local stand-in for Tencent Cloud FaceID ApplyCardVerification /
GetCardVerificationResult (API 2018-03-01), bound to 127.0.0.1 only.

Once listening it prints exactly one line to stdout:
    tcfaceid-emulator listening on http://127.0.0.1:PORT
(https:// with --tls-cert and --tls-key), then serves until killed. One log line per request
goes to stderr (never a secret).

USAGE: tcfaceid-emulator [OPTIONS]

Credentials and server:
  --port P                 port on 127.0.0.1 (default 0: a free port, printed in the ready line)
  --secret-id ID           the only SecretId accepted (default: demo {DEMO_SECRET_ID})
  --secret-key KEY         the SecretKey signatures are checked with
                           (default: demo {DEMO_SECRET_KEY})
  --token T                require X-TC-Token: T (temporary credentials)
  --threads N              worker threads (default {DEFAULT_THREADS})
  --max-body-bytes N       larger bodies get RequestSizeLimitExceeded (default {DEFAULT_MAX_BODY_BYTES})
  --clock-offset-secs S    the emulator's clock is the system clock + S seconds (may be negative);
                           the 300 s skew check and the Date header use it
  --quiet                  no per-request log on stderr
  --tls-cert PEM           serve HTTPS with this certificate chain (leaf first) ...
  --tls-key PEM            ... and this private key (PKCS#8, RSA or SEC1); both or neither.
                           Clients must trust the issuing CA (ClientBuilder::ca_file or
                           TCFACEID_CA_FILE); the certificate should name 127.0.0.1

Verification flow:
  --processing-polls N     GetCardVerificationResult answers PROCESSING N times per token,
                           then the verdict (default {DEFAULT_PROCESSING_POLLS})
  --polling-wait-ms N      a verification takes N ms: every poll of a token answers
                           PROCESSING until N ms after its apply (and for the
                           --processing-polls answers). The polling hint becomes N/1000 s
                           rounded up (the wire counts whole seconds) unless
                           --polling-wait-secs says otherwise (default 0: no processing time)
  --polling-wait-secs N    AsyncCardVerificationPollingWaitTime returned (default 1)
  --max-polling-times N    AsyncCardVerificationMaxPollingTimes returned (default 60)
  --no-polling-hints       FaceID's apply answer leaves both hints out: the client follows its
                           own poll plan (as for OCR), e.g. every 10 ms against
                           --polling-wait-ms 200, so a test of the polling takes milliseconds
  --verdict V              passed | warning | rejected (default passed)
                           Per request, a front image URL (ImageUrlFront) containing
                           \"rejected\" gives REJECTED (WarnInfo [\"FakeSuspected\"]) and one
                           containing \"warning\" gives WARNING (WarnInfo [\"PoorImageQuality\"]),
                           case-insensitively, \"rejected\" first. PASSED has an empty WarnInfo.
                           Image URLs are never downloaded; one containing \"download-error\"
                           fails with ResourceUnavailable.ImageDownloadError.
  --offline                every action answers ActionOffline (the API was retired)
  --faceid-offline         FaceID's actions answer ActionOffline while OCR's work (today)
  --ocr-status V           the OCR Status vocabulary: current (COMPLETED / ABNORMAL, the
                           verdict in WarnInfo; default) | legacy (PASSED / WARNING).
                           OCR: a front URL containing \"abnormal\" gives ABNORMAL (current)
                           and \"ocr-failed\" FailedOperation.OcrFailed at apply; the head
                           image is returned when ReturnHeadImage is true; BackCardInfo when
                           the back was given

Counters (never faulted, delayed or counted themselves):
  GET /__emulator/stats    the counters as JSON (requests, apply_calls, repeated_applies,
                           result_calls, processing_answers, verdicts, faults, errors, ...)
  GET /__emulator/stats?wait=NAME:N[&timeout_ms=T]
                           first block until counter NAME is at least N (200), or T ms pass
                           (504; default 30000): how a test waits for a request to arrive

Faults (one kind at a time, decided before anything else about a request):
  --fault KIND[:COUNT]     every request fails as KIND says, or only the first COUNT
                           requests (--fault drop:2). KIND: http500 (HTTP 500, text body) |
                           rate-limit (HTTP 200, RequestLimitExceeded) | drop (close the
                           connection without answering) | garbage (HTTP 200 text/html,
                           not JSON)
  --delay-ms MS            wait MS milliseconds before answering every request

Temporary keys (the metadata service and STS on the same port; see the library docs):
  --role-name NAME         the CVM role the metadata service names (default
                           tcfaceid-emulator-role; \"\" = no role, 404)
  --key-ttl-secs N         longest lifetime of issued temporary keys (default 7200)
  --temporary-keys-only    FaceID calls must be signed with a valid temporary key and its token

  --help                   this text

Flags take their value as the next argument or after '=' (--port=8080).
Exit codes: 0 after --help, 1 when the port cannot be bound or the TLS files are unusable,
2 for bad flags.
"
    )
}

/// What the command line asks for.
#[derive(Debug)]
enum Command {
    Help,
    Serve(Box<EmulatorConfig>),
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// `--fault KIND[:COUNT]`: KIND on every request, or on the first COUNT requests.
fn fault(value: &str) -> Result<Fault, String> {
    let (name, count) = match value.split_once(':') {
        Some((name, count)) => (name, Some(number::<u64>("--fault COUNT", count)?)),
        None => (value, None),
    };
    let kind = FaultKind::parse(name)
        .filter(|kind| *kind != FaultKind::None)
        .ok_or_else(|| format!("--fault: {name:?} is not http500, rate-limit, drop or garbage"))?;
    Ok(Fault { kind, first: count })
}

fn parse(args: Vec<OsString>) -> Result<Command, String> {
    parse_flags(args).map_err(|e| e.to_string())
}

fn parse_flags(args: Vec<OsString>) -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;
    let mut config = EmulatorConfig::default();
    let (mut tls_cert, mut tls_key): (Option<PathBuf>, Option<PathBuf>) = (None, None);
    let mut faults = 0;
    let mut hint_given = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        // Every value flag's text, as UTF-8 (`--port=8080` and `--port 8080` alike).
        let text = |parser: &mut lexopt::Parser| parser.value()?.string();
        let flag = match &arg {
            Long(name) => format!("--{name}"),
            Short(c) => format!("-{c}"),
            Value(v) => return Err(format!("unexpected argument {v:?}").into()),
        };
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("quiet") => config.log = false,
            Long("offline") => config.offline = true,
            Long("faceid-offline") => config.faceid_offline = true,
            Long("temporary-keys-only") => config.credentials.temporary_keys_only = true,
            Long("role-name") => config.credentials.role_name = text(&mut parser)?,
            Long("key-ttl-secs") => {
                config.credentials.ttl_secs = number(&flag, &text(&mut parser)?)?
            }
            Long("ocr-status") => {
                let value = text(&mut parser)?;
                config.ocr_status = OcrStatus::parse(&value)
                    .ok_or_else(|| format!("--ocr-status: {value:?} is not current or legacy"))?
            }
            Long("port") => config.port = number(&flag, &text(&mut parser)?)?,
            Long("secret-id") => config.secret_id = text(&mut parser)?,
            Long("secret-key") => config.secret_key = text(&mut parser)?,
            Long("token") => config.token = Some(text(&mut parser)?),
            Long("threads") => config.threads = number(&flag, &text(&mut parser)?)?,
            Long("max-body-bytes") => config.max_body_bytes = number(&flag, &text(&mut parser)?)?,
            Long("clock-offset-secs") => {
                config.clock_offset_secs = number(&flag, &text(&mut parser)?)?
            }
            Long("processing-polls") => {
                config.processing_polls = number(&flag, &text(&mut parser)?)?
            }
            Long("polling-wait-ms") => config.polling_wait_ms = number(&flag, &text(&mut parser)?)?,
            Long("polling-wait-secs") => {
                config.polling_wait_secs = number(&flag, &text(&mut parser)?)?;
                hint_given = true;
            }
            Long("no-polling-hints") => config.polling_hints = false,
            Long("max-polling-times") => {
                config.max_polling_times = number(&flag, &text(&mut parser)?)?
            }
            Long("delay-ms") => config.delay_ms = number(&flag, &text(&mut parser)?)?,
            Long("tls-cert") => tls_cert = Some(parser.value()?.into()),
            Long("tls-key") => tls_key = Some(parser.value()?.into()),
            Long("verdict") => {
                let value = text(&mut parser)?;
                config.verdict = Verdict::parse(&value).ok_or_else(|| {
                    format!("--verdict: {value:?} is not passed, warning or rejected")
                })?
            }
            Long("fault") => {
                config.fault = fault(&text(&mut parser)?)?;
                faults += 1;
            }
            _ => return Err(arg.unexpected()),
        }
    }
    if !hint_given && config.polling_wait_ms > 0 {
        config.polling_wait_secs = EmulatorConfig::hint_secs(config.polling_wait_ms);
    }
    if faults > 1 {
        return Err("--fault is given once (one kind at a time)".into());
    }
    config.tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    if config.threads == 0 {
        return Err("--threads must be at least 1".into());
    }
    if config.secret_id.is_empty() || config.secret_key.is_empty() {
        return Err("--secret-id and --secret-key cannot be empty".into());
    }
    Ok(Command::Serve(Box::new(config)))
}

fn describe(config: &EmulatorConfig) -> String {
    let demo = if config.secret_id == DEMO_SECRET_ID && config.secret_key == DEMO_SECRET_KEY {
        " (demo credentials)"
    } else {
        ""
    };
    let fault = match config.fault {
        Fault {
            kind: FaultKind::None,
            ..
        } => "none".to_owned(),
        Fault { kind, first: None } => format!("{} on every request", kind.name()),
        Fault {
            kind,
            first: Some(n),
        } => format!("{} on the first {n} requests", kind.name()),
    };
    format!(
        "tcfaceid-emulator: SecretId {}{demo}, token {}, verdict {}, PROCESSING polls {}, processing {} ms, polling hint {}, fault {fault}, delay {} ms{}{}",
        config.secret_id,
        if config.token.is_some() { "required" } else { "none" },
        config.verdict.status().as_str(),
        config.processing_polls,
        config.polling_wait_ms,
        if config.polling_hints {
            format!("{} s", config.polling_wait_secs)
        } else {
            "none".to_owned()
        },
        config.delay_ms,
        if config.offline { ", offline" } else { "" },
        if config.tls.is_some() { ", HTTPS" } else { "" },
    )
}

fn main() -> ExitCode {
    let config = match parse(std::env::args_os().skip(1).collect()) {
        Ok(Command::Serve(config)) => config,
        Ok(Command::Help) => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tcfaceid-emulator: {message} (see --help)");
            return ExitCode::from(2);
        }
    };
    let quiet = !config.log;
    let summary = describe(&config);
    let emulator = match Emulator::start(*config) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("tcfaceid-emulator: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let ready = writeln!(
        stdout,
        "tcfaceid-emulator listening on {}",
        emulator.endpoint()
    )
    .and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(e) = ready {
        eprintln!("tcfaceid-emulator: cannot write the ready line: {e}");
        return ExitCode::from(1);
    }
    if !quiet {
        eprintln!("{summary}");
    }
    // Serve until killed (SIGTERM / SIGINT end the process).
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(args: &[&str]) -> Result<EmulatorConfig, String> {
        match parse(args.iter().map(OsString::from).collect())? {
            Command::Serve(config) => Ok(*config),
            Command::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults_are_the_demo_settings() {
        let config = serve(&[]).unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.secret_id, DEMO_SECRET_ID);
        assert_eq!(config.secret_key, DEMO_SECRET_KEY);
        assert_eq!(config.fault, Fault::default());
        assert!(config.log);
    }

    #[test]
    fn every_flag_is_read() {
        let config = serve(&[
            "--port=8080",
            "--secret-id",
            "AKIDX",
            "--secret-key",
            "K",
            "--token",
            "T",
            "--processing-polls",
            "5",
            "--polling-wait-secs",
            "0",
            "--max-polling-times",
            "9",
            "--verdict",
            "rejected",
            "--delay-ms",
            "20",
            "--offline",
            "--clock-offset-secs",
            "-400",
            "--threads",
            "3",
            "--max-body-bytes",
            "100",
            "--quiet",
        ])
        .unwrap();
        assert_eq!(
            (
                config.port,
                config.secret_id.as_str(),
                config.secret_key.as_str()
            ),
            (8080, "AKIDX", "K")
        );
        assert_eq!(config.token.as_deref(), Some("T"));
        assert_eq!(
            (
                config.processing_polls,
                config.polling_wait_secs,
                config.max_polling_times
            ),
            (5, 0, 9)
        );
        assert_eq!(config.verdict, Verdict::Rejected);
        assert_eq!(
            (config.delay_ms, config.clock_offset_secs, config.threads),
            (20, -400, 3)
        );
        assert_eq!(config.max_body_bytes, 100);
        assert!(config.offline && !config.log);
        assert_eq!(config.tls, None);
    }

    #[test]
    fn the_polling_wait_in_milliseconds_sets_the_hint_unless_it_is_given() {
        let config = serve(&["--polling-wait-ms", "1500"]).unwrap();
        assert_eq!(
            (config.polling_wait_ms, config.polling_wait_secs),
            (1500, 2)
        );
        assert!(config.polling_hints);
        let config = serve(&["--polling-wait-ms=20", "--polling-wait-secs", "0"]).unwrap();
        assert_eq!((config.polling_wait_ms, config.polling_wait_secs), (20, 0));
        let config = serve(&["--polling-wait-secs", "7", "--polling-wait-ms", "1"]).unwrap();
        assert_eq!(config.polling_wait_secs, 7);
        let config = serve(&["--polling-wait-ms", "40", "--no-polling-hints"]).unwrap();
        assert_eq!((config.polling_wait_secs, config.polling_hints), (1, false));
        assert!(describe(&config).contains("processing 40 ms, polling hint none"));
        assert_eq!(serve(&[]).unwrap().polling_wait_secs, 1);
        assert!(serve(&["--polling-wait-ms", "-1"]).is_err());
    }

    #[test]
    fn tls_needs_both_files() {
        let config = serve(&["--tls-cert", "c.pem", "--tls-key=k.pem"]).unwrap();
        assert_eq!(
            config.tls,
            Some(TlsFiles {
                cert: PathBuf::from("c.pem"),
                key: PathBuf::from("k.pem")
            })
        );
        assert!(describe(&config).contains("HTTPS"));
        for bad in [
            &["--tls-cert", "c.pem"][..],
            &["--tls-key", "k.pem"],
            &["--tls-cert"],
        ] {
            assert!(serve(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_fault_rule() {
        assert_eq!(
            serve(&["--fault", "http500:3"]).unwrap().fault,
            Fault::first(FaultKind::Http500, 3)
        );
        assert_eq!(
            serve(&["--fault=rate-limit:1"]).unwrap().fault,
            Fault::first(FaultKind::RateLimit, 1)
        );
        assert_eq!(
            serve(&["--fault", "drop"]).unwrap().fault,
            Fault::always(FaultKind::Drop)
        );
        assert_eq!(
            serve(&["--fault", "garbage:2"]).unwrap().fault,
            Fault::first(FaultKind::Garbage, 2)
        );
        for bad in [
            &["--fault", "drop", "--fault", "garbage"][..],
            &["--fault", "none"],
            &["--fault", "http500:"],
            &["--fault", "http500:x"],
            &["--fault", "teapot"],
            &["--fault"],
        ] {
            assert!(serve(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_flags_are_refused() {
        for bad in [
            &["--port"][..],
            &["--port", "http"],
            &["--port", "70000"],
            &["--verdict", "maybe"],
            &["--threads", "0"],
            &["--secret-key", ""],
            &["--quiet=1"],
            &["--nope"],
            &["serve"],
        ] {
            assert!(serve(bad).is_err(), "{bad:?}");
        }
        assert!(serve(&["--bogus"]).unwrap_err().contains("invalid option"));
        assert!(serve(&["--port"]).unwrap_err().contains("missing argument"));
        assert!(matches!(parse(vec!["--help".into()]), Ok(Command::Help)));
    }

    #[test]
    fn the_summary_never_shows_the_key() {
        let config = serve(&["--secret-key", "VERY-SECRET"]).unwrap();
        assert!(!describe(&config).contains("VERY-SECRET"));
        assert!(!format!("{config:?}").contains("VERY-SECRET"));
    }
}
