//! The HTTP side: a tiny_http server on 127.0.0.1, worker threads, injected faults and delays,
//! the body size limit, and the answer on the wire (with a `Date` from the emulator's clock).

use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tiny_http::{Header, Request, Response, Server};

use crate::config::{EmulatorConfig, FaultKind};
use crate::faults::{self, FaultPlan};
use crate::log::{LogLine, Logger};
use crate::reply::{http_date, Reply};
use crate::service::Service;
use crate::stats::{bump, Stats};
use crate::tls::{self, TlsFront};
use crate::verify::Incoming;

/// Bodies are drained (read and thrown away) up to this size so the client gets its
/// `RequestSizeLimitExceeded`; beyond it the connection is closed instead.
const DRAIN_LIMIT: usize = 256 * 1024 * 1024;
/// Read size while draining.
const CHUNK: usize = 64 * 1024;

/// Everything the workers share.
struct Shared {
    service: Service,
    faults: FaultPlan,
    logger: Logger,
    /// The address tiny_http listens on (the public one, or the private one behind TLS).
    local: SocketAddr,
    stopping: AtomicBool,
}

/// A running emulator: a tiny_http server bound to 127.0.0.1 and its worker threads, behind a
/// TLS front when [`EmulatorConfig::tls`] is set. Dropping it (or calling
/// [`Emulator::shutdown`]) stops the server and joins the workers.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Option<Arc<Server>>,
    workers: Vec<JoinHandle<()>>,
    /// HTTPS: the public port, relaying to tiny_http on a private loopback port.
    tls: Option<TlsFront>,
    /// Keeps tiny_http's connection threads ready (see [`keep_connection_threads_ready`]).
    keeper: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("https", &self.tls.is_some())
            .field("config", &self.shared.service.config)
            .field("running", &self.server.is_some())
            .finish()
    }
}

