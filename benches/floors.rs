//! The library beside its floors, in one run (issue 11 item 7), `make bench` only.
//!
//! - A minimal canned HTTP/1.1 responder (in this process, one thread per connection, keep-alive,
//!   one fixed ApplyCardVerification answer) stands in for the service: the emulator is not a floor.
//! - The raw-socket floor writes the very request bytes the library sent (captured by the
//!   responder) and reads the answer: no signing, no parsing, no pool.
//! - Calls/s of the library and the floor, small body (an image URL) and ~5 MB body (a 3.75 MiB
//!   JPEG), 1 and 2 workers, and their ratio; then the syscalls per small call of the library's
//!   calling thread (`strace -c` of this program re-run in `--syscalls N` mode; the responder
//!   thread is not traced), the C-ABI signature against the cached-key bound (14 SHA-256
//!   compressions at this machine's measured rate), and the extra memory of a 5 MB request
//!   built from owned and from lent bytes.
//! - The 5 MB call's p50 against its bound (preparation bound + raw send of the same bytes),
//!   and the syscalls (writes among them) of one 5 MB call.
//!
//! - The extra memory of a 5 MB call from lent image bytes on a kept-alive connection: its
//!   peak during the call (the calling thread's allocations, counted only then) beyond the
//!   body, and what the client still holds after it.
//! - Python client small calls/s (`benches/python_calls.py`, a child process) against the C ABI
//!   client's (the extern "C" functions a C program calls: this program re-run in
//!   `--c-abi-calls` mode, also a child process, so both cross a process boundary to reach the
//!   responder), in turn against the same responder (issue 11 item 6: Python at least 0.8x the
//!   C calls/s).
//!
//! `cargo bench --bench floors -- WORD` runs only the lines whose name holds WORD (`small body,
//! 1`, `5 MB`, `memory`, `python`, `signature`, `syscalls`).
//!
//! Environment: `FLOORS_SECONDS` (per scenario and candidate, in 15 alternating rounds; default
//! 3); `TCFACEID_C_SIGN_REF`, the C +
//! OpenSSL signing reference (`benches/c/sign_openssl.c`, built by `make bench`), timed in
//! turn with the C-ABI signature; `TCFACEID_BENCH_PYTHON`, the Python that runs
//! `benches/python_calls.py` (with `TCFACEID_LIBRARY` and `PYTHONPATH` set by `make bench`).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tcfaceid::capi::card_request::{
    tcfaceid_card_request_free, tcfaceid_card_request_new, tcfaceid_card_request_set_url,
};
use tcfaceid::capi::client::{
    tcfaceid_client_apply_card_verification, tcfaceid_client_builder_build,
    tcfaceid_client_builder_new, tcfaceid_client_builder_set_credentials,
    tcfaceid_client_builder_set_endpoint, tcfaceid_client_builder_set_region,
    tcfaceid_client_builder_set_timeout_ms, tcfaceid_client_free,
};
use tcfaceid::capi::response::tcfaceid_apply_response_free;
use tcfaceid::capi::sign::{
    tcfaceid_signed_headers_free, tcfaceid_signed_headers_get, tcfaceid_signer_free,
    tcfaceid_signer_new, tcfaceid_signer_sign,
};
use tcfaceid::{CardVerificationRequest, Client, Credential, ResultCode};

#[global_allocator]
static ALLOCATOR: support::Counting = support::Counting;

const ANSWER_BODY: &str =
    r#"{"Response":{"CardVerificationToken":"bench-token","RequestId":"bench-request"}}"#;

/// The canned responder: answers every request on every connection with `ANSWER_BODY` (one
/// thread per connection, named `responder` for perf); keeps the last request it read (head
/// and body), for the raw-socket floor.
struct Responder {
    port: u16,
    last_request: Arc<Mutex<Vec<u8>>>,
    /// The CPU the threads of new connections run on ([`NO_CPU`]: any).
    serve_on: Arc<AtomicUsize>,
}

/// [`Responder::serve_on`]: no pinning.
const NO_CPU: usize = usize::MAX;

