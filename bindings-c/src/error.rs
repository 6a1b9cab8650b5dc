//! `aether_error`: the details of a failure — code, message, HTTP status, request ids (the
//! server's and the client's), idempotency key, retry-after, field, platform — as the core's `aether::Error` carries them.

use std::ffi::{c_char, CString};

use aether::Error;

use crate::ffi::{borrowed_str, boundary, cstring, field, free_raw, opt_cstring, write_json};
use crate::status::aether_status;

/// The details of a failed call, written to the `aether_error **error` parameter of the
/// function that failed (only when it fails, and only when that parameter is not NULL).
/// Owned by the caller: free it with aether_error_free(). Immutable, so it may be read from any
/// thread.
pub struct aether_error {
    status: aether_status,
    error: Error,
    raw_code: CString,
    message: CString,
    request_id: Option<CString>,
    client_request_id: Option<CString>,
    idempotency_key: Option<CString>,
    field: Option<CString>,
    platform: Option<CString>,
}

impl aether_error {
    pub(crate) fn new(status: aether_status, error: Error) -> aether_error {
        aether_error {
            status,
            raw_code: cstring(error.code().as_str()),
            message: cstring(error.message()),
            request_id: opt_cstring(error.request_id()),
            client_request_id: opt_cstring(error.client_request_id()),
            idempotency_key: opt_cstring(error.idempotency_key()),
            field: opt_cstring(error.field()),
            platform: opt_cstring(error.platform().map(|p| p.as_str())),
            error,
        }
    }
}

/// Frees an error. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_error_free(error: *mut aether_error) {
    // SAFETY: NULL or an error from this library, by the header's conventions.
    crate::ffi::getter((), || unsafe { free_raw(error) })
}

/// The error's code, e.g. AETHER_ERROR_POST_LIMIT_REACHED; AETHER_OK when `error` is NULL.
/// Compare it with the enum, or turn it into "POST_LIMIT_REACHED" with aether_error_code_str().
#[no_mangle]
pub extern "C" fn aether_error_code(error: *const aether_error) -> aether_status {
    field(error, aether_status::AETHER_OK, |e| e.status)
}

/// The code exactly as the server (or the library) spelled it, e.g. "POST_LIMIT_REACHED"; for
/// AETHER_ERROR_UNKNOWN, the code this version does not know. Borrowed: valid until the error
/// is freed. NULL when `error` is NULL.
#[no_mangle]
pub extern "C" fn aether_error_raw_code(error: *const aether_error) -> *const c_char {
    borrowed_str(error, |e| Some(&e.raw_code))
}

/// The human-readable explanation. Borrowed: valid until the error is freed. NULL when
/// `error` is NULL.
#[no_mangle]
pub extern "C" fn aether_error_message(error: *const aether_error) -> *const c_char {
    borrowed_str(error, |e| Some(&e.message))
}

/// The HTTP status of the response that carried the error, or 0 when there was none (a
/// client-side error) or `error` is NULL.
#[no_mangle]
pub extern "C" fn aether_error_http_status(error: *const aether_error) -> u16 {
    field(error, 0, |e| e.error.status().unwrap_or(0))
}

/// The server's request id ("req_..."), to quote to support; NULL when no response arrived
/// or `error` is NULL. Borrowed: valid until the error is freed.
#[no_mangle]
pub extern "C" fn aether_error_request_id(error: *const aether_error) -> *const c_char {
    borrowed_str(error, |e| e.request_id.as_deref())
}

/// The id the library gave the call ("creq_..."), sent as X-Client-Request-Id on each of its
/// attempts and recorded by the server: present even when no response arrived. NULL when the
/// call failed before anything was sent or `error` is NULL. Borrowed: valid until the error is
/// freed.
#[no_mangle]
pub extern "C" fn aether_error_client_request_id(error: *const aether_error) -> *const c_char {
    borrowed_str(error, |e| e.client_request_id.as_deref())
}

/// The Idempotency-Key the call sent (the one in its options, or the one the library made for
/// a POST). After AETHER_ERROR_OUTCOME_UNKNOWN, repeat the call with it (for a create:
/// aether_post_builder_set_idempotency_key()). NULL when none was sent or `error` is NULL. Borrowed: valid until the
/// error is freed.
#[no_mangle]
pub extern "C" fn aether_error_idempotency_key(error: *const aether_error) -> *const c_char {
    borrowed_str(error, |e| e.idempotency_key.as_deref())
}

/// How long the server asked to wait before retrying, in milliseconds (RATE_LIMITED,
/// POST_LIMIT_REACHED, SERVICE_UNAVAILABLE); -1 when it did not say or `error` is NULL.
#[no_mangle]
pub extern "C" fn aether_error_retry_after_ms(error: *const aether_error) -> i64 {
    field(error, -1, |e| {
        e.error.retry_after().map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

/// Where in the request the problem is, e.g. "content.text" or "platforms.tiktok"; NULL when
/// not known or `error` is NULL. Borrowed: valid until the error is freed.
#[no_mangle]
pub extern "C" fn aether_error_field(error: *const aether_error) -> *const c_char {
    borrowed_str(error, |e| e.field.as_deref())
}

/// The platform whose rule was broken, e.g. "tiktok"; NULL when none or `error` is NULL.
/// Borrowed: valid until the error is freed.
#[no_mangle]
pub extern "C" fn aether_error_platform(error: *const aether_error) -> *const c_char {
    borrowed_str(error, |e| e.platform.as_deref())
}

/// Whether repeating the same call later can succeed without changing it (RATE_LIMITED,
/// SERVICE_UNAVAILABLE, NETWORK_ERROR, TIMEOUT, OUTCOME_UNKNOWN with the same idempotency
/// key, ...). False when `error` is NULL.
#[no_mangle]
pub extern "C" fn aether_error_is_retryable(error: *const aether_error) -> bool {
    field(error, false, |e| e.error.is_retryable())
}

/// Everything the error says as a JSON object: "code", "message", and when present
/// "status", "requestId", "clientRequestId", "idempotencyKey", "retryAfterMs", "field",
/// "platform" and "details" (code-specific
/// data, e.g. "resetAt", the last post seen by a wait that timed out). On success writes an
/// owned string to `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_error_to_json(
    error: *const aether_error,
    out_json: *mut *mut c_char,
    out_error: *mut *mut aether_error,
) -> aether_status {
    boundary(out_error, || {
        // SAFETY: NULL or a live error, by the header's conventions.
        let error = unsafe { crate::ffi::ref_arg(error, "error") }?;
        write_json(&error.error.to_json(), out_json)
    })
}
