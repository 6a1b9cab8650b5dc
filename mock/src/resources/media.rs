//! Media: the single-shot upload (`POST /v1/media`), get and delete by media key, and the
//! verification that reads every stored file with the probe and moves it to `ready` or `failed`.
//!
//! Choices where PROTOCOL.md is silent (kept in agreement with `spec/openapi.yaml`):
//! - The emulator has one organisation, [`MOCK_ORG`]; a media key is
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
//!   here): the request's fingerprint is the body's SHA-256 with the mime type and file name.
//!   The same fingerprint within 24 h (virtual clock) replays the first answer (201,
//!   `Idempotent-Replayed: true`) and stores nothing; another fingerprint is 409
//!   `IDEMPOTENCY_KEY_REUSED`; a request still streaming under the key is 409
//!   `IDEMPOTENCY_KEY_IN_USE`. When `X-Content-Sha256` is sent the decision is made before the
//!   body is read. Only successful uploads are recorded, so a failed one can simply be retried.
//! - A refused body is read and discarded up to [`DRAIN_LIMIT`] so the client can read the
//!   answer on the same connection; beyond that the server stops reading and closes it.
//! - Verification runs in real time (not on the virtual clock) on a blocking thread and takes
//!   milliseconds. An audio-only file is `failed` (`UNSUPPORTED_MEDIA_TYPE`, kind `audio`);
//!   `facts` is set only on `ready` media.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use aether::model::{Media, MediaStatus, ResultError};
use aether::probe::{MediaFacts, MediaKind, ProbeError};
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
use crate::state::{SharedState, Store};

/// The one organisation of the emulator: every media key starts with `org_mock/`.
pub const MOCK_ORG: &str = "org_mock";
/// The longest file name accepted, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// The longest media key accepted in a path, in bytes.
pub const MAX_MEDIA_KEY_BYTES: usize = 1024;
/// How much of a refused request body is read and discarded before answering.
pub const DRAIN_LIMIT: u64 = 1 << 20;
/// How long an `Idempotency-Key` of a single-shot upload is remembered.
pub const IDEMPOTENCY_WINDOW: SignedDuration = SignedDuration::from_hours(24);
/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;
/// Length of the random part of a media key.
const KEY_TOKEN_LEN: usize = 16;

/// A stored file: what the API shows, what the probe found, and where the bytes are.
#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub media: Media,
    /// Set once verification succeeded (the media is then `ready`).
    pub facts: Option<MediaFacts>,
    pub path: PathBuf,
}

#[derive(Debug, Default)]
pub struct MediaStore {
    items: BTreeMap<String, StoredMedia>,
    /// Files being written by single-shot uploads or assembled by completes, not yet media.
    pending_files: HashSet<PathBuf>,
    /// `Idempotency-Key`s of single-shot uploads, by (API key, idempotency key).
    replays: HashMap<(String, String), Replay>,
}

#[derive(Debug, Clone)]
enum Replay {
    /// A request under this key is still streaming its body.
    InFlight,
    /// The first successful answer under this key.
    Done { fingerprint: String, media: Box<Media>, at: Timestamp },
}

impl MediaStore {
    pub fn get(&self, media_key: &str) -> Option<&StoredMedia> {
        self.items.get(media_key)
    }

    pub fn get_mut(&mut self, media_key: &str) -> Option<&mut StoredMedia> {
        self.items.get_mut(media_key)
    }

    pub fn insert(&mut self, stored: StoredMedia) {
        self.items.insert(stored.media.media_key.clone(), stored);
    }

    pub fn remove(&mut self, media_key: &str) -> Option<StoredMedia> {
        self.items.remove(media_key)
    }

    /// Every file the media own, and the ones still being written.
    pub fn file_paths(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.items.values().map(|m| m.path.clone()).chain(self.pending_files.iter().cloned())
    }

