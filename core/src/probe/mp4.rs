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

/// Sample sizes from `stsz` (constant or 32-bit table) or `stz2` (4, 8 or 16-bit table).
#[derive(Debug)]
enum SampleSizes<'a> {
    Constant { size: u32, count: u32 },
    Table { data: &'a [u8], bits: u8, count: u32 },
}

impl SampleSizes<'_> {
    fn count(&self) -> u64 {
        match self {
            SampleSizes::Constant { count, .. } | SampleSizes::Table { count, .. } => {
                u64::from(*count)
            }
        }
    }

    /// Total bytes of `n` samples from sample index `first` (0-based); the caller keeps
    /// `first + n` within `count()`, so a table walk is bounded by the table it holds.
    fn sum(&self, first: u64, n: u64) -> u64 {
        match *self {
            SampleSizes::Constant { size, .. } => n.saturating_mul(u64::from(size)),
            SampleSizes::Table { data, bits, .. } => {
                (first..first.saturating_add(n)).map(|i| table_entry(data, bits, i)).sum()
            }
        }
    }
}

fn table_entry(data: &[u8], bits: u8, index: u64) -> u64 {
    let at = |i: u64| usize::try_from(i).ok().and_then(|i| data.get(i)).copied().map(u64::from);
    let value = match bits {
        32 => (0..4).try_fold(0, |acc, k| at(index * 4 + k).map(|b| acc << 8 | b)),
        16 => (0..2).try_fold(0, |acc, k| at(index * 2 + k).map(|b| acc << 8 | b)),
        8 => at(index),
        _ => at(index / 2).map(|b| if index.is_multiple_of(2) { b >> 4 } else { b & 0x0f }),
    };
    value.unwrap_or(0)
}

/// Reads a full box's version/flags and entry count, and checks that `count` entries of
/// `entry_len` bytes are really there. Returns the count and the table.
fn table<'a>(
    body: &'a [u8],
    what: &'static str,
    entry_len: u64,
) -> Result<(u32, &'a [u8]), ProbeError> {
    let mut f = Fields::new(body, what);
    f.skip(4)?;
    let count = f.u32()?;
    let len = u64::from(count) * entry_len;
    let rest = f.rest();
    if len > rest.len() as u64 {
        return Err(ProbeError::unsupported(format!(
            "malformed {what}: it declares {count} entries but holds {} bytes",
            rest.len()
        )));
    }
    Ok((count, rest.get(..len as usize).unwrap_or_default()))
}

