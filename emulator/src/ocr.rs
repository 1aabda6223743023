//! The OCR product (2018-11-19): ApplyCardVerificationExternal's rules (OCR spec §3, error codes
//! §3.5) and the answers of GetCardVerificationExternalResult (§4).
//!
//! Order of the apply checks: unknown parameters, parameter types, `Nationality` and `CardType`
//! present (`MissingParameter`), Nationality one of OCR's codes and CardType one of
//! `ID_CARD PASSPORT DRIVING_LICENSE RESIDENCE_PERMIT` (no `AUTO`), `WebhookUrl` https, front
//! present, back present where OCR's table says so (all
//! `InvalidParameterValue.InvalidParameterValueLimit`), then each side with OCR's limits (2 MiB
//! of base64 → `FailedOperation.ImageSizeTooLarge`, below 256 px →
//! `InvalidParameterValue.InvalidFileContentSize`, not an image →
//! `InvalidParameter.EngineImageDecodeFailed`), and a front URL containing `ocr-failed` →
//! `FailedOperation.OcrFailed`.
//!
//! The result: a flat `CardInfo` (GeneralCard) for the front, `BackCardInfo` when a back was
//! given, `HeadImageBase64` (a 1×1 PNG) when `ReturnHeadImage` was true (else `""`), the token
//! echoed; the Status in the configured vocabulary ([`OcrStatus`]); a front URL containing
//! `abnormal` gives `ABNORMAL` in the current one. Our webhook is not implemented: no call is
//! made to `WebhookUrl`.

use serde_json::Value;

use tcfaceid::api::{Address, CardVerificationResult, GeneralCard, VerificationStatus};
use tcfaceid::card::{back_side_required_for, CardType, Nationality, Side};
use tcfaceid::image;
use tcfaceid::product::Api;

use crate::config::{OcrStatus, Verdict};
use crate::reply::{code, ApiError};
use crate::rules::{
    check_known, missing, string_param, verdict_for, Params, SideParams, APPLY_PARAMS,
};

/// The portrait returned when asked for: a valid 1×1 PNG.
pub(crate) const HEAD_IMAGE_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// A URL containing this text fails with `FailedOperation.OcrFailed`.
const OCR_FAILED_MARKER: &str = "ocr-failed";
/// A front URL containing this text ends `ABNORMAL` (current vocabulary).
const ABNORMAL_MARKER: &str = "abnormal";

/// An ApplyCardVerificationExternal request that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OcrApplication {
    pub nationality: Nationality,
    pub card_type: CardType,
    pub verdict: Verdict,
    pub abnormal: bool,
    pub back_given: bool,
    pub head_image: bool,
}

fn value_limit(message: impl Into<String>) -> ApiError {
    ApiError::new(code::VALUE_LIMIT, message)
}

/// Check ApplyCardVerificationExternal's parameters.
pub(crate) fn check_apply(params: &Params, default: Verdict) -> Result<OcrApplication, ApiError> {
    let known = [APPLY_PARAMS.as_slice(), &["ReturnHeadImage", "WebhookUrl"]].concat();
    check_known(params, &known)?;
    let nationality_code = string_param(params, "Nationality")?;
    let card_type_code = string_param(params, "CardType")?;
    let webhook = string_param(params, "WebhookUrl")?.filter(|u| !u.is_empty());
    let head_image = match params.get("ReturnHeadImage") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::new(
                code::INVALID_PARAMETER,
                "The parameter ReturnHeadImage must be a boolean.",
            ))
        }
    };
    let front = SideParams::read(params, Side::Front)?;
    let back = SideParams::read(params, Side::Back)?;
    let nationality =
        Nationality::parse_lenient(nationality_code.ok_or_else(|| missing("Nationality"))?);
    let card_type = CardType::parse_lenient(card_type_code.ok_or_else(|| missing("CardType"))?);
    if !Api::Ocr.nationalities().contains(&nationality) {
        return Err(value_limit(format!(
            "Nationality {:?} is not supported.",
            nationality.as_str()
        )));
    }
    if !Api::Ocr.card_types().contains(&card_type) {
        return Err(value_limit(format!(
            "CardType {:?} is not supported; use ID_CARD, PASSPORT, DRIVING_LICENSE or RESIDENCE_PERMIT.",
            card_type.as_str()
        )));
    }
    if let Some(url) = webhook {
        if !url
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
            || url.len() <= 8
        {
            return Err(value_limit("WebhookUrl must be an https:// URL."));
        }
    }
    if !front.is_given() {
        return Err(value_limit(
            "ImageUrlFront or ImageBase64Front is required: the front of the document is missing.",
        ));
    }
    if !back.is_given() && back_side_required_for(Api::Ocr, &nationality, &card_type) {
        return Err(value_limit(format!(
            "ImageUrlBack or ImageBase64Back is required: a {nationality} {card_type} needs the back of the document."
        )));
    }
    front.check_within(&image::ImageLimits::OCR)?;
    back.check_within(&image::ImageLimits::OCR)?;
    let front_url = front.url.unwrap_or("").to_ascii_lowercase();
    if front_url.contains(OCR_FAILED_MARKER) {
        return Err(ApiError::new(
            code::OCR_FAILED,
            "OCR recognition failed for the front image.",
        ));
    }
    Ok(OcrApplication {
        verdict: verdict_for(front.url, default),
        abnormal: front_url.contains(ABNORMAL_MARKER),
        nationality,
        card_type,
        back_given: back.is_given(),
        head_image,
    })
}

