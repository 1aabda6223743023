//! The default credentials chain, driven by the process environment (one test, so nothing else
//! in this binary changes the environment meanwhile): its order — explicit keys, environment,
//! profile file, TKE OIDC, CVM role (opt-in) — and the one error naming every source tried
//! when none gives credentials. The metadata service and STS are the in-process emulator's
//! (`TCFACEID_METADATA_ENDPOINT`, `TCFACEID_STS_ENDPOINT`).

use std::path::Path;

use tcfaceid::client::CredentialSource;
use tcfaceid::{CardVerificationRequest, Client, Credential, ResultCode};
use tcfaceid_emulator::{
    CredentialsConfig, Emulator, EmulatorConfig, DEMO_SECRET_ID, DEMO_SECRET_KEY,
};

const VARIABLES: [&str; 10] = [
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SECURITY_TOKEN",
    "TENCENTCLOUD_CREDENTIALS_FILE",
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_WEB_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
    "TCFACEID_METADATA_ENDPOINT",
    "TCFACEID_STS_ENDPOINT",
];

fn emulator(role_name: &str) -> Emulator {
    Emulator::start(EmulatorConfig {
        log: false,
        credentials: CredentialsConfig {
            role_name: role_name.to_owned(),
            ..CredentialsConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .unwrap()
}

fn build(source: CredentialSource, endpoint: &str) -> tcfaceid::Result<Client> {
    Client::builder()
        .credential_source(source)
        .region("ap-singapore")
        .endpoint(endpoint)
        .build()
}

/// The source the chain chose, after one call signed with it.
fn chosen(cvm_role: bool, emulator: &Emulator) -> String {
    let client = build(CredentialSource::Chain { cvm_role }, &emulator.endpoint()).unwrap();
    let mut request = CardVerificationRequest::new("SGP", "ID_CARD");
    request.set_front_url("https://example.com/front.jpg");
    request.set_back_url("https://example.com/back.jpg");
    client.apply_card_verification(&request).unwrap();
    client.credential_provider().name()
}

#[test]
fn the_chain_takes_sources_in_order_and_names_every_one_it_skipped() {
    assert!(
        !Path::new("/etc/tencentcloud/credentials").exists(),
        "this test needs a machine without /etc/tencentcloud/credentials"
    );
    for name in VARIABLES {
        std::env::remove_var(name);
    }
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("HOME", home.path());
    let no_role = emulator("");
    let with_role = emulator("tcfaceid-emulator-role");

    // Nothing at all: one error, every source and why.
    let error = build(CredentialSource::DefaultChain, &no_role.endpoint()).unwrap_err();
    assert_eq!(error.code(), ResultCode::CredentialsMissing);
    let profile = home.path().join(".tencentcloud").join("credentials");
    assert_eq!(
        error.message(),
        format!(
            "no credentials found; tried explicit keys: none given; environment: \
             TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY must both be set; profile file: \
             cannot read profile file {}: No such file or directory (os error 2); TKE OIDC: \
             TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN not set; \
             CVM instance role: not enabled (opt-in)",
            profile.display()
        )
    );
    // With the CVM role opted in, and no role bound to the "instance".
    std::env::set_var("TCFACEID_METADATA_ENDPOINT", no_role.endpoint());
    let error = build(
        CredentialSource::Chain { cvm_role: true },
        &no_role.endpoint(),
    )
    .unwrap_err();
    assert!(
        error.message().ends_with(
            "; CVM instance role: no CAM role is bound to this instance (the metadata service \
             answered 404)"
        ),
        "{error}"
    );

    // From the last source to the first, each one added wins over those after it.
    std::env::set_var("TCFACEID_METADATA_ENDPOINT", with_role.endpoint());
    assert_eq!(chosen(true, &with_role), "CVM instance role");

    let token_file = home.path().join("oidc-token");
    std::fs::write(&token_file, "eyJhbGciOiJSUzI1NiJ9.e30.sig\n").unwrap();
    std::env::set_var("TCFACEID_STS_ENDPOINT", with_role.endpoint());
    std::env::set_var("TKE_REGION", "ap-singapore");
    std::env::set_var("TKE_PROVIDER_ID", "demo-provider");
    std::env::set_var("TKE_WEB_IDENTITY_TOKEN_FILE", &token_file);
    // Three of four TKE variables: OIDC is skipped, naming the missing one.
    let error = build(
        CredentialSource::Chain { cvm_role: false },
        &no_role.endpoint(),
    )
    .unwrap_err();
    assert!(
        error
            .message()
            .contains("; TKE OIDC: TKE_ROLE_ARN not set; "),
        "{error}"
    );
    let error = build(CredentialSource::Oidc, &no_role.endpoint()).unwrap_err();
    assert_eq!(error.message(), "TKE OIDC: TKE_ROLE_ARN not set");
    std::env::set_var(
        "TKE_ROLE_ARN",
        "qcs::cam::uin/100000000001:roleName/tke-demo",
    );
    assert_eq!(
        chosen(true, &with_role),
        "TKE OIDC (AssumeRoleWithWebIdentity)"
    );
    assert_eq!(
        with_role
            .credentials()
            .stats()
            .last_web_identity
            .unwrap()
            .region,
        "ap-singapore"
    );

    std::fs::create_dir_all(profile.parent().unwrap()).unwrap();
    std::fs::write(
        &profile,
        format!("[default]\nsecret_id = {DEMO_SECRET_ID}\nsecret_key = {DEMO_SECRET_KEY}\n"),
    )
    .unwrap();
    assert_eq!(chosen(true, &with_role), "profile file");

    // An empty variable counts as unset in the chain.
    std::env::set_var("TENCENTCLOUD_SECRET_ID", "");
    std::env::set_var("TENCENTCLOUD_SECRET_KEY", DEMO_SECRET_KEY);
    assert_eq!(chosen(true, &with_role), "profile file");
    std::env::set_var("TENCENTCLOUD_SECRET_ID", DEMO_SECRET_ID);
    assert_eq!(chosen(true, &with_role), "environment");

    // Present but padded: the chain stops with that error instead of skipping.
    std::env::set_var("TENCENTCLOUD_SECRET_ID", format!(" {DEMO_SECRET_ID}"));
    let error = build(CredentialSource::DefaultChain, &with_role.endpoint()).unwrap_err();
    assert_eq!(error.code(), ResultCode::CredentialsInvalid);
    assert!(error.message().starts_with("environment: "), "{error}");

    let explicit = Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap();
    let client = build(CredentialSource::Explicit(explicit), &with_role.endpoint()).unwrap();
    assert_eq!(client.credential_provider().name(), "explicit keys");

    // The CVM role alone, from the environment's metadata endpoint.
    let client = build(CredentialSource::CvmRole(None), &with_role.endpoint()).unwrap();
    assert_eq!(client.credential_provider().name(), "CVM instance role");
    for name in VARIABLES {
        std::env::remove_var(name);
    }
}
