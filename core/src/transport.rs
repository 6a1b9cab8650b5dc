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
//! recovering from one outage do not retry in lock step). `Retry-After-Ms`
//! (milliseconds) wins over `Retry-After` when both are sent. A wait longer than
//! [`MAX_RETRY_AFTER`] (30 s) is not waited for: the error is returned with
//! [`Error::retry_after`] so the caller can decide. No wait ever runs past the call's deadline.
//!
//! The server can steer this (`X-Should-Retry`), and each retry says it is one
//! (`X-Aether-Retry-Count`): see `transport/steer.rs`, which also sends `traceparent`.
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
//! `connect_timeout` is set per client, and per call [`RequestOptions::connect_timeout`].
//! The connector applies it to a client's connection pool, so a call with another value goes through
//! a client of its own, kept for the next call with that value (at most 4 such, the least
//! recently used dropped; see `transport/clients.rs`); calls without one share the main pool
//! and its kept-alive connections. Per call, `attempt_timeout` bounds the connect as well.
//!
//! `attempt_timeout` (default 30 s; per client, and per call [`RequestOptions::attempt_timeout`])
//! bounds **one attempt**: connecting, sending, and reading the whole answer, body included. An
//! attempt that passes it is abandoned and retried like a network error (it counts as a retry
//! and spends the budget), within the call's `request_timeout`: a response that stalls
//! mid-body no longer holds the call until its end. The last attempt's bound is never later
//! than the call's deadline. Upload parts are not bounded by the default (a large part on a
//! slow link may take longer) but by their **stall timeout** (default 30 s, an upload
//! setting): a part whose body makes no progress, and that gets no answer, for that long is
//! abandoned and sent again (the server replaces a part; each is checksummed). An explicit
//! `attempt_timeout` applies to parts too.
//!
//! # A kept-alive connection the server closed
//! A pooled connection can be handed out just as the server closes it for being idle; the
//! request then fails with hyper's "connection closed before message completed" before any
//! byte of an answer (hyper/#2136). Such an attempt is sent again at once, **once per call,
//! whatever the method** (a POST carries its idempotency key, so even a request the server did
//! act on is replayed, not repeated), and this retry spends neither the call's retries nor
//! the retry budget: it is the pool's mistake, not a sign of trouble at the server. A second
//! such failure in the same call is an ordinary network error.
//!
//! # Idempotency
//! Every POST carries an `Idempotency-Key` (32 random hex characters unless the caller gives one
//! in [`RequestOptions::idempotency_key`]); the same key is sent on every retry of that call, so
//! a create whose response was lost is replayed by the server instead of done twice.
//!
//! # Unknown outcomes and request ids
//! Every call gets a client request id (`creq_…`), sent as `X-Client-Request-Id` on each of its
//! attempts; the server echoes it and records it. Every error of a call carries it
//! ([`Error::client_request_id`]), the server's `requestId` of the latest response when one
//! arrived, and the idempotency key sent ([`Error::idempotency_key`]).
//!
//! A POST, PATCH or DELETE whose last attempt failed on the network or timed out, after any of
//! its attempts may have reached the server, ends with `OUTCOME_UNKNOWN` instead (the cause in
//! `details.cause` and as the error's source): repeat it with the same idempotency key. A write
//! that never got through a connect stays `NETWORK_ERROR` (nothing was done); a GET or PUT stays
//! `NETWORK_ERROR` / `TIMEOUT`. See `transport/outcome.rs`.
//!
//! A DELETE or PATCH carries no idempotency key, so the server cannot replay its answer: when an
//! attempt is carried out and its answer lost, the retry finds the work done and is refused.
//! That refusal is the call's own doing, not the caller's mistake, so it is not the call's
//! result: a delete that then finds nothing (`NOT_FOUND`) has succeeded
//! ([`Transport::send_delete`]: media, webhooks), and a post's cancel or update that then finds
//! the post not editable reads it back and answers it when it shows the change
//! ([`crate::posts::Posts::cancel`], [`crate::posts::Posts::update`]).
//!
//! # Proxies
//! The `proxy` option, else `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`; `NO_PROXY` applies to both.
//! A proxy's failure is `PROXY_ERROR`, never retried; its password is never shown. See
//! `transport/proxy.rs` ("Which proxy").
//!
//! # Safety of the API key
//! Redirects are never followed, so the `Authorization` header cannot be sent to another
//! origin. The key lives in an [`ApiKey`], whose `Debug`/`Display` print `sk_…[redacted]`; the
//! header value is marked sensitive; errors, logs and tracing spans never contain it.
//!
//! # After `fork`
//! Pooled connections belong to tasks of the runtime that opened them, and a forked child has
//! none of its threads (see [`crate::runtime`]): a request on such a connection would wait
//! forever, or write into a socket the parent still uses. So the HTTP clients are kept with the
//! id of the process that built them, and a child builds its own on its first request. The
//! parent's copies are leaked in the child, never dropped: dropping it would wake tasks of a
//! runtime that does not run there.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderValue;
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

