//! What a client tells about its calls: log lines and hooks, formatted and fired here once for
//! every language.
//!
//! # Log lines
//! A client logs at the level of its `log_level` option, else of the `AETHER_LOG` environment
//! variable (`error`, `warn`, `info`, `debug` or `trace`), else not at all. Each line is
//! formatted here and handed to the client's [`LogSink`]: the binding's (Python's `logging`
//! logger `aether`, Node's `logger`, C's callback), else standard error. What each level adds:
//!
//! | level | lines |
//! |---|---|
//! | `error` | a call that ends with an error (after its retries) |
//! | `warn` | a hook that failed (the call goes on); the retry budget exhausted |
//! | `info` | a retry: what failed and the wait before the next attempt |
//! | `debug` | one line per attempt: method, path, status or error code, attempt, elapsed, request ids, the next delay |
//! | `trace` | request and response bodies (redacted, see [`redact_body`]; a failed answer as the error it was decoded into), upload part events |
//!
//! Bodies are never logged below `trace`, and at `trace` credential-like fields (the API key,
//! webhook secrets, `Authorization`, cookies, a connect link's `state`, tokens, passwords) are
//! replaced by `[redacted]`. Every line is also scrubbed of the client's API key, whatever it
//! came from. The Rust crate keeps its `tracing` spans and events besides.
//!
//! # Hooks
//! `on_request` before each attempt, `on_response` after each attempt (a status, or an error
//! code when no response came), `on_retry` when a failed attempt is to be retried (with the
//! delay before the next one). Each gets an [`AttemptEvent`]. A hook runs on the runtime
//! thread doing the call, before the call goes on; one that fails (returns `Err`, panics, or
//! raises in a binding) is reported as a `warn` line and never changes the call.
//!
//! The one free resend after a stale kept-alive connection (see the transport's docs) is not a
//! retry: its events repeat the attempt number, after a `response` with `NETWORK_ERROR`.

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;

use super::api_key::ApiKey;
use super::request::{ApiRequest, RequestBody, Response};

/// The environment variable read for the log level when the client is given none.
pub const LOG_ENV: &str = "AETHER_LOG";
/// What replaces a redacted value.
pub const REDACTED: &str = "[redacted]";
/// Longest body logged, in bytes of its redacted form; the rest is cut.
const MAX_LOGGED_BODY: usize = 8 * 1024;

/// How much a client logs: each level includes the ones above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Calls that failed.
    Error = 1,
    /// Hooks that failed, an exhausted retry budget.
    Warn = 2,
    /// Retries.
    Info = 3,
    /// Every attempt.
    Debug = 4,
    /// Bodies (redacted) and upload part events.
    Trace = 5,
}

impl LogLevel {
    /// Every level, most severe first.
    pub const ALL: [LogLevel; 5] =
        [LogLevel::Error, LogLevel::Warn, LogLevel::Info, LogLevel::Debug, LogLevel::Trace];

    /// `"error"` … `"trace"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }

    /// A level by name (any case, `warning` too); `off`/`none`/empty is `Ok(None)`.
    pub fn parse(name: &str) -> std::result::Result<Option<LogLevel>, String> {
        let level = match name.trim().to_ascii_lowercase().as_str() {
            "" | "off" | "none" => return Ok(None),
            "error" => LogLevel::Error,
            "warn" | "warning" => LogLevel::Warn,
            "info" => LogLevel::Info,
            "debug" => LogLevel::Debug,
            "trace" => LogLevel::Trace,
            _ => {
                return Err(format!(
                    "{name:?} is not a log level; use error, warn, info, debug, trace or off"
                ))
            }
        };
        Ok(Some(level))
    }

    /// The level of `AETHER_LOG`, if it names one (an unknown value is ignored: a typo in the
    /// environment must not stop a program).
    pub fn from_env() -> Option<LogLevel> {
        std::env::var(LOG_ENV).ok().and_then(|v| LogLevel::parse(&v).ok().flatten())
    }
}

/// Which hook an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HookKind {
    /// Before an attempt.
    Request,
    /// After an attempt.
    Response,
    /// A failed attempt is retried.
    Retry,
}

impl HookKind {
    fn name(self) -> &'static str {
        match self {
            HookKind::Request => "on_request",
            HookKind::Response => "on_response",
            HookKind::Retry => "on_retry",
        }
    }
}

