//! The SecretKey never shows and never stays behind.
//!
//! A recognisable key ([`CANARY`]) goes through every path that makes text — `Debug` of every
//! type that holds it, `Display` / `Debug` / accessors of every error it can meet (bad
//! credentials, bad client settings, every service and transport error class), the C ABI's
//! last error after `tcfaceid_sign` / `tcfaceid_client_*` with bad arguments, the emulator's
//! log (in-process sink and the binary's stderr), and every `log` record the library and rustls emit
//! during a whole flow, HTTPS included — and no text may hold it, in any case, nor its base64
//! (three alignments, standard and URL-safe) or hex forms.
//!
//! Memory: a global allocator in this test binary looks into every heap block freed while a
//! check is armed and counts the blocks that still hold the key (see [`Scanner`]); the
//! signing key's inline bytes are read back after its drop ran in place. Every test here takes
//! one lock ([`serial`]), so an armed check never sees another test's deliberate plain copies.

mod leak;

use std::ffi::{c_char, CStr, CString};
use std::path::Path;
use std::ptr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use tcfaceid::capi;
use tcfaceid::client::CredentialSource;
use tcfaceid::credential::SecretKey;
use tcfaceid::sign::{self, Method, Payload, Signer, SigningInput};
use tcfaceid::{CardVerificationRequest, Client, ClientBuilder, Credential, Error, ResultCode};
use tcfaceid_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, DEMO_SECRET_ID};

/// The secret key under test.
const CANARY: &str = "SECRET-canary-7f3a9c";
/// A session token under test (the token is sent as `X-TC-Token`, but never logged).
const TOKEN: &str = "TOKEN-canary-4d2e81";
const SECRET_ID: &str = "AKIDsecretstest0000000000000000000";

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Fail when `text` holds a form of the key or the token.
#[track_caller]
fn assert_clean(what: &str, text: &str) {
    leak::assert_no_secret(what, text, &[CANARY, TOKEN]);
}

/// Every text an error offers.
#[track_caller]
fn assert_error_clean(what: &str, error: &Error) {
    assert_clean(what, &error.to_string());
    assert_clean(what, &format!("{error:?}"));
    assert_clean(what, &format!("{error:#?}"));
    for part in [
        Some(error.message()),
        error.field(),
        error.service_code(),
        error.request_id(),
    ]
    .into_iter()
    .flatten()
    {
        assert_clean(what, part);
    }
}

#[test]
fn the_forms_are_found_when_present() {
    let _serial = serial();
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("key={CANARY};"));
    for leaky in [
        format!("x{CANARY}y"),
        CANARY.to_ascii_uppercase(),
        b64,
        hex::encode(format!("..{CANARY}")),
    ] {
        let caught = std::panic::catch_unwind(|| assert_clean("probe", &leaky));
        assert!(caught.is_err(), "not caught: {leaky}");
    }
    assert_clean("probe", "SECRET-canary-7f3a9 and 7f3a9c alone");
}

fn credential() -> Credential {
    Credential::new(SECRET_ID, CANARY, Some(TOKEN)).unwrap()
}

fn builder(endpoint: &str, credential: Credential) -> ClientBuilder {
    Client::builder()
        .credential(credential)
        .region("ap-singapore")
        .endpoint(endpoint)
        .timeout(Duration::from_secs(5))
}

fn url_request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("HKG", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request.set_back_url("https://example.com/back.jpg");
    request
}

fn quiet(config: EmulatorConfig) -> EmulatorConfig {
    EmulatorConfig {
        processing_polls: 1,
        polling_wait_secs: 0,
        log: false,
        threads: 4,
        ..config
    }
}

