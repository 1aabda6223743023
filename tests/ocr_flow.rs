//! Both products through one client against the emulator over real loopback HTTP: OCR for
//! every document of its table, both Status vocabularies, the head image and the back card;
//! the emulator's OCR refusals; FaceID retired (ActionOffline with guidance) while OCR works.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::json;
use tcfaceid::sign::{self, CallContext, Payload, Signer, SigningInput};
use tcfaceid::{
    Api, CardType, CardVerificationRequest, Client, ClientBuilder, Credential, PollPlan,
    ResultCode, VerificationStatus,
};
use tcfaceid_emulator::{Emulator, EmulatorConfig, OcrStatus, DEMO_SECRET_ID, DEMO_SECRET_KEY};

fn config() -> EmulatorConfig {
    EmulatorConfig {
        processing_polls: 1,
        polling_wait_secs: 0,
        log: false,
        ..EmulatorConfig::default()
    }
}

fn builder(emulator: &Emulator, api: Api) -> ClientBuilder {
    Client::builder()
        .api(api)
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
        .endpoint(emulator.endpoint())
        .poll_plan(PollPlan {
            first_wait: Duration::ZERO,
            wait: Duration::from_millis(1),
            max_polls: 5,
        })
        .timeout(Duration::from_secs(10))
}

fn request(
    nationality: &str,
    card_type: &CardType,
    back: bool,
) -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new(nationality, card_type.as_str());
    request.set_front_url("https://example.com/front.jpg");
    if back {
        request.set_back_url("https://example.com/back.jpg");
    }
    request
}

#[test]
fn ocr_completes_for_every_document_of_its_table() {
    let emulator = Emulator::start(config()).unwrap();
    let client = builder(&emulator, Api::Ocr).build().unwrap();
    assert_eq!(client.api(), Api::Ocr);
    assert_eq!(
        client.region(),
        "ap-singapore",
        "OCR's only region by default"
    );
    let mut documents = 0;
    for (code, row) in tcfaceid::card::OCR_BACK_SIDE_TABLE {
        let columns = [
            CardType::IdCard,
            CardType::DrivingLicense,
            CardType::Passport,
            CardType::ResidencePermit,
        ];
        for (card_type, needs_back) in columns.iter().zip(row) {
            let Some(needs_back) = needs_back else {
                continue;
            };
            documents += 1;
            let mut request = request(code, card_type, *needs_back);
            request.set_return_head_image(Some(documents % 2 == 0));
            let verification = client
                .verify_card(&request, Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("{code} {card_type}: {e}"));
            let result = &verification.result;
            assert_eq!(result.status, VerificationStatus::Completed);
            assert_eq!(
                verification.polls, 2,
                "one PROCESSING answer, then COMPLETED"
            );
            let front = result.front_card().expect("a front card");
            assert_eq!(front.issued_country_code.as_deref(), Some(*code));
            assert_eq!(
                result.back_card_info.is_some(),
                *needs_back,
                "{code} {card_type}"
            );
            if *needs_back {
                let address = result.back_card_info.as_ref().unwrap().address.as_ref();
                assert!(address.unwrap().formatted_address.is_some());
            }
            let head = result.head_image().unwrap();
            if documents % 2 == 0 {
                let head = head.expect("a head image when asked for");
                let info = tcfaceid::image::inspect(&head, "HeadImageBase64").unwrap();
                assert_eq!((info.width, info.height), (1, 1));
            } else {
                assert_eq!(head, None);
            }
            assert_eq!(
                result.card_verification_token.as_deref(),
                Some(verification.apply.card_verification_token.as_str())
            );
            assert!(verification.result_json.contains("\"CardInfo\":{"));
        }
    }
    assert_eq!(documents, 61);
    let stats = emulator.stats();
    assert_eq!(stats.apply_calls, 61);
    assert_eq!(stats.result_calls, 122);
}

