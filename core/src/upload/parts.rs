//! Chunked parts: sending each part (checksummed, re-sent once when damaged), the pooled part
//! buffers, the whole-file CRC32C combined from the parts' CRCs, and the opt-in whole-file
//! SHA-256 computed from the part buffers in part order.

use std::fs::File;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::checksum::{crc32c, crc32c_of_pieces, encode_crc32c};
use super::progress::Progress;
use super::source::{blocking, read_part_checksummed};
use crate::error::{Error, ErrorCode, Result};
use crate::model::PartReceipt;
use crate::transport::observe::LogLevel;
use crate::transport::{ApiRequest, RequestOptions, Transport};

/// What a part task reports: the part's number, CRC32C and length, for the whole-file CRC32C.
#[derive(Debug, Clone, Copy)]
pub(super) struct PartCrc {
    pub(super) number: u32,
    pub(super) crc: u32,
    pub(super) len: u64,
}

/// The CRC32C of the whole file from its parts' CRC32Cs, combined in part order (the parts
/// need not be sorted): no byte is read again. `None` when there are no parts.
pub(super) fn combine_crc32c(parts: &mut [PartCrc]) -> Option<u32> {
    parts.sort_unstable_by_key(|p| p.number);
    let pieces: Vec<(u32, u64)> = parts.iter().map(|part| (part.crc, part.len)).collect();
    crc32c_of_pieces(&pieces)
}

/// What every part task shares.
pub(super) struct PartContext {
    pub(super) transport: Transport,
    pub(super) options: RequestOptions,
    /// `/v1/media/uploads/{id}/parts`.
    pub(super) path: String,
    pub(super) progress: Arc<Progress>,
    pub(super) buffers: BufferPool,
    /// Hashes the whole file from the part buffers, when its SHA-256 is wanted.
    pub(super) hasher: Option<OrderedHasher>,
    /// A part attempt that sends nothing and hears nothing this long is abandoned and retried.
    pub(super) stall_timeout: std::time::Duration,
}

/// The SHA-256 of a file computed from its part buffers, in part order, whatever order the
/// parts are read in: a part's bytes wait (in their pooled buffer) until the parts before them
/// were hashed, so memory stays at `parallelism` buffers and the file is read only once. The
/// hashing runs on a blocking thread, beside the part's upload.
pub(super) struct OrderedHasher {
    pub(super) state: Mutex<OrderedState>,
    /// How many parts (1..=n) are hashed.
    pub(super) hashed: tokio::sync::watch::Sender<u32>,
}

pub(super) struct OrderedState {
    /// `None` while a blocking thread is hashing.
    pub(super) hasher: Option<Sha256>,
    /// Parts read but not hashed yet, by number.
    pub(super) ready: std::collections::BTreeMap<u32, Bytes>,
    /// The next part to hash.
    pub(super) next: u32,
}

impl OrderedHasher {
    pub(super) fn new() -> OrderedHasher {
        OrderedHasher {
            state: Mutex::new(OrderedState {
                hasher: Some(Sha256::new()),
                ready: std::collections::BTreeMap::new(),
                next: 1,
            }),
            hashed: tokio::sync::watch::channel(0).0,
        }
    }

    /// Takes the hasher and the parts that can be hashed now, if any and if nobody else is.
    pub(super) fn next_run(state: &mut OrderedState) -> Option<(Sha256, Vec<Bytes>, u32)> {
        if state.hasher.is_none() || !state.ready.contains_key(&state.next) {
            return None;
        }
        let mut run = Vec::new();
        let mut last = state.next;
        while let Some(bytes) = state.ready.remove(&state.next) {
            run.push(bytes);
            last = state.next;
            state.next += 1;
        }
        Some((state.hasher.take()?, run, last))
    }

    /// Hands part `number` over and returns once every part up to it was hashed (the part's
    /// buffer is then free again).
    pub(super) async fn hash(&self, number: u32, bytes: Bytes) -> Result<()> {
        let mut hashed = self.hashed.subscribe();
        let mut run = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.ready.insert(number, bytes);
            OrderedHasher::next_run(&mut state)
        };
        while let Some((mut hasher, parts, last)) = run.take() {
            let hasher = blocking(move || {
                for part in &parts {
                    hasher.update(part);
                }
                hasher
            })
            .await?;
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.hasher = Some(hasher);
            self.hashed.send_replace(last);
            run = OrderedHasher::next_run(&mut state);
        }
        hashed
            .wait_for(|done| *done >= number)
            .await
            .map(drop)
            .map_err(|_| Error::cancelled("the upload was stopped"))
    }

    /// The hex SHA-256, once every part was hashed.
    pub(super) fn finish(&self) -> Option<String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.hasher.take().map(|hasher| hex::encode(hasher.finalize()))
    }
}

/// Part buffers, handed back after each part and reused for the next, so an upload allocates
/// about `parallelism` of them in all. (Freeing and allocating a fresh 8 MiB buffer per part
/// lets the allocator keep freed ones resident in per-thread arenas: the pool keeps peak
/// memory at the bound instead of a multiple of it.)
pub(super) struct BufferPool {
    pub(super) free: Mutex<Vec<Vec<u8>>>,
    pub(super) keep: usize,
}

