//! ISO base media files: MP4, MOV (QuickTime), M4A, fragmented MP4.
//!
//! The top level is walked box header by box header, seeking past everything but `ftyp`,
//! `moov` and `moof`, which are read whole (capped) and parsed from memory. Inside them the
//! layout is fixed (`moov/trak/mdia/minf/stbl/stsd/entry`), so nesting depth is bounded by the
//! code, not by the file.

use std::collections::HashMap;
use std::io::{Read, Seek};

use super::bytes::{fourcc_str, Fields};
use super::{
    to_millis, Container, MediaFacts, MediaKind, ProbeError, Source, VideoCodec, MAX_MOOF_BYTES,
    MAX_MOOV_BYTES, MAX_TOP_LEVEL_ITEMS,
};

mod fragments;
mod sample_entry;
mod sample_table;

use fragments::read_fragment;
use sample_table::parse_stbl;

/// Tracks (and `trex` entries) beyond this many make the file suspect, not interesting.
const MAX_TRACKS: usize = 1024;
/// How much of `ftyp` is read: the major brand and the first compatible brands.
const MAX_FTYP_BYTES: u64 = 1024;

const TRUNCATED: &str = "sample data past the end of the file (truncated?)";

/// Whether the first bytes look like an ISO BMFF box: a known top-level box type at offset 4.
/// (Old QuickTime files have no `ftyp` and start straight with `moov`, `mdat`, `wide`...)
pub(super) fn looks_like_isobmff(head: &[u8]) -> bool {
    matches!(
        head.get(4..8),
        Some(b"ftyp" | b"moov" | b"mdat" | b"free" | b"skip" | b"wide" | b"pnot")
    )
}

pub(super) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<MediaFacts, ProbeError> {
    let size = src.size;
    let mut container = None;
    let mut movie: Option<Movie> = None;
    let mut fragments = 0u64;
    let mut truncated_mdat = false;
    let mut offset = 0u64;
    let mut boxes = 0u64;
    // Each step moves `offset` forward by a whole box of at least 8 bytes.
    while size - offset >= 8 {
        boxes += 1;
        if boxes > MAX_TOP_LEVEL_ITEMS {
            return Err(ProbeError::unsupported(format!(
                "more than {MAX_TOP_LEVEL_ITEMS} top-level boxes"
            )));
        }
        let remaining = size - offset;
        let head = src.read_up_to(offset, 16)?;
        let mut fields = Fields::new(&head, "box header");
        let size32 = fields.u32()?;
        let kind = fields.fourcc()?;
        let (header_len, box_len) = match size32 {
            0 => (8, remaining),
            1 => (16, fields.u64()?),
            n => (8, u64::from(n)),
        };
        if box_len < header_len {
            return Err(ProbeError::unsupported(format!(
                "invalid box size {box_len} for the '{}' box at offset {offset}",
                fourcc_str(kind)
            )));
        }
        if box_len > remaining {
            if &kind == b"mdat" {
                // The media data runs past the end: the index check below says which samples
                // are missing, or the moov after the mdat is gone.
                truncated_mdat = true;
                break;
            }
            return Err(ProbeError::unsupported(format!(
                "box size exceeds file: the '{}' box at offset {offset} declares {box_len} bytes, \
                 the file has {remaining} from there (truncated?)",
                fourcc_str(kind)
            )));
        }
        let body = offset + header_len;
        let body_len = box_len - header_len;
        match &kind {
            b"ftyp" if container.is_none() => {
                let ftyp = src.read_up_to(body, body_len.min(MAX_FTYP_BYTES))?;
                container = Some(container_from_ftyp(&ftyp));
            }
            b"moov" if movie.is_none() => {
                let moov = src.read_capped(body, body_len, MAX_MOOV_BYTES, "the 'moov' box")?;
                movie = Some(parse_moov(&moov, size)?);
            }
            b"moof" => {
                let Some(movie) = movie.as_mut() else {
                    return Err(ProbeError::unsupported(
                        "a movie fragment ('moof') comes before the movie box ('moov')",
                    ));
                };
                let moof = src.read_capped(body, body_len, MAX_MOOF_BYTES, "a 'moof' box")?;
                read_fragment(&moof, offset, movie, size)?;
                fragments += 1;
            }
            _ => {}
        }
        offset += box_len;
    }

    let Some(movie) = movie else {
        return Err(ProbeError::unsupported(if truncated_mdat {
            "no movie box ('moov'): the file ends inside its media data (truncated?)"
        } else {
            "no movie box ('moov'), so no video track"
        }));
    };
    // Without `ftyp`, the file is a classic QuickTime movie.
    let container = container.unwrap_or(Container::Mov);
    movie.facts(container, size, fragments > 0)
}

