//! The emulator over real loopback HTTP, driven by a minimal client written here (ureq 3 and the
//! crate's `sign` module), so the emulator is checked independently of the crate's client.
//!
//! Run with `cargo test -p tcfaceid-emulator --test emulator`.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{json, Value};
use tcfaceid::api::{ACTION_APPLY, ACTION_GET_RESULT, API_VERSION};
use tcfaceid::sign::{self, CallContext, Method, Payload, SigningInput};
use tcfaceid::Credential;
use tcfaceid_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, Verdict, DEMO_SECRET_ID, DEMO_SECRET_KEY,
};

fn quick() -> EmulatorConfig {
    EmulatorConfig {
        processing_polls: 0,
        polling_wait_secs: 0,
        threads: 4,
        log: false,
        ..EmulatorConfig::default()
    }
}

fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).expect("the emulator starts")
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    )
}

/// One signed call, with every knob a test may turn.
#[derive(Clone)]
struct Call {
    method: Method,
    action: String,
    body: Vec<u8>,
    query: String,
    content_type: String,
    timestamp: i64,
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    region: String,
    version: String,
    language: String,
    /// The Host signed, when it should differ from the Host sent.
    signed_host: Option<String>,
    unsigned_payload: bool,
    /// Headers signed besides content-type and host (and sent).
    extra_signed: Vec<(String, String)>,
}

/// What came back.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    date: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn response(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        assert!(
            self.content_type.starts_with("application/json"),
            "{}",
            self.content_type
        );
        let response = self.json()["Response"].clone();
        assert!(
            response["RequestId"]
                .as_str()
                .is_some_and(|id| id.len() == 36),
            "{response}"
        );
        response
    }

    /// `Response.Error.Code`, or `"OK"` for a success envelope.
    fn code(&self) -> String {
        self.response()["Error"]["Code"]
            .as_str()
            .unwrap_or("OK")
            .to_owned()
    }
}

impl Call {
    fn post(action: &str, body: impl Into<Vec<u8>>) -> Call {
        Call {
            method: Method::Post,
            action: action.to_owned(),
            body: body.into(),
            query: String::new(),
            content_type: sign::CONTENT_TYPE_JSON.to_owned(),
            timestamp: unix_now(),
            secret_id: DEMO_SECRET_ID.to_owned(),
            secret_key: DEMO_SECRET_KEY.to_owned(),
            token: None,
            region: "ap-singapore".to_owned(),
            version: API_VERSION.to_owned(),
            language: "en-US".to_owned(),
            signed_host: None,
            unsigned_payload: false,
            extra_signed: Vec::new(),
        }
    }

    fn get(action: &str, query: &str) -> Call {
        Call {
            method: Method::Get,
            query: query.to_owned(),
            content_type: sign::CONTENT_TYPE_FORM.to_owned(),
            ..Call::post(action, Vec::new())
        }
    }

    fn headers(&self, emulator: &Emulator) -> Vec<(String, String)> {
        let credential =
            Credential::new(&self.secret_id, &self.secret_key, self.token.as_deref()).unwrap();
        let sent_host = emulator.host();
        let extra: Vec<(&str, &str)> = self
            .extra_signed
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let input = SigningInput {
            method: self.method,
            host: self.signed_host.as_deref().unwrap_or(&sent_host),
            query: &self.query,
            content_type: &self.content_type,
            payload: if self.unsigned_payload {
                Payload::Unsigned
            } else {
                Payload::Body(&self.body)
            },
            service: sign::SERVICE,
            timestamp: self.timestamp,
            extra_signed_headers: &extra,
        };
        let signature = sign::sign(&credential, &input).unwrap();
        let context = CallContext {
            action: &self.action,
            version: &self.version,
            region: &self.region,
            language: &self.language,
            request_client: "tcfaceid-emulator-test",
        };
        let mut headers: Vec<(String, String)> =
            sign::request_headers(&credential, &input, &context, &signature)
                .into_iter()
                .map(|(name, value)| {
                    (
                        name.to_owned(),
                        if name == "Host" {
                            sent_host.clone()
                        } else {
                            value
                        },
                    )
                })
                .collect();
        headers.extend(
            self.extra_signed
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("x-tc-action"))
                .cloned(),
        );
        headers
    }

    fn try_send(&self, emulator: &Emulator) -> Result<Answer, ureq::Error> {
        self.try_send_with(emulator, &agent())
    }

    fn try_send_with(
        &self,
        emulator: &Emulator,
        agent: &ureq::Agent,
    ) -> Result<Answer, ureq::Error> {
        let mut url = format!("{}/", emulator.endpoint());
        if !self.query.is_empty() {
            url = format!("{url}?{}", self.query);
        }
        let headers = self.headers(emulator);
        let mut response = match self.method {
            Method::Post => {
                let mut request = agent.post(&url);
                for (name, value) in &headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.send(&self.body[..])?
            }
            Method::Get => {
                let mut request = agent.get(&url);
                for (name, value) in &headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.call()?
            }
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (content_type, date) = (header("content-type").unwrap_or_default(), header("date"));
        Ok(Answer {
            status: response.status().as_u16(),
            content_type,
            date,
            body: response.body_mut().read_to_string()?,
        })
    }

    fn send(&self, emulator: &Emulator) -> Answer {
        self.try_send(emulator)
            .unwrap_or_else(|e| panic!("transport error: {e}"))
    }
}

