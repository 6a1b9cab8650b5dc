//! Media: the single-shot upload (`POST /v1/media`), get and delete by media key. Every stored
//! file is then verified (`crate::stored_media`): read with the probe and moved to `ready` or
//! `failed`.
//!
//! Choices where PROTOCOL.md is silent (kept in agreement with `spec/openapi.yaml`):
//! - The emulator has one organisation, `org_mock` ([`MOCK_ORG`]); a media key is
//!   `org_mock/<16 base-62 characters>[.<ext>]`, the extension being the file name's,
//!   lowercased, when it is 1–10 ASCII letters or digits (`clip.MP4` → `org_mock/3fK9x0aQ2mZr7bLc.mp4`).
//! - Bytes live under the data dir in `media/<random>`; no path is ever built from a request.
//! - In a path the key is one percent-encoded segment (`org_mock%2F3fK9….mp4`); the unencoded
//!   form (`org_mock/3fK9….mp4`) is accepted too. A key holding `..`, a backslash or a control
//!   character is 400 `INVALID_REQUEST` (field `mediaKey`); any other key that is not of the
//!   grammar above cannot exist and is 404 `NOT_FOUND`.
//! - `DELETE /v1/media/{mediaKey}` answers 204; an unknown (or already deleted) key is 404.
//! - A `Content-Type` (or `mimeType`) that is not `type/subtype` is 400 `INVALID_REQUEST`; one
//!   that is neither `video/*` nor `image/*` is 422 `UNSUPPORTED_MEDIA_TYPE`. The declared type
//!   only gives `kind` while processing; verification reads the format from the bytes.
//! - `Idempotency-Key` on `POST /v1/media` (the JSON idempotency middleware leaves raw uploads
//!   here): the request's fingerprint is the body's CRC32C with the mime type and file name.
//!   The same fingerprint within 24 h (virtual clock) replays the first answer (201,
//!   `Idempotent-Replayed: true`) and stores nothing; another fingerprint is 409
//!   `IDEMPOTENCY_KEY_REUSED`; a request still streaming under the key is 409
//!   `IDEMPOTENCY_KEY_IN_USE`. When `X-Content-Crc32c` is sent the decision is made before the
//!   body is read. Only successful uploads are recorded, so a failed one can simply be retried.
//! - A refused body is read and discarded up to [`DRAIN_LIMIT`](crate::stored_media::DRAIN_LIMIT) so the client can read the
//!   answer on the same connection; beyond that the server stops reading and closes it.
//! - Verification runs in real time (not on the virtual clock) on a blocking thread and takes
//!   milliseconds. An audio-only file is `failed` (`UNSUPPORTED_MEDIA_TYPE`, kind `audio`);
//!   `facts` is set only on `ready` media.
//!
//! The media store itself, and what the chunked uploads share with this module, are in
//! `crate::stored_media`; this module keeps the single-shot `Idempotency-Key`s.

use std::collections::HashMap;

use aether::model::Media;
use aether::probe::MediaKind;
use aether::ErrorCode;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::api_error::{ApiError, ApiResult};
use crate::context::{ApiKey, Created};
use crate::ids::random_token;
use crate::state::{Part, SharedState, Store};
use crate::stored_media::{
    content_length, drain, encode_crc32c, io_error, new_data_path, new_media_key, parse_crc32c,
    parse_mime, parse_sha256, processing_media, validate_file_name, verify_in_background,
    MediaStore, PendingFile, StoredMedia, MOCK_ORG,
};

/// The longest media key accepted in a path, in bytes.
pub const MAX_MEDIA_KEY_BYTES: usize = 1024;
/// How long an `Idempotency-Key` of a single-shot upload is remembered.
pub const IDEMPOTENCY_WINDOW: SignedDuration = SignedDuration::from_hours(24);
/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;
#[derive(Debug, Clone)]
enum Replay {
    /// A request under this key is still streaming its body.
    InFlight,
    /// The first successful answer under this key.
    Done { fingerprint: String, media: Box<Media>, at: Timestamp },
}

/// The `Idempotency-Key`s of single-shot uploads, by (API key, idempotency key).
#[derive(Debug, Default)]
struct SingleShotKeys {
    replays: HashMap<(String, String), Replay>,
}

impl Part for SingleShotKeys {}

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/media", post(upload_single).layer(DefaultBodyLimit::disable()))
        .route("/v1/media/{*key}", get(get_media).delete(delete_media))
}

