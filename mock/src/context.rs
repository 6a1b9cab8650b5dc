//! The middleware every request passes through: request ids, the journal, fault injection,
//! authentication, rate limiting, and rendering every error in the one body of PROTOCOL.md.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aether::ErrorCode;
use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use tokio::sync::Notify;

use crate::api_error::ApiError;
use crate::clock::rfc3339;
use crate::faults::FaultAction;
use crate::ids::new_id;
use crate::journal::JournalEntry;
use crate::stalls::{read_prefix, stall_body, stall_response, IdleClose};
use crate::state::{Part, SharedState};

/// Lets a request kill its own connection (with a TCP reset) to simulate network failures, or
/// close it (a FIN, nothing answered), and remembers a `close_idle` fault armed on it.
#[derive(Debug, Clone, Default)]
pub struct ConnControl {
    /// The connection's number, for the journal: 1 for the first the server accepted.
    number: u64,
    kill: Arc<Notify>,
    close: Arc<Notify>,
    idle: Arc<Mutex<IdleClose>>,
}

impl ConnControl {
    /// The control of the `number`-th connection the server accepted.
    pub fn new(number: u64) -> ConnControl {
        ConnControl { number, ..ConnControl::default() }
    }

    pub fn reset(&self) {
        self.kill.notify_one();
    }

    pub async fn killed(&self) {
        self.kill.notified().await;
    }

    /// Closes the connection without answering (no reset).
    pub fn close(&self) {
        self.close.notify_one();
    }

