//! The client: signs and sends calls over HTTPS on kept-alive connections, maps every failure to
//! an [`Error`], retries when asked to, and polls a verification to its verdict.
//!
//! One client path serves both products ([`Api`], chosen with [`ClientBuilder::api`]): the
//! product gives the default endpoint, the signing service, the version, the action names, the
//! regions, the request rules and the poll plan when the service gives no hints.
//!
//! Defaults: product FaceID, endpoint the product's ([`Api::default_endpoint`]), region from
//! `TENCENTCLOUD_REGION` (OCR: else `ap-singapore`, its only region), language `en-US`, connect timeout
//! 10 s, overall deadline 30 s per call (all attempts and backoffs included), responses capped
//! at 1 MiB, no retries, proxy from `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY`, certificates
//! checked against the bundled WebPKI roots (or `TCFACEID_CA_FILE` / [`ClientBuilder::ca_file`]).
//!
//! A [`Client`] is immutable after [`ClientBuilder::build`], `Send + Sync`, and meant to be shared
//! by all threads: its connections are kept alive and reused.
//!
//! # Clock skew
//! The service refuses a request whose `X-TC-Timestamp` is more than 5 minutes (300 s) off its
//! own clock, with `AuthFailure.SignatureExpire` ([`ResultCode::ServiceAuthFailure`]). Requests
//! are stamped with the local clock plus [`ClientBuilder::clock_offset_secs`] (default 0). When
//! a call gets SignatureExpire and [`ClientBuilder::learn_clock_offset`] is on (the default),
//! the client sets the offset to the response's `Date` header minus the local clock and sends
//! that call again, once; the learned offset is kept for later calls (all threads share it,
//! [`Client::clock_offset_secs`] reads it). Without a readable `Date` there is no second try.
//! The extra try is not counted against the retry policy. With learning off, the error comes
//! back at once; its message says the clock is more than 5 minutes off.
//!
//! # Response size
//! A response body larger than [`ClientBuilder::max_response_bytes`] (1 MiB by default; after
//! gzip decoding, so a small compressed body cannot inflate past it) is refused with
//! [`ResultCode::ResponseTooLarge`] (801, in the 8xx protocol class) as soon as the cap is
//! passed or a larger `Content-Length` is announced, without reading the rest.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::answer;
use crate::api::{self, ApplyCardVerificationResponse, CardVerificationResult};
use crate::cancel::Cancel;
use crate::card::CardVerificationRequest;
use crate::credential::{self, Credential};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, ResultCode};
use crate::http::{Http, HttpOptions, Limits, Origin, Request};
use crate::product::Api;
pub use crate::product::PollPlan;
use crate::provider::sts::{AssumeRoleOptions, Sts};
use crate::provider::{ClientCredentials, CredentialProvider};
use crate::rate::RateLimit;
use crate::retry::RetryPolicy;
use crate::sign::{self, CallContext, Payload, SigningInput};

/// Environment variable naming a PEM file of CA certificates to trust instead of the bundled roots.
pub const ENV_CA_FILE: &str = "TCFACEID_CA_FILE";
pub use crate::http::REQUEST_CLIENT;
/// What a FaceID `ActionOffline` / `InvalidAction` error adds: how to move to OCR.
const SWITCH_TO_OCR: &str = " Tencent removed FaceID ApplyCardVerification / \
GetCardVerificationResult from its SDKs on 2026-03-09; switch to the OCR successor \
(ApplyCardVerificationExternal, 2018-11-19): Rust ClientBuilder::api(Api::Ocr), C \
tcfaceid_client_builder_set_api(builder, TCFACEID_API_OCR), Python Client(api=\"ocr\"), or \
TCFACEID_API=ocr for the examples.";
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default overall deadline of one call.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// Polls used when the service gives no `AsyncCardVerificationMaxPollingTimes`.
pub const DEFAULT_MAX_POLLS: u64 = 60;
/// Seconds between polls when the service gives no `AsyncCardVerificationPollingWaitTime`.
pub const DEFAULT_POLL_WAIT_SECS: u64 = 5;

