//! The upload engine behind [`crate::media::MediaResource::upload`]: preflight, single-shot or
//! chunked, parallel, checksummed and resumable.
//!
//! # What happens, in order
//! 1. **Preflight.** When [`UploadOptions::platforms`] names platforms and the bytes can be read
//!    twice (a path, or bytes in memory), the file is probed ([`crate::probe`]) and checked
//!    against each platform's media rules (container, codec, duration for the tier, size)
//!    *before a byte is sent*. The first violation is the error (its code, `platform`, field
//!    `file`, `details.measured` / `allowed` / `unit`); `details.violations` lists all of them.
//!    A reader cannot be read twice, so it is not preflighted: the server still verifies it.
//! 2. **Single shot.** A source of at most [`UploadOptions::single_shot_threshold`] bytes
//!    (default 8 MiB) goes in one `POST /v1/media` with `X-File-Name` and `X-Content-Sha256`.
//!    (A file name that cannot travel in a header — non-ASCII — goes chunked instead.)
//! 3. **Chunked.** Otherwise an upload session is opened (`POST /v1/media/uploads`), the parts
//!    are `PUT` with `X-Part-Crc32c` (base64 of the big-endian CRC32C), at most
//!    [`UploadOptions::parallelism`] at a time, and the session is completed with the
//!    whole-file SHA-256, computed *beside* the part uploads (not in a pass before them, which
//!    cost a full read of the file up front): for a path, from the part buffers themselves, in
//!    part order, so the file is read only once; for bytes, on a blocking thread meanwhile; for
//!    a reader, while the parts are read. A resumed session is completed with the hash of
//!    the file as it is now, so the server keeps exactly what is on disk. Each part is retried by the transport's
//!    retry policy (network failures, 5xx, 429 — a part PUT is idempotent), and re-sent once
//!    more if the server reports `CHECKSUM_MISMATCH` (the bytes were damaged on the way).
//!
//! # Sources
//! - [`UploadSource::Path`]: parts are read with positioned reads (`pread`) on blocking
//!   threads, in parallel, each only when its slot is free.
//! - [`UploadSource::Bytes`]: parts are zero-copy slices.
//! - [`UploadSource::Reader`] with a size: parts are read in order, one at a time, each only
//!   when a slot is free, and sent in parallel; the SHA-256 is computed on the way and sent at
//!   completion. The reader must hold exactly `size` bytes (`INVALID_ARGUMENT` otherwise).
//! - A reader of **unknown size**: the API needs the size before the first part, so the reader
//!   is read up to the single-shot threshold; if it ends there it goes in one request, else it
//!   is spooled (256 KiB at a time) to an anonymous temporary file, which is then uploaded like
//!   a path and deleted. Memory stays bounded; disk use is the file's size. Pass the size when
//!   you know it to avoid the copy.
//!
//! # Memory
//! Part buffers are the only large allocations: at most `parallelism` parts are held at once
//! (a part is read only after a slot frees up), and their buffers are reused from part to part
//! rather than freed and allocated again, so memory is bounded by `parallelism × partSize` (the
//! server's part size: 5–64 MiB, default 8 MiB), whatever the file's size (a part's buffer is
//! handed back once the part is sent *and* hashed). (Measured on a 300 MB file with 4 × 8 MiB: the process's peak grows by ~47 MiB,
//! emulator included; see `tests/client_upload_memory.rs`.) The single-shot path holds the
//! whole (small) file once.
//!
//! # Failures, cancellation and resuming
//! - [`UploadOptions::cancel`] stops the upload: in-flight parts are dropped, the session is
//!   aborted on the server (`DELETE /v1/media/uploads/{id}`) and the call fails `CANCELLED`.
//!   Dropping the upload future aborts the session too (from a spawned task), unless a
//!   [`UploadOptions::resume_state_file`] asks to keep it.
//! - Reading the source fails → `IO_ERROR`, and the session is aborted. Any other error that
//!   retrying cannot fix (a 4xx) aborts it as well.
//! - A transient failure that outlived the retries (`NETWORK_ERROR`, `TIMEOUT`, 5xx, 429) keeps
//!   the session so the upload can continue: the error's `details` carry `uploadId` and
//!   `mediaKey`; pass the id to [`crate::media::MediaResource::resume`] with the same source.
//!   Every error raised after the session was opened carries them, with `sessionAborted`.
//! - Resuming asks the server which parts it holds (`GET /v1/media/uploads/{id}`), checks each
//!   one's size and CRC32C against the local bytes, and sends only the missing or different
//!   ones.
//! - With [`UploadOptions::resume_state_file`], the engine writes a [`ResumeState`] (JSON,
//!   atomically: temp file + rename) right after opening the session and deletes it after
//!   completion or abort. An `upload` that finds a state file matching its source (same
//!   canonical path, size and modification time) continues that session instead of starting
//!   over — so a new process continues where a crashed one stopped.
//!
//! # Progress
//! [`UploadOptions::on_progress`] is called with [`UploadProgress`] once at the start, then as
//! parts are acknowledged by the server (or found already there when resuming), at most every
//! [`PROGRESS_INTERVAL`] (50 ms), and always for the final event (`bytes_sent == total`).
//! Events are monotonic and never concurrent; the callback runs on a runtime worker thread and
//! must return quickly. A callback that only queues events for another thread (the Python and
//! Node bindings) pairs with [`UploadOptions::progress_barrier`]: the engine awaits it before
//! the server makes the media, so an exception from handling any event — the final one
//! included — stops a chunked upload before `complete` and aborts its session.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, ErrorCode, Result};
use crate::model::{
    CompleteUploadRequest, CreateUploadRequest, Media, PartReceipt, Platform, Tier, UploadSession,
    UploadState, UploadStatus,
};
use crate::platforms::{rules, Violation};
use crate::probe::{Container, MediaFacts, ProbeError};
use crate::transport::{item_path, ApiRequest, RequestOptions, Transport};

