//! Credentials: explicit values, an injected environment lookup, profile files, the process
//! environment (one test), and the rule that the secret key is never shown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tcfaceid::credential::{
    self, SecretKey, ENV_CREDENTIALS_FILE, ENV_REGION, ENV_SECRET_ID, ENV_SECRET_KEY,
    ENV_SECURITY_TOKEN,
};
use tcfaceid::{Credential, Error, ResultCode};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
/// Recognisable, so a leak in any message or `Debug` output is easy to spot.
const KEY: &str = "SeCrEtKeY-Gu7tZ-do-not-print-0123456789";
const TOKEN: &str = "tok3n-SESSION-abcdef0123456789";

/// The error, after checking that neither its message nor its `Display`/`Debug` contain `KEY`
/// (or the token).
#[track_caller]
fn err(result: tcfaceid::Result<Credential>, code: ResultCode) -> Error {
    let err = result.expect_err("expected an error");
    assert_eq!(err.code(), code, "{err:?}");
    for text in [
        err.message().to_owned(),
        err.to_string(),
        format!("{err:?}"),
    ] {
        assert!(!text.contains(KEY.trim()), "the secret key leaked: {text}");
        assert!(!text.contains(TOKEN.trim()), "the token leaked: {text}");
    }
    err
}

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn profile_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

// -------------------------------------------------------------------------- explicit values

#[test]
fn good_values_are_accepted() {
    let c = Credential::new(ID, KEY, None).unwrap();
    assert_eq!(c.secret_id(), ID);
    assert_eq!(c.secret_key().expose(), KEY);
    assert_eq!(c.token(), None);
    let c = Credential::new(ID, KEY, Some(TOKEN)).unwrap();
    assert_eq!(c.token(), Some(TOKEN));
    // An empty token means permanent credentials.
    assert_eq!(Credential::new(ID, KEY, Some("")).unwrap().token(), None);
}

#[test]
fn empty_id_or_key_is_invalid() {
    err(
        Credential::new("", KEY, None),
        ResultCode::CredentialsInvalid,
    );
    err(
        Credential::new(ID, "", None),
        ResultCode::CredentialsInvalid,
    );
    err(
        Credential::new("", "", Some(TOKEN)),
        ResultCode::CredentialsInvalid,
    );
}

#[test]
fn padded_values_are_invalid() {
    let pads = |v: &str| {
        [
            format!(" {v}"),
            format!("{v} "),
            format!("\t{v}"),
            format!("{v}\t"),
            format!("{v}\n"),
            format!("{v}\r\n"),
            format!("\n{v}"),
            format!("{v}\u{a0}"),
        ]
    };
    for padded in pads(ID) {
        let e = err(
            Credential::new(&padded, KEY, None),
            ResultCode::CredentialsInvalid,
        );
        assert!(e.message().contains("secret_id"), "{e}");
    }
    for padded in pads(KEY) {
        let e = err(
            Credential::new(ID, &padded, None),
            ResultCode::CredentialsInvalid,
        );
        assert!(e.message().contains("secret_key"), "{e}");
    }
    for padded in pads(TOKEN) {
        let e = err(
            Credential::new(ID, KEY, Some(&padded)),
            ResultCode::CredentialsInvalid,
        );
        assert!(e.message().contains("token"), "{e}");
    }
    // Whitespace only is padding too.
    err(
        Credential::new(" ", KEY, None),
        ResultCode::CredentialsInvalid,
    );
    err(
        Credential::new(ID, "\t", None),
        ResultCode::CredentialsInvalid,
    );
}

#[test]
fn debug_never_shows_the_key_or_token() {
    let c = Credential::new(ID, KEY, Some(TOKEN)).unwrap();
    for text in [format!("{c:?}"), format!("{c:#?}")] {
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
        assert!(text.contains("***"), "{text}");
        assert!(
            text.contains(ID),
            "the SecretId is not secret and helps debugging: {text}"
        );
    }
    assert_eq!(format!("{:?}", SecretKey::new(KEY)), "***");
    assert_eq!(format!("{:#?}", c.secret_key()), "***");
    assert_eq!(SecretKey::new(KEY).expose(), KEY);
    // Clones too.
    let copy = c.clone();
    assert!(!format!("{copy:?}").contains(KEY));
    assert_eq!(copy.secret_key().expose(), KEY);
}

