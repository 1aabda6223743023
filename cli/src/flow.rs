//! The steps every subcommand shares, on the library's public API: build the client from the
//! global options, put an image argument on a request, apply (retrying only what the service
//! said it did not process), and poll a token to its verdict (resuming after transient
//! failures, which is safe: polling is not billed).

use std::io::Read as _;
use std::path::Path;
use std::time::{Duration, Instant};

use tcfaceid::client::{CredentialSource, PollPlan};
use tcfaceid::retry::RetryPolicy;
use tcfaceid::{
    ApplyCardVerificationResponse, CardVerificationRequest, CardVerificationResult, Client, Error,
    ResultCode, Side,
};

use crate::args::{Api, Global};

/// Attempts of an apply answered `RequestLimitExceeded` (the service did not process it).
const APPLY_ATTEMPTS: u32 = 6;
/// Backoff between retries of a rate-limited apply or a failed poll.
const BACKOFF: RetryPolicy = RetryPolicy::attempts(APPLY_ATTEMPTS);

/// Refuse a product this build cannot use yet.
pub fn check_api(global: &Global) -> Result<(), String> {
    match global.api {
        Api::Faceid => Ok(()),
        Api::Ocr => Err("--api ocr (TCFACEID_API=ocr): the OCR product \
                         (ApplyCardVerificationExternal) is not in this version of the library \
                         yet; use --api faceid"
            .to_owned()),
    }
}

/// Where the client's credentials come from.
pub fn credential_source(global: &Global) -> CredentialSource {
    match &global.profile {
        Some(profile) => CredentialSource::Profile(Some(profile.clone())),
        None => CredentialSource::DefaultChain,
    }
}

/// The client the global options describe, with an optional rate limit.
pub fn client(global: &Global, rate: Option<f64>) -> Result<Client, Error> {
    let mut builder = Client::builder().credential_source(credential_source(global));
    if let Some(endpoint) = &global.endpoint {
        builder = builder.endpoint(endpoint);
    }
    if let Some(region) = &global.region {
        builder = builder.region(region);
    }
    if let Some(rate) = rate {
        builder = builder.max_requests_per_second(rate);
    }
    builder.build()
}

/// Put an image argument on one side: an http(s) URL, `-` (standard input), or a path
/// (relative paths are taken from `base`).
pub fn set_image(
    request: &mut CardVerificationRequest,
    side: Side,
    spec: &str,
    base: &Path,
) -> Result<(), Error> {
    let lower = spec.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        request.set_url(side, spec);
    } else if spec == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
            Error::for_field(
                ResultCode::ImageUnreadable,
                side.base64_field(),
                format!("standard input: {e}"),
            )
        })?;
        request.set_data(side, tcfaceid::ImageData::Bytes(bytes));
    } else {
        request.set_data(side, tcfaceid::ImageData::File(base.join(spec)));
    }
    Ok(())
}

/// ApplyCardVerification, retried only when the service answered `RequestLimitExceeded*` (it
/// did not process the request). Any other failure, a dropped connection or HTTP 5xx included,
/// is returned at once: the request may have been processed and billed.
pub fn apply(
    client: &Client,
    request: &CardVerificationRequest,
) -> Result<ApplyCardVerificationResponse, Error> {
    let mut attempt = 1;
    loop {
        match client.apply_card_verification(request) {
            Err(error)
                if error.code() == ResultCode::ServiceRateLimited
                    && BACKOFF.should_retry(&error, attempt) =>
            {
                std::thread::sleep(BACKOFF.backoff(attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Poll `token` to its verdict before `until`, resuming after retryable failures (network,
/// HTTP 5xx, rate limits). Returns the verdict and the polls of the last, successful round.
pub fn poll(
    client: &Client,
    token: &str,
    plan: PollPlan,
    until: Instant,
) -> Result<(CardVerificationResult, u64), Error> {
    let mut failures = 0;
    loop {
        let remaining = until.saturating_duration_since(Instant::now());
        match client.poll_card_verification(token, plan, remaining) {
            Ok((result, _, polls)) => return Ok((result, polls)),
            Err(error) if error.is_retryable() => {
                failures += 1;
                let backoff = BACKOFF.backoff(failures.min(APPLY_ATTEMPTS));
                if Instant::now() + backoff + plan.wait >= until {
                    return Err(error);
                }
                std::thread::sleep(backoff);
            }
            Err(error) => return Err(error),
        }
    }
}

/// The plan for a token polled without the apply's hints.
pub fn resume_plan(interval: Duration, max_polls: u64) -> PollPlan {
    PollPlan {
        max_polls: max_polls.max(1),
        wait: interval,
    }
}
