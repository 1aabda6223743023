//! Property tests of response parsing, the code that reads what a server sends back:
//! `api::parse_envelope_value` and the typed parses of both actions' answers.
//!
//! - Arbitrary bytes and arbitrary JSON documents (any shape, nesting up to ~10 levels, keys
//!   drawn from the envelope's own names so the interesting shapes come up) never panic, and the
//!   verdict follows the envelope rules exactly: OK only for an object whose `Response` is an
//!   object with a string `RequestId` and no `Error`; a service error (7xx) only when
//!   `Response.Error` is there; a protocol error (800) for everything else.
//! - Deep nesting (to 10,000 levels, at the top or inside `Response`) never overflows the
//!   stack: past serde_json's 128 levels it is a protocol error.
//! - Typed answers, serialised into an envelope (with unknown fields added, in any key order),
//!   parse back to the same value; every strict prefix of such a body is refused; a missing or
//!   ill-typed `RequestId` or `Status` is a protocol error, while a number where a documented
//!   String belongs (e.g. `Nationality`) is kept as its text with the verdict.
//! - Error envelopes keep the service's code, message and RequestId, classified by code.
//!
//! Cases: proptest's default (256 per property) or `PROPTEST_CASES` (`make fuzz` raises it).

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use tcfaceid::api::{
    self, ApplyCardVerificationResponse, CardInfo, CardVerificationResult, VerificationStatus,
};
use tcfaceid::error::classify_service_code;
use tcfaceid::ResultCode;

/// Keys that make up envelopes, so random documents often come close to one.
const KEYS: &[&str] = &[
    "Response",
    "RequestId",
    "Error",
    "Code",
    "Message",
    "Status",
    "CardVerificationToken",
    "WarnInfo",
    "CardInfo",
    "HKIDCard",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Finite, and read back exactly by serde_json's default (not float_roundtrip) parser,
        // so a parsed document can be compared with the generated one.
        any::<f64>()
            .prop_filter("finite, exact through JSON", |f| {
                f.is_finite()
                    && serde_json::from_str::<f64>(&serde_json::to_string(f).unwrap()).ok()
                        == Some(*f)
            })
            .prop_map(Value::from),
        ".{0,24}".prop_map(Value::String),
        Just(Value::String("PASSED".to_owned())),
    ]
}

/// Any JSON document, up to about 10 levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(10, 96, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A document shaped like an envelope, with random parts: `{"Response": {...}}` where the
/// members are present, absent or of the wrong type.
fn near_envelope() -> impl Strategy<Value = Value> {
    let member = |good: BoxedStrategy<Value>| {
        prop_oneof![
            2 => good.prop_map(Some),
            1 => Just(None),
            1 => leaf().prop_map(Some),
        ]
    };
    let error = prop_oneof![
        (".{1,20}", ".{0,20}").prop_map(|(c, m)| json!({"Code": c, "Message": m})),
        ".{1,20}".prop_map(|c| json!({ "Code": c })),
        Just(Value::Null),
    ]
    .boxed();
    (
        member(".{0,40}".prop_map(Value::String).boxed()),
        member(error),
        member(".{0,12}".prop_map(Value::String).boxed()),
        prop::collection::vec((key(), leaf()), 0..3),
        prop::bool::weighted(0.9),
    )
        .prop_map(|(request_id, error, status, extra, wrap)| {
            let mut response = Map::new();
            for (k, v) in extra {
                response.insert(k, v);
            }
            for (name, value) in [
                ("RequestId", request_id),
                ("Error", error),
                ("Status", status),
            ] {
                if let Some(v) = value {
                    response.insert(name.to_owned(), v);
                }
            }
            if wrap {
                json!({ "Response": response })
            } else {
                Value::Object(response)
            }
        })
}

