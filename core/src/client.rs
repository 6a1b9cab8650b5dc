//! The client: one object configured once (API key, base URL, timeouts, retries), with the
//! API's resources as accessors.
//!
//! ```no_run
//! # async fn demo() -> aether::Result<()> {
//! use aether::model::{CreateConnectLinkRequest, Platform};
//!
//! let client = aether::Client::builder().api_key("sk_live_…").build()?;
//! let link = client
//!     .connect_links()
//!     .create(&CreateConnectLinkRequest {
//!         platform: Platform::Tiktok,
//!         redirect_url: "https://yourapp.com/oauth/tiktok/callback".into(),
//!         state: None,
//!     })
//!     .await?;
//! println!("send the user to {}", link.url);
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::Url;

use crate::connect_links::ConnectLinks;
use crate::error::{Error, Result};
use crate::media::MediaResource;
pub use crate::platforms::Platforms;
use crate::posts::Posts;
use crate::profiles::{CapabilitiesCache, Profiles};
use crate::settings::{as_millis, names, ClientOptions, Spelling};
use crate::transport::observe::{AttemptEvent, Hooks, LogLevel, LogSink, Observer};
use crate::transport::{
    RateLimit, RequestOptions, Response, Transport, TransportConfig, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_RETRY_BUDGET,
};
use crate::webhooks::Webhooks;

pub use crate::settings::{API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL};
/// This SDK's version, as sent in the `User-Agent`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A client of the Aether API.
///
/// Cheap to clone (an `Arc` inside): clones share the connection pool and the retry budget.
/// `Send + Sync`, so one client can serve a whole program; two clients with two keys never mix
/// them. The async methods run on whichever tokio runtime awaits them.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
    /// The accounts' capabilities the preflight read lately, shared by the clones.
    capabilities: CapabilitiesCache,
    /// When a wait on a post this client created or retried should poll first.
    first_polls: crate::poll::FirstPolls<crate::model::Post>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("transport", &self.transport).finish()
    }
}

/// How long [`Client::close`] and [`Client::close_connections`] wait for the connections to
/// close (each normally closes at once: it only sends its TLS close notification, if any).
pub const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Waits until the connections of closed trackers have ended, at most [`CLOSE_WAIT`].
async fn ended(connections: Vec<tokio_util::task::TaskTracker>) {
    let all = futures_util::future::join_all(connections.iter().map(|c| c.wait()));
    let _ = tokio::time::timeout(CLOSE_WAIT, all).await;
}

