//! The service itself, without the network: one received request in, one answer out. Keeps the
//! tokens and the counters; the HTTP plumbing (faults, delays, body limits) is in `server`.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher as _, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Datelike as _;

use tcfaceid::api::{ApplyCardVerificationResponse, CardVerificationResult, VerificationStatus};
use tcfaceid::card::{CardType, Nationality};
use tcfaceid::product::Api;

use crate::cards;
use crate::config::{EmulatorConfig, Verdict};
use crate::credentials::CredentialAuthority;
use crate::ocr::{self, OcrApplication};
use crate::reply::{code, ApiError, IdGenerator, Reply};
use crate::rules::{self, Application, Params};
use crate::stats::Counters;
use crate::verify::{self, Incoming};

/// One verification, from ApplyCardVerification to its verdict.
#[derive(Debug)]
struct Job {
    nationality: Nationality,
    card_type: CardType,
    verdict: Verdict,
    /// GetCardVerificationResult calls answered so far for this token.
    polls: u32,
    /// PROCESSING until then (`EmulatorConfig::polling_wait_ms` after the apply; `None`: a
    /// wait too long to represent, never).
    ready_at: Option<Instant>,
    /// Returned as `IDVerificationToken` with the verdict.
    id_verification_token: String,
    /// OCR jobs: what the request asked for (FaceID jobs: `None`). A token is only good for
    /// the product that issued it.
    ocr: Option<OcrApplication>,
}

/// The emulated service's state. Tokens live as long as the emulator.
pub(crate) struct Service {
    pub config: EmulatorConfig,
    pub stats: Counters,
    pub ids: IdGenerator,
    /// The metadata service and STS, and the temporary keys they issued.
    pub credentials: CredentialAuthority,
    jobs: Mutex<HashMap<String, Job>>,
    /// Hashes of every apply's body and query, to count repeated applies.
    applied: Mutex<(RandomState, HashSet<u64>)>,
}

impl Service {
    pub fn new(config: EmulatorConfig) -> Service {
        Service {
            credentials: CredentialAuthority::new(
                config.credentials.clone(),
                &config.secret_id,
                &config.secret_key,
            ),
            config,
            stats: Counters::default(),
            ids: IdGenerator::new(),
            jobs: Mutex::new(HashMap::new()),
            applied: Mutex::new((RandomState::new(), HashSet::new())),
        }
    }

    /// Answer one received request at the emulator's time `now` (Unix seconds).
    pub fn answer(&self, incoming: &Incoming<'_>, now: i64) -> Reply {
        let request_id = self.ids.next();
        if let Some(reply) = self.credentials.answer(incoming, now, &request_id) {
            return reply;
        }
        match self.dispatch(incoming, now, &request_id) {
            Ok(reply) => reply,
            Err(error) => {
                self.stats.error(error.code);
                Reply::error(error, request_id)
            }
        }
    }

    /// The error envelope for a body over the size limit (counted like every other error).
    pub fn too_large(&self) -> Reply {
        let error = ApiError::new(
            code::REQUEST_SIZE_LIMIT_EXCEEDED,
            format!(
                "The request body exceeds the limit of {} bytes.",
                self.config.max_body_bytes
            ),
        );
        self.stats.error(error.code);
        Reply::error(error, self.ids.next())
    }

    fn dispatch(
        &self,
        incoming: &Incoming<'_>,
        now: i64,
        request_id: &str,
    ) -> Result<Reply, ApiError> {
        let call = verify::verify(incoming, &self.config, &self.credentials, now)?;
        let api = call.api;
        let apply = match call.action {
            action if action == api.apply_action() => {
                self.stats.bump(|c| &c.apply_calls);
                self.count_repeat(incoming);
                true
            }
            action if action == api.result_action() => {
                self.stats.bump(|c| &c.result_calls);
                false
            }
            other => {
                self.stats.bump(|c| &c.other_calls);
                let product = match api {
                    Api::FaceId => "FaceID",
                    Api::Ocr => "OCR",
                };
                return Err(ApiError::new(
                    code::INVALID_ACTION,
                    format!(
                        "The action {other:?} does not exist in {product} {}.",
                        api.version()
                    ),
                ));
            }
        };
        if self.config.offline || (self.config.faceid_offline && api == Api::FaceId) {
            return Err(ApiError::new(
                code::ACTION_OFFLINE,
                format!(
                    "The action {} has been retired and is no longer available.",
                    call.action
                ),
            ));
        }
        let params = rules::params(call.method, incoming)?;
        match (apply, api) {
            (true, Api::FaceId) => self.apply(&params, request_id),
            (true, Api::Ocr) => self.apply_ocr(&params, request_id),
            (false, _) => self.get_result(&params, api, now, request_id),
        }
    }