/// MOV when the major or a compatible brand is QuickTime's `qt  `, else MP4.
fn container_from_ftyp(ftyp: &[u8]) -> Container {
    let major = ftyp.get(..4);
    let compatible = ftyp.get(8..).unwrap_or_default().chunks_exact(4);
    if major == Some(b"qt  ") || compatible.into_iter().any(|brand| brand == b"qt  ") {
        Container::Mov
    } else {
        Container::Mp4
    }
}

/// Child boxes of a box held in memory.
struct Boxes<'a> {
    data: &'a [u8],
    parent: &'static str,
}

fn boxes<'a>(data: &'a [u8], parent: &'static str) -> Boxes<'a> {
    Boxes { data, parent }
}

impl<'a> Iterator for Boxes<'a> {
    type Item = Result<([u8; 4], &'a [u8]), ProbeError>;

    fn next(&mut self) -> Option<Self::Item> {
        // Fewer than 8 bytes left cannot hold a box: QuickTime pads some containers with a
        // 4-byte terminator, which is ignored like ffmpeg does.
        if self.data.len() < 8 {
            return None;
        }
        let result = self.split();
        if result.is_err() {
            self.data = &[];
        }
        Some(result)
    }
}

impl<'a> Boxes<'a> {
    fn split(&mut self) -> Result<([u8; 4], &'a [u8]), ProbeError> {
        let mut fields = Fields::new(self.data, "box header");
        let size32 = fields.u32()?;
        let kind = fields.fourcc()?;
        let available = self.data.len() as u64;
        let (header_len, box_len) = match size32 {
            0 => (8, available),
            1 => (16, fields.u64()?),
            n => (8, u64::from(n)),
        };
        if box_len < header_len || box_len > available {
            return Err(ProbeError::unsupported(format!(
                "malformed '{}' box: a '{}' box inside declares {box_len} bytes, {available} are left",
                self.parent,
                fourcc_str(kind)
            )));
        }
        // Both lengths are at most `available`, a slice length.
        let (whole, rest) = self.data.split_at(box_len as usize);
        self.data = rest;
        Ok((kind, whole.get(header_len as usize..).unwrap_or_default()))
    }
}

/// What the movie box says, kept after its bytes are dropped.
#[derive(Debug, Default)]
struct Movie {
    timescale: u32,
    duration: u64,
    /// `mvex` present: the samples (also) live in movie fragments.
    fragmented: bool,
    /// `mehd`: the whole fragmented movie's duration, in the movie timescale.
    fragment_duration: Option<u64>,
    tracks: Vec<Track>,
    /// Track ID to index in `tracks` (the first track with that ID), so that a file with
    /// millions of track fragments costs a lookup each, not a scan.
    track_index: HashMap<u32, usize>,
    /// `trex` defaults by track ID (the first entry for an ID).
    trex: HashMap<u32, TrackDefaults>,
}

#[derive(Debug, Default)]
struct Track {
    id: u32,
    handler: [u8; 4],
    timescale: u32,
    media_duration: u64,
    tkhd_width: u32,
    tkhd_height: u32,
    entry: Option<SampleEntry>,
    /// Sum of the sample durations indexed in the movie box (`stts`).
    moov_samples_duration: u64,
    /// Composition offset of the first sample indexed in the movie box (`ctts`).
    moov_first_offset: i64,
    /// Decode time at which the fragments read so far end (track timescale).
    fragments_end: u64,
    /// Decode time and composition offset of the first fragmented sample.
    first_fragment: Option<(u64, i64)>,
    /// The most negative composition offset seen (0 if none is negative): ffmpeg delays the
    /// whole track by it so that no sample is presented before it is decoded.
    min_offset: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct TrackDefaults {
    track_id: u32,
    sample_duration: u32,
    sample_size: u32,
}

#[derive(Debug)]
enum SampleEntry {
    Video { codec: VideoCodec, width: u32, height: u32 },
    Audio { codec: String },
}

impl Movie {
    fn facts(
        &self,
        container: Container,
        size: u64,
        has_fragments: bool,
    ) -> Result<MediaFacts, ProbeError> {
        let video = self.tracks.iter().find_map(|t| match &t.entry {
            Some(SampleEntry::Video { codec, width, height }) if &t.handler == b"vide" => {
                let width = if *width > 0 { *width } else { t.tkhd_width };
                let height = if *height > 0 { *height } else { t.tkhd_height };
                Some((codec.clone(), width, height))
            }
            _ => None,
        });
        let audio = self.tracks.iter().find_map(|t| match &t.entry {
            Some(SampleEntry::Audio { codec }) if &t.handler == b"soun" => Some(codec.clone()),
            _ => None,
        });
        let kind = match (&video, &audio) {
            (Some(_), _) => MediaKind::Video,
            (None, Some(_)) => MediaKind::Audio,
            (None, None) => {
                return Err(ProbeError::unsupported("no video track (and no audio track either)"))
            }
        };
        let (video_codec, width, height) = match video {
            Some((codec, width, height)) => (Some(codec), Some(width), Some(height)),
            None => (None, None, None),
        };
        Ok(MediaFacts {
            container,
            kind,
            size,
            duration_ms: self.duration_ms(has_fragments),
            width,
            height,
            video_codec,
            audio_codec: audio,
        })
    }

