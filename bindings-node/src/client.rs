//! `NativeClient`: one `aether::Client`, with the options and helpers its calls share. The
//! calls themselves are in `crate::resources` (one module per resource): each parses its JSON
//! arguments, runs the core's future on napi-rs's runtime and resolves with the result as JSON
//! text; `lib/` gives them their public shape.

use std::time::Duration;

use aether::transport::{DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP};
use aether::{Client, RequestOptions};
use napi::bindgen_prelude::ToNapiValue;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;
use serde::Deserialize;

use crate::cancel::CancelToken;
use crate::error::{invalid, IntoNapi};
use crate::json::parse;

/// A JavaScript callback given one JSON string, called from runtime threads without blocking
/// them. Weak: it never keeps the process alive by itself (the pending promise does). After
/// the operation settles it gets `undefined` once more (see [`flush`]).
pub type JsonCallback = ThreadsafeFunction<Option<String>, (), Option<String>, Status, false, true>;

/// Calls `callback` with `barrier` and waits until JavaScript ran it. Calls are delivered in
/// order, so every event queued before has been handled too: the operation's promise then
/// settles after its last callback, never before it. (The wrapper ignores the barrier value;
/// it never throws, so a failed call here only means the environment is going away.)
pub async fn flush<T>(
    callback: &ThreadsafeFunction<Option<T>, (), Option<T>, Status, false, true>,
    barrier: Option<T>,
) where
    T: 'static + ToNapiValue,
{
    let _ = callback.call_async(barrier).await;
}

/// `new Aether({...})` after the wrapper read the environment.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientOptions {
    api_key: Option<String>,
    base_url: Option<String>,
    timeout_ms: Option<f64>,
    connect_timeout_ms: Option<f64>,
    max_retries: Option<u32>,
    user_agent_suffix: Option<String>,
    retry_backoff_initial_ms: Option<f64>,
    retry_backoff_max_ms: Option<f64>,
}

/// The per-call options every method takes as its last argument.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CallOptions {
    idempotency_key: Option<String>,
    max_retries: Option<u32>,
    timeout_ms: Option<f64>,
}

/// How `posts.wait`, `posts.watch` and `media.waitReady` poll (callbacks and the signal travel
/// separately).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PollOptions {
    pub poll_interval_ms: Option<f64>,
    pub max_poll_interval_ms: Option<f64>,
    /// Absent: the core's default; `null` was turned into `noTimeout` by the wrapper.
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    pub no_timeout: bool,
}

/// A duration given in milliseconds; refuses NaN, negative and absurd values.
pub fn millis(what: &str, ms: f64) -> napi::Result<Duration> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(invalid(format!(
            "{what} must be a finite, non-negative number of milliseconds"
        )));
    }
    Duration::try_from_secs_f64(ms / 1000.0)
        .map_err(|_| invalid(format!("{what} is too large: {ms} ms")))
}

pub fn request_options(json: Option<String>) -> napi::Result<RequestOptions> {
    match json {
        Some(json) => parse_request_options(&json),
        None => Ok(RequestOptions::default()),
    }
}

/// The per-call options (`idempotencyKey`, `maxRetries`, `timeoutMs`) from their JSON.
pub fn parse_request_options(json: &str) -> napi::Result<RequestOptions> {
    let options: CallOptions = parse("request options", json)?;
    Ok(RequestOptions {
        timeout: options.timeout_ms.map(|ms| millis("timeoutMs", ms)).transpose()?,
        max_retries: options.max_retries,
        idempotency_key: options.idempotency_key,
    })
}

pub fn token(cancel: Option<&CancelToken>) -> Option<tokio_util::sync::CancellationToken> {
    cancel.map(CancelToken::token)
}

#[napi]
#[derive(Debug)]
pub struct NativeClient {
    client: Client,
}

#[napi]
impl NativeClient {
    /// Builds the client; `INVALID_ARGUMENT` without an API key or with a bad base URL.
    #[napi(constructor)]
    pub fn new(options: String) -> napi::Result<NativeClient> {
        let options: ClientOptions = parse("client options", &options)?;
        let mut builder = Client::builder();
        if let Some(key) = options.api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = options.base_url {
            builder = builder.base_url(url);
        }
        if let Some(ms) = options.timeout_ms {
            builder = builder.request_timeout(millis("timeoutMs", ms)?);
        }
        if let Some(ms) = options.connect_timeout_ms {
            builder = builder.connect_timeout(millis("connectTimeoutMs", ms)?);
        }
        if let Some(retries) = options.max_retries {
            builder = builder.max_retries(retries);
        }
        if let Some(suffix) = options.user_agent_suffix {
            builder = builder.user_agent_suffix(suffix);
        }
        if options.retry_backoff_initial_ms.is_some() || options.retry_backoff_max_ms.is_some() {
            let initial = match options.retry_backoff_initial_ms {
                Some(ms) => millis("retryBackoff.initialMs", ms)?,
                None => DEFAULT_BACKOFF_BASE,
            };
            let max = match options.retry_backoff_max_ms {
                Some(ms) => millis("retryBackoff.maxMs", ms)?,
                None => DEFAULT_BACKOFF_CAP,
            };
            builder = builder.retry_backoff(initial, max);
        }
        // Building the HTTP client may touch the runtime's context (timers, the resolver).
        let client = napi::bindgen_prelude::within_runtime_if_available(|| builder.build());
        Ok(NativeClient { client: client.into_napi()? })
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    #[napi(getter)]
    pub fn user_agent(&self) -> String {
        self.client.user_agent().to_owned()
    }

    /// The rate-limit headers of the latest response that had them, as JSON (or null).
    #[napi]
    pub fn last_rate_limit(&self) -> Option<String> {
        self.client.last_rate_limit().map(|r| {
            serde_json::json!({ "limit": r.limit, "remaining": r.remaining, "reset": r.reset })
                .to_string()
        })
    }
}

impl NativeClient {
    pub fn client(&self) -> &Client {
        &self.client
    }
}