impl Client {
    /// A builder; [`ClientBuilder::build`] reads the environment for what is not set.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with this key and every other setting from the environment or its default.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder().api_key(api_key).build()
    }

    /// A client configured entirely from `AETHER_API_KEY` and `AETHER_BASE_URL`.
    pub fn from_env() -> Result<Client> {
        Client::builder().build()
    }

    /// Connect links: the hosted OAuth flow that connects a social account.
    pub fn connect_links(&self) -> ConnectLinks {
        ConnectLinks::new(self.transport.clone())
    }

    /// Profiles: the connected social accounts.
    pub fn profiles(&self) -> Profiles {
        Profiles::new(self.transport.clone(), self.capabilities.clone())
    }

    /// Posts: create, read, list, edit, cancel, and wait for publishing.
    pub fn posts(&self) -> Posts {
        Posts::new(self.transport.clone(), self.capabilities.clone(), self.first_polls.clone())
    }

    /// Media: upload (chunked, parallel, resumable), read, delete, wait for verification.
    pub fn media(&self) -> MediaResource {
        MediaResource::new(self.transport.clone(), self.capabilities.clone())
    }

    /// Webhook endpoints.
    pub fn webhooks(&self) -> Webhooks {
        Webhooks::new(self.transport.clone())
    }

    /// The per-platform rules as the server publishes them.
    pub fn platforms(&self) -> Platforms {
        Platforms::new(self.transport.clone())
    }

    /// `method path` with an optional JSON `body` and `query`, through the same transport as
    /// every resource (auth, retries, idempotency keys, timeouts, logs): for endpoints this SDK
    /// does not wrap. Returns the response's JSON (`null` when empty, a string when it is not
    /// JSON). See [`crate::request`] for what is checked.
    ///
    /// ```no_run
    /// # async fn demo(client: aether::Client) -> aether::Result<()> {
    /// let table = client.request("GET", "/v1/platforms", None, &[]).await?;
    /// # let _ = table; Ok(()) }
    /// ```
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        query: &[(String, String)],
    ) -> Result<serde_json::Value> {
        let options = RequestOptions::default();
        Ok(crate::request::send(&self.transport, method, path, body, query, &options).await?.data)
    }

    /// [`Client::request`] with per-call options (timeouts, retries, idempotency key, extra
    /// headers and query parameters), returning the status and headers with the JSON.
    pub async fn request_with_response(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        query: &[(String, String)],
        options: &RequestOptions,
    ) -> Result<Response<serde_json::Value>> {
        crate::request::send(&self.transport, method, path, body, query, options).await
    }

    /// Drops this handle and, when it was the last one on its connections (clones, the
    /// resources it handed out and running watches share them), waits until those connections
    /// are closed, at most [`CLOSE_WAIT`]. Dropping a client closes them too, but in the
    /// background: this is for a program that wants nothing of the client left running when it
    /// goes on, e.g. before it exits, or a test counting open sockets. (Connections that
    /// another blocking thread keeps on its own runtime, [`crate::runtime::block_on_here`],
    /// close when that thread next makes a call or ends: they are not waited for.)
    pub async fn close(self) {
        let connections = self.transport.connections();
        drop(self);
        if connections.iter().all(|tracker| tracker.is_closed()) {
            ended(connections).await;
        }
    }

    /// Closes the client's kept-alive connections, which it shares with its clones and the
    /// resources it handed out, and waits until they are closed, at most
    /// [`CLOSE_WAIT`] (a connection busy with another call's answer closes when that call ends).
    /// The client stays usable: its next call opens a new connection. Python's and Node's
    /// `close()`, and C's `aether_client_close_connections`. As with [`Client::close`], those
    /// of another blocking thread's own runtime are closed, not waited for.
    pub async fn close_connections(&self) {
        ended(self.transport.close_connections()).await;
    }

    /// The HTTP transport, for calls the resources do not cover.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// The `User-Agent` sent, e.g. `aether-sdk-rust/0.1.0 (python/3.11)`.
    pub fn user_agent(&self) -> &str {
        self.transport.user_agent()
    }

    /// The rate-limit headers of the latest response that had them.
    pub fn last_rate_limit(&self) -> Option<RateLimit> {
        self.transport.last_rate_limit()
    }

    /// The settings this client ended up with, every field set (but the key, never read
    /// back): what was given, else the environment, else the core's defaults. The bindings
    /// expose it so a user (and a test) can see which defaults apply.
    pub fn effective_options(&self) -> ClientOptions {
        let config = self.transport.config();
        let suffix = config
            .user_agent
            .strip_prefix(&format!("aether-sdk-rust/{VERSION} ("))
            .and_then(|rest| rest.strip_suffix(')'))
            .map(str::to_owned);
        ClientOptions {
            api_key: None,
            base_url: Some(config.base_url.clone()),
            timeout_ms: Some(as_millis(config.request_timeout)),
            connect_timeout_ms: Some(as_millis(config.connect_timeout)),
            attempt_timeout_ms: Some(as_millis(
                config.attempt_timeout.unwrap_or(crate::transport::DEFAULT_ATTEMPT_TIMEOUT),
            )),
            max_retries: Some(i64::from(config.max_retries)),
            retry_backoff_base_ms: Some(as_millis(config.backoff_base)),
            retry_backoff_cap_ms: Some(as_millis(config.backoff_cap)),
            user_agent_suffix: suffix,
            ca_bundle: config.tls.ca_bundle.clone(),
            client_cert: config.tls.client_cert.clone(),
            client_key: config.tls.client_key.clone(),
            traceparent: config.traceparent.clone(),
            log_level: self.transport.log_level().map(|level| level.as_str().to_owned()),
            proxy: config.proxy.shown(),
            spelling: Spelling::Rust,
        }
    }
}

/// Configures a [`Client`]: a [`ClientOptions`] filled by setters (or given whole with
/// [`ClientBuilder::from_options`]), plus two settings no binding passes. Unset values come
/// from the environment, then from defaults: API key from `AETHER_API_KEY` (required), base
/// URL from `AETHER_BASE_URL`, else [`DEFAULT_BASE_URL`].
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    options: ClientOptions,
    max_response_bytes: Option<usize>,
    retry_budget: Option<u32>,
    observing: Observing,
}

/// Where log lines go and the hooks (see `transport/observe.rs`).
#[derive(Clone, Default)]
struct Observing {
    sink: Option<LogSink>,
    hooks: Hooks,
}

impl fmt::Debug for Observing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observing")
            .field("sink", &self.sink.is_some())
            .field("hooks", &self.hooks)
            .finish()
    }
}

/// A hook that cannot fail, as the transport keeps hooks.
fn infallible(
    hook: impl Fn(&AttemptEvent) + Send + Sync + 'static,
) -> crate::transport::observe::HookFn {
    std::sync::Arc::new(move |event: &AttemptEvent| {
        hook(event);
        Ok(())
    })
}