mod api_key;
mod clients;
mod connector;
mod decode;
mod endpoint;
mod header_names;
pub mod observe;
mod outcome;
mod paginate;
mod proxy;
mod raw;
mod request;
mod retry;
mod steer;
mod timeouts;
mod tls;
mod wire;

pub use crate::error::RateLimit;
use crate::error::{Error, ErrorCode, Result};
pub use api_key::ApiKey;
use clients::{HttpClient, HttpClients};
pub(crate) use decode::body_snippet;
pub use decode::{decode_error, parse_retry_after};
use endpoint::Endpoint;
use observe::Observer;
pub(crate) use paginate::{item_path, paginate};
pub use proxy::PROXY_ENV;
pub(crate) use proxy::{redacted_str as redacted_proxy, resolve as resolve_proxy, ProxySettings};
pub(crate) use raw::with_response;
pub use raw::{pairs_from_json, RESERVED_HEADERS};
pub use request::{encode_segment, ApiRequest, FormPart, RequestOptions, Response, ResponseSink};
pub(crate) use retry::deadline_after;
pub use retry::new_idempotency_key;
use retry::{backoff, RetryBudget};
pub use steer::check_traceparent;
pub use timeouts::DEFAULT_ATTEMPT_TIMEOUT;
pub(crate) use tls::TlsSettings;
pub(crate) use tls::{apply_roots as trust_roots, resolve as resolve_tls};
pub use tls::{CA_BUNDLE_ENV, CLIENT_CERT_ENV, CLIENT_KEY_ENV};

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

/// Longest idempotency key the server accepts.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

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
    /// Bound on one attempt; `None`: [`DEFAULT_ATTEMPT_TIMEOUT`], but for upload parts.
    pub attempt_timeout: Option<Duration>,
    pub max_retries: u32,
    pub max_response_bytes: usize,
    pub retry_budget: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Extra trusted CAs and the client certificate.
    pub tls: TlsSettings,
    /// The W3C `traceparent` of calls that give none (checked).
    pub traceparent: Option<String>,
    /// The forward proxy, if any (see `transport/proxy.rs`).
    pub proxy: ProxySettings,
}

