//! The OCR product's request rules (OCR spec §3), checked locally: its codes (RESIDENCE_PERMIT,
//! no AUTO), its back-side table (every row of the spec, and every code pair), its image limits,
//! ReturnHeadImage and WebhookUrl; and the one result model reading both products' answers.

mod common;

use serde_json::{json, Value};
use tcfaceid::api::{self, check_general_card_field, GENERAL_CARD_FIELDS};
use tcfaceid::card::{back_side_required_for, ocr_back_side, OCR_BACK_SIDE_TABLE};
use tcfaceid::image::{ImageLimits, OCR_MAX_BASE64_LEN};
use tcfaceid::{
    Api, CardType, CardVerificationRequest, CardVerificationResult, Nationality, ResultCode,
    VerificationStatus, WarnCode,
};

/// Spec §3.3's country names → the API codes of §3.2.
fn code_of(country: &str) -> &'static str {
    match country {
        "Argentina" => "ARG",
        "Australia" => "AUS",
        "Bangladesh" => "BGD",
        "Cambodia" => "KHM",
        "Canada" => "CAN",
        "Chile" => "CHL",
        "Germany" => "DEU",
        "Mexico" => "MEX",
        "Myanmar" => "MMR",
        "New Zealand" => "NZL",
        "Nigeria" => "NGA",
        "Pakistan" => "PAK",
        "Russia" => "RUS",
        "Singapore" => "SGP",
        "Indonesia" => "IDN",
        "Hong Kong, China" => "HKG",
        "Thailand" => "THA",
        "Malaysia" => "MYS",
        "Philippines" => "PHL",
        "Japan" => "JPN",
        "Macau, China" => "MAC",
        "Taiwan, China" => "TWN",
        other => panic!("no code for {other:?}"),
    }
}

/// Spec §3.3's document names → CardType.
fn card_type_of(kind: &str) -> CardType {
    match kind {
        "Driver's License" => CardType::DrivingLicense,
        "National ID Card" | "Identity Card" => CardType::IdCard,
        "Passport" => CardType::Passport,
        "Residence Permit" => CardType::ResidencePermit,
        other => panic!("no CardType for {other:?}"),
    }
}

/// The 68 rows of spec §3.3 (tests/vectors/ocr-back-side-table.md): (code, CardType, back?).
fn spec_rows() -> Vec<(&'static str, CardType, bool)> {
    let text = include_str!("vectors/ocr-back-side-table.md");
    let rows: Vec<_> = text
        .lines()
        .filter(|l| l.starts_with("| ") && l[2..].starts_with(|c: char| c.is_ascii_digit()))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let back = match cells[4] {
                "Yes" => true,
                "No" => false,
                other => panic!("{other:?}"),
            };
            (code_of(cells[2]), card_type_of(cells[3]), back)
        })
        .collect();
    assert_eq!(rows.len(), 68);
    rows
}

fn front_only(nationality: &str, card_type: &str) -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new(nationality, card_type);
    request.set_front_url("https://example.com/front.jpg");
    request
}

#[test]
fn every_row_of_the_ocr_back_side_table_holds() {
    for (code, card_type, back) in spec_rows() {
        let nationality = Nationality::parse_for(Api::Ocr, code).unwrap();
        assert_eq!(
            ocr_back_side(&nationality, &card_type),
            Some(back),
            "{code} {card_type}"
        );
        // And through the request: without a back, refused exactly where the table says Yes.
        let request = front_only(code, card_type.as_str());
        match request.validate_for(Api::Ocr) {
            Ok(()) => assert!(!back, "{code} {card_type} needs its back"),
            Err(e) => {
                assert!(back, "{code} {card_type}: {e}");
                assert_eq!(e.code(), ResultCode::BackImageRequired);
                assert_eq!(e.field(), Some("ImageBase64Back"));
            }
        }
        let mut with_back = request.clone();
        with_back.set_back_url("https://example.com/back.jpg");
        with_back.validate_for(Api::Ocr).unwrap();
    }
}

