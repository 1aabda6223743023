//! The ApplyCardVerification request: Nationality, CardType, the two image sides, the service's
//! rules checked locally (spec §4.1), and the JSON body built once, in one buffer.
//!
//! # URL wins over base64
//! When a side has both a URL and image data, the service uses the URL and ignores the base64.
//! This library does the same: the URL is checked and sent, the image data of that side is
//! neither checked nor sent.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, Result, ResultCode};
use crate::image::{self, CheckedImage, ImageData};

/// Country or region of the document (spec §4.1). `Other` keeps a code the service may add
/// later, accepted only when the request allows unknown codes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Nationality {
    /// `IDN` Indonesia.
    Idn,
    /// `HKG` Hong Kong.
    Hkg,
    /// `THA` Thailand.
    Tha,
    /// `MYS` Malaysia.
    Mys,
    /// `SGP` Singapore.
    Sgp,
    /// `JPN` Japan.
    Jpn,
    /// `TWN` Taiwan.
    Twn,
    /// `BGD` Bangladesh.
    Bgd,
    /// `NGA` Nigeria.
    Nga,
    /// `PAK` Pakistan.
    Pak,
    /// `AUTO` automatic detection.
    Auto,
    /// A code this library does not know (passed through unchanged).
    Other(String),
}

impl Nationality {
    /// Every code the service documents, in the spec's order.
    pub const KNOWN: &'static [Nationality] = &[
        Nationality::Idn,
        Nationality::Hkg,
        Nationality::Tha,
        Nationality::Mys,
        Nationality::Sgp,
        Nationality::Jpn,
        Nationality::Twn,
        Nationality::Bgd,
        Nationality::Nga,
        Nationality::Pak,
        Nationality::Auto,
    ];

    /// The code sent to the service.
    pub fn as_str(&self) -> &str {
        match self {
            Nationality::Idn => "IDN",
            Nationality::Hkg => "HKG",
            Nationality::Tha => "THA",
            Nationality::Mys => "MYS",
            Nationality::Sgp => "SGP",
            Nationality::Jpn => "JPN",
            Nationality::Twn => "TWN",
            Nationality::Bgd => "BGD",
            Nationality::Nga => "NGA",
            Nationality::Pak => "PAK",
            Nationality::Auto => "AUTO",
            Nationality::Other(code) => code,
        }
    }

    /// The code for a string, exactly as the service spells it; unknown codes become `Other`.
    pub fn parse_lenient(code: &str) -> Nationality {
        Nationality::KNOWN
            .iter()
            .find(|n| n.as_str() == code)
            .cloned()
            .unwrap_or_else(|| Nationality::Other(code.to_owned()))
    }
}

impl FromStr for Nationality {
    type Err = Error;

    /// A known code, exactly as the service spells it (`IDN`, not `idn`).
    fn from_str(code: &str) -> Result<Nationality> {
        match Nationality::parse_lenient(code) {
            Nationality::Other(_) => Err(Error::for_field(
                ResultCode::InvalidNationality,
                "Nationality",
                format!(
                    "Nationality: {code:?} is not one of IDN HKG THA MYS SGP JPN TWN BGD NGA PAK AUTO \
                     (allow unknown codes to pass a newer code through)"
                ),
            )),
            known => Ok(known),
        }
    }
}

impl fmt::Display for Nationality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Kind of document (spec §4.1). `Other` keeps a code the service may add later.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CardType {
    /// `ID_CARD`.
    IdCard,
    /// `PASSPORT`.
    Passport,
    /// `DRIVING_LICENSE`.
    DrivingLicense,
    /// `AUTO` automatic detection.
    Auto,
    /// A code this library does not know (passed through unchanged).
    Other(String),
}

