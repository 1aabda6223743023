//! The two products that run document verification, and what each brings: default endpoint,
//! signing service, API version, action names, regions, the codes it documents, its back-side
//! table and its image limits.
//!
//! | | [`Api::FaceId`] (default) | [`Api::Ocr`] |
//! |---|---|---|
//! | actions | `ApplyCardVerification`, `GetCardVerificationResult` | `ApplyCardVerificationExternal`, `GetCardVerificationExternalResult` |
//! | version, service | `2018-03-01`, `faceid` | `2018-11-19`, `ocr` |
//! | default endpoint | `https://faceid.tencentcloudapi.com` | `https://ocr.intl.tencentcloudapi.com` |
//! | regions | `ap-hongkong`, `ap-jakarta`, `ap-singapore` | `ap-singapore` |
//! | CardType | + `AUTO` | + `RESIDENCE_PERMIT`, no `AUTO` |
//! | image | ≤ 5 MiB base64, ≤ 8000 px | ≤ 2 MiB base64, 256…4096 px |
//! | extra request fields | – | `ReturnHeadImage`, `WebhookUrl` |
//! | polling hints | from the service | none: [`Api::default_poll_plan`] |
//!
//! Tencent removed FaceID's two actions from every international SDK on 2026-03-09; the OCR
//! pair is the live successor. Pure data, no I/O. The codes each product documents
//! ([`Api::nationalities`], [`Api::card_types`]) live with the codes, in [`crate::card`].

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::api::ApplyCardVerificationResponse;
use crate::error::{Error, Result, ResultCode};
use crate::image::ImageLimits;

/// Environment variable the examples (C, Python) read to choose the product: `faceid` or `ocr`.
pub const ENV_API: &str = "TCFACEID_API";

/// Which product (and API version) the client talks to. Exported to C as `tcfaceid_api`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Api {
    /// FaceID `2018-03-01` (`ApplyCardVerification` / `GetCardVerificationResult`), the
    /// default. Removed from Tencent's SDKs on 2026-03-09: accounts may get `ActionOffline`.
    #[default]
    FaceId = 0,
    /// OCR `2018-11-19` (`ApplyCardVerificationExternal` / `GetCardVerificationExternalResult`),
    /// the live successor.
    Ocr = 1,
}

/// How to poll for a verdict when the service gives no hints (OCR never does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPlan {
    /// Wait before the first poll.
    pub first_wait: Duration,
    /// Wait before each later poll.
    pub wait: Duration,
    /// Most result polls.
    pub max_polls: u64,
}

impl PollPlan {
    /// The plan FaceID's hints ask for, FaceID's defaults filling what is missing.
    pub fn from_hints(apply: &ApplyCardVerificationResponse) -> PollPlan {
        Api::FaceId.default_poll_plan().with_hints(apply)
    }

    /// This plan, with the service's polling hints (FaceID's
    /// `AsyncCardVerificationPollingWaitTime`, `AsyncCardVerificationMaxPollingTimes`; OCR sends
    /// none) replacing the waits and the count where given.
    pub fn with_hints(self, apply: &ApplyCardVerificationResponse) -> PollPlan {
        let wait = apply
            .async_card_verification_polling_wait_time
            .map(Duration::from_secs);
        PollPlan {
            first_wait: wait.unwrap_or(self.first_wait),
            wait: wait.unwrap_or(self.wait),
            max_polls: apply
                .async_card_verification_max_polling_times
                .filter(|n| *n > 0)
                .unwrap_or(self.max_polls),
        }
    }
}

impl Api {
    /// Both products, FaceID first.
    pub const ALL: [Api; 2] = [Api::FaceId, Api::Ocr];

