//! HTTPS for the emulator: a TLS front on the public port that terminates TLS with rustls and
//! relays the plaintext, byte for byte, to the tiny_http server on a private loopback port.
//!
//! Why not tiny_http's own `ssl-rustls` feature: tiny_http 0.12 pins rustls 0.20 (with ring
//! 0.16 and webpki 0.22, all unmaintained, and flagged by `cargo audit` in any lockfile that
//! holds them), a second TLS stack beside the rustls 0.23 the client already uses; and it runs
//! every handshake on its single accept thread, so one client that stalls mid-handshake stops
//! every other connection. Here each connection gets its own relay thread, the handshake has a
//! deadline, and the TLS stack is the client's own (rustls 0.23 with ring).
//!
//! The relay changes nothing in the HTTP bytes, so the `Host` header the client signed
//! (`127.0.0.1:PUBLIC_PORT`) reaches the signature check as sent. A fault that drops the
//! connection shuts down the private socket (see `faults`); the relay sees the end of that
//! stream and closes the TLS connection without a response.
//!
//! Each relay uses two threads: one reads the client's TLS records and writes the plaintext to
//! tiny_http, the other reads tiny_http's answer and writes it as TLS records. The TLS state
//! is behind a mutex, and records are written to the client socket while it is held, so
//! records leave in the order they were sealed.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection};

use crate::config::TlsFiles;

/// Longest a client may take to finish the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a write to either socket may block (a client that stops reading).
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Read size on both sides.
const CHUNK: usize = 16 * 1024;

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

/// Sockets of live relays, shut down when the front stops.
#[derive(Default)]
struct Live {
    next: AtomicU64,
    sockets: Mutex<HashMap<u64, Vec<TcpStream>>>,
}

impl Live {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Vec<TcpStream>>> {
        self.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add(&self, id: u64, socket: &TcpStream) {
        if let Ok(clone) = socket.try_clone() {
            self.lock().entry(id).or_default().push(clone);
        }
    }
}

/// The TLS front: an accept thread on the public port and one relay per connection.
pub(crate) struct TlsFront {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    live: Arc<Live>,
    acceptor: Option<JoinHandle<Vec<JoinHandle<()>>>>,
}

impl TlsFront {
    /// Bind 127.0.0.1:`port` and relay every connection, once its handshake is done, to
    /// `backend`.
    pub fn start(
        port: u16,
        config: Arc<ServerConfig>,
        backend: SocketAddr,
    ) -> io::Result<TlsFront> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let live = Arc::new(Live::default());
        let acceptor = {
            let (stopping, live) = (stopping.clone(), live.clone());
            thread::Builder::new()
                .name("tcfaceid-emulator-tls".to_owned())
                .spawn(move || accept(&listener, &config, backend, &stopping, &live))?
        };
        Ok(TlsFront {
            addr,
            stopping,
            live,
            acceptor: Some(acceptor),
        })
    }