    pub(crate) fn pending_files(store: &mut Store) -> &mut HashSet<PathBuf> {
        &mut store.media.pending_files
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/media", post(upload_single).layer(DefaultBodyLimit::disable()))
        .route("/v1/media/{*key}", get(get_media).delete(delete_media))
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with the chunked uploads

/// A file being written that is not part of the store yet. It is registered in the store (so a
/// reset deletes it) and deleted when dropped, unless [`PendingFile::keep`] was called: an
/// error, or a client that went away mid-body, never leaves a stray file behind.
///
/// Dropping an armed `PendingFile` locks the store, so declare it before any store guard in the
/// same scope (locals drop in reverse order).
#[derive(Debug)]
pub(crate) struct PendingFile {
    state: SharedState,
    path: PathBuf,
    registry: fn(&mut Store) -> &mut HashSet<PathBuf>,
    armed: bool,
}

impl PendingFile {
    /// Registers `path` in `registry`. Call without holding the store.
    pub(crate) fn new(
        state: &SharedState,
        path: PathBuf,
        registry: fn(&mut Store) -> &mut HashSet<PathBuf>,
    ) -> PendingFile {
        registry(&mut state.store()).insert(path.clone());
        PendingFile { state: state.clone(), path, registry, armed: true }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The file now belongs to the store (or was renamed into place): stop tracking it. Called
    /// with the store locked.
    pub(crate) fn keep(mut self, store: &mut Store) {
        (self.registry)(store).remove(&self.path);
        self.armed = false;
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
            (self.registry)(&mut self.state.store()).remove(&self.path);
        }
    }
}

/// Refuses file names that could name another path: `/`, `\`, `..`, NUL and other control
/// characters, empty names, and names over [`MAX_FILE_NAME_BYTES`].
pub(crate) fn validate_file_name(name: &str, field: &str) -> ApiResult<()> {
    let problem = if name.is_empty() {
        Some("is empty".to_owned())
    } else if name.len() > MAX_FILE_NAME_BYTES {
        Some(format!("is {} bytes long", name.len()))
    } else if name.contains('/') || name.contains('\\') {
        Some("contains a path separator".to_owned())
    } else if name.contains("..") {
        Some("contains \"..\"".to_owned())
    } else if name.chars().any(char::is_control) {
        Some("contains a control character".to_owned())
    } else if name.trim() != name {
        Some("starts or ends with white space".to_owned())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(ApiError::invalid(
            field,
            format!(
                "{field} {problem}; give the file's own name (1–{MAX_FILE_NAME_BYTES} bytes, \
                 no /, \\, \"..\" or control characters), e.g. video.mp4"
            ),
        )),
    }
}

/// Checks a declared mime type: `type/subtype` (parameters after `;` ignored), and a video or
/// image type. Returns it lowercased, without parameters, with the kind it declares.
pub(crate) fn parse_mime(value: &str, field: &str) -> ApiResult<(String, MediaKind)> {
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    let valid = essence.split_once('/').filter(|(t, s)| token(t) && token(s));
    let Some((top, _)) = valid else {
        return Err(ApiError::invalid(
            field,
            format!("{field} {value:?} is not a media type; give type/subtype, e.g. video/mp4"),
        ));
    };
    let kind = match top {
        "video" => MediaKind::Video,
        "image" => MediaKind::Image,
        _ => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                "{field} {essence} is neither video/* nor image/*; Aether stores videos and images"
            ),
            )
            .field(field))
        }
    };
    Ok((essence, kind))
}

/// A hex SHA-256 as the client sent it (either case), lowercased.
pub(crate) fn parse_sha256(value: &str, field: &str) -> ApiResult<String> {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(ApiError::invalid(
            field,
            format!("{field} must be the hex SHA-256 of the file (64 hex digits); got {value:?}"),
        ))
    }
}

