//! Build script: sets the shared library's SONAME and regenerates `include/tcfaceid.h`.
//!
//! The header is generated with cbindgen (pinned to an exact version in Cargo.toml, so every
//! machine writes the same bytes) from `src/capi/` and `src/error.rs` with the settings in
//! `cbindgen.toml`, plus the version macros built here from `Cargo.toml`. `write_to_file`
//! rewrites the file only when its content changes. The header is committed; CI builds and then
//! runs `git diff --exit-code include/` (`make header`) to catch a stale one.
//!
//! Set `TCFACEID_SKIP_HEADER=1` to leave the source tree alone (e.g. for `cargo package` /
//! `cargo publish`, which refuse a build script that modifies the sources, or a read-only
//! checkout; `write_to_file` never touches an up-to-date header anyway). Without a
//! `cbindgen.toml` next to `Cargo.toml` (a package that leaves it out) the header is not
//! generated either.

use std::env;
use std::path::PathBuf;

/// The ABI version in the SONAME (`libtcfaceid.so.0.3`): `MAJOR.MINOR` while the major version
/// is 0, since the ABI may change with a minor version until 1.0 (a program linked against
/// 0.3 must not load 0.4, as libgit2 does it); `MAJOR` from 1.0 on.
fn soversion() -> String {
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("set by cargo");
    let minor = env::var("CARGO_PKG_VERSION_MINOR").expect("set by cargo");
    if major == "0" {
        format!("0.{minor}")
    } else {
        major
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src/capi");
    println!("cargo:rerun-if-changed=src/error.rs");
    println!("cargo:rerun-if-env-changed=TCFACEID_SKIP_HEADER");

    set_soname();

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let config_path = crate_dir.join("cbindgen.toml");
    if env::var_os("TCFACEID_SKIP_HEADER").is_some_and(|v| !v.is_empty() && v != "0")
        || !config_path.is_file()
    {
        return;
    }
    generate_header(&crate_dir, &config_path);
}

/// Give the cdylib a SONAME on ELF platforms, so programs link against the ABI version.
fn set_soname() {
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "illumos"
    ) {
        println!(
            "cargo:rustc-cdylib-link-arg=-Wl,-soname,libtcfaceid.so.{}",
            soversion()
        );
    }
    // For the build scripts of the crates that depend on this one (`DEP_TCFACEID_SOVERSION`).
    println!("cargo:soversion={}", soversion());
}

/// `#define`s of the version, from Cargo.toml, placed after the includes of the header.
fn version_macros() -> String {
    let part = |name: &str| -> u32 {
        let value = env::var(name).expect("set by cargo");
        let number = value.parse().expect("a version number");
        assert!(
            number <= 255,
            "{name} = {number}: TCFACEID_VERSION_NUMBER holds at most 255 per part"
        );
        number
    };
    let (major, minor, patch) = (
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    );
    let version = env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let number = (major << 16) | (minor << 8) | patch;
    let soversion = soversion();
    format!(
        "\n/* The version of this header: compare TCFACEID_VERSION_STRING with tcfaceid_version() to\n \
         * detect a header and library mismatch. TCFACEID_VERSION_NUMBER is\n \
         * (MAJOR << 16) | (MINOR << 8) | PATCH, for #if comparisons. */\n\
         #define TCFACEID_VERSION_MAJOR {major}\n\
         #define TCFACEID_VERSION_MINOR {minor}\n\
         #define TCFACEID_VERSION_PATCH {patch}\n\
         #define TCFACEID_VERSION_NUMBER 0x{number:06x}\n\
         #define TCFACEID_VERSION_STRING \"tcfaceid/{version}\"\n\
         /* The ABI version, the N of the SONAME libtcfaceid.so.N: MAJOR.MINOR before 1.0 (the ABI\n \
         * may change with a minor version until then), MAJOR after. */\n\
         #define TCFACEID_SOVERSION \"{soversion}\""
    )
}

/// Parse `src/capi/` (following its `mod` declarations) and `src/error.rs` only: the C ABI is
/// exactly what the C layer exports. A C-visible type must live in one of them (add the file
/// here and to `rerun-if-changed` above otherwise).
fn generate_header(crate_dir: &std::path::Path, config_path: &std::path::Path) {
    let mut config = cbindgen::Config::from_file(config_path)
        .unwrap_or_else(|e| panic!("{}: {e}", config_path.display()));
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/capi/mod.rs"))
        .with_src(crate_dir.join("src/error.rs"))
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen could not generate include/tcfaceid.h: {e}"));
    bindings.write_to_file(crate_dir.join("include/tcfaceid.h"));
}
