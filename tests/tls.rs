//! TLS: certificates are verified by default; a self-signed, unknown-CA or wrong-name
//! certificate is a `ResultCode::Tls` error (never `Transport`), quickly; a CA bundle given with
//! `ClientBuilder::ca_file`, `TCFACEID_CA_FILE` or `tcfaceid_client_builder_set_ca_file` is
//! trusted; an unusable CA file fails the build with `Tls`.
//!
//! Every certificate is made at test time with rcgen (a CA, a leaf for 127.0.0.1 and localhost
//! signed by it, a self-signed leaf, a leaf for another name) and served by the emulator over
//! HTTPS (`EmulatorConfig::tls`, the binary's `--tls-cert` / `--tls-key`).

#[path = "common/mod.rs"]
mod common;
#[path = "pki/mod.rs"]
mod pki;

use std::ffi::{CStr, CString};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::ptr;
use std::time::{Duration, Instant};

use pki::{pki, write};
use tcfaceid::api::VerificationStatus;
use tcfaceid::capi;
use tcfaceid::client::ENV_CA_FILE;
use tcfaceid::{CardVerificationRequest, Client, ClientBuilder, Credential, ResultCode};
use tcfaceid_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, TlsFiles, DEMO_SECRET_ID, DEMO_SECRET_KEY,
};

fn https_emulator(files: &TlsFiles) -> Emulator {
    https_emulator_with(files, EmulatorConfig::default())
}

fn https_emulator_with(files: &TlsFiles, config: EmulatorConfig) -> Emulator {
    Emulator::start(EmulatorConfig {
        processing_polls: 1,
        polling_wait_secs: 0,
        log: false,
        threads: 4,
        tls: Some(files.clone()),
        ..config
    })
    .unwrap()
}

fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
        .region("ap-singapore")
        .endpoint(endpoint)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
}

fn url_request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("HKG", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request.set_back_url("https://example.com/back.jpg");
    request
}

/// The error of one GetCardVerificationResult call, and how long it took.
fn call_error(client: &Client) -> (tcfaceid::Error, Duration) {
    let start = Instant::now();
    let error = client
        .get_card_verification_result("token")
        .expect_err("the call must fail");
    (error, start.elapsed())
}

/// Whether the developer's shell already names a CA file (the default-roots checks then do not
/// test the defaults, so they are skipped).
fn env_ca_file_set() -> bool {
    std::env::var_os(ENV_CA_FILE).is_some_and(|v| !v.is_empty())
}

#[test]
fn the_emulator_serves_https_on_the_given_endpoint() {
    let pki = pki();
    let emulator = https_emulator(&pki.leaf);
    assert!(
        emulator.endpoint().starts_with("https://127.0.0.1:"),
        "{}",
        emulator.endpoint()
    );
    assert_eq!(emulator.host(), emulator.addr().to_string());
    assert!(format!("{emulator:?}").contains("https: true"));
}

#[test]
fn verification_is_on_by_default_and_a_self_signed_certificate_is_a_tls_error() {
    if env_ca_file_set() {
        eprintln!("skipped: {ENV_CA_FILE} is set in this environment");
        return;
    }
    let pki = pki();
    for (name, files) in [
        ("self-signed", &pki.self_signed),
        ("signed by a CA not in the bundled roots", &pki.leaf),
    ] {
        let emulator = https_emulator(files);
        let client = builder(&emulator.endpoint()).build().unwrap();
        let (error, elapsed) = call_error(&client);
        assert_eq!(error.code(), ResultCode::Tls, "{name}: {error}");
        assert!(elapsed < Duration::from_secs(2), "{name}: took {elapsed:?}");
        assert!(
            !error.is_retryable(),
            "{name}: a TLS failure is not retried"
        );
        assert_eq!(
            emulator.stats().requests,
            0,
            "{name}: nothing reached the service"
        );
    }
}