#[test]
fn debug_never_shows_the_key() {
    let _serial = serial();
    let credential = credential();
    let signer = Signer::new(credential.clone());
    let input = SigningInput {
        method: Method::Post,
        host: "faceid.tencentcloudapi.com",
        query: "",
        content_type: sign::CONTENT_TYPE_JSON,
        payload: Payload::Body(b"{}"),
        service: sign::SERVICE,
        timestamp: 1_700_000_000,
        extra_signed_headers: &[],
    };
    // Sign once so the signer's cache holds a derived key.
    let signature = signer.sign(&input).unwrap();
    let key = sign::derive_signing_key(CANARY, "2023-11-14", "faceid");
    let builder = builder("http://127.0.0.1:9", credential.clone());
    let client = builder.clone().build().unwrap();
    let emulator_config = EmulatorConfig {
        secret_key: CANARY.to_owned(),
        token: Some(TOKEN.to_owned()),
        log: false,
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start(emulator_config.clone()).unwrap();
    let texts = [
        ("SecretKey", format!("{:?}", SecretKey::new(CANARY))),
        ("Credential", format!("{credential:?} {credential:#?}")),
        (
            "CredentialSource",
            format!("{:?}", CredentialSource::Explicit(credential.clone())),
        ),
        ("ClientBuilder", format!("{builder:?} {builder:#?}")),
        ("Client", format!("{client:?} {client:#?}")),
        ("Signer", format!("{signer:?} {signer:#?}")),
        ("SigningKey", format!("{key:?}")),
        ("Signature", format!("{signature:?}")),
        ("EmulatorConfig", format!("{emulator_config:?}")),
        ("Emulator", format!("{emulator:?}")),
    ];
    for (what, text) in &texts {
        assert_clean(what, text);
    }
    // Not vacuous: the id is there, the key is redacted.
    assert!(texts[1].1.contains(SECRET_ID) && texts[1].1.contains("***"));
    assert!(texts[4].1.contains("Client"), "{}", texts[4].1);
}

#[test]
fn credential_errors_never_show_the_key() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut errors: Vec<(String, Error)> = Vec::new();
    for padded in [
        format!(" {CANARY}"),
        format!("{CANARY} "),
        format!("{CANARY}\n"),
        format!("\t{CANARY}"),
    ] {
        errors.push((
            format!("Credential::new {padded:?}"),
            Credential::new(SECRET_ID, &padded, None).unwrap_err(),
        ));
        errors.push((
            "padded token".to_owned(),
            Credential::new(SECRET_ID, "k", Some(&padded)).unwrap_err(),
        ));
        let lookup = |name: &str| match name {
            "TENCENTCLOUD_SECRET_ID" => Some(SECRET_ID.to_owned()),
            "TENCENTCLOUD_SECRET_KEY" => Some(padded.clone()),
            _ => None,
        };
        errors.push((
            "environment".to_owned(),
            Credential::from_lookup(lookup).unwrap_err(),
        ));
        if padded.trim() != padded {
            continue; // a profile file's value loses surrounding whitespace (as configparser)
        }
        let profile = dir.path().join("credentials");
        std::fs::write(
            &profile,
            format!("[default]\nsecret_id = {SECRET_ID}\nsecret_key = {padded}\n"),
        )
        .unwrap();
        errors.push((
            "profile".to_owned(),
            Credential::from_profile_file(&profile, None).unwrap_err(),
        ));
    }
    let only_key = dir.path().join("only-key");
    std::fs::write(&only_key, format!("[default]\nsecret_key = {CANARY}\n")).unwrap();
    errors.push((
        "profile without id".to_owned(),
        Credential::from_profile_file(&only_key, None).unwrap_err(),
    ));
    errors.push((
        "profile, other section".to_owned(),
        Credential::from_profile_file(&only_key, Some("prod")).unwrap_err(),
    ));
    // Client settings refused with a good key in the builder.
    for (what, b) in [
        (
            "region",
            builder("http://127.0.0.1:9", credential()).region("mars"),
        ),
        ("endpoint", builder("ftp://x", credential())),
        (
            "language",
            builder("http://127.0.0.1:9", credential()).language("xx"),
        ),
        (
            "timeout",
            builder("http://127.0.0.1:9", credential()).timeout(Duration::ZERO),
        ),
        (
            "ca file",
            builder("http://127.0.0.1:9", credential()).ca_file(dir.path().join("none.pem")),
        ),
        (
            "proxy",
            builder("http://127.0.0.1:9", credential()).proxy("::not a url::"),
        ),
    ] {
        errors.push((what.to_owned(), b.build().unwrap_err()));
    }
    assert!(errors.len() >= 20);
    for (what, error) in &errors {
        assert_error_clean(what, error);
    }
}

