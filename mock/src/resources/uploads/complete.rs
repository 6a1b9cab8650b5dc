//! `POST /v1/media/uploads/{uploadId}/complete`: combine the stored parts' CRC32Cs in order into
//! the whole file's (no byte is read again) and check it against the `crc32c` given; only when a
//! client sent a SHA-256 (at create or here) catch the running hash up and check it too; then
//! hand the data file to the media store (renamed, not copied) for verification.

use aether::model::UploadStatus;
use aether::ErrorCode;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use sha2::Digest;

use super::hash::advance_hash;
use super::session::{
    live_session, not_accepting, remove_files, with_live_session, HashCursor, Session,
};
use crate::api_error::{ApiError, ApiResult};
use crate::context::Created;
use crate::ids::random_token;
use crate::json::ApiJson;
use crate::state::SharedState;
use crate::stored_media::{
    encode_crc32c, io_error, new_data_path, parse_crc32c, parse_sha256, processing_media,
    verify_in_background, MediaStore, StoredMedia,
};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct CompleteBody {
    #[serde(default)]
    crc32c: Option<String>,
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

pub(super) async fn complete(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> ApiResult<Response> {
    let given = body.sha256.as_deref().map(|s| parse_sha256(s, "sha256")).transpose()?;
    let given_crc = body.crc32c.as_deref().map(|s| parse_crc32c(s, "crc32c")).transpose()?;
    let start = with_live_session(&state, &id, |session| match session.status {
        UploadStatus::Completed => Ok(Err(session.media_key.clone())),
        UploadStatus::Uploading => {
            let missing = session.missing_parts();
            if missing.is_empty() {
                // The SHA-256 is computed only when a client sent one.
                let hashing = session.sha256.is_some() || given.is_some();
                Ok(Ok(hashing.then(|| session.hash.clone())))
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
        // Hashes what the parts' arrival has not hashed yet (usually nothing, or the last part;
        // all of them when the SHA-256 was first sent here).
        let hash = match &cursor {
            Some(cursor) => Some(advance_hash(&state, &id, cursor.clone()).await),
            None => None,
        };
        let now = state.clock.now();
        let mut freed = Vec::new();
        let step = {
            let mut store = state.store();
            let store = &mut *store;
            let step = live_session(store, &id, now, &mut freed).and_then(|session| {
                let given = Given { sha256: given.as_deref(), crc32c: given_crc };
                finish(session, hash.as_deref(), given, &media_path)
            });
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

/// The checksums sent to `complete`.
#[derive(Clone, Copy)]
struct Given<'a> {
    sha256: Option<&'a str>,
    crc32c: Option<u32>,
}

/// The whole file's CRC32C, combined in part order from the CRCs of the parts held (checked
/// when each arrived): nothing is read again.
fn combined_crc32c(session: &Session) -> ApiResult<u32> {
    let pieces = session
        .parts
        .values()
        .map(|receipt| Ok((parse_crc32c(&receipt.crc32c, "crc32c")?, receipt.size)))
        .collect::<ApiResult<Vec<(u32, u64)>>>()?;
    let combined = aether::upload::crc32c_of_pieces(&pieces);
    combined.ok_or_else(|| ApiError::new(ErrorCode::InternalError, "the upload holds no part"))
}

/// Completes the session if every part is held, the CRC32C combined from them matches the one
/// given, and — when a SHA-256 was sent — the hash covers every part and matches; called with
/// the store locked. The data file becomes the media's file: nothing is copied.
fn finish(
    session: &mut Session,
    hash: Option<&HashCursor>,
    given: Given<'_>,
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
    let crc32c = combined_crc32c(session)?;
    if let Some(expected) = given.crc32c.filter(|expected| *expected != crc32c) {
        let (expected, actual) = (encode_crc32c(expected), encode_crc32c(crc32c));
        return Err(ApiError::new(
            ErrorCode::ChecksumMismatch,
            format!(
                "the assembled file's CRC32C (combined from its parts') is {actual} but the one \
                 given to complete is {expected}; the parts are kept — re-send the wrong ones \
                 (GET the upload for their CRC32Cs) and complete again"
            ),
        )
        .field("crc32c")
        .details(json!({ "expected": expected, "actual": actual })));
    }
    let sha256 = match hash {
        None => None,
        Some(hash) if hash.epoch != session.epoch || hash.hashed != session.part_count => {
            return Ok(Step::Again)
        }
        Some(hash) => Some(hex::encode(hash.hasher.clone().finalize())),
    };
    let expected = [
        (session.sha256.as_deref(), "given when the upload was created"),
        (given.sha256, "given to complete"),
    ];
    for (expected, source) in expected {
        let (Some(expected), Some(sha256)) = (expected, &sha256) else { continue };
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
        Some(crc32c),
        sha256,
    ))))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};
    use std::sync::Arc;

    use aether::model::PartReceipt;
    use aether::probe::MediaKind;
    use tokio::sync::Mutex as AsyncMutex;

    use super::super::session::WriteTurn;
    use super::*;

    /// A session holding `data` in parts of `part_size`, its data file written.
    fn session(dir: &std::path::Path, data: &[u8], part_size: usize) -> Session {
        let data_path = dir.join("upload.data");
        std::fs::write(&data_path, data).unwrap();
        let parts: BTreeMap<u32, PartReceipt> = data
            .chunks(part_size)
            .enumerate()
            .map(|(i, part)| {
                let n = i as u32 + 1;
                let crc32c = encode_crc32c(crc32c::crc32c(part));
                (n, PartReceipt { part_number: n, size: part.len() as u64, crc32c })
            })
            .collect();
        Session {
            id: "upl_test".into(),
            media_key: "org_mock/test.mp4".into(),
            file_name: "test.mp4".into(),
            mime_type: "video/mp4".into(),
            kind: MediaKind::Video,
            size: data.len() as u64,
            part_size: part_size as u64,
            part_count: parts.len() as u32,
            sha256: None,
            expires_at: jiff::Timestamp::MAX,
            status: UploadStatus::Uploading,
            parts,
            data_path: data_path.clone(),
            data_file: Some(data_path),
            writing: HashMap::new(),
            epoch: 0,
            retained: HashMap::new(),
            reserved: 0,
            hash: Arc::new(AsyncMutex::new(HashCursor::default())),
            write_turn: WriteTurn::default(),
        }
    }

    #[test]
    fn without_a_sha256_the_file_is_checked_by_its_combined_crc32c_and_never_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..10_007u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = crc32c::crc32c(&data);

        let mut wrong = session(dir.path(), &data, 4096);
        let given = Given { sha256: None, crc32c: Some(whole ^ 1) };
        let error = finish(&mut wrong, None, given, &dir.path().join("media")).err().unwrap();
        assert_eq!(
            (error.code, error.field.as_deref()),
            (ErrorCode::ChecksumMismatch, Some("crc32c"))
        );
        assert_eq!(wrong.status, UploadStatus::Uploading, "the parts are kept");

        // No hash cursor is given (none was sent): the media has the combined CRC32C only.
        let mut right = session(dir.path(), &data, 4096);
        let given = Given { sha256: None, crc32c: Some(whole) };
        let Ok(Step::Done(media)) = finish(&mut right, None, given, &dir.path().join("media"))
        else {
            panic!("completes")
        };
        assert_eq!((media.crc32c, media.sha256), (Some(encode_crc32c(whole)), None));
        assert_eq!(right.hash.try_lock().unwrap().hashed, 0, "nothing was hashed");
    }
}