const MIB: u64 = 1024 * 1024;
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
/// Shortest time between two progress events (the final one is always sent).
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);
/// Buffer used to hash and spool sources.
const CHUNK: usize = 256 * 1024;
/// Bound on the `DELETE` that aborts a session after a failure.
const ABORT_TIMEOUT: Duration = Duration::from_secs(10);
/// The mime type sent when neither the options, the extension nor the bytes say.
const FALLBACK_MIME: &str = "application/octet-stream";

// ---------------------------------------------------------------------------------------------
// Sources, options, progress
// ---------------------------------------------------------------------------------------------

/// What to upload.
pub enum UploadSource {
    /// A file on disk: preflighted, hashed in one pass, parts read in parallel with positioned
    /// reads. Its name gives the default file name and mime type.
    Path(PathBuf),
    /// Bytes in memory: preflighted, parts sent as zero-copy slices.
    Bytes(Bytes),
    /// Any async reader, read once, in order. With `size`, exactly that many bytes are read;
    /// without, it is buffered up to the single-shot threshold and spooled to a temporary file
    /// beyond it (see the module documentation).
    Reader {
        /// The bytes.
        reader: Box<dyn AsyncRead + Send + Unpin>,
        /// How many bytes the reader holds, when known.
        size: Option<u64>,
    },
}

impl UploadSource {
    /// A file on disk.
    pub fn path(path: impl Into<PathBuf>) -> UploadSource {
        UploadSource::Path(path.into())
    }

    /// Bytes in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> UploadSource {
        UploadSource::Bytes(bytes.into())
    }

    /// A reader holding exactly `size` bytes.
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static, size: u64) -> UploadSource {
        UploadSource::Reader { reader: Box::new(reader), size: Some(size) }
    }

    /// A reader whose size is not known in advance.
    pub fn reader_unknown_size(reader: impl AsyncRead + Send + Unpin + 'static) -> UploadSource {
        UploadSource::Reader { reader: Box::new(reader), size: None }
    }
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Path(path) => f.debug_tuple("Path").field(path).finish(),
            UploadSource::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            UploadSource::Reader { size, .. } => {
                f.debug_struct("Reader").field("size", size).finish_non_exhaustive()
            }
        }
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> UploadSource {
        UploadSource::Path(path)
    }
}

impl From<&Path> for UploadSource {
    fn from(path: &Path) -> UploadSource {
        UploadSource::Path(path.to_owned())
    }
}

impl From<Bytes> for UploadSource {
    fn from(bytes: Bytes) -> UploadSource {
        UploadSource::Bytes(bytes)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(bytes: Vec<u8>) -> UploadSource {
        UploadSource::Bytes(bytes.into())
    }
}

/// Where an upload stands, given to [`UploadOptions::on_progress`].
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
/// [`UploadOptions::progress_barrier`].
pub type ProgressBarrier =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> + Send + Sync>;

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

    fn check(&self) -> Result<()> {
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

// ---------------------------------------------------------------------------------------------
// Checksums, mime types
// ---------------------------------------------------------------------------------------------

/// The `X-Part-Crc32c` value of `data`: base64 of its CRC32C (Castagnoli) in big-endian byte
/// order. `crc32c_base64(b"hello world") == "yZRlqg=="`.
pub fn crc32c_base64(data: &[u8]) -> String {
    encode_crc32c(crc32c::crc32c(data))
}

fn encode_crc32c(crc: u32) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes())
}

/// The mime type of a file name's extension, for the video and image formats the API
/// stores (and a few it refuses, so the server can say so): `clip.MOV` → `video/quicktime`.
pub fn guess_mime_type(file_name: &str) -> Option<&'static str> {
    let (_, ext) = file_name.rsplit_once('.')?;
    let mime = match ext.to_ascii_lowercase().as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" | "qt" => "video/quicktime",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "m4a" => "audio/mp4",
        "mp3" => "audio/mpeg",
        _ => return None,
    };
    Some(mime)
}

fn container_mime(container: &Container) -> Option<&'static str> {
    Some(match container {
        Container::Mp4 => "video/mp4",
        Container::Mov => "video/quicktime",
        Container::Webm => "video/webm",
        Container::Matroska => "video/x-matroska",
        Container::Jpeg => "image/jpeg",
        Container::Png => "image/png",
        Container::Gif => "image/gif",
        Container::Unknown(_) => return None,
    })
}

fn mime_extension(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        "video/x-matroska" => "mkv",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        _ => "bin",
    }
}

/// Whether `name` can be sent as-is in `X-File-Name`.
fn header_safe(name: &str) -> bool {
    name.bytes().all(|b| (0x20..0x7f).contains(&b))
}

// ---------------------------------------------------------------------------------------------
// Resume state
// ---------------------------------------------------------------------------------------------

/// What [`UploadOptions::resume_state_file`] holds while a chunked upload is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeState {
    /// The upload session (`upl_…`).
    pub upload_id: String,
    /// The media key the file will have.
    pub media_key: String,
    /// The canonical path of the source; `None` for readers and bytes.
    pub path: Option<PathBuf>,
    /// The source's size.
    pub size: u64,
    /// The session's part size.
    pub part_size: u64,
    /// The source file's modification time (RFC 3339); `None` for readers and bytes.
    pub mtime: Option<String>,
}

impl ResumeState {
    /// Reads a state file; `Ok(None)` when there is none or it is not a state file.
    pub fn load(path: &Path) -> Result<Option<ResumeState>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => {
                Err(Error::io(format!("reading the resume state {}: {e}", path.display()), e))
            }
        }
    }

    /// Writes the state atomically: to a temporary file beside `path`, then renamed over it.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |e: io::Error| {
            Error::io(format!("writing the resume state {}: {e}", path.display()), e)
        };
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::invalid_argument(format!("the resume state: {e}")))?;
        let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
        temp_name.push(format!(".{}.tmp", crate::transport::new_idempotency_key()));
        let temp = path.with_file_name(temp_name);
        let written = (|| {
            let mut file = File::create(&temp)?;
            io::Write::write_all(&mut file, &bytes)?;
            file.sync_all()?;
            std::fs::rename(&temp, path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(io(e));
        }
        Ok(())
    }

    /// Deletes a state file; a missing one is fine.
    pub fn remove(path: &Path) {
        if let Err(e) = std::fs::remove_file(path) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(path = %path.display(), error = %e, "could not delete the resume state");
            }
        }
    }
}

