//! Finding a secret in text, in every form a leak could take; shared by `tests/secrets.rs` and
//! the emulator's `tests/cli.rs` (through `#[path]`).

use base64::Engine as _;

/// Every form of `secret` a leak could take: as is (compared case-insensitively), base64
/// (standard and URL-safe, at each of the three byte alignments, so it is found inside a longer
/// encoded text) and hex.
pub fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_ascii_lowercase()];
    for engine in [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        for shift in 0..3 {
            let mut bytes = vec![b'x'; shift];
            bytes.extend_from_slice(secret.as_bytes());
            let encoded = engine.encode(&bytes);
            // Drop the characters that mix in the prefix and the last, partial group.
            let start = if shift == 0 { 0 } else { 4 };
            let end = encoded.len() - encoded.len() % 4;
            forms.push(encoded[start..end].to_owned());
        }
    }
    forms.push(hex::encode(secret));
    forms.push(hex::encode_upper(secret));
    forms
}

/// Fail when `text` holds a form of one of `secrets`.
#[track_caller]
pub fn assert_no_secret(what: &str, text: &str, secrets: &[&str]) {
    let lower = text.to_ascii_lowercase();
    for secret in secrets {
        for form in forms(secret) {
            let found = if form.chars().all(|c| c.is_ascii_hexdigit())
                || form == secret.to_ascii_lowercase()
            {
                lower.contains(&form.to_ascii_lowercase())
            } else {
                text.contains(&form)
            };
            assert!(!found, "{what} shows a secret (form {form:?}): {text}");
        }
    }
}