impl Responder {
    fn start() -> Responder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let last_request = Arc::new(Mutex::new(Vec::new()));
        let serve_on = Arc::new(AtomicUsize::new(NO_CPU));
        let (keep, cpu) = (last_request.clone(), serve_on.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (keep, cpu) = (keep.clone(), cpu.load(Ordering::Relaxed));
                std::thread::Builder::new()
                    .name("responder".into())
                    .spawn(move || {
                        if cpu != NO_CPU {
                            pin_to(cpu).expect("sched_setaffinity");
                        }
                        serve(stream, &keep)
                    })
                    .unwrap();
            }
        });
        Responder {
            port,
            last_request,
            serve_on,
        }
    }

    /// Where the threads of the connections made from now on run: for a client of one thread
    /// (pinned to [`last_cpu`]), the first CPU, so that client and responder never share one
    /// in some rounds and not in others; for more, any CPU.
    fn pin_for(&self, workers: usize) {
        let cpu = if workers == 1 { 0 } else { NO_CPU };
        self.serve_on.store(cpu, Ordering::Relaxed);
    }
}

fn answer() -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        ANSWER_BODY.len(),
        ANSWER_BODY
    )
    .into_bytes()
}

/// Size of the scratch buffer [`read_message`] reads through.
const CHUNK: usize = 64 * 1024;

/// Read one HTTP message (head, then `Content-Length` bytes) into `buf` through `chunk` (made
/// once per connection, not zeroed per message); false at end of stream.
fn read_message(stream: &mut TcpStream, chunk: &mut [u8], buf: &mut Vec<u8>) -> bool {
    buf.clear();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let total = head_end + length;
    if buf.capacity() < total {
        buf.reserve(total - buf.len());
    }
    while buf.len() < total {
        match stream.read(&mut chunk[..(total - buf.len()).min(CHUNK)]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

fn serve(mut stream: TcpStream, keep: &Mutex<Vec<u8>>) {
    stream.set_nodelay(true).unwrap();
    let answer = answer();
    let (mut chunk, mut buf) = (vec![0; CHUNK], Vec::new());
    let mut first = true;
    while read_message(&mut stream, &mut chunk, &mut buf) {
        if first {
            keep.lock().unwrap().clone_from(&buf);
            first = false;
        }
        if stream.write_all(&answer).is_err() {
            return;
        }
    }
}

fn client(port: u16) -> Client {
    Client::builder()
        .credential(Credential::new("AKIDbench", "bench-secret-key", None).unwrap())
        .region("ap-singapore")
        .endpoint(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn request(large: bool) -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    if large {
        request.set_front_bytes(common::jpeg_with_len(
            1024,
            768,
            tcfaceid::image::MAX_RAW_LEN,
        ));
    } else {
        request.set_front_url("https://example.com/front.jpg");
    }
    request
}

/// Calls per second of `workers` threads, each running `call` in a loop for `duration`.
fn rate<S: Send + 'static>(
    name: &str,
    workers: usize,
    duration: Duration,
    setup: impl Fn() -> S + Sync + Send + 'static,
    call: impl Fn(&mut S) + Sync + Send + 'static,
) -> f64 {
    let shared = Arc::new((setup, call));
    let last_cpu = last_cpu();
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(name.to_string())
                .spawn(move || {
                    if workers == 1 {
                        pin_to(last_cpu).expect("sched_setaffinity");
                    }
                    let mut state = (shared.0)();
                    (shared.1)(&mut state); // warm up: the connection, the key, page faults
                    let begin = Instant::now();
                    let mut calls = 0u64;
                    while begin.elapsed() < duration {
                        (shared.1)(&mut state);
                        calls += 1;
                    }
                    calls as f64 / begin.elapsed().as_secs_f64()
                })
                .unwrap()
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

/// Rounds in which the library and its floor take turns.
const ROUNDS: usize = 15;

/// The library's and the floor's calls/s, measured in [`ROUNDS`] rounds of `duration /
/// ROUNDS` each, taking turns (the order swapped every round) so that a change in the
/// machine's load falls on both: their mean rates and the median of the rounds' ratios.
fn alternating(
    duration: Duration,
    library: impl Fn(Duration) -> f64,
    floor: impl Fn(Duration) -> f64,
) -> (f64, f64, f64) {
    let slice = duration / ROUNDS as u32;
    let mut rounds: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let lib = library(slice);
                (lib, floor(slice))
            } else {
                let raw = floor(slice);
                (library(slice), raw)
            }
        })
        .collect();
    let each: Vec<String> = rounds
        .iter()
        .map(|(lib, raw)| format!("{:.2}", lib / raw))
        .collect();
    println!("  rounds' ratios: {}", each.join(" "));
    let mean = |pick: fn(&(f64, f64)) -> f64| rounds.iter().map(pick).sum::<f64>() / ROUNDS as f64;
    let (lib, raw) = (mean(|r| r.0), mean(|r| r.1));
    rounds.sort_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)));
    let (median_lib, median_raw) = rounds[ROUNDS / 2];
    (lib, raw, median_lib / median_raw)
}