/// What identifies a source in a [`ResumeState`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SourceIdentity {
    path: Option<PathBuf>,
    mtime: Option<String>,
}

fn file_identity(path: &Path, metadata: &std::fs::Metadata) -> SourceIdentity {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.to_string());
    SourceIdentity { path: Some(path), mtime }
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

struct Progress {
    callback: Option<ProgressCallback>,
    state: Mutex<ProgressState>,
}

struct ProgressState {
    now: UploadProgress,
    last_emit: Option<Instant>,
    final_sent: bool,
}

impl Progress {
    fn new(callback: Option<ProgressCallback>, total: u64, parts_total: u32) -> Arc<Progress> {
        let now = UploadProgress { bytes_sent: 0, total, parts_done: 0, parts_total };
        Arc::new(Progress {
            callback,
            state: Mutex::new(ProgressState { now, last_emit: None, final_sent: false }),
        })
    }

    /// Emits the first event.
    fn start(&self) {
        self.update(|_| {});
    }

    fn part_done(&self, bytes: u64) {
        self.update(|p| {
            p.bytes_sent = (p.bytes_sent + bytes).min(p.total);
            p.parts_done = (p.parts_done + 1).min(p.parts_total);
        });
    }

    fn update(&self, change: impl FnOnce(&mut UploadProgress)) {
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

// ---------------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------------

/// The bytes being uploaded, once the source has been opened.
enum Data {
    /// Positioned reads (a path, or a spooled reader).
    File(Arc<File>),
    /// Zero-copy slices.
    Bytes(Bytes),
    /// Read in order, once. (In a mutex only so that `&Data` is `Send`, which keeps the upload
    /// future `Send`; it is reached through `get_mut`/`into_inner`, never locked.)
    Reader(Mutex<Box<dyn AsyncRead + Send + Unpin>>),
}

/// A source opened and described.
struct Prepared {
    data: Data,
    size: u64,
    file_name: String,
    mime_type: String,
    /// The whole-file SHA-256 when already known (a spooled reader).
    sha256: Option<String>,
    identity: SourceIdentity,
}

/// The session an upload opened or continued.
#[derive(Debug, Clone)]
struct OpenSession {
    upload_id: String,
    media_key: String,
}

/// Holds the open session while the upload runs; aborts it if the upload future is dropped.
struct SessionSlot {
    transport: Transport,
    options: RequestOptions,
    session: Mutex<Option<OpenSession>>,
    /// Dropping keeps the session (a resume state file wants it kept).
    keep_on_drop: bool,
}

impl SessionSlot {
    fn set(&self, session: OpenSession) {
        *self.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(session);
    }

    fn take(&self) -> Option<OpenSession> {
        self.session.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        let Some(session) = self.take() else { return };
        if self.keep_on_drop {
            return;
        }
        // The upload future was dropped mid-way: abort from a task, since Drop cannot wait.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let (transport, options) = (self.transport.clone(), self.options.clone());
            handle.spawn(async move { abort_session(&transport, &options, &session).await });
        }
    }
}

async fn abort_session(transport: &Transport, options: &RequestOptions, session: &OpenSession) {
    let options = RequestOptions {
        timeout: Some(options.timeout.unwrap_or(ABORT_TIMEOUT).min(ABORT_TIMEOUT)),
        ..options.clone()
    };
    let result = async {
        let path = item_path("/v1/media/uploads", "upload", &session.upload_id)?;
        transport.send_empty(ApiRequest::delete(path).options(options)).await
    }
    .await;
    match result {
        Ok(_) => tracing::debug!(upload_id = %session.upload_id, "upload session aborted"),
        Err(error) => tracing::warn!(
            upload_id = %session.upload_id, %error, "could not abort the upload session"
        ),
    }
}

/// Adds `uploadId`, `mediaKey` and `sessionAborted` to an error's details.
/// Waits for the progress callback to catch up (see [`UploadOptions::progress_barrier`]), then
/// fails `CANCELLED` if the upload was cancelled meanwhile. Checked here, not left to the
/// caller's `select!`, because a request future polled once may already be on its way.
async fn settle_progress(options: &UploadOptions) -> Result<()> {
    if let Some(barrier) = &options.progress_barrier {
        barrier().await;
    }
    if options.cancel.as_ref().is_some_and(CancellationToken::is_cancelled) {
        return Err(Error::cancelled("the upload was cancelled"));
    }
    Ok(())
}

fn with_session_details(error: Error, session: &OpenSession, aborted: bool) -> Error {
    let mut details = match error.details() {
        Some(Value::Object(map)) => map.clone(),
        Some(other) => Map::from_iter([("cause".to_owned(), other.clone())]),
        None => Map::new(),
    };
    details.insert("uploadId".into(), Value::from(session.upload_id.as_str()));
    details.insert("mediaKey".into(), Value::from(session.media_key.as_str()));
    details.insert("sessionAborted".into(), Value::from(aborted));
    error.with_details(Value::Object(details))
}

/// Whether a failed upload keeps its session for a later resume: only when waiting and trying
/// again can help.
fn keeps_session(error: &Error) -> bool {
    error.is_retryable() && *error.code() != ErrorCode::Cancelled
}

/// The upload engine of one media resource: its transport and per-call options.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    pub(crate) transport: Transport,
    pub(crate) options: RequestOptions,
}

