//! HTTP/1.1 over [`crate::transport`]'s connections: one exchange at a time per connection,
//! connections kept alive in a small pool, answers read with `httparse` (head, chunk sizes),
//! capped, and every failure mapped to an [`Error`] class, with whether the request certainly
//! never left.
//!
//! It does only what the service's JSON API needs, so that a small call costs little beyond
//! the two system calls that carry it: a request is a method, a path, header fields and a body
//! (sent with one vectored `send`, the body straight from the caller's bytes); an answer is a
//! status, its `Date` and its body (`Content-Length`, chunked or until close; gzip decoded).
//! No redirects (a signed request must not go elsewhere), no request pipelining. Proxies are
//! HTTP CONNECT tunnels (ureq's `Proxy` reads the settings and `NO_PROXY`).

use std::io::{self, Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;
use ureq::ProxyProtocol;

use crate::cancel::Cancel;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result, ResultCode};
use crate::transport::{ConnectError, Connection, Resolver, Route};

/// `X-TC-RequestClient` and `User-Agent` of every call.
pub const REQUEST_CLIENT: &str = concat!("tcfaceid/", env!("CARGO_PKG_VERSION"));

/// The largest answer head read.
const MAX_HEAD: usize = 64 * 1024;
/// Size of a connection's input buffer (an answer head usually fits).
const INPUT: usize = 16 * 1024;
/// Bytes of a non-200 answer's body kept for the error message.
const ERROR_EXCERPT: u64 = 512;
/// Idle connections kept.
const MAX_IDLE: usize = 16;
/// How long an idle connection is kept.
const MAX_IDLE_AGE: Duration = Duration::from_secs(15);

/// What the HTTP client is built from.
pub(crate) struct HttpOptions<'a> {
    pub connect_timeout: Duration,
    /// A proxy URL; `None` reads the environment when `env_proxy` is set.
    pub proxy: Option<&'a str>,
    pub env_proxy: bool,
    pub ca_file: Option<&'a Path>,
}

/// A server to talk to: the scheme, the host and port, and the `Host` header.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    https: bool,
    /// The host name or address (an IPv6 one in brackets).
    host: String,
    port: u16,
    /// `Host` (as the endpoint gives it: the port only when given).
    host_header: String,
    /// `host:port`, for a proxy's CONNECT and the pool.
    authority: String,
    /// The URL, for a proxy's `NO_PROXY` rules.
    uri: ureq::http::Uri,
}

impl Origin {
    /// The origin of an endpoint.
    pub(crate) fn of(endpoint: &Endpoint) -> Result<Origin> {
        let host_header = endpoint.host().to_owned();
        let (host, port) = match host_header.rsplit_once(':') {
            Some((host, port)) if !port.ends_with(']') => (host, port.parse().ok()),
            _ => (host_header.as_str(), None),
        };
        let https = endpoint.is_https();
        let port = port.unwrap_or(if https { 443 } else { 80 });
        let uri = endpoint.url().parse().map_err(|e| {
            Error::new(
                ResultCode::InvalidEndpoint,
                format!("endpoint {:?} is not a usable URL: {e}", endpoint.url()),
            )
        })?;
        Ok(Origin {
            https,
            authority: format!("{host}:{port}"),
            host: host.to_owned(),
            port,
            host_header,
            uri,
        })
    }
}

/// One request: method, path, header fields (`Host`, `User-Agent`, `Accept-Encoding` and
/// `Content-Length` are added when not given) and body.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// What bounds one exchange.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// When the exchange must be over.
    pub deadline: Instant,
    /// The call's timeout, for messages.
    pub timeout: Duration,
    /// The largest body of a 200 answer (after gzip decoding); a larger one is an error.
    pub max_body: u64,
}

impl Limits {
    /// An exchange that must be over within `timeout` from now, its 200 body at most
    /// `max_body` bytes.
    pub(crate) fn from_now(timeout: Duration, max_body: u64) -> Limits {
        Limits {
            deadline: Instant::now() + timeout,
            timeout,
            max_body,
        }
    }
}

