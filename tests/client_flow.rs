//! The client against the bundled emulator over real loopback HTTP: the whole flow for every
//! document, every error class, every fault with and without retries, deadlines, polling hints,
//! and one client shared by 8 threads.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tcfaceid::api::VerificationStatus;
use tcfaceid::client::PollPlan;
use tcfaceid::retry::RetryPolicy;
use tcfaceid::{
    CardVerificationRequest, Client, ClientBuilder, Credential, ResultCode, Verification,
};
use tcfaceid_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, Stats, DEMO_SECRET_ID, DEMO_SECRET_KEY,
};

fn quick_config() -> EmulatorConfig {
    EmulatorConfig {
        processing_polls: 1,
        polling_wait_secs: 0,
        log: false,
        ..EmulatorConfig::default()
    }
}

fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
        .region("ap-singapore")
        .endpoint(emulator.endpoint())
        .timeout(Duration::from_secs(10))
}

fn url_request(nationality: &str, card_type: &str) -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new(nationality, card_type);
    request.set_front_url("https://example.com/front.jpg");
    request.set_back_url("https://example.com/back.jpg");
    request
}

const NATIONALITIES: &[&str] = &[
    "IDN", "HKG", "THA", "MYS", "SGP", "JPN", "TWN", "BGD", "NGA", "PAK", "AUTO",
];
const CARD_TYPES: &[&str] = &["ID_CARD", "PASSPORT", "DRIVING_LICENSE", "AUTO"];

#[test]
fn every_nationality_and_card_type_reaches_a_verdict_with_card_info() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator).build().unwrap();
    let front = common::jpeg(64, 40);
    let back = common::png(64, 40);
    for (i, nationality) in NATIONALITIES.iter().enumerate() {
        for (j, card_type) in CARD_TYPES.iter().enumerate() {
            // Alternate URL and raw-image uploads so both body forms cross the wire (the front
            // lent, the back owned).
            let request = if (i + j) % 2 == 0 {
                url_request(nationality, card_type)
            } else {
                let mut r = CardVerificationRequest::new(*nationality, *card_type);
                r.set_front_bytes_borrowed(&front);
                r.set_back_bytes(back.clone());
                r
            };
            let verification = client
                .verify_card(&request, Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("{nationality} {card_type}: {e}"));
            let result = &verification.result;
            assert_eq!(
                result.status,
                VerificationStatus::Passed,
                "{nationality} {card_type}"
            );
            assert_eq!(
                verification.polls, 2,
                "one PROCESSING answer, then the verdict"
            );
            let info = result.card_info.as_ref().expect("card info on a verdict");
            assert_ne!(
                info,
                &Default::default(),
                "{nationality} {card_type}: card info filled"
            );
            assert!(!verification.apply.card_verification_token.is_empty());
            assert!(verification.result_json.contains("\"Status\":\"PASSED\""));
        }
    }
    let stats = emulator.stats();
    let jobs = (NATIONALITIES.len() * CARD_TYPES.len()) as u64;
    assert_eq!(stats.tokens_issued, jobs);
    assert_eq!(stats.signature_failures, 0);
}

#[test]
fn the_right_card_info_struct_is_filled_for_the_document() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator).build().unwrap();
    let check = |n: &str, t: &str, pick: fn(&tcfaceid::CardInfo) -> bool| {
        let v = client
            .verify_card(&url_request(n, t), Duration::from_secs(10))
            .unwrap();
        assert!(pick(v.result.card_info.as_ref().unwrap()), "{n} {t}");
    };
    check("HKG", "ID_CARD", |c| c.hk_id_card.is_some());
    check("IDN", "ID_CARD", |c| c.indonesia_id_card.is_some());
    check("IDN", "DRIVING_LICENSE", |c| {
        c.indonesia_driving_license.is_some()
    });
    check("MYS", "ID_CARD", |c| c.ml_id_card.is_some());
    check("SGP", "ID_CARD", |c| c.singapore_id_card.is_some());
    check("JPN", "PASSPORT", |c| c.international_id_passport.is_some());
    check("PAK", "DRIVING_LICENSE", |c| {
        c.pakistan_driving_license.is_some()
    });
}