impl CardType {
    /// Every code the service documents.
    pub const KNOWN: &'static [CardType] = &[
        CardType::IdCard,
        CardType::Passport,
        CardType::DrivingLicense,
        CardType::Auto,
    ];

    /// The code sent to the service.
    pub fn as_str(&self) -> &str {
        match self {
            CardType::IdCard => "ID_CARD",
            CardType::Passport => "PASSPORT",
            CardType::DrivingLicense => "DRIVING_LICENSE",
            CardType::Auto => "AUTO",
            CardType::Other(code) => code,
        }
    }

    /// The code for a string, exactly as the service spells it; unknown codes become `Other`.
    pub fn parse_lenient(code: &str) -> CardType {
        CardType::KNOWN
            .iter()
            .find(|c| c.as_str() == code)
            .cloned()
            .unwrap_or_else(|| CardType::Other(code.to_owned()))
    }
}

impl FromStr for CardType {
    type Err = Error;

    /// A known code, exactly as the service spells it.
    fn from_str(code: &str) -> Result<CardType> {
        match CardType::parse_lenient(code) {
            CardType::Other(_) => Err(Error::for_field(
                ResultCode::InvalidCardType,
                "CardType",
                format!(
                    "CardType: {code:?} is not one of ID_CARD PASSPORT DRIVING_LICENSE AUTO \
                     (allow unknown codes to pass a newer code through)"
                ),
            )),
            known => Ok(known),
        }
    }
}

impl fmt::Display for CardType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the service needs the back of the document, per the table of spec §4.1.
///
/// Yes for: HKG, MYS, SGP, JPN, TWN, BGD, NGA, PAK ID cards; THA, MYS, SGP, NGA, PAK driving
/// licences. No for everything else: IDN, THA ID cards, IDN and JPN driving licences, passports
/// (front only), `AUTO` (the document is not known yet) and combinations the table does not
/// list (HKG, TWN, BGD driving licences) or codes this library does not know.
pub fn back_side_required(nationality: &Nationality, card_type: &CardType) -> bool {
    use CardType::{DrivingLicense, IdCard};
    use Nationality::*;
    match card_type {
        IdCard => matches!(nationality, Hkg | Mys | Sgp | Jpn | Twn | Bgd | Nga | Pak),
        DrivingLicense => matches!(nationality, Tha | Mys | Sgp | Nga | Pak),
        _ => false,
    }
}

/// Front or back of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The front (always required).
    Front,
    /// The back (required for some documents, see [`back_side_required`]).
    Back,
}

impl Side {
    /// The request field of this side's URL.
    pub fn url_field(self) -> &'static str {
        match self {
            Side::Front => "ImageUrlFront",
            Side::Back => "ImageUrlBack",
        }
    }

    /// The request field of this side's base64 data.
    pub fn base64_field(self) -> &'static str {
        match self {
            Side::Front => "ImageBase64Front",
            Side::Back => "ImageBase64Back",
        }
    }
}

/// One side of the document: a URL, image data, or both (the URL wins).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageSide {
    /// `ImageUrl<Side>`: an http(s) URL the service downloads (within 3 s).
    pub url: Option<String>,
    /// `ImageBase64<Side>`: raw bytes, a file or base64 text.
    pub data: Option<ImageData>,
}

impl ImageSide {
    fn is_empty(&self) -> bool {
        self.url.is_none() && self.data.is_none()
    }
}

/// What one checked side puts into the body.
enum SideBody<'a> {
    Url(&'a str),
    Image(CheckedImage<'a>),
}

/// An ApplyCardVerification request.
///
/// ```
/// use tcfaceid::{CardVerificationRequest, ImageData};
/// let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
/// request.set_front_url("https://example.com/front.jpg");
/// request.validate().unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardVerificationRequest {
    nationality: String,
    card_type: String,
    front: ImageSide,
    back: ImageSide,
    allow_unknown_codes: bool,
}

impl CardVerificationRequest {
    /// A request for a document; the codes are checked by [`validate`](Self::validate).
    pub fn new(nationality: impl Into<String>, card_type: impl Into<String>) -> Self {
        CardVerificationRequest {
            nationality: nationality.into(),
            card_type: card_type.into(),
            front: ImageSide::default(),
            back: ImageSide::default(),
            allow_unknown_codes: false,
        }
    }

