//! Property tests of the parsers that see untrusted input: the image header reader, the base64
//! checks, and the JSON body builder.

mod common;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD as B64};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use proptest::prelude::*;
use tcfaceid::card::back_side_required;
use tcfaceid::image::{check_base64, clean_base64, inspect, ImageFormat, MAX_DIMENSION};
use tcfaceid::{CardType, CardVerificationRequest, Nationality, ResultCode};

const FIELD: &str = "ImageBase64Front";

/// Standard alphabet, padding optional on input: what the crate accepts.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Whatever `inspect` returns for `bytes`, it must be consistent with the bytes.
fn check_inspect(bytes: &[u8]) -> Result<(), TestCaseError> {
    match inspect(bytes, FIELD) {
        Ok(info) => {
            prop_assert!((1..=MAX_DIMENSION).contains(&info.width));
            prop_assert!((1..=MAX_DIMENSION).contains(&info.height));
            match info.format {
                ImageFormat::Png => {
                    prop_assert!(bytes.starts_with(common::PNG_SIGNATURE));
                    prop_assert_eq!(&bytes[12..16], b"IHDR");
                    prop_assert_eq!(&info.width.to_be_bytes()[..], &bytes[16..20]);
                    prop_assert_eq!(&info.height.to_be_bytes()[..], &bytes[20..24]);
                }
                ImageFormat::Jpeg => prop_assert!(bytes.starts_with(&[0xFF, 0xD8])),
            }
        }
        Err(e) => {
            prop_assert_eq!(e.field(), Some(FIELD));
            let expected_class = if bytes.is_empty() {
                vec![ResultCode::ImageEmpty]
            } else if bytes.starts_with(common::PNG_SIGNATURE) || bytes.starts_with(&[0xFF, 0xD8]) {
                vec![
                    ResultCode::ImageCorrupt,
                    ResultCode::ImageResolutionTooLarge,
                ]
            } else {
                vec![ResultCode::ImageUnsupportedFormat]
            };
            prop_assert!(
                expected_class.contains(&e.code()),
                "{:?} for {:?}",
                e,
                bytes
            );
        }
    }
    Ok(())
}

/// Pieces that base64 text pasted from somewhere may be made of.
fn base64ish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("data:".to_owned()),
        Just("image/jpeg".to_owned()),
        Just(";base64".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n".to_owned()),
        Just("\t".to_owned()),
        Just("=".to_owned()),
        Just("/9j/".to_owned()),
        Just("iVBORw0KGgo".to_owned()),
        "[A-Za-z0-9+/]{1,8}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// A URL `check_url` accepts: http(s), a host, then any text without whitespace or controls.
fn url() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http://"), Just("https://"), Just("HTTPS://")],
        "[a-z0-9][a-z0-9.-]{0,20}(:[0-9]{1,5})?",
        any::<String>(),
    )
        .prop_map(|(scheme, host, path)| {
            let path: String = path
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            format!("{scheme}{host}/{path}")
        })
}