#[test]
fn call_errors_never_show_the_key() {
    let _serial = serial();
    let mut errors: Vec<(String, Error)> = Vec::new();
    // The emulator knows the canary key; the clients get one part wrong at a time.
    let emulator = Emulator::start(quiet(EmulatorConfig {
        secret_id: SECRET_ID.to_owned(),
        secret_key: CANARY.to_owned(),
        token: Some(TOKEN.to_owned()),
        ..EmulatorConfig::default()
    }))
    .unwrap();
    let endpoint = emulator.endpoint();
    let good = builder(&endpoint, credential()).build().unwrap();
    good.verify_card(&url_request(), Duration::from_secs(10))
        .unwrap();
    let cases = [
        (
            "wrong key",
            Credential::new(SECRET_ID, "SECRET-canary-7f3a9d", Some(TOKEN)).unwrap(),
            0,
            true,
        ),
        (
            "wrong id",
            Credential::new(DEMO_SECRET_ID, CANARY, Some(TOKEN)).unwrap(),
            0,
            true,
        ),
        (
            "no token",
            Credential::new(SECRET_ID, CANARY, None).unwrap(),
            0,
            true,
        ),
        (
            "wrong token",
            Credential::new(SECRET_ID, CANARY, Some("TOKEN-other")).unwrap(),
            0,
            true,
        ),
        ("skewed clock", credential(), -3600, false),
    ];
    for (what, credential, offset, learn) in cases {
        let client = builder(&endpoint, credential)
            .clock_offset_secs(offset)
            .learn_clock_offset(learn)
            .build()
            .unwrap();
        let error = client.apply_card_verification(&url_request()).unwrap_err();
        assert_eq!(
            error.code(),
            ResultCode::ServiceAuthFailure,
            "{what}: {error}"
        );
        errors.push((what.to_owned(), error));
        errors.push((
            format!("{what}, call_json"),
            client
                .call_json("GetCardVerificationResult", "{}")
                .unwrap_err(),
        ));
    }
    errors.push((
        "unknown token".to_owned(),
        good.get_card_verification_result("nope").unwrap_err(),
    ));
    errors.push((
        "invalid action".to_owned(),
        good.call_json("NoSuchAction", "{}").unwrap_err(),
    ));
    // Every fault class, with the canary key in the client.
    for kind in [
        FaultKind::Http500,
        FaultKind::RateLimit,
        FaultKind::Drop,
        FaultKind::Garbage,
    ] {
        let faulty = Emulator::start(quiet(EmulatorConfig {
            fault: Fault::always(kind),
            ..EmulatorConfig::default()
        }))
        .unwrap();
        let client = builder(&faulty.endpoint(), credential()).build().unwrap();
        errors.push((
            format!("{kind:?}"),
            client.apply_card_verification(&url_request()).unwrap_err(),
        ));
    }
    // A server that echoes the whole request (headers included) back as the error body, and
    // one that is not there.
    let echo = echo_server();
    let client = builder(&echo, credential()).build().unwrap();
    let error = client.apply_card_verification(&url_request()).unwrap_err();
    assert!(
        error.message().contains("POST"),
        "the echo is in the message: {error}"
    );
    errors.push(("echo".to_owned(), error));
    let closed = builder("http://127.0.0.1:1", credential()).build().unwrap();
    errors.push((
        "refused".to_owned(),
        closed.apply_card_verification(&url_request()).unwrap_err(),
    ));
    for (what, error) in &errors {
        assert_error_clean(what, error);
    }
}

/// A raw server answering HTTP 400 with the request it received as the body.
fn echo_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let head = format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                request.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&request);
        }
    });
    format!("http://{addr}")
}

