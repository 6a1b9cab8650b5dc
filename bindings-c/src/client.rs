//! `aether_client` and its options.

use std::ffi::{c_char, CString};

use aether::{Client, ClientBuilder, ClientOptions, Error, Spelling};

use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, getter, into_raw, opt_str_arg};
use crate::ffi::{out_arg, ref_arg, write_json, Res};
use crate::status::aether_status;

/// A client of the Aether API: API key, base URL, timeouts, retries, and one connection pool.
///
/// Thread-safe: one client may be shared by any number of threads at once, and should be (it
/// shares connections and the retry budget). Free it with aether_client_free() after the
/// calls using it have returned; watches started from it keep what they need and may outlive
/// it.
pub struct aether_client {
    pub(crate) client: Client,
    base_url: CString,
}

/// How to build a client. Start from AETHER_CLIENT_OPTIONS_INIT, which gives every field its
/// "default" value, then set what you need. Strings are borrowed only during
/// aether_client_new().
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct aether_client_options {
    /// The API key; NULL reads the AETHER_API_KEY environment variable (the call fails with
    /// AETHER_ERROR_INVALID_ARGUMENT when neither is set).
    pub api_key: *const c_char,
    /// The base URL, e.g. an emulator's "http://127.0.0.1:41234"; NULL reads AETHER_BASE_URL,
    /// else "https://api.aetherhq.dev".
    pub base_url: *const c_char,
    /// Bound on each TCP/TLS connect, in milliseconds; 0: the default (10 s).
    pub connect_timeout_ms: u32,
    /// Bound on each whole call, retries and waits between them included, in milliseconds;
    /// 0: the default (60 s).
    pub request_timeout_ms: u32,
    /// Retries after the first attempt of a call that failed transiently; 0 disables retries;
    /// negative: the default (2).
    pub max_retries: i32,
    /// First step of the exponential backoff between retries, in milliseconds; 0: the
    /// default (500 ms).
    pub retry_backoff_base_ms: u32,
    /// Longest backoff between retries, in milliseconds; 0: the default (8 s).
    pub retry_backoff_cap_ms: u32,
    /// Appended to the User-Agent, e.g. "myapp/1.2"; NULL: nothing.
    pub user_agent_suffix: *const c_char,
    /// Path of a PEM file of CA certificates trusted besides the system's (e.g. a corporate
    /// proxy's CA); NULL reads AETHER_CA_BUNDLE, else the system's roots only.
    pub ca_bundle: *const c_char,
    /// Path of a PEM client certificate for mutual TLS (with client_key); NULL reads
    /// AETHER_CLIENT_CERT, else none.
    pub client_cert: *const c_char,
    /// Path of the PEM private key of client_cert; NULL reads AETHER_CLIENT_KEY.
    pub client_key: *const c_char,
    /// Bound on each attempt of a call (connect, send, the whole answer), in milliseconds; an
    /// attempt that passes it is retried within request_timeout_ms. 0: the default (30 s);
    /// negative: refused (AETHER_ERROR_INVALID_ARGUMENT naming options.attempt_timeout_ms).
    pub attempt_timeout_ms: i64,
    /// A W3C trace context ("00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>") sent as
    /// `traceparent` with every attempt of every call of this client; NULL: none. A malformed
    /// one is refused (AETHER_ERROR_INVALID_ARGUMENT naming options.traceparent). C has no
    /// per-call options: a client per trace shares nothing with others, so keep it for a
    /// batch of calls of one trace.
    pub traceparent: *const c_char,
    /// How much the client logs: "error", "warn", "info", "debug", "trace" or "off"; NULL
    /// reads the AETHER_LOG environment variable, else nothing. Lines go to the callback set
    /// with aether_set_log_callback(), else to standard error.
    pub log_level: *const c_char,
    /// Called before each attempt of every call; NULL: none. See aether_hook_callback.
    pub on_request: crate::observe::aether_hook_callback,
    /// Called after each attempt (its status, or its error code when no answer came); NULL:
    /// none.
    pub on_response: crate::observe::aether_hook_callback,
    /// Called when a failed attempt is retried, with the delay before the next one; NULL:
    /// none.
    pub on_retry: crate::observe::aether_hook_callback,
    /// Given to the three hooks; they must be callable with it from any thread that makes a
    /// call, and from runtime threads, for as long as the client is.
    pub hook_user_data: *mut std::ffi::c_void,
    /// The forward proxy every request goes through, "http://[user:password@]host:port" (or
    /// "https://…"; hosts in NO_PROXY are still reached directly); "" reaches every host
    /// directly whatever the environment says; NULL reads HTTPS_PROXY, HTTP_PROXY, ALL_PROXY
    /// and NO_PROXY (upper or lower case). The password is never in messages. A proxy that
    /// cannot be reached or refuses the credentials fails the call with
    /// AETHER_ERROR_PROXY_ERROR.
    pub proxy: *const c_char,
}

