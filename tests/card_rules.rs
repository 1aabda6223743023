//! The ApplyCardVerification request rules of spec §4.1, checked locally: codes, front/back
//! presence (the back-side table, exhaustively), URL versus base64, and the JSON body.

mod common;

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::Value;
use tcfaceid::card::back_side_required;
use tcfaceid::{CardType, CardVerificationRequest, Nationality, ResultCode, Side};

const NATIONALITIES: [&str; 11] = [
    "IDN", "HKG", "THA", "MYS", "SGP", "JPN", "TWN", "BGD", "NGA", "PAK", "AUTO",
];
const CARD_TYPES: [&str; 4] = ["ID_CARD", "PASSPORT", "DRIVING_LICENSE", "AUTO"];

/// Spec §4.1 "Back side required", transcribed by hand from the spec (not from the code):
/// the cells that say "Yes". Every other combination needs the front only: "No" and "–" cells,
/// passports, AUTO, and the Philippines row (there is no PHL Nationality code).
const BACK_REQUIRED: [(&str, &str); 13] = [
    ("HKG", "ID_CARD"),
    ("THA", "DRIVING_LICENSE"),
    ("MYS", "ID_CARD"),
    ("MYS", "DRIVING_LICENSE"),
    ("SGP", "ID_CARD"),
    ("SGP", "DRIVING_LICENSE"),
    ("JPN", "ID_CARD"),
    ("TWN", "ID_CARD"),
    ("BGD", "ID_CARD"),
    ("NGA", "ID_CARD"),
    ("NGA", "DRIVING_LICENSE"),
    ("PAK", "ID_CARD"),
    ("PAK", "DRIVING_LICENSE"),
];

fn spec_says_back_required(nationality: &str, card_type: &str) -> bool {
    BACK_REQUIRED.contains(&(nationality, card_type))
}

fn body_json(request: &CardVerificationRequest) -> serde_json::Map<String, Value> {
    let body = request.to_body().expect("to_body");
    let text = std::str::from_utf8(&body).expect("the body is UTF-8");
    match serde_json::from_str::<Value>(text).expect("the body is JSON") {
        Value::Object(map) => map,
        other => panic!("the body is not a JSON object: {other}"),
    }
}

fn keys(map: &serde_json::Map<String, Value>) -> BTreeSet<&str> {
    map.keys().map(String::as_str).collect()
}

fn set<'a>(items: &[&'a str]) -> BTreeSet<&'a str> {
    items.iter().copied().collect()
}

// --------------------------------------------------------------------- the back-side table

