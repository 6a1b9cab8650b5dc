//! Movie fragments (`moof`/`traf`/`trun`) of fragmented MP4: their durations and data ranges.

use crate::probe::bytes::Fields;
use crate::probe::ProbeError;

use super::{boxes, Movie, TrackDefaults, TRUNCATED};

/// Reads one movie fragment: adds each track's fragment duration and checks that the sample
/// data its `trun`s point to lies inside the file.
pub(super) fn read_fragment(
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