impl BufferPool {
    pub(super) fn new(keep: usize) -> BufferPool {
        BufferPool { free: Mutex::new(Vec::with_capacity(keep)), keep }
    }

    /// A buffer of `len` bytes, reused when one is free. A reused buffer keeps the bytes of
    /// its last part (every caller overwrites all of them): zeroing 8 MiB per part cost more
    /// than the CRC32C.
    pub(super) fn take(&self, len: usize) -> Vec<u8> {
        let reused = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut buffer = reused.unwrap_or_default();
        if buffer.len() >= len {
            buffer.truncate(len);
        } else {
            buffer.clear();
            buffer.reserve_exact(len);
            buffer.resize(len, 0);
        }
        buffer
    }

    /// Takes a part's bytes back when nothing else holds them (else they are just dropped).
    pub(super) fn give(&self, bytes: Bytes) {
        if !bytes.is_unique() {
            return;
        }
        let buffer = Vec::from(bytes);
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if free.len() < self.keep && buffer.capacity() > 0 {
            free.push(buffer);
        }
    }
}

/// A part's bytes, or where to read them.
pub(super) enum PartBytes {
    File { file: Arc<File>, offset: u64, len: usize },
    Ready(Bytes),
}

/// Reads part `number` (when it is in a file, into a pooled buffer) and sends it unless the
/// server already holds the same bytes; then hands the buffer back. Reports the part's CRC32C
/// (for a part the server holds with the same bytes, the one in its part list).
pub(super) async fn send_part(
    context: Arc<PartContext>,
    number: u32,
    part: PartBytes,
    known: Option<PartReceipt>,
) -> Result<PartCrc> {
    let buffer = match &part {
        PartBytes::File { len, .. } => Some(context.buffers.take(*len)),
        PartBytes::Ready(_) => None,
    };
    let (bytes, crc) = blocking(move || match (part, buffer) {
        (PartBytes::File { file, offset, .. }, Some(buffer)) => {
            read_part_checksummed(&file, offset, buffer)
        }
        (PartBytes::File { file, offset, len }, None) => {
            read_part_checksummed(&file, offset, vec![0u8; len])
        }
        (PartBytes::Ready(bytes), _) => {
            let crc = crc32c(&bytes);
            Ok::<_, Error>((bytes, crc))
        }
    })
    .await??;
    let len = bytes.len() as u64;
    let reported = PartCrc { number, crc, len };
    let crc = encode_crc32c(crc);
    let hashed = async {
        match &context.hasher {
            Some(hasher) => hasher.hash(number, bytes.clone()).await,
            None => Ok(()),
        }
    };
    if let Some(receipt) = known {
        if receipt.size == len && receipt.crc32c == crc {
            hashed.await?;
            context.buffers.give(bytes);
            context.progress.part_done(len);
            return Ok(reported);
        }
        tracing::info!(
            part = number,
            "the server holds other bytes for this part; sending it again"
        );
    }
    let (result, hashed) = tokio::join!(put_part(&context, number, &bytes, &crc), hashed);
    context.buffers.give(bytes);
    result.and(hashed).map(|()| reported)
}

/// PUTs one part (the transport retries what is transient); a `CHECKSUM_MISMATCH` is sent once
/// more.
pub(super) async fn put_part(
    context: &PartContext,
    number: u32,
    bytes: &Bytes,
    crc: &str,
) -> Result<()> {
    let len = bytes.len() as u64;
    let mut resent = false;
    loop {
        let request = ApiRequest::put(format!("{}/{number}", context.path))
            .bytes(bytes.clone(), "application/octet-stream")?
            .header("X-Part-Crc32c", crc)?
            .stall_timeout(context.stall_timeout)
            .options(context.options.clone());
        context.transport.log(LogLevel::Trace, || {
            format!("upload part {number}: sending {len} bytes (CRC32C {crc})")
        });
        match context.transport.send_json::<PartReceipt>(request).await {
            Ok(response) => {
                let receipt = response.data;
                if receipt.part_number != number || receipt.size != len || receipt.crc32c != crc {
                    return Err(Error::protocol(format!(
                        "the server acknowledged part {number} ({len} bytes, CRC32C {crc}) as \
                         part {} ({} bytes, CRC32C {})",
                        receipt.part_number, receipt.size, receipt.crc32c
                    )));
                }
                context.transport.log(LogLevel::Trace, || {
                    format!("upload part {number}: acknowledged ({len} bytes)")
                });
                context.progress.part_done(len);
                return Ok(());
            }
            Err(error) if *error.code() == ErrorCode::ChecksumMismatch && !resent => {
                tracing::warn!(part = number, %error, "part damaged on the way; sending it again");
                resent = true;
            }
            Err(error) => return Err(error.with_context(format_args!("part {number}"))),
        }
    }
}

/// The outcome of a part task; a panic in one is resumed here.
pub(super) fn joined(
    result: Option<std::result::Result<Result<PartCrc>, tokio::task::JoinError>>,
) -> Result<Option<PartCrc>> {
    match result {
        None => Ok(None),
        Some(Ok(outcome)) => outcome.map(Some),
        Some(Err(error)) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Some(Err(_)) => Err(Error::cancelled("a part upload was cancelled")),
    }
}
