//! Media facts read from a file's own bytes, without ffmpeg.

use serde::{Deserialize, Serialize};

use crate::model::open_enum;

open_enum! {
    /// The container format, recognised by its magic bytes, never by name or mime type.
    Container {
        Mp4 = "mp4",
        Mov = "mov",
        Webm = "webm",
        Matroska = "matroska",
        Jpeg = "jpeg",
        Png = "png",
        Gif = "gif",
    }
}

open_enum! {
    /// What a media file holds, as the API reports it.
    MediaKind {
        Video = "video",
        Image = "image",
        Audio = "audio",
    }
}

open_enum! {
    /// A video codec, named as the API reports it.
    VideoCodec {
        H264 = "h264",
        H265 = "h265",
        Av1 = "av1",
        Vp8 = "vp8",
        Vp9 = "vp9",
        Mpeg4 = "mpeg4",
    }
}

/// What the probe found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaFacts {
    /// Container recognised from the file's bytes.
    pub container: Container,
    /// Video when a video track exists, image for still images, audio for audio-only files.
    pub kind: MediaKind,
    /// File size in bytes.
    pub size: u64,
    /// Duration in milliseconds (videos and audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Width in pixels of the video track or image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels of the video track or image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Codec of the video track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_codec: Option<VideoCodec>,
    /// Codec of the first audio track (e.g. "aac", "opus"), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_codec: Option<String>,
}
