//! Injected failures: which requests fail, what they get, and how a connection is dropped.
//!
//! # Dropping a connection
//! tiny_http does not hand out its sockets, and every way it offers to give up a request either
//! writes something (dropping an unanswered request sends a 500; `upgrade` writes a 101-style
//! head) or leaves the connection open (`into_writer` writes nothing, but the connection stays
//! up waiting for the next request, so the client hangs until its own timeout). To close the
//! TCP connection without a single response byte, the emulator finds the accepted socket by
//! its two addresses (local = the emulator's, peer = the request's remote address; no other
//! socket of the process has that pair) and calls `shutdown(SHUT_RDWR)` on it. `shutdown` does
//! not close or free the descriptor, which tiny_http still owns and closes as usual. Unix only;
//! elsewhere a dropped request is left unanswered and the client times out.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::{Fault, FaultKind};
use crate::reply::{code, ApiError, Reply};

/// Decides, request by request, whether the configured fault applies.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    fault: Fault,
    taken: AtomicU64,
}

impl FaultPlan {
    pub fn new(fault: Fault) -> FaultPlan {
        FaultPlan {
            fault,
            taken: AtomicU64::new(0),
        }
    }

    /// The fault for the next request, if any: every request, or the first `n` of them.
    pub fn take(&self) -> Option<FaultKind> {
        match (self.fault.kind, self.fault.first) {
            (FaultKind::None, _) => None,
            (kind, None) => Some(kind),
            (kind, Some(n)) => self
                .taken
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                    (t < n).then_some(t + 1)
                })
                .ok()
                .map(|_| kind),
        }
    }
}

/// What a faulted request gets; `None` for [`FaultKind::Drop`] (no answer at all) and
/// [`FaultKind::None`].
pub(crate) fn fault_reply(kind: FaultKind, request_id: String) -> Option<Reply> {
    match kind {
        FaultKind::Http500 => Some(Reply::raw(
            500,
            "text/plain; charset=utf-8",
            "500 Internal Server Error (injected by tcfaceid-emulator)\n",
        )),
        FaultKind::RateLimit => Some(Reply::error(
            ApiError::new(
                code::REQUEST_LIMIT_EXCEEDED,
                "Your request frequency has exceeded the limit; retry later.",
            ),
            request_id,
        )),
        FaultKind::Garbage => Some(Reply::raw(
            200,
            "text/html; charset=utf-8",
            "<html><head><title>502 Bad Gateway</title></head>\
             <body><h1>502 Bad Gateway</h1><p>injected by tcfaceid-emulator</p></body></html>\n",
        )),
        FaultKind::Drop | FaultKind::None => None,
    }
}

/// Shut down the accepted TCP connection between `local` and `peer` (see the module docs).
/// Returns whether a socket was found and shut down.
#[cfg(unix)]
pub(crate) fn close_connection(local: SocketAddr, peer: SocketAddr) -> bool {
    let same = |a: SocketAddr, b: SocketAddr| a.ip() == b.ip() && a.port() == b.port();
    let mut closed = false;
    for fd in open_descriptors() {
        let matches = socket_address(fd, false).is_some_and(|a| same(a, local))
            && socket_address(fd, true).is_some_and(|a| same(a, peer));
        // SAFETY: `shutdown` only changes the state of the socket behind `fd`; it neither
        // closes nor frees the descriptor, and on a descriptor that is not a socket it fails
        // with ENOTSOCK. Both descriptors tiny_http holds for the connection match; shutting
        // the socket down twice is harmless.
        if matches && unsafe { libc::shutdown(fd, libc::SHUT_RDWR) } == 0 {
            closed = true;
        }
    }
    closed
}

/// Not supported off Unix: the connection stays open (see the module docs).
#[cfg(not(unix))]
pub(crate) fn close_connection(_local: SocketAddr, _peer: SocketAddr) -> bool {
    false
}

/// The process's open descriptors: listed by the OS where it can, else every possible one.
#[cfg(unix)]
fn open_descriptors() -> Vec<libc::c_int> {
    for dir in ["/proc/self/fd", "/dev/fd"] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let fds: Vec<libc::c_int> = entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect();
            if !fds.is_empty() {
                return fds;
            }
        }
    }
    // SAFETY: getrlimit writes one `rlimit` into the struct we own.
    let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
    let max = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        limit.rlim_cur.min(65_536) as libc::c_int
    } else {
        1024
    };
    (0..max).collect()
}

/// The local (`peer == false`) or remote address of a socket descriptor.
#[cfg(unix)]
fn socket_address(fd: libc::c_int, peer: bool) -> Option<SocketAddr> {
    use std::net::{Ipv4Addr, Ipv6Addr};
    // SAFETY: an all-zero sockaddr_storage is a valid value; get{sock,peer}name write at most
    // `len` bytes into it and report the length written.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let address = std::ptr::addr_of_mut!(storage).cast::<libc::sockaddr>();
    let rc = unsafe {
        if peer {
            libc::getpeername(fd, address, &mut len)
        } else {
            libc::getsockname(fd, address, &mut len)
        }
    };
    if rc != 0 {
        return None;
    }
    match libc::c_int::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in, which it is large
            // and aligned enough for.
            let v4 = unsafe { &*std::ptr::addr_of!(storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr));
            Some(SocketAddr::from((ip, u16::from_be(v4.sin_port))))
        }
        libc::AF_INET6 => {
            // SAFETY: as above, for sockaddr_in6.
            let v6 = unsafe { &*std::ptr::addr_of!(storage).cast::<libc::sockaddr_in6>() };
            let ip = Ipv6Addr::from(v6.sin6_addr.s6_addr);
            Some(SocketAddr::from((ip, u16::from_be(v6.sin6_port))))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_n_requests_fail_then_none() {
        let plan = FaultPlan::new(Fault::first(FaultKind::Garbage, 2));
        let taken: Vec<_> = (0..4).map(|_| plan.take()).collect();
        assert_eq!(
            taken,
            [
                Some(FaultKind::Garbage),
                Some(FaultKind::Garbage),
                None,
                None
            ]
        );
        let always = FaultPlan::new(Fault::always(FaultKind::Drop));
        assert!((0..10).all(|_| always.take() == Some(FaultKind::Drop)));
        assert_eq!(FaultPlan::new(Fault::default()).take(), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_connection_is_shut_down_by_its_addresses() {
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_server_side, peer) = listener.accept().unwrap();
        assert!(close_connection(listener.local_addr().unwrap(), peer));
        let mut buf = [0u8; 8];
        assert_eq!(
            client.read(&mut buf).unwrap(),
            0,
            "the client sees end of stream"
        );
    }
}
