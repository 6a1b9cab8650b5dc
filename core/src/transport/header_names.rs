//! The API's own header names, made once: a lookup or insert by `&str` parses and hashes the
//! name on every call (~400 instructions each, a dozen per request), one by `HeaderName` only
//! hashes it.

use hyper::header::HeaderName;

/// The key that makes a write safe to send again (PROTOCOL.md, "Idempotency").
pub(crate) const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// The client's id of a call, the same on every attempt.
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-client-request-id");
/// W3C trace context.
pub(crate) const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
/// Which retry an attempt is (absent on the first).
pub(crate) const RETRY_COUNT: HeaderName = HeaderName::from_static("x-aether-retry-count");
/// The server's id of a response.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Set when the server answered from a stored response to the same idempotency key.
pub(crate) const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// The server's wait in milliseconds; wins over `Retry-After`.
pub(crate) const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
/// The server's word on whether a failed request may be retried.
pub(crate) const SHOULD_RETRY: HeaderName = HeaderName::from_static("x-should-retry");
/// The rate limit's size, what is left of it, and when it resets.
pub(crate) const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
pub(crate) const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
pub(crate) const RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
