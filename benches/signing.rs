//! Issue part (a): sign a small ApplyCardVerification body (an image URL), from the inputs to
//! the `Authorization` value, next to a baseline that does the same SHA-256 compressions with
//! raw `sha2` / `hmac` calls on precomputed byte strings (no formatting, no allocation).
//!
//! - `cold`: what a caller without a cache does for one request: [`sign::sign`] derives the
//!   signing key (3 HMACs), hashes the body and the canonical request, and HMACs the string to
//!   sign. Baseline: body hash + canonical request hash + 3 HMACs + 1 HMAC (~26 compressions).
//! - `warm`: the Client's path: [`Signer::sign`] with the day's signing key already derived and
//!   cached. Baseline: body hash + canonical request hash + 1 HMAC.
//!
//! After criterion's runs, the same routines run again in turn (best of 25 rounds) as a check
//! that load from other processes disturbs less.
//!
//! Run with `make bench` (or `cargo bench --bench signing`).

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;

use criterion::Criterion;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use support::{print_summary, run, timed, Comparison};
use tcfaceid::sign::{self, Payload, Signer, SigningInput};
use tcfaceid::Credential;

const SECRET_ID: &str = "AKIDEXAMPLEFACEIDSECRETID000000000";
const SECRET_KEY: &str = "SKEXAMPLEFACEIDSECRETKEY0000000000";
const HOST: &str = "faceid.tencentcloudapi.com";
const TIMESTAMP: i64 = 1_700_000_000;
const BODY: &[u8] =
    br#"{"Nationality":"IDN","CardType":"ID_CARD","ImageUrlFront":"https://example.com/front.jpg"}"#;

const ROWS: &[Comparison] = &[
    Comparison {
        name: "sign_small_cold",
        library: "sign_small/cold/library",
        baseline: "sign_small/cold/baseline",
        target: 1.30,
    },
    Comparison {
        name: "sign_small_warm",
        library: "sign_small/warm/library",
        baseline: "sign_small/warm/baseline",
        target: 1.30,
    },
];

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The inputs, and the byte strings the baseline hashes (computed once by the library).
struct Fixture {
    credential: Credential,
    input: SigningInput<'static>,
    /// The Client's signer, its key derived once here.
    signer: Signer,
    seed: Vec<u8>,
    date: String,
    key: [u8; 32],
    canonical_request: String,
    string_to_sign: String,
}

impl Fixture {
    fn new() -> Fixture {
        let credential = Credential::new(SECRET_ID, SECRET_KEY, None).unwrap();
        let input = SigningInput {
            method: sign::Method::Post,
            host: HOST,
            query: "",
            content_type: sign::CONTENT_TYPE_JSON,
            payload: Payload::Body(BODY),
            service: sign::SERVICE,
            timestamp: TIMESTAMP,
            extra_signed_headers: &[],
        };
        let all = sign::sign(&credential, &input).unwrap();
        let seed = [b"TC3".as_slice(), SECRET_KEY.as_bytes()].concat();
        let key = hmac(
            &hmac(&hmac(&seed, all.date.as_bytes()), b"faceid"),
            b"tc3_request",
        );
        let fixture = Fixture {
            signer: Signer::new(credential.clone()),
            credential,
            input,
            seed,
            date: all.date,
            key,
            canonical_request: all.canonical_request,
            string_to_sign: all.string_to_sign,
        };
        // Every path gives the signature of the plain compressions.
        let expected = hex::encode(hmac(&key, fixture.string_to_sign.as_bytes()));
        assert!(fixture.cold_library().ends_with(&expected));
        assert!(fixture.warm_library().ends_with(&expected));
        fixture
    }

    fn cold_library(&self) -> String {
        sign::sign(&self.credential, &self.input)
            .unwrap()
            .authorization
    }

    fn cold_baseline(&self) -> [[u8; 32]; 3] {
        let body_hash = Sha256::digest(black_box(BODY)).into();
        let cr_hash = Sha256::digest(black_box(self.canonical_request.as_bytes())).into();
        let k_date = hmac(black_box(&self.seed), black_box(self.date.as_bytes()));
        let k_service = hmac(&k_date, b"faceid");
        let k_signing = hmac(&k_service, b"tc3_request");
        let signature = hmac(&k_signing, black_box(self.string_to_sign.as_bytes()));
        [body_hash, cr_hash, signature]
    }

    fn warm_library(&self) -> String {
        self.signer.sign(&self.input).unwrap().authorization
    }

    fn warm_baseline(&self) -> [[u8; 32]; 3] {
        let body_hash = Sha256::digest(black_box(BODY)).into();
        let cr_hash = Sha256::digest(black_box(self.canonical_request.as_bytes())).into();
        let signature = hmac(
            black_box(&self.key),
            black_box(self.string_to_sign.as_bytes()),
        );
        [body_hash, cr_hash, signature]
    }
}

fn bench_sign_small(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("sign_small");
    group.bench_function("cold/library", |b| {
        b.iter_custom(timed("sign_small/cold/library", || f.cold_library()))
    });
    group.bench_function("cold/baseline", |b| {
        b.iter_custom(timed("sign_small/cold/baseline", || f.cold_baseline()))
    });
    group.bench_function("warm/library", |b| {
        b.iter_custom(timed("sign_small/warm/library", || f.warm_library()))
    });
    group.bench_function("warm/baseline", |b| {
        b.iter_custom(timed("sign_small/warm/baseline", || f.warm_baseline()))
    });
    group.finish();
}

fn main() {
    let fixture = Fixture::new();
    let mut c = support::criterion();
    bench_sign_small(&mut c, &fixture);
    c.final_summary();
    print_summary("signing (issue part a)", ROWS);
    if support::stats("sign_small/warm/library").is_some_and(|s| s.samples >= support::SAMPLE_SIZE)
    {
        let best = support::interleaved(
            25,
            20_000,
            &mut [
                ("sign_small/cold/library", &mut |n| {
                    run(n, &mut || fixture.cold_library())
                }),
                ("sign_small/cold/baseline", &mut |n| {
                    run(n, &mut || fixture.cold_baseline())
                }),
                ("sign_small/warm/library", &mut |n| {
                    run(n, &mut || fixture.warm_library())
                }),
                ("sign_small/warm/baseline", &mut |n| {
                    run(n, &mut || fixture.warm_baseline())
                }),
            ],
        );
        support::print_interleaved(ROWS, &best);
    }
}