impl Engine {
    /// Uploads `source`, or continues the session `resume` with it; cleans up after failures.
    pub(crate) async fn run(
        &self,
        source: UploadSource,
        options: UploadOptions,
        resume: Option<String>,
    ) -> Result<Media> {
        options.check()?;
        let slot = SessionSlot {
            transport: self.transport.clone(),
            options: self.plain_options(),
            session: Mutex::new(None),
            keep_on_drop: options.resume_state_file.is_some(),
        };
        let work = self.upload(source, &options, resume, &slot);
        let result = match &options.cancel {
            None => work.await,
            Some(token) => tokio::select! {
                biased;
                _ = token.cancelled() => Err(Error::cancelled("the upload was cancelled")),
                result = work => result,
            },
        };
        let session = slot.take();
        match (result, session) {
            (Ok(media), _) => {
                if let Some(path) = &options.resume_state_file {
                    ResumeState::remove(path);
                }
                Ok(media)
            }
            (Err(error), None) => Err(error),
            (Err(error), Some(session)) if keeps_session(&error) => {
                tracing::info!(
                    upload_id = %session.upload_id, %error,
                    "the upload failed; its session is kept so it can be resumed"
                );
                Err(with_session_details(error, &session, false))
            }
            (Err(error), Some(session)) => {
                // Spawned, then awaited: the abort still happens if this future is dropped now.
                let (transport, plain) = (self.transport.clone(), self.plain_options());
                let aborting = session.clone();
                let task =
                    tokio::spawn(async move { abort_session(&transport, &plain, &aborting).await });
                let _ = task.await;
                if let Some(path) = &options.resume_state_file {
                    ResumeState::remove(path);
                }
                Err(with_session_details(error, &session, true))
            }
        }
    }

    /// Options for calls that are not POSTs (no idempotency key).
    fn plain_options(&self) -> RequestOptions {
        RequestOptions { idempotency_key: None, ..self.options.clone() }
    }

    /// Options for a POST: the resource's idempotency key, when one was given, suffixed per
    /// step, so that the create, the complete and the single shot never share one.
    fn post_options(&self, step: &str) -> RequestOptions {
        let key = self.options.idempotency_key.as_ref().map(|key| format!("{key}-{step}"));
        RequestOptions { idempotency_key: key, ..self.options.clone() }
    }

    async fn upload(
        &self,
        source: UploadSource,
        options: &UploadOptions,
        resume: Option<String>,
        slot: &SessionSlot,
    ) -> Result<Media> {
        let prepared = prepare(source, options).await?;
        if prepared.size == 0 {
            return Err(Error::invalid_argument("the source is empty; there is nothing to upload"));
        }
        let existing = match resume {
            Some(id) => Some(self.upload_state(&id).await?),
            None => self.state_file_session(&prepared, options).await?,
        };
        let threshold = options.single_shot_threshold.min(MAX_SINGLE_SHOT_BYTES);
        if existing.is_none() && prepared.size <= threshold && header_safe(&prepared.file_name) {
            return self.single_shot(prepared, options).await;
        }
        self.chunked(prepared, options, existing, slot).await
    }

