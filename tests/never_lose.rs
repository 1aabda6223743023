//! Issue 10, "never lose a billed verification", over real loopback HTTP: the token travels with
//! every failure after a successful apply, resume, cancellation (with its latency printed),
//! retries that cannot double-bill (applies counted by the emulator under every fault), hints
//! and card data a server may send, and the plain-http guard.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tcfaceid::retry::RetryPolicy;
use tcfaceid::{
    Cancel, CardVerificationRequest, Client, ClientBuilder, Credential, PollPlan, ResultCode,
    VerificationStatus,
};
use tcfaceid_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, DEMO_SECRET_ID, DEMO_SECRET_KEY,
};

const TOKEN: &str = "tok-never-lose-0001";

/// How the scripted server answers one action.
#[derive(Clone)]
enum Reply {
    /// HTTP 200 with this JSON body.
    Json(String),
    /// Read the whole request, then close the connection without a byte.
    Drop,
    /// Read the whole request and never answer (until the client goes away).
    Hang,
    /// This HTTP status with a text body.
    Status(u16),
    /// HTTP 200 with HTML.
    Garbage,
}

fn apply_ok(wait_secs: &str) -> Reply {
    Reply::Json(format!(
        r#"{{"Response":{{"CardVerificationToken":"{TOKEN}","AsyncCardVerificationMaxPollingTimes":5,"AsyncCardVerificationPollingWaitTime":{wait_secs},"RequestId":"r-apply"}}}}"#
    ))
}

/// What a scripted server has seen, counted as it happens; a test waits on it with
/// [`Seen::wait`] instead of sleeping.
#[derive(Default)]
struct Seen {
    /// Apply requests read.
    applies: AtomicU64,
    /// Other requests (polls) read.
    polls: AtomicU64,
    /// Polls answered (the answer written in full).
    polls_answered: AtomicU64,
    changed: (Mutex<()>, Condvar),
}

impl Seen {
    fn bump(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::SeqCst);
        let _lock = self.changed.0.lock().unwrap();
        self.changed.1.notify_all();
    }

    /// Block until `counter` (one of this struct's) reaches `n`; panics after 30 s.
    fn wait(&self, counter: impl Fn(&Seen) -> &AtomicU64, n: u64) {
        let mut lock = self.changed.0.lock().unwrap();
        while counter(self).load(Ordering::SeqCst) < n {
            let (next, timeout) = self
                .changed
                .1
                .wait_timeout(lock, Duration::from_secs(30))
                .unwrap();
            assert!(!timeout.timed_out(), "the scripted server never saw it");
            lock = next;
        }
    }
}

/// A raw loopback server answering ApplyCardVerification with `apply` and every other action
/// with `get`; returns its endpoint and what it has seen.
fn scripted(apply: Reply, get: Reply) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let counter = seen.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            // Each answer leaves at once (no Nagle delay between its head and body writes).
            let _ = stream.set_nodelay(true);
            let (apply, get, seen) = (apply.clone(), get.clone(), counter.clone());
            thread::spawn(move || {
                while let Some(head) = read_request(&mut stream) {
                    let is_apply = head.contains("x-tc-action: applycardverification");
                    seen.bump(if is_apply { &seen.applies } else { &seen.polls });
                    if !answer(&mut stream, if is_apply { &apply } else { &get }) {
                        return;
                    }
                    if !is_apply {
                        seen.bump(&seen.polls_answered);
                    }
                }
            });
        }
    });
    (endpoint, seen)
}

/// Read one request; its head, lower-cased, or `None` when the peer closed.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + len {
                let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
                data.extend_from_slice(&buf[..n]);
            }
            return Some(head);
        }
        let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    }
}

/// Answer; false when the connection is done.
fn answer(stream: &mut TcpStream, reply: &Reply) -> bool {
    let (status, content_type, body) = match reply {
        Reply::Json(body) => ("200 OK".to_owned(), "application/json", body.clone()),
        Reply::Status(code) => (format!("{code} Oops"), "text/plain", "oops".to_owned()),
        Reply::Garbage => (
            "200 OK".to_owned(),
            "text/html",
            "<html>502</html>".to_owned(),
        ),
        Reply::Drop => {
            let _ = stream.shutdown(Shutdown::Both);
            return false;
        }
        Reply::Hang => {
            let mut sink = [0u8; 64];
            while stream.read(&mut sink).is_ok_and(|n| n > 0) {}
            return false;
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).is_ok() && stream.write_all(body.as_bytes()).is_ok()
}

fn client(endpoint: &str, attempts: u32, timeout: Duration) -> Client {
    builder(endpoint, attempts, timeout).build().unwrap()
}

fn builder(endpoint: &str, attempts: u32, timeout: Duration) -> ClientBuilder {
    Client::builder()
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
        .region("ap-singapore")
        .endpoint(endpoint)
        .timeout(timeout)
        .retry(RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
        })
}

