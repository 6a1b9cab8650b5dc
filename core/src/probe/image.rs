//! Still images: JPEG (the first SOF marker), PNG (IHDR), GIF (logical screen).

use std::io::{Read, Seek};

use super::bytes::Fields;
use super::{Container, MediaFacts, MediaKind, ProbeError, Source};

/// Markers (and fill bytes) read before a JPEG's frame header must show up.
const MAX_JPEG_STEPS: u32 = 100_000;

fn image(container: Container, size: u64, width: u32, height: u32) -> MediaFacts {
    MediaFacts {
        container,
        kind: MediaKind::Image,
        size,
        duration_ms: None,
        width: Some(width),
        height: Some(height),
        video_codec: None,
        audio_codec: None,
    }
}

fn check_dimensions(what: &str, width: u32, height: u32) -> Result<(), ProbeError> {
    if width == 0 || height == 0 {
        return Err(ProbeError::unsupported(format!("{what} of {width}x{height} pixels")));
    }
    Ok(())
}

pub(super) fn probe_png<R: Read + Seek>(src: &mut Source<R>) -> Result<MediaFacts, ProbeError> {
    let head = src.read_up_to(8, 16)?;
    let mut f = Fields::new(&head, "PNG header");
    f.skip(4)?; // chunk length
    if f.fourcc()? != *b"IHDR" {
        return Err(ProbeError::unsupported("malformed PNG: the first chunk is not IHDR"));
    }
    let (width, height) = (f.u32()?, f.u32()?);
    check_dimensions("a PNG", width, height)?;
    Ok(image(Container::Png, src.size, width, height))
}

pub(super) fn probe_gif<R: Read + Seek>(src: &mut Source<R>) -> Result<MediaFacts, ProbeError> {
    let head = src.read_up_to(6, 4)?;
    let [w0, w1, h0, h1] = head[..] else {
        return Err(ProbeError::unsupported("malformed GIF (too short)"));
    };
    let (width, height) =
        (u32::from(u16::from_le_bytes([w0, w1])), u32::from(u16::from_le_bytes([h0, h1])));
    check_dimensions("a GIF", width, height)?;
    Ok(image(Container::Gif, src.size, width, height))
}

/// Walks the JPEG markers from the start of the file to the first start-of-frame, seeking past
/// each segment (EXIF and thumbnails included) by its length.
pub(super) fn probe_jpeg<R: Read + Seek>(src: &mut Source<R>) -> Result<MediaFacts, ProbeError> {
    let mut offset = 2u64; // after SOI
    for _ in 0..MAX_JPEG_STEPS {
        let head = src.read_up_to(offset, 4)?;
        let mut f = Fields::new(&head, "JPEG marker");
        if f.u8()? != 0xFF {
            return Err(ProbeError::unsupported(format!("malformed JPEG: no marker at {offset}")));
        }
        let marker = f.u8()?;
        match marker {
            // Fill byte: the marker is one byte further.
            0xFF => offset += 1,
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => offset += 2,
            0xD9 | 0xDA => {
                return Err(ProbeError::unsupported("malformed JPEG: no frame header (SOF)"));
            }
            _ => {
                let len = f.u16()?;
                if len < 2 {
                    return Err(ProbeError::unsupported("malformed JPEG: bad segment length"));
                }
                let is_frame =
                    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_frame {
                    let sof = src.read_up_to(offset + 4, 5)?;
                    let mut f = Fields::new(&sof, "JPEG frame header");
                    f.skip(1)?; // sample precision
                    let height = u32::from(f.u16()?);
                    let width = u32::from(f.u16()?);
                    check_dimensions("a JPEG", width, height)?;
                    return Ok(image(Container::Jpeg, src.size, width, height));
                }
                offset += 2 + u64::from(len);
            }
        }
    }
    Err(ProbeError::unsupported("malformed JPEG: no frame header (SOF) in the first segments"))
}
