//! The connections under every HTTP call: name resolution, TCP sockets watched by a
//! [`Cancel`], the HTTP CONNECT tunnel of a proxy, TLS (rustls), and reads and writes that
//! never outlive a deadline. [`crate::http`] speaks HTTP/1.1 over them.
//!
//! - **No thread per call.** An IP address is used as is; a name's addresses are kept for
//!   [`RESOLVE_TTL`]. Only a lookup that misses runs on a helper thread, so that a slow
//!   `getaddrinfo` can be abandoned at the deadline.
//! - **Few system calls.** A request leaves with one vectored `send` of its head and body,
//!   straight from the caller's bytes (no copy of the body on plain TCP); TLS is handed
//!   [`TLS_CHUNK`] bytes of it at a time, each sent before the next is encrypted. Socket timeouts are set only
//!   when they change ([`socket_timeout`]).
//! - **Cancellation**: while a call runs with a cancel handle, its socket is watched by it; a
//!   trigger shuts the socket down, which ends a blocked connect, send or recv at once.

use std::collections::HashMap;
use std::io::{self, IoSlice, Read, Write};
use std::mem::MaybeUninit;
use std::net::{IpAddr, Shutdown, SocketAddr, ToSocketAddrs};
use std::sync::{mpsc, Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::cancel::{Cancel, Interrupt};

/// How long a resolved name's addresses are reused.
pub(crate) const RESOLVE_TTL: Duration = Duration::from_secs(30);
/// Plaintext handed to rustls before its records are sent (bounds the memory TLS adds).
const TLS_CHUNK: usize = 64 * 1024;
/// The largest answer head of a proxy's CONNECT.
const MAX_TUNNEL_HEAD: usize = 16 * 1024;

/// `send` without SIGPIPE: a peer that closed must be an error, not a dead process (the
/// library runs inside C and Python programs that keep SIGPIPE's default action).
#[cfg(any(target_os = "linux", target_os = "android"))]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SEND_FLAGS: libc::c_int = 0;

/// Why a connection could not be opened; every one of them is before any request byte left.
#[derive(Debug)]
pub(crate) enum ConnectError {
    /// The name did not resolve.
    Resolve(io::Error),
    /// No address accepted the connection.
    Connect(io::Error),
    /// The proxy refused the tunnel or did not answer as a proxy.
    Proxy(String),
    /// The TLS handshake failed.
    Tls(io::Error),
    /// The deadline passed while connecting.
    TimedOut,
}

/// A name and port.
type Name = (String, u16);
/// When a name was looked up, and its addresses.
type Found = (Instant, Vec<SocketAddr>);

/// Name resolution with a short-lived cache (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Resolver {
    names: Mutex<HashMap<Name, Found>>,
}

impl Resolver {
    /// The addresses of `host` (a name, or an IP address with or without brackets) and `port`,
    /// looked up by `deadline` at the latest.
    pub(crate) fn resolve(
        &self,
        host: &str,
        port: u16,
        deadline: Instant,
    ) -> Result<Vec<SocketAddr>, ConnectError> {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let key = (bare.to_owned(), port);
        let now = Instant::now();
        let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, addresses)) = names.get(&key) {
            if now.duration_since(*at) < RESOLVE_TTL {
                return Ok(addresses.clone());
            }
        }
        // Not under the lock: a slow lookup must not hold up calls to other names.
        drop(names);
        let addresses = lookup(key.clone(), deadline)?;
        names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        names.retain(|_, (at, _)| now.duration_since(*at) < RESOLVE_TTL);
        names.insert(key, (now, addresses.clone()));
        Ok(addresses)
    }
}

/// `getaddrinfo` on a helper thread, abandoned at `deadline` (a cache miss only).
fn lookup(name: Name, deadline: Instant) -> Result<Vec<SocketAddr>, ConnectError> {
    let (send, receive) = mpsc::channel();
    std::thread::Builder::new()
        .name("tcfaceid-resolve".to_owned())
        .spawn(move || {
            let found = name.to_socket_addrs().map(Vec::from_iter);
            let _ = send.send(found);
        })
        .map_err(ConnectError::Resolve)?;
    match receive.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(addresses)) if !addresses.is_empty() => Ok(addresses),
        Ok(Ok(_)) => Err(ConnectError::Resolve(io::ErrorKind::NotFound.into())),
        Ok(Err(e)) => Err(ConnectError::Resolve(e)),
        Err(_) => Err(ConnectError::TimedOut),
    }
}