fn parse_stbl(stbl: &[u8], track: &mut Track, file_size: u64) -> Result<(), ProbeError> {
    let mut sizes = None;
    let mut stsc: &[u8] = &[];
    let mut chunks: Option<(&[u8], bool)> = None;
    for child in boxes(stbl, "stbl") {
        let (kind, body) = child?;
        match &kind {
            b"stsd" => track.entry = parse_stsd(body, &track.handler)?,
            b"stts" => {
                let (_, entries) = table(body, "'stts' box", 8)?;
                track.moov_samples_duration = entries
                    .chunks_exact(8)
                    .map(|e| {
                        let count = u32::from_be_bytes([e[0], e[1], e[2], e[3]]);
                        let delta = u32::from_be_bytes([e[4], e[5], e[6], e[7]]);
                        u64::from(count) * u64::from(delta)
                    })
                    .fold(0u64, u64::saturating_add);
            }
            b"ctts" => {
                let signed = body.first() == Some(&1);
                let (_, entries) = table(body, "'ctts' box", 8)?;
                let offsets = entries.chunks_exact(8).map(|e| {
                    let raw = [e[4], e[5], e[6], e[7]];
                    if signed {
                        i64::from(i32::from_be_bytes(raw))
                    } else {
                        i64::from(u32::from_be_bytes(raw))
                    }
                });
                for (i, offset) in offsets.enumerate() {
                    if i == 0 {
                        track.moov_first_offset = offset;
                    }
                    track.min_offset = track.min_offset.min(offset);
                }
            }
            b"stsz" => {
                let mut f = Fields::new(body, "'stsz' box");
                f.skip(4)?;
                let size = f.u32()?;
                sizes = Some(if size != 0 {
                    SampleSizes::Constant { size, count: f.u32()? }
                } else {
                    let (count, data) = table(body.get(4..).unwrap_or_default(), "'stsz' box", 4)?;
                    SampleSizes::Table { data, bits: 32, count }
                });
            }
            b"stz2" => {
                let mut f = Fields::new(body, "'stz2' box");
                f.skip(7)?;
                let bits = f.u8()?;
                if !matches!(bits, 4 | 8 | 16) {
                    return Err(ProbeError::unsupported("malformed 'stz2' box: bad field size"));
                }
                let count = f.u32()?;
                let len = (u64::from(count) * u64::from(bits)).div_ceil(8);
                let data = f.rest();
                if len > data.len() as u64 {
                    return Err(ProbeError::unsupported(format!(
                        "malformed 'stz2' box: it declares {count} entries but holds {} bytes",
                        data.len()
                    )));
                }
                sizes = Some(SampleSizes::Table { data, bits, count });
            }
            b"stsc" => stsc = table(body, "'stsc' box", 12)?.1,
            b"stco" => chunks = Some((table(body, "'stco' box", 4)?.1, false)),
            b"co64" => chunks = Some((table(body, "'co64' box", 8)?.1, true)),
            _ => {}
        }
    }
    if let (Some(sizes), Some((offsets, wide))) = (sizes, chunks) {
        check_samples(track.id, offsets, wide, stsc, &sizes, file_size)?;
    }
    Ok(())
}

