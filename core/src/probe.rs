//! Media facts read from a file's own bytes, without ffmpeg.
//!
//! [`probe_path`] and [`probe`] recognise the container by its magic bytes (never by name or mime
//! type) and read what the platform rules need: the video codec, width, height and duration, the
//! first audio codec, and whether the file is whole. MP4/MOV (ISO BMFF, fragmented included),
//! WebM/Matroska, JPEG, PNG and GIF are understood; anything else is
//! [`ErrorCode::UnsupportedMediaType`] with a reason that says what was wrong.
//!
//! # How it reads
//! The probe seeks to the structures it needs and reads only those: the top-level MP4 boxes'
//! headers, then the whole `moov` and each `moof`; the EBML header, `Info`, `Tracks` and the
//! headers of the other top-level Matroska elements; the first markers of an image. A 4 GB file
//! with its `mdat` before its `moov` probes in a few dozen reads and constant memory. Every
//! buffer is capped ([`MAX_MOOV_BYTES`] and friends) and never larger than the file, every count
//! read from a file is checked against the bytes that are really there before it is used, sizes
//! are added with checked arithmetic, and every loop advances by at least a header per step or is
//! bounded by a constant. No input makes the probe panic (a fuzz target in `fuzz/` checks this).
//!
//! # Why hand-written, not a parsing crate
//! Mozilla's `mp4parse` (fuzzed, shipped in Firefox) was the first candidate and was evaluated
//! against what this probe must report. It does not fit:
//! - it has no HEVC: `hvc1`/`hev1` sample entries come back as `SampleEntry::Unknown` without
//!   their four-character code, so H.265 (accepted by most platforms) could not be told from
//!   any unknown codec, nor an unknown codec named;
//! - `read_mp4` reads the file sequentially (it reads through `mdat` to skip it) and discards
//!   the `ftyp` brands (MP4 versus MOV), so the top level has to be walked here anyway;
//! - it does not parse movie fragments (`moof`/`traf`/`trun`), so fragmented durations and the
//!   check that fragment data lies inside the file would be hand-written anyway;
//! - it is strict where a probe must be lenient (it rejects files ffprobe and the platforms
//!   accept, e.g. unexpected trailing bytes in a box), and being Firefox's demuxer it validates
//!   much that a probe does not need.
//!
//! With the top level, the sample entries and the fragments hand-written, what `mp4parse` would
//! still add is the decoding of a few fixed-layout boxes (`mvhd`, `tkhd`, `mdhd`, `stsz`,
//! `stsc`, `stco`) — a few lines each — at the price of two parsers reading the same bytes and a
//! dependency tree (`fallible_collections`, `bitreader`, `byteorder`, `log`, `num-traits`). The
//! Matroska crates (`matroska`, `webm-iterable`) read element by element through the clusters
//! and cannot seek past them, and EBML needs only a variable-length-integer reader. So the probe
//! is hand-written over bounds-checked slices, kept small, and fuzzed.

mod bytes;
mod image;
mod matroska;
mod mp4;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::open_enum::open_enum;
use crate::ErrorCode;

/// The largest `moov` box the probe reads (real files stay far below: a two-hour movie's is a
/// few MiB).
pub const MAX_MOOV_BYTES: u64 = 64 << 20;
/// The largest single `moof` box the probe reads.
pub const MAX_MOOF_BYTES: u64 = 16 << 20;
/// The most top-level boxes or elements the probe walks before it gives up on a file.
pub const MAX_TOP_LEVEL_ITEMS: u64 = 4 << 20;

open_enum! {
    /// The container format, recognised by its magic bytes, never by name or mime type.
    Container {
        /// ISO base media (MP4), recognised by an `ftyp` brand.
        Mp4 = "mp4",
        /// QuickTime (MOV): the `ftyp` brand `qt`, or an old file that starts with `moov`.
        Mov = "mov",
        /// WebM (an EBML header with doctype `webm`).
        Webm = "webm",
        /// Matroska (an EBML header with doctype `matroska`).
        Matroska = "matroska",
        /// A JPEG image.
        Jpeg = "jpeg",
        /// A PNG image.
        Png = "png",
        /// A GIF image.
        Gif = "gif",
    }
}