/// An answer: its status, its `Date` header, and its body (the whole body of a 200 answer,
/// the first [`ERROR_EXCERPT`] bytes of another).
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub date: Option<String>,
    pub body: Vec<u8>,
}

/// A failed exchange, and whether the request certainly never reached the server (nothing
/// was written: the name did not resolve, the connection, the tunnel or the TLS handshake
/// failed). Every other failure may have come after the server got the request, so a
/// non-idempotent call (a billed apply) must not be sent again after it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub not_sent: bool,
}

/// The HTTP client of one library client: TLS settings, proxy, connect timeout, the resolver
/// cache and the idle connections. `Send + Sync`, shared by every thread.
pub(crate) struct Http {
    tls: Arc<rustls::ClientConfig>,
    proxy: Option<ureq::Proxy>,
    connect_timeout: Duration,
    resolver: Resolver,
    idle: Mutex<Vec<Link>>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("proxy", &self.proxy.as_ref().map(|p| p.uri().to_string()))
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

/// A connection with what HTTP keeps beside it.
struct Link {
    connection: Connection,
    https: bool,
    authority: String,
    input: Input,
    /// The request head being written (kept to reuse its allocation).
    head: Vec<u8>,
    idle_since: Instant,
    /// The thread that used it last ([`thread_number`]).
    thread: u64,
}

/// A number for the calling thread, unique in the process: a thread takes back the idle
/// connection it used last when there is one, so that with several threads each keeps talking
/// over its own connection (with one shared pool, they would swap connections at random, and
/// the server's side of each, and its caches, would move between threads).
fn thread_number() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    thread_local! {
        static NUMBER: u64 = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    NUMBER.with(|n| *n)
}

impl Http {
    /// An HTTP client: the trusted roots (the bundled WebPKI roots, or `ca_file`'s), the proxy
    /// (only http:// CONNECT proxies), the connect timeout.
    ///
    /// Errors: [`ResultCode::InvalidOption`] for an unusable proxy, [`ResultCode::Tls`] for an
    /// unusable CA file.
    pub(crate) fn new(options: &HttpOptions<'_>) -> Result<Http> {
        let proxy = match options.proxy {
            Some(url) => {
                let proxy = ureq::Proxy::new(url).map_err(|e| {
                    Error::new(
                        ResultCode::InvalidOption,
                        format!("proxy URL is not usable: {e}"),
                    )
                })?;
                if proxy.protocol() != ProxyProtocol::Http {
                    return Err(Error::new(
                        ResultCode::InvalidOption,
                        "only http:// (CONNECT) proxies are supported; the tunnel carries TLS \
                         end to end",
                    ));
                }
                Some(proxy)
            }
            // One from the environment that is not an http:// proxy is ignored.
            None if options.env_proxy => {
                ureq::Proxy::try_from_env().filter(|p| p.protocol() == ProxyProtocol::Http)
            }
            None => None,
        };
        let roots = match options.ca_file {
            Some(path) => read_ca_file(path)?,
            None => rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
        };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ResultCode::Tls, format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Http {
            tls: Arc::new(tls),
            proxy,
            connect_timeout: options.connect_timeout,
            resolver: Resolver::default(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Send `request` to `origin` and read the answer, within `limits`, watched by `cancel`.
    pub(crate) fn call(
        &self,
        origin: &Origin,
        request: &Request<'_>,
        limits: &Limits,
        cancel: Option<&Cancel>,
    ) -> std::result::Result<Response, Failure> {
        let not_sent = |error| Failure {
            error,
            not_sent: true,
        };
        let sent = |error| Failure {
            error,
            not_sent: false,
        };
        let mut link = self.link(origin, limits, cancel).map_err(not_sent)?;
        link.connection
            .watch(cancel)
            .map_err(|e| not_sent(io_error(e, limits.timeout)))?;
        write_head(&mut link.head, origin, request).map_err(not_sent)?;
        link.connection
            .send([&link.head, request.body], Some(limits.deadline))
            .map_err(|e| sent(io_error(e, limits.timeout)))?;
        let (response, reusable) = read_response(&mut link, limits).map_err(sent)?;
        if reusable {
            self.keep(link);
        }
        Ok(response)
    }

    /// An idle connection to `origin` that is still open, else a new one.
    fn link(&self, origin: &Origin, limits: &Limits, cancel: Option<&Cancel>) -> Result<Link> {
        let thread = thread_number();
        loop {
            let found = {
                let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
                let to_origin =
                    |l: &Link| l.https == origin.https && l.authority == origin.authority;
                idle.iter()
                    .rposition(|l| to_origin(l) && l.thread == thread)
                    .or_else(|| idle.iter().rposition(to_origin))
                    .map(|i| idle.swap_remove(i))
            };
            match found {
                Some(link)
                    if link.idle_since.elapsed() < MAX_IDLE_AGE
                        && link.connection.is_idle_and_open() =>
                {
                    return Ok(link)
                }
                Some(_) => continue,
                None => break,
            }
        }
        let connect_by = Instant::now() + self.connect_timeout;
        let deadline = connect_by.min(limits.deadline);
        let proxy = self.proxy.as_ref().filter(|p| !p.is_no_proxy(&origin.uri));
        let authorization = proxy.and_then(proxy_authorization);
        let (host, port) = match proxy {
            Some(proxy) => (proxy.host(), proxy.port()),
            None => (origin.host.as_str(), origin.port),
        };
        let addresses = self
            .resolver
            .resolve(host, port, deadline)
            .map_err(|e| connect_error(e, host, connect_by < limits.deadline, limits))?;
        let route = Route {
            addresses: &addresses,
            tunnel: proxy.map(|_| (origin.authority.as_str(), authorization.as_deref())),
            tls: origin.https.then_some((&self.tls, origin.host.as_str())),
        };
        let connection = Connection::open(&route, deadline, cancel)
            .map_err(|e| connect_error(e, host, connect_by < limits.deadline, limits))?;
        log::debug!(
            "connected to {}{}{}",
            origin.authority,
            if origin.https { " (TLS)" } else { "" },
            if proxy.is_some() {
                " through the proxy"
            } else {
                ""
            }
        );
        Ok(Link {
            connection,
            https: origin.https,
            authority: origin.authority.clone(),
            input: Input::default(),
            head: Vec::new(),
            idle_since: Instant::now(),
            thread,
        })
    }

    /// Keep a connection whose answer was read whole, for the next call.
    fn keep(&self, mut link: Link) {
        if link.connection.watch(None).is_err() {
            return;
        }
        link.idle_since = Instant::now();
        link.thread = thread_number();
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() >= MAX_IDLE {
            idle.remove(0);
        }
        idle.push(link);
    }
}

/// `Basic base64(user:password)` when the proxy URL has a user.
fn proxy_authorization(proxy: &ureq::Proxy) -> Option<String> {
    let user = proxy.username()?;
    let pair = format!("{user}:{}", proxy.password().unwrap_or_default());
    Some(format!(
        "Basic {}",
        base64_simd::STANDARD.encode_to_string(pair.as_bytes())
    ))
}

/// Write the request head into `out`.
fn write_head(out: &mut Vec<u8>, origin: &Origin, request: &Request<'_>) -> Result<()> {
    out.clear();
    if request.path.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(Error::new(
            ResultCode::InvalidOption,
            format!("the path {:?} cannot be sent as is", request.path),
        ));
    }
    for part in [request.method, " ", request.path, " HTTP/1.1\r\n"] {
        out.extend_from_slice(part.as_bytes());
    }
    // The request line and the blank line, then one per field.
    let mut lines = 2;
    let (mut host, mut agent) = (false, false);
    for (name, value) in request.headers {
        host |= name.eq_ignore_ascii_case("host");
        agent |= name.eq_ignore_ascii_case("user-agent");
        for part in [name, ": ", value, "\r\n"] {
            out.extend_from_slice(part.as_bytes());
        }
        lines += 1;
    }
    if !host {
        for part in ["Host: ", &origin.host_header, "\r\n"] {
            out.extend_from_slice(part.as_bytes());
        }
        lines += 1;
    }
    if !agent {
        for part in ["User-Agent: ", REQUEST_CLIENT, "\r\n"] {
            out.extend_from_slice(part.as_bytes());
        }
        lines += 1;
    }
    out.extend_from_slice(b"Accept-Encoding: gzip\r\n");
    lines += 1;
    if !request.body.is_empty() || request.method != "GET" {
        // Writing to a Vec cannot fail.
        let _ = write!(out, "Content-Length: {}\r\n", request.body.len());
        lines += 1;
    }
    out.extend_from_slice(b"\r\n");
    // A CR or LF inside a value would start a field of its own: only the lines' own CRLFs
    // may be in the head (one pass over it, cheaper than a search in every value).
    if line_break_bytes(out) != 2 * lines {
        let name = request
            .headers
            .iter()
            .find(|(_, value)| value.contains(['\r', '\n']))
            .map_or("a", |(name, _)| name);
        return Err(Error::new(
            ResultCode::InvalidOption,
            format!("the {name} header cannot hold a line break"),
        ));
    }
    Ok(())
}

/// The CR and LF bytes in `bytes`, counted 255 at a time in `u8` lanes (so it is vectorised).
fn line_break_bytes(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| {
            let n = chunk
                .iter()
                .fold(0u8, |n, &b| n + u8::from(b == b'\r' || b == b'\n'));
            usize::from(n)
        })
        .sum()
}

/// Bytes read from a connection and not consumed yet.
struct Input {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Default for Input {
    fn default() -> Input {
        Input {
            buf: vec![0; INPUT],
            start: 0,
            end: 0,
        }
    }
}

impl Input {
    fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
    }