/// One attempt of a call, as the hooks see it. Its JSON form (every binding's) has the
/// camelCase names: `method`, `path`, `attempt`, `status`, `errorCode`, `requestId`,
/// `clientRequestId`, `idempotencyKey`, `elapsedMs`, `nextDelayMs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptEvent {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path under the base URL, without the query.
    pub path: String,
    /// 1 for the first attempt; on a retry event, the attempt that failed.
    pub attempt: u32,
    /// The HTTP status of the answer, when one came (`None` before it and after a network
    /// failure).
    pub status: Option<u16>,
    /// The error code of a failed attempt (`SERVICE_UNAVAILABLE`, `NETWORK_ERROR`, …).
    pub error_code: Option<String>,
    /// The server's `X-Request-Id` of the answer, when one came.
    pub request_id: Option<String>,
    /// The call's `X-Client-Request-Id` (the same on every attempt).
    pub client_request_id: String,
    /// The `Idempotency-Key` sent (every POST has one).
    pub idempotency_key: Option<String>,
    /// Milliseconds since the call began.
    pub elapsed_ms: f64,
    /// On a retry event: the wait before the next attempt, in milliseconds.
    pub next_delay_ms: Option<f64>,
}

/// A hook: `Err` (or a panic) is reported as a `warn` line and the call goes on.
pub type HookFn = Arc<dyn Fn(&AttemptEvent) -> std::result::Result<(), String> + Send + Sync>;
/// Where log lines go: each line with its level, already formatted and redacted.
pub type LogSink = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// The hooks of a client; see the module docs.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Before each attempt.
    pub on_request: Option<HookFn>,
    /// After each attempt (a status, or an error code).
    pub on_response: Option<HookFn>,
    /// When a failed attempt is retried (with `next_delay_ms`).
    pub on_retry: Option<HookFn>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("on_request", &self.on_request.is_some())
            .field("on_response", &self.on_response.is_some())
            .field("on_retry", &self.on_retry.is_some())
            .finish()
    }
}

impl Hooks {
    fn get(&self, kind: HookKind) -> Option<&HookFn> {
        match kind {
            HookKind::Request => self.on_request.as_ref(),
            HookKind::Response => self.on_response.as_ref(),
            HookKind::Retry => self.on_retry.as_ref(),
        }
    }

    fn is_empty(&self) -> bool {
        self.on_request.is_none() && self.on_response.is_none() && self.on_retry.is_none()
    }
}

/// Writes lines to standard error as `aether LEVEL: line` (the default sink, and the CLI's).
pub fn stderr_sink() -> LogSink {
    Arc::new(|level, line| eprintln!("aether {}: {line}", level.as_str()))
}

/// A client's level, sink and hooks (built with the client; shared by its clones).
pub(crate) struct Observer {
    level: Option<LogLevel>,
    sink: LogSink,
    hooks: Hooks,
    /// Scrubbed from every line, wherever it came from.
    api_key: String,
}

impl Observer {
    pub(crate) fn new(
        level: Option<LogLevel>,
        sink: Option<LogSink>,
        hooks: Hooks,
        api_key: &ApiKey,
    ) -> Observer {
        Observer {
            level,
            sink: sink.unwrap_or_else(stderr_sink),
            hooks,
            api_key: api_key.secret().trim().to_owned(),
        }
    }

    /// The level lines are written at, if any.
    pub(crate) fn level(&self) -> Option<LogLevel> {
        self.level
    }

    /// Whether lines at `level` are written.
    pub(crate) fn enabled(&self, level: LogLevel) -> bool {
        self.level.is_some_and(|at| level <= at)
    }

    /// Writes the line `line` makes, if `level` is on; a panicking sink is ignored.
    pub(crate) fn log(&self, level: LogLevel, line: impl FnOnce() -> String) {
        if !self.enabled(level) {
            return;
        }
        let mut line = line();
        if self.api_key.len() >= 4 && line.contains(&self.api_key) {
            line = line.replace(&self.api_key, REDACTED);
        }
        let sink = &self.sink;
        let _ = catch_unwind(AssertUnwindSafe(|| sink(level, &line)));
    }

    /// Runs the hook for `kind`, if any; a failure becomes a `warn` line.
    fn fire(&self, kind: HookKind, event: &AttemptEvent) {
        let Some(hook) = self.hooks.get(kind) else { return };
        let failure = match catch_unwind(AssertUnwindSafe(|| hook(event))) {
            Ok(Ok(())) => return,
            Ok(Err(message)) => message,
            Err(panic) => panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "it panicked".to_owned()),
        };
        tracing::warn!(hook = kind.name(), %failure, "a hook failed; the call goes on");
        self.log(LogLevel::Warn, || hook_failure_line(kind.name(), event, &failure));
    }
}

