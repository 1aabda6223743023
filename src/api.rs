//! Response models of both products' actions (FaceID ApplyCardVerification /
//! GetCardVerificationResult, spec §4.2, §5; OCR ApplyCardVerificationExternal /
//! GetCardVerificationExternalResult, OCR spec §3.4, §4), the error envelope (spec §2.2), and
//! the parsing of a response body into one or the other.
//!
//! One result model serves both products: [`CardVerificationResult`] has FaceID's per-country
//! [`CardInfo`] wrapper and OCR's flat [`GeneralCard`] (front, `CardInfo`) and `BackCardInfo`,
//! whichever the response carries. Every leaf of a card is an optional string, as the service
//! defines it; unknown keys are ignored so that fields the service adds later do not break
//! parsing.
//!
//! Lenient payloads, strict essentials: a field documented as String that arrives as a number
//! or a boolean is kept as its JSON text (`42`, `true`); `null` means absent; any other
//! unexpected type in the card data or the polling hints is dropped (absent), so it never
//! discards the verdict. Only a missing or ill-typed `Status`, `CardVerificationToken` or
//! `RequestId` is a [`ResultCode::Protocol`] error.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result, ResultCode};

/// The API version of FaceID's actions ([`crate::Api::version`] gives each product's).
pub const API_VERSION: &str = "2018-03-01";
/// FaceID's action that submits the document ([`crate::Api::apply_action`]).
pub const ACTION_APPLY: &str = "ApplyCardVerification";
/// FaceID's action that reads the verdict ([`crate::Api::result_action`]).
pub const ACTION_GET_RESULT: &str = "GetCardVerificationResult";
/// The regions FaceID accepts for both actions ([`crate::Api::regions`]).
pub const REGIONS: &[&str] = &["ap-hongkong", "ap-jakarta", "ap-singapore"];
/// The languages the service accepts in `X-TC-Language`.
pub const LANGUAGES: &[&str] = &["en-US", "zh-CN"];

/// The apply action's answer (both products; OCR never sends the polling hints).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApplyCardVerificationResponse {
    /// The token to poll GetCardVerificationResult with.
    pub card_verification_token: String,
    /// The most polls the service expects (`AsyncCardVerificationMaxPollingTimes`).
    #[serde(default, deserialize_with = "lenient::count")]
    pub async_card_verification_max_polling_times: Option<u64>,
    /// Seconds to wait between polls (`AsyncCardVerificationPollingWaitTime`).
    #[serde(default, deserialize_with = "lenient::count")]
    pub async_card_verification_polling_wait_time: Option<u64>,
    /// The service's request id.
    pub request_id: String,
}

/// The state of a verification: an open enum over both products' vocabularies.
///
/// FaceID and OCR until 2026-06 answer `PASSED` / `WARNING` (FaceID also `REJECTED`); OCR
/// since then answers `COMPLETED` / `ABNORMAL`, its verdict being in WarnInfo. `PROCESSING` is
/// the only non-terminal value in every version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum VerificationStatus {
    /// Still being processed: poll again.
    #[default]
    Processing,
    /// The document passed.
    Passed,
    /// Passed with warnings (see WarnInfo).
    Warning,
    /// Rejected (see WarnInfo; FaceID only).
    Rejected,
    /// OCR: processing failed or the result is unusable (current vocabulary).
    Abnormal,
    /// OCR: recognition done; authenticity findings are in WarnInfo (current vocabulary).
    Completed,
    /// A value this library does not know, kept as sent (terminal).
    Unknown(String),
}

impl VerificationStatus {
    /// Read a status case-insensitively (`PASSED` and the older `Passed` are the same).
    pub fn parse(value: &str) -> VerificationStatus {
        match value.to_ascii_uppercase().as_str() {
            "PROCESSING" => VerificationStatus::Processing,
            "PASSED" => VerificationStatus::Passed,
            "WARNING" => VerificationStatus::Warning,
            "REJECTED" => VerificationStatus::Rejected,
            "ABNORMAL" => VerificationStatus::Abnormal,
            "COMPLETED" => VerificationStatus::Completed,
            _ => VerificationStatus::Unknown(value.to_owned()),
        }
    }

    /// Whether polling is over: anything but PROCESSING (unknown values included).
    pub fn is_terminal(&self) -> bool {
        !matches!(self, VerificationStatus::Processing)
    }

    /// Same as [`is_terminal`](Self::is_terminal).
    pub fn is_verdict(&self) -> bool {
        self.is_terminal()
    }

    /// The canonical upper-case name, or the unknown value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            VerificationStatus::Processing => "PROCESSING",
            VerificationStatus::Passed => "PASSED",
            VerificationStatus::Warning => "WARNING",
            VerificationStatus::Rejected => "REJECTED",
            VerificationStatus::Abnormal => "ABNORMAL",
            VerificationStatus::Completed => "COMPLETED",
            VerificationStatus::Unknown(value) => value,
        }
    }
}

impl<'de> Deserialize<'de> for VerificationStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(VerificationStatus::parse(&value))
    }
}

