//! HTTPS for the emulator: the rustls server settings from the PEM files of
//! [`EmulatorConfig::tls`](crate::EmulatorConfig::tls). The server wraps each accepted socket in
//! a `rustls::StreamOwned` with them, so every check, fault, counter and log line works as over
//! plain HTTP.

use std::io;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::config::TlsFiles;

/// The rustls server settings for `files`: TLS 1.2 and 1.3, no client certificates.
///
/// Errors: `InvalidInput` naming the file for an unreadable file, a certificate file with no
/// certificate, a key file with no key, or a key that does not fit the certificate.
pub(crate) fn server_config(files: &TlsFiles) -> io::Result<Arc<ServerConfig>> {
    let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidInput, what);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect())
        .map_err(|e| invalid(format!("TLS certificate {}: {e}", files.cert.display())))?;
    if certs.is_empty() {
        return Err(invalid(format!(
            "TLS certificate {}: no PEM certificate in it",
            files.cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| invalid(format!("TLS key {}: {e}", files.key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(format!("TLS settings: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            invalid(format!(
                "TLS certificate {} with key {}: {e}",
                files.cert.display(),
                files.key.display()
            ))
        })?;
    Ok(Arc::new(config))
}