impl ClientBuilder {
    /// A builder starting from `options` (what a binding hands over as plain data); checked by
    /// [`ClientBuilder::build`], whose messages name the options as `options.spelling` spells
    /// them.
    pub fn from_options(options: ClientOptions) -> ClientBuilder {
        ClientBuilder { options, ..ClientBuilder::default() }
    }

    /// The API key (else `AETHER_API_KEY`).
    pub fn api_key(mut self, api_key: impl Into<String>) -> ClientBuilder {
        self.options.api_key = Some(api_key.into());
        self
    }

    /// The base URL, e.g. an emulator's `http://127.0.0.1:41234` (else `AETHER_BASE_URL`,
    /// else [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, base_url: impl Into<String>) -> ClientBuilder {
        self.options.base_url = Some(base_url.into());
        self
    }

    /// Bound on each TCP/TLS connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.options.connect_timeout_ms = Some(as_millis(timeout));
        self
    }

    /// Bound on each whole call, retries and waits included (default 60 s).
    pub fn request_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.options.timeout_ms = Some(as_millis(timeout));
        self
    }

    /// Bound on each attempt of a call (default 30 s): one that passes it is retried within
    /// the call's timeout. See the transport's "Deadlines".
    pub fn attempt_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.options.attempt_timeout_ms = Some(as_millis(timeout));
        self
    }

    /// Retries after the first attempt (default 2: three attempts in all; 0 disables).
    pub fn max_retries(mut self, max_retries: u32) -> ClientBuilder {
        self.options.max_retries = Some(i64::from(max_retries));
        self
    }

    /// Appended to the `User-Agent` in parentheses, e.g. `python/3.11` for a binding.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> ClientBuilder {
        self.options.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Largest response body read before failing with `PROTOCOL_ERROR` (default 16 MiB).
    pub fn max_response_bytes(mut self, max: usize) -> ClientBuilder {
        self.max_response_bytes = Some(max);
        self
    }

    /// Size of the retry budget shared by all calls of the client, in retries (default 10;
    /// every success puts back a tenth of one).
    pub fn retry_budget(mut self, retries: u32) -> ClientBuilder {
        self.retry_budget = Some(retries);
        self
    }

    /// First step and ceiling of the exponential backoff between retries (default 0.5 s, 8 s).
    pub fn retry_backoff(self, base: Duration, cap: Duration) -> ClientBuilder {
        self.retry_backoff_base(base).retry_backoff_cap(cap)
    }

    /// First step of the exponential backoff between retries (default 0.5 s).
    pub fn retry_backoff_base(mut self, base: Duration) -> ClientBuilder {
        self.options.retry_backoff_base_ms = Some(as_millis(base));
        self
    }

    /// Ceiling of the exponential backoff between retries (default 8 s; a ceiling below the
    /// first step is the first step).
    pub fn retry_backoff_cap(mut self, cap: Duration) -> ClientBuilder {
        self.options.retry_backoff_cap_ms = Some(as_millis(cap));
        self
    }

    /// A PEM file of CA certificates to trust besides the operating system's (else
    /// `AETHER_CA_BUNDLE`): a corporate TLS-inspecting proxy's CA, or an emulator's `caFile`.
    pub fn ca_bundle(mut self, path: impl Into<String>) -> ClientBuilder {
        self.options.ca_bundle = Some(path.into());
        self
    }

    /// A PEM client certificate for mutual TLS (else `AETHER_CLIENT_CERT`); needs
    /// [`ClientBuilder::client_key`].
    pub fn client_cert(mut self, path: impl Into<String>) -> ClientBuilder {
        self.options.client_cert = Some(path.into());
        self
    }

    /// The PEM private key of the client certificate (else `AETHER_CLIENT_KEY`).
    pub fn client_key(mut self, path: impl Into<String>) -> ClientBuilder {
        self.options.client_key = Some(path.into());
        self
    }

    /// A W3C `traceparent` sent with every call that gives none of its own
    /// ([`crate::RequestOptions::traceparent`]).
    pub fn traceparent(mut self, traceparent: impl Into<String>) -> ClientBuilder {
        self.options.traceparent = Some(traceparent.into());
        self
    }

    /// How much the client logs (else `AETHER_LOG`, else nothing); lines go to the
    /// [`ClientBuilder::log_sink`], else to standard error. `tracing` events are emitted
    /// whatever this is.
    pub fn log_level(mut self, level: LogLevel) -> ClientBuilder {
        self.options.log_level = Some(level.as_str().to_owned());
        self
    }

    /// Where log lines go (default: standard error): each line with its level, formatted and
    /// redacted. Called on the thread doing the call; a panic in it is ignored.
    pub fn log_sink(
        mut self,
        sink: impl Fn(LogLevel, &str) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.observing.sink = Some(std::sync::Arc::new(sink));
        self
    }

    /// Called before each attempt of every call. A panic in it is logged at `warn` and the
    /// call goes on.
    pub fn on_request(
        mut self,
        hook: impl Fn(&AttemptEvent) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.observing.hooks.on_request = Some(infallible(hook));
        self
    }

    /// Called after each attempt (with its status, or its error code when no answer came).
    pub fn on_response(
        mut self,
        hook: impl Fn(&AttemptEvent) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.observing.hooks.on_response = Some(infallible(hook));
        self
    }

    /// Called when a failed attempt is retried, with the delay before the next one.
    pub fn on_retry(
        mut self,
        hook: impl Fn(&AttemptEvent) + Send + Sync + 'static,
    ) -> ClientBuilder {
        self.observing.hooks.on_retry = Some(infallible(hook));
        self
    }

    /// All three hooks at once, as hooks that may fail (what a binding hands over: an
    /// exception becomes `Err` with its text, logged at `warn`).
    pub fn hooks(mut self, hooks: Hooks) -> ClientBuilder {
        self.observing.hooks = hooks;
        self
    }

    /// The forward proxy every request goes through: `http://[user:password@]host:port`, or
    /// `https://…` for a proxy spoken to over TLS; hosts in `NO_PROXY` are still reached
    /// directly. `""` reaches every host directly, whatever the environment says. Unset, the
    /// standard `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` decide. The password
    /// is never shown (`Debug`, errors, logs). See the transport's "Proxies".
    pub fn proxy(mut self, proxy: impl Into<String>) -> ClientBuilder {
        self.options.proxy = Some(proxy.into());
        self
    }

    /// How messages name the options (default: as in Rust).
    pub fn spelling(mut self, spelling: Spelling) -> ClientBuilder {
        self.options.spelling = spelling;
        self
    }

    /// Builds the client. Fails with `INVALID_ARGUMENT` when no API key is given or set in
    /// `AETHER_API_KEY`, when the base URL is not an http(s) URL, when a duration is negative
    /// or not finite, or when the user-agent suffix cannot be sent in a header.
    pub fn build(self) -> Result<Client> {
        let resolved = self.options.resolve()?;
        let base_url = normalize_base_url(&resolved.base_url)?;
        let user_agent = match resolved.user_agent_suffix.as_deref() {
            Some(suffix) if !suffix.is_empty() => format!("aether-sdk-rust/{VERSION} ({suffix})"),
            _ => format!("aether-sdk-rust/{VERSION}"),
        };
        if HeaderValue::from_str(&user_agent).is_err() {
            let name = self.options.spelling.name(&names::USER_AGENT_SUFFIX);
            return Err(Error::invalid_argument(format!(
                "the user-agent suffix ({name}) contains characters that cannot be sent in a \
                 header"
            )));
        }
        let observer = Observer::new(
            resolved.log_level,
            self.observing.sink,
            self.observing.hooks,
            &resolved.api_key,
        );
        let transport = Transport::new(
            TransportConfig {
                base_url,
                api_key: resolved.api_key,
                user_agent,
                connect_timeout: resolved.connect_timeout,
                request_timeout: resolved.request_timeout,
                attempt_timeout: resolved.attempt_timeout,
                max_retries: resolved.max_retries,
                max_response_bytes: self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                retry_budget: self.retry_budget.unwrap_or(DEFAULT_RETRY_BUDGET),
                backoff_base: resolved.backoff_base,
                backoff_cap: resolved.backoff_cap,
                tls: resolved.tls,
                traceparent: resolved.traceparent,
                proxy: resolved.proxy,
            },
            observer,
        )?;
        Ok(Client {
            transport,
            capabilities: CapabilitiesCache::default(),
            first_polls: crate::poll::FirstPolls::default(),
        })
    }
}

/// Checks the base URL and drops a trailing `/`, so paths can be appended.
fn normalize_base_url(base_url: &str) -> Result<String> {
    let trimmed = base_url.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|e| {
        Error::invalid_argument(format!("the base URL {trimmed:?} is not a valid URL: {e}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::invalid_argument(format!(
            "the base URL {trimmed:?} must be an http:// or https:// URL with a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_argument(format!(
            "the base URL {trimmed:?} must not have a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_argument(
            "the base URL must not contain credentials; pass the API key with api_key(..)",
        ));
    }
    Ok(trimmed.to_owned())
}
