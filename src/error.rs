//! One error type for every layer, and the stable result codes it maps to in the C ABI.
//!
//! A [`Error`] always carries a [`ResultCode`] (what class of failure), a message for people, and
//! where known: the request field at fault, the service's error code (`Response.Error.Code`), the
//! service's `RequestId` and the HTTP status. The secret key never enters any of these.

use std::fmt;

/// The stable result code of every fallible operation; exported to C as `tcfaceid_result`.
///
/// Values are grouped in ranges and are **never renumbered**; a retired value stays reserved.
/// `0` is success. 1xx: arguments and UTF-8 · 2xx: the service's request rules checked locally
/// · 3xx: images · 4xx: credentials · 5xx: transport, TLS and timeouts · 6xx: HTTP status
/// · 7xx: errors answered by the service · 8xx: response protocol (JSON) · 9xx: polling and cancellation
/// · 1000: panic.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResultCode {
    /// Success.
    Ok = 0,

    /// A required pointer argument was NULL.
    NullArgument = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
    /// An argument had a value the function does not accept (e.g. an unknown option).
    InvalidArgument = 102,
    // 103: reserved (was BufferTooSmall, never returned; retired before 1.0).
    /// Nationality is not one of the service's codes (spec §4.1).
    InvalidNationality = 200,
    /// CardType is not one of the service's codes (spec §4.1).
    InvalidCardType = 201,
    /// Neither ImageUrlFront nor ImageBase64Front was given.
    FrontImageRequired = 202,
    /// The back side is required for this Nationality and CardType (spec §4.1 table) and is missing.
    BackImageRequired = 203,
    /// An image URL is not an absolute http:// or https:// URL.
    InvalidImageUrl = 204,
    /// The region is not one the product accepts (FaceID: ap-hongkong, ap-jakarta,
    /// ap-singapore; OCR: ap-singapore).
    InvalidRegion = 205,
    /// The endpoint is not a usable URL (https, or http given explicitly).
    InvalidEndpoint = 206,
    /// The language is not en-US or zh-CN.
    InvalidLanguage = 207,
    /// An option of the client or of a request is out of range (timeouts, retries, sizes, headers).
    InvalidOption = 208,
    /// A request field the chosen product does not accept (`ReturnHeadImage`, `WebhookUrl`
    /// are OCR only).
    UnsupportedField = 209,
    /// `WebhookUrl` is not an `https://` URL.
    InvalidWebhookUrl = 210,

    /// The image is neither PNG nor JPEG (GIF, WebP and anything else are refused).
    ImageUnsupportedFormat = 300,
    /// The image's header is truncated or malformed, so its size cannot be read.
    ImageCorrupt = 301,
    /// Width or height is above the product's maximum (FaceID 8000, OCR 4096 pixels).
    ImageResolutionTooLarge = 302,
    /// The base64 form of the image is longer than the product's limit (FaceID 5 MiB =
    /// 5,242,880 characters, OCR 2 MiB = 2,097,152).
    ImageTooLarge = 303,
    /// The base64 text does not decode.
    ImageInvalidBase64 = 304,
    /// The image file could not be read.
    ImageUnreadable = 305,
    /// The image is empty.
    ImageEmpty = 306,
    /// Width or height is below the product's minimum (OCR: 256 pixels).
    ImageResolutionTooSmall = 307,

    /// No credentials were found (environment, profile file, or explicit).
    CredentialsMissing = 400,
    /// Credentials were found but are unusable (empty, whitespace-padded, malformed profile file).
    CredentialsInvalid = 401,
    /// A rotating source (CVM role, STS, TKE OIDC, a caller's callback) could not give
    /// credentials and no valid ones remain; the message names the source and why.
    CredentialsUnavailable = 402,

    /// The connection could not be made or broke before a complete response (DNS, connect, reset).
    Transport = 500,
    /// The TLS handshake failed (certificate not trusted, name mismatch, protocol error).
    Tls = 501,
    /// The call did not finish within its deadline (connect timeout or overall deadline).
    Timeout = 502,

    /// The server answered with an HTTP status other than 200.
    HttpStatus = 600,

    /// The service answered with `Response.Error` (see the service code for which).
    Service = 700,
    /// The service refused the credentials or the signature (`AuthFailure.*`).
    ServiceAuthFailure = 701,
    /// The service's rate limit was hit (`RequestLimitExceeded*`).
    ServiceRateLimited = 702,
    /// The action is retired at the service (`ActionOffline` / `InvalidAction`).
    ServiceActionOffline = 703,

    /// The response was not the expected JSON (not JSON, wrong shape, missing fields).
    Protocol = 800,
    /// The response body was larger than the configured cap: a protocol error (8xx), raised
    /// without reading the rest of the body.
    ResponseTooLarge = 801,

    /// Polling stopped at the caller's deadline before a verdict.
    PollDeadlineExceeded = 900,
    /// Polling stopped after the service's maximum number of polls without a verdict.
    PollAttemptsExhausted = 901,
    /// The caller cancelled the call (a cancel handle was triggered). After a successful apply
    /// the error carries the token, so polling can be resumed.
    Cancelled = 902,

    /// A bug: a panic was caught at the C boundary. The process is still safe to use.
    Panic = 1000,
}

