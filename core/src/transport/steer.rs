//! What the server may say about retrying, and the trace context a call carries.
//!
//! # Retries the server can steer
//! - `Retry-After-Ms: <milliseconds>` wins over `Retry-After` (and over an error body's
//!   `retryAfter`) wherever both are sent: on an error it is the wait before the retry, on a
//!   success it is the poll hint ([`crate::transport::Response::retry_after`]) that
//!   `wait`/`watch` follow (never polling sooner than their minimum interval).
//! - `X-Should-Retry: true|false` on an error response overrides the client's own judgement
//!   ([`crate::Error::is_retryable`]): `true` retries an error the client would not retry,
//!   `false` stops the retries of one it would. Either way the call's other bounds still hold:
//!   `max_retries`, the call's deadline, the retry budget, and [`super::MAX_RETRY_AFTER`] (a
//!   server that says "retry, but in an hour" gets the error back with its `retry_after`, as
//!   without the header: the transport never sleeps longer than that by itself).
//! - Retry *n* of a call (1-based) carries `X-Aether-Retry-Count: n`; the first attempt carries
//!   none (the emulator's journal records 0), and neither does the free resend after a stale
//!   kept-alive connection, which is not a retry.
//!
//! # Traces
//! A call with a trace context ([`RequestOptions::traceparent`], else the client's) sends it as
//! the W3C `traceparent` header on every attempt. It is checked before anything is sent:
//! `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`, lowercase, ids not all zeros.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};

use super::header_names as names;
use super::RequestOptions;
use crate::error::{Error, Result};

/// Adds the call's `traceparent` and the attempt's `X-Aether-Retry-Count` to `headers`.
pub(super) fn headers(
    headers: &mut HeaderMap,
    traceparent: Option<&HeaderValue>,
    retry_count: Option<&HeaderValue>,
) {
    if let Some(traceparent) = traceparent {
        headers.insert(names::TRACEPARENT, traceparent.clone());
    }
    if let Some(count) = retry_count {
        headers.insert(names::RETRY_COUNT, count.clone());
    }
}

/// `Retry-After-Ms`: whole milliseconds.
pub(super) fn retry_after_ms(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(names::RETRY_AFTER_MS)?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_millis)
}

/// `X-Should-Retry`: `true` or `false` (any case); anything else is no opinion.
pub(super) fn should_retry(headers: &HeaderMap) -> Option<bool> {
    let value = headers.get(names::SHOULD_RETRY)?.to_str().ok()?.trim();
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The `X-Aether-Retry-Count` of attempt `attempt` (1-based): none on the first.
pub(super) fn retry_count(attempt: u32) -> Option<HeaderValue> {
    (attempt > 1).then(|| HeaderValue::from(attempt - 1))
}

/// The call's `traceparent` header, its own else the client's, checked.
pub(super) fn traceparent(
    options: &RequestOptions,
    client: Option<&str>,
) -> Result<Option<HeaderValue>> {
    match options.traceparent.as_deref().or(client) {
        None => Ok(None),
        Some(value) => {
            check_traceparent(value, "traceparent")?;
            Ok(HeaderValue::from_str(value).ok())
        }
    }
}

/// Refuses anything but a W3C `traceparent` of version 00; `name` is the option as the
/// caller spells it.
pub fn check_traceparent(value: &str, name: &str) -> Result<()> {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, len: usize| {
        s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let zeros = |s: &str| s.bytes().all(|b| b == b'0');
    let valid = matches!(parts.as_slice(), [version, trace, parent, flags]
        if *version == "00" && hex(trace, 32) && hex(parent, 16) && hex(flags, 2)
            && !zeros(trace) && !zeros(parent));
    if valid {
        return Ok(());
    }
    let shown: String = value.chars().take(80).collect();
    Err(Error::invalid_argument(format!(
        "{name} {shown:?} is not a W3C traceparent: it must be \
         00-<32 hex trace id>-<16 hex parent id>-<2 hex flags> in lowercase, ids not all zeros \
         (e.g. 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01)"
    ))
    .with_field(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparents_are_checked() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert!(check_traceparent(good, "traceparent").is_ok());
        for bad in [
            "",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
        ] {
            let error = check_traceparent(bad, "traceparent=").expect_err(bad);
            assert!(error.message().contains("00-<32 hex trace id>"), "{error}");
            assert!(error.message().starts_with("traceparent="), "{error}");
        }
    }

    #[test]
    fn steering_headers_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after-ms", HeaderValue::from_static("250"));
        headers.insert("x-should-retry", HeaderValue::from_static("False"));
        assert_eq!(retry_after_ms(&headers), Some(Duration::from_millis(250)));
        assert_eq!(should_retry(&headers), Some(false));
        headers.insert("x-should-retry", HeaderValue::from_static("maybe"));
        assert_eq!(should_retry(&headers), None);
        assert_eq!(retry_count(1), None);
        assert_eq!(retry_count(3), Some(HeaderValue::from(2u32)));
    }
}