    /// Read more from `connection` (room made by moving the unconsumed bytes to the front, or
    /// growing the buffer up to `MAX_HEAD`): the count, 0 at the end of the stream.
    fn fill(&mut self, connection: &mut Connection, limits: &Limits) -> Result<usize> {
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                (self.start, self.end) = (0, self.end - self.start);
            } else if self.buf.len() < MAX_HEAD {
                self.buf.resize(MAX_HEAD, 0);
            } else {
                return Err(protocol(format!(
                    "a line of the answer is longer than {} KiB",
                    MAX_HEAD / 1024
                )));
            }
        }
        let n = connection
            .recv(&mut self.buf[self.end..], Some(limits.deadline))
            .map_err(|e| io_error(e, limits.timeout))?;
        self.end += n;
        Ok(n)
    }

    /// [`Input::fill`], with the end of the stream an error.
    fn fill_more(&mut self, connection: &mut Connection, limits: &Limits) -> Result<()> {
        match self.fill(connection, limits)? {
            0 => Err(Error::new(
                ResultCode::Transport,
                "the connection closed before the whole answer arrived",
            )),
            _ => Ok(()),
        }
    }
}

/// How an answer's body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

/// What the head of an answer says.
struct Head {
    status: u16,
    framing: Framing,
    /// Whether the connection can carry another request after this answer.
    keep_alive: bool,
    gzip: bool,
    date: Option<String>,
}

