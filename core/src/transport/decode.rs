//! Turning an HTTP error response into an [`Error`]: the one place that reads an error body,
//! `Retry-After` and the rate-limit headers. Kept apart from the error vocabulary
//! (`crate::error`), which knows nothing of HTTP, and pure, so it can be fuzzed.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};

use super::header_names as names;

use crate::error::{Error, ErrorCode, RateLimit};
use crate::model::Platform;

impl RateLimit {
    /// Reads the three headers; `None` unless all three are present and numeric.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let number = |name: HeaderName| -> Option<u64> {
            headers.get(name)?.to_str().ok()?.trim().parse().ok()
        };
        Some(RateLimit {
            limit: number(names::RATELIMIT_LIMIT)?,
            remaining: number(names::RATELIMIT_REMAINING)?,
            reset: number(names::RATELIMIT_RESET)?,
        })
    }
}

/// Reads `Retry-After-Ms` (milliseconds), which wins, else `Retry-After`: delay seconds, or
/// an HTTP date (a date in the past is zero).
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    super::steer::retry_after_ms(headers).or_else(|| retry_after_seconds(headers))
}

fn retry_after_seconds(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    let at = PARSER.parse_timestamp(value).ok()?;
    let seconds = at.as_second().saturating_sub(jiff::Timestamp::now().as_second());
    Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
}

/// How many characters of an unreadable body a `PROTOCOL_ERROR` quotes.
const SNIPPET_CHARS: usize = 200;

/// The first ~200 characters of a body, lossily decoded as UTF-8, for error messages.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    // Decode a little more than needed so a multi-byte character is never cut in half.
    let head = &body[..body.len().min(SNIPPET_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut chars = text.chars();
    let mut snippet: String = chars.by_ref().take(SNIPPET_CHARS).collect();
    if chars.next().is_some() || head.len() < body.len() {
        snippet.push('…');
    }
    snippet
}

/// Turns an error response into an [`Error`]: a pure function of the status, the headers and
/// the body, so it can be fuzzed.
///
/// A body of the API's error shape (`{ "error": { "code", "message", … } }`) gives the code
/// (unknown codes are kept as [`ErrorCode::Unknown`]), message, field, platform, details and
/// `retryAfter`; the request id comes from the body, else from `X-Request-Id`; `Retry-After`
/// fills in a missing `retryAfter`; the rate-limit headers land in [`Error::rate_limit`]. Any
/// other body (not JSON, or JSON of another shape) is `PROTOCOL_ERROR` quoting the start of
/// the body, with the status kept so [`Error::is_retryable`] can still judge it.
/// `Retry-After-Ms` wins over both `retryAfter` and `Retry-After`; `X-Should-Retry` is kept
/// ([`Error::server_should_retry`]).
pub fn decode_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let header_request_id = headers
        .get(names::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let header_retry_after = retry_after_seconds(headers);
    // `Retry-After-Ms` wins over the body's `retryAfter` too (it is the more precise).
    let retry_after_ms = super::steer::retry_after_ms(headers);
    let rate_limit = RateLimit::from_headers(headers);

    let error = match lenient_error_payload(body) {
        Some(payload) => {
            let mut error = Error::new(payload.code, payload.message);
            if let Some(request_id) = payload.request_id.or(header_request_id) {
                error = error.with_request_id(request_id);
            }
            if let Some(retry_after) = retry_after_ms.or(payload.retry_after).or(header_retry_after)
            {
                error = error.with_retry_after(retry_after);
            }
            if let Some(field) = payload.field {
                error = error.with_field(field);
            }
            if let Some(platform) = payload.platform {
                error = error.with_platform(Platform::parse(&platform));
            }
            if let Some(details) = payload.details {
                error = error.with_details(details);
            }
            error
        }
        None => {
            let what = if (300..400).contains(&status) {
                let location = headers
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .map(|l| format!(" to {}", body_snippet(l.as_bytes())))
                    .unwrap_or_default();
                format!("unexpected redirect{location} (redirects are not followed)")
            } else if body.is_empty() {
                "an empty body instead of an API error".to_owned()
            } else {
                format!("a body that is not an API error: {}", body_snippet(body))
            };
            let mut error = Error::protocol(format!("HTTP {status} with {what}"));
            if let Some(request_id) = header_request_id {
                error = error.with_request_id(request_id);
            }
            if let Some(retry_after) = retry_after_ms.or(header_retry_after) {
                error = error.with_retry_after(retry_after);
            }
            error
        }
    };
    let error = match super::steer::should_retry(headers) {
        Some(should_retry) => error.with_should_retry(should_retry),
        None => error,
    };
    error.with_status(status).with_rate_limit(rate_limit)
}

/// The parts of an API error body, read strictly where the meaning depends on them (`code`
/// and `message` must be strings) and leniently elsewhere: an optional field of the wrong type
/// is dropped rather than turning, say, a `POST_LIMIT_REACHED` with a fractional `retryAfter`
/// into a `PROTOCOL_ERROR` that a caller would retry.
struct LenientPayload {
    code: ErrorCode,
    message: String,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    field: Option<String>,
    platform: Option<String>,
    details: Option<serde_json::Value>,
}

/// Whole seconds, rounded up, from a non-negative finite number of seconds.
fn seconds_from_f64(seconds: f64) -> Option<Duration> {
    (seconds.is_finite() && seconds >= 0.0)
        .then(|| Duration::from_secs_f64(seconds.ceil().min(u64::MAX as f64 / 2.0)))
}

fn lenient_error_payload(body: &[u8]) -> Option<LenientPayload> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?.as_object()?;
    let text = |name: &str| error.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let retry_after = error.get("retryAfter").and_then(|v| match v {
        serde_json::Value::Number(n) => {
            n.as_u64().map(Duration::from_secs).or_else(|| n.as_f64().and_then(seconds_from_f64))
        }
        serde_json::Value::String(s) => {
            let s = s.trim();
            s.parse::<u64>()
                .ok()
                .map(Duration::from_secs)
                .or_else(|| s.parse::<f64>().ok().and_then(seconds_from_f64))
        }
        _ => None,
    });
    Some(LenientPayload {
        code: ErrorCode::parse(error.get("code")?.as_str()?),
        message: error.get("message")?.as_str()?.to_owned(),
        request_id: text("requestId").filter(|r| !r.is_empty()),
        retry_after,
        field: text("field"),
        platform: text("platform"),
        details: error.get("details").filter(|d| !d.is_null()).cloned(),
    })
}

/// The error of a 2xx response whose body is not the JSON expected. serde's message can quote a
/// value: when the body holds a secret (`secret_in_response`), it says only where.
pub(super) fn undecodable(
    method: &reqwest::Method,
    path: &str,
    secret_in_response: bool,
    e: serde_json::Error,
    response: &super::Response<bytes::Bytes>,
) -> Error {
    let error = if secret_in_response {
        Error::protocol(format!(
            "{method} {path}: the response is not the expected JSON (at line {}, column {}; its \
             content is not shown because it carries a secret)",
            e.line(),
            e.column()
        ))
    } else {
        Error::protocol(format!(
            "{method} {path}: the response is not the expected JSON ({e}); it starts with: {}",
            body_snippet(&response.data)
        ))
        .with_source(e)
    };
    let error = error.with_status(response.status).with_rate_limit(response.rate_limit);
    match &response.request_id {
        Some(request_id) => error.with_request_id(request_id.clone()),
        None => error,
    }
}