impl Serialize for VerificationStatus {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A WarnInfo code (OCR spec §4.4; FaceID publishes no list but uses the same words), with
/// its meaning. Unknown codes are kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WarnCode {
    /// `ScreenshotSuspected`.
    ScreenshotSuspected,
    /// `RetakeSuspected`.
    RetakeSuspected,
    /// `PaperCopy`.
    PaperCopy,
    /// `FakeSuspected`.
    FakeSuspected,
    /// `PoorImageQuality`.
    PoorImageQuality,
    /// `InformationVerificationFailed`.
    InformationVerificationFailed,
    /// `TooManyCards`.
    TooManyCards,
    /// `IncompleteCard`.
    IncompleteCard,
    /// `OtherWarning`.
    OtherWarning,
    /// A code this library does not know, as sent.
    Unknown(String),
}

impl WarnCode {
    /// Every documented code with its text and meaning.
    pub const KNOWN: &'static [(WarnCode, &'static str, &'static str)] = &[
        (
            WarnCode::ScreenshotSuspected,
            "ScreenshotSuspected",
            "the image is a screenshot",
        ),
        (
            WarnCode::RetakeSuspected,
            "RetakeSuspected",
            "the photo was taken of another screen",
        ),
        (
            WarnCode::PaperCopy,
            "PaperCopy",
            "a black-and-white or colour photocopy",
        ),
        (
            WarnCode::FakeSuspected,
            "FakeSuspected",
            "the card image or its printed data was edited or altered",
        ),
        (
            WarnCode::PoorImageQuality,
            "PoorImageQuality",
            "the image quality is too low",
        ),
        (
            WarnCode::InformationVerificationFailed,
            "InformationVerificationFailed",
            "checks on the recognised data failed",
        ),
        (
            WarnCode::TooManyCards,
            "TooManyCards",
            "more than one card in the frame",
        ),
        (
            WarnCode::IncompleteCard,
            "IncompleteCard",
            "the document is only partly captured",
        ),
        (
            WarnCode::OtherWarning,
            "OtherWarning",
            "authenticity could not be confirmed for other reasons",
        ),
    ];

    /// The code for a WarnInfo string (exact spelling); unknown ones become `Unknown`.
    pub fn parse(code: &str) -> WarnCode {
        WarnCode::KNOWN
            .iter()
            .find(|(_, text, _)| *text == code)
            .map_or_else(|| WarnCode::Unknown(code.to_owned()), |(k, _, _)| k.clone())
    }

    /// The code as the service spells it.
    pub fn as_str(&self) -> &str {
        match self {
            WarnCode::Unknown(code) => code,
            known => WarnCode::KNOWN
                .iter()
                .find(|(k, _, _)| k == known)
                .map_or("", |(_, text, _)| text),
        }
    }

    /// What the code means, or `None` for an unknown code.
    pub fn meaning(&self) -> Option<&'static str> {
        WarnCode::KNOWN
            .iter()
            .find(|(k, _, _)| k == self)
            .map(|(_, _, meaning)| *meaning)
    }
}

/// The result action's answer, for both products: GetCardVerificationResult (FaceID) and
/// GetCardVerificationExternalResult (OCR). Fields a product does not send stay `None`.
///
/// `Response.CardInfo` is FaceID's per-country wrapper ([`card_info`](Self::card_info)) when
/// its keys are the wrapper's members (`HKIDCard`, `GeneralCard`, …, or none at all), else
/// OCR's flat card ([`general_card`](Self::general_card)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ResultWire", into = "ResultWire")]
pub struct CardVerificationResult {
    /// PROCESSING, then a terminal status of either vocabulary, or an unknown value.
    pub status: VerificationStatus,
    /// Findings ([`WarnCode`] reads them; [`warnings`](Self::warnings)).
    pub warn_info: Option<Vec<String>>,
    /// ISO 3166-1 alpha-3 of the document, e.g. `IDN` (deprecated by OCR in 2026-06).
    pub nationality: Option<String>,
    /// FaceID: kind of document as the service read it (an open set of strings).
    pub card_type: Option<String>,
    /// FaceID: sub-kind, e.g. `NATIONAL_ID`.
    pub card_sub_type: Option<String>,
    /// FaceID: the fields read off the card; the member matching the document is filled.
    pub card_info: Option<CardInfo>,
    /// FaceID: another process token (purpose undocumented by the service).
    pub id_verification_token: Option<String>,
    /// OCR: the front of the document (`Response.CardInfo`, a flat card).
    pub general_card: Option<GeneralCard>,
    /// OCR: the back of the document (`Response.BackCardInfo`).
    pub back_card_info: Option<GeneralCard>,
    /// OCR: the token, echoed.
    pub card_verification_token: Option<String>,
    /// OCR: the portrait cut from the document, base64 (empty when not asked for, or when
    /// extraction failed); [`head_image`](Self::head_image) decodes it.
    pub head_image_base64: Option<String>,
    /// The service's request id.
    pub request_id: String,
}

impl CardVerificationResult {
    /// The front card of either product: OCR's `CardInfo`, or FaceID's `CardInfo.GeneralCard`.
    pub fn front_card(&self) -> Option<&GeneralCard> {
        self.general_card.as_ref().or_else(|| {
            self.card_info
                .as_ref()
                .and_then(|info| info.general_card.as_ref())
        })
    }

    /// The WarnInfo codes, parsed (empty when there are none).
    pub fn warnings(&self) -> Vec<WarnCode> {
        self.warn_info
            .iter()
            .flatten()
            .map(|w| WarnCode::parse(w))
            .collect()
    }