#[test]
fn warning_and_rejected_verdicts_carry_warn_infos() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator).build().unwrap();
    for (word, status) in [
        ("warning", VerificationStatus::Warning),
        ("rejected", VerificationStatus::Rejected),
    ] {
        let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
        request.set_front_url(format!("https://example.com/{word}/front.jpg"));
        let v = client
            .verify_card(&request, Duration::from_secs(10))
            .unwrap();
        assert_eq!(v.result.status, status);
        assert!(!v.result.warn_info.unwrap_or_default().is_empty());
    }
}

#[test]
fn local_checks_fail_before_any_request_is_sent() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator).build().unwrap();
    let mut no_back = CardVerificationRequest::new("HKG", "ID_CARD");
    no_back.set_front_url("https://example.com/front.jpg");
    let mut gif = CardVerificationRequest::new("IDN", "ID_CARD");
    gif.set_front_bytes(common::gif());
    let mut big = CardVerificationRequest::new("IDN", "ID_CARD");
    big.set_front_bytes(common::png_header_only(9000, 9000));
    let mut ftp = CardVerificationRequest::new("IDN", "ID_CARD");
    ftp.set_front_url("ftp://example.com/front.jpg");
    let cases = [
        (
            CardVerificationRequest::new("XXX", "ID_CARD"),
            ResultCode::InvalidNationality,
        ),
        (
            CardVerificationRequest::new("IDN", "VISA"),
            ResultCode::InvalidCardType,
        ),
        (
            CardVerificationRequest::new("IDN", "ID_CARD"),
            ResultCode::FrontImageRequired,
        ),
        (no_back, ResultCode::BackImageRequired),
        (gif, ResultCode::ImageUnsupportedFormat),
        (big, ResultCode::ImageResolutionTooLarge),
        (ftp, ResultCode::InvalidImageUrl),
    ];
    for (request, code) in cases {
        assert_eq!(
            client.apply_card_verification(&request).unwrap_err().code(),
            code
        );
    }
    assert_eq!(
        emulator.stats().requests,
        0,
        "no request may reach the server"
    );
}

#[test]
fn client_settings_are_checked_when_built() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let code = |b: ClientBuilder| b.build().unwrap_err().code();
    assert_eq!(
        code(builder(&emulator).region("ap-guangzhou")),
        ResultCode::InvalidRegion
    );
    assert_eq!(
        code(builder(&emulator).endpoint("ftp://x")),
        ResultCode::InvalidEndpoint
    );
    assert_eq!(
        code(builder(&emulator).language("fr-FR")),
        ResultCode::InvalidLanguage
    );
    assert_eq!(
        code(builder(&emulator).timeout(Duration::ZERO)),
        ResultCode::InvalidOption
    );
    assert_eq!(
        code(builder(&emulator).retry(RetryPolicy::attempts(0))),
        ResultCode::InvalidOption
    );
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Client>();
}