/// What `parse_envelope_value` must answer for `document`, as far as the rules say:
/// `Ok(())`, `Err(None)` for a protocol error, `Err(Some(code))` for a service error.
fn expected(document: &Value) -> Result<(), Option<String>> {
    let Some(Value::Object(response)) = document.get("Response") else {
        return Err(None);
    };
    match response.get("Error") {
        None | Some(Value::Null) => {}
        Some(Value::Object(error)) => {
            let message_ok = matches!(error.get("Message"), None | Some(Value::String(_)));
            let request_id_ok = matches!(
                response.get("RequestId"),
                None | Some(Value::Null) | Some(Value::String(_))
            );
            return match error.get("Code") {
                Some(Value::String(code)) if message_ok && request_id_ok => Err(Some(code.clone())),
                _ => Err(None),
            };
        }
        // serde reads a struct from an array of its fields too; the shape is still wrong in
        // spirit, but either answer is acceptable here (checked by `check_document`).
        Some(Value::Array(_)) => return Err(Some(String::new())),
        Some(_) => return Err(None),
    }
    match response.get("RequestId") {
        Some(Value::String(_)) => Ok(()),
        _ => Err(None),
    }
}

fn check_document(document: &Value) -> Result<(), TestCaseError> {
    let body = serde_json::to_vec(document).unwrap();
    let got = api::parse_envelope_value(&body);
    let apply = api::parse_response::<ApplyCardVerificationResponse>(&body);
    let result = api::parse_response::<CardVerificationResult>(&body);
    match (expected(document), &got) {
        (Ok(()), Ok(value)) => prop_assert_eq!(value, document),
        (Err(None), Err(e)) => prop_assert_eq!(e.code(), ResultCode::Protocol, "{:?}", e),
        (Err(Some(code)), Err(e)) if code.is_empty() => {
            // An Error array: a protocol error, or read as [Code, Message].
            prop_assert!(
                e.code() == ResultCode::Protocol || (700..800).contains(&(e.code() as u32))
            );
        }
        (Err(Some(code)), Err(e)) => {
            prop_assert_eq!(e.code(), classify_service_code(&code), "{:?}", e);
            prop_assert_eq!(e.service_code(), Some(code.as_str()));
            let request_id = document
                .pointer("/Response/RequestId")
                .and_then(Value::as_str);
            prop_assert_eq!(e.request_id(), request_id);
        }
        (want, got) => prop_assert!(false, "{document}: expected {want:?}, got {got:?}"),
    }
    // The typed parses fail whenever the envelope does, with the same code, and otherwise
    // succeed or fail with a protocol error.
    for typed in [apply.err(), result.err()] {
        match (&got, typed) {
            (Err(e), Some(t)) => prop_assert_eq!(t.code(), e.code()),
            (Err(e), None) => prop_assert!(
                false,
                "typed parse accepted what the envelope refused: {e:?}"
            ),
            (Ok(_), Some(t)) => prop_assert_eq!(t.code(), ResultCode::Protocol),
            (Ok(_), None) => {}
        }
    }
    Ok(())
}

fn opt_string() -> impl Strategy<Value = Option<String>> {
    prop::option::of(".{0,16}")
}

fn status() -> impl Strategy<Value = VerificationStatus> {
    prop_oneof![
        Just("PROCESSING".to_owned()),
        Just("PASSED".to_owned()),
        Just("WARNING".to_owned()),
        Just("REJECTED".to_owned()),
        "[A-Z_]{0,12}",
    ]
    .prop_map(|s| VerificationStatus::parse(&s))
}

/// A CardInfo with one or two members filled with arbitrary strings.
fn card_info() -> impl Strategy<Value = CardInfo> {
    const MEMBERS: &[&str] = &["HKIDCard", "MLIDCard", "IndonesiaIDCard", "ThailandIDCard"];
    const FIELDS: &[&str] = &[
        "CnName",
        "EnName",
        "Sex",
        "Birthday",
        "IdNum",
        "Name",
        "ID",
        "Birthplace",
        "Religion",
    ];
    prop::collection::vec(
        (
            proptest::sample::select(MEMBERS),
            prop::collection::vec((proptest::sample::select(FIELDS), ".{0,16}"), 0..5),
        ),
        1..3,
    )
    .prop_filter_map("fields that fit the member", |members| {
        let mut info = Map::new();
        for (member, fields) in members {
            let fields: Map<String, Value> = fields
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Value::String(v)))
                .collect();
            info.insert(member.to_owned(), Value::Object(fields));
        }
        serde_json::from_value(Value::Object(info)).ok()
    })
}