/// Every pair of OCR codes: a row of the spec decides; a pair without a row (AUTO, CHN,
/// unlisted documents) needs the front only.
#[test]
fn every_ocr_code_pair_follows_the_table() {
    let rows = spec_rows();
    let mut listed = 0;
    for nationality in Api::Ocr.nationalities() {
        for card_type in Api::Ocr.card_types() {
            let spec = rows
                .iter()
                .find(|(c, t, _)| *c == nationality.as_str() && t == card_type)
                .map(|(_, _, back)| *back);
            listed += usize::from(spec.is_some());
            assert_eq!(ocr_back_side(nationality, card_type), spec);
            assert_eq!(
                back_side_required_for(Api::Ocr, nationality, card_type),
                spec == Some(true),
                "{nationality} {card_type}"
            );
        }
    }
    // 68 rows, 7 pairs twice: 61 distinct pairs; the library's table has as many cells.
    assert_eq!(listed, 61);
    let cells: usize = OCR_BACK_SIDE_TABLE
        .iter()
        .map(|(_, row)| row.iter().flatten().count())
        .sum();
    assert_eq!(cells, 61);
}

#[test]
fn ocr_codes_residence_permit_and_no_auto_card_type() {
    for code in [
        "ARG", "AUS", "KHM", "CAN", "SGP", "CHL", "DEU", "MEX", "MMR", "NZL", "BGD", "NGA", "PAK",
        "RUS", "IDN", "HKG", "THA", "MYS", "JPN", "PHL", "MAC", "CHN", "TWN", "AUTO",
    ] {
        let mut request = front_only(code, "PASSPORT");
        request.set_back_url("https://example.com/back.jpg"); // CAN passports need it
        request.validate_for(Api::Ocr).unwrap();
    }
    // OCR codes are not FaceID's.
    let e = front_only("PHL", "PASSPORT").validate().unwrap_err();
    assert_eq!(e.code(), ResultCode::InvalidNationality);
    assert!(e.message().contains("IDN HKG"), "{e}");
    // RESIDENCE_PERMIT is OCR's only; AUTO is FaceID's only.
    front_only("NZL", "RESIDENCE_PERMIT")
        .validate_for(Api::Ocr)
        .unwrap();
    let e = front_only("SGP", "RESIDENCE_PERMIT")
        .validate_for(Api::FaceId)
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::InvalidCardType);
    let e = front_only("SGP", "AUTO")
        .validate_for(Api::Ocr)
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::InvalidCardType);
    assert_eq!(e.field(), Some("CardType"));
    assert!(e.message().contains("RESIDENCE_PERMIT"), "{e}");
    for bad in ["VNM", "sgp", ""] {
        let e = front_only(bad, "PASSPORT")
            .validate_for(Api::Ocr)
            .unwrap_err();
        assert_eq!(e.code(), ResultCode::InvalidNationality, "{bad:?}");
        assert_eq!(e.field(), Some("Nationality"));
    }
    // The switch lets a newer code through (not an empty one).
    let mut request = front_only("VNM", "VISA");
    request.set_allow_unknown_codes(true);
    request.validate_for(Api::Ocr).unwrap();
}

#[test]
fn ocr_image_limits_are_2_mib_and_256_to_4096_pixels() {
    assert_eq!(OCR_MAX_BASE64_LEN, 2_097_152);
    assert_eq!(Api::Ocr.image_limits(), ImageLimits::OCR);
    let check = |image: Vec<u8>| {
        let mut request = CardVerificationRequest::new("SGP", "PASSPORT");
        request.set_front_bytes(image);
        request.validate_for(Api::Ocr)
    };
    for (w, h) in [(256, 256), (4096, 4096), (256, 4096)] {
        check(common::png_header_only(w, h)).unwrap();
    }
    for (w, h) in [(255, 300), (300, 255), (1, 1)] {
        let e = check(common::png_header_only(w, h)).unwrap_err();
        assert_eq!(e.code(), ResultCode::ImageResolutionTooSmall, "{w}x{h}");
        assert_eq!(e.field(), Some("ImageBase64Front"));
        assert!(e.message().contains("at least 256x256"), "{e}");
    }
    for (w, h) in [(4097, 300), (300, 4097)] {
        let e = check(common::png_header_only(w, h)).unwrap_err();
        assert_eq!(e.code(), ResultCode::ImageResolutionTooLarge, "{w}x{h}");
        assert!(e.message().contains("at most 4096x4096"), "{e}");
    }
    // FaceID takes these.
    let mut request = CardVerificationRequest::new("IDN", "PASSPORT");
    request.set_front_bytes(common::png_header_only(5000, 100));
    request.validate().unwrap();

    // 2 MiB of base64 is the last accepted size: 1.5 MiB of raw image.
    let raw_limit = ImageLimits::OCR.max_raw_len();
    assert_eq!(raw_limit, 1_572_864);
    check(common::jpeg_with_len(1024, 768, raw_limit)).unwrap();
    let e = check(common::jpeg_with_len(1024, 768, raw_limit + 1)).unwrap_err();
    assert_eq!(e.code(), ResultCode::ImageTooLarge);
    assert!(e.message().contains("2097152 (2 MiB)"), "{e}");
    let mut request = CardVerificationRequest::new("SGP", "PASSPORT");
    request.set_front_base64("A".repeat(OCR_MAX_BASE64_LEN + 4));
    let e = request.validate_for(Api::Ocr).unwrap_err();
    assert_eq!(e.code(), ResultCode::ImageTooLarge);
    // The back side obeys the same limits.
    let mut request = CardVerificationRequest::new("SGP", "ID_CARD");
    request.set_front_bytes(common::png_header_only(300, 300));
    request.set_back_bytes(common::png_header_only(100, 100));
    let e = request.validate_for(Api::Ocr).unwrap_err();
    assert_eq!(e.code(), ResultCode::ImageResolutionTooSmall);
    assert_eq!(e.field(), Some("ImageBase64Back"));
}