open_enum! {
    /// What a media file holds, as the API reports it.
    MediaKind {
        /// A file with a video track.
        Video = "video",
        /// A still image.
        Image = "image",
        /// Sound only (no platform accepts it as a post's media).
        Audio = "audio",
    }
}

open_enum! {
    /// A video codec, named as the API reports it.
    VideoCodec {
        /// H.264 / AVC.
        H264 = "h264",
        /// H.265 / HEVC.
        H265 = "h265",
        /// AV1.
        Av1 = "av1",
        /// VP8.
        Vp8 = "vp8",
        /// VP9.
        Vp9 = "vp9",
        /// MPEG-4 Part 2 (Visual).
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

/// Why a file could not be probed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// The bytes are not media the probe understands, or the media is broken (truncated, no
    /// video track, sizes that do not add up). The reason says which.
    #[error("{reason}")]
    Unsupported {
        /// What was wrong, e.g. "no video track" or "sample data past the end of the file
        /// (truncated?)".
        reason: String,
    },
    /// Reading the file failed.
    #[error("reading the media failed: {0}")]
    Io(#[from] io::Error),
}

impl ProbeError {
    /// [`ErrorCode::UnsupportedMediaType`] for bad media, [`ErrorCode::IoError`] when reading
    /// failed.
    pub fn code(&self) -> ErrorCode {
        match self {
            ProbeError::Unsupported { .. } => ErrorCode::UnsupportedMediaType,
            ProbeError::Io(_) => ErrorCode::IoError,
        }
    }

    pub(crate) fn unsupported(reason: impl Into<String>) -> ProbeError {
        ProbeError::Unsupported { reason: reason.into() }
    }
}

/// Probes the file at `path`: see [`probe`].
///
/// Fails with [`ErrorCode::IoError`] when the file cannot be opened or read.
///
/// ```
/// use aether::probe::{probe_path, Container, VideoCodec};
///
/// let facts = probe_path("../tests/fixtures/media/h264_15s.mp4")?;
/// assert_eq!(facts.container, Container::Mp4);
/// assert_eq!(facts.video_codec, Some(VideoCodec::H264));
/// assert_eq!((facts.width, facts.height, facts.duration_ms), (Some(64), Some(112), Some(15_000)));
///
/// let err = probe_path("../tests/fixtures/media/truncated_faststart.mp4").unwrap_err();
/// assert_eq!(err.code(), aether::ErrorCode::UnsupportedMediaType);
/// assert!(err.to_string().starts_with("sample data past the end of the file (truncated?)"));
/// # Ok::<(), aether::probe::ProbeError>(())
/// ```
pub fn probe_path(path: impl AsRef<Path>) -> Result<MediaFacts, ProbeError> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    probe(file, size)
}

/// Probes `size` bytes of media from `reader`, starting at its offset 0.
///
/// Returns the container, kind, dimensions, codecs and duration. Fails with
/// [`ErrorCode::UnsupportedMediaType`] for an unknown container, a file with neither video nor
/// audio, or a file whose index points past its end (truncated), and with
/// [`ErrorCode::IoError`] when reading fails or the reader holds fewer than `size` bytes. Reads
/// only the headers and indexes it needs, seeking past the media data.
pub fn probe<R: Read + Seek>(reader: R, size: u64) -> Result<MediaFacts, ProbeError> {
    let mut src = Source::new(reader, size);
    if size == 0 {
        return Err(ProbeError::unsupported("empty file"));
    }
    let head = src.read_up_to(0, 16)?;
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        matroska::probe(&mut src)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        image::probe_jpeg(&mut src)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        image::probe_png(&mut src)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        image::probe_gif(&mut src)
    } else if mp4::looks_like_isobmff(&head) {
        mp4::probe(&mut src)
    } else {
        Err(ProbeError::unsupported(format!("unknown container (first bytes {})", hex(&head, 8))))
    }
}

/// Up to `max` bytes as hex pairs, with an ellipsis when there were more.
fn hex(bytes: &[u8], max: usize) -> String {
    let shown: Vec<String> = bytes.iter().take(max).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > max { " …" } else { "" };
    format!("{}{more}", shown.join(" "))
}