#[test]
fn both_status_vocabularies_reach_a_terminal_result() {
    for (vocabulary, url, want) in [
        (
            OcrStatus::Current,
            "https://x/front.jpg",
            VerificationStatus::Completed,
        ),
        (
            OcrStatus::Current,
            "https://x/abnormal.jpg",
            VerificationStatus::Abnormal,
        ),
        (
            OcrStatus::Current,
            "https://x/warning.jpg",
            VerificationStatus::Completed,
        ),
        (
            OcrStatus::Legacy,
            "https://x/front.jpg",
            VerificationStatus::Passed,
        ),
        (
            OcrStatus::Legacy,
            "https://x/warning.jpg",
            VerificationStatus::Warning,
        ),
        (
            OcrStatus::Legacy,
            "https://x/rejected.jpg",
            VerificationStatus::Warning,
        ),
    ] {
        let emulator = Emulator::start(EmulatorConfig {
            ocr_status: vocabulary,
            processing_polls: 3,
            ..config()
        })
        .unwrap();
        let client = builder(&emulator, Api::Ocr).build().unwrap();
        let mut request = CardVerificationRequest::new("ARG", "PASSPORT");
        request.set_front_url(url);
        let verification = client
            .verify_card(&request, Duration::from_secs(10))
            .unwrap();
        assert_eq!(verification.result.status, want, "{vocabulary:?} {url}");
        assert!(verification.result.status.is_terminal());
        assert_eq!(verification.polls, 4);
        if url.contains("warning") {
            assert_eq!(
                verification.result.warn_info,
                Some(vec!["PoorImageQuality".into()])
            );
        }
    }
}

#[test]
fn the_poll_plan_without_hints_gives_up_after_max_polls_with_the_token() {
    let emulator = Emulator::start(EmulatorConfig {
        processing_polls: 100,
        ..config()
    })
    .unwrap();
    let client = builder(&emulator, Api::Ocr).build().unwrap();
    let e = client
        .verify_card(
            &request("ARG", &CardType::Passport, false),
            Duration::from_secs(10),
        )
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::PollAttemptsExhausted);
    assert_eq!(emulator.stats().result_calls, 5);
    let token = e
        .token()
        .expect("the token after a billed apply")
        .to_owned();
    assert_eq!(emulator.stats().apply_calls, 1);
    // Resume from the token with the OCR action and the client's plan (no second apply).
    let e = client
        .resume(&token, Duration::from_secs(10), None)
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::PollAttemptsExhausted);
    assert_eq!(e.token(), Some(token.as_str()));
    assert_eq!(emulator.stats().result_calls, 10);
    assert_eq!(emulator.stats().apply_calls, 1);
    // The documented default plan: 3 s, then every 5 s, 60 polls.
    let default = Api::Ocr.default_poll_plan();
    assert_eq!(default.first_wait, Duration::from_secs(3));
    assert_eq!(default.wait, Duration::from_secs(5));
    assert_eq!(default.max_polls, 60);
}

#[test]
fn the_emulator_refuses_what_ocr_refuses() {
    let emulator = Emulator::start(config()).unwrap();
    let client = builder(&emulator, Api::Ocr).build().unwrap();
    let apply = |body: serde_json::Value| {
        client
            .call_json("ApplyCardVerificationExternal", &body.to_string())
            .unwrap_err()
    };
    let front = "https://example.com/front.jpg";
    for (body, service_code) in [
        (
            json!({"Nationality": "SGP", "CardType": "ID_CARD", "ImageUrlFront": front}),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({"Nationality": "SGP", "CardType": "AUTO", "ImageUrlFront": front}),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({"Nationality": "VNM", "CardType": "PASSPORT", "ImageUrlFront": front}),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({"CardType": "PASSPORT", "ImageUrlFront": front}),
            "MissingParameter",
        ),
        (
            json!({"Nationality": "ARG", "CardType": "PASSPORT"}),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({"Nationality": "ARG", "CardType": "PASSPORT", "ImageUrlFront": front,
                   "WebhookUrl": "http://example.com/hook"}),
            "InvalidParameterValue.InvalidParameterValueLimit",
        ),
        (
            json!({"Nationality": "ARG", "CardType": "PASSPORT", "ImageUrlFront": front,
                   "ReturnHeadImage": "yes"}),
            "InvalidParameter",
        ),
        (
            json!({"Nationality": "ARG", "CardType": "PASSPORT", "ImageUrlFront": front,
                   "Foo": 1}),
            "UnknownParameter",
        ),
        (
            json!({"Nationality": "ARG", "CardType": "PASSPORT",
                   "ImageUrlFront": "https://x/ocr-failed.jpg"}),
            "FailedOperation.OcrFailed",
        ),
        (
            json!({"Nationality": "ARG", "CardType": "PASSPORT",
                   "ImageBase64Front": "A".repeat(2 * 1024 * 1024 + 4)}),
            "FailedOperation.ImageSizeTooLarge",
        ),
        (
            json!({"Nationality": "ARG", "CardType": "PASSPORT",
                   "ImageBase64Front": B64.encode(common::png(64, 64))}),
            "InvalidParameterValue.InvalidFileContentSize",
        ),
    ] {
        let e = apply(body.clone());
        assert_eq!(e.service_code(), Some(service_code), "{body}");
    }
    // A FaceID token is not an OCR token.
    let faceid = builder(&emulator, Api::FaceId)
        .region("ap-singapore")
        .build()
        .unwrap();
    let token = faceid
        .apply_card_verification(&request("IDN", &CardType::IdCard, false))
        .unwrap()
        .card_verification_token;
    let e = client.get_card_verification_result(&token).unwrap_err();
    assert_eq!(
        e.service_code(),
        Some("InvalidParameterValue.InvalidParameterValueLimit")
    );
    // OCR answers only in ap-singapore.
    let e = builder(&emulator, Api::Ocr)
        .region("ap-hongkong")
        .build()
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::InvalidRegion);
}

