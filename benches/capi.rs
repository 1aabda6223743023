//! Issue part (c): the same work through the C ABI, next to the Rust figure of the same work.
//! Target: C ≤ 1.1 × Rust + a fixed few hundred ns.
//!
//! - `sign_small`: `tcfaceid_sign` (C strings in; credential checked, every stage, every
//!   header copied into the `tcfaceid_signed_headers` handle; read the Authorization; free)
//!   next to Rust `Credential::new` + `sign::sign` + `sign::request_headers`.
//! - `signer_small`: the same signature with the day's key cached: `tcfaceid_signer_sign` on a
//!   `tcfaceid_signer` made once (read the Authorization; free the headers), next to Rust
//!   `Signer::request_headers`.
//! - `prepare_5mb`: a front side from 3.75 MiB of raw JPEG bytes: `tcfaceid_card_request_new`,
//!   `_set_image_bytes` (copies the caller's bytes, as every C input is copied),
//!   `tcfaceid_card_request_body` (the exact body as an owned C string and its length), `tcfaceid_sign` over
//!   it; next to Rust `CardVerificationRequest::new`, `set_front_bytes(bytes.to_vec())`,
//!   `to_body`, `sign::sign`, `request_headers`.
//!
//! Run with `make bench` (or `cargo bench --bench capi`).

#[path = "support/mod.rs"]
mod support;

#[path = "../tests/common/mod.rs"]
mod common;

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::time::Duration;

use support::{run, timed};
use tcfaceid::capi::card_request::{
    tcfaceid_card_request_body, tcfaceid_card_request_free, tcfaceid_card_request_new,
    tcfaceid_card_request_set_image_bytes, tcfaceid_side,
};
use tcfaceid::capi::sign::{
    tcfaceid_sign, tcfaceid_signed_headers_free, tcfaceid_signed_headers_get, tcfaceid_signer,
    tcfaceid_signer_free, tcfaceid_signer_new, tcfaceid_signer_sign,
};
use tcfaceid::capi::string::tcfaceid_string_free;
use tcfaceid::sign::{self, CallContext, Payload, Signer, SigningInput};
use tcfaceid::{CardVerificationRequest, Credential, ResultCode};

const SECRET_ID: &str = "AKIDEXAMPLEFACEIDSECRETID000000000";
const SECRET_KEY: &str = "SKEXAMPLEFACEIDSECRETKEY0000000000";
const HOST: &str = "faceid.tencentcloudapi.com";
const REGION: &str = "ap-singapore";
const ACTION: &str = "ApplyCardVerification";
const VERSION: &str = "2018-03-01";
const TIMESTAMP: i64 = 1_700_000_000;
const BODY: &[u8] =
    br#"{"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"https://example.com/front.jpg"}"#;

/// Fixed overhead allowed on top of 1.1 × the Rust figure.
const FIXED_ALLOWANCE: Duration = Duration::from_nanos(300);

struct CStrings {
    id: CString,
    key: CString,
    host: CString,
    region: CString,
    action: CString,
    version: CString,
    authorization: CString,
    nationality: CString,
    card_type: CString,
}

impl CStrings {
    fn new() -> CStrings {
        let c = |s: &str| CString::new(s).unwrap();
        CStrings {
            id: c(SECRET_ID),
            key: c(SECRET_KEY),
            host: c(HOST),
            region: c(REGION),
            action: c(ACTION),
            version: c(VERSION),
            authorization: c("Authorization"),
            nationality: c("IDN"),
            card_type: c("ID_CARD"),
        }
    }
}

/// Rust: the same work as `tcfaceid_sign`. Returns the Authorization value.
fn rust_sign(body: &[u8]) -> String {
    let credential = Credential::new(SECRET_ID, SECRET_KEY, None).unwrap();
    let input = SigningInput {
        method: sign::Method::Post,
        host: HOST,
        query: "",
        content_type: sign::CONTENT_TYPE_JSON,
        payload: Payload::Body(body),
        service: sign::SERVICE,
        timestamp: TIMESTAMP,
        extra_signed_headers: &[],
    };
    let signature = sign::sign(&credential, &input).unwrap();
    let call = CallContext {
        action: ACTION,
        version: VERSION,
        region: REGION,
        language: "",
        request_client: "",
    };
    let headers = sign::request_headers(&credential, &input, &call, &signature);
    headers.into_iter().next().unwrap().1
}

