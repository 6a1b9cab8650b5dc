//! Log lines and hooks for C: `aether_set_log_callback` (one callback for the process) and the
//! hook callbacks of `aether_client_options`. The lines and events are the core's
//! (`core/src/transport/observe.rs`); this file only hands them over.

use std::ffi::{c_char, c_void, CString};
use std::ptr;
use std::sync::{Arc, RwLock};

use aether::{AttemptEvent, Hooks, LogLevel};

use crate::ffi::{cstring, opt_cstring, UserData};

/// How much a client logs; each level includes the ones before it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum aether_log_level {
    /// Calls that failed.
    AETHER_LOG_ERROR = 1,
    /// Hooks that failed, an exhausted retry budget.
    AETHER_LOG_WARN = 2,
    /// Retries.
    AETHER_LOG_INFO = 3,
    /// One line per attempt (method, path, status, attempt, elapsed, request ids).
    AETHER_LOG_DEBUG = 4,
    /// Request and response bodies (secrets redacted) and upload part events.
    AETHER_LOG_TRACE = 5,
}

impl From<LogLevel> for aether_log_level {
    fn from(level: LogLevel) -> aether_log_level {
        match level {
            LogLevel::Error => aether_log_level::AETHER_LOG_ERROR,
            LogLevel::Warn => aether_log_level::AETHER_LOG_WARN,
            LogLevel::Info => aether_log_level::AETHER_LOG_INFO,
            LogLevel::Debug => aether_log_level::AETHER_LOG_DEBUG,
            LogLevel::Trace => aether_log_level::AETHER_LOG_TRACE,
        }
    }
}

/// Receives one log line: its level and the text (NUL-terminated, valid only during the call;
/// secrets already redacted). Called on the thread doing the work (the thread that made a
/// blocking call, or one of the library's runtime threads for uploads and watches), possibly
/// from several at once: it must be thread-safe and must not call back into the client that
/// logs.
pub type aether_log_callback =
    Option<extern "C" fn(level: aether_log_level, line: *const c_char, user_data: *mut c_void)>;

/// One attempt of a call, given to a hook. Every pointer is valid only during the callback
/// (copy what you keep).
#[repr(C)]
#[derive(Debug)]
pub struct aether_attempt_event {
    /// "GET", "POST", …
    pub method: *const c_char,
    /// The path under the base URL, without the query.
    pub path: *const c_char,
    /// 1 for the first attempt; in on_retry, the attempt that failed.
    pub attempt: u32,
    /// The HTTP status of the answer; 0 when none came (before it, or a network failure).
    pub status: u16,
    /// The error code of a failed attempt ("SERVICE_UNAVAILABLE", …); NULL on success.
    pub error_code: *const c_char,
    /// The server's request id of the answer; NULL when none came.
    pub request_id: *const c_char,
    /// The call's client request id (the same on every attempt).
    pub client_request_id: *const c_char,
    /// The Idempotency-Key sent; NULL when none (every POST has one).
    pub idempotency_key: *const c_char,
    /// Milliseconds since the call began.
    pub elapsed_ms: f64,
    /// In on_retry: the wait before the next attempt, in milliseconds; -1 otherwise.
    pub next_delay_ms: f64,
}

/// A hook: called on the thread doing the call (the thread that made a blocking call; a
/// runtime thread for uploads and watches), before the call goes on (keep it short; it must
/// not call back into the client). `event` is valid only during the call.
pub type aether_hook_callback =
    Option<extern "C" fn(event: *const aether_attempt_event, user_data: *mut c_void)>;

/// The process's log callback (None: standard error).
static LOG_CALLBACK: RwLock<
    Option<(extern "C" fn(aether_log_level, *const c_char, *mut c_void), UserData)>,
> = RwLock::new(None);

/// Sends the log lines of every client to `callback` (NULL: back to standard error, the
/// default) with `user_data`. It applies at once, to clients already built too. A client
/// logs at its options.log_level, else at the level of the AETHER_LOG environment variable
/// (error, warn, info, debug, trace), else not at all. `callback` is called from runtime
/// threads, possibly several at once, and must stay callable, with `user_data`, until it is
/// replaced and every call in flight has returned.
#[no_mangle]
pub extern "C" fn aether_set_log_callback(callback: aether_log_callback, user_data: *mut c_void) {
    let mut slot = LOG_CALLBACK.write().unwrap_or_else(|e| e.into_inner());
    *slot = callback.map(|callback| (callback, UserData::new(user_data)));
}

/// The sink every C client gets: the process's callback, else standard error.
pub(crate) fn sink() -> impl Fn(LogLevel, &str) + Send + Sync + 'static {
    |level: LogLevel, line: &str| {
        let current = *LOG_CALLBACK.read().unwrap_or_else(|e| e.into_inner());
        match current {
            Some((callback, user_data)) => {
                let line = cstring(line);
                callback(level.into(), line.as_ptr(), user_data.get());
            }
            None => eprintln!("aether {}: {line}", level.as_str()),
        }
    }
}

/// The hooks of `on_request`, `on_response` and `on_retry`, each given `user_data`.
pub(crate) fn hooks(
    on_request: aether_hook_callback,
    on_response: aether_hook_callback,
    on_retry: aether_hook_callback,
    user_data: *mut c_void,
) -> Hooks {
    let user_data = UserData::new(user_data);
    let wrap = |callback: aether_hook_callback| {
        callback.map(|callback| -> aether::transport::observe::HookFn {
            Arc::new(move |event: &AttemptEvent| {
                with_event(event, |event| callback(event, user_data.get()));
                Ok(())
            })
        })
    };
    Hooks { on_request: wrap(on_request), on_response: wrap(on_response), on_retry: wrap(on_retry) }
}

/// `event` as its C struct, for the duration of `f`.
fn with_event(event: &AttemptEvent, f: impl FnOnce(*const aether_attempt_event)) {
    let method = cstring(&event.method);
    let path = cstring(&event.path);
    let error_code = opt_cstring(event.error_code.as_deref());
    let request_id = opt_cstring(event.request_id.as_deref());
    let client_request_id = cstring(&event.client_request_id);
    let idempotency_key = opt_cstring(event.idempotency_key.as_deref());
    let ptr_of = |s: &Option<CString>| s.as_ref().map_or(ptr::null(), |s| s.as_ptr());
    let c_event = aether_attempt_event {
        method: method.as_ptr(),
        path: path.as_ptr(),
        attempt: event.attempt,
        status: event.status.unwrap_or(0),
        error_code: ptr_of(&error_code),
        request_id: ptr_of(&request_id),
        client_request_id: client_request_id.as_ptr(),
        idempotency_key: ptr_of(&idempotency_key),
        elapsed_ms: event.elapsed_ms,
        next_delay_ms: event.next_delay_ms.unwrap_or(-1.0),
    };
    f(&c_event);
}