const FRONT: &str = "https://example.com/front.jpg";
const BACK: &str = "https://example.com/back.jpg";

fn apply_body(nationality: &str, card_type: &str, front_url: &str) -> String {
    json!({"Nationality": nationality, "CardType": card_type, "ImageUrlFront": front_url, "ImageUrlBack": BACK})
        .to_string()
}

fn token_body(token: &str) -> String {
    json!({ "CardVerificationToken": token }).to_string()
}

fn apply(emulator: &Emulator, nationality: &str, card_type: &str, front_url: &str) -> String {
    let answer =
        Call::post(ACTION_APPLY, apply_body(nationality, card_type, front_url)).send(emulator);
    let response = answer.response();
    response["CardVerificationToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{response}"))
        .to_owned()
}

fn poll(emulator: &Emulator, token: &str) -> Value {
    Call::post(ACTION_GET_RESULT, token_body(token))
        .send(emulator)
        .response()
}

/// A PNG that passes the header checks (signature + IHDR), as base64.
fn png_base64(width: u32, height: u32) -> String {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    base64::engine::general_purpose::STANDARD.encode(png)
}

#[test]
fn apply_then_processing_polls_then_the_verdict() {
    let emulator = start(EmulatorConfig {
        processing_polls: 2,
        polling_wait_secs: 3,
        ..quick()
    });
    let answer = Call::post(ACTION_APPLY, apply_body("HKG", "ID_CARD", FRONT)).send(&emulator);
    let applied = answer.response();
    assert_eq!(applied["AsyncCardVerificationPollingWaitTime"], 3);
    assert_eq!(applied["AsyncCardVerificationMaxPollingTimes"], 60);
    let token = applied["CardVerificationToken"].as_str().unwrap();
    assert_eq!(token.len(), 36);
    for _ in 0..2 {
        let r = poll(&emulator, token);
        assert_eq!(r["Status"], "PROCESSING");
        assert!(r["CardInfo"].is_null(), "{r}");
    }
    let r = poll(&emulator, token);
    assert_eq!(r["Status"], "PASSED");
    assert_eq!(r["WarnInfo"], json!([]));
    assert_eq!(
        (r["Nationality"].as_str(), r["CardType"].as_str()),
        (Some("HKG"), Some("ID_CARD"))
    );
    assert_eq!(r["CardSubType"], "NATIONAL_ID");
    assert!(r["IDVerificationToken"]
        .as_str()
        .is_some_and(|t| t.len() == 36));
    let info = r["CardInfo"].as_object().unwrap();
    assert_eq!(info.keys().collect::<Vec<_>>(), ["HKIDCard"]);
    assert_eq!(info["HKIDCard"]["IdNum"], "C123456(9)");
    // The verdict stays once reached, and parses with the crate's own model.
    let again: tcfaceid::CardVerificationResult =
        serde_json::from_value(poll(&emulator, token)).unwrap();
    assert_eq!(again.status, tcfaceid::VerificationStatus::Passed);
    assert!(again.card_info.unwrap().hk_id_card.is_some());

    let stats = emulator.stats();
    assert_eq!(
        (stats.requests, stats.apply_calls, stats.result_calls),
        (5, 1, 4)
    );
    assert_eq!(
        (
            stats.tokens_issued,
            stats.processing_answers,
            stats.verdicts
        ),
        (1, 2, 2)
    );
    assert_eq!((stats.errors, stats.faults), (0, 0));
}

fn apply_token(emulator: &Emulator) -> (Value, String) {
    let applied = Call::post(ACTION_APPLY, apply_body("HKG", "ID_CARD", FRONT))
        .send(emulator)
        .response();
    let token = applied["CardVerificationToken"]
        .as_str()
        .unwrap()
        .to_owned();
    (applied, token)
}

#[test]
fn a_verification_takes_the_polling_wait_in_milliseconds() {
    const WAIT: Duration = Duration::from_millis(300);
    let emulator = start(EmulatorConfig {
        polling_wait_ms: WAIT.as_millis() as u64,
        polling_wait_secs: EmulatorConfig::hint_secs(300),
        ..quick()
    });
    let start = Instant::now();
    let (applied, token) = apply_token(&emulator);
    assert_eq!(applied["AsyncCardVerificationPollingWaitTime"], 1);
    // PROCESSING however often it is asked, until the wait has passed since the apply; then
    // the verdict. No sleep: the test polls as fast as it can.
    let mut processing = 0;
    loop {
        let status = poll(&emulator, &token)["Status"].clone();
        if status == "PASSED" {
            break;
        }
        assert_eq!(status, "PROCESSING");
        processing += 1;
        assert!(start.elapsed() < WAIT * 100, "no verdict");
    }
    assert!(
        start.elapsed() >= WAIT,
        "a verdict after {:?}",
        start.elapsed()
    );
    assert!(processing >= 1);
    let stats = emulator.stats();
    assert_eq!((stats.processing_answers, stats.verdicts), (processing, 1));
}

