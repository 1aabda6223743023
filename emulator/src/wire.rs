//! HTTP/1.1 on one connection (plain TCP or a rustls stream): read a request head with
//! `httparse`, read its body (Content-Length or chunked) without ever holding more than the
//! limit, write an answer. Keep-alive unless the client says otherwise.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use rustls::{ServerConnection, StreamOwned};

/// Longest request head accepted (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// Most headers in one request.
const MAX_HEADERS: usize = 64;
/// Bodies are drained (read and thrown away) up to this size so the client gets its
/// `RequestSizeLimitExceeded`; beyond it the connection is closed instead.
pub(crate) const DRAIN_LIMIT: usize = 256 * 1024 * 1024;

/// A request head as received.
#[derive(Debug)]
pub(crate) struct Head {
    /// The method as sent.
    pub method: String,
    /// The request target as sent: path and optional `?query`.
    pub url: String,
    /// Every header as `(lower-case name, value)`, in the order received.
    pub headers: Vec<(String, String)>,
    /// Whether the connection stays open after the answer.
    pub keep_alive: bool,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn chunked(&self) -> bool {
        self.header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }
}

/// What reading the body gave.
pub(crate) enum Body {
    /// The whole body, within the limit.
    Complete(Vec<u8>),
    /// Over the limit, read and thrown away to its end: answer `RequestSizeLimitExceeded`.
    TooLarge(usize),
    /// Unreadable (connection broken, bad framing) or too large to drain: close without an
    /// answer.
    Abandon(usize),
}

impl Body {
    /// The bytes received (kept or drained).
    pub fn size(&self) -> usize {
        match self {
            Body::Complete(bytes) => bytes.len(),
            Body::TooLarge(size) | Body::Abandon(size) => *size,
        }
    }
}

/// A connection's byte stream: plain TCP, or TLS over it.
pub(crate) trait Stream: Read + Write {
    /// Say goodbye before the stream is dropped (TLS: close_notify, so the client sees a clean
    /// end of stream, as over TCP).
    fn finish(&mut self) {}
}

impl Stream for TcpStream {}

