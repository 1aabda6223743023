//! What people see: the batch progress as plain lines off a terminal and as a bar on a
//! pseudo-terminal (script(1)), colour on a terminal only and never with `NO_COLOR`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{manifest, quick_emulator, run, sample, tcfaceid};

/// Run `args` on a pseudo-terminal through script(1); everything the terminal received.
fn on_a_terminal(endpoint: &str, args: &[String], no_color: bool) -> String {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_tcfaceid").to_owned())
        .chain(args.iter().cloned())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let command = tcfaceid(endpoint);
    let mut script = Command::new("script");
    script
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    if no_color {
        script.env("NO_COLOR", "1");
    }
    let script = script
        .output()
        .expect("script(1) runs (util-linux / bsdutils)");
    assert!(script.status.success(), "{script:?}");
    String::from_utf8_lossy(&script.stdout).into_owned()
}

fn batch(manifest: &Path, out: &Path) -> Vec<String> {
    [
        "batch",
        manifest.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--rate",
        "200",
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn off_a_terminal_progress_is_plain_lines() {
    let emulator = quick_emulator();
    let dir = tempfile::tempdir().unwrap();
    let (manifest, out) = (manifest(dir.path(), 40), dir.path().join("r.jsonl"));
    let (code, stdout, stderr) = run(tcfaceid(&emulator.endpoint()).args(batch(&manifest, &out)));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("progress: 40/40 done · 0 in flight · 0 failed ·"),
        "{stderr}"
    );
    assert!(stderr.contains("summary: 40 rows"), "{stderr}");
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\r'),
        "{stderr:?}"
    );
}

#[test]
fn on_a_terminal_progress_is_a_bar_coloured_unless_no_color() {
    let emulator = quick_emulator();
    let dir = tempfile::tempdir().unwrap();
    let (manifest, out) = (manifest(dir.path(), 40), dir.path().join("r.jsonl"));
    let screen = on_a_terminal(&emulator.endpoint(), &batch(&manifest, &out), false);
    assert!(
        screen.contains("40/40") && screen.contains("ETA"),
        "{screen:?}"
    );
    assert!(
        screen.contains("\x1b[2K") || screen.contains('\r'),
        "redrawn in place: {screen:?}"
    );
    assert!(screen.contains("\x1b[36m"), "a coloured bar: {screen:?}");
    assert!(
        !screen.contains("progress: "),
        "no plain lines on a terminal: {screen:?}"
    );
    assert!(screen.contains("summary: 40 rows"), "{screen:?}");

    std::fs::remove_file(&out).unwrap();
    std::fs::remove_file(dir.path().join("r.jsonl.journal")).unwrap();
    let screen = on_a_terminal(&emulator.endpoint(), &batch(&manifest, &out), true);
    assert!(
        screen.contains("40/40") && screen.contains("ETA"),
        "{screen:?}"
    );
    assert!(
        !screen.contains("\x1b[36m") && !screen.contains("\x1b[3"),
        "{screen:?}"
    );
}

#[test]
fn verify_colours_the_verdict_on_a_terminal_unless_no_color() {
    let emulator = quick_emulator();
    let args: Vec<String> = [
        "verify",
        "IDN",
        "ID_CARD",
        sample("front.jpg").to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec();
    let screen = on_a_terminal(&emulator.endpoint(), &args, false);
    assert!(screen.contains("\x1b[1;32mPASSED\x1b[0m"), "{screen:?}");
    let screen = on_a_terminal(&emulator.endpoint(), &args, true);
    assert!(
        screen.contains("PASSED  IDN ID_CARD") && !screen.contains("\x1b["),
        "{screen:?}"
    );
}