#[test]
fn without_polling_hints_the_apply_answer_has_none() {
    let emulator = start(EmulatorConfig {
        polling_hints: false,
        ..quick()
    });
    let (applied, token) = apply_token(&emulator);
    let fields: Vec<_> = applied.as_object().unwrap().keys().cloned().collect();
    assert_eq!(fields, ["CardVerificationToken", "RequestId"], "{applied}");
    assert_eq!(poll(&emulator, &token)["Status"], "PASSED");
}

#[test]
fn the_counters_over_http_and_a_wait_for_them() {
    let emulator = start(quick());
    let get = |query: &str| {
        let mut answer = agent()
            .get(&format!("{}/__emulator/stats{query}", emulator.endpoint()))
            .call()
            .unwrap();
        let status = answer.status().as_u16();
        (status, answer.body_mut().read_to_string().unwrap())
    };
    let (status, body) = get("");
    assert_eq!(status, 200, "{body}");
    let stats: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stats["requests"], 0, "the stats requests are not counted");
    assert_eq!(stats["credentials"]["keys_issued"], 0);

    // A waiter blocks until the apply arrives, on another thread; then sees it counted.
    let endpoint = emulator.endpoint();
    let waiter = std::thread::spawn(move || {
        let mut answer = agent()
            .get(&format!("{endpoint}/__emulator/stats?wait=apply_calls:1"))
            .call()
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        answer.body_mut().read_to_string().unwrap()
    });
    let (_, token) = apply_token(&emulator);
    let seen: Value = serde_json::from_str(&waiter.join().unwrap()).unwrap();
    assert_eq!(seen["apply_calls"], 1);
    poll(&emulator, &token);
    Call::post(ACTION_APPLY, apply_body("HKG", "ID_CARD", FRONT)).send(&emulator);
    let stats: Value = serde_json::from_str(&get("?wait=verdicts:1").1).unwrap();
    assert_eq!(
        (
            &stats["apply_calls"],
            &stats["repeated_applies"],
            &stats["result_calls"]
        ),
        (&json!(2), &json!(1), &json!(1)),
        "the same body twice is a repeated apply"
    );
    assert_eq!(stats["requests"], 3);
    // The same counters as `Emulator::stats`.
    for (name, value) in serde_json::to_value(emulator.stats())
        .unwrap()
        .as_object()
        .unwrap()
    {
        assert_eq!(&stats[name], value, "{name}");
    }

    // A wait that is not met ends at its timeout with 504; bad queries are 400, other paths 404.
    assert_eq!(get("?wait=faults:1&timeout_ms=1").0, 504);
    assert_eq!(get("?wait=no_such:1").0, 400);
    assert_eq!(get("?bogus=1").0, 400);
    let missing = agent()
        .get(&format!("{}/__emulator/nothing", emulator.endpoint()))
        .call()
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

#[test]
fn the_counters_are_never_faulted_and_a_wait_ends_at_shutdown() {
    let emulator = start(EmulatorConfig {
        fault: Fault::always(FaultKind::Drop),
        ..quick()
    });
    let url = format!("{}/__emulator/stats", emulator.endpoint());
    let answer = agent().get(&url).call().unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let waiting = std::thread::spawn(move || {
        // Never met: only the shutdown ends it, with 504 (or a closed connection).
        agent()
            .get(&format!("{url}?wait=verdicts:1"))
            .call()
            .map(|a| a.status().as_u16())
    });
    // Whether the wait has begun cannot be observed: the shutdown must be prompt at any stage
    // (a wait in progress is woken by it; see also the unit test of `wait_until`).
    let begin = Instant::now();
    emulator.shutdown();
    let outcome = waiting.join().unwrap();
    assert!(
        begin.elapsed() < Duration::from_secs(20),
        "shutdown waited for the wait: {:?}",
        begin.elapsed()
    );
    assert!(matches!(outcome, Ok(504) | Err(_)), "{outcome:?}");
}

