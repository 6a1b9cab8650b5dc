//! Chunked, resumable uploads: open a session, PUT its parts (each checked against its CRC32C
//! and size while it streams to disk), list what arrived, complete (assemble, check the
//! SHA-256, hand the file to verification) or abort.
//!
//! Everything streams, and nothing is copied: a session has one data file, sized to the upload
//! (sparse) when its first part arrives, and each part is written in place at its offset in
//! ~512 KiB positional writes on blocking threads while its CRC32C is computed. A part's receipt
//! is recorded only once its size and CRC32C are right; a failed part leaves no receipt (and,
//! when no part is held, no file). Re-sending a part the session already holds goes to a temp
//! file first and is copied over the old bytes only once it checked out, so a damaged re-send
//! keeps the old part (the copy is the rare path). The whole-file SHA-256 is kept running
//! beside the uploads: whenever the parts after the ones already hashed are all held, they are
//! hashed in order — from their bytes, kept in memory since they arrived (up to
//! [`RETAIN_BUDGET`] per upload), else read back from the data file — so `complete` only hashes
//! what is left, then renames the data file into the media store. A part whose held bytes are replaced restarts
//! the running hash. A 2 GB upload keeps the emulator's memory flat.
//!
//! Choices where PROTOCOL.md is silent (kept in agreement with `spec/openapi.yaml`):
//! - `partSize`: the requested one when given (it must lie in 5–64 MiB, else 400), else 8 MiB;
//!   raised (up to 64 MiB) when the file would need more than [`MAX_PARTS`] parts.
//! - A session expires `uploadExpirySecs` after creation on the virtual clock; from then on
//!   every operation is 410 `UPLOAD_EXPIRED` and the parts are deleted (also by the scheduler,
//!   so advancing the clock frees the disk). Aborting an expired session is 204, like aborting
//!   an aborted one.
//! - A part sent to a `completed` or `aborted` session, or a part number outside
//!   1..=`partCount`, is 400 `INVALID_REQUEST`. A `Content-Length` over 64 MiB is 413
//!   `FILE_TOO_LARGE`; any other wrong size is 422 `CHECKSUM_MISMATCH`, answered from
//!   `Content-Length` before the body is read, or as soon as a streamed body passes the
//!   expected size.
//! - `GET` answers the session with `partCount` and `expiresAt` added; an aborted session lists
//!   no parts; a completed one still lists its parts (their bytes are in the media). A part
//!   being written in place is not listed until it checked out.
//! - Two PUTs of the same part at once: the one that finishes last wins; their bytes never mix
//!   (a part is written by one request at a time; the other waits, from a temp file).
//! - Complete: a whole-file SHA-256 given at creation and one given at completion must both
//!   match. On a mismatch the parts are kept, so the client can re-send the wrong part and
//!   complete again. Completing a `completed` session answers its media again (200);
//!   completing an `aborted` one is 400.
//! - `DELETE` answers 204; deleting a `completed` session is 400 (delete the media instead).
//! - Creating and completing honour `Idempotency-Key` through the shared JSON middleware
//!   (`resources::idempotency`); part PUTs are idempotent by nature.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use aether::model::{PartReceipt, UploadSession, UploadState, UploadStatus};
use aether::probe::MediaKind;
use aether::ErrorCode;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use bytes::Bytes;
use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::task::JoinHandle;

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::{new_id, random_token};
use crate::json::ApiJson;
use crate::resources::idempotency::idempotent;
use crate::state::{Part, SharedState, Store};
use crate::stored_media::{
    content_length, drain, io_error, new_data_path, new_media_key, parse_mime, parse_sha256,
    processing_media, validate_file_name, verify_in_background, MediaStore, PendingFile,
    StoredMedia,
};

const MIB: u64 = 1024 * 1024;
/// The part size when the client asks for none.
pub const DEFAULT_PART_SIZE: u64 = 8 * MIB;
/// The smallest part size a client may ask for.
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// The largest part size a client may ask for, and the largest part body accepted.
pub const MAX_PART_SIZE: u64 = 64 * MIB;
/// Above this many parts the server raises the part size (within the range above).
pub const MAX_PARTS: u64 = 10_000;
/// Bytes gathered from a part's body before one positional write (two such buffers per part in
/// flight: one being filled, one being written).
const WRITE_BATCH: usize = 512 * 1024;
/// Buffer used to read parts back for the running SHA-256 and to copy a re-sent part in.
const READ_BUFFER: usize = 1024 * 1024;
/// Bytes of received parts a session keeps in memory until the running hash reaches them, so
/// that they are hashed without being read back from the disk. Parts beyond it (or larger) are
/// read back. Bounds the emulator's memory per upload.
const RETAIN_BUDGET: u64 = 8 * MIB;
/// How long a re-sent part waits between looks while another request writes the same part.
const CLAIM_WAIT: std::time::Duration = std::time::Duration::from_millis(5);

/// Every upload session, by id, and the temp files of re-sent parts still streaming in.
#[derive(Debug, Default)]
pub struct Uploads {
    sessions: HashMap<String, Session>,
    pending_files: HashSet<PathBuf>,
}