/// The library's calls/s: one client shared by the workers.
fn library_rate(port: u16, large: bool, workers: usize, duration: Duration) -> f64 {
    let client = Arc::new(client(port));
    let request = Arc::new(request(large));
    rate(
        "library",
        workers,
        duration,
        move || (client.clone(), request.clone()),
        |(c, r)| {
            c.apply_card_verification(r).expect("answered");
        },
    )
}

/// The C ABI client's small calls/s on one thread: the calls a C program makes (build a client
/// and a request once; apply, free the response), as `benches/python_calls.py` does in Python.
fn c_abi_rate(port: u16, duration: Duration) -> f64 {
    let endpoint = std::ffi::CString::new(format!("http://127.0.0.1:{port}")).unwrap();
    let (mut builder, mut client, mut request) = (
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        std::ptr::null_mut(),
    );
    // SAFETY: valid NUL-terminated strings and output slots; every handle is freed below.
    unsafe {
        assert_eq!(tcfaceid_client_builder_new(&mut builder), ResultCode::Ok);
        let id = c"AKIDbench".as_ptr();
        let key = c"bench-secret-key".as_ptr();
        let set = [
            tcfaceid_client_builder_set_credentials(builder, id, key, std::ptr::null()),
            tcfaceid_client_builder_set_region(builder, c"ap-singapore".as_ptr()),
            tcfaceid_client_builder_set_endpoint(builder, endpoint.as_ptr()),
            tcfaceid_client_builder_set_timeout_ms(builder, 30_000),
            tcfaceid_client_builder_build(builder, &mut client),
            tcfaceid_card_request_new(c"IDN".as_ptr(), c"ID_CARD".as_ptr(), &mut request),
            tcfaceid_card_request_set_url(request, 0, c"https://example.com/front.jpg".as_ptr()),
        ];
        assert!(set.iter().all(|&rc| rc == ResultCode::Ok), "{set:?}");
    }
    let apply = || {
        let mut response = std::ptr::null_mut();
        // SAFETY: a live client and request, an output slot; the response is freed at once.
        unsafe {
            let rc = tcfaceid_client_apply_card_verification(client, request, &mut response);
            assert_eq!(rc, ResultCode::Ok);
            tcfaceid_apply_response_free(response);
        }
    };
    apply(); // warm up: the connection, the key
    let begin = Instant::now();
    let mut calls = 0u64;
    while begin.elapsed() < duration {
        apply();
        calls += 1;
    }
    let rate = calls as f64 / begin.elapsed().as_secs_f64();
    // SAFETY: made above, no longer used.
    unsafe {
        tcfaceid_card_request_free(request);
        tcfaceid_client_free(client);
    }
    rate
}

