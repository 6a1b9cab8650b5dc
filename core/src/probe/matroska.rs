//! WebM and Matroska (EBML).
//!
//! Reads the EBML header (DocType tells WebM from Matroska), then walks the Segment's top-level
//! elements header by header, reading only `Info`, `Tracks` and `SeekHead` and seeking past the
//! clusters. A Segment or element that claims to run past the end of the file means the file
//! was truncated.

use std::io::{Read, Seek};

use super::bytes::Fields;
use super::{
    Container, MediaFacts, MediaKind, ProbeError, Source, VideoCodec, MAX_TOP_LEVEL_ITEMS,
};

const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const SEEK: u32 = 0x4DBB;
const SEEK_ID: u32 = 0x53AB;
const SEEK_POSITION: u32 = 0x53AC;
const INFO: u32 = 0x1549_A966;
const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_TYPE: u32 = 0x83;
const CODEC_ID: u32 = 0x86;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;

const MAX_HEADER_BYTES: u64 = 4096;
const MAX_INFO_BYTES: u64 = 1 << 20;
const MAX_SEEK_HEAD_BYTES: u64 = 1 << 20;
const MAX_TRACKS_BYTES: u64 = 16 << 20;
/// Elements that may stand between the EBML header and the Segment (Void, CRC-32...).
const MAX_ELEMENTS_BEFORE_SEGMENT: u32 = 16;

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<MediaFacts, ProbeError> {
    let size = src.size;
    let header = element_at(src, 0)?;
    if header.id != EBML {
        return Err(ProbeError::unsupported("malformed EBML header"));
    }
    let header_len = header.known_size("the EBML header")?;
    let header_body =
        src.read_capped(header.data, header_len, MAX_HEADER_BYTES, "the EBML header")?;
    let mut doc_type = String::from("matroska"); // the default when DocType is absent
    for element in elements(&header_body) {
        let (id, body) = element?;
        if id == DOC_TYPE {
            doc_type = string(body);
        }
    }
    let container = match doc_type.as_str() {
        "webm" => Container::Webm,
        "matroska" => Container::Matroska,
        other => {
            return Err(ProbeError::unsupported(format!(
                "unknown container (EBML DocType \"{}\")",
                other.escape_debug()
            )))
        }
    };

    // The Segment, after the header and perhaps a few Void elements.
    let mut offset = end_of(header.data, header_len, size, size, "the EBML header")?;
    let mut skipped = 0;
    let segment = loop {
        if size - offset < 2 {
            return Err(ProbeError::unsupported("no Matroska Segment, so no video track"));
        }
        let element = element_at(src, offset)?;
        if element.id == SEGMENT {
            break element;
        }
        skipped += 1;
        if skipped > MAX_ELEMENTS_BEFORE_SEGMENT {
            return Err(ProbeError::unsupported("no Matroska Segment, so no video track"));
        }
        let len = element.known_size("a top-level element")?;
        offset = end_of(element.data, len, size, size, "a top-level element")?;
    };
    let segment_end = match segment.size {
        Some(len) => end_of(segment.data, len, size, size, "the Matroska Segment")?,
        None => size,
    };

    let mut info = None;
    let mut tracks = None;
    let mut seek_head: Vec<(u32, u64)> = Vec::new();
    let mut offset = segment.data;
    let mut count = 0u64;
    // Each step moves `offset` forward by a whole element (at least 2 bytes of header).
    while segment_end - offset >= 2 {
        count += 1;
        if count > MAX_TOP_LEVEL_ITEMS {
            return Err(ProbeError::unsupported(format!(
                "more than {MAX_TOP_LEVEL_ITEMS} Matroska top-level elements"
            )));
        }
        let element = element_at(src, offset)?;
        let Some(len) = element.size else {
            // A live-streamed cluster of unknown size: nothing after it can be found by
            // walking, only through the SeekHead.
            break;
        };
        let end = end_of(element.data, len, segment_end, size, "a Matroska element")?;
        match element.id {
            INFO if info.is_none() => {
                info = Some(src.read_capped(element.data, len, MAX_INFO_BYTES, "Matroska Info")?);
            }
            TRACKS if tracks.is_none() => {
                let what = "Matroska Tracks";
                tracks = Some(src.read_capped(element.data, len, MAX_TRACKS_BYTES, what)?);
            }
            SEEK_HEAD if seek_head.is_empty() => {
                let what = "Matroska SeekHead";
                let body = src.read_capped(element.data, len, MAX_SEEK_HEAD_BYTES, what)?;
                seek_head = parse_seek_head(&body)?;
            }
            _ => {}
        }
        offset = end;
    }

    // Info or Tracks after an unknown-size cluster: follow the SeekHead.
    for (id, position) in seek_head {
        let wanted = match id {
            INFO => &mut info,
            TRACKS => &mut tracks,
            _ => continue,
        };
        if wanted.is_some() {
            continue;
        }
        let Some(at) = segment.data.checked_add(position).filter(|&at| at < segment_end) else {
            continue;
        };
        let element = element_at(src, at)?;
        if element.id == id {
            let len = element.known_size("a Matroska element")?;
            end_of(element.data, len, segment_end, size, "a Matroska element")?;
            let (cap, what) = match id {
                INFO => (MAX_INFO_BYTES, "Matroska Info"),
                _ => (MAX_TRACKS_BYTES, "Matroska Tracks"),
            };
            *wanted = Some(src.read_capped(element.data, len, cap, what)?);
        }
    }

    let duration_ms = match &info {
        Some(info) => parse_info(info)?,
        None => None,
    };
    let Some(tracks) = tracks else {
        return Err(ProbeError::unsupported("no Matroska Tracks element, so no video track"));
    };
    let (video, audio) = parse_tracks(&tracks)?;
    let kind = match (&video, &audio) {
        (Some(_), _) => MediaKind::Video,
        (None, Some(_)) => MediaKind::Audio,
        (None, None) => {
            return Err(ProbeError::unsupported("no video track (and no audio track either)"))
        }
    };
    let (video_codec, width, height) = match video {
        Some((codec, width, height)) => (Some(codec), width, height),
        None => (None, None, None),
    };
    Ok(MediaFacts {
        container,
        kind,
        size,
        duration_ms,
        width,
        height,
        video_codec,
        audio_codec: audio,
    })
}