/// Read the answer on `link`: the response, and whether the connection can be reused.
fn read_response(link: &mut Link, limits: &Limits) -> Result<(Response, bool)> {
    let head = read_head(link, limits)?;
    let ok = head.status == 200;
    if ok {
        if let Framing::Length(declared) = head.framing {
            if declared > limits.max_body {
                return Err(too_large(limits.max_body));
            }
        }
    }
    let mut body = Vec::new();
    let sink = Sink {
        body: &mut body,
        max: if ok { limits.max_body } else { ERROR_EXCERPT },
        refuse_over: ok,
    };
    let read = read_body(link, head.framing, sink, limits);
    if !ok {
        // Only the start of an error page, for the message; whatever happened after it.
        let response = Response {
            status: head.status,
            date: head.date,
            body,
        };
        return Ok((response, false));
    }
    read?;
    let body = if head.gzip {
        gunzip(&body, limits.max_body)?
    } else {
        body
    };
    let reusable = head.keep_alive
        && head.framing != Framing::UntilClose
        && link.input.available().is_empty()
        && !link.connection.has_pending_input();
    let response = Response {
        status: head.status,
        date: head.date,
        body,
    };
    Ok((response, reusable))
}

/// Read an answer's head (after any 1xx interim answers).
fn read_head(link: &mut Link, limits: &Limits) -> Result<Head> {
    loop {
        let mut fields = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut fields);
        let parsed = response.parse(link.input.available());
        match parsed {
            Ok(httparse::Status::Complete(length)) => {
                let head = head_of(&response)?;
                link.input.consume(length);
                match head {
                    Some(head) => return Ok(head),
                    None => continue, // 1xx
                }
            }
            Ok(httparse::Status::Partial) => {
                if link.input.available().len() >= MAX_HEAD {
                    return Err(protocol(format!(
                        "the answer's head is larger than {} KiB",
                        MAX_HEAD / 1024
                    )));
                }
                link.input.fill_more(&mut link.connection, limits)?;
            }
            Err(e) => return Err(protocol(format!("the answer's head: {e}"))),
        }
    }
}

