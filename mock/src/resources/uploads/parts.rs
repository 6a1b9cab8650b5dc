//! `PUT /v1/media/uploads/{uploadId}/parts/{n}`: receiving a part. A part that is not held is
//! streamed in place into the data file under a claim while its CRC32C is computed; a re-sent
//! part goes to a temp file first and is copied over the old bytes once it checked out. A part's
//! receipt is recorded only once its size and CRC32C are right.

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use aether::model::{PartReceipt, UploadStatus};
use aether::ErrorCode;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::json;
use tokio::task::JoinHandle;

use super::hash::advance_hash;
use super::positional::{read_exact_at, write_all_at, READ_BUFFER};
use super::session::{
    not_accepting, with_live_session, Session, Uploads, WriteTurn, RETAIN_BUDGET,
};
use super::MAX_PART_SIZE;
use crate::api_error::{ApiError, ApiResult};
use crate::ids::random_token;
use crate::state::SharedState;
use crate::stored_media::{
    self, content_length, drain, encode_crc32c, io_error, new_data_path, PendingFile,
};

/// Bytes gathered from a part's body before one positional write (two such buffers per part in
/// flight: one being filled, one being written).
const WRITE_BATCH: usize = 512 * 1024;
/// How long a re-sent part waits between looks while another request writes the same part.
const CLAIM_WAIT: std::time::Duration = std::time::Duration::from_millis(5);

/// Where a part's bytes go.
enum Sink {
    /// Straight into the data file at the part's offset: the part was not held and nobody else
    /// was writing it.
    InPlace { file: File, claim: Arc<Claim>, turn: WriteTurn },
    /// Into a temp file, copied over the held part once it checked out.
    Temp,
}

/// What a part PUT must deliver, read from the session before the body.
struct PartTarget {
    number: u32,
    expected: u64,
    offset: u64,
    crc32c: u32,
    sink: Sink,
}

/// The right to write part `number` of a session. Released when dropped (after the last
/// positional write that holds it finished); a part whose writer failed stays missing, and a
/// data file left holding no part is deleted.
struct Claim {
    state: SharedState,
    id: String,
    number: u32,
    token: u64,
    /// Bytes reserved in the session's [`RETAIN_BUDGET`] to keep this part in memory.
    reserved: u64,
    armed: AtomicBool,
}

static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

impl Claim {
    /// Takes part `number` for writing (called with the store locked).
    fn take(state: &SharedState, session: &mut Session, number: u32, reserved: u64) -> Arc<Claim> {
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
        session.writing.insert(number, token);
        session.reserved += reserved;
        Arc::new(Claim {
            state: state.clone(),
            id: session.id.clone(),
            number,
            token,
            reserved,
            armed: AtomicBool::new(true),
        })
    }

    /// Whether this claim still holds its part in `session`.
    fn holds(&self, session: &Session) -> bool {
        session.writing.get(&self.number) == Some(&self.token)
    }

    /// Releases the part after success (called with the store locked); its reservation now
    /// belongs to the part's kept bytes.
    fn release(&self, session: &mut Session) {
        if self.holds(session) {
            session.writing.remove(&self.number);
        }
        self.armed.store(false, Ordering::Relaxed);
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.armed.load(Ordering::Relaxed) {
            let mut store = self.state.store();
            if let Some(session) = store.part::<Uploads>().sessions.get_mut(&self.id) {
                if self.holds(session) {
                    session.writing.remove(&self.number);
                }
                session.reserved = session.reserved.saturating_sub(self.reserved);
                session.release_if_empty();
            }
        }
    }
}