    /// The portrait as image bytes; `None` when absent or empty.
    ///
    /// Errors: [`ResultCode::Protocol`] when `HeadImageBase64` is not base64 (a data-URI
    /// prefix and line breaks are accepted).
    pub fn head_image(&self) -> Result<Option<Vec<u8>>> {
        let Some(text) = self.head_image_base64.as_deref().filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        crate::image::decode_base64(crate::image::clean_base64(text).as_bytes())
            .map(Some)
            .map_err(|e| protocol_error(format!("HeadImageBase64 is not base64: {e}")))
    }
}

/// FaceID's `CardInfo` members: a `CardInfo` object with one of these keys (or none) is
/// FaceID's wrapper; any other is OCR's flat card.
const FACEID_CARD_INFO_MEMBERS: &[&str] = &[
    "HKIDCard",
    "MLIDCard",
    "PhilippinesVoteID",
    "IndonesiaIDCard",
    "PhilippinesDrivingLicense",
    "PhilippinesTinID",
    "PhilippinesSSSID",
    "PhilippinesUMID",
    "InternationalIDPassport",
    "GeneralCard",
    "IndonesiaDrivingLicense",
    "ThailandIDCard",
    "SingaporeIDCard",
    "MacaoIDCard",
    "TaiWanIDCard",
    "JapanIDCard",
    "BangladeshIDCard",
    "NigeriaIDCard",
    "NigeriaDrivingLicense",
    "PakistanIDCard",
    "PakistanDrivingLicense",
];

/// The result as it travels: `CardInfo` is read as JSON first, then as one product's shape.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResultWire {
    status: VerificationStatus,
    #[serde(
        default,
        deserialize_with = "lenient::texts",
        skip_serializing_if = "Option::is_none"
    )]
    warn_info: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    nationality: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    card_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    card_sub_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    card_info: Option<serde_json::Value>,
    #[serde(
        default,
        rename = "IDVerificationToken",
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    id_verification_token: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::object",
        skip_serializing_if = "Option::is_none"
    )]
    back_card_info: Option<GeneralCard>,
    #[serde(
        default,
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    card_verification_token: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::text",
        skip_serializing_if = "Option::is_none"
    )]
    head_image_base64: Option<String>,
    request_id: String,
}

impl TryFrom<ResultWire> for CardVerificationResult {
    type Error = serde_json::Error;

    fn try_from(wire: ResultWire) -> std::result::Result<Self, Self::Error> {
        let (mut card_info, mut general_card) = (None, None);
        match wire.card_info {
            None | Some(serde_json::Value::Null) => {}
            Some(value) => {
                let faceid = value.as_object().is_some_and(|object| {
                    object
                        .keys()
                        .all(|k| FACEID_CARD_INFO_MEMBERS.contains(&k.as_str()))
                });
                // Lenient: a CardInfo of an unexpected shape is dropped, never the verdict; so
                // is a flat card with no field we know (it would read back as FaceID's `{}`).
                if faceid {
                    card_info = CardInfo::deserialize(value).ok();
                } else {
                    general_card = GeneralCard::deserialize(value)
                        .ok()
                        .filter(|card| *card != GeneralCard::default());
                }
            }
        }
        Ok(CardVerificationResult {
            status: wire.status,
            warn_info: wire.warn_info,
            nationality: wire.nationality,
            card_type: wire.card_type,
            card_sub_type: wire.card_sub_type,
            card_info,
            id_verification_token: wire.id_verification_token,
            general_card,
            back_card_info: wire.back_card_info,
            card_verification_token: wire.card_verification_token,
            head_image_base64: wire.head_image_base64,
            request_id: wire.request_id,
        })
    }
}

impl From<CardVerificationResult> for ResultWire {
    fn from(result: CardVerificationResult) -> ResultWire {
        let card_info = match (&result.card_info, &result.general_card) {
            (Some(info), _) => serde_json::to_value(info).ok(),
            (None, Some(card)) => serde_json::to_value(card).ok(),
            (None, None) => None,
        };
        ResultWire {
            status: result.status,
            warn_info: result.warn_info,
            nationality: result.nationality,
            card_type: result.card_type,
            card_sub_type: result.card_sub_type,
            card_info,
            id_verification_token: result.id_verification_token,
            back_card_info: result.back_card_info,
            card_verification_token: result.card_verification_token,
            head_image_base64: result.head_image_base64,
            request_id: result.request_id,
        }
    }
}

macro_rules! string_struct {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $json:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            $(
                $(#[$fdoc])*
                #[serde(
                    rename = $json,
                    default,
                    skip_serializing_if = "Option::is_none",
                    deserialize_with = "lenient::text"
                )]
                pub $field: Option<String>,
            )*
        }

        impl $name {
            /// The JSON names of its fields.
            pub const FIELDS: &'static [&'static str] = &[$($json),*];
        }
    };
}

string_struct!(
    /// Hong Kong identity card.
    HkIdCard {
        /// Chinese name.
        cn_name: "CnName",
        /// English name, e.g. `SAN, Nan`.
        en_name: "EnName",
        /// Chinese commercial (telex) code.
        telex_code: "TelexCode",
        /// Sex, e.g. `女F`.
        sex: "Sex",
        /// Birthday, e.g. `01-01-2001`.
        birthday: "Birthday",
        /// `0` non-permanent, `1` permanent, `-1` unknown.
        permanent: "Permanent",
        /// Identity number, e.g. `C000000(E)`.
        id_num: "IdNum",
        /// Symbols, e.g. `***AZ`.
        symbol: "Symbol",
        /// First issue date.
        first_issue_date: "FirstIssueDate",
        /// Current issue date.
        current_issue_date: "CurrentIssueDate",
    }
);