/// The head of a parsed answer; `None` for an interim (1xx) answer.
fn head_of(response: &httparse::Response<'_, '_>) -> Result<Option<Head>> {
    let status = response.code.unwrap_or_default();
    if status == 101 {
        return Err(protocol("the server switched protocols".to_owned()));
    }
    if (100..200).contains(&status) {
        return Ok(None);
    }
    let (mut length, mut chunked, mut close, mut gzip, mut date) =
        (None, false, false, false, None);
    for field in response.headers.iter() {
        let value = std::str::from_utf8(field.value).unwrap_or_default().trim();
        let name = field.name;
        if name.eq_ignore_ascii_case("content-length") {
            let parsed: u64 = value
                .parse()
                .map_err(|_| protocol(format!("Content-Length {value:?} is not a number")))?;
            if length.is_some_and(|l| l != parsed) {
                return Err(protocol("two different Content-Length values".to_owned()));
            }
            length = Some(parsed);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            close |= value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("close"));
        } else if name.eq_ignore_ascii_case("content-encoding") {
            gzip = match value.to_ascii_lowercase().as_str() {
                "gzip" | "x-gzip" => true,
                "" | "identity" => false,
                other => {
                    return Err(protocol(format!(
                        "the answer is encoded with {other:?}, which was not asked for"
                    )))
                }
            };
        } else if name.eq_ignore_ascii_case("date") {
            date = Some(value.to_owned());
        }
    }
    let framing = if chunked {
        Framing::Chunked
    } else if matches!(status, 204 | 304) {
        Framing::Length(0)
    } else {
        length.map_or(Framing::UntilClose, Framing::Length)
    };
    Ok(Some(Head {
        status,
        framing,
        keep_alive: response.version == Some(1) && !close && !(chunked && length.is_some()),
        gzip,
        date,
    }))
}

/// Where a body goes: at most `max` bytes; past them an error (`refuse_over`) or the end.
struct Sink<'b> {
    body: &'b mut Vec<u8>,
    max: u64,
    refuse_over: bool,
}

impl Sink<'_> {
    /// Take `bytes`; false when the sink is full and reading should stop.
    fn push(&mut self, bytes: &[u8]) -> Result<bool> {
        let room = usize::try_from(self.max)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.body.len());
        if bytes.len() <= room {
            self.body.extend_from_slice(bytes);
            return Ok(true);
        }
        if self.refuse_over {
            return Err(too_large(self.max));
        }
        self.body.extend_from_slice(&bytes[..room]);
        Ok(false)
    }
}