pub use crate::provider::chain::CredentialSource;

/// Builds a [`Client`]. Every setting has a default except the region, which is taken from
/// `TENCENTCLOUD_REGION` when not set.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    api: Api,
    credentials: CredentialSource,
    region: Option<String>,
    endpoint: Option<String>,
    poll_plan: Option<PollPlan>,
    language: String,
    connect_timeout: Duration,
    call_timeout: Duration,
    max_response_bytes: u64,
    proxy: Option<String>,
    retry: RetryPolicy,
    ca_file: Option<PathBuf>,
    clock_offset_secs: i64,
    learn_clock_offset: bool,
    assume_role: Option<AssumeRoleOptions>,
    sts_endpoint: Option<String>,
    max_requests_per_second: Option<f64>,
    allow_insecure_http: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl ClientBuilder {
    /// A builder with the defaults described in the module docs.
    pub fn new() -> ClientBuilder {
        ClientBuilder {
            credentials: CredentialSource::DefaultChain,
            region: None,
            endpoint: None,
            poll_plan: None,
            api: Api::FaceId,
            language: "en-US".to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            proxy: None,
            retry: RetryPolicy::none(),
            ca_file: None,
            clock_offset_secs: 0,
            learn_clock_offset: true,
            assume_role: None,
            sts_endpoint: None,
            max_requests_per_second: None,
            allow_insecure_http: false,
        }
    }

    /// The product to talk to: [`Api::FaceId`] (default) or [`Api::Ocr`]. It brings the
    /// default endpoint (unless [`endpoint`](Self::endpoint) is set), the signing service, the
    /// version, the action names, the regions, the request rules and the default poll plan.
    pub fn api(mut self, api: Api) -> Self {
        self.api = api;
        self
    }

    /// The poll plan used when the service gives no hints (OCR never does; FaceID's hints win
    /// when present), and by [`Client::resume`]. Default: [`Api::default_poll_plan`].
    pub fn poll_plan(mut self, plan: PollPlan) -> Self {
        self.poll_plan = Some(plan);
        self
    }

    /// Use these credentials.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credentials = CredentialSource::Explicit(credential);
        self
    }

    /// Choose where credentials come from when [`build`](Self::build) runs.
    pub fn credential_source(mut self, source: CredentialSource) -> Self {
        self.credentials = source;
        self
    }

    /// Use the caller's own provider (see [`crate::provider`]).
    pub fn credential_provider(self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.credential_source(CredentialSource::Provider(provider))
    }

    /// Assume this role through STS with the keys of the credential source, and sign the calls
    /// with the role's temporary keys (refreshed max(300 s, 10 %) before they expire).
    pub fn assume_role(mut self, options: AssumeRoleOptions) -> Self {
        self.assume_role = Some(options);
        self
    }

    /// The STS endpoint for AssumeRole and TKE OIDC (default `TCFACEID_STS_ENDPOINT`, else
    /// `https://sts.tencentcloudapi.com`).
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }

    /// `ap-hongkong`, `ap-jakarta` or `ap-singapore`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The endpoint: any `https://` URL, or `http://` to a loopback host (emulator, local
    /// gateway); `http://` elsewhere needs [`allow_insecure_http`](Self::allow_insecure_http).
    /// Default: the product's ([`Api::default_endpoint`]); the signing service is the
    /// product's whatever the host.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// `en-US` (default) or `zh-CN`: the language of the service's error messages.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = language.into();
        self
    }

    /// Time allowed to open a connection (DNS, TCP and TLS).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Overall deadline of one call, all attempts and backoffs included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Largest response body read (at least 1024 bytes; default 1 MiB, counted after gzip
    /// decoding); a larger one is a [`ResultCode::ResponseTooLarge`] error (801, a protocol
    /// error), raised without reading more than the cap.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// A proxy URL (`http://user:pass@host:port`, a CONNECT tunnel; `https://` and SOCKS
    /// proxies are refused by [`ClientBuilder::build`]); without it, the standard environment
    /// variables are used.
    pub fn proxy(mut self, proxy: impl Into<String>) -> Self {
        self.proxy = Some(proxy.into());
        self
    }

    /// Retry policy (default: no retries). See [`crate::retry`] on ApplyCardVerification.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Trust the CA certificates in this PEM file instead of the bundled roots.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Seconds to add to the local clock when stamping requests (the service refuses
    /// timestamps more than 5 minutes off its own clock; see "Clock skew" in the module docs).
    pub fn clock_offset_secs(mut self, offset: i64) -> Self {
        self.clock_offset_secs = offset;
        self
    }

    /// On `AuthFailure.SignatureExpire`, learn the clock offset from the response's `Date`
    /// header and send the call again, once (default on). The learned offset replaces the set
    /// one for every later call.
    pub fn learn_clock_offset(mut self, learn: bool) -> Self {
        self.learn_clock_offset = learn;
        self
    }

    /// Send at most this many requests per second from this client, all threads and retries
    /// included (default: no limit). Each attempt waits for its slot; see [`crate::rate`].
    pub fn max_requests_per_second(mut self, rate: f64) -> Self {
        self.max_requests_per_second = Some(rate);
        self
    }

    /// Accept a plain `http://` endpoint on a host other than this machine (default off). The
    /// request body holds identity documents (card images, names, numbers): without TLS they
    /// cross the network in clear, so this is for trusted networks only.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Check every setting, load the credentials and build the client.
    ///
    /// Errors: [`ResultCode::InvalidRegion`], [`ResultCode::InvalidEndpoint`],
    /// [`ResultCode::InvalidLanguage`], [`ResultCode::InvalidOption`], the credential errors,
    /// and [`ResultCode::Tls`] for an unreadable CA file.
    pub fn build(self) -> Result<Client> {
        let product = self.api;
        let regions = product.regions().join(", ");
        let only_region = match product.regions() {
            [only] => Some((*only).to_owned()),
            _ => None,
        };
        let region = self
            .region
            .or_else(credential::region_from_env)
            .or(only_region)
            .ok_or_else(|| {
                Error::new(
                    ResultCode::InvalidRegion,
                    format!("no region: set one ({regions}) or TENCENTCLOUD_REGION"),
                )
            })?;
        if !product.regions().contains(&region.as_str()) {
            return Err(Error::new(
                ResultCode::InvalidRegion,
                format!("region {region:?} is not one of {product}'s: {regions}"),
            ));
        }
        if !api::LANGUAGES.contains(&self.language.as_str()) {
            return Err(Error::new(
                ResultCode::InvalidLanguage,
                format!("language {:?} is not en-US or zh-CN", self.language),
            ));
        }
        let endpoint = Endpoint::parse(
            self.endpoint
                .as_deref()
                .unwrap_or(product.default_endpoint()),
        )?;
        endpoint.check_secure(self.allow_insecure_http)?;
        let poll_plan = self.poll_plan.unwrap_or(product.default_poll_plan());
        if poll_plan.max_polls == 0 {
            return Err(Error::new(
                ResultCode::InvalidOption,
                "the poll plan must allow at least one poll",
            ));
        }
        for (name, value) in [
            ("connect timeout", self.connect_timeout),
            ("timeout", self.call_timeout),
        ] {
            if value.is_zero() || value > Duration::from_secs(3600) {
                return Err(Error::new(
                    ResultCode::InvalidOption,
                    format!("{name} must be between 1 ms and 1 hour"),
                ));
            }
        }
        if self.max_response_bytes < 1024 {
            return Err(Error::new(
                ResultCode::InvalidOption,
                "max response bytes must be at least 1024",
            ));
        }
        self.retry.check()?;
        let rate_limit = self
            .max_requests_per_second
            .map(RateLimit::per_second)
            .transpose()?;
        let ca_file = self.ca_file.or_else(|| {
            std::env::var_os(ENV_CA_FILE)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let http = Arc::new(Http::new(&HttpOptions {
            connect_timeout: self.connect_timeout,
            proxy: self.proxy.as_deref(),
            env_proxy: true,
            ca_file: ca_file.as_deref(),
        })?);
        let sts = || {
            Sts::with_http(
                http.clone(),
                self.sts_endpoint.as_deref(),
                self.call_timeout,
            )
        };
        let provider =
            crate::provider::chain::provider_for(self.credentials, self.assume_role, sts)?;
        let origin = Origin::of(&endpoint)?;
        Ok(Client {
            api: product,
            poll_plan,
            http,
            endpoint,
            origin,
            credentials: ClientCredentials::new(provider),
            region,
            language: self.language,
            call_timeout: self.call_timeout,
            max_response_bytes: self.max_response_bytes,
            retry: self.retry,
            clock_offset: AtomicI64::new(self.clock_offset_secs),
            learn_clock_offset: self.learn_clock_offset,
            rate_limit,
        })
    }
}

/// A successful call's answer: the `Response` object and the whole body as received.
#[derive(Clone, Debug)]
pub struct RawResponse {
    /// The whole response body (`{"Response":{...}}`) as received.
    pub body: String,
    /// The parsed body.
    pub json: serde_json::Value,
}

impl RawResponse {
    /// A checked answer's body with its JSON tree.
    fn new(body: String) -> Result<RawResponse> {
        let json = api::parse_envelope_value(body.as_bytes())?;
        Ok(RawResponse { body, json })
    }
}

/// ApplyCardVerification then GetCardVerificationResult until the verdict.
#[derive(Clone, Debug)]
pub struct Verification {
    /// What ApplyCardVerification answered (the token and the polling hints).
    pub apply: ApplyCardVerificationResponse,
    /// The verdict.
    pub result: CardVerificationResult,
    /// The verdict's whole response body.
    pub result_json: String,
    /// GetCardVerificationResult calls made.
    pub polls: u64,
}

/// The client of one product. Immutable and `Send + Sync`: share one among all threads.
#[derive(Debug)]
pub struct Client {
    api: Api,
    poll_plan: PollPlan,
    /// The connections (shared with STS when the credentials come from it).
    http: Arc<Http>,
    endpoint: Endpoint,
    /// Where the endpoint's requests go, parsed once.
    origin: Origin,
    /// The credential provider, and the signer (the day's key) of its latest snapshot.
    credentials: ClientCredentials,
    region: String,
    language: String,
    call_timeout: Duration,
    max_response_bytes: u64,
    retry: RetryPolicy,
    clock_offset: AtomicI64,
    learn_clock_offset: bool,
    rate_limit: Option<RateLimit>,
}

/// Why one attempt failed, with what the server said about its clock, and whether the request
/// certainly never reached the server (see [`crate::retry`]).
struct AttemptFailure {
    error: Error,
    server_time: Option<i64>,
    not_sent: bool,
}

impl AttemptFailure {
    fn not_sent(error: Error) -> AttemptFailure {
        AttemptFailure {
            error,
            server_time: None,
            not_sent: true,
        }
    }

    fn sent(error: Error) -> AttemptFailure {
        AttemptFailure {
            error,
            server_time: None,
            not_sent: false,
        }
    }
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The product this client talks to.
    pub fn api(&self) -> Api {
        self.api
    }

    /// The poll plan used when the service gives no hints.
    pub fn poll_plan(&self) -> PollPlan {
        self.poll_plan
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The region sent as `X-TC-Region`.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The credential provider the client signs with.
    pub fn credential_provider(&self) -> &Arc<dyn CredentialProvider> {
        self.credentials.provider()
    }

    /// Seconds currently added to the local clock (set, or learned from the service).
    pub fn clock_offset_secs(&self) -> i64 {
        self.clock_offset.load(Ordering::Relaxed)
    }

    /// Submit a document: runs every local check, then ApplyCardVerification.
    pub fn apply_card_verification(
        &self,
        request: &CardVerificationRequest,
    ) -> Result<ApplyCardVerificationResponse> {
        self.apply_card_verification_body(request).map(|(r, _)| r)
    }

    /// [`apply_card_verification`](Self::apply_card_verification) with the whole response body.
    pub fn apply_card_verification_raw(
        &self,
        request: &CardVerificationRequest,
    ) -> Result<(ApplyCardVerificationResponse, RawResponse)> {
        let (response, body) = self.apply_card_verification_body(request)?;
        Ok((response, RawResponse::new(body)?))
    }

    /// [`apply_card_verification_raw`](Self::apply_card_verification_raw) with the body as
    /// text only (no `serde_json::Value`), for the C ABI.
    pub(crate) fn apply_card_verification_body(
        &self,
        request: &CardVerificationRequest,
    ) -> Result<(ApplyCardVerificationResponse, String)> {
        let body = request.to_body_for(self.api)?;
        let answer = self.call_raw(self.api.apply_action(), &body)?;
        Ok((answer.typed()?, answer.body))
    }

    /// GetCardVerificationResult for a token: PROCESSING, or the verdict.
    pub fn get_card_verification_result(&self, token: &str) -> Result<CardVerificationResult> {
        self.get_card_verification_result_body(token)
            .map(|(r, _)| r)
    }

    /// [`get_card_verification_result`](Self::get_card_verification_result) with the whole body.
    pub fn get_card_verification_result_raw(
        &self,
        token: &str,
    ) -> Result<(CardVerificationResult, RawResponse)> {
        let (result, body) = self.get_card_verification_result_body(token)?;
        Ok((result, RawResponse::new(body)?))
    }

    /// [`get_card_verification_result_raw`](Self::get_card_verification_result_raw) with the
    /// body as text only (no `serde_json::Value`), for the C ABI.
    pub(crate) fn get_card_verification_result_body(
        &self,
        token: &str,
    ) -> Result<(CardVerificationResult, String)> {
        self.get_result_until(token, Bounds::new(self.call_timeout, None))
    }

    fn get_result_until(
        &self,
        token: &str,
        bounds: Bounds<'_>,
    ) -> Result<(CardVerificationResult, String)> {
        if token.is_empty() {
            return Err(Error::for_field(
                ResultCode::InvalidArgument,
                "CardVerificationToken",
                "CardVerificationToken is empty",
            ));
        }
        let body = serde_json::to_vec(&serde_json::json!({ "CardVerificationToken": token }))
            .expect("a JSON object serialises");
        let answer = self.call_until(self.api.result_action(), &body, bounds)?;
        Ok((answer.typed()?, answer.body))
    }

    /// Apply, then poll GetCardVerificationResult as the service's hints say (wait
    /// `AsyncCardVerificationPollingWaitTime` seconds before each poll, at most
    /// `AsyncCardVerificationMaxPollingTimes` polls) until a verdict, an error, or `deadline`
    /// (measured from now) passes.
    ///
    /// Errors: those of the calls; [`ResultCode::PollDeadlineExceeded`] when the next poll
    /// could not happen before the deadline (a hint longer than the time left included);
    /// [`ResultCode::PollAttemptsExhausted`] after the last allowed poll. Every error after a
    /// successful apply carries the token ([`Error::token`]): resume with
    /// [`resume`](Self::resume), never apply again.
    pub fn verify_card(
        &self,
        request: &CardVerificationRequest,
        deadline: Duration,
    ) -> Result<Verification> {
        self.verify_card_with_cancel(request, deadline, None)
    }

    /// [`verify_card`](Self::verify_card) that another thread can stop with `cancel`: sleeps
    /// end at once, and a request in flight at once (its connection is shut down), with
    /// [`ResultCode::Cancelled`].
    ///
    /// The token: once the apply's answer has been read, every error carries its token, a
    /// cancel included (an answer that arrived before the cancel took effect is kept, not
    /// dropped). A cancel while the apply is in flight, before its answer was read, has no
    /// token to give: if the request had been written, the service may still process (and
    /// bill) it; the error says so.
    pub fn verify_card_with_cancel(
        &self,
        request: &CardVerificationRequest,
        deadline: Duration,
        cancel: Option<&Cancel>,
    ) -> Result<Verification> {
        let bounds = Bounds::new(deadline, cancel);
        let body = request.to_body_for(self.api)?;
        let answer = self.call_until(self.api.apply_action(), &body, bounds)?;
        let apply: ApplyCardVerificationResponse = answer.typed()?;
        let plan = self.poll_plan.with_hints(&apply);
        let token = apply.card_verification_token.clone();
        let (result, result_json, polls) = self
            .poll_until(&token, plan, true, bounds)
            .map_err(|e| e.with_token(&token))?;
        Ok(Verification {
            apply,
            result,
            result_json,
            polls,
        })
    }

    /// Poll an existing token to its verdict with a given plan and deadline (from now).
    /// Returns the verdict, its whole response body and the number of polls made.
    pub fn poll_card_verification(
        &self,
        token: &str,
        plan: PollPlan,
        deadline: Duration,
    ) -> Result<(CardVerificationResult, String, u64)> {
        self.poll_card_verification_with_cancel(token, plan, deadline, None)
    }

    /// [`poll_card_verification`](Self::poll_card_verification) that another thread can stop
    /// with `cancel` ([`ResultCode::Cancelled`], carrying the token).
    pub fn poll_card_verification_with_cancel(
        &self,
        token: &str,
        plan: PollPlan,
        deadline: Duration,
        cancel: Option<&Cancel>,
    ) -> Result<(CardVerificationResult, String, u64)> {
        self.poll_until(token, plan, true, Bounds::new(deadline, cancel))
            .map_err(|e| e.with_token(token))
    }

    /// Resume a verification from its token (e.g. [`Error::token`] of a failed
    /// [`verify_card`](Self::verify_card)): poll at once, then as [`verify_card`] does with the
    /// client's poll plan ([`ClientBuilder::poll_plan`]; both products), until the
    /// verdict, an error, `deadline` (from now) or `cancel`. Every error carries the token.
    /// Returns the verdict, its whole response body and the number of polls made.
    ///
    /// [`verify_card`]: Self::verify_card
    pub fn resume(
        &self,
        token: &str,
        deadline: Duration,
        cancel: Option<&Cancel>,
    ) -> Result<(CardVerificationResult, String, u64)> {
        self.poll_until(token, self.poll_plan, false, Bounds::new(deadline, cancel))
            .map_err(|e| e.with_token(token))
    }

    fn poll_until(
        &self,
        token: &str,
        plan: PollPlan,
        wait_first: bool,
        bounds: Bounds<'_>,
    ) -> Result<(CardVerificationResult, String, u64)> {
        let mut polls = 0;
        while polls < plan.max_polls {
            if wait_first || polls > 0 {
                let wait = if polls == 0 {
                    plan.first_wait
                } else {
                    plan.wait
                };
                // Saturating: a huge hint from the server is only "later than the deadline".
                let left = bounds.until.saturating_duration_since(Instant::now());
                if wait >= left {
                    return Err(Error::new(
                        ResultCode::PollDeadlineExceeded,
                        format!(
                            "no verdict for token {token} before the deadline ({polls} polls \
                             made); poll again later with the same token"
                        ),
                    ));
                }
                bounds.sleep(wait)?;
            }
            polls += 1;
            let (result, body) = self.get_result_until(token, bounds)?;
            if result.status.is_terminal() {
                return Ok((result, body, polls));
            }
        }
        Err(Error::new(
            ResultCode::PollAttemptsExhausted,
            format!(
                "no verdict for token {token} after {polls} polls (the plan's maximum); \
                 the verification may still finish: poll again later with the same token"
            ),
        ))
    }

    /// Sign and send any action of the client's product (its version and signing service)
    /// with a JSON body; returns the whole response. The body is sent byte for byte as given. Retries (when enabled)
    /// follow [`crate::retry`]: only `Get*` actions are treated as idempotent.
    pub fn call_json(&self, action: &str, body: &str) -> Result<RawResponse> {
        RawResponse::new(self.call_json_body(action, body)?)
    }

    /// [`call_json`](Self::call_json) with the body as text only (no `serde_json::Value`),
    /// for the C ABI.
    pub(crate) fn call_json_body(&self, action: &str, body: &str) -> Result<String> {
        if action.is_empty() || !action.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::new(
                ResultCode::InvalidArgument,
                format!("action {action:?} is not an action name"),
            ));
        }
        Ok(self.call_raw(action, body.as_bytes())?.body)
    }

    fn call_raw(&self, action: &str, body: &[u8]) -> Result<Answer> {
        self.call_until(action, body, Bounds::new(self.call_timeout, None))
    }

    /// One call with retries, bounded by the bounds' deadline and by the call timeout;
    /// FaceID's `ActionOffline` / `InvalidAction` says how to switch to OCR.
    fn call_until(&self, action: &str, body: &[u8], bounds: Bounds<'_>) -> Result<Answer> {
        self.call_with_retries(action, body, bounds)
            .map_err(|error| match (self.api, error.code()) {
                (Api::FaceId, ResultCode::ServiceActionOffline) => error.with_hint(SWITCH_TO_OCR),
                _ => error,
            })
    }

    fn call_with_retries(&self, action: &str, body: &[u8], bounds: Bounds<'_>) -> Result<Answer> {
        let deadline = bounds.until.min(Instant::now() + self.call_timeout);
        let idempotent = action.starts_with("Get");
        let mut attempt = 1;
        let mut clock_corrected = false;
        loop {
            bounds.check()?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(crate::http::timeout_error(self.call_timeout));
            }
            let failure = match self.attempt(action, body, remaining, bounds.cancel) {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            if failure.error.code() == ResultCode::Cancelled {
                return Err(failure.error);
            }
            let expired = failure.error.service_code() == Some("AuthFailure.SignatureExpire");
            if expired && self.learn_clock_offset && !clock_corrected {
                if let Some(server_time) = failure.server_time {
                    self.clock_offset
                        .store(server_time.saturating_sub(unix_now()), Ordering::Relaxed);
                    clock_corrected = true;
                    continue;
                }
            }
            if !self
                .retry
                .should_retry(&failure.error, attempt, idempotent, failure.not_sent)
            {
                return Err(failure.error);
            }
            let backoff = self.retry.backoff(attempt);
            if Instant::now() + backoff >= deadline {
                return Err(failure.error);
            }
            bounds.sleep(backoff)?;
            attempt += 1;
        }
    }

    fn attempt(
        &self,
        action: &str,
        body: &[u8],
        timeout: Duration,
        cancel: Option<&Cancel>,
    ) -> std::result::Result<Answer, AttemptFailure> {
        if let Some(limit) = &self.rate_limit {
            limit.wait();
        }
        let timestamp = unix_now().saturating_add(self.clock_offset.load(Ordering::Relaxed));
        let input = SigningInput {
            method: sign::Method::Post,
            host: self.endpoint.host(),
            query: "",
            content_type: sign::CONTENT_TYPE_JSON,
            payload: Payload::Body(body),
            service: self.api.service(),
            timestamp,
            extra_signed_headers: &[],
        };
        let call = CallContext {
            action,
            version: self.api.version(),
            region: &self.region,
            language: &self.language,
            request_client: REQUEST_CLIENT,
        };
        // One credentials snapshot per request; the day's signing key is derived once per
        // snapshot and reused; the body is hashed once, here.
        let signer = self
            .credentials
            .signer()
            .map_err(AttemptFailure::not_sent)?;
        let authorization = signer
            .authorization(&input)
            .map_err(AttemptFailure::not_sent)?;
        let mut decimal = itoa::Buffer::new();
        let timestamp = decimal.format(timestamp);
        let mut headers = Vec::with_capacity(12);
        headers.push(("Authorization", authorization.as_str()));
        headers.extend(sign::header_values(
            signer.credential(),
            &input,
            &call,
            timestamp,
        ));
        let request = Request {
            method: "POST",
            path: "/",
            headers: &headers,
            body,
        };
        let limits = Limits::from_now(timeout, self.max_response_bytes);
        // On this thread; a trigger shuts the connection down (see crate::transport).
        let outcome = self.http.call(&self.origin, &request, &limits, cancel);
        let response = match (outcome, cancel) {
            (Ok(response), _) => response,
            // Cancelled while in flight: whatever the connection then reported, the cause is
            // the cancel (not retried: the request may have been written).
            (Err(_), Some(cancel)) if cancel.is_triggered() => {
                return Err(AttemptFailure::sent(Error::new(
                    ResultCode::Cancelled,
                    format!(
                        "the call was cancelled while its {action} request was in flight \
                         (it may have reached the service)"
                    ),
                )))
            }
            (Err(failure), _) => {
                return Err(AttemptFailure {
                    error: failure.error,
                    server_time: None,
                    not_sent: failure.not_sent,
                })
            }
        };
        // The server's clock (for the clock-skew correction), read only for a failure.
        let with_time = |error: Error| AttemptFailure {
            error,
            server_time: response
                .date
                .as_deref()
                .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
                .map(|d| d.timestamp()),
            not_sent: false,
        };
        let status = response.status;
        if status != 200 {
            return Err(with_time(
                Error::new(
                    ResultCode::HttpStatus,
                    format!("HTTP {status}: {:?}", api::body_excerpt(&response.body)),
                )
                .with_http_status(status),
            ));
        }
        let body = match String::from_utf8(response.body) {
            Ok(body) => body,
            Err(not_text) => {
                // A JSON reading of the bytes names the first bad one.
                let error = api::parse_envelope_value(not_text.as_bytes())
                    .err()
                    .unwrap_or_else(|| {
                        Error::new(ResultCode::Protocol, "the response is not UTF-8")
                    });
                return Err(with_time(error.with_http_status(status)));
            }
        };
        answer::check_envelope(&body).map_err(|e| with_time(e.with_http_status(status)))?;
        Ok(Answer { body })
    }
}