/// 512 cases per property, or `PROPTEST_CASES` when set (`make fuzz` raises it).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn inspect_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_inspect(&bytes)?;
    }

    #[test]
    fn inspect_never_panics_after_a_png_signature(tail in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = common::PNG_SIGNATURE.to_vec();
        bytes.extend_from_slice(&tail);
        check_inspect(&bytes)?;
    }

    #[test]
    fn inspect_never_panics_after_a_jpeg_soi(tail in prop::collection::vec(any::<u8>(), 0..256)) {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend_from_slice(&tail);
        check_inspect(&bytes)?;
    }

    /// Mostly markers and short segment lengths, to walk deep into the JPEG segment loop.
    #[test]
    fn inspect_never_panics_on_marker_soup(
        tail in prop::collection::vec(prop_oneof![Just(0xFFu8), Just(0x00), Just(0x02), 0xC0u8..=0xFF, any::<u8>()], 0..128)
    ) {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend_from_slice(&tail);
        check_inspect(&bytes)?;
    }

    /// A valid header followed by damage anywhere must still not panic.
    #[test]
    fn inspect_never_panics_on_damaged_images(
        png in any::<bool>(), w in 1u32..=64, h in 1u32..=64,
        cut in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = if png { common::png(w, h) } else { common::jpeg(w, h) };
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        check_inspect(&bytes)?;
    }

    #[test]
    fn check_base64_never_panics(text in prop_oneof![any::<String>(), base64ish()]) {
        match check_base64(&text, FIELD) {
            Ok((clean, info)) => {
                // What was accepted is clean, decodes, and is the image it was said to be.
                prop_assert!(!clean.bytes().any(|b| b.is_ascii_whitespace()));
                let raw = LENIENT_B64.decode(clean.as_bytes()).unwrap();
                prop_assert_eq!(inspect(&raw, FIELD).unwrap(), info);
            }
            Err(e) => prop_assert_eq!(e.field(), Some(FIELD)),
        }
    }

    /// The library's one base64 engine (base64-simd) accepts exactly what the `base64` crate
    /// accepts with optional padding, and decodes it the same: text the crate refuses is an
    /// invalid-base64 error; text it accepts is then judged as the image it decodes to.
    #[test]
    fn base64_acceptance_matches_the_base64_crate(
        text in prop_oneof![any::<String>(), base64ish()],
        w in 1u32..=40, h in 1u32..=40, cut in 0usize..3, flaw in any::<Option<(usize, u8)>>(),
    ) {
        let mut image_text = B64.encode(common::jpeg(w, h)).into_bytes();
        image_text.truncate(image_text.len() - cut.min(image_text.iter().rev().take_while(|b| **b == b'=').count()));
        if let Some((at, byte)) = flaw {
            let at = at % image_text.len();
            image_text[at] = byte % 128;
        }
        let image_text = String::from_utf8(image_text).unwrap();
        for text in [text.as_str(), image_text.as_str()] {
            let clean = clean_base64(text);
            let result = check_base64(text, FIELD);
            if clean.is_empty() || clean.len() > tcfaceid::image::MAX_BASE64_LEN {
                continue;
            }
            match LENIENT_B64.decode(clean.as_bytes()) {
                Err(_) => prop_assert_eq!(result.unwrap_err().code(), ResultCode::ImageInvalidBase64),
                Ok(raw) => match inspect(&raw, FIELD) {
                    Ok(info) => prop_assert_eq!(result.unwrap().1, info),
                    Err(e) => prop_assert_eq!(result.unwrap_err().code(), e.code()),
                },
            }
        }
    }

    #[test]
    fn check_base64_accepts_any_encoding_of_a_valid_image(
        w in 1u32..=200, h in 1u32..=200, wrap in 1usize..100, crlf in any::<bool>(), prefix in any::<bool>(),
    ) {
        let jpeg = common::jpeg(w, h);
        let plain = B64.encode(&jpeg);
        let newline = if crlf { "\r\n" } else { "\n" };
        let lines: Vec<&str> = plain.as_bytes().chunks(wrap).map(|c| std::str::from_utf8(c).unwrap()).collect();
        let mut text = lines.join(newline);
        if prefix {
            text = format!("data:image/jpeg;base64,{text}");
        }
        let (clean, info) = check_base64(&text, FIELD).unwrap();
        prop_assert_eq!(clean.as_ref(), plain.as_str());
        prop_assert_eq!((info.format, info.width, info.height), (ImageFormat::Jpeg, w, h));
    }

    /// A payload with line breaks anywhere, behind an optional data: prefix, cleans to itself.
    #[test]
    fn clean_base64_strips_the_prefix_and_line_breaks(
        payload in "[A-Za-z0-9+/]{0,64}={0,2}",
        breaks in prop::collection::vec((any::<prop::sample::Index>(), prop_oneof![Just("\r\n"), Just("\n"), Just(" "), Just("\t")]), 0..6),
        mime in prop_oneof![Just(""), Just("image/jpeg"), Just("image/png"), Just("application/octet-stream")],
        prefix in any::<bool>(),
    ) {
        let mut text = payload.clone();
        for (at, br) in breaks {
            text.insert_str(at.index(text.len() + 1), br);
        }
        if prefix {
            text = format!("data:{mime};base64,{text}");
        }
        let clean = clean_base64(&text);
        prop_assert_eq!(clean.as_ref(), payload.as_str());
    }

    #[test]
    fn clean_base64_is_idempotent(text in prop_oneof![any::<String>(), base64ish()]) {
        let once = clean_base64(&text).into_owned();
        let twice = clean_base64(&once).into_owned();
        prop_assert_eq!(&twice, &once, "input {:?}", text);
    }

    #[test]
    fn generated_png_header_reports_its_dimensions(w in 1u32..=8000, h in 1u32..=8000) {
        let info = inspect(&common::png_header_only(w, h), FIELD).unwrap();
        prop_assert_eq!((info.format, info.width, info.height), (ImageFormat::Png, w, h));
    }

    #[test]
    fn generated_png_reports_its_dimensions(w in 1u32..=300, h in 1u32..=300) {
        let info = inspect(&common::png(w, h), FIELD).unwrap();
        prop_assert_eq!((info.format, info.width, info.height), (ImageFormat::Png, w, h));
    }

    #[test]
    fn generated_jpeg_reports_its_dimensions(w in 1u32..=8000, h in 1u32..=8000) {
        let info = inspect(&common::jpeg(w, h), FIELD).unwrap();
        prop_assert_eq!((info.format, info.width, info.height), (ImageFormat::Jpeg, w, h));
    }

    #[test]
    fn generated_images_above_the_limit_are_refused(big in 8001u32..=65535, small in 1u32..=8000, wide in any::<bool>()) {
        let (w, h) = if wide { (big, small) } else { (small, big) };
        for bytes in [common::png_header_only(w, h), common::jpeg(w, h)] {
            prop_assert_eq!(inspect(&bytes, FIELD).unwrap_err().code(), ResultCode::ImageResolutionTooLarge);
        }
    }

    #[test]
    fn to_body_is_valid_json_for_any_allowed_codes_and_urls(
        nationality in prop_oneof![any::<String>(), Just("HKG".to_owned()), Just("IDN".to_owned())],
        card_type in prop_oneof![any::<String>(), Just("ID_CARD".to_owned()), Just("PASSPORT".to_owned())],
        front in url(),
        back in proptest::option::of(url()),
    ) {
        let mut request = CardVerificationRequest::new(nationality.clone(), card_type.clone());
        request.set_allow_unknown_codes(true);
        request.set_front_url(front.clone());
        if let Some(back) = &back {
            request.set_back_url(back.clone());
        }
        let result = request.to_body();
        let needs_back = back_side_required(&Nationality::parse_lenient(&nationality), &CardType::parse_lenient(&card_type));
        if nationality.trim().is_empty() {
            prop_assert_eq!(result.unwrap_err().code(), ResultCode::InvalidNationality);
        } else if card_type.trim().is_empty() {
            prop_assert_eq!(result.unwrap_err().code(), ResultCode::InvalidCardType);
        } else if back.is_none() && needs_back {
            prop_assert_eq!(result.unwrap_err().code(), ResultCode::BackImageRequired);
        } else {
            let body = result.unwrap();
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let object = value.as_object().unwrap();
            prop_assert_eq!(object.len(), 3 + usize::from(back.is_some()));
            prop_assert_eq!(object["Nationality"].as_str(), Some(nationality.as_str()));
            prop_assert_eq!(object["CardType"].as_str(), Some(card_type.as_str()));
            prop_assert_eq!(object["ImageUrlFront"].as_str(), Some(front.as_str()));
            prop_assert_eq!(object.get("ImageUrlBack").and_then(|v| v.as_str()), back.as_deref());
        }
    }

    #[test]
    fn to_body_base64_round_trips_any_image_size(w in 1u32..=64, h in 1u32..=64, extra in 0usize..300) {
        let base = common::jpeg(w, h).len();
        let jpeg = common::jpeg_with_len(w, h, base + extra);
        let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
        request.set_front_bytes(jpeg.clone());
        let value: serde_json::Value = serde_json::from_slice(&request.to_body().unwrap()).unwrap();
        let sent = value["ImageBase64Front"].as_str().unwrap();
        prop_assert_eq!(B64.decode(sent).unwrap(), jpeg);
    }
}