/// The `warn` line for a hook that failed (`hook` is the binding's name for it). Bindings whose
/// hooks run outside the core, after the fact (Node's, on the event loop), log the same line.
pub fn hook_failure_line(hook: &str, event: &AttemptEvent, failure: &str) -> String {
    format!(
        "the {hook} hook failed for {} {} (attempt {}): {failure}; the call goes on",
        event.method, event.path, event.attempt
    )
}

impl super::Transport {
    /// Writes a log line at `level` (made only if that level is on).
    pub(crate) fn log(&self, level: LogLevel, line: impl FnOnce() -> String) {
        self.inner.observer.log(level, line);
    }

    /// The level this client logs at, if any.
    pub fn log_level(&self) -> Option<LogLevel> {
        self.inner.observer.level()
    }

    /// The retry budget is spent: a `tracing` event and a `warn` line.
    pub(super) fn budget_exhausted(&self, error: &Error) {
        tracing::warn!(code = %error.code(), "retry budget exhausted; not retrying");
        self.log(LogLevel::Warn, || {
            format!("the retry budget is exhausted; not retrying after {}", error.code())
        });
    }

    /// Follows one call (see [`CallWatch`]).
    pub(super) fn watch<'a>(
        &'a self,
        request: &ApiRequest,
        client_request_id: &'a str,
        idempotency_key: Option<&HeaderValue>,
    ) -> CallWatch<'a> {
        CallWatch::new(&self.inner.observer, request, client_request_id, idempotency_key)
    }
}

/// One call as the observer follows it, from its first attempt to its end.
pub(crate) struct CallWatch<'a> {
    observer: &'a Observer,
    method: String,
    path: String,
    client_request_id: &'a str,
    idempotency_key: Option<String>,
    started: Instant,
    quiet: bool,
}

impl<'a> CallWatch<'a> {
    pub(crate) fn new(
        observer: &'a Observer,
        request: &ApiRequest,
        client_request_id: &'a str,
        idempotency_key: Option<&HeaderValue>,
    ) -> CallWatch<'a> {
        CallWatch {
            observer,
            method: request.method.to_string(),
            path: request.path.clone(),
            client_request_id,
            idempotency_key: idempotency_key.and_then(|k| k.to_str().ok()).map(str::to_owned),
            started: Instant::now(),
            quiet: observer.level.is_none() && observer.hooks.is_empty(),
        }
    }

    fn event(&self, attempt: u32) -> AttemptEvent {
        AttemptEvent {
            method: self.method.clone(),
            path: self.path.clone(),
            attempt,
            status: None,
            error_code: None,
            request_id: None,
            client_request_id: self.client_request_id.to_owned(),
            idempotency_key: self.idempotency_key.clone(),
            elapsed_ms: millis(self.started.elapsed()),
            next_delay_ms: None,
        }
    }

    fn failed_event(&self, attempt: u32, error: &Error) -> AttemptEvent {
        AttemptEvent {
            status: error.status(),
            error_code: Some(error.code().to_string()),
            request_id: error.request_id().map(str::to_owned),
            ..self.event(attempt)
        }
    }

    /// Before attempt `attempt`: the `on_request` hook, and the request body at `trace`.
    pub(crate) fn request(&self, attempt: u32, request: &ApiRequest) {
        if self.quiet {
            return;
        }
        self.observer.fire(HookKind::Request, &self.event(attempt));
        self.observer.log(LogLevel::Trace, || {
            format!(
                "{} {} attempt {attempt} request body: {}",
                self.method,
                self.path,
                request_body(&request.body)
            )
        });
    }

    /// After attempt `attempt`: the `on_response` hook, the attempt's `debug` line, and at
    /// `trace` the answer's body (redacted), or the error it was decoded into.
    pub(crate) fn response(&self, attempt: u32, result: &crate::error::Result<Response<Bytes>>) {
        if self.quiet {
            return;
        }
        self.observer.log(LogLevel::Trace, || {
            let body = match result {
                Ok(response) => redact_body(&response.data),
                Err(error) => {
                    let mut value = error.to_json();
                    redact_value(&mut value);
                    format!("(the error) {value}")
                }
            };
            format!("{} {} attempt {attempt} response body: {body}", self.method, self.path)
        });
        let event = match result {
            Ok(response) => AttemptEvent {
                status: Some(response.status),
                request_id: response.request_id.clone(),
                ..self.event(attempt)
            },
            Err(error) => self.failed_event(attempt, error),
        };
        self.observer.fire(HookKind::Response, &event);
        self.observer.log(LogLevel::Debug, || describe(&event));
    }

    /// Attempt `attempt` failed with `error` and is retried after `wait`: `on_retry`, and the
    /// `info` line.
    pub(crate) fn retry(&self, attempt: u32, error: &Error, wait: Duration) {
        if self.quiet {
            return;
        }
        let event =
            AttemptEvent { next_delay_ms: Some(millis(wait)), ..self.failed_event(attempt, error) };
        self.observer.fire(HookKind::Retry, &event);
        self.observer.log(LogLevel::Info, || {
            format!(
                "{} {} attempt {attempt} failed ({}); retrying in {} ms",
                self.method,
                self.path,
                what_failed(&event),
                event.next_delay_ms.unwrap_or_default().round()
            )
        });
    }

    /// The call ends with `error` after `attempts` attempts: the `error` line.
    pub(crate) fn failed(&self, attempts: u32, error: &Error) {
        self.observer.log(LogLevel::Error, || {
            let event = self.failed_event(attempts, error);
            let plural = if attempts == 1 { "" } else { "s" };
            format!(
                "{} {} failed after {attempts} attempt{plural} ({}): {}{}",
                self.method,
                self.path,
                what_failed(&event),
                error.message(),
                ids(&event)
            )
        });
    }
}

