//! `tests/c/generated_null_args.c` is generated from `include/tcfaceid.h` by
//! `scripts/gen_null_tests.py` (`make gen-null-tests`) and committed; `tests/capi.rs` and
//! `make c-test` build and run it (under valgrind too). These tests fail when the committed file
//! is stale (the generator, run into a temporary file, writes something else) or when a function
//! of the header is not in it.
//!
//! The generator needs Python 3 (the standard library only): `$PYTHON`, default `python3`.

use std::path::PathBuf;
use std::process::Command;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed() -> String {
    let path = manifest_dir().join("tests/c/generated_null_args.c");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_generated_null_argument_test_is_up_to_date() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let fresh = dir.path().join("generated_null_args.c");
    let output = Command::new(&python)
        .arg(manifest_dir().join("scripts/gen_null_tests.py"))
        .arg("--header")
        .arg(manifest_dir().join("include/tcfaceid.h"))
        .arg("--output")
        .arg(&fresh)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} (set PYTHON to a Python 3): {e}"));
    assert!(
        output.status.success(),
        "scripts/gen_null_tests.py failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let fresh = std::fs::read_to_string(&fresh).expect("the generated file");
    let committed = committed();
    if fresh != committed {
        let line = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| fresh.lines().count().min(committed.lines().count()));
        panic!(
            "tests/c/generated_null_args.c is stale (first difference at line {}: generated {:?}, \
             committed {:?}); run `make gen-null-tests` and commit the result",
            line + 1,
            fresh.lines().nth(line).unwrap_or("<end of file>"),
            committed.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

/// The functions the header declares (one prototype starts each such line).
fn header_functions() -> Vec<String> {
    let header = std::fs::read_to_string(manifest_dir().join("include/tcfaceid.h")).unwrap();
    let functions: Vec<String> = header
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '/', '}']) && l.contains("tcfaceid_"))
        .filter_map(|l| {
            let before_paren = &l[..l.find('(')?];
            let name = before_paren.rsplit([' ', '*']).next()?;
            name.starts_with("tcfaceid_").then(|| name.to_owned())
        })
        .collect();
    assert!(
        functions.len() >= 60,
        "only {} prototypes found",
        functions.len()
    );
    functions
}

#[test]
fn every_function_of_the_header_is_called_by_the_generated_test() {
    let generated = committed();
    let mut missing = Vec::new();
    for name in header_functions() {
        let short = name.trim_start_matches("tcfaceid_");
        let called = generated.contains(&format!("{name}("));
        let tested = generated.contains(&format!("static void test_{short}(void) {{"))
            && generated.contains(&format!("    test_{short}();"));
        // A function taking a handle the library only lends to a callback is tested, NULL
        // arguments included, in the C test the generator names (LENT_HANDLES).
        let tested_elsewhere = generated
            .lines()
            .filter_map(|l| l.trim().strip_prefix(&format!("/* {name}: tested in ")))
            .filter_map(|rest| rest.split([',', ' ']).next())
            .any(|file| {
                std::fs::read_to_string(manifest_dir().join(file))
                    .is_ok_and(|text| text.contains(&format!("{name}(sink, NULL")))
            });
        if !(tested_elsewhere || called && tested) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "not in tests/c/generated_null_args.c: {missing:?}; run `make gen-null-tests`"
    );
}
