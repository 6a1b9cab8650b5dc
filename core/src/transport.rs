//! The one place that does HTTP: authentication, retries with backoff and `Retry-After`, a
//! retry budget, idempotency keys, rate-limit headers, response size limits and error decoding.
//!
//! # Retries
//! A call is tried once and retried at most `max_retries` times (default 2, so **3 attempts in
//! all**). It is retried after
//! - a network failure: the connection could not be made, was reset, or broke while the
//!   response body was read;
//! - `408`, `409 IDEMPOTENCY_KEY_IN_USE`, `429 RATE_LIMITED`, `500`, `503` and `504`, and a
//!   `502`/`429` that is not an API error body (a proxy's); see [`Error::is_retryable`].
//!
//! It is **not** retried after `429 POST_LIMIT_REACHED` (a daily quota, not a transient
//! state), `502 PLATFORM_ERROR`, any other 4xx, or a response it cannot understand.
//!
//! Before retry *n* (1-based) it waits the server's `Retry-After` when one was sent, else a
//! random time between 0 and `min(8 s, 0.5 s × 2^(n-1))` ("full jitter", so that many clients
//! recovering from one outage do not retry in lock step). A `Retry-After` longer than
//! [`MAX_RETRY_AFTER`] (30 s) is not waited for: the error is returned with
//! [`Error::retry_after`] so the caller can decide. No wait ever runs past the call's deadline.
//!
//! Every retry also costs one token from a **retry budget** shared by all calls of a client
//! (10 tokens, each success puts back 0.1). A sustained outage drains it, after which calls fail
//! on their first error instead of multiplying the load on a struggling server by three.
//!
//! # Deadlines
//! `request_timeout` (default 60 s, per call [`RequestOptions::timeout`]) bounds the **whole
//! call**: every attempt, every body read and every wait between attempts. When it passes the
//! call ends with `TIMEOUT`. `connect_timeout` (default 10 s) bounds each TCP/TLS connect.
//!
//! # Idempotency
//! Every POST carries an `Idempotency-Key` (32 random hex characters unless the caller gives one
//! in [`RequestOptions::idempotency_key`]); the same key is sent on every retry of that call, so
//! a create whose response was lost is replayed by the server instead of done twice.
//!
//! # Safety of the API key
//! Redirects are never followed, so the `Authorization` header cannot be sent to another
//! origin. The key lives in an [`ApiKey`], whose `Debug`/`Display` print `sk_…[redacted]`; the
//! header value is marked sensitive; errors, logs and tracing spans never contain it.
//!
//! # After `fork`
//! Pooled connections belong to tasks of the runtime that opened them, and a forked child has
//! none of its threads (see [`crate::runtime`]): a request on such a connection would wait
//! forever, or write into a socket the parent still uses. So the HTTP client is kept with the
//! id of the process that built it, and a child builds its own on its first request. The
//! parent's copy is leaked in the child, never dropped: dropping it would wake tasks of a
//! runtime that does not run there.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::Instrument;

use crate::error::{body_snippet, decode_error, Error, Result};

/// Default bound on a whole call (all attempts and waits).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default bound on one connect.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after the first attempt (3 attempts in all).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default largest response body read, in bytes (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Default retry budget of a client, in retries.
pub const DEFAULT_RETRY_BUDGET: u32 = 10;
/// Default first backoff step.
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Default largest backoff step.
pub const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(8);
/// The longest `Retry-After` the transport waits for by itself.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Budget refilled per successful call, in thousandths of a retry.
const BUDGET_REFILL_MILLI: u64 = 100;
const BUDGET_RETRY_COST_MILLI: u64 = 1000;
/// Longest idempotency key the server accepts.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

// ---------------------------------------------------------------------------------------------
// The API key
// ---------------------------------------------------------------------------------------------

/// An API key. Its `Debug` and `Display` show at most its `sk_` prefix (`sk_…[redacted]`),
/// so it can sit in structs that are logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; it is checked when the client is built.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The `Authorization` header value, marked sensitive so HTTP logging never prints it.
    pub(crate) fn header_value(&self) -> Result<HeaderValue> {
        let key = self.0.trim();
        if key.is_empty() {
            return Err(Error::invalid_argument("the API key is empty"));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_argument(
                "the API key contains characters that cannot be sent in a header (spaces, \
                 control or non-ASCII characters); copy it again from the dashboard",
            ));
        }
        let mut value = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| Error::invalid_argument("the API key cannot be sent in a header"))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.starts_with("sk_") {
            f.write_str("sk_…[redacted]")
        } else {
            f.write_str("…[redacted]")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rate limits and Retry-After
// ---------------------------------------------------------------------------------------------

/// The rate-limit headers of a response (`X-RateLimit-Limit`, `-Remaining`, `-Reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// Calls allowed in the current window.
    pub limit: u64,
    /// Calls left in the current window.
    pub remaining: u64,
    /// When the window resets, in unix seconds.
    pub reset: u64,
}