/// A fresh media key for a file called `file_name`: `org_mock/<random>[.<ext>]`.
pub(crate) fn new_media_key(file_name: &str) -> String {
    let ext = file_name
        .rsplit_once('.')
        .filter(|(stem, ext)| {
            !stem.is_empty()
                && (1..=10).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        })
        .map(|(_, ext)| format!(".{}", ext.to_ascii_lowercase()))
        .unwrap_or_default();
    format!("{MOCK_ORG}/{}{ext}", random_token(KEY_TOKEN_LEN))
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

/// A fresh path under the data dir's `sub` folder, named only by the server.
pub(crate) fn new_data_path(state: &SharedState, sub: &str, name: &str) -> ApiResult<PathBuf> {
    let dir = state.media_dir().join(sub);
    std::fs::create_dir_all(&dir).map_err(|e| io_error("creating the data directory", &e))?;
    Ok(dir.join(name))
}

pub(crate) fn io_error(doing: &str, error: &std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::InternalError, format!("the emulator failed {doing}: {error}"))
}

/// Reads and discards what is left of a refused body, up to [`DRAIN_LIMIT`] bytes and a few
/// seconds, so that the client reads the answer instead of a reset connection.
pub(crate) async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let drained = async {
        let mut seen = 0u64;
        while seen < DRAIN_LIMIT {
            match stream.next().await {
                Some(Ok(chunk)) => seen += chunk.len() as u64,
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), drained).await;
}

/// The `Content-Length` of a request, when it sent a valid one.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// A new media in `processing`, as the API shows it before verification.
pub(crate) fn processing_media(
    media_key: String,
    file_name: String,
    mime_type: String,
    kind: MediaKind,
    size: u64,
    sha256: String,
) -> Media {
    Media {
        media_key,
        file_name,
        mime_type,
        size,
        sha256,
        status: MediaStatus::Processing,
        kind,
        duration_ms: None,
        width: None,
        height: None,
        video_codec: None,
        audio_codec: None,
        container: None,
        error: None,
    }
}

/// Probes the stored file on a blocking thread, then moves the media to `ready` with the facts
/// or to `failed` with the reason. A media deleted meanwhile is left alone.
pub(crate) fn verify_in_background(state: &SharedState, media_key: String, path: PathBuf) {
    let state = state.clone();
    tokio::spawn(async move {
        let probe_path = path.clone();
        let result = tokio::task::spawn_blocking(move || aether::probe::probe_path(&probe_path))
            .await
            .unwrap_or_else(|join| {
                Err(ProbeError::Io(std::io::Error::other(format!("the probe panicked: {join}"))))
            });
        let mut store = state.store();
        if let Some(stored) = store.media.get_mut(&media_key).filter(|m| m.path == path) {
            apply_verification(stored, result);
        }
    });
}