/// The last error's every string, after a C call.
fn last_error_texts() -> Vec<String> {
    let read = |p: *const c_char| {
        // SAFETY: the accessors never return NULL and the text is NUL-terminated.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    };
    vec![
        read(capi::error::tcfaceid_last_error_message()),
        read(capi::error::tcfaceid_last_error_field()),
        read(capi::error::tcfaceid_last_error_service_code()),
        read(capi::error::tcfaceid_last_error_request_id()),
    ]
}

#[test]
fn the_c_abi_last_error_never_shows_the_key() {
    let _serial = serial();
    let c = |s: &str| CString::new(s).unwrap();
    let (id, key, token) = (c(SECRET_ID), c(CANARY), c(TOKEN));
    let mut invalid_utf8 = CANARY.as_bytes().to_vec();
    invalid_utf8.push(0xff);
    let invalid_utf8 = CString::new(invalid_utf8).unwrap();
    let padded = c(&format!("{CANARY} "));
    let control = c(&format!("{CANARY}\r\nX: y"));
    let (host, region, action, version) = (
        c("faceid.tencentcloudapi.com"),
        c("ap-singapore"),
        c("ApplyCardVerification"),
        c("2018-03-01"),
    );
    let (empty, newline) = (c(""), c("a\nb"));
    let body = b"{}";
    struct Case<'a> {
        what: &'a str,
        key: &'a CString,
        host: &'a CString,
        region: &'a CString,
        action: &'a CString,
        timestamp: i64,
        body_len: usize,
        body_null: bool,
    }
    let base = Case {
        what: "ok",
        key: &key,
        host: &host,
        region: &region,
        action: &action,
        timestamp: 1_700_000_000,
        body_len: body.len(),
        body_null: false,
    };
    let cases = [
        Case {
            what: "padded key",
            key: &padded,
            ..base
        },
        Case {
            what: "key with CR LF",
            key: &control,
            ..base
        },
        Case {
            what: "key not UTF-8",
            key: &invalid_utf8,
            ..base
        },
        Case {
            what: "empty host",
            host: &empty,
            ..base
        },
        Case {
            what: "host with a newline",
            host: &newline,
            ..base
        },
        Case {
            what: "region with a newline",
            region: &newline,
            ..base
        },
        Case {
            what: "empty action",
            action: &empty,
            ..base
        },
        Case {
            what: "timestamp out of the calendar",
            timestamp: i64::MAX,
            ..base
        },
        Case {
            what: "NULL body with a length",
            body_null: true,
            ..base
        },
        Case {
            what: "good",
            body_len: 2,
            ..base
        },
    ];
    let mut failures = 0;
    for case in &cases {
        let mut headers = ptr::null_mut();
        // SAFETY: NUL-terminated strings that outlive the call, a body of `body_len` bytes (or
        // NULL), and an out pointer we own.
        let code = unsafe {
            capi::sign::tcfaceid_sign(
                id.as_ptr(),
                case.key.as_ptr(),
                token.as_ptr(),
                c"faceid".as_ptr(),
                case.host.as_ptr(),
                case.region.as_ptr(),
                case.action.as_ptr(),
                version.as_ptr(),
                case.timestamp,
                if case.body_null {
                    ptr::null()
                } else {
                    body.as_ptr()
                },
                case.body_len,
                &mut headers,
            )
        };
        if code == ResultCode::Ok {
            assert_eq!(case.what, "good");
            // SAFETY: a live handle from tcfaceid_sign, freed once.
            unsafe {
                let count = capi::sign::tcfaceid_signed_headers_count(headers);
                assert!(count >= 6);
                for i in 0..count {
                    let name = CStr::from_ptr(capi::sign::tcfaceid_signed_headers_name(headers, i));
                    let value =
                        CStr::from_ptr(capi::sign::tcfaceid_signed_headers_value(headers, i));
                    let name = name.to_string_lossy();
                    if name == "X-TC-Token" {
                        continue; // the token is sent, by design
                    }
                    assert_clean(&format!("header {name}"), &value.to_string_lossy());
                }
                capi::sign::tcfaceid_signed_headers_free(headers);
            }
        } else {
            failures += 1;
            assert!(headers.is_null(), "{}", case.what);
            for text in last_error_texts() {
                assert_clean(case.what, &text);
            }
        }
    }
    assert_eq!(failures, cases.len() - 1);

    // The client builder and a call refused by the service, through the C ABI.
    let emulator = Emulator::start(quiet(EmulatorConfig::default())).unwrap();
    let endpoint = c(&emulator.endpoint());
    // SAFETY: valid strings and out pointers; each handle is built or freed once.
    unsafe {
        let mut builder = ptr::null_mut();
        assert_eq!(
            capi::client::tcfaceid_client_builder_new(&mut builder),
            ResultCode::Ok
        );
        for bad_key in [&padded, &control, &invalid_utf8] {
            let code = capi::client::tcfaceid_client_builder_set_credentials(
                builder,
                id.as_ptr(),
                bad_key.as_ptr(),
                ptr::null(),
            );
            assert_ne!(code, ResultCode::Ok);
            last_error_texts()
                .iter()
                .for_each(|t| assert_clean("set_credentials", t));
        }
        for code in [
            capi::client::tcfaceid_client_builder_set_credentials(
                builder,
                id.as_ptr(),
                key.as_ptr(),
                token.as_ptr(),
            ),
            capi::client::tcfaceid_client_builder_set_region(builder, region.as_ptr()),
            capi::client::tcfaceid_client_builder_set_endpoint(builder, endpoint.as_ptr()),
        ] {
            assert_eq!(code, ResultCode::Ok);
        }
        let mut client = ptr::null_mut();
        assert_eq!(
            capi::client::tcfaceid_client_builder_build(builder, &mut client),
            ResultCode::Ok
        );
        let mut out = ptr::null_mut();
        let code = capi::client::tcfaceid_client_call_json(
            client,
            c"GetCardVerificationResult".as_ptr(),
            c"{}".as_ptr(),
            &mut out,
            &mut 0,
        );
        assert_eq!(code, ResultCode::ServiceAuthFailure);
        last_error_texts()
            .iter()
            .for_each(|t| assert_clean("call refused", t));
        capi::client::tcfaceid_client_free(client);
    }
}

