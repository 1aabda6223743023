//! The C ABI from C, as far as cargo can check it alone: the header compiles as C and C++, and
//! the cdylib that cargo built for this test run exports exactly the header's functions (`nm`).
//!
//! - `tests/c/header_*.c` are compiled only (`-c`): as C99 and C11 with
//!   `-Wall -Wextra -Wpedantic -Werror`, and as C++ (`-x c++`, same warnings).
//! - The C test programs (every other `tests/c/*.c`) need the emulators and a memory checker:
//!   `make c-test` runs them, once under valgrind against the debug library and once with
//!   ASan + UBSan against the release library.
//!
//! Compilers: `$CC` (default `cc`) and `$CXX` (default `c++`). The cdylib is found next to this
//! test's executable (`<target>/<profile>/deps/`), so the test uses the library of the same
//! build, whatever `CARGO_TARGET_DIR` and profile.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cdylib of this build: the newest of `<profile>/deps/libtcfaceid.so` (where `cargo test`
/// builds it) and `<profile>/libtcfaceid.so` (where `cargo build` puts it).
fn cdylib() -> PathBuf {
    let name = format!(
        "{}tcfaceid{}",
        env::consts::DLL_PREFIX,
        env::consts::DLL_SUFFIX
    );
    let exe = env::current_exe().expect("the test's own path");
    let deps = exe.parent().expect("deps dir").to_path_buf();
    let profile = deps.parent().expect("profile dir").to_path_buf();
    let fallback = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("target"))
        .join("debug");
    [deps.join(&name), profile.join(&name), fallback.join(&name)]
        .into_iter()
        .filter_map(|p| {
            let modified = p.metadata().and_then(|m| m.modified()).ok()?;
            Some((modified, p))
        })
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, p)| p)
        .unwrap_or_else(|| {
            panic!(
                "{name} not found next to {}; run `cargo build`",
                exe.display()
            )
        })
}

/// A scratch directory for one test of this run under the target dir, with the library reachable
/// under its SONAME (`libtcfaceid.so.0.3`, which the linker records and the loader then looks
/// for).
fn work_dir(test: &str) -> PathBuf {
    let lib = cdylib();
    let dir = lib
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("c-tests")
        .join(format!("{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the C test dir");
    for link in [
        "libtcfaceid.so".to_owned(),
        format!("libtcfaceid.so.{}", soversion()),
    ] {
        let path = dir.join(link);
        let _ = std::fs::remove_file(&path);
        #[cfg(unix)]
        std::os::unix::fs::symlink(&lib, &path).expect("link the library");
    }
    dir
}

/// The ABI version of the SONAME, from the header (`TCFACEID_SOVERSION`).
fn soversion() -> String {
    let header = include_str!("../include/tcfaceid.h");
    header
        .lines()
        .find_map(|l| l.strip_prefix("#define TCFACEID_SOVERSION "))
        .expect("TCFACEID_SOVERSION")
        .trim_matches('"')
        .to_owned()
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    if !output.status.success() {
        panic!(
            "{command:?} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

fn c_sources() -> Vec<PathBuf> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(manifest_dir().join("tests/c"))
        .expect("tests/c")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension() == Some(OsStr::new("c")))
        .collect();
    sources.sort();
    assert!(!sources.is_empty(), "no tests/c/*.c");
    sources
}

fn is_header_only(source: &Path) -> bool {
    source
        .file_name()
        .and_then(OsStr::to_str)
        .is_some_and(|n| n.starts_with("header"))
}

const WARNINGS: &[&str] = &["-Wall", "-Wextra", "-Wpedantic", "-Werror"];

#[test]
#[cfg(unix)]
fn the_header_compiles_alone_as_c_and_cpp() {
    let include = manifest_dir().join("include");
    let dir = work_dir("header");
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let cxx = env::var("CXX").unwrap_or_else(|_| "c++".into());
    for source in c_sources().into_iter().filter(|s| is_header_only(s)) {
        for std in ["-std=c99", "-std=c11"] {
            run(Command::new(&cc)
                .arg(std)
                .args(WARNINGS)
                .arg("-I")
                .arg(&include)
                .arg("-c")
                .arg(&source)
                .arg("-o")
                .arg(dir.join("header_c.o")));
        }
        run(Command::new(&cxx)
            .args(["-x", "c++", "-std=c++11"])
            .args(WARNINGS)
            .arg("-I")
            .arg(&include)
            .arg("-c")
            .arg(&source)
            .arg("-o")
            .arg(dir.join("header_cpp.o")));
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Every exported symbol starts with `tcfaceid_` (no Rust or dependency symbol leaks out, and
/// nothing can clash with another library's names), and the header declares exactly them.
#[test]
#[cfg(target_os = "linux")]
fn exported_symbols_are_prefixed_and_declared() {
    let lib = cdylib();
    let output = run(Command::new("nm").args(["-D", "--defined-only"]).arg(&lib));
    let mut exported = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        // "<address> <type> <name>"; every defined dynamic symbol is exported.
        let mut parts = line.split_whitespace().rev();
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        assert!(
            name.starts_with("tcfaceid_"),
            "{}: exported symbol {name} ({kind}) lacks the tcfaceid_ prefix",
            lib.display()
        );
        exported.push(name.to_owned());
    }
    exported.sort();
    let header = std::fs::read_to_string(manifest_dir().join("include/tcfaceid.h")).unwrap();
    let mut declared: Vec<String> = header
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '/']) && l.contains("tcfaceid_"))
        .filter_map(|l| {
            let before_paren = &l[..l.find('(')?];
            let name = before_paren.rsplit([' ', '*']).next()?;
            name.starts_with("tcfaceid_").then(|| name.to_owned())
        })
        .collect();
    declared.sort();
    assert_eq!(exported, declared, "exported symbols vs. header prototypes");
}
