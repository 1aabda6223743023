//! Every case of `tests/vectors/tc3-vectors.json` (computed by the official SDK), stage by stage.

use std::collections::BTreeMap;

use serde::Deserialize;
use tcfaceid::sign::{self, CallContext, Method, Payload, SigningInput};
use tcfaceid::{Credential, ResultCode};

#[derive(Deserialize)]
struct Vectors {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input: Input,
    expect: Expect,
}

#[derive(Deserialize)]
struct Input {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    host: String,
    service: String,
    region: String,
    action: String,
    version: String,
    timestamp: i64,
    method: String,
    content_type: String,
    query: String,
    body_hex: String,
    unsigned_payload: bool,
    extra_signed_headers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Expect {
    hashed_payload: String,
    canonical_request: String,
    canonical_request_sha256: String,
    date: String,
    credential_scope: String,
    string_to_sign: String,
    signature: String,
    authorization: String,
    headers: BTreeMap<String, String>,
}

fn cases() -> Vec<Case> {
    let text = include_str!("vectors/tc3-vectors.json");
    let vectors: Vectors = serde_json::from_str(text).expect("vectors parse");
    assert_eq!(
        vectors.cases.len(),
        15,
        "every case of the vector file is read"
    );
    let ocr: Vec<&str> = vectors
        .cases
        .iter()
        .filter(|c| c.input.service == "ocr")
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(ocr, ["O1", "O2", "O3", "O4"], "the OCR spec's vectors");
    vectors.cases
}

fn check_case(case: &Case) {
    let i = &case.input;
    let e = &case.expect;
    let name = &case.name;
    let body = hex::decode(&i.body_hex).unwrap();
    let credential = Credential::new(&i.secret_id, &i.secret_key, i.token.as_deref()).unwrap();
    let extra: Vec<(&str, &str)> = i
        .extra_signed_headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let method = match i.method.as_str() {
        "POST" => Method::Post,
        "GET" => Method::Get,
        other => panic!("{name}: unknown method {other}"),
    };
    let payload = if i.unsigned_payload {
        Payload::Unsigned
    } else {
        Payload::Body(&body)
    };
    let input = SigningInput {
        method,
        host: &i.host,
        query: &i.query,
        content_type: &i.content_type,
        payload,
        service: &i.service,
        timestamp: i.timestamp,
        extra_signed_headers: &extra,
    };

    // Each stage on its own.
    assert_eq!(
        sign::hashed_payload(payload),
        e.hashed_payload,
        "{name}: hashed payload"
    );
    let date = sign::credential_date(i.timestamp).unwrap();
    assert_eq!(date, e.date, "{name}: date");
    let scope = sign::credential_scope(&date, &i.service);
    assert_eq!(scope, e.credential_scope, "{name}: scope");
    let (block, signed) = sign::canonical_headers(&i.content_type, &i.host, &extra).unwrap();
    let canonical = sign::canonical_request(method, &i.query, &block, &signed, &e.hashed_payload);
    assert_eq!(canonical, e.canonical_request, "{name}: canonical request");
    assert_eq!(
        sign::sha256_hex(canonical.as_bytes()),
        e.canonical_request_sha256,
        "{name}: canonical request hash"
    );
    let to_sign = sign::string_to_sign(i.timestamp, &scope, &canonical);
    assert_eq!(to_sign, e.string_to_sign, "{name}: string to sign");
    let key = sign::derive_signing_key(&i.secret_key, &date, &i.service);
    let signature = sign::signature(&key, &to_sign);
    assert_eq!(signature, e.signature, "{name}: signature");
    assert_eq!(
        sign::authorization(&i.secret_id, &scope, &signed, &signature),
        e.authorization,
        "{name}: authorization"
    );

    // All stages at once give the same.
    let all = sign::sign(&credential, &input).unwrap();
    assert_eq!(all.hashed_payload, e.hashed_payload, "{name}");
    assert_eq!(all.canonical_request, e.canonical_request, "{name}");
    assert_eq!(
        all.canonical_request_sha256, e.canonical_request_sha256,
        "{name}"
    );
    assert_eq!(all.date, e.date, "{name}");
    assert_eq!(all.credential_scope, e.credential_scope, "{name}");
    assert_eq!(all.string_to_sign, e.string_to_sign, "{name}");
    assert_eq!(all.signature, e.signature, "{name}");
    assert_eq!(all.authorization, e.authorization, "{name}");

    // The header set matches the SDK's, header for header.
    let call = CallContext {
        action: &i.action,
        version: &i.version,
        region: &i.region,
        language: "",
        request_client: "",
    };
    let headers: BTreeMap<String, String> = sign::request_headers(&credential, &input, &call, &all)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    assert_eq!(headers, e.headers, "{name}: headers");
}

#[test]
fn every_vector_reproduces_at_every_stage() {
    for case in cases() {
        check_case(&case);
    }
}

#[test]
fn derived_keys_match_the_published_intermediate_values() {
    // Spec §1.4: for 1700000000 with the S* secret key.
    let (k_date, k_service) = sign::derive_intermediate_keys(
        "SKEXAMPLEFACEIDSECRETKEY0000000000",
        "2023-11-14",
        "faceid",
    );
    assert_eq!(
        hex::encode(k_date),
        "37b4ffde7127616183de6b171e854bf8e342f64f2cd80a96c1ba3d68c96cafd3"
    );
    assert_eq!(
        hex::encode(k_service),
        "9e9a03d673692d7e8ea5278d069c319beb896e4abe5ac9ea7a1a39f04dc36201"
    );
    let k_signing =
        sign::derive_signing_key("SKEXAMPLEFACEIDSECRETKEY0000000000", "2023-11-14", "faceid");
    assert_eq!(
        hex::encode(k_signing.as_bytes()),
        "fc92c725d1372a60ce8185ba0a14944085cefa7fbdb6ad0618760e4a908f4c1c"
    );
    // OCR spec §1.1: the same kDate, then service `ocr`.
    let (k_date, k_service) =
        sign::derive_intermediate_keys("SKEXAMPLEFACEIDSECRETKEY0000000000", "2023-11-14", "ocr");
    assert_eq!(
        hex::encode(k_date),
        "37b4ffde7127616183de6b171e854bf8e342f64f2cd80a96c1ba3d68c96cafd3"
    );
    assert_eq!(
        hex::encode(k_service),
        "c4511094fe123c2136c21061388fd7414bda11f0923e9c6ab872150bfc764af7"
    );
    let k_signing =
        sign::derive_signing_key("SKEXAMPLEFACEIDSECRETKEY0000000000", "2023-11-14", "ocr");
    assert_eq!(
        hex::encode(k_signing.as_bytes()),
        "6045037c628080c3d58e1c2d7b4457e4285112aa2f8d4a978cc8a278c237c1b7"
    );
    // D3 (published Chinese example).
    let (k_date, k_service) =
        sign::derive_intermediate_keys("********************************", "2019-02-25", "cvm");
    assert_eq!(
        hex::encode(k_date),
        "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0"
    );
    assert_eq!(
        hex::encode(k_service),
        "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f"
    );
    let k_signing =
        sign::derive_signing_key("********************************", "2019-02-25", "cvm");
    assert_eq!(
        hex::encode(k_signing.as_bytes()),
        "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"
    );
}

#[test]
fn a_changed_byte_anywhere_changes_the_signature() {
    let case = cases().into_iter().find(|c| c.name == "S1").unwrap();
    let credential = Credential::new(&case.input.secret_id, &case.input.secret_key, None).unwrap();
    let body = hex::decode(&case.input.body_hex).unwrap();
    let base = SigningInput {
        method: Method::Post,
        host: &case.input.host,
        query: "",
        content_type: &case.input.content_type,
        payload: Payload::Body(&body),
        service: "faceid",
        timestamp: case.input.timestamp,
        extra_signed_headers: &[],
    };
    assert_eq!(
        sign::sign(&credential, &base).unwrap().signature,
        case.expect.signature
    );
    let mut tampered = body.clone();
    tampered[2] ^= 1;
    let variants = [
        SigningInput {
            payload: Payload::Body(&tampered),
            ..base
        },
        SigningInput {
            host: "faceid.tencentcloudapi.com",
            ..base
        },
        SigningInput {
            content_type: "application/json; charset=utf-8",
            ..base
        },
        SigningInput {
            timestamp: base.timestamp + 1,
            ..base
        },
        SigningInput {
            service: "ocr",
            ..base
        },
    ];
    for variant in variants {
        assert_ne!(
            sign::sign(&credential, &variant).unwrap().signature,
            case.expect.signature
        );
    }
}

#[test]
fn a_caller_set_authorization_header_is_refused() {
    let credential = Credential::new("id", "key", None).unwrap();
    let input = SigningInput {
        method: Method::Post,
        host: "faceid.tencentcloudapi.com",
        query: "",
        content_type: "application/json",
        payload: Payload::Body(b"{}"),
        service: "faceid",
        timestamp: 1700000000,
        extra_signed_headers: &[("Authorization", "TC3-HMAC-SHA256 forged")],
    };
    let err = sign::sign(&credential, &input).unwrap_err();
    assert_eq!(err.code(), ResultCode::InvalidOption);
}

#[test]
fn extra_signed_header_values_are_lower_cased_like_the_service() {
    let (block, names) = sign::canonical_headers(
        "application/json",
        "h",
        &[("X-TC-Action", " DescribeInstances ")],
    )
    .unwrap();
    assert_eq!(
        block,
        "content-type:application/json\nhost:h\nx-tc-action:describeinstances\n"
    );
    assert_eq!(names, "content-type;host;x-tc-action");
}