    pub async fn closed(&self) {
        self.close.notified().await;
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, IdleClose> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The id of the request being handled; also sent back as `X-Request-Id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The API key a request authenticated with.
#[derive(Debug, Clone)]
pub struct ApiKey(pub String);

/// A `delay` fault on a POST with an `Idempotency-Key`, left for the idempotency layer to serve
/// after it claimed the key (so a concurrent retry sees `IDEMPOTENCY_KEY_IN_USE`); served here
/// before answering when no layer took it.
#[derive(Debug, Clone)]
pub struct PendingDelay(Arc<Mutex<Option<Duration>>>);

impl PendingDelay {
    fn new(delay: Duration) -> PendingDelay {
        PendingDelay(Arc::new(Mutex::new(Some(delay))))
    }

    /// The delay, once: whoever takes it sleeps it.
    pub fn take(&self) -> Option<Duration> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Set by a handler on its response: the id of the resource it created, for the journal.
#[derive(Debug, Clone)]
pub struct Created(pub String);

/// Fixed-window request counters per API key, on the virtual clock.
#[derive(Debug, Default)]
pub struct RateWindows {
    windows: HashMap<String, (i64, u32)>,
}

impl Part for RateWindows {}

/// The middleware: the layers below, in the order a request meets them. Faults come first and
/// last because they stand for the network around the server; the journal records what the
/// client saw.
pub async fn request_context(
    State(state): State<SharedState>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = new_id("req");
    let path = request.uri().path().to_owned();
    let journaled = !path.starts_with("/_mock/");
    let conn = request.extensions().get::<ConnControl>().cloned();
    if let Some(conn) = conn.as_ref().filter(|c| journaled && c.idle().is_due()) {
        return drop_on_closed_connection(&state, conn, request, &request_id).await;
    }
    request.extensions_mut().insert(RequestId(request_id.clone()));
    // For route layers that need the state without being built with it (idempotency).
    request.extensions_mut().insert(state.clone());

    let call = header_str(request.headers(), CLIENT_REQUEST_ID)
        .unwrap_or_else(|| format!("{} {path}", request.method()));
    let retry = header_str(request.headers(), "x-aether-retry-count")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let picked = journaled
        .then(|| {
            let (mut faults, mut chaos) = (state.faults(), state.chaos());
            let what = (request.method().as_str(), path.as_str());
            crate::chaos::take_request(&mut faults, chaos.as_mut(), what, &call, retry)
        })
        .flatten();
    let (fault, chaos) = picked.map_or((None, false), |(fault, chaos)| (Some(fault), chaos));
    let mut entry =
        JournalEntry { chaos, ..journal_entry(&state, &request, &request_id, fault.as_ref()) };
    let mut journaled = journaled;
    if let Some(FaultAction::StallRequestBody { after_bytes, ms }) = fault {
        // Journaled now: a client that gives up takes the connection, and this future, along.
        record(&state, entry.clone(), journaled);
        journaled = false;
        let (parts, body) = request.into_parts();
        request = Request::from_parts(parts, stall_body(body, after_bytes, ms).await);
    }
    let mut response = match fault_before_handler(fault.as_ref(), request).await {
        Before::Reset => return reset_connection(&state, conn, entry, journaled).await,
        Before::Answer(response) => response,
        Before::Handle { request, pending_delay } => {
            let response = dispatch(&state, request, next).await;
            if let Some(delay) = pending_delay.as_ref().and_then(PendingDelay::take) {
                tokio::time::sleep(delay).await;
            }
            response
        }
    };
    finish(&state, &mut response, &request_id, journaled, &mut entry);
    fault_after_handler(&state, conn, fault, entry, journaled, response).await
}

/// The journal's entry for a request, completed by [`finish`] once it is answered.
fn journal_entry(
    state: &SharedState,
    request: &Request,
    request_id: &str,
    fault: Option<&FaultAction>,
) -> JournalEntry {
    JournalEntry {
        seq: 0,
        at: rfc3339(state.clock.now()),
        request_id: request_id.to_owned(),
        method: request.method().as_str().to_owned(),
        path: request.uri().path().to_owned(),
        connection: request.extensions().get::<ConnControl>().map(|conn| conn.number),
        idempotency_key: header_str(request.headers(), "idempotency-key"),
        status: None,
        replayed: false,
        fault: fault.map(fault_name),
        created: None,
        client_request_id: header_str(request.headers(), CLIENT_REQUEST_ID),
        post_id: None,
        query: request.uri().query().map(str::to_owned),
        headers: custom_headers(request.headers()),
        traceparent: header_str(request.headers(), "traceparent"),
        retry_count: header_str(request.headers(), "x-aether-retry-count")
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0),
        chaos: false,
    }
}

/// The request's `x-` headers, for the journal (values that are not text are left out).
fn custom_headers(headers: &HeaderMap) -> std::collections::BTreeMap<String, String> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-"))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}

/// What a fault does before the handler runs.
enum Before {
    /// Run the handler; a delay left for the idempotency layer is served after it if unused.
    Handle { request: Request, pending_delay: Option<PendingDelay> },
    /// Answer this instead of running the handler.
    Answer(Response),
    /// Reset the connection without answering.
    Reset,
}

async fn fault_before_handler(fault: Option<&FaultAction>, mut request: Request) -> Before {
    let mut pending_delay = None;
    match fault {
        Some(FaultAction::Status { status, code, retry_after, retry_after_ms, should_retry }) => {
            // Read the body first, as a real server answering an error would: closing a
            // connection with unread bytes resets it, and the client could lose the answer.
            drain(std::mem::take(request.body_mut()).into_data_stream()).await;
            let mut answer = injected_status(*status, code.as_deref(), *retry_after);
            steer(&mut answer, *retry_after_ms, *should_retry);
            return Before::Answer(answer);
        }
        Some(FaultAction::ResetBeforeBody) => return Before::Reset,
        Some(FaultAction::Delay { ms }) => {
            let delay = Duration::from_millis(*ms);
            let idempotent_post = request.method() == axum::http::Method::POST
                && header_str(request.headers(), "idempotency-key").is_some();
            if idempotent_post {
                let pending = PendingDelay::new(delay);
                request.extensions_mut().insert(pending.clone());
                pending_delay = Some(pending);
            } else {
                tokio::time::sleep(delay).await;
            }
        }
        Some(FaultAction::FlipRequestByte { at }) => {
            let (parts, body) = request.into_parts();
            request = Request::from_parts(parts, crate::stalls::flip_byte(body, *at));
        }
        Some(FaultAction::DropAfterRequestBytes { bytes }) => {
            let (parts, body) = request.into_parts();
            match read_up_to(body, *bytes).await {
                Some(body) => request = Request::from_parts(parts, body),
                None => return Before::Reset,
            }
        }
        _ => {}
    }
    Before::Handle { request, pending_delay }
}

/// The public API (authenticated, rate limited), the admin API (admin token), or the rest (the
/// hosted connect page).
async fn dispatch(state: &SharedState, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let (api, admin) = (path.starts_with("/v1/") || path == "/v1", path.starts_with("/_mock/"));
    if api {
        let (request, unread) = lingering(request);
        let response = api_request(state, request, next).await;
        // A handler that answered without reading the whole body (an error found in the
        // headers or the first bytes) leaves the rest here, read before answering.
        let rest = unread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(rest) = rest {
            drain(rest).await;
        }
        response
    } else if admin {
        admin_request(state, request, next).await
    } else {
        next.run(request).await
    }
}

/// The client's id of a call, echoed on the answer and kept in the journal.
const CLIENT_REQUEST_ID: &str = "x-client-request-id";

/// What every answer carries (the error body, rate-limit headers, `X-Request-Id`, the echoed
/// `X-Client-Request-Id`), and what the journal records of it.
fn finish(
    state: &SharedState,
    response: &mut Response,
    request_id: &str,
    journaled: bool,
    entry: &mut JournalEntry,
) {
    render_error(response, request_id);
    if journaled && !response.headers().contains_key("x-ratelimit-limit") {
        uncharged_rate_limit_headers(state, response);
    }
    response.headers_mut().insert(
        "x-request-id",
        HeaderValue::from_str(request_id).unwrap_or(HeaderValue::from_static("req_unknown")),
    );
    if let Some(id) = entry.client_request_id.as_deref().and_then(|v| HeaderValue::from_str(v).ok())
    {
        response.headers_mut().insert(CLIENT_REQUEST_ID, id);
    }
    entry.status = Some(response.status().as_u16());
    entry.replayed = response.headers().contains_key("idempotent-replayed");
    entry.created = response.extensions().get::<Created>().map(|c| c.0.clone());
}

/// What a fault does to the answer on its way out; records the journal entry.
async fn fault_after_handler(
    state: &SharedState,
    conn: Option<ConnControl>,
    fault: Option<FaultAction>,
    mut entry: JournalEntry,
    journaled: bool,
    response: Response,
) -> Response {
    match fault {
        Some(FaultAction::ResetAfterBody) => {
            entry.status = None;
            reset_connection(state, conn, entry, journaled).await
        }
        Some(FaultAction::CloseMidResponse) => {
            record(state, entry, journaled);
            cut_body(response, |_| 0).await
        }
        Some(FaultAction::TruncatedBody) => {
            record(state, entry, journaled);
            cut_body(response, |len| len / 2).await
        }
        Some(FaultAction::MalformedBody) => {
            record(state, entry, journaled);
            let (mut parts, _) = response.into_parts();
            parts.status = StatusCode::OK;
            parts.headers.remove(header::CONTENT_LENGTH);
            parts
                .headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Response::from_parts(parts, Body::from("{\"id\": \"post_<html>oops"))
        }
        Some(FaultAction::StallMidResponse { after_bytes, ms }) => {
            record(state, entry, journaled);
            stall_response(response, after_bytes, ms).await
        }
        Some(FaultAction::CloseIdle { ms }) => {
            record(state, entry, journaled);
            if let Some(conn) = &conn {
                conn.idle().arm(ms);
            }
            response
        }
        Some(FaultAction::IncompleteJson) => {
            record(state, entry, journaled);
            let (mut parts, body) = response.into_parts();
            let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let head = bytes.slice(..bytes.len().saturating_sub(1));
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(head.len()));
            Response::from_parts(parts, Body::from(head))
        }
        Some(FaultAction::InvalidUtf8) => {
            record(state, entry, journaled);
            let (mut parts, body) = response.into_parts();
            let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let damaged = not_utf8(&bytes);
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(damaged.len()));
            Response::from_parts(parts, Body::from(damaged))
        }
        _ => {
            record(state, entry, journaled);
            response
        }
    }
}

/// `body` with the first character of its first non-empty string value (`:"x`) replaced by
/// 0xFF, a byte UTF-8 never uses; a body without one becomes such a value on its own.
fn not_utf8(body: &[u8]) -> Vec<u8> {
    let start = body.windows(3).position(|w| w[0] == b':' && w[1] == b'"' && w[2] != b'"');
    match start {
        Some(at) => {
            let mut damaged = body.to_vec();
            damaged[at + 2] = 0xFF;
            damaged
        }
        None => b"{\"message\":\"\xFF\"}".to_vec(),
    }
}

fn record(state: &SharedState, entry: JournalEntry, journaled: bool) {
    if journaled {
        state.journal().record(entry);
    }
}

fn fault_name(action: &FaultAction) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn injected_status(status: u16, code: Option<&str>, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let code = code.map(ErrorCode::parse).unwrap_or_else(|| code_for_status(status));
    let mut error = ApiError::new(code, format!("injected fault: status {}", status.as_u16()))
        .with_status(status);
    if let Some(seconds) = retry_after {
        error = error.retry_after(seconds);
    }
    error.into_response()
}

/// The headers by which a fault steers the client's retries.
fn steer(response: &mut Response, retry_after_ms: Option<u64>, should_retry: Option<bool>) {
    let headers = response.headers_mut();
    if let Some(ms) = retry_after_ms {
        headers.insert("retry-after-ms", HeaderValue::from(ms));
    }
    if let Some(should) = should_retry {
        let value = if should { "true" } else { "false" };
        headers.insert("x-should-retry", HeaderValue::from_static(value));
    }
}

async fn reset_connection(
    state: &SharedState,
    conn: Option<ConnControl>,
    entry: JournalEntry,
    journaled: bool,
) -> Response {
    record(state, entry, journaled);
    match conn {
        Some(conn) => {
            conn.reset();
            // The connection task drops this future when it tears the connection down.
            std::future::pending::<Response>().await
        }
        None => {
            ApiError::new(ErrorCode::InternalError, "connection reset requested").into_response()
        }
    }
}

/// A request that arrived on a connection a `close_idle` fault closed: read (so that closing
/// sends a FIN, not a reset) and dropped unanswered, never handled; journaled with status null.
async fn drop_on_closed_connection(
    state: &SharedState,
    conn: &ConnControl,
    request: Request,
    request_id: &str,
) -> Response {
    let entry = JournalEntry {
        fault: Some("close_idle".to_owned()),
        ..journal_entry(state, &request, request_id, None)
    };
    drain(request.into_body().into_data_stream()).await;
    record(state, entry, true);
    conn.close();
    // The connection task drops this future when it closes the connection.
    std::future::pending::<Response>().await
}

/// At most this much of a body left unread is read and discarded before answering; past it the
/// connection is closed instead, as servers do.
const LINGER_LIMIT: u64 = 64 * 1024 * 1024;

type UnreadBody = Arc<Mutex<Option<BodyDataStream>>>;

/// Wraps the request body so that the part a handler drops unread comes back to the caller.
fn lingering(request: Request) -> (Request, UnreadBody) {
    let (parts, body) = request.into_parts();
    let unread = UnreadBody::default();
    let stream = Lingering { inner: Some(body.into_data_stream()), unread: unread.clone() };
    (Request::from_parts(parts, Body::from_stream(stream)), unread)
}

struct Lingering {
    inner: Option<BodyDataStream>,
    unread: UnreadBody,
}

impl futures_util::Stream for Lingering {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else { return std::task::Poll::Ready(None) };
        let polled = inner.poll_next_unpin(cx);
        if matches!(polled, std::task::Poll::Ready(None | Some(Err(_)))) {
            self.inner = None;
        }
        polled
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            *self.unread.lock().unwrap_or_else(|e| e.into_inner()) = Some(inner);
        }
    }
}