#[test]
fn each_document_gets_the_card_info_struct_that_fits() {
    let emulator = start(quick());
    let cases = [
        ("IDN", "ID_CARD", "IndonesiaIDCard", "NATIONAL_ID"),
        (
            "IDN",
            "DRIVING_LICENSE",
            "IndonesiaDrivingLicense",
            "REGULAR_DRIVING_LICENSE",
        ),
        ("HKG", "ID_CARD", "HKIDCard", "NATIONAL_ID"),
        ("THA", "ID_CARD", "ThailandIDCard", "NATIONAL_ID"),
        ("MYS", "ID_CARD", "MLIDCard", "NATIONAL_ID"),
        ("SGP", "ID_CARD", "SingaporeIDCard", "NATIONAL_ID"),
        ("JPN", "ID_CARD", "JapanIDCard", "NATIONAL_ID"),
        ("TWN", "ID_CARD", "TaiWanIDCard", "NATIONAL_ID"),
        ("BGD", "ID_CARD", "BangladeshIDCard", "NATIONAL_ID"),
        ("NGA", "ID_CARD", "NigeriaIDCard", "NATIONAL_ID"),
        (
            "NGA",
            "DRIVING_LICENSE",
            "NigeriaDrivingLicense",
            "REGULAR_DRIVING_LICENSE",
        ),
        ("PAK", "ID_CARD", "PakistanIDCard", "NATIONAL_ID"),
        (
            "PAK",
            "DRIVING_LICENSE",
            "PakistanDrivingLicense",
            "REGULAR_DRIVING_LICENSE",
        ),
        ("JPN", "PASSPORT", "InternationalIDPassport", "E_PASSPORT"),
        ("AUTO", "PASSPORT", "InternationalIDPassport", "E_PASSPORT"),
        (
            "THA",
            "DRIVING_LICENSE",
            "GeneralCard",
            "REGULAR_DRIVING_LICENSE",
        ),
        ("IDN", "AUTO", "GeneralCard", "OTHER_ID"),
        ("AUTO", "AUTO", "GeneralCard", "OTHER_ID"),
    ];
    for (nationality, card_type, member, sub_type) in cases {
        let token = apply(&emulator, nationality, card_type, FRONT);
        let r = poll(&emulator, &token);
        let info = r["CardInfo"].as_object().unwrap();
        assert_eq!(
            info.keys().collect::<Vec<_>>(),
            [member],
            "{nationality} {card_type}"
        );
        assert_eq!(r["CardSubType"], sub_type, "{nationality} {card_type}");
        assert_eq!(r["Nationality"], nationality);
        assert_eq!(r["CardType"], card_type);
        if member == "GeneralCard" {
            assert!(
                info[member]["Address"]["FormattedAddress"].is_string(),
                "nested Address"
            );
        }
        if member == "InternationalIDPassport" {
            assert_eq!(
                info[member]["PassportCodeSecond"].as_str().map(str::len),
                Some(44)
            );
        }
    }
}

#[test]
fn warning_and_rejected_are_reached_through_the_front_url() {
    let emulator = start(quick());
    for (url, status, warn) in [
        (
            "https://example.com/Warning/front.jpg",
            "WARNING",
            json!(["PoorImageQuality"]),
        ),
        (
            "https://example.com/front-REJECTED.jpg",
            "REJECTED",
            json!(["FakeSuspected"]),
        ),
        (
            "https://example.com/rejected-warning.jpg",
            "REJECTED",
            json!(["FakeSuspected"]),
        ),
        (FRONT, "PASSED", json!([])),
    ] {
        let r = poll(&emulator, &apply(&emulator, "IDN", "ID_CARD", url));
        assert_eq!(r["Status"], status, "{url}");
        assert_eq!(r["WarnInfo"], warn, "{url}");
        assert!(r["CardInfo"]["IndonesiaIDCard"].is_object());
    }
    let strict = start(EmulatorConfig {
        verdict: Verdict::Warning,
        ..quick()
    });
    assert_eq!(
        poll(&strict, &apply(&strict, "IDN", "ID_CARD", FRONT))["Status"],
        "WARNING"
    );
}

#[test]
fn signature_and_credential_failures() {
    let emulator = start(quick());
    let good = Call::post(ACTION_GET_RESULT, token_body("no-such-token"));
    assert_eq!(
        good.send(&emulator).code(),
        "InvalidParameterValue.InvalidParameterValueLimit"
    );

    let wrong_key = Call {
        secret_key: "not-the-demo-key".to_owned(),
        ..good.clone()
    };
    assert_eq!(
        wrong_key.send(&emulator).code(),
        "AuthFailure.SignatureFailure"
    );

    let unknown_id = Call {
        secret_id: "AKIDSOMEONEELSE".to_owned(),
        ..good.clone()
    };
    assert_eq!(
        unknown_id.send(&emulator).code(),
        "AuthFailure.SecretIdNotFound"
    );

    let other_host = Call {
        signed_host: Some("faceid.tencentcloudapi.com".to_owned()),
        ..good.clone()
    };
    assert_eq!(
        other_host.send(&emulator).code(),
        "AuthFailure.SignatureFailure"
    );

    let stats = emulator.stats();
    assert_eq!(
        (stats.signature_failures, stats.auth_failures, stats.errors),
        (2, 3, 4)
    );
    assert_eq!(
        stats.result_calls, 1,
        "only the authenticated call reached the action"
    );
}

#[test]
fn the_clock_skew_limit_is_300_seconds() {
    let emulator = start(quick());
    let at = |offset: i64| {
        let call = Call {
            timestamp: unix_now() + offset,
            ..Call::post(ACTION_GET_RESULT, token_body("t"))
        };
        call.send(&emulator).code()
    };
    let reached = "InvalidParameterValue.InvalidParameterValueLimit";
    assert_eq!(at(-299), reached);
    assert_eq!(at(299), reached);
    assert_eq!(at(-301), "AuthFailure.SignatureExpire");
    // +302: the emulator's clock may tick a second between the test's reading and its own.
    assert_eq!(at(302), "AuthFailure.SignatureExpire");
    let expired = Call {
        timestamp: unix_now() - 301,
        ..Call::post(ACTION_GET_RESULT, token_body("t"))
    };
    assert!(expired.send(&emulator).response()["Error"]["Message"]
        .as_str()
        .unwrap()
        .contains("5 minutes"));
}