string_struct!(
    /// Malaysian identity card.
    MlIdCard {
        /// Name.
        name: "Name",
        /// Identity number.
        id: "ID",
        /// Sex.
        sex: "Sex",
        /// Address.
        address: "Address",
        /// `MyKad`, `MyPR`, `MyTentera`, `MyKAS`, `POLIS`, `IKAD` or `MyKid`.
        card_type: "Type",
        /// Birthday (IKAD and MyKad only).
        birthday: "Birthday",
    }
);

string_struct!(
    /// Philippine voter ID.
    PhilippinesVoteId {
        /// Voter identification number.
        vin: "VIN",
        /// First name.
        first_name: "FirstName",
        /// Last name.
        last_name: "LastName",
        /// Birthday.
        birthday: "Birthday",
        /// Civil status.
        civil_status: "CivilStatus",
        /// Citizenship.
        citizenship: "Citizenship",
        /// Address.
        address: "Address",
        /// Precinct number.
        precinct_no: "PrecinctNo",
    }
);

string_struct!(
    /// Indonesian identity card (KTP).
    IndonesiaIdCard {
        /// NIK (identity number).
        nik: "NIK",
        /// Name.
        nama: "Nama",
        /// Place and date of birth.
        tempat_tgl_lahir: "TempatTglLahir",
        /// Sex.
        jenis_kelamin: "JenisKelamin",
        /// Blood type.
        gol_darah: "GolDarah",
        /// Address.
        alamat: "Alamat",
        /// RT/RW.
        rtrw: "RTRW",
        /// Village.
        kel_desa: "KelDesa",
        /// District.
        kecamatan: "Kecamatan",
        /// Religion.
        agama: "Agama",
        /// Marital status.
        status_perkawinan: "StatusPerkawinan",
        /// Occupation (spelling as the service has it).
        perkerjaan: "Perkerjaan",
        /// Citizenship.
        kewarga_negaraan: "KewargaNegaraan",
        /// Valid until.
        berlaku_hingga: "BerlakuHingga",
        /// Issue date.
        issued_date: "IssuedDate",
        /// Province.
        provinsi: "Provinsi",
        /// City.
        kota: "Kota",
    }
);

string_struct!(
    /// Philippine driving licence.
    PhilippinesDrivingLicense {
        /// Full name.
        name: "Name",
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Middle name.
        middle_name: "MiddleName",
        /// Nationality.
        nationality: "Nationality",
        /// Sex.
        sex: "Sex",
        /// Address.
        address: "Address",
        /// Licence number.
        license_no: "LicenseNo",
        /// Expiry date.
        expires_date: "ExpiresDate",
        /// Agency code.
        agency_code: "AgencyCode",
        /// Birthday.
        birthday: "Birthday",
    }
);

string_struct!(
    /// Philippine TIN ID.
    PhilippinesTinId {
        /// TIN.
        license_number: "LicenseNumber",
        /// Full name.
        full_name: "FullName",
        /// Address.
        address: "Address",
        /// Birthday.
        birthday: "Birthday",
        /// Issue date.
        issue_date: "IssueDate",
    }
);

string_struct!(
    /// Philippine SSS ID.
    PhilippinesSssId {
        /// SSS number.
        license_number: "LicenseNumber",
        /// Full name.
        full_name: "FullName",
        /// Birthday.
        birthday: "Birthday",
    }
);

string_struct!(
    /// Philippine UMID.
    PhilippinesUmid {
        /// Surname.
        surname: "Surname",
        /// Middle name.
        middle_name: "MiddleName",
        /// Given name.
        given_name: "GivenName",
        /// Sex.
        sex: "Sex",
        /// Birthday.
        birthday: "Birthday",
        /// Address.
        address: "Address",
        /// Common reference number.
        crn: "CRN",
    }
);

string_struct!(
    /// Passport (machine-readable zone and data page).
    InternationalIdPassport {
        /// Passport number.
        license_number: "LicenseNumber",
        /// Full name.
        full_name: "FullName",
        /// Surname.
        surname: "Surname",
        /// Given name.
        given_name: "GivenName",
        /// Birthday.
        birthday: "Birthday",
        /// `F` or `M`.
        sex: "Sex",
        /// Expiry date.
        date_of_expiration: "DateOfExpiration",
        /// Issuing country.
        issuing_country: "IssuingCountry",
        /// Nationality code.
        nationality_code: "NationalityCode",
        /// MRZ line 1.
        passport_code_first: "PassportCodeFirst",
        /// MRZ line 2.
        passport_code_second: "PassportCodeSecond",
    }
);

string_struct!(
    /// A structured address (inside [`GeneralCard`]; OCR calls it `AddressInfo`).
    Address {
        /// Country.
        country: "Country",
        /// Postal code.
        postal_code: "PostalCode",
        /// State or province.
        subdivision: "Subdivision",
        /// District (OCR).
        district: "District",
        /// City.
        city: "City",
        /// Subdistrict (OCR).
        subdistrict: "Subdistrict",
        /// The whole address as one string.
        formatted_address: "FormattedAddress",
        /// Line 1.
        line_one: "LineOne",
        /// Line 2.
        line_two: "LineTwo",
        /// Line 3.
        line_three: "LineThree",
        /// Line 4.
        line_four: "LineFour",
        /// Line 5.
        line_five: "LineFive",
    }
);