fn part_target(
    state: &SharedState,
    id: &str,
    number: &str,
    headers: &HeaderMap,
) -> ApiResult<PartTarget> {
    let crc32c = parse_crc32c(headers);
    let content_length = content_length(headers);
    with_live_session(state, id, |session| {
        if session.status != UploadStatus::Uploading {
            return Err(not_accepting(session, "take parts"));
        }
        let count = session.part_count;
        let n =
            number.parse::<u32>().ok().filter(|n| (1..=count).contains(n)).ok_or_else(|| {
                ApiError::invalid(
                    "partNumber",
                    format!(
                        "part number {number:?} is out of range; upload {id} has parts 1–{count}"
                    ),
                )
            })?;
        let expected = session.expected_size(n);
        let crc32c = crc32c?;
        if let Some(len) = content_length {
            if len > MAX_PART_SIZE {
                return Err(ApiError::new(
                    ErrorCode::FileTooLarge,
                    format!(
                        "Content-Length is {len} bytes; a part is at most {MAX_PART_SIZE} bytes"
                    ),
                ));
            }
            if len != expected {
                return Err(wrong_size(n, expected, &format!("Content-Length says {len} bytes")));
            }
        }
        let sink = if session.parts.contains_key(&n) || session.writing.contains_key(&n) {
            Sink::Temp
        } else {
            let file = session
                .open_data_file()
                .map_err(|e| io_error("creating the upload's data file", &e))?;
            // Bytes are kept for the running SHA-256 only, which runs only when the client sent
            // one at create.
            let keep = session.sha256.is_some() && session.reserved + expected <= RETAIN_BUDGET;
            let claim = Claim::take(state, session, n, if keep { expected } else { 0 });
            Sink::InPlace { file, claim, turn: session.write_turn.clone() }
        };
        Ok(PartTarget { number: n, expected, offset: session.offset(n), crc32c, sink })
    })
}

fn parse_crc32c(headers: &HeaderMap) -> ApiResult<u32> {
    let value = headers.get("x-part-crc32c").ok_or_else(|| {
        ApiError::invalid(
            "X-Part-Crc32c",
            "X-Part-Crc32c is missing; send the base64 of the part's big-endian CRC32C \
             (4 bytes), e.g. yZRlqg==",
        )
    })?;
    stored_media::parse_crc32c(value.to_str().unwrap_or("<not ASCII>"), "X-Part-Crc32c")
}

fn wrong_size(number: u32, expected: u64, got: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ChecksumMismatch,
        format!(
            "part {number} must be {expected} bytes but {got}; every part but the last is \
             partSize bytes, the last holds the rest — nothing was kept"
        ),
    )
    .field("body")
    .details(json!({ "partNumber": number, "expectedSize": expected }))
}

/// Writes a body at consecutive offsets of a file, in batches of about [`WRITE_BATCH`] bytes of
/// received chunks (not copied: each chunk is written as it came), each batch on a blocking
/// thread while the next one is being received (at most one write in flight).
struct PositionalWriter {
    file: Arc<File>,
    at: u64,
    batch: Vec<Bytes>,
    batched: usize,
    in_flight: Option<JoinHandle<std::io::Result<()>>>,
    /// Held by every write in flight, so a claim outlives the writes made under it.
    claim: Option<Arc<Claim>>,
    /// The chunks written, kept when the claim reserved room for them.
    kept: Option<Vec<Bytes>>,
    /// Taken by each write when other writers share the file (`Session::write_turn`).
    turn: Option<WriteTurn>,
}

impl PositionalWriter {
    fn new(
        file: File,
        at: u64,
        claim: Option<Arc<Claim>>,
        turn: Option<WriteTurn>,
    ) -> PositionalWriter {
        PositionalWriter {
            file: Arc::new(file),
            at,
            batch: Vec::new(),
            batched: 0,
            in_flight: None,
            kept: claim.as_ref().filter(|c| c.reserved > 0).map(|_| Vec::new()),
            claim,
            turn,
        }
    }

