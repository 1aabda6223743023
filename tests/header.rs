//! Checks of the committed `include/tcfaceid.h` (which `cargo build` regenerates; CI then fails
//! on any difference, `make header`): every result code is there, numbered and documented, and
//! has a description; every prototype is documented; the version macros match `Cargo.toml`.

use std::path::PathBuf;

use tcfaceid::ResultCode;

fn header() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/tcfaceid.h");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `InvalidUtf8` -> `INVALID_UTF8`, as cbindgen's ScreamingSnakeCase does it.
fn screaming_snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The doc comment that ends on the line before `index`, if there is one.
fn doc_before(lines: &[&str], index: usize) -> Option<String> {
    let end = index.checked_sub(1)?;
    if lines[end].trim() != "*/" {
        return None;
    }
    let start = (0..end)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("/*"))?;
    let text: Vec<&str> = lines[start + 1..end]
        .iter()
        .map(|l| l.trim().trim_start_matches('*').trim())
        .filter(|l| !l.is_empty())
        .collect();
    (!text.is_empty()).then(|| text.join(" "))
}

#[test]
fn every_result_code_is_in_the_header_with_its_value_a_doc_line_and_a_description() {
    let header = header();
    let lines: Vec<&str> = header.lines().collect();
    let mut in_header = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim().strip_prefix("TCFACEID_RESULT_") else {
            continue;
        };
        let (name, value) = rest
            .trim_end_matches(',')
            .split_once(" = ")
            .expect("NAME = value");
        let value: u32 = value.parse().expect("a number");
        assert!(
            doc_before(&lines, i).is_some(),
            "TCFACEID_RESULT_{name} has no doc comment in the header"
        );
        in_header.push((name.to_owned(), value));
    }
    let expected: Vec<(String, u32)> = ResultCode::ALL
        .iter()
        .map(|code| (screaming_snake(&format!("{code:?}")), *code as u32))
        .collect();
    assert_eq!(
        in_header, expected,
        "header enumerators vs. ResultCode::ALL"
    );
    for code in ResultCode::ALL {
        assert!(
            !code.description().is_empty(),
            "{code:?} has no description"
        );
        assert_eq!(ResultCode::from_u32(*code as u32), Some(*code));
    }
    assert!(header.contains("typedef uint32_t tcfaceid_result;"));
}

#[test]
fn every_declaration_in_the_header_is_documented() {
    let header = header();
    let lines: Vec<&str> = header.lines().collect();
    let mut prototypes = 0;
    for (i, line) in lines.iter().enumerate() {
        let is_prototype = !line.starts_with([' ', '#', '/', '}'])
            && line.contains("tcfaceid_")
            && line.contains('(');
        let is_type =
            line.starts_with("typedef struct tcfaceid_") || line.starts_with("enum tcfaceid_");
        if is_prototype || is_type {
            prototypes += usize::from(is_prototype);
            let doc = doc_before(&lines, i).unwrap_or_else(|| panic!("undocumented: {line}"));
            assert!(doc.len() > 20, "too short a doc for {line}: {doc}");
        }
        if is_prototype && !line.contains("_free(") && line.starts_with("tcfaceid_result ") {
            // A function returning a result code lists the codes it returns.
            let doc = doc_before(&lines, i).unwrap_or_default();
            assert!(
                doc.contains("TCFACEID_RESULT_"),
                "no result codes in the doc of {line}"
            );
        }
    }
    assert!(prototypes >= 28, "only {prototypes} prototypes found");
}

#[test]
fn the_header_states_its_conventions_and_guards() {
    let header = header();
    for needle in [
        "#ifndef TCFACEID_H",
        "#define TCFACEID_H",
        "extern \"C\" {",
        "API conventions",
        "Ownership",
        "tcfaceid_string_free",
        "Threads",
        "UTF-8",
        "written only on success",
        "Do not edit",
    ] {
        assert!(header.contains(needle), "the header lacks {needle:?}");
    }
}

/// The `version = "..."` of `[package]` in Cargo.toml, read as text (not from cargo's env), so
/// that a header generated for another version is caught.
fn cargo_toml_version() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("version") {
                let value = value.trim_start().trim_start_matches('=').trim();
                return value.trim_matches('"').to_owned();
            }
        }
    }
    panic!("no [package] version in Cargo.toml");
}

fn define(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    header
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no #define {name}"))
        .trim()
        .to_owned()
}

#[test]
fn the_version_macros_match_cargo_toml() {
    let version = cargo_toml_version();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let core = version.split(['-', '+']).next().unwrap();
    let parts: Vec<u32> = core.split('.').map(|p| p.parse().unwrap()).collect();
    let header = header();
    assert_eq!(
        define(&header, "TCFACEID_VERSION_MAJOR"),
        parts[0].to_string()
    );
    assert_eq!(
        define(&header, "TCFACEID_VERSION_MINOR"),
        parts[1].to_string()
    );
    assert_eq!(
        define(&header, "TCFACEID_VERSION_PATCH"),
        parts[2].to_string()
    );
    let number = define(&header, "TCFACEID_VERSION_NUMBER");
    let number = u32::from_str_radix(number.trim_start_matches("0x"), 16).unwrap();
    assert_eq!(number, (parts[0] << 16) | (parts[1] << 8) | parts[2]);
    assert_eq!(
        define(&header, "TCFACEID_VERSION_STRING"),
        format!("\"tcfaceid/{version}\"")
    );
    // The SONAME's version: MAJOR.MINOR before 1.0 (the ABI may change with a minor version
    // until then), MAJOR after.
    let soversion = if parts[0] == 0 {
        format!("0.{}", parts[1])
    } else {
        parts[0].to_string()
    };
    assert_eq!(
        define(&header, "TCFACEID_SOVERSION"),
        format!("\"{soversion}\"")
    );
}