/// Whether `key` has the shape of a media key this emulator hands out.
fn is_media_key(key: &str) -> bool {
    let Some((org, name)) = key.split_once('/') else { return false };
    let org_ok = org.strip_prefix("org_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    let (token, ext) = name.split_once('.').unwrap_or((name, ""));
    let token_ok =
        !token.is_empty() && token.len() <= 64 && token.bytes().all(|b| b.is_ascii_alphanumeric());
    let ext_ok = !name.contains('.')
        || ((1..=10).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric()));
    org_ok && token_ok && ext_ok
}

// ---------------------------------------------------------------------------------------------
// POST /v1/media

/// What a single-shot upload declared in its headers.
struct SingleShot {
    file_name: String,
    mime_type: String,
    kind: MediaKind,
    /// `X-Content-Crc32c`: checked against the CRC32C computed while the body streams in.
    crc32c: Option<u32>,
    /// `X-Content-Sha256` (opt-in): only then is the body's SHA-256 computed.
    sha256: Option<String>,
    idempotency: Option<(String, String)>,
}

fn single_shot_headers(headers: &HeaderMap, api_key: &str) -> ApiResult<SingleShot> {
    let file_name = match headers.get("x-file-name") {
        None => {
            return Err(ApiError::invalid(
                "X-File-Name",
                "X-File-Name is required: the file's name, e.g. video.mp4",
            ))
        }
        Some(value) => std::str::from_utf8(value.as_bytes())
            .map_err(|_| ApiError::invalid("X-File-Name", "X-File-Name must be UTF-8"))?
            .to_owned(),
    };
    validate_file_name(&file_name, "X-File-Name")?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().map_err(|_| ()))
        .transpose()
        .ok()
        .flatten()
        .ok_or_else(|| {
            ApiError::invalid(
                "Content-Type",
                "Content-Type must be the file's mime type, e.g. video/mp4",
            )
        })?;
    let (mime_type, kind) = parse_mime(content_type, "Content-Type")?;
    let sha256 = match headers.get("x-content-sha256") {
        None => None,
        Some(value) => {
            Some(parse_sha256(value.to_str().unwrap_or("<not ASCII>"), "X-Content-Sha256")?)
        }
    };
    let crc32c = match headers.get("x-content-crc32c") {
        None => None,
        Some(value) => {
            Some(parse_crc32c(value.to_str().unwrap_or("<not ASCII>"), "X-Content-Crc32c")?)
        }
    };
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(value) => {
            let key = value.to_str().unwrap_or("");
            if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    format!(
                        "Idempotency-Key must be 1–{MAX_IDEMPOTENCY_KEY} visible ASCII characters"
                    ),
                ));
            }
            Some((api_key.to_owned(), key.to_owned()))
        }
    };
    Ok(SingleShot { file_name, mime_type, kind, crc32c, sha256, idempotency })
}

fn fingerprint(crc32c: u32, mime_type: &str, file_name: &str) -> String {
    format!("{crc32c:08x}\n{mime_type}\n{file_name}")
}

/// What an `Idempotency-Key` says about a request, looked up with the store locked.
enum KeyCheck {
    /// Nothing recorded (or only something older than the window): go ahead.
    Fresh,
    /// A successful answer is recorded under the key.
    Done { fingerprint: String, media: Box<Media> },
}

fn check_key(store: &mut Store, key: &(String, String), now: Timestamp) -> ApiResult<KeyCheck> {
    match store.part::<SingleShotKeys>().replays.get(key) {
        Some(Replay::InFlight) => Err(ApiError::new(
            ErrorCode::IdempotencyKeyInUse,
            format!(
                "a request with Idempotency-Key {:?} is still being processed; retry shortly",
                key.1
            ),
        )
        .field("Idempotency-Key")
        .retry_after(1)),
        Some(Replay::Done { fingerprint, media, at })
            if now.duration_since(*at) < IDEMPOTENCY_WINDOW =>
        {
            Ok(KeyCheck::Done { fingerprint: fingerprint.clone(), media: media.clone() })
        }
        _ => Ok(KeyCheck::Fresh),
    }
}

fn key_reused(key: &str) -> ApiError {
    ApiError::new(
        ErrorCode::IdempotencyKeyReused,
        format!(
            "Idempotency-Key {key:?} was already used for a different upload (other bytes, type \
             or file name); use a new key for a new file"
        ),
    )
    .field("Idempotency-Key")
}

fn replayed(media: Box<Media>) -> Response {
    let mut response = (StatusCode::CREATED, Json(*media)).into_response();
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// Removes an `InFlight` idempotency marker when the request ends without recording an answer
/// (an error, or a client gone mid-body). Same drop rule as [`PendingFile`].
struct InFlight {
    state: SharedState,
    key: (String, String),
    armed: bool,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.armed {
            let mut store = self.state.store();
            if matches!(
                store.part::<SingleShotKeys>().replays.get(&self.key),
                Some(Replay::InFlight)
            ) {
                store.part::<SingleShotKeys>().replays.remove(&self.key);
            }
        }
    }
}

