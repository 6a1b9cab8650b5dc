//! The upload engine behind [`crate::media::MediaResource::upload`]: preflight, single-shot or
//! chunked, parallel, checksummed and resumable.
//!
//! # What happens, in order
//! 1. **Preflight.** When [`UploadSettings::platforms`] names platforms and the bytes can be read
//!    twice (a path, or bytes in memory), the file is probed ([`crate::probe`]) and checked
//!    against each platform's media rules (container, codec, duration for the tier, size)
//!    *before a byte is sent*. The first violation is the error (its code, `platform`, field
//!    `file`, `details.measured` / `allowed` / `unit`); `details.violations` lists all of them.
//!    A reader cannot be read twice, so it is not preflighted: the server still verifies it.
//! 2. **Single shot.** A source of at most [`UploadSettings::single_shot_threshold`] bytes
//!    (default 8 MiB) goes in one `POST /v1/media` with `X-File-Name` and `X-Content-Crc32c`
//!    (base64 of the big-endian CRC32C of the body, which the server checks while the body
//!    streams in), plus `X-Content-Sha256` only when [`UploadSettings::sha256`] asks for it.
//!    (A file name that cannot travel in a header — non-ASCII — goes chunked instead.)
//! 3. **Chunked.** Otherwise an upload session is opened (`POST /v1/media/uploads`), the parts
//!    are `PUT` with `X-Part-Crc32c` (base64 of the big-endian CRC32C), at most
//!    [`UploadSettings::parallelism`] at a time, and the session is completed with the whole
//!    file's CRC32C, **combined from the parts' CRCs in part order** (`crc32c_combine`): the
//!    bytes are read exactly once, and nothing hashes them beyond the per-part CRC32C. The
//!    server combines the CRCs of the parts it stored the same way and refuses a mismatch
//!    (`CHECKSUM_MISMATCH`). A resumed session combines, for each part the server already
//!    holds with the same bytes, that part's CRC (the one in the server's part list), so the
//!    value is the CRC32C of the file as it is now. Each part is retried by the transport's
//!    retry policy (network failures, 5xx, 429 — a part PUT is idempotent), and re-sent once
//!    more if the server reports `CHECKSUM_MISMATCH` (the bytes were damaged on the way).
//! 4. **SHA-256, opt-in.** With [`UploadSettings::sha256`] the whole file's SHA-256 is also
//!    computed — by the one sequential reader of the bytes, never a second read: for a path
//!    from the part buffers themselves, in part order; for bytes on a blocking thread beside
//!    the parts; for a reader while its parts are read — and sent at `complete` (the media
//!    then has `sha256`). Without it nothing computes a SHA-256 and the media has none.
//!
//! # Sources
//! - [`UploadSource::Url`]: nothing is uploaded; the server fetches the URL
//!   (`POST /v1/media/ingest`). With platforms named, the preflight probes the URL with range
//!   requests, reading only the few KiB the probe needs (see `upload/from_url.rs`).
//! - [`UploadSource::Path`]: parts are read with positioned reads (`pread`) on blocking
//!   threads, in parallel, each only when its slot is free.
//! - [`UploadSource::Bytes`]: parts are zero-copy slices.
//! - [`UploadSource::Reader`] with a size: parts are read in order, one at a time, each only
//!   when a slot is free, and sent in parallel (the opt-in SHA-256 is computed on the way).
//!   The reader must hold exactly `size` bytes (`INVALID_ARGUMENT` otherwise).
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
//! handed back once the part is sent, and hashed when the SHA-256 is opted in). (Measured on a 300 MB file with 4 × 8 MiB: the process's peak grows by ~47 MiB,
//! emulator included; see `tests/client_upload_memory.rs`.) The single-shot path holds the
//! whole (small) file once.
//!
//! # Failures, cancellation and resuming
//! - [`UploadOptions::cancel`] stops the upload: in-flight parts are dropped, the session is
//!   aborted on the server (`DELETE /v1/media/uploads/{id}`) and the call fails `CANCELLED`.
//!   Dropping the upload future aborts the session too (from a spawned task), unless a
//!   [`UploadSettings::resume_state_file`] asks to keep it.
//! - Reading the source fails → `IO_ERROR`, and the session is aborted. Any other error that
//!   retrying cannot fix (a 4xx) aborts it as well.
//! - A transient failure that outlived the retries (`NETWORK_ERROR`, `TIMEOUT`, 5xx, 429) keeps
//!   the session so the upload can continue: the error's `details` carry `uploadId` and
//!   `mediaKey`; pass the id to [`crate::media::MediaResource::resume`] with the same source.
//!   Every error raised after the session was opened carries them, with `sessionAborted`.
//! - Resuming asks the server which parts it holds (`GET /v1/media/uploads/{id}`), checks each
//!   one's size and CRC32C against the local bytes, and sends only the missing or different
//!   ones.
//! - With [`UploadSettings::resume_state_file`], the engine writes a [`ResumeState`] (JSON,
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

