//! Arbitrary HTTP answers through the whole client: the input's first two bytes (little-endian)
//! give the length of the first part, and the rest is split there into
//! the raw answer to ApplyCardVerification and the raw answer to every
//! GetCardVerificationResult, served by a loopback server; `verify_card` must not panic, never
//! answer `ResultCode::Panic`, and end within its deadline (plus slack for the instrumented
//! build).
#![no_main]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use tcfaceid::{CardVerificationRequest, Client, Credential, ResultCode};

type Script = Arc<Mutex<(Vec<u8>, Vec<u8>)>>;

/// The server (started once) and a client of it.
fn fixture() -> &'static (Script, Client) {
    static FIXTURE: OnceLock<(Script, Client)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let script: Script = Arc::default();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let served = script.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // The head names the action; the body (small here) follows it in the same reads.
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(n) if n > 0 => request.extend_from_slice(&buf[..n]),
                        _ => break,
                    }
                }
                let head = String::from_utf8_lossy(&request).to_ascii_lowercase();
                let (apply, get) = served.lock().unwrap().clone();
                let answer = if head.contains("x-tc-action: applycardverification") {
                    apply
                } else {
                    get
                };
                let _ = stream.write_all(&answer);
                let _ = stream.shutdown(Shutdown::Both);
            }
        });
        let client = Client::builder()
            .credential(Credential::new("AKIDFUZZ", "fuzz-secret-key", None).unwrap())
            .region("ap-singapore")
            .endpoint(endpoint)
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        (script, client)
    })
}

fuzz_target!(|data: &[u8]| {
    let [low, high, rest @ ..] = data else {
        return;
    };
    let split = usize::from(u16::from_le_bytes([*low, *high])).min(rest.len());
    let (apply, get) = rest.split_at(split);
    let (script, client) = fixture();
    *script.lock().unwrap() = (apply.to_vec(), get.to_vec());
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    let deadline = Duration::from_millis(300);
    let start = Instant::now();
    let outcome = client.verify_card(&request, deadline);
    let elapsed = start.elapsed();
    if let Err(error) = outcome {
        assert_ne!(error.code(), ResultCode::Panic, "{error}");
    }
    assert!(
        elapsed < deadline + Duration::from_secs(3),
        "took {elapsed:?}"
    );
});