#[test]
fn an_untrusted_issuer_or_a_wrong_name_is_a_tls_error_even_with_a_ca_file() {
    let pki = pki();
    let cases = [
        (
            "self-signed, CA file of the test CA",
            &pki.self_signed,
            &pki.ca,
        ),
        ("issuer not in the CA file", &pki.leaf, &pki.other_ca),
        ("certificate for example.com", &pki.wrong_name, &pki.ca),
    ];
    for (name, files, ca) in cases {
        let emulator = https_emulator(files);
        let client = builder(&emulator.endpoint()).ca_file(ca).build().unwrap();
        let (error, elapsed) = call_error(&client);
        assert_eq!(error.code(), ResultCode::Tls, "{name}: {error}");
        assert!(elapsed < Duration::from_secs(2), "{name}: took {elapsed:?}");
        assert_eq!(emulator.stats().requests, 0, "{name}");
    }
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_error() {
    // A plain HTTP server that answers the ClientHello with an HTTP 400, as most do.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1) {
            let Ok(mut stream) = stream else { return };
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let pki = pki();
    let client = builder(&format!("https://{addr}"))
        .ca_file(&pki.ca)
        .build()
        .unwrap();
    let (error, elapsed) = call_error(&client);
    assert_eq!(error.code(), ResultCode::Tls, "{error}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");

    // The emulator itself, over plain HTTP: it answers the ClientHello with an HTTP 400, which
    // is no TLS record.
    let emulator = Emulator::start(EmulatorConfig {
        log: false,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let endpoint = emulator.endpoint().replace("http://", "https://");
    let client = builder(&endpoint)
        .ca_file(&pki.ca)
        .connect_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let (error, elapsed) = call_error(&client);
    assert_eq!(error.code(), ResultCode::Tls, "{error}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

#[test]
fn with_the_ca_file_the_whole_flow_passes_over_https() {
    let pki = pki();
    let emulator = https_emulator(&pki.leaf);
    let client = builder(&emulator.endpoint())
        .ca_file(&pki.ca)
        .build()
        .unwrap();
    for _ in 0..3 {
        let verification = client
            .verify_card(&url_request(), Duration::from_secs(10))
            .unwrap();
        assert_eq!(verification.result.status, VerificationStatus::Passed);
        assert!(verification.result.card_info.unwrap().hk_id_card.is_some());
    }
    let stats = emulator.stats();
    assert_eq!(stats.apply_calls, 3);
    assert_eq!(stats.tokens_issued, 3);
    assert_eq!(stats.verdicts, 3);
    assert_eq!(stats.signature_failures, 0, "the signed Host kept the port");

    // The service's own errors come through TLS unchanged.
    let wrong = Client::builder()
        .credential(Credential::new(DEMO_SECRET_ID, "not-the-key", None).unwrap())
        .region("ap-singapore")
        .endpoint(emulator.endpoint())
        .ca_file(&pki.ca)
        .build()
        .unwrap();
    let (error, _) = call_error(&wrong);
    assert_eq!(error.code(), ResultCode::ServiceAuthFailure, "{error}");
    assert_eq!(error.service_code(), Some("AuthFailure.SignatureFailure"));
}

#[test]
fn several_threads_share_one_https_client() {
    let pki = pki();
    let emulator = https_emulator(&pki.leaf);
    let client = builder(&emulator.endpoint())
        .ca_file(&pki.ca)
        .build()
        .unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..10 {
                    client.apply_card_verification(&url_request()).unwrap();
                }
            });
        }
    });
    assert_eq!(emulator.stats().apply_calls, 40);
    assert_eq!(emulator.stats().tokens_issued, 40);
}

#[test]
fn faults_over_https_keep_their_classes() {
    let pki = pki();
    for (kind, code) in [
        (FaultKind::Drop, ResultCode::Transport),
        (FaultKind::Garbage, ResultCode::Protocol),
        (FaultKind::Http500, ResultCode::HttpStatus),
    ] {
        let emulator = https_emulator_with(
            &pki.leaf,
            EmulatorConfig {
                fault: Fault::always(kind),
                ..EmulatorConfig::default()
            },
        );
        let client = builder(&emulator.endpoint())
            .ca_file(&pki.ca)
            .build()
            .unwrap();
        let (error, elapsed) = call_error(&client);
        assert_eq!(error.code(), code, "{kind:?}: {error}");
        assert!(
            elapsed < Duration::from_secs(5),
            "{kind:?}: took {elapsed:?}"
        );
    }
}

