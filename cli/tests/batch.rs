//! `tcfaceid batch` end to end against the emulator over loopback: faults on the way, a
//! SIGKILL and a Ctrl-C in the middle, invalid rows; one result line per row, and never a
//! second apply for a row.

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::proxy::{Fate, Proxy};
use common::{json_lines, manifest, quick_emulator, rest, run, start_and_wait_for, tcfaceid};
use serde_json::Value;
use tcfaceid_emulator::EmulatorConfig;

fn ids(records: &[Value]) -> HashSet<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().expect("every result has an id").to_owned())
        .collect()
}

fn expected_ids(rows: usize) -> HashSet<String> {
    (1..=rows).map(|i| format!("doc-{i}")).collect()
}

fn batch_args(manifest: &Path, out: &Path) -> Vec<String> {
    vec![
        "batch".to_owned(),
        manifest.display().to_string(),
        "--out".to_owned(),
        out.display().to_string(),
    ]
}

/// Faults for every kind of request: applies rate limited (retried), dropped before the
/// service (not retried: the client cannot know), answered HTTP 500 (not retried), or dropped
/// after the service issued a token (billed, lost to the client: must not be re-applied);
/// polls answered 500, dropped or rate limited (all resumed).
fn faults(action: &str, n: u64) -> Fate {
    if action == "ApplyCardVerification" {
        match n % 20 {
            3 | 7 => Fate::RateLimit,
            11 => Fate::Drop,
            15 => Fate::Http500,
            19 => Fate::DropAnswer,
            _ => Fate::Relay,
        }
    } else {
        match n % 10 {
            2 => Fate::Http500,
            5 => Fate::Drop,
            8 => Fate::RateLimit,
            _ => Fate::Relay,
        }
    }
}

#[test]
fn a_batch_through_faults_writes_one_result_per_row_and_never_applies_twice() {
    const ROWS: usize = 300;
    let emulator = quick_emulator();
    let proxy = Proxy::start(emulator.addr(), faults);
    let dir = tempfile::tempdir().unwrap();
    let (manifest, out) = (manifest(dir.path(), ROWS), dir.path().join("results.jsonl"));
    let (code, _, stderr) = run(tcfaceid(&proxy.endpoint())
        .args(batch_args(&manifest, &out))
        .args(["--concurrency", "8", "--rate", "200"]));
    assert_eq!(
        code, 8,
        "some applies failed, so some rows end with an error: {stderr}"
    );

    let records = json_lines(&out);
    assert_eq!(records.len(), ROWS, "{stderr}");
    assert_eq!(ids(&records), expected_ids(ROWS));
    let tokens: Vec<&str> = records.iter().filter_map(|r| r["token"].as_str()).collect();
    assert_eq!(tokens.iter().collect::<HashSet<_>>().len(), tokens.len());
    for record in &records {
        match record["token"].as_str() {
            // Every row that got a token reached its verdict through the poll faults.
            Some(_) => assert_eq!(record["status"], "PASSED", "{record}"),
            None => {
                assert_eq!(record["status"], "ERROR", "{record}");
                let class = record["error"]["class"].as_str().unwrap();
                assert!(["network", "service"].contains(&class), "{record}");
            }
        }
        assert_eq!(record["extra"]["batch"], "nightly");
    }
    let errors = ROWS - tokens.len();
    assert!(errors > 0 && tokens.len() > ROWS / 2, "{errors} errors");
    assert!(proxy.count(Fate::Http500) > 0 && proxy.count(Fate::RateLimit) > 0);
    assert!(proxy.count(Fate::Drop) > 0 && proxy.count(Fate::DropAnswer) > 0);
    // One apply per row at most: every token the service issued is a row's, except those
    // whose answer was lost on the way (billed, reported as errors, never re-applied).
    let stats = emulator.stats();
    let lost = proxy
        .counts
        .applies_answer_dropped
        .load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(stats.tokens_issued, tokens.len() as u64 + lost);
    assert!(stats.apply_calls as usize <= ROWS);
    let journal = json_lines(&dir.path().join("results.jsonl.journal"));
    assert_eq!(journal.len(), tokens.len());
    assert!(
        stderr.contains(&format!("summary: {ROWS} rows")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("PASSED {}", tokens.len())),
        "{stderr}"
    );

    // A rerun has nothing left to do.
    let (code, _, stderr) = run(tcfaceid(&proxy.endpoint()).args(batch_args(&manifest, &out)));
    assert_eq!(code, 8);
    assert!(
        stderr.contains(&format!("{ROWS} rows already have a result")),
        "{stderr}"
    );
    assert_eq!(json_lines(&out).len(), ROWS);
    assert_eq!(emulator.stats().apply_calls, stats.apply_calls);
}

