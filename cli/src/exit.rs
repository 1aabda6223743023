//! Exit codes (stable; listed in `--help`, see `args::EXIT_CODES_HELP`) and the error classes
//! that map onto them.

use tcfaceid::{ResultCode, VerificationStatus};

/// Verdict PASSED or COMPLETED (batch: every row one of them).
pub const OK: i32 = 0;
/// Another verdict: WARNING, REJECTED, ABNORMAL or an unknown status.
pub const NOT_PASSED: i32 = 1;
// 2: usage error, clap's own exit code for a bad command line.
/// Local validation failed; nothing was sent.
pub const INVALID: i32 = 3;
/// Credentials missing, invalid or refused.
pub const CREDENTIALS: i32 = 4;
/// Connection, TLS or timeout.
pub const NETWORK: i32 = 5;
/// The service answered an error.
pub const SERVICE: i32 = 6;
/// No verdict before the deadline or the poll limit.
pub const NO_VERDICT: i32 = 7;
/// Batch: some rows ended with an error.
pub const BATCH_ERRORS: i32 = 8;
/// Local I/O error.
pub const IO: i32 = 9;
/// Interrupted by SIGINT or SIGTERM (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;

/// What kind of failure an error is, for exit codes and the batch summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A local check failed (arguments, request rules, images).
    Validation,
    /// Credentials missing, invalid, or refused by the service.
    Credentials,
    /// Connection, TLS or timeout.
    Network,
    /// The service answered an error, an HTTP error or something that is not its JSON.
    Service,
    /// Polling ended without a verdict; the token can be polled again.
    NoVerdict,
    /// A local file could not be read or written.
    Io,
    /// Cancelled (Ctrl-C); the token, when there is one, can be polled again.
    Cancelled,
}

impl Class {
    /// The class of a library error code.
    pub fn of(code: ResultCode) -> Class {
        match code {
            ResultCode::Cancelled => Class::Cancelled,
            ResultCode::ServiceAuthFailure => Class::Credentials,
            _ => match code as u32 {
                100..=399 => Class::Validation,
                400..=499 => Class::Credentials,
                500..=599 => Class::Network,
                900..=999 => Class::NoVerdict,
                _ => Class::Service,
            },
        }
    }

    /// The name used in results and summaries.
    pub fn name(self) -> &'static str {
        match self {
            Class::Validation => "validation",
            Class::Credentials => "credentials",
            Class::Network => "network",
            Class::Service => "service",
            Class::NoVerdict => "no-verdict",
            Class::Io => "io",
            Class::Cancelled => "cancelled",
        }
    }

    /// The exit code of a single verification that ended with this class of error.
    pub fn exit_code(self) -> i32 {
        match self {
            Class::Validation => INVALID,
            Class::Credentials => CREDENTIALS,
            Class::Network => NETWORK,
            Class::Service => SERVICE,
            Class::NoVerdict => NO_VERDICT,
            Class::Io => IO,
            Class::Cancelled => INTERRUPTED,
        }
    }
}

/// The exit code of a verdict.
pub fn for_status(status: &VerificationStatus) -> i32 {
    match status {
        VerificationStatus::Passed | VerificationStatus::Completed => OK,
        _ => NOT_PASSED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_code_has_a_class() {
        assert_eq!(Class::of(ResultCode::InvalidNationality), Class::Validation);
        assert_eq!(Class::of(ResultCode::ImageCorrupt), Class::Validation);
        assert_eq!(
            Class::of(ResultCode::CredentialsMissing),
            Class::Credentials
        );
        assert_eq!(
            Class::of(ResultCode::ServiceAuthFailure),
            Class::Credentials
        );
        assert_eq!(Class::of(ResultCode::Timeout), Class::Network);
        assert_eq!(Class::of(ResultCode::HttpStatus), Class::Service);
        assert_eq!(Class::of(ResultCode::ServiceRateLimited), Class::Service);
        assert_eq!(Class::of(ResultCode::Protocol), Class::Service);
        assert_eq!(
            Class::of(ResultCode::PollDeadlineExceeded),
            Class::NoVerdict
        );
        assert_eq!(Class::of(ResultCode::Panic), Class::Service);
        assert_eq!(Class::of(ResultCode::Cancelled), Class::Cancelled);
        assert_eq!(Class::Cancelled.exit_code(), INTERRUPTED);
    }
}
