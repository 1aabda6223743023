//! A test PKI made at test time with rcgen: a CA, leaves for 127.0.0.1, a self-signed and a
//! wrong-name leaf. Shared by `tests/tls.rs` and the emulator's `tests/cli.rs` (through `#[path]`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tcfaceid_emulator::TlsFiles;
use tempfile::TempDir;

/// Certificates and keys written to a temporary directory.
pub struct Pki {
    pub dir: TempDir,
    /// The test CA's certificate (the bundle clients are told to trust).
    pub ca: PathBuf,
    /// A leaf for 127.0.0.1 and localhost signed by the CA, and its key.
    pub leaf: TlsFiles,
    /// A self-signed leaf for 127.0.0.1 and localhost.
    pub self_signed: TlsFiles,
    /// A leaf signed by the CA for another name only (example.com).
    pub wrong_name: TlsFiles,
    /// Another CA's certificate (not the issuer of any served certificate).
    pub other_ca: PathBuf,
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn ca(name: &str) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    (params.self_signed(&key).unwrap(), key)
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    // rcgen makes an IP address SAN of "127.0.0.1" and DNS SANs of the others.
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "tcfaceid test server");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params
}

pub fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ca_cert, ca_key) = ca("tcfaceid test CA");
    let (other_cert, _) = ca("tcfaceid other CA");

    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf_params(&["127.0.0.1", "localhost"])
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .unwrap();
    let self_key = KeyPair::generate().unwrap();
    let self_signed = leaf_params(&["127.0.0.1", "localhost"])
        .self_signed(&self_key)
        .unwrap();
    let wrong_key = KeyPair::generate().unwrap();
    let wrong = leaf_params(&["example.com"])
        .signed_by(&wrong_key, &ca_cert, &ca_key)
        .unwrap();

    Pki {
        ca: write(d, "ca.pem", &ca_cert.pem()),
        other_ca: write(d, "other-ca.pem", &other_cert.pem()),
        leaf: TlsFiles {
            cert: write(d, "leaf.pem", &leaf.pem()),
            key: write(d, "leaf.key", &leaf_key.serialize_pem()),
        },
        self_signed: TlsFiles {
            cert: write(d, "self.pem", &self_signed.pem()),
            key: write(d, "self.key", &self_key.serialize_pem()),
        },
        wrong_name: TlsFiles {
            cert: write(d, "wrong.pem", &wrong.pem()),
            key: write(d, "wrong.key", &wrong_key.serialize_pem()),
        },
        dir,
    }
}
