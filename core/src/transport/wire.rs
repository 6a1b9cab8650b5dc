//! One attempt on the wire: the HTTP request built from an [`ApiRequest`] and the attempt's
//! ids, the answer's body read within the size limit, and a failure told apart as `TLS_ERROR`
//! or `NETWORK_ERROR` (connecting, or after).

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};

use super::clients::Body;
use super::header_names as names;
use super::request::{self, RequestBody};
use super::timeouts::{self, Progress};
use super::{connector, steer, tls, ApiRequest, AttemptHeaders, TlsSettings};
use crate::error::{Error, Result};

/// The HTTP request of one attempt of `request` to `uri`: its headers, the attempt's ids, and
/// its body (`progress`: watched for stalls, an upload part).
pub(super) fn http_request(
    request: &ApiRequest,
    uri: &hyper::Uri,
    ids: &AttemptHeaders<'_>,
    progress: Option<&Progress>,
) -> Result<hyper::Request<Body>> {
    let mut headers = HeaderMap::with_capacity(request.headers.len() + 6);
    for (name, value) in &request.headers {
        headers.append(name, value.clone());
    }
    if let Some(key) = ids.idempotency_key {
        headers.insert(names::IDEMPOTENCY_KEY, key.clone());
    }
    headers.insert(
        names::CLIENT_REQUEST_ID,
        HeaderValue::from_str(ids.client_request_id)
            .map_err(|_| Error::protocol("the client request id is not a header value"))?,
    );
    steer::headers(&mut headers, ids.traceparent, ids.retry_count.as_ref());
    let body: Body = match &request.body {
        RequestBody::Empty => full_body(Bytes::new()),
        RequestBody::Bytes { bytes, content_type } => {
            headers.insert(CONTENT_TYPE, content_type.clone());
            match progress {
                Some(progress) => {
                    headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
                    timeouts::watched_body(bytes.clone(), progress.clone())
                }
                None => full_body(bytes.clone()),
            }
        }
        RequestBody::Multipart(parts) => {
            let (bytes, content_type) = request::multipart(parts)?;
            headers.insert(CONTENT_TYPE, content_type);
            full_body(bytes)
        }
    };
    let mut http_request = hyper::Request::new(body);
    *http_request.method_mut() = request.method.clone();
    *http_request.uri_mut() = uri.clone();
    *http_request.headers_mut() = headers;
    Ok(http_request)
}

/// A body of these bytes, sent with their length.
pub(super) fn full_body(bytes: Bytes) -> Body {
    use http_body_util::BodyExt;
    http_body_util::Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// Reads a body, refusing more than `max_bytes` (`PROTOCOL_ERROR`).
pub(super) async fn read_capped(
    tls: &TlsSettings,
    mut body: hyper::body::Incoming,
    max_bytes: usize,
    status: u16,
    headers: &HeaderMap,
) -> Result<Bytes> {
    use http_body_util::BodyExt;
    let too_large = || {
        let mut error = Error::protocol(format!(
            "the response body is larger than the limit of {max_bytes} bytes"
        ))
        .with_status(status);
        if let Some(id) = headers.get(names::REQUEST_ID).and_then(|v| v.to_str().ok()) {
            error = error.with_request_id(id);
        }
        error
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_bytes as u64) {
        return Err(too_large());
    }
    let mut collected = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| network_error(tls, e, false, "reading the response body"))?;
        let Ok(chunk) = frame.into_data() else { continue };
        if collected.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(collected.freeze())
}

/// A request that got no answer: see [`network_error`].
pub(super) fn sending_error(tls: &TlsSettings, error: hyper_util::client::legacy::Error) -> Error {
    let connecting = error.is_connect();
    network_error(tls, error, connecting, "sending")
}

/// Classifies an HTTP failure: `TLS_ERROR` when the TLS layer failed, else `NETWORK_ERROR`
/// (`connecting`: while the connection was being made).
fn network_error(
    tls: &TlsSettings,
    error: impl std::error::Error + Send + Sync + 'static,
    connecting: bool,
    while_doing: &str,
) -> Error {
    if let Some(tls_error) = tls::tls_error(tls, &error) {
        return tls_error.with_source(error);
    }
    let timed_out =
        connecting && crate::error::causes(&error).any(|e| e.is::<connector::ConnectTimedOut>());
    let what = if timed_out {
        "could not connect within the connect timeout".to_owned()
    } else if connecting {
        "could not connect to the server".to_owned()
    } else {
        format!("the connection failed while {while_doing}")
    };
    let detail = std::error::Error::source(&error).map(|s| format!(" ({s})")).unwrap_or_default();
    Error::network(format!("{what}{detail}")).with_source(error)
}