/// A full flow against an emulator that holds the canary key and token, with every kind of
/// authentication failure and fault; the emulator's log (sink) must not hold either.
#[test]
fn the_emulator_log_never_shows_the_key() {
    let _serial = serial();
    let sink = Arc::new(Mutex::new(Vec::new()));
    let config = |fault| {
        quiet(EmulatorConfig {
            secret_id: SECRET_ID.to_owned(),
            secret_key: CANARY.to_owned(),
            token: Some(TOKEN.to_owned()),
            log_sink: Some(sink.clone()),
            fault,
            ..EmulatorConfig::default()
        })
    };
    {
        let emulator = Emulator::start(config(Fault::default())).unwrap();
        let endpoint = emulator.endpoint();
        let good = builder(&endpoint, credential()).build().unwrap();
        good.verify_card(&url_request(), Duration::from_secs(10))
            .unwrap();
        for (credential, offset) in [
            (
                Credential::new(SECRET_ID, "wrong-key", Some(TOKEN)).unwrap(),
                0,
            ),
            (
                Credential::new("AKIDother", CANARY, Some(TOKEN)).unwrap(),
                0,
            ),
            (Credential::new(SECRET_ID, CANARY, None).unwrap(), 0),
            (credential(), 3600),
        ] {
            let client = builder(&endpoint, credential)
                .clock_offset_secs(offset)
                .learn_clock_offset(false)
                .build()
                .unwrap();
            assert!(client.apply_card_verification(&url_request()).is_err());
        }
        // A caller that puts the key where it does not belong: in the action, the body, a
        // header; the log keeps none of it.
        let agent = ureq::Agent::new_with_defaults();
        let _ = agent
            .post(&endpoint)
            .header("X-TC-Action", CANARY)
            .header("Authorization", format!("TC3-HMAC-SHA256 {CANARY}"))
            .header("Content-Type", "application/json")
            .send(format!("{{\"SecretKey\":\"{CANARY}\"}}"));
        assert!(emulator.stats().auth_failures >= 4);
    }
    for kind in [FaultKind::Http500, FaultKind::Drop, FaultKind::Garbage] {
        let emulator = Emulator::start(config(Fault::always(kind))).unwrap();
        let client = builder(&emulator.endpoint(), credential()).build().unwrap();
        assert!(client.apply_card_verification(&url_request()).is_err());
    }
    let lines = sink.lock().unwrap().clone();
    assert!(lines.len() >= 10, "{lines:?}");
    for line in &lines {
        assert_clean("emulator log", line);
    }
}

/// Every `log` record at every level (the library's, rustls'), during whole flows over HTTP and HTTPS.
#[test]
fn no_log_record_shows_the_key() {
    let _serial = serial();
    let records = capture_logs();
    let emulator = Emulator::start(quiet(EmulatorConfig {
        secret_id: SECRET_ID.to_owned(),
        secret_key: CANARY.to_owned(),
        token: Some(TOKEN.to_owned()),
        ..EmulatorConfig::default()
    }))
    .unwrap();
    let client = builder(&emulator.endpoint(), credential()).build().unwrap();
    client
        .verify_card(&url_request(), Duration::from_secs(10))
        .unwrap();
    let wrong = builder(
        &emulator.endpoint(),
        Credential::new(SECRET_ID, "wrong", Some(TOKEN)).unwrap(),
    )
    .build()
    .unwrap();
    assert!(wrong.apply_card_verification(&url_request()).is_err());

    // HTTPS, so rustls logs its handshake too.
    let dir = tempfile::tempdir().unwrap();
    let (ca, files) = test_pki(dir.path());
    let https = Emulator::start(quiet(EmulatorConfig {
        secret_id: SECRET_ID.to_owned(),
        secret_key: CANARY.to_owned(),
        token: Some(TOKEN.to_owned()),
        tls: Some(files),
        ..EmulatorConfig::default()
    }))
    .unwrap();
    let client = builder(&https.endpoint(), credential())
        .ca_file(ca)
        .build()
        .unwrap();
    client
        .verify_card(&url_request(), Duration::from_secs(10))
        .unwrap();

    let records = records.lock().unwrap().clone();
    assert!(
        records.len() >= 10,
        "the library and rustls log at debug/trace: {records:?}"
    );
    for record in &records {
        assert_clean("log record", record);
    }
}

