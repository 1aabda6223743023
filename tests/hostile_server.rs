//! The client against a raw loopback TCP server that misbehaves in ways a real HTTP server crate
//! will not: every answer must be a clear error class, quickly, never a panic or a hang.

use std::io::{Read, Write};
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
                read_request(&mut stream);
                respond(&mut stream);
            });
        }
    });
    format!("http://{addr}")
}

/// Read the request head and its body (by Content-Length).
fn read_request(stream: &mut TcpStream) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + len {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    return;
                }
                data.extend_from_slice(&buf[..n]);
            }
            return;
        }
    }
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
    let (error, elapsed) = call_error(&endpoint, Duration::from_millis(1500));
    assert_eq!(error.code(), ResultCode::Timeout, "{error}");
    assert!(
        elapsed < Duration::from_millis(1500 + 1000),
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
        (
            "number in CardInfo",
            json_answer(
                r#"{"Response":{"Status":"PASSED","CardInfo":{"HKIDCard":{"CnName":7}},"RequestId":"r"}}"#,
            ),
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