/// The calls/s a child process prints: `program ARGS... PORT SECONDS` (the C ABI client is
/// this program with `--c-abi-calls`, the Python one `benches/python_calls.py`). The child runs
/// on the machine's last CPU only, so that every candidate meets the responder the same way.
fn child_rate(program: &std::ffi::OsStr, args: &[&str], port: u16, duration: Duration) -> f64 {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .args([port.to_string(), duration.as_secs_f64().to_string()]);
    let cpu = last_cpu();
    // SAFETY: between fork and exec the closure only calls the async-signal-safe
    // sched_setaffinity on a set built on its own stack.
    unsafe {
        command.pre_exec(move || pin_to(cpu));
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{program:?} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Python against the C ABI client, small calls on one thread each, taking turns in
/// [`ROUNDS`] alternating rounds (median ratio, as [`alternating`]). Both run in a child
/// process of their own (the C ABI client is this program in `--c-abi-calls` mode), so both
/// reach the responder across processes.
fn python_line(port: u16, duration: Duration) {
    let Some(python) = std::env::var_os("TCFACEID_BENCH_PYTHON") else {
        println!("Python client calls: not run (make bench sets TCFACEID_BENCH_PYTHON)");
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_calls.py");
    let c_abi = |slice| {
        let this = std::env::current_exe().unwrap();
        child_rate(this.as_os_str(), &["--c-abi-calls"], port, slice)
    };
    let (py, c, ratio) = alternating(
        duration,
        |slice| child_rate(&python, &[script], port, slice),
        c_abi,
    );
    support::summary(&format!(
        "small calls/s, 1 thread, each in its own process: Python client {py:.0}, C ABI client \
         {c:.0}: {ratio:.2}x (target >= 0.8x; median of {ROUNDS} alternating rounds)"
    ));
    let (floor, c, floor_ratio) = alternating(
        duration,
        |slice| child_rate(&python, &[script, "--ctypes-floor"], port, slice),
        c_abi,
    );
    support::summary(&format!(
        "  the ctypes floor (Python making only the one foreign call, no result): {floor:.0}, \
         C ABI client {c:.0}: {floor_ratio:.2}x; the Python client is {:.2}x of that floor",
        ratio / floor_ratio
    ));
}

/// The raw-socket floor's calls/s: one kept-alive connection per worker writes `bytes` and
/// reads the answer.
fn raw_rate(port: u16, bytes: Arc<Vec<u8>>, workers: usize, duration: Duration) -> f64 {
    rate(
        "floor",
        workers,
        duration,
        move || {
            let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.set_nodelay(true).unwrap();
            (stream, bytes.clone(), vec![0; CHUNK], Vec::new())
        },
        |(stream, bytes, chunk, buf)| {
            stream.write_all(bytes).unwrap();
            assert!(read_message(stream, chunk, buf), "answered");
        },
    )
}

/// The request bytes the library sends for `large` (captured by the responder).
fn captured_request(responder: &Responder, large: bool) -> Arc<Vec<u8>> {
    let fresh = client(responder.port);
    fresh.apply_card_verification(&request(large)).unwrap();
    let bytes = responder.last_request.lock().unwrap().clone();
    assert!(!bytes.is_empty());
    Arc::new(bytes)
}

/// Mean time of `f` over `n` runs (after one warm-up run).
fn mean_time(n: u32, mut f: impl FnMut()) -> Duration {
    f();
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed() / n
}

/// The C-ABI signature of a small body with a signer made once, the cached-key bound (14
/// SHA-256 compressions at this machine's rate, measured on 64 KiB: 1,024 blocks) and the C +
/// OpenSSL reference, each the best of rounds taken in turn (the machine may be shared).
fn signature_line() {
    let body: &[u8] =
        br#"{"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"https://example.com/front.jpg"}"#;
    let mut signer = std::ptr::null_mut();
    // SAFETY: valid NUL-terminated strings and an output slot; the signer is freed below.
    unsafe {
        assert_eq!(
            tcfaceid_signer_new(
                c"AKIDbench".as_ptr(),
                c"bench-secret-key".as_ptr(),
                std::ptr::null(),
                c"faceid".as_ptr(),
                &mut signer
            ),
            ResultCode::Ok
        );
    }
    // One signature through the C ABI, its headers freed; gives the Authorization value.
    let sign = |keep: bool| -> Option<String> {
        let mut headers = std::ptr::null_mut();
        // SAFETY: a live signer, valid strings and buffer, an output slot; the headers are
        // freed once read.
        unsafe {
            let rc = tcfaceid_signer_sign(
                signer,
                c"faceid.tencentcloudapi.com".as_ptr(),
                c"ap-singapore".as_ptr(),
                c"ApplyCardVerification".as_ptr(),
                c"2018-03-01".as_ptr(),
                1_700_000_000,
                body.as_ptr(),
                body.len(),
                &mut headers,
            );
            assert_eq!(rc, ResultCode::Ok);
            let authorization = keep.then(|| {
                let value = tcfaceid_signed_headers_get(headers, c"Authorization".as_ptr());
                std::ffi::CStr::from_ptr(value)
                    .to_string_lossy()
                    .into_owned()
            });
            tcfaceid_signed_headers_free(headers);
            authorization
        }
    };
    let reference = std::env::var_os("TCFACEID_C_SIGN_REF").map(std::path::PathBuf::from);
    let run_reference = |args: &str| -> String {
        let path = reference.as_ref().expect("a reference");
        let out = std::process::Command::new(path).arg(args).output().unwrap();
        assert!(out.status.success(), "{} failed", path.display());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    if reference.is_some() {
        assert_eq!(
            run_reference("--print"),
            sign(true).unwrap(),
            "the C + OpenSSL reference signs as the library does"
        );
    }
    let block = vec![0u8; 64 * 1024];
    let (mut c_abi, mut per_compression, mut c_openssl) =
        (Duration::MAX, Duration::MAX, Duration::MAX);
    // Many short rounds: on a shared machine the best of each is the least disturbed.
    for _ in 0..25 {
        c_abi = c_abi.min(mean_time(10_000, || {
            sign(false);
        }));
        per_compression = per_compression.min(
            mean_time(150, || {
                std::hint::black_box(Sha256::digest(std::hint::black_box(&block)));
            }) / 1024,
        );
        if reference.is_some() {
            let ns: f64 = run_reference("10000").parse().unwrap();
            c_openssl = c_openssl.min(Duration::from_secs_f64(ns * 1e-9));
        }
    }
    // SAFETY: made above, no longer used.
    unsafe { tcfaceid_signer_free(signer) };
    let bound = per_compression * 14;
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let reference_text = if reference.is_some() {
        format!(
            "C + OpenSSL reference {:.2} us (library {:.2}x its time)",
            us(c_openssl),
            c_abi.as_secs_f64() / c_openssl.as_secs_f64()
        )
    } else {
        "C + OpenSSL reference not run (make bench builds it)".to_owned()
    };
    support::summary(&format!(
        "C-ABI signature, small body, key cached (tcfaceid_signer_sign): {:.2} us = {:.2}x the \
         bound (14 SHA-256 compressions at {:.1} ns = {:.2} us; target <= 2x); {reference_text}",
        us(c_abi),
        c_abi.as_secs_f64() / bound.as_secs_f64(),
        per_compression.as_secs_f64() * 1e9,
        us(bound),
    ));
}

/// `--syscalls N` (small) or `--syscalls-large N`: N calls on the calling thread (run under
/// `strace -c`).
fn syscalls_mode(calls: usize, large: bool) {
    let responder = Responder::start();
    let client = client(responder.port);
    let request = request(large);
    for _ in 0..calls {
        client.apply_card_verification(&request).unwrap();
    }
}

/// Syscalls of the calling thread for `calls` calls, from `strace -c` (None without strace):
/// all of them, and those that write to a socket.
fn strace_counts(calls: usize, large: bool) -> Option<(u64, u64)> {
    let out = tempfile_path();
    let mode = if large {
        "--syscalls-large"
    } else {
        "--syscalls"
    };
    let status = std::process::Command::new("strace")
        .args(["-c", "-o", &out])
        .arg(std::env::current_exe().unwrap())
        .args([mode, &calls.to_string()])
        .status()
        .ok()?;
    assert!(status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    // Lines: "% time seconds usecs/call calls [errors] syscall"; the last is "... total".
    let calls_of = |line: &str| -> Option<u64> { line.split_whitespace().nth(3)?.parse().ok() };
    let total = calls_of(text.lines().find(|l| l.ends_with("total"))?)?;
    let writes = text
        .lines()
        .filter(|l| {
            let name = l.split_whitespace().last().unwrap_or("");
            ["write", "writev", "sendto", "sendmsg"].contains(&name)
        })
        .filter_map(calls_of)
        .sum();
    Some((total, writes))
}

/// Median of the durations of `n` runs of `f`.
fn median_time(n: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

/// The 5 MB call's p50 (one worker) against its bound: the preparation bound (one base64
/// encode of the image into a ready buffer plus one SHA-256 over a buffer of the body's size,
/// as in benches/request.rs) plus the raw-socket send of the same request bytes and the read
/// of the answer.
fn large_latency_line(responder: &Responder, bytes: &[u8]) {
    let image = common::jpeg_with_len(1024, 768, tcfaceid::image::MAX_RAW_LEN);
    let mut encoded = vec![0u8; base64_simd::STANDARD.encoded_length(image.len())];
    let body_sized = vec![0u8; bytes.len()];
    let client = client(responder.port);
    let request = request(true);
    let mut stream = TcpStream::connect(("127.0.0.1", responder.port)).unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut chunk, mut answer) = (vec![0; CHUNK], Vec::new());
    let (mut library, mut prepare, mut send) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        library.push(median_time(9, || {
            client.apply_card_verification(&request).unwrap();
        }));
        prepare.push(median_time(9, || {
            std::hint::black_box(
                base64_simd::STANDARD.encode(&image, base64_simd::Out::from_slice(&mut encoded)),
            );
            std::hint::black_box(Sha256::digest(&body_sized));
        }));
        send.push(median_time(9, || {
            stream.write_all(bytes).unwrap();
            assert!(read_message(&mut stream, &mut chunk, &mut answer));
        }));
    }
    let best = |v: &[Duration]| *v.iter().min().unwrap();
    let (library, bound) = (best(&library), best(&prepare) + best(&send));
    support::summary(&format!(
        "5 MB call p50: {:.2} ms; bound (preparation {:.2} ms + raw send {:.2} ms): {:.2} ms; \
         ratio {:.2}x (target <= 1.15x)",
        library.as_secs_f64() * 1e3,
        best(&prepare).as_secs_f64() * 1e3,
        best(&send).as_secs_f64() * 1e3,
        bound.as_secs_f64() * 1e3,
        library.as_secs_f64() / bound.as_secs_f64()
    ));
}

/// The extra memory of a 5 MB call from lent image bytes, on a connection a small call opened:
/// the peak during the call beyond the request body, and what the client still holds after it
/// (e.g. a grown send buffer kept on the pooled connection).
fn memory_line(port: u16) {
    let image = common::jpeg_with_len(1024, 768, tcfaceid::image::MAX_RAW_LEN);
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_bytes_borrowed(&image);
    let body_len = request.to_body().unwrap().len() as isize;
    let client = client(port);
    client
        .apply_card_verification(&self::request(false))
        .unwrap();
    support::Counting::start();
    client.apply_card_verification(&request).unwrap();
    let (peak, kept) = support::Counting::stop();
    let mib = |bytes: isize| bytes as f64 / (1024.0 * 1024.0);
    support::summary(&format!(
        "extra memory during a 5 MB call from lent bytes (kept-alive connection): peak {:.2} MiB \
         = body {:.2} MiB + {:.2} MiB (target: body + 0.25 MiB); held by the client after it: \
         {:.0} KiB",
        mib(peak),
        mib(body_len),
        mib(peak - body_len),
        kept as f64 / 1024.0
    ));
}

fn tempfile_path() -> String {
    std::env::temp_dir()
        .join(format!("tcfaceid-floors-strace-{}", std::process::id()))
        .to_string_lossy()
        .into_owned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(mode @ ("--syscalls" | "--syscalls-large")) = args.get(1).map(String::as_str) {
        syscalls_mode(args[2].parse().unwrap(), mode == "--syscalls-large");
        return;
    }
    if args.get(1).map(String::as_str) == Some("--c-abi-calls") {
        let seconds: f64 = args[3].parse().unwrap();
        println!(
            "{}",
            c_abi_rate(args[2].parse().unwrap(), Duration::from_secs_f64(seconds))
        );
        return;
    }
    if args.get(1).map(String::as_str) == Some("--serve") {
        // For profiling a client by hand: print the canned responder's port, serve until killed.
        println!("{}", Responder::start().port);
        loop {
            std::thread::park();
        }
    }
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench` asks every bench binary for its list.
    }
    let seconds: f64 = std::env::var("FLOORS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let duration = Duration::from_secs_f64(seconds);
    // `cargo bench --bench floors -- WORD`: only the lines whose name holds WORD (as criterion
    // filters), e.g. `python` or `small body, 1`.
    let filter = args[1..].iter().find(|a| !a.starts_with('-')).cloned();
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let responder = Responder::start();

    println!("floors: library vs raw socket, both against the in-process canned responder");
    println!(
        "{:<22} {:>14} {:>14} {:>7}",
        "scenario", "library /s", "raw socket /s", "ratio"
    );
    let mut large_bytes = Arc::new(Vec::new());
    for large in [false, true] {
        let bytes = captured_request(&responder, large);
        if large {
            large_bytes = bytes.clone();
        }
        for workers in [1, 2] {
            let name = format!(
                "{} body, {} worker{}",
                if large { "5 MB" } else { "small" },
                workers,
                if workers > 1 { "s" } else { "" }
            );
            if !wanted(&name) {
                continue;
            }
            responder.pin_for(workers);
            let (lib, raw, ratio) = alternating(
                duration,
                |slice| library_rate(responder.port, large, workers, slice),
                |slice| raw_rate(responder.port, bytes.clone(), workers, slice),
            );
            println!("{name:<22} {lib:>14.0} {raw:>14.0} {ratio:>6.2}x");
            support::summary(&format!(
                "calls/s, {name}: library {lib:.0}, raw-socket floor {raw:.0}: {ratio:.2}x \
                 (median of {ROUNDS} alternating rounds)"
            ));
        }
    }

    if wanted("5 MB latency") {
        large_latency_line(&responder, &large_bytes);
    }
    if wanted("memory") {
        memory_line(responder.port);
    }
    if wanted("python") {
        responder.pin_for(1);
        python_line(responder.port, duration * 2);
        responder.pin_for(2);
    }
    if wanted("signature") {
        signature_line();
    }
    if !wanted("syscalls") {
        return;
    }
    match (strace_counts(1, false), strace_counts(1001, false)) {
        (Some(one), Some(many)) => support::summary(&format!(
            "syscalls per small call (kept-alive, calling thread, strace -c): {:.1} ({:.1} writes)",
            (many.0 - one.0) as f64 / 1000.0,
            (many.1 - one.1) as f64 / 1000.0
        )),
        _ => println!("syscalls per small call: strace is not installed (apt-get install strace)"),
    }
    if let (Some(one), Some(many)) = (strace_counts(1, true), strace_counts(21, true)) {
        support::summary(&format!(
            "5 MB call (kept-alive, calling thread): {:.1} syscalls, {:.1} of them writes",
            (many.0 - one.0) as f64 / 20.0,
            (many.1 - one.1) as f64 / 20.0
        ));
    }
}

/// The machine's last CPU, where every client of one thread runs (see [`pin_to`]).
fn last_cpu() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get() - 1)
}

/// Run the calling thread on `cpu` only: a client of one thread then meets the responder's
/// threads the same way in every round, whichever the candidate (on this 2-vCPU machine an
/// unpinned pair moved between sharing a CPU and not, round to round). Only
/// `sched_setaffinity`, so it may run between fork and exec.
fn pin_to(cpu: usize) -> std::io::Result<()> {
    // SAFETY: a zeroed cpu_set_t is the empty set; the pointer and size are of that local.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
