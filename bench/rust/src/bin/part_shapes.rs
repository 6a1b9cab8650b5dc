//! Where a chunked upload's client CPU goes, shape by shape, with no HTTP, no server and no
//! runtime in the way: FILE's bytes are sent over a loopback TCP socket to a thread that reads
//! and discards them, in each of the shapes below, and the sending thread's own CPU-seconds
//! per GiB (`getrusage(RUSAGE_THREAD)`, the sink's excluded) are printed, one JSON line per
//! shape, the median of ROUNDS (default 5), the shapes interleaved round by round.
//!
//! - `read-send`: `read` into a 64 KiB buffer, write it to the socket (what curl -T does);
//! - `part-buffer`: per 8 MiB part, `pread` 256 KiB slices into the part's buffer and CRC32C
//!   each right after its read, then write the whole part to the socket (the SDK's shape:
//!   the part's CRC32C must be in its header, before its first byte is sent);
//! - `handed-over`: `part-buffer`, but the parts are read and checksummed by another thread
//!   (four buffers in turn) and sent by this one, as the SDK reads on the blocking pool and
//!   sends from a runtime worker (the reader's CPU is not counted: compare the copies);
//! - `two-pass`: per part, `pread` 256 KiB slices into a 256 KiB buffer and CRC32C them, then
//!   `pread` them again and write each to the socket (every touch in the CPU cache, every
//!   byte read from the page cache twice);
//! - `one-pass`: per part, `pread` a 256 KiB slice, CRC32C it, write it (what a protocol could
//!   allow that took the part's CRC32C after its bytes, as an HTTP trailer).
//!
//! Usage: part_shapes FILE [ROUNDS]

use std::io::{Read, Seek, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::FileExt;

use aether_bench::{discarding_sink, thread_cpu_seconds};

const PART: usize = 8 << 20;
const SLICE: usize = 256 << 10;
const SHAPES: [&str; 5] = ["read-send", "part-buffer", "handed-over", "two-pass", "one-pass"];

/// Sends `file` over `socket` in `shape`; returns the CRC32C it computed (0 for read-send).
fn send(
    shape: &str,
    file: &std::fs::File,
    size: u64,
    socket: &mut TcpStream,
) -> std::io::Result<u32> {
    let mut crc = 0;
    match shape {
        "read-send" => {
            let mut reader = file;
            reader.seek(std::io::SeekFrom::Start(0))?;
            let mut buffer = vec![0u8; 64 << 10];
            loop {
                let n = reader.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                socket.write_all(&buffer[..n])?;
            }
        }
        "part-buffer" => {
            let mut part = vec![0u8; PART];
            for start in (0..size).step_by(PART) {
                let len = (size - start).min(PART as u64) as usize;
                for (i, slice) in part[..len].chunks_mut(SLICE).enumerate() {
                    file.read_exact_at(slice, start + (i * SLICE) as u64)?;
                    crc = crc32c::crc32c_append(crc, slice);
                }
                socket.write_all(&part[..len])?;
            }
        }
        "handed-over" => {
            // A reader thread fills and checksums the parts (four buffers in turn, as four
            // parts in flight), this thread sends them: the SDK's blocking-pool read, then the
            // runtime worker's send.
            let (to_sender, parts) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(2);
            let (to_reader, buffers) = std::sync::mpsc::channel::<Vec<u8>>();
            for _ in 0..4 {
                to_reader.send(vec![0u8; PART]).map_err(std::io::Error::other)?;
            }
            let reader_file = file.try_clone()?;
            let reader = std::thread::spawn(move || -> std::io::Result<u32> {
                let mut crc = 0;
                for start in (0..size).step_by(PART) {
                    let mut part = buffers.recv().map_err(std::io::Error::other)?;
                    let len = (size - start).min(PART as u64) as usize;
                    for (i, slice) in part[..len].chunks_mut(SLICE).enumerate() {
                        reader_file.read_exact_at(slice, start + (i * SLICE) as u64)?;
                        crc = crc32c::crc32c_append(crc, slice);
                    }
                    to_sender.send((part, len)).map_err(std::io::Error::other)?;
                }
                Ok(crc)
            });
            for (part, len) in parts {
                socket.write_all(&part[..len])?;
                let _ = to_reader.send(part);
            }
            crc = reader.join().map_err(|_| std::io::Error::other("the reader panicked"))??;
        }
        "two-pass" | "one-pass" => {
            let mut slice = vec![0u8; SLICE];
            for start in (0..size).step_by(PART) {
                let end = (start + PART as u64).min(size);
                let slices = (start..end)
                    .step_by(SLICE)
                    .map(|at| (at, (end - at).min(SLICE as u64) as usize));
                if shape == "two-pass" {
                    for (at, len) in slices.clone() {
                        file.read_exact_at(&mut slice[..len], at)?;
                        crc = crc32c::crc32c_append(crc, &slice[..len]);
                    }
                    for (at, len) in slices {
                        file.read_exact_at(&mut slice[..len], at)?;
                        socket.write_all(&slice[..len])?;
                    }
                } else {
                    for (at, len) in slices {
                        file.read_exact_at(&mut slice[..len], at)?;
                        crc = crc32c::crc32c_append(crc, &slice[..len]);
                        socket.write_all(&slice[..len])?;
                    }
                }
            }
        }
        other => unreachable!("no shape {other}"),
    }
    Ok(crc)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (path, rounds) = match args.as_slice() {
        [_, path] => (path, 5),
        [_, path, rounds] => (path, rounds.parse()?),
        _ => return Err("usage: part_shapes FILE [ROUNDS]".into()),
    };
    // PART_SHAPE=NAME runs that shape alone (to profile it).
    let only = std::env::var("PART_SHAPE").ok();
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let gib = size as f64 / (1u64 << 30) as f64;
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); SHAPES.len()];
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); SHAPES.len()];
    for _ in 0..rounds {
        for (i, shape) in SHAPES.iter().enumerate() {
            if only.as_deref().is_some_and(|only| only != *shape) {
                continue;
            }
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let address = listener.local_addr()?;
            let sink = discarding_sink(listener);
            let mut socket = TcpStream::connect(address)?;
            let (cpu_started, started) = (thread_cpu_seconds(), std::time::Instant::now());
            send(shape, &file, size, &mut socket)?;
            socket.shutdown(std::net::Shutdown::Write)?;
            cpu[i].push((thread_cpu_seconds() - cpu_started) / gib);
            let received = sink.join().map_err(|_| "the sink thread panicked")??;
            wall[i].push(started.elapsed().as_secs_f64());
            if received != size {
                return Err(format!("{shape}: sent {size} bytes, the sink got {received}").into());
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for (i, shape) in SHAPES.iter().enumerate() {
        if cpu[i].is_empty() {
            continue;
        }
        println!(
            "{{\"shape\": \"{shape}\", \"cpuSecondsPerGiB\": {:.3}, \"mibPerSec\": {:.0}, \"cpuRuns\": {:?}}}",
            median(&mut cpu[i]),
            size as f64 / 1048576.0 / median(&mut wall[i]),
            cpu[i].iter().map(|c| (c * 1000.0).round() / 1000.0).collect::<Vec<_>>()
        );
    }
    Ok(())
}