/// Install (once) a logger that keeps every record at every level; returns the records.
fn capture_logs() -> Arc<Mutex<Vec<String>>> {
    struct Capture(Arc<Mutex<Vec<String>>>);
    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            let line = format!("{} {} {}", record.target(), record.level(), record.args());
            self.0.lock().unwrap_or_else(|p| p.into_inner()).push(line);
        }
        fn flush(&self) {}
    }
    static RECORDS: OnceLock<Arc<Mutex<Vec<String>>>> = OnceLock::new();
    RECORDS
        .get_or_init(|| {
            let records = Arc::new(Mutex::new(Vec::new()));
            log::set_boxed_logger(Box::new(Capture(records.clone()))).unwrap();
            log::set_max_level(log::LevelFilter::Trace);
            records
        })
        .clone()
}

/// A CA and a leaf for 127.0.0.1 signed by it, written under `dir`.
fn test_pki(dir: &Path) -> (std::path::PathBuf, tcfaceid_emulator::TlsFiles) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    (
        write("ca.pem", ca.pem()),
        tcfaceid_emulator::TlsFiles {
            cert: write("leaf.pem", leaf.pem()),
            key: write("leaf.key", leaf_key.serialize_pem()),
        },
    )
}

/// The signing key is a `[u8; 32]` held inline (not on the heap): run its drop in place and
/// read the bytes back.
///
/// Soundness: the key lives in a `MaybeUninit` we own, so its storage stays allocated after
/// `drop_in_place`; the bytes are read through a pointer made from that storage after the drop
/// (not through a reference from before it), at the offset the key's bytes had; and they are
/// initialised `u8`s (zeroize wrote them). No read of freed or uninitialised memory.
#[test]
fn the_signing_key_is_wiped_on_drop() {
    let _serial = serial();
    let key = sign::derive_signing_key(CANARY, "2024-01-01", "faceid");
    assert!(key.as_bytes().iter().any(|b| *b != 0));
    let mut slot = std::mem::MaybeUninit::new(key);
    let base = slot.as_ptr() as usize;
    // SAFETY: the slot holds an initialised key (MaybeUninit::new).
    let offset = unsafe { (*slot.as_ptr()).as_bytes().as_ptr() as usize } - base;
    assert!(offset + 32 <= std::mem::size_of::<sign::SigningKey>());
    // SAFETY: the key is initialised and dropped exactly once; the slot is never read as a key
    // again.
    unsafe { slot.as_mut_ptr().drop_in_place() };
    // SAFETY: in bounds of the slot (checked above), which is still ours; bytes written by
    // zeroize during the drop.
    let after = unsafe { std::slice::from_raw_parts(slot.as_ptr().cast::<u8>().add(offset), 32) };
    assert_eq!(after, &[0u8; 32], "the derived key is zeroed by its drop");
}

#[cfg(target_os = "linux")]
mod freed_memory {
    //! A global allocator that, while armed on a thread, looks into every heap block that
    //! thread frees (and every block a `realloc` moves away from) for the canary, before giving
    //! it back. Armed per thread: the library does a call's work on the caller's thread, and
    //! other threads of this binary (emulators of other tests, holding the key in plain
    //! strings on purpose, and the emulator's connection threads) must not count.
    //!
    //! Soundness: the block is inspected with C's `memmem` while it is still allocated, before
    //! `System.dealloc`. Rust code never reads those bytes (some may be uninitialised spare
    //! capacity, which Rust may not read as `u8` but C may read as `unsigned char`), and the
    //! hooks neither allocate nor panic.

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub struct Scanner;

    thread_local! {
        /// Const-initialised and without a destructor: reading it never allocates.
        pub static ARMED: Cell<bool> = const { Cell::new(false) };
    }

    fn armed() -> bool {
        ARMED.try_with(Cell::get).unwrap_or(false)
    }
    /// Freed blocks that still held the canary.
    pub static FOUND: AtomicUsize = AtomicUsize::new(0);
    /// Freed blocks looked into.
    pub static SCANNED: AtomicUsize = AtomicUsize::new(0);
    /// Size of the last block found with the canary.
    pub static FOUND_SIZE: AtomicUsize = AtomicUsize::new(0);

