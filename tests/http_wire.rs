//! The client's HTTP/1.1 against a raw loopback server that answers in every framing a real
//! server may use (chunked with extensions and trailers, interim 100 answers, gzip, HTTP/1.0
//! until close, one byte at a time): each is read whole and right, and a connection is kept
//! for the next call exactly when the answer allows it. hostile_server.rs has the broken ones.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tcfaceid::{CardVerificationRequest, Client, Credential};

const BODY: &str =
    r#"{"Response":{"CardVerificationToken":"wire-token","RequestId":"wire-request"}}"#;

/// A keep-alive server: `answer` writes the answer to each request; counts connections and
/// keeps the requests it read.
struct Server {
    endpoint: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

fn serve(answer: fn(&mut TcpStream)) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (count, keep) = (connections.clone(), requests.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let keep = keep.clone();
            std::thread::spawn(move || {
                while let Some(request) = read_request(&mut stream) {
                    keep.lock().unwrap().push(request);
                    answer(&mut stream);
                }
            });
        }
    });
    Server {
        endpoint,
        connections,
        requests,
    }
}

/// One request (head and `Content-Length` body); None at the end of the stream.
fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut byte = [0u8];
    while !data.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        data.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&data).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    data.extend_from_slice(&body);
    Some(data)
}

fn client(endpoint: &str) -> Client {
    Client::builder()
        .credential(Credential::new("AKIDWIRE", "wire-secret-key", None).unwrap())
        .region("ap-singapore")
        .endpoint(endpoint)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Two applies through one client: both read the token; the connections the server saw.
fn two_calls(server: &Server) -> usize {
    let client = client(&server.endpoint);
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    for _ in 0..2 {
        let answer = client.apply_card_verification(&request).unwrap();
        assert_eq!(answer.card_verification_token, "wire-token");
        assert_eq!(answer.request_id, "wire-request");
    }
    server.connections.load(Ordering::SeqCst)
}

#[test]
fn a_chunked_answer_with_extensions_and_trailers_is_read_and_the_connection_kept() {
    let server = serve(|s| {
        let (a, b) = BODY.split_at(20);
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
             {:x};name=value\r\n{a}\r\n{:X}\r\n{b}\r\n0\r\nX-Trailer: yes\r\n\r\n",
            a.len(),
            b.len()
        );
        s.write_all(answer.as_bytes()).unwrap();
    });
    assert_eq!(two_calls(&server), 1);
}

#[test]
fn interim_100_answers_are_skipped() {
    let server = serve(|s| {
        let answer = format!(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{BODY}",
            BODY.len()
        );
        s.write_all(answer.as_bytes()).unwrap();
    });
    assert_eq!(two_calls(&server), 1);
}

#[test]
fn a_gzip_answer_is_decoded() {
    let server = serve(|s| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(BODY.as_bytes()).unwrap();
        let gzip = encoder.finish().unwrap();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            gzip.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&gzip).unwrap();
    });
    assert_eq!(two_calls(&server), 1);
}

#[test]
fn an_answer_one_byte_at_a_time_is_read_whole() {
    let server = serve(|s| {
        s.set_nodelay(true).unwrap();
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{BODY}",
            BODY.len()
        );
        for byte in answer.bytes() {
            s.write_all(&[byte]).unwrap();
        }
    });
    assert_eq!(two_calls(&server), 1);
}

#[test]
fn answers_that_end_the_connection_are_not_reused() {
    // HTTP/1.0 delimited by the close, and HTTP/1.1 with Connection: close.
    let until_close = serve(|s| {
        s.write_all(format!("HTTP/1.0 200 OK\r\n\r\n{BODY}").as_bytes())
            .unwrap();
        s.shutdown(std::net::Shutdown::Both).unwrap();
    });
    assert_eq!(two_calls(&until_close), 2);
    let close = serve(|s| {
        let answer = format!(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{BODY}",
            BODY.len()
        );
        s.write_all(answer.as_bytes()).unwrap();
    });
    assert_eq!(two_calls(&close), 2);
}

#[test]
fn the_request_is_one_head_and_its_body() {
    let server = serve(|s| {
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{BODY}",
            BODY.len()
        );
        s.write_all(answer.as_bytes()).unwrap();
    });
    two_calls(&server);
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.len(), 2);
    let text = String::from_utf8(requests[0].clone()).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("POST / HTTP/1.1\r\n"), "{head}");
    let lower = head.to_ascii_lowercase();
    for field in [
        "authorization: tc3-hmac-sha256 ",
        "host: 127.0.0.1:",
        "x-tc-action: applycardverification",
        "user-agent: tcfaceid/",
        "accept-encoding: gzip",
    ] {
        assert_eq!(
            lower.matches(&format!("\r\n{field}")).count(),
            1,
            "{field} in {head}"
        );
    }
    assert!(lower.contains(&format!("\r\ncontent-length: {}", body.len())));
    assert!(
        body.starts_with('{') && body.contains("front.jpg"),
        "{body}"
    );
}

#[test]
fn bytes_after_an_answer_keep_the_connection_from_being_reused() {
    let server = serve(|s| {
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{BODY}stray bytes",
            BODY.len()
        );
        s.write_all(answer.as_bytes()).unwrap();
    });
    assert_eq!(two_calls(&server), 2);
}

/// Two threads sharing one client, their calls in flight together (the server answers each
/// pair only once both requests arrived): each thread keeps talking over its own connection.
#[test]
fn each_thread_takes_back_its_own_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let pair = Arc::new(std::sync::Barrier::new(2));
    // (connection number, the front URL of the request), in arrival order.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (barrier, log) = (pair.clone(), seen.clone());
    std::thread::spawn(move || {
        for (number, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let (barrier, log) = (barrier.clone(), log.clone());
            std::thread::spawn(move || {
                while let Some(request) = read_request(&mut stream) {
                    let text = String::from_utf8_lossy(&request).into_owned();
                    let url = ["a.jpg", "b.jpg"].into_iter().find(|u| text.contains(u));
                    log.lock().unwrap().push((number, url.unwrap_or("?")));
                    barrier.wait();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{BODY}",
                        BODY.len()
                    );
                    stream.write_all(answer.as_bytes()).unwrap();
                }
            });
        }
    });
    let client = Arc::new(client(&endpoint));
    let threads: Vec<_> = ["a.jpg", "b.jpg"]
        .into_iter()
        .map(|name| {
            let client = client.clone();
            std::thread::spawn(move || {
                let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
                request.set_front_url(format!("https://example.com/{name}"));
                for _ in 0..6 {
                    client.apply_card_verification(&request).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 12);
    for (number, url) in seen.iter() {
        let first = seen.iter().find(|(n, _)| n == number).unwrap().1;
        assert_eq!(
            *url, first,
            "connection {number} carried both threads' calls: {seen:?}"
        );
    }
}
