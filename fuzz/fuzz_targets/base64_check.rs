//! base64 handling on arbitrary text: `clean_base64` is idempotent and leaves no whitespace;
//! `check_base64` never panics, refuses only with image errors (3xx), and when it accepts, the
//! text decodes to an image `inspect` reads the same way.
//!
//! The first byte picks the mode: odd, the rest is taken as text (lossy UTF-8); even, the rest
//! is taken as an image, encoded to base64 with line breaks and a `data:` prefix chosen by the
//! input, and `check_base64` must then agree with `check_raw` on the bytes.
#![no_main]

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use tcfaceid::image;

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn image_class(error: &tcfaceid::Error) -> bool {
    (300..400).contains(&(error.code() as u32))
}

fn check_text(text: &str) {
    let once = image::clean_base64(text);
    let twice = image::clean_base64(&once);
    assert_eq!(once, twice, "clean_base64 is idempotent");
    assert!(!once.bytes().any(|b| b.is_ascii_whitespace()));
    match image::check_base64(text, "ImageBase64Front") {
        Ok((clean, info)) => {
            assert_eq!(clean, once);
            let bytes = LENIENT
                .decode(clean.as_bytes())
                .expect("accepted text decodes");
            assert_eq!(image::inspect(&bytes, "x").ok(), Some(info));
        }
        Err(error) => assert!(image_class(&error), "{error:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        check_text(&String::from_utf8_lossy(rest));
        return;
    }
    // Encode an image the way callers send one: maybe a data: prefix, maybe line breaks.
    let mut text = String::new();
    if mode & 2 != 0 {
        text.push_str("data:image/jpeg;base64,");
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(rest);
    let width = usize::from(mode >> 2) + 1;
    for (i, chunk) in encoded.as_bytes().chunks(width * 4).enumerate() {
        if i > 0 && mode & 4 != 0 {
            text.push_str("\r\n");
        }
        text.push_str(std::str::from_utf8(chunk).unwrap());
    }
    check_text(&text);
    let from_text = image::check_base64(&text, "f").map(|(_, info)| info);
    let from_bytes = image::check_raw(rest, "f");
    match (from_text, from_bytes) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{a:?} / {b:?}"),
        (a, b) => panic!("base64 and raw checks disagree: {a:?} / {b:?}"),
    }
});
