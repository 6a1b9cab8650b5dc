//! The faults of slow and tired networks: a response that stalls mid-body, a request body
//! whose reading stalls (so an upload part makes no progress), and a kept-alive connection the
//! server closes while idle without telling the client (`close_idle`), so that the client's
//! next request on it fails at once with nothing answered.

use std::time::{Duration, Instant};

use axum::body::{Body, BodyDataStream, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::StreamExt;
use http_body_util::BodyExt;

/// Sends the headers (with the full Content-Length) and the first `after_bytes` bytes of the
/// body, waits `ms` real milliseconds, then sends the rest: a response that is complete, but
/// late, so only a client bound on each attempt notices.
pub async fn stall_response(response: Response, after_bytes: u64, ms: u64) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let at = usize::try_from(after_bytes).unwrap_or(usize::MAX).min(bytes.len());
    let (head, tail) = (bytes.slice(..at), bytes.slice(at..));
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(head) })
        .chain(futures_util::stream::once(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(tail)
        }));
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Reads the first `after_bytes` bytes of the request body, then nothing for `ms` real
/// milliseconds, and gives back the whole body (what was read, then the rest) for the handler.
/// While it pauses the server reads nothing more of the socket, so the client's sending stops
/// once the socket buffers are full; and no handler runs yet, so a client that gives up and
/// sends the request again on another connection is served meanwhile (an upload part's slot
/// is not held by the stalled one).
pub async fn stall_body(body: Body, after_bytes: u64, ms: u64) -> Body {
    let prefix = read_prefix(body, after_bytes).await;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    prefix.into_body()
}

/// The body with the byte at offset `at` inverted (the `flip_request_byte` fault).
pub fn flip_byte(body: Body, at: u64) -> Body {
    let mut seen = 0u64;
    Body::from_stream(body.into_data_stream().map(move |chunk| {
        chunk.map(|chunk| {
            let start = seen;
            seen += chunk.len() as u64;
            if !(start..seen).contains(&at) {
                return chunk;
            }
            let mut damaged = chunk.to_vec();
            damaged[usize::try_from(at - start).unwrap_or(0)] ^= 0xFF;
            Bytes::from(damaged)
        })
    }))
}

/// The first `limit` bytes of a request body as they arrived (or all of it, when shorter), and
/// the unread rest: what the faults that act part-way through a body read.
pub struct BodyPrefix {
    received: Vec<Result<Bytes, axum::Error>>,
    pub seen: u64,
    rest: BodyDataStream,
}

impl BodyPrefix {
    /// The whole body again: what was read, then the rest.
    pub fn into_body(self) -> Body {
        Body::from_stream(futures_util::stream::iter(self.received).chain(self.rest))
    }
}

pub async fn read_prefix(body: Body, limit: u64) -> BodyPrefix {
    let mut rest = body.into_data_stream();
    let mut received = Vec::new();
    let mut seen = 0u64;
    while seen < limit {
        match rest.next().await {
            Some(Ok(chunk)) => {
                seen = seen.saturating_add(chunk.len() as u64);
                received.push(Ok(chunk));
            }
            Some(Err(error)) => {
                received.push(Err(error));
                break;
            }
            None => break,
        }
    }
    BodyPrefix { received, seen, rest }
}

/// When a connection given a `close_idle` fault counts as closed by the server: from then on,
/// the next request that arrives on it is dropped unanswered.
#[derive(Debug, Default)]
pub struct IdleClose {
    at: Option<Instant>,
}

impl IdleClose {
    /// The server "closes" the connection once it has been idle `ms` milliseconds from now.
    pub fn arm(&mut self, ms: u64) {
        self.at = Some(Instant::now() + Duration::from_millis(ms));
    }

    /// True when a request arriving now finds the connection closed by the server.
    pub fn is_due(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }
}
