//! End to end over loopback (issue "Performance" (d)): calls per second and p50 / p99 latency of
//! ApplyCardVerification against the emulator binary (release build, its own process),
//! sequentially and with 4 threads sharing one client, with a small body (image URL) and a
//! ~5 MB body (a 3.75 MiB JPEG). Also reported: the emulator's own CPU share (from
//! /proc/<pid>/stat), and the total throughput when a second client process runs at once.
//!
//! Run with `make bench` (or `cargo bench -p tcfaceid-emulator --bench e2e`). Environment:
//! `E2E_SECONDS` (per scenario, default 3).

#[path = "../../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tcfaceid::{CardVerificationRequest, Client, Credential};
use tcfaceid_emulator::{DEMO_SECRET_ID, DEMO_SECRET_KEY};

const EMULATOR: &str = env!("CARGO_BIN_EXE_tcfaceid-emulator");

/// The emulator in its own process, stopped on drop.
struct EmulatorProcess {
    child: Child,
    endpoint: String,
}

impl EmulatorProcess {
    fn start() -> EmulatorProcess {
        let mut child = Command::new(EMULATOR)
            .args(["--port", "0", "--quiet", "--threads", "8"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let endpoint = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("the ready line has the endpoint")
            .to_owned();
        EmulatorProcess { child, endpoint }
    }

    /// CPU time (user + system) the emulator has used so far.
    fn cpu_time(&self) -> Duration {
        process_cpu_time(self.child.id())
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn process_cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_nanos(ticks * 1_000_000_000 / per_second)
}

fn client(endpoint: &str) -> Client {
    Client::builder()
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
        .region("ap-singapore")
        .endpoint(endpoint)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn small_request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request
}

fn large_request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_bytes(common::jpeg_with_len(
        1024,
        768,
        tcfaceid::image::MAX_RAW_LEN,
    ));
    request
}

/// Latencies of the calls one thread made in `duration`.
fn run_thread(
    client: &Client,
    request: &CardVerificationRequest,
    duration: Duration,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let end = Instant::now() + duration;
    while Instant::now() < end {
        let start = Instant::now();
        client
            .apply_card_verification(request)
            .expect("every call is answered");
        latencies.push(start.elapsed());
    }
    latencies
}

struct Outcome {
    calls: usize,
    wall: Duration,
    p50: Duration,
    p99: Duration,
    emulator_cpu: Duration,
    client_cpu: Duration,
}

/// CPU time (user + system) this process has used so far.
fn own_cpu_time() -> Duration {
    process_cpu_time(std::process::id())
}

fn run(emulator: &EmulatorProcess, threads: usize, large: bool, duration: Duration) -> Outcome {
    let client = Arc::new(client(&emulator.endpoint));
    let request = Arc::new(if large {
        large_request()
    } else {
        small_request()
    });
    // Warm up: connections, the signing key, page faults of the body buffer.
    run_thread(&client, &request, Duration::from_millis(300));
    let cpu_before = emulator.cpu_time();
    let own_before = own_cpu_time();
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let client = client.clone();
            let request = request.clone();
            std::thread::spawn(move || run_thread(&client, &request, duration))
        })
        .collect();
    let mut latencies: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wall = start.elapsed();
    let emulator_cpu = emulator.cpu_time().saturating_sub(cpu_before);
    let client_cpu = own_cpu_time().saturating_sub(own_before);
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    Outcome {
        calls: latencies.len(),
        wall,
        p50: pick(0.50),
        p99: pick(0.99),
        emulator_cpu,
        client_cpu,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `e2e --client-only ENDPOINT THREADS LARGE SECONDS`: the second client process.
    if args.get(1).map(String::as_str) == Some("--client-only") {
        let endpoint = &args[2];
        let threads: usize = args[3].parse().unwrap();
        let large = args[4] == "1";
        let seconds: f64 = args[5].parse().unwrap();
        let client = Arc::new(client(endpoint));
        let request = Arc::new(if large {
            large_request()
        } else {
            small_request()
        });
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (c, r) = (client.clone(), request.clone());
                std::thread::spawn(move || {
                    run_thread(&c, &r, Duration::from_secs_f64(seconds)).len()
                })
            })
            .collect();
        let calls: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        println!("{calls}");
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench -- --list` compatibility
    }
    let seconds: f64 = std::env::var("E2E_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let duration = Duration::from_secs_f64(seconds);
    let emulator = EmulatorProcess::start();
    println!(
        "e2e over loopback against {} ({} s per scenario)",
        emulator.endpoint, seconds
    );
    println!(
        "{:<22} {:>9} {:>10} {:>10} {:>14} {:>12}",
        "scenario", "calls/s", "p50", "p99", "emulator CPU", "client CPU"
    );
    let mut single_process = Vec::new();
    for (large, body) in [(false, "small body"), (true, "5 MB body")] {
        for threads in [1, 4] {
            let o = run(&emulator, threads, large, duration);
            let rate = o.calls as f64 / o.wall.as_secs_f64();
            let cpu_share = o.emulator_cpu.as_secs_f64() / o.wall.as_secs_f64();
            let client_share = o.client_cpu.as_secs_f64() / o.wall.as_secs_f64();
            println!(
                "{:<22} {:>9.0} {:>10} {:>10} {:>9.0}% core {:>7.0}% core",
                format!(
                    "{body}, {threads} thread{}",
                    if threads > 1 { "s" } else { "" }
                ),
                rate,
                ms(o.p50),
                ms(o.p99),
                cpu_share * 100.0,
                client_share * 100.0
            );
            if threads == 4 {
                single_process.push((large, body, rate));
            }
        }
    }
    // A second client process at the same time: if the emulator were the bottleneck, the total
    // would stay flat; on 2 cores both clients also compete with the emulator for CPU.
    println!("second client process (4 threads each, both at once):");
    for (large, body, alone) in single_process {
        let me = std::env::current_exe().unwrap();
        let other = Command::new(me)
            .args([
                "--client-only",
                &emulator.endpoint,
                "4",
                if large { "1" } else { "0" },
                &seconds.to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let o = run(&emulator, 4, large, duration);
        let theirs: usize = String::from_utf8(other.wait_with_output().unwrap().stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap_or(0);
        let total = (o.calls + theirs) as f64 / o.wall.as_secs_f64();
        println!(
            "  {body}: one process {alone:.0} calls/s, two processes {total:.0} calls/s in total ({:.2}x)",
            total / alone
        );
    }
}
