//! The service endpoint: which URL requests go to, and the `Host` header signed and sent.

use crate::error::{Error, Result, ResultCode};

/// The default endpoint of the service.
pub const DEFAULT_ENDPOINT: &str = "https://faceid.tencentcloudapi.com";

/// A checked endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    url: String,
    host: String,
    https: bool,
}

impl Endpoint {
    /// Parse an endpoint: `https://host[:port][/]`, or `http://...` given explicitly (the
    /// emulator, a local gateway). A bare `host[:port]` means https. No path, query or user info.
    ///
    /// Errors: [`ResultCode::InvalidEndpoint`].
    pub fn parse(text: &str) -> Result<Endpoint> {
        let invalid = |why: &str| {
            Error::new(
                ResultCode::InvalidEndpoint,
                format!("endpoint {text:?}: {why}"),
            )
        };
        let trimmed = text.trim();
        if trimmed != text || text.is_empty() {
            return Err(invalid("must be a URL without surrounding whitespace"));
        }
        let lower = text.to_ascii_lowercase();
        let (https, rest) = if lower.starts_with("https://") {
            (true, &text[8..])
        } else if lower.starts_with("http://") {
            (false, &text[7..])
        } else if lower.contains("://") {
            return Err(invalid(
                "only https:// (or an explicit http://) is supported",
            ));
        } else {
            (true, text)
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(invalid("has no host"));
        }
        if authority.contains(['/', '?', '#', '@']) {
            return Err(invalid(
                "must not have a path, query, fragment or user info",
            ));
        }
        let valid_chars = authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b));
        if !valid_chars {
            return Err(invalid("the host has characters a host name cannot have"));
        }
        if let Some((_, port)) = authority
            .rsplit_once(':')
            .filter(|_| !authority.ends_with(']'))
        {
            if port.parse::<u16>().map_or(true, |p| p == 0) {
                return Err(invalid("the port is not a number from 1 to 65535"));
            }
        }
        let host = authority.to_ascii_lowercase();
        let scheme = if https { "https" } else { "http" };
        Ok(Endpoint {
            url: format!("{scheme}://{host}/"),
            host,
            https,
        })
    }

    /// The URL requests are posted to, ending in `/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `Host` header: host and, when given in the endpoint, `:port` — signed and sent as is.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the endpoint uses TLS.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        let name = match self.host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => self.host.split(':').next().unwrap_or_default(),
        };
        name == "localhost"
            || name
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// Refuse plain `http://` to a host other than this machine unless `allow_insecure_http`:
    /// the request body holds identity documents, which must not cross a network in clear.
    ///
    /// Errors: [`ResultCode::InvalidEndpoint`].
    pub fn check_secure(&self, allow_insecure_http: bool) -> Result<()> {
        if self.https || allow_insecure_http || self.is_loopback() {
            return Ok(());
        }
        Err(Error::new(
            ResultCode::InvalidEndpoint,
            format!(
                "endpoint {}: plain http:// is accepted only for loopback hosts (the requests \
                 carry identity documents); use https://, or set allow_insecure_http",
                self.url
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_the_port_in_the_host_header() {
        let e = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(e.url(), "http://127.0.0.1:8080/");
        assert_eq!(e.host(), "127.0.0.1:8080");
        assert!(!e.is_https());
        let e = Endpoint::parse("faceid.intl.tencentcloudapi.com").unwrap();
        assert_eq!(e.url(), "https://faceid.intl.tencentcloudapi.com/");
        assert!(e.is_https());
        assert_eq!(
            Endpoint::parse(DEFAULT_ENDPOINT).unwrap().host(),
            "faceid.tencentcloudapi.com"
        );
    }

    #[test]
    fn plain_http_is_for_loopback_unless_allowed() {
        for local in [
            "http://127.0.0.1:80",
            "http://localhost:9",
            "http://[::1]:8080",
            "http://127.9.9.9",
        ] {
            assert!(
                Endpoint::parse(local).unwrap().check_secure(false).is_ok(),
                "{local}"
            );
        }
        let remote = Endpoint::parse("http://faceid.example.com").unwrap();
        let error = remote.check_secure(false).unwrap_err();
        assert_eq!(error.code(), ResultCode::InvalidEndpoint);
        assert!(remote.check_secure(true).is_ok());
        assert!(Endpoint::parse("https://faceid.example.com")
            .unwrap()
            .check_secure(false)
            .is_ok());
    }

    #[test]
    fn bad_endpoints_are_refused() {
        for bad in [
            "",
            " https://x",
            "ftp://x",
            "https://",
            "https://x/path",
            "https://u@x",
            "https://x:0",
            "https://x:99999",
            "https://x y",
        ] {
            assert_eq!(
                Endpoint::parse(bad).unwrap_err().code(),
                ResultCode::InvalidEndpoint,
                "{bad}"
            );
        }
    }
}