fn apply_verification(stored: &mut StoredMedia, result: Result<MediaFacts, ProbeError>) {
    let media = &mut stored.media;
    match result {
        Ok(facts) => {
            media.kind = facts.kind.clone();
            media.container = Some(facts.container.clone());
            media.duration_ms = facts.duration_ms;
            media.width = facts.width;
            media.height = facts.height;
            media.video_codec = facts.video_codec.clone();
            media.audio_codec = facts.audio_codec.clone();
            if facts.kind == MediaKind::Audio {
                let codec = facts.audio_codec.as_deref().unwrap_or("unknown codec");
                media.status = MediaStatus::Failed;
                media.error = Some(ResultError {
                    code: ErrorCode::UnsupportedMediaType,
                    message: format!(
                        "no video track: the file holds only audio ({codec}); \
                         Aether publishes videos and images"
                    ),
                    details: None,
                });
            } else {
                media.status = MediaStatus::Ready;
                media.error = None;
                stored.facts = Some(facts);
            }
        }
        Err(error) => {
            let code = match &error {
                ProbeError::Unsupported { .. } => ErrorCode::UnsupportedMediaType,
                _ => ErrorCode::InternalError,
            };
            media.status = MediaStatus::Failed;
            media.error = Some(ResultError { code, message: error.to_string(), details: None });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// POST /v1/media

/// What a single-shot upload declared in its headers.
struct SingleShot {
    file_name: String,
    mime_type: String,
    kind: MediaKind,
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
    Ok(SingleShot { file_name, mime_type, kind, sha256, idempotency })
}

fn fingerprint(sha256: &str, mime_type: &str, file_name: &str) -> String {
    format!("{sha256}\n{mime_type}\n{file_name}")
}

/// What an `Idempotency-Key` says about a request, looked up with the store locked.
enum KeyCheck {
    /// Nothing recorded (or only something older than the window): go ahead.
    Fresh,
    /// A successful answer is recorded under the key.
    Done { fingerprint: String, media: Box<Media> },
}

fn check_key(store: &mut Store, key: &(String, String), now: Timestamp) -> ApiResult<KeyCheck> {
    match store.media.replays.get(key) {
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
            if matches!(store.media.replays.get(&self.key), Some(Replay::InFlight)) {
                store.media.replays.remove(&self.key);
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
                    match &declared.sha256 {
                        Some(sha) => {
                            if recorded
                                == fingerprint(sha, &declared.mime_type, &declared.file_name)
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
                    store.media.replays.insert(key.clone(), Replay::InFlight);
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
    let mut hasher = Sha256::new();
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
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(|e| io_error("writing the media file", &e))?;
    }
    out.flush().await.map_err(|e| io_error("writing the media file", &e))?;
    drop(out);
    if size == 0 {
        return Err(empty_body());
    }
    let sha256 = hex::encode(hasher.finalize());
    if let Some(expected) = &declared.sha256 {
        if *expected != sha256 {
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

    let print = fingerprint(&sha256, &declared.mime_type, &declared.file_name);
    let media_key = new_media_key(&declared.file_name);
    let media = processing_media(
        media_key.clone(),
        declared.file_name,
        declared.mime_type,
        declared.kind,
        size,
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
            store.media.replays.insert(
                key.clone(),
                Replay::Done { fingerprint: print, media: Box::new(media.clone()), at: now },
            );
            if let Some(guard) = in_flight.as_mut() {
                guard.armed = false;
            }
        }
        let path = file.path().to_path_buf();
        file.keep(&mut store);
        store.media.insert(StoredMedia { media: media.clone(), facts: None, path: path.clone() });
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
    let media = state.store().media.get(&key).map(|m| m.media.clone());
    media.map(Json).ok_or_else(|| ApiError::not_found("media", &key))
}

async fn delete_media(
    State(state): State<SharedState>,
    uri: axum::http::Uri,
) -> ApiResult<StatusCode> {
    let key = media_key_from(&uri)?;
    let removed = state.store().media.remove(&key);
    let removed = removed.ok_or_else(|| ApiError::not_found("media", &key))?;
    let _ = tokio::fs::remove_file(&removed.path).await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_that_could_name_another_path_are_refused() {
        for bad in ["", "../x.mp4", "a/b.mp4", "a\\b.mp4", "..", "a\0.mp4", "a\n.mp4", " a.mp4"] {
            assert!(validate_file_name(bad, "fileName").is_err(), "{bad:?}");
        }
        assert!(validate_file_name(&"a".repeat(256), "fileName").is_err());
        for good in ["video.mp4", "Été 2026.mov", "a.b.c.webm", &"a".repeat(255)] {
            assert!(validate_file_name(good, "fileName").is_ok(), "{good:?}");
        }
    }

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

    #[test]
    fn mime_types_are_checked_for_shape_and_kind() {
        assert_eq!(parse_mime("Video/MP4; codecs=avc1", "f").unwrap().0, "video/mp4");
        assert!(parse_mime("image/png", "f").is_ok_and(|(_, k)| k == MediaKind::Image));
        assert_eq!(parse_mime("videomp4", "f").unwrap_err().code, ErrorCode::InvalidRequest);
        assert_eq!(parse_mime("video/", "f").unwrap_err().code, ErrorCode::InvalidRequest);
        assert_eq!(
            parse_mime("application/pdf", "f").unwrap_err().code,
            ErrorCode::UnsupportedMediaType
        );
    }
}
