//! `NativeClient`: one `aether::Client` and a method per resource call. Each method parses its
//! JSON arguments, runs the core's future on napi-rs's runtime and resolves with the result as
//! JSON text; `lib/*.js` gives them their public shape.

use std::sync::Arc;
use std::time::Duration;

use aether::model::{
    CreateConnectLinkRequest, CreatePostRequest, CreateWebhookRequest, ListPostsQuery,
    UpdatePostRequest,
};
use aether::posts::WaitOptions;
use aether::transport::{DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP};
use aether::{Client, RequestOptions};
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use napi_derive::napi;
use serde::Deserialize;

use crate::cancel::{cancellable, CancelToken};
use crate::cursor::Cursor;
use crate::error::{invalid, IntoNapi};
use crate::json::{parse, text};

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

/// `posts.wait` / `posts.watch` options (callbacks and the signal travel separately).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PostWaitOptions {
    poll_interval_ms: Option<f64>,
    max_poll_interval_ms: Option<f64>,
    /// Absent: the core's default (15 min); `null` was turned into `noTimeout` by the wrapper.
    timeout_ms: Option<f64>,
    #[serde(default)]
    no_timeout: bool,
}

/// `media.waitReady` options.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MediaWaitOptions {
    poll_interval_ms: Option<f64>,
    max_poll_interval_ms: Option<f64>,
    timeout_ms: Option<f64>,
    #[serde(default)]
    no_timeout: bool,
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

