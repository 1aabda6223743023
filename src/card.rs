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
use crate::image::{self, CheckedImage, ImageData, ImageLimits};
use crate::product::Api;

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
    /// `ARG` Argentina (OCR only).
    Arg,
    /// `AUS` Australia (OCR only).
    Aus,
    /// `KHM` Cambodia (OCR only).
    Khm,
    /// `CAN` Canada (OCR only).
    Can,
    /// `CHL` Chile (OCR only).
    Chl,
    /// `DEU` Germany (OCR only).
    Deu,
    /// `MEX` Mexico (OCR only).
    Mex,
    /// `MMR` Myanmar (OCR only).
    Mmr,
    /// `NZL` New Zealand (OCR only).
    Nzl,
    /// `RUS` Russia (OCR only).
    Rus,
    /// `PHL` Philippines (OCR only).
    Phl,
    /// `MAC` Macao (OCR only).
    Mac,
    /// `CHN` China (permits; OCR only, no back-side row).
    Chn,
    /// A code this library does not know (passed through unchanged).
    Other(String),
}

impl Nationality {
    /// FaceID's codes, in its spec's order (the default product; [`Api::nationalities`] gives
    /// each product's own list).
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

    /// Every code either product documents: FaceID's, then OCR's new ones.
    pub const ALL: &'static [Nationality] = &[
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
        Nationality::Arg,
        Nationality::Aus,
        Nationality::Khm,
        Nationality::Can,
        Nationality::Chl,
        Nationality::Deu,
        Nationality::Mex,
        Nationality::Mmr,
        Nationality::Nzl,
        Nationality::Rus,
        Nationality::Phl,
        Nationality::Mac,
        Nationality::Chn,
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
            Nationality::Arg => "ARG",
            Nationality::Aus => "AUS",
            Nationality::Khm => "KHM",
            Nationality::Can => "CAN",
            Nationality::Chl => "CHL",
            Nationality::Deu => "DEU",
            Nationality::Mex => "MEX",
            Nationality::Mmr => "MMR",
            Nationality::Nzl => "NZL",
            Nationality::Rus => "RUS",
            Nationality::Phl => "PHL",
            Nationality::Mac => "MAC",
            Nationality::Chn => "CHN",
            Nationality::Other(code) => code,
        }
    }

    /// The code for a string, exactly as the service spells it; unknown codes become `Other`.
    pub fn parse_lenient(code: &str) -> Nationality {
        Nationality::ALL
            .iter()
            .find(|n| n.as_str() == code)
            .cloned()
            .unwrap_or_else(|| Nationality::Other(code.to_owned()))
    }
}

impl FromStr for Nationality {
    type Err = Error;

    /// A FaceID code, exactly as the service spells it (`IDN`, not `idn`);
    /// [`Nationality::parse_for`] checks against another product's list.
    fn from_str(code: &str) -> Result<Nationality> {
        Nationality::parse_for(Api::FaceId, code)
    }
}

impl Nationality {
    /// A code the product documents (its list: [`Api::nationalities`]).
    ///
    /// Errors: [`ResultCode::InvalidNationality`], naming the field and the product's list.
    pub fn parse_for(api: Api, code: &str) -> Result<Nationality> {
        known_or_error(
            Nationality::parse_lenient(code),
            api.nationalities(),
            "Nationality",
            ResultCode::InvalidNationality,
        )
    }
}

/// `value` when it is in `known`, else an error naming the field and listing `known`.
fn known_or_error<T: PartialEq + fmt::Display>(
    value: T,
    known: &[T],
    field: &str,
    code: ResultCode,
) -> Result<T> {
    if known.contains(&value) {
        return Ok(value);
    }
    let list: Vec<String> = known.iter().map(ToString::to_string).collect();
    Err(Error::for_field(
        code,
        field,
        format!(
            "{field}: {:?} is not one of {} (allow unknown codes to pass a newer code through)",
            value.to_string(),
            list.join(" ")
        ),
    ))
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
    /// `AUTO` automatic detection (FaceID only).
    Auto,
    /// `RESIDENCE_PERMIT` (OCR only; AUS, CAN, DEU, NZL, NGA, SGP).
    ResidencePermit,
    /// A code this library does not know (passed through unchanged).
    Other(String),
}