// ------------------------------------------------------------------------ injected lookup

#[test]
fn lookup_with_all_three_variables_sets_the_token() {
    let c = Credential::from_lookup(lookup(&[
        (ENV_SECRET_ID, ID),
        (ENV_SECRET_KEY, KEY),
        (ENV_SECURITY_TOKEN, TOKEN),
    ]))
    .unwrap();
    assert_eq!(c.secret_id(), ID);
    assert_eq!(c.secret_key().expose(), KEY);
    assert_eq!(c.token(), Some(TOKEN));
}

#[test]
fn lookup_reads_the_documented_variable_names() {
    assert_eq!(ENV_SECRET_ID, "TENCENTCLOUD_SECRET_ID");
    assert_eq!(ENV_SECRET_KEY, "TENCENTCLOUD_SECRET_KEY");
    assert_eq!(ENV_SECURITY_TOKEN, "TENCENTCLOUD_SECURITY_TOKEN");
    assert_eq!(ENV_REGION, "TENCENTCLOUD_REGION");
    assert_eq!(ENV_CREDENTIALS_FILE, "TENCENTCLOUD_CREDENTIALS_FILE");
    let c = Credential::from_lookup(lookup(&[
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
    ]))
    .unwrap();
    assert_eq!(c.token(), None);
    // Look-alike names are not read.
    err(
        Credential::from_lookup(lookup(&[
            ("TENCENTCLOUD_SECRETID", ID),
            ("SECRET_KEY", KEY),
        ])),
        ResultCode::CredentialsMissing,
    );
}

#[test]
fn lookup_with_missing_variables_is_credentials_missing() {
    for vars in [
        &[][..],
        &[(ENV_SECRET_ID, ID)][..],
        &[(ENV_SECRET_KEY, KEY)][..],
        &[(ENV_SECRET_KEY, KEY), (ENV_SECURITY_TOKEN, TOKEN)][..],
    ] {
        let e = err(
            Credential::from_lookup(lookup(vars)),
            ResultCode::CredentialsMissing,
        );
        assert!(
            e.message().contains(ENV_SECRET_ID) && e.message().contains(ENV_SECRET_KEY),
            "{e}"
        );
    }
}

#[test]
fn lookup_with_empty_or_padded_values_is_credentials_invalid() {
    for vars in [
        [
            (ENV_SECRET_ID, ""),
            (ENV_SECRET_KEY, KEY),
            (ENV_SECURITY_TOKEN, TOKEN),
        ],
        [
            (ENV_SECRET_ID, ID),
            (ENV_SECRET_KEY, ""),
            (ENV_SECURITY_TOKEN, TOKEN),
        ],
        [
            (ENV_SECRET_ID, ID),
            (ENV_SECRET_KEY, format!("{KEY}\n").as_str()),
            (ENV_SECURITY_TOKEN, TOKEN),
        ],
        [
            (ENV_SECRET_ID, format!(" {ID}").as_str()),
            (ENV_SECRET_KEY, KEY),
            (ENV_SECURITY_TOKEN, TOKEN),
        ],
        [
            (ENV_SECRET_ID, ID),
            (ENV_SECRET_KEY, KEY),
            (ENV_SECURITY_TOKEN, format!("{TOKEN} ").as_str()),
        ],
    ] {
        let e = err(
            Credential::from_lookup(lookup(&vars)),
            ResultCode::CredentialsInvalid,
        );
        assert!(e.message().contains("environment"), "{e}");
    }
    // An empty token is no token.
    let c = Credential::from_lookup(lookup(&[
        (ENV_SECRET_ID, ID),
        (ENV_SECRET_KEY, KEY),
        (ENV_SECURITY_TOKEN, ""),
    ]))
    .unwrap();
    assert_eq!(c.token(), None);
}

