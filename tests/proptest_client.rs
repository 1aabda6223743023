//! The whole client path against arbitrary answers: a raw loopback server answers
//! ApplyCardVerification and GetCardVerificationResult with generated HTTP responses (status,
//! headers, `Date`, `Content-Length` right, wrong or huge, bodies that are near-envelopes with
//! arbitrary `Status`, hints, tokens and CardInfo values, or random bytes, or a connection cut
//! short), and `tcfaceid_client_verify_card` (the C entry point, so a panic would show as
//! `TCFACEID_RESULT_PANIC`) must never return PANIC and must end within its deadline.
//!
//! Cases: `PROPTEST_CASES` (default 200). Prints the number of answers tried and of PANICs.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use tcfaceid::capi::card_request::{tcfaceid_card_request, tcfaceid_card_request_free};
use tcfaceid::capi::client::{
    tcfaceid_client, tcfaceid_client_builder_build, tcfaceid_client_builder_new,
    tcfaceid_client_builder_set_credentials, tcfaceid_client_builder_set_endpoint,
    tcfaceid_client_builder_set_region, tcfaceid_client_builder_set_retries,
    tcfaceid_client_builder_set_timeout_ms, tcfaceid_client_free, tcfaceid_client_verify_card,
};
use tcfaceid::capi::response::tcfaceid_verification_result_free;
use tcfaceid::ResultCode;

/// One generated answer: the raw bytes written, then whether to close at once.
#[derive(Clone, Debug)]
struct Answer {
    bytes: Vec<u8>,
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
        Just(Value::from("PROCESSING")),
        Just(Value::from("PASSED")),
        Just(Value::from("a\u{0}b")),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("HKIDCard".to_owned()),
                    Just("GeneralCard".to_owned()),
                    Just("Address".to_owned()),
                    Just("CnName".to_owned()),
                    ".{0,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A hint: small, huge, negative, fractional, or not a number.
fn hint() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..3).prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MAX)),
        Just(Value::from(-1)),
        Just(json!(1e300)),
        json_leaf(),
    ]
}

/// A body close to the service's envelopes.
fn envelope() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![3 => Just(json!("tok")), 1 => json_leaf()],
        hint(),
        hint(),
        prop_oneof![3 => Just(json!("PASSED")), 2 => Just(json!("PROCESSING")), 1 => json_leaf()],
        json_value(),
        prop_oneof![4 => Just(json!("r")), 1 => json_leaf()],
        prop::option::of(json_value()),
    )
        .prop_map(|(token, max, wait, status, card_info, request_id, error)| {
            let mut response = json!({
                "CardVerificationToken": token,
                "AsyncCardVerificationMaxPollingTimes": max,
                "AsyncCardVerificationPollingWaitTime": wait,
                "Status": status,
                "CardInfo": card_info,
                "WarnInfo": card_info_clone_as_list(),
                "RequestId": request_id,
            });
            if let Some(error) = error {
                response["Error"] = error;
            }
            serde_json::to_vec(&json!({ "Response": response })).unwrap()
        })
}

fn card_info_clone_as_list() -> Value {
    json!(["FakeSuspected", 3, null])
}

fn answer() -> impl Strategy<Value = Answer> {
    let body = prop_oneof![
        6 => envelope(),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ];
    (
        prop_oneof![6 => Just(200u16), 1 => Just(500u16), 1 => Just(302u16), 1 => 100u16..600],
        body,
        0usize..4, // Content-Length: right, missing (close-delimited), short, huge
        prop::option::of(".{0,40}"),
        any::<bool>(), // cut the connection before the whole body
    )
        .prop_map(|(status, body, length, date, cut)| {
            let mut head = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n");
            match length {
                0 => head.push_str(&format!("Content-Length: {}\r\n", body.len())),
                1 => head.push_str("Connection: close\r\n"),
                2 => head.push_str(&format!("Content-Length: {}\r\n", body.len() / 2)),
                _ => head.push_str("Content-Length: 99999999999999999999\r\n"),
            }
            if let Some(date) = date {
                head.push_str(&format!("Date: {}\r\n", date.replace(['\r', '\n'], " ")));
            }
            head.push_str("\r\n");
            let mut bytes = head.into_bytes();
            let keep = if cut { body.len() / 3 } else { body.len() };
            bytes.extend_from_slice(&body[..keep]);
            Answer { bytes }
        })
}