/// C: `tcfaceid_sign` over `body`, the Authorization read back, the handle freed.
fn c_sign(s: &CStrings, body: &[u8]) -> usize {
    let mut headers = ptr::null_mut();
    // SAFETY: valid NUL-terminated strings, a valid (ptr, len) body and an output slot.
    unsafe {
        let rc = tcfaceid_sign(
            s.id.as_ptr(),
            s.key.as_ptr(),
            ptr::null(),
            c"faceid".as_ptr(),
            s.host.as_ptr(),
            s.region.as_ptr(),
            s.action.as_ptr(),
            s.version.as_ptr(),
            TIMESTAMP,
            body.as_ptr(),
            body.len(),
            &mut headers,
        );
        assert_eq!(rc, ResultCode::Ok);
        let authorization = tcfaceid_signed_headers_get(headers, s.authorization.as_ptr());
        let len = CStr::from_ptr(authorization).to_bytes().len();
        tcfaceid_signed_headers_free(headers);
        len
    }
}

/// Rust: `Signer::request_headers` with the day's key cached. Returns the Authorization value.
fn rust_signer_sign(signer: &Signer, body: &[u8]) -> String {
    let input = SigningInput {
        method: sign::Method::Post,
        host: HOST,
        query: "",
        content_type: sign::CONTENT_TYPE_JSON,
        payload: Payload::Body(body),
        service: sign::SERVICE,
        timestamp: TIMESTAMP,
        extra_signed_headers: &[],
    };
    let call = CallContext {
        action: ACTION,
        version: VERSION,
        region: REGION,
        language: "",
        request_client: "",
    };
    let headers = signer.request_headers(&input, &call).unwrap();
    headers.into_iter().next().unwrap().1
}

/// C: `tcfaceid_signer_sign` with a signer made once, the Authorization read back, the
/// headers freed.
fn c_signer_sign(s: &CStrings, signer: *const tcfaceid_signer, body: &[u8]) -> usize {
    let mut headers = ptr::null_mut();
    // SAFETY: a live signer, valid NUL-terminated strings, a valid (ptr, len) body and an
    // output slot.
    unsafe {
        let rc = tcfaceid_signer_sign(
            signer,
            s.host.as_ptr(),
            s.region.as_ptr(),
            s.action.as_ptr(),
            s.version.as_ptr(),
            TIMESTAMP,
            body.as_ptr(),
            body.len(),
            &mut headers,
        );
        assert_eq!(rc, ResultCode::Ok);
        let authorization = tcfaceid_signed_headers_get(headers, s.authorization.as_ptr());
        let len = CStr::from_ptr(authorization).to_bytes().len();
        tcfaceid_signed_headers_free(headers);
        len
    }
}

/// Rust: a request from raw bytes (copied, as C copies), its body, signed.
fn rust_prepare(image: &[u8]) -> String {
    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_bytes(image.to_vec());
    let body = request.to_body().unwrap();
    rust_sign(&body)
}

/// C: the same through the C ABI.
fn c_prepare(s: &CStrings, image: &[u8]) -> usize {
    let mut request = ptr::null_mut();
    let mut json: *mut c_char = ptr::null_mut();
    let mut json_len = 0;
    // SAFETY: valid strings, buffers and output slots; every handle is freed once.
    unsafe {
        assert_eq!(
            tcfaceid_card_request_new(s.nationality.as_ptr(), s.card_type.as_ptr(), &mut request),
            ResultCode::Ok
        );
        assert_eq!(
            tcfaceid_card_request_set_image_bytes(
                request,
                tcfaceid_side::Front as u32,
                image.as_ptr(),
                image.len()
            ),
            ResultCode::Ok
        );
        assert_eq!(
            tcfaceid_card_request_body(request, &mut json, &mut json_len),
            ResultCode::Ok
        );
        let body = std::slice::from_raw_parts(json.cast::<u8>(), json_len);
        let len = c_sign(s, body);
        tcfaceid_string_free(json);
        tcfaceid_card_request_free(request);
        len
    }
}