impl RateLimit {
    /// Reads the three headers; `None` unless all three are present and numeric.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let number =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        Some(RateLimit {
            limit: number("x-ratelimit-limit")?,
            remaining: number("x-ratelimit-remaining")?,
            reset: number("x-ratelimit-reset")?,
        })
    }
}

/// Reads `Retry-After`: delay seconds, or an HTTP date (a date in the past is zero).
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    let at = PARSER.parse_timestamp(value).ok()?;
    let seconds = at.as_second().saturating_sub(jiff::Timestamp::now().as_second());
    Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
}

// ---------------------------------------------------------------------------------------------
// Requests and responses
// ---------------------------------------------------------------------------------------------

/// Options of one call, overriding the client's: set them on a resource with
/// `client.posts().with_options(..)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Bound on the whole call, all attempts and waits included.
    pub timeout: Option<Duration>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// The `Idempotency-Key` of a POST (1–255 visible ASCII characters); one is generated
    /// when absent. Giving one makes a create safe to repeat across process restarts.
    pub idempotency_key: Option<String>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> RequestOptions {
        RequestOptions::default()
    }

    /// Sets [`RequestOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> RequestOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Sets [`RequestOptions::max_retries`].
    pub fn max_retries(mut self, max_retries: u32) -> RequestOptions {
        self.max_retries = Some(max_retries);
        self
    }

    /// Sets [`RequestOptions::idempotency_key`].
    pub fn idempotency_key(mut self, key: impl Into<String>) -> RequestOptions {
        self.idempotency_key = Some(key.into());
        self
    }

    /// These options with `other`'s set fields on top.
    pub fn merged(&self, other: &RequestOptions) -> RequestOptions {
        RequestOptions {
            timeout: other.timeout.or(self.timeout),
            max_retries: other.max_retries.or(self.max_retries),
            idempotency_key: other.idempotency_key.clone().or_else(|| self.idempotency_key.clone()),
        }
    }
}

#[derive(Debug, Clone)]
enum RequestBody {
    Empty,
    Bytes { bytes: Bytes, content_type: HeaderValue },
}

/// One API call to send through [`Transport::send`]: method, path under the base URL, query,
/// body, extra headers and options. The body is kept as [`Bytes`] so every retry resends it
/// without copying.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: RequestBody,
    headers: HeaderMap,
    options: RequestOptions,
    secret_in_response: bool,
}

impl ApiRequest {
    /// A request for `path` (e.g. `/v1/posts`, segments already percent-encoded).
    pub fn new(method: Method, path: impl Into<String>) -> ApiRequest {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: RequestBody::Empty,
            headers: HeaderMap::new(),
            options: RequestOptions::default(),
            secret_in_response: false,
        }
    }

    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::GET, path)
    }

    /// A POST to `path`.
    pub fn post(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::POST, path)
    }

    /// A PATCH of `path`.
    pub fn patch(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::PATCH, path)
    }

    /// A PUT to `path`.
    pub fn put(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::PUT, path)
    }

    /// A DELETE of `path`.
    pub fn delete(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::DELETE, path)
    }

    /// Adds a query parameter (encoded when sent).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> ApiRequest {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body. Fails with `INVALID_ARGUMENT` if `body` cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<ApiRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_argument(format!("the request body cannot be serialized: {e}"))
        })?;
        self.body = RequestBody::Bytes {
            bytes: Bytes::from(bytes),
            content_type: HeaderValue::from_static("application/json"),
        };
        Ok(self)
    }

    /// Sets a raw body with its content type (e.g. an upload part).
    pub fn bytes(mut self, bytes: impl Into<Bytes>, content_type: &str) -> Result<ApiRequest> {
        let content_type = HeaderValue::from_str(content_type).map_err(|_| {
            Error::invalid_argument(format!("invalid content type {content_type:?}"))
        })?;
        self.body = RequestBody::Bytes { bytes: bytes.into(), content_type };
        Ok(self)
    }

    /// Adds a header (e.g. `X-Part-Crc32c`). `Authorization` is set by the transport.
    pub fn header(mut self, name: &str, value: &str) -> Result<ApiRequest> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_argument(format!("invalid header name {name:?}")))?;
        if name == AUTHORIZATION {
            return Err(Error::invalid_argument("the Authorization header is set by the client"));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_argument(format!("invalid value for header {name}")))?;
        self.headers.append(name, value);
        Ok(self)
    }

    /// Marks a request whose successful response carries a secret (a new webhook's signing
    /// secret): if that body cannot be decoded, the error says where, but quotes none of it.
    pub fn secret_in_response(mut self) -> ApiRequest {
        self.secret_in_response = true;
        self
    }

    /// Sets the options of this call (on top of the client's).
    pub fn options(mut self, options: RequestOptions) -> ApiRequest {
        self.options = options;
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path under the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A successful response: the decoded body plus what the headers said.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// The HTTP status (2xx).
    pub status: u16,
    /// `X-Request-Id`.
    pub request_id: Option<String>,
    /// The rate-limit headers.
    pub rate_limit: Option<RateLimit>,
    /// `Retry-After` on a success: the server's hint for the next poll.
    pub retry_after: Option<Duration>,
    /// `Idempotent-Replayed: true`: the server replayed the first response to this key.
    pub replayed: bool,
}

