//! `tcfaceid verify`, `result`, `sign`, `completions` and the exit codes, running the real
//! binary against the emulator over loopback.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use common::{quick_emulator, run, sample, tcfaceid};
use serde_json::Value;
use tcfaceid_emulator::{EmulatorConfig, Verdict};

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).expect("one JSON object")
}

#[test]
fn verify_prints_the_verdict_for_people_and_exits_0() {
    let emulator = quick_emulator();
    let (code, stdout, stderr) = run(tcfaceid(&emulator.endpoint()).args([
        "verify",
        "HKG",
        "ID_CARD",
        sample("front.jpg").to_str().unwrap(),
        sample("back.jpg").to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("PASSED  HKG ID_CARD NATIONAL_ID\n"),
        "{stdout}"
    );
    assert!(stdout.contains("EnName:"), "{stdout}");
    assert!(
        !stdout.contains('\x1b'),
        "no colour off a terminal: {stdout:?}"
    );
    // The token is on stderr as soon as the apply succeeds, before any poll.
    assert!(stderr.starts_with("applied: token "), "{stderr}");
    assert_eq!(emulator.stats().apply_calls, 1);
}

#[test]
fn verify_json_has_verdict_warnings_card_token_and_request_id() {
    let emulator = quick_emulator();
    let (code, stdout, _) = run(tcfaceid(&emulator.endpoint()).args([
        "verify",
        "HKG",
        "ID_CARD",
        sample("front.jpg").to_str().unwrap(),
        sample("back.jpg").to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(code, 0, "{stdout}");
    let record = json(&stdout);
    assert_eq!(record["status"], "PASSED");
    assert_eq!(record["warnings"], serde_json::json!([]));
    assert_eq!(record["card_info"]["HKIDCard"]["EnName"], "SAMPLE, Jane");
    assert_eq!(record["token"].as_str().unwrap().len(), 36);
    assert!(!record["request_id"].as_str().unwrap().is_empty());
    assert!(record.get("error").is_none());
}

#[test]
fn the_front_can_come_from_standard_input() {
    let emulator = quick_emulator();
    let mut child = tcfaceid(&emulator.endpoint())
        .args(["verify", "IDN", "ID_CARD", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let image = std::fs::read(sample("front.jpg")).unwrap();
    child.stdin.take().unwrap().write_all(&image).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        json(&String::from_utf8(output.stdout).unwrap())["status"],
        "PASSED"
    );
}

#[test]
fn warning_and_rejected_exit_1() {
    for (url, status) in [
        ("https://example.com/warning.jpg", "WARNING"),
        ("https://example.com/rejected.jpg", "REJECTED"),
    ] {
        let emulator = quick_emulator();
        let (code, stdout, _) =
            run(tcfaceid(&emulator.endpoint()).args(["verify", "IDN", "ID_CARD", url, "--json"]));
        assert_eq!(code, 1, "{stdout}");
        let record = json(&stdout);
        assert_eq!(record["status"], status);
        assert_eq!(record["warnings"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn local_validation_exits_3_before_any_request() {
    let emulator = quick_emulator();
    let front = sample("front.jpg");
    let cases: [&[&str]; 3] = [
        &["verify", "HKG", "ID_CARD", front.to_str().unwrap()], // the back is required
        &["verify", "XXX", "ID_CARD", front.to_str().unwrap()],
        &["verify", "IDN", "ID_CARD", "/nonexistent/front.jpg"],
    ];
    for args in cases {
        let (code, stdout, _) = run(tcfaceid(&emulator.endpoint()).args(args).arg("--json"));
        assert_eq!(code, 3, "{args:?}: {stdout}");
        assert_eq!(json(&stdout)["error"]["class"], "validation");
    }
    assert_eq!(emulator.stats().requests, 0);
}

#[test]
fn credentials_exit_4() {
    let emulator = quick_emulator();
    let url = "https://example.com/front.jpg";
    let (code, stdout, _) = run(tcfaceid(&emulator.endpoint())
        .env("TENCENTCLOUD_SECRET_KEY", "not-the-emulator-key")
        .args(["verify", "IDN", "ID_CARD", url, "--json"]));
    assert_eq!(code, 4, "{stdout}");
    assert_eq!(
        json(&stdout)["error"]["service_code"],
        "AuthFailure.SignatureFailure"
    );
    let (code, _, _) = run(tcfaceid(&emulator.endpoint())
        .env_remove("TENCENTCLOUD_SECRET_ID")
        .args(["verify", "IDN", "ID_CARD", url]));
    assert_eq!(code, 4);
}

#[test]
fn network_exits_5_and_service_errors_exit_6() {
    // A port nobody listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = "https://example.com/front.jpg";
    let (code, stdout, _) = run(
        tcfaceid(&format!("http://{closed}")).args(["verify", "IDN", "ID_CARD", url, "--json"])
    );
    assert_eq!(code, 5, "{stdout}");
    assert_eq!(json(&stdout)["error"]["class"], "network");

    let offline = common::emulator(EmulatorConfig {
        offline: true,
        ..EmulatorConfig::default()
    });
    let (code, stdout, _) =
        run(tcfaceid(&offline.endpoint()).args(["verify", "IDN", "ID_CARD", url, "--json"]));
    assert_eq!(code, 6, "{stdout}");
    assert_eq!(json(&stdout)["error"]["service_code"], "ActionOffline");
}

#[test]
fn no_verdict_exits_7_with_the_token_and_result_resumes_it() {
    // Three polls allowed, the verdict only on the fifth: the first run gives up.
    let emulator = common::emulator(EmulatorConfig {
        processing_polls: 4,
        polling_wait_secs: 0,
        max_polling_times: 3,
        verdict: Verdict::Passed,
        ..EmulatorConfig::default()
    });
    let url = "https://example.com/front.jpg";
    let (code, stdout, _) =
        run(tcfaceid(&emulator.endpoint()).args(["verify", "IDN", "ID_CARD", url, "--json"]));
    assert_eq!(code, 7, "{stdout}");
    let record = json(&stdout);
    assert_eq!(record["error"]["class"], "no-verdict");
    let token = record["token"].as_str().unwrap().to_owned();

    // Poll 4 (at once) is still PROCESSING; poll 5, 5 s later, is the verdict.
    let (code, stdout, _) = run(tcfaceid(&emulator.endpoint()).args(["result", &token, "--json"]));
    assert_eq!(code, 0, "{stdout}");
    let record = json(&stdout);
    assert_eq!(record["status"], "PASSED");
    assert_eq!(record["token"], token.as_str());
    let stats = emulator.stats();
    assert_eq!((stats.apply_calls, stats.result_calls), (1, 5));
}

#[test]
fn plain_http_to_another_machine_needs_allow_insecure_http() {
    let url = "https://example.com/front.jpg";
    let endpoint = "http://tcfaceid-test.invalid";
    let (code, stdout, _) =
        run(tcfaceid(endpoint).args(["verify", "IDN", "ID_CARD", url, "--json"]));
    assert_eq!(code, 3, "refused before any connection: {stdout}");
    assert!(json(&stdout)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("allow_insecure_http"));
    // Allowed, it goes on to the network (and the .invalid name does not resolve).
    let (code, stdout, _) = run(tcfaceid(endpoint).args([
        "--allow-insecure-http",
        "verify",
        "IDN",
        "ID_CARD",
        url,
        "--json",
    ]));
    assert_eq!(code, 5, "{stdout}");
}

#[test]
fn result_of_an_unknown_token_is_a_service_error() {
    let emulator = quick_emulator();
    let (code, stdout, _) =
        run(tcfaceid(&emulator.endpoint()).args(["result", "no-such-token", "--json"]));
    assert_eq!(code, 6, "{stdout}");
    assert_eq!(json(&stdout)["token"], "no-such-token");
}

/// Start `tcfaceid ARGS… --json`, wait for `needle` on its stderr (the token is there), send
/// SIGINT; its exit code and stdout.
fn interrupted_once(endpoint: &str, args: &[&str], needle: &str) -> (Option<i32>, String) {
    let mut child = tcfaceid(endpoint)
        .args(args)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains(needle) {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no {needle:?}");
    }
    common::sigint(&child);
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn ctrl_c_while_polling_prints_the_token_and_the_cancellation_and_exits_130() {
    // Never a verdict: only the signal ends the polling.
    let emulator = common::emulator(EmulatorConfig {
        processing_polls: 1_000_000,
        polling_wait_secs: 1,
        ..EmulatorConfig::default()
    });
    let url = "https://example.com/front.jpg";
    let (code, stdout) = interrupted_once(
        &emulator.endpoint(),
        &["verify", "IDN", "ID_CARD", url],
        "applied: token",
    );
    assert_eq!(code, Some(130), "{stdout}");
    let record = json(&stdout);
    assert_eq!(record["error"]["class"], "cancelled", "{record}");
    let token = record["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 36);

    let (code, stdout) =
        interrupted_once(&emulator.endpoint(), &["result", &token], "polling: token");
    assert_eq!(code, Some(130), "{stdout}");
    let record = json(&stdout);
    assert_eq!(record["error"]["class"], "cancelled", "{record}");
    assert_eq!(record["token"], token.as_str());
    assert_eq!(emulator.stats().apply_calls, 1);
}

#[test]
fn signed_headers_work_with_another_http_client() {
    // Each product's result action, signed for its own service and version.
    for (api, action) in [
        ("faceid", "GetCardVerificationResult"),
        ("ocr", "GetCardVerificationExternalResult"),
    ] {
        let emulator = quick_emulator();
        let dir = tempfile::tempdir().unwrap();
        let body = r#"{"CardVerificationToken":"no-such-token"}"#;
        let body_path = dir.path().join("body.json");
        std::fs::write(&body_path, body).unwrap();
        let (code, headers, stderr) = run(tcfaceid(&emulator.endpoint()).args([
            "--api",
            api,
            "sign",
            action,
            body_path.to_str().unwrap(),
        ]));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            headers.starts_with("Authorization: TC3-HMAC-SHA256 Credential="),
            "{headers}"
        );
        assert!(
            headers.contains(&format!("/{api}/tc3_request")),
            "{headers}"
        );
        // Send them by hand: the emulator checks the signature, then answers the action.
        let mut stream = TcpStream::connect(emulator.addr()).unwrap();
        let request = format!(
            "POST / HTTP/1.1\r\n{}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            headers.replace('\n', "\r\n"),
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.contains("InvalidParameterValue"), "{api}: {answer}");
        assert_eq!(emulator.stats().signature_failures, 0, "{api}");
        assert_eq!(emulator.stats().result_calls, 1, "{api}");
    }
}

#[test]
fn sign_json_is_deterministic_for_a_given_timestamp() {
    let emulator = quick_emulator();
    let sign = |timestamp: &str| {
        run(tcfaceid(&emulator.endpoint()).args([
            "sign",
            "ApplyCardVerification",
            "--timestamp",
            timestamp,
            "--format",
            "json",
        ]))
        .1
    };
    let first = json(&sign("1700000000"));
    assert_eq!(first, json(&sign("1700000000")));
    assert_ne!(
        first["Authorization"],
        json(&sign("1700000001"))["Authorization"]
    );
    assert_eq!(first["X-TC-Timestamp"], "1700000000");
    assert!(first["Authorization"]
        .as_str()
        .unwrap()
        .contains("/2023-11-14/faceid/tc3_request"));
}

#[test]
fn every_subcommand_has_help_with_examples_and_completions_are_generated() {
    for sub in ["verify", "result", "batch", "sign", "completions"] {
        let (code, stdout, _) = run(tcfaceid("http://127.0.0.1:9").args([sub, "--help"]));
        assert_eq!(code, 0);
        assert!(stdout.contains("Example"), "{sub}: {stdout}");
    }
    let (_, stdout, _) = run(tcfaceid("http://127.0.0.1:9").arg("--help"));
    assert!(stdout.contains("Exit codes"), "{stdout}");
    for shell in ["bash", "zsh", "fish"] {
        let (code, stdout, _) = run(tcfaceid("http://127.0.0.1:9").args(["completions", shell]));
        assert_eq!(code, 0);
        assert!(
            stdout.contains("batch") && stdout.contains("concurrency"),
            "{shell}"
        );
    }
    let (code, _, _) = run(tcfaceid("http://127.0.0.1:9").args(["verify"]));
    assert_eq!(code, 2, "usage errors exit 2");
}