/// Each verification takes 1 s from its apply (every poll before then answers PROCESSING; no
/// polling hint, so the CLI polls every 10 ms): with one worker, nothing is applied for 1 s
/// after a token is journalled, the window in which these tests stop the batch.
fn slow_poll_emulator() -> tcfaceid_emulator::Emulator {
    common::emulator(EmulatorConfig {
        processing_polls: 0,
        polling_wait_ms: 1000,
        polling_hints: false,
        ..EmulatorConfig::default()
    })
}

#[test]
fn a_batch_killed_with_sigkill_resumes_and_applies_each_row_once() {
    const ROWS: usize = 12;
    let emulator = slow_poll_emulator();
    let dir = tempfile::tempdir().unwrap();
    let (manifest, out) = (manifest(dir.path(), ROWS), dir.path().join("results.jsonl"));
    let journal = dir.path().join("results.jsonl.journal");
    let (mut child, _) = start_and_wait_for(
        tcfaceid(&emulator.endpoint())
            .args(batch_args(&manifest, &out))
            .args(["--concurrency", "1", "-v"]),
        "token journalled",
        3,
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let journalled = json_lines(&journal).len();
    assert_eq!(journalled, 3);
    assert_eq!(emulator.stats().apply_calls, 3);
    assert!(
        json_lines(&out).len() < 3,
        "the third row was still polling"
    );

    let (code, _, stderr) = run(tcfaceid(&emulator.endpoint())
        .args(batch_args(&manifest, &out))
        .args(["--concurrency", "6"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("resuming:"), "{stderr}");
    let records = json_lines(&out);
    assert_eq!(records.len(), ROWS);
    assert_eq!(ids(&records), expected_ids(ROWS));
    assert!(records.iter().all(|r| r["status"] == "PASSED"));
    assert_eq!(emulator.stats().apply_calls, ROWS as u64);
    assert_eq!(json_lines(&journal).len(), ROWS);
}

#[test]
fn ctrl_c_journals_the_applies_in_flight_exits_130_and_a_rerun_finishes() {
    const ROWS: usize = 12;
    let emulator = slow_poll_emulator();
    let dir = tempfile::tempdir().unwrap();
    let (manifest, out) = (manifest(dir.path(), ROWS), dir.path().join("results.jsonl"));
    let (mut child, stderr) = start_and_wait_for(
        tcfaceid(&emulator.endpoint())
            .args(batch_args(&manifest, &out))
            .args(["--concurrency", "3", "-v"]),
        "token journalled",
        2,
    );
    common::sigint(&child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(rest(stderr).contains("interrupted"));
    // Every apply the service answered is in the journal, even with several in flight.
    let journalled = json_lines(&dir.path().join("results.jsonl.journal")).len() as u64;
    assert_eq!(emulator.stats().apply_calls, journalled);

    let (code, _, stderr) = run(tcfaceid(&emulator.endpoint())
        .args(batch_args(&manifest, &out))
        .args(["--concurrency", "6"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&json_lines(&out)), expected_ids(ROWS));
    assert_eq!(emulator.stats().apply_calls, ROWS as u64);
}

#[test]
fn invalid_rows_are_reported_with_line_numbers_before_any_request() {
    let emulator = quick_emulator();
    let dir = tempfile::tempdir().unwrap();
    let front = common::sample("front.jpg");
    let back = common::sample("back.jpg");
    let gif = dir.path().join("scan.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    let (front, back, gif) = (front.display(), back.display(), gif.display());
    let text = format!(
        "id,nationality,card_type,front,back\n\
         ok-1,HKG,ID_CARD,{front},{back}\n\
         bad-nationality,XXX,ID_CARD,{front},{back}\n\
         no-back,HKG,ID_CARD,{front},\n\
         gif,IDN,ID_CARD,{gif},\n\
         ok-1,IDN,ID_CARD,{front},\n\
         short,IDN\n\
         missing-file,IDN,ID_CARD,/nonexistent/front.jpg,\n"
    );
    let manifest = dir.path().join("docs.csv");
    std::fs::write(&manifest, text).unwrap();
    let out = dir.path().join("results.jsonl");
    let (code, _, stderr) = run(tcfaceid(&emulator.endpoint()).args(batch_args(&manifest, &out)));
    assert_eq!(code, 3, "{stderr}");
    for line in 3..=8 {
        assert!(
            stderr.contains(&format!("docs.csv:{line}")),
            "line {line}: {stderr}"
        );
    }
    assert!(!stderr.contains("docs.csv:2"), "{stderr}");
    assert!(stderr.contains("6 of 7 rows are invalid"), "{stderr}");
    assert_eq!(emulator.stats().requests, 0);
    assert!(json_lines(&out).is_empty());

    let (code, _, stderr) = run(tcfaceid(&emulator.endpoint())
        .args(batch_args(&manifest, &out))
        .arg("--skip-invalid"));
    assert_eq!(code, 8, "{stderr}");
    let records = json_lines(&out);
    assert_eq!(records.len(), 7);
    assert_eq!(
        records.iter().filter(|r| r["status"] == "INVALID").count(),
        6
    );
    assert_eq!(
        records.iter().filter(|r| r["status"] == "PASSED").count(),
        1
    );
    assert_eq!(emulator.stats().apply_calls, 1);
}

#[test]
fn a_json_lines_manifest_works_and_its_bad_lines_are_numbered() {
    let emulator = quick_emulator();
    let dir = tempfile::tempdir().unwrap();
    let front = common::sample("front.jpg");
    let good = serde_json::json!({
        "id": 7, "nationality": "IDN", "card_type": "ID_CARD",
        "front": front, "customer": "c-42",
    });
    let manifest = dir.path().join("docs.jsonl");
    std::fs::write(
        &manifest,
        format!("{good}\n\n{{\"id\": \"x\", \"front\": 3}}\n"),
    )
    .unwrap();
    let out = dir.path().join("results.jsonl");
    let (code, _, stderr) = run(tcfaceid(&emulator.endpoint()).args(batch_args(&manifest, &out)));
    assert_eq!(code, 3);
    assert!(
        stderr.contains("docs.jsonl:3 (id x): front: expected a string"),
        "{stderr}"
    );

    std::fs::write(&manifest, format!("{good}\n")).unwrap();
    let (code, _, stderr) = run(tcfaceid(&emulator.endpoint()).args(batch_args(&manifest, &out)));
    assert_eq!(code, 0, "{stderr}");
    let records = json_lines(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], "7");
    assert_eq!(records[0]["extra"]["customer"], "c-42");
}

#[test]
fn two_batches_cannot_share_a_journal() {
    let emulator = slow_poll_emulator();
    let dir = tempfile::tempdir().unwrap();
    let (manifest, out) = (manifest(dir.path(), 4), dir.path().join("results.jsonl"));
    let (mut first, _) = start_and_wait_for(
        tcfaceid(&emulator.endpoint())
            .args(batch_args(&manifest, &out))
            .args(["--concurrency", "1", "-v"]),
        "token journalled",
        1,
    );
    let (code, _, stderr) = run(tcfaceid(&emulator.endpoint()).args(batch_args(&manifest, &out)));
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(code, 9, "{stderr}");
    assert!(
        stderr.contains("in use by another tcfaceid batch"),
        "{stderr}"
    );
    assert_eq!(emulator.stats().apply_calls, 1);
}