#[derive(Debug)]
struct Session {
    id: String,
    media_key: String,
    file_name: String,
    mime_type: String,
    kind: MediaKind,
    size: u64,
    part_size: u64,
    part_count: u32,
    sha256: Option<String>,
    expires_at: Timestamp,
    status: UploadStatus,
    /// Receipts of the parts received, by part number.
    parts: BTreeMap<u32, PartReceipt>,
    /// Where the data file goes (named by the server: `uploads/<id>.data`).
    data_path: PathBuf,
    /// The data file, once created; `None` again when no part is held, and once the session
    /// completes (the file becomes the media's), aborts or expires.
    data_file: Option<PathBuf>,
    /// Parts being written into the data file now, with their writer's token: one writer per
    /// part at a time.
    writing: HashMap<u32, u64>,
    /// Bumped whenever the bytes of a held part are replaced: the running hash starts over.
    epoch: u64,
    /// The bytes of held parts the running hash has not reached yet, kept in memory (within
    /// [`RETAIN_BUDGET`]) so they need not be read back.
    retained: HashMap<u32, Vec<Bytes>>,
    /// Bytes of `retained`, plus those reserved by parts being received to be kept.
    reserved: u64,
    /// The running whole-file SHA-256.
    hash: Arc<AsyncMutex<HashCursor>>,
}

/// The SHA-256 of parts `1..=hashed`, valid while the session's epoch is `epoch`.
#[derive(Debug, Default)]
struct HashCursor {
    hasher: Sha256,
    hashed: u32,
    epoch: u64,
}

impl HashCursor {
    fn restart(&mut self, epoch: u64) {
        *self = HashCursor { epoch, ..HashCursor::default() };
    }
}

impl Part for Uploads {
    /// The data files of every session and the temp files being written, so a reset deletes
    /// them.
    fn files(&self) -> Vec<PathBuf> {
        self.sessions
            .values()
            .filter_map(|s| s.data_file.clone())
            .chain(self.pending_files.iter().cloned())
            .collect()
    }
}

impl Uploads {
    fn pending_files(store: &mut Store) -> &mut HashSet<PathBuf> {
        &mut store.part::<Uploads>().pending_files
    }
}

impl Session {
    fn expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// The size part `n` must have: `partSize`, except the last, which holds the rest.
    fn expected_size(&self, n: u32) -> u64 {
        if n < self.part_count {
            self.part_size
        } else {
            self.size - u64::from(self.part_count - 1) * self.part_size
        }
    }

    fn offset(&self, n: u32) -> u64 {
        u64::from(n - 1) * self.part_size
    }

    fn missing_parts(&self) -> Vec<u32> {
        (1..=self.part_count).filter(|n| !self.parts.contains_key(n)).collect()
    }

    /// Opens the data file for writing, creating it (sparse, at the upload's size) first.
    /// Called with the store locked, so an abort or expiry never races a creation.
    fn open_data_file(&mut self) -> std::io::Result<File> {
        if let Some(path) = &self.data_file {
            return std::fs::OpenOptions::new().write(true).open(path);
        }
        let file =
            std::fs::OpenOptions::new().write(true).create_new(true).open(&self.data_path)?;
        if let Err(error) = file.set_len(self.size) {
            let _ = std::fs::remove_file(&self.data_path);
            return Err(error);
        }
        self.data_file = Some(self.data_path.clone());
        Ok(file)
    }