fn request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request
}

#[test]
fn every_failure_after_a_successful_apply_carries_the_token() {
    let cases = [
        ("dropped poll", Reply::Drop, ResultCode::Transport),
        ("poll HTTP 502", Reply::Status(502), ResultCode::HttpStatus),
        ("garbage poll", Reply::Garbage, ResultCode::Protocol),
        ("hanging poll", Reply::Hang, ResultCode::Timeout),
        (
            "service error",
            Reply::Json(
                r#"{"Response":{"Error":{"Code":"FailedOperation.UnKnowError","Message":"x"},"RequestId":"r"}}"#.into(),
            ),
            ResultCode::Service,
        ),
        (
            "no Status",
            Reply::Json(r#"{"Response":{"RequestId":"r"}}"#.into()),
            ResultCode::Protocol,
        ),
        (
            "PROCESSING forever",
            Reply::Json(r#"{"Response":{"Status":"PROCESSING","RequestId":"r"}}"#.into()),
            ResultCode::PollAttemptsExhausted,
        ),
    ];
    for (name, get, code) in cases {
        let (endpoint, seen) = scripted(apply_ok("0"), get);
        let client = client(&endpoint, 3, Duration::from_millis(1500));
        let error = client
            .verify_card(&request(), Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(error.code(), code, "{name}: {error}");
        assert_eq!(error.token(), Some(TOKEN), "{name}");
        assert_eq!(seen.applies.load(Ordering::SeqCst), 1, "{name}: one apply");
    }
}

#[test]
fn a_huge_polling_hint_ends_at_once_with_the_token() {
    for hint in [
        "18446744073709551615",
        "1e300",
        "-5",
        "\"x\"",
        "99999999999",
    ] {
        let (endpoint, _) = scripted(apply_ok(hint), Reply::Hang);
        let client = client(&endpoint, 1, Duration::from_secs(5));
        let start = Instant::now();
        let result = client.verify_card(&request(), Duration::from_secs(2));
        assert!(start.elapsed() < Duration::from_secs(10), "{hint}");
        let error = result.unwrap_err();
        assert!(
            matches!(
                error.code(),
                ResultCode::PollDeadlineExceeded | ResultCode::Timeout
            ),
            "{hint}: {error}"
        );
        assert_eq!(error.token(), Some(TOKEN), "{hint}");
    }
}

/// Every CardInfo member the emulator fills, with its string leaves turned into numbers,
/// booleans and nulls: the verdict and every scalar are kept.
#[test]
fn numbers_booleans_and_nulls_in_card_info_keep_the_verdict() {
    let emulator = Emulator::start(EmulatorConfig {
        processing_polls: 0,
        polling_wait_secs: 0,
        log: false,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let honest = client(&emulator.endpoint(), 1, Duration::from_secs(10));
    let mut members = std::collections::BTreeSet::new();
    for nationality in [
        "IDN", "HKG", "THA", "MYS", "SGP", "JPN", "TWN", "BGD", "NGA", "PAK", "PHL", "MAC", "AUTO",
    ] {
        for card_type in ["ID_CARD", "PASSPORT", "DRIVING_LICENSE"] {
            let mut request = CardVerificationRequest::new(nationality, card_type);
            request.set_front_url("https://example.com/front.jpg");
            request.set_back_url("https://example.com/back.jpg");
            let Ok(verification) = honest.verify_card(&request, Duration::from_secs(10)) else {
                continue;
            };
            let mut json: serde_json::Value =
                serde_json::from_str(&verification.result_json).unwrap();
            let info = &mut json["Response"]["CardInfo"];
            let Some(object) = info.as_object_mut() else {
                continue;
            };
            let mut turned = 0;
            for (member, card) in object.iter_mut() {
                members.insert(member.clone());
                for (i, leaf) in card.as_object_mut().unwrap().values_mut().enumerate() {
                    if leaf.is_string() {
                        *leaf = match i % 3 {
                            0 => serde_json::json!(12345),
                            1 => serde_json::json!(true),
                            _ => serde_json::Value::Null,
                        };
                        turned += 1;
                    }
                }
            }
            assert!(turned > 0, "{nationality}/{card_type}");
            let body = json.to_string();
            let (endpoint, _) = scripted(apply_ok("0"), Reply::Json(body));
            let lenient = client(&endpoint, 1, Duration::from_secs(5));
            let verdict = lenient
                .verify_card(&request, Duration::from_secs(5))
                .unwrap_or_else(|e| panic!("{nationality}/{card_type}: {e}"));
            assert_eq!(verdict.result.status, VerificationStatus::Passed);
            let kept = serde_json::to_string(&verdict.result.card_info).unwrap();
            assert!(
                kept.contains("\"12345\""),
                "{nationality}/{card_type}: {kept}"
            );
            assert!(kept.contains("\"true\"") || turned < 2, "{kept}");
        }
    }
    assert!(members.len() >= 10, "CardInfo members covered: {members:?}");
    println!("CardInfo members checked with numeric/boolean/null leaves: {members:?}");

    // Wrong types where objects or lists belong never discard the verdict either.
    let odd = r#"{"Response":{"Status":"WARNING","WarnInfo":"one",
        "CardInfo":{"HKIDCard":[1,2],"GeneralCard":{"Address":"x","Age":3,"LicenseNumber":null}},
        "Nationality":7,"RequestId":"r"}}"#;
    let (endpoint, _) = scripted(apply_ok("0"), Reply::Json(odd.into()));
    let verdict = client(&endpoint, 1, Duration::from_secs(5))
        .verify_card(&request(), Duration::from_secs(5))
        .unwrap();
    assert_eq!(verdict.result.status, VerificationStatus::Warning);
    assert_eq!(verdict.result.nationality.as_deref(), Some("7"));
    let card_info = verdict.result.card_info.unwrap();
    assert!(card_info.hk_id_card.is_none());
    let general = card_info.general_card.unwrap();
    assert_eq!(general.age.as_deref(), Some("3"));
    assert!(general.address.is_none() && general.license_number.is_none());
}

#[test]
fn an_ill_typed_status_token_or_request_id_is_a_protocol_error() {
    for (apply, get) in [
        (
            apply_ok("0"),
            r#"{"Response":{"Status":1,"RequestId":"r"}}"#,
        ),
        (
            apply_ok("0"),
            r#"{"Response":{"Status":"PASSED","RequestId":5}}"#,
        ),
        (
            Reply::Json(r#"{"Response":{"CardVerificationToken":5,"RequestId":"r"}}"#.into()),
            "{}",
        ),
    ] {
        let (endpoint, _) = scripted(apply, Reply::Json(get.into()));
        let error = client(&endpoint, 1, Duration::from_secs(5))
            .verify_card(&request(), Duration::from_secs(5))
            .unwrap_err();
        assert_eq!(error.code(), ResultCode::Protocol, "{get}: {error}");
    }
}

/// Apply requests reaching the emulator per verification, retries on (4 attempts), when the
/// first request (the apply) meets each fault.
#[test]
fn with_retries_an_apply_is_never_sent_again_after_it_was_written() {
    let cases = [
        (FaultKind::Drop, 1, Some(ResultCode::Transport)),
        (FaultKind::Http500, 1, Some(ResultCode::HttpStatus)),
        (FaultKind::Garbage, 1, Some(ResultCode::Protocol)),
        (FaultKind::RateLimit, 2, None),
    ];
    for (kind, want_applies, want_error) in cases {
        let emulator = Emulator::start(EmulatorConfig {
            processing_polls: 0,
            polling_wait_secs: 0,
            log: false,
            fault: Fault::first(kind, 1),
            ..EmulatorConfig::default()
        })
        .unwrap();
        let client = client(&emulator.endpoint(), 4, Duration::from_secs(10));
        let outcome = client.verify_card(&request(), Duration::from_secs(20));
        let stats = emulator.stats();
        // The faulted request is the apply; every later apply passes the checks.
        let applies = stats.faults + stats.apply_calls;
        println!("apply requests per verification, fault {kind:?}, 4 attempts: {applies}");
        assert_eq!(applies, want_applies, "{kind:?}");
        match want_error {
            Some(code) => assert_eq!(outcome.unwrap_err().code(), code, "{kind:?}"),
            None => assert!(outcome.is_ok(), "{kind:?}"),
        }
    }
    // A slow answer: the apply times out after it was written; not sent again.
    let emulator = Emulator::start(EmulatorConfig {
        delay_ms: 1500,
        log: false,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let client = client(&emulator.endpoint(), 4, Duration::from_millis(500));
    let error = client
        .verify_card(&request(), Duration::from_secs(5))
        .unwrap_err();
    assert_eq!(error.code(), ResultCode::Timeout);
    // Wait for the emulator to count the late request (it counts before its delay).
    let requests = emulator.stats().requests;
    println!("apply requests per verification, timeout, 4 attempts: {requests}");
    assert_eq!(requests, 1);

    // Polls are retried on any transient failure: every poll is dropped (3 attempts), and the
    // error still carries the token after one apply.
    let (endpoint, seen) = scripted(apply_ok("0"), Reply::Drop);
    let error = client_err(&endpoint);
    assert_eq!(error.token(), Some(TOKEN));
    assert_eq!(seen.applies.load(Ordering::SeqCst), 1);
}

fn client_err(endpoint: &str) -> tcfaceid::Error {
    client(endpoint, 3, Duration::from_secs(5))
        .verify_card(&request(), Duration::from_secs(10))
        .unwrap_err()
}

#[test]
fn an_apply_that_never_left_is_retried() {
    // A closed port: connection refused, certainly not sent; retried, then the error.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client(&endpoint, 3, Duration::from_secs(5));
    let start = Instant::now();
    let error = client.apply_card_verification(&request()).unwrap_err();
    assert_eq!(error.code(), ResultCode::Transport, "{error}");
    // Two backoffs of at least 5 ms each happened (10 ms base, jitter down to half).
    assert!(start.elapsed() >= Duration::from_millis(10));
}

#[test]
fn resume_polls_a_token_to_its_verdict() {
    let emulator = Emulator::start(EmulatorConfig {
        processing_polls: 1,
        polling_wait_secs: 0,
        log: false,
        ..EmulatorConfig::default()
    })
    .unwrap();
    // Resume follows the client's poll plan: 10 ms between polls here (the default is 5 s).
    let client = builder(&emulator.endpoint(), 1, Duration::from_secs(10))
        .poll_plan(PollPlan {
            first_wait: Duration::from_millis(10),
            wait: Duration::from_millis(10),
            max_polls: 60,
        })
        .build()
        .unwrap();
    let token = client
        .apply_card_verification(&request())
        .unwrap()
        .card_verification_token;
    // The first poll says PROCESSING, the second gives the verdict.
    let (result, json, polls) = client
        .resume(&token, Duration::from_secs(15), None)
        .unwrap();
    assert!(result.status.is_verdict());
    assert!(json.contains("RequestId"));
    assert_eq!(polls, 2);
    assert_eq!(emulator.stats().apply_calls, 1, "resume never applies");

    let error = client
        .resume("no-such-token", Duration::from_secs(5), None)
        .unwrap_err();
    assert_eq!(error.token(), Some("no-such-token"));
}

/// Cancel once the call is in the wait between polls, and once a poll is in flight; prints the
/// latency from trigger to return.
#[test]
fn cancellation_ends_sleeps_and_requests_in_flight_with_the_token() {
    let mut latencies = Vec::new();
    // Each round triggers once the server has read (in flight: never answered) or answered
    // (sleep: 30 s follow) a poll: the apply is then over for the client, whose errors carry
    // the token (a cancel during the apply would rightly leave none). Sleep phase: an apply
    // without hints and a plan that polls at once, then waits 30 s after each PROCESSING.
    let processing = Reply::Json(r#"{"Response":{"Status":"PROCESSING","RequestId":"r"}}"#.into());
    let without_hints = Reply::Json(format!(
        r#"{{"Response":{{"CardVerificationToken":"{TOKEN}","RequestId":"r"}}}}"#
    ));
    let plan = PollPlan {
        first_wait: Duration::ZERO,
        wait: Duration::from_secs(30),
        max_polls: 5,
    };
    type Event = fn(&Seen) -> &AtomicU64;
    let answered: Event = |seen| &seen.polls_answered;
    let read: Event = |seen| &seen.polls;
    for (phase, apply, get, in_phase) in [
        ("sleep between polls", without_hints, processing, answered),
        ("request in flight", apply_ok("0"), Reply::Hang, read),
    ] {
        let (endpoint, seen) = scripted(apply, get);
        let client = builder(&endpoint, 3, Duration::from_secs(60))
            .poll_plan(plan)
            .build()
            .unwrap();
        let client = Arc::new(client);
        for round in 0..10 {
            let cancel = Cancel::new();
            let (worker_client, worker_cancel) = (client.clone(), cancel.clone());
            let worker = thread::spawn(move || {
                let outcome = worker_client.verify_card_with_cancel(
                    &request(),
                    Duration::from_secs(60),
                    Some(&worker_cancel),
                );
                (outcome, Instant::now())
            });
            seen.wait(in_phase, round + 1);
            let triggered = Instant::now();
            cancel.trigger();
            let (outcome, ended) = worker.join().unwrap();
            let error = outcome.unwrap_err();
            assert_eq!(error.code(), ResultCode::Cancelled, "{phase}: {error}");
            assert_eq!(error.token(), Some(TOKEN), "{phase}");
            latencies.push(ended.saturating_duration_since(triggered));
        }
        let start = latencies.len() - 10;
        let phase_latencies = &mut latencies[start..];
        phase_latencies.sort();
        println!(
            "cancellation latency, {phase}: p50 {:?}, max {:?}",
            phase_latencies[5], phase_latencies[9]
        );
    }
    latencies.sort();
    let p50 = latencies[latencies.len() / 2];
    let max = *latencies.last().unwrap();
    println!(
        "cancellation latency over {} runs: p50 {p50:?}, max {max:?}",
        latencies.len()
    );
    assert!(max < Duration::from_millis(500), "max {max:?}");
}

#[test]
fn plain_http_is_refused_off_loopback_unless_allowed() {
    let build = |allow: bool| {
        Client::builder()
            .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
            .region("ap-singapore")
            .endpoint("http://faceid.example.com")
            .allow_insecure_http(allow)
            .build()
    };
    let error = build(false).unwrap_err();
    assert_eq!(error.code(), ResultCode::InvalidEndpoint);
    assert!(error.message().contains("allow_insecure_http"), "{error}");
    assert!(build(true).is_ok());
}

/// A cancel also ends a connect that hangs (a listener whose accept queue is full drops the
/// SYN): at once, without a retry, though retries are on and a connect failure is retryable.
#[test]
fn a_cancel_ends_a_hanging_connect_at_once() {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    listener.listen(0).unwrap();
    let address = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the accept queue (nothing accepts) until a connect no longer completes.
    let mut fillers = Vec::new();
    while let Ok(stream) = TcpStream::connect_timeout(&address, Duration::from_millis(300)) {
        fillers.push(stream);
        assert!(fillers.len() < 64, "the accept queue never filled");
    }
    let client = Arc::new(client(
        &format!("http://{address}"),
        3,
        Duration::from_secs(60),
    ));
    let cancel = Cancel::new();
    let (worker_client, worker_cancel) = (client.clone(), cancel.clone());
    let worker = thread::spawn(move || {
        let outcome = worker_client.verify_card_with_cancel(
            &request(),
            Duration::from_secs(60),
            Some(&worker_cancel),
        );
        (outcome, Instant::now())
    });
    wait_for_a_connect_in_progress(address);
    let triggered = Instant::now();
    cancel.trigger();
    let (outcome, ended) = worker.join().unwrap();
    let error = outcome.unwrap_err();
    assert_eq!(error.code(), ResultCode::Cancelled, "{error}");
    assert_eq!(error.token(), None, "no apply was answered");
    let latency = ended.saturating_duration_since(triggered);
    println!("cancellation latency during a hanging connect: {latency:?}");
    assert!(latency < Duration::from_millis(500), "{latency:?}");
}

/// Block until the kernel shows a TCP connect to `address` in progress (`SYN_SENT` in
/// `/proc/net/tcp`): the call is in its connect. Panics after 30 s.
fn wait_for_a_connect_in_progress(address: std::net::SocketAddr) {
    let std::net::SocketAddr::V4(v4) = address else {
        panic!("an IPv4 listener")
    };
    // /proc/net/tcp: the address as the 32-bit word in host (little-endian) order, the port
    // big-endian, both in hex; state 02 is SYN_SENT.
    let remote = format!(
        "{:08X}:{:04X}",
        u32::from_le_bytes(v4.ip().octets()),
        v4.port()
    );
    let start = Instant::now();
    loop {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let connecting = table.lines().skip(1).any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(2) == Some(&remote.as_str()) && fields.get(3) == Some(&"02")
        });
        if connecting {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no connect to {address}"
        );
        thread::yield_now();
    }
}