/// Milliseconds for the core; 0 means "the core's default" (None).
fn millis(ms: u32) -> Option<f64> {
    (ms > 0).then_some(f64::from(ms))
}

/// Milliseconds for the core; 0 means "the core's default" (None), a negative value goes on
/// for the core to refuse, naming the option.
pub(crate) fn signed_millis(ms: i64) -> Option<f64> {
    (ms != 0).then_some(ms as f64)
}

/// The C struct as the core's [`ClientOptions`]: the checks, the environment and the defaults
/// are the core's, and its messages name `options.api_key` and the like.
fn build(options: &aether_client_options) -> Res<Client> {
    let options_hooks =
        (options.on_request, options.on_response, options.on_retry, options.hook_user_data);
    // SAFETY: the strings are NULL or valid for the call, by the header's conventions.
    let (api_key, base_url, suffix) = unsafe {
        (
            opt_str_arg(options.api_key, "options->api_key")?,
            opt_str_arg(options.base_url, "options->base_url")?,
            opt_str_arg(options.user_agent_suffix, "options->user_agent_suffix")?,
        )
    };
    // SAFETY: as above.
    let (ca_bundle, client_cert, client_key) = unsafe {
        (
            opt_str_arg(options.ca_bundle, "options->ca_bundle")?,
            opt_str_arg(options.client_cert, "options->client_cert")?,
            opt_str_arg(options.client_key, "options->client_key")?,
        )
    };
    // SAFETY: as above.
    let traceparent = unsafe { opt_str_arg(options.traceparent, "options->traceparent")? };
    let log_level = unsafe { opt_str_arg(options.log_level, "options->log_level")? };
    let proxy = unsafe { opt_str_arg(options.proxy, "options->proxy")? };
    // The C binding names itself in the User-Agent, before the caller's own suffix.
    let suffix = match suffix.filter(|s| !s.is_empty()) {
        Some(suffix) => format!("c; {suffix}"),
        None => "c".to_owned(),
    };
    let options = ClientOptions {
        api_key: api_key.map(str::to_owned),
        base_url: base_url.map(str::to_owned),
        timeout_ms: millis(options.request_timeout_ms),
        connect_timeout_ms: millis(options.connect_timeout_ms),
        attempt_timeout_ms: signed_millis(options.attempt_timeout_ms),
        max_retries: (options.max_retries >= 0).then_some(i64::from(options.max_retries)),
        retry_backoff_base_ms: millis(options.retry_backoff_base_ms),
        retry_backoff_cap_ms: millis(options.retry_backoff_cap_ms),
        user_agent_suffix: Some(suffix),
        ca_bundle: ca_bundle.map(str::to_owned),
        client_cert: client_cert.map(str::to_owned),
        client_key: client_key.map(str::to_owned),
        traceparent: traceparent.map(str::to_owned),
        log_level: log_level.map(str::to_owned),
        proxy: proxy.map(str::to_owned),
        spelling: Spelling::C,
    };
    let hooks =
        crate::observe::hooks(options_hooks.0, options_hooks.1, options_hooks.2, options_hooks.3);
    ClientBuilder::from_options(options).log_sink(crate::observe::sink()).hooks(hooks).build()
}

/// Creates a client. `options` may be NULL for all defaults (key and URL from the
/// environment). On success writes the client to `*out_client`; free it with
/// aether_client_free(). Fails with AETHER_ERROR_INVALID_ARGUMENT when there is no API key,
/// the base URL is not an http(s) URL, or a string is not UTF-8. Sends nothing.
#[no_mangle]
pub extern "C" fn aether_client_new(
    options: *const aether_client_options,
    out_client: *mut *mut aether_client,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let out = out_arg(out_client, "out_client")?;
        let client = {
            // SAFETY: NULL or valid options, by the header's conventions.
            match unsafe { options.as_ref() } {
                Some(options) => build(options)?,
                None => build(&crate::client::default_options())?,
            }
        };
        let base_url = cstring(client.base_url());
        out.write(into_raw(aether_client { client, base_url }));
        Ok(())
    })
}