    /// Deletes the data file when it holds no part and no part is being written, so a session
    /// whose parts all failed keeps nothing on disk. Called with the store locked.
    fn release_if_empty(&mut self) {
        if self.status == UploadStatus::Uploading
            && self.parts.is_empty()
            && self.writing.is_empty()
        {
            if let Some(path) = self.data_file.take() {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Takes the files to delete when the session ends (aborted, expired).
    fn take_files(&mut self) -> Vec<PathBuf> {
        self.drop_retained();
        self.data_file.take().into_iter().collect()
    }

    fn drop_retained(&mut self) {
        self.retained.clear();
        self.reserved = 0;
    }

    /// Forgets the kept bytes of part `n` (replaced, or hashed).
    fn unretain(&mut self, n: u32) -> Option<Vec<Bytes>> {
        let kept = self.retained.remove(&n)?;
        let len: u64 = kept.iter().map(|b| b.len() as u64).sum();
        self.reserved = self.reserved.saturating_sub(len);
        Some(kept)
    }

    fn view(&self) -> Value {
        let state = UploadState {
            upload_id: self.id.clone(),
            media_key: self.media_key.clone(),
            status: self.status.clone(),
            size: self.size,
            part_size: self.part_size,
            parts: self.parts.values().cloned().collect(),
        };
        let mut value = serde_json::to_value(state).unwrap_or(Value::Null);
        if let Value::Object(fields) = &mut value {
            fields.insert("partCount".into(), Value::from(self.part_count));
            fields.insert("expiresAt".into(), Value::from(rfc3339(self.expires_at)));
        }
        value
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/media/uploads", idempotent(post(create)))
        .route("/v1/media/uploads/{upload_id}", get(get_upload).delete(abort))
        .route(
            "/v1/media/uploads/{upload_id}/parts/{part_number}",
            put(put_part).layer(DefaultBodyLimit::disable()),
        )
        .route("/v1/media/uploads/{upload_id}/complete", idempotent(post(complete)))
}

/// Frees the data file of every session past its expiry. Called by the scheduler.
pub fn expire_due(state: &SharedState, now: Timestamp) {
    let freed: Vec<PathBuf> = {
        let mut store = state.store();
        store
            .part::<Uploads>()
            .sessions
            .values_mut()
            .filter(|s| s.data_file.is_some() && s.expired(now))
            .flat_map(Session::take_files)
            .collect()
    };
    remove_files(freed);
}

fn remove_files(paths: impl IntoIterator<Item = PathBuf>) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

fn expired_error(id: &str, expires_at: Timestamp) -> ApiError {
    ApiError::new(
        ErrorCode::UploadExpired,
        format!(
            "upload {id} expired at {}; its parts were deleted — start a new upload",
            rfc3339(expires_at)
        ),
    )
}

/// Finds a session and refuses an expired one (freeing its parts). The caller removes the
/// returned files once it released the store.
fn live_session<'a>(
    store: &'a mut Store,
    id: &str,
    now: Timestamp,
    freed: &mut Vec<PathBuf>,
) -> ApiResult<&'a mut Session> {
    let session = store
        .part::<Uploads>()
        .sessions
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("upload", id))?;
    if session.expired(now) {
        freed.extend(session.take_files());
        return Err(expired_error(id, session.expires_at));
    }
    Ok(session)
}

/// Runs `f` on a live session with the store locked, then deletes the files an expiry freed.
fn with_live_session<T>(
    state: &SharedState,
    id: &str,
    f: impl FnOnce(&mut Session) -> ApiResult<T>,
) -> ApiResult<T> {
    let now = state.clock.now();
    let mut freed = Vec::new();
    let result = {
        let mut store = state.store();
        live_session(&mut store, id, now, &mut freed).and_then(f)
    };
    remove_files(freed);
    result
}

fn not_accepting(session: &Session, doing: &str) -> ApiError {
    let hint = if session.status == UploadStatus::Completed {
        format!("its media is {}", session.media_key)
    } else {
        "start a new upload".to_owned()
    };
    ApiError::invalid(
        "uploadId",
        format!("upload {} is {}; it cannot {doing} — {hint}", session.id, session.status.as_str()),
    )
}

// ---------------------------------------------------------------------------------------------
// POST /v1/media/uploads

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    file_name: String,
    mime_type: String,
    size: u64,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    part_size: Option<u64>,
}

/// The part size the server uses for a file of `size` bytes when `requested` was asked for.
fn choose_part_size(size: u64, requested: Option<u64>) -> u64 {
    let wanted = requested.unwrap_or(DEFAULT_PART_SIZE);
    if size.div_ceil(wanted) <= MAX_PARTS {
        return wanted;
    }
    size.div_ceil(MAX_PARTS).div_ceil(MIB).saturating_mul(MIB).clamp(MIN_PART_SIZE, MAX_PART_SIZE)
}

async fn create(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Response> {
    validate_file_name(&body.file_name, "fileName")?;
    let (mime_type, kind) = parse_mime(&body.mime_type, "mimeType")?;
    if body.size == 0 {
        return Err(ApiError::invalid("size", "size is 0; an upload needs at least 1 byte"));
    }
    let max = state.settings().max_upload_size;
    if body.size > max {
        return Err(ApiError::new(
            ErrorCode::FileTooLarge,
            format!("size is {} bytes; an upload may be at most {max} bytes", body.size),
        )
        .field("size")
        .details(json!({ "maxSize": max })));
    }
    let sha256 = body.sha256.as_deref().map(|s| parse_sha256(s, "sha256")).transpose()?;
    if let Some(requested) = body.part_size {
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&requested) {
            return Err(ApiError::invalid(
                "partSize",
                format!(
                    "partSize is {requested} bytes; it must lie between {MIN_PART_SIZE} (5 MiB) \
                     and {MAX_PART_SIZE} (64 MiB), or be left out for the default 8 MiB"
                ),
            ));
        }
    }
    let part_size = choose_part_size(body.size, body.part_size);
    let part_count = u32::try_from(body.size.div_ceil(part_size)).map_err(|_| {
        ApiError::new(ErrorCode::FileTooLarge, "the file needs more parts than an upload can have")
            .field("size")
    })?;
    let expiry = SignedDuration::from_secs(
        i64::try_from(state.settings().upload_expiry_secs).unwrap_or(i64::MAX),
    );
    let expires_at = state.clock.now().checked_add(expiry).unwrap_or(Timestamp::MAX);
    let id = new_id("upl");
    // `id` is made by the server, so it is a safe file name.
    let data_path = new_data_path(&state, "uploads", &format!("{id}.data"))?;
    let session = Session {
        id,
        media_key: new_media_key(&body.file_name),
        file_name: body.file_name,
        mime_type,
        kind,
        size: body.size,
        part_size,
        part_count,
        sha256,
        expires_at,
        status: UploadStatus::Uploading,
        parts: BTreeMap::new(),
        data_path,
        data_file: None,
        writing: HashMap::new(),
        epoch: 0,
        retained: HashMap::new(),
        reserved: 0,
        hash: Arc::new(AsyncMutex::new(HashCursor::default())),
    };
    let answer = UploadSession {
        upload_id: session.id.clone(),
        media_key: session.media_key.clone(),
        part_size,
        part_count,
        expires_at: rfc3339(expires_at),
    };
    state.store().part::<Uploads>().sessions.insert(session.id.clone(), session);
    let mut response = (StatusCode::CREATED, Json(answer.clone())).into_response();
    response.extensions_mut().insert(Created(answer.upload_id));
    Ok(response)
}