/// An element header read from the file.
struct Element {
    id: u32,
    /// Where its data starts.
    data: u64,
    /// `None`: unknown size (all ones), allowed for Segment and Cluster.
    size: Option<u64>,
}

impl Element {
    fn known_size(&self, what: &str) -> Result<u64, ProbeError> {
        self.size.ok_or_else(|| ProbeError::unsupported(format!("{what} has an unknown size")))
    }
}

fn element_at<R: Read + Seek>(src: &mut Source<R>, offset: u64) -> Result<Element, ProbeError> {
    let head = src.read_up_to(offset, 12)?;
    let mut f = Fields::new(&head, "Matroska element header");
    let id = read_id(&mut f)?;
    let size = read_size(&mut f)?;
    let header_len = (head.len() - f.rest().len()) as u64;
    Ok(Element { id, data: offset + header_len, size })
}

/// Where `what`, `len` bytes from `start`, ends, when that is within `limit` (its parent's
/// end, at most the file's).
fn end_of(start: u64, len: u64, limit: u64, file_size: u64, what: &str) -> Result<u64, ProbeError> {
    match start.checked_add(len) {
        Some(end) if end <= limit => Ok(end),
        Some(end) if end <= file_size => Err(ProbeError::unsupported(format!(
            "malformed Matroska: {what} runs past the end of its Segment"
        ))),
        _ => Err(ProbeError::unsupported(format!(
            "{what} extends past the end of the file (truncated?)"
        ))),
    }
}

