//! Clock skew (spec §3): the service refuses a request whose X-TC-Timestamp is more than 5
//! minutes off its own clock with `AuthFailure.SignatureExpire`. The client adds
//! `clock_offset_secs` to its clock, and on that error (unless `learn_clock_offset(false)`)
//! learns the offset from the response's `Date` header and retries exactly once.
//!
//! Against the emulator (whose clock can be moved) and against a raw server that always answers
//! SignatureExpire, with a Date header that is right, missing or unreadable.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tcfaceid::retry::RetryPolicy;
use tcfaceid::{CardVerificationRequest, Client, ClientBuilder, Credential, ResultCode};
use tcfaceid_emulator::{Emulator, EmulatorConfig, DEMO_SECRET_ID, DEMO_SECRET_KEY};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
        .region("ap-singapore")
        .endpoint(endpoint)
        .timeout(Duration::from_secs(10))
}

fn request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request
}

/// The emulator with its clock `offset` seconds off the system clock.
fn skewed_emulator(offset: i64) -> Emulator {
    Emulator::start(EmulatorConfig {
        clock_offset_secs: offset,
        log: false,
        threads: 2,
        ..EmulatorConfig::default()
    })
    .unwrap()
}

#[test]
fn a_server_clock_20_minutes_ahead_is_learned_once_and_kept() {
    let emulator = skewed_emulator(1200);
    let client = builder(&emulator.endpoint()).build().unwrap();
    for _ in 0..5 {
        client.apply_card_verification(&request()).unwrap();
    }
    let stats = emulator.stats();
    assert_eq!(
        stats.auth_failures, 1,
        "one SignatureExpire, then the offset is kept"
    );
    assert_eq!(stats.apply_calls, 5);
    assert_eq!(stats.requests, 6);
    assert!(
        (client.clock_offset_secs() - 1200).abs() <= 2,
        "learned {}",
        client.clock_offset_secs()
    );
}

#[test]
fn within_five_minutes_nothing_is_corrected() {
    for offset in [-240, 240] {
        let emulator = skewed_emulator(offset);
        let client = builder(&emulator.endpoint()).build().unwrap();
        client.apply_card_verification(&request()).unwrap();
        assert_eq!(emulator.stats().auth_failures, 0, "offset {offset}");
        assert_eq!(client.clock_offset_secs(), 0);
    }
}

#[test]
fn a_set_offset_is_used_and_learning_can_be_off() {
    let emulator = skewed_emulator(-3600);
    // Told the offset: right first time.
    let told = builder(&emulator.endpoint())
        .clock_offset_secs(-3600)
        .learn_clock_offset(false)
        .build()
        .unwrap();
    told.apply_card_verification(&request()).unwrap();
    assert_eq!(emulator.stats().auth_failures, 0);
    // Not told, not learning: the service's error, with the hint, after one request.
    let strict = builder(&emulator.endpoint())
        .learn_clock_offset(false)
        .build()
        .unwrap();
    let error = strict.apply_card_verification(&request()).unwrap_err();
    assert_eq!(error.code(), ResultCode::ServiceAuthFailure);
    assert_eq!(error.service_code(), Some("AuthFailure.SignatureExpire"));
    assert!(error.message().contains("5 minutes"), "{error}");
    assert!(!error.is_retryable());
    assert_eq!(emulator.stats().requests, 2);
    assert_eq!(strict.clock_offset_secs(), 0);
}

/// A server answering every request with SignatureExpire and the given `Date` header (if any);
/// returns its endpoint and its request counter.
fn always_expired(date: Option<String>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            // One request per connection: read the head and the body, answer, close.
            common::read_http_request(&mut stream);
            counter.fetch_add(1, Ordering::SeqCst);
            let body = r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"signature expired"},"RequestId":"req-skew"}}"#;
            let date = date
                .as_ref()
                .map(|d| format!("Date: {d}\r\n"))
                .unwrap_or_default();
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{date}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (endpoint, count)
}

/// An HTTP date (RFC 7231 IMF-fixdate) for a Unix time.
fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[test]
fn the_http_date_helper_is_right() {
    assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

#[test]
fn a_server_that_keeps_refusing_gets_exactly_one_corrected_retry() {
    let (endpoint, count) = always_expired(Some(http_date(now() + 3600)));
    // Retries allowed too: SignatureExpire is not retryable, so still two requests in all.
    let client = builder(&endpoint)
        .retry(RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    let error = client.apply_card_verification(&request()).unwrap_err();
    assert_eq!(error.service_code(), Some("AuthFailure.SignatureExpire"));
    assert_eq!(error.request_id(), Some("req-skew"));
    assert_eq!(
        count.load(Ordering::SeqCst),
        2,
        "one retry with the learned offset"
    );
    assert!(
        (client.clock_offset_secs() - 3600).abs() <= 2,
        "learned {}",
        client.clock_offset_secs()
    );
    // The next call learns again and retries once again: never a loop.
    let _ = client.get_card_verification_result("t").unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

#[test]
fn without_a_readable_date_there_is_no_retry() {
    for date in [None, Some("yesterday".to_owned()), Some(String::new())] {
        let (endpoint, count) = always_expired(date.clone());
        let client = builder(&endpoint).clock_offset_secs(-7).build().unwrap();
        let error = client.apply_card_verification(&request()).unwrap_err();
        assert_eq!(
            error.service_code(),
            Some("AuthFailure.SignatureExpire"),
            "{date:?}"
        );
        assert_eq!(count.load(Ordering::SeqCst), 1, "{date:?}: no retry");
        assert_eq!(client.clock_offset_secs(), -7, "{date:?}: offset unchanged");
    }
}
