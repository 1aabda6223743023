//! The client against a raw loopback TCP server that misbehaves in ways a real HTTP server crate
//! will not: every answer must be a clear error class, quickly, never a panic or a hang.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use tcfaceid::{Client, Credential, ResultCode};

/// A server answering every connection with `respond`, until the test ends.
fn serve(respond: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let respond = std::sync::Arc::new(respond);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let respond = respond.clone();
            thread::spawn(move || {
                common::read_http_request(&mut stream);
                respond(&mut stream);
            });
        }
    });
    format!("http://{addr}")
}

fn answer(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn client(endpoint: &str, timeout: Duration) -> Client {
    Client::builder()
        .credential(Credential::new("AKIDTEST", "hostile-test-secret-key", None).unwrap())
        .region("ap-singapore")
        .endpoint(endpoint)
        .timeout(timeout)
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap()
}

fn call_error(endpoint: &str, timeout: Duration) -> (tcfaceid::Error, Duration) {
    let client = client(endpoint, timeout);
    let start = Instant::now();
    let error = client
        .get_card_verification_result("token")
        .expect_err("a hostile server must give an error");
    (error, start.elapsed())
}

fn json_answer(body: &'static str) -> String {
    serve(move |s| answer(s, "200 OK", "application/json", body.as_bytes()))
}

#[test]
fn a_body_over_the_cap_is_refused_without_reading_it_all() {
    // Declares 100 MB and streams it slowly: the client must stop at the cap, not download it.
    let endpoint = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n");
        let chunk = [b' '; 65536];
        for _ in 0..1600 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let (error, elapsed) = call_error(&endpoint, Duration::from_secs(10));
    assert_eq!(error.code(), ResultCode::ResponseTooLarge, "{error}");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");

    // Same without a Content-Length (chunked): the limit applies while reading.
    let endpoint = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(65536));
        for _ in 0..1600 {
            if s.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
    });
    let (error, _) = call_error(&endpoint, Duration::from_secs(10));
    assert_eq!(error.code(), ResultCode::ResponseTooLarge, "{error}");
}

#[test]
fn a_response_that_drips_one_byte_a_second_times_out_at_the_deadline() {
    let endpoint = serve(|s| {
        let body = br#"{"Response":{"Status":"PASSED","RequestId":"r"}}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        for byte in head.as_bytes().iter().chain(body.iter()) {
            if s.write_all(&[*byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_secs(1));
        }
    });
    // The drip (the server's own pace, the thing under test) would take over 100 s; the
    // deadline ends it. The bound is 5x the deadline, far below the drip.
    let (error, elapsed) = call_error(&endpoint, Duration::from_millis(1500));
    assert_eq!(error.code(), ResultCode::Timeout, "{error}");
    assert!(
        elapsed < Duration::from_millis(5 * 1500),
        "took {elapsed:?}"
    );
}

#[test]
fn a_dropped_connection_is_a_transport_error() {
    let endpoint = serve(|s| {
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let (error, _) = call_error(&endpoint, Duration::from_secs(5));
    assert_eq!(error.code(), ResultCode::Transport, "{error}");
}

#[test]
fn a_connection_refused_is_a_transport_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (error, _) = call_error(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5));
    assert_eq!(error.code(), ResultCode::Transport, "{error}");
}

#[test]
fn garbage_at_the_http_level_is_a_protocol_or_transport_error() {
    let endpoint = serve(|s| {
        let _ = s.write_all(b"\x00\x01garbage that is not HTTP\r\n\r\n");
    });
    let (error, _) = call_error(&endpoint, Duration::from_secs(5));
    assert!(
        matches!(error.code(), ResultCode::Protocol | ResultCode::Transport),
        "{error}"
    );
}