    /// What ffprobe reports: the movie header's duration, or for fragmented files the span from
    /// the earliest audio or video track's first presentation time to the latest one's end.
    fn duration_ms(&self, has_fragments: bool) -> Option<u64> {
        let media = |t: &&Track| matches!(&t.handler, b"vide" | b"soun");
        if self.fragmented || has_fragments {
            let spans = self.tracks.iter().filter(media).filter_map(Track::presentation_span);
            let from_tracks = spans
                .reduce(|(start, end), (s, e)| (start.min(s), end.max(e)))
                .map(|(start, end)| end.saturating_sub(start).max(0))
                .and_then(|us| u64::try_from((us + 500) / 1000).ok())
                .filter(|&ms| ms > 0);
            let from_mehd = self
                .fragment_duration
                .and_then(|d| to_millis(d, u64::from(self.timescale)))
                .filter(|&ms| ms > 0);
            if let Some(ms) = from_tracks.or(from_mehd) {
                return Some(ms);
            }
        }
        let known = |d: u64| d > 0 && d != u64::from(u32::MAX) && d != u64::MAX;
        if known(self.duration) {
            if let Some(ms) = to_millis(self.duration, u64::from(self.timescale)) {
                return Some(ms);
            }
        }
        self.tracks
            .iter()
            .filter(media)
            .filter(|t| known(t.media_duration))
            .filter_map(|t| to_millis(t.media_duration, u64::from(t.timescale)))
            .max()
    }
}

impl Track {
    /// From the first sample's presentation time to the end of the last sample, in
    /// microseconds, the way ffmpeg measures a fragmented track (edit lists ignored).
    fn presentation_span(&self) -> Option<(i128, i128)> {
        let (first_decode, offset) = if self.moov_samples_duration > 0 {
            (0, self.moov_first_offset)
        } else {
            self.first_fragment?
        };
        let end = self.fragments_end.max(self.moov_samples_duration);
        let scale = i128::from(self.timescale);
        if scale == 0 {
            return None;
        }
        let shift = -i128::from(self.min_offset.min(0));
        let micros = |t: u64| (i128::from(t) + i128::from(offset) + shift) * 1_000_000 / scale;
        Some((micros(first_decode), micros(end)))
    }
}

fn parse_moov(moov: &[u8], file_size: u64) -> Result<Movie, ProbeError> {
    let mut movie = Movie::default();
    for child in boxes(moov, "moov") {
        let (kind, body) = child?;
        match &kind {
            b"mvhd" => {
                let mut f = Fields::new(body, "'mvhd' box");
                let wide = f.u32()? >> 24 == 1;
                f.skip(if wide { 16 } else { 8 })?;
                movie.timescale = f.u32()?;
                movie.duration = f.u32_or_u64(wide)?;
            }
            b"trak" => {
                if movie.tracks.len() >= MAX_TRACKS {
                    return Err(ProbeError::unsupported(format!("more than {MAX_TRACKS} tracks")));
                }
                let track = parse_trak(body, file_size)?;
                movie.track_index.entry(track.id).or_insert(movie.tracks.len());
                movie.tracks.push(track);
            }
            b"mvex" => {
                movie.fragmented = true;
                for child in boxes(body, "mvex") {
                    let (kind, body) = child?;
                    let mut f = Fields::new(body, "'mvex' child box");
                    match &kind {
                        b"mehd" => {
                            let wide = f.u32()? >> 24 == 1;
                            movie.fragment_duration = Some(f.u32_or_u64(wide)?);
                        }
                        b"trex" if movie.trex.len() < MAX_TRACKS => {
                            f.skip(4)?;
                            let track_id = f.u32()?;
                            f.skip(4)?; // default sample description index
                            let sample_duration = f.u32()?;
                            let sample_size = f.u32()?;
                            let defaults = TrackDefaults { track_id, sample_duration, sample_size };
                            movie.trex.entry(track_id).or_insert(defaults);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(movie)
}

fn parse_trak(trak: &[u8], file_size: u64) -> Result<Track, ProbeError> {
    let mut track = Track::default();
    let mut stbl = None;
    for child in boxes(trak, "trak") {
        let (kind, body) = child?;
        match &kind {
            b"tkhd" => {
                let mut f = Fields::new(body, "'tkhd' box");
                let wide = f.u32()? >> 24 == 1;
                f.skip(if wide { 16 } else { 8 })?; // creation and modification times
                track.id = f.u32()?;
                f.skip(4)?;
                f.u32_or_u64(wide)?; // duration, in the movie timescale
                f.skip(8 + 2 + 2 + 2 + 2 + 36)?; // reserved, layer, group, volume, matrix
                track.tkhd_width = f.u32()? >> 16;
                track.tkhd_height = f.u32()? >> 16;
            }
            b"mdia" => {
                for child in boxes(body, "mdia") {
                    let (kind, body) = child?;
                    let mut f = Fields::new(body, "'mdia' child box");
                    match &kind {
                        b"mdhd" => {
                            let wide = f.u32()? >> 24 == 1;
                            f.skip(if wide { 16 } else { 8 })?;
                            track.timescale = f.u32()?;
                            track.media_duration = f.u32_or_u64(wide)?;
                        }
                        b"hdlr" => {
                            f.skip(8)?; // version, flags, pre-defined (QuickTime: component type)
                            track.handler = f.fourcc()?;
                        }
                        b"minf" => {
                            for child in boxes(body, "minf") {
                                let (kind, body) = child?;
                                if &kind == b"stbl" {
                                    stbl = Some(body);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    // The sample entry's layout depends on the handler, which may come after `minf`.
    if let Some(stbl) = stbl {
        parse_stbl(stbl, &mut track, file_size)?;
    }
    Ok(track)
}