    /// The session a matching resume state file names, if it can still be continued.
    async fn state_file_session(
        &self,
        prepared: &Prepared,
        options: &UploadOptions,
    ) -> Result<Option<UploadState>> {
        let Some(path) = &options.resume_state_file else { return Ok(None) };
        let Some(state) = ResumeState::load(path)? else { return Ok(None) };
        if state.size != prepared.size
            || state.path != prepared.identity.path
            || state.mtime != prepared.identity.mtime
        {
            tracing::debug!(state = %path.display(), "the resume state is for another source");
            return Ok(None);
        }
        match self.upload_state(&state.upload_id).await {
            Ok(session) if session.status != UploadStatus::Aborted => {
                tracing::info!(upload_id = %session.upload_id, "continuing the upload of the resume state");
                Ok(Some(session))
            }
            Ok(_) => Ok(None),
            Err(error)
                if matches!(error.code(), ErrorCode::NotFound | ErrorCode::UploadExpired) =>
            {
                tracing::debug!(%error, "the resume state's session is gone; starting over");
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// `GET /v1/media/uploads/{uploadId}`.
    pub(crate) async fn upload_state(&self, upload_id: &str) -> Result<UploadState> {
        let path = item_path("/v1/media/uploads", "upload", upload_id)?;
        let request = ApiRequest::get(path).options(self.plain_options());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `DELETE /v1/media/uploads/{uploadId}`.
    pub(crate) async fn abort(&self, upload_id: &str) -> Result<()> {
        let path = item_path("/v1/media/uploads", "upload", upload_id)?;
        self.transport.send_empty(ApiRequest::delete(path).options(self.plain_options())).await?;
        Ok(())
    }

    async fn single_shot(&self, prepared: Prepared, options: &UploadOptions) -> Result<Media> {
        let size = prepared.size;
        let len = usize::try_from(size).map_err(|_| too_big(size))?;
        let progress = Progress::new(options.on_progress.clone(), size, 1);
        progress.start();
        let bytes = match prepared.data {
            Data::Bytes(bytes) => bytes,
            Data::File(file) => blocking(move || read_part(&file, 0, len)).await??,
            Data::Reader(reader) => {
                let mut reader = reader.into_inner().unwrap_or_else(|e| e.into_inner());
                let mut buffer = vec![0u8; len];
                reader.read_exact(&mut buffer).await.map_err(|e| read_error(e, 0))?;
                ensure_ended(&mut reader, size).await?;
                Bytes::from(buffer)
            }
        };
        let sha256 = match prepared.sha256 {
            Some(sha) => sha,
            None => hash_bytes(bytes.clone()).await?,
        };
        let request = ApiRequest::post("/v1/media")
            .bytes(bytes, &prepared.mime_type)?
            .header("X-File-Name", &prepared.file_name)?
            .header("X-Content-Sha256", &sha256)?
            .options(self.post_options("single"));
        settle_progress(options).await?;
        let media: Media = self.transport.send_json(request).await?.data;
        progress.part_done(size);
        Ok(media)
    }

    async fn chunked(
        &self,
        prepared: Prepared,
        options: &UploadOptions,
        existing: Option<UploadState>,
        slot: &SessionSlot,
    ) -> Result<Media> {
        let Prepared { data, size, file_name, mime_type, sha256, identity } = prepared;
        let (session, part_size, known, sha256) = match existing {
            Some(state) => {
                if state.status == UploadStatus::Aborted {
                    return Err(Error::invalid_argument(format!(
                        "upload {} was aborted; start a new upload",
                        state.upload_id
                    )));
                }
                if state.size != size {
                    return Err(Error::invalid_argument(format!(
                        "upload {} is for {} bytes but the source holds {size}; resume it with \
                         the same file",
                        state.upload_id, state.size
                    )));
                }
                let session =
                    OpenSession { upload_id: state.upload_id, media_key: state.media_key };
                slot.set(session.clone());
                if state.status == UploadStatus::Completed {
                    // Completing again answers the media.
                    return self.complete(&session, None).await;
                }
                let known: HashMap<u32, PartReceipt> =
                    state.parts.into_iter().map(|p| (p.part_number, p)).collect();
                (session, state.part_size, known, sha256)
            }
            None => {
                let request = CreateUploadRequest {
                    file_name,
                    mime_type,
                    size,
                    sha256: sha256.clone(),
                    part_size: options.part_size,
                };
                let request = ApiRequest::post("/v1/media/uploads")
                    .json(&request)?
                    .options(self.post_options("create"));
                let created: UploadSession = self.transport.send_json(request).await?.data;
                let session =
                    OpenSession { upload_id: created.upload_id, media_key: created.media_key };
                slot.set(session.clone());
                (session, created.part_size, HashMap::new(), sha256)
            }
        };
        if part_size == 0 || size.div_ceil(part_size) > u64::from(u32::MAX) {
            return Err(Error::protocol(format!(
                "the server chose an unusable part size of {part_size} bytes"
            )));
        }
        if let Some(path) = &options.resume_state_file {
            ResumeState {
                upload_id: session.upload_id.clone(),
                media_key: session.media_key.clone(),
                path: identity.path,
                size,
                part_size,
                mtime: identity.mtime,
            }
            .save(path)?;
        }
        // The whole-file hash is sent at `complete` rather than at create, so it is computed
        // beside the part uploads instead of in a pass before them. A file (or a reader) is
        // hashed from the part buffers as they are read, in part order — the file is read once;
        // bytes in memory are hashed on a blocking thread meanwhile.
        let whole_file_hash = {
            let bytes = match (&data, &sha256) {
                (Data::Bytes(bytes), None) => Some(bytes.clone()),
                _ => None,
            };
            async move {
                match bytes {
                    Some(bytes) => hash_bytes(bytes).await.map(Some),
                    None => Ok(None),
                }
            }
        };
        let hash_parts = matches!(data, Data::File(_)) && sha256.is_none();
        let (read_sha256, hashed) = tokio::try_join!(
            self.send_parts(data, &session, size, part_size, known, options, hash_parts),
            whole_file_hash
        )?;
        settle_progress(options).await?;
        self.complete(&session, sha256.or(hashed).or(read_sha256)).await
    }

    async fn complete(&self, session: &OpenSession, sha256: Option<String>) -> Result<Media> {
        let path =
            format!("{}/complete", item_path("/v1/media/uploads", "upload", &session.upload_id)?);
        let request = ApiRequest::post(path)
            .json(&CompleteUploadRequest { sha256 })?
            .options(self.post_options("complete"));
        Ok(self.transport.send_json(request).await?.data)
    }

    /// Sends every part the server does not hold yet (or holds with other bytes), at most
    /// `parallelism` at a time. Returns a reader's SHA-256, computed while reading it, or with
    /// `hash_parts` a file's, computed from its part buffers.
    #[allow(clippy::too_many_arguments)]
    async fn send_parts(
        &self,
        data: Data,
        session: &OpenSession,
        size: u64,
        part_size: u64,
        known: HashMap<u32, PartReceipt>,
        options: &UploadOptions,
        hash_parts: bool,
    ) -> Result<Option<String>> {
        let count = u32::try_from(size.div_ceil(part_size)).unwrap_or(u32::MAX);
        let progress = Progress::new(options.on_progress.clone(), size, count);
        progress.start();
        let context = Arc::new(PartContext {
            transport: self.transport.clone(),
            options: self.plain_options(),
            path: format!(
                "{}/parts",
                item_path("/v1/media/uploads", "upload", &session.upload_id)?
            ),
            progress,
            buffers: BufferPool::new(options.parallelism),
            hasher: hash_parts.then(OrderedHasher::new),
        });
        let mut sequential = None;
        let positioned = match data {
            Data::File(file) => Some(Data::File(file)),
            Data::Bytes(bytes) => Some(Data::Bytes(bytes)),
            Data::Reader(reader) => {
                let reader = reader.into_inner().unwrap_or_else(|e| e.into_inner());
                sequential = Some((reader, Sha256::new()));
                None
            }
        };
        let mut tasks: JoinSet<Result<()>> = JoinSet::new();
        for number in 1..=count {
            // A part is read only once a slot is free: at most `parallelism` buffers exist.
            while tasks.len() >= options.parallelism {
                joined(tasks.join_next().await)?;
            }
            let offset = u64::from(number - 1) * part_size;
            let len = usize::try_from(part_size.min(size - offset)).map_err(|_| too_big(size))?;
            let part = match (&positioned, &mut sequential) {
                (Some(Data::File(file)), _) => PartBytes::File { file: file.clone(), offset, len },
                (Some(Data::Bytes(bytes)), _) => {
                    let start = usize::try_from(offset).map_err(|_| too_big(size))?;
                    PartBytes::Ready(bytes.slice(start..start + len))
                }
                (_, Some((reader, hasher))) => {
                    let mut buffer = context.buffers.take(len);
                    reader.read_exact(&mut buffer).await.map_err(|e| read_error(e, offset))?;
                    let buffer = Bytes::from(buffer);
                    let (hashing, mut state) = (buffer.clone(), std::mem::take(hasher));
                    *hasher = blocking(move || {
                        state.update(&hashing);
                        state
                    })
                    .await?;
                    PartBytes::Ready(buffer)
                }
                _ => unreachable!("a source is either positioned or sequential"),
            };
            tasks.spawn(send_part(context.clone(), number, part, known.get(&number).cloned()));
        }
        while let Some(result) = tasks.join_next().await {
            joined(Some(result))?;
        }
        match sequential {
            Some((mut reader, hasher)) => {
                ensure_ended(&mut reader, size).await?;
                Ok(Some(hex::encode(hasher.finalize())))
            }
            None => Ok(context.hasher.as_ref().and_then(OrderedHasher::finish)),
        }
    }
}

/// What every part task shares.
struct PartContext {
    transport: Transport,
    options: RequestOptions,
    /// `/v1/media/uploads/{id}/parts`.
    path: String,
    progress: Arc<Progress>,
    buffers: BufferPool,
    /// Hashes the whole file from the part buffers, when its SHA-256 is wanted.
    hasher: Option<OrderedHasher>,
}

/// The SHA-256 of a file computed from its part buffers, in part order, whatever order the
/// parts are read in: a part's bytes wait (in their pooled buffer) until the parts before them
/// were hashed, so memory stays at `parallelism` buffers and the file is read only once. The
/// hashing runs on a blocking thread, beside the part's upload.
struct OrderedHasher {
    state: Mutex<OrderedState>,
    /// How many parts (1..=n) are hashed.
    hashed: tokio::sync::watch::Sender<u32>,
}

struct OrderedState {
    /// `None` while a blocking thread is hashing.
    hasher: Option<Sha256>,
    /// Parts read but not hashed yet, by number.
    ready: std::collections::BTreeMap<u32, Bytes>,
    /// The next part to hash.
    next: u32,
}

impl OrderedHasher {
    fn new() -> OrderedHasher {
        OrderedHasher {
            state: Mutex::new(OrderedState {
                hasher: Some(Sha256::new()),
                ready: std::collections::BTreeMap::new(),
                next: 1,
            }),
            hashed: tokio::sync::watch::channel(0).0,
        }
    }

    /// Takes the hasher and the parts that can be hashed now, if any and if nobody else is.
    fn next_run(state: &mut OrderedState) -> Option<(Sha256, Vec<Bytes>, u32)> {
        if state.hasher.is_none() || !state.ready.contains_key(&state.next) {
            return None;
        }
        let mut run = Vec::new();
        let mut last = state.next;
        while let Some(bytes) = state.ready.remove(&state.next) {
            run.push(bytes);
            last = state.next;
            state.next += 1;
        }
        Some((state.hasher.take()?, run, last))
    }

    /// Hands part `number` over and returns once every part up to it was hashed (the part's
    /// buffer is then free again).
    async fn hash(&self, number: u32, bytes: Bytes) -> Result<()> {
        let mut hashed = self.hashed.subscribe();
        let mut run = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.ready.insert(number, bytes);
            OrderedHasher::next_run(&mut state)
        };
        while let Some((mut hasher, parts, last)) = run.take() {
            let hasher = blocking(move || {
                for part in &parts {
                    hasher.update(part);
                }
                hasher
            })
            .await?;
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.hasher = Some(hasher);
            self.hashed.send_replace(last);
            run = OrderedHasher::next_run(&mut state);
        }
        hashed
            .wait_for(|done| *done >= number)
            .await
            .map(drop)
            .map_err(|_| Error::cancelled("the upload was stopped"))
    }

    /// The hex SHA-256, once every part was hashed.
    fn finish(&self) -> Option<String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.hasher.take().map(|hasher| hex::encode(hasher.finalize()))
    }
}

/// Part buffers, handed back after each part and reused for the next, so an upload allocates
/// about `parallelism` of them in all. (Freeing and allocating a fresh 8 MiB buffer per part
/// lets the allocator keep freed ones resident in per-thread arenas: the pool keeps peak
/// memory at the bound instead of a multiple of it.)
struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
    keep: usize,
}

impl BufferPool {
    fn new(keep: usize) -> BufferPool {
        BufferPool { free: Mutex::new(Vec::with_capacity(keep)), keep }
    }

