//! One request as the resources describe it (method, path, body, headers, per-call options)
//! and the response they get back.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::Method;
use serde::Serialize;

use crate::error::{Error, RateLimit, Result};

/// Options of one call, overriding the client's: set them on a resource with
/// `client.posts().with_options(..)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Bound on the whole call, all attempts and waits included.
    pub timeout: Option<Duration>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// Bound on each attempt (connect, send, the whole answer); one that passes it is retried
    /// within [`RequestOptions::timeout`]. Default: the client's.
    pub attempt_timeout: Option<Duration>,
    /// Bound on each connect (TCP and TLS) of the call. Default: the client's. A value other
    /// than the client's uses a connection pool of its own (a few are kept, the least recently
    /// used dropped beyond that), so prefer setting it on the client when all calls want it.
    pub connect_timeout: Option<Duration>,
    /// The `Idempotency-Key` of a POST (1–255 visible ASCII characters); one is generated
    /// when absent. Giving one makes a create safe to repeat across process restarts.
    pub idempotency_key: Option<String>,
    /// Headers added to every attempt of the call (e.g. `X-Trace-Tag`), after the SDK's own.
    /// Refused with `INVALID_ARGUMENT`: the headers the client owns (`Authorization`,
    /// `Idempotency-Key` — use [`RequestOptions::idempotency_key`] —, `X-Client-Request-Id`,
    /// `Content-Type`, `Content-Length`, `Host`, `Transfer-Encoding`, `Connection`).
    pub extra_headers: Vec<(String, String)>,
    /// Query parameters added to the call's URL, after the SDK's own.
    pub extra_query: Vec<(String, String)>,
    /// Where the call leaves the status and headers of its last HTTP response (what the
    /// `*_with_response` methods read).
    pub response_sink: Option<ResponseSink>,
    /// The W3C `traceparent` sent on every attempt
    /// (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`); default: the client's, if any.
    pub traceparent: Option<String>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> RequestOptions {
        RequestOptions::default()
    }

    /// Sets [`RequestOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> RequestOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Sets [`RequestOptions::max_retries`].
    pub fn max_retries(mut self, max_retries: u32) -> RequestOptions {
        self.max_retries = Some(max_retries);
        self
    }

    /// Sets [`RequestOptions::attempt_timeout`].
    pub fn attempt_timeout(mut self, timeout: Duration) -> RequestOptions {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Sets [`RequestOptions::connect_timeout`].
    pub fn connect_timeout(mut self, timeout: Duration) -> RequestOptions {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets [`RequestOptions::idempotency_key`].
    pub fn idempotency_key(mut self, key: impl Into<String>) -> RequestOptions {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Adds a header to [`RequestOptions::extra_headers`].
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> RequestOptions {
        self.extra_headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter to [`RequestOptions::extra_query`].
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> RequestOptions {
        self.extra_query.push((name.into(), value.into()));
        self
    }

    /// Sets [`RequestOptions::response_sink`].
    pub fn response_sink(mut self, sink: ResponseSink) -> RequestOptions {
        self.response_sink = Some(sink);
        self
    }

    /// Sets [`RequestOptions::traceparent`].
    pub fn traceparent(mut self, traceparent: impl Into<String>) -> RequestOptions {
        self.traceparent = Some(traceparent.into());
        self
    }

    /// These options with `other`'s set fields on top (extra headers and query parameters:
    /// these then `other`'s).
    pub fn merged(&self, other: &RequestOptions) -> RequestOptions {
        let joined = |a: &[(String, String)], b: &[(String, String)]| [a, b].concat();
        RequestOptions {
            timeout: other.timeout.or(self.timeout),
            max_retries: other.max_retries.or(self.max_retries),
            attempt_timeout: other.attempt_timeout.or(self.attempt_timeout),
            connect_timeout: other.connect_timeout.or(self.connect_timeout),
            idempotency_key: other.idempotency_key.clone().or_else(|| self.idempotency_key.clone()),
            extra_headers: joined(&self.extra_headers, &other.extra_headers),
            extra_query: joined(&self.extra_query, &other.extra_query),
            response_sink: other.response_sink.clone().or_else(|| self.response_sink.clone()),
            traceparent: other.traceparent.clone().or_else(|| self.traceparent.clone()),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) enum RequestBody {
    Empty,
    Bytes {
        bytes: Bytes,
        content_type: HeaderValue,
    },
    /// `multipart/form-data`, encoded afresh for each attempt from parts kept as [`Bytes`]; the
    /// boundary is new each time, which the server's idempotency fingerprint ignores.
    Multipart(Vec<FormPart>),
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct FormPart {
    name: String,
    bytes: Bytes,
    /// For a file part: its name and content type.
    file: Option<(String, String)>,
}

impl FormPart {
    /// A text field.
    pub fn text(name: &str, value: &str) -> FormPart {
        FormPart { name: name.to_owned(), bytes: Bytes::from(value.to_owned()), file: None }
    }

    /// A file part.
    pub fn file(name: &str, bytes: Bytes, file_name: &str, content_type: &str) -> FormPart {
        FormPart {
            name: name.to_owned(),
            bytes,
            file: Some((file_name.to_owned(), content_type.to_owned())),
        }
    }
}

/// `parts` as a `multipart/form-data` body (RFC 7578) and its `Content-Type`, with a new
/// random boundary. Written here rather than with a crate: the parts are in memory and few, and
/// the whole encoding is the framing below.
pub(super) fn multipart(parts: &[FormPart]) -> Result<(Bytes, HeaderValue)> {
    let bits: u128 = rand::random();
    let boundary = format!("{bits:032x}");
    // As browsers write names (WHATWG HTML, "multipart/form-data encoding algorithm"): no
    // quote or line break can end the parameter or the header.
    let quoted = |text: &str| text.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A");
    let mut body = Vec::with_capacity(parts.iter().map(|p| p.bytes.len() + 200).sum());
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition =
            format!("Content-Disposition: form-data; name=\"{}\"", quoted(&part.name));
        if let Some((file_name, content_type)) = &part.file {
            if HeaderValue::from_str(content_type).is_err() {
                return Err(Error::invalid_argument(format!(
                    "invalid content type {content_type:?}"
                )));
            }
            disposition +=
                &format!("; filename=\"{}\"\r\nContent-Type: {content_type}", quoted(file_name));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(&part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
        .map_err(|_| Error::protocol("the multipart boundary is not a header value"))?;
    Ok((Bytes::from(body), content_type))
}

/// One API call to send through [`Transport::send`](super::Transport::send): method, path under the base URL, query,
/// body, extra headers and options. The body is kept as [`Bytes`] so every retry resends it
/// without copying.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) body: RequestBody,
    pub(super) headers: HeaderMap,
    pub(super) options: RequestOptions,
    pub(super) secret_in_response: bool,
    /// Abandon an attempt whose body makes no progress (and that gets no answer) this long.
    pub(super) stall_timeout: Option<Duration>,
}

impl ApiRequest {
    /// A request for `path` (e.g. `/v1/posts`, segments already percent-encoded).
    pub fn new(method: Method, path: impl Into<String>) -> ApiRequest {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: RequestBody::Empty,
            headers: HeaderMap::new(),
            options: RequestOptions::default(),
            secret_in_response: false,
            stall_timeout: None,
        }
    }

    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::GET, path)
    }

    /// A POST to `path`.
    pub fn post(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::POST, path)
    }

    /// A PATCH of `path`.
    pub fn patch(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::PATCH, path)
    }

    /// A PUT to `path`.
    pub fn put(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::PUT, path)
    }

    /// A DELETE of `path`.
    pub fn delete(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::DELETE, path)
    }

    /// Adds a query parameter (encoded when sent).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> ApiRequest {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body. Fails with `INVALID_ARGUMENT` if `body` cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<ApiRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_argument(format!("the request body cannot be serialized: {e}"))
        })?;
        self.body = RequestBody::Bytes {
            bytes: Bytes::from(bytes),
            content_type: HeaderValue::from_static("application/json"),
        };
        Ok(self)
    }

    /// Sets a raw body with its content type (e.g. an upload part).
    pub fn bytes(mut self, bytes: impl Into<Bytes>, content_type: &str) -> Result<ApiRequest> {
        let content_type = HeaderValue::from_str(content_type).map_err(|_| {
            Error::invalid_argument(format!("invalid content type {content_type:?}"))
        })?;
        self.body = RequestBody::Bytes { bytes: bytes.into(), content_type };
        Ok(self)
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(mut self, parts: Vec<FormPart>) -> ApiRequest {
        self.body = RequestBody::Multipart(parts);
        self
    }

    /// Adds a header (e.g. `X-Part-Crc32c`). `Authorization` is set by the transport.
    pub fn header(mut self, name: &str, value: &str) -> Result<ApiRequest> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_argument(format!("invalid header name {name:?}")))?;
        if name == AUTHORIZATION {
            return Err(Error::invalid_argument("the Authorization header is set by the client"));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_argument(format!("invalid value for header {name}")))?;
        self.headers.append(name, value);
        Ok(self)
    }

    /// Marks a request whose successful response carries a secret (a new webhook's signing
    /// secret): if that body cannot be decoded, the error says where, but quotes none of it.
    pub fn secret_in_response(mut self) -> ApiRequest {
        self.secret_in_response = true;
        self
    }

    /// Watches a raw body ([`ApiRequest::bytes`]) as it is sent: an attempt that sends nothing
    /// and hears nothing for `stall` is abandoned and retried. Upload parts use it; such a
    /// request goes without the default attempt timeout (an explicit one still applies).
    pub fn stall_timeout(mut self, stall: Duration) -> ApiRequest {
        self.stall_timeout = Some(stall);
        self
    }

    /// Sets the options of this call (on top of the client's).
    pub fn options(mut self, options: RequestOptions) -> ApiRequest {
        self.options = options;
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path under the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A successful response: the decoded body plus what the headers said.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// The HTTP status (2xx).
    pub status: u16,
    /// `X-Request-Id`.
    pub request_id: Option<String>,
    /// The rate-limit headers.
    pub rate_limit: Option<RateLimit>,
    /// `Retry-After` on a success: the server's hint for the next poll.
    pub retry_after: Option<Duration>,
    /// `Idempotent-Replayed: true`: the server replayed the first response to this key.
    pub replayed: bool,
    /// The id the client gave this call (`X-Client-Request-Id`, `creq_…`).
    pub client_request_id: String,
    /// The `Idempotency-Key` the call sent, if any.
    pub idempotency_key: Option<String>,
    /// Every header of the response (look-ups ignore case: [`Response::header`]).
    pub headers: HeaderMap,
}