fn apply_response() -> impl Strategy<Value = ApplyCardVerificationResponse> {
    (
        ".{0,40}",
        prop::option::of(any::<u64>()),
        prop::option::of(any::<u64>()),
        ".{0,40}",
    )
        .prop_map(
            |(token, max, wait, request_id)| ApplyCardVerificationResponse {
                card_verification_token: token,
                async_card_verification_max_polling_times: max,
                async_card_verification_polling_wait_time: wait,
                request_id,
            },
        )
}

fn verification_result() -> impl Strategy<Value = CardVerificationResult> {
    (
        status(),
        prop::option::of(prop::collection::vec(".{0,16}", 0..4)),
        (opt_string(), opt_string(), opt_string()),
        prop::option::of(card_info()),
        opt_string(),
        ".{0,40}",
    )
        .prop_map(
            |(status, warn_info, (nationality, card_type, card_sub_type), card_info, id, rid)| {
                CardVerificationResult {
                    status,
                    warn_info,
                    nationality,
                    card_type,
                    card_sub_type,
                    card_info,
                    id_verification_token: id,
                    request_id: rid,
                    ..Default::default()
                }
            },
        )
}

/// `{"Response": value}` with unknown members added (the service may add fields).
fn envelope_with_extras(value: &impl serde::Serialize, extras: &[(String, Value)]) -> Value {
    let mut response = serde_json::to_value(value).unwrap();
    let object = response.as_object_mut().unwrap();
    for (k, v) in extras {
        if !object.contains_key(k) && !KEYS.contains(&k.as_str()) {
            object.insert(format!("X{k}"), v.clone());
        }
    }
    json!({ "Response": response })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        for error in [
            api::parse_envelope_value(&body).err(),
            api::parse_response::<ApplyCardVerificationResponse>(&body).err(),
            api::parse_response::<CardVerificationResult>(&body).err(),
        ]
        .into_iter()
        .flatten()
        {
            let code = error.code();
            prop_assert!(code == ResultCode::Protocol || (700..800).contains(&(code as u32)), "{:?}", error);
        }
    }

    #[test]
    fn arbitrary_json_follows_the_envelope_rules(document in json_value()) {
        check_document(&document)?;
    }

    #[test]
    fn near_envelopes_follow_the_envelope_rules(document in near_envelope()) {
        check_document(&document)?;
    }

    #[test]
    fn deep_nesting_never_overflows_the_stack(depth in 1usize..10_000, object in any::<bool>(), inside in any::<bool>()) {
        let (open, close) = if object { (r#"{"a":"#, "}") } else { ("[", "]") };
        let nested = format!("{}0{}", open.repeat(depth), close.repeat(depth));
        let body = if inside {
            format!(r#"{{"Response":{{"RequestId":"r","Status":"PASSED","CardInfo":{nested}}}}}"#)
        } else {
            nested
        };
        let envelope = api::parse_envelope_value(body.as_bytes());
        let result = api::parse_response::<CardVerificationResult>(body.as_bytes());
        // serde_json stops at 128 levels: well within it the envelope is fine, well beyond it
        // the body is refused.
        if inside && depth <= 100 {
            prop_assert!(envelope.is_ok());
        } else if !inside || depth >= 130 {
            prop_assert_eq!(envelope.as_ref().unwrap_err().code(), ResultCode::Protocol);
        }
        // The typed parse refuses what the envelope refuses; on a good envelope it may read
        // the nested junk as an empty CardInfo (unknown keys are ignored) or refuse it.
        match (&envelope, &result) {
            (Err(_), Ok(_)) => prop_assert!(false, "typed parse accepted a refused envelope"),
            (_, Err(e)) => prop_assert_eq!(e.code(), ResultCode::Protocol),
            (Ok(_), Ok(_)) => {}
        }
    }

    #[test]
    fn apply_answers_round_trip(
        value in apply_response(),
        extras in prop::collection::vec(("[A-Za-z]{1,8}", leaf()), 0..4),
    ) {
        let body = serde_json::to_vec(&envelope_with_extras(&value, &extras)).unwrap();
        let parsed: ApplyCardVerificationResponse = api::parse_response(&body).unwrap();
        prop_assert_eq!(parsed, value);
    }

    #[test]
    fn result_answers_round_trip(
        value in verification_result(),
        extras in prop::collection::vec(("[A-Za-z]{1,8}", leaf()), 0..4),
    ) {
        let document = envelope_with_extras(&value, &extras);
        let body = serde_json::to_vec(&document).unwrap();
        let parsed: CardVerificationResult = api::parse_response(&body).unwrap();
        prop_assert_eq!(&parsed, &value);
        // Pretty-printed (other whitespace, same document) parses the same.
        let pretty = serde_json::to_vec_pretty(&document).unwrap();
        prop_assert_eq!(api::parse_response::<CardVerificationResult>(&pretty).unwrap(), value);
    }

    #[test]
    fn every_strict_prefix_of_an_answer_is_refused(value in verification_result(), cut in any::<prop::sample::Index>()) {
        let body = serde_json::to_vec(&json!({ "Response": value })).unwrap();
        let at = cut.index(body.len());
        let error = api::parse_response::<CardVerificationResult>(&body[..at]).unwrap_err();
        prop_assert_eq!(error.code(), ResultCode::Protocol);
    }

    #[test]
    fn an_ill_typed_essential_is_a_protocol_error_and_a_number_for_a_string_is_kept(
        value in verification_result(),
        number in any::<i64>(),
        which in 0usize..4,
    ) {
        let mut document = json!({ "Response": value.clone() });
        let response = document["Response"].as_object_mut().unwrap();
        match which {
            0 => { response.remove("RequestId"); }
            1 => { response.insert("RequestId".to_owned(), json!(number)); }
            2 => { response.insert("Status".to_owned(), json!(number)); }
            _ => { response.insert("Nationality".to_owned(), json!(number)); }
        }
        let body = serde_json::to_vec(&document).unwrap();
        let parsed = api::parse_response::<CardVerificationResult>(&body);
        if which == 3 {
            let kept = parsed.unwrap();
            prop_assert_eq!(kept.nationality, Some(number.to_string()));
            prop_assert_eq!(kept.status, value.status);
        } else {
            let error = parsed.unwrap_err();
            prop_assert_eq!(error.code(), ResultCode::Protocol, "{:?}", error);
        }
    }

    #[test]
    fn error_envelopes_keep_code_message_and_request_id(
        code in prop_oneof![
            Just("AuthFailure.SignatureExpire".to_owned()),
            Just("RequestLimitExceeded.UinLimitExceeded".to_owned()),
            Just("ActionOffline".to_owned()),
            Just("FailedOperation.ImageSizeTooLarge".to_owned()),
            "[A-Za-z.]{1,30}",
        ],
        message in ".{0,60}",
        request_id in prop::option::of(".{0,40}"),
    ) {
        let mut response = json!({ "Error": { "Code": code, "Message": message } });
        if let Some(id) = &request_id {
            response["RequestId"] = json!(id);
        }
        let body = serde_json::to_vec(&json!({ "Response": response })).unwrap();
        let error = api::parse_response::<CardVerificationResult>(&body).unwrap_err();
        prop_assert_eq!(error.code(), classify_service_code(&code));
        prop_assert_eq!(error.service_code(), Some(code.as_str()));
        prop_assert_eq!(error.request_id(), request_id.as_deref());
        prop_assert!(error.message().contains(message.as_str()));
    }
}

#[test]
fn an_array_is_not_an_envelope() {
    // serde reads a struct from an array of its fields; the envelope must not.
    for body in [
        r#"[{"RequestId":"r"}]"#,
        r#"[{"CardVerificationToken":"t","RequestId":"r"}]"#,
        r#"{"Response":[null,"r"]}"#,
        r#"{"Response":null}"#,
    ] {
        let error = api::parse_envelope_value(body.as_bytes()).unwrap_err();
        assert_eq!(error.code(), ResultCode::Protocol, "{body}");
        let error =
            api::parse_response::<ApplyCardVerificationResponse>(body.as_bytes()).unwrap_err();
        assert_eq!(error.code(), ResultCode::Protocol, "{body}");
    }
}