    /// Count an apply whose body and query were seen before (a retry repeats them).
    fn count_repeat(&self, incoming: &Incoming<'_>) {
        let mut applied = self
            .applied
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let hash = applied.0.hash_one((incoming.body, incoming.query()));
        if !applied.1.insert(hash) {
            self.stats.bump(|c| &c.repeated_applies);
        }
    }

    fn apply(&self, params: &Params, request_id: &str) -> Result<Reply, ApiError> {
        let Application {
            nationality,
            card_type,
            verdict,
        } = rules::check_apply(params, self.config.verdict)?;
        let token = self.issue(nationality, card_type, verdict, None);
        let hints = self.config.polling_hints;
        let response = ApplyCardVerificationResponse {
            card_verification_token: token,
            async_card_verification_max_polling_times: hints
                .then_some(self.config.max_polling_times),
            async_card_verification_polling_wait_time: hints
                .then_some(self.config.polling_wait_secs),
            request_id: request_id.to_owned(),
        };
        let mut response = serde_json::to_value(&response).expect("a response serialises");
        if let Some(fields) = response.as_object_mut() {
            fields.retain(|_, value| !value.is_null());
        }
        Ok(Reply::success(&response, request_id.to_owned()))
    }

    /// ApplyCardVerificationExternal: a token and the RequestId, no polling hints.
    fn apply_ocr(&self, params: &Params, request_id: &str) -> Result<Reply, ApiError> {
        let application = ocr::check_apply(params, self.config.verdict)?;
        let token = self.issue(
            application.nationality.clone(),
            application.card_type.clone(),
            application.verdict,
            Some(application),
        );
        let response =
            serde_json::json!({ "CardVerificationToken": token, "RequestId": request_id });
        Ok(Reply::success(&response, request_id.to_owned()))
    }

    /// Record a new job and return its token.
    fn issue(
        &self,
        nationality: Nationality,
        card_type: CardType,
        verdict: Verdict,
        ocr: Option<OcrApplication>,
    ) -> String {
        let token = self.ids.next();
        let job = Job {
            nationality,
            card_type,
            verdict,
            polls: 0,
            ready_at: Instant::now()
                .checked_add(Duration::from_millis(self.config.polling_wait_ms)),
            id_verification_token: self.ids.next(),
            ocr,
        };
        self.lock_jobs().insert(token.clone(), job);
        self.stats.bump(|c| &c.tokens_issued);
        token
    }

    fn get_result(
        &self,
        params: &Params,
        api: Api,
        now: i64,
        request_id: &str,
    ) -> Result<Reply, ApiError> {
        let token = rules::check_get_result(params)?;
        let mut jobs = self.lock_jobs();
        let job = jobs
            .get_mut(token)
            .filter(|job| job.ocr.is_some() == (api == Api::Ocr))
            .ok_or_else(|| {
                ApiError::new(
                    code::VALUE_LIMIT,
                    "The CardVerificationToken is invalid or has expired.",
                )
            })?;
        job.polls = job.polls.saturating_add(1);
        let mut result = CardVerificationResult {
            status: VerificationStatus::Processing,
            warn_info: None,
            nationality: None,
            card_type: None,
            card_sub_type: None,
            card_info: None,
            id_verification_token: None,
            request_id: request_id.to_owned(),
            ..Default::default()
        };
        if job.polls <= self.config.processing_polls
            || job.ready_at.is_none_or(|at| Instant::now() < at)
        {
            self.stats.bump(|c| &c.processing_answers);
            if job.ocr.is_some() {
                result.card_verification_token = Some(token.to_owned());
                result.head_image_base64 = Some(String::new());
            }
        } else if let Some(application) = &job.ocr {
            ocr::final_result(application, self.config.ocr_status, token, &mut result);
            self.stats.bump(|c| &c.verdicts);
        } else {
            let year =
                chrono::DateTime::from_timestamp(now, 0).map_or(2025, |d| i64::from(d.year()));
            result.status = job.verdict.status();
            result.warn_info = Some(job.verdict.warn_info());
            result.nationality = Some(job.nationality.as_str().to_owned());
            result.card_type = Some(job.card_type.as_str().to_owned());
            result.card_sub_type = Some(cards::card_sub_type(&job.card_type).to_owned());
            result.card_info = Some(cards::card_info(&job.nationality, &job.card_type, year));
            result.id_verification_token = Some(job.id_verification_token.clone());
            self.stats.bump(|c| &c.verdicts);
        }
        drop(jobs);
        Ok(Reply::success(&result, request_id.to_owned()))
    }

