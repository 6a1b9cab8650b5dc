//! `aether_request` (the escape hatch: any method and path, JSON in and JSON out, through the
//! core's transport) and `aether_response`, the status and headers of its HTTP response.

use std::ffi::{c_char, CString};
use std::ptr;

use aether::transport::pairs_from_json;
use aether::{CallOptions, Response, Spelling};
use serde_json::Value;

use crate::client::{aether_client, block_on, client_arg};
use crate::error::aether_error;
use crate::ffi::{
    borrowed_str, boundary, field, free_raw, getter, into_raw, opt_cstring, opt_str_arg, out_arg,
    owned_string, str_arg, write_json, Res,
};
use crate::status::aether_status;

/// The HTTP response of an aether_request(): status, headers, request id. Free it with
/// aether_response_free().
pub struct aether_response {
    status: u16,
    /// Lower-case name, value (several values of one name joined by ", ").
    headers: Vec<(String, CString)>,
    /// Every header as received, for aether_response_headers_to_json().
    pairs: Vec<(String, String)>,
    request_id: Option<CString>,
    idempotency_key: Option<CString>,
    replayed: bool,
}

impl aether_response {
    fn new(response: &Response<Value>) -> aether_response {
        let pairs: Vec<(String, String)> = response
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect();
        let mut joined: Vec<(String, String)> = Vec::new();
        for (name, value) in &pairs {
            match joined.iter_mut().find(|(n, _)| n == name) {
                Some((_, all)) => {
                    all.push_str(", ");
                    all.push_str(value);
                }
                None => joined.push((name.clone(), value.clone())),
            }
        }
        aether_response {
            status: response.status,
            headers: joined.into_iter().map(|(n, v)| (n, crate::ffi::cstring(&v))).collect(),
            pairs,
            request_id: opt_cstring(response.request_id.as_deref()),
            idempotency_key: opt_cstring(response.idempotency_key.as_deref()),
            replayed: response.replayed,
        }
    }
}

/// Sends `method` ("GET", "POST", "PUT", "PATCH" or "DELETE") to `path` (under the base URL,
/// starting with "/", e.g. "/v1/platforms"; a full URL is AETHER_ERROR_INVALID_ARGUMENT: the
/// API key is only sent to the base URL) through the same transport as every call: auth,
/// retries, an idempotency key on a POST, timeouts. For endpoints this library does not wrap.
///
/// - `body_json`: the JSON body, or NULL (none; not allowed with GET).
/// - `query_json`: a JSON object of query parameters ({"limit": 5}; an array repeats the
///   name), or NULL.
/// - `options_json`: the call's options as a JSON object, or NULL: "idempotencyKey",
///   "timeoutMs", "maxRetries", "attemptTimeoutMs", "extraHeaders" ({"X-Tag": "a"}; the
///   headers the client owns, such as Authorization and Idempotency-Key, are refused) and
///   "extraQuery".
///
/// On success writes the response's JSON to `*out_json` (owned: free it with
/// aether_string_free(); "null" when the body is empty, a JSON string when it is not JSON)
/// and, when `out_response` is not NULL, the response's status and headers to
/// `*out_response` (free it with aether_response_free()). An error status fails with its
/// code as every call does. Blocks until done.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn aether_request(
    client: *const aether_client,
    method: *const c_char,
    path: *const c_char,
    body_json: *const c_char,
    query_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    out_response: *mut *mut aether_response,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: NULL or NUL-terminated strings, by the header's conventions.
        let (method, path, body, query, options) = unsafe {
            (
                str_arg(method, "method")?,
                str_arg(path, "path")?,
                opt_str_arg(body_json, "body_json")?,
                opt_str_arg(query_json, "query_json")?,
                opt_str_arg(options_json, "options_json")?,
            )
        };
        let out = out_arg(out_json, "out_json")?;
        let body: Option<Value> = body.map(|b| parse_json(b, "body_json")).transpose()?;
        let query = match query.map(|q| parse_json(q, "query_json")).transpose()? {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(map)) => pairs_from_json(&map, "query_json", true)?,
            Some(_) => return Err(invalid("query_json must be a JSON object")),
        };
        let options = match options {
            None => Default::default(),
            Some(text) => serde_json::from_str::<CallOptions>(text)
                .map_err(|e| invalid(&format!("invalid options_json: {e}")))?
                .spelled(Spelling::Node)
                .resolve()?,
        };
        let response =
            block_on(client.request_with_response(method, path, body.as_ref(), &query, &options))?;
        let text = serde_json::to_string(&response.data)
            .map_err(|e| aether::Error::protocol(format!("could not serialize to JSON: {e}")))?;
        if !out_response.is_null() {
            // SAFETY: not NULL; writable storage for one pointer by the header's conventions.
            unsafe { *out_response = into_raw(aether_response::new(&response)) };
        }
        out.write(owned_string(&text));
        Ok(())
    })
}

fn parse_json(text: &str, what: &str) -> Res<Value> {
    serde_json::from_str(text).map_err(|e| invalid(&format!("{what} is not valid JSON: {e}")))
}

fn invalid(message: &str) -> aether::Error {
    aether::Error::invalid_argument(message)
}

/// The HTTP status of the response (e.g. 200, 201); 0 when `response` is NULL.
#[no_mangle]
pub extern "C" fn aether_response_status(response: *const aether_response) -> u16 {
    field(response, 0, |r| r.status)
}

/// The value of header `name` (any case; several values joined by ", "), or NULL when absent
/// or when an argument is NULL. Borrowed: valid until the response is freed.
#[no_mangle]
pub extern "C" fn aether_response_header(
    response: *const aether_response,
    name: *const c_char,
) -> *const c_char {
    getter(ptr::null(), || {
        // SAFETY: NULL or a NUL-terminated string, by the header's conventions.
        let Ok(name) = (unsafe { str_arg(name, "name") }) else { return ptr::null() };
        let name = name.to_ascii_lowercase();
        borrowed_str(response, |r| {
            r.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_c_str())
        })
    })
}

/// The server's X-Request-Id, or NULL. Borrowed: valid until the response is freed.
#[no_mangle]
pub extern "C" fn aether_response_request_id(response: *const aether_response) -> *const c_char {
    borrowed_str(response, |r| r.request_id.as_deref())
}

/// The Idempotency-Key the call sent (a POST always sends one), or NULL. Borrowed.
#[no_mangle]
pub extern "C" fn aether_response_idempotency_key(
    response: *const aether_response,
) -> *const c_char {
    borrowed_str(response, |r| r.idempotency_key.as_deref())
}

/// True when the server replayed the first answer to this idempotency key.
#[no_mangle]
pub extern "C" fn aether_response_replayed(response: *const aether_response) -> bool {
    field(response, false, |r| r.replayed)
}

/// Every header as a JSON array of [name, value] pairs (lower-case names, in the order
/// received). On success writes an owned string to `*out_json`: free it with
/// aether_string_free().
#[no_mangle]
pub extern "C" fn aether_response_headers_to_json(
    response: *const aether_response,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live response, by the header's conventions.
        let response = unsafe { crate::ffi::ref_arg(response, "response") }?;
        write_json(&response.pairs, out_json)
    })
}

/// Frees a response. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_response_free(response: *mut aether_response) {
    // SAFETY: NULL or a response from this library, not used afterwards.
    getter((), || unsafe { free_raw(response) })
}