// ---------------------------------------------------------------------------------------------
// GET and DELETE /v1/media/uploads/{uploadId}

async fn get_upload(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    with_live_session(&state, &id, |session| Ok(Json(session.view())))
}

async fn abort(State(state): State<SharedState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let now = state.clock.now();
    let freed = {
        let mut store = state.store();
        let session = store
            .part::<Uploads>()
            .sessions
            .get_mut(&id)
            .ok_or_else(|| ApiError::not_found("upload", &id))?;
        if session.status == UploadStatus::Completed && !session.expired(now) {
            return Err(ApiError::invalid(
                "uploadId",
                format!(
                    "upload {id} is completed; delete its media instead (DELETE /v1/media/{})",
                    session.media_key.replace('/', "%2F")
                ),
            ));
        }
        if session.status == UploadStatus::Uploading && !session.expired(now) {
            session.status = UploadStatus::Aborted;
            session.parts.clear();
        }
        session.take_files()
    };
    remove_files(freed);
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// PUT /v1/media/uploads/{uploadId}/parts/{n}

/// Where a part's bytes go.
enum Sink {
    /// Straight into the data file at the part's offset: the part was not held and nobody else
    /// was writing it.
    InPlace { file: File, claim: Arc<Claim> },
    /// Into a temp file, copied over the held part once it checked out.
    Temp,
}

/// What a part PUT must deliver, read from the session before the body.
struct PartTarget {
    number: u32,
    expected: u64,
    offset: u64,
    crc32c: u32,
    sink: Sink,
}

/// The right to write part `number` of a session. Released when dropped (after the last
/// positional write that holds it finished); a part whose writer failed stays missing, and a
/// data file left holding no part is deleted.
struct Claim {
    state: SharedState,
    id: String,
    number: u32,
    token: u64,
    /// Bytes reserved in the session's [`RETAIN_BUDGET`] to keep this part in memory.
    reserved: u64,
    armed: AtomicBool,
}

static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

impl Claim {
    /// Takes part `number` for writing (called with the store locked).
    fn take(state: &SharedState, session: &mut Session, number: u32, reserved: u64) -> Arc<Claim> {
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
        session.writing.insert(number, token);
        session.reserved += reserved;
        Arc::new(Claim {
            state: state.clone(),
            id: session.id.clone(),
            number,
            token,
            reserved,
            armed: AtomicBool::new(true),
        })
    }

    /// Whether this claim still holds its part in `session`.
    fn holds(&self, session: &Session) -> bool {
        session.writing.get(&self.number) == Some(&self.token)
    }

    /// Releases the part after success (called with the store locked); its reservation now
    /// belongs to the part's kept bytes.
    fn release(&self, session: &mut Session) {
        if self.holds(session) {
            session.writing.remove(&self.number);
        }
        self.armed.store(false, Ordering::Relaxed);
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.armed.load(Ordering::Relaxed) {
            let mut store = self.state.store();
            if let Some(session) = store.part::<Uploads>().sessions.get_mut(&self.id) {
                if self.holds(session) {
                    session.writing.remove(&self.number);
                }
                session.reserved = session.reserved.saturating_sub(self.reserved);
                session.release_if_empty();
            }
        }
    }
}

fn part_target(
    state: &SharedState,
    id: &str,
    number: &str,
    headers: &HeaderMap,
) -> ApiResult<PartTarget> {
    let crc32c = parse_crc32c(headers);
    let content_length = content_length(headers);
    with_live_session(state, id, |session| {
        if session.status != UploadStatus::Uploading {
            return Err(not_accepting(session, "take parts"));
        }
        let count = session.part_count;
        let n =
            number.parse::<u32>().ok().filter(|n| (1..=count).contains(n)).ok_or_else(|| {
                ApiError::invalid(
                    "partNumber",
                    format!(
                        "part number {number:?} is out of range; upload {id} has parts 1–{count}"
                    ),
                )
            })?;
        let expected = session.expected_size(n);
        let crc32c = crc32c?;
        if let Some(len) = content_length {
            if len > MAX_PART_SIZE {
                return Err(ApiError::new(
                    ErrorCode::FileTooLarge,
                    format!(
                        "Content-Length is {len} bytes; a part is at most {MAX_PART_SIZE} bytes"
                    ),
                ));
            }
            if len != expected {
                return Err(wrong_size(n, expected, &format!("Content-Length says {len} bytes")));
            }
        }
        let sink = if session.parts.contains_key(&n) || session.writing.contains_key(&n) {
            Sink::Temp
        } else {
            let file = session
                .open_data_file()
                .map_err(|e| io_error("creating the upload's data file", &e))?;
            let keep = session.reserved + expected <= RETAIN_BUDGET;
            let claim = Claim::take(state, session, n, if keep { expected } else { 0 });
            Sink::InPlace { file, claim }
        };
        Ok(PartTarget { number: n, expected, offset: session.offset(n), crc32c, sink })
    })
}

fn parse_crc32c(headers: &HeaderMap) -> ApiResult<u32> {
    let invalid = |what: &str| {
        ApiError::invalid(
            "X-Part-Crc32c",
            format!(
                "X-Part-Crc32c {what}; send the base64 of the part's big-endian CRC32C \
                 (4 bytes), e.g. yZRlqg=="
            ),
        )
    };
    let value = headers.get("x-part-crc32c").ok_or_else(|| invalid("is missing"))?;
    let text = value.to_str().map_err(|_| invalid("is not ASCII"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| invalid(&format!("{text:?} is not base64")))?;
    let bytes: [u8; 4] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| invalid(&format!("{text:?} decodes to {} bytes, not 4", b.len())))?;
    Ok(u32::from_be_bytes(bytes))
}

fn encode_crc32c(crc: u32) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes())
}