    fn lock_jobs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        // A panic while holding the lock cannot leave a job half-written (each update is one
        // assignment), so a poisoned map is still good to use.
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcfaceid::api::{ACTION_APPLY, ACTION_GET_RESULT};
    use tcfaceid::credential::Credential;
    use tcfaceid::sign::{self, CallContext, Method, Payload, SigningInput};

    const NOW: i64 = 1_700_000_000;
    const HOST: &str = "127.0.0.1:9";

    fn service(config: EmulatorConfig) -> Service {
        Service::new(EmulatorConfig {
            log: false,
            ..config
        })
    }

    /// Sign and "send" one POST the way a client does, and return the parsed answer.
    fn call(
        service: &Service,
        key: &str,
        action: &str,
        body: &str,
        timestamp: i64,
    ) -> serde_json::Value {
        let credential = Credential::new(&service.config.secret_id, key, None).unwrap();
        let input = SigningInput {
            method: Method::Post,
            host: HOST,
            query: "",
            content_type: sign::CONTENT_TYPE_JSON,
            payload: Payload::Body(body.as_bytes()),
            service: sign::SERVICE,
            timestamp,
            extra_signed_headers: &[],
        };
        let signature = sign::sign(&credential, &input).unwrap();
        let context = CallContext {
            action,
            version: tcfaceid::api::API_VERSION,
            region: "ap-singapore",
            language: "",
            request_client: "",
        };
        let headers: Vec<(String, String)> =
            sign::request_headers(&credential, &input, &context, &signature)
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .collect();
        let incoming = Incoming {
            method: "POST",
            url: "/",
            headers: &headers,
            body: body.as_bytes(),
        };
        let reply = service.answer(&incoming, NOW);
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn apply_then_poll_to_a_verdict() {
        let service = service(EmulatorConfig::default());
        let key = service.config.secret_key.clone();
        let body = r#"{"Nationality":"HKG","CardType":"ID_CARD","ImageUrlFront":"https://x/f.jpg","ImageUrlBack":"https://x/b.jpg"}"#;
        let applied = call(&service, &key, ACTION_APPLY, body, NOW);
        let token = applied["Response"]["CardVerificationToken"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            applied["Response"]["AsyncCardVerificationMaxPollingTimes"],
            60
        );
        let poll = format!(r#"{{"CardVerificationToken":"{token}"}}"#);
        for _ in 0..2 {
            let r = call(&service, &key, ACTION_GET_RESULT, &poll, NOW);
            assert_eq!(r["Response"]["Status"], "PROCESSING");
            assert!(r["Response"]["CardInfo"].is_null());
        }
        let r = call(&service, &key, ACTION_GET_RESULT, &poll, NOW);
        assert_eq!(r["Response"]["Status"], "PASSED");
        assert_eq!(r["Response"]["WarnInfo"], serde_json::json!([]));
        assert_eq!(r["Response"]["CardSubType"], "NATIONAL_ID");
        assert_eq!(
            r["Response"]["CardInfo"]["HKIDCard"]["EnName"],
            "SAMPLE, Jane"
        );
        let stats = service.stats.snapshot();
        assert_eq!(
            (stats.apply_calls, stats.result_calls, stats.tokens_issued),
            (1, 3, 1)
        );
        assert_eq!(
            (stats.processing_answers, stats.verdicts, stats.errors),
            (2, 1, 0)
        );
    }

    #[test]
    fn the_skew_limit_is_300_seconds_either_way() {
        let service = service(EmulatorConfig::default());
        let key = service.config.secret_key.clone();
        let code_at = |ts: i64| {
            call(
                &service,
                &key,
                ACTION_GET_RESULT,
                r#"{"CardVerificationToken":"t"}"#,
                ts,
            )["Response"]["Error"]["Code"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        for ts in [NOW - 300, NOW + 300] {
            assert_eq!(
                code_at(ts),
                code::VALUE_LIMIT,
                "{ts}: reaches the token check"
            );
        }
        for ts in [NOW - 301, NOW + 301] {
            assert_eq!(code_at(ts), code::SIGNATURE_EXPIRE, "{ts}");
        }
    }

    #[test]
    fn a_wrong_key_is_a_signature_failure() {
        let service = service(EmulatorConfig::default());
        let r = call(&service, "wrong-key", ACTION_GET_RESULT, "{}", NOW);
        assert_eq!(r["Response"]["Error"]["Code"], code::SIGNATURE_FAILURE);
        assert_eq!(service.stats.snapshot().signature_failures, 1);
        assert_eq!(
            service.stats.snapshot().result_calls,
            0,
            "not counted before authentication"
        );
    }
}
