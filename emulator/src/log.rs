//! One line per request, to stderr and/or a caller's sink. A line holds only the method, the
//! action, the HTTP status, the error code, the RequestId and the body size: never a header
//! value (so never `Authorization`, `X-TC-Token`), never the SecretKey, never body contents.

use std::fmt;

use crate::config::LogSink;

/// Where log lines go.
#[derive(Clone, Default)]
pub(crate) struct Logger {
    stderr: bool,
    sink: Option<LogSink>,
}

impl Logger {
    pub fn new(stderr: bool, sink: Option<LogSink>) -> Logger {
        Logger { stderr, sink }
    }

    /// Write one line.
    pub fn write(&self, line: &LogLine<'_>) {
        if !self.stderr && self.sink.is_none() {
            return;
        }
        let text = line.to_string();
        if self.stderr {
            eprintln!("{text}");
        }
        if let Some(sink) = &self.sink {
            sink.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(text);
        }
    }
}

/// What one request did.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LogLine<'a> {
    /// The HTTP method, if it is a plain token (else `-`).
    pub method: &'a str,
    /// `X-TC-Action`, if it is a plausible action name (else `-`).
    pub action: Option<&'a str>,
    /// The HTTP status sent; `None` when the connection was closed without an answer.
    pub status: Option<u16>,
    /// `Response.Error.Code`, a fault name, or nothing for a success.
    pub outcome: Option<&'a str>,
    /// `Response.RequestId`, when there is one.
    pub request_id: Option<&'a str>,
    /// Bytes of request body received.
    pub body_bytes: usize,
}

impl fmt::Display for LogLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain =
            |s: &str| !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_alphabetic());
        let method = if plain(self.method) { self.method } else { "-" };
        write!(
            f,
            "tcfaceid-emulator: {method} {}",
            self.action.unwrap_or("-")
        )?;
        match self.status {
            Some(status) => write!(f, " {status}")?,
            None => f.write_str(" dropped")?,
        }
        write!(
            f,
            " {} RequestId={} body={}B",
            self.outcome.unwrap_or("OK"),
            self.request_id.unwrap_or("-"),
            self.body_bytes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_the_fields_in_order() {
        let line = LogLine {
            method: "POST",
            action: Some("ApplyCardVerification"),
            status: Some(200),
            outcome: Some("AuthFailure.SignatureFailure"),
            request_id: Some("rid"),
            body_bytes: 12,
        };
        assert_eq!(
            line.to_string(),
            "tcfaceid-emulator: POST ApplyCardVerification 200 AuthFailure.SignatureFailure RequestId=rid body=12B"
        );
        let odd = LogLine {
            method: "P\nOST",
            action: None,
            status: None,
            outcome: Some("drop"),
            request_id: None,
            body_bytes: 0,
        };
        assert_eq!(
            odd.to_string(),
            "tcfaceid-emulator: - - dropped drop RequestId=- body=0B"
        );
    }
}
