//! The setters of [`Error`]: what the transport, the decoders and the bindings fill in.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::{Error, RateLimit};
use crate::model::platform::Platform;

impl Error {
    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Error {
        self.inner.status = Some(status);
        self
    }

    /// Sets the request id.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Error {
        self.inner.request_id = Some(request_id.into());
        self
    }

    /// Sets how long to wait before retrying.
    pub fn with_retry_after(mut self, retry_after: Duration) -> Error {
        self.inner.retry_after = Some(retry_after);
        self
    }

    /// Sets the server's `X-Should-Retry`.
    pub fn with_should_retry(mut self, should_retry: bool) -> Error {
        self.inner.should_retry = Some(should_retry);
        self
    }

    /// Sets the field the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Error {
        self.inner.field = Some(field.into());
        self
    }

    /// Sets the platform the error is about.
    pub fn with_platform(mut self, platform: Platform) -> Error {
        self.inner.platform = Some(platform);
        self
    }

    /// Sets the code-specific details.
    pub fn with_details(mut self, details: Value) -> Error {
        self.inner.details = Some(details);
        self
    }

    /// Sets the rate-limit state of the response.
    pub fn with_rate_limit(mut self, rate_limit: Option<RateLimit>) -> Error {
        self.inner.rate_limit = rate_limit;
        self
    }

    /// Sets the id the client gave the call (`X-Client-Request-Id`).
    pub fn with_client_request_id(mut self, id: impl Into<String>) -> Error {
        self.inner.client_request_id = Some(id.into());
        self
    }

    /// Sets the idempotency key the call sent.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Error {
        self.inner.idempotency_key = Some(key.into());
        self
    }

    /// Marks a write's answer as one given to a retry after an earlier attempt's answer was
    /// lost (`ErrorInner::after_lost_answer`).
    pub(crate) fn after_a_lost_answer(mut self) -> Error {
        self.inner.after_lost_answer = true;
        self
    }

    /// Whether this answer came to a retry after an earlier attempt of the same write may have
    /// been carried out (its answer was lost).
    pub(crate) fn after_lost_answer(&self) -> bool {
        self.inner.after_lost_answer
    }

    /// Sets the lower-level cause, returned by [`std::error::Error::source`].
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// Prefixes the message, e.g. with the operation that failed.
    pub(crate) fn with_context(mut self, context: impl fmt::Display) -> Error {
        self.inner.message = format!("{context}: {}", self.inner.message);
        self
    }
}
