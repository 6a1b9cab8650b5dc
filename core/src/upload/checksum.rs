//! CRC32C (Castagnoli), the upload protocol's checksum: `X-Part-Crc32c`, `X-Content-Crc32c`,
//! `complete`'s `crc32c` and `Media.crc32c`.
//!
//! Computed with crc-fast, which folds the data with the CPU's carry-less multiply (AVX-512
//! `VPCLMULQDQ` where the CPU has it, else `PCLMULQDQ` and the SSE4.2 `crc32` instruction),
//! chosen at run time: ~0.010 s per GiB on this project's 2-core machine, against ~0.042 for
//! the `crc32c` crate (SSE4.2 `crc32` alone), whose CRC32C was ~20 % of an upload's CPU
//! (bench/README.md, "Where the upload's CPU goes"). The emulator uses the same functions.

use base64::Engine as _;
use crc_fast::CrcAlgorithm::Crc32Iscsi;

/// The CRC32C of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    // A CRC-32's value fits its 32 bits.
    crc_fast::checksum(Crc32Iscsi, data) as u32
}

/// The CRC32C of the bytes whose CRC32C is `crc` followed by `data` (`crc` 0: of `data` alone).
pub fn crc32c_append(crc: u32, data: &[u8]) -> u32 {
    // The register holds the value before its final inversion.
    let mut digest = crc_fast::Digest::new_with_init_state(Crc32Iscsi, u64::from(!crc));
    digest.update(data);
    digest.finalize() as u32
}

/// The CRC32C of bytes `a` followed by bytes `b`, from their CRC32Cs and `b`'s length: no byte
/// is read.
pub fn crc32c_combine(crc_a: u32, crc_b: u32, len_b: u64) -> u32 {
    crc_fast::checksum_combine(Crc32Iscsi, u64::from(crc_a), u64::from(crc_b), len_b) as u32
}

/// Combines CRC32Cs of pieces that are all `len` bytes long: `shift.combine(a, b)` is
/// `crc32c_combine(a, b, len)`. A combination by [`crc32c_combine`] costs ~60 µs for a part of
/// 8 MiB (log₂ len squarings of a 32 × 32 bit matrix), 128 of them per GiB, at the end of an
/// upload; the shift by `len` bytes is linear in `a`, so it is made once from 33 of them and
/// then costs a few XORs per part.
#[derive(Debug, Clone)]
pub struct Crc32cShift {
    len: u64,
    /// `crc32c_combine(0, 0, len)`: the constant of the (affine) shift.
    base: u32,
    /// `crc32c_combine(1 << i, 0, len) ^ base`: the shift of each bit.
    bits: [u32; 32],
}

impl Crc32cShift {
    /// The shift by `len` bytes.
    pub fn new(len: u64) -> Crc32cShift {
        let base = crc32c_combine(0, 0, len);
        let bits = std::array::from_fn(|i| crc32c_combine(1 << i, 0, len) ^ base);
        Crc32cShift { len, base, bits }
    }

    /// The length of the pieces it combines.
    pub fn piece_len(&self) -> u64 {
        self.len
    }

    /// The CRC32C of bytes `a` followed by `len` bytes `b`, from their CRC32Cs.
    pub fn combine(&self, crc_a: u32, crc_b: u32) -> u32 {
        let mut shifted = self.base;
        let mut rest = crc_a;
        while rest != 0 {
            shifted ^= self.bits[rest.trailing_zeros() as usize];
            rest &= rest - 1;
        }
        shifted ^ crc_b
    }
}

/// The CRC32C of pieces laid end to end, from each one's CRC32C and length, in order: no byte
/// is read. `None` when there are none. Pieces of the first one's length (an upload's parts,
/// but the last) go through a [`Crc32cShift`] when there are enough of them to repay the 33
/// combinations that make it.
pub fn crc32c_of_pieces(pieces: &[(u32, u64)]) -> Option<u32> {
    let (&(first, len), rest) = pieces.split_first()?;
    let shift = (rest.len() > 33).then(|| Crc32cShift::new(len));
    Some(rest.iter().fold(first, |crc, &(piece, piece_len)| match &shift {
        Some(shift) if piece_len == shift.piece_len() => shift.combine(crc, piece),
        _ => crc32c_combine(crc, piece, piece_len),
    }))
}