/// The HTTP transport of a client. Cheap to clone (one `Arc`); clones share the connection
/// pool, the retry budget and the last rate-limit state.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    http: Mutex<HttpClients>,
    config: TransportConfig,
    /// Where requests go: the base URL, parsed once.
    endpoint: Endpoint,
    budget: RetryBudget,
    last_rate_limit: Mutex<Option<RateLimit>>,
    /// Log level, sink and hooks (see `transport/observe.rs`).
    observer: Observer,
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
            .field("attempt_timeout", &c.attempt_timeout)
            .field("max_retries", &c.max_retries)
            .field("max_response_bytes", &c.max_response_bytes)
            .field("proxy", &c.proxy)
            .field("retry_budget", &self.inner.budget.remaining())
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(config: TransportConfig, observer: Observer) -> Result<Transport> {
        Ok(Transport {
            inner: Arc::new(Inner {
                http: Mutex::new(HttpClients::new(&config)?),
                endpoint: Endpoint::new(&config.base_url),
                budget: RetryBudget::new(config.retry_budget),
                config,
                last_rate_limit: Mutex::new(None),
                observer,
            }),
        })
    }

    /// The HTTP client of this process for a call with this connect timeout: built at
    /// construction or, in a forked child, there (see "After `fork`" and `transport/clients.rs`).
    fn http(&self, connect_timeout: Option<Duration>) -> Result<HttpClient> {
        let mut http = self.inner.http.lock().unwrap_or_else(|e| e.into_inner());
        http.get(&self.inner.config, connect_timeout)
    }

    /// The trackers of this transport's connection tasks (in this process) that a caller here
    /// can wait for: those on the shared runtimes, and on this thread's own runtime when it runs
    /// on it. Closed once the transport's last handle is dropped; [`TaskTracker::wait`] then
    /// ends when the last of their connections has.
    pub(crate) fn connections(&self) -> Vec<TaskTracker> {
        self.inner.http.lock().unwrap_or_else(|e| e.into_inner()).connections()
    }

    /// Drops the pooled connections (every handle on this transport opens new ones when next
    /// used) and returns the trackers of their tasks a caller here can wait for (as
    /// [`Transport::connections`]), closed: [`TaskTracker::wait`] ends when the last has.
    pub(crate) fn close_connections(&self) -> Vec<TaskTracker> {
        self.inner.http.lock().unwrap_or_else(|e| e.into_inner()).close()
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

    /// The bound on each attempt of `request`: the call's, else the client's, else the
    /// default, which upload parts (watched for stalls instead) go without.
    fn attempt_timeout(&self, request: &ApiRequest) -> Option<Duration> {
        request
            .options
            .attempt_timeout
            .or(self.inner.config.attempt_timeout)
            .or_else(|| request.stall_timeout.is_none().then_some(DEFAULT_ATTEMPT_TIMEOUT))
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
        let request = raw::with_extras(request)?;
        let config = &self.inner.config;
        let options = &request.options;
        let timeout = options.timeout.unwrap_or(config.request_timeout);
        let deadline = deadline_after(timeout);
        let max_retries = options.max_retries.unwrap_or(config.max_retries);
        let uri = self.inner.endpoint.uri(&request.path, &request.query)?;
        let idempotency_key = self.idempotency_key(&request)?;
        let attempt_timeout = self.attempt_timeout(&request);
        let traceparent = steer::traceparent(options, config.traceparent.as_deref())?;
        // The one free retry after a stale kept-alive connection (see the module docs).
        let mut stale_retried = false;
        let client_request_id = outcome::new_client_request_id();
        // What the call's errors carry (see `outcome`): whether any attempt may have reached
        // the server, and the server's id of the latest response.
        let mut may_have_reached = false;
        let mut last_request_id: Option<String> = None;
        let watch = self.watch(&request, &client_request_id, idempotency_key.as_ref());

        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let span = tracing::info_span!(
                "aether.request",
                method = %request.method,
                path = %request.path,
                attempt,
                client_request_id = %client_request_id,
                request_id = tracing::field::Empty,
                status = tracing::field::Empty,
            );
            let headers = AttemptHeaders {
                idempotency_key: idempotency_key.as_ref(),
                client_request_id: &client_request_id,
                traceparent: traceparent.as_ref(),
                retry_count: steer::retry_count(attempt),
            };
            watch.request(attempt, &request);
            // Boxed: an attempt's future is ~8 KiB, and held inline it made every future
            // around it (`send`, a resource's call, a binding's) that much larger: a
            // `posts.get` held 35 KiB per call in flight, 4.7 KiB now.
            let result =
                Box::pin(self.attempt(&request, &uri, headers, deadline, timeout, attempt_timeout))
                    .instrument(span.clone())
                    .await;
            watch.response(attempt, &result);
            let error = match result {
                Ok(response) => {
                    self.inner.budget.refill();
                    raw::leave(&request.options, &response);
                    return Ok(response);
                }
                Err(error) => error,
            };
            if !stale_retried && timeouts::is_stale_connection(&error) && Instant::now() < deadline
            {
                span.in_scope(
                    || tracing::debug!(%error, "stale kept-alive connection; sent again"),
                );
                stale_retried = true;
                // Not a retry: it spends neither the count nor the budget.
                attempt -= 1;
                continue;
            }
            may_have_reached |= outcome::may_have_reached_server(&error);
            if let Some(request_id) = error.request_id() {
                last_request_id = Some(request_id.to_owned());
            }
            // Decided inside the span, which is not held across the sleep (its guard is not Send).
            let wait = span.in_scope(|| self.retry_wait(&error, attempt, max_retries, deadline));
            let Some(wait) = wait else {
                let key = idempotency_key.as_ref().and_then(|k| k.to_str().ok());
                let lost_answer = may_have_reached && outcome::is_write(&request.method);
                let mut error = if lost_answer
                    && matches!(error.code(), ErrorCode::NetworkError | ErrorCode::Timeout)
                {
                    outcome::outcome_unknown(error, &request.method, &request.path, key, attempt)
                } else if lost_answer && error.status().is_some() {
                    error.after_a_lost_answer()
                } else {
                    error
                };
                if error.request_id().is_none() {
                    if let Some(request_id) = last_request_id {
                        error = error.with_request_id(request_id);
                    }
                }
                watch.failed(attempt, &error);
                return Err(with_call_ids(error, client_request_id, key.map(str::to_owned)));
            };
            watch.retry(attempt, &error, wait);
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
            self.budget_exhausted(error);
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
        // The body's UTF-8 checked once, a word at a time, rather than string by string by the
        // slice parser (~3,000 instructions of a `posts.get`). A body that is not UTF-8 goes to
        // the slice parser, whose error says where.
        let decoded = match std::str::from_utf8(&response.data) {
            Ok(text) => serde_json::from_str::<T>(text),
            Err(_) => serde_json::from_slice::<T>(&response.data),
        };
        match decoded {
            Ok(data) => Ok(response.map(|_| data)),
            Err(e) => {
                let error = decode::undecodable(&method, &path, secret_in_response, e, &response);
                Err(with_call_ids(error, response.client_request_id, response.idempotency_key))
            }
        }
    }

    /// Sends a `DELETE` whose response body does not matter. A retry that finds nothing to
    /// delete (`NOT_FOUND`) after an earlier attempt's answer was lost is the earlier attempt's
    /// doing: the resource is gone, as asked, so the call succeeds (see "Unknown outcomes").
    pub async fn send_delete(&self, request: ApiRequest) -> Result<()> {
        match self.send(request).await {
            Ok(_) => Ok(()),
            Err(error) if *error.code() == ErrorCode::NotFound && error.after_lost_answer() => {
                tracing::info!(%error, "deleted by an attempt whose answer was lost");
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Sends a request whose response body does not matter (e.g. a 204).
    pub async fn send_empty(&self, request: ApiRequest) -> Result<Response<()>> {
        Ok(self.send(request).await?.map(|_| ()))
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
        uri: &hyper::Uri,
        ids: AttemptHeaders<'_>,
        deadline: Instant,
        timeout: Duration,
        attempt_timeout: Option<Duration>,
    ) -> Result<Response<Bytes>> {
        // Written only when an error needs it.
        let context = || format!("{} {}", request.method, request.path);
        let (attempt_deadline, own_bound) = match attempt_timeout {
            Some(bound) => timeouts::attempt_deadline(deadline, bound),
            None => (deadline, false),
        };
        // Upload parts: the body is watched for progress (see the module docs).
        let watch = request.stall_timeout.map(|stall| (stall, timeouts::Progress::new()));
        let client = self.http(request.options.connect_timeout)?;
        let http_request =
            wire::http_request(request, uri, &ids, watch.as_ref().map(|(_, progress)| progress))
                .map_err(|e| e.with_context(context()))?;
        let max_bytes = self.inner.config.max_response_bytes;
        let transport = self.clone();
        let target = uri.clone();
        let exchange = async move {
            let config = &transport.inner.config;
            let tls = &config.tls;
            let sending = client.send(http_request);
            let response = match &watch {
                Some((stall, progress)) => tokio::select! {
                    sent = sending => sent,
                    () = progress.stalled(*stall) => return Err(Error::network(format!(
                        "no progress for {stall:?} while sending the request body and awaiting \
                         its answer; abandoned, to be sent again"
                    ))),
                },
                None => sending.await,
            }
            // The API's TLS failing inside a proxy's tunnel is TLS_ERROR, not the proxy's.
            .map_err(|e| {
                let target = endpoint::url_of(&target);
                let proxy_error = target
                    .and_then(|url| proxy::proxy_error(&config.proxy, &url, &e, e.is_connect()));
                match proxy_error {
                    Some(error) if tls::tls_error(tls, &e).is_none() => error.with_source(e),
                    _ => wire::sending_error(tls, e),
                }
            })?;
            let status = response.status().as_u16();
            let (parts, body) = response.into_parts();
            let headers = parts.headers;
            let body = wire::read_capped(tls, body, max_bytes, status, &headers).await?;
            Ok::<_, Error>((status, headers, body))
        };
        let exchange = crate::runtime::in_own_task(exchange);
        let (status, headers, body) =
            match tokio::time::timeout_at(attempt_deadline.into(), exchange).await {
                Ok(result) => result.map_err(|e| e.with_context(context()))?,
                // Retried like a network error, within the call's deadline.
                Err(_) if own_bound => {
                    return Err(Error::timeout(format!(
                        "{}: no complete response within the attempt timeout of {:?}",
                        context(),
                        attempt_timeout.unwrap_or_default()
                    )))
                }
                Err(_) => {
                    return Err(Error::timeout(format!(
                        "{}: no complete response within the call's timeout of {timeout:?}",
                        context()
                    )))
                }
            };
        let span = tracing::Span::current();
        span.record("status", status);
        let request_id =
            headers.get(header_names::REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
        if let Some(request_id) = &request_id {
            span.record("request_id", tracing::field::display(request_id));
        }
        let rate_limit = RateLimit::from_headers(&headers);
        if let Some(rate_limit) = rate_limit {
            self.remember_rate_limit(rate_limit);
        }
        if status == 407 {
            // Only a proxy answers 407 (an http:// base URL, sent through it without a tunnel).
            let url = endpoint::url_of(uri);
            let refused =
                url.and_then(|url| proxy::proxy_auth_refused(&self.inner.config.proxy, &url));
            if let Some(error) = refused {
                return Err(error.with_status(status));
            }
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
                .get(header_names::IDEMPOTENT_REPLAYED)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true")),
            client_request_id: ids.client_request_id.to_owned(),
            idempotency_key: ids.idempotency_key.and_then(|k| k.to_str().ok()).map(str::to_owned),
            headers,
        })
    }
}

/// `error` with the ids of the call it ended: the client's request id and the idempotency key.
fn with_call_ids(
    error: Error,
    client_request_id: String,
    idempotency_key: Option<String>,
) -> Error {
    let error = error.with_client_request_id(client_request_id);
    match idempotency_key {
        Some(key) => error.with_idempotency_key(key),
        None => error,
    }
}

/// The headers of one attempt: the call's ids and trace context, and its retry number.
#[derive(Clone)]
struct AttemptHeaders<'a> {
    idempotency_key: Option<&'a HeaderValue>,
    client_request_id: &'a str,
    traceparent: Option<&'a HeaderValue>,
    /// `X-Aether-Retry-Count`, on retries only.
    retry_count: Option<HeaderValue>,
}