#[test]
fn service_errors_are_classified() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator).build().unwrap();

    let wrong_key = builder(&emulator)
        .credential(Credential::new(DEMO_SECRET_ID, "not-the-key", None).unwrap())
        .build()
        .unwrap();
    let e = wrong_key.get_card_verification_result("x").unwrap_err();
    assert_eq!(e.code(), ResultCode::ServiceAuthFailure);
    assert_eq!(e.service_code(), Some("AuthFailure.SignatureFailure"));
    assert!(e.request_id().is_some());
    assert!(!e.message().contains("not-the-key"));

    let unknown_id = builder(&emulator)
        .credential(Credential::new("AKIDUNKNOWN", DEMO_SECRET_KEY, None).unwrap())
        .build()
        .unwrap();
    let e = unknown_id.get_card_verification_result("x").unwrap_err();
    assert_eq!(e.service_code(), Some("AuthFailure.SecretIdNotFound"));

    let e = client
        .get_card_verification_result("no-such-token")
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::Service);
    assert_eq!(
        e.service_code(),
        Some("InvalidParameterValue.InvalidParameterValueLimit")
    );

    let mut download = CardVerificationRequest::new("IDN", "ID_CARD");
    download.set_front_url("https://example.com/download-error.jpg");
    let e = client.apply_card_verification(&download).unwrap_err();
    assert_eq!(
        e.business_error(),
        Some(tcfaceid::BusinessError::ImageDownloadError)
    );

    let e = client.call_json("NoSuchAction", "{}").unwrap_err();
    assert_eq!(e.code(), ResultCode::ServiceActionOffline);
    assert_eq!(e.service_code(), Some("InvalidAction"));

    let offline = Emulator::start(EmulatorConfig {
        offline: true,
        ..quick_config()
    })
    .unwrap();
    let e = builder(&offline)
        .build()
        .unwrap()
        .apply_card_verification(&url_request("IDN", "ID_CARD"))
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::ServiceActionOffline);
    assert!(
        e.message().contains("retired") || e.message().contains("no longer"),
        "{e}"
    );
}

#[test]
fn call_json_sends_any_action_and_returns_the_whole_response() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator).build().unwrap();
    let raw = client
        .call_json(
            "ApplyCardVerification",
            r#"{"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"https://example.com/f.jpg"}"#,
        )
        .unwrap();
    let token = raw.json["Response"]["CardVerificationToken"]
        .as_str()
        .unwrap();
    assert!(raw.body.contains(token));
    let e = client.call_json("Bad Action", "{}").unwrap_err();
    assert_eq!(e.code(), ResultCode::InvalidArgument);
}

fn faulty(kind: FaultKind, first: u64) -> Emulator {
    Emulator::start(EmulatorConfig {
        fault: Fault {
            kind,
            first: Some(first),
        },
        ..quick_config()
    })
    .unwrap()
}

#[test]
fn each_fault_fails_without_retries_and_passes_with_them() {
    let cases = [
        (FaultKind::Http500, ResultCode::HttpStatus),
        (FaultKind::RateLimit, ResultCode::ServiceRateLimited),
        (FaultKind::Drop, ResultCode::Transport),
        (FaultKind::Garbage, ResultCode::Protocol),
    ];
    for (kind, code) in cases {
        let emulator = faulty(kind, 2);
        let plain = builder(&emulator).build().unwrap();
        let e = plain
            .apply_card_verification(&url_request("IDN", "ID_CARD"))
            .unwrap_err();
        assert_eq!(e.code(), code, "{kind:?} without retries: {e}");

        let emulator = faulty(kind, 2);
        let retrying = builder(&emulator)
            .retry(RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
            })
            .build()
            .unwrap();
        let result = retrying.get_card_verification_result("x");
        let retried = matches!(
            kind,
            FaultKind::Http500 | FaultKind::RateLimit | FaultKind::Drop
        );
        if retried {
            // After two faults the third attempt reaches the token check.
            let e = result.unwrap_err();
            assert_eq!(
                e.service_code(),
                Some("InvalidParameterValue.InvalidParameterValueLimit"),
                "{kind:?}"
            );
            assert_eq!(
                emulator.stats().requests,
                3,
                "{kind:?}: exactly three attempts"
            );
        } else {
            // A 200 with a body that is not JSON is not retryable: one attempt only.
            assert_eq!(result.unwrap_err().code(), ResultCode::Protocol);
            assert_eq!(emulator.stats().requests, 1);
        }
    }
}

#[test]
fn business_errors_are_never_retried() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator)
        .retry(RetryPolicy::attempts(5))
        .build()
        .unwrap();
    let mut download = CardVerificationRequest::new("IDN", "ID_CARD");
    download.set_front_url("https://example.com/download-error.jpg");
    client.apply_card_verification(&download).unwrap_err();
    assert_eq!(emulator.stats().requests, 1);
}