async fn drain(mut body: BodyDataStream) {
    let mut seen = 0u64;
    while seen < LINGER_LIMIT {
        match body.next().await {
            Some(Ok(chunk)) => seen = seen.saturating_add(chunk.len() as u64),
            _ => return,
        }
    }
}

/// Reads the request body until `limit` bytes have arrived. `None` when they did (the caller
/// then resets the connection without running the handler, so nothing is half-processed);
/// otherwise the whole, shorter body, to be handled normally.
async fn read_up_to(body: Body, limit: u64) -> Option<Body> {
    let prefix = read_prefix(body, limit).await;
    if prefix.seen >= limit {
        return None;
    }
    Some(prefix.into_body())
}

/// Sends the headers (with the full Content-Length) and only `keep(len)` bytes of the body,
/// then fails the body so the connection closes mid-response.
async fn cut_body(response: Response, keep: impl Fn(usize) -> usize) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let head = bytes.slice(..keep(bytes.len()).min(bytes.len()));
    let stream = futures_util::stream::iter([
        Ok(head),
        Err(std::io::Error::other("connection closed mid-response by fault")),
    ]);
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Authentication and rate limiting for the public API.
async fn api_request(state: &SharedState, mut request: Request, next: Next) -> Response {
    let key = match authenticate(state, request.headers()) {
        Ok(key) => key,
        Err(refused) => return refused,
    };
    let charge = charge_rate_limit(state, &key);
    let mut response = if charge.used > charge.limit {
        charge.refusal()
    } else {
        request.extensions_mut().insert(ApiKey(key));
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(charge.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(charge.limit.saturating_sub(charge.used)),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(charge.reset_at));
    response
}

/// The API key of a request, or the 401 that refuses it.
fn authenticate(state: &SharedState, headers: &HeaderMap) -> Result<String, Response> {
    match bearer(headers).filter(|k| state.api_keys.iter().any(|a| a == k)) {
        Some(key) => Ok(key),
        None => {
            let message = if headers.contains_key(header::AUTHORIZATION) {
                "the API key is not valid; send Authorization: Bearer <your api key>"
            } else {
                "missing API key; send Authorization: Bearer <your api key>"
            };
            Err(ApiError::new(ErrorCode::Unauthorized, message).into_response())
        }
    }
}

/// One request counted against its key's current window.
struct RateCharge {
    /// Requests of this key in the window, this one included.
    used: u32,
    limit: u32,
    window_len: i64,
    /// End of the window, in unix seconds on the virtual clock.
    reset_at: i64,
    now: i64,
}

impl RateCharge {
    fn refusal(&self) -> Response {
        let (limit, window_len) = (self.limit, self.window_len);
        let retry_after = (self.reset_at - self.now).max(1) as u64;
        ApiError::new(
            ErrorCode::RateLimited,
            format!("more than {limit} requests in {window_len} s; retry after {retry_after} s"),
        )
        .retry_after(retry_after)
        .into_response()
    }
}

fn charge_rate_limit(state: &SharedState, key: &str) -> RateCharge {
    let settings = state.settings();
    let now = state.clock.now().as_second();
    let (window_len, reset_at) = rate_window(&settings, now);
    let window_start = reset_at - window_len;
    let used = {
        let mut store = state.store();
        let windows = &mut store.part::<RateWindows>().windows;
        let slot = windows.entry(key.to_owned()).or_insert((window_start, 0));
        if slot.0 != window_start {
            *slot = (window_start, 0);
        }
        slot.1 = slot.1.saturating_add(1);
        slot.1
    };
    RateCharge { used, limit: settings.rate_limit, window_len, reset_at, now }
}

/// `(window length, end of the current window)` in unix seconds on the virtual clock.
fn rate_window(settings: &crate::config::Settings, now: i64) -> (i64, i64) {
    let window_len = settings.rate_limit_window_secs.max(1) as i64;
    (window_len, now - now.rem_euclid(window_len) + window_len)
}

/// Rate-limit headers for a response that no key was charged for (refused before
/// authentication, or the hosted connect page), so that every response carries them.
fn uncharged_rate_limit_headers(state: &SharedState, response: &mut Response) {
    let settings = state.settings();
    let (_, reset_at) = rate_window(&settings, state.clock.now().as_second());
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(settings.rate_limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(settings.rate_limit));
    headers.insert("x-ratelimit-reset", HeaderValue::from(reset_at));
}

async fn admin_request(state: &SharedState, request: Request, next: Next) -> Response {
    if bearer(request.headers()).as_deref() != Some(state.admin_token.as_str()) {
        return ApiError::new(
            ErrorCode::Unauthorized,
            "the admin API needs Authorization: Bearer <adminToken> (printed at start-up)",
        )
        .into_response();
    }
    next.run(request).await
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// Gives every error response the API's JSON body with the request id, including the ones
/// axum produces itself (unknown route, wrong method, unreadable body).
fn render_error(response: &mut Response, request_id: &str) {
    let error = match response.extensions_mut().remove::<ApiError>() {
        Some(error) => error,
        None => {
            let status = response.status();
            let is_json = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
            if !status.is_client_error() && !status.is_server_error() || is_json {
                return;
            }
            let message = match status {
                StatusCode::NOT_FOUND => "no such endpoint".to_owned(),
                StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this endpoint".to_owned(),
                other => format!("request refused ({other})"),
            };
            ApiError::new(code_for_status(status), message).with_status(status)
        }
    };
    let body = serde_json::to_vec(&error.body(request_id)).unwrap_or_default();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    *response.body_mut() = Body::from(body);
}

fn code_for_status(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::IdempotencyKeyInUse,
        410 => ErrorCode::UploadExpired,
        413 => ErrorCode::FileTooLarge,
        429 => ErrorCode::RateLimited,
        502 => ErrorCode::PlatformError,
        503 => ErrorCode::ServiceUnavailable,
        s if s >= 500 => ErrorCode::InternalError,
        _ => ErrorCode::InvalidRequest,
    }
}
