//! Feeds arbitrary bytes to the probe. A panic, an overflow (checks are on), an allocation
//! larger than the input could justify, or a broken invariant is a crash.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Cursor;

use aether::probe::{probe, MediaKind, ProbeError};
use aether::ErrorCode;
use libfuzzer_sys::fuzz_target;

/// No buffer may be sized by a number read from the file: inputs are at most a few hundred
/// KiB, so anything near this limit is a bug.
const MAX_ALLOCATION: usize = 32 << 20;

struct CappedAllocator;

// SAFETY: forwards every call unchanged to the system allocator after a size check that
// aborts (without allocating) when the request is too large.
unsafe impl GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn check(size: usize) {
    if size > MAX_ALLOCATION {
        // No formatting here: it would allocate.
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"oversized allocation\n");
        std::process::abort();
    }
}

#[global_allocator]
static ALLOCATOR: CappedAllocator = CappedAllocator;

fuzz_target!(|data: &[u8]| {
    let size = data.len() as u64;
    match probe(Cursor::new(data), size) {
        Ok(facts) => {
            assert_eq!(facts.size, size);
            match facts.kind {
                MediaKind::Video => assert!(facts.video_codec.is_some()),
                MediaKind::Audio => {
                    assert!(facts.audio_codec.is_some() && facts.video_codec.is_none())
                }
                MediaKind::Image => assert!(facts.width.is_some() && facts.duration_ms.is_none()),
                MediaKind::Unknown(_) => panic!("the probe made up a kind"),
            }
        }
        Err(err @ ProbeError::Unsupported { .. }) => {
            assert_eq!(err.code(), ErrorCode::UnsupportedMediaType);
            assert!(!err.to_string().is_empty());
        }
        Err(err) => panic!("reading an in-memory buffer failed: {err}"),
    }
    // A reader that holds fewer bytes than its declared size: an error, never a panic.
    let _ = probe(Cursor::new(data), size + 1 + u64::from(data.first().copied().unwrap_or(0)));
});
