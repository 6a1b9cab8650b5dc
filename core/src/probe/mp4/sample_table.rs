//! The sample table (`stbl`): sample sizes, chunk offsets and timing, and the check that every
//! sample lies inside the file.

use crate::probe::bytes::Fields;
use crate::probe::ProbeError;

use super::sample_entry::parse_stsd;
use super::{boxes, Track, TRUNCATED};

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

pub(super) fn parse_stbl(stbl: &[u8], track: &mut Track, file_size: u64) -> Result<(), ProbeError> {
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