    /// Set the Nationality code.
    pub fn set_nationality(&mut self, code: impl Into<String>) -> &mut Self {
        self.nationality = code.into();
        self
    }

    /// Set the CardType code.
    pub fn set_card_type(&mut self, code: impl Into<String>) -> &mut Self {
        self.card_type = code.into();
        self
    }

    /// Pass Nationality and CardType codes this library does not know through unchanged,
    /// for codes the service adds later (off by default).
    pub fn set_allow_unknown_codes(&mut self, allow: bool) -> &mut Self {
        self.allow_unknown_codes = allow;
        self
    }

    /// The side's URL and data.
    pub fn side(&self, side: Side) -> &ImageSide {
        match side {
            Side::Front => &self.front,
            Side::Back => &self.back,
        }
    }

    /// The side's URL and data, to change.
    pub fn side_mut(&mut self, side: Side) -> &mut ImageSide {
        match side {
            Side::Front => &mut self.front,
            Side::Back => &mut self.back,
        }
    }

    /// Set a side's URL (it wins over that side's image data).
    pub fn set_url(&mut self, side: Side, url: impl Into<String>) -> &mut Self {
        self.side_mut(side).url = Some(url.into());
        self
    }

    /// Set a side's image data.
    pub fn set_data(&mut self, side: Side, data: ImageData) -> &mut Self {
        self.side_mut(side).data = Some(data);
        self
    }

    /// Remove a side's URL and data.
    pub fn clear_side(&mut self, side: Side) -> &mut Self {
        *self.side_mut(side) = ImageSide::default();
        self
    }

    /// Set the front URL.
    pub fn set_front_url(&mut self, url: impl Into<String>) -> &mut Self {
        self.set_url(Side::Front, url)
    }

    /// Set the back URL.
    pub fn set_back_url(&mut self, url: impl Into<String>) -> &mut Self {
        self.set_url(Side::Back, url)
    }