/// Sign an OCR call by hand with a chosen service and key, and send it.
fn send_signed(emulator: &Emulator, service: &str, secret_key: &str) -> serde_json::Value {
    let host = emulator.endpoint().trim_start_matches("http://").to_owned();
    let body = br#"{"CardVerificationToken":"x"}"#;
    let timestamp = chrono::Utc::now().timestamp();
    let signer = Signer::new(Credential::new(DEMO_SECRET_ID, secret_key, None).unwrap());
    let input = SigningInput {
        method: sign::Method::Post,
        host: &host,
        query: "",
        content_type: sign::CONTENT_TYPE_JSON,
        payload: Payload::Body(body),
        service,
        timestamp,
        extra_signed_headers: &[],
    };
    let call = CallContext {
        action: Api::Ocr.result_action(),
        version: Api::Ocr.version(),
        region: "ap-singapore",
        language: "en-US",
        request_client: "test",
    };
    let headers = signer.request_headers(&input, &call).unwrap();
    let mut request = ureq::post(format!("{}/", emulator.endpoint()));
    for (name, value) in &headers {
        request = request.header(*name, value);
    }
    let mut response = request.send(&body[..]).unwrap();
    let text = response.body_mut().read_to_string().unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_scope_must_name_service_ocr_and_the_key_must_match() {
    let emulator = Emulator::start(config()).unwrap();
    let code = |v: serde_json::Value| v["Response"]["Error"]["Code"].as_str().map(str::to_owned);
    assert_eq!(
        code(send_signed(&emulator, "faceid", DEMO_SECRET_KEY)).as_deref(),
        Some("AuthFailure.SignatureFailure")
    );
    assert_eq!(
        code(send_signed(&emulator, "ocr", "not-the-key")).as_deref(),
        Some("AuthFailure.SignatureFailure")
    );
    // Signed right, the call reaches the action (an unknown token).
    assert_eq!(
        code(send_signed(&emulator, "ocr", DEMO_SECRET_KEY)).as_deref(),
        Some("InvalidParameterValue.InvalidParameterValueLimit")
    );
    // A wrong key through the client is an auth failure too.
    let client = builder(&emulator, Api::Ocr)
        .credential(Credential::new(DEMO_SECRET_ID, "wrong-key", None).unwrap())
        .build()
        .unwrap();
    let e = client
        .apply_card_verification(&request("ARG", &CardType::Passport, false))
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::ServiceAuthFailure);
}

#[test]
fn faceid_retired_says_how_to_switch_while_ocr_works() {
    let emulator = Emulator::start(EmulatorConfig {
        faceid_offline: true,
        ..config()
    })
    .unwrap();
    let faceid = builder(&emulator, Api::FaceId)
        .region("ap-singapore")
        .build()
        .unwrap();
    let e = faceid
        .verify_card(
            &request("SGP", &CardType::Passport, false),
            Duration::from_secs(10),
        )
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::ServiceActionOffline);
    assert_eq!(e.service_code(), Some("ActionOffline"));
    for hint in [
        "ClientBuilder::api(Api::Ocr)",
        "tcfaceid_client_builder_set_api(builder, TCFACEID_API_OCR)",
        "Client(api=\"ocr\")",
        "TCFACEID_API=ocr",
    ] {
        assert!(e.message().contains(hint), "{hint}: {e}");
    }
    let ocr = builder(&emulator, Api::Ocr).build().unwrap();
    let verification = ocr
        .verify_card(
            &request("SGP", &CardType::Passport, false),
            Duration::from_secs(10),
        )
        .unwrap();
    assert_eq!(verification.result.status, VerificationStatus::Completed);
    // OCR's own ActionOffline gets no switching advice.
    let emulator = Emulator::start(EmulatorConfig {
        offline: true,
        ..config()
    })
    .unwrap();
    let e = builder(&emulator, Api::Ocr)
        .build()
        .unwrap()
        .apply_card_verification(&request("SGP", &CardType::Passport, false))
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::ServiceActionOffline);
    assert!(!e.message().contains("TCFACEID_API"), "{e}");
}
