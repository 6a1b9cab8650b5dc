//! Chunked, resumable uploads: open a session, PUT its parts (each checked against its CRC32C
//! and size while it streams to disk), list what arrived, complete (check the whole file's
//! CRC32C, combined from the parts', and the SHA-256 when one was sent; hand the file to
//! verification) or abort.
//!
//! Everything streams, and nothing is copied: a session has one data file, sized to the upload
//! (sparse) when its first part arrives, and each part is written in place at its offset in
//! ~512 KiB positional writes on blocking threads while its CRC32C is computed. A part's receipt
//! is recorded only once its size and CRC32C are right; a failed part leaves no receipt (and,
//! when no part is held, no file). Re-sending a part the session already holds goes to a temp
//! file first and is copied over the old bytes only once it checked out, so a damaged re-send
//! keeps the old part (the copy is the rare path). `complete` combines the held parts' CRC32Cs
//! in part order (`crc32c_combine`) into the whole file's — no byte is read again — and the
//! media gets it as `crc32c`. A SHA-256 is computed only when a client sent one: sent at
//! create, it is kept running beside the uploads (whenever the parts after the ones already
//! hashed are all held, they are hashed in order — from their bytes, kept in memory since they
//! arrived, up to [`RETAIN_BUDGET`](session::RETAIN_BUDGET) per upload, else read back from the
//! data file — so `complete` only hashes what is left); sent only to `complete`, the data file
//! is hashed then. A part whose held bytes are replaced restarts the running hash. `complete`
//! then renames the data file into the media store. A 2 GB upload keeps the emulator's memory
//! flat.
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
//! - Complete: `crc32c` (base64 big-endian) given at completion must equal the CRC32C
//!   combined from the parts; a whole-file SHA-256 given at creation and one given at
//!   completion must both match (each checked only when sent). On a mismatch the parts are kept, so the client can re-send the wrong part and
//!   complete again. Completing a `completed` session answers its media again (200);
//!   completing an `aborted` one is 400.
//! - `DELETE` answers 204; deleting a `completed` session is 400 (delete the media instead).
//! - Creating and completing honour `Idempotency-Key` through the shared JSON middleware
//!   (`resources::idempotency`); part PUTs are idempotent by nature.

mod complete;
mod hash;
mod parts;
mod positional;
mod session;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use aether::model::{UploadSession, UploadState, UploadStatus};
use aether::ErrorCode;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex as AsyncMutex;

use self::complete::complete;
use self::parts::put_part;
use self::session::{remove_files, with_live_session, HashCursor, Session, Uploads, WriteTurn};
use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::new_id;
use crate::json::ApiJson;
use crate::resources::idempotency::idempotent;
use crate::state::SharedState;
use crate::stored_media::{
    new_data_path, new_media_key, parse_mime, parse_sha256, validate_file_name,
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
        write_turn: WriteTurn::default(),
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

/// The sessions still open (neither completed, aborted nor expired), for the chaos report.
pub fn open_sessions(state: &SharedState) -> Vec<String> {
    let now = state.clock.now();
    let mut store = state.store();
    let mut open: Vec<String> = store
        .part::<Uploads>()
        .sessions
        .values()
        .filter(|s| s.status == UploadStatus::Uploading && !s.expired(now))
        .map(|s| s.id.clone())
        .collect();
    open.sort();
    open
}

// ---------------------------------------------------------------------------------------------
// GET and DELETE /v1/media/uploads/{uploadId}

async fn get_upload(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<UploadState>> {
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
}
