//! Media: upload sessions, parts, and the verified media.

use serde::{Deserialize, Serialize};

use super::common::ResultError;
use super::platform::Timestamp;
use crate::open_enum::open_enum;
use crate::probe::{Container, MediaKind, VideoCodec};

/// `POST /v1/media/uploads` body: opens a chunked upload session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUploadRequest {
    /// The file's name, e.g. `video.mp4`.
    pub file_name: String,
    /// The declared mime type, e.g. `video/mp4`.
    pub mime_type: String,
    /// Total size in bytes; 0 is refused.
    pub size: u64,
    /// Hex SHA-256 of the whole file, checked at completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Requested part size in bytes (5–64 MiB); the server decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_size: Option<u64>,
}

/// The session `POST /v1/media/uploads` opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSession {
    /// Upload id (`upl_…`).
    pub upload_id: String,
    /// The media key the file will have once complete.
    pub media_key: String,
    /// Size of every part but the last, in bytes.
    pub part_size: u64,
    /// Number of parts, numbered from 1.
    pub part_count: u32,
    /// When the session expires (`UPLOAD_EXPIRED` after that).
    pub expires_at: Timestamp,
}

/// A part the server holds: the answer to a part PUT, and an entry of [`UploadState::parts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartReceipt {
    /// 1-based part number.
    pub part_number: u32,
    /// Size of the part in bytes.
    pub size: u64,
    /// Base64 of the big-endian CRC32C of the part's bytes.
    pub crc32c: String,
}

open_enum! {
    /// Where an upload session stands.
    UploadStatus {
        /// Accepting parts.
        Uploading = "uploading",
        /// Completed; the media exists.
        Completed = "completed",
        /// Aborted; the parts are gone.
        Aborted = "aborted",
    }
}

/// `GET /v1/media/uploads/{uploadId}`: what a client resumes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadState {
    /// Upload id (`upl_…`).
    pub upload_id: String,
    /// The media key the file will have once complete.
    pub media_key: String,
    /// Where the session stands.
    pub status: UploadStatus,
    /// Total size in bytes.
    pub size: u64,
    /// Size of every part but the last, in bytes.
    pub part_size: u64,
    /// Number of parts, numbered from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_count: Option<u32>,
    /// When the session expires (`UPLOAD_EXPIRED` after that).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The parts received so far, by part number.
    pub parts: Vec<PartReceipt>,
}

/// `POST /v1/media/uploads/{uploadId}/complete` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteUploadRequest {
    /// Base64 of the big-endian CRC32C of the whole file: the client combines its part CRCs
    /// in order (no second read); the server checks it the same way from the parts it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32c: Option<String>,
    /// Hex SHA-256 of the whole file, if not given when the upload was opened; optional
    /// (checked only when sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

open_enum! {
    /// Where a stored media file stands in verification.
    MediaStatus {
        /// Uploaded; the server is still verifying it.
        Processing = "processing",
        /// Verified and usable in posts.
        Ready = "ready",
        /// Verification failed; `error` says why.
        Failed = "failed",
    }
}

/// A stored media file and what verification found in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    /// The media key, e.g. `org_abc123/f47ac10b.mp4` (percent-encode it in paths).
    pub media_key: String,
    /// The file's name.
    pub file_name: String,
    /// The declared mime type.
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Base64 of the big-endian CRC32C of the whole file (absent only from servers older than
    /// the one-pass integrity check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32c: Option<String>,
    /// Hex SHA-256 of the file: present only when a client sent one (it is opt-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Where verification stands.
    pub status: MediaStatus,
    /// Video, image or audio.
    pub kind: MediaKind,
    /// Duration in milliseconds (videos and audio), once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Width in pixels, once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Codec of the video track, once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_codec: Option<VideoCodec>,
    /// Codec of the first audio track, e.g. `aac`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_codec: Option<String>,
    /// Container recognised from the file's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// Why verification failed, when `status` is `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ResultError>,
    /// The URL the server fetched the file from, for media ingested by URL
    /// (`POST /v1/media/ingest`, or a post's `mediaUrls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

/// `POST /v1/media/ingest` body: the server fetches `url` at once and stores it as media.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IngestMediaRequest {
    /// An `http` or `https` URL serving the file (a signed URL may expire once fetched).
    pub url: String,
    /// The file's mime type when the URL's server does not say it (`video/*` or `image/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The file's name; by default the last segment of the URL's path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}
