//! The parameters of the two actions and the service's rules for them (spec §4.1, §4.3, §5.1),
//! checked with the crate's own code table ([`tcfaceid::card`]) and image checks ([`tcfaceid::image`]).
//!
//! Order of the ApplyCardVerification checks: unknown parameters, parameter types,
//! Nationality, CardType, front present, back present where the table needs it, then each side:
//! the URL when given (it wins and the side's base64 is ignored), else the base64 image.

use serde_json::{Map, Value};

use tcfaceid::card::{back_side_required, CardType, Nationality, Side};
use tcfaceid::error::ResultCode;
use tcfaceid::image;
use tcfaceid::product::Api;
use tcfaceid::sign::Method;

use crate::config::Verdict;
use crate::reply::{code, ApiError};
use crate::verify::Incoming;

/// The parameters of one call, whether they came as a JSON object or a query string.
pub(crate) type Params = Map<String, Value>;

/// The only parameter of GetCardVerificationResult.
pub(crate) const TOKEN_PARAM: &str = "CardVerificationToken";

/// A URL containing this text fails as if the download failed (the emulator downloads nothing).
pub(crate) const DOWNLOAD_ERROR_MARKER: &str = "download-error";

/// An ApplyCardVerification request that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Application {
    pub nationality: Nationality,
    pub card_type: CardType,
    pub verdict: Verdict,
}

/// The parameters: the JSON object of a POST body (an empty body counts as `{}`), or the
/// form-encoded query string of a GET.
pub(crate) fn params(method: Method, incoming: &Incoming<'_>) -> Result<Params, ApiError> {
    match method {
        Method::Post if incoming.body.iter().all(u8::is_ascii_whitespace) => Ok(Params::new()),
        Method::Post => match serde_json::from_slice::<Value>(incoming.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(ApiError::new(
                code::INVALID_PARAMETER,
                "The request body must be a JSON object.",
            )),
            Err(e) => Err(ApiError::new(
                code::INVALID_PARAMETER,
                format!("The request body is not valid JSON: {e}."),
            )),
        },
        Method::Get => query_params(incoming.query()),
    }
}

fn query_params(query: &str) -> Result<Params, ApiError> {
    let mut params = Params::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (form_decode(key)?, form_decode(value)?);
        if params.insert(key.clone(), Value::String(value)).is_some() {
            return Err(ApiError::new(
                code::INVALID_PARAMETER,
                format!("The parameter {key} is given more than once."),
            ));
        }
    }
    Ok(params)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; UTF-8 result.
fn form_decode(text: &str) -> Result<String, ApiError> {
    let bad = || {
        ApiError::new(
            code::INVALID_PARAMETER,
            "The query string is not valid form encoding (bad %-escape or not UTF-8).",
        )
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
                let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| bad())
}

pub(crate) fn check_known(params: &Params, known: &[&str]) -> Result<(), ApiError> {
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(ApiError::new(
            code::UNKNOWN_PARAMETER,
            format!(
                "The parameter {unknown:?} is not recognized; known: {}.",
                known.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// A string parameter: `None` when absent or null; `InvalidParameter` for any other JSON type.
pub(crate) fn string_param<'a>(
    params: &'a Params,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::new(
            code::INVALID_PARAMETER,
            format!("The parameter {name} must be a string."),
        )),
    }
}

pub(crate) fn missing(name: &str) -> ApiError {
    ApiError::new(
        code::MISSING_PARAMETER,
        format!("The request is missing the required parameter {name}."),
    )
}

/// One side as given: its URL and base64 text, empty strings counting as absent.
pub(crate) struct SideParams<'a> {
    side: Side,
    pub url: Option<&'a str>,
    base64: Option<&'a str>,
}