#[test]
fn a_slow_server_ends_in_a_timeout_within_the_deadline() {
    let emulator = Emulator::start(EmulatorConfig {
        delay_ms: 3000,
        ..quick_config()
    })
    .unwrap();
    // A 300 ms timeout against a 3 s delay: bounds 5x apart, both far from the delay.
    let client = builder(&emulator)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let start = Instant::now();
    let e = client.get_card_verification_result("x").unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(e.code(), ResultCode::Timeout, "{e}");
    assert!(elapsed < Duration::from_millis(1500), "took {elapsed:?}");
    // Not an immediate failure: the timeout ended it (a socket timeout may fire a fraction of a
    // millisecond early: kernel timer rounding, seen once as 299.8 ms).
    assert!(
        elapsed >= Duration::from_millis(250),
        "returned too early: {elapsed:?}"
    );
}

/// A poll plan of 10 ms waits, for polling paced by the client.
fn ten_ms_plan() -> PollPlan {
    PollPlan {
        first_wait: Duration::from_millis(10),
        wait: Duration::from_millis(10),
        max_polls: 1000,
    }
}

/// One verification against an emulator with `config`, by a client polling on a 10 ms plan;
/// how long it took and the emulator's counters after it.
fn verify_with_ten_ms_plan(config: EmulatorConfig) -> (Verification, Duration, Stats) {
    let emulator = Emulator::start(config).unwrap();
    let client = builder(&emulator).poll_plan(ten_ms_plan()).build().unwrap();
    let start = Instant::now();
    let v = client
        .verify_card(&url_request("IDN", "ID_CARD"), Duration::from_secs(20))
        .unwrap();
    (v, start.elapsed(), emulator.stats())
}

#[test]
fn polling_honours_the_services_hints() {
    // A verification that takes 1 s, hinted as 1 s (whole seconds on the wire): a client that
    // waits as told finds the verdict on its first poll. Its own 10 ms plan would have polled
    // about a hundred times: the hint wins over the plan.
    let (v, elapsed, stats) = verify_with_ten_ms_plan(EmulatorConfig {
        processing_polls: 0,
        polling_wait_ms: 1000,
        polling_wait_secs: EmulatorConfig::hint_secs(1000),
        ..quick_config()
    });
    assert_eq!(v.apply.async_card_verification_polling_wait_time, Some(1));
    assert_eq!(v.polls, 1, "one poll, after the 1 s hint");
    assert_eq!((stats.result_calls, stats.processing_answers), (1, 0));
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
}

#[test]
fn without_hints_the_clients_plan_paces_the_polls_in_milliseconds() {
    // A verification that takes 200 ms and an apply answer without hints: the client follows
    // its own plan, a poll every 10 ms, until the verdict.
    let (v, elapsed, stats) = verify_with_ten_ms_plan(EmulatorConfig {
        processing_polls: 0,
        polling_wait_ms: 200,
        polling_hints: false,
        ..quick_config()
    });
    assert_eq!(v.apply.async_card_verification_polling_wait_time, None);
    assert_eq!(v.result.status, VerificationStatus::Passed);
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    // At least one PROCESSING answer, and never two polls closer than the plan's 10 ms.
    assert!(v.polls >= 2, "{} polls", v.polls);
    assert!(
        u128::from(v.polls) <= elapsed.as_millis() / 10 + 1,
        "{} polls in {elapsed:?}",
        v.polls
    );
    assert_eq!(
        (stats.result_calls, stats.processing_answers, stats.verdicts),
        (v.polls, v.polls - 1, 1)
    );
}

