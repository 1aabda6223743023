//! A fault-injecting HTTP proxy in front of the emulator, deciding per request and per action
//! (from `X-TC-Action`): relay, answer HTTP 500, answer `RequestLimitExceeded`, drop the
//! connection before relaying (the emulator never sees the request), or relay and then drop
//! the connection without the answer (the emulator processed it: for an apply, a billed token
//! the client never gets). The request bytes are relayed unchanged, so signatures still verify.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Relayed, answer relayed.
    Relay,
    /// HTTP 500, not relayed.
    Http500,
    /// `RequestLimitExceeded` envelope, not relayed.
    RateLimit,
    /// Connection closed, not relayed.
    Drop,
    /// Relayed, then the connection closed without the answer.
    DropAnswer,
}

/// Chooses the fate of the n-th request (1-based) of an action.
pub type Plan = fn(action: &str, n: u64) -> Fate;

/// Counts of what the proxy did.
#[derive(Debug, Default)]
pub struct Counts {
    /// Requests per fate: relay, 500, rate limit, drop, drop answer.
    pub fates: [AtomicU64; 5],
    /// ApplyCardVerification requests whose answer was dropped after relaying.
    pub applies_answer_dropped: AtomicU64,
    /// ApplyCardVerification requests seen.
    applies: AtomicU64,
    /// Other requests seen.
    others: AtomicU64,
}

/// The running proxy (its threads end with the test process).
pub struct Proxy {
    addr: SocketAddr,
    /// What it did.
    pub counts: Arc<Counts>,
}

impl Proxy {
    /// Listen on a free loopback port and relay to `upstream`.
    pub fn start(upstream: SocketAddr, plan: Plan) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let counts = Arc::new(Counts::default());
        let shared = Arc::clone(&counts);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counts = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, upstream, plan, &counts));
            }
        });
        Proxy { addr, counts }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests met `fate`.
    pub fn count(&self, fate: Fate) -> u64 {
        self.counts.fates[fate as usize].load(Ordering::SeqCst)
    }
}

fn serve(client: TcpStream, upstream: SocketAddr, plan: Plan, counts: &Counts) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    while let Some((request, action)) = read_message(&mut reader, true) {
        let counter = if action == "ApplyCardVerification" {
            &counts.applies
        } else {
            &counts.others
        };
        let fate = plan(&action, counter.fetch_add(1, Ordering::SeqCst) + 1);
        counts.fates[fate as usize].fetch_add(1, Ordering::SeqCst);
        let answer = match fate {
            Fate::Relay | Fate::DropAnswer => relay(&request, upstream),
            Fate::Http500 => response(500, "text/plain", "injected 500\n"),
            Fate::RateLimit => response(
                200,
                "application/json",
                r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"injected"},"RequestId":"proxy"}}"#,
            ),
            Fate::Drop => Vec::new(),
        };
        if fate == Fate::DropAnswer && action == "ApplyCardVerification" {
            counts.applies_answer_dropped.fetch_add(1, Ordering::SeqCst);
        }
        if matches!(fate, Fate::Drop | Fate::DropAnswer) {
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        if client.write_all(&answer).is_err() {
            return;
        }
    }
}

/// Send one request upstream on a fresh connection; the whole answer.
fn relay(request: &[u8], upstream: SocketAddr) -> Vec<u8> {
    let mut stream = TcpStream::connect(upstream).unwrap();
    stream.write_all(request).unwrap();
    let mut reader = BufReader::new(stream);
    read_message(&mut reader, false)
        .expect("the emulator answers")
        .0
}

fn response(status: u16, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// One HTTP/1.1 message with a Content-Length body: its bytes and its X-TC-Action.
fn read_message(reader: &mut impl BufRead, request: bool) -> Option<(Vec<u8>, String)> {
    let mut head = Vec::new();
    let mut length = 0usize;
    let mut action = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.extend_from_slice(line.as_bytes());
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().ok()?;
        }
        if request && lower.starts_with("x-tc-action:") {
            action = line["x-tc-action:".len()..].trim().to_owned();
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    head.extend_from_slice(&body);
    Some((head, action))
}