/// Read a body framed as `framing` into `sink`.
fn read_body(link: &mut Link, framing: Framing, mut sink: Sink<'_>, limits: &Limits) -> Result<()> {
    let Link {
        connection, input, ..
    } = link;
    match framing {
        Framing::Length(length) => copy_exact(connection, input, length, &mut sink, limits),
        Framing::UntilClose => loop {
            let chunk = input.available().len();
            let more = sink.push(input.available())?;
            input.consume(chunk);
            if !more || input.fill(connection, limits)? == 0 {
                return Ok(());
            }
        },
        Framing::Chunked => loop {
            let size = loop {
                match httparse::parse_chunk_size(input.available()) {
                    Ok(httparse::Status::Complete((used, size))) => {
                        input.consume(used);
                        break size;
                    }
                    Ok(httparse::Status::Partial) => input.fill_more(connection, limits)?,
                    Err(_) => return Err(protocol("a chunk size is not valid".to_owned())),
                }
            };
            if size == 0 {
                return skip_trailers(connection, input, limits);
            }
            if !copy_exact(connection, input, size, &mut sink, limits)? {
                return Ok(());
            }
            while input.available().len() < 2 {
                input.fill_more(connection, limits)?;
            }
            if &input.available()[..2] != b"\r\n" {
                return Err(protocol("a chunk does not end with CRLF".to_owned()));
            }
            input.consume(2);
        },
    }
    .map(|_| ())
}