/// An element ID: 1 to 4 bytes, the length marker kept as part of the ID.
fn read_id(f: &mut Fields<'_>) -> Result<u32, ProbeError> {
    let first = f.u8()?;
    let len = first.leading_zeros() + 1;
    if len > 4 {
        return Err(ProbeError::unsupported("malformed Matroska element ID"));
    }
    let mut id = u32::from(first);
    for _ in 1..len {
        id = id << 8 | u32::from(f.u8()?);
    }
    Ok(id)
}

/// An element size: 1 to 8 bytes, the marker removed; all value bits set means unknown.
fn read_size(f: &mut Fields<'_>) -> Result<Option<u64>, ProbeError> {
    let first = f.u8()?;
    let len = first.leading_zeros() + 1;
    if len > 8 {
        return Err(ProbeError::unsupported("malformed Matroska element size"));
    }
    let mask = 0xFFu32 >> len;
    let mut value = u64::from(u32::from(first) & mask);
    let mut all_ones = value == u64::from(mask);
    for _ in 1..len {
        let byte = f.u8()?;
        value = value << 8 | u64::from(byte);
        all_ones &= byte == 0xFF;
    }
    Ok(if all_ones { None } else { Some(value) })
}

/// The child elements of a master element held in memory.
fn elements(data: &[u8]) -> impl Iterator<Item = Result<(u32, &[u8]), ProbeError>> {
    let mut f = Fields::new(data, "Matroska element");
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || f.rest().is_empty() {
            return None;
        }
        let next = (|| {
            let id = read_id(&mut f)?;
            // Unknown size inside a master element held in memory: up to the parent's end.
            let len = read_size(&mut f)?.unwrap_or(f.rest().len() as u64);
            let len = usize::try_from(len).ok().filter(|&len| len <= f.rest().len());
            let Some(len) = len else {
                return Err(ProbeError::unsupported(
                    "malformed Matroska element: larger than its parent",
                ));
            };
            Ok((id, f.take(len)?))
        })();
        failed = next.is_err();
        Some(next)
    })
}