impl<T> Response<T> {
    /// The same response with another body.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            status: self.status,
            request_id: self.request_id,
            rate_limit: self.rate_limit,
            retry_after: self.retry_after,
            replayed: self.replayed,
        }
    }
}

/// Percent-encodes one path segment (an id, a media key with `/`).
pub fn encode_segment(segment: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

// ---------------------------------------------------------------------------------------------
// The transport
// ---------------------------------------------------------------------------------------------

/// How a transport is set up; built by [`crate::ClientBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct TransportConfig {
    pub base_url: String,
    pub api_key: ApiKey,
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_retries: u32,
    pub max_response_bytes: usize,
    pub retry_budget: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
}

/// The HTTP transport of a client. Cheap to clone (one `Arc`); clones share the connection
/// pool, the retry budget and the last rate-limit state.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    http: Mutex<HttpClient>,
    config: TransportConfig,
    budget: RetryBudget,
    last_rate_limit: Mutex<Option<RateLimit>>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("Transport")
            .field("base_url", &c.base_url)
            .field("api_key", &c.api_key)
            .field("user_agent", &c.user_agent)
            .field("connect_timeout", &c.connect_timeout)
            .field("request_timeout", &c.request_timeout)
            .field("max_retries", &c.max_retries)
            .field("max_response_bytes", &c.max_response_bytes)
            .field("retry_budget", &self.inner.budget.remaining())
            .finish()
    }
}

/// The HTTP client and the process it was built in (see "After `fork`" above).
struct HttpClient {
    pid: u32,
    /// Always `Some` but while being dropped.
    client: Option<reqwest::Client>,
}

impl HttpClient {
    fn new(config: &TransportConfig) -> Result<HttpClient> {
        Ok(HttpClient { pid: std::process::id(), client: Some(build_http_client(config)?) })
    }
}

impl Drop for HttpClient {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            // Inherited through fork: its connections' tasks do not run here; leak it.
            std::mem::forget(self.client.take());
        }
    }
}

fn build_http_client(config: &TransportConfig) -> Result<reqwest::Client> {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, config.api_key.header_value()?);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    reqwest::Client::builder()
        .default_headers(headers)
        .user_agent(config.user_agent.clone())
        .connect_timeout(config.connect_timeout)
        // API calls never follow redirects: Authorization must not reach another origin.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| {
            Error::invalid_argument("the HTTP client could not be set up")
                .with_source(e.without_url())
        })
}

impl Transport {
    pub(crate) fn new(config: TransportConfig) -> Result<Transport> {
        Ok(Transport {
            inner: Arc::new(Inner {
                http: Mutex::new(HttpClient::new(&config)?),
                budget: RetryBudget::new(config.retry_budget),
                config,
                last_rate_limit: Mutex::new(None),
            }),
        })
    }

