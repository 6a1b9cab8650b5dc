//! What makes timeouts hold on real networks: the per-attempt bound, the stall watchdog of a
//! streamed request body (upload parts), and the recognition of a kept-alive connection that
//! the server closed while it sat in the pool.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::error::Error;

/// Default bound on one attempt (connect, send, and reading the whole answer).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Size of the slices a watched body is handed to hyper in: progress is seen per slice.
const WATCHED_SLICE: usize = 64 * 1024;

/// The instant one attempt must end by, and whether that is the attempt's own bound (so its
/// passing is retried) rather than the call's deadline (which ends the call).
pub(super) fn attempt_deadline(
    call_deadline: Instant,
    attempt_timeout: Duration,
) -> (Instant, bool) {
    match Instant::now().checked_add(attempt_timeout) {
        Some(at) if at < call_deadline => (at, true),
        _ => (call_deadline, false),
    }
}

/// True when an attempt failed because the server closed the connection before a single byte
/// of the answer arrived: hyper's "connection closed before message completed". On a
/// kept-alive connection this is the race of hyper/#2136: the pool handed out a connection the
/// server was closing as idle. A server that reads a request to its end answers it, so the
/// request was almost certainly never acted on; every POST also carries its idempotency key,
/// which makes a second try safe even if it was.
pub(super) fn is_stale_connection(error: &Error) -> bool {
    crate::error::causes(error)
        .any(|e| e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_incomplete_message))
}

/// When a watched body last made progress, in milliseconds since `start`.
#[derive(Debug, Clone)]
pub(super) struct Progress {
    start: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Progress {
    pub(super) fn new() -> Progress {
        Progress { start: Instant::now(), last_ms: Arc::new(AtomicU64::new(0)) }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Release);
    }

    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last_ms.load(Ordering::Acquire))
    }

    /// Resolves once no progress was seen for `stall`: the request body stopped going out
    /// and no answer came (the caller races this against the exchange).
    pub(super) async fn stalled(&self, stall: Duration) {
        loop {
            let due = self.last() + stall;
            if Instant::now() >= due {
                return;
            }
            tokio::time::sleep_until(due.into()).await;
        }
    }
}

/// `bytes` as a stream of slices, each one taken by hyper marking progress. hyper takes the
/// next slice when it can write it, so a server that stops reading stops the slices (once the
/// socket buffers are full), and a body wholly buffered stops them at its end: either way the
/// watchdog then counts the time without progress.
pub(super) fn watched_body(bytes: Bytes, progress: Progress) -> super::clients::Body {
    use futures_util::TryStreamExt;
    use http_body_util::BodyExt;
    progress.touch();
    let frames = Slices { bytes, progress }.map_ok(hyper::body::Frame::data);
    BodyExt::map_err(http_body_util::StreamBody::new(frames), Into::into).boxed()
}

struct Slices {
    bytes: Bytes,
    progress: Progress,
}

impl futures_util::Stream for Slices {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.bytes.is_empty() {
            return Poll::Ready(None);
        }
        let len = self.bytes.len().min(WATCHED_SLICE);
        let slice = self.bytes.split_to(len);
        self.progress.touch();
        Poll::Ready(Some(Ok(slice)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bytes.len().div_ceil(WATCHED_SLICE);
        (n, Some(n))
    }
}