// --------------------------------------------------------------------------- profile files

#[test]
fn profile_default_section() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile_file(
        dir.path(),
        "credentials",
        &format!("[default]\nsecret_id = {ID}\nsecret_key = {KEY}\n"),
    );
    let c = Credential::from_profile_file(&path, None).unwrap();
    assert_eq!(c.secret_id(), ID);
    assert_eq!(c.secret_key().expose(), KEY);
    assert_eq!(c.token(), None);
    // Some(default) is the same section.
    let c = Credential::from_profile_file(&path, Some("default")).unwrap();
    assert_eq!(c.secret_id(), ID);
}

#[test]
fn profile_named_section_with_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile_file(
        dir.path(),
        "credentials",
        &format!(
            "[default]\nsecret_id = DEFAULTID\nsecret_key = DEFAULTKEY\n\n\
             [prod]\nsecret_id={ID}\nsecret_key={KEY}\ntoken = {TOKEN}\n\n\
             [staging]\nsecret_id = STAGINGID\nsecret_key = STAGINGKEY\n"
        ),
    );
    let c = Credential::from_profile_file(&path, Some("prod")).unwrap();
    assert_eq!(c.secret_id(), ID);
    assert_eq!(c.secret_key().expose(), KEY);
    assert_eq!(c.token(), Some(TOKEN));
    let c = Credential::from_profile_file(&path, None).unwrap();
    assert_eq!(
        (c.secret_id(), c.secret_key().expose()),
        ("DEFAULTID", "DEFAULTKEY")
    );
    assert_eq!(
        c.token(),
        None,
        "the token of [prod] must not leak into [default]"
    );
    let c = Credential::from_profile_file(&path, Some("staging")).unwrap();
    assert_eq!(c.secret_id(), "STAGINGID");
}

/// As configparser (the official Python SDK) reads the file: whitespace around `=` and at the
/// end of a value is not part of the value.
#[test]
fn profile_values_lose_surrounding_whitespace_as_configparser_does() {
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in [
        format!("[default]\nsecret_id = {ID}\nsecret_key = {KEY} \n"),
        format!("[default]\nsecret_id = {ID}\nsecret_key = {KEY}\t\n"),
        format!("[default]\nsecret_id = {ID} \nsecret_key = {KEY}\n"),
        format!("[default]\nsecret_id={ID}\nsecret_key =\t{KEY}\n"),
        format!("[default]\r\nsecret_id = {ID}\r\nsecret_key = {KEY} \r\n"),
    ]
    .iter()
    .enumerate()
    {
        let path = profile_file(dir.path(), &format!("spaced-{i}"), text);
        let credential = Credential::from_profile_file(&path, None).unwrap();
        assert_eq!(credential.secret_id(), ID, "{text:?}");
    }
}

#[test]
fn profile_empty_values_are_invalid() {
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in [
        format!("[default]\nsecret_id = {ID}\nsecret_key =\n"),
        format!("[default]\nsecret_id = {ID}\nsecret_key =  \t\n"),
        format!("[default]\nsecret_id =\nsecret_key = {KEY}\n"),
    ]
    .iter()
    .enumerate()
    {
        let path = profile_file(dir.path(), &format!("empty-{i}"), text);
        let e = err(
            Credential::from_profile_file(&path, None),
            ResultCode::CredentialsInvalid,
        );
        assert!(e.message().contains(&path.display().to_string()), "{e}");
        assert!(e.message().contains("[default]"), "{e}");
    }
}

