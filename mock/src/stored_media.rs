//! The stored media, and what the two ways of storing one share: `POST /v1/media`
//! (`resources/media.rs`, single-shot) and the chunked uploads (`resources/uploads.rs`). Both
//! write a file under the data dir, check the same declared headers, and end with a media in
//! `processing` that [`verify_in_background`] moves to `ready` or `failed` with the probe.
//!
//! The emulator has one organisation, [`MOCK_ORG`]; bytes live under the data dir and no path
//! is ever built from a request.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use aether::model::{Media, MediaStatus, ResultError};
use aether::probe::{MediaFacts, MediaKind, ProbeError};
use aether::ErrorCode;
use axum::body::Body;
use axum::http::{header, HeaderMap};
use base64::Engine as _;
use futures_util::StreamExt;

use crate::api_error::{ApiError, ApiResult};
use crate::ids::random_token;
use crate::state::{Part, SharedState, Store};

/// The one organisation of the emulator: every media key starts with `org_mock/`.
pub const MOCK_ORG: &str = "org_mock";
/// The longest file name accepted, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// How much of a refused request body is read and discarded before answering.
pub const DRAIN_LIMIT: u64 = 1 << 20;
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

    /// Where a media stands for a post that uses it: what publishing needs to decide whether a
    /// target starts, waits or fails. Media ingested by URL (`resources::media_ingest`) are
    /// `Processing` while the server fetches and verifies them, and `Failed` with
    /// `MEDIA_FETCH_FAILED` (the URL and the reason in `details`) when the fetch failed.
    pub fn verdict(&self, media_key: &str) -> MediaVerdict {
        match self.items.get(media_key) {
            None => MediaVerdict::Missing,
            Some(stored) => match (&stored.facts, &stored.media.status) {
                (Some(facts), _) => MediaVerdict::Ready(Box::new(facts.clone())),
                (None, MediaStatus::Failed) => {
                    MediaVerdict::Failed(stored.media.error.clone().unwrap_or_else(|| {
                        ResultError {
                            code: ErrorCode::UnsupportedMediaType,
                            message: format!("media {media_key} failed verification"),
                            details: None,
                        }
                    }))
                }
                (None, _) => MediaVerdict::Processing,
            },
        }
    }

    pub(crate) fn pending_files(store: &mut Store) -> &mut HashSet<PathBuf> {
        &mut store.part::<MediaStore>().pending_files
    }
}

impl Part for MediaStore {
    /// Every file the media own, and the ones still being written.
    fn files(&self) -> Vec<PathBuf> {
        self.items
            .values()
            .map(|m| m.path.clone())
            .chain(self.pending_files.iter().cloned())
            .collect()
    }
}

/// Where one media stands, as [`MediaStore::verdict`] tells it.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaVerdict {
    /// Verified; the facts the platform rules are checked against.
    Ready(Box<MediaFacts>),
    /// Still being fetched (URL media) or verified: a target using it waits.
    Processing,
    /// Fetching or verification failed: the error a target using it fails with (its own code:
    /// `MEDIA_FETCH_FAILED` for a URL that could not be fetched, `UNSUPPORTED_MEDIA_TYPE`…).
    Failed(ResultError),
    /// No such media key (never existed, or deleted).
    Missing,
}

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

/// The wire form of a CRC32C, the client's own encoding (so the two can never disagree).
pub(crate) use aether::upload::encode_crc32c;

/// A CRC32C as a client sent it (`field` names where): base64 of 4 big-endian bytes.
pub(crate) fn parse_crc32c(value: &str, field: &str) -> ApiResult<u32> {
    let invalid = |what: String| {
        ApiError::invalid(
            field,
            format!(
                "{field} {what}; send the base64 of the big-endian CRC32C (4 bytes), e.g. \
                 yZRlqg=="
            ),
        )
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| invalid(format!("{value:?} is not base64")))?;
    let bytes: [u8; 4] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| invalid(format!("{value:?} decodes to {} bytes, not 4", b.len())))?;
    Ok(u32::from_be_bytes(bytes))
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
    crc32c: Option<u32>,
    sha256: Option<String>,
) -> Media {
    Media {
        media_key,
        file_name,
        mime_type,
        size,
        crc32c: crc32c.map(encode_crc32c),
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
        source_url: None,
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
        if let Some(stored) =
            store.part::<MediaStore>().get_mut(&media_key).filter(|m| m.path == path)
        {
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

#[cfg(test)]
mod tests {
    use aether::ErrorCode;

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
