//! Many threads, one client: 16 threads × N iterations of ApplyCardVerification then
//! GetCardVerificationResult against the in-process emulator, all through one shared `Client`.
//! Every call must be answered OK, and the emulator's counters must show exactly what was sent:
//! none lost, none duplicated, every token unique.
//!
//! N = 100 in the default run; the 1,000-call run is `#[ignore]`d (`make stress`, or
//! `cargo test --all-features --test concurrency -- --ignored`). Also: the same under injected
//! faults with retries (exact counts of faults and retries), and a skewed clock corrected by
//! all threads at once. The C side (one `tcfaceid_client` shared by 16 pthreads, under
//! valgrind) is `tests/stress/stress_threads.c`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tcfaceid::api::VerificationStatus;
use tcfaceid::retry::RetryPolicy;
use tcfaceid::{CardVerificationRequest, Client, ClientBuilder, Credential};
use tcfaceid_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, Stats, DEMO_SECRET_ID, DEMO_SECRET_KEY,
};

const THREADS: u64 = 16;

fn emulator(fault: Fault) -> Emulator {
    Emulator::start(EmulatorConfig {
        processing_polls: 1,
        polling_wait_secs: 0,
        threads: THREADS as usize,
        log: false,
        fault,
        ..EmulatorConfig::default()
    })
    .unwrap()
}

fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
        .region("ap-singapore")
        .endpoint(emulator.endpoint())
        .timeout(Duration::from_secs(30))
}

fn request(thread: u64, i: u64) -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("SGP", "ID_CARD");
    request.set_front_url(format!("https://example.com/{thread}/{i}/front.jpg"));
    request.set_back_url(format!("https://example.com/{thread}/{i}/back.jpg"));
    request
}

/// What the threads saw.
struct Outcome {
    tokens: Vec<String>,
    answered: u64,
    elapsed: Duration,
}

/// `THREADS` threads × `calls` iterations (apply, then one GetCardVerificationResult) on one
/// client. Panics on the first call that is not answered OK.
fn hammer(client: &Client, calls: u64) -> Outcome {
    let answered = AtomicU64::new(0);
    let start = Instant::now();
    let tokens = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let answered = &answered;
                scope.spawn(move || {
                    let mut tokens = Vec::with_capacity(calls as usize);
                    for i in 0..calls {
                        let apply = client
                            .apply_card_verification(&request(t, i))
                            .unwrap_or_else(|e| panic!("thread {t} call {i}: apply: {e}"));
                        answered.fetch_add(1, Ordering::Relaxed);
                        let result = client
                            .get_card_verification_result(&apply.card_verification_token)
                            .unwrap_or_else(|e| panic!("thread {t} call {i}: result: {e}"));
                        answered.fetch_add(1, Ordering::Relaxed);
                        // processing_polls = 1: the first poll of a token is PROCESSING.
                        assert_eq!(result.status, VerificationStatus::Processing);
                        tokens.push(apply.card_verification_token);
                    }
                    tokens
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect::<Vec<_>>()
    });
    Outcome {
        tokens,
        answered: answered.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
    }
}

/// Every call answered, each counted once by the emulator, every token unique.
fn assert_exact(outcome: &Outcome, stats: &Stats, calls: u64, extra_requests: u64) {
    let total = THREADS * calls;
    assert_eq!(outcome.answered, 2 * total, "every call answered");
    assert_eq!(outcome.tokens.len() as u64, total);
    let unique: HashSet<&String> = outcome.tokens.iter().collect();
    assert_eq!(unique.len() as u64, total, "every token unique");
    assert_eq!(stats.apply_calls, total, "{stats:?}");
    assert_eq!(stats.result_calls, total, "{stats:?}");
    assert_eq!(stats.tokens_issued, total, "{stats:?}");
    assert_eq!(stats.processing_answers, total, "{stats:?}");
    assert_eq!(stats.requests, 2 * total + extra_requests, "{stats:?}");
    assert_eq!(stats.other_calls, 0, "{stats:?}");
    eprintln!(
        "{THREADS} threads x {calls} iterations ({} calls) in {:.2?}: {stats:?}",
        2 * total,
        outcome.elapsed
    );
}

fn sixteen_threads(calls: u64) {
    let emulator = emulator(Fault::default());
    let client = builder(&emulator).build().unwrap();
    let outcome = hammer(&client, calls);
    let stats = emulator.stats();
    assert_exact(&outcome, &stats, calls, 0);
    assert_eq!((stats.errors, stats.faults), (0, 0), "{stats:?}");
}

#[test]
fn sixteen_threads_share_one_client() {
    sixteen_threads(100);
}

#[test]
#[ignore = "long: 16 x 1000 iterations (make stress)"]
fn sixteen_threads_times_a_thousand_calls() {
    sixteen_threads(1000);
}

/// The first 64 requests are refused with `RequestLimitExceeded` (a different thread's request
/// each time): the service did not process them, so each is retried — applies included — and
/// every call still succeeds with exactly 64 more requests seen. (An HTTP 500 after an apply was
/// written is never retried: `tests/never_lose.rs` counts those.)
#[test]
fn sixteen_threads_retry_injected_faults_exactly() {
    const FAULTS: u64 = 64;
    let calls = 20;
    let emulator = emulator(Fault::first(FaultKind::RateLimit, FAULTS));
    let client = builder(&emulator)
        .retry(RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
        })
        .build()
        .unwrap();
    let outcome = hammer(&client, calls);
    let stats = emulator.stats();
    assert_exact(&outcome, &stats, calls, FAULTS);
    assert_eq!(stats.faults, FAULTS, "{stats:?}");
    assert_eq!(stats.errors, 0, "{stats:?}");
}

/// A client 15 minutes slow, shared by 16 threads: each thread's first call may meet
/// SignatureExpire before one of them has learned the offset, and retries once with the
/// corrected time; every call then succeeds.
#[test]
fn sixteen_threads_learn_a_clock_offset_together() {
    let calls = 10;
    let emulator = emulator(Fault::default());
    let client = builder(&emulator).clock_offset_secs(-900).build().unwrap();
    let outcome = hammer(&client, calls);
    let stats = emulator.stats();
    let expired = stats.auth_failures;
    assert!(
        (1..=THREADS).contains(&expired),
        "at most one SignatureExpire per thread: {stats:?}"
    );
    assert_exact(&outcome, &stats, calls, expired);
    assert!(client.clock_offset_secs().abs() <= 2);
}
