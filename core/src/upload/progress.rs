//! Progress events: the public event type and callbacks, and the throttle that calls them.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shortest time between two progress events (the final one is always sent).
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// Where an upload stands, given to [`super::UploadOptions::on_progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UploadProgress {
    /// Bytes the server has acknowledged (or, when resuming, already held).
    pub bytes_sent: u64,
    /// The source's size.
    pub total: u64,
    /// Parts acknowledged (a single-shot upload is one part).
    pub parts_done: u32,
    /// Parts in all.
    pub parts_total: u32,
}

/// A progress callback.
pub type ProgressCallback = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Resolves once every progress event emitted so far has been handled; see
/// [`super::UploadOptions::progress_barrier`].
pub type ProgressBarrier =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> + Send + Sync>;

pub(super) struct Progress {
    pub(super) callback: Option<ProgressCallback>,
    pub(super) state: Mutex<ProgressState>,
}

pub(super) struct ProgressState {
    pub(super) now: UploadProgress,
    pub(super) last_emit: Option<Instant>,
    pub(super) final_sent: bool,
}

impl Progress {
    pub(super) fn new(
        callback: Option<ProgressCallback>,
        total: u64,
        parts_total: u32,
    ) -> Arc<Progress> {
        let now = UploadProgress { bytes_sent: 0, total, parts_done: 0, parts_total };
        Arc::new(Progress {
            callback,
            state: Mutex::new(ProgressState { now, last_emit: None, final_sent: false }),
        })
    }

    /// Emits the first event.
    pub(super) fn start(&self) {
        self.update(|_| {});
    }

    pub(super) fn part_done(&self, bytes: u64) {
        self.update(|p| {
            p.bytes_sent = (p.bytes_sent + bytes).min(p.total);
            p.parts_done = (p.parts_done + 1).min(p.parts_total);
        });
    }

    pub(super) fn update(&self, change: impl FnOnce(&mut UploadProgress)) {
        let Some(callback) = &self.callback else { return };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut state.now);
        let now = state.now;
        let is_final = now.bytes_sent == now.total && now.parts_done == now.parts_total;
        let due = state.last_emit.is_none_or(|at| at.elapsed() >= PROGRESS_INTERVAL);
        if (is_final && !state.final_sent) || (!is_final && due) {
            state.last_emit = Some(Instant::now());
            state.final_sent |= is_final;
            // Called with the lock held, so events are never concurrent or out of order.
            callback(now);
        }
    }
}
