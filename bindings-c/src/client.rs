//! `aether_client` and its options.

use std::ffi::{c_char, CString};
use std::time::Duration;

use aether::transport::{DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP};
use aether::{Client, Error};

use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, free_raw, getter, into_raw, opt_str_arg};
use crate::ffi::{out_arg, ref_arg, Res};
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
}

/// Milliseconds as a duration; 0 means "the default" (None).
fn millis(ms: u32) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(u64::from(ms)))
}

fn build(options: &aether_client_options) -> Res<Client> {
    // SAFETY: the strings are NULL or valid for the call, by the header's conventions.
    let (api_key, base_url, suffix) = unsafe {
        (
            opt_str_arg(options.api_key, "options->api_key")?,
            opt_str_arg(options.base_url, "options->base_url")?,
            opt_str_arg(options.user_agent_suffix, "options->user_agent_suffix")?,
        )
    };
    let mut builder = Client::builder();
    if let Some(api_key) = api_key {
        builder = builder.api_key(api_key);
    }
    if let Some(base_url) = base_url {
        builder = builder.base_url(base_url);
    }
    if let Some(timeout) = millis(options.connect_timeout_ms) {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(timeout) = millis(options.request_timeout_ms) {
        builder = builder.request_timeout(timeout);
    }
    if let Ok(retries) = u32::try_from(options.max_retries) {
        builder = builder.max_retries(retries);
    }
    let base = millis(options.retry_backoff_base_ms);
    let cap = millis(options.retry_backoff_cap_ms);
    if base.is_some() || cap.is_some() {
        builder = builder.retry_backoff(
            base.unwrap_or(DEFAULT_BACKOFF_BASE),
            cap.unwrap_or(DEFAULT_BACKOFF_CAP),
        );
    }
    let suffix = match suffix.filter(|s| !s.is_empty()) {
        Some(suffix) => format!("c; {suffix}"),
        None => "c".to_owned(),
    };
    builder.user_agent_suffix(suffix).build()
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
    }
}

/// The base URL the client sends to, without a trailing "/". Borrowed: valid until the client
/// is freed. NULL when `client` is NULL.
#[no_mangle]
pub extern "C" fn aether_client_base_url(client: *const aether_client) -> *const c_char {
    borrowed_str(client, |c| Some(&c.base_url))
}

/// Frees a client. NULL is ignored. Calls using the client must have returned.
#[no_mangle]
pub extern "C" fn aether_client_free(client: *mut aether_client) {
    // SAFETY: NULL or a client from this library, not used afterwards.
    getter((), || unsafe { free_raw(client) })
}

/// The client behind a handle argument.
pub(crate) fn client_arg<'a>(client: *const aether_client) -> Res<&'a Client> {
    // SAFETY: NULL or a live client, by the header's conventions.
    Ok(&unsafe { ref_arg(client, "client") }?.client)
}

/// Runs a core future to completion on the embedded runtime (the blocking bridge).
pub(crate) fn block_on<T>(future: impl std::future::Future<Output = Res<T>>) -> Res<T> {
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
