//! A loopback file server inside the emulator, for media-by-URL tests: a test stores bytes with
//! the admin API and gets a URL the emulator itself (and the SDK's preflight) can fetch, with
//! range requests and the failures a real CDN shows. Every test talks to the emulator only.
//!
//! - `PUT /_mock/files/{name}` (admin): the body is the file; `Content-Type` (or the query's
//!   `contentType`) is what it is served as (default `application/octet-stream`). `?freeBox=N`
//!   inserts an MP4 `free` box of N bytes after the first top-level box, to make a big file
//!   whose facts sit in a few KiB (so a test can show that a probe read only those). Answers
//!   201 `{ name, url, size, contentType, requests, rangeRequests, bytesServed }`.
//! - `GET /_mock/files/{name}` (admin): the same object; the counters say how often the file was
//!   fetched and how many body bytes were sent.
//! - `GET /mock-files/{name}` (no authentication, like a signed URL): the file, with single
//!   `Range: bytes=a-b | a- | -n` requests answered 206 (416 when unsatisfiable). The query
//!   turns it into a misbehaving server: `status=N` answers N; `stallMs=N` waits N ms before
//!   answering; `redirects=N` redirects N times (302) before serving; `redirectLoop=true`
//!   redirects to itself forever; `redirectTo=URL` redirects there; `contentType=T` serves as T;
//!   `ignoreRange=true` answers 200 with the whole file to a range request; `chunked=true`
//!   sends it without `Content-Length` (chunked encoding); `declaredSize=N`
//!   serves N zero bytes (any name, nothing stored) — a huge file without the memory. An
//!   unknown name is 404.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api_error::{ApiError, ApiResult};
use crate::state::{Part, SharedState};

/// The largest file the admin API stores, in bytes (with its `free` box).
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;
/// The longest stall a file URL accepts, in ms.
pub const MAX_STALL_MS: u64 = 120_000;

#[derive(Debug, Clone)]
struct MockFile {
    bytes: Bytes,
    content_type: String,
    requests: u64,
    range_requests: u64,
    bytes_served: u64,
}

#[derive(Debug, Default)]
struct MockFiles {
    files: HashMap<String, MockFile>,
}

impl Part for MockFiles {}

pub fn routes() -> Router<SharedState> {
    Router::new().route("/mock-files/{name}", get(serve))
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new().route(
        "/_mock/files/{name}",
        get(stats).put(store).layer(DefaultBodyLimit::max(MAX_FILE_BYTES)),
    )
}

fn check_name(name: &str) -> ApiResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "name",
            format!(
                "file name {name:?}: use 1–200 letters, digits, '.', '_' or '-', e.g. clip.mp4"
            ),
        ))
    }
}

