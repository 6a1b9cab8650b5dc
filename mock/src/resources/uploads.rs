//! Chunked, resumable uploads: open a session, PUT its parts (each checked against its CRC32C
//! and size while it streams to disk), list what arrived, complete (assemble, check the
//! SHA-256, hand the file to verification) or abort.
//!
//! Everything streams: a part goes to a temp file chunk by chunk and is renamed into place only
//! once its size and CRC32C are right (so re-sending a part replaces it atomically), and
//! completion copies the parts into the final file with a fixed-size buffer on a blocking
//! thread. A 2 GB upload keeps the emulator's memory flat.
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
//!   no parts; a completed one still lists its parts (their bytes are in the media).
//! - Complete: a whole-file SHA-256 given at creation and one given at completion must both
//!   match. On a mismatch the parts are kept, so the client can re-send the wrong part and
//!   complete again. Completing a `completed` session answers its media again (200);
//!   completing an `aborted` one is 400.
//! - `DELETE` answers 204; deleting a `completed` session is 400 (delete the media instead).
//! - Creating and completing honour `Idempotency-Key` through the shared JSON middleware
//!   (`resources::idempotency`); part PUTs are idempotent by nature.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::PathBuf;

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
use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::{new_id, random_token};
use crate::json::ApiJson;
use crate::resources::idempotency::idempotent;
use crate::resources::media::{
    drain, io_error, new_data_path, new_media_key, parse_mime, parse_sha256, processing_media,
    validate_file_name, verify_in_background, MediaStore, PendingFile, StoredMedia,
};
use crate::state::{SharedState, Store};

const MIB: u64 = 1024 * 1024;
/// The part size when the client asks for none.
pub const DEFAULT_PART_SIZE: u64 = 8 * MIB;
/// The smallest part size a client may ask for.
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// The largest part size a client may ask for, and the largest part body accepted.
pub const MAX_PART_SIZE: u64 = 64 * MIB;
/// Above this many parts the server raises the part size (within the range above).
pub const MAX_PARTS: u64 = 10_000;
/// Buffer used when assembling parts into the final file.
const COPY_BUFFER: usize = 256 * 1024;

/// Every upload session, by id, and the temp files of parts still streaming in.
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
    /// Where those parts' bytes are; emptied when the session completes, aborts or expires.
    part_files: BTreeMap<u32, PathBuf>,
}

impl Uploads {
    /// The part files of every session and the temp files being written, so a reset deletes
    /// them.
    pub fn file_paths(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.sessions
            .values()
            .flat_map(|s| s.part_files.values().cloned())
            .chain(self.pending_files.iter().cloned())
    }