impl Stream for StreamOwned<ServerConnection, TcpStream> {
    fn finish(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

/// One HTTP connection over `S`.
pub(crate) struct Connection<S: Stream> {
    stream: BufReader<S>,
}

/// Why no request head was read.
pub(crate) enum NoHead {
    /// The client closed the connection (or it broke) between requests.
    Closed,
    /// Not HTTP, or a head too large: answer 400 and close.
    Malformed,
}

impl<S: Stream> Connection<S> {
    /// Serve HTTP on `stream`.
    pub fn new(stream: S) -> Connection<S> {
        Connection {
            stream: BufReader::with_capacity(16 * 1024, stream),
        }
    }

    /// Read the next request head.
    pub fn read_head(&mut self) -> Result<Head, NoHead> {
        let mut raw = Vec::new();
        loop {
            let read = self.stream.fill_buf().map_err(|_| NoHead::Closed)?;
            if read.is_empty() {
                return Err(if raw.is_empty() {
                    NoHead::Closed
                } else {
                    NoHead::Malformed
                });
            }
            let before = raw.len();
            raw.extend_from_slice(read);
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(&raw) {
                Ok(httparse::Status::Complete(len)) => {
                    self.stream.consume(len - before);
                    return Ok(head(&request));
                }
                Ok(httparse::Status::Partial) if raw.len() <= MAX_HEAD => {
                    let n = raw.len() - before;
                    self.stream.consume(n);
                }
                _ => return Err(NoHead::Malformed),
            }
        }
    }

    /// Read the body of `head`, keeping at most `max` bytes.
    pub fn read_body(&mut self, head: &Head, max: usize) -> Body {
        if head.chunked() {
            return self.read_chunked(max);
        }
        let declared = match head.header("content-length").map(|v| v.trim().parse()) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => return Body::Abandon(0),
        };
        if declared > DRAIN_LIMIT {
            return Body::Abandon(0);
        }
        let mut body = Vec::with_capacity(declared.min(max));
        let keep = declared.min(max.saturating_add(1)) as u64;
        if (&mut self.stream)
            .take(keep)
            .read_to_end(&mut body)
            .is_err()
            || body.len() as u64 != keep
        {
            return Body::Abandon(body.len());
        }
        if declared <= max {
            return Body::Complete(body);
        }
        let rest = (declared - body.len()) as u64;
        match io::copy(&mut (&mut self.stream).take(rest), &mut io::sink()) {
            Ok(n) if n == rest => Body::TooLarge(declared),
            _ => Body::Abandon(body.len()),
        }
    }

    /// A chunked body: chunks kept while the total stays within `max`, drained beyond it.
    fn read_chunked(&mut self, max: usize) -> Body {
        let mut body = Vec::new();
        let mut total = 0usize;
        loop {
            let Some(size) = self.chunk_size() else {
                return Body::Abandon(total);
            };
            if size == 0 {
                break;
            }
            total = total.saturating_add(size);
            if total > DRAIN_LIMIT {
                return Body::Abandon(total);
            }
            let read = {
                let mut chunk = (&mut self.stream).take(size as u64);
                if total <= max {
                    chunk.read_to_end(&mut body).ok()
                } else {
                    body.clear();
                    io::copy(&mut chunk, &mut io::sink())
                        .ok()
                        .map(|n| n as usize)
                }
            };
            if read != Some(size) || !self.line().is_some_and(|l| l.is_empty()) {
                return Body::Abandon(total);
            }
        }
        // Trailers, up to the empty line.
        loop {
            match self.line() {
                Some(line) if line.is_empty() => break,
                Some(_) => {}
                None => return Body::Abandon(total),
            }
        }
        if total <= max {
            Body::Complete(body)
        } else {
            Body::TooLarge(total)
        }
    }

    /// The size on a chunk's first line (extensions ignored).
    fn chunk_size(&mut self) -> Option<usize> {
        let line = self.line()?;
        let hex = line.split(';').next()?.trim();
        usize::from_str_radix(hex, 16).ok()
    }

    /// One CRLF-terminated line (at most 4 KiB), without its end.
    fn line(&mut self) -> Option<String> {
        let mut line = Vec::new();
        (&mut self.stream)
            .take(4096)
            .read_until(b'\n', &mut line)
            .ok()?;
        let text = line.strip_suffix(b"\n")?;
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        String::from_utf8(text.to_vec()).ok()
    }

    /// Write an answer with `headers` (name, value) and a Content-Length.
    pub fn write(
        &mut self,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
        keep_alive: bool,
    ) -> io::Result<()> {
        let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
        if !keep_alive {
            out.push_str("Connection: close\r\n");
        }
        out.push_str("\r\n");
        let stream = self.stream.get_mut();
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(body);
        stream.write_all(&bytes)?;
        stream.flush()
    }

    /// End the connection (see [`Stream::finish`]); the stream closes when dropped.
    pub fn finish(mut self) {
        self.stream.get_mut().finish();
    }
}

fn head(request: &httparse::Request<'_, '_>) -> Head {
    let headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let connection = headers
        .iter()
        .filter(|(n, _)| n == "connection")
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    // HTTP/1.1 keeps the connection unless told to close (an upgrade is not offered: the
    // answer is the last); HTTP/1.0 closes unless told to keep it.
    let keep_alive = if request.version == Some(1) {
        !connection.contains("close") && !connection.contains("upgrade")
    } else {
        connection.contains("keep-alive")
    };
    Head {
        method: request.method.unwrap_or_default().to_owned(),
        url: request.path.unwrap_or_default().to_owned(),
        headers,
        keep_alive,
    }
}

/// The reason phrase of the statuses the emulator sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        500 => "Internal Server Error",
        _ => "",
    }
}