#[test]
fn the_emulator_clock_offset_moves_the_skew_window_and_the_date_header() {
    let emulator = start(EmulatorConfig {
        clock_offset_secs: 1000,
        ..quick()
    });
    let call = Call::post(ACTION_GET_RESULT, token_body("t"));
    let answer = call.send(&emulator);
    assert_eq!(answer.code(), "AuthFailure.SignatureExpire");
    let date = chrono::DateTime::parse_from_rfc2822(answer.date.as_deref().unwrap()).unwrap();
    let learned = date.timestamp() - unix_now();
    assert!(
        (998..=1001).contains(&learned),
        "Date header is {learned} s ahead"
    );
    let shifted = Call {
        timestamp: unix_now() + 1000,
        ..call
    };
    assert_eq!(
        shifted.send(&emulator).code(),
        "InvalidParameterValue.InvalidParameterValueLimit"
    );
}

#[test]
fn signing_variants_the_service_accepts() {
    let emulator = start(quick());
    let token = apply(&emulator, "IDN", "ID_CARD", FRONT);

    let charset = Call {
        content_type: "application/json; charset=utf-8".to_owned(),
        ..Call::post(ACTION_GET_RESULT, token_body(&token))
    };
    assert_eq!(charset.send(&emulator).code(), "OK");

    let unsigned = Call {
        unsigned_payload: true,
        ..Call::post(ACTION_GET_RESULT, token_body(&token))
    };
    assert_eq!(unsigned.send(&emulator).code(), "OK");

    let get = Call::get(ACTION_GET_RESULT, &format!("CardVerificationToken={token}"));
    assert_eq!(get.send(&emulator).response()["Status"], "PASSED");

    let get_apply = Call::get(
        ACTION_APPLY,
        "Nationality=IDN&CardType=ID_CARD&ImageUrlFront=https%3A%2F%2Fexample.com%2Ff.jpg",
    );
    assert!(get_apply.send(&emulator).response()["CardVerificationToken"].is_string());

    // Signing x-tc-action too (as the newer Chinese docs do): its value is lower-cased in the
    // canonical headers on both sides.
    let action_signed = Call {
        extra_signed: vec![("X-TC-Action".to_owned(), ACTION_GET_RESULT.to_owned())],
        ..Call::post(ACTION_GET_RESULT, token_body(&token))
    };
    assert_eq!(action_signed.send(&emulator).code(), "OK");

    let temporary = start(EmulatorConfig {
        token: Some("SESSION-TOKEN".to_owned()),
        ..quick()
    });
    let call = Call::post(ACTION_GET_RESULT, token_body("t"));
    assert_eq!(call.send(&temporary).code(), "AuthFailure.TokenFailure");
    let with_token = Call {
        token: Some("SESSION-TOKEN".to_owned()),
        ..call
    };
    assert_eq!(
        with_token.send(&temporary).code(),
        "InvalidParameterValue.InvalidParameterValueLimit"
    );
}

#[test]
fn common_parameter_errors() {
    let emulator = start(quick());
    let base = Call::post(ACTION_GET_RESULT, token_body("t"));
    let cases = [
        (
            Call {
                region: "ap-guangzhou".to_owned(),
                ..base.clone()
            },
            "UnsupportedRegion",
        ),
        (
            Call {
                region: String::new(),
                ..base.clone()
            },
            "MissingParameter",
        ),
        (
            Call {
                version: "2017-03-12".to_owned(),
                ..base.clone()
            },
            "NoSuchVersion",
        ),
        (
            Call {
                language: "fr-FR".to_owned(),
                ..base.clone()
            },
            "InvalidParameterValue",
        ),
        (
            Call {
                action: "NoSuchAction".to_owned(),
                ..base.clone()
            },
            "InvalidAction",
        ),
        (
            Call {
                content_type: "text/plain".to_owned(),
                ..base.clone()
            },
            "InvalidParameter",
        ),
        (
            Call {
                body: b"[1, 2]".to_vec(),
                ..base.clone()
            },
            "InvalidParameter",
        ),
        (
            Call {
                body: b"{\"CardVerificationToken\":\"t\",\"Extra\":1}".to_vec(),
                ..base.clone()
            },
            "UnknownParameter",
        ),
        (
            Call {
                body: b"{}".to_vec(),
                ..base.clone()
            },
            "MissingParameter",
        ),
    ];
    for (call, code) in cases {
        assert_eq!(call.send(&emulator).code(), code);
    }
    assert_eq!(emulator.stats().other_calls, 1);

    // A method the service does not take, and a malformed Authorization, over raw HTTP.
    let raw = |request: &str| {
        let mut stream = TcpStream::connect(emulator.addr()).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    };
    let put = raw("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert!(
        put.starts_with("HTTP/1.1 200") && put.contains("UnsupportedProtocol"),
        "{put}"
    );
    let unsigned = raw(&format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-TC-Action: {ACTION_APPLY}\r\n\
         X-TC-Timestamp: {}\r\nX-TC-Version: {API_VERSION}\r\nX-TC-Region: ap-jakarta\r\n\
         Authorization: SKIP\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        unix_now()
    ));
    assert!(
        unsigned.contains("AuthFailure.InvalidAuthorization"),
        "{unsigned}"
    );
}