/// Checks that every sample the index points to (chunk offsets, samples per chunk, sample
/// sizes) lies inside the file. Work is bounded by the tables' lengths, not by the counts they
/// declare: constant-size samples are multiplied, not walked.
fn check_samples(
    track_id: u32,
    offsets: &[u8],
    wide: bool,
    stsc: &[u8],
    sizes: &SampleSizes<'_>,
    file_size: u64,
) -> Result<(), ProbeError> {
    let be_u32 = |e: &[u8], at: usize| {
        e.get(at..at + 4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let runs: Vec<&[u8]> = stsc.chunks_exact(12).collect();
    let offset_len = if wide { 8 } else { 4 };
    let total = sizes.count();
    let mut sample = 0u64;
    let mut run = 0usize;
    for (chunk, entry) in offsets.chunks_exact(offset_len).enumerate() {
        if sample >= total {
            break;
        }
        let number = chunk as u64 + 1;
        while run + 1 < runs.len() && u64::from(be_u32(runs[run + 1], 0)) <= number {
            run += 1;
        }
        let Some(current) = runs.get(run).filter(|r| u64::from(be_u32(r, 0)) <= number) else {
            continue;
        };
        let take = u64::from(be_u32(current, 4)).min(total - sample);
        let bytes = sizes.sum(sample, take);
        sample += take;
        if bytes == 0 {
            continue;
        }
        let offset = if wide {
            u64::from_be_bytes(entry.try_into().unwrap_or_default())
        } else {
            u64::from(be_u32(entry, 0))
        };
        if offset.checked_add(bytes).is_none_or(|end| end > file_size) {
            return Err(ProbeError::unsupported(format!(
                "{TRUNCATED}: track {track_id} has {bytes} bytes at offset {offset}, the file has \
                 {file_size}"
            )));
        }
    }
    Ok(())
}

fn parse_stsd(stsd: &[u8], handler: &[u8; 4]) -> Result<Option<SampleEntry>, ProbeError> {
    let mut f = Fields::new(stsd, "'stsd' box");
    f.skip(8)?; // version, flags, entry count
    let Some(first) = boxes(f.rest(), "stsd").next() else {
        return Ok(None);
    };
    let (kind, body) = first?;
    Ok(match handler {
        b"vide" => Some(video_entry(kind, body)?),
        b"soun" => Some(audio_entry(kind, body)?),
        _ => None,
    })
}

fn video_entry(kind: [u8; 4], body: &[u8]) -> Result<SampleEntry, ProbeError> {
    let mut f = Fields::new(body, "video sample entry");
    f.skip(24)?;
    let width = u32::from(f.u16()?);
    let height = u32::from(f.u16()?);
    f.skip(50)?;
    let children = f.rest();
    // Encrypted entries name their real format in sinf/frma.
    let kind = if &kind == b"encv" { original_format(children).unwrap_or(kind) } else { kind };
    let codec = match &kind {
        b"avc1" | b"avc3" | b"dva1" | b"dvav" => VideoCodec::H264,
        b"hvc1" | b"hev1" | b"dvh1" | b"dvhe" => VideoCodec::H265,
        b"av01" => VideoCodec::Av1,
        b"vp09" => VideoCodec::Vp9,
        b"vp08" => VideoCodec::Vp8,
        b"mp4v" => match find_child(children, b"esds").and_then(esds_object_type) {
            Some(0x60..=0x65) => VideoCodec::Unknown("mpeg2video".into()),
            Some(0x6a) => VideoCodec::Unknown("mpeg1video".into()),
            Some(0x6c) => VideoCodec::Unknown("mjpeg".into()),
            _ => VideoCodec::Mpeg4,
        },
        b"apch" | b"apcn" | b"apcs" | b"apco" | b"ap4h" | b"ap4x" => {
            VideoCodec::Unknown("prores".into())
        }
        b"jpeg" | b"mjpa" | b"mjpb" => VideoCodec::Unknown("mjpeg".into()),
        other => VideoCodec::Unknown(fourcc_str(*other).trim().to_owned()),
    };
    Ok(SampleEntry::Video { codec, width, height })
}

fn audio_entry(kind: [u8; 4], body: &[u8]) -> Result<SampleEntry, ProbeError> {
    let mut f = Fields::new(body, "audio sample entry");
    f.skip(8)?; // reserved, data reference index
                // QuickTime sound descriptions grow with their version; ISO ones are version 0.
    let children_at = match f.u16()? {
        1 => 44,
        2 => 64,
        _ => 28,
    };
    let children = body.get(children_at..).unwrap_or_default();
    let kind = if &kind == b"enca" { original_format(children).unwrap_or(kind) } else { kind };
    let codec = match &kind {
        b"mp4a" => {
            let esds = find_child(children, b"esds")
                .or_else(|| find_child(find_child(children, b"wave")?, b"esds"));
            match esds.and_then(esds_object_type) {
                Some(0x69 | 0x6b) => "mp3",
                Some(0xa5) => "ac3",
                Some(0xa6) => "eac3",
                Some(0xa9 | 0xac) => "dts",
                Some(0xad) => "opus",
                Some(0xdd) => "vorbis",
                _ => "aac",
            }
        }
        b"Opus" => "opus",
        b"fLaC" => "flac",
        b"ac-3" => "ac3",
        b"ec-3" => "eac3",
        b"ac-4" => "ac4",
        b".mp3" | b"mp3 " => "mp3",
        b"alac" => "alac",
        b"samr" => "amr_nb",
        b"sawb" => "amr_wb",
        b"sowt" => "pcm_s16le",
        b"twos" => "pcm_s16be",
        b"ulaw" => "pcm_mulaw",
        b"alaw" => "pcm_alaw",
        b"lpcm" | b"ipcm" | b"fpcm" | b"in24" | b"in32" | b"fl32" | b"fl64" | b"raw " => "pcm",
        other => return Ok(SampleEntry::Audio { codec: fourcc_str(*other).trim().to_owned() }),
    };
    Ok(SampleEntry::Audio { codec: codec.to_owned() })
}

/// The body of the first child box of type `kind`, skipping malformed ones.
fn find_child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data, "sample entry").map_while(Result::ok).find(|(k, _)| k == kind).map(|(_, b)| b)
}