#[test]
fn polling_stops_at_the_max_polls_and_at_the_deadline() {
    let emulator = Emulator::start(EmulatorConfig {
        processing_polls: 100,
        polling_wait_secs: 0,
        max_polling_times: 4,
        ..quick_config()
    })
    .unwrap();
    let client = builder(&emulator).build().unwrap();
    let e = client
        .verify_card(&url_request("IDN", "ID_CARD"), Duration::from_secs(20))
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::PollAttemptsExhausted);
    assert_eq!(emulator.stats().result_calls, 4);

    let token = client
        .apply_card_verification(&url_request("IDN", "ID_CARD"))
        .unwrap()
        .card_verification_token;
    // The deadline (1 s) ends the polling long before the polls would (100 x 300 ms = 30 s);
    // the bound is 5x the deadline, so a loaded machine does not fail it.
    let start = Instant::now();
    let plan = PollPlan {
        max_polls: 100,
        first_wait: Duration::from_millis(300),
        wait: Duration::from_millis(300),
    };
    let e = client
        .poll_card_verification(&token, plan, Duration::from_millis(1000))
        .unwrap_err();
    assert_eq!(e.code(), ResultCode::PollDeadlineExceeded);
    assert!(e.message().contains(&token));
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_millis(5000), "{elapsed:?}");
}

#[test]
fn eight_threads_share_one_client() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = Arc::new(builder(&emulator).build().unwrap());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                let mut tokens = Vec::new();
                for _ in 0..10 {
                    let v = client
                        .verify_card(&url_request("SGP", "ID_CARD"), Duration::from_secs(20))
                        .unwrap();
                    assert_eq!(v.result.status, VerificationStatus::Passed);
                    tokens.push(v.apply.card_verification_token);
                }
                tokens
            })
        })
        .collect();
    let mut tokens: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 80, "every call got its own token");
    assert_eq!(emulator.stats().tokens_issued, 80);
}

#[test]
fn a_skewed_clock_is_corrected_from_the_servers_date() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let skewed = builder(&emulator).clock_offset_secs(-900).build().unwrap();
    skewed
        .apply_card_verification(&url_request("IDN", "ID_CARD"))
        .unwrap();
    assert!(
        skewed.clock_offset_secs().abs() <= 2,
        "learned offset {}",
        skewed.clock_offset_secs()
    );

    let strict = builder(&emulator)
        .clock_offset_secs(-900)
        .learn_clock_offset(false)
        .build()
        .unwrap();
    let e = strict
        .apply_card_verification(&url_request("IDN", "ID_CARD"))
        .unwrap_err();
    assert_eq!(e.service_code(), Some("AuthFailure.SignatureExpire"));
    assert!(e.message().contains("5 minutes"));
}

#[test]
fn the_demo_front_image_passes_the_whole_flow() {
    let emulator = Emulator::start(quick_config()).unwrap();
    let client = builder(&emulator).build().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut request = CardVerificationRequest::new("HKG", "ID_CARD");
    request.set_front_file(format!("{root}/bindings/c/samples/front.jpg"));
    request.set_back_file(format!("{root}/bindings/c/samples/back.jpg"));
    let v = client
        .verify_card(&request, Duration::from_secs(10))
        .unwrap();
    assert_eq!(v.result.status, VerificationStatus::Passed);
    assert!(v.result.card_info.unwrap().hk_id_card.is_some());
}

#[test]
fn twelve_new_clients_at_once_are_served_in_parallel() {
    // A burst of new connections is served at once: each connection has its own thread.
    let emulator = Emulator::start(EmulatorConfig {
        delay_ms: 700,
        ..quick_config()
    })
    .unwrap();
    let endpoint = emulator.endpoint();
    let start = Instant::now();
    let threads: Vec<_> = (0..12)
        .map(|_| {
            let endpoint = endpoint.clone();
            std::thread::spawn(move || {
                let client = Client::builder()
                    .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
                    .region("ap-singapore")
                    .endpoint(endpoint)
                    .build()
                    .unwrap();
                client.get_card_verification_result("x").unwrap_err()
            })
        })
        .collect();
    for t in threads {
        let e = t.join().unwrap();
        assert_eq!(e.code(), ResultCode::Service, "{e}");
    }
    let elapsed = start.elapsed();
    // In series they would take 8.4 s; the bound is 5x one call.
    assert!(
        elapsed < Duration::from_millis(3500),
        "12 calls of 700 ms each took {elapsed:?}"
    );
}