    /// A buffer of `len` bytes, reused when one is free. A reused buffer keeps the bytes of
    /// its last part (every caller overwrites all of them): zeroing 8 MiB per part cost more
    /// than the CRC32C.
    fn take(&self, len: usize) -> Vec<u8> {
        let reused = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut buffer = reused.unwrap_or_default();
        if buffer.len() >= len {
            buffer.truncate(len);
        } else {
            buffer.clear();
            buffer.reserve_exact(len);
            buffer.resize(len, 0);
        }
        buffer
    }

    /// Takes a part's bytes back when nothing else holds them (else they are just dropped).
    fn give(&self, bytes: Bytes) {
        if !bytes.is_unique() {
            return;
        }
        let buffer = Vec::from(bytes);
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if free.len() < self.keep && buffer.capacity() > 0 {
            free.push(buffer);
        }
    }
}

/// A part's bytes, or where to read them.
enum PartBytes {
    File { file: Arc<File>, offset: u64, len: usize },
    Ready(Bytes),
}

/// Reads part `number` (when it is in a file, into a pooled buffer) and sends it unless the
/// server already holds the same bytes; then hands the buffer back.
async fn send_part(
    context: Arc<PartContext>,
    number: u32,
    part: PartBytes,
    known: Option<PartReceipt>,
) -> Result<()> {
    let buffer = match &part {
        PartBytes::File { len, .. } => Some(context.buffers.take(*len)),
        PartBytes::Ready(_) => None,
    };
    let (bytes, crc) = blocking(move || {
        let bytes = match (part, buffer) {
            (PartBytes::File { file, offset, .. }, Some(buffer)) => {
                read_part_into(&file, offset, buffer)?
            }
            (PartBytes::Ready(bytes), _) => bytes,
            (PartBytes::File { file, offset, len }, None) => read_part(&file, offset, len)?,
        };
        let crc = crc32c_base64(&bytes);
        Ok::<_, Error>((bytes, crc))
    })
    .await??;
    let len = bytes.len() as u64;
    let hashed = async {
        match &context.hasher {
            Some(hasher) => hasher.hash(number, bytes.clone()).await,
            None => Ok(()),
        }
    };
    if let Some(receipt) = known {
        if receipt.size == len && receipt.crc32c == crc {
            hashed.await?;
            context.buffers.give(bytes);
            context.progress.part_done(len);
            return Ok(());
        }
        tracing::info!(
            part = number,
            "the server holds other bytes for this part; sending it again"
        );
    }
    let (result, hashed) = tokio::join!(put_part(&context, number, &bytes, &crc), hashed);
    context.buffers.give(bytes);
    result.and(hashed)
}

/// PUTs one part (the transport retries what is transient); a `CHECKSUM_MISMATCH` is sent once
/// more.
async fn put_part(context: &PartContext, number: u32, bytes: &Bytes, crc: &str) -> Result<()> {
    let len = bytes.len() as u64;
    let mut resent = false;
    loop {
        let request = ApiRequest::put(format!("{}/{number}", context.path))
            .bytes(bytes.clone(), "application/octet-stream")?
            .header("X-Part-Crc32c", crc)?
            .options(context.options.clone());
        match context.transport.send_json::<PartReceipt>(request).await {
            Ok(response) => {
                let receipt = response.data;
                if receipt.part_number != number || receipt.size != len || receipt.crc32c != crc {
                    return Err(Error::protocol(format!(
                        "the server acknowledged part {number} ({len} bytes, CRC32C {crc}) as \
                         part {} ({} bytes, CRC32C {})",
                        receipt.part_number, receipt.size, receipt.crc32c
                    )));
                }
                context.progress.part_done(len);
                return Ok(());
            }
            Err(error) if *error.code() == ErrorCode::ChecksumMismatch && !resent => {
                tracing::warn!(part = number, %error, "part damaged on the way; sending it again");
                resent = true;
            }
            Err(error) => return Err(error.with_context(format_args!("part {number}"))),
        }
    }
}

/// The outcome of a part task; a panic in one is resumed here.
fn joined(result: Option<std::result::Result<Result<()>, tokio::task::JoinError>>) -> Result<()> {
    match result {
        None => Ok(()),
        Some(Ok(outcome)) => outcome,
        Some(Err(error)) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Some(Err(_)) => Err(Error::cancelled("a part upload was cancelled")),
    }
}

/// Runs blocking work (file reads, hashing, probing) off the async workers.
async fn blocking<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> Result<R> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(Error::cancelled("the runtime is shutting down")),
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and reading sources
// ---------------------------------------------------------------------------------------------

/// Opens the source: size, name, mime type, and the preflight.
async fn prepare(source: UploadSource, options: &UploadOptions) -> Result<Prepared> {
    match source {
        UploadSource::Path(path) => {
            let opening = path.clone();
            let (file, metadata) = blocking(move || {
                let file = File::open(&opening)?;
                let metadata = file.metadata()?;
                Ok::<_, io::Error>((file, metadata))
            })
            .await?
            .map_err(|e| Error::io(format!("opening {}: {e}", path.display()), e))?;
            if !metadata.is_file() {
                return Err(Error::invalid_argument(format!(
                    "{} is not a regular file",
                    path.display()
                )));
            }
            let identity = file_identity(&path, &metadata);
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            prepare_file(Arc::new(file), metadata.len(), name, None, identity, options).await
        }
        UploadSource::Bytes(bytes) => {
            let probing = bytes.clone();
            let probe = move || {
                let size = probing.len() as u64;
                crate::probe::probe(io::Cursor::new(probing), size)
            };
            let (file_name, mime_type) = describe(options, None, probe).await?;
            Ok(Prepared {
                size: bytes.len() as u64,
                data: Data::Bytes(bytes),
                file_name,
                mime_type,
                sha256: None,
                identity: SourceIdentity::default(),
            })
        }
        UploadSource::Reader { reader, size: Some(size) } => {
            let (file_name, mime_type) = describe_unprobed(options, None);
            Ok(Prepared {
                data: Data::Reader(Mutex::new(reader)),
                size,
                file_name,
                mime_type,
                sha256: None,
                identity: SourceIdentity::default(),
            })
        }
        UploadSource::Reader { mut reader, size: None } => {
            let threshold = options.single_shot_threshold.min(MAX_SINGLE_SHOT_BYTES);
            let mut head = Vec::new();
            (&mut reader)
                .take(threshold + 1)
                .read_to_end(&mut head)
                .await
                .map_err(|e| read_error(e, 0))?;
            if head.len() as u64 <= threshold {
                return Box::pin(prepare(UploadSource::Bytes(head.into()), options)).await;
            }
            let (file, size, sha256) = spool(head, reader).await?;
            let identity = SourceIdentity::default();
            prepare_file(Arc::new(file), size, None, Some(sha256), identity, options).await
        }
    }
}

async fn prepare_file(
    file: Arc<File>,
    size: u64,
    name: Option<String>,
    sha256: Option<String>,
    identity: SourceIdentity,
    options: &UploadOptions,
) -> Result<Prepared> {
    let probing = file.clone();
    let probe = move || crate::probe::probe(&*probing, size);
    let (file_name, mime_type) = describe(options, name, probe).await?;
    Ok(Prepared { data: Data::File(file), size, file_name, mime_type, sha256, identity })
}

/// The file name and mime type of a source that can be probed, after the preflight. The
/// probe runs only when platforms are named or the type cannot be told from the name.
async fn describe(
    options: &UploadOptions,
    name: Option<String>,
    probe: impl FnOnce() -> std::result::Result<MediaFacts, ProbeError> + Send + 'static,
) -> Result<(String, String)> {
    let name = options.file_name.clone().or(name);
    let declared = options
        .mime_type
        .clone()
        .or_else(|| name.as_deref().and_then(guess_mime_type).map(str::to_owned));
    if options.platforms.is_empty() && declared.is_some() {
        return Ok(describe_unprobed(options, name));
    }
    let facts = blocking(probe).await?;
    if !options.platforms.is_empty() {
        preflight(facts.as_ref(), options)?;
    }
    let mime_type = declared
        .or_else(|| {
            let facts = facts.ok()?;
            container_mime(&facts.container).map(str::to_owned)
        })
        .unwrap_or_else(|| FALLBACK_MIME.to_owned());
    let file_name = name.unwrap_or_else(|| format!("upload.{}", mime_extension(&mime_type)));
    Ok((file_name, mime_type))
}

/// The file name and mime type from the options and the name alone.
fn describe_unprobed(options: &UploadOptions, name: Option<String>) -> (String, String) {
    let name = options.file_name.clone().or(name);
    let mime_type = options
        .mime_type
        .clone()
        .or_else(|| name.as_deref().and_then(guess_mime_type).map(str::to_owned))
        .unwrap_or_else(|| FALLBACK_MIME.to_owned());
    let file_name = name.unwrap_or_else(|| format!("upload.{}", mime_extension(&mime_type)));
    (file_name, mime_type)
}

/// Checks the probed facts against every named platform's media rules.
fn preflight(
    facts: std::result::Result<&MediaFacts, &ProbeError>,
    options: &UploadOptions,
) -> Result<()> {
    let first_platform = options.platforms.first().cloned();
    let facts = match facts {
        Ok(facts) => facts,
        Err(ProbeError::Unsupported { reason }) => {
            let mut error = Error::new(
                ErrorCode::UnsupportedMediaType,
                format!("the file cannot be published: {reason} (found before upload)"),
            )
            .with_field("file")
            .with_details(json!({ "reason": reason }));
            if let Some(platform) = first_platform {
                error = error.with_platform(platform);
            }
            return Err(error);
        }
        Err(error) => {
            return Err(Error::new(ErrorCode::IoError, format!("probing the file: {error}")));
        }
    };
    let mut violations: Vec<Violation> = Vec::new();
    for platform in &options.platforms {
        match rules(platform) {
            Some(rules) => {
                violations.extend(rules.check_media_item(&options.tier, &Map::new(), 0, facts))
            }
            None => tracing::warn!(%platform, "no rules for this platform; not preflighted"),
        }
    }
    let Some(first) = violations.first() else { return Ok(()) };
    let mut details = first.details();
    let all = serde_json::to_value(&violations).unwrap_or(Value::Null);
    details.insert("violations".into(), all);
    details.insert("facts".into(), serde_json::to_value(facts).unwrap_or(Value::Null));
    let others = match violations.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more violation in details.violations)".to_owned(),
        n => format!(" (and {n} more violations in details.violations)"),
    };
    Err(Error::new(first.code.clone(), format!("{}{others}; nothing was uploaded", first.message))
        .with_field("file")
        .with_platform(first.platform.clone())
        .with_details(Value::Object(details)))
}

