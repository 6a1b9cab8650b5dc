//! Settings as plain data: the options a caller gives the client, a call, an upload or a wait,
//! in one vocabulary every binding hands over as it is (Node's JSON straight to serde, Python's
//! keyword arguments, C's struct), with every default and every check here, once.
//!
//! Each type is `Deserialize` with camelCase names and `deny_unknown_fields`; every field is an
//! `Option` whose `None` means "the core's default", and durations travel as milliseconds
//! (`f64`, so that JavaScript numbers arrive unchanged). The checks name an option the way the
//! caller's language spells it, chosen with [`Spelling`]: a Python user without a key is told
//! about `api_key=`, a Node user about `apiKey`, a C user about `options.api_key`.
//!
//! - [`ClientOptions`]: the client (`ClientBuilder::from_options`).
//! - [`CallOptions`]: one call (resolves to [`RequestOptions`]).
//! - [`crate::upload::UploadSettings`]: the data half of an upload's options.
//! - [`crate::poll::PollOptions`]: how `posts.wait`/`watch` and `media.wait_ready` poll.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::transport::observe::LogLevel;
use crate::transport::{
    pairs_from_json, ApiKey, RequestOptions, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_CAP, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT,
};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.aetherhq.dev";
/// Environment variable read for the API key when none is given.
pub const API_KEY_ENV: &str = "AETHER_API_KEY";
/// Environment variable read for the base URL when none is given.
pub const BASE_URL_ENV: &str = "AETHER_BASE_URL";

/// The language an option's name is spelled in, in messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Spelling {
    /// `Client::builder().api_key(..)`, `parallelism`.
    #[default]
    Rust,
    /// `api_key=`, `parallelism=` (durations in seconds).
    Python,
    /// `apiKey`, `parallelism` (durations in milliseconds).
    Node,
    /// `options.api_key`, `options.parallelism`.
    C,
    /// `--api-key`, `--parallelism`.
    Cli,
}

impl Spelling {
    /// The name of `option` in this language.
    pub fn name(self, option: &OptionName) -> &'static str {
        match self {
            Spelling::Rust => option.rust,
            Spelling::Python => option.python,
            Spelling::Node => option.node,
            Spelling::C => option.c,
            Spelling::Cli => option.cli,
        }
    }

    /// The unit durations are given in, in this language.
    fn duration_unit(self) -> (&'static str, f64) {
        match self {
            Spelling::Python | Spelling::Cli => ("seconds", 1000.0),
            _ => ("milliseconds", 1.0),
        }
    }
}

/// One option's name in each language; see [`names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionName {
    /// In Rust.
    pub rust: &'static str,
    /// In Python.
    pub python: &'static str,
    /// In Node.
    pub node: &'static str,
    /// In C.
    pub c: &'static str,
    /// On the command line.
    pub cli: &'static str,
}

/// Every option's name in every language: the table messages are spelled from.
pub mod names {
    use super::OptionName;

