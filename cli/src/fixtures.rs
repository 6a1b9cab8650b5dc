//! The sample videos `aether demo` uploads, built into the binary so the demo runs from any
//! directory. Both come from `tests/fixtures/media` (see its `manifest.json`).

/// A 20-second H.264/AAC MP4 (64×112, moov first): inside TikTok's 15–60 s for standard accounts.
pub const SAMPLE_VIDEO: &[u8] = include_bytes!("../../tests/fixtures/media/h264_aac_faststart.mp4");
/// Its file name.
pub const SAMPLE_VIDEO_NAME: &str = "video.mp4";

/// A 14.9-second H.264 MP4: a tenth of a second short of TikTok's minimum.
pub const SHORT_VIDEO: &[u8] = include_bytes!("../../tests/fixtures/media/h264_14.9s.mp4");
/// Its file name.
pub const SHORT_VIDEO_NAME: &str = "short.mp4";