/// What bounds a call: its deadline and, optionally, a cancel handle.
#[derive(Clone, Copy)]
struct Bounds<'a> {
    until: Instant,
    cancel: Option<&'a Cancel>,
}

impl<'a> Bounds<'a> {
    /// `deadline` from now (saturating: a deadline past the clock's range is "an hour").
    fn new(deadline: Duration, cancel: Option<&'a Cancel>) -> Bounds<'a> {
        let now = Instant::now();
        let until = now
            .checked_add(deadline)
            .unwrap_or_else(|| now + Duration::from_secs(3600));
        Bounds { until, cancel }
    }

    /// [`ResultCode::Cancelled`] when the handle was triggered.
    fn check(&self) -> Result<()> {
        match self.cancel {
            Some(cancel) if cancel.is_triggered() => Err(crate::cancel::cancelled_error()),
            _ => Ok(()),
        }
    }

    /// Sleep, waking at once when cancelled.
    fn sleep(&self, duration: Duration) -> Result<()> {
        let cancelled = match self.cancel {
            Some(cancel) => cancel.sleep(duration),
            None => {
                std::thread::sleep(duration);
                false
            }
        };
        if cancelled {
            return Err(crate::cancel::cancelled_error());
        }
        Ok(())
    }
}

/// A 200 answer whose envelope was checked: no service error, a RequestId.
struct Answer {
    /// The whole body, `{"Response":{...}}`.
    body: String,
}

impl Answer {
    /// Its `Response` as `T` (a protocol error when the fields do not fit).
    fn typed<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        answer::typed(&self.body)
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
