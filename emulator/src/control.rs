//! The emulator's own endpoints, under `/__emulator/`, for tests in any language: never
//! faulted, delayed, counted or authenticated.
//!
//! `GET /__emulator/stats` answers the counters ([`crate::Stats`]) as one JSON object, plus
//! `"credentials"` (the metadata service's and STS's counters). `?wait=NAME:N` first blocks
//! until counter NAME is at least N (a test's way to wait for a request to arrive, instead of
//! sleeping), at most `timeout_ms` (default 30000) milliseconds: 200 when reached, 504 with the
//! counters when not, 400 for an unknown counter or a malformed query. Other paths: 404.

use std::time::Duration;

use serde_json::json;

use crate::reply::{Reply, JSON};
use crate::service::Service;
use crate::stats::Stats;

/// Where the emulator's own endpoints live.
pub(crate) const PREFIX: &str = "/__emulator/";

/// How long `?wait=` blocks when no `timeout_ms` is given.
const DEFAULT_WAIT_MS: u64 = 30_000;

/// A wait asked for by the query: counter name, least value, timeout.
type Wait<'a> = (&'a str, u64, Duration);

/// Answer a request whose path starts with [`PREFIX`]. `stopping` ends a wait early.
pub(crate) fn answer(service: &Service, url: &str, stopping: &dyn Fn() -> bool) -> Reply {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if path != "/__emulator/stats" {
        return Reply::raw(
            404,
            "text/plain",
            "unknown emulator endpoint; try /__emulator/stats\n",
        );
    }
    let wait = match parse_wait(query) {
        Ok(wait) => wait,
        Err(why) => return Reply::raw(400, "text/plain", &format!("{why}\n")),
    };
    let (status, stats) = match wait {
        None => (200, service.stats.snapshot()),
        Some((name, least, timeout)) => {
            let reached = |s: &Stats| s.get(name).is_some_and(|v| v >= least);
            match service
                .stats
                .wait_until(|s| reached(s) || stopping(), timeout)
            {
                Ok(stats) if reached(&stats) => (200, stats),
                Ok(stats) | Err(stats) => (504, stats),
            }
        }
    };
    let credentials = service.credentials.stats();
    let mut body = serde_json::to_value(stats).expect("counters serialise");
    body["credentials"] = json!({
        "role_name_requests": credentials.role_name_requests,
        "metadata_key_requests": credentials.metadata_key_requests,
        "assume_role_calls": credentials.assume_role_calls,
        "web_identity_calls": credentials.web_identity_calls,
        "injected_failures": credentials.injected_failures,
        "expired_key_refusals": credentials.expired_key_refusals,
        "long_term_key_refusals": credentials.long_term_key_refusals,
        "keys_issued": credentials.issued.len(),
    });
    Reply::raw(status, JSON, &body.to_string())
}

/// `wait=NAME:N` and `timeout_ms=T`, in any order; nothing else.
fn parse_wait(query: &str) -> Result<Option<Wait<'_>>, String> {
    let (mut wait, mut timeout_ms) = (None, DEFAULT_WAIT_MS);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("wait", value)) => {
                let (name, least) = value
                    .split_once(':')
                    .ok_or("wait= takes NAME:N, e.g. wait=result_calls:1")?;
                let least = least
                    .parse()
                    .map_err(|_| format!("wait=: {least:?} is not a count"))?;
                if Stats::default().get(name).is_none() {
                    return Err(format!("wait=: there is no counter {name:?}"));
                }
                wait = Some((name, least));
            }
            Some(("timeout_ms", value)) => {
                timeout_ms = value
                    .parse()
                    .map_err(|_| format!("timeout_ms=: {value:?} is not a number"))?;
            }
            _ => {
                return Err(format!(
                    "unknown parameter {pair:?}; use wait=NAME:N, timeout_ms=T"
                ))
            }
        }
    }
    Ok(wait.map(|(name, least)| (name, least, Duration::from_millis(timeout_ms))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        assert_eq!(parse_wait(""), Ok(None));
        assert_eq!(
            parse_wait("timeout_ms=5&wait=verdicts:2"),
            Ok(Some(("verdicts", 2, Duration::from_millis(5))))
        );
        for bad in [
            "wait=verdicts",
            "wait=nope:1",
            "wait=verdicts:x",
            "timeout_ms=-1",
            "x=1",
        ] {
            assert!(parse_wait(bad).is_err(), "{bad}");
        }
    }
}