    /// The public address (127.0.0.1 and the port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting, cut every live relay and join all threads.
    pub fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept thread: it sees `stopping` on this connection and returns.
        drop(TcpStream::connect_timeout(
            &self.addr,
            Duration::from_secs(1),
        ));
        let relays = acceptor.join().unwrap_or_default();
        for sockets in self.live.lock().values() {
            for socket in sockets {
                let _ = socket.shutdown(Shutdown::Both);
            }
        }
        for relay in relays {
            let _ = relay.join();
        }
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The accept loop; returns the relay threads still to join.
fn accept(
    listener: &TcpListener,
    config: &Arc<ServerConfig>,
    backend: SocketAddr,
    stopping: &AtomicBool,
    live: &Arc<Live>,
) -> Vec<JoinHandle<()>> {
    let mut relays: Vec<JoinHandle<()>> = Vec::new();
    for client in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = client else {
            // EMFILE and the like: back off rather than spin.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        relays.retain(|r| !r.is_finished());
        let id = live.next.fetch_add(1, Ordering::Relaxed);
        live.add(id, &client);
        let (config, relay_live) = (config.clone(), live.clone());
        let spawned = thread::Builder::new()
            .name("tcfaceid-emulator-tls-relay".to_owned())
            .spawn(move || {
                relay(client, config, backend, id, &relay_live);
                relay_live.lock().remove(&id);
            });
        match spawned {
            Ok(handle) => relays.push(handle),
            // The closure (and with it the client socket) is dropped: the connection closes.
            Err(_) => {
                live.lock().remove(&id);
            }
        }
    }
    relays
}

/// The TLS state shared by the relay's two directions.
type Shared = Arc<Mutex<ServerConnection>>;

fn lock(conn: &Shared) -> MutexGuard<'_, ServerConnection> {
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

/// Serve one client connection: the handshake, then both directions until either side ends.
fn relay(
    mut client: TcpStream,
    config: Arc<ServerConfig>,
    backend: SocketAddr,
    id: u64,
    live: &Live,
) {
    let Ok(mut conn) = ServerConnection::new(config) else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = client.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = client.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
    while conn.is_handshaking() {
        // A failed handshake (e.g. the client does not trust the certificate and says so with
        // an alert) ends here; rustls has already queued and `complete_io` sent our alert.
        if conn.complete_io(&mut client).is_err() {
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
    }
    let _ = client.set_read_timeout(None);
    let Ok(server) = TcpStream::connect(backend) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = server.set_nodelay(true);
    let _ = server.set_write_timeout(Some(WRITE_TIMEOUT));
    live.add(id, &server);
    let (Ok(client_writer), Ok(server_reader)) = (client.try_clone(), server.try_clone()) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let conn: Shared = Arc::new(Mutex::new(conn));
    let down = {
        let conn = conn.clone();
        thread::Builder::new()
            .name("tcfaceid-emulator-tls-down".to_owned())
            .spawn(move || downstream(server_reader, client_writer, &conn))
    };
    upstream(&mut client, server, &conn);
    if let Ok(down) = down {
        let _ = down.join();
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// Client → tiny_http: open the client's records, write the plaintext to the private socket.
fn upstream(client: &mut TcpStream, mut server: TcpStream, conn: &Shared) {
    let mut records = vec![0u8; CHUNK];
    let mut plain = Vec::with_capacity(CHUNK);
    loop {
        // First what is already open: the request may have come with the handshake's last
        // flight, and `complete_io` has read it already.
        plain.clear();
        let Some(closed) = take_plaintext(&mut lock(conn), &mut plain) else {
            break;
        };
        if !plain.is_empty() && server.write_all(&plain).is_err() {
            break;
        }
        if closed {
            break;
        }
        let n = match client.read(&mut records) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if !open_records(&mut lock(conn), &records[..n], client) {
            break;
        }
    }
    // The client is gone (or sent close_notify, or broke the protocol): end tiny_http's side
    // of the relay too, which ends the downstream thread.
    let _ = server.shutdown(Shutdown::Both);
}

/// Feed received bytes to rustls and send what it queues in return (an alert on error, a key
/// update, a session ticket). `false` when the connection must end.
fn open_records(tls: &mut ServerConnection, mut input: &[u8], client: &mut TcpStream) -> bool {
    while !input.is_empty() {
        if tls.read_tls(&mut input).is_err() {
            return false;
        }
        let state = tls.process_new_packets();
        while tls.wants_write() {
            if tls.write_tls(client).is_err() {
                return false;
            }
        }
        if state.is_err() {
            return false;
        }
    }
    true
}

/// Move the plaintext rustls holds into `plain`. `Some(true)` when the client has sent
/// close_notify, `None` on an error.
fn take_plaintext(tls: &mut ServerConnection, plain: &mut Vec<u8>) -> Option<bool> {
    let mut chunk = [0u8; CHUNK];
    loop {
        match tls.reader().read(&mut chunk) {
            Ok(0) => return Some(true),
            Ok(k) => plain.extend_from_slice(&chunk[..k]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Some(false),
            Err(_) => return None,
        }
    }
}

/// tiny_http → client: seal the answer into records and send them.
fn downstream(mut server: TcpStream, mut client: TcpStream, conn: &Shared) {
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let n = match server.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut tls = lock(conn);
        if tls.writer().write_all(&buffer[..n]).is_err() {
            break;
        }
        while tls.wants_write() {
            if tls.write_tls(&mut client).is_err() {
                drop(tls);
                let _ = client.shutdown(Shutdown::Both);
                return;
            }
        }
    }
    // tiny_http closed its side (a finished `Connection: close` answer, or a dropped
    // connection): end the TLS stream cleanly and close the socket.
    let mut tls = lock(conn);
    tls.send_close_notify();
    while tls.wants_write() {
        if tls.write_tls(&mut client).is_err() {
            break;
        }
    }
    drop(tls);
    let _ = client.shutdown(Shutdown::Both);
}