#[test]
fn profile_missing_file_section_or_key_is_credentials_missing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let e = err(
        Credential::from_profile_file(&missing, None),
        ResultCode::CredentialsMissing,
    );
    assert!(e.message().contains(&missing.display().to_string()), "{e}");

    let path = profile_file(
        dir.path(),
        "credentials",
        &format!("[default]\nsecret_id = {ID}\nsecret_key = {KEY}\n"),
    );
    let e = err(
        Credential::from_profile_file(&path, Some("prod")),
        ResultCode::CredentialsMissing,
    );
    assert!(e.message().contains("[prod]"), "{e}");

    for (i, text) in [
        format!("[default]\nsecret_id = {ID}\n"),
        format!("[default]\nsecret_key = {KEY}\n"),
        format!("[default]\nsecret_id = {ID}\n[other]\nsecret_key = {KEY}\n"),
        format!("secret_id = {ID}\nsecret_key = {KEY}\n[default]\n"),
        format!("[default]\n#secret_id = {ID}\nsecret_key = {KEY}\n"),
        format!("[default]\nsecretid = {ID}\nsecret_key = {KEY}\n"),
        String::new(),
    ]
    .iter()
    .enumerate()
    {
        let path = profile_file(dir.path(), &format!("missing-{i}"), text);
        err(
            Credential::from_profile_file(&path, None),
            ResultCode::CredentialsMissing,
        );
    }
}

#[test]
fn profile_comments_blank_lines_and_crlf_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "# Tencent Cloud credentials\r\n\
         ; written by hand\r\n\
         \r\n\
         [other]\r\n\
         secret_id = OTHERID\r\n\
         secret_key = OTHERKEY\r\n\
         \r\n\
         [default]\r\n\
         # secret_id = COMMENTED\r\n\
         \x20 ; indented comment\r\n\
         secret_id = {ID}\r\n\
         \r\n\
         secret_key = {KEY}\r\n\
         token = {TOKEN}\r\n"
    );
    let path = profile_file(dir.path(), "crlf", &text);
    let c = Credential::from_profile_file(&path, None).unwrap();
    assert_eq!(c.secret_id(), ID);
    assert_eq!(
        c.secret_key().expose(),
        KEY,
        "a CR must not stay on the value"
    );
    assert_eq!(c.token(), Some(TOKEN));
    // Without a final newline too.
    let path = profile_file(
        dir.path(),
        "no-final-newline",
        &format!("[default]\r\nsecret_id={ID}\r\nsecret_key={KEY}"),
    );
    let c = Credential::from_profile_file(&path, None).unwrap();
    assert_eq!(c.secret_key().expose(), KEY);
}

// ------------------------------------------------------------------ the process environment