#[test]
fn back_side_table_is_applied_exactly_as_the_spec_says() {
    let mut failures = Vec::new();
    let mut required_count = 0;
    for nationality in NATIONALITIES {
        for card_type in CARD_TYPES {
            let required = spec_says_back_required(nationality, card_type);
            required_count += usize::from(required);

            // Front only.
            let mut request = CardVerificationRequest::new(nationality, card_type);
            request.set_front_bytes(common::jpeg(32, 20));
            match (required, request.validate()) {
                (false, Ok(())) => {}
                (true, Err(e))
                    if e.code() == ResultCode::BackImageRequired
                        && e.field() == Some("ImageBase64Back")
                        && e.message().contains(nationality)
                        && e.message().contains(card_type) => {}
                (_, got) => failures.push(format!(
                    "{nationality} {card_type} without a back: expected {}, got {got:?}",
                    if required { "BackImageRequired" } else { "Ok" }
                )),
            }
            // With a back, in each form, it always validates.
            for back in ["url", "bytes", "base64"] {
                let mut request = request.clone();
                match back {
                    "url" => request.set_back_url("https://example.com/back.jpg"),
                    "bytes" => request.set_back_bytes(common::png(20, 32)),
                    _ => request.set_back_base64(B64.encode(common::jpeg(20, 32))),
                };
                if let Err(e) = request.validate() {
                    failures.push(format!(
                        "{nationality} {card_type} with a back {back}: {e:?}"
                    ));
                }
            }
        }
    }
    assert_eq!(
        required_count,
        BACK_REQUIRED.len(),
        "a table entry has a typo"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn back_side_required_agrees_with_the_spec_table() {
    for nationality in NATIONALITIES {
        for card_type in CARD_TYPES {
            assert_eq!(
                back_side_required(&nationality.parse().unwrap(), &card_type.parse().unwrap()),
                spec_says_back_required(nationality, card_type),
                "{nationality} {card_type}"
            );
        }
    }
}

#[test]
fn to_body_refuses_a_missing_back_like_validate() {
    let mut request = CardVerificationRequest::new("NGA", "DRIVING_LICENSE");
    request.set_front_url("https://example.com/front.jpg");
    let err = request.to_body().unwrap_err();
    assert_eq!(err.code(), ResultCode::BackImageRequired);
    assert_eq!(err.field(), Some("ImageBase64Back"));
}

#[test]
fn unknown_codes_that_are_allowed_need_the_front_only() {
    for (nationality, card_type) in [
        ("VNM", "ID_CARD"),
        ("HKG", "RESIDENCE_PERMIT"),
        ("XXX", "YYY"),
    ] {
        let mut request = CardVerificationRequest::new(nationality, card_type);
        request.set_allow_unknown_codes(true);
        request.set_front_url("https://example.com/front.jpg");
        request.validate().unwrap();
    }
}

// ------------------------------------------------------------------------ front and codes

#[test]
fn a_missing_front_is_front_image_required() {
    for (nationality, card_type) in [("IDN", "ID_CARD"), ("HKG", "ID_CARD"), ("AUTO", "AUTO")] {
        let mut request = CardVerificationRequest::new(nationality, card_type);
        // Even with a back, and before the back rule.
        for with_back in [false, true] {
            if with_back {
                request.set_back_url("https://example.com/back.jpg");
            }
            let err = request.validate().unwrap_err();
            assert_eq!(
                err.code(),
                ResultCode::FrontImageRequired,
                "{nationality} {card_type}"
            );
            assert_eq!(err.field(), Some("ImageBase64Front"));
            assert_eq!(
                request.to_body().unwrap_err().code(),
                ResultCode::FrontImageRequired
            );
        }
    }
    // A side cleared after being set is missing again.
    let mut request = CardVerificationRequest::new("IDN", "PASSPORT");
    request.set_front_url("https://example.com/front.jpg");
    request.validate().unwrap();
    request.clear_side(Side::Front);
    assert_eq!(
        request.validate().unwrap_err().code(),
        ResultCode::FrontImageRequired
    );
}

#[test]
fn invalid_nationality_is_refused_and_names_the_field() {
    for code in [
        "idn", "PHL", "", "XXX", " IDN", "IDN ", "Idn", "ID", "IDNN", "auto",
    ] {
        let mut request = CardVerificationRequest::new(code, "ID_CARD");
        request.set_front_url("https://example.com/front.jpg");
        let err = request.validate().unwrap_err();
        assert_eq!(err.code(), ResultCode::InvalidNationality, "{code:?}");
        assert_eq!(err.field(), Some("Nationality"), "{code:?}");
        assert!(err.message().contains("Nationality"), "{err}");

        let parsed = code.parse::<Nationality>().unwrap_err();
        assert_eq!(parsed.code(), ResultCode::InvalidNationality);
        assert_eq!(parsed.field(), Some("Nationality"));
    }
}

#[test]
fn invalid_card_type_is_refused_and_names_the_field() {
    for code in [
        "id_card",
        "ID CARD",
        "",
        "IDCARD",
        "RESIDENCE_PERMIT",
        "DRIVING_LICENCE",
        " AUTO",
    ] {
        let mut request = CardVerificationRequest::new("IDN", code);
        request.set_front_url("https://example.com/front.jpg");
        let err = request.validate().unwrap_err();
        assert_eq!(err.code(), ResultCode::InvalidCardType, "{code:?}");
        assert_eq!(err.field(), Some("CardType"), "{code:?}");

        let parsed = code.parse::<CardType>().unwrap_err();
        assert_eq!(parsed.code(), ResultCode::InvalidCardType);
    }
}

#[test]
fn nationality_is_checked_before_card_type_and_codes_before_images() {
    let request = CardVerificationRequest::new("XXX", "YYY"); // and no front
    assert_eq!(
        request.validate().unwrap_err().code(),
        ResultCode::InvalidNationality
    );
    let request = CardVerificationRequest::new("IDN", "YYY");
    assert_eq!(
        request.validate().unwrap_err().code(),
        ResultCode::InvalidCardType
    );
}

#[test]
fn known_codes_round_trip() {
    let nationalities: Vec<&str> = Nationality::KNOWN.iter().map(Nationality::as_str).collect();
    assert_eq!(nationalities, NATIONALITIES);
    let card_types: Vec<&str> = CardType::KNOWN.iter().map(CardType::as_str).collect();
    assert_eq!(card_types, CARD_TYPES);
    for n in Nationality::KNOWN {
        assert_eq!(&n.as_str().parse::<Nationality>().unwrap(), n);
        assert_eq!(n.to_string(), n.as_str());
    }
    for c in CardType::KNOWN {
        assert_eq!(&c.as_str().parse::<CardType>().unwrap(), c);
    }
    // PHL is an OCR code (known to the library, not to FaceID); VNM is neither.
    assert_eq!(Nationality::parse_lenient("PHL"), Nationality::Phl);
    assert_eq!(
        Nationality::parse_lenient("VNM"),
        Nationality::Other("VNM".into())
    );
    assert_eq!(CardType::parse_lenient("ID_CARD"), CardType::IdCard);
}

#[test]
fn allowed_unknown_codes_pass_through_unchanged() {
    for (nationality, card_type) in [
        ("PHL", "ID_CARD"),
        ("idn", "id_card"),
        ("VNM", "RESIDENCE_PERMIT"),
        ("IDN ", "AUTO"),
        ("HKG", "ID_CARD"), // known codes are unchanged too
    ] {
        let mut request = CardVerificationRequest::new(nationality, card_type);
        request.set_front_url("https://example.com/front.jpg");
        request.set_back_url("https://example.com/back.jpg");
        request.set_allow_unknown_codes(true);
        let body = body_json(&request);
        assert_eq!(body["Nationality"], nationality);
        assert_eq!(body["CardType"], card_type);
    }
}

#[test]
fn allowed_unknown_codes_still_refuse_empty_codes() {
    for (nationality, card_type, code, field) in [
        ("", "ID_CARD", ResultCode::InvalidNationality, "Nationality"),
        (
            "  ",
            "ID_CARD",
            ResultCode::InvalidNationality,
            "Nationality",
        ),
        ("IDN", "", ResultCode::InvalidCardType, "CardType"),
        ("IDN", "\t", ResultCode::InvalidCardType, "CardType"),
    ] {
        let mut request = CardVerificationRequest::new(nationality, card_type);
        request.set_allow_unknown_codes(true);
        request.set_front_url("https://example.com/front.jpg");
        let err = request.validate().unwrap_err();
        assert_eq!(err.code(), code, "{nationality:?} {card_type:?}");
        assert_eq!(err.field(), Some(field));
    }
}

// ------------------------------------------------------------------------- URL versus data

#[test]
fn url_wins_over_base64_and_the_data_is_not_checked() {
    for side in [Side::Front, Side::Back] {
        let mut request = CardVerificationRequest::new("MYS", "ID_CARD");
        request.set_front_bytes(common::jpeg(10, 10));
        request.set_back_bytes(common::png(10, 10));
        let url = format!("https://example.com/{side:?}.jpg");
        request.set_url(side, url.clone());
        // Data that would fail every check on its own.
        request.set_data(
            side,
            tcfaceid::ImageData::Base64("!!! not base64 !!!".into()),
        );
        request.validate().unwrap();
        let body = body_json(&request);
        assert_eq!(body[side.url_field()], url.as_str());
        assert!(!body.contains_key(side.base64_field()), "{body:?}");
        let other = if side == Side::Front {
            Side::Back
        } else {
            Side::Front
        };
        assert!(body.contains_key(other.base64_field()));
        assert!(!body.contains_key(other.url_field()));

        // Also a GIF, an empty image, a missing file.
        for data in [
            tcfaceid::ImageData::Bytes(common::gif()),
            tcfaceid::ImageData::Bytes(Vec::new()),
            tcfaceid::ImageData::File("/nonexistent/tcfaceid/front.jpg".into()),
        ] {
            request.set_data(side, data);
            request.validate().unwrap();
        }
    }
}

#[test]
fn an_invalid_url_is_refused_even_when_valid_data_is_there() {
    // The URL wins, so a bad URL is an error; it does not fall back to the base64.
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_bytes(common::jpeg(10, 10));
    request.set_front_url("ftp://example.com/front.jpg");
    let err = request.validate().unwrap_err();
    assert_eq!(err.code(), ResultCode::InvalidImageUrl);
    assert_eq!(err.field(), Some("ImageUrlFront"));
}

#[test]
fn non_http_urls_are_refused_and_name_the_side() {
    let bad = [
        "",
        "ftp://example.com/a.jpg",
        "file:///etc/passwd",
        "example.com/a.jpg",
        "//example.com/a.jpg",
        "javascript:alert(1)",
        "data:image/jpeg;base64,/9j/",
        "https://",
        "https:///a.jpg",
        "https://exa mple.com/a.jpg",
        "https://example.com/a.jpg\n",
        " https://example.com/a.jpg",
    ];
    for url in bad {
        for (side, field) in [(Side::Front, "ImageUrlFront"), (Side::Back, "ImageUrlBack")] {
            let mut request = CardVerificationRequest::new("SGP", "DRIVING_LICENSE");
            request.set_front_url("https://example.com/front.jpg");
            request.set_back_url("https://example.com/back.jpg");
            request.set_url(side, url);
            let err = request.validate().unwrap_err();
            assert_eq!(
                err.code(),
                ResultCode::InvalidImageUrl,
                "{url:?} on {field}"
            );
            assert_eq!(err.field(), Some(field), "{url:?}");
        }
    }
    for good in [
        "http://example.com/a.jpg",
        "HTTPS://EXAMPLE.COM/A.JPG",
        "https://10.0.0.1:8443/x?y=1#z",
    ] {
        let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
        request.set_front_url(good);
        request.validate().unwrap();
    }
}

// ---------------------------------------------------------------------------------- body

#[test]
fn body_has_exactly_the_expected_keys() {
    let png = common::png(8, 8);
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    assert_eq!(
        keys(&body_json(&request)),
        set(&["Nationality", "CardType", "ImageUrlFront"])
    );

    request.set_front_bytes(png.clone()); // the URL still wins
    assert_eq!(
        keys(&body_json(&request)),
        set(&["Nationality", "CardType", "ImageUrlFront"])
    );

    request.clear_side(Side::Front).set_front_bytes(png.clone());
    assert_eq!(
        keys(&body_json(&request)),
        set(&["Nationality", "CardType", "ImageBase64Front"])
    );

    request.set_back_base64(B64.encode(&png));
    assert_eq!(
        keys(&body_json(&request)),
        set(&[
            "Nationality",
            "CardType",
            "ImageBase64Front",
            "ImageBase64Back"
        ])
    );

    let mut request = CardVerificationRequest::new("HKG", "ID_CARD");
    request.set_front_url("https://example.com/f.jpg");
    request.set_back_url("https://example.com/b.jpg");
    let body = body_json(&request);
    assert_eq!(
        keys(&body),
        set(&["Nationality", "CardType", "ImageUrlFront", "ImageUrlBack"])
    );
    assert_eq!(body["Nationality"], "HKG");
    assert_eq!(body["CardType"], "ID_CARD");
    assert_eq!(body["ImageUrlFront"], "https://example.com/f.jpg");
    assert_eq!(body["ImageUrlBack"], "https://example.com/b.jpg");
    // Compact: no whitespace outside strings.
    let raw = String::from_utf8(request.to_body().unwrap()).unwrap();
    assert!(!raw.contains(' ') && !raw.contains('\n'), "{raw}");
}

#[test]
fn strings_in_the_body_are_escaped() {
    let front = "https://example.com/a\"b\\c/Zo\u{eb}/\u{65e5}\u{672c}.jpg?q=\"x\"&e=\u{1F600}";
    let back = "http://example.com/</script>'\u{10FFFF}";
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_url(front);
    request.set_back_url(back);
    let body = body_json(&request);
    assert_eq!(body["ImageUrlFront"], front);
    assert_eq!(body["ImageUrlBack"], back);

    // Control characters can only reach the body through allowed unknown codes.
    let nationality = "A\"\\\u{1}\u{1f}\u{7f}\u{e9}";
    let card_type = "B\tC\nD";
    let mut request = CardVerificationRequest::new(nationality, card_type);
    request.set_allow_unknown_codes(true);
    request.set_front_url("https://example.com/front.jpg");
    let raw = request.to_body().unwrap();
    assert!(
        !raw.iter().any(|&b| b < 0x20),
        "raw control bytes in {raw:?}"
    );
    let body = body_json(&request);
    assert_eq!(body["Nationality"], nationality);
    assert_eq!(body["CardType"], card_type);
}

#[test]
fn base64_in_the_body_decodes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file_bytes = common::png(7, 3);
    let path = dir.path().join("back.png");
    std::fs::write(&path, &file_bytes).unwrap();
    // Lengths 0, 1 and 2 modulo 3, so every padding case is covered.
    for extra in 0..3 {
        let front = common::jpeg_with_len(40, 30, 1000 + extra);
        let mut request = CardVerificationRequest::new("JPN", "ID_CARD");
        request.set_front_bytes(front.clone());
        request.set_back_file(&path);
        let body = body_json(&request);
        let sent = body["ImageBase64Front"].as_str().unwrap();
        assert_eq!(B64.decode(sent).unwrap(), front);
        assert_eq!(sent.len(), tcfaceid::image::base64_len(front.len()));
        assert_eq!(
            B64.decode(body["ImageBase64Back"].as_str().unwrap())
                .unwrap(),
            file_bytes
        );
    }
}

#[test]
fn base64_text_is_sent_cleaned() {
    let jpeg = common::jpeg(100, 100);
    let plain = B64.encode(&jpeg);
    let wrapped: Vec<String> = plain
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_base64(format!(
        "data:image/jpeg;base64,{}\r\n",
        wrapped.join("\r\n")
    ));
    let body = body_json(&request);
    assert_eq!(body["ImageBase64Front"], plain.as_str());
}