#[test]
fn return_head_image_and_webhook_url_are_ocr_fields() {
    let mut request = front_only("ARG", "PASSPORT");
    request.set_return_head_image(Some(true));
    request.set_webhook_url(Some("https://example.com/hook".into()));
    let body: Value = serde_json::from_slice(&request.to_body_for(Api::Ocr).unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"Nationality": "ARG", "CardType": "PASSPORT",
               "ImageUrlFront": "https://example.com/front.jpg",
               "ReturnHeadImage": true, "WebhookUrl": "https://example.com/hook"})
    );
    // Unset fields are left out; false is sent as false.
    request.set_webhook_url(None);
    request.set_return_head_image(Some(false));
    let body = String::from_utf8(request.to_body_for(Api::Ocr).unwrap()).unwrap();
    assert!(body.ends_with(r#""ReturnHeadImage":false}"#), "{body}");
    request.set_return_head_image(None);
    let body = String::from_utf8(request.to_body_for(Api::Ocr).unwrap()).unwrap();
    assert!(!body.contains("ReturnHeadImage"), "{body}");

    // FaceID refuses them, naming the field.
    for (head, hook, field) in [
        (Some(true), None, "ReturnHeadImage"),
        (None, Some("https://example.com/hook"), "WebhookUrl"),
    ] {
        let mut request = front_only("IDN", "PASSPORT");
        request.set_return_head_image(head);
        request.set_webhook_url(hook.map(str::to_owned));
        let e = request.validate().unwrap_err();
        assert_eq!(e.code(), ResultCode::UnsupportedField);
        assert_eq!(e.field(), Some(field));
        assert!(e.message().contains("OCR"), "{e}");
    }

    // WebhookUrl: https only, a real URL.
    for (url, code) in [
        ("http://example.com/hook", ResultCode::InvalidWebhookUrl),
        ("HTTPS://example.com/hook", ResultCode::Ok),
        ("ftp://example.com/hook", ResultCode::InvalidImageUrl),
        ("https://", ResultCode::InvalidImageUrl),
        ("https://a b/", ResultCode::InvalidImageUrl),
    ] {
        let mut request = front_only("ARG", "PASSPORT");
        request.set_webhook_url(Some(url.into()));
        let got = request
            .validate_for(Api::Ocr)
            .map_or_else(|e| e.code(), |()| ResultCode::Ok);
        assert_eq!(got, code, "{url}");
        if code != ResultCode::Ok {
            let e = request.validate_for(Api::Ocr).unwrap_err();
            assert_eq!(e.field(), Some("WebhookUrl"), "{url}");
        }
    }
}

#[test]
fn the_ocr_result_model_reads_both_vocabularies_and_both_sides() {
    let body = json!({"Response": {
        "Status": "COMPLETED",
        "WarnInfo": ["PoorImageQuality", "BrandNewCode"],
        "Nationality": "SGP",
        "CardInfo": {"LicenseNumber": "S1234567D", "FullName": "TAN AH KOW", "MRZLine1": "P<SGP",
                     "Type": "PR", "Others": "{\"side\":\"front\"}",
                     "Address": null, "NewField": "x"},
        "BackCardInfo": {"IssuedDate": "2015-06-01",
                         "Address": {"City": "SINGAPORE", "District": "D1", "Subdistrict": "S"}},
        "CardVerificationToken": "tok",
        "HeadImageBase64": "data:image/png;base64,iVBORw0KGgo=",
        "RequestId": "r1"}});
    let result: CardVerificationResult = api::parse_response(body.to_string().as_bytes()).unwrap();
    assert_eq!(result.status, VerificationStatus::Completed);
    assert!(result.status.is_terminal());
    assert_eq!(
        result.warnings(),
        [
            WarnCode::PoorImageQuality,
            WarnCode::Unknown("BrandNewCode".into())
        ]
    );
    assert_eq!(
        WarnCode::PoorImageQuality.meaning(),
        Some("the image quality is too low")
    );
    assert!(result.card_info.is_none());
    let front = result.general_card.as_ref().unwrap();
    assert_eq!(front.full_name.as_deref(), Some("TAN AH KOW"));
    assert_eq!(front.mrz_line1.as_deref(), Some("P<SGP"));
    assert_eq!(front.document_type.as_deref(), Some("PR"));
    assert_eq!(result.front_card(), Some(front));
    let back = result.back_card_info.as_ref().unwrap();
    let address = back.address.as_ref().unwrap();
    assert_eq!(address.district.as_deref(), Some("D1"));
    assert_eq!(address.subdistrict.as_deref(), Some("S"));
    assert_eq!(result.card_verification_token.as_deref(), Some("tok"));
    assert_eq!(
        result.head_image().unwrap().unwrap(),
        b"\x89PNG\r\n\x1a\n".to_vec()
    );

    // The older vocabulary and statuses never seen: all terminal but PROCESSING.
    for (status, parsed) in [
        ("PASSED", VerificationStatus::Passed),
        ("Warning", VerificationStatus::Warning),
        ("ABNORMAL", VerificationStatus::Abnormal),
        ("PROCESSING", VerificationStatus::Processing),
        ("LATER", VerificationStatus::Unknown("LATER".into())),
    ] {
        let parsed_status = VerificationStatus::parse(status);
        assert_eq!(parsed_status, parsed);
        assert_eq!(parsed_status.is_terminal(), status != "PROCESSING");
    }

    // A bad head image is a protocol error for the image only; the verdict stays.
    let body = json!({"Response": {"Status": "COMPLETED", "HeadImageBase64": "***",
                                   "RequestId": "r"}});
    let result: CardVerificationResult = api::parse_response(body.to_string().as_bytes()).unwrap();
    assert_eq!(
        result.head_image().unwrap_err().code(),
        ResultCode::Protocol
    );
    let body = json!({"Response": {"Status": "COMPLETED", "HeadImageBase64": "",
                                   "RequestId": "r"}});
    let result: CardVerificationResult = api::parse_response(body.to_string().as_bytes()).unwrap();
    assert_eq!(result.head_image().unwrap(), None);

    // FaceID's wrapper is still read as FaceID's CardInfo; its GeneralCard is the front card.
    let body = json!({"Response": {"Status": "PASSED", "CardInfo": {"GeneralCard":
        {"FullName": "A B"}}, "RequestId": "r"}});
    let result: CardVerificationResult = api::parse_response(body.to_string().as_bytes()).unwrap();
    assert!(result.general_card.is_none());
    assert_eq!(
        result.front_card().unwrap().full_name.as_deref(),
        Some("A B")
    );
    // A round trip keeps each product's shape.
    let again: CardVerificationResult =
        serde_json::from_value(serde_json::to_value(&result).unwrap()).unwrap();
    assert_eq!(again, result);
}

#[test]
fn general_card_field_names_are_the_models() {
    // Every listed name is read into the model (a misspelt one would be dropped).
    let card: serde_json::Map<String, Value> = GENERAL_CARD_FIELDS
        .iter()
        .map(|name| {
            let value = if *name == "Address" {
                json!({"City": "c"})
            } else {
                json!("v")
            };
            (name.to_string(), value)
        })
        .collect();
    let parsed: tcfaceid::GeneralCard = serde_json::from_value(Value::Object(card)).unwrap();
    let back = serde_json::to_value(&parsed).unwrap();
    assert_eq!(back.as_object().unwrap().len(), GENERAL_CARD_FIELDS.len());
    assert_eq!(GENERAL_CARD_FIELDS.len(), 37);
    check_general_card_field("FullName").unwrap();
    check_general_card_field("Address.Subdistrict").unwrap();
    for bad in ["Address", "Address.Nope", "Nope", "Foo.City"] {
        assert_eq!(
            check_general_card_field(bad).unwrap_err().code(),
            ResultCode::InvalidArgument
        );
    }
}
