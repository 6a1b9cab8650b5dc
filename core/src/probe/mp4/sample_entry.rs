//! Sample descriptions (`stsd`): which codec a track carries.

use crate::probe::bytes::{fourcc_str, Fields};
use crate::probe::{ProbeError, VideoCodec};

use super::{boxes, SampleEntry};

pub(super) fn parse_stsd(
    stsd: &[u8],
    handler: &[u8; 4],
) -> Result<Option<SampleEntry>, ProbeError> {
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