    /// The HTTP client of this process: the one built at construction, or, in a forked
    /// child, one built there (the inherited one is leaked; see "After `fork`").
    fn http(&self) -> Result<reqwest::Client> {
        let mut http = self.inner.http.lock().unwrap_or_else(|e| e.into_inner());
        if http.pid != std::process::id() {
            // The old one is leaked by its Drop.
            *http = HttpClient::new(&self.inner.config)?;
        }
        http.client.clone().ok_or_else(|| Error::protocol("the HTTP client is being dropped"))
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    /// The `User-Agent` sent.
    pub fn user_agent(&self) -> &str {
        &self.inner.config.user_agent
    }

    /// The default bound on a whole call.
    pub fn request_timeout(&self) -> Duration {
        self.inner.config.request_timeout
    }

    /// The settings the transport was built with.
    pub(crate) fn config(&self) -> &TransportConfig {
        &self.inner.config
    }

    /// The rate-limit headers of the latest response that had them, on any call.
    pub fn last_rate_limit(&self) -> Option<RateLimit> {
        *self.inner.last_rate_limit.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Retries left in the shared retry budget.
    pub fn retry_budget(&self) -> f64 {
        self.inner.budget.remaining()
    }

    /// Sends a request (with retries) and returns the raw body of its 2xx response.
    pub async fn send(&self, request: ApiRequest) -> Result<Response<Bytes>> {
        let config = &self.inner.config;
        let options = &request.options;
        let timeout = options.timeout.unwrap_or(config.request_timeout);
        let deadline = deadline_after(timeout);
        let max_retries = options.max_retries.unwrap_or(config.max_retries);
        let url = self.url(&request)?;
        let idempotency_key = self.idempotency_key(&request)?;

        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let span = tracing::info_span!(
                "aether.request",
                method = %request.method,
                path = %request.path,
                attempt,
                request_id = tracing::field::Empty,
                status = tracing::field::Empty,
            );
            let result = self
                .attempt(&request, &url, idempotency_key.as_ref(), deadline, timeout)
                .instrument(span.clone())
                .await;
            let error = match result {
                Ok(response) => {
                    self.inner.budget.refill();
                    return Ok(response);
                }
                Err(error) => error,
            };
            // Decided inside the span, which is not held across the sleep (its guard is not Send).
            let wait = span.in_scope(|| self.retry_wait(&error, attempt, max_retries, deadline));
            let Some(wait) = wait else { return Err(error) };
            tokio::time::sleep(wait).await;
        }
    }

    /// How long to wait before retrying after `error` on attempt `attempt`, or `None` to give up.
    fn retry_wait(
        &self,
        error: &Error,
        attempt: u32,
        max_retries: u32,
        deadline: Instant,
    ) -> Option<Duration> {
        let config = &self.inner.config;
        if !error.is_retryable() || attempt > max_retries {
            tracing::debug!(code = %error.code(), "request failed");
            return None;
        }
        let wait = match error.retry_after() {
            Some(wait) if wait > MAX_RETRY_AFTER => {
                tracing::debug!(?wait, "Retry-After longer than the transport waits for");
                return None;
            }
            Some(wait) => wait,
            None => backoff(attempt, config.backoff_base, config.backoff_cap),
        };
        if Instant::now().checked_add(wait).is_none_or(|at| at >= deadline) {
            tracing::debug!(?wait, "no time left for another attempt");
            return None;
        }
        if !self.inner.budget.withdraw() {
            tracing::warn!(code = %error.code(), "retry budget exhausted; not retrying");
            return None;
        }
        tracing::debug!(code = %error.code(), ?wait, "retrying");
        Some(wait)
    }

    /// Sends a request and decodes its JSON body as `T`.
    pub async fn send_json<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<Response<T>> {
        let method = request.method.clone();
        let path = request.path.clone();
        let secret_in_response = request.secret_in_response;
        let response = self.send(request).await?;
        match serde_json::from_slice::<T>(&response.data) {
            Ok(data) => Ok(response.map(|_| data)),
            Err(e) if secret_in_response => {
                // serde's message can quote a value, and the body holds a secret: say only where.
                let mut error = Error::protocol(format!(
                    "{method} {path}: the response is not the expected JSON (at line {}, \
                     column {}; its content is not shown because it carries a secret)",
                    e.line(),
                    e.column()
                ))
                .with_status(response.status)
                .with_rate_limit(response.rate_limit);
                if let Some(request_id) = response.request_id {
                    error = error.with_request_id(request_id);
                }
                Err(error)
            }
            Err(e) => {
                let mut error = Error::protocol(format!(
                    "{method} {path}: the response is not the expected JSON ({e}); it starts \
                     with: {}",
                    body_snippet(&response.data)
                ))
                .with_status(response.status)
                .with_rate_limit(response.rate_limit)
                .with_source(e);
                if let Some(request_id) = response.request_id {
                    error = error.with_request_id(request_id);
                }
                Err(error)
            }
        }
    }

    /// Sends a request whose response body does not matter (e.g. a 204).
    pub async fn send_empty(&self, request: ApiRequest) -> Result<Response<()>> {
        Ok(self.send(request).await?.map(|_| ()))
    }

    fn url(&self, request: &ApiRequest) -> Result<Url> {
        if !request.path.starts_with('/') {
            return Err(Error::invalid_argument(format!(
                "request path {:?} must start with '/'",
                request.path
            )));
        }
        let mut url = Url::parse(&format!("{}{}", self.inner.config.base_url, request.path))
            .map_err(|e| {
                Error::invalid_argument(format!("invalid request URL for {}: {e}", request.path))
            })?;
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    fn idempotency_key(&self, request: &ApiRequest) -> Result<Option<HeaderValue>> {
        let key = match &request.options.idempotency_key {
            Some(key) => {
                if key.is_empty()
                    || key.len() > MAX_IDEMPOTENCY_KEY_LEN
                    || !key.bytes().all(|b| b.is_ascii_graphic())
                {
                    return Err(Error::invalid_argument(
                        "an idempotency key is 1–255 visible ASCII characters",
                    ));
                }
                key.clone()
            }
            None if request.method == Method::POST => new_idempotency_key(),
            None => return Ok(None),
        };
        HeaderValue::from_str(&key)
            .map(Some)
            .map_err(|_| Error::invalid_argument("the idempotency key cannot be sent in a header"))
    }

    fn remember_rate_limit(&self, rate_limit: RateLimit) {
        *self.inner.last_rate_limit.lock().unwrap_or_else(|e| e.into_inner()) = Some(rate_limit);
    }

    /// One attempt: send, read the (capped) body, decode an error status.
    async fn attempt(
        &self,
        request: &ApiRequest,
        url: &Url,
        idempotency_key: Option<&HeaderValue>,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<Response<Bytes>> {
        let context = format!("{} {}", request.method, request.path);
        let mut builder = self.http()?.request(request.method.clone(), url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(key) = idempotency_key {
            builder = builder.header("idempotency-key", key);
        }
        if let RequestBody::Bytes { bytes, content_type } = &request.body {
            builder = builder.header(CONTENT_TYPE, content_type).body(bytes.clone());
        }
        let max_bytes = self.inner.config.max_response_bytes;
        let exchange = async {
            let response = builder.send().await.map_err(|e| network_error(e, "sending"))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = read_capped(response, max_bytes, status, &headers).await?;
            Ok::<_, Error>((status, headers, body))
        };
        let (status, headers, body) = match tokio::time::timeout_at(deadline.into(), exchange).await
        {
            Ok(result) => result.map_err(|e| e.with_context(&context))?,
            Err(_) => {
                return Err(Error::timeout(format!(
                    "{context}: no complete response within the call's timeout of {timeout:?}"
                )))
            }
        };
        let span = tracing::Span::current();
        span.record("status", status);
        let request_id =
            headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        if let Some(request_id) = &request_id {
            span.record("request_id", tracing::field::display(request_id));
        }
        let rate_limit = RateLimit::from_headers(&headers);
        if let Some(rate_limit) = rate_limit {
            self.remember_rate_limit(rate_limit);
        }
        if !(200..300).contains(&status) {
            return Err(decode_error(status, &headers, &body));
        }
        Ok(Response {
            data: body,
            status,
            request_id,
            rate_limit,
            retry_after: parse_retry_after(&headers),
            replayed: headers
                .get("idempotent-replayed")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true")),
        })
    }
}

/// Reads a body, refusing more than `max_bytes` (`PROTOCOL_ERROR`).
async fn read_capped(
    mut response: reqwest::Response,
    max_bytes: usize,
    status: u16,
    headers: &HeaderMap,
) -> Result<Bytes> {
    let too_large = || {
        let mut error = Error::protocol(format!(
            "the response body is larger than the limit of {max_bytes} bytes"
        ))
        .with_status(status);
        if let Some(id) = headers.get("x-request-id").and_then(|v| v.to_str().ok()) {
            error = error.with_request_id(id);
        }
        error
    };
    if response.content_length().is_some_and(|len| len > max_bytes as u64) {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| network_error(e, "reading the response body"))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Classifies a reqwest failure. The URL is stripped from the source: the message already
/// names the method and path.
fn network_error(error: reqwest::Error, while_doing: &str) -> Error {
    let what = if error.is_connect() && error.is_timeout() {
        "could not connect within the connect timeout".to_owned()
    } else if error.is_connect() {
        "could not connect to the server".to_owned()
    } else if error.is_timeout() {
        format!("timed out while {while_doing}")
    } else {
        format!("the connection failed while {while_doing}")
    };
    let detail = std::error::Error::source(&error).map(|s| format!(" ({s})")).unwrap_or_default();
    Error::network(format!("{what}{detail}")).with_source(error.without_url())
}

/// `now + timeout`, saturating far in the future instead of overflowing.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// Full-jitter exponential backoff before retry `retry` (1-based).
fn backoff(retry: u32, base: Duration, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX));
    let ceiling = exp.min(cap);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(0..=millis))
}

/// 32 random hex characters.
pub fn new_idempotency_key() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// A token bucket of retries shared by every call of a client, in thousandths of a retry.
#[derive(Debug)]
struct RetryBudget {
    capacity: u64,
    tokens: AtomicU64,
}

impl RetryBudget {
    fn new(retries: u32) -> RetryBudget {
        let capacity = u64::from(retries) * BUDGET_RETRY_COST_MILLI;
        RetryBudget { capacity, tokens: AtomicU64::new(capacity) }
    }

    /// Takes one retry's worth, if there is one.
    fn withdraw(&self) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                t.checked_sub(BUDGET_RETRY_COST_MILLI)
            })
            .is_ok()
    }

    fn refill(&self) {
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
            Some((t + BUDGET_REFILL_MILLI).min(self.capacity))
        });
    }

    fn remaining(&self) -> f64 {
        self.tokens.load(Ordering::Acquire) as f64 / BUDGET_RETRY_COST_MILLI as f64
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the resources
// ---------------------------------------------------------------------------------------------

/// `collection/{id}` with the id percent-encoded; an empty id is `INVALID_ARGUMENT` (it would
/// otherwise address the collection itself).
pub(crate) fn item_path(collection: &str, kind: &str, id: &str) -> Result<String> {
    if id.is_empty() {
        return Err(Error::invalid_argument(format!("the {kind} id is empty")));
    }
    Ok(format!("{collection}/{}", encode_segment(id)))
}

/// Every item of a list endpoint, page after page, following `nextCursor`: a stream that asks
/// for the next page only when the current one has been consumed. A `cursor` in `query` is
/// where the first page starts. An error ends the stream after it is yielded.
pub(crate) fn paginate<T>(
    transport: Transport,
    path: &'static str,
    mut query: Vec<(String, String)>,
    options: RequestOptions,
) -> impl futures_util::Stream<Item = Result<T>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
{
    struct State<T> {
        transport: Transport,
        query: Vec<(String, String)>,
        options: RequestOptions,
        items: std::collections::VecDeque<T>,
        cursor: Option<String>,
        done: bool,
    }
    let cursor = query.iter().position(|(name, _)| name == "cursor").map(|i| query.remove(i).1);
    let state = State {
        transport,
        query,
        options,
        items: std::collections::VecDeque::new(),
        cursor,
        done: false,
    };
    futures_util::stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.items.pop_front() {
                return Some((Ok(item), state));
            }
            if state.done {
                return None;
            }
            let mut request = ApiRequest::get(path).options(state.options.clone());
            for (name, value) in &state.query {
                request = request.query(name.clone(), value.clone());
            }
            if let Some(cursor) = &state.cursor {
                request = request.query("cursor", cursor.clone());
            }
            match state.transport.send_json::<crate::model::Page<T>>(request).await {
                Ok(response) => {
                    let page = response.data;
                    match page.next_cursor {
                        Some(next) if state.cursor.as_deref() == Some(next.as_str()) => {
                            state.done = true;
                            let error = Error::protocol(format!(
                                "GET {path}: the server returned the same cursor twice"
                            ));
                            return Some((Err(error), state));
                        }
                        Some(next) => state.cursor = Some(next),
                        None => state.done = true,
                    }
                    state.items.extend(page.data);
                }
                Err(error) => {
                    state.done = true;
                    return Some((Err(error), state));
                }
            }
        }
    })
}