impl CardType {
    /// FaceID's codes (the default product; [`Api::card_types`] gives each product's own).
    pub const KNOWN: &'static [CardType] = &[
        CardType::IdCard,
        CardType::Passport,
        CardType::DrivingLicense,
        CardType::Auto,
    ];

    /// Every code either product documents.
    pub const ALL: &'static [CardType] = &[
        CardType::IdCard,
        CardType::Passport,
        CardType::DrivingLicense,
        CardType::Auto,
        CardType::ResidencePermit,
    ];

    /// The code sent to the service.
    pub fn as_str(&self) -> &str {
        match self {
            CardType::IdCard => "ID_CARD",
            CardType::Passport => "PASSPORT",
            CardType::DrivingLicense => "DRIVING_LICENSE",
            CardType::Auto => "AUTO",
            CardType::ResidencePermit => "RESIDENCE_PERMIT",
            CardType::Other(code) => code,
        }
    }

    /// The code for a string, exactly as the service spells it; unknown codes become `Other`.
    pub fn parse_lenient(code: &str) -> CardType {
        CardType::ALL
            .iter()
            .find(|c| c.as_str() == code)
            .cloned()
            .unwrap_or_else(|| CardType::Other(code.to_owned()))
    }
}

impl FromStr for CardType {
    type Err = Error;

    /// A FaceID code, exactly as the service spells it; [`CardType::parse_for`] checks
    /// against another product's list.
    fn from_str(code: &str) -> Result<CardType> {
        CardType::parse_for(Api::FaceId, code)
    }
}

