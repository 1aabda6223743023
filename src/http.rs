//! The HTTP client: one ureq agent per client (connections kept alive, over the sockets of
//! [`crate::transport`]), and the mapping of every transport failure to an [`Error`] class.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::{PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectProxyConnector, Connector as _, NextTimeout, RustlsConnector,
};
use ureq::ProxyProtocol;

use crate::transport::SocketConnector;

use crate::error::{Error, Result, ResultCode};

/// `X-TC-RequestClient` and `User-Agent` of every call.
pub const REQUEST_CLIENT: &str = concat!("tcfaceid/", env!("CARGO_PKG_VERSION"));

/// What the agent is built from.
pub(crate) struct AgentOptions<'a> {
    pub connect_timeout: Duration,
    pub proxy: Option<&'a str>,
    pub ca_file: Option<&'a Path>,
}

/// Build the agent: no redirects (a signed request must not go elsewhere), non-200 statuses
/// returned as responses, the connect timeout, the proxy, and the trusted roots.
pub(crate) fn build_agent(options: &AgentOptions<'_>) -> Result<ureq::Agent> {
    // HTTP CONNECT proxies only (the agent has no SOCKS support): one from the environment
    // that is not is ignored, as ureq does without its socks feature.
    let is_connect =
        |p: &ureq::Proxy| matches!(p.protocol(), ProxyProtocol::Http | ProxyProtocol::Https);
    let proxy = match options.proxy {
        Some(url) => {
            let proxy = ureq::Proxy::new(url).map_err(|e| {
                Error::new(
                    ResultCode::InvalidOption,
                    format!("proxy URL is not usable: {e}"),
                )
            })?;
            if !is_connect(&proxy) {
                return Err(Error::new(
                    ResultCode::InvalidOption,
                    "only http:// and https:// proxies are supported",
                ));
            }
            Some(proxy)
        }
        None => ureq::Proxy::try_from_env().filter(is_connect),
    };
    let mut tls = TlsConfig::builder();
    if let Some(path) = options.ca_file {
        tls = tls.root_certs(read_ca_file(path)?);
    }
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(options.connect_timeout))
        .user_agent(REQUEST_CLIENT)
        .proxy(proxy)
        .tls_config(tls.build())
        .build();
    // ureq's default chain with our socket in place of its TCP connector: the CONNECT proxy
    // (when one is set), the socket, then TLS for https.
    let connector =
        ().chain(ConnectProxyConnector::default())
            .chain(SocketConnector)
            .chain(RustlsConnector::default());
    Ok(ureq::Agent::with_parts(
        config,
        connector,
        CachingResolver::default(),
    ))
}

/// How long a resolved name's addresses are reused.
const RESOLVE_TTL: Duration = Duration::from_secs(30);

/// Name resolution without a thread per call. ureq's own resolver starts a thread for every
/// lookup when a timeout is set (so that a slow `getaddrinfo` can be abandoned), even for an IP
/// address and on a kept-alive connection. This one answers an IP address at once, and keeps a
/// name's addresses for [`RESOLVE_TTL`]: only a lookup that misses goes to ureq's resolver (one
/// thread, bounded by the call's timeout), so every timeout still holds.
#[derive(Debug, Default)]
struct CachingResolver {
    lookup: DefaultResolver,
    names: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some(address) = ip_address(uri) {
            let mut addresses = self.empty();
            addresses.push(address);
            return Ok(addresses);
        }
        let Some(key) = uri
            .scheme()
            .zip(uri.authority())
            .and_then(|(scheme, authority)| DefaultResolver::host_and_port(scheme, authority))
        else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let now = Instant::now();
        let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, addresses)) = names.get(&key) {
            if now.duration_since(*at) < RESOLVE_TTL {
                return Ok(addresses.clone());
            }
        }
        // Not under the lock: a slow lookup must not hold up calls to other names.
        drop(names);
        let addresses = self.lookup.resolve(uri, config, timeout)?;
        names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        names.retain(|_, (at, _)| now.duration_since(*at) < RESOLVE_TTL);
        names.insert(key, (now, addresses.clone()));
        Ok(addresses)
    }
}