#[test]
fn an_unusable_ca_file_fails_the_build_with_a_tls_error() {
    let pki = pki();
    let d = pki.dir.path();
    let cases = [
        ("missing", d.join("no-such-file.pem")),
        ("empty", write(d, "empty.pem", "")),
        ("a key, no certificate", pki.leaf.key.clone()),
        (
            "not PEM",
            write(d, "junk.pem", "this is not a certificate\n"),
        ),
        (
            "a certificate block that is not base64",
            write(
                d,
                "broken.pem",
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            ),
        ),
        ("a directory", d.to_path_buf()),
    ];
    for (name, path) in cases {
        let error = builder("https://127.0.0.1:9")
            .ca_file(&path)
            .build()
            .expect_err(name);
        assert_eq!(error.code(), ResultCode::Tls, "{name}: {error}");
        assert!(
            error.message().contains(&path.display().to_string()),
            "{name}: the message names the file: {error}"
        );
    }
}

#[test]
fn the_emulator_refuses_unusable_tls_files() {
    let pki = pki();
    let d = pki.dir.path();
    let empty = write(d, "empty.pem", "");
    for (name, files) in [
        (
            "no certificate",
            TlsFiles {
                cert: empty.clone(),
                key: pki.leaf.key.clone(),
            },
        ),
        (
            "no key",
            TlsFiles {
                cert: pki.leaf.cert.clone(),
                key: empty.clone(),
            },
        ),
        (
            "key of another certificate",
            TlsFiles {
                cert: pki.leaf.cert.clone(),
                key: pki.self_signed.key.clone(),
            },
        ),
        (
            "missing",
            TlsFiles {
                cert: d.join("nope.pem"),
                key: d.join("nope.key"),
            },
        ),
    ] {
        let error = Emulator::start(EmulatorConfig {
            log: false,
            tls: Some(files),
            ..EmulatorConfig::default()
        })
        .expect_err(name);
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::InvalidInput,
            "{name}: {error}"
        );
    }
}

/// The C ABI path: tcfaceid_client_builder_set_ca_file, then a call over HTTPS.
#[test]
fn the_c_abi_ca_file_setting_is_trusted() {
    let pki = pki();
    let emulator = https_emulator(&pki.leaf);
    let c = |s: &str| CString::new(s).unwrap();
    let (id, key, region) = (c(DEMO_SECRET_ID), c(DEMO_SECRET_KEY), c("ap-singapore"));
    let endpoint = c(&emulator.endpoint());
    let ca = c(pki.ca.to_str().unwrap());
    let other = c(pki.other_ca.to_str().unwrap());
    for (ca_file, expected) in [(&ca, ResultCode::Ok), (&other, ResultCode::Tls)] {
        // SAFETY: valid NUL-terminated strings, out pointers we own, live handles freed once.
        unsafe {
            let mut builder = ptr::null_mut();
            assert_eq!(
                capi::client::tcfaceid_client_builder_new(&mut builder),
                ResultCode::Ok
            );
            for code in [
                capi::client::tcfaceid_client_builder_set_credentials(
                    builder,
                    id.as_ptr(),
                    key.as_ptr(),
                    ptr::null(),
                ),
                capi::client::tcfaceid_client_builder_set_region(builder, region.as_ptr()),
                capi::client::tcfaceid_client_builder_set_endpoint(builder, endpoint.as_ptr()),
                capi::client::tcfaceid_client_builder_set_ca_file(builder, ca_file.as_ptr()),
            ] {
                assert_eq!(code, ResultCode::Ok);
            }
            let mut client = ptr::null_mut();
            assert_eq!(
                capi::client::tcfaceid_client_builder_build(builder, &mut client),
                ResultCode::Ok
            );
            let mut body = ptr::null_mut();
            let code = capi::client::tcfaceid_client_call_json(
                client,
                c"GetCardVerificationResult".as_ptr(),
                c"{\"CardVerificationToken\":\"t\"}".as_ptr(),
                &mut body,
                &mut 0,
            );
            let message = CStr::from_ptr(capi::error::tcfaceid_last_error_message())
                .to_string_lossy()
                .into_owned();
            if expected == ResultCode::Ok {
                // The token is unknown: the service answered, over verified TLS.
                assert_eq!(code, ResultCode::Service, "{message}");
            } else {
                assert_eq!(code, expected, "{message}");
            }
            assert!(body.is_null());
            capi::client::tcfaceid_client_free(client);
        }
    }
}

