//! The steps every subcommand shares, on the library's public API: build the client from the
//! global options (with the library's retries, which send an apply again only when it
//! certainly was not processed), put an image argument on a request, and poll a token to its
//! verdict (resuming after transient failures, which is safe: polling is not billed).

use std::io::Read as _;
use std::path::Path;
use std::time::Instant;

use tcfaceid::client::{CredentialSource, PollPlan};
use tcfaceid::product::Api as Product;
use tcfaceid::retry::RetryPolicy;
use tcfaceid::Cancel;
use tcfaceid::{CardVerificationRequest, CardVerificationResult, Client, Error, ResultCode, Side};

use crate::args::{Api, Global};

/// Attempts per call (the library retries an apply only when it certainly was not processed:
/// not sent, or answered `RequestLimitExceeded`; polls on any transient failure).
const ATTEMPTS: u32 = 6;
/// The client's retries, and the backoff between resumed polling rounds.
const RETRY: RetryPolicy = RetryPolicy::attempts(ATTEMPTS);

/// The library's product for `--api`.
pub fn product(global: &Global) -> Product {
    match global.api {
        Api::Faceid => Product::FaceId,
        Api::Ocr => Product::Ocr,
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
    let mut builder = Client::builder()
        .api(product(global))
        .credential_source(credential_source(global))
        .retry(RETRY)
        .allow_insecure_http(global.allow_insecure_http);
    if let Some(endpoint) = &global.endpoint {
        builder = builder.endpoint(endpoint);
    }
    if let Some(region) = &global.region {
        builder = builder.region(region);
    }
    if let Some(rate) = rate {
        builder = builder.max_requests_per_second(rate);
    }
    if let Some(interval) = global.poll_interval {
        builder = builder.poll_plan(PollPlan {
            first_wait: interval,
            wait: interval,
            ..product(global).default_poll_plan()
        });
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

/// Poll `token` to its verdict before `until` (or `cancel`), resuming after retryable failures
/// (network, HTTP 5xx, rate limits). Returns the verdict and the polls of the last, successful
/// round.
pub fn poll(
    client: &Client,
    token: &str,
    plan: PollPlan,
    until: Instant,
    cancel: Option<&Cancel>,
) -> Result<(CardVerificationResult, u64), Error> {
    let mut failures = 0;
    loop {
        let remaining = until.saturating_duration_since(Instant::now());
        match client.poll_card_verification_with_cancel(token, plan, remaining, cancel) {
            Ok((result, _, polls)) => return Ok((result, polls)),
            Err(error) if error.is_retryable() => {
                failures += 1;
                let backoff = RETRY.backoff(failures.min(ATTEMPTS));
                if Instant::now() + backoff + plan.wait >= until {
                    return Err(error);
                }
                match cancel {
                    Some(cancel) => {
                        cancel.sleep(backoff);
                    }
                    None => std::thread::sleep(backoff),
                }
            }
            Err(error) => return Err(error),
        }
    }
}