fn describe(state: &SharedState, name: &str, file: &MockFile) -> Value {
    json!({
        "name": name,
        "url": format!("{}/mock-files/{name}", state.base_url.trim_end_matches('/')),
        "size": file.bytes.len(),
        "contentType": file.content_type,
        "requests": file.requests,
        "rangeRequests": file.range_requests,
        "bytesServed": file.bytes_served,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StoreQuery {
    content_type: Option<String>,
    free_box: Option<u32>,
}

async fn store(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    Query(query): Query<StoreQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_name(&name)?;
    let header_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let content_type = query
        .content_type
        .as_deref()
        .or(header_type)
        .unwrap_or("application/octet-stream")
        .to_owned();
    let bytes = match query.free_box {
        Some(size) => with_free_box(&body, size)?,
        None => body,
    };
    let file = MockFile { bytes, content_type, requests: 0, range_requests: 0, bytes_served: 0 };
    let described = describe(&state, &name, &file);
    state.store().part::<MockFiles>().files.insert(name, file);
    Ok((StatusCode::CREATED, Json(described)).into_response())
}

/// `body` with a `free` box of `size` bytes (header included) after its first top-level box.
fn with_free_box(body: &Bytes, size: u32) -> ApiResult<Bytes> {
    let first = body.get(..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let first = first.filter(|len| *len >= 8 && *len <= body.len()).ok_or_else(|| {
        ApiError::invalid("freeBox", "freeBox needs an MP4 body (it starts with a sized box)")
    })?;
    if size < 8 || size as usize > MAX_FILE_BYTES {
        return Err(ApiError::invalid("freeBox", format!("freeBox is 8–{MAX_FILE_BYTES} bytes")));
    }
    let mut out = Vec::with_capacity(body.len() + size as usize);
    out.extend_from_slice(&body[..first]);
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(b"free");
    out.resize(out.len() + size as usize - 8, 0);
    out.extend_from_slice(&body[first..]);
    Ok(Bytes::from(out))
}

async fn stats(
    State(state): State<SharedState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    let file = store.part::<MockFiles>().files.get(&name).cloned();
    drop(store);
    let file = file.ok_or_else(|| ApiError::not_found("file", &name))?;
    Ok(Json(describe(&state, &name, &file)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServeQuery {
    status: Option<u16>,
    stall_ms: Option<u64>,
    redirects: Option<u32>,
    redirect_loop: Option<bool>,
    redirect_to: Option<String>,
    content_type: Option<String>,
    ignore_range: Option<bool>,
    declared_size: Option<u64>,
    chunked: Option<bool>,
}

async fn serve(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    Query(query): Query<ServeQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(ms) = query.stall_ms {
        tokio::time::sleep(Duration::from_millis(ms.min(MAX_STALL_MS))).await;
    }
    if let Some(status) = query.status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, [(header::CONTENT_TYPE, "text/plain")], "forced by the query")
            .into_response();
    }
    if let Some(to) = &query.redirect_to {
        return redirect(to);
    }
    if query.redirect_loop == Some(true) {
        return redirect(&format!("/mock-files/{name}?redirectLoop=true"));
    }
    if let Some(n) = query.redirects.filter(|n| *n > 0) {
        return redirect(&format!("/mock-files/{name}?redirects={}", n - 1));
    }
    if let Some(size) = query.declared_size {
        return zeros(size, query.content_type.as_deref());
    }
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut store = state.store();
    let Some(file) = store.part::<MockFiles>().files.get_mut(&name) else {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain")], "no such file")
            .into_response();
    };
    file.requests += 1;
    let content_type = query.content_type.unwrap_or_else(|| file.content_type.clone());
    let total = file.bytes.len() as u64;
    let wanted = range.filter(|_| query.ignore_range != Some(true)).map(|r| parse_range(&r, total));
    let (status, body, content_range) = match wanted {
        None => (StatusCode::OK, file.bytes.clone(), None),
        Some(None) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            let value = HeaderValue::from_str(&format!("bytes */{total}"));
            if let Ok(value) = value {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return response;
        }
        Some(Some((start, end))) => {
            file.range_requests += 1;
            let body = file.bytes.slice(start as usize..=end as usize);
            (StatusCode::PARTIAL_CONTENT, body, Some(format!("bytes {start}-{end}/{total}")))
        }
    };
    file.bytes_served += body.len() as u64;
    drop(store);
    let mut response = if query.chunked == Some(true) {
        // A stream of unknown length: no Content-Length, so hyper sends it chunked.
        let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(body)]);
        (status, Body::from_stream(stream)).into_response()
    } else {
        (status, body).into_response()
    };
    let out = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        out.insert(header::CONTENT_TYPE, value);
    }
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(value) = content_range.and_then(|r| HeaderValue::from_str(&r).ok()) {
        out.insert(header::CONTENT_RANGE, value);
    }
    response
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// `size` zero bytes, streamed, with their `Content-Length`.
fn zeros(size: u64, content_type: Option<&str>) -> Response {
    const CHUNK: u64 = 64 * 1024;
    let chunks = futures_util::stream::unfold(size, |left| async move {
        (left > 0).then(|| {
            let n = left.min(CHUNK);
            (Ok::<_, std::io::Error>(Bytes::from(vec![0u8; n as usize])), left - n)
        })
    });
    let mut response = Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    let kind = content_type.and_then(|t| HeaderValue::from_str(t).ok());
    headers.insert(
        header::CONTENT_TYPE,
        kind.unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    response
}

/// One `bytes=` range of a `total`-byte file as inclusive offsets; `None` when unsatisfiable.
/// Several ranges are answered with the first one.
fn parse_range(value: &str, total: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?.split(',').next()?.trim();
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (total.checked_sub(n.min(total))?, total.checked_sub(1)?)
        }
        (start, "") => (start.parse().ok()?, total.checked_sub(1)?),
        (start, end) => (start.parse().ok()?, end.parse::<u64>().ok()?.min(total.checked_sub(1)?)),
    };
    (start <= end && end < total && total > 0).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_http_says() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=-5000", 1000), Some((0, 999)));
        assert_eq!(parse_range("bytes=990-5000", 1000), Some((990, 999)));
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }

    #[test]
    fn a_free_box_goes_after_the_first_box() {
        let mp4 = Bytes::from_static(b"\0\0\0\x08ftyp\0\0\0\x08moov");
        let padded = with_free_box(&mp4, 16).unwrap();
        assert_eq!(&padded[8..16], b"\0\0\0\x10free");
        assert_eq!(&padded[24..], b"\0\0\0\x08moov");
    }
}