fn verdict(c: Duration, rust: Duration) -> String {
    let limit = rust.mul_f64(1.1) + FIXED_ALLOWANCE;
    format!(
        "C {}, Rust {}, ratio {:.3}x, C - 1.1 x Rust = {:+.0} ns (target: C <= 1.1 x Rust + {} ns) {}",
        support::format_time(c),
        support::format_time(rust),
        c.as_secs_f64() / rust.as_secs_f64(),
        (c.as_secs_f64() - rust.as_secs_f64() * 1.1) * 1e9,
        FIXED_ALLOWANCE.as_nanos(),
        if c <= limit { "ok" } else { "MISSED" }
    )
}

fn main() {
    let strings = CStrings::new();
    let image = common::jpeg_with_len(1024, 768, tcfaceid::image::MAX_RAW_LEN);
    // Both paths produce the same Authorization.
    assert_eq!(rust_sign(BODY).len(), c_sign(&strings, BODY));
    assert_eq!(rust_prepare(&image).len(), c_prepare(&strings, &image));

    let signer = Signer::new(Credential::new(SECRET_ID, SECRET_KEY, None).unwrap());
    let mut c_signer = ptr::null_mut();
    // SAFETY: valid NUL-terminated strings and an output slot; freed at the end.
    unsafe {
        assert_eq!(
            tcfaceid_signer_new(
                strings.id.as_ptr(),
                strings.key.as_ptr(),
                ptr::null(),
                c"faceid".as_ptr(),
                &mut c_signer
            ),
            ResultCode::Ok
        );
    }
    assert_eq!(
        rust_signer_sign(&signer, BODY).len(),
        c_signer_sign(&strings, c_signer, BODY)
    );

    let mut c = support::criterion();
    {
        let mut group = c.benchmark_group("capi");
        group.bench_function("sign_small/c", |b| {
            b.iter_custom(timed("capi/sign_small/c", || c_sign(&strings, BODY)))
        });
        group.bench_function("sign_small/rust", |b| {
            b.iter_custom(timed("capi/sign_small/rust", || rust_sign(BODY)))
        });
        group.bench_function("signer_small/c", |b| {
            b.iter_custom(timed("capi/signer_small/c", || {
                c_signer_sign(&strings, c_signer, BODY)
            }))
        });
        group.bench_function("signer_small/rust", |b| {
            b.iter_custom(timed("capi/signer_small/rust", || {
                rust_signer_sign(&signer, BODY)
            }))
        });
        group.bench_function("prepare_5mb/c", |b| {
            b.iter_custom(timed("capi/prepare_5mb/c", || c_prepare(&strings, &image)))
        });
        group.bench_function("prepare_5mb/rust", |b| {
            b.iter_custom(timed("capi/prepare_5mb/rust", || rust_prepare(&image)))
        });
        group.finish();
    }
    c.final_summary();

    let median = |id: &str| support::stats(id).map(|s| s.median);
    println!("\n== C ABI (issue part c): C next to Rust (median of criterion's samples) ==");
    for name in ["sign_small", "signer_small", "prepare_5mb"] {
        if let (Some(cm), Some(rm)) = (
            median(&format!("capi/{name}/c")),
            median(&format!("capi/{name}/rust")),
        ) {
            println!("{name}: {}", verdict(cm, rm));
        }
    }
    if support::stats("capi/sign_small/c").is_some_and(|s| s.samples >= support::SAMPLE_SIZE) {
        let best = support::interleaved(
            15,
            2_000,
            &mut [
                ("capi/sign_small/c", &mut |n| {
                    run(n, &mut || c_sign(&strings, BODY))
                }),
                ("capi/sign_small/rust", &mut |n| {
                    run(n, &mut || rust_sign(BODY))
                }),
            ],
        );
        let big = support::interleaved(
            8,
            10,
            &mut [
                ("capi/prepare_5mb/c", &mut |n| {
                    run(n, &mut || c_prepare(&strings, &image))
                }),
                ("capi/prepare_5mb/rust", &mut |n| {
                    run(n, &mut || rust_prepare(&image))
                }),
            ],
        );
        println!("\n-- interleaved check (best of rounds, C and Rust in turn) --");
        println!("sign_small: {}", verdict(best[0].1, best[1].1));
        println!("prepare_5mb: {}", verdict(big[0].1, big[1].1));
    }
    // SAFETY: made above by tcfaceid_signer_new, freed once.
    unsafe { tcfaceid_signer_free(c_signer) };
}