/// Every [`GeneralCard`] field, as the service names it (`Address` is an [`AddressInfo`]).
pub const GENERAL_CARD_FIELDS: &[&str] = &[
    "LicenseNumber",
    "PersonalNumber",
    "PassportCodeFirst",
    "PassportCodeSecond",
    "ExpirationDate",
    "DueDate",
    "IssuedDate",
    "IssuedAuthority",
    "IssuedCountry",
    "FullName",
    "FirstName",
    "LastName",
    "Sex",
    "Age",
    "Birthday",
    "BirthPlace",
    "Nationality",
    "RegistrationNumber",
    "Address",
    "FullNameLocal",
    "FirstNameLocal",
    "LastNameLocal",
    "MiddleName",
    "MiddleNameLocal",
    "IssuedPlace",
    "IssuedCountryCode",
    "MRZLine1",
    "MRZLine2",
    "Religion",
    "Type",
    "BloodType",
    "Height",
    "Weight",
    "VehicleClass",
    "Restrictions",
    "Endorsement",
    "Others",
];

/// Every [`AddressInfo`] field, as the service names it.
pub const ADDRESS_FIELDS: &[&str] = &[
    "Country",
    "PostalCode",
    "Subdivision",
    "District",
    "City",
    "Subdistrict",
    "FormattedAddress",
    "LineOne",
    "LineTwo",
    "LineThree",
    "LineFour",
    "LineFive",
];

/// Check a card field name: a [`GENERAL_CARD_FIELDS`] name other than `Address`, or
/// `Address.<part>` with a part of [`ADDRESS_FIELDS`].
///
/// Errors: [`ResultCode::InvalidArgument`] naming the field `name`.
pub fn check_general_card_field(name: &str) -> Result<()> {
    let known = match name.split_once('.') {
        Some(("Address", part)) => ADDRESS_FIELDS.contains(&part),
        Some(_) => false,
        None => name != "Address" && GENERAL_CARD_FIELDS.contains(&name),
    };
    if known {
        return Ok(());
    }
    Err(Error::for_field(
        ResultCode::InvalidArgument,
        "name",
        format!("{name:?} is not a GeneralCard field (e.g. FullName, or Address.City)"),
    ))
}

/// OCR's name for [`Address`].
pub type AddressInfo = Address;

/// A document read generically: FaceID's `CardInfo.GeneralCard` (22 fields) and OCR's
/// `CardInfo` / `BackCardInfo` (37 fields; the last 15 here are OCR's additions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GeneralCard {
    /// Document number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub license_number: Option<String>,
    /// Personal number (passports).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub personal_number: Option<String>,
    /// MRZ line 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub passport_code_first: Option<String>,
    /// MRZ line 2.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub passport_code_second: Option<String>,
    /// Expiry date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub expiration_date: Option<String>,
    /// Due date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub due_date: Option<String>,
    /// Issue date (`YYYY-MM-DD` per the docs; examples show `2026/09/11`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub issued_date: Option<String>,
    /// Issuing authority.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub issued_authority: Option<String>,
    /// Issuing country (ISO 3166).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub issued_country: Option<String>,
    /// Full name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub full_name: Option<String>,
    /// First name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub last_name: Option<String>,
    /// `M`, `F` or `X`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub sex: Option<String>,
    /// Age (`0` = unknown).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub age: Option<String>,
    /// Birthday.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub birthday: Option<String>,
    /// Place of birth.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub birth_place: Option<String>,
    /// Nationality (ISO 3166).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub nationality: Option<String>,
    /// Registration number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub registration_number: Option<String>,
    /// Structured address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub address: Option<Address>,
    /// Full name in the local script.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub full_name_local: Option<String>,
    /// First name in the local script.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub first_name_local: Option<String>,
    /// Last name in the local script.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub last_name_local: Option<String>,
    /// Middle name (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub middle_name: Option<String>,
    /// Middle name in the local script (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub middle_name_local: Option<String>,
    /// Place of issue (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub issued_place: Option<String>,
    /// Issuing country, ISO 3166-1 alpha-3 (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub issued_country_code: Option<String>,
    /// MRZ line 1 (OCR; replaces PassportCodeFirst).
    #[serde(
        rename = "MRZLine1",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub mrz_line1: Option<String>,
    /// MRZ line 2 (OCR; replaces PassportCodeSecond).
    #[serde(
        rename = "MRZLine2",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub mrz_line2: Option<String>,
    /// Religion (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub religion: Option<String>,
    /// Document type as printed, e.g. `PR` (OCR).
    #[serde(
        rename = "Type",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub document_type: Option<String>,
    /// Blood type (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub blood_type: Option<String>,
    /// Height (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub height: Option<String>,
    /// Weight (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub weight: Option<String>,
    /// Licence vehicle class (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub vehicle_class: Option<String>,
    /// Licence restrictions (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub restrictions: Option<String>,
    /// Licence endorsements (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub endorsement: Option<String>,
    /// Extra fields as JSON text inside the string (OCR).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::text"
    )]
    pub others: Option<String>,
}

