//! The OCR product (`--api ocr`, `TCFACEID_API=ocr`): verify, result and batch through the
//! real binary against the emulator's ApplyCardVerificationExternal /
//! GetCardVerificationExternalResult, and its COMPLETED / ABNORMAL vocabulary's exit codes.

mod common;

use common::{emulator, json_lines, manifest_of, quick_emulator, run, sample, tcfaceid};
use serde_json::Value;
use tcfaceid_emulator::{EmulatorConfig, OcrStatus};

/// Run `tcfaceid --api ocr ARGS… --json`.
fn ocr_json(endpoint: &str, args: &[&str]) -> (i32, String, String) {
    run(tcfaceid(endpoint)
        .args(["--api", "ocr"])
        .args(args)
        .arg("--json"))
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).expect("one JSON object")
}

#[test]
fn ocr_verify_prints_front_back_and_head_image_and_completed_exits_0() {
    let emulator = quick_emulator();
    let (front, back) = (sample("front-640x400.jpg"), sample("back-640x400.jpg"));
    let (code, stdout, stderr) = ocr_json(
        &emulator.endpoint(),
        &[
            "verify",
            "HKG",
            "ID_CARD",
            front.to_str().unwrap(),
            back.to_str().unwrap(),
            "--return-head-image",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let record = json(&stdout);
    assert_eq!(record["status"], "COMPLETED");
    assert_eq!(record["general_card"]["FullName"], "SAMPLE PERSON");
    assert_eq!(record["general_card"]["LicenseNumber"], "HKG1234567");
    assert!(record["back_card_info"].is_object(), "{record}");
    assert_eq!(record["head_image"], true);
    assert!(record.get("card_info").is_none(), "{record}");
    assert_eq!(record["token"].as_str().unwrap().len(), 36);
    assert_eq!(emulator.stats().apply_calls, 1);

    // The same through the environment, for people: the front card, no back, no portrait.
    let (code, stdout, stderr) = run(tcfaceid(&emulator.endpoint())
        .env("TCFACEID_API", "ocr")
        .args(["verify", "IDN", "ID_CARD", front.to_str().unwrap()]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with("COMPLETED  IDN\n"), "{stdout}");
    assert!(stdout.contains("front card:"), "{stdout}");
    assert!(stdout.contains("FullName:"), "{stdout}");
    assert!(!stdout.contains("back card:"), "{stdout}");
    assert!(stdout.contains("head image: no"), "{stdout}");
    assert_eq!(emulator.stats().apply_calls, 2);
}

#[test]
fn ocr_abnormal_and_legacy_warning_exit_1_and_legacy_passed_exits_0() {
    let cases = [
        (
            OcrStatus::Current,
            "https://example.com/abnormal.jpg",
            "ABNORMAL",
            1,
        ),
        (
            OcrStatus::Current,
            "https://example.com/warning.jpg",
            "COMPLETED",
            0,
        ),
        (
            OcrStatus::Legacy,
            "https://example.com/warning.jpg",
            "WARNING",
            1,
        ),
        (
            OcrStatus::Legacy,
            "https://example.com/front.jpg",
            "PASSED",
            0,
        ),
    ];
    for (vocabulary, url, status, expected) in cases {
        let emulator = emulator(EmulatorConfig {
            processing_polls: 0,
            polling_wait_secs: 0,
            ocr_status: vocabulary,
            ..EmulatorConfig::default()
        });
        let (code, stdout, stderr) =
            ocr_json(&emulator.endpoint(), &["verify", "IDN", "ID_CARD", url]);
        assert_eq!(code, expected, "{vocabulary:?} {url}: {stdout}{stderr}");
        assert_eq!(json(&stdout)["status"], status, "{vocabulary:?} {url}");
    }
}

#[test]
fn ocr_rules_are_checked_locally() {
    let emulator = quick_emulator();
    // AUTO is FaceID's only: refused before any request.
    let (code, stdout, _) = ocr_json(
        &emulator.endpoint(),
        &["verify", "IDN", "AUTO", "https://example.com/front.jpg"],
    );
    assert_eq!(code, 3, "{stdout}");
    assert_eq!(json(&stdout)["error"]["class"], "validation");
    assert_eq!(emulator.stats().requests, 0);
}

#[test]
fn ocr_result_resumes_a_token() {
    let emulator = quick_emulator();
    let (code, stdout, _) = ocr_json(
        &emulator.endpoint(),
        &["verify", "IDN", "ID_CARD", "https://example.com/front.jpg"],
    );
    assert_eq!(code, 0, "{stdout}");
    let token = json(&stdout)["token"].as_str().unwrap().to_owned();
    let (code, stdout, stderr) = run(tcfaceid(&emulator.endpoint())
        .env("TCFACEID_API", "ocr")
        .args(["result", &token, "--json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let record = json(&stdout);
    assert_eq!(record["status"], "COMPLETED");
    assert_eq!(record["token"], token.as_str());
    assert_eq!(record["general_card"]["FullName"], "SAMPLE PERSON");
    assert_eq!(record["head_image"], false);
    assert_eq!(emulator.stats().apply_calls, 1);
}

#[test]
fn ocr_batch_reaches_one_result_per_row() {
    let emulator = quick_emulator();
    let dir = tempfile::tempdir().unwrap();
    // OCR takes images of 256 to 4096 pixels a side.
    let manifest = manifest_of(dir.path(), 6, "front-640x400.jpg", "back-640x400.jpg");
    let out = dir.path().join("results.jsonl");
    let (code, stdout, stderr) = run(tcfaceid(&emulator.endpoint()).args([
        "--api",
        "ocr",
        "batch",
        manifest.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--concurrency",
        "6",
    ]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let results = json_lines(&out);
    assert_eq!(results.len(), 6);
    for record in &results {
        assert_eq!(record["status"], "COMPLETED", "{record}");
        assert!(record["back_card_info"].is_object(), "{record}");
    }
    assert_eq!(emulator.stats().apply_calls, 6);
}