/// A raw server answering applies with `.0` and everything else with `.1`, closing after each.
fn serve(script: Arc<Mutex<(Answer, Answer)>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let script = script.clone();
            thread::spawn(move || {
                let Some(head) = read_head(&mut stream) else {
                    return;
                };
                let (apply, get) = script.lock().unwrap().clone();
                let answer = if head.contains("x-tc-action: applycardverification") {
                    apply
                } else {
                    get
                };
                let _ = stream.write_all(&answer.bytes);
                let _ = stream.shutdown(Shutdown::Both);
            });
        }
    });
    endpoint
}

fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
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

struct Handles {
    client: *mut tcfaceid_client,
    request: *mut tcfaceid_card_request,
}

impl Drop for Handles {
    fn drop(&mut self) {
        // SAFETY: both came from the library and are freed once.
        unsafe {
            tcfaceid_client_free(self.client);
            tcfaceid_card_request_free(self.request);
        }
    }
}

fn handles(endpoint: &str) -> Handles {
    let c = |s: &str| std::ffi::CString::new(s).unwrap();
    let mut builder = std::ptr::null_mut();
    let mut client = std::ptr::null_mut();
    let mut request = std::ptr::null_mut();
    // SAFETY: valid NUL-terminated strings and output slots, as the C API asks.
    unsafe {
        assert_eq!(tcfaceid_client_builder_new(&mut builder), ResultCode::Ok);
        let (id, key) = (c("AKIDPROPTEST"), c("proptest-secret-key"));
        tcfaceid_client_builder_set_credentials(
            builder,
            id.as_ptr(),
            key.as_ptr(),
            std::ptr::null(),
        );
        tcfaceid_client_builder_set_region(builder, c("ap-singapore").as_ptr());
        tcfaceid_client_builder_set_endpoint(builder, c(endpoint).as_ptr());
        tcfaceid_client_builder_set_timeout_ms(builder, 1000);
        tcfaceid_client_builder_set_retries(builder, 3, 1, 5);
        assert_eq!(
            tcfaceid_client_builder_build(builder, &mut client),
            ResultCode::Ok
        );
        assert_eq!(
            tcfaceid::capi::card_request::tcfaceid_card_request_new(
                c("IDN").as_ptr(),
                c("ID_CARD").as_ptr(),
                &mut request
            ),
            ResultCode::Ok
        );
        tcfaceid::capi::card_request::tcfaceid_card_request_set_url(
            request,
            tcfaceid::capi::card_request::tcfaceid_side::Front as u32,
            c("https://example.com/front.jpg").as_ptr(),
        );
    }
    Handles { client, request }
}

#[test]
fn no_answer_makes_the_client_panic_or_overstay_its_deadline() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let script = Arc::new(Mutex::new((
        Answer { bytes: Vec::new() },
        Answer { bytes: Vec::new() },
    )));
    let endpoint = serve(script.clone());
    let handles = handles(&endpoint);
    let deadline = Duration::from_millis(400);
    let tried = std::cell::Cell::new(0u64);
    let panics = std::cell::Cell::new(0u64);
    let slowest = std::cell::Cell::new(Duration::ZERO);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&(answer(), answer()), |(apply, get)| {
        *script.lock().unwrap() = (apply, get);
        tried.set(tried.get() + 1);
        let mut result = std::ptr::null_mut();
        let start = Instant::now();
        // SAFETY: live handles and a writable output slot.
        let code = unsafe {
            tcfaceid_client_verify_card(
                handles.client,
                handles.request,
                deadline.as_millis() as u64,
                &mut result,
            )
        };
        let elapsed = start.elapsed();
        slowest.set(slowest.get().max(elapsed));
        // SAFETY: NULL or a result from the call.
        unsafe { tcfaceid_verification_result_free(result) };
        if code == ResultCode::Panic {
            panics.set(panics.get() + 1);
        }
        prop_assert_ne!(code, ResultCode::Panic);
        // The deadline, plus slack for a loaded machine (debug build, 2 cores, 7 users).
        prop_assert!(
            elapsed < deadline + Duration::from_secs(2),
            "took {:?}",
            elapsed
        );
        Ok(())
    });
    println!(
        "hostile answer pairs tried: {}, PANIC results: {}, slowest call: {:?}",
        tried.get(),
        panics.get(),
        slowest.get()
    );
    outcome.unwrap();
}