/// The final answer of GetCardVerificationExternalResult for a job.
pub(crate) fn final_result(
    job: &OcrApplication,
    vocabulary: OcrStatus,
    token: &str,
    result: &mut CardVerificationResult,
) {
    let code = match &job.nationality {
        Nationality::Auto | Nationality::Other(_) => "XXX",
        known => known.as_str(),
    };
    result.status = if job.abnormal && vocabulary == OcrStatus::Current {
        VerificationStatus::Abnormal
    } else {
        vocabulary.status(job.verdict)
    };
    result.warn_info = Some(job.verdict.warn_info());
    result.nationality = Some(code.to_owned());
    result.general_card = Some(front_card(code, &job.card_type));
    result.back_card_info = job.back_given.then(|| back_card(code));
    result.head_image_base64 = Some(if job.head_image {
        HEAD_IMAGE_BASE64.to_owned()
    } else {
        String::new()
    });
    result.card_verification_token = Some(token.to_owned());
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// Plausible front-side data for a document (values invented, shapes as the spec's §7).
fn front_card(code: &str, card_type: &CardType) -> GeneralCard {
    let mut card = GeneralCard {
        license_number: Some(format!("{code}1234567")),
        full_name: s("SAMPLE PERSON"),
        first_name: s("PERSON"),
        last_name: s("SAMPLE"),
        sex: s("F"),
        birthday: s("1990-01-31"),
        issued_date: s("2020-06-01"),
        issued_country: Some(code.to_owned()),
        issued_country_code: Some(code.to_owned()),
        expiration_date: s("2030-05-31"),
        nationality: Some(code.to_owned()),
        others: Some(format!(
            "{{\"side\":\"front\",\"issuerCountryIso3\":\"{code}\"}}"
        )),
        ..GeneralCard::default()
    };
    match card_type {
        CardType::Passport => {
            card.mrz_line1 = Some(format!("P<{code}SAMPLE<<PERSON<<<<<<<<<<<<<<<<<<<<<<<<"));
            card.mrz_line2 = Some(format!(
                "{code}12345670{code}9001318F3005319<<<<<<<<<<<<<<04"
            ));
        }
        CardType::DrivingLicense => card.vehicle_class = s("B"),
        CardType::ResidencePermit => card.document_type = s("PR"),
        _ => {}
    }
    card
}

/// Plausible back-side data: the issue date and an address.
fn back_card(code: &str) -> GeneralCard {
    GeneralCard {
        issued_date: s("2020-06-01"),
        address: Some(Address {
            country: Some(code.to_owned()),
            postal_code: s("123456"),
            city: s("SAMPLE CITY"),
            district: s("CENTRAL"),
            formatted_address: s("1 SAMPLE ROAD, SAMPLE CITY 123456"),
            line_one: s("1 SAMPLE ROAD"),
            line_two: s("SAMPLE CITY 123456"),
            ..Address::default()
        }),
        others: s("{\"side\":\"back\"}"),
        ..GeneralCard::default()
    }
}