/// The only test that touches the process environment: every step runs in this one function so
/// nothing races with it, and the variables are restored at the end (even on failure).
#[test]
fn environment_and_default_chain() {
    const VARS: [&str; 6] = [
        ENV_SECRET_ID,
        ENV_SECRET_KEY,
        ENV_SECURITY_TOKEN,
        ENV_CREDENTIALS_FILE,
        ENV_REGION,
        "HOME",
    ];
    struct Restore(Vec<(&'static str, Option<std::ffi::OsString>)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            for (name, value) in &self.0 {
                match value {
                    Some(v) => std::env::set_var(name, v),
                    None => std::env::remove_var(name),
                }
            }
        }
    }
    let _restore = Restore(VARS.iter().map(|&n| (n, std::env::var_os(n))).collect());
    let clear = || VARS.iter().for_each(|name| std::env::remove_var(name));

    let dir = tempfile::tempdir().unwrap();
    let profile = profile_file(
        dir.path(),
        "credentials",
        &format!(
            "[default]\nsecret_id = PROFILEID\nsecret_key = {KEY}\n\
             [prod]\nsecret_id = PRODID\nsecret_key = PRODKEY\ntoken = {TOKEN}\n"
        ),
    );
    let nowhere = dir.path().join("no-such-file");

    // from_env
    clear();
    err(Credential::from_env(), ResultCode::CredentialsMissing);
    std::env::set_var(ENV_SECRET_ID, ID);
    err(Credential::from_env(), ResultCode::CredentialsMissing);
    std::env::set_var(ENV_SECRET_KEY, KEY);
    let c = Credential::from_env().unwrap();
    assert_eq!(
        (c.secret_id(), c.secret_key().expose(), c.token()),
        (ID, KEY, None)
    );
    std::env::set_var(ENV_SECURITY_TOKEN, TOKEN);
    assert_eq!(Credential::from_env().unwrap().token(), Some(TOKEN));
    std::env::set_var(ENV_SECRET_KEY, format!("{KEY} "));
    err(Credential::from_env(), ResultCode::CredentialsInvalid);

    // from_profile through TENCENTCLOUD_CREDENTIALS_FILE
    clear();
    std::env::set_var(ENV_CREDENTIALS_FILE, &profile);
    assert_eq!(credential::default_profile_path(), Some(profile.clone()));
    assert_eq!(
        Credential::from_profile(None).unwrap().secret_id(),
        "PROFILEID"
    );
    let prod = Credential::from_profile(Some("prod")).unwrap();
    assert_eq!((prod.secret_id(), prod.token()), ("PRODID", Some(TOKEN)));
    err(
        Credential::from_profile(Some("nope")),
        ResultCode::CredentialsMissing,
    );
    std::env::set_var(ENV_CREDENTIALS_FILE, &nowhere);
    err(
        Credential::from_profile(None),
        ResultCode::CredentialsMissing,
    );
    // Without the variable (or with it empty): $HOME/.tencentcloud/credentials.
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
    std::fs::copy(&profile, home.join(".tencentcloud").join("credentials")).unwrap();
    clear();
    std::env::set_var("HOME", &home);
    assert_eq!(
        Credential::from_profile(None).unwrap().secret_id(),
        "PROFILEID"
    );
    std::env::set_var(ENV_CREDENTIALS_FILE, "");
    assert_eq!(
        credential::default_profile_path(),
        Some(home.join(".tencentcloud").join("credentials"))
    );
    clear();
    err(
        Credential::from_profile(None),
        ResultCode::CredentialsMissing,
    );

    // The default chain: the environment wins, the profile is the fallback.
    clear();
    std::env::set_var(ENV_CREDENTIALS_FILE, &profile);
    std::env::set_var(ENV_SECRET_ID, ID);
    std::env::set_var(ENV_SECRET_KEY, KEY);
    assert_eq!(Credential::from_default_chain().unwrap().secret_id(), ID);
    std::env::remove_var(ENV_SECRET_KEY);
    assert_eq!(
        Credential::from_default_chain().unwrap().secret_id(),
        "PROFILEID"
    );
    // An unusable environment is an error, not a reason to fall back.
    std::env::set_var(ENV_SECRET_KEY, "");
    err(
        Credential::from_default_chain(),
        ResultCode::CredentialsInvalid,
    );
    // Nothing anywhere: one error naming both sources.
    clear();
    std::env::set_var(ENV_CREDENTIALS_FILE, &nowhere);
    let e = err(
        Credential::from_default_chain(),
        ResultCode::CredentialsMissing,
    );
    assert!(e.message().contains(ENV_SECRET_ID), "{e}");
    assert!(e.message().contains(&nowhere.display().to_string()), "{e}");
    // A broken profile file is reported as such.
    let padded = profile_file(
        dir.path(),
        "padded",
        &format!("[default]\nsecret_id = {ID}\nsecret_key = \n"),
    );
    std::env::set_var(ENV_CREDENTIALS_FILE, &padded);
    err(
        Credential::from_default_chain(),
        ResultCode::CredentialsInvalid,
    );

    // The region.
    clear();
    assert_eq!(credential::region_from_env(), None);
    std::env::set_var(ENV_REGION, "");
    assert_eq!(credential::region_from_env(), None);
    std::env::set_var(ENV_REGION, "ap-singapore");
    assert_eq!(
        credential::region_from_env().as_deref(),
        Some("ap-singapore")
    );
}

#[test]
fn control_characters_are_refused_and_the_field_is_named() {
    for (id, key, token, field) in [
        ("AKID\nX", "key", None, "secret_id"),
        ("AKID", "ke\r\ny", None, "secret_key"),
        ("AKID", "key", Some("tok\0en"), "token"),
    ] {
        let err = Credential::new(id, key, token).unwrap_err();
        assert_eq!(err.code(), ResultCode::CredentialsInvalid);
        assert_eq!(err.field(), Some(field));
        assert!(!err.message().contains("ke\r\ny"));
    }
}