/// The original format of an encrypted sample entry (`sinf/frma`).
fn original_format(children: &[u8]) -> Option<[u8; 4]> {
    let frma = find_child(find_child(children, b"sinf")?, b"frma")?;
    frma.get(..4)?.try_into().ok()
}

/// The objectTypeIndication of an `esds` box's DecoderConfigDescriptor (ISO 14496-1 7.2.6).
fn esds_object_type(esds: &[u8]) -> Option<u8> {
    fn descriptor<'a>(f: &mut Fields<'a>) -> Option<(u8, &'a [u8])> {
        let tag = f.u8().ok()?;
        let mut len = 0usize;
        for _ in 0..4 {
            let b = f.u8().ok()?;
            len = len << 7 | usize::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        let len = len.min(f.rest().len());
        Some((tag, f.take(len).ok()?))
    }
    let mut f = Fields::new(esds.get(4..)?, "'esds' box");
    let (tag, es) = descriptor(&mut f)?;
    if tag != 0x03 {
        return None;
    }
    let mut es = Fields::new(es, "ES descriptor");
    es.skip(2).ok()?;
    let flags = es.u8().ok()?;
    if flags & 0x80 != 0 {
        es.skip(2).ok()?;
    }
    if flags & 0x40 != 0 {
        let url_len = es.u8().ok()?;
        es.skip(usize::from(url_len)).ok()?;
    }
    if flags & 0x20 != 0 {
        es.skip(2).ok()?;
    }
    while let Some((tag, body)) = descriptor(&mut es) {
        if tag == 0x04 {
            return body.first().copied();
        }
    }
    None
}

/// Reads one movie fragment: adds each track's fragment duration and checks that the sample
/// data its `trun`s point to lies inside the file.
fn read_fragment(
    moof: &[u8],
    moof_offset: u64,
    movie: &mut Movie,
    file_size: u64,
) -> Result<(), ProbeError> {
    // Without an explicit base, a track fragment's data follows the previous one's (the first
    // one's is the moof itself). ISO 14496-12 8.8.7.1.
    let mut implicit_base = moof_offset;
    for child in boxes(moof, "moof") {
        let (kind, traf) = child?;
        if &kind != b"traf" {
            continue;
        }
        let mut defaults = None;
        let mut base_time = None;
        let mut duration = 0u64;
        let mut first_offset = None;
        let mut min_offset = 0;
        let mut data_end = implicit_base;
        for child in boxes(traf, "traf") {
            let (kind, body) = child?;
            let mut f = Fields::new(body, "track fragment box");
            match &kind {
                b"tfhd" => {
                    let flags = f.u32()? & 0x00ff_ffff;
                    let track_id = f.u32()?;
                    let base = if flags & 0x01 != 0 {
                        f.u64()?
                    } else if flags & 0x2_0000 != 0 {
                        moof_offset
                    } else {
                        implicit_base
                    };
                    if flags & 0x02 != 0 {
                        f.skip(4)?; // sample description index
                    }
                    let trex = movie.trex.get(&track_id).copied().unwrap_or_default();
                    let sample_duration =
                        if flags & 0x08 != 0 { f.u32()? } else { trex.sample_duration };
                    let sample_size = if flags & 0x10 != 0 { f.u32()? } else { trex.sample_size };
                    defaults =
                        Some((TrackDefaults { track_id, sample_duration, sample_size }, base));
                    data_end = base;
                }
                b"tfdt" => {
                    let wide = f.u32()? >> 24 == 1;
                    base_time = Some(f.u32_or_u64(wide)?);
                }
                b"trun" => {
                    let Some((track, base)) = defaults else {
                        return Err(ProbeError::unsupported(
                            "malformed 'traf' box: a 'trun' before the 'tfhd'",
                        ));
                    };
                    let run = read_trun(body, &track, base, data_end)?;
                    if run.bytes > 0
                        && run.start.checked_add(run.bytes).is_none_or(|end| end > file_size)
                    {
                        return Err(ProbeError::unsupported(format!(
                            "{TRUNCATED}: a fragment of track {} has {} bytes at offset {}, the \
                             file has {file_size}",
                            track.track_id, run.bytes, run.start
                        )));
                    }
                    data_end = run.start.saturating_add(run.bytes);
                    duration = duration.saturating_add(run.duration);
                    first_offset = first_offset.or(run.first_offset);
                    min_offset = min_offset.min(run.min_offset);
                }
                _ => {}
            }
        }
        implicit_base = data_end;
        if let Some((defaults, _)) = defaults {
            let index = movie.track_index.get(&defaults.track_id).copied();
            if let Some(track) = index.and_then(|i| movie.tracks.get_mut(i)) {
                let start =
                    base_time.unwrap_or(track.fragments_end.max(track.moov_samples_duration));
                track.fragments_end = track.fragments_end.max(start.saturating_add(duration));
                track.min_offset = track.min_offset.min(min_offset);
                if track.first_fragment.is_none() && duration > 0 {
                    track.first_fragment = Some((start, first_offset.unwrap_or(0)));
                }
            }
        }
    }
    Ok(())
}