#[test]
fn bodies_that_are_not_the_envelope_are_protocol_errors() {
    let nested = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let nested: &'static str = Box::leak(nested.into_boxed_str());
    let cases: Vec<(&str, String)> = vec![
        (
            "html",
            json_answer("<html><body>502 Bad Gateway</body></html>"),
        ),
        ("empty", json_answer("")),
        ("nested", json_answer(nested)),
        ("no Response", json_answer(r#"{"Status":"PASSED"}"#)),
        (
            "Response not an object",
            json_answer(r#"{"Response":"PASSED"}"#),
        ),
        (
            "no RequestId",
            json_answer(r#"{"Response":{"Status":"PASSED"}}"#),
        ),
        (
            "number for a string",
            json_answer(r#"{"Response":{"Status":1,"RequestId":"r"}}"#),
        ),
        ("truncated", json_answer(r#"{"Response":{"Status":"PASS"#)),
        (
            "invalid UTF-8",
            serve(|s| {
                answer(
                    s,
                    "200 OK",
                    "application/json",
                    b"{\"Response\":{\"Status\":\"\xff\xfe\",\"RequestId\":\"r\"}}",
                )
            }),
        ),
    ];
    for (name, endpoint) in cases {
        let (error, _) = call_error(&endpoint, Duration::from_secs(5));
        assert_eq!(error.code(), ResultCode::Protocol, "{name}: {error}");
    }
}

#[test]
fn a_non_200_status_is_an_http_error_with_the_start_of_the_body() {
    let endpoint = serve(|s| {
        answer(
            s,
            "503 Service Unavailable",
            "text/plain",
            b"upstream overloaded",
        )
    });
    let (error, _) = call_error(&endpoint, Duration::from_secs(5));
    assert_eq!(error.code(), ResultCode::HttpStatus);
    assert_eq!(error.http_status(), Some(503));
    assert!(error.message().contains("upstream overloaded"), "{error}");
}

#[test]
fn the_error_envelope_is_a_service_error_with_code_and_request_id() {
    let endpoint = json_answer(
        r#"{"Response":{"Error":{"Code":"FailedOperation.ImageSizeTooLarge","Message":"too big"},"RequestId":"req-1"}}"#,
    );
    let (error, _) = call_error(&endpoint, Duration::from_secs(5));
    assert_eq!(error.code(), ResultCode::Service);
    assert_eq!(
        error.service_code(),
        Some("FailedOperation.ImageSizeTooLarge")
    );
    assert_eq!(error.request_id(), Some("req-1"));
    assert_eq!(
        error.business_error(),
        Some(tcfaceid::BusinessError::ImageSizeTooLarge)
    );
    assert!(!error.message().contains("hostile-test-secret-key"));
}

// --- Further hostile answers (hardening review) ---------------------------------------------

/// A gzip body that inflates far past the cap: the cap applies to what is decoded, so the
/// client stops there instead of inflating 16 MiB (a decompression bomb).
#[test]
fn a_gzip_bomb_is_stopped_at_the_cap() {
    use flate2::write::GzEncoder;
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..16 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb: &'static [u8] = Box::leak(encoder.finish().unwrap().into_boxed_slice());
    // Well under the 64 KiB cap on the wire, so only the decoded size can trip it.
    assert!(bomb.len() < 32 * 1024, "{} bytes", bomb.len());
    let endpoint = serve(move |s| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            bomb.len()
        );
        let _ = s.write_all(head.as_bytes());
        let _ = s.write_all(bomb);
    });
    let (error, elapsed) = call_error(&endpoint, Duration::from_secs(10));
    assert_eq!(error.code(), ResultCode::ResponseTooLarge, "{error}");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

/// Bad gzip, a body shorter than its Content-Length, a broken chunk: never OK, never a panic.
#[test]
fn broken_bodies_are_errors_of_their_class() {
    let cases: Vec<(&str, &'static [u8], &[ResultCode])> = vec![
        (
            "gzip that is not gzip",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!",
            &[ResultCode::Protocol],
        ),
        (
            "body shorter than Content-Length",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"Response\":{",
            &[ResultCode::Transport],
        ),
        (
            "chunk size that is not hex",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            &[ResultCode::Protocol, ResultCode::Transport],
        ),
        (
            "a status line only",
            b"HTTP/1.1 200 OK\r\n",
            &[ResultCode::Protocol, ResultCode::Transport],
        ),
    ];
    for (name, raw, codes) in cases {
        let endpoint = serve(move |s| {
            let _ = s.write_all(raw);
            let _ = s.shutdown(std::net::Shutdown::Write);
        });
        let (error, elapsed) = call_error(&endpoint, Duration::from_secs(5));
        assert!(codes.contains(&error.code()), "{name}: {error}");
        assert!(elapsed < Duration::from_secs(3), "{name}: took {elapsed:?}");
    }
}

/// A response head that never ends (an endless header line) is refused, not buffered forever.
#[test]
fn an_endless_response_head_is_refused() {
    let endpoint = serve(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nX-Junk: ");
        let chunk = [b'a'; 16 * 1024];
        for _ in 0..1024 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let (error, elapsed) = call_error(&endpoint, Duration::from_secs(10));
    assert!(
        matches!(
            error.code(),
            ResultCode::Protocol | ResultCode::ResponseTooLarge
        ),
        "{error}"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

/// A non-200 answer with a huge body: only its start is read for the message.
#[test]
fn a_large_error_page_is_not_read_whole() {
    let endpoint = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 100000000\r\n\r\n<html>",
        );
        let chunk = [b' '; 65536];
        for _ in 0..1600 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let (error, elapsed) = call_error(&endpoint, Duration::from_secs(10));
    assert_eq!(error.code(), ResultCode::HttpStatus, "{error}");
    assert_eq!(error.http_status(), Some(502));
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert!(
        error.message().len() < 2048,
        "{} bytes",
        error.message().len()
    );
}

/// A redirect is not followed (the signature is for this host): it is an HTTP status error.
#[test]
fn a_redirect_is_not_followed() {
    let target = json_answer(r#"{"Response":{"Status":"PASSED","RequestId":"r"}}"#);
    let location = format!("{target}/");
    let location: &'static str = Box::leak(location.into_boxed_str());
    let endpoint = serve(move |s| {
        let head = format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let _ = s.write_all(head.as_bytes());
    });
    let (error, _) = call_error(&endpoint, Duration::from_secs(5));
    assert_eq!(error.code(), ResultCode::HttpStatus, "{error}");
    assert_eq!(error.http_status(), Some(302));
}

/// Deep nesting inside `Response`, and far past serde_json's limit: a protocol error, no stack
/// overflow.
#[test]
fn deep_nesting_anywhere_is_a_protocol_error() {
    // 30,000 levels is 60,000 bytes: under the test client's 64 KiB cap.
    for depth in [100usize, 1_000, 30_000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let inside = format!(r#"{{"Response":{{"Status":{nested},"RequestId":"r"}}}}"#);
        for body in [nested, inside] {
            let body: &'static str = Box::leak(body.into_boxed_str());
            let (error, _) = call_error(&json_answer(body), Duration::from_secs(5));
            assert_eq!(error.code(), ResultCode::Protocol, "depth {depth}: {error}");
        }
    }
}