impl CardType {
    /// A code the product documents (its list: [`Api::card_types`]; OCR has no `AUTO`).
    ///
    /// Errors: [`ResultCode::InvalidCardType`], naming the field and the product's list.
    pub fn parse_for(api: Api, code: &str) -> Result<CardType> {
        known_or_error(
            CardType::parse_lenient(code),
            api.card_types(),
            "CardType",
            ResultCode::InvalidCardType,
        )
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

/// The OCR back-side table (spec §3.3), by API code: for each Nationality, whether the back is
/// required for `ID_CARD`, `DRIVING_LICENSE`, `PASSPORT`, `RESIDENCE_PERMIT` (`None`: the table
/// has no row, i.e. the document is not listed). The spec's 68 rows name countries and
/// document kinds; "National ID Card" and "Identity Card" both map to `ID_CARD`, and the
/// duplicate rows agree.
pub const OCR_BACK_SIDE_TABLE: &[(&str, [Option<bool>; 4])] = {
    const Y: Option<bool> = Some(true);
    const N: Option<bool> = Some(false);
    const X: Option<bool> = None;
    &[
        ("ARG", [Y, Y, N, X]),
        ("AUS", [Y, Y, N, Y]),
        ("BGD", [Y, Y, N, X]),
        ("CAN", [Y, N, Y, Y]),
        ("CHL", [Y, Y, N, X]),
        ("DEU", [Y, Y, N, Y]),
        ("HKG", [Y, X, X, X]),
        ("IDN", [N, N, X, X]),
        ("JPN", [Y, N, X, X]),
        ("KHM", [Y, Y, N, X]),
        ("MAC", [Y, X, X, X]),
        ("MEX", [Y, N, N, X]),
        ("MMR", [Y, N, N, X]),
        ("MYS", [Y, Y, X, X]),
        ("NGA", [Y, Y, N, Y]),
        ("NZL", [N, Y, N, N]),
        ("PAK", [Y, Y, N, X]),
        ("PHL", [Y, N, X, X]),
        ("RUS", [N, Y, N, X]),
        ("SGP", [Y, Y, N, Y]),
        ("THA", [N, Y, X, X]),
        ("TWN", [Y, X, X, X]),
    ]
};

/// What the OCR back-side table says for a document: `Some(true)` the back is required,
/// `Some(false)` front only, `None` the table has no row (unlisted documents, `AUTO`, `CHN`,
/// unknown codes).
pub fn ocr_back_side(nationality: &Nationality, card_type: &CardType) -> Option<bool> {
    let column = match card_type {
        CardType::IdCard => 0,
        CardType::DrivingLicense => 1,
        CardType::Passport => 2,
        CardType::ResidencePermit => 3,
        CardType::Auto | CardType::Other(_) => return None,
    };
    OCR_BACK_SIDE_TABLE
        .iter()
        .find(|(code, _)| *code == nationality.as_str())
        .and_then(|(_, row)| row[column])
}

/// Whether the product needs the back of the document: FaceID's table
/// ([`back_side_required`]) or OCR's ([`ocr_back_side`], `None` counting as not required).
pub fn back_side_required_for(api: Api, nationality: &Nationality, card_type: &CardType) -> bool {
    match api {
        Api::FaceId => back_side_required(nationality, card_type),
        Api::Ocr => ocr_back_side(nationality, card_type) == Some(true),
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

/// One side of the document: a URL, image data, or both (the URL wins). `'a` is the lifetime
/// of borrowed image bytes ([`ImageData::Borrowed`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageSide<'a> {
    /// `ImageUrl<Side>`: an http(s) URL the service downloads (within 3 s).
    pub url: Option<String>,
    /// `ImageBase64<Side>`: raw bytes (owned or borrowed), a file or base64 text.
    pub data: Option<ImageData<'a>>,
}

impl ImageSide<'_> {
    fn is_empty(&self) -> bool {
        self.url.is_none() && self.data.is_none()
    }
}

/// What one checked side puts into the body.
enum SideBody<'a> {
    Url(&'a str),
    Image(CheckedImage<'a>),
}

/// An ApplyCardVerification request. `'a` is the lifetime of image bytes lent to it
/// ([`set_front_bytes_borrowed`](Self::set_front_bytes_borrowed)); a request without borrowed
/// bytes is a `CardVerificationRequest<'static>`.
///
/// ```
/// use tcfaceid::{CardVerificationRequest, ImageData};
/// let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
/// request.set_front_url("https://example.com/front.jpg");
/// request.validate().unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardVerificationRequest<'a> {
    nationality: String,
    card_type: String,
    front: ImageSide<'a>,
    back: ImageSide<'a>,
    allow_unknown_codes: bool,
    return_head_image: Option<bool>,
    webhook_url: Option<String>,
}

impl<'a> CardVerificationRequest<'a> {
    /// A request for a document; the codes are checked by [`validate`](Self::validate).
    pub fn new(nationality: impl Into<String>, card_type: impl Into<String>) -> Self {
        CardVerificationRequest {
            nationality: nationality.into(),
            card_type: card_type.into(),
            front: ImageSide::default(),
            back: ImageSide::default(),
            allow_unknown_codes: false,
            return_head_image: None,
            webhook_url: None,
        }
    }

    /// OCR only: `ReturnHeadImage`, ask for the portrait cut from the document (returned as
    /// `HeadImageBase64`). `None` (the default) leaves the field out; `Some(false)` sends
    /// `false`. Refused locally for FaceID.
    pub fn set_return_head_image(&mut self, value: Option<bool>) -> &mut Self {
        self.return_head_image = value;
        self
    }

    /// OCR only: `WebhookUrl`, an `https://` URL the service calls when the result is final
    /// (delivery is not guaranteed; keep polling). `None` leaves it out. Refused locally for
    /// FaceID.
    pub fn set_webhook_url(&mut self, url: Option<String>) -> &mut Self {
        self.webhook_url = url;
        self
    }

    /// `ReturnHeadImage` as set.
    pub fn return_head_image(&self) -> Option<bool> {
        self.return_head_image
    }

    /// `WebhookUrl` as set.
    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook_url.as_deref()
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
    pub fn side(&self, side: Side) -> &ImageSide<'a> {
        match side {
            Side::Front => &self.front,
            Side::Back => &self.back,
        }
    }

    /// The side's URL and data, to change.
    pub fn side_mut(&mut self, side: Side) -> &mut ImageSide<'a> {
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
    pub fn set_data(&mut self, side: Side, data: ImageData<'a>) -> &mut Self {
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

    /// Lend the front image as raw PNG/JPEG bytes: not copied, the request borrows them (a
    /// 3.75 MiB image then needs no memory beyond the body it is encoded into).
    ///
    /// ```
    /// # use tcfaceid::CardVerificationRequest;
    /// let image: Vec<u8> = std::fs::read("front.jpg").unwrap_or_default();
    /// let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    /// request.set_front_bytes_borrowed(&image); // `request` cannot outlive `image`
    /// ```
    pub fn set_front_bytes_borrowed(&mut self, bytes: &'a [u8]) -> &mut Self {
        self.set_data(Side::Front, ImageData::Borrowed(bytes))
    }

    /// Lend the back image as raw PNG/JPEG bytes (see
    /// [`set_front_bytes_borrowed`](Self::set_front_bytes_borrowed)).
    pub fn set_back_bytes_borrowed(&mut self, bytes: &'a [u8]) -> &mut Self {
        self.set_data(Side::Back, ImageData::Borrowed(bytes))
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

    /// Run every FaceID check: [`validate_for`](Self::validate_for) with [`Api::FaceId`].
    pub fn validate(&self) -> Result<()> {
        self.validate_for(Api::FaceId)
    }

    /// Run every local check of the product, in this order, stopping at the first failure:
    /// Nationality, CardType (the product's lists unless unknown codes are allowed), the
    /// OCR-only fields (refused for FaceID; `WebhookUrl` https only), front present, back
    /// present where the product's table requires it, then each side's URL (http/https) or
    /// image (format, the product's dimensions, base64 size and decoding; files are read).
    pub fn validate_for(&self, api: Api) -> Result<()> {
        self.checked_sides(api).map(|_| ())
    }

    /// The FaceID codes: [`codes_for`](Self::codes_for) with [`Api::FaceId`].
    pub fn codes(&self) -> Result<(Nationality, CardType)> {
        self.codes_for(Api::FaceId)
    }

    /// The codes, checked against the product's lists (or passed through when unknown codes
    /// are allowed; empty codes are refused either way).
    pub fn codes_for(&self, api: Api) -> Result<(Nationality, CardType)> {
        for (field, value, code) in [
            (
                "Nationality",
                &self.nationality,
                ResultCode::InvalidNationality,
            ),
            ("CardType", &self.card_type, ResultCode::InvalidCardType),
        ] {
            if value.trim().is_empty() {
                return Err(Error::for_field(code, field, format!("{field} is empty")));
            }
        }
        if self.allow_unknown_codes {
            return Ok((
                Nationality::parse_lenient(&self.nationality),
                CardType::parse_lenient(&self.card_type),
            ));
        }
        Ok((
            Nationality::parse_for(api, &self.nationality)?,
            CardType::parse_for(api, &self.card_type)?,
        ))
    }

    fn check_ocr_fields(&self, api: Api) -> Result<()> {
        let set = [
            ("ReturnHeadImage", self.return_head_image.is_some()),
            ("WebhookUrl", self.webhook_url.is_some()),
        ];
        if let Some((field, _)) = set.iter().find(|(_, set)| *set && !api.has_ocr_fields()) {
            return Err(Error::for_field(
                ResultCode::UnsupportedField,
                field,
                format!("{field}: only the OCR product accepts it, not {api}"),
            ));
        }
        if let Some(url) = &self.webhook_url {
            image::check_url(url, "WebhookUrl")?;
            if !url
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
            {
                return Err(Error::for_field(
                    ResultCode::InvalidWebhookUrl,
                    "WebhookUrl",
                    "WebhookUrl: must be an https:// URL (the result would travel in clear)",
                ));
            }
        }
        Ok(())
    }

    fn checked_sides(&self, api: Api) -> Result<[Option<SideBody<'_>>; 2]> {
        let (nationality, card_type) = self.codes_for(api)?;
        self.check_ocr_fields(api)?;
        if self.front.is_empty() {
            return Err(Error::for_field(
                ResultCode::FrontImageRequired,
                "ImageBase64Front",
                "ImageUrlFront or ImageBase64Front: the front of the document is required",
            ));
        }
        if self.back.is_empty() && back_side_required_for(api, &nationality, &card_type) {
            return Err(Error::for_field(
                ResultCode::BackImageRequired,
                "ImageBase64Back",
                format!(
                    "ImageUrlBack or ImageBase64Back: {api} needs the back of a {nationality} {card_type}"
                ),
            ));
        }
        let limits = api.image_limits();
        Ok([
            check_side(&self.front, Side::Front, &limits)?,
            check_side(&self.back, Side::Back, &limits)?,
        ])
    }

    /// The FaceID body: [`to_body_for`](Self::to_body_for) with [`Api::FaceId`].
    pub fn to_body(&self) -> Result<Vec<u8>> {
        self.to_body_for(Api::FaceId)
    }

    /// Check the request for the product and build the exact JSON body to send, in one buffer
    /// sized up front: base64 of raw images is written straight into it.
    pub fn to_body_for(&self, api: Api) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_body_for(api, &mut out)?;
        Ok(out)
    }

    /// [`to_body_for`](Self::to_body_for) appended to `out`, which is grown once, with room to
    /// spare for at least one more byte (a C caller's NUL): the body is never reallocated.
    pub(crate) fn write_body_for(&self, api: Api, out: &mut Vec<u8>) -> Result<()> {
        let [front, back] = self.checked_sides(api)?;
        let sides = [(Side::Front, front), (Side::Back, back)];
        let webhook_len = self.webhook_url.as_ref().map_or(0, |u| 16 + u.len() * 6);
        let mut capacity =
            64 + self.nationality.len() * 6 + self.card_type.len() * 6 + 32 + webhook_len;
        for (side, body) in &sides {
            capacity += match body {
                Some(SideBody::Url(url)) => side.url_field().len() + url.len() * 6 + 8,
                Some(SideBody::Image(image)) => side.base64_field().len() + image.base64_len() + 8,
                None => 0,
            };
        }
        out.reserve_exact(capacity);
        let start = out.len();
        out.extend_from_slice(b"{\"Nationality\":");
        write_json_string(out, &self.nationality);
        out.extend_from_slice(b",\"CardType\":");
        write_json_string(out, &self.card_type);
        for (side, body) in &sides {
            match body {
                Some(SideBody::Url(url)) => {
                    write_key(out, side.url_field());
                    write_json_string(out, url);
                }
                Some(SideBody::Image(image)) => {
                    write_key(out, side.base64_field());
                    out.push(b'"');
                    image.write_base64(out);
                    out.push(b'"');
                }
                None => {}
            }
        }
        if let Some(value) = self.return_head_image {
            write_key(out, "ReturnHeadImage");
            out.extend_from_slice(if value { b"true" } else { b"false" });
        }
        if let Some(url) = &self.webhook_url {
            write_key(out, "WebhookUrl");
            write_json_string(out, url);
        }
        out.push(b'}');
        // The estimate's fixed slack (64 + 32 bytes) leaves room for the spare byte.
        debug_assert!(
            out.len() - start < capacity,
            "body buffer grew past its reserved size"
        );
        Ok(())
    }
}

fn check_side<'a>(
    side: &'a ImageSide,
    which: Side,
    limits: &ImageLimits,
) -> Result<Option<SideBody<'a>>> {
    if let Some(url) = &side.url {
        image::check_url(url, which.url_field())?;
        return Ok(Some(SideBody::Url(url)));
    }
    match &side.data {
        Some(data) => Ok(Some(SideBody::Image(image::check_data(
            data,
            which.base64_field(),
            limits,
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

/// The codes each product documents: kept beside the codes so that `product` (below `card`)
/// needs nothing from this module.
impl Api {
    /// The Nationality codes the product documents (FaceID spec §4.1, OCR spec §3.2).
    pub fn nationalities(self) -> &'static [Nationality] {
        use Nationality::*;
        match self {
            Api::FaceId => Nationality::KNOWN,
            Api::Ocr => &[
                Arg, Aus, Khm, Can, Sgp, Chl, Deu, Mex, Mmr, Nzl, Bgd, Nga, Pak, Rus, Idn, Hkg,
                Tha, Mys, Jpn, Phl, Mac, Chn, Twn, Auto,
            ],
        }
    }

    /// The CardType codes the product documents (OCR: `RESIDENCE_PERMIT`, no `AUTO`).
    pub fn card_types(self) -> &'static [CardType] {
        use CardType::*;
        match self {
            Api::FaceId => CardType::KNOWN,
            Api::Ocr => &[IdCard, Passport, DrivingLicense, ResidencePermit],
        }
    }
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