string_struct!(
    /// Indonesian driving licence.
    IndonesiaDrivingLicense {
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Licence number.
        license_number: "LicenseNumber",
        /// Birthday.
        birthday: "Birthday",
        /// Address.
        address: "Address",
        /// Expiry date.
        expiration_date: "ExpirationDate",
        /// Issue date.
        issued_date: "IssuedDate",
        /// Issuing country.
        issued_country: "IssuedCountry",
    }
);

string_struct!(
    /// Thai identity card.
    ThailandIdCard {
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Date of birth.
        date_of_birth: "DateOfBirth",
        /// Date of expiry.
        date_of_expiry: "DateOfExpiry",
        /// Date of issue.
        date_of_issue: "DateOfIssue",
        /// Issuing country.
        issued_country: "IssuedCountry",
    }
);

string_struct!(
    /// Singapore identity card (NRIC); back-side fields marked.
    SingaporeIdCard {
        /// Chinese name.
        ch_name: "ChName",
        /// Chinese name.
        chinese_name: "ChineseName",
        /// English name.
        en_name: "EnName",
        /// Full name.
        full_name: "FullName",
        /// Identity number.
        id: "ID",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Sex.
        sex: "Sex",
        /// Country of birth.
        country_of_birth: "CountryOfBirth",
        /// Nationality.
        nationality: "Nationality",
        /// Birthday.
        birthday: "Birthday",
        /// Address (back).
        address: "Address",
        /// Race (back).
        race: "Race",
        /// NRIC code (back).
        nric_code: "NRICCode",
        /// Postal code.
        post_code: "PostCode",
        /// Expiry date (back).
        date_of_expiration: "DateOfExpiration",
        /// Issue date (back).
        date_of_issue: "DateOfIssue",
    }
);

string_struct!(
    /// Macao identity card.
    MacaoIdCard {
        /// First name.
        first_name: "FirstName",
        /// Last name.
        last_name: "LastName",
        /// Birthday.
        birthday: "Birthday",
        /// Expiry date.
        expiration_date: "ExpirationDate",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Sex.
        sex: "Sex",
        /// Age.
        age: "Age",
        /// Issuing country.
        issued_country: "IssuedCountry",
        /// MRZ line 1.
        field1: "Field1",
        /// MRZ line 2.
        field2: "Field2",
    }
);

string_struct!(
    /// Taiwan identity card.
    TaiWanIdCard {
        /// Full name.
        full_name: "FullName",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Sex.
        sex: "Sex",
        /// Issuing country.
        issued_country: "IssuedCountry",
        /// Registration number.
        registration_number: "RegistrationNumber",
    }
);

string_struct!(
    /// Japanese identity card.
    JapanIdCard {
        /// Full name.
        full_name: "FullName",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Age.
        age: "Age",
        /// Birthday.
        birthday: "Birthday",
        /// Expiry date.
        expiration_date: "ExpirationDate",
        /// Address.
        formatted_address: "FormattedAddress",
    }
);

string_struct!(
    /// Bangladeshi identity card.
    BangladeshIdCard {
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Age.
        age: "Age",
        /// Birthday.
        birthday: "Birthday",
        /// Issuing country.
        issued_country: "IssuedCountry",
    }
);

string_struct!(
    /// Nigerian identity card.
    NigeriaIdCard {
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Age.
        age: "Age",
        /// Birthday.
        birthday: "Birthday",
        /// Issuing country.
        issued_country: "IssuedCountry",
        /// Sex.
        sex: "Sex",
    }
);

string_struct!(
    /// Nigerian driving licence.
    NigeriaDrivingLicense {
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Licence number.
        license_number: "LicenseNumber",
        /// Age.
        age: "Age",
        /// Birthday.
        birthday: "Birthday",
        /// Issuing country.
        issued_country: "IssuedCountry",
        /// Expiry date.
        expiration_date: "ExpirationDate",
        /// Issue date.
        issued_date: "IssuedDate",
        /// Sex.
        sex: "Sex",
    }
);

string_struct!(
    /// Pakistani identity card.
    PakistanIdCard {
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Identity number.
        license_number: "LicenseNumber",
        /// Age.
        age: "Age",
        /// Birthday.
        birthday: "Birthday",
        /// Issuing country.
        issued_country: "IssuedCountry",
    }
);

string_struct!(
    /// Pakistani driving licence.
    PakistanDrivingLicense {
        /// Last name.
        last_name: "LastName",
        /// First name.
        first_name: "FirstName",
        /// Licence number.
        license_number: "LicenseNumber",
        /// Age.
        age: "Age",
        /// Birthday.
        birthday: "Birthday",
        /// Issuing country.
        issued_country: "IssuedCountry",
    }
);