#[test]
fn offline_mode_retires_both_actions() {
    let emulator = start(EmulatorConfig {
        offline: true,
        ..quick()
    });
    for action in [ACTION_APPLY, ACTION_GET_RESULT] {
        let answer = Call::post(action, "{}").send(&emulator);
        assert_eq!(answer.code(), "ActionOffline");
    }
    assert_eq!(
        Call::post("Other", "{}").send(&emulator).code(),
        "InvalidAction"
    );
}

#[test]
fn apply_parameter_rules() {
    let emulator = start(quick());
    let code = |body: Value| {
        Call::post(ACTION_APPLY, body.to_string())
            .send(&emulator)
            .code()
    };
    let limit = "InvalidParameterValue.InvalidParameterValueLimit";
    assert_eq!(
        code(json!({"Nationality": "HKG", "CardType": "ID_CARD", "ImageUrlFront": FRONT})),
        limit
    );
    assert_eq!(
        code(
            json!({"Nationality": "HKG", "CardType": "ID_CARD", "ImageUrlFront": FRONT, "ImageUrlBack": BACK})
        ),
        "OK"
    );
    assert_eq!(
        code(json!({"Nationality": "IDN", "CardType": "ID_CARD"})),
        limit
    );
    assert_eq!(
        code(json!({"Nationality": "PHL", "CardType": "ID_CARD", "ImageUrlFront": FRONT})),
        limit
    );
    assert_eq!(
        code(json!({"CardType": "ID_CARD", "ImageUrlFront": FRONT})),
        "MissingParameter"
    );
    assert_eq!(
        code(
            json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageUrlFront": "file:///etc/passwd"})
        ),
        limit
    );
    assert_eq!(
        code(
            json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageUrlFront": "https://x.test/download-error.jpg"})
        ),
        "ResourceUnavailable.ImageDownloadError"
    );
    let image =
        |b64: String| json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageBase64Front": b64});
    assert_eq!(code(image(png_base64(640, 480))), "OK");
    assert_eq!(
        code(image(png_base64(8001, 10))),
        "FailedOperation.ImageSizeTooLarge"
    );
    assert_eq!(
        code(image("R0lGODlhAQABAAAAACw=".to_owned())),
        "InvalidParameter.EngineImageDecodeFailed"
    );
    assert_eq!(
        code(image("%%%".to_owned())),
        "InvalidParameter.EngineImageDecodeFailed"
    );
    assert_eq!(
        code(image("A".repeat(tcfaceid::image::MAX_BASE64_LEN + 4))),
        "FailedOperation.ImageSizeTooLarge"
    );
    // The URL wins: the side's base64 is not even looked at.
    let both = json!({"Nationality": "IDN", "CardType": "ID_CARD", "ImageUrlFront": FRONT, "ImageBase64Front": "%%%"});
    assert_eq!(code(both), "OK");
}

#[test]
fn bodies_over_the_limit_are_refused_and_the_connection_still_works() {
    let emulator = start(EmulatorConfig {
        max_body_bytes: 1000,
        ..quick()
    });
    let agent = agent();
    let big = Call::post(
        ACTION_APPLY,
        format!("{{\"Nationality\":\"{}\"}}", "X".repeat(100_000)),
    );
    let answer = big.try_send_with(&emulator, &agent).unwrap();
    assert_eq!(answer.code(), "RequestSizeLimitExceeded");
    let small = Call::post(ACTION_GET_RESULT, token_body("t"));
    assert_eq!(
        small.try_send_with(&emulator, &agent).unwrap().code(),
        "InvalidParameterValue.InvalidParameterValueLimit"
    );
}

#[test]
fn each_fault_kind_for_the_first_requests_then_normal_answers() {
    for kind in [
        FaultKind::Http500,
        FaultKind::RateLimit,
        FaultKind::Drop,
        FaultKind::Garbage,
    ] {
        let emulator = start(EmulatorConfig {
            fault: Fault {
                kind,
                first: Some(2),
            },
            ..quick()
        });
        let call = Call::post(ACTION_GET_RESULT, token_body("t"));
        for _ in 0..2 {
            match (kind, call.try_send(&emulator)) {
                (FaultKind::Http500, Ok(a)) => {
                    assert_eq!(a.status, 500);
                    assert!(serde_json::from_str::<Value>(&a.body).is_err());
                }
                (FaultKind::RateLimit, Ok(a)) => assert_eq!(a.code(), "RequestLimitExceeded"),
                (FaultKind::Drop, Err(e)) => {
                    assert!(
                        !matches!(e, ureq::Error::StatusCode(_) | ureq::Error::Timeout(_)),
                        "{e}"
                    )
                }
                (FaultKind::Garbage, Ok(a)) => {
                    assert_eq!(a.status, 200);
                    assert!(
                        a.content_type.starts_with("text/html"),
                        "{}",
                        a.content_type
                    );
                    assert!(serde_json::from_str::<Value>(&a.body).is_err());
                }
                (kind, other) => panic!("{kind:?}: {other:?}"),
            }
        }
        assert_eq!(
            call.send(&emulator).code(),
            "InvalidParameterValue.InvalidParameterValueLimit",
            "{kind:?}"
        );
        let stats = emulator.stats();
        assert_eq!(
            (stats.requests, stats.faults, stats.result_calls),
            (3, 2, 1),
            "{kind:?}"
        );
    }
}

