//! The server: an accept loop on 127.0.0.1, one thread per connection (keep-alive), over plain
//! TCP or a rustls stream; injected faults and delays, the body size limit, and the answer on the
//! wire (with a `Date` from the emulator's clock). Dropping a connection is dropping its stream.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::config::{EmulatorConfig, FaultKind};
use crate::control;
use crate::faults::{self, FaultPlan};
use crate::log::{LogLine, Logger};
use crate::reply::{http_date, Reply};
use crate::service::Service;
use crate::stats::Stats;
use crate::tls;
use crate::verify::Incoming;
use crate::wire::{Body, Connection, Head, NoHead, Stream};

/// Longest a TLS handshake or a write may block (a client that stops reading).
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything the connection threads share.
struct Shared {
    service: Service,
    faults: FaultPlan,
    logger: Logger,
    stopping: AtomicBool,
    /// Open connections, shut down when the emulator stops.
    open: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

/// A running emulator: a listener bound to 127.0.0.1 and its accept thread, over HTTPS when
/// [`EmulatorConfig::tls`] is set. Dropping it (or calling [`Emulator::shutdown`]) stops
/// accepting, closes every connection and joins the threads.
pub struct Emulator {
    addr: SocketAddr,
    https: bool,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("https", &self.https)
            .field("config", &self.shared.service.config)
            .field("running", &self.acceptor.is_some())
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
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            faults: FaultPlan::new(config.fault),
            logger: Logger::new(config.log, config.log_sink.clone()),
            stopping: AtomicBool::new(false),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            service: Service::new(config),
        });
        let connections = Arc::new(Mutex::new(Vec::new()));
        let https = tls_config.is_some();
        let acceptor = {
            let (shared, connections) = (shared.clone(), connections.clone());
            thread::Builder::new()
                .name("tcfaceid-emulator-accept".into())
                .spawn(move || accept(&listener, &shared, tls_config, &connections))?
                .into()
        };
        Ok(Emulator {
            addr,
            https,
            shared,
            acceptor,
            connections,
        })
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
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The emulated metadata service and STS: their counters, issued keys and faults.
    pub fn credentials(&self) -> &crate::credentials::CredentialAuthority {
        &self.shared.service.credentials
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.service.stats.snapshot()
    }

    /// Block until `until` holds for the counters, at most `timeout`; the counters then
    /// (`Err` when the timeout passed first). Tests wait for a request to arrive with it
    /// (the same as `GET /__emulator/stats?wait=NAME:N`).
    pub fn wait_until(
        &self,
        until: impl Fn(&Stats) -> bool,
        timeout: Duration,
    ) -> Result<Stats, Stats> {
        self.shared.service.stats.wait_until(until, timeout)
    }

    /// Stop accepting, close every connection (a request in hand is cut short, a pending
    /// `delay_ms` too), and join the threads. Dropping the emulator does the same.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // End every `/__emulator/stats?wait=` now.
        self.shared.service.stats.wake();
        // Wake the accept loop with a connection of our own; it sees `stopping` and returns.
        let _ = TcpStream::connect(self.addr);
        let _ = acceptor.join();
        for stream in lock(&self.shared.open).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let threads = std::mem::take(&mut *lock(&self.connections));
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The accept loop: one thread per connection until the emulator stops.
fn accept(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    tls: Option<Arc<ServerConfig>>,
    connections: &Mutex<Vec<JoinHandle<()>>>,
) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let (shared, tls) = (shared.clone(), tls.clone());
        let spawned = thread::Builder::new()
            .name("tcfaceid-emulator-conn".into())
            .spawn(move || serve_connection(&shared, stream, tls));
        if let Ok(thread) = spawned {
            let mut threads = lock(connections);
            threads.retain(|t| !t.is_finished());
            threads.push(thread);
        }
    }
}