impl<'a> SideParams<'a> {
    pub fn read(params: &'a Params, side: Side) -> Result<SideParams<'a>, ApiError> {
        let non_empty = |name| Ok(string_param(params, name)?.filter(|s: &&str| !s.is_empty()));
        Ok(SideParams {
            side,
            url: non_empty(side.url_field())?,
            base64: non_empty(side.base64_field())?,
        })
    }

    pub fn is_given(&self) -> bool {
        self.url.is_some() || self.base64.is_some()
    }

    /// The side's checks with FaceID's image limits.
    fn check(&self) -> Result<(), ApiError> {
        self.check_within(&image::ImageLimits::FACEID)
    }

    /// The side's checks; the URL wins, so the base64 of a side with a URL is not looked at.
    pub fn check_within(&self, limits: &image::ImageLimits) -> Result<(), ApiError> {
        if let Some(url) = self.url {
            let field = self.side.url_field();
            image::check_url(url, field)
                .map_err(|e| ApiError::new(code::VALUE_LIMIT, e.message()))?;
            if url.contains(DOWNLOAD_ERROR_MARKER) {
                return Err(ApiError::new(
                    code::IMAGE_DOWNLOAD_ERROR,
                    format!("{field}: the image could not be downloaded within 3 s."),
                ));
            }
        } else if let Some(text) = self.base64 {
            image::check_base64_within(text, self.side.base64_field(), limits).map_err(|e| {
                let code = match e.code() {
                    ResultCode::ImageTooLarge | ResultCode::ImageResolutionTooLarge => {
                        code::IMAGE_SIZE_TOO_LARGE
                    }
                    ResultCode::ImageResolutionTooSmall => code::INVALID_FILE_CONTENT_SIZE,
                    _ => code::IMAGE_DECODE_FAILED,
                };
                ApiError::new(code, e.message())
            })?;
        }
        Ok(())
    }
}

/// The verdict a front URL asks for: `rejected` wins over `warning` (any case); otherwise the
/// configured verdict.
pub(crate) fn verdict_for(front_url: Option<&str>, default: Verdict) -> Verdict {
    let url = front_url.unwrap_or("").to_ascii_lowercase();
    if url.contains("rejected") {
        Verdict::Rejected
    } else if url.contains("warning") {
        Verdict::Warning
    } else {
        default
    }
}

/// The parameters of ApplyCardVerification (OCR's apply adds two).
pub(crate) const APPLY_PARAMS: [&str; 6] = [
    "Nationality",
    "CardType",
    "ImageBase64Front",
    "ImageBase64Back",
    "ImageUrlFront",
    "ImageUrlBack",
];

/// Check ApplyCardVerification's parameters.
pub(crate) fn check_apply(params: &Params, default: Verdict) -> Result<Application, ApiError> {
    check_known(params, &APPLY_PARAMS)?;
    let nationality_code = string_param(params, "Nationality")?;
    let card_type_code = string_param(params, "CardType")?;
    let front = SideParams::read(params, Side::Front)?;
    let back = SideParams::read(params, Side::Back)?;

    let nationality =
        Nationality::parse_lenient(nationality_code.ok_or_else(|| missing("Nationality"))?);
    if !Api::FaceId.nationalities().contains(&nationality) {
        return Err(ApiError::new(
            code::VALUE_LIMIT,
            format!("Nationality {:?} is not supported.", nationality.as_str()),
        ));
    }
    let card_type = CardType::parse_lenient(card_type_code.ok_or_else(|| missing("CardType"))?);
    if !Api::FaceId.card_types().contains(&card_type) {
        return Err(ApiError::new(
            code::VALUE_LIMIT,
            format!(
                "CardType {:?} is not supported; use ID_CARD, PASSPORT, DRIVING_LICENSE or AUTO.",
                card_type.as_str()
            ),
        ));
    }
    if !front.is_given() {
        return Err(ApiError::new(
            code::VALUE_LIMIT,
            "ImageUrlFront or ImageBase64Front is required: the front of the document is missing.",
        ));
    }
    if !back.is_given() && back_side_required(&nationality, &card_type) {
        return Err(ApiError::new(
            code::VALUE_LIMIT,
            format!(
                "ImageUrlBack or ImageBase64Back is required: a {nationality} {card_type} needs the back of the document."
            ),
        ));
    }
    front.check()?;
    back.check()?;
    Ok(Application {
        verdict: verdict_for(front.url, default),
        nationality,
        card_type,
    })
}

/// Check GetCardVerificationResult's parameters; returns the token.
pub(crate) fn check_get_result(params: &Params) -> Result<&str, ApiError> {
    check_known(params, &[TOKEN_PARAM])?;
    match string_param(params, TOKEN_PARAM)? {
        Some(token) if !token.is_empty() => Ok(token),
        _ => Err(missing(TOKEN_PARAM)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Params {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test input is an object"),
        }
    }

    fn apply(value: Value) -> Result<Application, &'static str> {
        check_apply(&object(value), Verdict::Passed).map_err(|e| e.code)
    }

    const URL: &str = "https://example.com/front.jpg";

    #[test]
    fn the_rules_in_order() {
        assert_eq!(
            apply(json!({"Nationality": "IDN", "Foo": 1})),
            Err(code::UNKNOWN_PARAMETER)
        );
        assert_eq!(
            apply(json!({"Nationality": 5})),
            Err(code::INVALID_PARAMETER)
        );
        assert_eq!(
            apply(json!({"CardType": "ID_CARD"})),
            Err(code::MISSING_PARAMETER)
        );
        assert_eq!(
            apply(json!({"Nationality": "IDN"})),
            Err(code::MISSING_PARAMETER)
        );
        assert_eq!(
            apply(json!({"Nationality": "PHL", "CardType": "ID_CARD"})),
            Err(code::VALUE_LIMIT)
        );
        assert_eq!(
            apply(json!({"Nationality": "IDN", "CardType": "VISA"})),
            Err(code::VALUE_LIMIT)
        );
        assert_eq!(
            apply(json!({"Nationality": "IDN", "CardType": "ID_CARD"})),
            Err(code::VALUE_LIMIT)
        );
        assert_eq!(
            apply(json!({"Nationality": "HKG", "CardType": "ID_CARD", "ImageUrlFront": URL})),
            Err(code::VALUE_LIMIT)
        );
        assert_eq!(
            apply(
                json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageUrlFront": "ftp://x/a.jpg"})
            ),
            Err(code::VALUE_LIMIT)
        );
        assert_eq!(
            apply(
                json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageUrlFront": "https://x/download-error.jpg"})
            ),
            Err(code::IMAGE_DOWNLOAD_ERROR)
        );
        assert_eq!(
            apply(
                json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageBase64Front": "not base64!"})
            ),
            Err(code::IMAGE_DECODE_FAILED)
        );
        // R0lGODlh... is a GIF header: decodes, but is not PNG/JPEG.
        assert_eq!(
            apply(
                json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageBase64Front": "R0lGODlhAQABAAAAACw="})
            ),
            Err(code::IMAGE_DECODE_FAILED)
        );
        let too_long = "A".repeat(image::MAX_BASE64_LEN + 4);
        assert_eq!(
            apply(
                json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageBase64Front": too_long})
            ),
            Err(code::IMAGE_SIZE_TOO_LARGE)
        );
    }

    #[test]
    fn a_url_wins_over_the_base64_of_its_side() {
        let ok = apply(json!({
            "Nationality": "IDN", "CardType": "ID_CARD",
            "ImageUrlFront": URL, "ImageBase64Front": "garbage that would not decode"
        }))
        .unwrap();
        assert_eq!(ok.nationality, Nationality::Idn);
        assert_eq!(ok.verdict, Verdict::Passed);
    }

    #[test]
    fn the_front_url_picks_the_verdict() {
        assert_eq!(
            verdict_for(Some("https://x/WARNING.jpg"), Verdict::Passed),
            Verdict::Warning
        );
        assert_eq!(
            verdict_for(Some("https://x/rejected/warning.jpg"), Verdict::Passed),
            Verdict::Rejected
        );
        assert_eq!(
            verdict_for(Some("https://x/a.jpg"), Verdict::Warning),
            Verdict::Warning
        );
        assert_eq!(verdict_for(None, Verdict::Passed), Verdict::Passed);
    }

    #[test]
    fn query_strings_are_form_decoded() {
        let params = query_params("CardVerificationToken=a%2Db+c&x=").unwrap();
        assert_eq!(params["CardVerificationToken"], "a-b c");
        assert_eq!(params["x"], "");
        for bad in ["a=%zz", "a=%4", "a=%ff", "a=1&a=2"] {
            assert_eq!(
                query_params(bad).unwrap_err().code,
                code::INVALID_PARAMETER,
                "{bad}"
            );
        }
    }

    #[test]
    fn the_token_is_required() {
        assert_eq!(
            check_get_result(&object(json!({}))).unwrap_err().code,
            code::MISSING_PARAMETER
        );
        assert_eq!(
            check_get_result(&object(json!({"CardVerificationToken": ""})))
                .unwrap_err()
                .code,
            code::MISSING_PARAMETER
        );
        assert_eq!(
            check_get_result(&object(json!({"CardVerificationToken": "t"}))).unwrap(),
            "t"
        );
    }
}