/// The fields read off the card: one member per kind of document (spec §5.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardInfo {
    /// Hong Kong identity card.
    #[serde(
        rename = "HKIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub hk_id_card: Option<HkIdCard>,
    /// Malaysian identity card.
    #[serde(
        rename = "MLIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub ml_id_card: Option<MlIdCard>,
    /// Philippine voter ID.
    #[serde(
        rename = "PhilippinesVoteID",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub philippines_vote_id: Option<PhilippinesVoteId>,
    /// Indonesian identity card.
    #[serde(
        rename = "IndonesiaIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub indonesia_id_card: Option<IndonesiaIdCard>,
    /// Philippine driving licence.
    #[serde(
        rename = "PhilippinesDrivingLicense",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub philippines_driving_license: Option<PhilippinesDrivingLicense>,
    /// Philippine TIN ID.
    #[serde(
        rename = "PhilippinesTinID",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub philippines_tin_id: Option<PhilippinesTinId>,
    /// Philippine SSS ID.
    #[serde(
        rename = "PhilippinesSSSID",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub philippines_sss_id: Option<PhilippinesSssId>,
    /// Philippine UMID.
    #[serde(
        rename = "PhilippinesUMID",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub philippines_umid: Option<PhilippinesUmid>,
    /// Passport.
    #[serde(
        rename = "InternationalIDPassport",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub international_id_passport: Option<InternationalIdPassport>,
    /// Any other document.
    #[serde(
        rename = "GeneralCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub general_card: Option<GeneralCard>,
    /// Indonesian driving licence.
    #[serde(
        rename = "IndonesiaDrivingLicense",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub indonesia_driving_license: Option<IndonesiaDrivingLicense>,
    /// Thai identity card.
    #[serde(
        rename = "ThailandIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub thailand_id_card: Option<ThailandIdCard>,
    /// Singapore identity card.
    #[serde(
        rename = "SingaporeIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub singapore_id_card: Option<SingaporeIdCard>,
    /// Macao identity card.
    #[serde(
        rename = "MacaoIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub macao_id_card: Option<MacaoIdCard>,
    /// Taiwan identity card.
    #[serde(
        rename = "TaiWanIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub taiwan_id_card: Option<TaiWanIdCard>,
    /// Japanese identity card.
    #[serde(
        rename = "JapanIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub japan_id_card: Option<JapanIdCard>,
    /// Bangladeshi identity card.
    #[serde(
        rename = "BangladeshIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub bangladesh_id_card: Option<BangladeshIdCard>,
    /// Nigerian identity card.
    #[serde(
        rename = "NigeriaIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub nigeria_id_card: Option<NigeriaIdCard>,
    /// Nigerian driving licence.
    #[serde(
        rename = "NigeriaDrivingLicense",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub nigeria_driving_license: Option<NigeriaDrivingLicense>,
    /// Pakistani identity card.
    #[serde(
        rename = "PakistanIDCard",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub pakistan_id_card: Option<PakistanIdCard>,
    /// Pakistani driving licence.
    #[serde(
        rename = "PakistanDrivingLicense",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::object"
    )]
    pub pakistan_driving_license: Option<PakistanDrivingLicense>,
}

/// `Response.Error` of the error envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceErrorBody {
    /// Dotted code, e.g. `AuthFailure.SignatureFailure`.
    pub code: String,
    /// Message in the requested language.
    #[serde(default)]
    pub message: String,
}

/// Find `Response.Error` and `Response.RequestId` in a parsed body.
#[derive(Deserialize)]
struct EnvelopeProbe {
    #[serde(rename = "Response")]
    response: Option<ProbeInner>,
}

#[derive(Deserialize)]
struct ProbeInner {
    #[serde(rename = "Error", default)]
    error: Option<ServiceErrorBody>,
    #[serde(rename = "RequestId", default)]
    request_id: Option<String>,
}

/// Parse a 200 response body: the service's error envelope becomes a service [`Error`];
/// anything that is not the expected JSON becomes a [`ResultCode::Protocol`] error.
pub fn parse_response<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    typed_response(&parse_envelope_value(body)?)
}

/// The typed `Response` of a body already checked by [`parse_envelope_value`]; a
/// [`ResultCode::Protocol`] error (with the RequestId) when its fields do not fit `T`.
pub fn typed_response<T: DeserializeOwned>(envelope: &serde_json::Value) -> Result<T> {
    let response = envelope.get("Response").unwrap_or(&serde_json::Value::Null);
    T::deserialize(response).map_err(|e| {
        protocol_error(format!(
            "the response does not have the expected fields: {e}"
        ))
        .with_request_id(response.get("RequestId").and_then(|v| v.as_str()))
    })
}

/// Parse a 200 response body of any action: returns the `Response` object, or the service
/// [`Error`] when it carries `Error`; a [`ResultCode::Protocol`] error when it is not the
/// envelope (not JSON, no `Response` object, no `RequestId`).
pub fn parse_envelope_value(body: &[u8]) -> Result<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        protocol_error(format!(
            "the response is not JSON ({e}); it starts with {:?}",
            body_excerpt(body)
        ))
    })?;
    // Objects only: serde also reads a struct from an array of its fields in order, which would
    // let `[{"RequestId":"r"}]` (no "Response" at all) pass as an envelope.
    match value.get("Response") {
        Some(response) if response.is_object() => {}
        Some(_) => {
            return Err(protocol_error(
                "the response's \"Response\" is not an object".to_owned(),
            ))
        }
        None => {
            return Err(protocol_error(
                "the response has no \"Response\" object".to_owned(),
            ))
        }
    }
    let probe = EnvelopeProbe::deserialize(&value)
        .map_err(|e| protocol_error(format!("the response envelope is malformed: {e}")))?;
    let inner = probe
        .response
        .ok_or_else(|| protocol_error("the response has no \"Response\" object".to_owned()))?;
    if let Some(error) = inner.error {
        return Err(Error::from_service(
            &error.code,
            &error.message,
            inner.request_id.as_deref(),
        ));
    }
    if inner.request_id.is_none() {
        return Err(protocol_error(
            "the response has no \"Response.RequestId\"".to_owned(),
        ));
    }
    Ok(value)
}