mod checksum;
mod from_url;
mod options;
mod parts;
mod preflight;
mod progress;
mod resume;
mod source;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio::task::JoinSet;

pub use checksum::{
    crc32c, crc32c_append, crc32c_base64, crc32c_combine, crc32c_of_pieces, encode_crc32c,
    Crc32cShift,
};
pub use from_url::{
    redact as redact_url, BLOCK as URL_PROBE_BLOCK, MAX_PROBE_BYTES as URL_MAX_PROBE_BYTES,
};
pub use options::{
    UploadOptions, UploadSettings, DEFAULT_PARALLELISM, DEFAULT_SINGLE_SHOT_THRESHOLD,
    MAX_PARALLELISM, MAX_PART_SIZE, MAX_SINGLE_SHOT_BYTES, MIN_PART_SIZE,
};
pub use progress::{ProgressBarrier, ProgressCallback, UploadProgress, PROGRESS_INTERVAL};
pub use resume::ResumeState;
pub use source::{guess_mime_type, UploadSource};

use crate::error::{Error, ErrorCode, Result};
use crate::model::{
    CompleteUploadRequest, CreateUploadRequest, Media, PartReceipt, ProfileCapabilities,
    UploadSession, UploadState, UploadStatus,
};
use crate::transport::{item_path, ApiRequest, RequestOptions, Transport};
use options::{settle_progress, Checked};
use parts::{
    combine_crc32c, joined, send_part, BufferPool, OrderedHasher, PartBytes, PartContext, PartCrc,
};
use progress::Progress;
use source::{
    blocking, checksummed, ensure_ended, hash_bytes, header_safe, prepare, read_error,
    read_part_checksummed, too_big, Data, Prepared,
};

/// Bound on the `DELETE` that aborts a session after a failure.
const ABORT_TIMEOUT: Duration = Duration::from_secs(10);

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
        if let Some(handle) = crate::runtime::detached_handle() {
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
    /// The capabilities of the profiles the upload is for (`profileIds`), for the preflight.
    pub(crate) capabilities: Vec<ProfileCapabilities>,
}