struct Run {
    start: u64,
    bytes: u64,
    duration: u64,
    /// Composition offset of the first sample, when the run has them.
    first_offset: Option<i64>,
    /// The smallest composition offset (0 when none is negative).
    min_offset: i64,
}

/// One track fragment run: where its data starts, how many bytes and how much time it covers.
fn read_trun(
    body: &[u8],
    defaults: &TrackDefaults,
    base: u64,
    previous_end: u64,
) -> Result<Run, ProbeError> {
    let mut f = Fields::new(body, "'trun' box");
    let version_flags = f.u32()?;
    let signed_offsets = version_flags >> 24 == 1;
    let flags = version_flags & 0x00ff_ffff;
    let count = f.u32()?;
    let start = if flags & 0x01 != 0 {
        let offset = f.i32()?;
        base.checked_add_signed(i64::from(offset)).ok_or_else(|| {
            ProbeError::unsupported("malformed 'trun' box: data offset before the file's start")
        })?
    } else {
        previous_end
    };
    if flags & 0x04 != 0 {
        f.skip(4)?; // first sample flags
    }
    let has_duration = flags & 0x100 != 0;
    let has_size = flags & 0x200 != 0;
    let has_flags = flags & 0x400 != 0;
    let has_offset = flags & 0x800 != 0;
    let mut first_offset = None;
    let mut min_offset = 0i64;
    let fields = [0x100, 0x200, 0x400, 0x800].iter().filter(|&&bit| flags & bit != 0).count();
    let entry_len = 4 * fields;
    let (mut duration, mut bytes) = (0u64, 0u64);
    if entry_len == 0 {
        duration = u64::from(count) * u64::from(defaults.sample_duration);
        bytes = u64::from(count) * u64::from(defaults.sample_size);
    } else {
        let rest = f.rest();
        if u64::from(count) * entry_len as u64 > rest.len() as u64 {
            return Err(ProbeError::unsupported(format!(
                "malformed 'trun' box: it declares {count} samples but holds {} bytes",
                rest.len()
            )));
        }
        for entry in rest.chunks_exact(entry_len).take(count as usize) {
            let mut e = Fields::new(entry, "'trun' entry");
            let sample_duration = if has_duration { e.u32()? } else { defaults.sample_duration };
            let sample_size = if has_size { e.u32()? } else { defaults.sample_size };
            if has_flags {
                e.skip(4)?;
            }
            if has_offset {
                let raw = e.u32()?;
                let offset = if signed_offsets { i64::from(raw as i32) } else { i64::from(raw) };
                first_offset = first_offset.or(Some(offset));
                min_offset = min_offset.min(offset);
            }
            duration = duration.saturating_add(u64::from(sample_duration));
            bytes = bytes.saturating_add(u64::from(sample_size));
        }
    }
    Ok(Run { start, bytes, duration, first_offset, min_offset })
}