impl ResultCode {
    /// Every code, in numeric order (used by tests and documentation checks).
    pub const ALL: &'static [ResultCode] = &[
        ResultCode::Ok,
        ResultCode::NullArgument,
        ResultCode::InvalidUtf8,
        ResultCode::InvalidArgument,
        ResultCode::InvalidNationality,
        ResultCode::InvalidCardType,
        ResultCode::FrontImageRequired,
        ResultCode::BackImageRequired,
        ResultCode::InvalidImageUrl,
        ResultCode::InvalidRegion,
        ResultCode::InvalidEndpoint,
        ResultCode::InvalidLanguage,
        ResultCode::InvalidOption,
        ResultCode::UnsupportedField,
        ResultCode::InvalidWebhookUrl,
        ResultCode::ImageUnsupportedFormat,
        ResultCode::ImageCorrupt,
        ResultCode::ImageResolutionTooLarge,
        ResultCode::ImageTooLarge,
        ResultCode::ImageInvalidBase64,
        ResultCode::ImageUnreadable,
        ResultCode::ImageEmpty,
        ResultCode::ImageResolutionTooSmall,
        ResultCode::CredentialsMissing,
        ResultCode::CredentialsInvalid,
        ResultCode::CredentialsUnavailable,
        ResultCode::Transport,
        ResultCode::Tls,
        ResultCode::Timeout,
        ResultCode::HttpStatus,
        ResultCode::Service,
        ResultCode::ServiceAuthFailure,
        ResultCode::ServiceRateLimited,
        ResultCode::ServiceActionOffline,
        ResultCode::Protocol,
        ResultCode::ResponseTooLarge,
        ResultCode::PollDeadlineExceeded,
        ResultCode::PollAttemptsExhausted,
        ResultCode::Cancelled,
        ResultCode::Panic,
    ];

    /// A static, human-readable description of the code.
    pub fn description(self) -> &'static str {
        match self {
            ResultCode::Ok => "success",
            ResultCode::NullArgument => "a required pointer argument was NULL",
            ResultCode::InvalidUtf8 => "a string argument was not valid UTF-8",
            ResultCode::InvalidArgument => "an argument had an unacceptable value",
            ResultCode::InvalidNationality => "Nationality is not a code the service accepts",
            ResultCode::InvalidCardType => "CardType is not a code the service accepts",
            ResultCode::FrontImageRequired => "the front image is missing (URL or base64)",
            ResultCode::BackImageRequired => {
                "the back image is required for this Nationality and CardType"
            }
            ResultCode::InvalidImageUrl => "an image URL is not an http(s) URL",
            ResultCode::InvalidRegion => "the region is not one the chosen product accepts",
            ResultCode::InvalidEndpoint => "the endpoint is not a usable http(s) URL",
            ResultCode::InvalidLanguage => "the language is not en-US or zh-CN",
            ResultCode::InvalidOption => "an option is out of range",
            ResultCode::UnsupportedField => "the chosen product does not accept this field",
            ResultCode::InvalidWebhookUrl => "WebhookUrl is not an https:// URL",
            ResultCode::ImageUnsupportedFormat => "the image is not PNG or JPEG",
            ResultCode::ImageCorrupt => "the image header is truncated or malformed",
            ResultCode::ImageResolutionTooLarge => {
                "the image is wider or taller than the product allows (FaceID 8000, OCR 4096 px)"
            }
            ResultCode::ImageTooLarge => {
                "the image's base64 is longer than the product allows (FaceID 5 MiB, OCR 2 MiB)"
            }
            ResultCode::ImageInvalidBase64 => "the image base64 does not decode",
            ResultCode::ImageUnreadable => "the image file could not be read",
            ResultCode::ImageEmpty => "the image is empty",
            ResultCode::ImageResolutionTooSmall => {
                "the image is narrower or shorter than the product allows (OCR 256 px)"
            }
            ResultCode::CredentialsMissing => "no credentials were found",
            ResultCode::CredentialsInvalid => "the credentials are empty, padded or malformed",
            ResultCode::CredentialsUnavailable => {
                "the credentials source failed and no valid credentials remain"
            }
            ResultCode::Transport => "the connection failed before a complete response",
            ResultCode::Tls => "the TLS handshake failed",
            ResultCode::Timeout => "the call did not finish within its deadline",
            ResultCode::HttpStatus => "the server answered with a non-200 HTTP status",
            ResultCode::Service => "the service answered with an error",
            ResultCode::ServiceAuthFailure => "the service refused the credentials or signature",
            ResultCode::ServiceRateLimited => "the service's rate limit was hit",
            ResultCode::ServiceActionOffline => "the action is retired at the service",
            ResultCode::Protocol => "the response was not the expected JSON",
            ResultCode::ResponseTooLarge => "the response was larger than the configured cap",
            ResultCode::PollDeadlineExceeded => "polling reached the deadline before a verdict",
            ResultCode::PollAttemptsExhausted => {
                "polling used the service's maximum number of polls without a verdict"
            }
            ResultCode::Cancelled => "the call was cancelled by the caller",
            ResultCode::Panic => "internal error: a panic was caught (a bug in tcfaceid)",
        }
    }

    /// The code for a number, if it is one of ours.
    pub fn from_u32(value: u32) -> Option<ResultCode> {
        ResultCode::ALL.iter().copied().find(|c| *c as u32 == value)
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// The error of every fallible operation in tcfaceid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ResultCode,
    message: String,
    // Boxed strings keep the error small (it travels in every `Result`).
    field: Option<Box<str>>,
    service_code: Option<Box<str>>,
    request_id: Option<Box<str>>,
    http_status: Option<u16>,
    token: Option<Box<str>>,
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of class `code` with a message for people.
    pub fn new(code: ResultCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            field: None,
            service_code: None,
            request_id: None,
            http_status: None,
            token: None,
        }
    }

    /// An error about one request field (the field's service name, e.g. `ImageBase64Front`).
    pub fn for_field(code: ResultCode, field: &str, message: impl Into<String>) -> Error {
        let mut error = Error::new(code, message);
        error.field = Some(field.into());
        error
    }

    /// An error answered by the service in its `Response.Error` envelope; the result code is
    /// chosen from the service code (auth failure, rate limit, retired action, or other).
    pub fn from_service(service_code: &str, message: &str, request_id: Option<&str>) -> Error {
        let code = classify_service_code(service_code);
        let mut text = format!("service error {service_code}: {message}");
        if code == ResultCode::ServiceActionOffline {
            text.push_str(" (the service no longer offers this action)");
        }
        if service_code == "AuthFailure.SignatureExpire" {
            text.push_str(" (the local clock differs from the service's by more than 5 minutes)");
        }
        let mut error = Error::new(code, text);
        error.service_code = Some(service_code.into());
        error.request_id = request_id.map(Into::into);
        error
    }

    /// Append advice to the message (e.g. how to switch products).
    pub fn with_hint(mut self, hint: &str) -> Error {
        self.message.push_str(hint);
        self
    }

    /// Attach the HTTP status of the response that produced this error.
    pub fn with_http_status(mut self, status: u16) -> Error {
        self.http_status = Some(status);
        self
    }

    /// Attach the service's RequestId.
    pub fn with_request_id(mut self, request_id: Option<&str>) -> Error {
        if let Some(id) = request_id {
            self.request_id = Some(id.into());
        }
        self
    }

    /// Attach the CardVerificationToken of the billed verification this failure happened in
    /// (set by the client on every failure after a successful apply).
    pub fn with_token(mut self, token: &str) -> Error {
        self.token = Some(token.into());
        self
    }

    /// The CardVerificationToken, when the failure happened after a successful (billed)
    /// ApplyCardVerification: resume polling with it ([`crate::Client::resume`]) instead of
    /// applying again.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The class of failure.
    pub fn code(&self) -> ResultCode {
        self.code
    }

    /// The message for people (never contains the secret key).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request field at fault, e.g. `Nationality` or `ImageBase64Back`.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The service's error code (`Response.Error.Code`), e.g. `FailedOperation.ImageSizeTooLarge`.
    pub fn service_code(&self) -> Option<&str> {
        self.service_code.as_deref()
    }

    /// The service's `RequestId`, when the request reached the service.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// Whether a retry may succeed and is safe: network failures before a response, HTTP 5xx,
    /// and the service's retryable rate limits. Never business errors.
    pub fn is_retryable(&self) -> bool {
        match self.code {
            ResultCode::Transport | ResultCode::Timeout => true,
            ResultCode::HttpStatus => self.http_status.is_some_and(|s| (500..600).contains(&s)),
            ResultCode::ServiceRateLimited => true,
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (RequestId {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The result code for a service error code (`Response.Error.Code`).
pub fn classify_service_code(service_code: &str) -> ResultCode {
    if service_code.starts_with("AuthFailure") {
        ResultCode::ServiceAuthFailure
    } else if service_code.starts_with("RequestLimitExceeded") {
        ResultCode::ServiceRateLimited
    } else if service_code == "ActionOffline" || service_code == "InvalidAction" {
        ResultCode::ServiceActionOffline
    } else {
        ResultCode::Service
    }
}

/// The business error codes of ApplyCardVerification / GetCardVerificationResult (spec §4.3,
/// §5.5), so callers can match on them instead of on strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusinessError {
    /// `FailedOperation.ImageSizeTooLarge`: the image is too large.
    ImageSizeTooLarge,
    /// `FailedOperation.UnKnowError`: unknown error (spelling as the service has it).
    UnknownError,
    /// `FailedOperation.UnOpenError`: the service is not activated for the account.
    ServiceNotActivated,
    /// `InvalidParameter.EngineImageDecodeFailed`: the image could not be decoded.
    ImageDecodeFailed,
    /// `InvalidParameterValue.InvalidFileContentSize`: the image content size is abnormal.
    InvalidFileContentSize,
    /// `InvalidParameterValue.InvalidParameterValueLimit`: a parameter value is wrong.
    InvalidParameterValueLimit,
    /// `ResourceUnavailable.ImageDownloadError`: the image URL could not be downloaded.
    ImageDownloadError,
    /// `ResourceUnavailable.InArrears`: the account is in arrears.
    InArrears,
    /// `ResourceUnavailable.ResourcePackageRunOut`: the resource package is exhausted.
    ResourcePackageRunOut,
}

impl BusinessError {
    /// Every business error with its service code.
    pub const ALL: &'static [(BusinessError, &'static str)] = &[
        (
            BusinessError::ImageSizeTooLarge,
            "FailedOperation.ImageSizeTooLarge",
        ),
        (BusinessError::UnknownError, "FailedOperation.UnKnowError"),
        (
            BusinessError::ServiceNotActivated,
            "FailedOperation.UnOpenError",
        ),
        (
            BusinessError::ImageDecodeFailed,
            "InvalidParameter.EngineImageDecodeFailed",
        ),
        (
            BusinessError::InvalidFileContentSize,
            "InvalidParameterValue.InvalidFileContentSize",
        ),
        (
            BusinessError::InvalidParameterValueLimit,
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            BusinessError::ImageDownloadError,
            "ResourceUnavailable.ImageDownloadError",
        ),
        (BusinessError::InArrears, "ResourceUnavailable.InArrears"),
        (
            BusinessError::ResourcePackageRunOut,
            "ResourceUnavailable.ResourcePackageRunOut",
        ),
    ];

    /// The business error for a service code, if it is one.
    pub fn from_service_code(code: &str) -> Option<BusinessError> {
        BusinessError::ALL
            .iter()
            .find(|(_, text)| *text == code)
            .map(|(kind, _)| *kind)
    }

    /// The service code of this business error.
    pub fn service_code(self) -> &'static str {
        BusinessError::ALL
            .iter()
            .find(|(kind, _)| *kind == self)
            .map(|(_, text)| *text)
            .unwrap_or_default()
    }
}

impl Error {
    /// The business error, when the service answered one of the documented business codes.
    pub fn business_error(&self) -> Option<BusinessError> {
        self.service_code
            .as_deref()
            .and_then(BusinessError::from_service_code)
    }
}