    /// The name used by [`ENV_API`], the Python keyword and messages: `faceid` or `ocr`.
    pub fn name(self) -> &'static str {
        match self {
            Api::FaceId => "faceid",
            Api::Ocr => "ocr",
        }
    }

    /// The signing service, first label of the product's hosts: `faceid` or `ocr`.
    pub fn service(self) -> &'static str {
        self.name()
    }

    /// `X-TC-Version`: `2018-03-01` or `2018-11-19`.
    pub fn version(self) -> &'static str {
        match self {
            Api::FaceId => "2018-03-01",
            Api::Ocr => "2018-11-19",
        }
    }

    /// The endpoint used when none is set.
    pub fn default_endpoint(self) -> &'static str {
        match self {
            Api::FaceId => "https://faceid.tencentcloudapi.com",
            Api::Ocr => "https://ocr.intl.tencentcloudapi.com",
        }
    }

    /// The action that submits a document.
    pub fn apply_action(self) -> &'static str {
        match self {
            Api::FaceId => "ApplyCardVerification",
            Api::Ocr => "ApplyCardVerificationExternal",
        }
    }

    /// The action that reads the result.
    pub fn result_action(self) -> &'static str {
        match self {
            Api::FaceId => "GetCardVerificationResult",
            Api::Ocr => "GetCardVerificationExternalResult",
        }
    }

    /// The regions the product accepts for both actions.
    pub fn regions(self) -> &'static [&'static str] {
        match self {
            Api::FaceId => &["ap-hongkong", "ap-jakarta", "ap-singapore"],
            Api::Ocr => &["ap-singapore"],
        }
    }

    /// The product's image limits (see [`crate::image`] for how "5M" and "2M" are read).
    pub fn image_limits(self) -> ImageLimits {
        match self {
            Api::FaceId => ImageLimits::FACEID,
            Api::Ocr => ImageLimits::OCR,
        }
    }

    /// Whether the product accepts the OCR-only request fields `ReturnHeadImage` and
    /// `WebhookUrl`.
    pub fn has_ocr_fields(self) -> bool {
        self == Api::Ocr
    }

    /// The poll plan used when the service gives no hints.
    ///
    /// FaceID: the spec's defaults for missing hints, 60 polls 5 s apart. OCR (no hints ever;
    /// these are ours, spec §5): first poll after 3 s, then every 5 s, 60 polls, i.e. giving up
    /// after about 300 s.
    pub fn default_poll_plan(self) -> PollPlan {
        let first_wait = match self {
            Api::FaceId => Duration::from_secs(5),
            Api::Ocr => Duration::from_secs(3),
        };
        PollPlan {
            first_wait,
            wait: Duration::from_secs(5),
            max_polls: 60,
        }
    }

    /// The product for a number from C (`tcfaceid_api`).
    pub fn from_u32(value: u32) -> Option<Api> {
        Api::ALL.into_iter().find(|a| *a as u32 == value)
    }
}

impl FromStr for Api {
    type Err = Error;

    /// `faceid` or `ocr`, any case.
    fn from_str(text: &str) -> Result<Api> {
        Api::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                Error::for_field(
                    ResultCode::InvalidArgument,
                    "api",
                    format!("api {text:?} is not \"faceid\" or \"ocr\""),
                )
            })
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_product_brings_its_own_names() {
        assert_eq!(Api::default(), Api::FaceId);
        assert_eq!(Api::Ocr.service(), "ocr");
        assert_eq!(Api::Ocr.version(), "2018-11-19");
        assert_eq!(Api::Ocr.regions(), ["ap-singapore"]);
        assert_eq!(Api::FaceId.service(), "faceid");
        assert_eq!("OCR".parse::<Api>().unwrap(), Api::Ocr);
        assert_eq!(
            "x".parse::<Api>().unwrap_err().code(),
            ResultCode::InvalidArgument
        );
        assert_eq!(Api::from_u32(1), Some(Api::Ocr));
        assert_eq!(Api::from_u32(2), None);
        // 23 distinct OCR codes plus AUTO.
        assert_eq!(Api::Ocr.nationalities().len(), 24);
    }
}