    fn pending_files(store: &mut Store) -> &mut HashSet<PathBuf> {
        &mut store.uploads.pending_files
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

    fn missing_parts(&self) -> Vec<u32> {
        (1..=self.part_count).filter(|n| !self.parts.contains_key(n)).collect()
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

/// Frees the parts of every session past its expiry. Called by the scheduler.
pub fn expire_due(state: &SharedState, now: Timestamp) {
    let freed: Vec<PathBuf> = {
        let mut store = state.store();
        store
            .uploads
            .sessions
            .values_mut()
            .filter(|s| !s.part_files.is_empty() && s.expired(now))
            .flat_map(|s| std::mem::take(&mut s.part_files).into_values())
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
    let session =
        store.uploads.sessions.get_mut(id).ok_or_else(|| ApiError::not_found("upload", id))?;
    if session.expired(now) {
        freed.extend(std::mem::take(&mut session.part_files).into_values());
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
    let session = Session {
        id: new_id("upl"),
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
        part_files: BTreeMap::new(),
    };
    let answer = UploadSession {
        upload_id: session.id.clone(),
        media_key: session.media_key.clone(),
        part_size,
        part_count,
        expires_at: rfc3339(expires_at),
    };
    state.store().uploads.sessions.insert(session.id.clone(), session);
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
            .uploads
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
        std::mem::take(&mut session.part_files)
    };
    remove_files(freed.into_values());
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// PUT /v1/media/uploads/{uploadId}/parts/{n}

/// What a part PUT must deliver, read from the session before the body.
struct PartTarget {
    number: u32,
    expected: u64,
    crc32c: u32,
}

fn part_target(
    state: &SharedState,
    id: &str,
    number: &str,
    headers: &HeaderMap,
) -> ApiResult<PartTarget> {
    let (number, expected) = with_live_session(state, id, |session| {
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
        Ok((n, session.expected_size(n)))
    })?;
    let crc32c = parse_crc32c(headers)?;
    if let Some(len) = crate::resources::media::content_length(headers) {
        if len > MAX_PART_SIZE {
            return Err(ApiError::new(
                ErrorCode::FileTooLarge,
                format!("Content-Length is {len} bytes; a part is at most {MAX_PART_SIZE} bytes"),
            ));
        }
        if len != expected {
            return Err(wrong_size(number, expected, &format!("Content-Length says {len} bytes")));
        }
    }
    Ok(PartTarget { number, expected, crc32c })
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
    // `id` names an existing session (checked above), whose ids only the server makes.
    let temp_name = format!("{id}.{n}.{}.tmp", random_token(8));
    let temp = PendingFile::new(
        &state,
        new_data_path(&state, "uploads", &temp_name)?,
        Uploads::pending_files,
    );
    let final_path = new_data_path(&state, "uploads", &format!("{id}.part{n}"))?;
    let mut out = tokio::fs::File::create_new(temp.path())
        .await
        .map_err(|e| io_error("creating a part file", &e))?;
    let mut crc = 0u32;
    let mut received = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::invalid("body", format!("the part's body could not be read: {e}"))
        })?;
        received += chunk.len() as u64;
        if received > target.expected {
            drain(Body::from_stream(stream)).await;
            return Err(wrong_size(
                n,
                target.expected,
                &format!("more arrived ({received} bytes before the server stopped reading)"),
            ));
        }
        crc = crc32c::crc32c_append(crc, &chunk);
        out.write_all(&chunk).await.map_err(|e| io_error("writing a part file", &e))?;
    }
    out.flush().await.map_err(|e| io_error("writing a part file", &e))?;
    drop(out);
    if received < target.expected {
        return Err(wrong_size(n, target.expected, &format!("only {received} bytes arrived")));
    }
    if crc != target.crc32c {
        let (expected, actual) = (encode_crc32c(target.crc32c), encode_crc32c(crc));
        return Err(ApiError::new(
            ErrorCode::ChecksumMismatch,
            format!(
                "part {n}'s CRC32C is {actual} but X-Part-Crc32c says {expected}; nothing was \
                 kept — send the part again"
            ),
        )
        .field("X-Part-Crc32c")
        .details(json!({ "partNumber": n, "expected": expected, "actual": actual })));
    }

    let receipt = PartReceipt { part_number: n, size: received, crc32c: encode_crc32c(crc) };
    let now = state.clock.now();
    let mut freed = Vec::new();
    let result = {
        let mut store = state.store();
        let outcome = live_session(&mut store, &id, now, &mut freed).and_then(|session| {
            if session.status != UploadStatus::Uploading {
                return Err(not_accepting(session, "take parts"));
            }
            // Renamed under the lock, so the receipt always describes the file in place.
            std::fs::rename(temp.path(), &final_path)
                .map_err(|e| io_error("storing a part file", &e))?;
            session.parts.insert(n, receipt.clone());
            session.part_files.insert(n, final_path.clone());
            Ok(())
        });
        if outcome.is_ok() {
            temp.keep(&mut store);
        }
        outcome
    };
    remove_files(freed);
    result.map(|()| Json(receipt))
}

// ---------------------------------------------------------------------------------------------
// POST /v1/media/uploads/{uploadId}/complete

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CompleteBody {
    #[serde(default)]
    sha256: Option<String>,
}

/// What completing needs from the session, copied out so the store is not held meanwhile.
struct Assembly {
    media_key: String,
    file_name: String,
    mime_type: String,
    kind: MediaKind,
    size: u64,
    part_files: Vec<PathBuf>,
    expected_sha256: Vec<(String, &'static str)>,
}

enum Start {
    Assemble(Assembly),
    AlreadyCompleted(String),
}

fn completed_media(state: &SharedState, media_key: &str) -> ApiResult<Response> {
    let media = state.store().media.get(media_key).map(|m| m.media.clone());
    let media = media.ok_or_else(|| {
        ApiError::not_found("media", media_key)
            .details(json!({ "resource": "media", "reason": "the upload's media was deleted" }))
    })?;
    Ok((StatusCode::OK, Json(media)).into_response())
}

async fn complete(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> ApiResult<Response> {
    let given = body.sha256.as_deref().map(|s| parse_sha256(s, "sha256")).transpose()?;
    let start = with_live_session(&state, &id, |session| {
        match session.status {
            UploadStatus::Completed => {
                return Ok(Start::AlreadyCompleted(session.media_key.clone()))
            }
            UploadStatus::Uploading => {}
            _ => return Err(not_accepting(session, "be completed")),
        }
        let missing = session.missing_parts();
        if !missing.is_empty() {
            let shown: Vec<String> = missing.iter().take(20).map(u32::to_string).collect();
            let more = if missing.len() > 20 { ", …" } else { "" };
            return Err(ApiError::new(
                ErrorCode::UploadIncomplete,
                format!(
                    "{} of {} parts are missing ({}{more}); send them, then complete again",
                    missing.len(),
                    session.part_count,
                    shown.join(", ")
                ),
            )
            .details(json!({ "missingParts": missing })));
        }
        let mut expected_sha256 = Vec::new();
        if let Some(sha) = &session.sha256 {
            expected_sha256.push((sha.clone(), "given when the upload was created"));
        }
        if let Some(sha) = &given {
            expected_sha256.push((sha.clone(), "given to complete"));
        }
        Ok(Start::Assemble(Assembly {
            media_key: session.media_key.clone(),
            file_name: session.file_name.clone(),
            mime_type: session.mime_type.clone(),
            kind: session.kind.clone(),
            size: session.size,
            part_files: session.part_files.values().cloned().collect(),
            expected_sha256,
        }))
    })?;
    let assembly = match start {
        Start::AlreadyCompleted(media_key) => return completed_media(&state, &media_key),
        Start::Assemble(assembly) => assembly,
    };

    let out = PendingFile::new(
        &state,
        new_data_path(&state, "media", &random_token(24))?,
        MediaStore::pending_files,
    );
    let parts = assembly.part_files.clone();
    let out_path = out.path().to_path_buf();
    let assembled = tokio::task::spawn_blocking(move || assemble(&parts, &out_path))
        .await
        .map_err(|e| ApiError::new(ErrorCode::InternalError, format!("assembly failed: {e}")))?;
    let (size, sha256) = match assembled {
        Ok(done) => done,
        Err(error) => {
            // A concurrent abort or expiry deleted the parts: answer what happened to the session.
            with_live_session(&state, &id, |session| match session.status {
                UploadStatus::Uploading => Ok(()),
                _ => Err(not_accepting(session, "be completed")),
            })?;
            return Err(io_error("assembling the parts", &error));
        }
    };
    if size != assembly.size {
        return Err(ApiError::new(
            ErrorCode::InternalError,
            format!("the parts add up to {size} bytes, not the upload's {}", assembly.size),
        ));
    }
    for (expected, source) in &assembly.expected_sha256 {
        if *expected != sha256 {
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

    let media = processing_media(
        assembly.media_key.clone(),
        assembly.file_name,
        assembly.mime_type,
        assembly.kind,
        size,
        sha256,
    );
    let now = state.clock.now();
    let mut freed = Vec::new();
    let finished = {
        let mut store = state.store();
        let store = &mut *store;
        let outcome = live_session(store, &id, now, &mut freed).and_then(|session| {
            match session.status {
                UploadStatus::Uploading => {}
                // A concurrent complete won; answer its media (this file is dropped).
                UploadStatus::Completed => return Ok(false),
                _ => return Err(not_accepting(session, "be completed")),
            }
            session.status = UploadStatus::Completed;
            freed.extend(std::mem::take(&mut session.part_files).into_values());
            Ok(true)
        });
        if let Ok(true) = outcome {
            let path = out.path().to_path_buf();
            out.keep(store);
            store.media.insert(StoredMedia {
                media: media.clone(),
                facts: None,
                path: path.clone(),
            });
            verify_in_background(&state, assembly.media_key.clone(), path);
        }
        outcome
    };
    remove_files(freed);
    if !finished? {
        return completed_media(&state, &assembly.media_key);
    }
    let mut response = (StatusCode::OK, Json(media)).into_response();
    response.extensions_mut().insert(Created(assembly.media_key));
    Ok(response)
}

/// Copies the parts, in order, into `out`, with a fixed-size buffer; returns the size and the
/// hex SHA-256 of what was written.
fn assemble(parts: &[PathBuf], out: &std::path::Path) -> std::io::Result<(u64, String)> {
    let mut writer = std::fs::OpenOptions::new().write(true).create_new(true).open(out)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; COPY_BUFFER];
    let mut total = 0u64;
    for part in parts {
        let mut reader = std::fs::File::open(part)?;
        loop {
            let read = reader.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            writer.write_all(&buffer[..read])?;
            total += read as u64;
        }
    }
    writer.flush()?;
    Ok((total, hex::encode(hasher.finalize())))
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