fn uint(body: &[u8]) -> Option<u64> {
    (body.len() <= 8).then(|| body.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
}

fn float(body: &[u8]) -> Option<f64> {
    match body.len() {
        4 => Some(f64::from(f32::from_be_bytes(body.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(body.try_into().ok()?)),
        _ => None,
    }
}

fn string(body: &[u8]) -> String {
    let end = body.iter().position(|&b| b == 0).unwrap_or(body.len());
    String::from_utf8_lossy(body.get(..end).unwrap_or_default()).into_owned()
}

fn parse_seek_head(body: &[u8]) -> Result<Vec<(u32, u64)>, ProbeError> {
    let mut entries = Vec::new();
    for element in elements(body) {
        let (id, seek) = element?;
        if id != SEEK || entries.len() >= 64 {
            continue;
        }
        let (mut target, mut position) = (None, None);
        for element in elements(seek) {
            let (id, value) = element?;
            match id {
                SEEK_ID => target = uint(value).and_then(|v| u32::try_from(v).ok()),
                SEEK_POSITION => position = uint(value),
                _ => {}
            }
        }
        if let (Some(target), Some(position)) = (target, position) {
            entries.push((target, position));
        }
    }
    Ok(entries)
}

/// The duration in milliseconds: Duration (a float, in TimestampScale nanoseconds).
fn parse_info(body: &[u8]) -> Result<Option<u64>, ProbeError> {
    let mut scale = 1_000_000u64;
    let mut duration = None;
    for element in elements(body) {
        let (id, value) = element?;
        match id {
            TIMESTAMP_SCALE => scale = uint(value).filter(|&s| s > 0).unwrap_or(scale),
            DURATION => duration = float(value),
            _ => {}
        }
    }
    Ok(duration.map(|d| d * scale as f64 / 1e6).filter(|ms| ms.is_finite() && *ms >= 0.0).map(
        // Float-to-integer casts saturate.
        |ms| ms.round() as u64,
    ))
}

type VideoTrack = (VideoCodec, Option<u32>, Option<u32>);

/// The first video track (codec and pixel size) and the first audio track's codec.
fn parse_tracks(body: &[u8]) -> Result<(Option<VideoTrack>, Option<String>), ProbeError> {
    let (mut video, mut audio) = (None, None);
    for element in elements(body) {
        let (id, entry) = element?;
        if id != TRACK_ENTRY {
            continue;
        }
        let (mut kind, mut codec, mut width, mut height) = (None, String::new(), None, None);
        for element in elements(entry) {
            let (id, value) = element?;
            match id {
                TRACK_TYPE => kind = uint(value),
                CODEC_ID => codec = string(value),
                VIDEO => {
                    for element in elements(value) {
                        let (id, value) = element?;
                        let pixels = || uint(value).and_then(|v| u32::try_from(v).ok());
                        match id {
                            PIXEL_WIDTH => width = pixels(),
                            PIXEL_HEIGHT => height = pixels(),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        match kind {
            Some(1) if video.is_none() => video = Some((video_codec(&codec), width, height)),
            Some(2) if audio.is_none() => audio = Some(audio_codec(&codec)),
            _ => {}
        }
    }
    Ok((video, audio))
}

fn video_codec(codec_id: &str) -> VideoCodec {
    match codec_id {
        "V_MPEG4/ISO/AVC" => VideoCodec::H264,
        "V_MPEGH/ISO/HEVC" => VideoCodec::H265,
        "V_AV1" => VideoCodec::Av1,
        "V_VP8" => VideoCodec::Vp8,
        "V_VP9" => VideoCodec::Vp9,
        "V_MPEG4/ISO/SP" | "V_MPEG4/ISO/ASP" | "V_MPEG4/ISO/AP" => VideoCodec::Mpeg4,
        other => VideoCodec::Unknown(other.to_owned()),
    }
}

fn audio_codec(codec_id: &str) -> String {
    let name = match codec_id {
        "A_OPUS" => "opus",
        "A_VORBIS" => "vorbis",
        "A_MPEG/L3" => "mp3",
        "A_MPEG/L2" => "mp2",
        "A_AC3" => "ac3",
        "A_EAC3" => "eac3",
        "A_FLAC" => "flac",
        "A_ALAC" => "alac",
        "A_TRUEHD" => "truehd",
        id if id.starts_with("A_AAC") => "aac",
        id if id.starts_with("A_DTS") => "dts",
        id if id.starts_with("A_PCM") => "pcm",
        other => return other.trim_start_matches("A_").to_ascii_lowercase(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_decode_with_markers_and_unknown() {
        let size = |bytes: &[u8]| read_size(&mut Fields::new(bytes, "t"));
        assert_eq!(size(&[0x81]).unwrap(), Some(1));
        assert_eq!(size(&[0x40, 0x02]).unwrap(), Some(2));
        assert_eq!(size(&[0xFF]).unwrap(), None);
        assert_eq!(size(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap(), None);
        assert_eq!(size(&[0x01, 0, 0, 0, 0, 0, 1, 0]).unwrap(), Some(256));
        assert!(size(&[0x00]).is_err());
        assert!(size(&[0x40]).is_err());
    }

    #[test]
    fn ids_keep_their_marker() {
        let id = |bytes: &[u8]| read_id(&mut Fields::new(bytes, "t"));
        assert_eq!(id(&[0x1A, 0x45, 0xDF, 0xA3]).unwrap(), EBML);
        assert_eq!(id(&[0xAE]).unwrap(), TRACK_ENTRY);
        assert!(id(&[0x08, 1, 2, 3, 4]).is_err());
    }
}
