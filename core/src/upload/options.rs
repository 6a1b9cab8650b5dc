//! [`UploadSettings`] (plain data) and [`UploadOptions`] (those, with the callbacks and the
//! cancel token): what the caller asks of an upload, its limits and its checks.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use serde::{Deserialize, Serialize};

use super::progress::{ProgressBarrier, ProgressCallback, UploadProgress};
use crate::error::{Error, Result};
use crate::model::{Platform, ProfileCapabilities, Tier};
use crate::settings::{as_millis, names, positive_millis, whole, Spelling};

pub(super) const MIB: u64 = 1024 * 1024;
/// Parts in flight at once unless [`UploadSettings::parallelism`] says otherwise.
pub const DEFAULT_PARALLELISM: usize = 4;
/// Most parts in flight at once.
pub const MAX_PARALLELISM: usize = 64;
/// Largest source sent in one `POST /v1/media` by default.
pub const DEFAULT_SINGLE_SHOT_THRESHOLD: u64 = 8 * MIB;
/// Largest body `POST /v1/media` accepts; a larger threshold is lowered to it.
pub const MAX_SINGLE_SHOT_BYTES: u64 = 64 * MIB;
/// How long a part may send nothing and hear nothing before it is abandoned and sent again,
/// unless [`UploadSettings::stall_timeout_ms`] says otherwise.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Smallest part size the server accepts.
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// Largest part size the server accepts.
pub const MAX_PART_SIZE: u64 = 64 * MIB;

/// The data half of an upload's options, as plain data: what a binding passes straight through
/// (Node's JSON, Python's keyword arguments, C's struct). Every field is optional, `None`
/// meaning the core's default; [`UploadSettings::defaults`] shows them. Checked when the upload
/// starts, with messages spelled for [`UploadSettings::spelling`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadSettings {
    /// The file name the media gets (default: the path's file name; for readers and bytes,
    /// `upload.<ext>` from the mime type — one of the two must be given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The mime type (default: from the file name's extension, else from the file's magic
    /// bytes when it is a path, else `application/octet-stream`, which the server refuses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Platforms whose media rules the file must pass before anything is sent (default: none).
    /// Each must be a platform this SDK knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Vec<Platform>>,
    /// The account tier the rules are checked for (default `standard`; TikTok creators may
    /// post longer videos). An unknown tier is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Profiles the media is for (default: none). Each account's capabilities
    /// (`GET /v1/profiles/{id}/capabilities`, cached per client for a minute) and its
    /// platform's rules for its tier are checked before anything is sent: a video longer than
    /// the account may post is `VIDEO_TOO_LONG` with the account's figures. An unknown profile
    /// is `NOT_FOUND`; when the capabilities cannot be read (network, 5xx) that check is
    /// skipped, as the server checks them when the post is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_ids: Option<Vec<String>>,
    /// Part size to ask the server for, in bytes (5–64 MiB); the server decides (default 8 MiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_size: Option<i64>,
    /// Parts in flight at once (default 4, 1–64). Memory is bounded by this × the part size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i64>,
    /// Sources up to this many bytes go in one request (default 8 MiB; a larger value is
    /// lowered to 64 MiB; 0 makes every upload chunked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_shot_threshold: Option<i64>,
    /// Where to keep a [`super::ResumeState`] so that another process can continue the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume_state_file: Option<PathBuf>,
    /// How long a part may make no progress (no byte of it goes out, no answer comes) before
    /// the attempt is abandoned and the part sent again, in milliseconds (default 30 s; more
    /// than 0). The upload goes on: parts are checksummed and a re-sent one replaces the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stall_timeout_ms: Option<f64>,
    /// Also compute the whole file's SHA-256 and have the server check it (default `false`).
    /// Integrity does not need it: every part carries its CRC32C and `complete` the whole
    /// file's, combined from the parts' without a second read. When on, the SHA-256 is computed
    /// by the one sequential reader of the bytes (no extra read of a file) and sent at
    /// `complete` (or as `X-Content-Sha256` on the single shot); the media then has `sha256`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<bool>,
    /// How messages name these settings.
    #[serde(skip)]
    pub spelling: Spelling,
}

impl UploadSettings {
    /// The core's defaults, every defaulted field set.
    pub fn defaults() -> UploadSettings {
        UploadSettings {
            platforms: Some(Vec::new()),
            profile_ids: Some(Vec::new()),
            tier: Some(Tier::Standard),
            parallelism: Some(DEFAULT_PARALLELISM as i64),
            single_shot_threshold: Some(DEFAULT_SINGLE_SHOT_THRESHOLD as i64),
            stall_timeout_ms: Some(as_millis(DEFAULT_STALL_TIMEOUT)),
            sha256: Some(false),
            ..UploadSettings::default()
        }
    }