/// A reader with a known size that reads at absolute offsets, seeking only when it must, and
/// refuses to read past `size`.
struct Source<R> {
    inner: R,
    size: u64,
    /// Where `inner` is, when known (saves a seek for consecutive reads).
    pos: Option<u64>,
}

impl<R: Read + Seek> Source<R> {
    fn new(inner: R, size: u64) -> Source<R> {
        Source { inner, size, pos: None }
    }

    /// Fills `buf` from `offset`; the caller has checked that the range lies inside `size`.
    fn read_exact_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ProbeError> {
        let end = offset.checked_add(buf.len() as u64).filter(|&end| end <= self.size);
        if end.is_none() {
            return Err(ProbeError::unsupported("a structure extends past the end of the file"));
        }
        if self.pos != Some(offset) {
            self.pos = None;
            self.inner.seek(SeekFrom::Start(offset))?;
        }
        self.inner.read_exact(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                io::Error::new(e.kind(), "the file is shorter than its size said")
            } else {
                e
            }
        })?;
        self.pos = end;
        Ok(())
    }

    /// Reads up to `max` bytes at `offset`: fewer when the file ends first.
    fn read_up_to(&mut self, offset: u64, max: u64) -> Result<Vec<u8>, ProbeError> {
        let len = self.size.saturating_sub(offset).min(max);
        // `len` is at most `max`, a small constant chosen by the caller.
        let mut buf = vec![0; usize::try_from(len).unwrap_or(0)];
        self.read_exact_at(offset, &mut buf)?;
        Ok(buf)
    }

    /// Reads exactly `len` bytes at `offset` for the structure `what`, refusing (before
    /// allocating) anything larger than `cap` or past the end of the file.
    fn read_capped(
        &mut self,
        offset: u64,
        len: u64,
        cap: u64,
        what: &str,
    ) -> Result<Vec<u8>, ProbeError> {
        if len > cap {
            return Err(ProbeError::unsupported(format!(
                "{what} is {len} bytes, more than the {cap} the probe reads"
            )));
        }
        if offset.checked_add(len).is_none_or(|end| end > self.size) {
            return Err(ProbeError::unsupported(format!(
                "{what} extends past the end of the file (truncated?)"
            )));
        }
        let len = usize::try_from(len)
            .map_err(|_| ProbeError::unsupported(format!("{what} is too large")))?;
        let mut buf = vec![0; len];
        self.read_exact_at(offset, &mut buf)?;
        Ok(buf)
    }
}

/// Rounds `value / scale` seconds to milliseconds, saturating; `None` for a zero scale.
fn to_millis(value: u64, scale: u64) -> Option<u64> {
    if scale == 0 {
        return None;
    }
    let ms = (u128::from(value) * 1000 + u128::from(scale) / 2) / u128::from(scale);
    Some(u64::try_from(ms).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn empty_and_unknown_inputs_are_unsupported_media() {
        let err = probe(Cursor::new(Vec::new()), 0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedMediaType);
        assert_eq!(err.to_string(), "empty file");

        let err = probe(Cursor::new(b"RIFF\x10\0\0\0AVI LIST".to_vec()), 16).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedMediaType);
        assert_eq!(err.to_string(), "unknown container (first bytes 52 49 46 46 10 00 00 00 …)");
    }

    #[test]
    fn a_reader_shorter_than_its_size_is_an_io_error() {
        let err = probe(Cursor::new(b"\x89PNG".to_vec()), 100).unwrap_err();
        assert_eq!(err.code(), ErrorCode::IoError);
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let err = probe_path("/nonexistent/definitely/not/here.mp4").unwrap_err();
        assert_eq!(err.code(), ErrorCode::IoError);
    }

    #[test]
    fn millis_round_to_nearest_and_saturate() {
        assert_eq!(to_millis(1499, 1000), Some(1499));
        assert_eq!(to_millis(1, 3), Some(333));
        assert_eq!(to_millis(2, 3), Some(667));
        assert_eq!(to_millis(u64::MAX, 1), Some(u64::MAX));
        assert_eq!(to_millis(5, 0), None);
    }
}