#[test]
fn a_fault_on_every_request_and_a_delay() {
    let emulator = start(EmulatorConfig {
        fault: Fault::always(FaultKind::Http500),
        ..quick()
    });
    for _ in 0..3 {
        assert_eq!(
            Call::post(ACTION_GET_RESULT, "{}").send(&emulator).status,
            500
        );
    }
    assert_eq!(emulator.stats().faults, 3);

    let slow = start(EmulatorConfig {
        delay_ms: 300,
        ..quick()
    });
    let begin = Instant::now();
    assert_eq!(
        Call::post(ACTION_GET_RESULT, "{}").send(&slow).code(),
        "MissingParameter"
    );
    assert!(begin.elapsed() >= Duration::from_millis(300));
}

#[test]
fn stats_are_exact_after_a_burst_from_several_threads() {
    let emulator = Arc::new(start(EmulatorConfig {
        processing_polls: 1,
        threads: 8,
        ..quick()
    }));
    let (threads, jobs) = (8u64, 20u64);
    let workers: Vec<_> = (0..threads)
        .map(|i| {
            let emulator = emulator.clone();
            std::thread::spawn(move || {
                let agent = agent();
                let mut tokens = Vec::new();
                for j in 0..jobs {
                    let call = Call::post(ACTION_APPLY, apply_body("SGP", "ID_CARD", FRONT));
                    let token = call.try_send_with(&emulator, &agent).unwrap().response()
                        ["CardVerificationToken"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    for expected in ["PROCESSING", "PASSED"] {
                        let r = Call::post(ACTION_GET_RESULT, token_body(&token))
                            .try_send_with(&emulator, &agent)
                            .unwrap();
                        assert_eq!(r.response()["Status"], expected);
                    }
                    if (i + j) % 5 == 0 {
                        let bad = Call {
                            secret_key: "wrong".to_owned(),
                            ..Call::post(ACTION_GET_RESULT, "{}")
                        };
                        assert_eq!(
                            bad.try_send_with(&emulator, &agent).unwrap().code(),
                            "AuthFailure.SignatureFailure"
                        );
                    }
                    tokens.push(token);
                }
                tokens
            })
        })
        .collect();
    let mut tokens: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let total = threads * jobs;
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len() as u64, total, "every token is unique");
    let failures = (0..threads)
        .flat_map(|i| (0..jobs).map(move |j| i + j))
        .filter(|s| s % 5 == 0)
        .count() as u64;
    let stats = emulator.stats();
    assert_eq!(stats.requests, total * 3 + failures);
    assert_eq!((stats.apply_calls, stats.result_calls), (total, total * 2));
    assert_eq!(
        (
            stats.tokens_issued,
            stats.processing_answers,
            stats.verdicts
        ),
        (total, total, total)
    );
    assert_eq!(
        (stats.signature_failures, stats.errors, stats.faults),
        (failures, failures, 0)
    );
}

#[test]
fn the_log_never_contains_a_secret() {
    const KEY: &str = "RECOGNISABLE-SECRET-KEY-0123456789";
    const TOKEN: &str = "RECOGNISABLE-SESSION-TOKEN";
    let sink = Arc::new(Mutex::new(Vec::new()));
    let emulator = start(EmulatorConfig {
        secret_key: KEY.to_owned(),
        token: Some(TOKEN.to_owned()),
        log_sink: Some(sink.clone()),
        ..quick()
    });
    let secret_url = "https://example.com/PRIVATE-DOCUMENT-URL.jpg";
    let mut signatures = Vec::new();
    let calls = [
        Call {
            secret_key: KEY.to_owned(),
            token: Some(TOKEN.to_owned()),
            ..Call::post(ACTION_APPLY, apply_body("IDN", "ID_CARD", secret_url))
        },
        Call {
            secret_key: KEY.to_owned(),
            token: Some("WRONG-TOKEN".to_owned()),
            ..Call::post(ACTION_GET_RESULT, token_body("t"))
        },
        Call {
            secret_key: "WRONG-KEY-ABCDEF".to_owned(),
            token: Some(TOKEN.to_owned()),
            ..Call::post(ACTION_GET_RESULT, "{}")
        },
    ];
    for call in &calls {
        let headers = call.headers(&emulator);
        let authorization = &headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .unwrap()
            .1;
        signatures.push(authorization.rsplit('=').next().unwrap().to_owned());
        call.send(&emulator);
    }
    let lines = sink.lock().unwrap().clone();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].contains("POST ApplyCardVerification 200 OK RequestId="),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("AuthFailure.TokenFailure"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("AuthFailure.SignatureFailure"),
        "{}",
        lines[2]
    );
    let log = lines.join("\n");
    for secret in [
        KEY,
        TOKEN,
        "WRONG-TOKEN",
        "WRONG-KEY-ABCDEF",
        "PRIVATE-DOCUMENT-URL",
        "TC3-HMAC-SHA256",
        "Credential=",
    ] {
        assert!(!log.contains(secret), "the log shows {secret}: {log}");
    }
    for signature in &signatures {
        assert!(
            !log.contains(signature.as_str()),
            "the log shows a signature: {log}"
        );
    }
    assert!(!format!("{emulator:?}").contains(KEY));
}