fn request_options(json: Option<String>) -> napi::Result<RequestOptions> {
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

fn token(cancel: Option<&CancelToken>) -> Option<tokio_util::sync::CancellationToken> {
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

    // --- connect links -------------------------------------------------------------------

    #[napi]
    pub fn connect_links_create<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: CreateConnectLinkRequest = parse("connect link", &body)?;
        let links = self.client.connect_links().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let link = cancellable(cancel, "the request", links.create(&body)).await.into_napi()?;
            text(&link)
        })
    }

    #[napi]
    pub fn connect_links_get<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let links = self.client.connect_links().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let link = cancellable(cancel, "the request", links.get(&id)).await.into_napi()?;
            text(&link)
        })
    }

    // --- profiles ------------------------------------------------------------------------

    #[napi]
    pub fn profiles_get<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let profiles = self.client.profiles().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let profile =
                cancellable(cancel, "the request", profiles.get(&id)).await.into_napi()?;
            text(&profile)
        })
    }

    #[napi]
    pub fn profiles_disconnect<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let profiles = self.client.profiles().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let profile =
                cancellable(cancel, "the request", profiles.disconnect(&id)).await.into_napi()?;
            text(&profile)
        })
    }

    /// Every profile, page by page as the cursor is read.
    #[napi]
    pub fn profiles_list(&self, options: Option<String>) -> napi::Result<Cursor> {
        let profiles = self.client.profiles().with_options(request_options(options)?);
        Ok(Cursor::new(profiles.list()))
    }

    // --- posts ---------------------------------------------------------------------------

    #[napi]
    pub fn posts_create<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: CreatePostRequest = parse("post", &body)?;
        let posts = self.client.posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post = cancellable(cancel, "the request", posts.create(&body)).await.into_napi()?;
            text(&post)
        })
    }

    #[napi]
    pub fn posts_get<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let posts = self.client.posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post = cancellable(cancel, "the request", posts.get(&id)).await.into_napi()?;
            text(&post)
        })
    }

    #[napi]
    pub fn posts_update<'env>(
        &self,
        env: &'env Env,
        id: String,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: UpdatePostRequest = parse("post update", &body)?;
        let posts = self.client.posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post =
                cancellable(cancel, "the request", posts.update(&id, &body)).await.into_napi()?;
            text(&post)
        })
    }

    #[napi]
    pub fn posts_cancel<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let posts = self.client.posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post = cancellable(cancel, "the request", posts.cancel(&id)).await.into_napi()?;
            text(&post)
        })
    }

    /// Every post matching the query (`status`, `profileId`, `limit` = page size, `cursor`).
    #[napi]
    pub fn posts_list(&self, query: String, options: Option<String>) -> napi::Result<Cursor> {
        let query: ListPostsQuery = parse("post list query", &query)?;
        let posts = self.client.posts().with_options(request_options(options)?);
        Ok(Cursor::new(posts.list(query)))
    }

    /// Polls until a terminal status; `on_status` gets every distinct status as JSON.
    #[napi]
    pub fn posts_wait<'env>(
        &self,
        env: &'env Env,
        id: String,
        wait: String,
        on_status: Option<JsonCallback>,
        cancel: Option<&CancelToken>,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let mut wait = post_wait_options(&wait)?;
        if let Some(token) = token(cancel) {
            wait = wait.cancel_token(token);
        }
        let on_status = on_status.map(Arc::new);
        if let Some(callback) = on_status.clone() {
            wait = wait.on_status(move |post| {
                if let Ok(json) = serde_json::to_string(post) {
                    callback.call(Some(json), ThreadsafeFunctionCallMode::NonBlocking);
                }
            });
        }
        let posts = self.client.posts().with_options(request_options(options)?);
        env.spawn_future(async move {
            let post = posts.wait(&id, wait).await;
            if let Some(callback) = on_status {
                flush(&callback, None).await;
            }
            text(&post.into_napi()?)
        })
    }

    /// The post each time its status changes, ending after a terminal one.
    #[napi]
    pub fn posts_watch(
        &self,
        id: String,
        wait: String,
        cancel: Option<&CancelToken>,
        options: Option<String>,
    ) -> napi::Result<Cursor> {
        let mut wait = post_wait_options(&wait)?;
        if let Some(token) = token(cancel) {
            wait = wait.cancel_token(token);
        }
        let posts = self.client.posts().with_options(request_options(options)?);
        Ok(Cursor::new(posts.watch(&id, wait)))
    }

    // --- media (upload lives in upload.rs) -----------------------------------------------

    #[napi]
    pub fn media_get<'env>(
        &self,
        env: &'env Env,
        media_key: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let media = self.client.media().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let found =
                cancellable(cancel, "the request", media.get(&media_key)).await.into_napi()?;
            text(&found)
        })
    }

    #[napi]
    pub fn media_delete<'env>(
        &self,
        env: &'env Env,
        media_key: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let media = self.client.media().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            cancellable(cancel, "the request", media.delete(&media_key)).await.into_napi()
        })
    }

    /// Polls the media until it is `ready`; a media that failed verification is its error.
    #[napi]
    pub fn media_wait_ready<'env>(
        &self,
        env: &'env Env,
        media_key: String,
        wait: String,
        cancel: Option<&CancelToken>,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let parsed: MediaWaitOptions = parse("wait options", &wait)?;
        let mut wait = aether::media::MediaWaitOptions::default();
        if let Some(ms) = parsed.poll_interval_ms {
            wait.poll_interval = millis("pollIntervalMs", ms)?;
        }
        if let Some(ms) = parsed.max_poll_interval_ms {
            wait.max_poll_interval = millis("maxPollIntervalMs", ms)?;
        }
        if let Some(ms) = parsed.timeout_ms {
            wait.timeout = Some(millis("timeoutMs", ms)?);
        }
        if parsed.no_timeout {
            wait.timeout = None;
        }
        wait.cancel = token(cancel);
        let media = self.client.media().with_options(request_options(options)?);
        env.spawn_future(async move {
            let ready = media.wait_ready(&media_key, wait).await.into_napi()?;
            text(&ready)
        })
    }

    #[napi]
    pub fn media_upload_state<'env>(
        &self,
        env: &'env Env,
        upload_id: String,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let media = self.client.media().with_options(request_options(options)?);
        env.spawn_future(async move { text(&media.upload_state(&upload_id).await.into_napi()?) })
    }

    #[napi]
    pub fn media_abort<'env>(
        &self,
        env: &'env Env,
        upload_id: String,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let media = self.client.media().with_options(request_options(options)?);
        env.spawn_future(async move { media.abort(&upload_id).await.into_napi() })
    }

    // --- webhooks ------------------------------------------------------------------------

    #[napi]
    pub fn webhooks_create<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: CreateWebhookRequest = parse("webhook", &body)?;
        let webhooks = self.client.webhooks().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let webhook =
                cancellable(cancel, "the request", webhooks.create(&body)).await.into_napi()?;
            text(&webhook)
        })
    }

    #[napi]
    pub fn webhooks_list(&self, options: Option<String>) -> napi::Result<Cursor> {
        let webhooks = self.client.webhooks().with_options(request_options(options)?);
        Ok(Cursor::new(webhooks.list()))
    }

    #[napi]
    pub fn webhooks_delete<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let webhooks = self.client.webhooks().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            cancellable(cancel, "the request", webhooks.delete(&id)).await.into_napi()
        })
    }
}

impl NativeClient {
    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn post_wait_options(json: &str) -> napi::Result<WaitOptions> {
    let parsed: PostWaitOptions = parse("wait options", json)?;
    let mut wait = WaitOptions::default();
    if let Some(ms) = parsed.poll_interval_ms {
        wait.poll_interval = millis("pollIntervalMs", ms)?;
    }
    if let Some(ms) = parsed.max_poll_interval_ms {
        wait.max_poll_interval = millis("maxPollIntervalMs", ms)?;
    }
    if let Some(ms) = parsed.timeout_ms {
        wait.timeout = Some(millis("timeoutMs", ms)?);
    }
    if parsed.no_timeout {
        wait.timeout = None;
    }
    Ok(wait)
}