/// The lenient readers of optional fields (see the module docs).
mod lenient {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// The JSON text of a scalar: strings as they are, numbers and booleans as written.
    fn scalar_text(value: Value) -> Option<String> {
        match value {
            Value::String(text) => Some(text),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    /// A String field: also a number or a boolean (as its text); absent for anything else.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(scalar_text(Value::deserialize(d)?))
    }

    /// A list of strings: scalar items kept as text, others dropped; absent when not a list.
    pub fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Array(items) => Some(items.into_iter().filter_map(scalar_text).collect()),
            _ => None,
        })
    }

    /// A nested object read leniently; absent when it is not one.
    pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        Ok(match Value::deserialize(d)? {
            value @ Value::Object(_) => T::deserialize(value).ok(),
            _ => None,
        })
    }

    /// A count or seconds: a non-negative integer, also as a decimal string; absent otherwise.
    pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(number) => number.as_u64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        })
    }
}

fn protocol_error(message: String) -> Error {
    Error::new(ResultCode::Protocol, message)
}

/// The first 200 bytes of a body as lossy UTF-8, for error messages.
pub fn body_excerpt(body: &[u8]) -> String {
    let end = body.len().min(200);
    String::from_utf8_lossy(&body[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every CardInfo struct with each leaf sent as a number, a boolean or null: the verdict
    /// stays, numbers and booleans are kept as their text, null is absent.
    #[test]
    fn a_flat_card_info_with_no_known_field_is_dropped_and_the_result_round_trips() {
        // Found by the response_json fuzz target: an OCR CardInfo holding only unknown keys
        // became an empty GeneralCard, which serialised as `{}` and read back as FaceID's
        // (empty) wrapper.
        let body = br#"{"Response":{"Status":"PASSED","CardInfo":{"HKMDCard":{"IdNum":"A1"}},"RequestId":"r"}}"#;
        let result: CardVerificationResult = parse_response(body).unwrap();
        assert_eq!((&result.card_info, &result.general_card), (&None, &None));
        let again = serde_json::to_vec(&serde_json::json!({ "Response": result })).unwrap();
        assert_eq!(
            parse_response::<CardVerificationResult>(&again).unwrap(),
            result
        );
        let ocr =
            br#"{"Response":{"Status":"COMPLETED","CardInfo":{"FullName":"A"},"RequestId":"r"}}"#;
        let result: CardVerificationResult = parse_response(ocr).unwrap();
        assert_eq!(result.front_card().unwrap().full_name.as_deref(), Some("A"));
    }

    #[test]
    fn every_card_info_struct_reads_numbers_booleans_and_nulls() {
        let members: &[(&str, &[&str])] = &[
            ("HKIDCard", HkIdCard::FIELDS),
            ("MLIDCard", MlIdCard::FIELDS),
            ("PhilippinesVoteID", PhilippinesVoteId::FIELDS),
            ("IndonesiaIDCard", IndonesiaIdCard::FIELDS),
            (
                "PhilippinesDrivingLicense",
                PhilippinesDrivingLicense::FIELDS,
            ),
            ("PhilippinesTinID", PhilippinesTinId::FIELDS),
            ("PhilippinesSSSID", PhilippinesSssId::FIELDS),
            ("PhilippinesUMID", PhilippinesUmid::FIELDS),
            ("InternationalIDPassport", InternationalIdPassport::FIELDS),
            ("IndonesiaDrivingLicense", IndonesiaDrivingLicense::FIELDS),
            ("ThailandIDCard", ThailandIdCard::FIELDS),
            ("SingaporeIDCard", SingaporeIdCard::FIELDS),
            ("MacaoIDCard", MacaoIdCard::FIELDS),
            ("TaiWanIDCard", TaiWanIdCard::FIELDS),
            ("JapanIDCard", JapanIdCard::FIELDS),
            ("BangladeshIDCard", BangladeshIdCard::FIELDS),
            ("NigeriaIDCard", NigeriaIdCard::FIELDS),
            ("NigeriaDrivingLicense", NigeriaDrivingLicense::FIELDS),
            ("PakistanIDCard", PakistanIdCard::FIELDS),
            ("PakistanDrivingLicense", PakistanDrivingLicense::FIELDS),
            ("GeneralCard", &["LicenseNumber", "Age", "Sex", "FullName"]),
        ];
        assert_eq!(members.len(), 21);
        for (member, fields) in members {
            let mut card = serde_json::Map::new();
            for (i, field) in fields.iter().enumerate() {
                let value = match i % 3 {
                    0 => serde_json::json!(42),
                    1 => serde_json::json!(false),
                    _ => serde_json::Value::Null,
                };
                card.insert((*field).to_owned(), value);
            }
            let body = serde_json::json!({"Response": {
                "Status": "PASSED", "RequestId": "r", "CardInfo": { *member: card }
            }});
            let result: CardVerificationResult =
                parse_response(body.to_string().as_bytes()).unwrap();
            assert_eq!(result.status, VerificationStatus::Passed, "{member}");
            let kept = serde_json::to_value(result.card_info.unwrap()).unwrap();
            let kept = &kept[*member];
            for (i, field) in fields.iter().enumerate() {
                let want = match i % 3 {
                    0 => serde_json::json!("42"),
                    1 => serde_json::json!("false"),
                    _ => serde_json::Value::Null,
                };
                assert_eq!(kept[*field], want, "{member}.{field}");
            }
        }
    }
}
