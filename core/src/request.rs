//! The escape hatch: any method and path of the API, JSON in and JSON out, through the same
//! transport as the resources (authentication, retries, idempotency keys, timeouts, logs), for
//! endpoints this SDK does not wrap yet. Reached as [`crate::Client::request`] and
//! [`crate::Client::request_with_response`].
//!
//! - `method`: `GET`, `POST`, `PUT`, `PATCH` or `DELETE` (any case).
//! - `path`: a path under the base URL starting with `/` (e.g. `/v1/platforms`); a full URL, a
//!   `//host` path, a `?` or a `#` is `INVALID_ARGUMENT`: the API key is only ever sent to the
//!   base URL, and query parameters go in `query`.
//! - `body`: JSON, not allowed on a GET.
//! - The answer: its JSON; an empty body is `null`; a body that is not `application/json` is
//!   returned as a JSON string of its text. A JSON type that does not parse is
//!   `PROTOCOL_ERROR`.
//! - A POST gets an idempotency key like any create (give one in the options to reuse it).

use reqwest::Method;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::transport::{body_snippet, ApiRequest, RequestOptions, Response, Transport};

/// Sends one request built from its parts; see the module docs.
pub(crate) async fn send(
    transport: &Transport,
    method: &str,
    path: &str,
    body: Option<&Value>,
    query: &[(String, String)],
    options: &RequestOptions,
) -> Result<Response<Value>> {
    let method = parse_method(method)?;
    check_path(path)?;
    let mut request = ApiRequest::new(method.clone(), path).options(options.clone());
    for (name, value) in query {
        request = request.query(name, value);
    }
    if let Some(body) = body {
        if method == Method::GET {
            return Err(Error::invalid_argument(
                "a GET request has no body; pass its parameters as query",
            ));
        }
        request = request.json(body)?;
    }
    let response = transport.send(request).await?;
    let value = decode(&response, &method, path)?;
    Ok(response.map(|_| value))
}

fn parse_method(method: &str) -> Result<Method> {
    let upper = method.to_ascii_uppercase();
    match upper.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" => Ok(Method::from_bytes(upper.as_bytes())
            .map_err(|_| Error::invalid_argument("invalid HTTP method"))?),
        _ => Err(Error::invalid_argument(format!(
            "method {method:?} is not one of GET, POST, PUT, PATCH, DELETE"
        ))),
    }
}

fn check_path(path: &str) -> Result<()> {
    let fault = if path.contains("://") || !path.starts_with('/') {
        Some("must be a path under the base URL starting with '/', not a URL (the API key is only sent to the base URL)")
    } else if path.starts_with("//") {
        Some("must not start with '//' (that names another host)")
    } else if path.contains(['?', '#']) {
        Some("must not contain '?' or '#'; pass query parameters as query")
    } else if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("must not contain spaces or control characters (percent-encode them)")
    } else {
        None
    };
    match fault {
        Some(fault) => Err(Error::invalid_argument(format!("request path {path:?} {fault}"))),
        None => Ok(()),
    }
}

/// The body as JSON: `null` when empty, a string when it is not JSON by its content type.
fn decode(response: &Response<bytes::Bytes>, method: &Method, path: &str) -> Result<Value> {
    if response.data.is_empty() {
        return Ok(Value::Null);
    }
    let json = response
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().split(';').next().unwrap_or("").ends_with("json"));
    if !json {
        return Ok(Value::String(String::from_utf8_lossy(&response.data).into_owned()));
    }
    serde_json::from_slice(&response.data).map_err(|e| {
        let mut error = Error::protocol(format!(
            "{method} {path}: the response is not valid JSON ({e}); it starts with: {}",
            body_snippet(&response.data)
        ))
        .with_status(response.status);
        if let Some(id) = &response.request_id {
            error = error.with_request_id(id.clone());
        }
        error
    })
}