#[test]
fn hostile_requests_do_not_take_the_emulator_down() {
    let emulator = start(EmulatorConfig {
        threads: 2,
        ..quick()
    });
    let send_raw = |bytes: &[u8]| {
        let mut stream = TcpStream::connect(emulator.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = stream.write_all(bytes);
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        reply
    };
    // An absurd Content-Length: closed without an answer (and without allocating it).
    let absurd = send_raw(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999\r\n\r\n{}");
    assert!(absurd.is_empty(), "{}", String::from_utf8_lossy(&absurd));
    // Oversized chunked body, broken percent-encoding, non-UTF-8 JSON, lone surrogates.
    let mut chunked =
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..300 {
        chunked.extend_from_slice(b"10000\r\n");
        chunked.extend(std::iter::repeat_n(b'a', 0x10000));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let reply = send_raw(&chunked);
    assert!(String::from_utf8_lossy(&reply).contains("RequestSizeLimitExceeded"));
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(1000), "]".repeat(1000)).into_bytes();
    for body in [&b"\xff\xfe{"[..], b"{\"Nationality\":\"\\ud800\"}", &deep] {
        let call = Call::post(ACTION_APPLY, body.to_vec());
        assert_eq!(
            call.send(&emulator).code(),
            "InvalidParameter",
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(
        Call::get(ACTION_GET_RESULT, "CardVerificationToken=%ZZ")
            .send(&emulator)
            .code(),
        "InvalidParameter"
    );
    // `Connection: upgrade` is not offered: the request is answered, then the connection closes.
    let mut stream = TcpStream::connect(emulator.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    assert!(
        String::from_utf8_lossy(&reply).contains("MissingParameter"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    // Still serving, on both workers.
    for _ in 0..4 {
        assert_eq!(
            Call::post(ACTION_GET_RESULT, "{}").send(&emulator).code(),
            "MissingParameter"
        );
    }
}

#[test]
fn shutdown_is_prompt_even_with_a_long_delay() {
    let emulator = start(EmulatorConfig {
        delay_ms: 30_000,
        ..quick()
    });
    let addr = emulator.addr();
    let endpoint = emulator.endpoint();
    let pending = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        let _ = stream.write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
    });
    // The request has arrived (it is counted before its delay starts).
    emulator
        .wait_until(|s| s.requests == 1, Duration::from_secs(30))
        .expect("the request arrives");
    let begin = Instant::now();
    emulator.shutdown();
    assert!(
        begin.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        begin.elapsed()
    );
    pending.join().unwrap();
    // `shutdown` joined the accept thread, which owned the listener: the port is closed.
    let refused = agent().post(&format!("{endpoint}/")).send(&b"{}"[..]);
    assert!(refused.is_err(), "the port is closed after shutdown");
}

#[test]
fn a_given_port_is_bound_and_a_taken_one_is_an_error() {
    let first = start(quick());
    let taken = Emulator::start(EmulatorConfig {
        port: first.addr().port(),
        ..quick()
    });
    assert_eq!(taken.unwrap_err().kind(), std::io::ErrorKind::AddrInUse);
    assert!(first.addr().ip().is_loopback());
    assert_eq!(
        first.endpoint(),
        format!("http://127.0.0.1:{}", first.addr().port())
    );
    let bad = Emulator::start(EmulatorConfig {
        threads: 0,
        ..quick()
    });
    assert_eq!(bad.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
}

/// The load the client team runs: 16 threads × 1000 calls, counted exactly. Slow in debug
/// builds, so opt-in: `cargo test -p tcfaceid-emulator --test emulator -- --ignored`.
#[test]
#[ignore]
fn sixteen_threads_times_a_thousand_calls() {
    let emulator = Arc::new(start(EmulatorConfig {
        threads: 16,
        ..quick()
    }));
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let emulator = emulator.clone();
            std::thread::spawn(move || {
                let agent = agent();
                for _ in 0..1000 {
                    let call = Call::post(ACTION_APPLY, apply_body("IDN", "ID_CARD", FRONT));
                    assert_eq!(call.try_send_with(&emulator, &agent).unwrap().code(), "OK");
                }
            })
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
    let stats = emulator.stats();
    assert_eq!(
        (stats.requests, stats.apply_calls, stats.tokens_issued),
        (16_000, 16_000, 16_000)
    );
    assert_eq!(stats.errors, 0);
}