/// Copy the next `length` bytes of the stream into `sink`; false when the sink stopped early.
fn copy_exact(
    connection: &mut Connection,
    input: &mut Input,
    mut length: u64,
    sink: &mut Sink<'_>,
    limits: &Limits,
) -> Result<bool> {
    while length > 0 {
        if input.available().is_empty() {
            input.fill_more(connection, limits)?;
        }
        let n = input
            .available()
            .len()
            .min(usize::try_from(length).unwrap_or(usize::MAX));
        let more = sink.push(&input.available()[..n])?;
        input.consume(n);
        length -= n as u64;
        if !more {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Skip a chunked body's trailer fields, up to the blank line.
fn skip_trailers(connection: &mut Connection, input: &mut Input, limits: &Limits) -> Result<()> {
    loop {
        match input.available().windows(2).position(|w| w == b"\r\n") {
            Some(0) => {
                input.consume(2);
                return Ok(());
            }
            Some(line) => input.consume(line + 2),
            None => input.fill_more(connection, limits)?,
        }
    }
}

/// Decode a gzip body, refusing one that inflates past `max`.
fn gunzip(body: &[u8], max: u64) -> Result<Vec<u8>> {
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(max.saturating_add(1))
        .read_to_end(&mut decoded)
        .map_err(|e| protocol(format!("the gzip body does not decode: {e}")))?;
    if decoded.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(decoded)
}

/// The certificates of a PEM bundle as trusted roots.
fn read_ca_file(path: &Path) -> Result<rustls::RootCertStore> {
    let unusable = |why: String| {
        Error::new(
            ResultCode::Tls,
            format!("CA file {}: {why}", path.display()),
        )
    };
    let pem = std::fs::read(path).map_err(|e| unusable(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| unusable(e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| unusable(format!("a certificate is not usable: {e}")))?;
    }
    if roots.is_empty() {
        return Err(unusable("no PEM certificate in it".to_owned()));
    }
    Ok(roots)
}

/// A failure to connect (resolve, TCP, proxy, TLS handshake) as an error.
fn connect_error(
    error: ConnectError,
    host: &str,
    by_connect_timeout: bool,
    limits: &Limits,
) -> Error {
    match error {
        ConnectError::Resolve(e) => Error::new(
            ResultCode::Transport,
            format!("host not found (DNS): {host}: {e}"),
        ),
        ConnectError::Connect(e) => {
            Error::new(ResultCode::Transport, format!("connection failed: {e}"))
        }
        ConnectError::Proxy(why) => {
            Error::new(ResultCode::Transport, format!("proxy failed: {why}"))
        }
        ConnectError::Tls(e) => Error::new(ResultCode::Tls, format!("TLS failure: {e}")),
        ConnectError::TimedOut if by_connect_timeout => Error::new(
            ResultCode::Timeout,
            format!("could not connect to {host} within the connect timeout"),
        ),
        ConnectError::TimedOut => timeout_error(limits.timeout),
    }
}

/// A failed read or write on an open connection as an error.
fn io_error(error: io::Error, timeout: Duration) -> Error {
    match error.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => timeout_error(timeout),
        _ if is_tls_error(&error) => Error::new(ResultCode::Tls, format!("TLS failure: {error}")),
        _ => Error::new(ResultCode::Transport, format!("connection failed: {error}")),
    }
}

/// Whether an I/O error wraps a rustls error (rustls reports every record failure that way).
fn is_tls_error(io: &io::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = io.get_ref().map(|e| e as _);
    while let Some(error) = source {
        if error.is::<rustls::Error>() {
            return true;
        }
        source = error.source();
    }
    false
}

fn protocol(why: String) -> Error {
    Error::new(
        ResultCode::Protocol,
        format!("the server's answer is not valid HTTP: {why}"),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(url: &str) -> Origin {
        Origin::of(&Endpoint::parse(url).unwrap()).unwrap()
    }

    #[test]
    fn origins_know_their_port_and_host_header() {
        let o = origin("https://faceid.tencentcloudapi.com");
        assert_eq!(
            (o.host.as_str(), o.port, o.host_header.as_str()),
            (
                "faceid.tencentcloudapi.com",
                443,
                "faceid.tencentcloudapi.com"
            )
        );
        let o = origin("http://127.0.0.1:8080");
        assert_eq!((o.port, o.authority.as_str()), (8080, "127.0.0.1:8080"));
        let o = origin("https://[::1]:8443");
        assert_eq!((o.host.as_str(), o.port), ("[::1]", 8443));
        let o = origin("https://[::1]");
        assert_eq!(
            (o.host.as_str(), o.port, o.authority.as_str()),
            ("[::1]", 443, "[::1]:443")
        );
    }

    #[test]
    fn the_head_adds_what_is_missing_and_refuses_line_breaks() {
        let o = origin("http://127.0.0.1:8080");
        let mut out = Vec::new();
        let request = Request {
            method: "POST",
            path: "/",
            headers: &[("X-TC-Action", "Apply")],
            body: b"{}",
        };
        write_head(&mut out, &o, &request).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.starts_with("POST / HTTP/1.1\r\nX-TC-Action: Apply\r\nHost: 127.0.0.1:8080\r\n")
        );
        assert!(text.ends_with("Content-Length: 2\r\n\r\n"), "{text}");
        for value in ["a\r\nEvil: 1", "a\nb", "a\r"] {
            let bad = Request {
                headers: &[("X-TC-Action", "Apply"), ("X-TC-Region", value)],
                ..request
            };
            let error = write_head(&mut out, &o, &bad).unwrap_err();
            assert_eq!(error.code(), ResultCode::InvalidOption);
            assert!(error.message().contains("X-TC-Region"), "{error}");
        }
    }

    #[test]
    fn heads_give_their_framing() {
        let head = |raw: &[u8]| {
            let mut fields = [httparse::EMPTY_HEADER; 16];
            let mut response = httparse::Response::new(&mut fields);
            response.parse(raw).unwrap();
            head_of(&response)
        };
        let h = head(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!((h.framing, h.keep_alive), (Framing::Length(5), true));
        let h = head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(h.framing, Framing::Chunked);
        let h = head(b"HTTP/1.0 200 OK\r\n\r\n").unwrap().unwrap();
        assert_eq!((h.framing, h.keep_alive), (Framing::UntilClose, false));
        let h = head(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!h.keep_alive);
        assert!(head(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap().is_none());
        let two = head(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
        assert_eq!(two.err().unwrap().code(), ResultCode::Protocol);
        let br = head(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n");
        assert_eq!(br.err().unwrap().code(), ResultCode::Protocol);
    }
}
