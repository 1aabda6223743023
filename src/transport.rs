//! The socket under every HTTP call: ureq's TCP connector and transport, owned here so that a
//! kept-alive call costs few system calls and a [`Cancel`] can interrupt it without a thread.
//!
//! - **Writes are corked.** What ureq hands over (the request head, then the body) stays in
//!   the output buffer until the first read of the answer, or until the buffer is full: a
//!   small request leaves in one `send`. A body that fills the buffer grows it to
//!   [`LARGE_OUTPUT`], so a 5 MB request leaves in a few sends; the grown buffer is released
//!   when the connection goes back to the pool, so an idle connection holds the small one.
//! - **Timeouts are set only when they change.** The socket timeout is the largest power of
//!   two milliseconds not above the time left ([`socket_timeout`]): calls with the same
//!   deadline find it already set; when it expires before the deadline, a shorter one follows,
//!   so no read or write outlives its deadline.
//! - **One liveness check per reuse**: a connection is checked (one non-blocking peek) when
//!   taken from the pool, not again when put back right after a complete answer.
//! - **Cancellation**: while a call runs with a cancel handle ([`with_cancel`]), the socket is
//!   watched by it; a trigger shuts the socket down, which ends a blocked connect, send or recv
//!   at once.
//!
//! TLS (ureq's rustls connector) and the HTTP CONNECT proxy chain on top of this transport.

use std::cell::RefCell;
use std::io::{self, Read as _};
use std::mem::MaybeUninit;
use std::net::Shutdown;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, NextTimeout, ShutdownHandle, Transport,
};

use crate::cancel::{Cancel, Interrupt};

/// Size of the input buffer (the answer's head must fit; bodies stream through it).
const INPUT: usize = 64 * 1024;
/// Initial size of the output buffer (a request head and a small body).
const SMALL_OUTPUT: usize = 128 * 1024;
/// Size the output buffer grows to when a body fills it.
const LARGE_OUTPUT: usize = 2 * 1024 * 1024;
/// Free room below which the corked bytes are sent before ureq writes more (a request head
/// always fits in it).
const MIN_FREE: usize = 16 * 1024;

/// `send` without SIGPIPE: a peer that closed must be an error, not a dead process (the
/// library runs inside C and Python programs that keep SIGPIPE's default action).
#[cfg(any(target_os = "linux", target_os = "android"))]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SEND_FLAGS: libc::c_int = 0;

thread_local! {
    /// The cancel handle of the call this thread is running, if any.
    static CURRENT: RefCell<Option<Cancel>> = const { RefCell::new(None) };
}

/// Run `call` (one HTTP exchange on this thread) with `cancel` watching the sockets it uses.
pub(crate) fn with_cancel<T>(cancel: Option<&Cancel>, call: impl FnOnce() -> T) -> T {
    struct Reset(Option<Cancel>);
    impl Drop for Reset {
        fn drop(&mut self) {
            CURRENT.with(|c| *c.borrow_mut() = self.0.take());
        }
    }
    let previous = CURRENT.with(|c| c.replace(cancel.cloned()));
    let _reset = Reset(previous);
    call()
}

fn current_cancel() -> Option<Cancel> {
    CURRENT.with(|c| c.borrow().clone())
}

/// The connected socket, shared (weakly) with a cancel handle and ureq's shutdown registry.
#[derive(Debug)]
struct Shared(Socket);

impl Interrupt for Shared {
    fn interrupt(&self) {
        // An error only means it is already closed or shut down.
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

impl ShutdownHandle for Shared {
    fn shutdown(&self) {
        self.interrupt();
    }
}

/// Opens plain TCP connections; passes a connection made earlier in the chain (the CONNECT
/// proxy's) through untouched.
#[derive(Debug, Default)]
pub(crate) struct SocketConnector;

impl<In: Transport> Connector<In> for SocketConnector {
    type Out = Either<In, SocketTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        let deadline = deadline_of(details.timeout)?;
        let count = details.addrs.len();
        let mut last = None;
        for (i, address) in details.addrs.iter().enumerate() {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Err(ureq::Error::Timeout(details.timeout.reason));
            }
            // Half of what is left for each address but the last: one that drops the SYN (an
            // IPv6 address without a route) leaves time for the next.
            let budget = if i + 1 < count { left / 2 } else { left };
            match connect_one(*address, budget) {
                Ok(socket) => {
                    if details.config.no_delay() {
                        socket.0.set_tcp_nodelay(true)?;
                    }
                    let transport = SocketTransport::new(socket);
                    (details.register_shutdown)(
                        Arc::downgrade(&transport.socket) as Weak<dyn ShutdownHandle>
                    )?;
                    return Ok(Some(Either::B(transport)));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) => timed_out(e, details.timeout),
            None => ureq::Error::ConnectionFailed,
        })
    }
}

