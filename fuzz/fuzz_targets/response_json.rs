//! Response parsing on arbitrary bytes: `parse_envelope_value` and the typed parses of both
//! actions never panic; every failure is a protocol error (8xx) or a service error (7xx) read
//! from a well-formed error envelope; the typed parses fail exactly when the envelope does (or
//! with a protocol error on a good envelope); a typed answer serialised back into an envelope
//! parses to the same value; and the client's direct reading (`tcfaceid::answer`) gives what
//! the `Value` reading gives, result or error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcfaceid::answer;
use tcfaceid::api::{self, ApplyCardVerificationResponse, CardVerificationResult};
use tcfaceid::ResultCode;

fn allowed(error: &tcfaceid::Error) -> bool {
    let code = error.code() as u32;
    (700..800).contains(&code) || error.code() == ResultCode::Protocol
}

fn round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let body = serde_json::to_vec(&serde_json::json!({ "Response": value })).unwrap();
    let again: T = api::parse_response(&body).expect("a serialised answer parses");
    assert_eq!(&again, value);
}

fuzz_target!(|data: &[u8]| {
    let envelope = api::parse_envelope_value(data);
    let apply = api::parse_response::<ApplyCardVerificationResponse>(data);
    let result = api::parse_response::<CardVerificationResult>(data);
    match &envelope {
        Ok(value) => {
            assert!(value
                .pointer("/Response/RequestId")
                .is_some_and(|v| v.is_string()));
            for error in [apply.as_ref().err(), result.as_ref().err()]
                .into_iter()
                .flatten()
            {
                assert_eq!(error.code(), ResultCode::Protocol, "{error:?}");
            }
        }
        Err(error) => {
            assert!(allowed(error), "{error:?}");
            for other in [apply.as_ref().err(), result.as_ref().err()] {
                assert_eq!(other.map(|e| e.code()), Some(error.code()));
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let checked = answer::check_envelope(text);
        assert_eq!(checked.as_ref().err(), envelope.as_ref().err());
        if checked.is_ok() {
            assert_eq!(answer::typed::<ApplyCardVerificationResponse>(text), apply);
            assert_eq!(answer::typed::<CardVerificationResult>(text), result);
        }
    }
    if let Ok(apply) = &apply {
        round_trip(apply);
    }
    if let Ok(result) = &result {
        round_trip(result);
    }
});
