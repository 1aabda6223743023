//! Rotating credentials end to end against the in-process emulator, which serves the metadata
//! service and STS on its port, issues short-lived keys, and (with `temporary_keys_only`)
//! accepts FaceID calls only when signed with a currently valid temporary key and its token:
//! CVM role under 16 threads through several expiries (no expired key ever used, one refresh
//! per expiry), refresh failure with and without still-valid keys, a slow metadata service,
//! STS AssumeRole, TKE OIDC (token file re-read and trimmed, region from TKE_REGION).
//! The environment-driven default chain is in `tests/credential_chain.rs`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tcfaceid::provider::cvm::CvmRole;
use tcfaceid::provider::sts::{AssumeRole, AssumeRoleOptions, Sts, WebIdentity};
use tcfaceid::provider::{CredentialProvider, Refreshing, Static};
use tcfaceid::{CardVerificationRequest, Client, Credential, ResultCode};
use tcfaceid_emulator::{
    CredentialsConfig, Emulator, EmulatorConfig, KeySource, DEMO_SECRET_ID, DEMO_SECRET_KEY,
};

const THREADS: usize = 16;

fn emulator(ttl_secs: i64) -> Emulator {
    Emulator::start(EmulatorConfig {
        threads: THREADS,
        log: false,
        credentials: CredentialsConfig {
            ttl_secs,
            temporary_keys_only: true,
            ..CredentialsConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .unwrap()
}

fn client(emulator: &Emulator, provider: Arc<dyn CredentialProvider>) -> Client {
    Client::builder()
        .credential_provider(provider)
        .region("ap-singapore")
        .endpoint(emulator.endpoint())
        .build()
        .unwrap()
}

fn request() -> CardVerificationRequest<'static> {
    let mut request = CardVerificationRequest::new("SGP", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request.set_back_url("https://example.com/back.jpg");
    request
}

fn cvm_role(emulator: &Emulator) -> Arc<Refreshing<CvmRole>> {
    Arc::new(Refreshing::new(
        CvmRole::with_endpoint(None, &emulator.endpoint()).unwrap(),
    ))
}

fn sts(emulator: &Emulator) -> Sts {
    Sts::new(Some(&emulator.endpoint()), Duration::from_secs(10)).unwrap()
}

#[test]
fn the_long_term_key_is_refused_when_only_temporary_keys_are_accepted() {
    let emulator = emulator(7200);
    let long_term = Static::new(
        Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap(),
        "explicit keys",
    );
    let error = client(&emulator, Arc::new(long_term))
        .apply_card_verification(&request())
        .unwrap_err();
    assert_eq!(error.service_code(), Some("AuthFailure.SecretIdNotFound"));
    assert_eq!(emulator.credentials().stats().long_term_key_refusals, 1);
}

/// 16 threads call through one client while the CVM role's 6 s keys expire three times: every
/// call is answered, the emulator never sees an expired key, and each key is fetched exactly
/// once, at its refresh point (half its life, as 300 s is more than half of 6 s).
#[test]
fn cvm_role_keys_are_refreshed_once_per_expiry_under_16_threads() {
    const TTL: i64 = 6;
    const KEYS: usize = 4;
    let emulator = emulator(TTL);
    let provider = cvm_role(&emulator);
    let client = client(&emulator, provider.clone());
    let calls = AtomicU64::new(0);
    let failures = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                let request = request();
                while !done.load(Ordering::SeqCst) {
                    match client.apply_card_verification(&request) {
                        Ok(_) => calls.fetch_add(1, Ordering::SeqCst),
                        Err(e) => {
                            eprintln!("call failed: {e}");
                            failures.fetch_add(1, Ordering::SeqCst)
                        }
                    };
                    // Until the fourth key has served a request: three expiries passed.
                    let issued = emulator.credentials().stats().issued;
                    if issued.len() >= KEYS && issued[KEYS - 1].requests > 0 {
                        done.store(true, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let stats = emulator.credentials().stats();
    let calls = calls.load(Ordering::SeqCst);
    eprintln!(
        "16 threads, {calls} calls in {:.1} s; keys issued {} (TTL {TTL} s), requests per key {:?}, \
         metadata key requests {}, role-name requests {}, expired-key refusals {}",
        start.elapsed().as_secs_f64(),
        stats.issued.len(),
        stats.issued.iter().map(|k| k.requests).collect::<Vec<_>>(),
        stats.metadata_key_requests,
        stats.role_name_requests,
        stats.expired_key_refusals
    );
    assert_eq!(failures.load(Ordering::SeqCst), 0);
    assert_eq!(
        stats.expired_key_refusals, 0,
        "a request was signed with an expired key"
    );
    assert_eq!(stats.long_term_key_refusals, 0);
    assert_eq!(stats.role_name_requests, 1, "the role is discovered once");
    assert_eq!(stats.issued.len(), KEYS, "one fetch per expiry, no more");
    assert_eq!(stats.metadata_key_requests, KEYS as u64);
    assert_eq!(provider.fetches(), KEYS as u64);
    let served: u64 = stats.issued.iter().map(|k| k.requests).sum();
    assert_eq!(served, calls);
    for pair in stats.issued.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        assert!(old.requests > 0 && new.requests > 0);
        assert!(
            new.issued_at < old.expires_at,
            "refreshed before the expiry"
        );
        // Not before the refresh point: half the life (± the second the client saw).
        assert!(
            new.issued_at >= old.expires_at - TTL / 2 - 1,
            "refreshed too early (a second fetch for the same expiry): {old:?} then {new:?}"
        );
    }
}

/// The refresh fails while the keys are still valid: they stay in use and the failure is
/// reported; once they expire, the call fails with a credentials error naming the source;
/// when the metadata service recovers, so does the client.
#[test]
fn a_failed_refresh_keeps_valid_keys_then_fails_naming_the_source() {
    let emulator = emulator(6);
    let provider = cvm_role(&emulator);
    let client = client(&emulator, provider.clone());
    let request = request();
    client.apply_card_verification(&request).unwrap();
    emulator.credentials().fail_next(u64::MAX);
    // Calls go on with the first key through its refresh window, until it expires.
    let mut during = 0;
    let error = loop {
        match client.apply_card_verification(&request) {
            Ok(_) => during += 1,
            Err(e) => break e,
        }
    };
    let stats = emulator.credentials().stats();
    assert_eq!(stats.issued.len(), 1);
    assert!(
        stats.injected_failures >= 1,
        "a refresh was tried and failed"
    );
    assert_eq!(stats.expired_key_refusals, 0);
    assert_eq!(stats.issued[0].requests, during + 1);
    assert!(provider.failures() >= 1);
    let reported = provider
        .last_refresh_error()
        .expect("the failure is reported");
    assert!(
        reported.message().starts_with("CVM instance role: "),
        "{reported}"
    );
    assert_eq!(error.code(), ResultCode::CredentialsUnavailable);
    assert!(
        error.message().starts_with("CVM instance role: "),
        "{error}"
    );
    assert!(error.message().contains("Failure"), "{error}");
    // Recovery.
    emulator.credentials().fail_next(0);
    client.apply_card_verification(&request).unwrap();
    assert_eq!(emulator.credentials().stats().issued.len(), 2);
    assert!(provider.last_refresh_error().is_none());
}

/// A metadata service that does not answer: the fetch gives up after the 2 s total timeout
/// (asserted within 5x), and the call fails with a credentials error, not a hang.
#[test]
fn a_slow_metadata_service_times_out() {
    let emulator = emulator(7200);
    emulator.credentials().set_metadata_delay_ms(60_000);
    let provider = cvm_role(&emulator);
    let start = Instant::now();
    let error = provider.credential().unwrap_err();
    let elapsed = start.elapsed();
    emulator.credentials().set_metadata_delay_ms(0);
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(error.code(), ResultCode::CredentialsUnavailable);
    assert!(
        error.message().starts_with("CVM instance role: "),
        "{error}"
    );
    assert!(
        error.message().contains("timed out") || error.message().contains("deadline"),
        "{error}"
    );
}

#[test]
fn cvm_role_named_and_missing() {
    let emulator = emulator(7200);
    let named = Refreshing::new(
        CvmRole::with_endpoint(Some("tcfaceid-emulator-role".into()), &emulator.endpoint())
            .unwrap(),
    );
    let c = named.credential().unwrap();
    assert!(c.secret_id().starts_with("AKIDTMPCVM"));
    assert!(c.token().is_some() && c.expires_at().is_some());
    assert_eq!(emulator.credentials().stats().role_name_requests, 0);
    let unknown = Refreshing::new(
        CvmRole::with_endpoint(Some("other".into()), &emulator.endpoint()).unwrap(),
    );
    let error = unknown.credential().unwrap_err();
    assert!(error.message().contains("HTTP 404"), "{error}");
}

#[test]
fn assume_role_signs_with_the_long_term_keys_and_calls_with_the_role_keys() {
    let emulator = emulator(7200);
    let long_term: Arc<dyn CredentialProvider> = Arc::new(Static::new(
        Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap(),
        "explicit keys",
    ));
    let options = AssumeRoleOptions {
        duration_secs: 3600,
        ..AssumeRoleOptions::new("qcs::cam::uin/100000000001:roleName/demo", "sess-1")
    };
    let provider = Arc::new(Refreshing::new(
        AssumeRole::new(sts(&emulator), long_term, options.clone()).unwrap(),
    ));
    let client = client(&emulator, provider.clone());
    client.apply_card_verification(&request()).unwrap();
    client.apply_card_verification(&request()).unwrap();
    let stats = emulator.credentials().stats();
    assert_eq!(stats.assume_role_calls, 1);
    assert_eq!(stats.issued.len(), 1);
    assert_eq!(stats.issued[0].source, KeySource::AssumeRole);
    assert_eq!(stats.issued[0].expires_at - stats.issued[0].issued_at, 3600);
    assert_eq!(stats.issued[0].requests, 2);

    // The wrong long-term key: STS refuses the signature; the error names the source.
    let wrong: Arc<dyn CredentialProvider> = Arc::new(Static::new(
        Credential::new(DEMO_SECRET_ID, "not-the-key", None).unwrap(),
        "explicit keys",
    ));
    let refused = Refreshing::new(AssumeRole::new(sts(&emulator), wrong, options).unwrap());
    let error = refused.credential().unwrap_err();
    assert_eq!(error.code(), ResultCode::CredentialsUnavailable);
    assert!(
        error.message().starts_with("STS AssumeRole qcs::cam::"),
        "{error}"
    );
    assert!(error.message().contains("SignatureFailure"), "{error}");
}

/// TKE OIDC: unsigned, region from TKE_REGION, the token file's trailing newline trimmed, and
/// the file read again at the refresh (a rotated token is sent).
#[test]
fn oidc_rereads_the_token_file_and_uses_the_tke_region() {
    let emulator = emulator(4);
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "eyJhbGciOiJSUzI1NiJ9.e30.first\n").unwrap();
    let path = token_file.to_string_lossy().into_owned();
    let source = WebIdentity::with_lookup(sts(&emulator), move |name| {
        Some(
            match name {
                "TKE_REGION" => "ap-jakarta",
                "TKE_PROVIDER_ID" => "demo-provider",
                "TKE_WEB_IDENTITY_TOKEN_FILE" => &path,
                "TKE_ROLE_ARN" => "qcs::cam::uin/100000000001:roleName/tke-demo",
                _ => return None,
            }
            .to_owned(),
        )
    });
    let provider = Arc::new(Refreshing::new(source));
    let client = client(&emulator, provider);
    client.apply_card_verification(&request()).unwrap();
    let call = emulator.credentials().stats().last_web_identity.unwrap();
    assert_eq!(call.region, "ap-jakarta");
    assert_eq!(call.authorization, "SKIP");
    assert!(!call.token_header);
    assert_eq!(call.web_identity_token, "eyJhbGciOiJSUzI1NiJ9.e30.first");
    assert_eq!(call.provider_id, "demo-provider");
    assert!(
        call.session_name.starts_with("tcfaceid-rust-sdk-"),
        "{}",
        call.session_name
    );
    std::fs::write(&token_file, "eyJhbGciOiJSUzI1NiJ9.e30.second \n").unwrap();
    while emulator.credentials().stats().web_identity_calls < 2 {
        client.apply_card_verification(&request()).unwrap();
    }
    let stats = emulator.credentials().stats();
    let call = stats.last_web_identity.unwrap();
    assert_eq!(call.web_identity_token, "eyJhbGciOiJSUzI1NiJ9.e30.second");
    assert_eq!(stats.expired_key_refusals, 0);
    assert!(stats
        .issued
        .iter()
        .all(|k| k.source == KeySource::WebIdentity));
}