/// The address of a URL whose host is an IP address (`127.0.0.1`, `[::1]`), with its port or
/// the scheme's; read in place, without a lookup or an allocation.
fn ip_address(uri: &Uri) -> Option<SocketAddr> {
    let host = uri.host()?;
    let ip: IpAddr = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()?;
    let port = uri.port_u16().or_else(|| match uri.scheme_str()? {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    Some(SocketAddr::new(ip, port))
}

/// The certificates of a PEM bundle as trusted roots.
fn read_ca_file(path: &Path) -> Result<RootCerts> {
    let unusable = |why: String| {
        Error::new(
            ResultCode::Tls,
            format!("CA file {}: {why}", path.display()),
        )
    };
    let pem = std::fs::read(path).map_err(|e| unusable(e.to_string()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let PemItem::Certificate(cert) = item.map_err(|e| unusable(e.to_string()))? {
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        return Err(unusable("no PEM certificate in it".to_owned()));
    }
    Ok(RootCerts::new_with_certs(&certs))
}

/// Map a ureq failure to our classes: timeouts, TLS, transport, response too large, protocol.
pub(crate) fn map_error(error: ureq::Error, timeout: Duration) -> Error {
    use ureq::Error as E;
    match error {
        E::Timeout(which) => Error::new(
            ResultCode::Timeout,
            format!("{} ({which})", timeout_error(timeout).message()),
        ),
        E::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => timeout_error(timeout),
            _ if is_tls_io_error(&io) => Error::new(ResultCode::Tls, format!("TLS failure: {io}")),
            _ => Error::new(ResultCode::Transport, format!("connection failed: {io}")),
        },
        E::Tls(_) | E::Pem(_) | E::Rustls(_) | E::TlsRequired => {
            Error::new(ResultCode::Tls, format!("TLS failure: {error}"))
        }
        E::BodyExceedsLimit(cap) => too_large(cap),
        E::HostNotFound => Error::new(ResultCode::Transport, "host not found (DNS)"),
        E::ConnectionFailed => Error::new(ResultCode::Transport, "could not connect"),
        E::ConnectProxyFailed(why) => {
            Error::new(ResultCode::Transport, format!("proxy failed: {why}"))
        }
        E::Protocol(_) | E::LargeResponseHeader(..) | E::Decompress(..) => Error::new(
            ResultCode::Protocol,
            format!("the server's answer is not valid HTTP: {error}"),
        ),
        other => Error::new(ResultCode::Transport, format!("request failed: {other}")),
    }
}

/// Whether a failed request certainly never reached the server: the name did not resolve, the
/// connection (or the proxy's) could not be opened, or the TLS handshake failed. Every other
/// failure may have come after the request was written, so a non-idempotent call (a billed
/// ApplyCardVerification) must not be sent again after it.
pub(crate) fn certainly_not_sent(error: &ureq::Error) -> bool {
    use ureq::Error as E;
    use ureq::Timeout as T;
    match error {
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => true,
        E::Timeout(which) => matches!(which, T::Resolve | T::Connect),
        E::Tls(_) | E::Pem(_) | E::Rustls(_) | E::TlsRequired => true,
        E::Io(io) => {
            matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
            ) || is_handshake_error(io)
        }
        _ => false,
    }
}

/// Whether an I/O error wraps a rustls error that only the handshake can raise (certificate,
/// incompatible peer): a TLS error after the handshake may follow a written request.
fn is_handshake_error(io: &std::io::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = io.get_ref().map(|e| e as _);
    while let Some(error) = source {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_)
                    | rustls::Error::NoCertificatesPresented
                    | rustls::Error::PeerIncompatible(_)
                    | rustls::Error::UnsupportedNameType
                    | rustls::Error::InappropriateHandshakeMessage { .. }
            );
        }
        source = error.source();
    }
    false
}

/// The error of a call that ran out of its deadline.
pub(crate) fn timeout_error(timeout: Duration) -> Error {
    Error::new(
        ResultCode::Timeout,
        format!(
            "the call did not finish within its deadline ({} ms)",
            timeout.as_millis()
        ),
    )
}

/// The error of a response body larger than the cap (declared, or found while reading).
pub(crate) fn too_large(cap: u64) -> Error {
    Error::new(
        ResultCode::ResponseTooLarge,
        format!("the response body is larger than the {cap}-byte cap"),
    )
}

/// Whether an I/O error comes from the TLS layer. rustls reports every handshake and record
/// failure (untrusted or expired certificate, wrong name, a peer that does not speak TLS, a
/// corrupt record, an alert) as an `io::Error` wrapping a `rustls::Error`: find that error in
/// the chain. The message check stays as a fallback for errors that carry no source.
fn is_tls_io_error(io: &std::io::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = io.get_ref().map(|e| e as _);
    while let Some(error) = source {
        if error.is::<rustls::Error>() {
            return true;
        }
        source = error.source();
    }
    is_tls_message(&io.to_string())
}

fn is_tls_message(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_addresses_are_read_in_place_names_are_not() {
        let address = |url: &str| ip_address(&url.parse().unwrap());
        assert_eq!(
            address("http://127.0.0.1:8080/"),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(
            address("https://[::1]/"),
            Some("[::1]:443".parse().unwrap())
        );
        assert_eq!(
            address("http://10.0.0.1"),
            Some("10.0.0.1:80".parse().unwrap())
        );
        assert_eq!(address("https://faceid.tencentcloudapi.com/"), None);
    }
}