/// What AETHER_CLIENT_OPTIONS_INIT spells in C.
fn default_options() -> aether_client_options {
    aether_client_options {
        api_key: std::ptr::null(),
        base_url: std::ptr::null(),
        connect_timeout_ms: 0,
        request_timeout_ms: 0,
        max_retries: -1,
        retry_backoff_base_ms: 0,
        retry_backoff_cap_ms: 0,
        user_agent_suffix: std::ptr::null(),
        ca_bundle: std::ptr::null(),
        client_cert: std::ptr::null(),
        client_key: std::ptr::null(),
        attempt_timeout_ms: 0,
        traceparent: std::ptr::null(),
        log_level: std::ptr::null(),
        on_request: None,
        on_response: None,
        on_retry: None,
        hook_user_data: std::ptr::null_mut(),
        proxy: std::ptr::null(),
    }
}

/// The base URL the client sends to, without a trailing "/". Borrowed: valid until the client
/// is freed. NULL when `client` is NULL.
#[no_mangle]
pub extern "C" fn aether_client_base_url(client: *const aether_client) -> *const c_char {
    borrowed_str(client, |c| Some(&c.base_url))
}

/// The settings the client runs with, as JSON: what the options gave, else the environment,
/// else the library's defaults, e.g. {"baseUrl": "...", "timeoutMs": 60000, "maxRetries": 2,
/// ...} (durations in milliseconds; never the API key). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_client_effective_options_to_json(
    client: *const aether_client,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || write_json(&client_arg(client)?.effective_options(), out_json))
}

/// Every default of the library as JSON: {"client": {...}, "upload": {...}, "postsWait":
/// {...}, "mediaWait": {...}}, in the options' camelCase names (durations in milliseconds).
/// On success writes an owned string to `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_defaults_to_json(
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || write_json(&aether::defaults(), out_json))
}

/// Closes the client's kept-alive connections (its running watches open new ones) and waits
/// until they are closed, at most a second (a connection busy with another thread's call
/// closes when that call ends). The client stays usable: its next call opens a new connection.
/// Fails with AETHER_ERROR_INVALID_ARGUMENT when `client` is NULL or when called from a
/// callback. Connections another thread keeps for its own calls close when that thread next
/// makes a call or ends.
#[no_mangle]
pub extern "C" fn aether_client_close_connections(
    client: *const aether_client,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        block_on(async {
            client.close_connections().await;
            Ok(())
        })
    })
}

/// Frees a client. NULL is ignored. Calls using the client must have returned. When no running
/// watch still uses its connections, they are closed before this returns (within a second), so
/// that nothing of the client is left running, e.g. when the program exits next; called from a
/// callback, it frees the client and its connections close in the background.
#[no_mangle]
pub extern "C" fn aether_client_free(client: *mut aether_client) {
    if client.is_null() {
        return;
    }
    // SAFETY: a client from this library, not used afterwards.
    let handle = unsafe { Box::from_raw(client) };
    getter((), move || {
        let aether_client { client, base_url: _ } = *handle;
        // Refused (and the client dropped) on a runtime thread, where blocking could deadlock.
        let _ = block_on(async move {
            client.close().await;
            Ok(())
        });
    })
}

/// The client behind a handle argument.
pub(crate) fn client_arg<'a>(client: *const aether_client) -> Res<&'a Client> {
    // SAFETY: NULL or a live client, by the header's conventions.
    Ok(&unsafe { ref_arg(client, "client") }?.client)
}

/// Runs a core future to completion on the calling thread's own runtime (the blocking bridge:
/// the thread waits for its socket itself, and the call's callbacks run on it).
pub(crate) fn block_on<T>(future: impl std::future::Future<Output = Res<T>>) -> Res<T> {
    aether::runtime::block_on_here(future)
}

/// Runs a core future to completion on the embedded, multi-threaded runtime: for work that
/// takes more than one core (an upload's parallel parts, each read and checksummed).
pub(crate) fn block_on_shared<T>(future: impl std::future::Future<Output = Res<T>>) -> Res<T> {
    aether::runtime::block_on(future)
}

/// Refuses an empty id early, with the parameter's name.
pub(crate) fn non_empty<'a>(value: &'a str, name: &str) -> Res<&'a str> {
    if value.is_empty() {
        Err(Error::invalid_argument(format!("{name} is empty")))
    } else {
        Ok(value)
    }
}
