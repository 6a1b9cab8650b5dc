//! A bounds-checked big-endian reader over a byte slice: every read that would run past the
//! end is an error naming the structure being read, never a panic.

use super::ProbeError;

/// Reads big-endian fields from a slice, front to back.
pub(super) struct Fields<'a> {
    data: &'a [u8],
    what: &'static str,
}

impl<'a> Fields<'a> {
    /// Reads `data`, which holds the structure `what` (named in errors).
    pub(super) fn new(data: &'a [u8], what: &'static str) -> Fields<'a> {
        Fields { data, what }
    }

    fn malformed(&self) -> ProbeError {
        ProbeError::unsupported(format!("malformed {} (too short)", self.what))
    }

    /// The bytes not read yet.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.data
    }

    /// Takes the next `n` bytes.
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], ProbeError> {
        if n > self.data.len() {
            return Err(self.malformed());
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    /// Skips `n` bytes.
    pub(super) fn skip(&mut self, n: usize) -> Result<(), ProbeError> {
        self.take(n).map(|_| ())
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ProbeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(super) fn u8(&mut self) -> Result<u8, ProbeError> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u16(&mut self) -> Result<u16, ProbeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(super) fn u32(&mut self) -> Result<u32, ProbeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(super) fn i32(&mut self) -> Result<i32, ProbeError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(super) fn u64(&mut self) -> Result<u64, ProbeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A four-character code.
    pub(super) fn fourcc(&mut self) -> Result<[u8; 4], ProbeError> {
        self.array()
    }

    /// 32 bits when `wide` is false, else 64.
    pub(super) fn u32_or_u64(&mut self, wide: bool) -> Result<u64, ProbeError> {
        if wide {
            self.u64()
        } else {
            self.u32().map(u64::from)
        }
    }
}

/// A four-character code as text: printable ASCII kept, anything else as `?`.
pub(super) fn fourcc_str(code: [u8; 4]) -> String {
    code.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '?' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_errors_not_panics() {
        let mut f = Fields::new(&[0, 1, 2], "test box");
        assert_eq!(f.u16().unwrap(), 1);
        let err = f.u32().unwrap_err();
        assert_eq!(err.to_string(), "malformed test box (too short)");
        assert_eq!(f.u8().unwrap(), 2);
        assert!(f.u8().is_err());
        assert!(f.skip(usize::MAX).is_err());
    }

    #[test]
    fn fourccs_print_safely() {
        assert_eq!(fourcc_str(*b"hvc1"), "hvc1");
        assert_eq!(fourcc_str([0, b'a', 0xff, b' ']), "?a? ");
    }
}