/// The `X-Part-Crc32c` value of `data`: base64 of its CRC32C (Castagnoli) in big-endian byte
/// order. `crc32c_base64(b"hello world") == "yZRlqg=="`.
pub fn crc32c_base64(data: &[u8]) -> String {
    encode_crc32c(crc32c(data))
}

/// The wire form of a CRC32C value (`X-Part-Crc32c`, `complete`'s `crc32c`, `Media.crc32c`):
/// base64 of its 4 big-endian bytes. `encode_crc32c(0xc99465aa) == "yZRlqg=="`.
pub fn encode_crc32c(crc: u32) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that are not a repeating pattern (a xorshift stream).
    fn bytes(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }

    #[test]
    fn the_check_values_of_the_castagnoli_crc() {
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(crc32c(b""), 0);
        assert_eq!(crc32c_base64(b"hello world"), "yZRlqg==");
        assert_eq!(encode_crc32c(0xc994_65aa), "yZRlqg==");
    }

    #[test]
    fn every_length_and_split_agrees_with_the_reference_implementation() {
        // Lengths around the vector widths and folding blocks (16, 64, 256 B, 4 KiB) and a part.
        let data = bytes(9 * 1024 * 1024 + 3, 0x9e37_79b9_7f4a_7c15);
        let lengths = (0..300).chain([511, 512, 513, 4095, 4096, 4097, 65_537, 262_144]);
        for len in lengths.chain([data.len()]) {
            let whole = crc32c::crc32c(&data[..len]);
            assert_eq!(crc32c(&data[..len]), whole, "length {len}");
            for split in [0, 1, len / 3, len / 2, len.saturating_sub(1), len] {
                let (a, b) = data[..len].split_at(split.min(len));
                assert_eq!(crc32c_append(crc32c(a), b), whole, "length {len} split {split}");
                let combined = crc32c_combine(crc32c(a), crc32c(b), b.len() as u64);
                assert_eq!(combined, whole, "length {len} split {split}");
            }
        }
        // A shift made once combines like the library, at every length.
        for len in [0u64, 1, 5, 4096, 5 * 1024 * 1024, 8 * 1024 * 1024, 1 << 40] {
            let shift = Crc32cShift::new(len);
            for (a, b) in [(0, 0), (1, 0), (0, 1), (0xffff_ffff, 0x1234_5678), (0xe306_9283, 7)] {
                assert_eq!(shift.combine(a, b), crc32c_combine(a, b, len), "{len} {a} {b}");
            }
        }
        let (a, b) = data.split_at(data.len() - 8 * 1024 * 1024);
        let shift = Crc32cShift::new(b.len() as u64);
        assert_eq!(shift.combine(crc32c(a), crc32c(b)), crc32c::crc32c(&data));
        // Pieces of one length (the shift) and a shorter last one, few and many.
        for size in [1000, 4096, 65_536] {
            let pieces: Vec<(u32, u64)> =
                data.chunks(size).map(|piece| (crc32c(piece), piece.len() as u64)).collect();
            assert_eq!(crc32c_of_pieces(&pieces), Some(crc32c::crc32c(&data)), "{size}");
            assert_eq!(crc32c_of_pieces(&pieces[..3]), Some(crc32c::crc32c(&data[..3 * size])));
        }
        assert_eq!(crc32c_of_pieces(&[]), None);
        // Appended in the upload's 256 KiB slices.
        let sliced = data.chunks(256 * 1024).fold(0, crc32c_append);
        assert_eq!(sliced, crc32c::crc32c(&data));
    }
}
