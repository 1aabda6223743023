//! Injected failures: which requests fail, what they get, and how a connection is dropped.
//!
//! A dropped connection is the server dropping the connection's stream before any answer byte.

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
}