impl Engine {
    /// Uploads `source`, or continues the session `resume` with it; cleans up after failures.
    pub(crate) async fn run(
        &self,
        source: UploadSource,
        options: UploadOptions,
        resume: Option<String>,
    ) -> Result<Media> {
        let mut options = options.checked()?;
        options.capabilities = self.capabilities.clone();
        if let UploadSource::Url(url) = source {
            if resume.is_some() {
                let message = "a URL ingest cannot be resumed: the server fetches the URL itself";
                return Err(Error::invalid_argument(message));
            }
            return match &options.cancel {
                None => self.ingest(url, &options).await,
                Some(token) => tokio::select! {
                    biased;
                    _ = token.cancelled() => Err(Error::cancelled("the ingest was cancelled")),
                    result = self.ingest(url, &options) => result,
                },
            };
        }
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
        options: &Checked,
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
        options: &Checked,
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

    async fn single_shot(&self, prepared: Prepared, options: &Checked) -> Result<Media> {
        let size = prepared.size;
        let len = usize::try_from(size).map_err(|_| too_big(size))?;
        let progress = Progress::new(options.on_progress.clone(), size, 1);
        progress.start();
        // The CRC32C always (the server checks it while the body streams in): a file's as it is
        // read, slice by slice, while the bytes are still in the CPU's cache (one pass, one
        // blocking hop); bytes in memory after.
        let (bytes, crc) = match prepared.data {
            Data::File(file) => {
                blocking(move || read_part_checksummed(&file, 0, vec![0u8; len])).await??
            }
            Data::Bytes(bytes) => checksummed(bytes).await?,
            Data::Reader(reader) => {
                let mut reader = reader.into_inner().unwrap_or_else(|e| e.into_inner());
                let mut buffer = vec![0u8; len];
                reader.read_exact(&mut buffer).await.map_err(|e| read_error(e, 0))?;
                ensure_ended(&mut reader, size).await?;
                checksummed(Bytes::from(buffer)).await?
            }
        };
        // The SHA-256 only when asked for: the source's own, else computed.
        let sha256 = match prepared.sha256.filter(|_| options.sha256) {
            Some(given) => Some(given),
            None if options.sha256 => Some(hash_bytes(bytes.clone()).await?),
            None => None,
        };
        let mut request = ApiRequest::post("/v1/media")
            .bytes(bytes, &prepared.mime_type)?
            .header("X-File-Name", &prepared.file_name)?
            .header("X-Content-Crc32c", &encode_crc32c(crc))?;
        if let Some(sha256) = &sha256 {
            request = request.header("X-Content-Sha256", sha256)?;
        }
        let request = request.options(self.post_options("single"));
        settle_progress(options).await?;
        let media: Media = self.transport.send_json(request).await?.data;
        progress.part_done(size);
        Ok(media)
    }

    async fn chunked(
        &self,
        prepared: Prepared,
        options: &Checked,
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
                    return self.complete(&session, None, None).await;
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
        // The whole file's CRC32C is combined from the parts' CRCs (no second read). The
        // SHA-256, when asked for, is sent at `complete` rather than at create, so it is
        // computed beside the part uploads: a file (or a reader) from the part buffers as they
        // are read, in part order — the file is read once; bytes in memory on a blocking thread
        // meanwhile.
        let want_sha256 = options.sha256 && sha256.is_none();
        let whole_file_hash = {
            let bytes = match &data {
                Data::Bytes(bytes) if want_sha256 => Some(bytes.clone()),
                _ => None,
            };
            async move {
                match bytes {
                    Some(bytes) => hash_bytes(bytes).await.map(Some),
                    None => Ok(None),
                }
            }
        };
        let hash_parts = want_sha256 && matches!(data, Data::File(_));
        let ((read_sha256, crc32c), hashed) = tokio::try_join!(
            self.send_parts(data, &session, size, part_size, known, options, hash_parts),
            whole_file_hash
        )?;
        settle_progress(options).await?;
        let sha256 = if options.sha256 { sha256.or(hashed).or(read_sha256) } else { None };
        self.complete(&session, Some(crc32c), sha256).await
    }

    async fn complete(
        &self,
        session: &OpenSession,
        crc32c: Option<String>,
        sha256: Option<String>,
    ) -> Result<Media> {
        let path =
            format!("{}/complete", item_path("/v1/media/uploads", "upload", &session.upload_id)?);
        let request = ApiRequest::post(path)
            .json(&CompleteUploadRequest { crc32c, sha256 })?
            .options(self.post_options("complete"));
        Ok(self.transport.send_json(request).await?.data)
    }

    /// Sends every part the server does not hold yet (or holds with other bytes), at most
    /// `parallelism` at a time. Returns the whole file's CRC32C (base64), combined from the
    /// parts' in order, and, with the SHA-256 opted in, a reader's SHA-256 computed while
    /// reading it, or with `hash_parts` a file's, computed from its part buffers.
    #[allow(clippy::too_many_arguments)]
    async fn send_parts(
        &self,
        data: Data,
        session: &OpenSession,
        size: u64,
        part_size: u64,
        known: HashMap<u32, PartReceipt>,
        options: &Checked,
        hash_parts: bool,
    ) -> Result<(Option<String>, String)> {
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
            stall_timeout: options.stall_timeout,
        });
        let mut sequential = None;
        let positioned = match data {
            Data::File(file) => Some(Data::File(file)),
            Data::Bytes(bytes) => Some(Data::Bytes(bytes)),
            Data::Reader(reader) => {
                let reader = reader.into_inner().unwrap_or_else(|e| e.into_inner());
                sequential = Some((reader, options.sha256.then(Sha256::new)));
                None
            }
        };
        let mut tasks: JoinSet<Result<PartCrc>> = JoinSet::new();
        let mut crcs = Vec::with_capacity(count as usize);
        for number in 1..=count {
            // A part is read only once a slot is free: at most `parallelism` buffers exist.
            while tasks.len() >= options.parallelism {
                crcs.extend(joined(tasks.join_next().await)?);
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
                    if let Some(mut state) = hasher.take() {
                        let hashing = buffer.clone();
                        *hasher = Some(
                            blocking(move || {
                                state.update(&hashing);
                                state
                            })
                            .await?,
                        );
                    }
                    PartBytes::Ready(buffer)
                }
                _ => unreachable!("a source is either positioned or sequential"),
            };
            tasks.spawn(send_part(context.clone(), number, part, known.get(&number).cloned()));
        }
        while let Some(result) = tasks.join_next().await {
            crcs.extend(joined(Some(result))?);
        }
        let crc32c = combine_crc32c(&mut crcs)
            .filter(|_| crcs.len() == count as usize)
            .ok_or_else(|| Error::protocol("a part's CRC32C is missing"))?;
        let sha256 = match sequential {
            Some((mut reader, hasher)) => {
                ensure_ended(&mut reader, size).await?;
                hasher.map(|h| hex::encode(h.finalize()))
            }
            None => context.hasher.as_ref().and_then(OrderedHasher::finish),
        };
        Ok((sha256, encode_crc32c(crc32c)))
    }
}