async fn upload_single(State(state): State<SharedState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let api_key = parts.extensions.get::<ApiKey>().map(|k| k.0.clone()).unwrap_or_default();
    let declared = match single_shot_headers(&parts.headers, &api_key) {
        Ok(declared) => declared,
        Err(error) => {
            drain(body).await;
            return error.into_response();
        }
    };
    let limit = state.settings().max_single_upload;
    let early = match content_length(&parts.headers) {
        Some(len) if len > limit => Some(too_large(Some(len), limit)),
        Some(0) => Some(empty_body()),
        _ => None,
    };
    if let Some(error) = early {
        drain(body).await;
        return error.into_response();
    }

    // Idempotency: decide up front when the checksum is known, else mark the key in flight.
    let mut in_flight = None;
    if let Some(key) = &declared.idempotency {
        let now = state.clock.now();
        let decided = {
            let mut store = state.store();
            match check_key(&mut store, key, now) {
                Err(error) => Some(Err(error)),
                Ok(KeyCheck::Done { fingerprint: recorded, media }) => {
                    match declared.crc32c {
                        Some(crc) => {
                            if recorded
                                == fingerprint(crc, &declared.mime_type, &declared.file_name)
                            {
                                Some(Ok(media))
                            } else {
                                Some(Err(key_reused(&key.1)))
                            }
                        }
                        // Compared once the body's checksum is known.
                        None => None,
                    }
                }
                Ok(KeyCheck::Fresh) => {
                    store.part::<SingleShotKeys>().replays.insert(key.clone(), Replay::InFlight);
                    in_flight =
                        Some(InFlight { state: state.clone(), key: key.clone(), armed: true });
                    None
                }
            }
        };
        match decided {
            Some(Ok(media)) => {
                drain(body).await;
                return replayed(media);
            }
            Some(Err(error)) => {
                drain(body).await;
                return error.into_response();
            }
            None => {}
        }
    }

    match store_single(&state, declared, body, limit, in_flight).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn too_large(declared: Option<u64>, limit: u64) -> ApiError {
    let size = match declared {
        Some(len) => format!("the body is {len} bytes"),
        None => format!("the body is over {limit} bytes"),
    };
    ApiError::new(
        ErrorCode::FileTooLarge,
        format!(
            "{size}; POST /v1/media takes at most {limit} bytes — send larger files as a chunked \
             upload (POST /v1/media/uploads)"
        ),
    )
    .details(json!({ "maxSize": limit }))
}

fn empty_body() -> ApiError {
    ApiError::invalid("body", "the body is empty; send the file's bytes as the request body")
}

async fn store_single(
    state: &SharedState,
    declared: SingleShot,
    body: Body,
    limit: u64,
    mut in_flight: Option<InFlight>,
) -> ApiResult<Response> {
    let path = new_data_path(state, "media", &random_token(24))?;
    let file = PendingFile::new(state, path, MediaStore::pending_files);
    let mut out = tokio::fs::File::create_new(file.path())
        .await
        .map_err(|e| io_error("creating the media file", &e))?;
    // The CRC32C always (it is the media's `crc32c`); the SHA-256 only when one was sent.
    let mut crc = 0u32;
    let mut hasher = declared.sha256.as_ref().map(|_| Sha256::new());
    let mut size = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::invalid("body", format!("the request body could not be read: {e}"))
        })?;
        size += chunk.len() as u64;
        if size > limit {
            drain(Body::from_stream(stream)).await;
            return Err(too_large(None, limit));
        }
        crc = aether::upload::crc32c_append(crc, &chunk);
        if let Some(hasher) = &mut hasher {
            hasher.update(&chunk);
        }
        out.write_all(&chunk).await.map_err(|e| io_error("writing the media file", &e))?;
    }
    out.flush().await.map_err(|e| io_error("writing the media file", &e))?;
    drop(out);
    if size == 0 {
        return Err(empty_body());
    }
    if let Some(expected) = declared.crc32c.filter(|expected| *expected != crc) {
        let (expected, actual) = (encode_crc32c(expected), encode_crc32c(crc));
        return Err(ApiError::new(
            ErrorCode::ChecksumMismatch,
            format!(
                "the body's CRC32C is {actual} but X-Content-Crc32c says {expected}; nothing \
                 was stored"
            ),
        )
        .field("X-Content-Crc32c")
        .details(json!({ "expected": expected, "actual": actual })));
    }
    let sha256 = hasher.map(|hasher| hex::encode(hasher.finalize()));
    if let (Some(expected), Some(sha256)) = (&declared.sha256, &sha256) {
        if expected != sha256 {
            return Err(ApiError::new(
                ErrorCode::ChecksumMismatch,
                format!(
                    "the body's SHA-256 is {sha256} but X-Content-Sha256 says {expected}; \
                     nothing was stored"
                ),
            )
            .field("X-Content-Sha256")
            .details(json!({ "expected": expected, "actual": sha256 })));
        }
    }

    let print = fingerprint(crc, &declared.mime_type, &declared.file_name);
    let media_key = new_media_key(&declared.file_name);
    let media = processing_media(
        media_key.clone(),
        declared.file_name,
        declared.mime_type,
        declared.kind,
        size,
        Some(crc),
        sha256,
    );
    let now = state.clock.now();
    {
        let mut store = state.store();
        if let Some(key) = &declared.idempotency {
            if in_flight.is_none() {
                // The key had an answer when this request arrived without a checksum.
                if let Ok(KeyCheck::Done { fingerprint: recorded, media }) =
                    check_key(&mut store, key, now)
                {
                    return if recorded == print {
                        Ok(replayed(media))
                    } else {
                        Err(key_reused(&key.1))
                    };
                }
            }
            store.part::<SingleShotKeys>().replays.insert(
                key.clone(),
                Replay::Done { fingerprint: print, media: Box::new(media.clone()), at: now },
            );
            if let Some(guard) = in_flight.as_mut() {
                guard.armed = false;
            }
        }
        let path = file.path().to_path_buf();
        file.keep(&mut store);
        store.part::<MediaStore>().insert(StoredMedia {
            media: media.clone(),
            facts: None,
            path: path.clone(),
        });
        drop(store);
        verify_in_background(state, media_key.clone(), path);
    }
    let mut response = (StatusCode::CREATED, Json(media)).into_response();
    response.extensions_mut().insert(Created(media_key));
    Ok(response)
}

