//! The `tcfaceid-emulator` binary: it serves the crate's client, and never prints the SecretKey
//! or the token (ready line, per-request log, flag errors).

#[path = "../../tests/leak/mod.rs"]
mod leak;
#[path = "../../tests/pki/mod.rs"]
mod pki;

use std::process::{Command, Stdio};
use std::time::Duration;

use tcfaceid_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};

use tcfaceid::api::VerificationStatus;
use tcfaceid::{CardVerificationRequest, Client, ClientBuilder, Credential};

/// A key and a token that must never appear in what the binary prints.
const CANARY: &str = "SECRET-canary-7f3a9c";
const TOKEN: &str = "TOKEN-canary-4d2e81";
const SECRET_ID: &str = "AKIDsecretstest0000000000000000000";

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    leak::assert_no_secret(what, text, &[CANARY, TOKEN]);
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

/// A client with the emulator's demo credentials.
fn demo_builder(endpoint: &str) -> ClientBuilder {
    let demo = Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap();
    builder(endpoint, demo)
}

fn url_request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("HKG", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request.set_back_url("https://example.com/back.jpg");
    request
}

/// The binary, run with the canary key and token: its ready line, summary and per-request log.
#[test]
fn the_emulator_binary_never_prints_the_key() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcfaceid-emulator"))
        .args([
            "--port",
            "0",
            "--processing-polls",
            "1",
            "--polling-wait-secs",
            "0",
        ])
        .args([
            "--secret-id",
            SECRET_ID,
            "--secret-key",
            CANARY,
            "--token",
            TOKEN,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    let endpoint = ready
        .trim_end()
        .strip_prefix("tcfaceid-emulator listening on ")
        .unwrap_or("http://127.0.0.1:1")
        .to_owned();
    let good = builder(&endpoint, credential()).build().unwrap();
    let verified = good.verify_card(&url_request(), Duration::from_secs(10));
    let bad = builder(
        &endpoint,
        Credential::new(SECRET_ID, "wrong", Some(TOKEN)).unwrap(),
    )
    .build()
    .unwrap();
    let refused = bad.apply_card_verification(&url_request());
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(verified.is_ok(), "{ready}");
    assert!(refused.is_err());
    assert!(stderr.contains("AuthFailure.SignatureFailure"), "{stderr}");
    assert_clean("ready line", &ready);
    assert_clean("emulator stderr", &stderr);

    // A bad flag next to the key: the error names the flag, not the key.
    let output = Command::new(env!("CARGO_BIN_EXE_tcfaceid-emulator"))
        .args(["--secret-key", CANARY, "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_clean("flag error", &String::from_utf8_lossy(&output.stderr));
}

/// The binary: `--tls-cert` / `--tls-key` serve HTTPS and the ready line says `https://`.
#[test]
fn the_emulator_binary_serves_https() {
    use std::io::BufRead;
    use std::process::Stdio;

    let pki = pki::pki();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcfaceid-emulator"))
        .args(["--port", "0", "--quiet", "--polling-wait-secs", "0"])
        .arg("--tls-cert")
        .arg(&pki.leaf.cert)
        .arg(format!("--tls-key={}", pki.leaf.key.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim_end()
        .strip_prefix("tcfaceid-emulator listening on ")
        .map(str::to_owned);
    let result = endpoint.as_ref().map(|endpoint| {
        let client = demo_builder(endpoint).ca_file(&pki.ca).build().unwrap();
        client.verify_card(&url_request(), Duration::from_secs(10))
    });
    let _ = child.kill();
    let _ = child.wait();
    let endpoint = endpoint.unwrap_or_else(|| panic!("no ready line: {line:?}"));
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    assert_eq!(
        result.unwrap().unwrap().result.status,
        VerificationStatus::Passed
    );

    // Unusable files: exit code 1 with the file named, before any ready line.
    let output = Command::new(env!("CARGO_BIN_EXE_tcfaceid-emulator"))
        .arg("--tls-cert")
        .arg(pki.dir.path().join("missing.pem"))
        .arg("--tls-key")
        .arg(&pki.leaf.key)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.pem"));
}