/// Connect to one address within `budget`, the socket watched by the call's cancel handle
/// while it connects.
fn connect_one(address: std::net::SocketAddr, budget: Duration) -> io::Result<Arc<Shared>> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    let socket = Arc::new(Shared(socket));
    let mut watch = Watch::default();
    watch.arm(&socket)?;
    let connected = socket.0.connect_timeout(&SockAddr::from(address), budget);
    watch.disarm();
    connected.map(|()| socket)
}

/// The cancel handle watching a socket, if any.
#[derive(Default)]
struct Watch {
    by: Option<(Cancel, Weak<dyn Interrupt>)>,
}

impl Watch {
    /// Have the current call's cancel handle (if any) watch `socket`; an error when it was
    /// triggered already.
    fn arm(&mut self, socket: &Arc<Shared>) -> io::Result<()> {
        let Some(cancel) = current_cancel() else {
            self.disarm();
            return Ok(());
        };
        if self.by.as_ref().is_some_and(|(by, _)| by.same_as(&cancel)) {
            return Ok(());
        }
        self.disarm();
        let target = Arc::downgrade(socket) as Weak<dyn Interrupt>;
        if !cancel.watch(target.clone()) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
        }
        self.by = Some((cancel, target));
        Ok(())
    }

    fn disarm(&mut self) {
        if let Some((cancel, target)) = self.by.take() {
            cancel.unwatch(&target);
        }
    }
}

/// One TCP connection: its socket, the socket's current timeouts, and ureq's buffers.
pub(crate) struct SocketTransport {
    socket: Arc<Shared>,
    buffers: CorkedBuffers,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// Whether it did I/O since the last liveness check.
    used: bool,
    watch: Watch,
}

impl std::fmt::Debug for SocketTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketTransport")
            .field(
                "peer",
                &self.socket.0.peer_addr().ok().and_then(|a| a.as_socket()),
            )
            .finish()
    }
}

impl SocketTransport {
    fn new(socket: Arc<Shared>) -> SocketTransport {
        SocketTransport {
            socket,
            buffers: CorkedBuffers::default(),
            read_timeout: None,
            write_timeout: None,
            used: false,
            watch: Watch::default(),
        }
    }

    /// Send the corked bytes.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let deadline = deadline_of(timeout.for_write())?;
        let mut sent = 0;
        while sent < self.buffers.pending {
            let bytes = &self.buffers.output[sent..self.buffers.pending];
            let n = with_deadline(
                &self.socket.0,
                deadline,
                &mut self.write_timeout,
                Socket::set_write_timeout,
                |s| s.send_with_flags(bytes, SEND_FLAGS),
            )
            .map_err(|e| timed_out(e, timeout))?;
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::WriteZero).into());
            }
            sent += n;
        }
        self.buffers.pending = 0;
        Ok(())
    }
}

impl Transport for SocketTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.used = true;
        self.watch.arm(&self.socket)?;
        let full = self.buffers.pending + amount == self.buffers.output.len();
        self.buffers.pending += amount;
        if self.buffers.output.len() - self.buffers.pending < MIN_FREE {
            self.flush(timeout)?;
        }
        if full && self.buffers.output.len() < LARGE_OUTPUT {
            // ureq filled all the room: a large body streams through; fewer, larger sends.
            self.buffers.output.resize(LARGE_OUTPUT, 0);
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.used = true;
        self.watch.arm(&self.socket)?;
        self.flush(timeout)?;
        let deadline = deadline_of(timeout.for_read())?;
        let room = self.buffers.input_append_buf();
        let n = with_deadline(
            &self.socket.0,
            deadline,
            &mut self.read_timeout,
            Socket::set_read_timeout,
            |mut s| s.read(&mut *room),
        )
        .map_err(|e| timed_out(e, timeout))?;
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    /// Called by ureq's pool when it puts the connection back (right after a complete answer:
    /// no check needed; a grown output buffer is released) and when it takes it out (one
    /// non-blocking peek: an idle connection the server closed, or that holds stray bytes, is
    /// not reused).
    fn is_open(&mut self) -> bool {
        self.watch.disarm();
        if std::mem::take(&mut self.used) {
            self.buffers.release_large_output();
            return true;
        }
        let mut byte = [MaybeUninit::uninit()];
        let peek = self
            .socket
            .0
            .recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT);
        matches!(peek, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }
}