// ---------------------------------------------------------------------------------------------
// GET and DELETE /v1/media/{mediaKey}

/// The media key of a `/v1/media/{mediaKey}` request, percent-decoded and checked.
fn media_key_from(uri: &axum::http::Uri) -> ApiResult<String> {
    let raw = uri.path().strip_prefix("/v1/media/").unwrap_or("");
    let key = percent_encoding::percent_decode_str(raw).decode_utf8().map_err(|_| {
        ApiError::invalid("mediaKey", "the media key is not UTF-8 once percent-decoded")
    })?;
    if key.contains("..") || key.contains('\\') || key.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "mediaKey",
            format!(
                "media key {key:?} may not contain \"..\", backslashes or control characters; \
                 media keys look like {MOCK_ORG}/3fK9x0aQ2mZr7bLc.mp4 (percent-encode the /)"
            ),
        ));
    }
    if key.len() > MAX_MEDIA_KEY_BYTES || !is_media_key(&key) {
        return Err(ApiError::not_found("media", &key));
    }
    Ok(key.into_owned())
}

async fn get_media(
    State(state): State<SharedState>,
    uri: axum::http::Uri,
) -> ApiResult<Json<Media>> {
    let key = media_key_from(&uri)?;
    let media = state.store().part::<MediaStore>().get(&key).map(|m| m.media.clone());
    media.map(Json).ok_or_else(|| ApiError::not_found("media", &key))
}

async fn delete_media(
    State(state): State<SharedState>,
    uri: axum::http::Uri,
) -> ApiResult<StatusCode> {
    let key = media_key_from(&uri)?;
    let removed = state.store().part::<MediaStore>().remove(&key);
    let removed = removed.ok_or_else(|| ApiError::not_found("media", &key))?;
    let _ = tokio::fs::remove_file(&removed.path).await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored_media::new_media_key;

    #[test]
    fn media_keys_have_the_org_and_the_lowercased_extension() {
        let key = new_media_key("Clip.MP4");
        assert!(key.starts_with("org_mock/") && key.ends_with(".mp4"), "{key}");
        assert!(is_media_key(&key));
        assert!(new_media_key("noext").split_once('/').is_some_and(|(_, n)| !n.contains('.')));
        assert!(!new_media_key("x.tar gz").contains(' '));
        for bad in
            ["org_mock", "org_mock/", "org_/a.mp4", "x/a.mp4", "org_mock/a/b.mp4", "org_mock/a.b.c"]
        {
            assert!(!is_media_key(bad), "{bad}");
        }
    }
}
