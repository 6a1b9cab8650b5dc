//! A 300 MB upload keeps the process's memory bounded by `parallelism × part size`.
//!
//! Alone in its own test binary, so no other test allocates in the process meanwhile. The
//! emulator runs in this process too (it streams parts to disk in small chunks), so the bound
//! covers both sides.
//!
//! How it is measured (Linux): the peak resident set (`VmHWM` in `/proc/self/status`) is reset
//! by writing `5` to `/proc/self/clear_refs` just before the upload, so the peak read after it is
//! the upload's own. The growth allowed is `(parallelism + 2) × part size + 32 MiB` (80 MiB):
//! `parallelism` part buffers (the engine reuses them from part to part), two more of margin,
//! and 32 MiB for the runtimes, connections, hashing buffers and the emulator's file writes.
//! Measured: ~47 MiB (the 4 × 8 MiB buffers plus ~15 MiB); ~65 MiB since the emulator writes
//! parts in place and keeps up to one part (8 MiB) in memory for its running SHA-256, plus
//! ~512 KiB write batches per part in flight; before the buffers were pooled,
//! freed 8 MiB buffers stayed resident in per-thread allocator arenas and it was ~115 MiB. Reading
//! the whole file into memory would exceed the bound fourfold.

mod client_common;

use std::io::Write;
use std::time::Duration;

use aether::upload::{UploadOptions, UploadSource};
use client_common::Emulator;

const MIB: u64 = 1024 * 1024;
const FILE_SIZE: u64 = 300 * 1000 * 1000;
const PART_SIZE: u64 = 8 * MIB;
const PARALLELISM: usize = 4;
const SLACK: u64 = 32 * MIB;

/// A field of `/proc/self/status` in bytes (`VmHWM`, `VmRSS`).
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Resets `VmHWM` to the current resident set; false where the kernel does not allow it.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_300_mb_upload_keeps_memory_bounded_by_parallelism_times_part_size() {
    let Some(_) = status_bytes("VmRSS:") else {
        eprintln!("no /proc/self/status here; skipping the memory measurement");
        return;
    };
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.mp4");

    // A patterned (not sparse) file, written and checksummed 1 MiB at a time.
    let mut crc = 0u32;
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut block = vec![0u8; MIB as usize];
        let mut written = 0u64;
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        while written < FILE_SIZE {
            for chunk in block.chunks_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
            }
            let len = (FILE_SIZE - written).min(MIB) as usize;
            file.write_all(&block[..len]).unwrap();
            crc = crc32c::crc32c_append(crc, &block[..len]);
            written += len as u64;
        }
        file.flush().unwrap();
    }
    let crc = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, crc.to_be_bytes());
    // Let the connection pool and runtimes settle before the baseline.
    client.platforms().try_fetch().await.unwrap();

    let exact = reset_peak();
    let baseline =
        if exact { status_bytes("VmRSS:").unwrap() } else { status_bytes("VmHWM:").unwrap() };
    let options = UploadOptions::new().part_size(PART_SIZE).parallelism(PARALLELISM);
    let media = tokio::time::timeout(
        Duration::from_secs(600),
        client.media().upload(UploadSource::path(&path), options),
    )
    .await
    .expect("the upload finishes")
    .unwrap();
    let peak = status_bytes("VmHWM:").unwrap();

    assert_eq!((media.size, media.crc32c.as_deref()), (FILE_SIZE, Some(crc.as_str())));
    let growth = peak.saturating_sub(baseline);
    let allowed = (PARALLELISM as u64 + 2) * PART_SIZE + SLACK;
    eprintln!(
        "300 MB upload: peak resident grew by {} MiB (allowed {} MiB; baseline {} MiB; peak reset: {exact})",
        growth / MIB,
        allowed / MIB,
        baseline / MIB
    );
    assert!(growth < allowed, "peak resident grew by {growth} bytes; allowed {allowed}");
}