impl Drop for SocketTransport {
    fn drop(&mut self) {
        self.watch.disarm();
    }
}

/// When `timeout` runs out (None: never); an error when it already has.
fn deadline_of(timeout: NextTimeout) -> Result<Option<Instant>, ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    if timeout.after.is_not_happening() {
        return Ok(None);
    }
    Ok(Instant::now().checked_add(*timeout.after))
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

/// An expired socket timeout as ureq's timeout error (with the reason ureq gave).
fn timed_out(error: io::Error, timeout: NextTimeout) -> ureq::Error {
    if error.kind() == io::ErrorKind::TimedOut {
        ureq::Error::Timeout(timeout.reason)
    } else {
        error.into()
    }
}

/// ureq's buffers with corked output: `output()` is the room after the bytes not sent yet.
#[derive(Debug)]
struct CorkedBuffers {
    input: Vec<u8>,
    /// `input[consumed..filled]` is read and not consumed yet.
    consumed: usize,
    filled: usize,
    /// Whether the last consume made progress (ureq's rule for reading more first).
    progress: bool,
    output: Vec<u8>,
    /// `output[..pending]` is waiting to be sent.
    pending: usize,
}

impl Default for CorkedBuffers {
    fn default() -> CorkedBuffers {
        CorkedBuffers {
            input: vec![0; INPUT],
            consumed: 0,
            filled: 0,
            progress: false,
            output: vec![0; SMALL_OUTPUT],
            pending: 0,
        }
    }
}

impl CorkedBuffers {
    /// Back to the small output buffer once nothing is waiting in a grown one.
    fn release_large_output(&mut self) {
        if self.pending == 0 && self.output.len() > SMALL_OUTPUT {
            self.output = vec![0; SMALL_OUTPUT];
        }
    }
}

impl Buffers for CorkedBuffers {
    fn output(&mut self) -> &mut [u8] {
        &mut self.output[self.pending..]
    }

    fn input(&self) -> &[u8] {
        &self.input[self.consumed..self.filled]
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        if self.consumed == self.filled {
            (self.consumed, self.filled) = (0, 0);
        } else if self.consumed > 0 && self.filled == self.input.len() {
            self.input.copy_within(self.consumed..self.filled, 0);
            (self.consumed, self.filled) = (0, self.filled - self.consumed);
        } else if self.filled == self.input.len() {
            // An answer head larger than the buffer: ureq's own cap ends it.
            self.input.resize(self.input.len() * 2, 0);
        }
        &mut self.input[self.filled..]
    }

    fn input_appended(&mut self, amount: usize) {
        self.filled += amount;
        assert!(self.filled <= self.input.len(), "more input than room");
    }

    fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.consumed += amount;
        assert!(self.consumed <= self.filled, "consumed more than read");
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        self.input_append_buf();
        (
            &mut self.input[self.filled..],
            &mut self.output[self.pending..],
        )
    }

    fn can_use_input(&self) -> bool {
        self.consumed < self.filled && self.progress
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
    fn output_is_the_room_after_the_corked_bytes() {
        let mut buffers = CorkedBuffers::default();
        buffers.output()[..4].copy_from_slice(b"head");
        buffers.pending += 4;
        buffers.output()[..4].copy_from_slice(b"body");
        buffers.pending += 4;
        assert_eq!(&buffers.output[..buffers.pending], b"headbody");
        assert_eq!(buffers.output().len(), SMALL_OUTPUT - 8);
    }

    #[test]
    fn a_grown_output_buffer_is_released_once_sent() {
        let mut buffers = CorkedBuffers::default();
        buffers.output.resize(LARGE_OUTPUT, 0);
        buffers.pending = 10;
        buffers.release_large_output();
        assert_eq!(buffers.output.len(), LARGE_OUTPUT, "unsent bytes are kept");
        buffers.pending = 0;
        buffers.release_large_output();
        assert_eq!(buffers.output.len(), SMALL_OUTPUT);
        assert_eq!(buffers.output.capacity(), SMALL_OUTPUT);
    }

    #[test]
    fn input_keeps_unconsumed_bytes_when_it_makes_room() {
        let mut buffers = CorkedBuffers::default();
        let n = buffers.input_append_buf().len();
        buffers.input_append_buf().fill(7);
        buffers.input_appended(n);
        buffers.input_consume(n - 3);
        assert!(buffers.can_use_input());
        assert_eq!(buffers.input_append_buf().len(), INPUT - 3);
        assert_eq!(buffers.input(), &[7, 7, 7]);
    }
}