    async fn push(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.batched += chunk.len();
        if let Some(kept) = &mut self.kept {
            kept.push(chunk.clone());
        }
        self.batch.push(chunk);
        if self.batched >= WRITE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Waits for the write in flight.
    async fn wait(&mut self) -> std::io::Result<()> {
        match self.in_flight.take() {
            None => Ok(()),
            Some(write) => write.await.map_err(std::io::Error::other)?,
        }
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        self.wait().await?;
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let (file, mut at, claim) = (self.file.clone(), self.at, self.claim.clone());
        let turn = self.turn.clone();
        self.at += self.batched as u64;
        self.batched = 0;
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            let _claim = claim;
            let _turn = turn.as_ref().map(WriteTurn::take);
            for chunk in batch {
                write_all_at(&file, &chunk, at)?;
                at += chunk.len() as u64;
            }
            Ok(())
        }));
        Ok(())
    }

    /// Writes what is left and waits for it.
    async fn finish(&mut self) -> std::io::Result<()> {
        self.flush().await?;
        self.wait().await
    }
}

/// Streams a part's body into `writer`, checking its size and computing its CRC32C. Waits for
/// the writes in flight whatever happens, so nothing is written once this returns.
async fn receive(
    body: Body,
    n: u32,
    expected: u64,
    writer: &mut PositionalWriter,
) -> ApiResult<(u64, u32)> {
    let write_error = |e: std::io::Error| io_error("writing a part", &e);
    let mut crc = 0u32;
    let mut received = 0u64;
    let mut stream = body.into_data_stream();
    let outcome = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::invalid("body", format!("the part's body could not be read: {e}"))
            })?;
            received += chunk.len() as u64;
            if received > expected {
                return Err(wrong_size(
                    n,
                    expected,
                    &format!("more arrived ({received} bytes before the server stopped reading)"),
                ));
            }
            crc = aether::upload::crc32c_append(crc, &chunk);
            writer.push(chunk).await.map_err(write_error)?;
        }
        writer.finish().await.map_err(write_error)
    }
    .await;
    if let Err(error) = outcome {
        let _ = writer.wait().await;
        if received > expected {
            drain(Body::from_stream(stream)).await;
        }
        return Err(error);
    }
    if received < expected {
        return Err(wrong_size(n, expected, &format!("only {received} bytes arrived")));
    }
    Ok((received, crc))
}