    fn scan(ptr: *mut u8, size: usize) {
        SCANNED.fetch_add(1, Ordering::Relaxed);
        let needle = super::CANARY.as_bytes();
        // SAFETY: `ptr` is a live block of `size` bytes (we are inside dealloc/realloc, before
        // the block is released), the needle is a live static; memmem only reads both.
        let hit = unsafe {
            libc::memmem(
                ptr.cast::<libc::c_void>(),
                size,
                needle.as_ptr().cast::<libc::c_void>(),
                needle.len(),
            )
        };
        if !hit.is_null() {
            FOUND.fetch_add(1, Ordering::Relaxed);
            FOUND_SIZE.store(size, Ordering::Relaxed);
        }
    }

    // SAFETY: every method forwards to `System` with the same arguments; the scan only reads.
    unsafe impl GlobalAlloc for Scanner {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if armed() {
                scan(ptr, layout.size());
            }
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if !armed() {
                return unsafe { System.realloc(ptr, layout, new_size) };
            }
            // Always move while armed, so the old block is really freed and can be looked at:
            // a growing String that held the key leaves its old copy behind exactly like this.
            let new_layout = match Layout::from_size_align(new_size, layout.align()) {
                Ok(l) => l,
                Err(_) => return std::ptr::null_mut(),
            };
            let new = unsafe { System.alloc(new_layout) };
            if !new.is_null() {
                unsafe {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        }
    }