    /// Set the front image as raw PNG/JPEG bytes.
    pub fn set_front_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.set_data(Side::Front, ImageData::Bytes(bytes.into()))
    }

    /// Set the back image as raw PNG/JPEG bytes.
    pub fn set_back_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.set_data(Side::Back, ImageData::Bytes(bytes.into()))
    }

    /// Set the front image as a file path (read when validated or sent).
    pub fn set_front_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.set_data(Side::Front, ImageData::File(path.into()))
    }

    /// Set the back image as a file path.
    pub fn set_back_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.set_data(Side::Back, ImageData::File(path.into()))
    }

    /// Set the front image as base64 text (a `data:` prefix and line breaks are stripped).
    pub fn set_front_base64(&mut self, text: impl Into<String>) -> &mut Self {
        self.set_data(Side::Front, ImageData::Base64(text.into()))
    }

    /// Set the back image as base64 text.
    pub fn set_back_base64(&mut self, text: impl Into<String>) -> &mut Self {
        self.set_data(Side::Back, ImageData::Base64(text.into()))
    }

    /// The Nationality code as given.
    pub fn nationality(&self) -> &str {
        &self.nationality
    }

    /// The CardType code as given.
    pub fn card_type(&self) -> &str {
        &self.card_type
    }

    /// Run every local check, in this order, stopping at the first failure:
    /// Nationality, CardType, front present, back present where required, then each side's
    /// URL (http/https) or image (format, dimensions, base64 size and decoding; files are read).
    pub fn validate(&self) -> Result<()> {
        self.checked_sides().map(|_| ())
    }

    /// The codes, checked (or passed through when unknown codes are allowed).
    pub fn codes(&self) -> Result<(Nationality, CardType)> {
        let (nationality, card_type) = if self.allow_unknown_codes {
            (
                Nationality::parse_lenient(&self.nationality),
                CardType::parse_lenient(&self.card_type),
            )
        } else {
            (self.nationality.parse()?, self.card_type.parse()?)
        };
        for (field, value) in [
            ("Nationality", &self.nationality),
            ("CardType", &self.card_type),
        ] {
            if value.trim().is_empty() {
                let code = if field == "Nationality" {
                    ResultCode::InvalidNationality
                } else {
                    ResultCode::InvalidCardType
                };
                return Err(Error::for_field(code, field, format!("{field} is empty")));
            }
        }
        Ok((nationality, card_type))
    }

    fn checked_sides(&self) -> Result<[Option<SideBody<'_>>; 2]> {
        let (nationality, card_type) = self.codes()?;
        if self.front.is_empty() {
            return Err(Error::for_field(
                ResultCode::FrontImageRequired,
                "ImageBase64Front",
                "ImageUrlFront or ImageBase64Front: the front of the document is required",
            ));
        }
        if self.back.is_empty() && back_side_required(&nationality, &card_type) {
            return Err(Error::for_field(
                ResultCode::BackImageRequired,
                "ImageBase64Back",
                format!(
                    "ImageUrlBack or ImageBase64Back: the service needs the back of a {nationality} {card_type}"
                ),
            ));
        }
        Ok([
            check_side(&self.front, Side::Front)?,
            check_side(&self.back, Side::Back)?,
        ])
    }

    /// Check the request and build the exact JSON body to send, in one buffer sized up front:
    /// base64 of raw images is written straight into it.
    pub fn to_body(&self) -> Result<Vec<u8>> {
        let [front, back] = self.checked_sides()?;
        let sides = [(Side::Front, front), (Side::Back, back)];
        let mut capacity = 64 + self.nationality.len() * 6 + self.card_type.len() * 6;
        for (side, body) in &sides {
            capacity += match body {
                Some(SideBody::Url(url)) => side.url_field().len() + url.len() * 6 + 8,
                Some(SideBody::Image(image)) => side.base64_field().len() + image.base64_len() + 8,
                None => 0,
            };
        }
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"{\"Nationality\":");
        write_json_string(&mut out, &self.nationality);
        out.extend_from_slice(b",\"CardType\":");
        write_json_string(&mut out, &self.card_type);
        for (side, body) in &sides {
            match body {
                Some(SideBody::Url(url)) => {
                    write_key(&mut out, side.url_field());
                    write_json_string(&mut out, url);
                }
                Some(SideBody::Image(image)) => {
                    write_key(&mut out, side.base64_field());
                    out.push(b'"');
                    image.write_base64(&mut out);
                    out.push(b'"');
                }
                None => {}
            }
        }
        out.push(b'}');
        debug_assert!(
            out.len() <= capacity,
            "body buffer grew past its reserved size"
        );
        Ok(out)
    }
}

fn check_side(side: &ImageSide, which: Side) -> Result<Option<SideBody<'_>>> {
    if let Some(url) = &side.url {
        image::check_url(url, which.url_field())?;
        return Ok(Some(SideBody::Url(url)));
    }
    match &side.data {
        Some(data) => Ok(Some(SideBody::Image(image::check_data(
            data,
            which.base64_field(),
        )?))),
        None => Ok(None),
    }
}

fn write_key(out: &mut Vec<u8>, key: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

fn write_json_string(out: &mut Vec<u8>, value: &str) {
    serde_json::to_writer(&mut *out, value).expect("writing a string to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_compact_json_with_only_the_set_fields() {
        let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
        request.set_front_url("https://example.com/front.jpg");
        let body = request.to_body().unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"https://example.com/front.jpg"}"#
        );
    }

    #[test]
    fn unknown_codes_are_refused_unless_allowed() {
        let mut request = CardVerificationRequest::new("PHL", "ID_CARD");
        request.set_front_url("https://example.com/front.jpg");
        assert_eq!(
            request.validate().unwrap_err().code(),
            ResultCode::InvalidNationality
        );
        request.set_allow_unknown_codes(true);
        request.validate().unwrap();
        let body = String::from_utf8(request.to_body().unwrap()).unwrap();
        assert!(body.contains(r#""Nationality":"PHL""#));
    }
}