pub(super) async fn put_part(
    State(state): State<SharedState>,
    Path((id, number)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<PartReceipt>> {
    let target = match part_target(&state, &id, &number, &headers) {
        Ok(target) => target,
        Err(error) => {
            drain(body).await;
            return Err(error);
        }
    };
    let n = target.number;
    match target.sink {
        Sink::InPlace { file, claim, turn } => {
            let mut writer =
                PositionalWriter::new(file, target.offset, Some(claim.clone()), Some(turn));
            let (size, crc) = receive(body, n, target.expected, &mut writer).await?;
            let kept = writer.kept.take();
            drop(writer);
            check_crc(n, target.crc32c, crc)?;
            let receipt = PartReceipt { part_number: n, size, crc32c: encode_crc32c(crc) };
            record_part(&state, &id, &claim, &receipt, kept)?;
            Ok(Json(receipt))
        }
        Sink::Temp => {
            // `id` names an existing session (checked above), whose ids only the server makes.
            let temp_name = format!("{id}.{n}.{}.tmp", random_token(8));
            let temp = PendingFile::new(
                &state,
                new_data_path(&state, "uploads", &temp_name)?,
                Uploads::pending_files,
            );
            let file =
                File::create_new(temp.path()).map_err(|e| io_error("creating a part file", &e))?;
            let mut writer = PositionalWriter::new(file, 0, None, None);
            let (size, crc) = receive(body, n, target.expected, &mut writer).await?;
            drop(writer);
            check_crc(n, target.crc32c, crc)?;
            let receipt = PartReceipt { part_number: n, size, crc32c: encode_crc32c(crc) };
            replace_part(&state, &id, n, target.offset, temp.path(), &receipt).await?;
            Ok(Json(receipt))
        }
    }
}

fn check_crc(n: u32, wanted: u32, crc: u32) -> ApiResult<()> {
    if crc == wanted {
        return Ok(());
    }
    let (expected, actual) = (encode_crc32c(wanted), encode_crc32c(crc));
    Err(ApiError::new(
        ErrorCode::ChecksumMismatch,
        format!(
            "part {n}'s CRC32C is {actual} but X-Part-Crc32c says {expected}; nothing was \
             kept — send the part again"
        ),
    )
    .field("X-Part-Crc32c")
    .details(json!({ "partNumber": n, "expected": expected, "actual": actual })))
}

/// Records a part written under `claim` (with its bytes, when kept), then lets the running hash
/// catch up when there is one (a SHA-256 was sent at create).
fn record_part(
    state: &SharedState,
    id: &str,
    claim: &Claim,
    receipt: &PartReceipt,
    kept: Option<Vec<Bytes>>,
) -> ApiResult<()> {
    let cursor = with_live_session(state, id, |session| {
        if session.status != UploadStatus::Uploading {
            return Err(not_accepting(session, "take parts"));
        }
        if !claim.holds(session) {
            // Cannot happen while the claim is armed; refuse rather than list unknown bytes.
            return Err(ApiError::new(
                ErrorCode::InternalError,
                format!("part {} lost its place while it was written", receipt.part_number),
            ));
        }
        session.parts.insert(receipt.part_number, receipt.clone());
        claim.release(session);
        if let Some(kept) = kept {
            session.retained.insert(receipt.part_number, kept);
        }
        Ok(session.sha256.is_some().then(|| session.hash.clone()))
    })?;
    if let Some(cursor) = cursor {
        let (state, id) = (state.clone(), id.to_owned());
        tokio::spawn(async move { drop(advance_hash(&state, &id, cursor).await) });
    }
    Ok(())
}

/// Copies a checked re-sent part from its temp file over part `n` of the data file, once no
/// other request writes part `n`.
async fn replace_part(
    state: &SharedState,
    id: &str,
    n: u32,
    offset: u64,
    temp: &std::path::Path,
    receipt: &PartReceipt,
) -> ApiResult<()> {
    let (file, claim, turn) = loop {
        let claimed = with_live_session(state, id, |session| {
            if session.status != UploadStatus::Uploading {
                return Err(not_accepting(session, "take parts"));
            }
            if session.writing.contains_key(&n) {
                return Ok(None);
            }
            let claim = Claim::take(state, session, n, 0);
            if session.parts.remove(&n).is_some() {
                session.epoch += 1;
            }
            session.unretain(n);
            match session.open_data_file() {
                Ok(file) => Ok(Some((file, claim, session.write_turn.clone()))),
                Err(error) => {
                    claim.release(session);
                    session.release_if_empty();
                    Err(io_error("opening the upload's data file", &error))
                }
            }
        })?;
        match claimed {
            Some(claimed) => break claimed,
            None => tokio::time::sleep(CLAIM_WAIT).await,
        }
    };
    let source = File::open(temp).map_err(|e| io_error("reading a part file", &e))?;
    let len = receipt.size;
    let copying = claim.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let _claim = copying;
        let mut buffer = vec![0u8; READ_BUFFER];
        let mut done = 0u64;
        while done < len {
            let step = usize::try_from((len - done).min(READ_BUFFER as u64)).unwrap_or(READ_BUFFER);
            read_exact_at(&source, &mut buffer[..step], done)?;
            let _turn = turn.take();
            write_all_at(&file, &buffer[..step], offset + done)?;
            done += step as u64;
        }
        Ok(())
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::InternalError, format!("copying a part failed: {e}")))?
    .map_err(|e| io_error("copying a part into place", &e))?;
    record_part(state, id, &claim, receipt, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_is_base64_of_the_big_endian_value() {
        // The example of spec/openapi.yaml is the CRC32C of "hello world".
        let crc = crc32c::crc32c(b"hello world");
        assert_eq!(encode_crc32c(crc), "yZRlqg==");
        let mut headers = HeaderMap::new();
        headers.insert("x-part-crc32c", "yZRlqg==".parse().unwrap());
        assert_eq!(parse_crc32c(&headers).unwrap(), crc);
        headers.insert("x-part-crc32c", "yZRl".parse().unwrap());
        assert!(parse_crc32c(&headers).is_err());
    }
}