    #[global_allocator]
    static GLOBAL: Scanner = Scanner;
}

/// Run `f` with the scanner armed on this thread; the number of freed blocks that still held
/// the key.
#[cfg(target_os = "linux")]
fn freed_with_key(f: impl FnOnce()) -> usize {
    use std::sync::atomic::Ordering;
    freed_memory::FOUND.store(0, Ordering::SeqCst);
    freed_memory::ARMED.with(|a| a.set(true));
    f();
    freed_memory::ARMED.with(|a| a.set(false));
    freed_memory::FOUND.load(Ordering::SeqCst)
}

/// Every heap copy of the key is wiped before it is freed: the credential (explicit, from a
/// lookup, from a profile file), a client that signed and called, the C ABI's signing and
/// client, and a client dropped after an error.
#[cfg(target_os = "linux")]
#[test]
fn freed_memory_never_holds_the_key() {
    use std::sync::atomic::Ordering;
    let _serial = serial();
    // The check sees a leak: a plain String with the key, freed.
    let control = freed_with_key(|| drop(std::hint::black_box(String::from(CANARY))));
    assert_eq!(control, 1, "the scanner must see a plain copy");
    let scanned = freed_memory::SCANNED.load(Ordering::SeqCst);

    // Set up outside the armed region what belongs to the test, not to the library.
    let emulator = Emulator::start(quiet(EmulatorConfig::default())).unwrap();
    let endpoint = emulator.endpoint();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("credentials");
    let mut text = String::from("[default]\nsecret_id = AKIDx\nsecret_key = ");
    text.push_str(CANARY);
    text.push('\n');
    std::fs::write(&profile, &text).unwrap();
    zeroize::Zeroize::zeroize(&mut text);
    // A static C string: the test itself leaves no heap copy of the key behind.
    let c_key: &CStr = c"SECRET-canary-7f3a9c";
    assert_eq!(c_key.to_str(), Ok(CANARY));
    let (c_id, c_region, c_endpoint) = (
        CString::new(SECRET_ID).unwrap(),
        CString::new("ap-singapore").unwrap(),
        CString::new(endpoint.clone()).unwrap(),
    );

    type Case<'a> = (&'a str, Box<dyn FnOnce() + 'a>);
    let cases: Vec<Case<'_>> = vec![
        ("SecretKey", Box::new(|| drop(SecretKey::new(CANARY)))),
        ("Credential", Box::new(|| drop(credential()))),
        (
            "Credential::from_lookup",
            Box::new(|| {
                drop(Credential::from_lookup(|name| match name {
                    "TENCENTCLOUD_SECRET_ID" => Some(SECRET_ID.to_owned()),
                    "TENCENTCLOUD_SECRET_KEY" => Some(CANARY.to_owned()),
                    _ => None,
                }))
            }),
        ),
        (
            "Credential::from_profile_file",
            Box::new(|| drop(Credential::from_profile_file(&profile, None).unwrap())),
        ),
        (
            "client: sign, call (refused), drop",
            Box::new(|| {
                let client = builder(&endpoint, credential()).build().unwrap();
                let error = client.apply_card_verification(&url_request()).unwrap_err();
                assert_eq!(error.code(), ResultCode::ServiceAuthFailure);
                drop(client);
            }),
        ),
        (
            "signing functions",
            Box::new(|| {
                let input = SigningInput {
                    method: Method::Post,
                    host: "faceid.tencentcloudapi.com",
                    query: "",
                    content_type: sign::CONTENT_TYPE_JSON,
                    payload: Payload::Body(b"{}"),
                    service: sign::SERVICE,
                    timestamp: 1_700_000_000,
                    extra_signed_headers: &[],
                };
                drop(sign::sign(&credential(), &input).unwrap());
                let signer = Signer::new(credential());
                drop(signer.sign(&input).unwrap());
                drop(signer);
            }),
        ),
        (
            "C ABI: tcfaceid_sign, tcfaceid_signer, client builder, call, free",
            Box::new(|| {
                // SAFETY: valid strings and out pointers; every handle is freed once.
                unsafe {
                    let mut headers = ptr::null_mut();
                    let code = capi::sign::tcfaceid_sign(
                        c_id.as_ptr(),
                        c_key.as_ptr(),
                        ptr::null(),
                        c"faceid".as_ptr(),
                        c"faceid.tencentcloudapi.com".as_ptr(),
                        c_region.as_ptr(),
                        c"ApplyCardVerification".as_ptr(),
                        c"2018-03-01".as_ptr(),
                        1_700_000_000,
                        ptr::null(),
                        0,
                        &mut headers,
                    );
                    assert_eq!(code, ResultCode::Ok);
                    capi::sign::tcfaceid_signed_headers_free(headers);
                    let mut signer = ptr::null_mut();
                    let code = capi::sign::tcfaceid_signer_new(
                        c_id.as_ptr(),
                        c_key.as_ptr(),
                        ptr::null(),
                        c"ocr".as_ptr(),
                        &mut signer,
                    );
                    assert_eq!(code, ResultCode::Ok);
                    let mut headers = ptr::null_mut();
                    let code = capi::sign::tcfaceid_signer_sign(
                        signer,
                        c"ocr.tencentcloudapi.com".as_ptr(),
                        c_region.as_ptr(),
                        c"GetCardVerificationExternalResult".as_ptr(),
                        c"2018-11-19".as_ptr(),
                        1_700_000_000,
                        ptr::null(),
                        0,
                        &mut headers,
                    );
                    assert_eq!(code, ResultCode::Ok);
                    capi::sign::tcfaceid_signed_headers_free(headers);
                    capi::sign::tcfaceid_signer_free(signer);
                    let mut builder = ptr::null_mut();
                    capi::client::tcfaceid_client_builder_new(&mut builder);
                    capi::client::tcfaceid_client_builder_set_credentials(
                        builder,
                        c_id.as_ptr(),
                        c_key.as_ptr(),
                        ptr::null(),
                    );
                    capi::client::tcfaceid_client_builder_set_region(builder, c_region.as_ptr());
                    capi::client::tcfaceid_client_builder_set_endpoint(
                        builder,
                        c_endpoint.as_ptr(),
                    );
                    let mut client = ptr::null_mut();
                    assert_eq!(
                        capi::client::tcfaceid_client_builder_build(builder, &mut client),
                        ResultCode::Ok
                    );
                    let mut out = ptr::null_mut();
                    let code = capi::client::tcfaceid_client_call_json(
                        client,
                        c"GetCardVerificationResult".as_ptr(),
                        c"{}".as_ptr(),
                        &mut out,
                        &mut 0,
                    );
                    assert_eq!(code, ResultCode::ServiceAuthFailure);
                    capi::client::tcfaceid_client_free(client);
                    // A builder abandoned with the key in it.
                    let mut builder = ptr::null_mut();
                    capi::client::tcfaceid_client_builder_new(&mut builder);
                    capi::client::tcfaceid_client_builder_set_credentials(
                        builder,
                        c_id.as_ptr(),
                        c_key.as_ptr(),
                        ptr::null(),
                    );
                    capi::client::tcfaceid_client_builder_free(builder);
                }
            }),
        ),
    ];
    let mut leaks = Vec::new();
    for (what, case) in cases {
        let found = freed_with_key(case);
        if found > 0 {
            leaks.push(format!(
                "{what}: {found} freed block(s) still held the key (last one {} bytes)",
                freed_memory::FOUND_SIZE.load(Ordering::SeqCst)
            ));
        }
    }
    assert!(
        freed_memory::SCANNED.load(Ordering::SeqCst) > scanned + 100,
        "the scanner looked at the blocks freed"
    );
    assert!(leaks.is_empty(), "{leaks:#?}");
}
