//! Feeds arbitrary responses (status, headers, body) to `aether::decode_error`, the function that
//! turns every non-2xx answer into an `aether::Error`. A panic, an overflow, or a broken promise
//! of its documentation is a crash:
//! - the status is always kept;
//! - a body that is not JSON is `PROTOCOL_ERROR` (invalid UTF-8 inside a field it ignores is
//!   tolerated), and the message of a `PROTOCOL_ERROR` quotes a bounded snippet of the body;
//! - an error body the API could send (any code string, message, request id, field, platform,
//!   retryAfter, details) decodes to exactly what it says, with the header fallbacks
//!   (`X-Request-Id`, `Retry-After`) where the body is silent;
//! - every accessor, `Display`, `Debug` and `to_json` work on the result.
//!
//! Input layout: `mode`, status (2 bytes), header count, then per header a name selector, a
//! length and the value bytes; the rest is the body (mode even) or the fields of a well-formed
//! error body separated by NUL bytes (mode odd).
#![no_main]

use std::time::Duration;

use aether::transport::parse_retry_after;
use aether::{decode_error, ErrorCode};
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

/// The headers `decode_error` reads, plus two it must ignore.
const HEADER_NAMES: [&str; 8] = [
    "x-request-id",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "location",
    "content-type",
    "idempotent-replayed",
];

/// Longest message a `PROTOCOL_ERROR` may carry: a ~200-character snippet plus its framing.
const MAX_PROTOCOL_MESSAGE_CHARS: usize = 512;

struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    fn u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        let taken = self.take(8);
        bytes[..taken.len()].copy_from_slice(taken);
        u64::from_le_bytes(bytes)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let mode = input.byte();
    let status = u16::from_le_bytes([input.byte(), input.byte()]);
    let mut headers = HeaderMap::new();
    for _ in 0..input.byte() % 8 {
        let name = HEADER_NAMES[usize::from(input.byte()) % HEADER_NAMES.len()];
        let len = usize::from(input.byte() % 80);
        if let Ok(value) = HeaderValue::from_bytes(input.take(len)) {
            headers.append(name, value);
        }
    }
    if mode % 2 == 0 {
        raw_body(status, &headers, input.0);
    } else {
        let retry_after = (mode & 2 != 0).then(|| input.u64());
        well_formed_body(status, &headers, retry_after, input.0);
    }
});

/// Any body at all.
fn raw_body(status: u16, headers: &HeaderMap, body: &[u8]) {
    let error = decode_error(status, headers, body);
    common_checks(&error, status);
    // Not JSON even with invalid UTF-8 replaced: serde_json skips the fields decode_error does
    // not read without checking their UTF-8, so a body whose only flaw is there still decodes.
    if serde_json::from_str::<Value>(&String::from_utf8_lossy(body)).is_err() {
        assert_eq!(error.code(), &ErrorCode::ProtocolError, "a body that is not JSON");
    }
    if error.code() == &ErrorCode::ProtocolError {
        let chars = error.message().chars().count();
        assert!(chars <= MAX_PROTOCOL_MESSAGE_CHARS, "a {chars}-character PROTOCOL_ERROR message");
        assert_close(error.retry_after(), parse_retry_after(headers));
    }
}

/// An error body as a server could send it, built from the fuzzer's strings.
fn well_formed_body(status: u16, headers: &HeaderMap, retry_after: Option<u64>, rest: &[u8]) {
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.split('\0');
    let code = parts.next().unwrap_or("").to_owned();
    let message = parts.next().unwrap_or("").to_owned();
    let request_id = parts.next();
    let field = parts.next();
    let platform = parts.next();
    let details = parts.next().and_then(|d| serde_json::from_str::<Value>(d).ok());

    let mut payload = Map::new();
    payload.insert("code".into(), json!(code));
    payload.insert("message".into(), json!(message));
    if let Some(request_id) = request_id {
        payload.insert("requestId".into(), json!(request_id));
    }
    if let Some(field) = field {
        payload.insert("field".into(), json!(field));
    }
    if let Some(platform) = platform {
        payload.insert("platform".into(), json!(platform));
    }
    if let Some(seconds) = retry_after {
        payload.insert("retryAfter".into(), json!(seconds));
    }
    if let Some(details) = &details {
        payload.insert("details".into(), details.clone());
    }
    let body = serde_json::to_vec(&json!({ "error": payload })).expect("serializable");

    let error = decode_error(status, headers, &body);
    common_checks(&error, status);
    assert_eq!(error.code().as_str(), code, "the code is kept verbatim");
    assert_eq!(error.message(), message);
    let header_request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let expected_request_id = request_id.filter(|r| !r.is_empty()).or(header_request_id);
    assert_eq!(error.request_id(), expected_request_id);
    assert_eq!(error.field(), field);
    assert_eq!(error.platform().map(|p| p.as_str()), platform);
    let expected_retry =
        retry_after.map(Duration::from_secs).or_else(|| parse_retry_after(headers));
    assert_close(error.retry_after(), expected_retry);
    // As the body says it (serde_json does not round-trip every float exactly, e.g. 1e50 digits).
    let sent: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(error.details(), sent["error"].get("details").filter(|d| !d.is_null()));
}

/// Equal, give or take the second the clock may tick between two reads of a `Retry-After`
/// date.
fn assert_close(actual: Option<Duration>, expected: Option<Duration>) {
    match (actual, expected) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!(a.abs_diff(b) <= Duration::from_secs(1), "{a:?} vs {b:?}"),
        (a, b) => panic!("retry_after {a:?}, expected {b:?}"),
    }
}

fn common_checks(error: &aether::Error, status: u16) {
    assert_eq!(error.status(), Some(status));
    assert!(error.request_id().is_none_or(|r| !r.is_empty()));
    let shown = error.to_string();
    assert!(shown.starts_with(error.code().as_str()));
    let _ = format!("{error:?}");
    let _ = error.is_retryable();
    let _ = error.last_post();
    let _ = error.rate_limit();
    serde_json::to_string(&error.to_json()).expect("to_json is serializable");
}