/// `503 SERVICE_UNAVAILABLE`, `NETWORK_ERROR`, or `200`.
fn what_failed(event: &AttemptEvent) -> String {
    match (event.status, &event.error_code) {
        (Some(status), Some(code)) => format!("{status} {code}"),
        (None, Some(code)) => code.clone(),
        (Some(status), None) => status.to_string(),
        (None, None) => "no answer".to_owned(),
    }
}

/// `; request_id=… client_request_id=… idempotency_key=…`.
fn ids(event: &AttemptEvent) -> String {
    let mut out = String::new();
    if let Some(id) = &event.request_id {
        let _ = write!(out, "; request_id={id}");
    }
    let _ = write!(out, "; client_request_id={}", event.client_request_id);
    if let Some(key) = &event.idempotency_key {
        let _ = write!(out, "; idempotency_key={key}");
    }
    out
}

/// The `debug` line of an attempt.
fn describe(event: &AttemptEvent) -> String {
    format!(
        "{} {} -> {} (attempt {}, {} ms{})",
        event.method,
        event.path,
        what_failed(event),
        event.attempt,
        event.elapsed_ms.round(),
        ids(event)
    )
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn request_body(body: &RequestBody) -> String {
    match body {
        RequestBody::Empty => "(none)".to_owned(),
        RequestBody::Bytes { bytes, .. } => redact_body(bytes),
        RequestBody::Multipart(parts) => {
            format!("(multipart form, {} parts; not shown)", parts.len())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------------------------

/// Whether a field or header named `name` holds a credential (compared without case, `_` or `-`).
pub fn is_sensitive_name(name: &str) -> bool {
    let name: String =
        name.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect();
    matches!(
        name.as_str(),
        "state"
            | "authorization"
            | "proxyauthorization"
            | "cookie"
            | "setcookie"
            | "apikey"
            | "xapikey"
            | "signature"
            | "aethersignature"
            | "privatekey"
    ) || ["secret", "token", "password", "credential"].iter().any(|word| name.contains(word))
}

/// A body as logged at `trace`: JSON with every credential-like field (and such query
/// parameters of URLs in it) replaced by `[redacted]`, cut at 8 KiB; anything else is named,
/// not shown.
pub fn redact_body(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return format!("({} bytes, not JSON; not shown)", body.len());
    };
    redact_value(&mut value);
    let mut text = value.to_string();
    if text.len() > MAX_LOGGED_BODY {
        let mut cut = MAX_LOGGED_BODY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(&format!("… ({} bytes in all)", body.len()));
    }
    text
}

/// Replaces every credential-like field of `value`, at any depth, by `[redacted]`.
pub fn redact_value(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                if is_sensitive_name(name) && !field.is_null() {
                    *field = Value::String(REDACTED.to_owned());
                } else {
                    redact_value(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::String(text) => {
            if let Some(redacted) = redact_url(text) {
                *text = redacted;
            }
        }
        _ => {}
    }
}

/// `text` with its credential-like query parameters redacted, if it is a URL that has any.
fn redact_url(text: &str) -> Option<String> {
    if !text.contains('?') {
        return None;
    }
    let mut url = reqwest::Url::parse(text).ok()?;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if !pairs.iter().any(|(name, _)| is_sensitive_name(name)) {
        return None;
    }
    let mut query = url.query_pairs_mut();
    query.clear();
    for (name, value) in &pairs {
        query.append_pair(name, if is_sensitive_name(name) { REDACTED } else { value });
    }
    drop(query);
    Some(url.to_string())
}

/// Headers as they may be logged (`name: value, …`), credentials and cookies redacted. (The
/// lines above log no header: the ids they show are the call's own.)
pub fn redact_headers(headers: &HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        if !out.is_empty() {
            out.push_str(", ");
        }
        let shown = if is_sensitive_name(name.as_str()) || value.is_sensitive() {
            REDACTED
        } else {
            value.to_str().unwrap_or("(not text)")
        };
        let _ = write!(out, "{name}: {shown}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_credentials_at_any_depth() {
        let body = json!({
            "id": "wh_1",
            "secret": "whsec_canary",
            "nested": [{"apiKey": "sk_canary", "name": "kept", "state": "st_canary"}],
            "Authorization": "Bearer sk_canary",
            "accessToken": "tok", "client_secret": "cs", "password": "pw",
            "url": "https://example.com/cb?profileId=p1&state=st_canary&linkId=l1",
            "note": null, "state": null,
        });
        let text = redact_body(body.to_string().as_bytes());
        for canary in ["whsec_canary", "sk_canary", "st_canary", "tok\"", "\"cs\"", "\"pw\""] {
            assert!(!text.contains(canary), "{canary} in {text}");
        }
        assert!(text.contains("\"name\":\"kept\""), "{text}");
        assert!(text.contains("profileId=p1"), "{text}");
        assert!(text.contains("linkId=l1"), "{text}");
        assert!(text.contains("\"state\":null"), "a null is no secret: {text}");
    }

    #[test]
    fn does_not_show_what_is_not_json() {
        assert_eq!(redact_body(b""), "(empty)");
        assert_eq!(redact_body(b"token=abc"), "(9 bytes, not JSON; not shown)");
    }

    #[test]
    fn cuts_long_bodies() {
        let body = json!({ "text": "é".repeat(10_000) }).to_string();
        let text = redact_body(body.as_bytes());
        assert!(text.len() < MAX_LOGGED_BODY + 64);
        assert!(text.ends_with(&format!("({} bytes in all)", body.len())));
    }

    #[test]
    fn redacts_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", HeaderValue::from_static("session=cookie_canary"));
        headers.insert("authorization", HeaderValue::from_static("Bearer sk_canary"));
        headers.insert("x-request-id", HeaderValue::from_static("req_1"));
        let text = redact_headers(&headers);
        assert!(!text.contains("canary"), "{text}");
        assert!(text.contains("x-request-id: req_1"), "{text}");
    }

    #[test]
    fn parses_levels() {
        assert_eq!(LogLevel::parse("WARNING"), Ok(Some(LogLevel::Warn)));
        assert_eq!(LogLevel::parse("off"), Ok(None));
        assert!(LogLevel::parse("loud").unwrap_err().contains("error, warn, info, debug, trace"));
        assert!(LogLevel::Error < LogLevel::Trace);
    }

    #[test]
    fn scrubs_the_key_and_reports_failing_hooks() {
        let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = lines.clone();
        let sink: LogSink = Arc::new(move |level, line: &str| {
            seen.lock().unwrap().push((level, line.to_owned()));
        });
        let hooks = Hooks {
            on_request: Some(Arc::new(|_| Err("boom".to_owned()))),
            on_response: Some(Arc::new(|_| panic!("kaboom"))),
            on_retry: None,
        };
        let observer =
            Observer::new(Some(LogLevel::Warn), Some(sink), hooks, &ApiKey::new("sk_canary1"));
        observer.log(LogLevel::Error, || "the key sk_canary1 leaked".to_owned());
        observer.log(LogLevel::Info, || "not written".to_owned());
        let event = AttemptEvent {
            method: "GET".into(),
            path: "/v1/posts".into(),
            attempt: 1,
            status: None,
            error_code: None,
            request_id: None,
            client_request_id: "creq_1".into(),
            idempotency_key: None,
            elapsed_ms: 0.0,
            next_delay_ms: None,
        };
        observer.fire(HookKind::Request, &event);
        observer.fire(HookKind::Response, &event);
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0], (LogLevel::Error, "the key [redacted] leaked".to_owned()));
        assert!(lines[1].1.contains("on_request hook failed") && lines[1].1.contains("boom"));
        assert!(lines[2].1.contains("on_response hook failed") && lines[2].1.contains("kaboom"));
        assert_eq!(lines[2].0, LogLevel::Warn);
    }
}
