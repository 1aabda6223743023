//! What the CLI's tests share: an in-process emulator on loopback, the `tcfaceid` binary
//! pointed at it with the emulator's demo credentials, manifests of the bundled sample images,
//! and a fault-injecting proxy (`proxy`).
#![allow(dead_code)]

pub mod proxy;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};

use serde_json::Value;
use tcfaceid_emulator::{Emulator, EmulatorConfig, DEMO_SECRET_ID, DEMO_SECRET_KEY};

/// An emulator that answers at once: the verdict on the first poll, no wait between polls.
pub fn quick_emulator() -> Emulator {
    emulator(EmulatorConfig {
        processing_polls: 0,
        polling_wait_secs: 0,
        ..EmulatorConfig::default()
    })
}

/// An emulator with `config`, its log off.
pub fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(EmulatorConfig {
        log: false,
        ..config
    })
    .expect("the emulator starts")
}

/// The binary, with the demo credentials, a region and `endpoint`, polling every 10 ms where
/// the service gives no hint (OCR's default plan waits 3 s first), and nothing from the caller's
/// environment that would change its behaviour.
pub fn tcfaceid(endpoint: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcfaceid"));
    command
        .args(["--poll-interval", "10ms"])
        .env("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY)
        .env("TENCENTCLOUD_REGION", "ap-singapore")
        .env("TCFACEID_ENDPOINT", endpoint)
        .env(
            "TENCENTCLOUD_CREDENTIALS_FILE",
            "/nonexistent/tcfaceid-test",
        )
        .env_remove("TENCENTCLOUD_SECURITY_TOKEN")
        .env_remove("TCFACEID_API")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    command
}

/// Run to the end; the output, with stdout and stderr as text.
pub fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("tcfaceid runs");
    (
        status.code().expect("tcfaceid exited (not killed)"),
        String::from_utf8(stdout).expect("stdout is UTF-8"),
        String::from_utf8(stderr).expect("stderr is UTF-8"),
    )
}

/// The repository's sample images (bindings/c/samples).
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bindings/c/samples")
        .join(name)
}

/// A CSV manifest of `rows` Hong Kong ID cards (front and back samples), ids `doc-1`, ….
pub fn manifest(dir: &Path, rows: usize) -> PathBuf {
    manifest_of(dir, rows, "front.jpg", "back.jpg")
}

/// A CSV manifest of `rows` Hong Kong ID cards with the sample images `front` and `back`.
pub fn manifest_of(dir: &Path, rows: usize, front: &str, back: &str) -> PathBuf {
    let mut text = String::from("id,nationality,card_type,front,back,batch\n");
    for i in 1..=rows {
        text.push_str(&format!(
            "doc-{i},HKG,ID_CARD,{},{},nightly\n",
            sample(front).display(),
            sample(back).display()
        ));
    }
    let path = dir.join("manifest.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Every line of a JSON Lines file.
pub fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a complete JSON line"))
        .collect()
}

/// Start `command` with stderr piped; read stderr lines until `count` of them contain
/// `needle`, and return the child (still running, unless it finished first) and the rest of
/// its stderr.
pub fn start_and_wait_for(
    command: &mut Command,
    needle: &str,
    count: usize,
) -> (Child, BufReader<ChildStderr>) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcfaceid starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = 0;
    let mut line = String::new();
    while seen < count {
        line.clear();
        let read = stderr.read_line(&mut line).unwrap();
        assert!(
            read > 0,
            "tcfaceid ended before {count} lines with {needle:?}"
        );
        if line.contains(needle) {
            seen += 1;
        }
    }
    (child, stderr)
}

/// The rest of a reader, as text.
pub fn rest(mut reader: impl Read) -> String {
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    text
}

/// Send SIGINT (Ctrl-C) to a child.
pub fn sigint(child: &Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "kill -INT");
}