/// Reads exactly `len` bytes at `offset` with a positioned read (the file's cursor is not
/// used, so parts can be read in parallel).
fn read_part(file: &File, offset: u64, len: usize) -> Result<Bytes> {
    read_part_into(file, offset, vec![0u8; len])
}

/// [`read_part`] into a buffer already of the part's length.
fn read_part_into(file: &File, offset: u64, mut buffer: Vec<u8>) -> Result<Bytes> {
    read_exact_at(file, &mut buffer, offset).map_err(|e| read_error(e, offset))?;
    Ok(Bytes::from(buffer))
}

#[cfg(unix)]
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn read_error(error: io::Error, offset: u64) -> Error {
    let what = if error.kind() == io::ErrorKind::UnexpectedEof {
        "the source ended early (did the file shrink, or does the reader hold fewer bytes \
         than declared?)"
            .to_owned()
    } else {
        error.to_string()
    };
    Error::io(format!("reading the upload source at byte {offset} failed: {what}"), error)
}

fn too_big(size: u64) -> Error {
    Error::invalid_argument(format!("{size} bytes do not fit in this platform's memory"))
}

/// Fails unless a reader declared to hold `size` bytes is at its end.
async fn ensure_ended(reader: &mut (dyn AsyncRead + Send + Unpin), size: u64) -> Result<()> {
    let mut probe = [0u8; 1];
    let read = reader.read(&mut probe).await.map_err(|e| read_error(e, size))?;
    if read > 0 {
        return Err(Error::invalid_argument(format!(
            "the reader holds more than the {size} bytes it was declared with"
        )));
    }
    Ok(())
}

async fn hash_bytes(bytes: Bytes) -> Result<String> {
    blocking(move || hex::encode(Sha256::digest(&bytes))).await
}

/// Copies `head` and the rest of `reader` to an anonymous temporary file, hashing on the way.
async fn spool(
    head: Vec<u8>,
    mut reader: Box<dyn AsyncRead + Send + Unpin>,
) -> Result<(File, u64, String)> {
    let temp = blocking(tempfile::tempfile)
        .await?
        .map_err(|e| Error::io(format!("creating a temporary file to spool the reader: {e}"), e))?;
    let write_error =
        |e: io::Error| Error::io(format!("spooling the reader to a temporary file: {e}"), e);
    let mut out = tokio::fs::File::from_std(temp);
    let mut hasher = Sha256::new();
    hasher.update(&head);
    out.write_all(&head).await.map_err(write_error)?;
    let mut size = head.len() as u64;
    drop(head);
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = reader.read(&mut buffer).await.map_err(|e| read_error(e, size))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        out.write_all(&buffer[..read]).await.map_err(write_error)?;
        size += read as u64;
    }
    out.flush().await.map_err(write_error)?;
    let file = out.into_std().await;
    Ok((file, size, hex::encode(hasher.finalize())))
}
