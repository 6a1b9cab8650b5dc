//! [`UploadOptions`]: what the caller asks of an upload, its limits and its checks.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::progress::{ProgressBarrier, ProgressCallback, UploadProgress};
use crate::error::{Error, Result};
use crate::model::{Platform, Tier};

pub(super) const MIB: u64 = 1024 * 1024;
/// Parts in flight at once unless [`UploadOptions::parallelism`] says otherwise.
pub const DEFAULT_PARALLELISM: usize = 4;
/// Most parts in flight at once.
pub const MAX_PARALLELISM: usize = 64;
/// Largest source sent in one `POST /v1/media` by default.
pub const DEFAULT_SINGLE_SHOT_THRESHOLD: u64 = 8 * MIB;
/// Largest body `POST /v1/media` accepts; a larger threshold is lowered to it.
pub const MAX_SINGLE_SHOT_BYTES: u64 = 64 * MIB;
/// Smallest part size the server accepts.
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// Largest part size the server accepts.
pub const MAX_PART_SIZE: u64 = 64 * MIB;

/// How [`crate::media::MediaResource::upload`] uploads. `UploadOptions::default()` uploads
/// with a name and type taken from the path, no preflight, 4 parts in parallel, and the single
/// shot up to 8 MiB.
#[derive(Clone)]
pub struct UploadOptions {
    /// The file name the media gets (default: the path's file name; for readers and bytes,
    /// `upload.<ext>` from the mime type — one of the two must be given).
    pub file_name: Option<String>,
    /// The mime type (default: from the file name's extension, else from the file's magic
    /// bytes when it is a path, else `application/octet-stream`, which the server refuses).
    pub mime_type: Option<String>,
    /// Platforms whose media rules the file must pass before anything is sent (empty: none).
    pub platforms: Vec<Platform>,
    /// The account tier the rules are checked for (TikTok creators may post longer videos).
    pub tier: Tier,
    /// Part size to ask the server for (5–64 MiB); the server decides (default 8 MiB).
    pub part_size: Option<u64>,
    /// Parts in flight at once (default 4, 1–64). Memory is bounded by this × the part size.
    pub parallelism: usize,
    /// Sources up to this size go in one request (default 8 MiB, at most 64 MiB; 0 makes
    /// every upload chunked).
    pub single_shot_threshold: u64,
    /// Told about progress; see the module documentation for when.
    pub on_progress: Option<ProgressCallback>,
    /// For a callback that hands events to another thread (a binding's interpreter): awaited
    /// right before the server is asked to make the media (the single request, or `complete`),
    /// so the callback has seen every event by then — and if handling one cancelled the
    /// upload, the upload stops there and its session is aborted instead of completed.
    pub progress_barrier: Option<ProgressBarrier>,
    /// Cancels the upload (`CANCELLED`) and aborts its session on the server.
    pub cancel: Option<CancellationToken>,
    /// Where to keep a [`ResumeState`] so that another process can continue the upload.
    pub resume_state_file: Option<PathBuf>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            file_name: None,
            mime_type: None,
            platforms: Vec::new(),
            tier: Tier::Standard,
            part_size: None,
            parallelism: DEFAULT_PARALLELISM,
            single_shot_threshold: DEFAULT_SINGLE_SHOT_THRESHOLD,
            on_progress: None,
            progress_barrier: None,
            cancel: None,
            resume_state_file: None,
        }
    }
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("platforms", &self.platforms)
            .field("tier", &self.tier)
            .field("part_size", &self.part_size)
            .field("parallelism", &self.parallelism)
            .field("single_shot_threshold", &self.single_shot_threshold)
            .field("on_progress", &self.on_progress.as_ref().map(|_| "<callback>"))
            .field("progress_barrier", &self.progress_barrier.as_ref().map(|_| "<callback>"))
            .field("cancel", &self.cancel)
            .field("resume_state_file", &self.resume_state_file)
            .finish()
    }
}

impl UploadOptions {
    /// The defaults.
    pub fn new() -> UploadOptions {
        UploadOptions::default()
    }

    /// Sets [`UploadOptions::file_name`].
    pub fn file_name(mut self, name: impl Into<String>) -> UploadOptions {
        self.file_name = Some(name.into());
        self
    }

    /// Sets [`UploadOptions::mime_type`].
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> UploadOptions {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// Adds a platform to preflight against.
    pub fn platform(mut self, platform: Platform) -> UploadOptions {
        self.platforms.push(platform);
        self
    }

    /// Sets [`UploadOptions::tier`].
    pub fn tier(mut self, tier: Tier) -> UploadOptions {
        self.tier = tier;
        self
    }

    /// Sets [`UploadOptions::part_size`].
    pub fn part_size(mut self, bytes: u64) -> UploadOptions {
        self.part_size = Some(bytes);
        self
    }

    /// Sets [`UploadOptions::parallelism`].
    pub fn parallelism(mut self, parts: usize) -> UploadOptions {
        self.parallelism = parts;
        self
    }

    /// Sets [`UploadOptions::single_shot_threshold`].
    pub fn single_shot_threshold(mut self, bytes: u64) -> UploadOptions {
        self.single_shot_threshold = bytes;
        self
    }

    /// Sets [`UploadOptions::on_progress`].
    pub fn on_progress(
        mut self,
        callback: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> UploadOptions {
        self.on_progress = Some(Arc::new(callback));
        self
    }

    /// Sets [`UploadOptions::progress_barrier`].
    pub fn progress_barrier<F>(
        mut self,
        barrier: impl Fn() -> F + Send + Sync + 'static,
    ) -> UploadOptions
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.progress_barrier = Some(Arc::new(move || Box::pin(barrier())));
        self
    }

    /// Sets [`UploadOptions::cancel`].
    pub fn cancel_token(mut self, token: CancellationToken) -> UploadOptions {
        self.cancel = Some(token);
        self
    }

    /// Sets [`UploadOptions::resume_state_file`].
    pub fn resume_state_file(mut self, path: impl Into<PathBuf>) -> UploadOptions {
        self.resume_state_file = Some(path.into());
        self
    }

    pub(super) fn check(&self) -> Result<()> {
        if !(1..=MAX_PARALLELISM).contains(&self.parallelism) {
            return Err(Error::invalid_argument(format!(
                "parallelism is {}; it must be 1–{MAX_PARALLELISM}",
                self.parallelism
            )));
        }
        if let Some(part_size) = self.part_size {
            if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
                return Err(Error::invalid_argument(format!(
                    "part_size is {part_size} bytes; the server accepts {MIN_PART_SIZE} (5 MiB) \
                     to {MAX_PART_SIZE} (64 MiB)"
                )));
            }
        }
        Ok(())
    }
}

/// Waits for the progress callback to catch up (see [`UploadOptions::progress_barrier`]), then
/// fails `CANCELLED` if the upload was cancelled meanwhile. Checked here, not left to the
/// caller's `select!`, because a request future polled once may already be on its way.
pub(super) async fn settle_progress(options: &UploadOptions) -> Result<()> {
    if let Some(barrier) = &options.progress_barrier {
        barrier().await;
    }
    if options.cancel.as_ref().is_some_and(CancellationToken::is_cancelled) {
        return Err(Error::cancelled("the upload was cancelled"));
    }
    Ok(())
}