fn wrong_size(number: u32, expected: u64, got: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ChecksumMismatch,
        format!(
            "part {number} must be {expected} bytes but {got}; every part but the last is \
             partSize bytes, the last holds the rest — nothing was kept"
        ),
    )
    .field("body")
    .details(json!({ "partNumber": number, "expectedSize": expected }))
}

#[cfg(unix)]
fn write_all_at(file: &File, buffer: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buffer, offset)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut buffer: &[u8], mut offset: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buffer, offset) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                buffer = &buffer[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(unix)]
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes a body at consecutive offsets of a file, in batches of about [`WRITE_BATCH`] bytes of
/// received chunks (not copied: each chunk is written as it came), each batch on a blocking
/// thread while the next one is being received (at most one write in flight).
struct PositionalWriter {
    file: Arc<File>,
    at: u64,
    batch: Vec<Bytes>,
    batched: usize,
    in_flight: Option<JoinHandle<std::io::Result<()>>>,
    /// Held by every write in flight, so a claim outlives the writes made under it.
    claim: Option<Arc<Claim>>,
    /// The chunks written, kept when the claim reserved room for them.
    kept: Option<Vec<Bytes>>,
}

impl PositionalWriter {
    fn new(file: File, at: u64, claim: Option<Arc<Claim>>) -> PositionalWriter {
        PositionalWriter {
            file: Arc::new(file),
            at,
            batch: Vec::new(),
            batched: 0,
            in_flight: None,
            kept: claim.as_ref().filter(|c| c.reserved > 0).map(|_| Vec::new()),
            claim,
        }
    }

    async fn push(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.batched += chunk.len();
        if let Some(kept) = &mut self.kept {
            kept.push(chunk.clone());
        }
        self.batch.push(chunk);
        if self.batched >= WRITE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Waits for the write in flight.
    async fn wait(&mut self) -> std::io::Result<()> {
        match self.in_flight.take() {
            None => Ok(()),
            Some(write) => write.await.map_err(std::io::Error::other)?,
        }
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        self.wait().await?;
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let (file, mut at, claim) = (self.file.clone(), self.at, self.claim.clone());
        self.at += self.batched as u64;
        self.batched = 0;
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            let _claim = claim;
            for chunk in batch {
                write_all_at(&file, &chunk, at)?;
                at += chunk.len() as u64;
            }
            Ok(())
        }));
        Ok(())
    }

    /// Writes what is left and waits for it.
    async fn finish(&mut self) -> std::io::Result<()> {
        self.flush().await?;
        self.wait().await
    }
}

/// Streams a part's body into `writer`, checking its size and computing its CRC32C. Waits for
/// the writes in flight whatever happens, so nothing is written once this returns.
async fn receive(
    body: Body,
    n: u32,
    expected: u64,
    writer: &mut PositionalWriter,
) -> ApiResult<(u64, u32)> {
    let write_error = |e: std::io::Error| io_error("writing a part", &e);
    let mut crc = 0u32;
    let mut received = 0u64;
    let mut stream = body.into_data_stream();
    let outcome = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::invalid("body", format!("the part's body could not be read: {e}"))
            })?;
            received += chunk.len() as u64;
            if received > expected {
                return Err(wrong_size(
                    n,
                    expected,
                    &format!("more arrived ({received} bytes before the server stopped reading)"),
                ));
            }
            crc = crc32c::crc32c_append(crc, &chunk);
            writer.push(chunk).await.map_err(write_error)?;
        }
        writer.finish().await.map_err(write_error)
    }
    .await;
    if let Err(error) = outcome {
        let _ = writer.wait().await;
        if received > expected {
            drain(Body::from_stream(stream)).await;
        }
        return Err(error);
    }
    if received < expected {
        return Err(wrong_size(n, expected, &format!("only {received} bytes arrived")));
    }
    Ok((received, crc))
}