    /// The same settings, with messages spelled for `spelling`.
    pub fn spelled(mut self, spelling: Spelling) -> UploadSettings {
        self.spelling = spelling;
        self
    }

    /// Every check, one message per fault, and the defaults filled in.
    pub fn check(&self) -> Result<()> {
        self.resolved().map(drop)
    }

    fn resolved(&self) -> Result<Checked> {
        let s = self.spelling;
        let platforms = self.platforms.clone().unwrap_or_default();
        if let Some(unknown) = platforms.iter().find(|p| p.is_unknown()) {
            let name = s.name(&names::PLATFORMS);
            return Err(Error::invalid_argument(format!(
                "{name} names {:?}, which is not a platform this SDK knows; use {}",
                unknown.as_str(),
                Platform::ALL
                    .iter()
                    .map(|p| format!("{:?}", p.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_field(name));
        }
        if let Some(index) = self.profile_ids.iter().flatten().position(|id| id.trim().is_empty()) {
            let name = s.name(&names::PROFILE_IDS);
            return Err(Error::invalid_argument(format!(
                "{name} has an empty id at index {index}; give the id of a connected profile"
            ))
            .with_field(name));
        }
        let tier = self.tier.clone().unwrap_or(Tier::Standard);
        if tier.is_unknown() {
            let name = s.name(&names::TIER);
            return Err(Error::invalid_argument(format!(
                "{name} is {:?}; use \"standard\" or \"creator\"",
                tier.as_str()
            ))
            .with_field(name));
        }
        let part_size = whole::<u64>(
            s,
            &names::PART_SIZE,
            self.part_size,
            MIN_PART_SIZE as i64..=MAX_PART_SIZE as i64,
            || {
                format!(
                    "the server accepts {MIN_PART_SIZE} (5 MiB) to {MAX_PART_SIZE} (64 MiB) bytes"
                )
            },
        )?;
        let parallelism = whole::<usize>(
            s,
            &names::PARALLELISM,
            self.parallelism,
            1..=MAX_PARALLELISM as i64,
            || format!("it must be 1–{MAX_PARALLELISM}"),
        )?;
        let single_shot_threshold = whole::<u64>(
            s,
            &names::SINGLE_SHOT_THRESHOLD,
            self.single_shot_threshold,
            0..=i64::MAX,
            || "it must be a number of bytes ≥ 0".to_owned(),
        )?;
        let stall_timeout = positive_millis(s, &names::STALL_TIMEOUT, self.stall_timeout_ms)?;
        Ok(Checked {
            file_name: self.file_name.clone(),
            mime_type: self.mime_type.clone(),
            platforms,
            tier,
            part_size,
            parallelism: parallelism.unwrap_or(DEFAULT_PARALLELISM),
            single_shot_threshold: single_shot_threshold.unwrap_or(DEFAULT_SINGLE_SHOT_THRESHOLD),
            resume_state_file: self.resume_state_file.clone(),
            capabilities: Vec::new(),
            stall_timeout: stall_timeout.unwrap_or(DEFAULT_STALL_TIMEOUT),
            sha256: self.sha256.unwrap_or(false),
            on_progress: None,
            progress_barrier: None,
            cancel: None,
        })
    }
}

/// How [`crate::media::MediaResource::upload`] uploads: the [`UploadSettings`] (plain data)
/// and, beside them, the callbacks and the cancel token. `UploadOptions::default()` uploads
/// with a name and type taken from the path, no preflight, 4 parts in parallel, and the single
/// shot up to 8 MiB.
#[derive(Clone, Default)]
pub struct UploadOptions {
    /// The plain-data settings.
    pub settings: UploadSettings,
    /// Told about progress; see the module documentation for when.
    pub on_progress: Option<ProgressCallback>,
    /// For a callback that hands events to another thread (a binding's interpreter): awaited
    /// right before the server is asked to make the media (the single request, or `complete`),
    /// so the callback has seen every event by then — and if handling one cancelled the
    /// upload, the upload stops there and its session is aborted instead of completed.
    pub progress_barrier: Option<ProgressBarrier>,
    /// Cancels the upload (`CANCELLED`) and aborts its session on the server.
    pub cancel: Option<CancellationToken>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("settings", &self.settings)
            .field("on_progress", &self.on_progress.as_ref().map(|_| "<callback>"))
            .field("progress_barrier", &self.progress_barrier.as_ref().map(|_| "<callback>"))
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl From<UploadSettings> for UploadOptions {
    fn from(settings: UploadSettings) -> UploadOptions {
        UploadOptions { settings, ..UploadOptions::default() }
    }
}

impl UploadOptions {
    /// The defaults.
    pub fn new() -> UploadOptions {
        UploadOptions::default()
    }

    /// Sets [`UploadSettings::file_name`].
    pub fn file_name(mut self, name: impl Into<String>) -> UploadOptions {
        self.settings.file_name = Some(name.into());
        self
    }

    /// Sets [`UploadSettings::mime_type`].
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> UploadOptions {
        self.settings.mime_type = Some(mime_type.into());
        self
    }

    /// Adds a platform to preflight against.
    pub fn platform(mut self, platform: Platform) -> UploadOptions {
        self.settings.platforms.get_or_insert_with(Vec::new).push(platform);
        self
    }

    /// Adds a profile the media is for (see [`UploadSettings::profile_ids`]).
    pub fn profile(mut self, profile_id: impl Into<String>) -> UploadOptions {
        self.settings.profile_ids.get_or_insert_with(Vec::new).push(profile_id.into());
        self
    }

    /// Sets [`UploadSettings::tier`].
    pub fn tier(mut self, tier: Tier) -> UploadOptions {
        self.settings.tier = Some(tier);
        self
    }

    /// Sets [`UploadSettings::part_size`].
    pub fn part_size(mut self, bytes: u64) -> UploadOptions {
        self.settings.part_size = Some(i64::try_from(bytes).unwrap_or(i64::MAX));
        self
    }

    /// Sets [`UploadSettings::parallelism`].
    pub fn parallelism(mut self, parts: usize) -> UploadOptions {
        self.settings.parallelism = Some(i64::try_from(parts).unwrap_or(i64::MAX));
        self
    }

    /// Sets [`UploadSettings::single_shot_threshold`].
    pub fn single_shot_threshold(mut self, bytes: u64) -> UploadOptions {
        self.settings.single_shot_threshold = Some(i64::try_from(bytes).unwrap_or(i64::MAX));
        self
    }

    /// Sets [`UploadSettings::stall_timeout_ms`].
    pub fn stall_timeout(mut self, stall: Duration) -> UploadOptions {
        self.settings.stall_timeout_ms = Some(as_millis(stall));
        self
    }

    /// Sets [`UploadSettings::sha256`]: also compute and send the whole file's SHA-256.
    pub fn sha256(mut self, on: bool) -> UploadOptions {
        self.settings.sha256 = Some(on);
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

    /// Sets [`UploadSettings::resume_state_file`].
    pub fn resume_state_file(mut self, path: impl Into<PathBuf>) -> UploadOptions {
        self.settings.resume_state_file = Some(path.into());
        self
    }

    /// The settings checked and filled in, with the callbacks beside them.
    pub(super) fn checked(self) -> Result<Checked> {
        Ok(Checked {
            on_progress: self.on_progress,
            progress_barrier: self.progress_barrier,
            cancel: self.cancel,
            ..self.settings.resolved()?
        })
    }
}

/// An upload's options checked, every default filled in: what the engine reads.
pub(super) struct Checked {
    pub(super) file_name: Option<String>,
    pub(super) mime_type: Option<String>,
    pub(super) platforms: Vec<Platform>,
    pub(super) tier: Tier,
    pub(super) part_size: Option<u64>,
    pub(super) parallelism: usize,
    pub(super) single_shot_threshold: u64,
    pub(super) resume_state_file: Option<PathBuf>,
    /// The capabilities of the profiles named by `profile_ids`, read before the upload.
    pub(super) capabilities: Vec<ProfileCapabilities>,
    pub(super) stall_timeout: Duration,
    /// Whether the whole file's SHA-256 is computed and sent (opt-in).
    pub(super) sha256: bool,
    pub(super) on_progress: Option<ProgressCallback>,
    pub(super) progress_barrier: Option<ProgressBarrier>,
    pub(super) cancel: Option<CancellationToken>,
}

impl Checked {
    /// Whether the source is checked before upload: platforms or profiles were named.
    pub(super) fn preflights(&self) -> bool {
        !self.platforms.is_empty() || !self.capabilities.is_empty()
    }
}

/// Waits for the progress callback to catch up (see [`UploadOptions::progress_barrier`]), then
/// fails `CANCELLED` if the upload was cancelled meanwhile. Checked here, not left to the
/// caller's `select!`, because a request future polled once may already be on its way.
pub(super) async fn settle_progress(options: &Checked) -> Result<()> {
    if let Some(barrier) = &options.progress_barrier {
        barrier().await;
    }
    if options.cancel.as_ref().is_some_and(CancellationToken::is_cancelled) {
        return Err(Error::cancelled("the upload was cancelled"));
    }
    Ok(())
}