/// Where a connection goes: the addresses to dial, then an optional CONNECT tunnel, then
/// optional TLS.
pub(crate) struct Route<'a> {
    /// The addresses of the server, or of the proxy when tunnelling.
    pub addresses: &'a [SocketAddr],
    /// `host:port` to ask the proxy for, and its `Proxy-Authorization` value.
    pub tunnel: Option<(&'a str, Option<&'a str>)>,
    /// TLS to this server name with this configuration.
    pub tls: Option<(&'a Arc<rustls::ClientConfig>, &'a str)>,
}

/// The socket, shared (weakly) with a cancel handle.
#[derive(Debug)]
struct Shared(Socket);

impl Interrupt for Shared {
    fn interrupt(&self) {
        // An error only means it is already closed or shut down.
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// The cancel handle watching a socket, if any.
#[derive(Default)]
struct Watch {
    by: Option<(Cancel, Weak<dyn Interrupt>)>,
}

impl Watch {
    /// Have `cancel` (if any) watch `socket`; an error when it was triggered already.
    fn arm(&mut self, socket: &Arc<Shared>, cancel: Option<&Cancel>) -> io::Result<()> {
        let Some(cancel) = cancel else {
            self.disarm();
            return Ok(());
        };
        if self.by.as_ref().is_some_and(|(by, _)| by.same_as(cancel)) {
            return Ok(());
        }
        self.disarm();
        let target = Arc::downgrade(socket) as Weak<dyn Interrupt>;
        if !cancel.watch(target.clone()) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
        }
        self.by = Some((cancel.clone(), target));
        Ok(())
    }

    fn disarm(&mut self) {
        if let Some((cancel, target)) = self.by.take() {
            cancel.unwatch(&target);
        }
    }
}

/// One open connection: its socket, the socket's current timeouts, and TLS when it has it.
pub(crate) struct Connection {
    socket: Arc<Shared>,
    tls: Option<Box<rustls::ClientConnection>>,
    timeouts: Timeouts,
    watch: Watch,
}

/// The timeouts a socket has now (set only when they change).
#[derive(Default)]
struct Timeouts {
    read: Option<Duration>,
    write: Option<Duration>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field(
                "peer",
                &self.socket.0.peer_addr().ok().and_then(|a| a.as_socket()),
            )
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl Connection {
    /// Open a connection along `route`: each address in turn within what is left of
    /// `deadline` (half of it for each but the last), then the tunnel, then the TLS handshake;
    /// watched by `cancel` throughout.
    pub(crate) fn open(
        route: &Route<'_>,
        deadline: Instant,
        cancel: Option<&Cancel>,
    ) -> Result<Connection, ConnectError> {
        let mut last = None;
        let mut connection = None;
        for (i, address) in route.addresses.iter().enumerate() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ConnectError::TimedOut);
            }
            // One that drops the SYN (an IPv6 address without a route) leaves time for the next.
            let budget = if i + 1 < route.addresses.len() {
                left / 2
            } else {
                left
            };
            match Connection::connect_one(*address, budget, cancel) {
                Ok(opened) => {
                    connection = Some(opened);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(mut connection) = connection else {
            return Err(match last {
                Some(e) if e.kind() == io::ErrorKind::TimedOut => ConnectError::TimedOut,
                Some(e) => ConnectError::Connect(e),
                None => ConnectError::Connect(io::ErrorKind::NotFound.into()),
            });
        };
        if let Some((authority, authorization)) = route.tunnel {
            connection.tunnel(authority, authorization, deadline)?;
        }
        if let Some((config, name)) = route.tls {
            connection.handshake(config, name, deadline)?;
        }
        Ok(connection)
    }

    /// Connect to one address within `budget`, the socket watched by `cancel` meanwhile.
    fn connect_one(
        address: SocketAddr,
        budget: Duration,
        cancel: Option<&Cancel>,
    ) -> io::Result<Connection> {
        let socket = Socket::new(
            Domain::for_address(address),
            Type::STREAM,
            Some(Protocol::TCP),
        )?;
        let mut connection = Connection {
            socket: Arc::new(Shared(socket)),
            tls: None,
            timeouts: Timeouts::default(),
            watch: Watch::default(),
        };
        connection.watch(cancel)?;
        connection
            .socket
            .0
            .connect_timeout(&SockAddr::from(address), budget)?;
        connection.socket.0.set_tcp_nodelay(true)?;
        Ok(connection)
    }

    /// Ask the proxy at the other end for a tunnel to `authority` (`host:port`).
    fn tunnel(
        &mut self,
        authority: &str,
        authorization: Option<&str>,
        deadline: Instant,
    ) -> Result<(), ConnectError> {
        let proxy_failed = ConnectError::Proxy;
        let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(value) = authorization {
            head.push_str(&format!("Proxy-Authorization: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut io = Bounded::new(&self.socket.0, &mut self.timeouts, Some(deadline));
        io.write_all(head.as_bytes())
            .map_err(|e| connect_io_error(e, proxy_failed))?;
        // Read byte by byte up to the blank line: nothing after the proxy's answer is consumed.
        let mut answer = Vec::new();
        while !answer.ends_with(b"\r\n\r\n") {
            if answer.len() >= MAX_TUNNEL_HEAD {
                return Err(proxy_failed("the proxy's answer head is too large".into()));
            }
            let mut byte = [0u8];
            match io.read(&mut byte) {
                Ok(0) => return Err(proxy_failed("the proxy closed the connection".into())),
                Ok(_) => answer.push(byte[0]),
                Err(e) => return Err(connect_io_error(e, proxy_failed)),
            }
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&answer) {
            Ok(httparse::Status::Complete(_)) => match response.code {
                Some(200..=299) => Ok(()),
                code => Err(proxy_failed(format!(
                    "the proxy answered CONNECT with {} {}",
                    code.unwrap_or_default(),
                    response.reason.unwrap_or_default()
                ))),
            },
            _ => Err(proxy_failed("the proxy's answer is not HTTP".into())),
        }
    }

    /// The TLS handshake with `name`.
    fn handshake(
        &mut self,
        config: &Arc<rustls::ClientConfig>,
        name: &str,
        deadline: Instant,
    ) -> Result<(), ConnectError> {
        let name = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        let server_name = ServerName::try_from(name.to_owned())
            .map_err(|e| ConnectError::Tls(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
        let mut tls = rustls::ClientConnection::new(config.clone(), server_name)
            .map_err(|e| ConnectError::Tls(io::Error::new(io::ErrorKind::InvalidData, e)))?;
        let mut io = Bounded::new(&self.socket.0, &mut self.timeouts, Some(deadline));
        while tls.is_handshaking() {
            match tls.complete_io(&mut io) {
                Ok((0, 0)) => {
                    return Err(ConnectError::Tls(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection during the TLS handshake",
                    )))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    return Err(ConnectError::TimedOut)
                }
                Err(e) => return Err(ConnectError::Tls(e)),
            }
        }
        self.tls = Some(Box::new(tls));
        Ok(())
    }

    /// Have `cancel` (None: nothing) watch this connection's socket from now on; an error
    /// when it was triggered already.
    pub(crate) fn watch(&mut self, cancel: Option<&Cancel>) -> io::Result<()> {
        self.watch.arm(&self.socket, cancel)
    }

    /// Send `parts` (a head and a body) in order, by `deadline`.
    pub(crate) fn send(&mut self, parts: [&[u8]; 2], deadline: Option<Instant>) -> io::Result<()> {
        let mut io = Bounded::new(&self.socket.0, &mut self.timeouts, deadline);
        let Some(tls) = self.tls.as_deref_mut() else {
            return io.send_all(parts);
        };
        for part in parts {
            for chunk in part.chunks(TLS_CHUNK) {
                tls.writer().write_all(chunk)?;
                while tls.wants_write() {
                    tls.write_tls(&mut io)?;
                }
            }
        }
        Ok(())
    }

    /// Read what arrives into `buf` by `deadline`: the count, 0 at the end of the stream.
    pub(crate) fn recv(&mut self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        let mut io = Bounded::new(&self.socket.0, &mut self.timeouts, deadline);
        match self.tls.as_deref_mut() {
            None => io.read(buf),
            Some(tls) => rustls::Stream::new(tls, &mut io).read(buf),
        }
    }

    /// Whether TLS holds bytes that arrived after the answer was read (then the connection
    /// cannot carry another request: they would be taken for the next answer's start).
    pub(crate) fn has_pending_input(&mut self) -> bool {
        self.tls.as_deref_mut().is_some_and(|tls| {
            tls.process_new_packets()
                .map_or(true, |state| state.plaintext_bytes_to_read() > 0)
        })
    }

    /// Whether an idle connection can carry another request: not closed by the server, no
    /// stray bytes waiting (one non-blocking peek).
    pub(crate) fn is_idle_and_open(&self) -> bool {
        let mut byte = [MaybeUninit::uninit()];
        let peek = self
            .socket
            .0
            .recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT);
        matches!(peek, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.watch.disarm();
    }
}

/// A failed I/O of the connect phase: the deadline, or `other`.
fn connect_io_error(e: io::Error, other: impl FnOnce(String) -> ConnectError) -> ConnectError {
    match e.kind() {
        io::ErrorKind::TimedOut => ConnectError::TimedOut,
        _ => other(e.to_string()),
    }
}

/// A socket whose every operation ends by a deadline.
struct Bounded<'a> {
    socket: &'a Socket,
    deadline: Option<Instant>,
    timeouts: &'a mut Timeouts,
}

impl<'a> Bounded<'a> {
    /// `socket` (whose current timeouts are `timeouts`) bounded by `deadline`.
    fn new(socket: &'a Socket, timeouts: &'a mut Timeouts, deadline: Option<Instant>) -> Self {
        Bounded {
            socket,
            deadline,
            timeouts,
        }
    }

    /// Send every byte of `parts`, as few `send` calls as the kernel allows.
    fn send_all(&mut self, parts: [&[u8]; 2]) -> io::Result<()> {
        let mut slices = parts.map(IoSlice::new);
        let mut left = &mut slices[..];
        IoSlice::advance_slices(&mut left, 0);
        while !left.is_empty() {
            let pending: &[IoSlice<'_>] = left;
            let n = with_deadline(
                self.socket,
                self.deadline,
                &mut self.timeouts.write,
                Socket::set_write_timeout,
                |s| s.send_vectored_with_flags(pending, SEND_FLAGS),
            )?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            IoSlice::advance_slices(&mut left, n);
        }
        Ok(())
    }
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        with_deadline(
            self.socket,
            self.deadline,
            &mut self.timeouts.read,
            Socket::set_read_timeout,
            |mut s| s.read(&mut *buf),
        )
    }
}

impl Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        with_deadline(
            self.socket,
            self.deadline,
            &mut self.timeouts.write,
            Socket::set_write_timeout,
            |s| s.send_with_flags(buf, SEND_FLAGS),
        )
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        with_deadline(
            self.socket,
            self.deadline,
            &mut self.timeouts.write,
            Socket::set_write_timeout,
            |s| s.send_vectored_with_flags(bufs, SEND_FLAGS),
        )
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A socket timeout for `left`: the largest power of two milliseconds not above it (at least
/// 1 ms). Calls with about the same time left get the same value, so it is set once.
fn socket_timeout(left: Duration) -> Duration {
    let ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1);
    Duration::from_millis(1 << (63 - ms.leading_zeros()))
}

/// Run one blocking socket operation that must end by `deadline`: the socket timeout (in
/// `current`, set with `set` only when it changes) never reaches past the deadline, and the
/// operation is tried again while time is left (after the timeout expired or a signal).
fn with_deadline<T>(
    socket: &Socket,
    deadline: Option<Instant>,
    current: &mut Option<Duration>,
    set: fn(&Socket, Option<Duration>) -> io::Result<()>,
    mut operation: impl FnMut(&Socket) -> io::Result<T>,
) -> io::Result<T> {
    loop {
        let wanted = match deadline {
            None => None,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left < Duration::from_millis(1) {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                Some(socket_timeout(left))
            }
        };
        if wanted != *current {
            set(socket, wanted)?;
            *current = wanted;
        }
        match operation(socket) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_timeouts_are_stable_and_never_past_the_time_left() {
        assert_eq!(
            socket_timeout(Duration::from_millis(29_990)),
            Duration::from_millis(16_384)
        );
        assert_eq!(
            socket_timeout(Duration::from_millis(29_000)),
            socket_timeout(Duration::from_millis(29_990))
        );
        for ms in [1, 2, 3, 1000, 1023, 1024, 1025, 3_600_000] {
            let left = Duration::from_millis(ms);
            assert!(socket_timeout(left) <= left && socket_timeout(left) * 2 > left);
        }
        assert_eq!(socket_timeout(Duration::ZERO), Duration::from_millis(1));
    }

    #[test]
    fn ip_addresses_are_used_in_place() {
        let resolver = Resolver::default();
        let deadline = Instant::now() + Duration::from_secs(1);
        let found = |host| match resolver.resolve(host, 8080, deadline) {
            Ok(addresses) => addresses,
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(found("127.0.0.1"), ["127.0.0.1:8080".parse().unwrap()]);
        assert_eq!(found("[::1]"), ["[::1]:8080".parse().unwrap()]);
        assert!(resolver.names.lock().unwrap().is_empty());
    }

    #[test]
    fn a_name_is_looked_up_once_then_kept() {
        let resolver = Resolver::default();
        let deadline = Instant::now() + Duration::from_secs(10);
        let first = resolver.resolve("localhost", 80, deadline).unwrap();
        assert!(first.iter().all(|a| a.ip().is_loopback()), "{first:?}");
        assert_eq!(resolver.names.lock().unwrap().len(), 1);
        assert_eq!(resolver.resolve("localhost", 80, deadline).unwrap(), first);
    }
}