async fn put_part(
    State(state): State<SharedState>,
    Path((id, number)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<PartReceipt>> {
    let target = match part_target(&state, &id, &number, &headers) {
        Ok(target) => target,
        Err(error) => {
            drain(body).await;
            return Err(error);
        }
    };
    let n = target.number;
    match target.sink {
        Sink::InPlace { file, claim } => {
            let mut writer = PositionalWriter::new(file, target.offset, Some(claim.clone()));
            let (size, crc) = receive(body, n, target.expected, &mut writer).await?;
            let kept = writer.kept.take();
            drop(writer);
            check_crc(n, target.crc32c, crc)?;
            let receipt = PartReceipt { part_number: n, size, crc32c: encode_crc32c(crc) };
            record_part(&state, &id, &claim, &receipt, kept)?;
            Ok(Json(receipt))
        }
        Sink::Temp => {
            // `id` names an existing session (checked above), whose ids only the server makes.
            let temp_name = format!("{id}.{n}.{}.tmp", random_token(8));
            let temp = PendingFile::new(
                &state,
                new_data_path(&state, "uploads", &temp_name)?,
                Uploads::pending_files,
            );
            let file =
                File::create_new(temp.path()).map_err(|e| io_error("creating a part file", &e))?;
            let mut writer = PositionalWriter::new(file, 0, None);
            let (size, crc) = receive(body, n, target.expected, &mut writer).await?;
            drop(writer);
            check_crc(n, target.crc32c, crc)?;
            let receipt = PartReceipt { part_number: n, size, crc32c: encode_crc32c(crc) };
            replace_part(&state, &id, n, target.offset, temp.path(), &receipt).await?;
            Ok(Json(receipt))
        }
    }
}

fn check_crc(n: u32, wanted: u32, crc: u32) -> ApiResult<()> {
    if crc == wanted {
        return Ok(());
    }
    let (expected, actual) = (encode_crc32c(wanted), encode_crc32c(crc));
    Err(ApiError::new(
        ErrorCode::ChecksumMismatch,
        format!(
            "part {n}'s CRC32C is {actual} but X-Part-Crc32c says {expected}; nothing was \
             kept — send the part again"
        ),
    )
    .field("X-Part-Crc32c")
    .details(json!({ "partNumber": n, "expected": expected, "actual": actual })))
}

/// Records a part written under `claim` (with its bytes, when kept), then lets the running hash
/// catch up.
fn record_part(
    state: &SharedState,
    id: &str,
    claim: &Claim,
    receipt: &PartReceipt,
    kept: Option<Vec<Bytes>>,
) -> ApiResult<()> {
    let cursor = with_live_session(state, id, |session| {
        if session.status != UploadStatus::Uploading {
            return Err(not_accepting(session, "take parts"));
        }
        if !claim.holds(session) {
            // Cannot happen while the claim is armed; refuse rather than list unknown bytes.
            return Err(ApiError::new(
                ErrorCode::InternalError,
                format!("part {} lost its place while it was written", receipt.part_number),
            ));
        }
        session.parts.insert(receipt.part_number, receipt.clone());
        claim.release(session);
        if let Some(kept) = kept {
            session.retained.insert(receipt.part_number, kept);
        }
        Ok(session.hash.clone())
    })?;
    let (state, id) = (state.clone(), id.to_owned());
    tokio::spawn(async move { drop(advance_hash(&state, &id, cursor).await) });
    Ok(())
}

/// Copies a checked re-sent part from its temp file over part `n` of the data file, once no
/// other request writes part `n`.
async fn replace_part(
    state: &SharedState,
    id: &str,
    n: u32,
    offset: u64,
    temp: &std::path::Path,
    receipt: &PartReceipt,
) -> ApiResult<()> {
    let (file, claim) = loop {
        let claimed = with_live_session(state, id, |session| {
            if session.status != UploadStatus::Uploading {
                return Err(not_accepting(session, "take parts"));
            }
            if session.writing.contains_key(&n) {
                return Ok(None);
            }
            let claim = Claim::take(state, session, n, 0);
            if session.parts.remove(&n).is_some() {
                session.epoch += 1;
            }
            session.unretain(n);
            match session.open_data_file() {
                Ok(file) => Ok(Some((file, claim))),
                Err(error) => {
                    claim.release(session);
                    session.release_if_empty();
                    Err(io_error("opening the upload's data file", &error))
                }
            }
        })?;
        match claimed {
            Some(claimed) => break claimed,
            None => tokio::time::sleep(CLAIM_WAIT).await,
        }
    };
    let source = File::open(temp).map_err(|e| io_error("reading a part file", &e))?;
    let len = receipt.size;
    let copying = claim.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let _claim = copying;
        let mut buffer = vec![0u8; READ_BUFFER];
        let mut done = 0u64;
        while done < len {
            let step = usize::try_from((len - done).min(READ_BUFFER as u64)).unwrap_or(READ_BUFFER);
            read_exact_at(&source, &mut buffer[..step], done)?;
            write_all_at(&file, &buffer[..step], offset + done)?;
            done += step as u64;
        }
        Ok(())
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::InternalError, format!("copying a part failed: {e}")))?
    .map_err(|e| io_error("copying a part into place", &e))?;
    record_part(state, id, &claim, receipt, None)
}