    macro_rules! names {
        ($($(#[$doc:meta])* $id:ident = $rust:literal, $python:literal, $node:literal, $c:literal, $cli:literal;)*) => {
            $($(#[$doc])* pub const $id: OptionName =
                OptionName { rust: $rust, python: $python, node: $node, c: $c, cli: $cli };)*
        };
    }

    names! {
        /// The API key.
        API_KEY = "Client::builder().api_key(..)", "api_key=", "apiKey", "options.api_key", "--api-key";
        /// The base URL.
        BASE_URL = "Client::builder().base_url(..)", "base_url=", "baseUrl", "options.base_url", "--base-url";
        /// The client's bound on each call.
        TIMEOUT = "Client::builder().request_timeout(..)", "timeout=", "timeoutMs", "options.request_timeout_ms", "--timeout";
        /// The bound on each connect.
        CONNECT_TIMEOUT = "Client::builder().connect_timeout(..)", "connect_timeout=", "connectTimeoutMs", "options.connect_timeout_ms", "--connect-timeout";
        /// The client's bound on each attempt.
        ATTEMPT_TIMEOUT = "Client::builder().attempt_timeout(..)", "attempt_timeout=", "attemptTimeoutMs", "options.attempt_timeout_ms", "--attempt-timeout";
        /// One call's bound on each attempt.
        CALL_ATTEMPT_TIMEOUT = "RequestOptions::attempt_timeout", "attempt_timeout=", "attemptTimeoutMs", "options.attempt_timeout_ms", "--attempt-timeout";
        /// One call's bound on each connect.
        CALL_CONNECT_TIMEOUT = "RequestOptions::connect_timeout", "connect_timeout=", "connectTimeoutMs", "options.connect_timeout_ms", "--connect-timeout";
        /// How long an upload part may make no progress.
        STALL_TIMEOUT = "stall_timeout", "stall_timeout=", "stallTimeoutMs", "options.stall_timeout_ms", "--stall-timeout";
        /// The client's retries.
        MAX_RETRIES = "Client::builder().max_retries(..)", "max_retries=", "maxRetries", "options.max_retries", "--max-retries";
        /// The backoff's first step.
        RETRY_BACKOFF_BASE = "Client::builder().retry_backoff_base(..)", "retry_backoff=", "retryBackoff.initialMs", "options.retry_backoff_base_ms", "--retry-backoff-base";
        /// The backoff's ceiling.
        RETRY_BACKOFF_CAP = "Client::builder().retry_backoff_cap(..)", "retry_backoff=", "retryBackoff.maxMs", "options.retry_backoff_cap_ms", "--retry-backoff-cap";
        /// The user-agent suffix.
        USER_AGENT_SUFFIX = "Client::builder().user_agent_suffix(..)", "user_agent_suffix=", "userAgentSuffix", "options.user_agent_suffix", "--user-agent-suffix";
        /// Extra trusted CAs (a PEM file).
        CA_BUNDLE = "Client::builder().ca_bundle(..)", "ca_bundle=", "caBundle", "options.ca_bundle", "--ca-bundle";
        /// The client certificate for mutual TLS (a PEM file).
        CLIENT_CERT = "Client::builder().client_cert(..)", "client_cert=", "clientCert", "options.client_cert", "--client-cert";
        /// The client certificate's private key (a PEM file).
        CLIENT_KEY = "Client::builder().client_key(..)", "client_key=", "clientKey", "options.client_key", "--client-key";
        /// How much the client logs.
        LOG_LEVEL = "Client::builder().log_level(..)", "log_level=", "logLevel", "options.log_level", "-v";
        /// The forward proxy (a URL, `""` for none).
        PROXY = "Client::builder().proxy(..)", "proxy=", "proxy", "options.proxy", "--proxy";
        /// One call's bound.
        CALL_TIMEOUT = "RequestOptions::timeout", "timeout=", "timeoutMs", "options.timeout_ms", "--timeout";
        /// One call's retries.
        CALL_MAX_RETRIES = "RequestOptions::max_retries", "max_retries=", "maxRetries", "options.max_retries", "--max-retries";
        /// One call's idempotency key.
        IDEMPOTENCY_KEY = "RequestOptions::idempotency_key", "idempotency_key=", "idempotencyKey", "options.idempotency_key", "--idempotency-key";
        /// One call's extra headers.
        EXTRA_HEADERS = "RequestOptions::extra_headers", "extra_headers=", "extraHeaders", "options_json.extraHeaders", "--header";
        /// One call's extra query parameters.
        EXTRA_QUERY = "RequestOptions::extra_query", "extra_query=", "extraQuery", "options_json.extraQuery", "--query";
        /// The W3C trace context sent with each call (a client's default, or one call's).
        TRACEPARENT = "RequestOptions::traceparent", "traceparent=", "traceparent", "options.traceparent", "--traceparent";
        /// An upload's file name.
        FILE_NAME = "file_name", "file_name=", "fileName", "options.file_name", "--file-name";
        /// An upload's mime type.
        MIME_TYPE = "mime_type", "mime_type=", "mimeType", "options.mime_type", "--mime-type";
        /// The platforms an upload is preflighted for.
        PLATFORMS = "platforms", "platforms=", "platforms", "options.platforms", "--platform";
        /// The account tier.
        TIER = "tier", "tier=", "tier", "options.tier", "--tier";
        /// The profiles an upload is for (their capabilities preflight it).
        PROFILE_IDS = "profile_ids", "profile_ids=", "profileIds", "options.profile_ids", "--profile";
        /// An upload's part size.
        PART_SIZE = "part_size", "part_size=", "partSize", "options.part_size", "--part-size";
        /// Parts in flight at once.
        PARALLELISM = "parallelism", "parallelism=", "parallelism", "options.parallelism", "--parallelism";
        /// The largest single-shot upload.
        SINGLE_SHOT_THRESHOLD = "single_shot_threshold", "single_shot_threshold=", "singleShotThreshold", "options.single_shot_threshold", "--single-shot-threshold";
        /// Where an upload keeps its resume state.
        RESUME_STATE_FILE = "resume_state_file", "resume_state_file=", "resumeStateFile", "options.resume_state_file", "--resume-state-file";
        /// The first time between polls.
        POLL_INTERVAL = "poll_interval", "poll_interval=", "pollIntervalMs", "options.poll_interval_ms", "--poll-interval";
        /// The longest time between polls.
        MAX_POLL_INTERVAL = "max_poll_interval", "max_poll_interval=", "maxPollIntervalMs", "options.max_poll_interval_ms", "--max-poll-interval";
        /// The bound on a whole wait.
        WAIT_TIMEOUT = "timeout", "timeout=", "timeoutMs", "options.timeout_ms", "--timeout";
    }
}

/// A duration given in milliseconds, checked: finite and not negative. `None` stays `None`.
pub fn millis(
    spelling: Spelling,
    option: &OptionName,
    ms: Option<f64>,
) -> Result<Option<Duration>> {
    let Some(ms) = ms else { return Ok(None) };
    let (unit, per_ms) = spelling.duration_unit();
    let name = spelling.name(option);
    if !ms.is_finite() || ms < 0.0 {
        return Err(Error::invalid_argument(format!(
            "{name} must be a finite, non-negative number of {unit}, not {}",
            ms / per_ms
        ))
        .with_field(name));
    }
    Duration::try_from_secs_f64(ms / 1000.0).map(Some).map_err(|_| {
        Error::invalid_argument(format!("{name} is too large: {} {unit}", ms / per_ms))
            .with_field(name)
    })
}

/// A duration that must be more than zero (a bound of zero would fail every attempt at once).
pub fn positive_millis(
    spelling: Spelling,
    option: &OptionName,
    ms: Option<f64>,
) -> Result<Option<Duration>> {
    if let Some(ms) = ms.filter(|ms| *ms == 0.0) {
        let (unit, per_ms) = spelling.duration_unit();
        let name = spelling.name(option);
        return Err(Error::invalid_argument(format!(
            "{name} must be more than 0 {unit}, not {}",
            ms / per_ms
        ))
        .with_field(name));
    }
    millis(spelling, option, ms)
}

/// A duration as the milliseconds the option types hold.
pub fn as_millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A whole number in `range`, named in messages.
pub(crate) fn whole<T: TryFrom<i64> + Copy>(
    spelling: Spelling,
    option: &OptionName,
    value: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
    explain: impl FnOnce() -> String,
) -> Result<Option<T>> {
    let Some(value) = value else { return Ok(None) };
    let name = spelling.name(option);
    if !range.contains(&value) {
        return Err(
            Error::invalid_argument(format!("{name} is {value}; {}", explain())).with_field(name)
        );
    }
    T::try_from(value)
        .map(Some)
        .map_err(|_| Error::invalid_argument(format!("{name} is out of range: {value}")))
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// How to build a [`crate::Client`]: every field optional, `None` meaning the environment
/// (`AETHER_API_KEY`, `AETHER_BASE_URL`, read here and nowhere else) and then the core's
/// default. [`ClientOptions::defaults`] shows the defaults; `Client::effective_options` what a
/// client ended up with.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// The API key (else `AETHER_API_KEY`). Never serialized, never in `Debug`.
    #[serde(skip_serializing)]
    pub api_key: Option<String>,
    /// The base URL (else `AETHER_BASE_URL`, else the production API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Bound on each whole call, retries and waits included, in milliseconds (default 60 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Bound on each TCP/TLS connect, in milliseconds (default 10 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout_ms: Option<f64>,
    /// Bound on each attempt (connect, send, the whole answer), in milliseconds (default
    /// 30 s); one that passes it is retried within `timeout_ms`. More than 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_timeout_ms: Option<f64>,
    /// Retries after a call's first attempt (default 2; 0 disables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i64>,
    /// First step of the exponential backoff between retries, in milliseconds (default 500).
    #[serde(alias = "retryBackoffInitialMs", skip_serializing_if = "Option::is_none")]
    pub retry_backoff_base_ms: Option<f64>,
    /// Ceiling of the backoff, in milliseconds (default 8 s).
    #[serde(alias = "retryBackoffMaxMs", skip_serializing_if = "Option::is_none")]
    pub retry_backoff_cap_ms: Option<f64>,
    /// Appended to the `User-Agent` in parentheses, e.g. `python/3.12`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent_suffix: Option<String>,
    /// A PEM file of CA certificates trusted besides the operating system's (else
    /// `AETHER_CA_BUNDLE`), e.g. a corporate proxy's CA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<String>,
    /// A PEM client certificate (chain) presented for mutual TLS, with `client_key` (else
    /// `AETHER_CLIENT_CERT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    /// The PEM private key of `client_cert` (else `AETHER_CLIENT_KEY`). Only its path is kept here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// The W3C `traceparent` sent with every call that gives none of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// How much the client logs: `error`, `warn`, `info`, `debug`, `trace` or `off` (else
    /// `AETHER_LOG`, else nothing). See `transport/observe.rs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
    /// The forward proxy every request goes through, `http://[user:password@]host:port` (or
    /// `https://`); `NO_PROXY` still applies. `""`: every host directly, whatever the
    /// environment says. Unset: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`. Its
    /// password is never in `Debug`, messages or `effective_options`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// How messages name these options.
    #[serde(skip)]
    pub spelling: Spelling,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("attempt_timeout_ms", &self.attempt_timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("retry_backoff_base_ms", &self.retry_backoff_base_ms)
            .field("retry_backoff_cap_ms", &self.retry_backoff_cap_ms)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("ca_bundle", &self.ca_bundle)
            .field("client_cert", &self.client_cert)
            .field("client_key", &self.client_key)
            .field("traceparent", &self.traceparent)
            .field("log_level", &self.log_level)
            .field("proxy", &self.proxy.as_deref().map(crate::transport::redacted_proxy))
            .field("spelling", &self.spelling)
            .finish()
    }
}

/// [`ClientOptions`] checked, with the environment and the defaults filled in.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedClient {
    /// The key in the transport's redacting type, so that this struct's `Debug` never shows it.
    pub api_key: ApiKey,
    pub base_url: String,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// `None`: the transport's default (which upload parts go without).
    pub attempt_timeout: Option<Duration>,
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub user_agent_suffix: Option<String>,
    pub traceparent: Option<String>,
    pub tls: crate::transport::TlsSettings,
    pub log_level: Option<LogLevel>,
    pub proxy: crate::transport::ProxySettings,
}

impl ClientOptions {
    /// Options that leave everything to the environment and the defaults.
    pub fn new() -> ClientOptions {
        ClientOptions::default()
    }

    /// The same options, with messages spelled for `spelling`.
    pub fn spelled(mut self, spelling: Spelling) -> ClientOptions {
        self.spelling = spelling;
        self
    }

    /// The core's defaults, every field set (but the key, which has none).
    pub fn defaults() -> ClientOptions {
        ClientOptions {
            api_key: None,
            base_url: Some(DEFAULT_BASE_URL.to_owned()),
            timeout_ms: Some(as_millis(DEFAULT_REQUEST_TIMEOUT)),
            connect_timeout_ms: Some(as_millis(DEFAULT_CONNECT_TIMEOUT)),
            attempt_timeout_ms: Some(as_millis(DEFAULT_ATTEMPT_TIMEOUT)),
            max_retries: Some(i64::from(DEFAULT_MAX_RETRIES)),
            retry_backoff_base_ms: Some(as_millis(DEFAULT_BACKOFF_BASE)),
            retry_backoff_cap_ms: Some(as_millis(DEFAULT_BACKOFF_CAP)),
            user_agent_suffix: None,
            ca_bundle: None,
            client_cert: None,
            client_key: None,
            traceparent: None,
            log_level: None,
            proxy: None,
            spelling: Spelling::Rust,
        }
    }

    /// Every check, the environment read for the key and the URL, the defaults filled in.
    pub(crate) fn resolve(&self) -> Result<ResolvedClient> {
        let s = self.spelling;
        let api_key = match self.api_key.clone().filter(|key| !key.trim().is_empty()) {
            Some(key) => key,
            None => match std::env::var(API_KEY_ENV) {
                Ok(key) if !key.trim().is_empty() => key,
                _ => {
                    let name = s.name(&names::API_KEY);
                    return Err(Error::invalid_argument(format!(
                        "no API key: pass one with {name} or set the {API_KEY_ENV} environment \
                         variable (find it in the Aether dashboard)"
                    ))
                    .with_field(name));
                }
            },
        };
        let base_url = match self.base_url.clone().filter(|url| !url.trim().is_empty()) {
            Some(url) => url,
            None => std::env::var(BASE_URL_ENV)
                .ok()
                .filter(|url| !url.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
        };
        let max_retries = whole::<u32>(s, &names::MAX_RETRIES, self.max_retries, 0..=1000, || {
            "it must be a whole number from 0 to 1000".to_owned()
        })?;
        let base = millis(s, &names::RETRY_BACKOFF_BASE, self.retry_backoff_base_ms)?;
        let cap = millis(s, &names::RETRY_BACKOFF_CAP, self.retry_backoff_cap_ms)?;
        let backoff_base = base.unwrap_or(DEFAULT_BACKOFF_BASE);
        let log_level = match &self.log_level {
            Some(name) => LogLevel::parse(name).map_err(|why| {
                let option = s.name(&names::LOG_LEVEL);
                Error::invalid_argument(format!("{option}: {why}")).with_field(option)
            })?,
            None => LogLevel::from_env(),
        };
        Ok(ResolvedClient {
            log_level,
            api_key: ApiKey::new(api_key),
            base_url,
            request_timeout: millis(s, &names::TIMEOUT, self.timeout_ms)?
                .unwrap_or(DEFAULT_REQUEST_TIMEOUT),
            connect_timeout: millis(s, &names::CONNECT_TIMEOUT, self.connect_timeout_ms)?
                .unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            attempt_timeout: positive_millis(s, &names::ATTEMPT_TIMEOUT, self.attempt_timeout_ms)?,
            max_retries: max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            backoff_base,
            // A ceiling below the first step is the first step.
            backoff_cap: cap.unwrap_or(DEFAULT_BACKOFF_CAP).max(backoff_base),
            user_agent_suffix: self.user_agent_suffix.clone(),
            traceparent: checked_traceparent(s, self.traceparent.as_deref())?,
            tls: crate::transport::resolve_tls(
                s,
                self.ca_bundle.as_deref(),
                self.client_cert.as_deref(),
                self.client_key.as_deref(),
            )?,
            proxy: crate::transport::resolve_proxy(s, self.proxy.as_deref())?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// One call
// ---------------------------------------------------------------------------------------------

/// The options of one call as plain data: the wire form of [`RequestOptions`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallOptions {
    /// Bound on the whole call, in milliseconds (default: the client's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Retries after the first attempt (default: the client's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i64>,
    /// Bound on each attempt, in milliseconds (default: the client's); more than 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_timeout_ms: Option<f64>,
    /// Bound on each connect, in milliseconds (default: the client's); more than 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout_ms: Option<f64>,
    /// The `Idempotency-Key` of a POST (default: a generated one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Headers added to the call (`{"X-Tag": "a"}`; see [`RequestOptions::extra_headers`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_headers: Option<serde_json::Map<String, serde_json::Value>>,
    /// Query parameters added to the call (`{"name": "value"}`, a list repeats the name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_query: Option<serde_json::Map<String, serde_json::Value>>,
    /// The W3C `traceparent` sent on every attempt (default: the client's, if any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// How messages name these options.
    #[serde(skip)]
    pub spelling: Spelling,
}

impl CallOptions {
    /// The same options, with messages spelled for `spelling`.
    pub fn spelled(mut self, spelling: Spelling) -> CallOptions {
        self.spelling = spelling;
        self
    }

    /// Checked, as the [`RequestOptions`] the resources take.
    pub fn resolve(&self) -> Result<RequestOptions> {
        let s = self.spelling;
        Ok(RequestOptions {
            timeout: millis(s, &names::CALL_TIMEOUT, self.timeout_ms)?,
            max_retries: whole(s, &names::CALL_MAX_RETRIES, self.max_retries, 0..=1000, || {
                "it must be a whole number from 0 to 1000".to_owned()
            })?,
            attempt_timeout: positive_millis(
                s,
                &names::CALL_ATTEMPT_TIMEOUT,
                self.attempt_timeout_ms,
            )?,
            connect_timeout: positive_millis(
                s,
                &names::CALL_CONNECT_TIMEOUT,
                self.connect_timeout_ms,
            )?,
            idempotency_key: self.idempotency_key.clone(),
            extra_headers: match &self.extra_headers {
                Some(map) => pairs_from_json(map, s.name(&names::EXTRA_HEADERS), false)?,
                None => Vec::new(),
            },
            extra_query: match &self.extra_query {
                Some(map) => pairs_from_json(map, s.name(&names::EXTRA_QUERY), true)?,
                None => Vec::new(),
            },
            response_sink: None,
            traceparent: checked_traceparent(s, self.traceparent.as_deref())?,
        })
    }
}

/// A `traceparent` option, checked, named the caller's way.
fn checked_traceparent(s: Spelling, value: Option<&str>) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(value) => {
            crate::transport::check_traceparent(value, s.name(&names::TRACEPARENT))?;
            Ok(Some(value.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_options_never_show_the_key() {
        let options =
            ClientOptions { api_key: Some("sk_live_secret123".into()), ..Default::default() };
        let resolved = options.resolve().expect("a key and defaults resolve");
        for shown in [format!("{options:?}"), format!("{resolved:?}")] {
            assert!(!shown.contains("secret123"), "the key leaked into Debug: {shown}");
        }
    }

    #[test]
    fn options_never_show_the_proxy_password() {
        let options = ClientOptions {
            api_key: Some("sk_live_x".into()),
            proxy: Some("http://me:pr0xyPass@127.0.0.1:3128".into()),
            ..Default::default()
        };
        let resolved = options.resolve().expect("a valid proxy resolves");
        for shown in [format!("{options:?}"), format!("{resolved:?}")] {
            assert!(!shown.contains("pr0xyPass"), "the proxy password leaked: {shown}");
            assert!(shown.contains("me:[redacted]@127.0.0.1:3128"), "{shown}");
        }
    }
}