/// The `TCFACEID_CA_FILE` check runs in a child process (this test binary, filtered to
/// [`env_child`]) with the variable set there: no test in this process changes the
/// environment, so the others cannot see it half-set.
#[test]
fn the_ca_file_from_the_environment_is_trusted() {
    let pki = pki();
    let emulator = https_emulator(&pki.leaf);
    let run = |ca_file: &Path, expect: &str| {
        let output = Command::new(std::env::current_exe().unwrap())
            .args(["env_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(ENV_CA_FILE, ca_file)
            .env("TCFACEID_TLS_TEST_ENDPOINT", emulator.endpoint())
            .env("TCFACEID_TLS_TEST_EXPECT", expect)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{text}");
        assert!(text.contains("1 passed"), "the child ran the check: {text}");
        assert!(text.contains("env_child checked"), "{text}");
    };
    run(&pki.ca, "ok");
    run(&pki.other_ca, "tls");
    run(&pki.dir.path().join("missing.pem"), "build-tls");
}

/// The child of [`the_ca_file_from_the_environment_is_trusted`]; does nothing unless run by it.
#[test]
fn env_child() {
    let Ok(endpoint) = std::env::var("TCFACEID_TLS_TEST_ENDPOINT") else {
        return;
    };
    let expect = std::env::var("TCFACEID_TLS_TEST_EXPECT").unwrap();
    let built = builder(&endpoint).build();
    match expect.as_str() {
        "ok" => {
            let verification = built
                .unwrap()
                .verify_card(&url_request(), Duration::from_secs(10))
                .unwrap();
            assert_eq!(verification.result.status, VerificationStatus::Passed);
        }
        "tls" => {
            let (error, _) = call_error(&built.unwrap());
            assert_eq!(error.code(), ResultCode::Tls, "{error}");
        }
        "build-tls" => {
            let error = built.unwrap_err();
            assert_eq!(error.code(), ResultCode::Tls, "{error}");
            assert!(error.message().contains("missing.pem"), "{error}");
        }
        other => panic!("unknown expectation {other}"),
    }
    println!("env_child checked {expect}");
}

/// A minimal HTTP CONNECT proxy on loopback: reads `CONNECT host:port`, connects, answers 200
/// and pipes both ways. Returns its URL and the number of tunnels it opened.
fn connect_proxy() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let tunnels = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = tunnels.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let target = head
                .strip_prefix("CONNECT ")
                .and_then(|rest| rest.split(' ').next())
                .expect("a CONNECT request");
            let Ok(server) = TcpStream::connect(target) else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .unwrap();
            let pipe = |mut from: TcpStream, mut to: TcpStream| {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            };
            pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
            pipe(server, client);
        }
    });
    (url, tunnels)
}

#[test]
fn https_through_a_connect_proxy_keeps_tls_and_the_connection() {
    let pki = pki();
    let emulator = https_emulator(&pki.leaf);
    let (proxy, tunnels) = connect_proxy();
    let client = builder(&emulator.endpoint())
        .ca_file(&pki.ca)
        .proxy(proxy)
        .build()
        .unwrap();
    for _ in 0..3 {
        let verification = client
            .verify_card(&url_request(), Duration::from_secs(10))
            .unwrap();
        assert_eq!(verification.result.status, VerificationStatus::Passed);
    }
    assert_eq!(emulator.stats().apply_calls, 3);
    assert_eq!(
        tunnels.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one tunnel, kept alive"
    );
}

/// The largest image (a ~5 MB body) goes through TLS (fed 64 KiB at a time) intact, twice on
/// one connection.
#[test]
fn a_large_body_passes_over_https() {
    let pki = pki();
    let emulator = https_emulator(&pki.leaf);
    let client = builder(&emulator.endpoint())
        .ca_file(&pki.ca)
        .build()
        .unwrap();
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_bytes(common::jpeg_with_len(
        1024,
        768,
        tcfaceid::image::MAX_RAW_LEN,
    ));
    for _ in 0..2 {
        client.apply_card_verification(&request).unwrap();
    }
    let stats = emulator.stats();
    assert_eq!(stats.apply_calls, 2);
    assert_eq!(
        stats.signature_failures, 0,
        "the body arrived byte for byte"
    );
}

#[test]
fn socks_and_https_proxies_are_refused_when_building() {
    for proxy in ["socks5://127.0.0.1:1080", "https://127.0.0.1:3129"] {
        let error = builder("https://127.0.0.1:1")
            .proxy(proxy)
            .build()
            .unwrap_err();
        assert_eq!(error.code(), ResultCode::InvalidOption, "{proxy}: {error}");
        assert!(error.message().contains("http://"), "{error}");
    }
}