// ---------------------------------------------------------------------------------------------
// The running whole-file SHA-256

/// Hashes, in order, the held parts after the ones already hashed, and returns the cursor
/// (locked) where it stopped: at the first part not held, or at the end.
async fn advance_hash(
    state: &SharedState,
    id: &str,
    cursor: Arc<AsyncMutex<HashCursor>>,
) -> OwnedMutexGuard<HashCursor> {
    let mut guard = cursor.clone().lock_owned().await;
    loop {
        let next = {
            let mut store = state.store();
            let Some(session) = store.part::<Uploads>().sessions.get_mut(id) else { break };
            if session.status != UploadStatus::Uploading {
                break;
            }
            if guard.epoch != session.epoch {
                guard.restart(session.epoch);
            }
            let n = guard.hashed + 1;
            if n > session.part_count || !session.parts.contains_key(&n) {
                break;
            }
            let source = match session.unretain(n) {
                Some(kept) => Source::Kept(kept),
                None => {
                    let Some(path) = &session.data_file else { break };
                    let Ok(file) = File::open(path) else { break };
                    Source::File(file)
                }
            };
            (source, session.offset(n), session.expected_size(n), session.epoch)
        };
        let (source, offset, len, epoch) = next;
        let hashing = tokio::task::spawn_blocking(move || {
            let mut guard = guard;
            let hashed = match source {
                Source::Kept(chunks) => {
                    chunks.iter().for_each(|chunk| guard.hasher.update(chunk));
                    Ok(())
                }
                Source::File(file) => hash_range(&file, offset, len, &mut guard.hasher),
            };
            (guard, hashed)
        })
        .await;
        let hashed;
        (guard, hashed) = match hashing {
            Ok(done) => done,
            Err(_) => {
                // The hashing thread panicked: its state is lost.
                let mut guard = cursor.clone().lock_owned().await;
                guard.restart(u64::MAX);
                return guard;
            }
        };
        let mut store = state.store();
        let current = store.part::<Uploads>().sessions.get(id).map(|s| s.epoch);
        if hashed.is_ok() && current == Some(epoch) {
            guard.hashed += 1;
        } else {
            // A held part was replaced meanwhile, or the read failed: start over.
            guard.restart(u64::MAX);
            if hashed.is_err() {
                break;
            }
        }
    }
    guard
}

/// Where the running hash reads a part.
enum Source {
    /// Its bytes, kept in memory since they arrived.
    Kept(Vec<Bytes>),
    /// The data file.
    File(File),
}

