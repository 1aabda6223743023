//! Exact counters of what the emulator saw and answered, safe to bump from every worker thread.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the emulator's counters. Every counter is bumped before the answer it
/// describes is written, so once a client has its answer the count includes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests received, faulted ones included.
    pub requests: u64,
    /// ApplyCardVerification calls that passed the common checks and the signature.
    pub apply_calls: u64,
    /// GetCardVerificationResult calls that passed the common checks and the signature.
    pub result_calls: u64,
    /// Authenticated calls naming any other action (answered `InvalidAction`).
    pub other_calls: u64,
    /// Tokens handed out by successful ApplyCardVerification calls.
    pub tokens_issued: u64,
    /// GetCardVerificationResult answers with Status PROCESSING.
    pub processing_answers: u64,
    /// GetCardVerificationResult answers with a verdict (PASSED, WARNING or REJECTED).
    pub verdicts: u64,
    /// Requests answered with an injected fault (HTTP 500, rate limit, dropped, garbage).
    pub faults: u64,
    /// Error envelopes answered (injected rate limits excluded; they count as faults).
    pub errors: u64,
    /// Error envelopes with an `AuthFailure.*` code.
    pub auth_failures: u64,
    /// Error envelopes with `AuthFailure.SignatureFailure`.
    pub signature_failures: u64,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub apply_calls: AtomicU64,
    pub result_calls: AtomicU64,
    pub other_calls: AtomicU64,
    pub tokens_issued: AtomicU64,
    pub processing_answers: AtomicU64,
    pub verdicts: AtomicU64,
    pub faults: AtomicU64,
    pub errors: AtomicU64,
    pub auth_failures: AtomicU64,
    pub signature_failures: AtomicU64,
}

/// Add one to a counter.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::SeqCst);
}

impl Counters {
    /// Count one error envelope by its code.
    pub fn error(&self, code: &str) {
        bump(&self.errors);
        if code.starts_with("AuthFailure") {
            bump(&self.auth_failures);
        }
        if code == super::reply::code::SIGNATURE_FAILURE {
            bump(&self.signature_failures);
        }
    }

    /// Read every counter.
    pub fn snapshot(&self) -> Stats {
        let read = |c: &AtomicU64| c.load(Ordering::SeqCst);
        Stats {
            requests: read(&self.requests),
            apply_calls: read(&self.apply_calls),
            result_calls: read(&self.result_calls),
            other_calls: read(&self.other_calls),
            tokens_issued: read(&self.tokens_issued),
            processing_answers: read(&self.processing_answers),
            verdicts: read(&self.verdicts),
            faults: read(&self.faults),
            errors: read(&self.errors),
            auth_failures: read(&self.auth_failures),
            signature_failures: read(&self.signature_failures),
        }
    }
}