impl Emulator {
    /// Bind 127.0.0.1 on `config.port` (0 = a free port) and start answering, over HTTPS when
    /// `config.tls` is set.
    ///
    /// Errors: `InvalidInput` for an empty SecretId or SecretKey or zero threads, and for TLS
    /// files that are unreadable, hold no certificate or key, or do not match; the bind error
    /// (e.g. `AddrInUse`); a thread that cannot be spawned.
    pub fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        let invalid =
            |what: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, what.to_owned()));
        if config.secret_id.is_empty() || config.secret_key.is_empty() {
            return invalid("the emulator needs a SecretId and a SecretKey");
        }
        if config.threads == 0 {
            return invalid("the emulator needs at least one worker thread");
        }
        let tls_config = config.tls.as_ref().map(tls::server_config).transpose()?;
        // Behind TLS, tiny_http listens on a private port and the front takes the given one.
        let private = if tls_config.is_some() { 0 } else { config.port };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, private))?;
        let local = listener.local_addr()?;
        let server =
            Server::from_listener(listener, None).map_err(|e| io::Error::other(e.to_string()))?;
        let threads = config.threads;
        let shared = Arc::new(Shared {
            faults: FaultPlan::new(config.fault),
            logger: Logger::new(config.log, config.log_sink.clone()),
            local,
            stopping: AtomicBool::new(false),
            service: Service::new(config),
        });
        let mut emulator = Emulator {
            addr: local,
            shared,
            server: Some(Arc::new(server)),
            workers: Vec::with_capacity(threads),
            tls: None,
            keeper: None,
        };
        for i in 0..threads {
            let (server, shared) = match &emulator.server {
                Some(server) => (server.clone(), emulator.shared.clone()),
                None => break,
            };
            // On failure `emulator` is dropped, which stops the workers already started.
            let worker = thread::Builder::new()
                .name(format!("tcfaceid-emulator-{i}"))
                .spawn(move || serve(&server, &shared))?;
            emulator.workers.push(worker);
        }
        let keeper_shared = emulator.shared.clone();
        emulator.keeper = Some(
            thread::Builder::new()
                .name("tcfaceid-emulator-keeper".into())
                .spawn(move || keep_connection_threads_ready(&keeper_shared, threads))?,
        );
        if let Some(tls_config) = tls_config {
            let port = emulator.shared.service.config.port;
            let front = TlsFront::start(port, tls_config, local)?;
            emulator.addr = front.addr();
            emulator.tls = Some(front);
        }
        Ok(emulator)
    }

    /// The address bound (127.0.0.1 and the port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `Host` clients send and sign: `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The endpoint to give a client: `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT`
    /// when serving TLS.
    pub fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.service.stats.snapshot()
    }

    /// Stop accepting, let the workers finish the request in hand (a pending `delay_ms` is cut
    /// short), and join them. Dropping the emulator does the same.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        // The TLS front first, so no request arrives while the workers wind down.
        if let Some(mut front) = self.tls.take() {
            front.stop();
        }
        let Some(server) = self.server.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Each unblock wakes exactly one worker waiting in `recv`.
        for _ in 0..self.workers.len() {
            server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        if let Some(keeper) = self.keeper.take() {
            let _ = keeper.join();
        }
        // The last reference: tiny_http closes the listening socket when the server drops.
        drop(server);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A worker: answer requests until the server is unblocked for shutdown (or stops accepting).
fn serve(server: &Server, shared: &Shared) {
    while let Ok(request) = server.recv() {
        // A bug must not take a worker down: a panic drops the request (tiny_http then sends
        // a 500) and the worker carries on.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| handle(shared, request)));
    }
}

/// tiny_http serves each connection on a thread of its pool, which grows only when no thread is
/// waiting; but its count of waiting threads lags while they wake, so a burst of new
/// connections is queued behind the 4 initial threads and starves while those serve kept-alive
/// connections (8 clients at once were served 4 at a time). This keeps `count` threads waiting:
/// every 3 s it opens `count` idle connections one by one (1 ms apart, so the pool grows to
/// match) and closes them; a thread beyond the pool's minimum then waits 5 s for work before
/// it exits, so the pool never shrinks below `count` idle threads.
fn keep_connection_threads_ready(shared: &Shared, count: usize) {
    while !shared.stopping.load(Ordering::SeqCst) {
        let idle: Vec<_> = (0..count)
            .map_while(|_| {
                thread::sleep(Duration::from_millis(1));
                std::net::TcpStream::connect(shared.local).ok()
            })
            .collect();
        thread::sleep(Duration::from_millis(10));
        drop(idle);
        for _ in 0..30 {
            if shared.stopping.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The emulator's clock: the system clock plus the configured offset.
fn now(shared: &Shared) -> i64 {
    let system = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    system.saturating_add(shared.service.config.clock_offset_secs)
}

/// What reading the body gave.
enum Body {
    /// The whole body, within the limit.
    Complete(Vec<u8>),
    /// Over the limit, read and thrown away to its end: answer `RequestSizeLimitExceeded`.
    TooLarge(usize),
    /// Unreadable (connection broken) or too large to drain: close without an answer.
    Abandon(usize),
}

/// Read the body without ever holding more than `max` bytes of it.
fn read_body(request: &mut Request, max: usize) -> Body {
    let declared = request.body_length();
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Body::Abandon(0);
    }
    if declared.is_some_and(|n| n > max) {
        return drain(request.as_reader(), 0);
    }
    if is_upgrade(request) {
        // For `Connection: upgrade` tiny_http hands over the raw socket as the body: read what
        // Content-Length announces (nothing without it), never "to the end" of a connection
        // the client keeps open.
        let want = declared.unwrap_or(0);
        let mut body = Vec::with_capacity(want);
        let read = request.as_reader().take(want as u64).read_to_end(&mut body);
        return match read {
            Ok(n) if n == want => Body::Complete(body),
            _ => Body::Abandon(body.len()),
        };
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(max));
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    match request.as_reader().take(limit).read_to_end(&mut body) {
        Ok(_) if body.len() <= max => Body::Complete(body),
        Ok(_) => drain(request.as_reader(), body.len()),
        Err(_) => Body::Abandon(body.len()),
    }
}

/// Whether the request asks for a protocol upgrade (tiny_http looks at the first `Connection`).
fn is_upgrade(request: &Request) -> bool {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Connection"))
        .is_some_and(|h| h.value.as_str().to_ascii_lowercase().contains("upgrade"))
}

/// Read and discard the rest of a body, up to [`DRAIN_LIMIT`] bytes in all.
fn drain(reader: &mut dyn Read, already: usize) -> Body {
    let mut buffer = vec![0u8; CHUNK];
    let mut total = already;
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Body::TooLarge(total),
            Ok(n) => {
                total = total.saturating_add(n);
                if total > DRAIN_LIMIT {
                    return Body::Abandon(total);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Body::Abandon(total),
        }
    }
}

/// Wait `delay_ms`, cut short by shutdown.
fn pause(shared: &Shared) {
    let delay = Duration::from_millis(shared.service.config.delay_ms);
    let start = Instant::now();
    while !shared.stopping.load(Ordering::SeqCst) {
        let left = delay.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        thread::sleep(left.min(Duration::from_millis(20)));
    }
}

fn handle(shared: &Shared, mut request: Request) {
    let stats = &shared.service.stats;
    bump(&stats.requests);
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let method = request.method().as_str().to_owned();
    let url = request.url().to_owned();
    let incoming = Incoming {
        method: &method,
        url: &url,
        headers: &headers,
        body: &[],
    };
    let action = incoming.loggable_action();
    let mut log = LogLine {
        method: &method,
        action,
        status: None,
        outcome: None,
        request_id: None,
        body_bytes: 0,
    };

    let fault = shared.faults.take();
    if fault.is_some() {
        bump(&stats.faults);
    }
    if fault == Some(FaultKind::Drop) {
        log.outcome = Some(FaultKind::Drop.name());
        pause(shared);
        shared.logger.write(&log);
        abandon(shared, request);
        return;
    }
    let body = read_body(&mut request, shared.service.config.max_body_bytes);
    let reply = match (&body, fault) {
        (Body::Abandon(size), _) => {
            log.body_bytes = *size;
            log.outcome = Some("abandoned");
            shared.logger.write(&log);
            abandon(shared, request);
            return;
        }
        (_, Some(kind)) => {
            log.outcome = Some(kind.name());
            faults::fault_reply(kind, shared.service.ids.next())
                .unwrap_or_else(|| Reply::raw(500, "text/plain", "unexpected fault\n"))
        }
        (Body::TooLarge(_), None) => shared.service.too_large(),
        (Body::Complete(bytes), None) => {
            let incoming = Incoming {
                body: bytes,
                ..incoming
            };
            shared.service.answer(&incoming, now(shared))
        }
    };
    log.body_bytes = match &body {
        Body::Complete(bytes) => bytes.len(),
        Body::TooLarge(size) | Body::Abandon(size) => *size,
    };
    if fault.is_none() {
        log.outcome = reply.error_code;
    }
    log.status = Some(reply.status);
    log.request_id = reply.request_id.as_deref();
    pause(shared);
    // Logged before the answer leaves, so a client that has its answer also finds its line.
    shared.logger.write(&log);
    respond(shared, request, &reply);
}

/// Put a reply on the wire, with the emulator's `Date` and `Server` headers.
fn respond(shared: &Shared, request: Request, reply: &Reply) {
    let mut response = Response::from_data(reply.body.clone()).with_status_code(reply.status);
    let date = http_date(now(shared));
    let headers = [
        ("Content-Type", Some(reply.content_type)),
        ("Date", date.as_deref()),
        ("Server", Some("tcfaceid-emulator")),
    ];
    for (name, value) in headers {
        if let Some(header) =
            value.and_then(|v| Header::from_bytes(name.as_bytes(), v.as_bytes()).ok())
        {
            response.add_header(header);
        }
    }
    // A client that went away is not the emulator's problem.
    let _ = request.respond(response);
}

/// Close the connection without a single response byte (see [`faults`]).
fn abandon(shared: &Shared, request: Request) {
    if let Some(peer) = request.remote_addr().copied() {
        faults::close_connection(shared.local, peer);
    }
    if request.body_length().is_some_and(|n| n > DRAIN_LIMIT) {
        // tiny_http drains an unread body when the request is dropped, into one buffer as large
        // as the rest of the declared length; for an absurd Content-Length that allocation
        // would abort the process. The socket is already shut down, so nothing more will be
        // read: leak the request (and the tiny_http connection thread parked on it) instead.
        std::mem::forget(request);
    } else {
        // `into_writer` marks the request answered, so tiny_http writes no 500 for it.
        drop(request.into_writer());
    }
}