/// Serve one accepted connection, registered so that [`Emulator::stop`] can close it.
fn serve_connection(shared: &Shared, stream: TcpStream, tls: Option<Arc<ServerConfig>>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    match stream.try_clone() {
        Ok(clone) => lock(&shared.open).insert(id, clone),
        Err(_) => return,
    };
    if !shared.stopping.load(Ordering::SeqCst) {
        match tls {
            None => serve(shared, Connection::new(stream)),
            Some(config) => {
                if let Ok(tls) = ServerConnection::new(config) {
                    serve(shared, Connection::new(StreamOwned::new(tls, stream)));
                }
            }
        }
    }
    lock(&shared.open).remove(&id);
}

/// Answer requests on one connection until it closes, a request asks to close it, or a request
/// is abandoned (dropping the connection is dropping the stream).
fn serve<S: Stream>(shared: &Shared, mut connection: Connection<S>) {
    serve_requests(shared, &mut connection);
    connection.finish();
}

fn serve_requests<S: Stream>(shared: &Shared, connection: &mut Connection<S>) {
    loop {
        let head = match connection.read_head() {
            Ok(head) => head,
            Err(NoHead::Closed) => return,
            Err(NoHead::Malformed) => {
                let _ = connection.write(400, &[], b"", false);
                return;
            }
        };
        // A bug must not take the emulator down: a panic answers 500 and closes.
        let answered = panic::catch_unwind(AssertUnwindSafe(|| handle(shared, connection, &head)));
        match answered {
            Ok(true) if head.keep_alive => {}
            Ok(_) => return,
            Err(_) => {
                let _ = connection.write(500, &[], b"", false);
                return;
            }
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

/// Answer one request; `false` when the connection is to be dropped without an answer.
fn handle<S: Stream>(shared: &Shared, connection: &mut Connection<S>, head: &Head) -> bool {
    if head.url.starts_with(control::PREFIX) {
        return answer_control(shared, connection, head);
    }
    let stats = &shared.service.stats;
    stats.bump(|c| &c.requests);
    let incoming = Incoming {
        method: &head.method,
        url: &head.url,
        headers: &head.headers,
        body: &[],
    };
    let mut log = LogLine {
        method: &head.method,
        action: incoming.loggable_action(),
        status: None,
        outcome: None,
        request_id: None,
        body_bytes: 0,
    };

    let fault = shared.faults.take();
    if fault.is_some() {
        stats.bump(|c| &c.faults);
    }
    if fault == Some(FaultKind::Drop) {
        log.outcome = Some(FaultKind::Drop.name());
        pause(shared);
        shared.logger.write(&log);
        return false;
    }
    let body = connection.read_body(head, shared.service.config.max_body_bytes);
    log.body_bytes = body.size();
    let reply = match (&body, fault) {
        (Body::Abandon(_), _) => {
            log.outcome = Some("abandoned");
            shared.logger.write(&log);
            return false;
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
    if fault.is_none() {
        log.outcome = reply.error_code;
    }
    log.status = Some(reply.status);
    log.request_id = reply.request_id.as_deref();
    pause(shared);
    // Logged before the answer leaves, so a client that has its answer also finds its line.
    shared.logger.write(&log);
    let date = http_date(now(shared));
    let mut headers = vec![("Content-Type", reply.content_type)];
    if let Some(date) = &date {
        headers.push(("Date", date));
    }
    headers.push(("Server", "tcfaceid-emulator"));
    // A client that went away is not the emulator's problem.
    connection
        .write(reply.status, &headers, &reply.body, head.keep_alive)
        .is_ok()
}

/// Answer a `/__emulator/` request (see `control`): no fault, delay, count or log.
fn answer_control<S: Stream>(shared: &Shared, connection: &mut Connection<S>, head: &Head) -> bool {
    if let Body::Abandon(_) = connection.read_body(head, shared.service.config.max_body_bytes) {
        return false;
    }
    let stopping = || shared.stopping.load(Ordering::SeqCst);
    let reply = control::answer(&shared.service, &head.url, &stopping);
    let headers = [("Content-Type", reply.content_type)];
    connection
        .write(reply.status, &headers, &reply.body, head.keep_alive)
        .is_ok()
}