fn hash_range(file: &File, offset: u64, len: u64, hasher: &mut Sha256) -> std::io::Result<()> {
    let mut buffer = vec![0u8; READ_BUFFER];
    let mut done = 0u64;
    while done < len {
        let step = usize::try_from((len - done).min(READ_BUFFER as u64)).unwrap_or(READ_BUFFER);
        read_exact_at(file, &mut buffer[..step], offset + done)?;
        hasher.update(&buffer[..step]);
        done += step as u64;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// POST /v1/media/uploads/{uploadId}/complete

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CompleteBody {
    #[serde(default)]
    sha256: Option<String>,
}

fn completed_media(state: &SharedState, media_key: &str) -> ApiResult<Response> {
    let media = state.store().part::<MediaStore>().get(media_key).map(|m| m.media.clone());
    let media = media.ok_or_else(|| {
        ApiError::not_found("media", media_key)
            .details(json!({ "resource": "media", "reason": "the upload's media was deleted" }))
    })?;
    Ok((StatusCode::OK, Json(media)).into_response())
}

fn incomplete(session: &Session, missing: &[u32]) -> ApiError {
    let shown: Vec<String> = missing.iter().take(20).map(u32::to_string).collect();
    let more = if missing.len() > 20 { ", …" } else { "" };
    ApiError::new(
        ErrorCode::UploadIncomplete,
        format!(
            "{} of {} parts are missing ({}{more}); send them, then complete again",
            missing.len(),
            session.part_count,
            shown.join(", ")
        ),
    )
    .details(json!({ "missingParts": missing }))
}

/// What one look at the session decided.
enum Step {
    /// Completed by this request: answer the media.
    Done(Box<aether::model::Media>),
    /// Completed by an earlier (or concurrent) request: answer its media.
    AlreadyCompleted(String),
    /// The hash did not cover every part (one was being replaced): catch up again.
    Again,
}

/// How many times `complete` catches the hash up before it gives up (parts keep changing).
const COMPLETE_ATTEMPTS: usize = 5;

async fn complete(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> ApiResult<Response> {
    let given = body.sha256.as_deref().map(|s| parse_sha256(s, "sha256")).transpose()?;
    let start = with_live_session(&state, &id, |session| match session.status {
        UploadStatus::Completed => Ok(Err(session.media_key.clone())),
        UploadStatus::Uploading => {
            let missing = session.missing_parts();
            if missing.is_empty() {
                Ok(Ok(session.hash.clone()))
            } else {
                Err(incomplete(session, &missing))
            }
        }
        _ => Err(not_accepting(session, "be completed")),
    })?;
    let cursor = match start {
        Ok(cursor) => cursor,
        Err(media_key) => return completed_media(&state, &media_key),
    };
    let media_path = new_data_path(&state, "media", &random_token(24))?;
    for _ in 0..COMPLETE_ATTEMPTS {
        // Hashes what the parts' arrival has not hashed yet (usually nothing, or the last part).
        let hash = advance_hash(&state, &id, cursor.clone()).await;
        let now = state.clock.now();
        let mut freed = Vec::new();
        let step = {
            let mut store = state.store();
            let store = &mut *store;
            let step = live_session(store, &id, now, &mut freed)
                .and_then(|session| finish(session, &hash, given.as_deref(), &media_path));
            if let Ok(Step::Done(media)) = &step {
                let path = media_path.clone();
                store.part::<MediaStore>().insert(StoredMedia {
                    media: (**media).clone(),
                    facts: None,
                    path,
                });
                verify_in_background(&state, media.media_key.clone(), media_path.clone());
            }
            step
        };
        drop(hash);
        remove_files(freed);
        match step? {
            Step::Again => continue,
            Step::AlreadyCompleted(key) => return completed_media(&state, &key),
            Step::Done(media) => {
                let key = media.media_key.clone();
                let mut response = (StatusCode::OK, Json(media)).into_response();
                response.extensions_mut().insert(Created(key));
                return Ok(response);
            }
        }
    }
    Err(ApiError::new(
        ErrorCode::InternalError,
        "the parts kept changing while the upload was completed; complete again",
    ))
}

/// Completes the session if the hash covers every part and matches the checksums given; called
/// with the store locked. The data file becomes the media's file: nothing is copied.
fn finish(
    session: &mut Session,
    hash: &HashCursor,
    given: Option<&str>,
    media_path: &std::path::Path,
) -> ApiResult<Step> {
    match session.status {
        UploadStatus::Uploading => {}
        UploadStatus::Completed => return Ok(Step::AlreadyCompleted(session.media_key.clone())),
        _ => return Err(not_accepting(session, "be completed")),
    }
    let missing = session.missing_parts();
    if !missing.is_empty() {
        return Err(incomplete(session, &missing));
    }
    if hash.epoch != session.epoch || hash.hashed != session.part_count {
        return Ok(Step::Again);
    }
    let sha256 = hex::encode(hash.hasher.clone().finalize());
    let expected = [
        (session.sha256.as_deref(), "given when the upload was created"),
        (given, "given to complete"),
    ];
    for (expected, source) in expected {
        let Some(expected) = expected else { continue };
        if expected != sha256 {
            return Err(ApiError::new(
                ErrorCode::ChecksumMismatch,
                format!(
                    "the assembled file's SHA-256 is {sha256} but the one {source} is {expected}; \
                     the parts are kept — re-send the wrong ones (GET the upload for their \
                     CRC32Cs) and complete again"
                ),
            )
            .field("sha256")
            .details(json!({ "expected": expected, "actual": sha256 })));
        }
    }
    let Some(data_file) = session.data_file.clone() else {
        return Err(ApiError::new(ErrorCode::InternalError, "the upload's data file is gone"));
    };
    std::fs::rename(&data_file, media_path)
        .map_err(|e| io_error("moving the upload into the media store", &e))?;
    session.data_file = None;
    session.drop_retained();
    session.status = UploadStatus::Completed;
    Ok(Step::Done(Box::new(processing_media(
        session.media_key.clone(),
        session.file_name.clone(),
        session.mime_type.clone(),
        session.kind.clone(),
        session.size,
        sha256,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_size_is_the_requested_or_default_and_grows_past_the_part_limit() {
        assert_eq!(choose_part_size(12 * MIB, Some(5 * MIB)), 5 * MIB);
        assert_eq!(choose_part_size(1, None), DEFAULT_PART_SIZE);
        let huge = 200 * 1024 * MIB;
        let chosen = choose_part_size(huge, None);
        assert!(huge.div_ceil(chosen) <= MAX_PARTS && chosen <= MAX_PART_SIZE, "{chosen}");
        assert_eq!(choose_part_size(u64::MAX / 2, None), MAX_PART_SIZE);
    }

    #[test]
    fn crc32c_is_base64_of_the_big_endian_value() {
        // The example of spec/openapi.yaml is the CRC32C of "hello world".
        let crc = crc32c::crc32c(b"hello world");
        assert_eq!(encode_crc32c(crc), "yZRlqg==");
        let mut headers = HeaderMap::new();
        headers.insert("x-part-crc32c", "yZRlqg==".parse().unwrap());
        assert_eq!(parse_crc32c(&headers).unwrap(), crc);
        headers.insert("x-part-crc32c", "yZRl".parse().unwrap());
        assert!(parse_crc32c(&headers).is_err());
    }
}