impl<T> Response<T> {
    /// The same response with another body.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            status: self.status,
            request_id: self.request_id,
            rate_limit: self.rate_limit,
            retry_after: self.retry_after,
            replayed: self.replayed,
            client_request_id: self.client_request_id,
            idempotency_key: self.idempotency_key,
            headers: self.headers,
        }
    }

    /// The value of header `name` (any case), when it is present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The same response without its body: what a [`ResponseSink`] keeps.
    pub fn meta(&self) -> Response<()> {
        Response {
            data: (),
            status: self.status,
            request_id: self.request_id.clone(),
            rate_limit: self.rate_limit,
            retry_after: self.retry_after,
            replayed: self.replayed,
            client_request_id: self.client_request_id.clone(),
            idempotency_key: self.idempotency_key.clone(),
            headers: self.headers.clone(),
        }
    }
}

/// What a path segment keeps as it is: RFC 3986's unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes one path segment (an id, a media key with `/`).
pub fn encode_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    push_segment(&mut encoded, segment);
    encoded
}

/// Appends `segment` percent-encoded to `path` (as [`encode_segment`], without its `format!`).
pub(crate) fn push_segment(path: &mut String, segment: &str) {
    path.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
}

/// Where a call leaves the status and headers of its last successful HTTP response. Clones
/// share the slot. A call that makes several requests (a create whose preflight reads
/// capabilities, an upload) leaves its last one.
#[derive(Clone, Default)]
pub struct ResponseSink(Arc<Mutex<Option<Response<()>>>>);

impl ResponseSink {
    /// An empty sink.
    pub fn new() -> ResponseSink {
        ResponseSink::default()
    }

    /// The response left so far, emptying the sink.
    pub fn take(&self) -> Option<Response<()>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    pub(super) fn put(&self, response: Response<()>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(response);
    }

    /// `data` with the response left in the sink; `PROTOCOL_ERROR` if the call left none
    /// (it made no request).
    pub fn into_response<T>(self, data: T) -> Result<Response<T>> {
        self.take().map(|meta| meta.map(|()| data)).ok_or_else(|| {
            Error::protocol("the call completed without an HTTP response to describe")
        })
    }
}

impl fmt::Debug for ResponseSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseSink")
    }
}

/// Two sinks are equal when they are the same slot.
impl PartialEq for ResponseSink {
    fn eq(&self, other: &ResponseSink) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ResponseSink {}
